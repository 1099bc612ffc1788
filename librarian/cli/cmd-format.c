/*
 * fam-lib format: a pool file and a new database for it. The one command
 * that creates things outside the Librarian, so it works offline only,
 * through the same lib-store rules as the daemon.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib-size.h"

#define FORMAT_DEFAULT_SIZE     (UINT64_C(1) << 30)

/* Remove the database and SQLite's companions of it. */
static int remove_database(CliContext *ctx, const char *db)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char path[4096];

    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", db, suffixes[i]);
        if (unlink(path) < 0 && errno != ENOENT) {
            return cli_fail(ctx, path, -errno);
        }
    }
    return CLI_EXIT_OK;
}

/*
 * Zero an existing pool: a new database says every book is free, so no
 * book may keep what an earlier one left in it. Punching holes is
 * instant where the file system can; elsewhere, write zeroes.
 */
static int zero_pool(int fd, uint64_t size)
{
    static const char zeroes[1 << 16];
    uint64_t off = 0;

    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
                  (off_t)size) == 0) {
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        return -errno;
    }
    while (off < size) {
        size_t n = size - off < sizeof(zeroes) ? (size_t)(size - off)
                                                 : sizeof(zeroes);
        ssize_t w = pwrite(fd, zeroes, n, (off_t)off);

        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        off += (uint64_t)w;
    }
    return fsync(fd) < 0 ? -errno : 0;
}

/*
 * An existing pool keeps its size (--size, if given, must be it) and is
 * zeroed. Closes fd.
 */
static int zero_existing_pool(CliContext *ctx, int fd, const char *pool,
                              uint64_t size, bool size_given)
{
    struct stat st;
    int ret;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        fprintf(ctx->err, "fam-lib: %s: not a regular file\n", pool);
        return CLI_EXIT_FAILED;
    }
    if (size_given && (uint64_t)st.st_size != size) {
        close(fd);
        fprintf(ctx->err, "fam-lib: %s: exists with %jd bytes, not "
                "%" PRIu64 " (remove it, or leave out --size)\n", pool,
                (intmax_t)st.st_size, size);
        return CLI_EXIT_FAILED;
    }
    ret = zero_pool(fd, (uint64_t)st.st_size);
    close(fd);
    return ret < 0 ? cli_fail(ctx, pool, ret) : CLI_EXIT_OK;
}

/* A new pool of `size` bytes; nothing is left behind if that fails. */
static int create_pool(CliContext *ctx, const char *pool, uint64_t size)
{
    int fd, ret;

    /* Only its owner: every node's data lives in it. */
    fd = open(pool, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return cli_fail(ctx, pool, -errno);
    }
    ret = ftruncate(fd, (off_t)size) < 0 ? -errno : 0;
    close(fd);
    if (ret < 0) {
        unlink(pool);
        return cli_fail(ctx, pool, ret);
    }
    return CLI_EXIT_OK;
}

/*
 * The pool file: an existing one keeps its size (and is zeroed), a new one
 * gets `size`. *created says whether we made it, to remove it again if
 * the database cannot be made.
 */
static int prepare_pool(CliContext *ctx, const char *pool, uint64_t size,
                        bool size_given, bool *created)
{
    int fd, status;

    *created = false;
    fd = open(pool, O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        return zero_existing_pool(ctx, fd, pool, size, size_given);
    }
    if (errno != ENOENT) {
        return cli_fail(ctx, pool, -errno);
    }
    status = create_pool(ctx, pool, size);
    *created = status == CLI_EXIT_OK;
    return status;
}

/* What format's command line asks for. */
typedef struct FormatOptions {
    FamLibStoreOptions store;   /* pool, db, model, nodes, book size */
    uint64_t size;              /* --size, else the default */
    bool size_given;            /* --size: an existing pool must have it */
    bool force;                 /* --force: replace an existing database */
} FormatOptions;

/*
 * The options, each value checked as it is read. CLI_OPT_END to go on,
 * else an exit status (CLI_EXIT_OK after --help).
 */
