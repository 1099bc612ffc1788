/*
 * Concurrency test of the Librarian: one FamLib on a temporary SQLite
 * file with a real pool buffer (tm-2016 for 8 nodes, 256 MiB pool, 2 MiB
 * books: 128 books, 4 per module, so the pool runs out and ENOSPC is
 * part of the game), 8 threads as callers on nodes 0..7 with different
 * uids, 10,000 mixed operations each (lib-test-workload.h checks every
 * result against its own model). Afterwards fsck must find nothing, the
 * books on shelves must be exactly the INUSE books, and every FREE book
 * must read as zero, every byte of it.
 *
 * Run once on direct core calls and once through the protocol layer
 * (fam_lib_handle(): every request encoded, validated, decoded), when
 * this build has it. FAM_LIB_TEST_OPS overrides the operations per
 * thread, for debugging only.
 */
#include <glib.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib-fixture.h"
#include "lib-test-check.h"
#include "lib-test-conn.h"
#include "lib-test-pool.h"
#include "lib-test-workload.h"

#define MiB         (UINT64_C(1) << 20)
#define THREADS     8u
#define OPS         10000u
#define POOL_SIZE   (256 * MiB)
#define BOOK_SIZE   (2 * MiB)
#define MODEL       "tm-2016"
#define UID_BASE    1000u
#define PID_BASE    4000u

/*
 * What the fabric would let each node do, as the Librarian's hooks say:
 * per node and book none, read or write. The hooks run under the core's
 * lock in commit order; workers read their own node's entries.
 */
typedef struct GrantMap {
    uint32_t nodes;
    uint64_t books;
    uint64_t book_size;
    atomic_uchar *access;       /* [node * books + book]: 0, 1 r, 2 rw */
    atomic_uint misaligned;     /* ranges not made of whole books */
    atomic_uint foreign;        /* for a node outside the model */
} GrantMap;

enum { ACCESS_NONE, ACCESS_READ, ACCESS_WRITE };

static void grant_set(GrantMap *g, uint32_t node, uint64_t offset,
                      uint64_t len, unsigned char access)
{
    if (node >= g->nodes) {
        atomic_fetch_add(&g->foreign, 1);
        return;
    }
    if (offset % g->book_size || len % g->book_size ||
        offset / g->book_size + len / g->book_size > g->books) {
        atomic_fetch_add(&g->misaligned, 1);
        return;
    }
    for (uint64_t b = offset / g->book_size;
         b < (offset + len) / g->book_size; b++) {
        atomic_store(&g->access[node * g->books + b], access);
    }
}

static void hook_grant(void *opaque, uint32_t node, uint64_t offset,
                       uint64_t len, bool writable)
{
    grant_set(opaque, node, offset, len,
              writable ? ACCESS_WRITE : ACCESS_READ);
}

static void hook_revoke(void *opaque, uint32_t node, uint64_t offset,
                        uint64_t len)
{
    grant_set(opaque, node, offset, len, ACCESS_NONE);
}

static bool may_write(void *opaque, uint32_t node, uint64_t book)
{
    GrantMap *g = opaque;

    return node < g->nodes && book < g->books &&
           atomic_load(&g->access[node * g->books + book]) == ACCESS_WRITE;
}

typedef struct Storm {
    GrantMap grants;
    LibFixture *fx;             /* fx->lib, fx->model */
    LibTestPool pool;           /* fx->pool as the workload sees it */
} Storm;

static void storm_open(Storm *s)
{
    LibFixtureConfig cfg = {
        .prefix = "lib-concurrency", .model = MODEL, .nodes = THREADS,
        .pool_size = POOL_SIZE, .book_size = BOOK_SIZE,
        .hooks = { &s->grants, hook_grant, hook_revoke }, .seed = 42,
    };
    const FamModel *m;

    s->fx = lib_fixture_new(&cfg);
    g_assert_nonnull(s->fx);
    m = s->fx->model;
    g_assert_cmpint(lib_test_pool_view(&s->pool, s->fx->pool, m->pool_size,
                                       m->book_size), ==, 0);
    /* The grant map is sized by the model, so it comes between loading
     * the model and opening the Librarian that calls the hooks. */
    s->grants.nodes = m->nodes;
    s->grants.books = m->books;
    s->grants.book_size = m->book_size;
    s->grants.access = g_new0(atomic_uchar, (size_t)m->nodes * m->books);
    g_assert_cmpint(lib_fixture_open(s->fx), ==, 0);
}

