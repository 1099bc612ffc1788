/*
 * fam-lib's view of the pool: df, books, opens, and the maintenance
 * requests zero, module and version.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib-size.h"

static int get_statfs(CliContext *ctx, struct fam_lib_statfs *sf)
{
    CliReply reply;
    int ret = cli_request(ctx, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0,
                          &reply);

    if (ret == 0) {
        memcpy(sf, reply.body, sizeof(*sf));
        fam_lib_wire_statfs(sf);
    }
    return ret;
}

/* A NUL-padded name field as a C string. */
static void padded(const char *field, size_t len, char *out)
{
    memcpy(out, field, len);
    out[len] = '\0';
}

int cli_cmd_df(CliContext *ctx, const CliCommand *cmd, int argc, char **argv)
{
    struct fam_lib_statfs sf;
    char model[sizeof(sf.model) + 1], pool[32], book[32];
    int status, ret;

    status = cli_start(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_OPT_END) {
        return status;
    }
    ret = get_statfs(ctx, &sf);
    if (ret < 0) {
        return cli_fail(ctx, "statfs", ret);
    }
    padded(sf.model, sizeof(sf.model), model);

    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "model", model);
        cli_json_u64(&ctx->js, "nodes", sf.nodes);
        cli_json_u64(&ctx->js, "modules", sf.modules);
        cli_json_u64(&ctx->js, "pool_size", sf.pool_size);
        cli_json_u64(&ctx->js, "book_size", sf.book_size);
        cli_json_u64(&ctx->js, "books", sf.books_total);
        cli_json_u64(&ctx->js, "free", sf.books_free);
        cli_json_u64(&ctx->js, "inuse", sf.books_inuse);
        cli_json_u64(&ctx->js, "zombie", sf.books_zombie);
        cli_json_u64(&ctx->js, "offline", sf.books_offline);
        cli_json_u64(&ctx->js, "shelves", sf.shelves);
        cli_json_end(&ctx->js);
        return CLI_EXIT_OK;
    }
    fprintf(ctx->out,
            "model: %s\n"
            "nodes: %u\n"
            "modules: %u\n"
            "pool: %llu (%s)\n"
            "book size: %llu (%s)\n"
            "books: %llu\n"
            "free: %llu\n"
            "inuse: %llu\n"
            "zombie: %llu\n"
            "offline: %llu\n"
            "shelves: %llu\n",
            model, (unsigned)sf.nodes, (unsigned)sf.modules,
            (unsigned long long)sf.pool_size,
            fam_lib_format_size(sf.pool_size, pool, sizeof(pool)),
            (unsigned long long)sf.book_size,
            fam_lib_format_size(sf.book_size, book, sizeof(book)),
            (unsigned long long)sf.books_total,
            (unsigned long long)sf.books_free,
            (unsigned long long)sf.books_inuse,
            (unsigned long long)sf.books_zombie,
            (unsigned long long)sf.books_offline,
            (unsigned long long)sf.shelves);
    return CLI_EXIT_OK;
}

typedef struct BooksState {
    int state;                  /* -1: any */
    uint32_t module;            /* UINT32_MAX: any */
    uint64_t book_size;
    uint64_t shown;
} BooksState;

static int book_items(CliContext *ctx, FamLibListIter *it, void *opaque)
{
    BooksState *st = opaque;
    struct fam_lib_book b;
    int ret;

    while ((ret = fam_lib_list_next_book(it, &b)) > 0) {
        if ((st->state >= 0 && b.state != (uint32_t)st->state) ||
            (st->module != UINT32_MAX && b.module != st->module)) {
            continue;
        }
        st->shown++;
        if (ctx->json) {
            cli_json_object(&ctx->js, NULL);
            cli_json_u64(&ctx->js, "book", b.book);
            cli_json_u64(&ctx->js, "offset", b.book * st->book_size);
            cli_json_u64(&ctx->js, "module", b.module);
            cli_json_str(&ctx->js, "state", cli_book_state_name(b.state));
            cli_json_u64(&ctx->js, "shelf", b.shelf);
            cli_json_end(&ctx->js);
        } else {
            fprintf(ctx->out, "%8llu 0x%012llx %6u %-7s %llu\n",
                    (unsigned long long)b.book,
                    (unsigned long long)(b.book * st->book_size),
                    (unsigned)b.module, cli_book_state_name(b.state),
                    (unsigned long long)b.shelf);
        }
    }
    return ret;
}

