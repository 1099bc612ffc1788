/*
 * lib-storm: an allocation storm against fam-librarian, for the crash
 * safety test (crash-safety.sh). It acts as one node: it speaks the
 * protocol over the daemon's unix socket, and writes into the books it
 * gets through its own mapping of the pool file, as the node's programs
 * would through the fabric.
 *
 * In /stormN (N = --node) it loops: create a file, open it, grow it,
 * write a nonzero pattern into every book of it, sometimes shrink it,
 * close it, sometimes rename or unlink it. It writes only into books of
 * a shelf it holds open, between the reply that gave it the books and
 * the request that may free them, so after any crash a book it wrote is
 * either still on a shelf or was freed by the Librarian, which must
 * zero it.
 *
 * Once connected and ready it prints "lib-storm node N: storming". The
 * daemon is killed under it: a call that finds the connection gone ends
 * the run with status 0. Any errno a storm cannot explain (anything
 * but EEXIST, ENOENT, ENOSPC, EBUSY) is status 1.
 *
 * usage: lib-storm --socket PATH --pool FILE --node N [--seed S]
 *                  [--files N] [--max-books N] [--seconds S]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib-test-conn.h"
#include "lib-test-pool.h"

#define MAX_FILES       64u
#define MAX_BOOKS       16u

typedef struct StormOptions {
    const char *socket_path;
    const char *pool_path;
    uint32_t node;
    uint64_t seed;
    unsigned files;
    unsigned max_books;
    double seconds;             /* 0: until the daemon goes */
} StormOptions;

typedef struct Storm {
    StormOptions opt;
    LibConn *conn;
    LibTestPool pool;
    uint64_t rng;
    uint64_t ops, written, enospc, ebusy;
    char dir[32];
} Storm;

/* The run is over: the daemon went away (it was killed). */
#define STORM_GONE      1
/* An error no storm explains. */
#define STORM_FAILED    (-1)

static uint64_t rnd(Storm *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return s->rng * UINT64_C(2685821657736338717);
}

static bool connection_gone(int r)
{
    return r == -EPIPE || r == -ECONNRESET || r == -ECONNREFUSED ||
           r == -ENOTCONN || r == -ESHUTDOWN;
}

/*
 * Judge one result: 0 to go on, STORM_GONE, or STORM_FAILED with a
 * message. `allowed` is a 0-terminated list of the errnos a storm
 * expects of this call.
 */
static int judge(Storm *s, const char *what, const char *path, int r,
                 const int *allowed)
{
    s->ops++;
    if (r >= 0) {
        return 0;
    }
    if (connection_gone(r)) {
        return STORM_GONE;
    }
    for (; *allowed != 0; allowed++) {
        if (r == *allowed) {
            s->enospc += r == -ENOSPC;
            s->ebusy += r == -EBUSY;
            return 0;
        }
    }
    fprintf(stderr, "lib-storm node %u: %s %s: %s (%s), which no storm "
            "explains\n", s->opt.node, what, path, strerror(-r),
            strerrorname_np(-r) ? strerrorname_np(-r) : "?");
    return STORM_FAILED;
}

typedef struct Books {
    uint64_t book[MAX_BOOKS + 1];
    unsigned count;
} Books;

static bool take_book(void *opaque, const struct fam_lib_book *b)
{
    Books *l = opaque;

    if (l->count <= MAX_BOOKS) {
        l->book[l->count] = b->book;
    }
    l->count++;
    return true;
}

/* Write the node's pattern into every book of the open shelf `h`. */
static int write_books(Storm *s, const char *path, uint64_t h)
{
    static const int none[] = { 0 };
    Books l = { .count = 0 };
    int r;

    r = judge(s, "books of", path,
              lib_conn_shelf_books(s->conn, NULL, h, take_book, &l), none);
    if (r != 0) {
        return r;
    }
    for (unsigned i = 0; i < l.count && i <= MAX_BOOKS; i++) {
        if (l.book[i] >= s->pool.books) {
            fprintf(stderr, "lib-storm node %u: %s: book %" PRIu64
                    " is beyond the pool\n", s->opt.node, path, l.book[i]);
            return STORM_FAILED;
        }
        lib_test_book_mark(&s->pool, l.book[i], s->opt.node + 1);
        s->written++;
    }
    return 0;
}

/* One round on one file: create, open, grow, write, maybe shrink,
 * close, then maybe rename or unlink. */
