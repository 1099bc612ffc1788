/*
 * Listing a directory. Every name has a key that never changes while it
 * stays put: a shelf's own name its id, a hard link LINK_KEY_BASE + its
 * row. Entries come in key order and the cursor is the key to resume at,
 * so a listing in pages returns every entry that stays put exactly once,
 * however the directory changes in between. "." and ".." are not
 * listed: the client knows them.
 */
#include "lib-int.h"

/* Above every shelf id: keys of hard links (see above). */
#define LINK_KEY_BASE "4611686018427387904"     /* 2^62 */

static int do_readdir(FamLib *lib, const FamLibCaller *who, const char *path,
                      uint64_t cursor, FamLibDirFn fn, void *opaque,
                      uint64_t *next, bool *done)
{
    static const char sql[] =
        "SELECT k, id, mode, name FROM"
        " (SELECT id AS k, id, mode, name FROM shelves"
        "   WHERE parent = ?1 AND id >= ?2"
        "  UNION ALL SELECT " LINK_KEY_BASE " + l.id, s.id, s.mode, l.name"
        "   FROM links l JOIN shelves s ON s.id = l.shelf"
        "   WHERE l.parent = ?1 AND l.id >= ?2 - " LINK_KEY_BASE ")"
        " ORDER BY k";
    char name[FAM_LIB_NAME_MAX + 1];
    sqlite3_stmt *st;
    LibShelf dir;
    int ret = lib_resolve(lib, who, path, &dir);

    if (ret < 0) {
        return ret;
    }
    if (!lib_is_dir(&dir)) {
        return -ENOTDIR;
    }
    if (!lib_may(who, &dir, LIB_MAY_READ)) {
        return -EACCES;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, dir.id);
    sqlite3_bind_int64(st, 2, cursor > INT64_MAX ? INT64_MAX
                                                 : (int64_t)cursor);
    while ((ret = lib_step(lib, st)) > 0) {
        uint64_t key = (uint64_t)sqlite3_column_int64(st, 0);
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);

        if (len > FAM_LIB_NAME_MAX) {
            len = FAM_LIB_NAME_MAX;     /* only a corrupt row */
        }
        memcpy(name, sqlite3_column_blob(st, 3), len);
        name[len] = '\0';
        if (!fn(opaque, id, (uint32_t)sqlite3_column_int64(st, 2), name,
                key + 1)) {
            *next = key;
            sqlite3_reset(st);
            return 0;
        }
        *next = key + 1;
    }
    *done = ret == 0;
    return ret;
}

int fam_lib_readdir(FamLib *lib, const FamLibCaller *who, const char *path,
                    uint64_t cursor, FamLibDirFn fn, void *opaque,
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
    ret = lib_end(lib, do_readdir(lib, who, path, cursor, fn, opaque, &n,
                                  &d));
    return lib_list_out(ret, n, d, next, done);
}
