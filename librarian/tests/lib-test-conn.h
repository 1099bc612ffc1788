/*
 * One way of talking to the Librarian, for the system tests and the
 * benchmark: the same operation either calls the core directly
 * (LIB_CONN_CORE), goes through the protocol layer in-process
 * (LIB_CONN_PROTO: request encoded, fam_lib_handle(), reply decoded) or
 * over the daemon's unix socket (LIB_CONN_SOCKET). A workload written
 * against this runs unchanged on every path.
 *
 * Every function returns 0 (or what the core function returns) or a
 * negative errno, as librarian.h. List functions walk the whole list,
 * cursor after cursor, and call `fn` for every item (fn returning false
 * stops the walk early, with 0).
 *
 * A LibConn is used by one thread at a time.
 */
#ifndef LIB_TEST_CONN_H
#define LIB_TEST_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "librarian.h"

typedef enum LibConnKind {
    LIB_CONN_CORE,
    LIB_CONN_PROTO,
    LIB_CONN_SOCKET,
} LibConnKind;

typedef struct LibConn LibConn;

/* Direct core calls on `lib` with the identity `who`. */
LibConn *lib_conn_core(FamLib *lib, const FamLibCaller *who);
/* Through fam_lib_handle() on `lib` (NULL and -errno in *err). */
LibConn *lib_conn_proto(FamLib *lib, const FamLibCaller *who, int *err);
/* Connected to the daemon at `socket_path` (NULL and -errno in *err). */
LibConn *lib_conn_socket(const char *socket_path, const FamLibCaller *who,
                         int *err);
void lib_conn_free(LibConn *conn);

LibConnKind lib_conn_kind(const LibConn *conn);
const char *lib_conn_kind_name(LibConnKind kind);

int lib_conn_statfs(LibConn *c, struct fam_lib_statfs *out);
int lib_conn_getattr(LibConn *c, const char *path, struct fam_lib_attr *out);
int lib_conn_create(LibConn *c, const char *path, uint32_t mode,
                    struct fam_lib_attr *out);
int lib_conn_mkdir(LibConn *c, const char *path, uint32_t mode,
                   struct fam_lib_attr *out);
int lib_conn_open(LibConn *c, const char *path, uint32_t flags,
                  uint64_t *handle, struct fam_lib_attr *out);
int lib_conn_close(LibConn *c, uint64_t handle);
/* By path, or by handle if path is NULL. */
int lib_conn_resize(LibConn *c, const char *path, uint64_t handle,
                    uint64_t size, struct fam_lib_attr *out);
int lib_conn_rename(LibConn *c, const char *from, const char *to);
int lib_conn_unlink(LibConn *c, const char *path);
int lib_conn_rmdir(LibConn *c, const char *path);
int lib_conn_setxattr(LibConn *c, const char *path, const char *name,
                      const void *value, size_t len, uint32_t flags);
int lib_conn_getxattr(LibConn *c, const char *path, const char *name,
                      void *buf, size_t cap);
int lib_conn_readdir(LibConn *c, const char *path, FamLibDirFn fn,
                     void *opaque);
/* By path, or by handle if path is NULL. */
int lib_conn_shelf_books(LibConn *c, const char *path, uint64_t handle,
                         FamLibBookFn fn, void *opaque);
int lib_conn_list_books(LibConn *c, FamLibBookFn fn, void *opaque);

#endif /* LIB_TEST_CONN_H */
