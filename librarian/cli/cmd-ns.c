/*
 * fam-lib's namespace changes: mkdir, create, truncate, rm, rmdir, mv,
 * ln and ln -s, chmod, chown. Each is one protocol request (create --size is
 * two), as the host with the caller's uid and gid.
 */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "lib-size.h"

static bool parse_mode(const char *s, uint32_t *mode)
{
    uint32_t v = 0;

    if (*s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '7' || v > 07777 / 8) {
            return false;
        }
        v = v * 8 + (uint32_t)(*s - '0');
    }
    if (v > 07777) {
        return false;
    }
    *mode = v;
    return true;
}

/* No options, `extra` operands then a path (made absolute in buf).
 * Returns CLI_OPT_END to go on, else an exit status. */
static int one_path(CliContext *ctx, const CliCommand *cmd, int argc,
                    char **argv, int extra, char *buf, size_t cap,
                    const char **path)
{
    int status = cli_no_options(ctx, cmd, argc, argv, 1 + extra,
                                1 + extra);

    if (status != CLI_OPT_END) {
        return status;
    }
    *path = cli_path(ctx, argv[optind + extra], buf, cap);
    return *path != NULL ? CLI_OPT_END : CLI_EXIT_FAILED;
}

/* The attributes a reply carries, as JSON or one "path: id N" line. */
static int print_attr_reply(CliContext *ctx, const char *path,
                            const CliReply *reply)
{
    struct fam_lib_attr a;

    memcpy(&a, reply->body, sizeof(a));
    fam_lib_wire_attr(&a);
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "path", path);
        cli_json_attr(&ctx->js, &a);
        cli_json_end(&ctx->js);
    }
    return CLI_EXIT_OK;
}

/* Connect, then one request that answers with nothing to print; its
 * failure is reported against path. Returns an exit status. */
static int connect_and_request(CliContext *ctx, uint16_t op,
                               const struct fam_lib_args *args,
                               const char *path, const char *str2)
{
    CliReply reply;
    int status = cli_connect(ctx);
    int ret;

    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = cli_request(ctx, op, args, path, str2, NULL, 0, &reply);
    return ret < 0 ? cli_fail(ctx, path, ret) : CLI_EXIT_OK;
}

static int make(CliContext *ctx, const CliCommand *cmd, int argc,
                char **argv, uint16_t op, uint32_t default_mode)
{
    static const struct option longopts[] = {
        { "mode", required_argument, NULL, 'm' },
        { "size", required_argument, NULL, 's' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct fam_lib_args args = { .mode = default_mode };
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path;
    uint64_t size = 0;
    bool sized = false;
    int c, status, ret;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "m:", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 'm':
            if (!parse_mode(optarg, &args.mode)) {
                return cli_usage_error(ctx, cmd, "--mode %s: an octal mode "
                                       "such as 0644", optarg);
            }
            break;
        case 's':
            if (op != FAM_LIB_OP_CREATE ||
                !fam_lib_parse_size(optarg, &size)) {
                return cli_usage_error(ctx, cmd, "--size %s: %s", optarg,
                                       op != FAM_LIB_OP_CREATE
                                       ? "only for create"
                                       : "a size such as 16M");
            }
            sized = true;
            break;
        default:
            return status;
        }
    }
    status = cli_operands(ctx, cmd, argc, argv, 1, 1);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    status = cli_path_connect(ctx, argv[optind], buf, sizeof(buf), &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = cli_request(ctx, op, &args, path, NULL, NULL, 0, &reply);
    if (ret == 0 && sized) {
        struct fam_lib_args rargs = { .size = size };

        ret = cli_request(ctx, FAM_LIB_OP_RESIZE, &rargs, path, NULL, NULL,
                          0, &reply);
    }
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    return print_attr_reply(ctx, path, &reply);
}

int cli_cmd_mkdir(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    return make(ctx, cmd, argc, argv, FAM_LIB_OP_MKDIR, 0755);
}

int cli_cmd_create(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    return make(ctx, cmd, argc, argv, FAM_LIB_OP_CREATE, 0644);
}

int cli_cmd_truncate(CliContext *ctx, const CliCommand *cmd, int argc,
                     char **argv)
{
    struct fam_lib_args args = { 0 };
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path;
    uint64_t size;
    int status, ret;

    status = cli_no_options(ctx, cmd, argc, argv, 2, 2);
    if (status != CLI_OPT_END) {
        return status;
    }
    if (!fam_lib_parse_size(argv[optind + 1], &size)) {
        return cli_usage_error(ctx, cmd, "%s: a size such as 16M",
                               argv[optind + 1]);
    }
    args.size = size;
    status = cli_path_connect(ctx, argv[optind], buf, sizeof(buf), &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = cli_request(ctx, FAM_LIB_OP_RESIZE, &args, path, NULL, NULL, 0,
                      &reply);
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    return print_attr_reply(ctx, path, &reply);
}

/* rm and rmdir: every operand, going on after a failure as rm(1) does. */
static int remove_each(CliContext *ctx, const CliCommand *cmd, int argc,
                       char **argv, uint16_t op)
{
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    int status, ret;

    status = cli_start(ctx, cmd, argc, argv, 1, -1);
    if (status != CLI_OPT_END) {
        return status;
    }
    status = CLI_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        const char *path = cli_path(ctx, argv[i], buf, sizeof(buf));

        if (path == NULL) {
            status = CLI_EXIT_FAILED;
            continue;
        }
        ret = cli_request(ctx, op, NULL, path, NULL, NULL, 0, &reply);
        if (ret < 0) {
            status = cli_fail(ctx, path, ret);
        }
    }
    return status;
}

int cli_cmd_rm(CliContext *ctx, const CliCommand *cmd, int argc, char **argv)
{
    return remove_each(ctx, cmd, argc, argv, FAM_LIB_OP_UNLINK);
}

int cli_cmd_rmdir(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    return remove_each(ctx, cmd, argc, argv, FAM_LIB_OP_RMDIR);
}

int cli_cmd_mv(CliContext *ctx, const CliCommand *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "no-clobber", no_argument, NULL, 'n' },
        { "exchange", no_argument, NULL, 'x' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    char from_buf[FAM_LIB_PATH_MAX], to_buf[FAM_LIB_PATH_MAX];
    struct fam_lib_args args = { 0 };
    const char *from, *to;
    int c, status;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "n", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 'n':
            args.flags |= FAM_LIB_RENAME_NOREPLACE;
            break;
        case 'x':
            args.flags |= FAM_LIB_RENAME_EXCHANGE;
            break;
        default:
            return status;
        }
    }
    if (args.flags == (FAM_LIB_RENAME_NOREPLACE | FAM_LIB_RENAME_EXCHANGE)) {
        return cli_usage_error(ctx, cmd, "--no-clobber and --exchange "
                               "exclude each other");
    }
    status = cli_operands(ctx, cmd, argc, argv, 2, 2);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    from = cli_path(ctx, argv[optind], from_buf, sizeof(from_buf));
    to = cli_path(ctx, argv[optind + 1], to_buf, sizeof(to_buf));
    if (from == NULL || to == NULL) {
        return CLI_EXIT_FAILED;
    }
    return connect_and_request(ctx, FAM_LIB_OP_RENAME, &args, from, to);
}

