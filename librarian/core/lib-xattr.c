/*
 * Extended attributes. Only the "user." namespace exists (others are
 * -EOPNOTSUPP). Within it, user.LFS.* are the Librarian's own controls,
 * computed from or stored in the shelf itself:
 *
 *   AllocationPolicy         rw  the shelf's policy, by name
 *   AllocationPolicyDefault  rw  the default for new shelves; only root
 *                                sets it, never to RequestIG; persisted
 *   AllocationPolicyList     ro  every policy name, comma-separated
 *   Interleave               ro  one byte per book: the book's IG
 *   InterleaveRequest        rw  RequestIG's IG sequence, one byte per
 *                                book (each < the IG count); setting it
 *                                restarts the sequence
 *   InterleaveRequestPos     ro  where RequestIG goes on, in decimal
 *
 * They always exist on files and directories (so XATTR_CREATE gives
 * EEXIST), cannot be removed (EPERM), and the read-only ones cannot be
 * set (EPERM). Policy names may be written with a trailing NUL. Every
 * other user.* name is stored as given. Symlinks have no user.*
 * attributes (as on Linux). Reading needs read permission on the shelf,
 * writing write permission; listing only needs the path.
 */
#include <inttypes.h>

#include "lib-int.h"

#define USER_PREFIX "user."

typedef enum LfsAttr {
    LFS_POLICY,
    LFS_POLICY_DEFAULT,
    LFS_POLICY_LIST,
    LFS_INTERLEAVE,
    LFS_IREQ,
    LFS_IREQ_POS,
    LFS_COUNT,
} LfsAttr;

static const struct {
    const char *name;
    bool writable;
} lfs_attrs[LFS_COUNT] = {
    [LFS_POLICY] = { "user.LFS.AllocationPolicy", true },
    [LFS_POLICY_DEFAULT] = { "user.LFS.AllocationPolicyDefault", true },
    [LFS_POLICY_LIST] = { "user.LFS.AllocationPolicyList", false },
    [LFS_INTERLEAVE] = { "user.LFS.Interleave", false },
    [LFS_IREQ] = { "user.LFS.InterleaveRequest", true },
    [LFS_IREQ_POS] = { "user.LFS.InterleaveRequestPos", false },
};

/* 0 for a valid user.* name, else the errno of getxattr(2). */
static int check_name(const char *name)
{
    size_t len;

    if (name == NULL) {
        return -EINVAL;
    }
    len = strnlen(name, FAM_LIB_XATTR_NAME_MAX);
    if (len == 0 || len >= FAM_LIB_XATTR_NAME_MAX) {
        return -ERANGE;
    }
    if (strncmp(name, USER_PREFIX, strlen(USER_PREFIX)) != 0) {
        return -EOPNOTSUPP;
    }
    return len == strlen(USER_PREFIX) ? -EINVAL : 0;
}

static int lfs_attr(const char *name)
{
    for (int i = 0; i < LFS_COUNT; i++) {
        if (strcmp(name, lfs_attrs[i].name) == 0) {
            return i;
        }
    }
    return -1;
}

/* A value being built or returned. */
typedef struct XValue {
    uint8_t buf[FAM_LIB_XATTR_VALUE_MAX];
    size_t len;
} XValue;

static int xv_text(XValue *v, const char *s)
{
    size_t n = strlen(s);

    if (n > sizeof(v->buf)) {
        return -E2BIG;
    }
    memcpy(v->buf, s, n);
    v->len = n;
    return 0;
}

static int shelf_policy_name(FamLib *lib, const LibShelf *s, XValue *v)
{
    FamPolicy p;
    const char *name;

    if (s->policy >= 0) {
        p = (FamPolicy)s->policy;
    } else {
        int ret = lib_default_policy(lib, &p);

        if (ret < 0) {
            return ret;
        }
    }
    name = fam_policy_name(p);
    return xv_text(v, name ? name : "");
}

static int policy_list(XValue *v)
{
    v->len = 0;
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        const char *name = fam_policy_name((FamPolicy)p);
        size_t n = strlen(name);

        if (v->len + n + 1 > sizeof(v->buf)) {
            return -E2BIG;
        }
        if (p > 0) {
            v->buf[v->len++] = ',';
        }
        memcpy(v->buf + v->len, name, n);
        v->len += n;
    }
    return 0;
}

