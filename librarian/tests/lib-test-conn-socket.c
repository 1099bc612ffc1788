/*
 * The socket way of lib-test-conn: requests to fam-librarian through its
 * client library (lib-client.h).
 */
#include "lib-test-conn-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib-client.h"

static int socket_call(void *opaque, const void *req, size_t len,
                       void *reply, size_t cap, size_t *reply_len)
{
    return fam_lib_client_call(opaque, req, len, reply, cap, reply_len);
}

static void socket_release(void *opaque)
{
    fam_lib_client_close(opaque);
}

int lib_conn_socket_init(LibConn *conn, const char *socket_path)
{
    char *err = NULL;
    FamLibClient *client = fam_lib_client_connect(socket_path, &err);
    int r;

    if (client == NULL) {
        r = errno ? -errno : -ECONNREFUSED;
        fprintf(stderr, "%s\n", err ? err : socket_path);
        free(err);
        return r;
    }
    r = lib_conn_msg_setup(conn, socket_call, client, socket_release);
    if (r < 0) {
        fam_lib_client_close(client);
    }
    return r;
}
