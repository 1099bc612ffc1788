/*
 * lib-test-conn in a build without the daemon's client library
 * (librarian/daemon/lib-client.h) or the request builder: the socket way
 * is unavailable, and says so rather than pretending.
 */
#include "lib-test-conn-int.h"

#include <errno.h>

int lib_conn_socket_init(LibConn *conn, const char *socket_path)
{
    (void)conn;
    (void)socket_path;
    return -ENOSYS;
}

bool lib_conn_socket_available(void)
{
    return false;
}
