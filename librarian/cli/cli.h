/*
 * fam-lib, the Librarian's admin CLI: what its commands share.
 *
 * Every command that reads or changes the namespace speaks the protocol
 * (fam-librarian-proto.h), whether to a daemon (--socket) or to a
 * Librarian opened in this process on the database (--db, --pool): one
 * code path for both, so that offline and online answers cannot differ.
 * Only format and fsck, which have no protocol opcode, use the core
 * directly and need offline mode.
 */
#ifndef FAME_CLI_H
#define FAME_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli-json.h"
#include "lib-client-msg.h"
#include "lib-client.h"
#include "lib-store.h"

/* Exit statuses (fsck refines 1, see cmd-fsck.c). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,        /* the operation failed */
    CLI_EXIT_USAGE = 2,         /* bad command line */
};

typedef struct CliContext {
    /* global options */
    const char *db_path;
    const char *pool_path;
    const char *socket_path;
    const char *models_dir;
    bool json;
    FILE *out;
    FILE *err;

    /* the connection, opened by cli_connect() */
    FamLibClient *client;       /* online */
    FamLibStore store;          /* offline */
    bool offline;
    uint32_t seq;
    uint32_t uid, gid, pid;     /* who we are; node is always the host */

    CliJson js;
} CliContext;

typedef struct CliCommand {
    const char *name;
    const char *synopsis;       /* after "fam-lib [GLOBAL] NAME " */
    const char *summary;        /* one line */
    const char *options;        /* its own options, or "" */
    const char *notes;          /* after all options, or "" */
    int (*run)(CliContext *ctx, const struct CliCommand *cmd,
               int argc, char **argv);
} CliCommand;

/* The command table (fam-lib.c). */
extern const CliCommand cli_commands[];

/* --- options of a command ------------------------------------------------ */

/* Every command also takes --json and --help. */
#define CLI_OPT_JSON    1000
#define CLI_OPT_HELP    1001
#define CLI_COMMON_OPTIONS \
    { "json", no_argument, NULL, CLI_OPT_JSON }, \
    { "help", no_argument, NULL, CLI_OPT_HELP }

/* What cli_getopt() returns besides an option. */
#define CLI_OPT_END     (-1)    /* no more options: operands at optind */
#define CLI_OPT_EXIT    (-2)    /* help printed or usage error: *status */

/*
 * getopt_long over a command's argv (argv[0] is the command's name),
 * taking --json and --help itself and reporting unknown options and
 * missing values as usage errors.
 */
int cli_getopt(CliContext *ctx, const CliCommand *cmd, int argc,
               char **argv, const char *shortopts,
               const struct option *longopts, int *status);

/* The same for a command with no options of its own: CLI_OPT_END to go
 * on (operands at optind), else an exit status. */
int cli_getopt_none(CliContext *ctx, const CliCommand *cmd, int argc,
                    char **argv);

