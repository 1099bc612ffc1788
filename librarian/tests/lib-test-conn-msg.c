/*
 * The message ways of lib-test-conn: every operation becomes a request
 * built with lib-client-msg.h, goes through the connection's transport,
 * and its reply is checked and decoded (wire to host order) before the
 * caller sees it. Lists are walked cursor after cursor.
 */
#include "lib-test-conn-int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib-client-msg.h"

typedef struct MsgConn {
    LibConnTransport transport;
    void *opaque;
    void (*release)(void *opaque);
    uint32_t seq;
    unsigned char req[FAM_LIB_MSG_MAX];
    unsigned char reply[FAM_LIB_MSG_MAX];
} MsgConn;

/* One request and its checked reply: 0 with the body, or -errno (the
 * Librarian's error, or the transport's, or a malformed reply). */
static int call(LibConn *c, uint16_t op, const struct fam_lib_args *args,
                const char *str1, const char *str2, const void *blob,
                size_t blob_len, const void **body, size_t *body_len)
{
    MsgConn *m = c->priv;
    size_t reply_len = 0;
    int n, r;

    m->seq++;
    n = fam_lib_msg_build(m->req, sizeof(m->req), op, m->seq, c->who.node,
                          c->who.uid, c->who.gid, c->who.pid, args, str1,
                          str2, blob, blob_len);
    if (n < 0) {
        return n;
    }
    r = m->transport(m->opaque, m->req, n, m->reply, sizeof(m->reply),
                     &reply_len);
    if (r < 0) {
        return r;
    }
    return fam_lib_reply_check(m->reply, reply_len, op, m->seq, body,
                               body_len);
}

/* A reply carrying one struct fam_lib_attr (or nothing wanted). */
static int call_attr(LibConn *c, uint16_t op, const struct fam_lib_args *a,
                     const char *str1, const char *str2,
                     struct fam_lib_attr *out)
{
    const void *body;
    size_t len;
    int r = call(c, op, a, str1, str2, NULL, 0, &body, &len);

    if (r == 0 && out != NULL) {
        if (len != sizeof(*out)) {
            return -EBADMSG;
        }
        memcpy(out, body, sizeof(*out));
        fam_lib_wire_attr(out);
    }
    return r;
}

static int msg_statfs(LibConn *c, struct fam_lib_statfs *out)
{
    const void *body;
    size_t len;
    int r = call(c, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0, &body,
                 &len);

    if (r == 0) {
        if (len != sizeof(*out)) {
            return -EBADMSG;
        }
        memcpy(out, body, sizeof(*out));
        fam_lib_wire_statfs(out);
    }
    return r;
}

static int msg_getattr(LibConn *c, const char *path,
                       struct fam_lib_attr *out)
{
    return call_attr(c, FAM_LIB_OP_GETATTR, NULL, path, NULL, out);
}

static int msg_create(LibConn *c, const char *path, uint32_t mode,
                      struct fam_lib_attr *out)
{
    struct fam_lib_args a = { .mode = mode };

    return call_attr(c, FAM_LIB_OP_CREATE, &a, path, NULL, out);
}

static int msg_mkdir(LibConn *c, const char *path, uint32_t mode,
                     struct fam_lib_attr *out)
{
    struct fam_lib_args a = { .mode = mode };

    return call_attr(c, FAM_LIB_OP_MKDIR, &a, path, NULL, out);
}

static int msg_open(LibConn *c, const char *path, uint32_t flags,
                    uint64_t *handle, struct fam_lib_attr *out)
{
    struct fam_lib_args a = { .flags = flags };
    struct fam_lib_open o;
    const void *body;
    size_t len;
    int r = call(c, FAM_LIB_OP_OPEN, &a, path, NULL, NULL, 0, &body, &len);

    if (r == 0) {
        if (len != sizeof(o)) {
            return -EBADMSG;
        }
        memcpy(&o, body, sizeof(o));
        fam_lib_wire_open(&o);
        *handle = o.handle;
        if (out != NULL) {
            *out = o.attr;
        }
    }
    return r;
}

static int msg_close(LibConn *c, uint64_t handle)
{
    struct fam_lib_args a = { .handle = handle };

    return call(c, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0, NULL, NULL);
}

static int msg_resize(LibConn *c, const char *path, uint64_t handle,
                      uint64_t size, struct fam_lib_attr *out)
{
    struct fam_lib_args a = { .handle = path ? 0 : handle, .size = size };

    return call_attr(c, FAM_LIB_OP_RESIZE, &a, path, NULL, out);
}

static int msg_rename(LibConn *c, const char *from, const char *to)
{
    return call(c, FAM_LIB_OP_RENAME, NULL, from, to, NULL, 0, NULL, NULL);
}

static int msg_unlink(LibConn *c, const char *path)
{
    return call(c, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0, NULL, NULL);
}

static int msg_rmdir(LibConn *c, const char *path)
{
    return call(c, FAM_LIB_OP_RMDIR, NULL, path, NULL, NULL, 0, NULL, NULL);
}

