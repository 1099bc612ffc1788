/*
 * librarian-ops: operations per second of the Librarian, for
 * tests/bench/librarian-ops.py (which runs it in-process and over the
 * daemon's socket and prints one table) or by hand.
 *
 * Operations, each timed alone with every client running it at once:
 *   create      create an empty shelf /bN/fI
 *   open-close  open /bN/fI for reading and close it (two requests)
 *   resize      grow /bN/r to one book, shrink it to none, alternately
 *               (every shrink zeroes a book: that cost is part of it)
 *   getattr-1   getattr of /gN (one path component)
 *   getattr-8   getattr of /dN/2/3/4/5/6/7/f (eight components)
 *   destroy     unlink the empty shelves /bN/fI made by create
 * Client N is a thread with its own connection, node N % nodes, as root;
 * each works in its own names so that only the Librarian is shared. A
 * run with 1 client and one with --clients clients follow each other.
 *
 *   --core          in-process: direct core calls on a new FamLib in a
 *                   temporary directory (--dir; tm-2016, 8 nodes,
 *                   256 MiB pool of 2 MiB books, in memory)
 *   --proto         in-process through fam_lib_handle() (encode,
 *                   validate, decode) on such a FamLib
 *   --socket PATH   over a running fam-librarian's socket
 *   --ops N         operations per client and per operation (default 2000)
 *   --clients N     clients of the parallel run (default 8)
 *   --tsv           machine-readable lines instead of the table:
 *                   result MODE CLIENTS OP OPS SECONDS
 *
 * Any failed operation stops the run with status 1: a benchmark whose
 * operations fail measures nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib-fixture.h"
#include "lib-test-conn.h"

#define MiB             (UINT64_C(1) << 20)
#define BENCH_MODEL     "tm-2016"
#define BENCH_NODES     8u
#define BENCH_POOL      (256 * MiB)
#define BENCH_BOOK      (2 * MiB)
#define MAX_CLIENTS     64u
#define PATH_LEN        96

typedef enum BenchOp {
    OP_CREATE,
    OP_OPEN_CLOSE,
    OP_RESIZE,
    OP_GETATTR_1,
    OP_GETATTR_8,
    OP_DESTROY,
    OP_COUNT
} BenchOp;

static const char *const op_names[OP_COUNT] = {
    "create", "open-close", "resize", "getattr-1", "getattr-8", "destroy",
};

typedef struct BenchOptions {
    LibConnKind kind;
    const char *socket_path;
    const char *dir;
    unsigned ops;
    unsigned clients;
    bool tsv;
} BenchOptions;

/* What every client thread shares for one run. */
typedef struct Bench {
    const BenchOptions *opt;
    FamLib *lib;                /* in-process modes */
    unsigned clients;
    uint32_t nodes;
    uint64_t book_size;
    pthread_barrier_t start, done;
    BenchOp op;                 /* set by the main thread between phases */
    bool quit;
    int failed;                 /* set once; read after the barrier */
    char error[256];
    pthread_mutex_t error_lock;
} Bench;

typedef struct Client {
    Bench *b;
    unsigned index;
    LibConn *conn;
} Client;

static void client_fail(Client *c, const char *what, const char *path,
                        int r)
{
    Bench *b = c->b;

    pthread_mutex_lock(&b->error_lock);
    if (!b->failed) {
        b->failed = 1;
        snprintf(b->error, sizeof(b->error), "client %u: %s %s: %s",
                 c->index, what, path, strerror(-r));
    }
    pthread_mutex_unlock(&b->error_lock);
}

static void path_file(const Client *c, unsigned i, char *buf)
{
    snprintf(buf, PATH_LEN, "/b%u/f%u", c->index, i);
}

static void path_deep(const Client *c, unsigned depth, char *buf)
{
    int n = snprintf(buf, PATH_LEN, "/d%u", c->index);

    for (unsigned l = 2; l <= depth; l++) {
        n += snprintf(buf + n, PATH_LEN - n, l == 8 ? "/f" : "/%u", l);
    }
}

