/*
 * Open handles and the grants that follow them. A node may access a
 * shelf's books while it has the shelf open: read-only if all its
 * handles are read-only, writable if any is writable. Opening grants,
 * closing revokes what no other handle of the node still needs (or
 * downgrades to read-only), and dropping a node's handles revokes all.
 * The host (FAM_LIB_NODE_HOST) maps the pool directly: it gets no hooks.
 */
#include "lib-int.h"

static int queue_action(FamLib *lib, const LibAction *a)
{
    if (lib->n_actions == lib->cap_actions) {
        size_t cap = lib->cap_actions ? lib->cap_actions * 2 : 16;
        LibAction *n = realloc(lib->actions, cap * sizeof(*n));

        if (n == NULL) {
            return -ENOMEM;
        }
        lib->actions = n;
        lib->cap_actions = cap;
    }
    lib->actions[lib->n_actions++] = *a;
    return 0;
}

static int queue_ranges(FamLib *lib, bool grant, uint32_t node,
                        const LibRanges *rs, bool writable)
{
    if (node == FAM_LIB_NODE_HOST) {
        return 0;
    }
    for (size_t i = 0; i < rs->n; i++) {
        LibAction a = {
            .grant = grant, .writable = writable, .node = node,
            .range = rs->r[i],
        };
        int ret = queue_action(lib, &a);

        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

int lib_queue_grant(FamLib *lib, uint32_t node, const LibRanges *rs,
                    bool writable)
{
    return queue_ranges(lib, true, node, rs, writable);
}

int lib_queue_revoke(FamLib *lib, uint32_t node, const LibRanges *rs)
{
    return queue_ranges(lib, false, node, rs, false);
}

int lib_shelf_ranges(FamLib *lib, int64_t shelf, uint64_t first_seq,
                     LibRanges *out)
{
    static const char sql[] =
        "SELECT id FROM books WHERE shelf = ?1 AND seq >= ?2";
    sqlite3_stmt *st = lib_sql(lib, sql);
    uint64_t bs = lib->model->book_size;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, (int64_t)first_seq);
    while ((ret = lib_step(lib, st)) > 0) {
        ret = lib_ranges_add(out, (uint64_t)sqlite3_column_int64(st, 0) * bs,
                             bs);
        if (ret < 0) {
            sqlite3_reset(st);
            return ret;
        }
    }
    if (ret == 0) {
        lib_ranges_coalesce(out);
    }
    return ret;
}

int lib_node_access(FamLib *lib, int64_t shelf, uint32_t node,
                    uint32_t *flags)
{
    static const char sql[] =
        "SELECT count(*), max(flags & " SQL_OPEN_WRITE ") FROM opens"
        " WHERE shelf = ?1 AND node = ?2";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, node);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -EIO;
    }
    *flags = 0;
    if (sqlite3_column_int64(st, 0) > 0) {
        *flags = FAM_LIB_OPEN_READ |
                 (sqlite3_column_int64(st, 1) ? FAM_LIB_OPEN_WRITE : 0);
    }
    sqlite3_reset(st);
    return 0;
}

int lib_count_opens(FamLib *lib, int64_t shelf, const FamLibCaller *except,
                    uint64_t *all, uint64_t *others)
{
    static const char sql[] =
        "SELECT count(*), total(node != ?2 OR pid != ?3) FROM opens"
        " WHERE shelf = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, except ? (int64_t)except->node : -1);
    sqlite3_bind_int64(st, 3, except ? (int64_t)except->pid : -1);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -EIO;
    }
    *all = (uint64_t)sqlite3_column_int64(st, 0);
    if (others) {
        *others = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return 0;
}

int lib_handle(FamLib *lib, const FamLibCaller *who, uint64_t handle,
               int64_t *shelf, uint32_t *flags)
{
    static const char sql[] =
        "SELECT shelf, node, flags FROM opens WHERE handle = ?1";
    sqlite3_stmt *st;
    int ret;

    if (handle == 0 || handle > INT64_MAX) {
        return -EBADF;
    }
    st = lib_sql(lib, sql);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, (int64_t)handle);
    ret = lib_step(lib, st);
    if (ret <= 0) {
        return ret < 0 ? ret : -EBADF;
    }
    *shelf = sqlite3_column_int64(st, 0);
    ret = (uint32_t)sqlite3_column_int64(st, 1) == who->node ? 0 : -EBADF;
    if (flags) {
        *flags = (uint32_t)sqlite3_column_int64(st, 2);
    }
    sqlite3_reset(st);
    return ret;
}

