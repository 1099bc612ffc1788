/*
 * fam-lib: the Librarian's admin CLI (docs/librarian.md). Global options,
 * then a command and its own options; `fam-lib --help` lists the
 * commands, `fam-lib COMMAND --help` explains one.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#include "fame/fame-version.h"

#ifndef FAM_MODELS_DIR
#define FAM_MODELS_DIR "/usr/share/fame/models"
#endif

const CliCommand cli_commands[] = {
    { "format", "--pool FILE --model NAME --nodes N [OPTION]...",
      "create a pool file (if absent) and a new, empty database for it",
      "  --pool FILE        the pool file (or the global --pool)\n"
      "  --model NAME|PATH  fabric model, by name in --models-dir or a path\n"
      "  --nodes N          node count (1..64)\n"
      "  --size SIZE        pool size for a new pool file (default: 1G);\n"
      "                     an existing file keeps its size, and --size must\n"
      "                     then agree with it\n"
      "  --book-size SIZE   book size (default: the model's)\n"
      "  --db FILE          the database (default: FILE"
      FAM_LIB_DB_SUFFIX ")\n"
      "  --force            replace an existing database (every shelf in it\n"
      "                     is lost); the pool is zeroed\n",
      "An existing pool file is zeroed, so that no book of the new database\n"
      "starts with old data. No fam-librarian may be using the pool. The\n"
      "root directory belongs to the user who formats (mode 0755).\n",
      cli_cmd_format },
    { "ls", "[-l] [PATH]", "list a directory (default /)",
      "  -l   long listing: mode, links, owner, size, books, mtime, name\n", "",
      cli_cmd_ls },
    { "stat", "PATH", "show the attributes of a shelf or directory", "", "",
      cli_cmd_stat },
    { "books", "[--state S] [--module M] [PATH]",
      "list a shelf's books in order, or every book of the pool",
      "  --state S    only books in state S: free, inuse, zombie, offline\n"
      "  --module M   only books on media module M\n", "",
      cli_cmd_books },
    { "df", "", "show the pool's size and book counts by state", "", "",
      cli_cmd_df },
    { "opens", "", "list the open handles of every node", "", "",
      cli_cmd_opens },
    { "fsck", "[--repair]", "check the database's consistency (offline)",
      "  --repair   fix what is found, in one transaction; every open\n"
      "             handle is then taken to be stale, so run it only when\n"
      "             no node and no fam-librarian is using the pool. With\n"
      "             --pool, zombie books are zeroed; with --db alone they\n"
      "             cannot be and are reported as left.\n",
      "Exit status: 0 consistent (with --repair: consistent after the\n"
      "repair, checked again), 1 problems found (without --repair) or left\n"
      "after the repair, 2 bad command line or the check could not run.\n",
      cli_cmd_fsck },
    { "mkdir", "[--mode MODE] PATH", "make a directory",
      "  --mode MODE   octal permissions (default 0755)\n", "", cli_cmd_mkdir },
    { "create", "[--mode MODE] [--size SIZE] PATH", "create an empty shelf",
      "  --mode MODE   octal permissions (default 0644)\n"
      "  --size SIZE   then give it SIZE bytes (whole books)\n", "",
      cli_cmd_create },
    { "truncate", "PATH SIZE", "resize a shelf (books allocated or freed)",
      "", "", cli_cmd_truncate },
    { "rm", "PATH...", "destroy shelves or symlinks (books are zeroed)",
      "", "", cli_cmd_rm },
    { "rmdir", "PATH...", "remove empty directories", "", "", cli_cmd_rmdir },
    { "mv", "[-n|--exchange] FROM TO",
      "rename (replacing a file or empty directory)",
      "  -n, --no-clobber  fail (EEXIST) rather than replace TO\n"
      "  --exchange    swap FROM and TO, which must both exist\n", "",
      cli_cmd_mv },
    { "ln", "[-s] TARGET PATH",
      "give the shelf TARGET the further name PATH (a hard link)",
      "  -s, --symbolic   make PATH a symbolic link to TARGET instead\n",
      "A hard link is a second name of a file or symlink (never of a\n"
      "directory): the shelf goes when its last name does.\n", cli_cmd_ln },
    { "chmod", "MODE PATH", "change permissions (octal)", "", "",
      cli_cmd_chmod },
    { "chown", "UID[:GID] PATH", "change owner (numeric ids)", "", "",
      cli_cmd_chown },
    { "getxattr", "PATH NAME", "print an extended attribute's value", "", "",
      cli_cmd_getxattr },
    { "setxattr", "[--create|--replace] PATH NAME VALUE",
      "set an extended attribute",
      "  --create    fail if it exists\n"
      "  --replace   fail if it does not exist\n", "", cli_cmd_setxattr },
    { "rmxattr", "PATH NAME", "remove an extended attribute", "", "",
      cli_cmd_rmxattr },
    { "xattrs", "PATH", "list extended attributes with their values", "", "",
      cli_cmd_xattrs },
    { "policy", "[--default] PATH [POLICY]",
      "show or set a shelf's allocation policy",
      "  --default   show or set the default policy of new shelves\n"
      "              instead (user.LFS.AllocationPolicyDefault, the same\n"
      "              through any PATH; setting it is root's, and never\n"
      "              to RequestIG)\n",
      "POLICY is one of the Librarian's policies (RandomBooks, LocalNode,\n"
      "LocalEnc, NonLocal_Enc, Nearest, NearestRemote, NearestEnc,\n"
      "NearestRack, LZAascending, LZAdescending, RequestIG): it sets\n"
      "the shelf's user.LFS.AllocationPolicy. The locality policies need\n"
      "a node, so shelves growing from the host (fam-lib) under them fail.\n",
      cli_cmd_policy },
    { "zero", "", "zero every zombie book now and free it", "", "",
      cli_cmd_zero },
    { "module", "M online|offline",
      "take a media module offline or back online (root only)", "", "",
      cli_cmd_module },
    { "version", "", "the Librarian's protocol and schema version", "", "",
      cli_cmd_version },
    { NULL, NULL, NULL, NULL, NULL, NULL },
};

static void usage(FILE *out)
{
    fprintf(out,
"Usage: fam-lib [GLOBAL OPTION]... COMMAND [ARG]...\n"
"Administer the Librarian of a fabric-attached memory pool.\n"
"\n"
"Where the Librarian is (one of):\n"
"  --socket PATH      a running fam-librarian (online)\n"
"  --pool FILE        the pool file and its database FILE"
FAM_LIB_DB_SUFFIX "\n"
"                     (offline; zombie books can be zeroed)\n"
"  --db FILE          the database alone (offline; nothing is zeroed)\n"
"Other global options:\n"
"  --json             machine-readable output (one JSON value)\n"
"  --models-dir DIR   where `format` finds model names\n"
"                     (default: " FAM_MODELS_DIR ")\n"
"  --help             this help; COMMAND --help explains a command\n"
"  --version          print fam-lib's version\n"
"\n"
"Commands:\n");
    for (const CliCommand *c = cli_commands; c->name != NULL; c++) {
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    }
    fprintf(out,
"\n"
"fam-lib acts as the host (node \"host\") with your uid and gid; root may\n"
"do anything. Offline, it opens the database itself: SQLite's locking\n"
"keeps it consistent next to a running daemon, but prefer --socket then.\n"
"\n"
"Exit status: 0 success, 1 the operation failed (\"fam-lib: PATH: "
"reason\"),\n"
"2 bad command line. fsck: 0 consistent, 1 problems, 2 could not check.\n");
}

void cli_command_help(const CliCommand *cmd, FILE *out)
{
    fprintf(out, "Usage: fam-lib [GLOBAL OPTION]... %s %s\n%c%s.\n",
            cmd->name, cmd->synopsis, cmd->summary[0] - 'a' + 'A',
            cmd->summary + 1);
    fprintf(out, "\n%s", cmd->options);
    fprintf(out, "  --json   machine-readable output\n"
            "  --help   this help\n");
    if (cmd->notes[0] != '\0') {
        fprintf(out, "\n%s", cmd->notes);
    }
}

int cli_usage_error(CliContext *ctx, const CliCommand *cmd,
                    const char *fmt, ...)
{
    va_list ap;

    fprintf(ctx->err, "fam-lib%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
    va_start(ap, fmt);
    vfprintf(ctx->err, fmt, ap);
    va_end(ap);
    fprintf(ctx->err, "\nTry 'fam-lib %s%s--help'.\n",
            cmd ? cmd->name : "", cmd ? " " : "");
    return CLI_EXIT_USAGE;
}

int cli_getopt(CliContext *ctx, const CliCommand *cmd, int argc,
               char **argv, const char *shortopts,
               const struct option *longopts, int *status)
{
    char spec[32];
    int c;

    /* ':' first: tell a missing value from an unknown option. */
    snprintf(spec, sizeof(spec), ":%s", shortopts);
    for (;;) {
        c = getopt_long(argc, argv, spec, longopts, NULL);
        switch (c) {
        case CLI_OPT_JSON:
            ctx->json = true;
            continue;
        case CLI_OPT_HELP:
            cli_command_help(cmd, ctx->out);
            *status = CLI_EXIT_OK;
            return CLI_OPT_EXIT;
        case ':':
            *status = cli_usage_error(ctx, cmd, "%s: needs a value",
                                      argv[optind - 1]);
            return CLI_OPT_EXIT;
        case '?':
            *status = cli_usage_error(ctx, cmd, "%s: unknown option",
                                      argv[optind - 1]);
            return CLI_OPT_EXIT;
        default:
            return c;
        }
    }
}

