/*
 * Paths and permissions: checking a path's syntax, resolving it to its
 * shelf with ONE indexed query (the full path is a unique key, and the
 * same query checks search permission on every ancestor), and the mode
 * and ownership rules of access(2).
 */
#include "lib-int.h"

/* The columns of LibShelf, in lib_shelf_read()'s order, from alias s. */
#define SHELF_COLS \
    "s.id, s.parent, s.mode, s.uid, s.gid, s.nlink, s.size, s.nbooks," \
    " s.atime, s.mtime, s.ctime, s.policy, s.ireq_pos"
#define SHELF_NCOLS 13

static void lib_shelf_read(sqlite3_stmt *st, LibShelf *s)
{
    s->id = sqlite3_column_int64(st, 0);
    s->parent = sqlite3_column_int64(st, 1);
    s->link = 0;
    s->mode = (uint32_t)sqlite3_column_int64(st, 2);
    s->uid = (uint32_t)sqlite3_column_int64(st, 3);
    s->gid = (uint32_t)sqlite3_column_int64(st, 4);
    s->nlink = (uint32_t)sqlite3_column_int64(st, 5);
    s->size = (uint64_t)sqlite3_column_int64(st, 6);
    s->nbooks = (uint64_t)sqlite3_column_int64(st, 7);
    s->atime = sqlite3_column_int64(st, 8);
    s->mtime = sqlite3_column_int64(st, 9);
    s->ctime = sqlite3_column_int64(st, 10);
    s->policy = sqlite3_column_type(st, 11) == SQLITE_NULL
        ? -1 : (int32_t)sqlite3_column_int64(st, 11);
    s->ireq_pos = (uint32_t)sqlite3_column_int64(st, 12);
}

int lib_path_check(const char *path)
{
    size_t len;
    const char *p;

    if (path == NULL || path[0] != '/') {
        return -EINVAL;
    }
    len = strnlen(path, FAM_LIB_PATH_MAX);
    if (len >= FAM_LIB_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    if (len == 1) {
        return 0;
    }
    for (p = path + 1;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);

        if (n == 0 || (n == 1 && p[0] == '.') ||
            (n == 2 && p[0] == '.' && p[1] == '.')) {
            return -EINVAL;
        }
        if (n > FAM_LIB_NAME_MAX) {
            return -ENAMETOOLONG;
        }
        if (slash == NULL) {
            return 0;
        }
        p = slash + 1;
    }
}

bool lib_path_is_root(const char *path)
{
    return path[0] == '/' && path[1] == '\0';
}

void lib_path_split(const char *path, char *parent, const char **leaf)
{
    const char *slash = strrchr(path, '/');
    size_t n = (size_t)(slash - path);

    if (n == 0) {
        strcpy(parent, "/");
    } else {
        memcpy(parent, path, n);
        parent[n] = '\0';
    }
    *leaf = slash + 1;
}

int lib_check_caller(FamLib *lib, const FamLibCaller *who)
{
    if (who == NULL ||
        (who->node >= lib->model->nodes && who->node != FAM_LIB_NODE_HOST)) {
        return -EINVAL;
    }
    return 0;
}