/* Tell `node` what it may now do with all of the shelf's books. */
static int regrant(FamLib *lib, int64_t shelf, uint32_t node, bool revoke,
                   bool grant, bool writable)
{
    LibRanges rs = { 0 };
    int ret = lib_shelf_ranges(lib, shelf, 0, &rs);

    if (ret == 0 && revoke) {
        ret = lib_queue_revoke(lib, node, &rs);
    }
    if (ret == 0 && grant) {
        ret = lib_queue_grant(lib, node, &rs, writable);
    }
    lib_ranges_free(&rs);
    return ret;
}

static int do_open(FamLib *lib, const FamLibCaller *who, const char *path,
                   uint32_t flags, uint64_t *handle,
                   struct fam_lib_attr *out)
{
    static const char ins[] =
        "INSERT INTO opens(shelf, node, pid, flags, opened_ns)"
        " VALUES(?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *st;
    LibShelf s;
    uint32_t access;
    int mask = 0;
    int ret;

    if (flags == 0 || (flags & ~(FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE))) {
        return -EINVAL;
    }
    ret = lib_resolve(lib, who, path, &s);
    if (ret < 0) {
        return ret;
    }
    if (lib_is_dir(&s)) {
        return -EISDIR;
    }
    if (!lib_is_reg(&s)) {
        return -ELOOP;      /* a symlink: the client follows it */
    }
    mask |= (flags & FAM_LIB_OPEN_READ) ? LIB_MAY_READ : 0;
    mask |= (flags & FAM_LIB_OPEN_WRITE) ? LIB_MAY_WRITE : 0;
    if (!lib_may(who, &s, mask)) {
        return -EACCES;
    }
    st = lib_sql(lib, ins);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, s.id);
    sqlite3_bind_int64(st, 2, who->node);
    sqlite3_bind_int64(st, 3, who->pid);
    sqlite3_bind_int64(st, 4, flags);
    sqlite3_bind_int64(st, 5, lib_now());
    ret = lib_run(lib, st);
    if (ret < 0) {
        return ret;
    }
    if (handle) {
        *handle = (uint64_t)sqlite3_last_insert_rowid(lib->db);
    }
    /* With the node's other handles: writable if any of them is. */
    ret = lib_node_access(lib, s.id, who->node, &access);
    if (ret == 0 && s.nbooks > 0) {
        ret = regrant(lib, s.id, who->node, false, true,
                      access & FAM_LIB_OPEN_WRITE);
    }
    return ret < 0 ? ret : lib_attr(lib, s.id, out);
}

int fam_lib_open_shelf(FamLib *lib, const FamLibCaller *who,
                       const char *path, uint32_t flags, uint64_t *handle,
                       struct fam_lib_attr *out)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_open(lib, who, path, flags, handle, out));
}

static int do_fstat(FamLib *lib, const FamLibCaller *who, uint64_t handle,
                    struct fam_lib_fstat *out)
{
    int64_t shelf;
    uint32_t flags;
    int ret = lib_handle(lib, who, handle, &shelf, &flags);

    if (ret < 0) {
        return ret;
    }
    out->handle = handle;
    out->flags = flags;
    out->node = who->node;
    return lib_attr(lib, shelf, &out->attr);
}

int fam_lib_fstat(FamLib *lib, const FamLibCaller *who, uint64_t handle,
                  struct fam_lib_fstat *out)
{
    int ret = lib_begin_as(lib, who, LIB_TX_READ);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_fstat(lib, who, handle, out));
}

/* After one of `node`'s handles on `shelf` (with `flags`) went away. */
static int after_close(FamLib *lib, int64_t shelf, uint32_t node,
                       uint32_t flags)
{
    uint32_t access;
    int ret = lib_node_access(lib, shelf, node, &access);

    if (ret < 0) {
        return ret;
    }
    if (access == 0) {
        return regrant(lib, shelf, node, true, false, false);
    }
    if ((flags & FAM_LIB_OPEN_WRITE) && !(access & FAM_LIB_OPEN_WRITE)) {
        return regrant(lib, shelf, node, true, true, false);
    }
    return 0;
}