/* Names and shelves the timed phases use, made before the clock runs. */
static int client_setup(Client *c)
{
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    snprintf(path, sizeof(path), "/b%u", c->index);
    r = lib_conn_mkdir(c->conn, path, 0755, &a);
    for (unsigned depth = 1; r == 0 && depth <= 7; depth++) {
        path_deep(c, depth, path);
        r = lib_conn_mkdir(c->conn, path, 0755, &a);
    }
    if (r == 0) {
        path_deep(c, 8, path);
        r = lib_conn_create(c->conn, path, 0644, &a);
    }
    if (r == 0) {
        snprintf(path, sizeof(path), "/g%u", c->index);
        r = lib_conn_create(c->conn, path, 0644, &a);
    }
    if (r == 0) {
        snprintf(path, sizeof(path), "/b%u/r", c->index);
        r = lib_conn_create(c->conn, path, 0644, &a);
    }
    if (r < 0) {
        client_fail(c, "setup", path, r);
    }
    return r;
}

/* Undo client_setup, so that the next run finds the names free. */
static int client_cleanup(Client *c)
{
    char path[PATH_LEN];
    int r;

    snprintf(path, sizeof(path), "/b%u/r", c->index);
    r = lib_conn_unlink(c->conn, path);
    if (r == 0) {
        snprintf(path, sizeof(path), "/b%u", c->index);
        r = lib_conn_rmdir(c->conn, path);
    }
    if (r == 0) {
        snprintf(path, sizeof(path), "/g%u", c->index);
        r = lib_conn_unlink(c->conn, path);
    }
    if (r == 0) {
        path_deep(c, 8, path);
        r = lib_conn_unlink(c->conn, path);
    }
    for (unsigned depth = 7; r == 0 && depth >= 1; depth--) {
        path_deep(c, depth, path);
        r = lib_conn_rmdir(c->conn, path);
    }
    if (r < 0) {
        client_fail(c, "cleanup", path, r);
    }
    return r;
}

static int run_op(Client *c, BenchOp op, unsigned i)
{
    char path[PATH_LEN];
    struct fam_lib_attr a;
    uint64_t h;
    int r;

    switch (op) {
    case OP_CREATE:
        path_file(c, i, path);
        r = lib_conn_create(c->conn, path, 0644, &a);
        break;
    case OP_OPEN_CLOSE:
        path_file(c, i, path);
        r = lib_conn_open(c->conn, path, FAM_LIB_OPEN_READ, &h, &a);
        if (r == 0) {
            r = lib_conn_close(c->conn, h);
        }
        break;
    case OP_RESIZE:
        snprintf(path, sizeof(path), "/b%u/r", c->index);
        r = lib_conn_resize(c->conn, path, 0,
                            i % 2 == 0 ? c->b->book_size : 0, &a);
        break;
    case OP_GETATTR_1:
        snprintf(path, sizeof(path), "/g%u", c->index);
        r = lib_conn_getattr(c->conn, path, &a);
        break;
    case OP_GETATTR_8:
        path_deep(c, 8, path);
        r = lib_conn_getattr(c->conn, path, &a);
        break;
    default:
        path_file(c, i, path);
        r = lib_conn_unlink(c->conn, path);
        break;
    }
    if (r < 0) {
        client_fail(c, op_names[op], path, r);
    }
    return r;
}

