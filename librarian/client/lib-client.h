/*
 * A client of the standalone Librarian (fam-librarian) on its unix socket:
 * connect, send one request, read its reply. Messages are the protocol's
 * (fam-librarian-proto.h); this only moves whole messages, so callers
 * build and check them with lib-client-msg.h or by hand.
 *
 * libc only (no glib, no SQLite), so that tests, the benchmark, the CLI
 * and QEMU can all link it. One FamLibClient serves one thread at a time:
 * a call is a write of the request followed by a read of its reply.
 */
#ifndef FAME_LIB_CLIENT_H
#define FAME_LIB_CLIENT_H

#include <stddef.h>

typedef struct FamLibClient FamLibClient;

/*
 * Connect to the daemon's socket. On error return NULL and, if err is not
 * NULL, a malloc()ed message naming the socket and the reason in *err
 * (errno is also set).
 */
FamLibClient *fam_lib_client_connect(const char *socket_path, char **err);

/*
 * Send the request `req` (`len` bytes, a whole message whose header
 * length says `len`) and read the reply into `reply` (`cap` bytes; use
 * FAM_LIB_MSG_MAX). Sets *reply_len to the reply's length. Returns 0 or a
 * negative errno: -EINVAL for a request whose framing is wrong, -EPIPE or
 * -ECONNRESET if the daemon hung up, -EPROTO for a reply whose header is
 * not a reply of this protocol (bad magic, flags, or a length outside
 * [header, cap]); the connection is unusable after any error but -EINVAL.
 * The reply's opcode, seq and status are the caller's to check.
 */
int fam_lib_client_call(FamLibClient *client, const void *req, size_t len,
                        void *reply, size_t cap, size_t *reply_len);

/*
 * Whole transfers on a stream socket, going on after signals and short
 * transfers; shared with the daemon's side so that both frame messages
 * alike. fam_lib_write_full: 0 or a negative errno (sends with
 * MSG_NOSIGNAL). fam_lib_read_full: 1 once all len bytes are read, 0 on
 * end of file before the first byte (the peer hung up between messages),
 * else a negative errno (-ECONNRESET for end of file in the middle).
 */
int fam_lib_write_full(int fd, const void *buf, size_t len);
int fam_lib_read_full(int fd, void *buf, size_t len);

/* The connection's file descriptor (for poll(), or to shut it down). */
int fam_lib_client_fd(const FamLibClient *client);

void fam_lib_client_close(FamLibClient *client);

#endif /* FAME_LIB_CLIENT_H */