static int do_close(FamLib *lib, const FamLibCaller *who, uint64_t handle)
{
    static const char del[] = "DELETE FROM opens WHERE handle = ?1";
    sqlite3_stmt *st;
    int64_t shelf;
    uint32_t flags;
    int ret = lib_handle(lib, who, handle, &shelf, &flags);

    if (ret < 0) {
        return ret;
    }
    st = lib_sql(lib, del);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, (int64_t)handle);
    ret = lib_run(lib, st);
    return ret < 0 ? ret : after_close(lib, shelf, who->node, flags);
}

int fam_lib_close_shelf(FamLib *lib, const FamLibCaller *who,
                        uint64_t handle)
{
    int ret = lib_begin_as(lib, who, LIB_TX_WRITE);

    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_close(lib, who, handle));
}

static int do_drop(FamLib *lib, uint32_t node)
{
    static const char pairs[] =
        "SELECT DISTINCT shelf, node FROM opens WHERE ?1 < 0 OR node = ?1";
    static const char del[] =
        "DELETE FROM opens WHERE ?1 < 0 OR node = ?1";
    int64_t which = node == FAM_LIB_NODE_HOST ? -1 : (int64_t)node;
    sqlite3_stmt *st = lib_sql(lib, pairs);
    int64_t *list = NULL;
    size_t n = 0, cap = 0;
    int ret, dropped;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, which);
    while ((ret = lib_step(lib, st)) > 0) {
        if (n + 2 > cap) {
            int64_t *l;

            cap = cap ? cap * 2 : 32;
            l = realloc(list, cap * sizeof(*l));
            if (l == NULL) {
                sqlite3_reset(st);
                free(list);
                return -ENOMEM;
            }
            list = l;
        }
        list[n++] = sqlite3_column_int64(st, 0);
        list[n++] = sqlite3_column_int64(st, 1);
    }
    for (size_t i = 0; ret == 0 && i < n; i += 2) {
        ret = regrant(lib, list[i], (uint32_t)list[i + 1], true, false,
                      false);
    }
    free(list);
    if (ret < 0) {
        return ret;
    }
    st = lib_sql(lib, del);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, which);
    ret = lib_run(lib, st);
    dropped = sqlite3_changes(lib->db);
    return ret < 0 ? ret : dropped;
}

int fam_lib_drop_opens(FamLib *lib, uint32_t node)
{
    int ret;

    if (lib == NULL) {
        return -EINVAL;
    }
    if (node >= lib->model->nodes && node != FAM_LIB_NODE_HOST) {
        return -EINVAL;
    }
    ret = lib_begin(lib, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_drop(lib, node));
}

static int do_list_opens(FamLib *lib, uint64_t cursor, FamLibOpenedFn fn,
                         void *opaque, uint64_t *next, bool *done)
{
    static const char sql[] =
        "SELECT handle, shelf, node, pid, flags FROM opens"
        " WHERE handle >= ?1 ORDER BY handle";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    *done = false;
    sqlite3_bind_int64(st, 1, cursor > INT64_MAX ? INT64_MAX
                                                 : (int64_t)cursor);
    while ((ret = lib_step(lib, st)) > 0) {
        struct fam_lib_opened o = {
            .handle = (uint64_t)sqlite3_column_int64(st, 0),
            .shelf = (uint64_t)sqlite3_column_int64(st, 1),
            .node = (uint32_t)sqlite3_column_int64(st, 2),
            .pid = (uint32_t)sqlite3_column_int64(st, 3),
            .flags = (uint32_t)sqlite3_column_int64(st, 4),
        };

        if (!fn(opaque, &o)) {
            *next = o.handle;
            sqlite3_reset(st);
            return 0;
        }
        *next = o.handle + 1;
    }
    *done = ret == 0;
    return ret;
}

int fam_lib_list_opens(FamLib *lib, uint64_t cursor, FamLibOpenedFn fn,
                       void *opaque, uint64_t *next, bool *done)
{
    uint64_t n = cursor;
    bool d = false;
    int ret;

    if (fn == NULL) {
        return -EINVAL;
    }
    ret = lib_begin(lib, LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    ret = lib_end(lib, do_list_opens(lib, cursor, fn, opaque, &n, &d));
    return lib_list_out(ret, n, d, next, done);
}
