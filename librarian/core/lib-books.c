/*
 * The pool as a whole: statistics, books and their states, the books of
 * one shelf, and taking media modules offline and back.
 */
#include "lib-int.h"

static void book_read(sqlite3_stmt *st, struct fam_lib_book *b)
{
    memset(b, 0, sizeof(*b));
    b->book = (uint64_t)sqlite3_column_int64(st, 0);
    b->shelf = (uint64_t)sqlite3_column_int64(st, 1);   /* NULL reads 0 */
    b->module = (uint32_t)sqlite3_column_int64(st, 2);
    b->state = (uint32_t)sqlite3_column_int64(st, 3);
}

/* Feed the rows of `st` (book columns, then the cursor key) to fn. */
static int feed_books(FamLib *lib, sqlite3_stmt *st, FamLibBookFn fn,
                      void *opaque, uint64_t *next, bool *done)
{
    int ret;

    while ((ret = lib_step(lib, st)) > 0) {
        struct fam_lib_book b;
        uint64_t key = (uint64_t)sqlite3_column_int64(st, 4);

        book_read(st, &b);
        if (!fn(opaque, &b)) {
            *next = key;
            sqlite3_reset(st);
            return 0;
        }
        *next = key + 1;
    }
    *done = ret == 0;
    return ret;
}

static int64_t cursor_arg(uint64_t cursor)
{
    return cursor > INT64_MAX ? INT64_MAX : (int64_t)cursor;
}

static int do_statfs(FamLib *lib, struct fam_lib_statfs *out)
{
    static const char states[] =
        "SELECT state, total(count) FROM book_counts GROUP BY state";
    static const char shelves[] = "SELECT count(*) FROM shelves";
    const FamModel *m = lib->model;
    sqlite3_stmt *st = lib_sql(lib, states);
    int64_t n;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    memset(out, 0, sizeof(*out));
    out->pool_size = m->pool_size;
    out->book_size = m->book_size;
    out->books_total = m->books;
    out->nodes = m->nodes;
    out->modules = m->modules;
    strncpy(out->model, m->name, sizeof(out->model) - 1);
    while ((ret = lib_step(lib, st)) > 0) {
        uint64_t count = (uint64_t)sqlite3_column_double(st, 1);

        switch (sqlite3_column_int(st, 0)) {
        case FAM_LIB_BOOK_FREE:
            out->books_free = count;
            break;
        case FAM_LIB_BOOK_INUSE:
            out->books_inuse = count;
            break;
        case FAM_LIB_BOOK_ZOMBIE:
            out->books_zombie = count;
            break;
        case FAM_LIB_BOOK_OFFLINE:
            out->books_offline = count;
            break;
        }
    }
    if (ret == 0) {
        ret = lib_query_int(lib, lib_sql(lib, shelves), &n);
        out->shelves = (uint64_t)n;
    }
    return ret;
}

int fam_lib_statfs(FamLib *lib, struct fam_lib_statfs *out)
{
    int ret;

    if (out == NULL) {
        return -EINVAL;
    }
    ret = lib_begin(lib, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_statfs(lib, out));
}

static int do_book_info(FamLib *lib, uint64_t book, struct fam_lib_book *out)
{
    static const char sql[] =
        "SELECT id, shelf, module, state FROM books WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, (int64_t)book);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -ENOENT;
    }
    book_read(st, out);
    sqlite3_reset(st);
    return 0;
}

int fam_lib_book_info(FamLib *lib, uint64_t book, struct fam_lib_book *out)
{
    int ret;

    if (lib == NULL || out == NULL || book >= lib->model->books) {
        return -EINVAL;
    }
    ret = lib_begin(lib, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_book_info(lib, book, out));
}

static int do_list_books(FamLib *lib, uint32_t module, uint64_t cursor,
                         FamLibBookFn fn, void *opaque, uint64_t *next,
                         bool *done)
{
    static const char all[] =
        "SELECT id, shelf, module, state, id FROM books"
        " WHERE id >= ?1 ORDER BY id";
    /* A book may span every module of its interleave set: the books of
     * a module are those of its set (its IG). */
    static const char one[] =
        "SELECT id, shelf, module, state, id FROM books"
        " WHERE ig = (SELECT ig FROM modules WHERE module = ?2)"
        " AND id >= ?1 ORDER BY id";
    sqlite3_stmt *st = lib_sql(lib, module == UINT32_MAX ? all : one);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, cursor_arg(cursor));
    sqlite3_bind_int64(st, 2, module);
    return feed_books(lib, st, fn, opaque, next, done);
}

