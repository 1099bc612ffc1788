/*
 * Helpers of the Librarian core's unit tests (lib-test.h).
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>

#include "lib-test.h"

static const char grid_text[] =
    "[model]\nname = grid\n"
    "[topology]\nnodes_per_enclosure = 2\nenclosures_per_rack = 2\n"
    "[hops]\nlocal = 1\nenclosure = 2\nrack = 3\nremote = 4\n"
    "latency_ns = 10\n"
    "[media]\nattach = node\ncount = 1\nread_latency_ns = 100\n"
    "write_latency_ns = 100\nbandwidth = unlimited\n"
    "[interleave]\nmode = book\n"
    "[pool]\nbook_size = 2M\n";

/* A fixture on `cfg`'s model, hooks recorded, open. */
static LibTest *lt_new(LibFixtureConfig *cfg)
{
    LibTest *t;

    cfg->prefix = "fam-lib";
    cfg->record_hooks = true;
    cfg->seed = 42;
    t = lib_fixture_new(cfg);
    g_assert_nonnull(t);
    lt_open(t);
    return t;
}

LibTest *lt_grid(void)
{
    LibFixtureConfig cfg = {
        .model = "grid.ini", .model_text = grid_text,
        .nodes = 8, .pool_size = 64 * MiB,
    };

    return lt_new(&cfg);
}

LibTest *lt_shipped(const char *name, uint32_t nodes, uint64_t pool)
{
    LibFixtureConfig cfg = {
        .model = name, .nodes = nodes, .pool_size = pool,
        .book_size = 2 * MiB,
    };

    return lt_new(&cfg);
}

void lt_open(LibTest *t)
{
    g_assert_cmpint(lib_fixture_open(t), ==, 0);
}

void lt_reopen(LibTest *t)
{
    lib_fixture_close(t);
    lt_open(t);
}

FamLibCaller lt_root(void)
{
    FamLibCaller c = { FAM_LIB_NODE_HOST, 0, 0, 1 };

    return c;
}

FamLibCaller lt_user(uint32_t node, uint32_t uid, uint32_t gid, uint32_t pid)
{
    FamLibCaller c = { node, uid, gid, pid };

    return c;
}

uint64_t lt_create(LibTest *t, const FamLibCaller *who, const char *path,
                   uint32_t mode)
{
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_create(t->lib, who, path, mode, &a), ==, 0);
    return a.id;
}

uint64_t lt_mkdir(LibTest *t, const FamLibCaller *who, const char *path,
                  uint32_t mode)
{
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_mkdir(t->lib, who, path, mode, &a), ==, 0);
    return a.id;
}

void lt_resize(LibTest *t, const FamLibCaller *who, const char *path,
               uint64_t size, int expect)
{
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_resize(t->lib, who, path, 0, size, &a), ==,
                    expect);
    if (expect == 0) {
        g_assert_cmpuint(a.size, ==, size);
        g_assert_cmpuint(a.books, ==,
                         (size + t->model->book_size - 1) /
                         t->model->book_size);
    }
}

struct fam_lib_attr lt_stat(LibTest *t, const FamLibCaller *who,
                            const char *path)
{
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_getattr(t->lib, who, path, &a), ==, 0);
    return a;
}

void lt_set_policy(LibTest *t, const FamLibCaller *who, const char *path,
                   const char *policy)
{
    g_assert_cmpint(fam_lib_setxattr(t->lib, who, path,
                                     "user.LFS.AllocationPolicy", policy,
                                     strlen(policy), 0), ==, 0);
}

static bool take_book(void *opaque, const struct fam_lib_book *b)
{
    g_array_append_val((GArray *)opaque, *b);
    return true;
}

struct fam_lib_book *lt_books(LibTest *t, const FamLibCaller *who,
                              const char *path, size_t *n)
{
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_book));
    uint64_t next;
    bool done;

    g_assert_cmpint(fam_lib_shelf_books(t->lib, who, path, 0, 0, take_book,
                                        a, &next, &done), ==, 0);
    g_assert_true(done);
    *n = a->len;
    return (struct fam_lib_book *)g_array_free(a, FALSE);
}

uint64_t lt_count_state(LibTest *t, uint32_t state)
{
    struct fam_lib_statfs s;

    g_assert_cmpint(fam_lib_statfs(t->lib, &s), ==, 0);
    switch (state) {
    case FAM_LIB_BOOK_FREE:
        return s.books_free;
    case FAM_LIB_BOOK_INUSE:
        return s.books_inuse;
    case FAM_LIB_BOOK_ZOMBIE:
        return s.books_zombie;
    default:
        return s.books_offline;
    }
}

void lt_calls_clear(LibTest *t)
{
    g_array_set_size(t->calls, 0);
}

void lt_expect_call(LibTest *t, size_t i, bool grant, uint32_t node,
                    uint64_t offset, uint64_t len, bool writable)
{
    const HookCall *c;

    g_assert_cmpuint(i, <, t->calls->len);
    c = &g_array_index(t->calls, HookCall, i);
    g_assert_cmpint(c->grant, ==, grant);
    g_assert_cmpuint(c->node, ==, node);
    g_assert_cmpuint(c->offset, ==, offset);
    g_assert_cmpuint(c->len, ==, len);
    if (grant) {
        g_assert_cmpint(c->writable, ==, writable);
    }
}

static sqlite3 *raw_open(LibTest *t)
{
    sqlite3 *db;

    g_assert_cmpint(sqlite3_open(t->db, &db), ==, SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    return db;
}

void lt_sql(LibTest *t, const char *fmt, ...)
{
    va_list ap;
    char *sql, *err = NULL;
    sqlite3 *db = raw_open(t);

    va_start(ap, fmt);
    sql = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        g_error("%s: %s", sql, err);
    }
    g_free(sql);
    sqlite3_close(db);
}

int64_t lt_sql_int(LibTest *t, const char *fmt, ...)
{
    va_list ap;
    char *sql;
    sqlite3_stmt *st;
    int64_t v;
    sqlite3 *db = raw_open(t);

    va_start(ap, fmt);
    sql = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &st, NULL), ==,
                    SQLITE_OK);
    g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    g_free(sql);
    sqlite3_close(db);
    return v;
}

void lt_fill_book(LibTest *t, uint64_t book, uint8_t byte)
{
    memset(t->pool + book * t->model->book_size, byte, t->model->book_size);
}

bool lt_book_is(LibTest *t, uint64_t book, uint8_t byte)
{
    const uint8_t *p = t->pool + book * t->model->book_size;

    for (uint64_t i = 0; i < t->model->book_size; i++) {
        if (p[i] != byte) {
            return false;
        }
    }
    return true;
}