static int parse_format_options(CliContext *ctx, const CliCommand *cmd,
                                int argc, char **argv, FormatOptions *fo)
{
    static const struct option longopts[] = {
        { "pool", required_argument, NULL, 'p' },
        { "db", required_argument, NULL, 'D' },
        { "model", required_argument, NULL, 'm' },
        { "nodes", required_argument, NULL, 'n' },
        { "size", required_argument, NULL, 's' },
        { "book-size", required_argument, NULL, 'b' },
        { "force", no_argument, NULL, 'f' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int c, status;

    *fo = (FormatOptions){
        .store = { .pool_path = ctx->pool_path, .db_path = ctx->db_path,
                   .models_dir = ctx->models_dir, .create = true },
        .size = FORMAT_DEFAULT_SIZE,
    };
    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 'p':
            fo->store.pool_path = optarg;
            break;
        case 'D':
            fo->store.db_path = optarg;
            break;
        case 'm':
            fo->store.model = optarg;
            break;
        case 'n':
            if (!fam_lib_parse_u32(optarg, FAM_MAX_NODES, &fo->store.nodes) ||
                fo->store.nodes == 0) {
                return cli_usage_error(ctx, cmd, "--nodes %s: a node count "
                                       "from 1 to %u", optarg,
                                       FAM_MAX_NODES);
            }
            break;
        case 's':
            if (!fam_lib_parse_size(optarg, &fo->size) || fo->size == 0) {
                return cli_usage_error(ctx, cmd, "--size %s: a size such as "
                                       "1G", optarg);
            }
            fo->size_given = true;
            break;
        case 'b':
            if (!fam_lib_parse_size(optarg, &fo->store.book_size) ||
                fo->store.book_size == 0) {
                return cli_usage_error(ctx, cmd, "--book-size %s: a size "
                                       "such as 8M", optarg);
            }
            break;
        case 'f':
            fo->force = true;
            break;
        default:
            return status;
        }
    }
    return CLI_OPT_END;
}

/* No operands, offline, and the options a format cannot do without. */
static int check_format_options(CliContext *ctx, const CliCommand *cmd,
                                int argc, char **argv,
                                const FormatOptions *fo)
{
    int status = cli_operands(ctx, cmd, argc, argv, 0, 0);

    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (ctx->socket_path != NULL) {
        return cli_usage_error(ctx, cmd, "works on the pool file itself, not "
                               "through a daemon: give --pool");
    }
    if (fo->store.pool_path == NULL || fo->store.model == NULL ||
        fo->store.nodes == 0) {
        return cli_usage_error(ctx, cmd, "--pool, --model and --nodes are "
                               "required");
    }
    return CLI_EXIT_OK;
}