/*
 * --state and --module, each value checked as it is read. CLI_OPT_END to
 * go on, else an exit status (CLI_EXIT_OK after --help).
 */
static int parse_books_options(CliContext *ctx, const CliCommand *cmd,
                               int argc, char **argv, BooksState *st)
{
    static const struct option longopts[] = {
        { "state", required_argument, NULL, 's' },
        { "module", required_argument, NULL, 'm' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int c, status;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 's':
            st->state = cli_book_state_parse(optarg);
            if (st->state < 0) {
                return cli_usage_error(ctx, cmd, "--state %s: one of free, "
                                       "inuse, zombie, offline", optarg);
            }
            break;
        case 'm':
            if (!fam_lib_parse_u32(optarg, FAM_MODEL_MAX_MODULES - 1,
                                   &st->module)) {
                return cli_usage_error(ctx, cmd, "--module %s: a module "
                                       "number", optarg);
            }
            break;
        default:
            return status;
        }
    }
    return CLI_OPT_END;
}

/* The pool's book size into *st, and --module checked against the pool. */
static int check_books_pool(CliContext *ctx, BooksState *st)
{
    struct fam_lib_statfs sf;
    int ret = get_statfs(ctx, &sf);

    if (ret < 0) {
        return cli_fail(ctx, "statfs", ret);
    }
    st->book_size = sf.book_size;
    if (st->module != UINT32_MAX && st->module >= sf.modules) {
        fprintf(ctx->err, "fam-lib: module %" PRIu32 ": the pool has "
                "modules 0 to %" PRIu32 "\n", st->module, sf.modules - 1);
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

/* The table (its header unless --json): a shelf's books, or the pool's. */
static int list_books(CliContext *ctx, const char *path, BooksState *st)
{
    struct fam_lib_args args = { 0 };
    int ret;

    if (!ctx->json) {
        fprintf(ctx->out, "%8s %-14s %6s %-7s %s\n", "BOOK", "OFFSET",
                "MODULE", "STATE", "SHELF");
    }
    if (path != NULL) {
        ret = cli_list_json(ctx, FAM_LIB_OP_SHELF_BOOKS, &args, path,
                            FAM_LIB_ITEM_BOOK, book_items, st);
    } else {
        /* The Librarian filters by module itself (flags = module + 1). */
        args.flags = st->module == UINT32_MAX ? 0 : st->module + 1;
        ret = cli_list_json(ctx, FAM_LIB_OP_LIST_BOOKS, &args, NULL,
                            FAM_LIB_ITEM_BOOK, book_items, st);
    }
    if (ret < 0) {
        return cli_fail(ctx, path != NULL ? path : "books", ret);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_books(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    BooksState st = { .state = -1, .module = UINT32_MAX };
    char buf[FAM_LIB_PATH_MAX];
    const char *path = NULL;
    int status;

    status = parse_books_options(ctx, cmd, argc, argv, &st);
    if (status != CLI_OPT_END) {
        return status;
    }
    status = cli_operands(ctx, cmd, argc, argv, 0, 1);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (optind < argc) {
        status = cli_path_connect(ctx, argv[optind], buf, sizeof(buf),
                                  &path);
    } else {
        status = cli_connect(ctx);
    }
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = check_books_pool(ctx, &st);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    return list_books(ctx, path, &st);
}

static int opened_items(CliContext *ctx, FamLibListIter *it, void *opaque)
{
    struct fam_lib_opened o;
    char node[16];
    int ret;

    (void)opaque;
    while ((ret = fam_lib_list_next_opened(it, &o)) > 0) {
        const char *mode = (o.flags & FAM_LIB_OPEN_WRITE)
            ? ((o.flags & FAM_LIB_OPEN_READ) ? "rw" : "w") : "r";

        cli_node_string(o.node, node, sizeof(node));
        if (ctx->json) {
            cli_json_object(&ctx->js, NULL);
            cli_json_u64(&ctx->js, "handle", o.handle);
            cli_json_u64(&ctx->js, "shelf", o.shelf);
            cli_json_str(&ctx->js, "node", node);
            cli_json_u64(&ctx->js, "pid", o.pid);
            cli_json_str(&ctx->js, "mode", mode);
            cli_json_end(&ctx->js);
        } else {
            fprintf(ctx->out, "%10llu %10llu %5s %8u %s\n",
                    (unsigned long long)o.handle,
                    (unsigned long long)o.shelf, node, (unsigned)o.pid,
                    mode);
        }
    }
    return ret;
}

int cli_cmd_opens(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    int status, ret;

    status = cli_start(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_OPT_END) {
        return status;
    }
    if (!ctx->json) {
        fprintf(ctx->out, "%10s %10s %5s %8s %s\n", "HANDLE", "SHELF",
                "NODE", "PID", "MODE");
    }
    ret = cli_list_json(ctx, FAM_LIB_OP_LIST_OPENS, NULL, NULL,
                        FAM_LIB_ITEM_OPENED, opened_items, NULL);
    return ret < 0 ? cli_fail(ctx, "opens", ret) : CLI_EXIT_OK;
}

int cli_cmd_zero(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv)
{
    struct fam_lib_count count;
    CliReply reply;
    int status, ret;

    status = cli_start(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_OPT_END) {
        return status;
    }
    ret = cli_request(ctx, FAM_LIB_OP_ZERO_ZOMBIES, NULL, NULL, NULL, NULL,
                      0, &reply);
    if (ret < 0) {
        return cli_fail(ctx, "zero", ret);
    }
    memcpy(&count, reply.body, sizeof(count));
    fam_lib_wire_count(&count);
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_u64(&ctx->js, "zeroed", count.count);
        cli_json_end(&ctx->js);
    } else {
        fprintf(ctx->out, "%llu zombie book(s) zeroed and freed\n",
                (unsigned long long)count.count);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_module(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    struct fam_lib_args args = { 0 };
    CliReply reply;
    uint32_t module;
    int status, ret;

    status = cli_no_options(ctx, cmd, argc, argv, 2, 2);
    if (status != CLI_OPT_END) {
        return status;
    }
    if (!fam_lib_parse_u32(argv[optind], FAM_MODEL_MAX_MODULES - 1,
                           &module)) {
        return cli_usage_error(ctx, cmd, "%s: a module number",
                               argv[optind]);
    }
    if (strcmp(argv[optind + 1], "offline") == 0) {
        args.flags = FAM_LIB_MODULE_OFFLINE;
    } else if (strcmp(argv[optind + 1], "online") == 0) {
        args.flags = FAM_LIB_MODULE_ONLINE;
    } else {
        return cli_usage_error(ctx, cmd, "%s: online or offline",
                               argv[optind + 1]);
    }
    args.size = module;
    status = cli_connect(ctx);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = cli_request(ctx, FAM_LIB_OP_MODULE_STATUS, &args, NULL, NULL,
                      NULL, 0, &reply);
    if (ret < 0) {
        char what[32];

        snprintf(what, sizeof(what), "module %" PRIu32, module);
        return cli_fail(ctx, what, ret);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_version(CliContext *ctx, const CliCommand *cmd, int argc,
                    char **argv)
{
    struct fam_lib_version v;
    char name[sizeof(v.name) + 1];
    CliReply reply;
    int status, ret;

    status = cli_start(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_OPT_END) {
        return status;
    }
    ret = cli_request(ctx, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL, 0,
                      &reply);
    if (ret == -EPROTONOSUPPORT) {
        fprintf(ctx->err, "fam-lib: the Librarian speaks protocol %u, "
                "fam-lib protocol %u\n",
                fam_lib_reply_version(reply.buf, sizeof(reply.buf)),
                FAM_LIB_VERSION);
        return CLI_EXIT_FAILED;
    }
    if (ret < 0) {
        return cli_fail(ctx, "version", ret);
    }
    memcpy(&v, reply.body, sizeof(v));
    fam_lib_wire_version(&v);
    padded(v.name, sizeof(v.name), name);
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "name", name);
        cli_json_u64(&ctx->js, "protocol", v.version);
        cli_json_u64(&ctx->js, "schema", v.schema);
        cli_json_end(&ctx->js);
    } else {
        fprintf(ctx->out, "%s, protocol %u, schema %u\n", name,
                (unsigned)v.version, (unsigned)v.schema);
    }
    return CLI_EXIT_OK;
}
