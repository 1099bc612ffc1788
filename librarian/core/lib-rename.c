/*
 * Rename, as renameat2(2): the target, if present, is replaced when it is
 * a file (for a file) or an empty directory (for a directory), unless
 * FAM_LIB_RENAME_NOREPLACE (then EEXIST); FAM_LIB_RENAME_EXCHANGE swaps
 * two present names, files or directories, atomically. Two names of the
 * same file (hard links) are left as they are. Renaming a directory
 * rewrites the stored full path of everything below it, shelves and
 * hard links, one statement each: its descendants are exactly the paths
 * in the byte range ["from/", "from0") ('0' follows '/' in ASCII), an
 * index range scan.
 */
#include "lib-int.h"

/* Bind the range of paths strictly below `dir` to ?lo and ?hi. */
static void bind_subtree(sqlite3_stmt *st, int lo, int hi, const char *dir,
                         char *buf_lo, char *buf_hi)
{
    size_t n = strlen(dir);

    memcpy(buf_lo, dir, n);
    memcpy(buf_hi, dir, n);
    buf_lo[n] = '/';
    buf_hi[n] = '0';
    sqlite3_bind_blob(st, lo, buf_lo, (int)n + 1, SQLITE_STATIC);
    sqlite3_bind_blob(st, hi, buf_hi, (int)n + 1, SQLITE_STATIC);
}

