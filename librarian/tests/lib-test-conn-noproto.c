/*
 * lib-test-conn in a build without the protocol layer's in-process entry
 * (fam_lib_handle, librarian/proto): that way is unavailable, and says
 * so rather than pretending.
 */
#include "lib-test-conn-int.h"

#include <errno.h>

int lib_conn_proto_init(LibConn *conn)
{
    (void)conn;
    return -ENOSYS;
}

bool lib_conn_proto_available(void)
{
    return false;
}