static int msg_setxattr(LibConn *c, const char *path, const char *name,
                        const void *value, size_t len, uint32_t flags)
{
    struct fam_lib_args a = { .flags = flags };

    return call(c, FAM_LIB_OP_SETXATTR, &a, path, name, value, len, NULL,
                NULL);
}

static int msg_getxattr(LibConn *c, const char *path, const char *name,
                        void *buf, size_t cap)
{
    const void *body;
    size_t len;
    int r = call(c, FAM_LIB_OP_GETXATTR, NULL, path, name, NULL, 0, &body,
                 &len);

    if (r < 0) {
        return r;
    }
    if (cap == 0) {
        return (int)len;
    }
    if (len > cap) {
        return -ERANGE;
    }
    memcpy(buf, body, len);
    return (int)len;
}

/* --- lists ------------------------------------------------------------ */

/* One page of a list: the request, its checked reply, the iterator. */
static int list_page(LibConn *c, uint16_t op, const struct fam_lib_args *a,
                     const char *path, uint32_t item, FamLibListIter *it,
                     struct fam_lib_list *list)
{
    const void *body;
    size_t len;
    int r = call(c, op, a, path, NULL, NULL, 0, &body, &len);

    return r < 0 ? r : fam_lib_list_begin(it, item, body, len, list);
}

/* After a page: 1 to fetch the next, 0 when done, -EIO if the Librarian
 * neither finished nor moved on. */
static int list_step(const struct fam_lib_list *list, __u64 *cursor)
{
    if (list->done) {
        return 0;
    }
    if (list->count == 0 && list->next == *cursor) {
        return -EIO;
    }
    *cursor = list->next;
    return 1;
}

static int msg_readdir(LibConn *c, const char *path, FamLibDirFn fn,
                       void *opaque)
{
    struct fam_lib_args a = { 0 };
    struct fam_lib_list list;
    struct fam_lib_dirent ent;
    FamLibListIter it;
    const char *name;
    int r;

    do {
        r = list_page(c, FAM_LIB_OP_READDIR, &a, path, FAM_LIB_ITEM_DIRENT,
                      &it, &list);
        while (r >= 0 && (r = fam_lib_list_next_dirent(&it, &ent,
                                                       &name)) > 0) {
            if (!fn(opaque, ent.id, ent.mode, name, ent.next)) {
                return 0;
            }
        }
        if (r < 0) {
            return r;
        }
        r = list_step(&list, &a.size);
    } while (r > 0);
    return r;
}

static int walk_books(LibConn *c, uint16_t op, struct fam_lib_args *a,
                      const char *path, FamLibBookFn fn, void *opaque)
{
    struct fam_lib_list list;
    struct fam_lib_book book;
    FamLibListIter it;
    int r;

    do {
        r = list_page(c, op, a, path, FAM_LIB_ITEM_BOOK, &it, &list);
        while (r >= 0 && (r = fam_lib_list_next_book(&it, &book)) > 0) {
            if (!fn(opaque, &book)) {
                return 0;
            }
        }
        if (r < 0) {
            return r;
        }
        r = list_step(&list, &a->size);
    } while (r > 0);
    return r;
}

static int msg_shelf_books(LibConn *c, const char *path, uint64_t handle,
                           FamLibBookFn fn, void *opaque)
{
    struct fam_lib_args a = { .handle = path ? 0 : handle };

    return walk_books(c, FAM_LIB_OP_SHELF_BOOKS, &a, path, fn, opaque);
}

static int msg_list_books(LibConn *c, FamLibBookFn fn, void *opaque)
{
    struct fam_lib_args a = { .flags = 0 };     /* all modules */

    return walk_books(c, FAM_LIB_OP_LIST_BOOKS, &a, NULL, fn, opaque);
}

static void msg_release(LibConn *c)
{
    MsgConn *m = c->priv;

    if (m->release != NULL) {
        m->release(m->opaque);
    }
    free(m);
}

static const LibConnOps msg_ops = {
    .statfs = msg_statfs,
    .getattr = msg_getattr,
    .create = msg_create,
    .mkdir = msg_mkdir,
    .open = msg_open,
    .close = msg_close,
    .resize = msg_resize,
    .rename = msg_rename,
    .unlink = msg_unlink,
    .rmdir = msg_rmdir,
    .setxattr = msg_setxattr,
    .getxattr = msg_getxattr,
    .readdir = msg_readdir,
    .shelf_books = msg_shelf_books,
    .list_books = msg_list_books,
    .release = msg_release,
};

int lib_conn_msg_setup(LibConn *conn, LibConnTransport transport,
                       void *opaque, void (*release)(void *opaque))
{
    MsgConn *m = calloc(1, sizeof(*m));

    if (m == NULL) {
        return -ENOMEM;
    }
    m->transport = transport;
    m->opaque = opaque;
    m->release = release;
    conn->priv = m;
    conn->ops = &msg_ops;
    return 0;
}
