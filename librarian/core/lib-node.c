/*
 * Nodes: their heartbeats and status, and out-of-band messages between
 * them (a bulletin board of the last LIB_OOB_KEEP messages, read by
 * cursor, as tm-librarian's send_OOB broadcast).
 */
#include "lib-int.h"

#define LIB_OOB_KEEP    1000
#define LIB_OOB_MAX     256     /* bytes in one message (the protocol's) */

static int do_heartbeat(FamLib *lib, const FamLibCaller *who,
                        const struct fam_lib_node_status *status)
{
    static const char sql[] =
        "INSERT INTO nodes(node, heartbeat_ns, cpu_percent, mem_percent,"
        " rootfs_percent, network_in, network_out)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
        " ON CONFLICT(node) DO UPDATE SET heartbeat_ns = excluded.heartbeat_ns,"
        " cpu_percent = excluded.cpu_percent,"
        " mem_percent = excluded.mem_percent,"
        " rootfs_percent = excluded.rootfs_percent,"
        " network_in = excluded.network_in,"
        " network_out = excluded.network_out";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, who->node);
    sqlite3_bind_int64(st, 2, lib_now());
    sqlite3_bind_int64(st, 3, status->cpu_percent);
    sqlite3_bind_int64(st, 4, status->mem_percent);
    sqlite3_bind_int64(st, 5, status->rootfs_percent);
    sqlite3_bind_int64(st, 6, (int64_t)status->network_in);
    sqlite3_bind_int64(st, 7, (int64_t)status->network_out);
    return lib_run(lib, st);
}

int fam_lib_heartbeat(FamLib *lib, const FamLibCaller *who,
                      const struct fam_lib_node_status *status)
{
    int ret;

    if (status == NULL || status->cpu_percent > 100 ||
        status->mem_percent > 100 || status->rootfs_percent > 100) {
        return -EINVAL;
    }
    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    /* Only a node has a heartbeat; the host is not one. */
    return lib_end(lib, who->node == FAM_LIB_NODE_HOST
                   ? -EINVAL : do_heartbeat(lib, who, status));
}

static int do_oob_send(FamLib *lib, const FamLibCaller *who, const void *msg,
                       size_t len)
{
    static const char ins[] =
        "INSERT INTO oob(node, time_ns, msg) VALUES(?1, ?2, ?3)";
    static const char trim[] = "DELETE FROM oob WHERE id <= ?1";
    sqlite3_stmt *st = lib_sql(lib, ins);
    int64_t id;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, who->node);
    sqlite3_bind_int64(st, 2, lib_now());
    sqlite3_bind_blob(st, 3, msg, (int)len, SQLITE_STATIC);
    ret = lib_run(lib, st);
    if (ret < 0) {
        return ret;
    }
    id = sqlite3_last_insert_rowid(lib->db);
    st = lib_sql(lib, trim);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id - LIB_OOB_KEEP);
    return lib_run(lib, st);
}

int fam_lib_oob_send(FamLib *lib, const FamLibCaller *who, const void *msg,
                     size_t len)
{
    int ret;

    if (msg == NULL || len == 0) {
        return -EINVAL;
    }
    if (len > LIB_OOB_MAX) {
        return -E2BIG;
    }
    ret = lib_begin_as(lib, who, LIB_TX_WRITE);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_oob_send(lib, who, msg, len));
}

static int do_oob_recv(FamLib *lib, uint64_t cursor, FamLibOobFn fn,
                       void *opaque, uint64_t *next, bool *done)
{
    static const char sql[] =
        "SELECT id, node, msg FROM oob WHERE id >= ?1 ORDER BY id";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, cursor > INT64_MAX ? INT64_MAX
                                                 : (int64_t)cursor);
    while ((ret = lib_step(lib, st)) > 0) {
        uint64_t id = (uint64_t)sqlite3_column_int64(st, 0);

        if (!fn(opaque, id, (uint32_t)sqlite3_column_int64(st, 1),
                sqlite3_column_blob(st, 2),
                (size_t)sqlite3_column_bytes(st, 2))) {
            *next = id;
            sqlite3_reset(st);
            return 0;
        }
        *next = id + 1;
    }
    *done = ret == 0;
    return ret;
}

int fam_lib_oob_recv(FamLib *lib, uint64_t cursor, FamLibOobFn fn,
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
    ret = lib_end(lib, do_oob_recv(lib, cursor, fn, opaque, &n, &d));
    return lib_list_out(ret, n, d, next, done);
}