/* Would a descendant's path grow past FAM_LIB_PATH_MAX? */
static int check_subtree_len(FamLib *lib, const char *from, const char *to)
{
    static const char sql[] =
        "SELECT max(ifnull((SELECT max(length(path)) FROM shelves"
        "  WHERE path >= ?1 AND path < ?2), 0),"
        " ifnull((SELECT max(length(path)) FROM links"
        "  WHERE path >= ?1 AND path < ?2), 0))";
    char lo[FAM_LIB_PATH_MAX + 1], hi[FAM_LIB_PATH_MAX + 1];
    sqlite3_stmt *st = lib_sql(lib, sql);
    int64_t longest;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    bind_subtree(st, 1, 2, from, lo, hi);
    ret = lib_query_int(lib, st, &longest);
    if (ret < 0) {
        return ret;
    }
    if (longest > 0 &&
        (uint64_t)longest - strlen(from) + strlen(to) >= FAM_LIB_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    return 0;
}

static int move_subtree(FamLib *lib, const char *from, const char *to)
{
    static const char *const sql[] = {
        "UPDATE shelves SET path = CAST(?3 || substr(path, ?4) AS BLOB)"
        " WHERE path >= ?1 AND path < ?2",
        "UPDATE links SET path = CAST(?3 || substr(path, ?4) AS BLOB)"
        " WHERE path >= ?1 AND path < ?2",
    };
    char lo[FAM_LIB_PATH_MAX + 1], hi[FAM_LIB_PATH_MAX + 1];
    int ret = 0;

    for (size_t i = 0; ret == 0 && i < sizeof(sql) / sizeof(sql[0]); i++) {
        sqlite3_stmt *st = lib_sql(lib, sql[i]);

        if (st == NULL) {
            return -EIO;
        }
        bind_subtree(st, 1, 2, from, lo, hi);
        lib_bind_str(st, 3, to);
        sqlite3_bind_int64(st, 4, (int64_t)strlen(from) + 1);
        ret = lib_run(lib, st);
    }
    return ret;
}

static int move_shelf(FamLib *lib, int64_t id, int64_t parent,
                      const char *leaf, const char *to)
{
    static const char sql[] =
        "UPDATE shelves SET parent = ?2, name = ?3, path = ?4, ctime = ?5"
        " WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, parent);
    lib_bind_str(st, 3, leaf);
    lib_bind_str(st, 4, to);
    sqlite3_bind_int64(st, 5, lib_now());
    return lib_run(lib, st);
}

/* The target exists: may it go, and then let it go. */
static int replace_target(FamLib *lib, const FamLibCaller *who,
                          const LibShelf *src, const LibShelf *tdir,
                          const LibShelf *dst)
{
    uint64_t opens;
    int ret;

    if (dst->id == LIB_LOST_FOUND_ID) {
        return -EPERM;
    }
    if (lib_is_dir(src)) {
        if (!lib_is_dir(dst)) {
            return -ENOTDIR;
        }
        ret = lib_dir_empty(lib, dst->id);
        if (ret <= 0) {
            return ret < 0 ? ret : -ENOTEMPTY;
        }
    } else if (lib_is_dir(dst)) {
        return -EISDIR;
    }
    if (!lib_may_delete(who, tdir, dst)) {
        return -EPERM;
    }
    ret = lib_remove_name(lib, dst);
    if (ret != 0) {
        return ret < 0 ? ret : 0;   /* the file keeps its other names */
    }
    ret = lib_count_opens(lib, dst->id, NULL, &opens, NULL);
    if (ret == 0 && opens > 0) {
        ret = -EBUSY;
    }
    return ret < 0 ? ret : lib_destroy_shelf(lib, dst);
}

/* Is `path` strictly below `dir`? */
static bool path_below(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/*
 * Move the name `s` was found by to `to`: a hard link, or the shelf's own
 * name (and, for a directory, everything below it).
 */
static int move_tree(FamLib *lib, const LibShelf *s, const char *from,
                     int64_t parent, const char *leaf, const char *to)
{
    int ret;

    if (s->link) {
        return lib_move_link(lib, s, parent, leaf, to);
    }
    ret = move_shelf(lib, s->id, parent, leaf, to);

    if (ret == 0 && lib_is_dir(s)) {
        ret = move_subtree(lib, from, to);
    }
    return ret;
}

/*
 * A path no shelf can have (real ones start with '/'): where the source
 * waits while the target takes its place in an exchange.
 */
#define LIB_EXCHANGE_PARKING "\x01exchange"

/*
 * RENAME_EXCHANGE: `from` and `to` (both present) trade places in one
 * transaction; each keeps its id, so open handles follow it.
 */
static int exchange(FamLib *lib, const FamLibCaller *who,
                    const LibShelf *fdir, const char *fleaf,
                    const LibShelf *tdir, const char *tleaf,
                    const LibShelf *src, const char *from,
                    const char *to)
{
    LibShelf dst;
    int ret = lib_lookup(lib, who, to, &dst);
    int dirs;

    if (ret < 0) {
        return ret;
    }
    if (dst.id == LIB_LOST_FOUND_ID) {
        return -EPERM;
    }
    if (!lib_may_delete(who, tdir, &dst)) {
        return -EPERM;
    }
    if (lib_is_dir(&dst) && path_below(from, to)) {
        return -EINVAL;     /* the source is below the target */
    }
    if (src->id == dst.id) {
        return 0;
    }
    if (lib_is_dir(src)) {
        ret = check_subtree_len(lib, from, to);
    }
    if (ret == 0 && lib_is_dir(&dst)) {
        ret = check_subtree_len(lib, to, from);
    }
    if (ret == 0) {
        ret = move_tree(lib, src, from, fdir->id, fleaf,
                        LIB_EXCHANGE_PARKING);
    }
    if (ret == 0) {
        ret = move_tree(lib, &dst, to, fdir->id, fleaf, from);
    }
    if (ret == 0) {
        ret = move_tree(lib, src, LIB_EXCHANGE_PARKING, tdir->id, tleaf, to);
    }
    /* A directory's ".." is a link of its parent */
    dirs = (int)lib_is_dir(src) - (int)lib_is_dir(&dst);
    if (ret == 0 && dirs != 0 && fdir->id != tdir->id) {
        ret = lib_add_link(lib, fdir->id, -dirs);
        if (ret == 0) {
            ret = lib_add_link(lib, tdir->id, dirs);
        }
    }
    return ret;
}

static int do_rename(FamLib *lib, const FamLibCaller *who, const char *from,
                     const char *to, uint32_t flags)
{
    LibShelf fdir, tdir, src, dst;
    const char *fleaf, *tleaf;
    int ret = lib_path_check(from);

    if (flags & ~(FAM_LIB_RENAME_NOREPLACE | FAM_LIB_RENAME_EXCHANGE) ||
        flags == (FAM_LIB_RENAME_NOREPLACE | FAM_LIB_RENAME_EXCHANGE)) {
        return -EINVAL;
    }
    if (ret == 0) {
        ret = lib_path_check(to);
    }
    if (ret < 0) {
        return ret;
    }
    if (lib_path_is_root(from) || lib_path_is_root(to)) {
        return -EBUSY;
    }
    ret = lib_resolve_parent(lib, who, from, &fdir, &fleaf);
    if (ret == 0) {
        ret = lib_lookup(lib, who, from, &src);
    }
    if (ret == 0 && lib_is_dir(&src) && path_below(to, from)) {
        return -EINVAL;     /* into its own subtree */
    }
    if (ret == 0) {
        ret = lib_resolve_parent(lib, who, to, &tdir, &tleaf);
    }
    if (ret < 0) {
        return ret;
    }
    if (src.id == LIB_LOST_FOUND_ID) {
        return -EPERM;
    }
    if (!lib_may(who, &fdir, LIB_MAY_WRITE | LIB_MAY_EXEC) ||
        !lib_may(who, &tdir, LIB_MAY_WRITE | LIB_MAY_EXEC)) {
        return -EACCES;
    }
    if (!lib_may_delete(who, &fdir, &src)) {
        return -EPERM;
    }
    if (flags & FAM_LIB_RENAME_EXCHANGE) {
        ret = exchange(lib, who, &fdir, fleaf, &tdir, tleaf, &src, from, to);
    } else {
        ret = lib_lookup(lib, who, to, &dst);
        if (ret == 0 && (flags & FAM_LIB_RENAME_NOREPLACE)) {
            return -EEXIST;
        }
        if (ret == 0 && src.id == dst.id) {
            return 0;   /* the same name, or two names of one file */
        }
        if (ret == 0) {
            ret = replace_target(lib, who, &src, &tdir, &dst);
        } else if (ret == -ENOENT) {
            ret = 0;
        }
        if (ret == 0 && lib_is_dir(&src)) {
            ret = check_subtree_len(lib, from, to);
        }
        if (ret == 0) {
            ret = move_tree(lib, &src, from, tdir.id, tleaf, to);
        }
        if (ret == 0 && lib_is_dir(&src) && fdir.id != tdir.id) {
            ret = lib_add_link(lib, fdir.id, -1);
            if (ret == 0) {
                ret = lib_add_link(lib, tdir.id, 1);
            }
        }
    }
    if (ret == 0) {
        ret = lib_touch(lib, fdir.id, true);
    }
    if (ret == 0 && tdir.id != fdir.id) {
        ret = lib_touch(lib, tdir.id, true);
    }
    return ret;
}

int fam_lib_rename(FamLib *lib, const FamLibCaller *who, const char *from,
                   const char *to, uint32_t flags)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_rename(lib, who, from, to, flags));
}
