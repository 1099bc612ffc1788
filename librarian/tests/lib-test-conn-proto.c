/*
 * The in-process protocol way of lib-test-conn: every request goes
 * through fam_lib_handle() (lib-proto.h), the entry the QEMU device and
 * the daemon use, with nothing forced: the caller is the header's.
 */
#include "lib-test-conn-int.h"

#include <errno.h>

#include "lib-proto.h"

static int proto_call(void *opaque, const void *req, size_t len,
                      void *reply, size_t cap, size_t *reply_len)
{
    size_t n = fam_lib_handle(opaque, req, len, NULL, reply, cap);

    if (n == 0) {
        return -EMSGSIZE;
    }
    *reply_len = n;
    return 0;
}

int lib_conn_proto_init(LibConn *conn)
{
    return lib_conn_msg_setup(conn, proto_call, conn->lib, NULL);
}
