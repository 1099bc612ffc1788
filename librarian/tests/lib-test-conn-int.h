/*
 * Inside lib-test-conn: each way of talking to the Librarian is one table
 * of operations; lib-test-conn.c only dispatches through it.
 */
#ifndef LIB_TEST_CONN_INT_H
#define LIB_TEST_CONN_INT_H

#include "lib-test-conn.h"

typedef struct LibConnOps {
    int (*statfs)(LibConn *c, struct fam_lib_statfs *out);
    int (*getattr)(LibConn *c, const char *path, struct fam_lib_attr *out);
    int (*create)(LibConn *c, const char *path, uint32_t mode,
                  struct fam_lib_attr *out);
    int (*mkdir)(LibConn *c, const char *path, uint32_t mode,
                 struct fam_lib_attr *out);
    int (*open)(LibConn *c, const char *path, uint32_t flags,
                uint64_t *handle, struct fam_lib_attr *out);
    int (*close)(LibConn *c, uint64_t handle);
    int (*resize)(LibConn *c, const char *path, uint64_t handle,
                  uint64_t size, struct fam_lib_attr *out);
    int (*rename)(LibConn *c, const char *from, const char *to);
    int (*unlink)(LibConn *c, const char *path);
    int (*rmdir)(LibConn *c, const char *path);
    int (*setxattr)(LibConn *c, const char *path, const char *name,
                    const void *value, size_t len, uint32_t flags);
    int (*getxattr)(LibConn *c, const char *path, const char *name,
                    void *buf, size_t cap);
    int (*readdir)(LibConn *c, const char *path, FamLibDirFn fn,
                   void *opaque);
    int (*shelf_books)(LibConn *c, const char *path, uint64_t handle,
                       FamLibBookFn fn, void *opaque);
    int (*list_books)(LibConn *c, FamLibBookFn fn, void *opaque);
    void (*release)(LibConn *c);
} LibConnOps;

struct LibConn {
    const LibConnOps *ops;
    LibConnKind kind;
    FamLibCaller who;
    FamLib *lib;            /* CORE, PROTO */
    void *priv;             /* the way's own state */
};

/*
 * The message ways share one encoder (lib-test-conn-msg.c) and differ in
 * how a request reaches the Librarian: a transport sends req[0..len) and
 * puts the reply in reply[0..cap), its length in *reply_len, returning 0
 * or -errno. lib_conn_msg_setup() makes conn a message connection over
 * `transport`; `release` (may be NULL) frees `opaque` at the end.
 */
typedef int (*LibConnTransport)(void *opaque, const void *req, size_t len,
                                void *reply, size_t cap, size_t *reply_len);
int lib_conn_msg_setup(LibConn *conn, LibConnTransport transport,
                       void *opaque, void (*release)(void *opaque));

/* The transports: in-process (lib-test-conn-proto.c) and the daemon's
 * socket (lib-test-conn-socket.c). Both return 0 or -errno, conn's kind,
 * who and lib being set. */
int lib_conn_proto_init(LibConn *conn);
int lib_conn_socket_init(LibConn *conn, const char *socket_path);

/* The direct way (lib-test-conn-core.c). */
extern const LibConnOps lib_conn_core_ops;

#endif /* LIB_TEST_CONN_INT_H */