/* ln TARGET PATH: a hard link PATH to TARGET; ln -s: a symlink. */
int cli_cmd_ln(CliContext *ctx, const CliCommand *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "symbolic", no_argument, NULL, 's' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX], target_buf[FAM_LIB_PATH_MAX];
    const char *path, *target;
    bool symbolic = false;
    int c, status, ret;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "s", longopts, &status))
           != CLI_OPT_END) {
        if (c == CLI_OPT_EXIT) {
            return status;
        }
        symbolic = true;
    }
    status = cli_operands(ctx, cmd, argc, argv, 2, 2);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    /* A symlink's target is kept as written; a hard link's is a shelf */
    target = symbolic ? argv[optind]
                      : cli_path(ctx, argv[optind], target_buf,
                                 sizeof(target_buf));
    if (target == NULL) {
        return CLI_EXIT_FAILED;
    }
    status = cli_path_connect(ctx, argv[optind + 1], buf, sizeof(buf),
                              &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    ret = symbolic ? cli_request(ctx, FAM_LIB_OP_SYMLINK, NULL, path, target,
                                 NULL, 0, &reply)
                   : cli_request(ctx, FAM_LIB_OP_LINK, NULL, target, path,
                                 NULL, 0, &reply);
    if (ret < 0 && !symbolic) {
        /* Either name may be the one at fault: both, as ln(1) says them */
        char both[2 * FAM_LIB_PATH_MAX + 8];

        snprintf(both, sizeof(both), "%s => %s", path, target);
        return cli_fail(ctx, both, ret);
    }
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    return print_attr_reply(ctx, path, &reply);
}

int cli_cmd_chmod(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    struct fam_lib_args args = { 0 };
    char buf[FAM_LIB_PATH_MAX];
    const char *path = NULL;
    int status;

    status = one_path(ctx, cmd, argc, argv, 1, buf, sizeof(buf), &path);
    if (status != CLI_OPT_END) {
        return status;
    }
    if (!parse_mode(argv[optind], &args.mode)) {
        return cli_usage_error(ctx, cmd, "%s: an octal mode such as 0644",
                               argv[optind]);
    }
    return connect_and_request(ctx, FAM_LIB_OP_CHMOD, &args, path, NULL);
}

int cli_cmd_chown(CliContext *ctx, const CliCommand *cmd, int argc,
                  char **argv)
{
    struct fam_lib_args args = { .gid = FAM_LIB_ID_KEEP };
    char buf[FAM_LIB_PATH_MAX], ids[32];
    const char *path = NULL;
    char *colon;
    int status;

    status = one_path(ctx, cmd, argc, argv, 1, buf, sizeof(buf), &path);
    if (status != CLI_OPT_END) {
        return status;
    }
    snprintf(ids, sizeof(ids), "%s", argv[optind]);
    colon = strchr(ids, ':');
    if (colon != NULL) {
        *colon = '\0';
    }
    if (!fam_lib_parse_u32(ids, FAM_LIB_ID_KEEP - 1, &args.uid) ||
        (colon != NULL &&
         !fam_lib_parse_u32(colon + 1, FAM_LIB_ID_KEEP - 1, &args.gid))) {
        return cli_usage_error(ctx, cmd, "%s: numeric UID or UID:GID",
                               argv[optind]);
    }
    return connect_and_request(ctx, FAM_LIB_OP_CHOWN, &args, path, NULL);
}