static void *client_main(void *opaque)
{
    Client *c = opaque;
    Bench *b = c->b;
    unsigned ops = b->opt->ops;

    /* Phases: setup, then each op, then cleanup; a barrier around each
     * so the main thread times exactly the op itself. */
    client_setup(c);
    pthread_barrier_wait(&b->done);
    for (;;) {
        pthread_barrier_wait(&b->start);
        if (b->quit) {
            break;
        }
        for (unsigned i = 0; i < ops && !b->failed; i++) {
            if (run_op(c, b->op, i) < 0) {
                break;
            }
        }
        pthread_barrier_wait(&b->done);
    }
    if (!b->failed) {
        client_cleanup(c);
    }
    pthread_barrier_wait(&b->done);
    return NULL;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static LibConn *make_conn(Bench *b, const FamLibCaller *who)
{
    LibConn *conn = NULL;
    int err = 0;

    switch (b->opt->kind) {
    case LIB_CONN_CORE:
        conn = lib_conn_core(b->lib, who);
        err = conn ? 0 : -ENOMEM;
        break;
    case LIB_CONN_PROTO:
        conn = lib_conn_proto(b->lib, who, &err);
        break;
    case LIB_CONN_SOCKET:
        conn = lib_conn_socket(b->opt->socket_path, who, &err);
        break;
    }
    if (conn == NULL) {
        fprintf(stderr, "librarian-ops: %s connection: %s\n",
                lib_conn_kind_name(b->opt->kind), strerror(-err));
    }
    return conn;
}

static LibConn *connect_client(Bench *b, unsigned index)
{
    FamLibCaller who = {
        .node = index % b->nodes, .uid = 0, .gid = 0,
        .pid = (uint32_t)getpid() + 1 + index,
    };

    return make_conn(b, &who);
}

/* The pool's shape, from the Librarian itself. */
static int probe(Bench *b, struct fam_lib_statfs *st)
{
    FamLibCaller host = { .node = FAM_LIB_NODE_HOST, .pid = getpid() };
    LibConn *conn = make_conn(b, &host);
    int r;

    if (conn == NULL) {
        return -1;
    }
    r = lib_conn_statfs(conn, st);
    lib_conn_free(conn);
    if (r < 0) {
        fprintf(stderr, "librarian-ops: statfs: %s\n", strerror(-r));
        return -1;
    }
    b->nodes = st->nodes;
    b->book_size = st->book_size;
    return 0;
}

/* One run with `clients` clients; fills seconds[op]. 0 or -1. */
static int run_clients(Bench *b, unsigned clients, double *seconds)
{
    Client c[MAX_CLIENTS];
    pthread_t tid[MAX_CLIENTS];
    unsigned started = 0;
    int ret = 0;

    b->clients = clients;
    b->quit = false;
    b->failed = 0;
    pthread_barrier_init(&b->start, NULL, clients + 1);
    pthread_barrier_init(&b->done, NULL, clients + 1);
    for (unsigned i = 0; i < clients; i++) {
        c[i] = (Client){ .b = b, .index = i, .conn = connect_client(b, i) };
        if (c[i].conn == NULL) {
            ret = -1;
            break;
        }
    }
    if (ret < 0) {
        for (unsigned i = 0; i < clients && c[i].conn != NULL; i++) {
            lib_conn_free(c[i].conn);
        }
        goto out;
    }
    for (; started < clients; started++) {
        pthread_create(&tid[started], NULL, client_main, &c[started]);
    }
    pthread_barrier_wait(&b->done);                 /* setup done */
    for (BenchOp op = 0; op < OP_COUNT && !b->failed; op++) {
        double t0;

        b->op = op;
        t0 = now();
        pthread_barrier_wait(&b->start);
        pthread_barrier_wait(&b->done);
        seconds[op] = now() - t0;
    }
    b->quit = true;
    pthread_barrier_wait(&b->start);
    pthread_barrier_wait(&b->done);                 /* cleanup done */
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
        lib_conn_free(c[i].conn);
    }
    if (b->failed) {
        fprintf(stderr, "librarian-ops: %s\n", b->error);
        ret = -1;
    }
out:
    pthread_barrier_destroy(&b->start);
    pthread_barrier_destroy(&b->done);
    return ret;
}

/* The in-process Librarian: a new database in a temporary directory in
 * dir, the pool in memory. */
static LibFixture *open_in_process(const char *dir)
{
    LibFixtureConfig cfg = {
        .parent = dir, .prefix = "librarian-ops", .model = BENCH_MODEL,
        .nodes = BENCH_NODES, .pool_size = BENCH_POOL,
        .book_size = BENCH_BOOK, .seed = 1,
    };
    LibFixture *fx = lib_fixture_new(&cfg);

    if (fx != NULL && lib_fixture_open(fx) < 0) {
        lib_fixture_free(fx);
        fx = NULL;
    }
    if (fx == NULL) {
        fprintf(stderr, "librarian-ops: cannot set up the Librarian\n");
    }
    return fx;
}