static int interleave(FamLib *lib, const LibShelf *s, XValue *v)
{
    static const char sql[] =
        "SELECT ig FROM books WHERE shelf = ?1 ORDER BY seq";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    v->len = 0;
    sqlite3_bind_int64(st, 1, s->id);
    while ((ret = lib_step(lib, st)) > 0) {
        int64_t ig = sqlite3_column_int64(st, 0);

        if (v->len == sizeof(v->buf) || ig > UINT8_MAX) {
            sqlite3_reset(st);
            /* Too many books, or IGs that a byte cannot name. */
            return v->len == sizeof(v->buf) ? -E2BIG : -EOVERFLOW;
        }
        v->buf[v->len++] = (uint8_t)ig;
    }
    return ret;
}

/*
 * Step the bound statement st once and take its first column as the
 * value; -ENODATA if there is no row.
 */
static int xv_row(FamLib *lib, sqlite3_stmt *st, XValue *v)
{
    int ret = lib_step(lib, st);

    if (ret <= 0) {
        return ret < 0 ? ret : -ENODATA;
    }
    v->len = (size_t)sqlite3_column_bytes(st, 0);
    if (v->len > sizeof(v->buf)) {
        v->len = sizeof(v->buf);
    }
    if (v->len) {
        memcpy(v->buf, sqlite3_column_blob(st, 0), v->len);
    }
    sqlite3_reset(st);
    return 0;
}

static int blob_column(FamLib *lib, const char *sql, int64_t id, XValue *v)
{
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    return xv_row(lib, st, v);
}

static int lfs_get(FamLib *lib, const LibShelf *s, LfsAttr a, XValue *v)
{
    static const char ireq[] =
        "SELECT ifnull(ireq, x'') FROM shelves WHERE id = ?1";
    char pos[24];
    FamPolicy p;
    int ret;

    switch (a) {
    case LFS_POLICY:
        return shelf_policy_name(lib, s, v);
    case LFS_POLICY_DEFAULT:
        ret = lib_default_policy(lib, &p);
        return ret < 0 ? ret : xv_text(v, fam_policy_name(p));
    case LFS_POLICY_LIST:
        return policy_list(v);
    case LFS_INTERLEAVE:
        return interleave(lib, s, v);
    case LFS_IREQ:
        return blob_column(lib, ireq, s->id, v);
    case LFS_IREQ_POS:
        snprintf(pos, sizeof(pos), "%" PRIu32, s->ireq_pos);
        return xv_text(v, pos);
    default:
        return -ENODATA;
    }
}

static int user_get(FamLib *lib, const LibShelf *s, const char *name,
                    XValue *v)
{
    static const char sql[] =
        "SELECT value FROM xattrs WHERE shelf = ?1 AND name = ?2";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->id);
    lib_bind_str(st, 2, name);
    return xv_row(lib, st, v);
}

static int do_getxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                       const char *name, void *buf, size_t cap)
{
    XValue *v;
    LibShelf s;
    int a, ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (lib_is_lnk(&s)) {
        return -ENODATA;
    }
    if (!lib_may(who, &s, LIB_MAY_READ)) {
        return -EACCES;
    }
    v = malloc(sizeof(*v));
    if (v == NULL) {
        return -ENOMEM;
    }
    a = lfs_attr(name);
    ret = a >= 0 ? lfs_get(lib, &s, (LfsAttr)a, v) : user_get(lib, &s, name, v);
    if (ret == 0) {
        if (cap == 0) {
            ret = (int)v->len;
        } else if (cap < v->len) {
            ret = -ERANGE;
        } else {
            memcpy(buf, v->buf, v->len);
            ret = (int)v->len;
        }
    }
    free(v);
    return ret;
}

int fam_lib_getxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                     const char *name, void *buf, size_t cap)
{
    int ret = check_name(name);

    if (ret < 0) {
        return ret;
    }
    if (buf == NULL && cap > 0) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_getxattr(lib, who, path, name, buf, cap));
}

