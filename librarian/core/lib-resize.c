/*
 * Resizing a shelf. Its size is in bytes; its books cover the size
 * rounded up to whole books. Growing allocates by the shelf's policy and
 * grants the new books to every node that has the shelf open; shrinking
 * frees books from the end (only if no other node or process has the
 * shelf open, since they may be using them), revokes them and has them
 * zeroed. Bytes past the new size in the last kept book are wiped too,
 * so that growing again reads zeros, as after truncate(2).
 */
#include "lib-int.h"

/* Grant or revoke books [from_seq, ..) to every node with the shelf
 * open, each as writable as its handles allow. */
static int tell_openers(FamLib *lib, int64_t shelf, uint64_t from_seq,
                        bool grant)
{
    static const char sql[] =
        "SELECT node, max(flags & " SQL_OPEN_WRITE ") FROM opens"
        " WHERE shelf = ?1 GROUP BY node";
    LibRanges rs = { 0 };
    sqlite3_stmt *st;
    int ret = lib_shelf_ranges(lib, shelf, from_seq, &rs);

    st = ret == 0 ? lib_sql(lib, sql) : NULL;
    if (ret == 0 && st == NULL) {
        ret = -EIO;
    }
    if (ret == 0) {
        sqlite3_bind_int64(st, 1, shelf);
        while ((ret = lib_step(lib, st)) > 0) {
            uint32_t node = (uint32_t)sqlite3_column_int64(st, 0);

            ret = grant ? lib_queue_grant(lib, node, &rs,
                                          sqlite3_column_int64(st, 1) != 0)
                        : lib_queue_revoke(lib, node, &rs);
            if (ret < 0) {
                sqlite3_reset(st);
                break;
            }
        }
    }
    lib_ranges_free(&rs);
    return ret;
}

/* The pool offset of byte `pos` of the shelf (which has a book there). */
static int shelf_offset(FamLib *lib, int64_t shelf, uint64_t pos,
                        uint64_t *offset)
{
    static const char sql[] =
        "SELECT id FROM books WHERE shelf = ?1 AND seq = ?2";
    uint64_t bs = lib->model->book_size;
    sqlite3_stmt *st = lib_sql(lib, sql);
    int64_t book;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, (int64_t)(pos / bs));
    ret = lib_query_int(lib, st, &book);
    if (ret == 0) {
        *offset = (uint64_t)book * bs + pos % bs;
    }
    return ret;
}

static int set_size(FamLib *lib, int64_t shelf, uint64_t size,
                    uint64_t nbooks)
{
    static const char sql[] =
        "UPDATE shelves SET size = ?2, nbooks = ?3, mtime = ?4, ctime = ?4"
        " WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, (int64_t)size);
    sqlite3_bind_int64(st, 3, (int64_t)nbooks);
    sqlite3_bind_int64(st, 4, lib_now());
    return lib_run(lib, st);
}

static int resize_shelf(FamLib *lib, const FamLibCaller *who,
                        const LibShelf *s, uint64_t size)
{
    uint64_t bs = lib->model->book_size;
    uint64_t need = lib_books_for(lib, size);
    int ret = 0;

    if (size > INT64_MAX || need > lib->model->books) {
        return -ENOSPC;
    }
    if (need > s->nbooks) {
        ret = lib_alloc_books(lib, who, s, need - s->nbooks);
        if (ret == 0) {
            ret = tell_openers(lib, s->id, s->nbooks, true);
        }
    } else if (need < s->nbooks) {
        uint64_t all, others;

        ret = lib_count_opens(lib, s->id, who, &all, &others);
        if (ret == 0 && others > 0) {
            ret = -EBUSY;
        }
        if (ret == 0) {
            ret = tell_openers(lib, s->id, need, false);
        }
        if (ret == 0) {
            ret = lib_free_books(lib, s->id, need);
        }
    }
    if (ret == 0 && size < s->size && size % bs != 0) {
        uint64_t end = s->size < need * bs ? s->size : need * bs;
        uint64_t offset;

        ret = shelf_offset(lib, s->id, size, &offset);
        if (ret == 0) {
            ret = lib_queue_wipe(lib, offset, end - size);
        }
    }
    return ret < 0 ? ret : set_size(lib, s->id, size, need);
}

static int do_resize(FamLib *lib, const FamLibCaller *who, const char *path,
                     uint64_t handle, uint64_t size, struct fam_lib_attr *out)
{
    LibShelf s;
    int ret;

    if (path != NULL) {
        ret = lib_resolve(lib, who, path, &s);
        if (ret < 0) {
            return ret;
        }
        if (lib_is_dir(&s)) {
            return -EISDIR;
        }
        if (!lib_is_reg(&s)) {
            return -EINVAL;
        }
        if (!lib_may(who, &s, LIB_MAY_WRITE)) {
            return -EACCES;
        }
    } else {
        int64_t shelf;
        uint32_t flags;

        ret = lib_handle(lib, who, handle, &shelf, &flags);
        if (ret == 0 && !(flags & FAM_LIB_OPEN_WRITE)) {
            ret = -EINVAL;  /* as ftruncate(2) on a read-only descriptor */
        }
        if (ret == 0) {
            ret = lib_shelf_by_id(lib, shelf, &s);
        }
        if (ret < 0) {
            return ret;
        }
    }
    ret = resize_shelf(lib, who, &s, size);
    return ret < 0 ? ret : lib_attr(lib, s.id, out);
}

int fam_lib_resize(FamLib *lib, const FamLibCaller *who, const char *path,
                   uint64_t handle, uint64_t size, struct fam_lib_attr *out)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_resize(lib, who, path, handle, size, out));
}
