/*
 * The opening most fam-lib commands share: no options of their own, a
 * count of operands, a path operand made absolute, then the connection.
 * Written once so that every command reports a bad command line the same
 * way, and before it touches the Librarian.
 */
#include "cli.h"

int cli_no_options(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv, int min, int max)
{
    int status = cli_getopt_none(ctx, cmd, argc, argv);

    if (status != CLI_OPT_END) {
        return status;
    }
    status = cli_operands(ctx, cmd, argc, argv, min, max);
    return status != CLI_EXIT_OK ? status : CLI_OPT_END;
}

int cli_start(CliContext *ctx, const CliCommand *cmd, int argc, char **argv,
              int min, int max)
{
    int status = cli_no_options(ctx, cmd, argc, argv, min, max);

    if (status != CLI_OPT_END) {
        return status;
    }
    status = cli_connect(ctx);
    return status != CLI_EXIT_OK ? status : CLI_OPT_END;
}

int cli_path_connect(CliContext *ctx, const char *arg, char *buf, size_t cap,
                     const char **path)
{
    *path = cli_path(ctx, arg, buf, cap);
    if (*path == NULL) {
        return CLI_EXIT_FAILED;
    }
    return cli_connect(ctx);
}

int cli_list_json(CliContext *ctx, uint16_t op,
                  const struct fam_lib_args *args, const char *path,
                  uint32_t item, CliListFn item_fn, void *opaque)
{
    int ret;

    if (ctx->json) {
        cli_json_array(&ctx->js, NULL);
    }
    ret = cli_list(ctx, op, args, path, item, item_fn, opaque);
    if (ctx->json) {
        cli_json_end(&ctx->js);
    }
    return ret;
}