static void storm_close(Storm *s)
{
    lib_fixture_free(s->fx);
    g_free(s->grants.access);
}

/* Every handle is closed: no node may still reach any book. */
static void check_no_grants(Storm *s)
{
    GrantMap *g = &s->grants;

    g_assert_cmpuint(atomic_load(&g->misaligned), ==, 0);
    g_assert_cmpuint(atomic_load(&g->foreign), ==, 0);
    for (uint32_t n = 0; n < g->nodes; n++) {
        for (uint64_t b = 0; b < g->books; b++) {
            if (atomic_load(&g->access[n * g->books + b]) != ACCESS_NONE) {
                g_test_message("node %u can still reach book %" PRIu64
                               " with every handle closed", n, b);
                g_test_fail();
                return;
            }
        }
    }
}

/* The check must be able to fail: dirty one FREE book and see it. */
static void check_detects_dirt(Storm *s, LibConn *check)
{
    struct fam_lib_book b;
    LibTestCensus census;
    char err[512];
    uint64_t books = s->fx->model->books, book = UINT64_MAX;
    uint8_t *byte;

    for (uint64_t i = 0; i < books && book == UINT64_MAX; i++) {
        g_assert_cmpint(fam_lib_book_info(s->fx->lib, i, &b), ==, 0);
        if (b.state == FAM_LIB_BOOK_FREE) {
            book = i;
        }
    }
    if (book == UINT64_MAX) {
        return;     /* nothing free to dirty */
    }
    byte = s->pool.base + book * s->pool.book_size + s->pool.book_size / 3;
    *byte = 0x5a;
    g_assert_cmpint(lib_test_check_all(check, &s->pool, books, &census, err,
                                       sizeof(err)), <, 0);
    g_assert_nonnull(strstr(err, "is not zero"));
    *byte = 0;
}

/* The tree every worker expects: /shared for all, /tN for worker N. */
static void storm_prepare(Storm *s)
{
    FamLibCaller root = { .node = FAM_LIB_NODE_HOST, .pid = 1 };
    FamLib *lib = s->fx->lib;
    struct fam_lib_attr a;
    char dir[32];

    g_assert_cmpint(fam_lib_mkdir(lib, &root, "/shared", 0777, &a), ==, 0);
    for (unsigned i = 0; i < THREADS; i++) {
        lib_workload_dir(i, dir, sizeof(dir));
        g_assert_cmpint(fam_lib_mkdir(lib, &root, dir, 0755, &a), ==, 0);
        g_assert_cmpint(fam_lib_chown(lib, &root, dir, UID_BASE + i,
                                      UID_BASE + i), ==, 0);
    }
}

static LibConn *make_conn(Storm *s, LibConnKind kind,
                          const FamLibCaller *who)
{
    LibConn *c;
    int err = 0;

    c = kind == LIB_CONN_CORE ? lib_conn_core(s->fx->lib, who)
                              : lib_conn_proto(s->fx->lib, who, &err);
    if (c == NULL) {
        g_error("%s connection: %s", lib_conn_kind_name(kind),
                g_strerror(-err));
    }
    return c;
}

static void *worker_main(void *opaque)
{
    LibWorkload *w = opaque;

    lib_workload_run(w);
    return NULL;
}

static unsigned ops_per_thread(void)
{
    const char *env = getenv("FAM_LIB_TEST_OPS");

    return env != NULL ? (unsigned)strtoul(env, NULL, 10) : OPS;
}

