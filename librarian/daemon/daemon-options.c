/*
 * fam-librarian's options and help. getopt_long with no global state of
 * our own beyond getopt's (the process parses its command line once).
 */
#include "daemon-options.h"

#include <getopt.h>
#include <string.h>

#include "lib-size.h"
#include "fame/fame-version.h"

#ifndef FAM_MODELS_DIR
#define FAM_MODELS_DIR "/usr/share/fame/models"
#endif

static void usage(FILE *out)
{
    fprintf(out,
"Usage: fam-librarian --pool FILE --socket PATH [OPTION]...\n"
"Serve the Librarian of a fabric-attached memory pool on a unix socket.\n"
"\n"
"  --pool FILE         the pool file (must exist, with the model's size)\n"
"  --db FILE           the database (default: FILE" FAM_LIB_DB_SUFFIX ");\n"
"                      created if absent, which needs --model and --nodes\n"
"  --model NAME|PATH   fabric model, by name in --models-dir or as a path;\n"
"                      with an existing database it must be the database's\n"
"  --models-dir DIR    where model names are found\n"
"                      (default: " FAM_MODELS_DIR ")\n"
"  --nodes N           node count (1..%u); must agree with the database\n"
"  --book-size SIZE    book size for a new database (default: the model's);\n"
"                      must agree with an existing one\n"
"  --socket PATH       the unix socket to listen on (a stale one is\n"
"                      replaced; a live one is an error)\n"
"  --max-clients N     connections served at once (default %u); more are\n"
"                      refused with a log line\n"
"  --foreground        stay in the foreground (default: detach once the\n"
"                      socket is listening)\n"
"  --pid-file FILE     write the daemon's pid to FILE\n"
"  --seed N            seed of the RandomBooks policy (default: the clock)\n"
"  --verbose           log every connection\n"
"  --help              print this help and exit\n"
"  --version           print the version and exit\n"
"\n"
"Peers connecting as root or as the daemon's own user are trusted: the\n"
"caller in each request header (node, uid, gid, pid) is used as given, as\n"
"a QEMU process forwards its guests' requests. Any other peer acts as\n"
"itself: its uid, gid and pid come from the socket (SO_PEERCRED) and its\n"
"node is the host.\n"
"\n"
"SIZE: bytes, or with a suffix K, M, G, T (KiB, MiB, GiB, TiB).\n"
"\n"
"Exit status:\n"
"  0  stopped by SIGTERM or SIGINT, database closed cleanly\n"
"  1  could not start (pool, database, model, socket) or failed later\n"
"  2  bad command line\n",
            FAM_MAX_NODES, DAEMON_DEFAULT_MAX_CLIENTS);
}

enum {
    OPT_POOL = 256, OPT_DB, OPT_MODEL, OPT_MODELS_DIR, OPT_NODES,
    OPT_BOOK_SIZE, OPT_SOCKET, OPT_MAX_CLIENTS, OPT_FOREGROUND,
    OPT_PID_FILE, OPT_SEED, OPT_VERBOSE, OPT_HELP, OPT_VERSION,
};