static int round_trip(Storm *s)
{
    static const int create_ok[] = { -EEXIST, 0 };
    static const int open_ok[] = { -ENOENT, 0 };
    /* The file's size is whatever earlier rounds left, so a "grow" may
     * shrink it (EBUSY while stale handles of a killed client hold it)
     * and a "shrink" may grow it (ENOSPC). */
    static const int resize_ok[] = { -ENOSPC, -EBUSY, 0 };
    static const int close_ok[] = { 0 };
    static const int rename_ok[] = { -ENOENT, -EBUSY, 0 };
    static const int unlink_ok[] = { -ENOENT, -EBUSY, 0 };
    uint64_t bs = s->pool.book_size, h = 0;
    unsigned f = rnd(s) % s->opt.files, g = rnd(s) % s->opt.files;
    uint64_t grow = (1 + rnd(s) % s->opt.max_books) * bs;
    char path[64], other[64];
    struct fam_lib_attr a;
    int r;

    snprintf(path, sizeof(path), "%s/f%u", s->dir, f);
    snprintf(other, sizeof(other), "%s/f%u", s->dir, g);

    r = judge(s, "create", path, lib_conn_create(s->conn, path, 0644, &a),
              create_ok);
    if (r != 0) {
        return r;
    }
    r = lib_conn_open(s->conn, path, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE,
                      &h, &a);
    if (r == -ENOENT) {
        s->ops++;
        return 0;
    }
    r = judge(s, "open", path, r, open_ok);
    if (r != 0) {
        return r;
    }
    r = lib_conn_resize(s->conn, NULL, h, grow, &a);
    if (r == 0) {
        s->ops++;
        r = write_books(s, path, h);
    } else {
        r = judge(s, "grow", path, r, resize_ok);
    }
    if (r == 0 && rnd(s) % 2 == 0) {
        r = judge(s, "shrink", path,
                  lib_conn_resize(s->conn, NULL, h,
                                  (rnd(s) % s->opt.max_books) * bs, &a),
                  resize_ok);
    }
    if (r != 0) {
        return r;
    }
    r = judge(s, "close", path, lib_conn_close(s->conn, h), close_ok);
    if (r != 0) {
        return r;
    }
    switch (rnd(s) % 4) {
    case 0:
        return judge(s, "rename", path, lib_conn_rename(s->conn, path, other),
                     rename_ok);
    case 1:
        return judge(s, "unlink", path, lib_conn_unlink(s->conn, path),
                     unlink_ok);
    default:
        return 0;
    }
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int storm(Storm *s)
{
    static const int none[] = { 0 };
    static const int mkdir_ok[] = { -EEXIST, 0 };
    struct fam_lib_statfs st;
    struct fam_lib_attr a;
    double end = s->opt.seconds > 0 ? now() + s->opt.seconds : 0;
    int r;

    r = judge(s, "statfs", "", lib_conn_statfs(s->conn, &st), none);
    if (r != 0) {
        return r;
    }
    r = lib_test_pool_map(&s->pool, s->opt.pool_path, st.book_size, true);
    if (r < 0) {
        fprintf(stderr, "lib-storm node %u: map %s: %s\n", s->opt.node,
                s->opt.pool_path, strerror(-r));
        return STORM_FAILED;
    }
    if (s->pool.books != st.books_total) {
        fprintf(stderr, "lib-storm node %u: %s holds %" PRIu64 " books, the "
                "Librarian says %" PRIu64 "\n", s->opt.node,
                s->opt.pool_path, s->pool.books, (uint64_t)st.books_total);
        return STORM_FAILED;
    }
    snprintf(s->dir, sizeof(s->dir), "/storm%u", s->opt.node);
    r = judge(s, "mkdir", s->dir, lib_conn_mkdir(s->conn, s->dir, 0755, &a),
              mkdir_ok);
    if (r == 0) {
        /* the script starts its kill timer once every client is here */
        printf("lib-storm node %u: storming\n", s->opt.node);
        fflush(stdout);
    }
    while (r == 0 && (end == 0 || now() < end)) {
        r = round_trip(s);
    }
    return r;
}

static void usage(FILE *out)
{
    fprintf(out,
"usage: lib-storm --socket PATH --pool FILE --node N [--seed S]\n"
"                 [--files N] [--max-books N] [--seconds S]\n"
"An allocation storm against fam-librarian as node N, until the daemon\n"
"goes away (status 0) or after S seconds; status 1 on an error no storm\n"
"explains, 2 on a bad command line.\n");
}

static int parse(int argc, char **argv, StormOptions *o)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "pool", required_argument, NULL, 'p' },
        { "node", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, 'r' },
        { "files", required_argument, NULL, 'f' },
        { "max-books", required_argument, NULL, 'b' },
        { "seconds", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    *o = (StormOptions){ .files = 8, .max_books = 3, .seed = 1 };
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        errno = 0;
        end = NULL;
        switch (c) {
        case 's':
            o->socket_path = optarg;
            break;
        case 'p':
            o->pool_path = optarg;
            break;
        case 'n':
            o->node = strtoul(optarg, &end, 10);
            break;
        case 'r':
            o->seed = strtoull(optarg, &end, 10);
            break;
        case 'f':
            o->files = strtoul(optarg, &end, 10);
            break;
        case 'b':
            o->max_books = strtoul(optarg, &end, 10);
            break;
        case 't':
            o->seconds = strtod(optarg, &end);
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
        if (end != NULL && (*end != '\0' || errno != 0)) {
            fprintf(stderr, "lib-storm: bad number \"%s\"\n", optarg);
            return -1;
        }
    }
    if (optind != argc || o->socket_path == NULL || o->pool_path == NULL ||
        o->files == 0 || o->files > MAX_FILES || o->max_books == 0 ||
        o->max_books > MAX_BOOKS || o->seconds < 0) {
        usage(stderr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    Storm s = { .rng = 0 };
    FamLibCaller who;
    int r, err = 0;

    if (parse(argc, argv, &s.opt) < 0) {
        return 2;
    }
    who = (FamLibCaller){ .node = s.opt.node, .pid = getpid() };
    s.rng = s.opt.seed * 2 + 1;
    s.conn = lib_conn_socket(s.opt.socket_path, &who, &err);
    if (s.conn == NULL) {
        fprintf(stderr, "lib-storm node %u: connect %s: %s\n", s.opt.node,
                s.opt.socket_path, strerror(-err));
        return 1;
    }
    r = storm(&s);
    lib_conn_free(s.conn);
    lib_test_pool_unmap(&s.pool);
    printf("lib-storm node %u: %" PRIu64 " requests, %" PRIu64
           " books written, %" PRIu64 " ENOSPC, %" PRIu64 " EBUSY, %s\n",
           s.opt.node, s.ops, s.written, s.enospc, s.ebusy,
           r == STORM_GONE ? "the daemon went away"
           : r == 0 ? "time is up" : "FAILED");
    return r == STORM_FAILED ? 1 : 0;
}