/* A policy name as written to an xattr: text, maybe NUL-terminated. */
static int parse_policy(const void *value, size_t len)
{
    char name[32];

    while (len > 0 && ((const char *)value)[len - 1] == '\0') {
        len--;
    }
    if (len == 0 || len >= sizeof(name) || memchr(value, '\0', len)) {
        return -EINVAL;
    }
    memcpy(name, value, len);
    name[len] = '\0';
    return fam_policy_parse(name) < 0 ? -EINVAL
                                          : fam_policy_parse(name);
}

static int set_shelf_column(FamLib *lib, const char *sql, int64_t id,
                            int64_t num, const void *blob, size_t len)
{
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, num);
    if (blob && len) {
        sqlite3_bind_blob(st, 3, blob, (int)len, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, 4, lib_now());
    return lib_run(lib, st);
}

static int lfs_set(FamLib *lib, const FamLibCaller *who, const LibShelf *s,
                   LfsAttr a, const void *value, size_t len)
{
    static const char set_policy[] =
        "UPDATE shelves SET policy = ?2, ctime = ?4 WHERE id = ?1";
    static const char set_ireq[] =
        "UPDATE shelves SET ireq = ?3, ireq_pos = ?2, ctime = ?4"
        " WHERE id = ?1";
    int p;

    switch (a) {
    case LFS_POLICY:
        p = parse_policy(value, len);
        return p < 0 ? p : set_shelf_column(lib, set_policy, s->id, p,
                                            NULL, 0);
    case LFS_POLICY_DEFAULT:
        if (who->uid != 0) {
            return -EPERM;
        }
        p = parse_policy(value, len);
        if (p < 0 || p == FAM_POLICY_REQUEST_IG) {
            return -EINVAL;
        }
        return lib_meta_set_text(lib, "default_policy",
                                 fam_policy_name((FamPolicy)p));
    case LFS_IREQ:
        for (size_t i = 0; i < len; i++) {
            if (((const uint8_t *)value)[i] >= lib->igs) {
                return -EINVAL;
            }
        }
        return set_shelf_column(lib, set_ireq, s->id, 0, value, len);
    default:
        return -EPERM;
    }
}

static int user_set(FamLib *lib, const LibShelf *s, const char *name,
                    const void *value, size_t len, uint32_t flags)
{
    static const char exists[] =
        "SELECT count(*) FROM xattrs WHERE shelf = ?1 AND name = ?2";
    static const char put[] =
        "INSERT INTO xattrs(shelf, name, value) VALUES(?1, ?2, ?3)"
        " ON CONFLICT(shelf, name) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st = lib_sql(lib, exists);
    int64_t n;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->id);
    lib_bind_str(st, 2, name);
    ret = lib_query_int(lib, st, &n);
    if (ret < 0) {
        return ret;
    }
    if ((flags & FAM_LIB_XATTR_CREATE) && n > 0) {
        return -EEXIST;
    }
    if ((flags & FAM_LIB_XATTR_REPLACE) && n == 0) {
        return -ENODATA;
    }
    st = lib_sql(lib, put);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s->id);
    lib_bind_str(st, 2, name);
    sqlite3_bind_blob(st, 3, len ? value : "", (int)len, SQLITE_STATIC);
    ret = lib_run(lib, st);
    return ret < 0 ? ret : lib_touch(lib, s->id, false);
}

static int do_setxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                       const char *name, const void *value, size_t len,
                       uint32_t flags)
{
    LibShelf s;
    int a, ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (lib_is_lnk(&s)) {
        return -EPERM;
    }
    a = lfs_attr(name);
    if (a == LFS_POLICY_DEFAULT) {
        /* A setting of the whole Librarian, reached through any path:
         * root's business only, whatever the shelf's mode. */
        if (flags & FAM_LIB_XATTR_CREATE) {
            return -EEXIST;
        }
        return lfs_set(lib, who, &s, LFS_POLICY_DEFAULT, value, len);
    }
    if (!lib_may(who, &s, LIB_MAY_WRITE)) {
        return -EACCES;
    }
    if (a >= 0) {
        if (!lfs_attrs[a].writable) {
            return -EPERM;
        }
        if (flags & FAM_LIB_XATTR_CREATE) {
            return -EEXIST;
        }
        return lfs_set(lib, who, &s, (LfsAttr)a, value, len);
    }
    return user_set(lib, &s, name, value, len, flags);
}