int fam_lib_list_books(FamLib *lib, uint32_t module, uint64_t cursor,
                       FamLibBookFn fn, void *opaque,
                       uint64_t *next, bool *done)
{
    uint64_t n = cursor;
    bool d = false;
    int ret;

    if (lib == NULL || fn == NULL ||
        (module != UINT32_MAX && module >= lib->model->modules)) {
        return -EINVAL;
    }
    ret = lib_begin(lib, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    ret = lib_end(lib, do_list_books(lib, module, cursor, fn, opaque, &n,
                                     &d));
    return lib_list_out(ret, n, d, next, done);
}

static int do_shelf_books(FamLib *lib, const FamLibCaller *who,
                          const char *path, uint64_t handle, uint64_t cursor,
                          FamLibBookFn fn, void *opaque, uint64_t *next,
                          bool *done)
{
    static const char sql[] =
        "SELECT id, shelf, module, state, seq FROM books"
        " WHERE shelf = ?1 AND seq >= ?2 ORDER BY seq";
    sqlite3_stmt *st;
    int64_t shelf;
    int ret;

    if (path != NULL) {
        LibShelf s;

        ret = lib_resolve(lib, who, path, &s);
        shelf = s.id;
    } else {
        ret = lib_handle(lib, who, handle, &shelf, NULL);
    }
    if (ret < 0) {
        return ret;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, cursor_arg(cursor));
    return feed_books(lib, st, fn, opaque, next, done);
}

int fam_lib_shelf_books(FamLib *lib, const FamLibCaller *who,
                        const char *path, uint64_t handle, uint64_t cursor,
                        FamLibBookFn fn, void *opaque,
                        uint64_t *next, bool *done)
{
    uint64_t n = cursor;
    bool d = false;
    int ret;

    if (fn == NULL) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    ret = lib_end(lib, do_shelf_books(lib, who, path, handle, cursor, fn,
                                      opaque, &n, &d));
    return lib_list_out(ret, n, d, next, done);
}

/*
 * A book lies in one interleave group (IG) and may touch every module of
 * it, so a module going offline takes its whole IG's free books with it,
 * and they come back only when every module of the IG is online again.
 * They come back as ZOMBIE, to be wiped: a repaired module's content is
 * not to be trusted.
 */
static int do_module_status(FamLib *lib, uint32_t module, bool offline)
{
    static const char set[] =
        "UPDATE modules SET offline = ?2 WHERE module = ?1";
    static const char ig_sql[] =
        "SELECT ig, (SELECT count(*) FROM modules o"
        "  WHERE o.ig = m.ig AND o.offline != 0)"
        " FROM modules m WHERE module = ?1";
    static const char to_offline[] =
        "UPDATE books SET state = " SQL_BOOK_OFFLINE
        " WHERE ig = ?1 AND state = " SQL_BOOK_FREE;
    static const char list_back[] =
        "SELECT id FROM books WHERE ig = ?1 AND state = " SQL_BOOK_OFFLINE;
    static const char to_zombie[] =
        "UPDATE books SET state = " SQL_BOOK_ZOMBIE
        " WHERE ig = ?1 AND state = " SQL_BOOK_OFFLINE;
    sqlite3_stmt *st = lib_sql(lib, set);
    int64_t ig, down;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, module);
    sqlite3_bind_int(st, 2, offline);
    ret = lib_run(lib, st);
    st = ret == 0 ? lib_sql(lib, ig_sql) : NULL;
    if (ret < 0 || st == NULL) {
        return ret < 0 ? ret : -EIO;
    }
    sqlite3_bind_int64(st, 1, module);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -EIO;
    }
    ig = sqlite3_column_int64(st, 0);
    down = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);

    if (down > 0) {
        st = lib_sql(lib, to_offline);
        if (st == NULL) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, ig);
        return lib_run(lib, st);
    }
    st = lib_sql(lib, list_back);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, ig);
    while ((ret = lib_step(lib, st)) > 0) {
        ret = lib_queue_zero(lib, (uint64_t)sqlite3_column_int64(st, 0));
        if (ret < 0) {
            sqlite3_reset(st);
            return ret;
        }
    }
    st = ret == 0 ? lib_sql(lib, to_zombie) : NULL;
    if (ret < 0 || st == NULL) {
        return ret < 0 ? ret : -EIO;
    }
    sqlite3_bind_int64(st, 1, ig);
    return lib_run(lib, st);
}

int fam_lib_module_status(FamLib *lib, const FamLibCaller *who,
                          uint32_t module, bool offline)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    if (who->uid != 0) {
        ret = -EPERM;
    } else if (module >= lib->model->modules) {
        ret = -EINVAL;
    } else {
        ret = do_module_status(lib, module, offline);
    }
    return lib_end(lib, ret);
}
