/*
 * fam-lib's extended attributes, and `policy`, the shorthand for the
 * user.LFS.AllocationPolicy attributes that steer where books come from.
 */
#include "cli.h"

#include <errno.h>
#include <string.h>

#define XATTR_POLICY            "user.LFS.AllocationPolicy"
#define XATTR_POLICY_DEFAULT    "user.LFS.AllocationPolicyDefault"

/* Values are bytes: shown as text when they are printable, else in hex
 * (user.LFS.Interleave is one interleave-group byte per book). */
static bool printable(const unsigned char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (v[i] < 0x20 || v[i] == 0x7f) {
            return false;
        }
    }
    return true;
}

static void hex(FILE *out, const unsigned char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        fprintf(out, "%02x", v[i]);
    }
}

static void json_value(CliContext *ctx, const unsigned char *v, size_t len)
{
    char hexbuf[2 * FAM_LIB_XATTR_VALUE_MAX + 1];

    for (size_t i = 0; i < len && i < FAM_LIB_XATTR_VALUE_MAX; i++) {
        snprintf(hexbuf + 2 * i, 3, "%02x", v[i]);
    }
    hexbuf[2 * (len < FAM_LIB_XATTR_VALUE_MAX ? len
                                              : FAM_LIB_XATTR_VALUE_MAX)] = 0;
    if (printable(v, len)) {
        cli_json_bytes(&ctx->js, "value", v, len);
    } else {
        cli_json_null(&ctx->js, "value");
    }
    cli_json_str(&ctx->js, "hex", hexbuf);
}

/* "NAME=VALUE" or, with name NULL, the value alone. */
static void text_value(CliContext *ctx, const char *name,
                       const unsigned char *v, size_t len)
{
    if (name != NULL) {
        fprintf(ctx->out, "%s=", name);
    }
    if (printable(v, len)) {
        if (len > 0) {
            fwrite(v, 1, len, ctx->out);
        }
    } else {
        fputs("0x", ctx->out);
        hex(ctx->out, v, len);
    }
    fputc('\n', ctx->out);
}

static int get_value(CliContext *ctx, const char *path, const char *name,
                     CliReply *reply)
{
    return cli_request(ctx, FAM_LIB_OP_GETXATTR, NULL, path, name, NULL, 0,
                       reply);
}

/* The common shape: options, N operands with the first a path, connect. */
static int setup(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv, int min, int max, char *buf, size_t cap,
                 const char **path)
{
    int status = cli_operands(ctx, cmd, argc, argv, min, max);

    if (status != CLI_EXIT_OK) {
        return status;
    }
    return cli_path_connect(ctx, argv[optind], buf, cap, path);
}

/* setup() for a command with no options of its own, exactly n operands.
 * CLI_OPT_END to go on, as --help exits with CLI_EXIT_OK. */
static int setup_no_options(CliContext *ctx, const CliCommand *cmd,
                            int argc, char **argv, int n, char *buf,
                            size_t cap, const char **path)
{
    int status = cli_getopt_none(ctx, cmd, argc, argv);

    if (status != CLI_OPT_END) {
        return status;
    }
    status = setup(ctx, cmd, argc, argv, n, n, buf, cap, path);
    return status != CLI_EXIT_OK ? status : CLI_OPT_END;
}

/* One value as a JSON object with its name, or as text: "NAME=VALUE"
 * when listing several (text_name), the value alone when asked for one. */
static void print_value(CliContext *ctx, const char *name, bool text_name,
                        const CliReply *reply)
{
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "name", name);
        json_value(ctx, reply->body, reply->body_len);
        cli_json_end(&ctx->js);
    } else {
        text_value(ctx, text_name ? name : NULL, reply->body,
                   reply->body_len);
    }
}

int cli_cmd_getxattr(CliContext *ctx, const CliCommand *cmd, int argc,
                     char **argv)
{
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path, *name;
    int status, ret;

    status = setup_no_options(ctx, cmd, argc, argv, 2, buf, sizeof(buf),
                              &path);
    if (status != CLI_OPT_END) {
        return status;
    }
    name = argv[optind + 1];
    ret = get_value(ctx, path, name, &reply);
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    print_value(ctx, name, false, &reply);
    return CLI_EXIT_OK;
}

