/*
 * fam-lib ls and stat: the namespace as the Librarian sees it.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct LsState {
    const char *dir;
    bool long_format;
    int status;
} LsState;

/* A symlink's target into buf ("" if it cannot be read). */
static int read_link(CliContext *ctx, const char *path, char *buf,
                     size_t cap)
{
    CliReply *reply = malloc(sizeof(*reply));
    int ret;

    buf[0] = '\0';
    if (reply == NULL) {
        return -ENOMEM;
    }
    ret = cli_request(ctx, FAM_LIB_OP_READLINK, NULL, path, NULL, NULL, 0,
                      reply);
    if (ret == 0) {
        snprintf(buf, cap, "%s", (const char *)reply->body);
    }
    free(reply);
    return ret;
}

/* One entry: `name` as listed, `path` to ask about it. */
static int show_entry(CliContext *ctx, LsState *st, const char *name,
                      const char *path, uint64_t id, uint32_t mode)
{
    struct fam_lib_attr a;
    char target[FAM_LIB_PATH_MAX] = "";
    char modestr[11], when[48];
    int ret;

    if (!st->long_format) {
        if (ctx->json) {
            cli_json_object(&ctx->js, NULL);
            cli_json_str(&ctx->js, "name", name);
            cli_json_u64(&ctx->js, "id", id);
            cli_json_str(&ctx->js, "type", cli_type_name(mode));
            cli_json_end(&ctx->js);
        } else {
            fprintf(ctx->out, "%s\n", name);
        }
        return 0;
    }

    ret = cli_getattr(ctx, path, &a);
    if (ret < 0) {
        /* Gone between the listing and the look: say so, go on. */
        cli_fail(ctx, path, ret);
        st->status = CLI_EXIT_FAILED;
        return 0;
    }
    if ((a.mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFLNK) {
        read_link(ctx, path, target, sizeof(target));
    }
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "name", name);
        cli_json_attr(&ctx->js, &a);
        if ((a.mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFLNK) {
            cli_json_str(&ctx->js, "target", target);
        }
        cli_json_end(&ctx->js);
        return 0;
    }
    cli_mode_string(a.mode, modestr);
    cli_time_string(a.mtime_ns, when, sizeof(when));
    /* Minutes are enough in a listing; stat shows the rest. */
    when[16] = '\0';
    when[10] = ' ';
    fprintf(ctx->out, "%s %3u %6u %6u %12llu %6llu %s %s%s%s\n", modestr,
            (unsigned)a.nlink, (unsigned)a.uid, (unsigned)a.gid,
            (unsigned long long)a.size, (unsigned long long)a.books, when,
            name, target[0] ? " -> " : "", target);
    return 0;
}

static int ls_items(CliContext *ctx, FamLibListIter *it, void *opaque)
{
    LsState *st = opaque;
    struct fam_lib_dirent ent;
    const char *name;
    char path[FAM_LIB_PATH_MAX + FAM_LIB_NAME_MAX + 2];
    int ret;

    while ((ret = fam_lib_list_next_dirent(it, &ent, &name)) > 0) {
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s%s%s", st->dir,
                 strcmp(st->dir, "/") == 0 ? "" : "/", name);
        ret = show_entry(ctx, st, name, path, ent.id, ent.mode);
        if (ret < 0) {
            return ret;
        }
    }
    return ret;
}

int cli_cmd_ls(CliContext *ctx, const CliCommand *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "long", no_argument, NULL, 'l' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    LsState st = { .status = CLI_EXIT_OK };
    struct fam_lib_attr a;
    char buf[FAM_LIB_PATH_MAX];
    int c, status, ret;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "l", longopts, &status))
           != CLI_OPT_END) {
        if (c == CLI_OPT_EXIT) {
            return status;
        }
        st.long_format = true;
    }
    status = cli_operands(ctx, cmd, argc, argv, 0, 1);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = cli_path_connect(ctx, optind < argc ? argv[optind] : "/", buf,
                              sizeof(buf), &st.dir);
    if (status != CLI_EXIT_OK) {
        return status;
    }

    ret = cli_getattr(ctx, st.dir, &a);
    if (ret < 0) {
        return cli_fail(ctx, st.dir, ret);
    }
    if (ctx->json) {
        cli_json_array(&ctx->js, NULL);
    }
    if ((a.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFDIR) {
        ret = show_entry(ctx, &st, st.dir, st.dir, a.id, a.mode);
    } else {
        ret = cli_list(ctx, FAM_LIB_OP_READDIR, NULL, st.dir,
                       FAM_LIB_ITEM_DIRENT, ls_items, &st);
    }
    if (ctx->json) {
        cli_json_end(&ctx->js);
    }
    if (ret < 0) {
        return cli_fail(ctx, st.dir, ret);
    }
    return st.status;
}

int cli_cmd_stat(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv)
{
    struct fam_lib_attr a;
    char buf[FAM_LIB_PATH_MAX], target[FAM_LIB_PATH_MAX] = "";
    char modestr[11], t[3][48];
    const char *path;
    bool is_link;
    int status, ret;

    status = cli_no_options(ctx, cmd, argc, argv, 1, 1);
    if (status != CLI_OPT_END) {
        return status;
    }
    status = cli_path_connect(ctx, argv[optind], buf, sizeof(buf), &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = cli_getattr(ctx, path, &a);
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    is_link = (a.mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFLNK;
    if (is_link) {
        ret = read_link(ctx, path, target, sizeof(target));
        if (ret < 0) {
            return cli_fail(ctx, path, ret);
        }
    }

    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "path", path);
        cli_json_attr(&ctx->js, &a);
        if (is_link) {
            cli_json_str(&ctx->js, "target", target);
        }
        cli_json_end(&ctx->js);
        return CLI_EXIT_OK;
    }
    cli_mode_string(a.mode, modestr);
    cli_time_string(a.atime_ns, t[0], sizeof(t[0]));
    cli_time_string(a.mtime_ns, t[1], sizeof(t[1]));
    cli_time_string(a.ctime_ns, t[2], sizeof(t[2]));
    fprintf(ctx->out,
            "path: %s\n"
            "id: %llu\n"
            "parent: %llu\n"
            "type: %s\n"
            "mode: %04o (%s)\n"
            "links: %u\n"
            "uid: %u\n"
            "gid: %u\n"
            "size: %llu\n"
            "books: %llu\n"
            "opens: %u\n"
            "atime: %s\n"
            "mtime: %s\n"
            "ctime: %s\n",
            path, (unsigned long long)a.id, (unsigned long long)a.parent,
            cli_type_name(a.mode), (unsigned)(a.mode & 07777), modestr,
            (unsigned)a.nlink, (unsigned)a.uid, (unsigned)a.gid,
            (unsigned long long)a.size, (unsigned long long)a.books,
            (unsigned)a.opens, t[0], t[1], t[2]);
    if (is_link) {
        fprintf(ctx->out, "target: %s\n", target);
    }
    return CLI_EXIT_OK;
}
