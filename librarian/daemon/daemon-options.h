/*
 * fam-librarian's command line.
 */
#ifndef FAME_DAEMON_OPTIONS_H
#define FAME_DAEMON_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "lib-store.h"

/* Exit statuses, as --help documents them. */
enum {
    DAEMON_EXIT_OK = 0,         /* stopped cleanly (SIGTERM/SIGINT) */
    DAEMON_EXIT_FAILED = 1,     /* could not start, or failed while running */
    DAEMON_EXIT_USAGE = 2,      /* bad command line */
};

typedef struct DaemonOptions {
    FamLibStoreOptions store;   /* pool, db, model, nodes, book size, seed */
    const char *socket_path;
    const char *pid_file;
    unsigned max_clients;
    bool foreground;
    bool verbose;
} DaemonOptions;

#define DAEMON_DEFAULT_MAX_CLIENTS  64u
#define DAEMON_MAX_MAX_CLIENTS      1024u

/*
 * Parse argv. Returns -1 to go on, or an exit status: DAEMON_EXIT_OK after
 * --help/--version (printed to `out`), DAEMON_EXIT_USAGE after a message
 * on `err`.
 */
int daemon_parse_options(int argc, char **argv, DaemonOptions *opt,
                         FILE *out, FILE *err);

#endif /* FAME_DAEMON_OPTIONS_H */