static const struct option long_options[] = {
    { "pool",        required_argument, NULL, OPT_POOL },
    { "db",          required_argument, NULL, OPT_DB },
    { "model",       required_argument, NULL, OPT_MODEL },
    { "models-dir",  required_argument, NULL, OPT_MODELS_DIR },
    { "nodes",       required_argument, NULL, OPT_NODES },
    { "book-size",   required_argument, NULL, OPT_BOOK_SIZE },
    { "socket",      required_argument, NULL, OPT_SOCKET },
    { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
    { "foreground",  no_argument,       NULL, OPT_FOREGROUND },
    { "pid-file",    required_argument, NULL, OPT_PID_FILE },
    { "seed",        required_argument, NULL, OPT_SEED },
    { "verbose",     no_argument,       NULL, OPT_VERBOSE },
    { "help",        no_argument,       NULL, OPT_HELP },
    { "version",     no_argument,       NULL, OPT_VERSION },
    { NULL, 0, NULL, 0 },
};

static int bad_value(FILE *err, const char *opt, const char *value,
                     const char *want)
{
    fprintf(err, "fam-librarian: --%s %s: %s\n"
            "Try 'fam-librarian --help'.\n", opt, value, want);
    return DAEMON_EXIT_USAGE;
}

/* What a daemon started with only --pool and --socket does. */
static void set_defaults(DaemonOptions *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->store.models_dir = FAM_MODELS_DIR;
    opt->store.create = true;
    opt->max_clients = DAEMON_DEFAULT_MAX_CLIENTS;
}

/*
 * One option from getopt_long (c, with optarg), its value checked. Returns
 * -1 to go on, or an exit status as daemon_parse_options() does.
 */
static int apply_option(int c, char **argv, DaemonOptions *opt, FILE *out,
                        FILE *err)
{
    uint32_t u32;

    switch (c) {
    case OPT_POOL:
        opt->store.pool_path = optarg;
        break;
    case OPT_DB:
        opt->store.db_path = optarg;
        break;
    case OPT_MODEL:
        opt->store.model = optarg;
        break;
    case OPT_MODELS_DIR:
        opt->store.models_dir = optarg;
        break;
    case OPT_NODES:
        if (!fam_lib_parse_u32(optarg, FAM_MAX_NODES, &u32) || u32 == 0) {
            return bad_value(err, "nodes", optarg,
                             "a node count from 1 to 64");
        }
        opt->store.nodes = u32;
        break;
    case OPT_BOOK_SIZE:
        if (!fam_lib_parse_size(optarg, &opt->store.book_size) ||
            opt->store.book_size == 0) {
            return bad_value(err, "book-size", optarg, "a size such as 8M");
        }
        break;
    case OPT_SOCKET:
        opt->socket_path = optarg;
        break;
    case OPT_MAX_CLIENTS:
        if (!fam_lib_parse_u32(optarg, DAEMON_MAX_MAX_CLIENTS, &u32) ||
            u32 == 0) {
            return bad_value(err, "max-clients", optarg,
                             "a count from 1 to 1024");
        }
        opt->max_clients = u32;
        break;
    case OPT_FOREGROUND:
        opt->foreground = true;
        break;
    case OPT_PID_FILE:
        opt->pid_file = optarg;
        break;
    case OPT_SEED:
        if (!fam_lib_parse_u64(optarg, UINT64_MAX, &opt->store.seed)) {
            return bad_value(err, "seed", optarg, "a decimal number");
        }
        break;
    case OPT_VERBOSE:
        opt->verbose = true;
        break;
    case OPT_HELP:
        usage(out);
        return DAEMON_EXIT_OK;
    case OPT_VERSION:
        fprintf(out, "fam-librarian (FAME) %s, protocol %u, schema %u\n",
                FAME_VERSION, FAM_LIB_VERSION, FAM_LIB_SCHEMA_VERSION);
        return DAEMON_EXIT_OK;
    default:
        fprintf(err, "fam-librarian: %s: %s\n"
                "Try 'fam-librarian --help'.\n", argv[optind - 1],
                c == ':' ? "needs a value" : "unknown option");
        return DAEMON_EXIT_USAGE;
    }
    return -1;
}

/* After the options: no operands, and the two a daemon needs. */
static int check_options(int argc, char **argv, const DaemonOptions *opt,
                         FILE *err)
{
    if (optind < argc) {
        fprintf(err, "fam-librarian: %s: unexpected argument\n"
                "Try 'fam-librarian --help'.\n", argv[optind]);
        return DAEMON_EXIT_USAGE;
    }
    if (opt->store.pool_path == NULL || opt->socket_path == NULL) {
        fprintf(err, "fam-librarian: --pool and --socket are required\n"
                "Try 'fam-librarian --help'.\n");
        return DAEMON_EXIT_USAGE;
    }
    return -1;
}

int daemon_parse_options(int argc, char **argv, DaemonOptions *opt,
                         FILE *out, FILE *err)
{
    int c, status;

    set_defaults(opt);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
        status = apply_option(c, argv, opt, out, err);
        if (status != -1) {
            return status;
        }
    }
    return check_options(argc, argv, opt, err);
}