static void run_storm(LibConnKind kind)
{
    Storm s = { 0 };
    LibWorkload w[THREADS];
    pthread_t tid[THREADS];
    FamLibCaller root = { .node = FAM_LIB_NODE_HOST, .pid = 1 };
    FamLibFsckReport rep;
    LibTestCensus census;
    LibWorkStats sum = { 0 };
    LibConn *check;
    char err[512];
    gint64 t0, t1;
    int r;

    storm_open(&s);
    storm_prepare(&s);

    t0 = g_get_monotonic_time();
    for (unsigned i = 0; i < THREADS; i++) {
        FamLibCaller who = {
            .node = i, .uid = UID_BASE + i, .gid = UID_BASE + i,
            .pid = PID_BASE + i,
        };

        w[i] = (LibWorkload){
            .index = i, .workers = THREADS, .uid = who.uid, .node = i,
            .may_write = may_write, .may_write_opaque = &s.grants,
            .igs = s.fx->model->sets, .conn = make_conn(&s, kind, &who),
            .pool = &s.pool, .seed = g_test_rand_int() ^ (i << 20),
            .ops = ops_per_thread(),
        };
        g_assert_cmpint(pthread_create(&tid[i], NULL, worker_main, &w[i]),
                        ==, 0);
    }
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(tid[i], NULL);
    }
    t1 = g_get_monotonic_time();

    for (unsigned i = 0; i < THREADS; i++) {
        sum.ops += w[i].stats.ops;
        sum.ok += w[i].stats.ok;
        sum.enospc += w[i].stats.enospc;
        sum.ebusy += w[i].stats.ebusy;
        sum.raced += w[i].stats.raced;
        sum.refused += w[i].stats.refused;
        sum.books_got += w[i].stats.books_got;
        lib_conn_free(w[i].conn);
    }
    g_test_message("%s: %u threads x %" PRIu64 " ops in %.2f s "
                   "(%.0f ops/s): %" PRIu64 " succeeded, %" PRIu64
                   " refused as expected, %" PRIu64 " ENOSPC, %" PRIu64
                   " EBUSY, %" PRIu64 " lost races, %" PRIu64
                   " books allocated to private files",
                   lib_conn_kind_name(kind), THREADS, w[0].ops,
                   (t1 - t0) / 1e6, sum.ops / ((t1 - t0) / 1e6), sum.ok,
                   sum.refused, sum.enospc, sum.ebusy, sum.raced,
                   sum.books_got);
    for (unsigned i = 0; i < THREADS; i++) {
        if (w[i].error[0] != '\0') {
            g_test_message("FAILED: %s", w[i].error);
        }
    }
    for (unsigned i = 0; i < THREADS; i++) {
        g_assert_cmpstr(w[i].error, ==, "");
    }
    /* The workload must have exercised what it claims to. */
    g_assert_cmpuint(sum.books_got, >, 0);
    g_assert_cmpuint(sum.enospc, >, 0);
    g_assert_cmpuint(sum.ebusy, >, 0);

    check_no_grants(&s);
    r = fam_lib_fsck(s.fx->lib, false, &rep);
    if (r != 0) {
        g_test_message("fsck: %d problems: leaked %" PRIu64 " double %"
                       PRIu64 " bad-free %" PRIu64 " zombie %" PRIu64
                       " stale-opens %" PRIu64 " orphan-xattrs %" PRIu64
                       " orphan-shelves %" PRIu64 " bad-sizes %" PRIu64
                       " unfinished-deletes %" PRIu64, r, rep.leaked_books,
                       rep.double_books, rep.bad_free_books,
                       rep.zombie_books, rep.stale_opens, rep.orphan_xattrs,
                       rep.orphan_shelves, rep.bad_sizes,
                       rep.unfinished_deletes);
    }
    g_assert_cmpint(r, ==, 0);

    check = make_conn(&s, kind, &root);
    r = lib_test_check_all(check, &s.pool, s.fx->model->books, &census, err,
                           sizeof(err));
    if (r != 0) {
        g_test_message("check: %s", err);
    }
    g_assert_cmpint(r, ==, 0);
    g_test_message("after: %" PRIu64 " shelves in %" PRIu64 " directories "
                   "hold %" PRIu64 " books = %" PRIu64 " INUSE; %" PRIu64
                   " FREE books all zero", census.shelves, census.dirs,
                   census.shelf_books, census.inuse_books,
                   census.zeroed_checked);
    check_detects_dirt(&s, check);

    /* Destroy everything: then every book ever written must be zero. */
    r = lib_test_remove_all(check, err, sizeof(err));
    if (r == 0) {
        r = lib_test_check_all(check, &s.pool, s.fx->model->books, &census,
                               err, sizeof(err));
    }
    if (r != 0) {
        g_test_message("after destroying everything: %s", err);
    }
    g_assert_cmpint(r, ==, 0);
    g_assert_cmpuint(census.inuse_books, ==, 0);
    g_assert_cmpuint(census.zeroed_checked, ==, s.fx->model->books);
    lib_conn_free(check);
    g_test_message("then everything destroyed: all %" PRIu64 " books FREE "
                   "and zero, fsck clean", census.zeroed_checked);
    g_assert_cmpint(fam_lib_fsck(s.fx->lib, false, &rep), ==, 0);
    storm_close(&s);
}

static void test_core(void)
{
    run_storm(LIB_CONN_CORE);
}

static void test_proto(void)
{
    run_storm(LIB_CONN_PROTO);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/librarian/concurrency/core", test_core);
    g_test_add_func("/librarian/concurrency/proto", test_proto);
    return g_test_run();
}
