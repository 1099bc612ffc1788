/*
 * Hard links: more names for a file or a symlink (never a directory).
 * A shelf keeps its first name in `shelves`; every further name is a row
 * of `links` with its own full path, so a path still resolves in one
 * query (lib-path.c). Removing a name removes a link row, or, when it is
 * the shelf's own name, promotes one of its links to be that name; only
 * the last name's removal destroys the shelf. nlink counts the names.
 */
#include "lib-int.h"

/* As ext4: a file has at most this many names (EMLINK beyond). */
#define LIB_LINK_MAX 65000

int lib_path_taken(FamLib *lib, const char *path)
{
    static const char sql[] =
        "SELECT EXISTS(SELECT 1 FROM shelves WHERE path = ?1)"
        " OR EXISTS(SELECT 1 FROM links WHERE path = ?1)";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int64_t taken;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    lib_bind_str(st, 1, path);
    ret = lib_query_int(lib, st, &taken);
    return ret < 0 ? ret : taken != 0;
}

/* A file gained or lost `delta` names: its link count and ctime. */
static int add_names(FamLib *lib, int64_t id, int delta)
{
    int ret = lib_add_link(lib, id, delta);

    return ret < 0 ? ret : lib_touch(lib, id, false);
}

static int delete_link(FamLib *lib, int64_t link)
{
    static const char sql[] = "DELETE FROM links WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, link);
    return lib_run(lib, st);
}

/* The shelf's own name goes: its oldest link becomes that name. */
static int promote_link(FamLib *lib, int64_t id, int64_t *promoted)
{
    static const char find[] =
        "SELECT id FROM links WHERE shelf = ?1 ORDER BY id LIMIT 1";
    static const char take[] =
        "UPDATE shelves SET (parent, name, path) ="
        " (SELECT parent, name, path FROM links WHERE id = ?2)"
        " WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, find);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    ret = lib_query_int(lib, st, promoted);
    if (ret < 0) {
        return ret == -ENOENT ? 0 : ret;
    }
    /* The link row goes first: its path moves to the shelf's row */
    st = lib_sql(lib, take);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, *promoted);
    ret = lib_run(lib, st);
    return ret < 0 ? ret : 1;
}

int lib_remove_name(FamLib *lib, const LibShelf *s)
{
    int64_t promoted = 0;
    int ret;

    if (s->link == 0) {
        /* Without links nothing is done: the caller destroys the shelf */
        ret = promote_link(lib, s->id, &promoted);
        if (ret <= 0) {
            return ret;
        }
    }
    ret = delete_link(lib, s->link ? s->link : promoted);
    if (ret == 0) {
        ret = add_names(lib, s->id, -1);
    }
    if (ret == 0) {
        ret = lib_touch(lib, s->parent, true);
    }
    return ret < 0 ? ret : 1;
}

/* Run `sql` (a literal) with ?1 = a row, ?2 parent, ?3 name, ?4 path. */
static int run_name(FamLib *lib, const char *sql, int64_t row,
                    int64_t parent, const char *leaf, const char *path)
{
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_int64(st, 2, parent);
    lib_bind_str(st, 3, leaf);
    lib_bind_str(st, 4, path);
    return lib_run(lib, st);
}

int lib_move_link(FamLib *lib, const LibShelf *s, int64_t parent,
                  const char *leaf, const char *to)
{
    static const char sql[] =
        "UPDATE links SET parent = ?2, name = ?3, path = ?4 WHERE id = ?1";
    int ret = run_name(lib, sql, s->link, parent, leaf, to);

    return ret < 0 ? ret : lib_touch(lib, s->id, false);     /* ctime */
}

static int insert_link(FamLib *lib, int64_t id, int64_t parent,
                       const char *leaf, const char *path)
{
    static const char sql[] =
        "INSERT INTO links(shelf, parent, name, path) VALUES(?1, ?2, ?3, ?4)";

    return run_name(lib, sql, id, parent, leaf, path);
}

/* The checks and their order follow linkat(2) on Linux. */
static int do_link(FamLib *lib, const FamLibCaller *who, const char *from,
                   const char *to, struct fam_lib_attr *out)
{
    LibShelf src, dir;
    const char *leaf;
    int ret = lib_path_check(from);

    if (ret == 0) {
        ret = lib_path_check(to);
    }
    if (ret == 0) {
        ret = lib_lookup(lib, who, from, &src);
    }
    if (ret < 0) {
        return ret;
    }
    if (lib_path_is_root(to)) {
        return -EEXIST;
    }
    ret = lib_resolve_parent(lib, who, to, &dir, &leaf);
    if (ret == 0) {
        ret = lib_path_taken(lib, to);
        ret = ret > 0 ? -EEXIST : ret;
    }
    if (ret < 0) {
        return ret;
    }
    if (!lib_may(who, &dir, LIB_MAY_WRITE | LIB_MAY_EXEC)) {
        return -EACCES;
    }
    if (lib_is_dir(&src)) {
        return -EPERM;
    }
    if (src.nlink >= LIB_LINK_MAX) {
        return -EMLINK;
    }
    ret = insert_link(lib, src.id, dir.id, leaf, to);
    if (ret == 0) {
        ret = add_names(lib, src.id, 1);
    }
    if (ret == 0) {
        ret = lib_touch(lib, dir.id, true);
    }
    return ret < 0 ? ret : lib_attr(lib, src.id, out);
}

int fam_lib_link(FamLib *lib, const FamLibCaller *who, const char *from,
                 const char *to, struct fam_lib_attr *out)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_link(lib, who, from, to, out));
}

/*
 * The shelf's own name, if the caller could reach the shelf by it (a
 * program may not learn a path it may not search).
 */
static int do_getpath(FamLib *lib, const FamLibCaller *who, uint64_t id,
                      char *buf, size_t cap)
{
    static const char sql[] = "SELECT path FROM shelves WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);
    LibShelf s;
    size_t len;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    if (id > INT64_MAX) {
        return -ENOENT;
    }
    sqlite3_bind_int64(st, 1, (int64_t)id);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret == 0 ? -ENOENT : ret;
    }
    len = (size_t)sqlite3_column_bytes(st, 0);
    if (len + 1 > cap || len >= FAM_LIB_PATH_MAX) {
        sqlite3_reset(st);
        return len + 1 > cap ? -ERANGE : -EIO;
    }
    memcpy(buf, sqlite3_column_blob(st, 0), len);
    buf[len] = '\0';
    sqlite3_reset(st);
    ret = lib_lookup(lib, who, buf, &s);
    if (ret == 0 && (uint64_t)s.id != id) {
        ret = -EIO;     /* only a corrupt database: fsck recomputes paths */
    }
    return ret < 0 ? ret : (int)len;
}

int fam_lib_getpath(FamLib *lib, const FamLibCaller *who, uint64_t id,
                    char *buf, size_t cap)
{
    int ret;

    if (buf == NULL) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_READ);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_getpath(lib, who, id, buf, cap));
}
