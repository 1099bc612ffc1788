/*
 * Making shelves: files, directories and symlinks, and reading them back
 * (getattr, readlink). A new shelf is owned by the caller (or, made by the
 * superuser for someone else, by that owner); its group is the owner's,
 * or the directory's if the directory is set-group-ID (as in Linux); it
 * takes the allocation policy of its directory if one was set there, else
 * the default policy current at its creation.
 */
#include "lib-int.h"

static int do_getattr(FamLib *lib, const FamLibCaller *who, const char *path,
                      struct fam_lib_attr *out)
{
    LibShelf s;
    int ret = lib_resolve(lib, who, path, &s);

    return ret < 0 ? ret : lib_attr(lib, s.id, out);
}

int fam_lib_getattr(FamLib *lib, const FamLibCaller *who, const char *path,
                    struct fam_lib_attr *out)
{
    int ret;

    if (out == NULL) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_getattr(lib, who, path, out));
}

/* What a new shelf is made of. */
typedef struct NewShelf {
    uint32_t type;          /* FAM_LIB_S_IF* */
    uint32_t perm;          /* 07777 */
    const char *target;     /* symlinks */
    uint32_t uid;           /* the owner: the caller's unless made for */
    uint32_t gid;           /* someone else (fam_lib_make_owned) */
} NewShelf;

static int insert_shelf(FamLib *lib, const LibShelf *dir, const char *path,
                        const char *leaf, const NewShelf *ns, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO shelves(parent, name, path, mode, uid, gid, size,"
        " nlink, atime, mtime, ctime, target, policy)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?9, ?10, ?11)";
    sqlite3_stmt *st = lib_sql(lib, sql);
    uint32_t perm = ns->perm;
    uint32_t gid = ns->gid;
    int64_t policy = ns->type == FAM_LIB_S_IFLNK ? -1 : dir->policy;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    if (dir->mode & LIB_S_ISGID) {
        gid = dir->gid;
        if (ns->type == FAM_LIB_S_IFDIR) {
            perm |= LIB_S_ISGID;
        }
    }
    /* As Linux: set-group-ID on a file only for a member of its group. */
    if (ns->type == FAM_LIB_S_IFREG && ns->uid != 0 && gid != ns->gid) {
        perm &= ~LIB_S_ISGID;
    }
    if (policy < 0 && ns->type == FAM_LIB_S_IFREG) {
        FamPolicy p;

        ret = lib_default_policy(lib, &p);
        if (ret < 0) {
            return ret;
        }
        policy = p;
    }
    sqlite3_bind_int64(st, 1, dir->id);
    lib_bind_str(st, 2, leaf);
    lib_bind_str(st, 3, path);
    sqlite3_bind_int64(st, 4, ns->type | perm);
    sqlite3_bind_int64(st, 5, ns->uid);
    sqlite3_bind_int64(st, 6, gid);
    sqlite3_bind_int64(st, 7, ns->target ? (int64_t)strlen(ns->target) : 0);
    sqlite3_bind_int64(st, 8, ns->type == FAM_LIB_S_IFDIR ? 2 : 1);
    sqlite3_bind_int64(st, 9, lib_now());
    if (ns->target) {
        lib_bind_str(st, 10, ns->target);
    }
    if (policy >= 0) {
        sqlite3_bind_int64(st, 11, policy);
    }
    ret = lib_run(lib, st);
    if (ret < 0) {
        return ret;
    }
    *id = sqlite3_last_insert_rowid(lib->db);
    return 0;
}

int lib_add_link(FamLib *lib, int64_t dir, int delta)
{
    static const char sql[] =
        "UPDATE shelves SET nlink = nlink + ?2 WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, dir);
    sqlite3_bind_int64(st, 2, delta);
    return lib_run(lib, st);
}

static int make_shelf(FamLib *lib, const FamLibCaller *who, const char *path,
                      const NewShelf *ns, struct fam_lib_attr *out)
{
    LibShelf dir;
    const char *leaf;
    int64_t id;
    int ret = lib_path_check(path);

    if (ret < 0) {
        return ret;
    }
    if (lib_path_is_root(path)) {
        return -EEXIST;
    }
    ret = lib_resolve_parent(lib, who, path, &dir, &leaf);
    if (ret < 0) {
        return ret;
    }
    ret = lib_path_taken(lib, path);
    if (ret != 0) {
        return ret < 0 ? ret : -EEXIST;
    }
    if (!lib_may(who, &dir, LIB_MAY_WRITE | LIB_MAY_EXEC)) {
        return -EACCES;
    }
    ret = insert_shelf(lib, &dir, path, leaf, ns, &id);
    if (ret == 0 && ns->type == FAM_LIB_S_IFDIR) {
        ret = lib_add_link(lib, dir.id, 1);
    }
    if (ret == 0) {
        ret = lib_touch(lib, dir.id, true);
    }
    return ret < 0 ? ret : lib_attr(lib, id, out);
}

/* Permission bits, optionally with the type bits of the shelf made. */
static int check_mode(uint32_t mode, uint32_t type)
{
    uint32_t t = mode & ~LIB_PERM_BITS;

    return t == 0 || t == type ? 0 : -EINVAL;
}

static int create_op(FamLib *lib, const FamLibCaller *who, const char *path,
                     const NewShelf *ns, struct fam_lib_attr *out)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, make_shelf(lib, who, path, ns, out));
}