int cli_getopt_none(CliContext *ctx, const CliCommand *cmd, int argc,
                    char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    int status = CLI_EXIT_USAGE;

    if (cli_getopt(ctx, cmd, argc, argv, "", longopts, &status) ==
        CLI_OPT_END) {
        return CLI_OPT_END;
    }
    return status;
}

int cli_operands(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv, int min, int max)
{
    int n = argc - optind;

    if (n < min) {
        return cli_usage_error(ctx, cmd, "missing operand");
    }
    if (max >= 0 && n > max) {
        return cli_usage_error(ctx, cmd, "%s: unexpected operand",
                               argv[optind + max]);
    }
    return CLI_EXIT_OK;
}

enum {
    GOPT_DB = 256, GOPT_POOL, GOPT_SOCKET, GOPT_JSON, GOPT_MODELS_DIR,
    GOPT_HELP, GOPT_VERSION,
};

static const struct option global_options[] = {
    { "db",         required_argument, NULL, GOPT_DB },
    { "pool",       required_argument, NULL, GOPT_POOL },
    { "socket",     required_argument, NULL, GOPT_SOCKET },
    { "json",       no_argument,       NULL, GOPT_JSON },
    { "models-dir", required_argument, NULL, GOPT_MODELS_DIR },
    { "help",       no_argument,       NULL, GOPT_HELP },
    { "version",    no_argument,       NULL, GOPT_VERSION },
    { NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
    CliContext ctx = {
        .models_dir = FAM_MODELS_DIR,
        .out = stdout,
        .err = stderr,
    };
    const CliCommand *cmd;
    int c, status;

    opterr = 0;
    /* '+': stop at the command; its options are its own. */
    while ((c = getopt_long(argc, argv, "+:", global_options, NULL)) != -1) {
        switch (c) {
        case GOPT_DB:
            ctx.db_path = optarg;
            break;
        case GOPT_POOL:
            ctx.pool_path = optarg;
            break;
        case GOPT_SOCKET:
            ctx.socket_path = optarg;
            break;
        case GOPT_JSON:
            ctx.json = true;
            break;
        case GOPT_MODELS_DIR:
            ctx.models_dir = optarg;
            break;
        case GOPT_HELP:
            usage(stdout);
            return CLI_EXIT_OK;
        case GOPT_VERSION:
            printf("fam-lib (FAME) %s, protocol %u, schema %u\n",
                   FAME_VERSION, FAM_LIB_VERSION, FAM_LIB_SCHEMA_VERSION);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error(&ctx, NULL, "%s: needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error(&ctx, NULL, "%s: unknown option",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        return cli_usage_error(&ctx, NULL, "no command given");
    }
    if (ctx.socket_path != NULL &&
        (ctx.db_path != NULL || ctx.pool_path != NULL)) {
        return cli_usage_error(&ctx, NULL, "--socket is online, --pool and "
                               "--db offline: give one or the other");
    }
    for (cmd = cli_commands; cmd->name != NULL; cmd++) {
        if (strcmp(cmd->name, argv[optind]) == 0) {
            break;
        }
    }
    if (cmd->name == NULL) {
        return cli_usage_error(&ctx, NULL, "%s: no such command",
                               argv[optind]);
    }

    argc -= optind;
    argv += optind;
    optind = 0;     /* glibc: start over on the command's argv */
    cli_json_init(&ctx.js, stdout);
    status = cmd->run(&ctx, cmd, argc, argv);
    cli_disconnect(&ctx);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "fam-lib: standard output: write error\n");
        return status == CLI_EXIT_OK ? CLI_EXIT_FAILED : status;
    }
    return status;
}
