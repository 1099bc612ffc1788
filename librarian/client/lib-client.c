/*
 * The client side of fam-librarian's unix socket: whole messages, framed
 * by the header's length, with read/write loops that survive signals and
 * short transfers.
 */
#include "lib-client.h"

#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fame/fam-librarian-proto.h"

struct FamLibClient {
    int fd;
};

static void set_err(char **err, const char *path, int e)
{
    char *msg = NULL;

    if (err == NULL) {
        return;
    }
    if (asprintf(&msg, "%s: %s", path, strerror(e)) < 0) {
        msg = NULL;
    }
    *err = msg;
}

FamLibClient *fam_lib_client_connect(const char *socket_path, char **err)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    FamLibClient *client;
    int fd, e;

    if (err != NULL) {
        *err = NULL;
    }
    if (socket_path == NULL || socket_path[0] == '\0') {
        set_err(err, "(no socket)", EINVAL);
        errno = EINVAL;
        return NULL;
    }
    if (strlen(socket_path) >= sizeof(addr.sun_path)) {
        set_err(err, socket_path, ENAMETOOLONG);
        errno = ENAMETOOLONG;
        return NULL;
    }
    strcpy(addr.sun_path, socket_path);

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        e = errno;
        set_err(err, socket_path, e);
        errno = e;
        return NULL;
    }
    while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        if (errno == EINTR) {
            continue;
        }
        e = errno;
        close(fd);
        set_err(err, socket_path, e);
        errno = e;
        return NULL;
    }
    client = calloc(1, sizeof(*client));
    if (client == NULL) {
        close(fd);
        set_err(err, socket_path, ENOMEM);
        errno = ENOMEM;
        return NULL;
    }
    client->fd = fd;
    return client;
}

int fam_lib_client_fd(const FamLibClient *client)
{
    return client->fd;
}

void fam_lib_client_close(FamLibClient *client)
{
    if (client != NULL) {
        close(client->fd);
        free(client);
    }
}

int fam_lib_write_full(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        /* MSG_NOSIGNAL: a peer that went away is an error to report, not
         * a SIGPIPE that kills the caller. */
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int fam_lib_read_full(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return got == 0 ? 0 : -ECONNRESET;
        }
        got += (size_t)n;
    }
    return 1;
}

/* All of len bytes, or a negative errno: the daemon hanging up between
 * messages is as much a lost reply as hanging up inside one. */
static int read_all(int fd, void *buf, size_t len)
{
    int ret = fam_lib_read_full(fd, buf, len);

    return ret == 0 ? -ECONNRESET : ret;
}

int fam_lib_client_call(FamLibClient *client, const void *req, size_t len,
                        void *reply, size_t cap, size_t *reply_len)
{
    struct fam_lib_hdr hdr;
    uint32_t rlen;
    int ret;

    if (client == NULL || req == NULL || reply == NULL ||
        len < sizeof(hdr) || len > FAM_LIB_MSG_MAX || cap < sizeof(hdr)) {
        return -EINVAL;
    }
    memcpy(&hdr, req, sizeof(hdr));
    if (le32toh(hdr.length) != len) {
        return -EINVAL;
    }

    ret = fam_lib_write_full(client->fd, req, len);
    if (ret < 0) {
        return ret;
    }
    ret = read_all(client->fd, &hdr, sizeof(hdr));
    if (ret < 0) {
        return ret;
    }
    rlen = le32toh(hdr.length);
    if (le32toh(hdr.magic) != FAM_LIB_MAGIC ||
        !(le32toh(hdr.flags) & FAM_LIB_F_REPLY) ||
        rlen < sizeof(hdr) || rlen > FAM_LIB_MSG_MAX || rlen > cap) {
        return -EPROTO;
    }
    memcpy(reply, &hdr, sizeof(hdr));
    ret = read_all(client->fd, (uint8_t *)reply + sizeof(hdr),
                   rlen - sizeof(hdr));
    if (ret < 0) {
        return ret;
    }
    if (reply_len != NULL) {
        *reply_len = rlen;
    }
    return 0;
}
