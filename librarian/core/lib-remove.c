/*
 * Removing shelves: unlink (files and symlinks) and rmdir. Unlinking one
 * of several names of a file removes that name only (lib-link.c). A shelf
 * open anywhere cannot be destroyed (-EBUSY): its books may be mapped on
 * some node, and are only zeroed and reused once nobody can reach them.
 * /lost+found, where fsck puts what it finds, cannot be removed.
 */
#include "lib-int.h"

static int delete_rows(FamLib *lib, int64_t id)
{
    static const char *const sql[] = {
        "DELETE FROM xattrs WHERE shelf = ?1",
        "DELETE FROM links WHERE shelf = ?1",
        "DELETE FROM opens WHERE shelf = ?1",
        "DELETE FROM shelves WHERE id = ?1",
    };

    for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
        sqlite3_stmt *st = lib_sql(lib, sql[i]);
        int ret;

        if (st == NULL) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, id);
        ret = lib_run(lib, st);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

int lib_destroy_shelf(FamLib *lib, const LibShelf *s)
{
    int ret = lib_free_books(lib, s->id, 0);

    if (ret == 0) {
        ret = delete_rows(lib, s->id);
    }
    if (ret == 0 && lib_is_dir(s)) {
        ret = lib_add_link(lib, s->parent, -1);
    }
    if (ret == 0) {
        ret = lib_touch(lib, s->parent, true);
    }
    return ret;
}

int lib_dir_empty(FamLib *lib, int64_t id)
{
    static const char sql[] =
        "SELECT EXISTS(SELECT 1 FROM shelves WHERE parent = ?1)"
        " OR EXISTS(SELECT 1 FROM links WHERE parent = ?1)";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int64_t any;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    ret = lib_query_int(lib, st, &any);
    return ret < 0 ? ret : !any;
}

/* Find the victim and check the caller may remove it from its directory
 * (write and search there, and the sticky bit's owner rule). */
static int removable(FamLib *lib, const FamLibCaller *who, const char *path,
                     LibShelf *s)
{
    LibShelf dir;
    const char *leaf;
    int ret = lib_resolve_parent(lib, who, path, &dir, &leaf);

    if (ret == 0) {
        ret = lib_lookup(lib, who, path, s);
    }
    if (ret < 0) {
        return ret;
    }
    if (!lib_may(who, &dir, LIB_MAY_WRITE | LIB_MAY_EXEC)) {
        return -EACCES;
    }
    return lib_may_delete(who, &dir, s) ? 0 : -EPERM;
}

static int do_unlink(FamLib *lib, const FamLibCaller *who, const char *path)
{
    LibShelf s;
    uint64_t opens;
    int ret = lib_path_check(path);

    if (ret < 0) {
        return ret;
    }
    if (lib_path_is_root(path)) {
        return -EISDIR;
    }
    ret = removable(lib, who, path, &s);
    if (ret < 0) {
        return ret;
    }
    if (lib_is_dir(&s)) {
        return -EISDIR;
    }
    ret = lib_remove_name(lib, &s);
    if (ret != 0) {
        return ret < 0 ? ret : 0;
    }
    ret = lib_count_opens(lib, s.id, NULL, &opens, NULL);
    if (ret == 0 && opens > 0) {
        ret = -EBUSY;
    }
    return ret < 0 ? ret : lib_destroy_shelf(lib, &s);
}

int fam_lib_unlink(FamLib *lib, const FamLibCaller *who, const char *path)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_unlink(lib, who, path));
}

static int do_rmdir(FamLib *lib, const FamLibCaller *who, const char *path)
{
    LibShelf s;
    int ret = lib_path_check(path);

    if (ret < 0) {
        return ret;
    }
    if (lib_path_is_root(path)) {
        return -EBUSY;
    }
    ret = removable(lib, who, path, &s);
    if (ret < 0) {
        return ret;
    }
    if (!lib_is_dir(&s)) {
        return -ENOTDIR;
    }
    if (s.id == LIB_LOST_FOUND_ID) {
        return -EPERM;
    }
    ret = lib_dir_empty(lib, s.id);
    if (ret == 0) {
        ret = -ENOTEMPTY;
    }
    return ret < 0 ? ret : lib_destroy_shelf(lib, &s);
}

int fam_lib_rmdir(FamLib *lib, const FamLibCaller *who, const char *path)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_rmdir(lib, who, path));
}
