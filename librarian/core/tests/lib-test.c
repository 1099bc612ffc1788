/*
 * Helpers of the Librarian core's unit tests (lib-test.h).
 */
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <glib/gstdio.h>

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

static void hook_grant(void *opaque, uint32_t node, uint64_t offset,
                       uint64_t len, bool writable)
{
    LibTest *t = opaque;
    HookCall c = { true, writable, node, offset, len };

    g_array_append_val(t->calls, c);
}

static void hook_revoke(void *opaque, uint32_t node, uint64_t offset,
                        uint64_t len)
{
    LibTest *t = opaque;
    HookCall c = { false, false, node, offset, len };

    g_array_append_val(t->calls, c);
}

static LibTest *lt_new(FamModel *model, char *text)
{
    LibTest *t = g_new0(LibTest, 1);
    GError *err = NULL;

    t->dir = g_dir_make_tmp("fam-lib-XXXXXX", &err);
    g_assert_no_error(err);
    t->db = g_build_filename(t->dir, "pool" FAM_LIB_DB_SUFFIX, NULL);
    t->model = model;
    t->model_text = text;
    /* Anonymous memory: untouched pages cost nothing, the pool starts
     * zeroed as a fresh pool file does, and malloc debugging (meson sets
     * MALLOC_PERTURB_) does not fill 64 MiB at every free. */
    t->pool = mmap(NULL, model->pool_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    g_assert_true(t->pool != MAP_FAILED);
    t->calls = g_array_new(FALSE, FALSE, sizeof(HookCall));
    t->seed = 42;
    lt_open(t);
    return t;
}

LibTest *lt_grid(void)
{
    GError *err = NULL;
    FamModel *m = fam_model_load_data(grid_text, "grid.ini", 8, 64 * MiB,
                                      &err);

    g_assert_no_error(err);
    return lt_new(m, g_strdup(grid_text));
}

LibTest *lt_shipped(const char *name, uint32_t nodes, uint64_t pool)
{
    FamModelParams params = { nodes, pool, 2 * MiB };
    GError *err = NULL;
    char *path = fam_model_find(name, FAM_MODELS_DIR, &err);
    char *text = NULL;
    FamModel *m;

    g_assert_no_error(err);
    g_assert_true(g_file_get_contents(path, &text, NULL, &err));
    m = fam_model_load_params(path, &params, &err);
    g_assert_no_error(err);
    g_free(path);
    return lt_new(m, text);
}

FamLib *lt_try_open(LibTest *t, const FamModel *model, void *pool,
                    char **errmsg)
{
    FamLibConfig cfg = {
        .db_path = t->db,
        .model = model,
        .pool = pool,
        .hooks = { t, hook_grant, hook_revoke },
        .model_text = t->model_text,
        .seed = t->seed,
    };

    return fam_lib_open(&cfg, errmsg);
}

void lt_open(LibTest *t)
{
    char *err = NULL;

    t->lib = lt_try_open(t, t->model, t->pool, &err);
    if (t->lib == NULL) {
        g_error("fam_lib_open: %s", err ? err : "?");
    }
    g_assert_null(err);
}

void lt_reopen(LibTest *t)
{
    fam_lib_close(t->lib);
    lt_open(t);
}

static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (d == NULL) {
        return;
    }
    while ((name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);

        g_unlink(p);
        g_free(p);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

void lt_free(LibTest *t)
{
    fam_lib_close(t->lib);
    remove_tree(t->dir);
    munmap(t->pool, t->model->pool_size);
    fam_model_free(t->model);
    g_free(t->model_text);
    g_array_free(t->calls, TRUE);
    g_free(t->db);
    g_free(t->dir);
    g_free(t);
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