/* Print "fam-lib NAME: MESSAGE" and the --help hint; CLI_EXIT_USAGE. */
int cli_usage_error(CliContext *ctx, const CliCommand *cmd,
                    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The command's --help text. */
void cli_command_help(const CliCommand *cmd, FILE *out);

/* Check the operand count after the options: min..max (max -1: any). */
int cli_operands(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv, int min, int max);

/* --- a command's opening (cli-args.c) ----------------------------------- */

/*
 * No options of its own (only --json and --help), then min..max operands.
 * CLI_OPT_END to go on (operands at optind), else the exit status to
 * return: CLI_EXIT_OK after --help, so "go on" cannot be CLI_EXIT_OK.
 */
int cli_no_options(CliContext *ctx, const CliCommand *cmd, int argc,
                   char **argv, int min, int max);

/* The same, then cli_connect(): CLI_OPT_END once connected. */
int cli_start(CliContext *ctx, const CliCommand *cmd, int argc, char **argv,
              int min, int max);

/* The path operand `arg` made absolute in buf (see cli_path()), then
 * cli_connect(); for after the options and operands are checked, so
 * CLI_EXIT_OK once connected, else an exit status. */
int cli_path_connect(CliContext *ctx, const char *arg, char *buf, size_t cap,
                     const char **path);

/* --- the connection ------------------------------------------------------ */

/* Open it as the global options say. Prints the error; returns an exit
 * status (CLI_EXIT_OK if connected). */
int cli_connect(CliContext *ctx);
void cli_disconnect(CliContext *ctx);

typedef struct CliReply {
    unsigned char buf[FAM_LIB_MSG_MAX];
    const void *body;
    size_t body_len;
} CliReply;

/*
 * One request: build it (as the host, with our uid/gid/pid), send it,
 * check the reply. Returns 0 with reply->body set, or a negative errno
 * (the Librarian's, or the transport's).
 */
int cli_request(CliContext *ctx, uint16_t op, const struct fam_lib_args *args,
                const char *str1, const char *str2, const void *blob,
                size_t blob_len, CliReply *reply);

/*
 * Walk a whole list: request after request from cursor 0 until done,
 * calling item_fn for each reply's body. `args` gives the request's other
 * fields; its size (the cursor) is set here. item_fn returns 0 or a
 * negative errno, which stops the walk.
 */
typedef int (*CliListFn)(CliContext *ctx, FamLibListIter *it, void *opaque);
int cli_list(CliContext *ctx, uint16_t op, const struct fam_lib_args *args,
             const char *path, uint32_t item, CliListFn item_fn,
             void *opaque);

/* cli_list() inside a JSON array when --json; a text header is the
 * caller's, printed before. */
int cli_list_json(CliContext *ctx, uint16_t op,
                  const struct fam_lib_args *args, const char *path,
                  uint32_t item, CliListFn item_fn, void *opaque);

/* GETATTR, in host order. */
int cli_getattr(CliContext *ctx, const char *path, struct fam_lib_attr *attr);

/* "fam-lib: WHAT: strerror" and CLI_EXIT_FAILED. */
int cli_fail(CliContext *ctx, const char *what, int neg_errno);

/* A path as given, made absolute ("a/b" is "/a/b"), in buf. NULL (with a
 * message) if too long. */
const char *cli_path(CliContext *ctx, const char *in, char *buf, size_t cap);

/* --- text output --------------------------------------------------------- */

/* "drwxr-xr-x" of a mode (11 bytes with the NUL). */
void cli_mode_string(uint32_t mode, char out[11]);
/* "directory", "file", "symlink" or "other". */
const char *cli_type_name(uint32_t mode);
/* "free", "inuse", "zombie", "offline" or "?"; and back (-1 if unknown). */
const char *cli_book_state_name(uint32_t state);
int cli_book_state_parse(const char *name);
/* An ISO 8601 UTC time with nanoseconds. */
void cli_time_string(int64_t ns, char *buf, size_t cap);
/* "host" or the node number. */
void cli_node_string(uint32_t node, char *buf, size_t cap);

/* The attributes of a shelf as JSON members of the current object. */
void cli_json_attr(CliJson *j, const struct fam_lib_attr *a);

/* --- commands (cmd-*.c) -------------------------------------------------- */
int cli_cmd_ls(CliContext *, const CliCommand *, int, char **);
int cli_cmd_stat(CliContext *, const CliCommand *, int, char **);
int cli_cmd_mkdir(CliContext *, const CliCommand *, int, char **);
int cli_cmd_create(CliContext *, const CliCommand *, int, char **);
int cli_cmd_rm(CliContext *, const CliCommand *, int, char **);
int cli_cmd_rmdir(CliContext *, const CliCommand *, int, char **);
int cli_cmd_truncate(CliContext *, const CliCommand *, int, char **);
int cli_cmd_mv(CliContext *, const CliCommand *, int, char **);
int cli_cmd_ln(CliContext *, const CliCommand *, int, char **);
int cli_cmd_chmod(CliContext *, const CliCommand *, int, char **);
int cli_cmd_chown(CliContext *, const CliCommand *, int, char **);
int cli_cmd_books(CliContext *, const CliCommand *, int, char **);
int cli_cmd_df(CliContext *, const CliCommand *, int, char **);
int cli_cmd_opens(CliContext *, const CliCommand *, int, char **);
int cli_cmd_zero(CliContext *, const CliCommand *, int, char **);
int cli_cmd_module(CliContext *, const CliCommand *, int, char **);
int cli_cmd_version(CliContext *, const CliCommand *, int, char **);
int cli_cmd_getxattr(CliContext *, const CliCommand *, int, char **);
int cli_cmd_setxattr(CliContext *, const CliCommand *, int, char **);
int cli_cmd_rmxattr(CliContext *, const CliCommand *, int, char **);
int cli_cmd_xattrs(CliContext *, const CliCommand *, int, char **);
int cli_cmd_policy(CliContext *, const CliCommand *, int, char **);
int cli_cmd_format(CliContext *, const CliCommand *, int, char **);
int cli_cmd_fsck(CliContext *, const CliCommand *, int, char **);

#endif /* FAME_CLI_H */
