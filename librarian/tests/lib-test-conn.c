/*
 * Connections of the Librarian's system tests (lib-test-conn.h): make
 * one, and dispatch every operation to its way's table.
 */
#include "lib-test-conn-int.h"

#include <errno.h>
#include <stdlib.h>

static LibConn *conn_new(LibConnKind kind, FamLib *lib,
                         const FamLibCaller *who)
{
    LibConn *c = calloc(1, sizeof(*c));

    if (c != NULL) {
        c->kind = kind;
        c->lib = lib;
        c->who = *who;
    }
    return c;
}

LibConn *lib_conn_core(FamLib *lib, const FamLibCaller *who)
{
    LibConn *c = conn_new(LIB_CONN_CORE, lib, who);

    if (c != NULL) {
        c->ops = &lib_conn_core_ops;
    }
    return c;
}

LibConn *lib_conn_proto(FamLib *lib, const FamLibCaller *who, int *err)
{
    LibConn *c = conn_new(LIB_CONN_PROTO, lib, who);

    *err = c == NULL ? -ENOMEM : lib_conn_proto_init(c);
    if (*err) {
        free(c);
        return NULL;
    }
    return c;
}

LibConn *lib_conn_socket(const char *socket_path, const FamLibCaller *who,
                         int *err)
{
    LibConn *c = conn_new(LIB_CONN_SOCKET, NULL, who);

    *err = c == NULL ? -ENOMEM : lib_conn_socket_init(c, socket_path);
    if (*err) {
        free(c);
        return NULL;
    }
    return c;
}

void lib_conn_free(LibConn *conn)
{
    if (conn == NULL) {
        return;
    }
    if (conn->ops->release != NULL) {
        conn->ops->release(conn);
    }
    free(conn);
}

LibConnKind lib_conn_kind(const LibConn *conn)
{
    return conn->kind;
}

const char *lib_conn_kind_name(LibConnKind kind)
{
    switch (kind) {
    case LIB_CONN_CORE:
        return "core";
    case LIB_CONN_PROTO:
        return "proto";
    case LIB_CONN_SOCKET:
        return "socket";
    }
    return "?";
}

int lib_conn_statfs(LibConn *c, struct fam_lib_statfs *out)
{
    return c->ops->statfs(c, out);
}

int lib_conn_getattr(LibConn *c, const char *path, struct fam_lib_attr *out)
{
    return c->ops->getattr(c, path, out);
}

int lib_conn_create(LibConn *c, const char *path, uint32_t mode,
                    struct fam_lib_attr *out)
{
    return c->ops->create(c, path, mode, out);
}

int lib_conn_mkdir(LibConn *c, const char *path, uint32_t mode,
                   struct fam_lib_attr *out)
{
    return c->ops->mkdir(c, path, mode, out);
}

int lib_conn_open(LibConn *c, const char *path, uint32_t flags,
                  uint64_t *handle, struct fam_lib_attr *out)
{
    return c->ops->open(c, path, flags, handle, out);
}

int lib_conn_close(LibConn *c, uint64_t handle)
{
    return c->ops->close(c, handle);
}

int lib_conn_resize(LibConn *c, const char *path, uint64_t handle,
                    uint64_t size, struct fam_lib_attr *out)
{
    return c->ops->resize(c, path, handle, size, out);
}

int lib_conn_rename(LibConn *c, const char *from, const char *to)
{
    return c->ops->rename(c, from, to);
}

int lib_conn_unlink(LibConn *c, const char *path)
{
    return c->ops->unlink(c, path);
}

int lib_conn_rmdir(LibConn *c, const char *path)
{
    return c->ops->rmdir(c, path);
}

int lib_conn_setxattr(LibConn *c, const char *path, const char *name,
                      const void *value, size_t len, uint32_t flags)
{
    return c->ops->setxattr(c, path, name, value, len, flags);
}

int lib_conn_getxattr(LibConn *c, const char *path, const char *name,
                      void *buf, size_t cap)
{
    return c->ops->getxattr(c, path, name, buf, cap);
}

int lib_conn_readdir(LibConn *c, const char *path, FamLibDirFn fn,
                     void *opaque)
{
    return c->ops->readdir(c, path, fn, opaque);
}

int lib_conn_shelf_books(LibConn *c, const char *path, uint64_t handle,
                         FamLibBookFn fn, void *opaque)
{
    return c->ops->shelf_books(c, path, handle, fn, opaque);
}

int lib_conn_list_books(LibConn *c, FamLibBookFn fn, void *opaque)
{
    return c->ops->list_books(c, fn, opaque);
}