/* The pool's size: --size, else an existing pool file's, else 1G. */
static uint64_t format_pool_size(const FormatOptions *fo)
{
    struct stat st;

    if (!fo->size_given && stat(fo->store.pool_path, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        return (uint64_t)st.st_size;
    }
    return fo->size;
}

/* "fam-lib: " and lib-store's message (else errno's); CLI_EXIT_FAILED. */
static int store_fail(CliContext *ctx, char *err, int neg_errno)
{
    fprintf(ctx->err, "fam-lib: %s\n",
            err != NULL ? err : strerror(-neg_errno));
    free(err);
    return CLI_EXIT_FAILED;
}

/* Whether the model takes these nodes, pool size and book size. */
static int check_model(CliContext *ctx, const FamLibStoreOptions *opt,
                       uint64_t size)
{
    FamModelParams params = {
        .nodes = opt->nodes,
        .pool_size = size,
        .book_size = opt->book_size,
    };
    FamModel *model = NULL;
    char *err = NULL;
    int ret;

    ret = fam_lib_store_load_model(opt->model, opt->models_dir, &params,
                                   &model, NULL, &err);
    if (ret < 0) {
        return store_fail(ctx, err, ret);
    }
    fam_model_free(model);
    return CLI_EXIT_OK;
}

/*
 * Clear the way for the new database: an earlier one goes only with
 * --force. Leftover -wal/-shm of an earlier database must not be replayed
 * into the new one, so they go even without --force when the main file
 * is gone or empty.
 */
static int remove_old_database(CliContext *ctx, const FamLibStoreOptions *opt,
                               bool force)
{
    struct stat st;
    char *db;
    int status;

    db = opt->db_path != NULL ? strdup(opt->db_path)
                              : fam_lib_store_db_path(opt->pool_path);
    if (db == NULL) {
        return cli_fail(ctx, "format", -ENOMEM);
    }
    if (!force && stat(db, &st) == 0 && st.st_size > 0) {
        fprintf(ctx->err, "fam-lib: %s: a database exists (--force "
                "replaces it, and every shelf in it is lost)\n", db);
        free(db);
        return CLI_EXIT_FAILED;
    }
    status = remove_database(ctx, db);
    free(db);
    return status;
}

/* The new database, opened in *store; a pool we created goes if it fails. */
static int create_database(CliContext *ctx, const FamLibStoreOptions *opt,
                           bool pool_created, FamLibStore *store)
{
    char *err = NULL;
    int ret;

    ret = fam_lib_store_open(opt, store, &err);
    if (ret < 0) {
        if (pool_created) {
            unlink(opt->pool_path);
        }
        return store_fail(ctx, err, ret);
    }
    return CLI_EXIT_OK;
}

/*
 * The root directory belongs to whoever formats, as with mke2fs: a
 * user's own pool is usable by that user without root's help. The
 * Librarian lets only root give things away, and offline we hold the
 * database file, so we ask as root.
 */
static int give_root_to_caller(CliContext *ctx, FamLibStore *store)
{
    FamLibCaller root = { .node = FAM_LIB_NODE_HOST };
    int ret;

    if (getuid() == 0) {
        return CLI_EXIT_OK;
    }
    ret = fam_lib_chown(store->lib, &root, "/", (uint32_t)getuid(),
                        (uint32_t)getgid());
    return ret < 0 ? cli_fail(ctx, "/", ret) : CLI_EXIT_OK;
}

static void print_format_result(CliContext *ctx, const char *pool,
                                const FamLibStore *store)
{
    const FamModel *m = store->model;
    char bsize[32], psize[32];

    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "pool", pool);
        cli_json_str(&ctx->js, "db", store->db_path);
        cli_json_str(&ctx->js, "model", m->name);
        cli_json_u64(&ctx->js, "nodes", m->nodes);
        cli_json_u64(&ctx->js, "modules", m->modules);
        cli_json_u64(&ctx->js, "pool_size", m->pool_size);
        cli_json_u64(&ctx->js, "book_size", m->book_size);
        cli_json_u64(&ctx->js, "books", m->books);
        cli_json_end(&ctx->js);
    } else {
        fprintf(ctx->out, "%s: %s pool, %" PRIu64 " books of %s, model %s, "
                "%" PRIu32 " nodes; database %s\n", pool,
                fam_lib_format_size(m->pool_size, psize, sizeof(psize)),
                m->books,
                fam_lib_format_size(m->book_size, bsize, sizeof(bsize)),
                m->name, m->nodes, store->db_path);
    }
}

int cli_cmd_format(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    FormatOptions fo;
    FamLibStore store;
    uint64_t size;
    bool created;
    int status;

    status = parse_format_options(ctx, cmd, argc, argv, &fo);
    if (status != CLI_OPT_END) {
        return status;
    }
    status = check_format_options(ctx, cmd, argc, argv, &fo);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    /* Check the model against the pool's size before anything is
     * written: a format that cannot succeed must leave the files alone. */
    size = format_pool_size(&fo);
    status = check_model(ctx, &fo.store, size);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = remove_old_database(ctx, &fo.store, fo.force);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = prepare_pool(ctx, fo.store.pool_path, size, fo.size_given,
                          &created);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = create_database(ctx, &fo.store, created, &store);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = give_root_to_caller(ctx, &store);
    if (status == CLI_EXIT_OK) {
        print_format_result(ctx, fo.store.pool_path, &store);
    }
    fam_lib_store_close(&store);
    return status;
}
