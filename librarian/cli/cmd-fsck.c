/*
 * fam-lib fsck: the core's consistency check, offline (there is no
 * protocol opcode for it: a repair must not race with nodes).
 *
 * Exit status, as e2fsck-style tools do it: 0 consistent, 1 problems
 * (found without --repair, or still there after it), 2 could not check.
 * After a repair the database is checked again, so 0 after --repair means
 * "it is consistent now", not "the repair said it did something".
 */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

enum {
    FSCK_EXIT_CLEAN = 0,
    FSCK_EXIT_PROBLEMS = 1,
    FSCK_EXIT_ERROR = 2,
};

typedef struct FsckField {
    const char *name;
    size_t offset;
} FsckField;

#define FIELD(f) { #f, offsetof(FamLibFsckReport, f) }
static const FsckField fsck_fields[] = {
    FIELD(leaked_books),
    FIELD(double_books),
    FIELD(bad_free_books),
    FIELD(zombie_books),
    FIELD(stale_opens),
    FIELD(orphan_xattrs),
    FIELD(orphan_shelves),
    FIELD(bad_links),
    FIELD(bad_sizes),
    FIELD(unfinished_deletes),
};
#undef FIELD

static uint64_t field(const FamLibFsckReport *r, const FsckField *f)
{
    uint64_t v;

    memcpy(&v, (const char *)r + f->offset, sizeof(v));
    return v;
}

static void json_report(CliJson *j, const char *key,
                        const FamLibFsckReport *r)
{
    cli_json_object(j, key);
    for (size_t i = 0; i < sizeof(fsck_fields) / sizeof(fsck_fields[0]);
         i++) {
        cli_json_u64(j, fsck_fields[i].name, field(r, &fsck_fields[i]));
    }
    cli_json_end(j);
}

static void text_report(FILE *out, const char *title,
                        const FamLibFsckReport *r)
{
    fprintf(out, "%s:\n", title);
    for (size_t i = 0; i < sizeof(fsck_fields) / sizeof(fsck_fields[0]);
         i++) {
        fprintf(out, "  %-18s %" PRIu64 "\n", fsck_fields[i].name,
                field(r, &fsck_fields[i]));
    }
}

/* What a check, and with --repair the check after the repair, found. */
typedef struct FsckResult {
    bool repair;
    int problems;               /* found by the (first) check */
    int remaining;              /* left after the repair */
    FamLibFsckReport found, left;
} FsckResult;

/* Check, repair if asked, check again; false after printing an error. */
static bool run_fsck(CliContext *ctx, FsckResult *r)
{
    r->problems = fam_lib_fsck(ctx->store.lib, r->repair, &r->found);
    if (r->problems < 0) {
        cli_fail(ctx, ctx->store.db_path, r->problems);
        return false;
    }
    if (r->repair && r->problems > 0) {
        r->remaining = fam_lib_fsck(ctx->store.lib, false, &r->left);
        if (r->remaining < 0) {
            cli_fail(ctx, ctx->store.db_path, r->remaining);
            return false;
        }
    }
    return true;
}

static void print_fsck_result(CliContext *ctx, const FsckResult *r)
{
    const char *db = ctx->store.db_path;

    if (ctx->json) {
        cli_json_object(&ctx->js, NULL);
        cli_json_str(&ctx->js, "db", db);
        cli_json_u64(&ctx->js, "problems", (uint64_t)r->problems);
        cli_json_bool(&ctx->js, "repair", r->repair);
        json_report(&ctx->js, "found", &r->found);
        if (r->repair) {
            cli_json_u64(&ctx->js, "left", (uint64_t)r->remaining);
            json_report(&ctx->js, "after", &r->left);
        }
        cli_json_end(&ctx->js);
    } else if (r->problems == 0) {
        fprintf(ctx->out, "%s: consistent\n", db);
    } else {
        text_report(ctx->out, "found", &r->found);
        if (r->repair) {
            fprintf(ctx->out, "%s: %d problem(s) found, %d left after "
                    "repair\n", db, r->problems, r->remaining);
        } else {
            fprintf(ctx->out, "%s: %d problem(s) found (--repair fixes "
                    "them)\n", db, r->problems);
        }
    }
    if (r->repair && r->remaining > 0 && r->left.zombie_books > 0 &&
        ctx->store.pool == NULL) {
        fprintf(ctx->err, "fam-lib: %" PRIu64 " zombie book(s) can only be "
                "zeroed with the pool: use --pool\n", r->left.zombie_books);
    }
}

static int fsck_exit_status(const FsckResult *r)
{
    if (r->problems == 0) {
        return FSCK_EXIT_CLEAN;
    }
    return r->repair && r->remaining == 0 ? FSCK_EXIT_CLEAN
                                          : FSCK_EXIT_PROBLEMS;
}

int cli_cmd_fsck(CliContext *ctx, const CliCommand *cmd, int argc,
                 char **argv)
{
    static const struct option longopts[] = {
        { "repair", no_argument, NULL, 'r' },
        CLI_COMMON_OPTIONS,
        { NULL, 0, NULL, 0 },
    };
    FsckResult result = { .repair = false };
    int c, status;

    while ((c = cli_getopt(ctx, cmd, argc, argv, "", longopts, &status))
           != CLI_OPT_END) {
        if (c != 'r') {
            return status;
        }
        result.repair = true;
    }
    status = cli_operands(ctx, cmd, argc, argv, 0, 0);
    if (status != CLI_EXIT_OK) {
        return status;
    }
    if (ctx->socket_path != NULL) {
        return cli_usage_error(ctx, cmd, "works offline only: give --pool "
                               "or --db (and stop the daemon to repair)");
    }
    status = cli_connect(ctx);
    if (status != CLI_EXIT_OK || !run_fsck(ctx, &result)) {
        return FSCK_EXIT_ERROR;
    }
    print_fsck_result(ctx, &result);
    return fsck_exit_status(&result);
}