int fam_lib_setxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                     const char *name, const void *value, size_t len,
                     uint32_t flags)
{
    int ret = check_name(name);

    if (ret < 0) {
        return ret;
    }
    if ((flags & ~(FAM_LIB_XATTR_CREATE | FAM_LIB_XATTR_REPLACE)) ||
        flags == (FAM_LIB_XATTR_CREATE | FAM_LIB_XATTR_REPLACE) ||
        (value == NULL && len > 0)) {
        return -EINVAL;
    }
    if (len > FAM_LIB_XATTR_VALUE_MAX) {
        return -E2BIG;
    }
    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_setxattr(lib, who, path, name, value, len, flags));
}

static int do_removexattr(FamLib *lib, const FamLibCaller *who,
                          const char *path, const char *name)
{
    static const char sql[] =
        "DELETE FROM xattrs WHERE shelf = ?1 AND name = ?2";
    sqlite3_stmt *st;
    LibShelf s;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (lib_is_lnk(&s)) {
        return -EPERM;
    }
    if (lfs_attr(name) >= 0) {
        return -EPERM;
    }
    if (!lib_may(who, &s, LIB_MAY_WRITE)) {
        return -EACCES;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s.id);
    lib_bind_str(st, 2, name);
    ret = lib_run(lib, st);
    if (ret < 0) {
        return ret;
    }
    if (sqlite3_changes(lib->db) == 0) {
        return -ENODATA;
    }
    return lib_touch(lib, s.id, false);
}

int fam_lib_removexattr(FamLib *lib, const FamLibCaller *who,
                        const char *path, const char *name)
{
    int ret = check_name(name);

    if (ret < 0) {
        return ret;
    }
    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_removexattr(lib, who, path, name));
}

/*
 * The cursor: 0 .. LFS_COUNT - 1 are the user.LFS.* names in order;
 * LFS_COUNT + r resumes the stored attributes at rowid r.
 */
static int do_listxattr(FamLib *lib, const FamLibCaller *who,
                        const char *path, uint64_t cursor, FamLibNameFn fn,
                        void *opaque, uint64_t *next, bool *done)
{
    static const char sql[] =
        "SELECT rowid, name FROM xattrs WHERE shelf = ?1 AND rowid >= ?2"
        " ORDER BY rowid";
    char name[FAM_LIB_XATTR_NAME_MAX];
    sqlite3_stmt *st;
    uint64_t row0;
    LibShelf s;
    int ret = lib_resolve(lib, who, path, &s);

    if (ret < 0) {
        return ret;
    }
    if (lib_is_lnk(&s)) {
        *done = true;
        return 0;
    }
    for (uint64_t i = cursor; i < LFS_COUNT; i++) {
        if (!fn(opaque, lfs_attrs[i].name)) {
            *next = i;
            return 0;
        }
        *next = i + 1;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s.id);
    row0 = cursor < LFS_COUNT ? 0 : cursor - LFS_COUNT;
    sqlite3_bind_int64(st, 2, row0 > INT64_MAX ? INT64_MAX : (int64_t)row0);
    while ((ret = lib_step(lib, st)) > 0) {
        uint64_t row = (uint64_t)sqlite3_column_int64(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);

        if (len >= sizeof(name)) {
            len = sizeof(name) - 1;     /* only a corrupt row */
        }
        memcpy(name, sqlite3_column_blob(st, 1), len);
        name[len] = '\0';
        if (!fn(opaque, name)) {
            *next = LFS_COUNT + row;
            sqlite3_reset(st);
            return 0;
        }
        *next = LFS_COUNT + row + 1;
    }
    *done = ret == 0;
    return ret;
}

int fam_lib_listxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                      uint64_t cursor, FamLibNameFn fn, void *opaque,
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
    ret = lib_end(lib, do_listxattr(lib, who, path, cursor, fn, opaque, &n,
                                    &d));
    return lib_list_out(ret, n, d, next, done);
}