int cli_cmd_setxattr(CliContext *ctx, const CliCommand *cmd, int argc,
                     char **argv)
{
    static const struct option longopts[] = {
        { "create", no_argument, NULL, 'c' },
        { "replace", no_argument, NULL, 'r' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    struct fam_lib_args args = { 0 };
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path, *value;
    int c, status, ret;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        switch (c) {
        case 'c':
            args.flags |= FAM_LIB_XATTR_CREATE;
            break;
        case 'r':
            args.flags |= FAM_LIB_XATTR_REPLACE;
            break;
        default:
            return status;
        }
    }
    status = setup(ctx, cmd, argc, argv, 3, 3, buf, sizeof(buf), &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    value = argv[optind + 2];
    ret = cli_request(ctx, FAM_LIB_OP_SETXATTR, &args, path,
                      argv[optind + 1], value, strlen(value), &reply);
    return ret < 0 ? cli_fail(ctx, path, ret) : CLI_EXIT_OK;
}

int cli_cmd_rmxattr(CliContext *ctx, const CliCommand *cmd, int argc,
                    char **argv)
{
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path;
    int status, ret;

    status = setup_no_options(ctx, cmd, argc, argv, 2, buf, sizeof(buf),
                              &path);
    if (status != CLI_OPT_END) {
        return status;
    }
    ret = cli_request(ctx, FAM_LIB_OP_REMOVEXATTR, NULL, path,
                      argv[optind + 1], NULL, 0, &reply);
    return ret < 0 ? cli_fail(ctx, path, ret) : CLI_EXIT_OK;
}

typedef struct XattrsState {
    const char *path;
    int status;
} XattrsState;

static int xattr_items(CliContext *ctx, FamLibListIter *it, void *opaque)
{
    XattrsState *st = opaque;
    CliReply reply;
    const char *name;
    int ret;

    while ((ret = fam_lib_list_next_name(it, &name)) > 0) {
        int got = get_value(ctx, st->path, name, &reply);

        if (got < 0) {
            /* Removed since the listing, or not readable by us. */
            cli_fail(ctx, name, got);
            st->status = CLI_EXIT_FAILED;
            continue;
        }
        print_value(ctx, name, true, &reply);
    }
    return ret;
}

int cli_cmd_xattrs(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    XattrsState st = { .status = CLI_EXIT_OK };
    char buf[FAM_LIB_PATH_MAX];
    int status, ret;

    status = setup_no_options(ctx, cmd, argc, argv, 1, buf, sizeof(buf),
                              &st.path);
    if (status != CLI_OPT_END) {
        return status;
    }
    ret = cli_list_json(ctx, FAM_LIB_OP_LISTXATTR, NULL, st.path,
                        FAM_LIB_ITEM_NAME, xattr_items, &st);
    return ret < 0 ? cli_fail(ctx, st.path, ret) : st.status;
}

int cli_cmd_policy(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv)
{
    static const struct option longopts[] = {
        { "default", no_argument, NULL, 'd' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    const char *attr = XATTR_POLICY;
    CliReply reply;
    char buf[FAM_LIB_PATH_MAX];
    const char *path;
    int c, status, ret;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        if (c != 'd') {
            return status;
        }
        attr = XATTR_POLICY_DEFAULT;
    }
    status = cli_operands(ctx, cmd, argc, argv, 1, 2);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (optind + 1 < argc && fam_policy_parse(argv[optind + 1]) < 0) {
        return cli_usage_error(ctx, cmd, "%s: no such policy (see fam-lib "
                               "policy --help)", argv[optind + 1]);
    }
    status = setup(ctx, cmd, argc, argv, 1, 2, buf, sizeof(buf), &path);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (optind + 1 < argc) {
        const char *policy = argv[optind + 1];

        ret = cli_request(ctx, FAM_LIB_OP_SETXATTR, NULL, path, attr, policy,
                          strlen(policy), &reply);
        return ret < 0 ? cli_fail(ctx, path, ret) : CLI_EXIT_OK;
    }
    ret = get_value(ctx, path, attr, &reply);
    if (ret < 0) {
        return cli_fail(ctx, path, ret);
    }
    /* A policy is a name; a stored NUL is not part of it. */
    while (reply.body_len > 0 &&
           ((const char *)reply.body)[reply.body_len - 1] == '\0') {
        reply.body_len--;
    }
    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "path", path);
        cli_json_bytes(&ctx->js, "policy", reply.body, reply.body_len);
        cli_json_end(&ctx->js);
    } else {
        if (reply.body_len > 0) {
            fwrite(reply.body, 1, reply.body_len, ctx->out);
        }
        fputc('\n', ctx->out);
    }
    return CLI_EXIT_OK;
}