bool lib_is_dir(const LibShelf *s)
{
    return (s->mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFDIR;
}

bool lib_is_reg(const LibShelf *s)
{
    return (s->mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFREG;
}

bool lib_is_lnk(const LibShelf *s)
{
    return (s->mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFLNK;
}

bool lib_may(const FamLibCaller *who, const LibShelf *s, int mask)
{
    uint32_t bits;

    if (who->uid == 0) {
        /* The superuser reads and writes anything and searches every
         * directory, but executes only what somebody may execute. */
        return !(mask & LIB_MAY_EXEC) || lib_is_dir(s) || (s->mode & 0111);
    }
    if (who->uid == s->uid) {
        bits = s->mode >> 6;
    } else if (who->gid == s->gid) {
        bits = s->mode >> 3;
    } else {
        bits = s->mode;
    }
    return ((int)bits & mask) == mask;
}

bool lib_may_delete(const FamLibCaller *who, const LibShelf *dir,
                    const LibShelf *victim)
{
    return !(dir->mode & LIB_S_ISVTX) || who->uid == 0 ||
           who->uid == victim->uid || who->uid == dir->uid;
}

/*
 * The shelf at `path` (its own name or a hard link's), and how many of
 * the ancestors on that path the caller may not search: a recursive walk
 * up the parent links by primary key, inside the same statement. The
 * depth bound only matters for a corrupt database whose parent links
 * loop.
 */
static int lookup_one(FamLib *lib, const FamLibCaller *who, const char *path,
                      LibShelf *out, int64_t *denied)
{
    static const char sql[] =
        "SELECT " SHELF_COLS ","
        " (WITH RECURSIVE anc(id, depth) AS ("
        "    SELECT h.parent, 0"
        "    UNION ALL SELECT p.parent, anc.depth + 1 FROM shelves p"
        "     JOIN anc ON p.id = anc.id WHERE anc.depth < 600)"
        "  SELECT count(*) FROM anc JOIN shelves a ON a.id = anc.id"
        "   WHERE ?2 != 0 AND (CASE WHEN a.uid = ?2 THEN a.mode >> 6"
        "    WHEN a.gid = ?3 THEN a.mode >> 3 ELSE a.mode END) & "
        SQL_MAY_EXEC " = 0),"
        " h.link, h.parent"
        " FROM (SELECT id AS shelf, parent, 0 AS link FROM shelves"
        "        WHERE path = ?1"
        "       UNION ALL SELECT shelf, parent, id FROM links"
        "        WHERE path = ?1 LIMIT 1) h"
        " JOIN shelves s ON s.id = h.shelf";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    lib_bind_str(st, 1, path);
    sqlite3_bind_int64(st, 2, who->uid);
    sqlite3_bind_int64(st, 3, who->gid);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret == 0 ? -ENOENT : ret;
    }
    lib_shelf_read(st, out);
    *denied = sqlite3_column_int64(st, SHELF_NCOLS);
    out->link = sqlite3_column_int64(st, SHELF_NCOLS + 1);
    out->parent = sqlite3_column_int64(st, SHELF_NCOLS + 2);
    sqlite3_reset(st);
    return 0;
}

/*
 * A path that does not resolve: say why as a file system would, from the
 * nearest existing prefix: ENOTDIR if it is not a directory, EACCES if
 * the caller may not search it, else ENOENT. Only on this error path does
 * the walk take more than one query.
 */
static int lookup_miss(FamLib *lib, const FamLibCaller *who, const char *path)
{
    char prefix[FAM_LIB_PATH_MAX];
    LibShelf s;
    int64_t denied;
    const char *leaf;

    strcpy(prefix, path);
    while (!lib_path_is_root(prefix)) {
        char up[FAM_LIB_PATH_MAX];
        int ret;

        lib_path_split(prefix, up, &leaf);
        strcpy(prefix, up);
        ret = lookup_one(lib, who, prefix, &s, &denied);
        if (ret == -ENOENT) {
            continue;
        }
        if (ret < 0) {
            return ret;
        }
        if (!lib_is_dir(&s)) {
            return -ENOTDIR;
        }
        if (denied || !lib_may(who, &s, LIB_MAY_EXEC)) {
            return -EACCES;
        }
        return -ENOENT;
    }
    return -ENOENT;
}

int lib_lookup(FamLib *lib, const FamLibCaller *who, const char *path,
               LibShelf *out)
{
    int64_t denied;
    int ret = lookup_one(lib, who, path, out, &denied);

    if (ret == -ENOENT) {
        return lookup_miss(lib, who, path);
    }
    if (ret < 0) {
        return ret;
    }
    return denied ? -EACCES : 0;
}

int lib_resolve(FamLib *lib, const FamLibCaller *who, const char *path,
                LibShelf *out)
{
    int ret = lib_path_check(path);

    return ret < 0 ? ret : lib_lookup(lib, who, path, out);
}

int lib_shelf_by_id(FamLib *lib, int64_t id, LibShelf *out)
{
    static const char sql[] =
        "SELECT " SHELF_COLS " FROM shelves s WHERE s.id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret == 0 ? -ENOENT : ret;
    }
    lib_shelf_read(st, out);
    sqlite3_reset(st);
    return 0;
}

int lib_resolve_parent(FamLib *lib, const FamLibCaller *who,
                       const char *path, LibShelf *dir, const char **leaf)
{
    char parent[FAM_LIB_PATH_MAX];
    int ret;

    lib_path_split(path, parent, leaf);
    ret = lib_lookup(lib, who, parent, dir);
    if (ret < 0) {
        return ret;
    }
    if (!lib_is_dir(dir)) {
        return -ENOTDIR;
    }
    return lib_may(who, dir, LIB_MAY_EXEC) ? 0 : -EACCES;
}

int lib_attr(FamLib *lib, int64_t id, struct fam_lib_attr *out)
{
    static const char sql[] =
        "SELECT " SHELF_COLS ","
        " (SELECT count(*) FROM opens o WHERE o.shelf = s.id)"
        " FROM shelves s WHERE s.id = ?1";
    sqlite3_stmt *st;
    LibShelf s;
    int ret;

    if (out == NULL) {
        return 0;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret == 0 ? -ENOENT : ret;
    }
    lib_shelf_read(st, &s);
    memset(out, 0, sizeof(*out));
    out->id = (uint64_t)s.id;
    out->parent = (uint64_t)s.parent;
    out->size = s.size;
    out->books = s.nbooks;
    out->atime_ns = s.atime;
    out->mtime_ns = s.mtime;
    out->ctime_ns = s.ctime;
    out->mode = s.mode;
    out->nlink = s.nlink;
    out->uid = s.uid;
    out->gid = s.gid;
    out->opens = (uint32_t)sqlite3_column_int64(st, SHELF_NCOLS);
    sqlite3_reset(st);
    return 0;
}

int lib_touch(FamLib *lib, int64_t id, bool mtime)
{
    static const char sql[] =
        "UPDATE shelves SET ctime = ?2,"
        " mtime = CASE WHEN ?3 THEN ?2 ELSE mtime END WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, lib_now());
    sqlite3_bind_int(st, 3, mtime);
    return lib_run(lib, st);
}
