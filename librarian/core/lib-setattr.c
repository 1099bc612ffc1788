/*
 * Changing a shelf's attributes: times, mode and ownership, with the
 * rules of utimensat(2), chmod(2) and chown(2) on Linux:
 *   - times: to "now", the owner or anyone who may write; to a given
 *     time, only the owner (or root);
 *   - chmod: only the owner (or root); set-group-ID is dropped when a
 *     non-root owner is not in the file's group;
 *   - chown: only root, except that the owner may change the group to
 *     their own group; a non-directory loses set-user-ID (and
 *     set-group-ID if group-executable).
 */
#include "lib-int.h"

static bool owner_or_root(const FamLibCaller *who, const LibShelf *s)
{
    return who->uid == 0 || who->uid == s->uid;
}

static int do_settimes(FamLib *lib, const FamLibCaller *who, const char *path,
                       int64_t atime, int64_t mtime)
{
    static const char sql[] =
        "UPDATE shelves SET atime = ifnull(?2, atime),"
        " mtime = ifnull(?3, mtime), ctime = ?4 WHERE id = ?1";
    int64_t now = lib_now();
    sqlite3_stmt *st;
    LibShelf s;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (atime == FAM_LIB_TIME_OMIT && mtime == FAM_LIB_TIME_OMIT) {
        return 0;
    }
    if (!owner_or_root(who, &s)) {
        if (atime >= 0 || mtime >= 0) {
            return -EPERM;
        }
        if (!lib_may(who, &s, LIB_MAY_WRITE)) {
            return -EACCES;
        }
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s.id);
    if (atime != FAM_LIB_TIME_OMIT) {
        sqlite3_bind_int64(st, 2, atime == FAM_LIB_TIME_NOW ? now : atime);
    }
    if (mtime != FAM_LIB_TIME_OMIT) {
        sqlite3_bind_int64(st, 3, mtime == FAM_LIB_TIME_NOW ? now : mtime);
    }
    sqlite3_bind_int64(st, 4, now);
    return lib_run(lib, st);
}

int fam_lib_settimes(FamLib *lib, const FamLibCaller *who, const char *path,
                     int64_t atime_ns, int64_t mtime_ns)
{
    int ret;

    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_settimes(lib, who, path, atime_ns, mtime_ns));
}

static int set_mode_owner(FamLib *lib, int64_t id, uint32_t mode,
                          uint32_t uid, uint32_t gid)
{
    static const char sql[] =
        "UPDATE shelves SET mode = ?2, uid = ?3, gid = ?4, ctime = ?5"
        " WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, mode);
    sqlite3_bind_int64(st, 3, uid);
    sqlite3_bind_int64(st, 4, gid);
    sqlite3_bind_int64(st, 5, lib_now());
    return lib_run(lib, st);
}

static int do_chmod(FamLib *lib, const FamLibCaller *who, const char *path,
                    uint32_t mode)
{
    LibShelf s;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (lib_is_lnk(&s)) {
        return -EOPNOTSUPP;     /* a symlink's mode means nothing */
    }
    if (!owner_or_root(who, &s)) {
        return -EPERM;
    }
    if (who->uid != 0 && who->gid != s.gid) {
        mode &= ~LIB_S_ISGID;
    }
    return set_mode_owner(lib, s.id, (s.mode & FAM_LIB_S_IFMT) | mode, s.uid,
                          s.gid);
}

int fam_lib_chmod(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t mode)
{
    int ret;

    if (mode & ~LIB_PERM_BITS) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_chmod(lib, who, path, mode));
}

static int do_chown(FamLib *lib, const FamLibCaller *who, const char *path,
                    uint32_t uid, uint32_t gid)
{
    LibShelf s;
    uint32_t mode;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    uid = uid == FAM_LIB_ID_KEEP ? s.uid : uid;
    gid = gid == FAM_LIB_ID_KEEP ? s.gid : gid;
    if (who->uid != 0 &&
        (who->uid != s.uid || uid != s.uid ||
         (gid != s.gid && gid != who->gid))) {
        return -EPERM;
    }
    mode = s.mode;
    if (!lib_is_dir(&s) && (uid != s.uid || gid != s.gid)) {
        mode &= ~LIB_S_ISUID;
        if (mode & 0010) {
            mode &= ~LIB_S_ISGID;
        }
    }
    return set_mode_owner(lib, s.id, mode, uid, gid);
}

int fam_lib_chown(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t uid, uint32_t gid)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_chown(lib, who, path, uid, gid));
}