static void print_results(const BenchOptions *o, const unsigned *clients,
                          unsigned runs, double seconds[][OP_COUNT])
{
    const char *mode = lib_conn_kind_name(o->kind);

    if (o->tsv) {
        for (unsigned r = 0; r < runs; r++) {
            for (BenchOp op = 0; op < OP_COUNT; op++) {
                printf("result\t%s\t%u\t%s\t%" PRIu64 "\t%.6f\n", mode,
                       clients[r], op_names[op],
                       (uint64_t)o->ops * clients[r], seconds[r][op]);
            }
        }
        return;
    }
    printf("Librarian operations per second, %s, %u ops per client\n\n",
           mode, o->ops);
    printf("%-12s", "operation");
    for (unsigned r = 0; r < runs; r++) {
        printf(" %9u client%s", clients[r], clients[r] == 1 ? " " : "s");
    }
    printf("\n");
    for (BenchOp op = 0; op < OP_COUNT; op++) {
        printf("%-12s", op_names[op]);
        for (unsigned r = 0; r < runs; r++) {
            printf(" %17.0f", o->ops * clients[r] / seconds[r][op]);
        }
        printf("\n");
    }
}

static void usage(FILE *out)
{
    fprintf(out,
"usage: librarian-ops (--core [--dir DIR] | --proto [--dir DIR] |\n"
"                      --socket PATH) [--ops N] [--clients N] [--tsv]\n"
"Operations per second of the Librarian: create, open-close, resize,\n"
"getattr-1, getattr-8, destroy; one client, then --clients at once.\n");
}

static int parse(int argc, char **argv, BenchOptions *o)
{
    static const struct option longopts[] = {
        { "core", no_argument, NULL, 'c' },
        { "proto", no_argument, NULL, 'P' },
        { "socket", required_argument, NULL, 's' },
        { "dir", required_argument, NULL, 'd' },
        { "ops", required_argument, NULL, 'o' },
        { "clients", required_argument, NULL, 'n' },
        { "tsv", no_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int modes = 0, ch;
    char *end;

    *o = (BenchOptions){ .ops = 2000, .clients = 8, .dir = g_get_tmp_dir() };
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->kind = LIB_CONN_CORE;
            modes++;
            break;
        case 'P':
            o->kind = LIB_CONN_PROTO;
            modes++;
            break;
        case 's':
            o->kind = LIB_CONN_SOCKET;
            o->socket_path = optarg;
            modes++;
            break;
        case 'd':
            o->dir = optarg;
            break;
        case 'o':
        case 'n':
            errno = 0;
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end != '\0' || errno != 0 || v == 0 ||
                (ch == 'n' && v > MAX_CLIENTS) || v > 10000000) {
                fprintf(stderr, "librarian-ops: bad --%s \"%s\"\n",
                        ch == 'o' ? "ops" : "clients", optarg);
                return -1;
            }
            *(ch == 'o' ? &o->ops : &o->clients) = (unsigned)v;
            break;
        case 't':
            o->tsv = true;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (modes != 1 || optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    BenchOptions opt;
    Bench b = { 0 };
    LibFixture *fx = NULL;
    unsigned clients[2] = { 1, 0 }, runs;
    struct fam_lib_statfs st;
    double seconds[2][OP_COUNT];
    int ret = 0;

    if (parse(argc, argv, &opt) < 0) {
        return 2;
    }
    b.opt = &opt;
    pthread_mutex_init(&b.error_lock, NULL);
    if (opt.kind != LIB_CONN_SOCKET) {
        fx = open_in_process(opt.dir);
        if (fx == NULL) {
            ret = 1;
            goto out;
        }
        b.lib = fx->lib;
    }
    if (probe(&b, &st) < 0) {
        ret = 1;
        goto out;
    }
    if (!opt.tsv) {
        printf("pool: %s, %u nodes, %" PRIu64 " books of %" PRIu64
               " MiB\n", st.model, st.nodes, (uint64_t)st.books_total,
               (uint64_t)st.book_size / MiB);
    }
    clients[1] = opt.clients;
    runs = opt.clients > 1 ? 2 : 1;
    for (unsigned r = 0; r < runs && ret == 0; r++) {
        if (run_clients(&b, clients[r], seconds[r]) < 0) {
            ret = 1;
        }
    }
    if (ret == 0) {
        print_results(&opt, clients, runs, seconds);
    }
out:
    if (fx != NULL) {
        lib_fixture_free(fx);
    }
    pthread_mutex_destroy(&b.error_lock);
    return ret;
}