/* Any kind of shelf, with its owner given. */
static int make_new(FamLib *lib, const FamLibCaller *who, const char *path,
                    const FamLibNew *n, struct fam_lib_attr *out)
{
    NewShelf ns = { n->type, n->mode & LIB_PERM_BITS, n->target,
                    n->uid, n->gid };

    switch (n->type) {
    case FAM_LIB_S_IFREG:
    case FAM_LIB_S_IFDIR:
        if (check_mode(n->mode, n->type) < 0) {
            return -EINVAL;
        }
        break;
    case FAM_LIB_S_IFLNK:
        ns.perm = 0777;
        if (n->target == NULL) {
            return -EINVAL;
        }
        if (n->target[0] == '\0') {
            return -ENOENT;     /* as symlink(2) */
        }
        if (strnlen(n->target, FAM_LIB_PATH_MAX) >= FAM_LIB_PATH_MAX) {
            return -ENAMETOOLONG;
        }
        break;
    default:
        return -EINVAL;
    }
    return create_op(lib, who, path, &ns, out);
}

int fam_lib_create(FamLib *lib, const FamLibCaller *who, const char *path,
                   uint32_t mode, struct fam_lib_attr *out)
{
    FamLibNew n = { FAM_LIB_S_IFREG, mode, NULL, who->uid, who->gid };

    return make_new(lib, who, path, &n, out);
}

int fam_lib_mkdir(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t mode, struct fam_lib_attr *out)
{
    FamLibNew n = { FAM_LIB_S_IFDIR, mode, NULL, who->uid, who->gid };

    return make_new(lib, who, path, &n, out);
}

int fam_lib_symlink(FamLib *lib, const FamLibCaller *who, const char *path,
                    const char *target, struct fam_lib_attr *out)
{
    FamLibNew n = { FAM_LIB_S_IFLNK, 0777, target, who->uid, who->gid };

    return make_new(lib, who, path, &n, out);
}

int fam_lib_make_owned(FamLib *lib, const FamLibCaller *who,
                       const char *path, const FamLibNew *n,
                       struct fam_lib_attr *out)
{
    if (n == NULL) {
        return -EINVAL;
    }
    if (who->uid != 0) {
        return -EPERM;
    }
    if (n->uid == FAM_LIB_ID_KEEP || n->gid == FAM_LIB_ID_KEEP) {
        return -EINVAL;
    }
    return make_new(lib, who, path, n, out);
}

static int do_readlink(FamLib *lib, const FamLibCaller *who, const char *path,
                       char *buf, size_t cap)
{
    static const char sql[] = "SELECT target FROM shelves WHERE id = ?1";
    sqlite3_stmt *st;
    LibShelf s;
    size_t len;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (!lib_is_lnk(&s)) {
        return -EINVAL;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s.id);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -ENOENT;
    }
    len = (size_t)sqlite3_column_bytes(st, 0);
    if (cap < len + 1) {
        ret = -ERANGE;
    } else {
        memcpy(buf, sqlite3_column_blob(st, 0), len);
        buf[len] = '\0';
        ret = (int)len;
    }
    sqlite3_reset(st);
    return ret;
}

int fam_lib_readlink(FamLib *lib, const FamLibCaller *who, const char *path,
                     char *buf, size_t cap)
{
    int ret;

    if (buf == NULL && cap > 0) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_readlink(lib, who, path, buf, cap));
}
