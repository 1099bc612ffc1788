/*
 * One connection to fam-librarian: read a message framed by its header's
 * length, settle who is asking, let the protocol layer serve it, send the
 * reply; until the peer hangs up or breaks the framing.
 *
 * Only the framing is checked here (fam_lib_msg_frame: magic and length);
 * every other field is the protocol layer's to validate, and the caller's
 * identity is forced there for peers that are not trusted.
 */
#include "daemon-server-int.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "daemon-log.h"
#include "lib-client-msg.h"
#include "lib-client.h"
#include "lib-proto.h"

/*
 * The reply to a message whose framing is broken. The connection closes
 * after it, as the stream can no longer be split into messages.
 */
static void send_framing_error(DaemonClient *c, const struct fam_lib_hdr *req)
{
    uint8_t reply[sizeof(struct fam_lib_hdr)];
    size_t len = fam_lib_error_reply(reply, sizeof(reply),
                                     le16toh(req->opcode), le32toh(req->seq),
                                     EBADMSG);

    fam_lib_write_full(c->fd, reply, len);
}

/* Note that this trusted connection speaks for `node`. */
static void speaks_for(DaemonClient *c, uint32_t node)
{
    DaemonServer *s = c->server;

    if (node >= s->lib_nodes || (c->nodes & (UINT64_C(1) << node))) {
        return;
    }
    pthread_mutex_lock(&s->lock);
    c->nodes |= UINT64_C(1) << node;
    s->node_refs[node]++;
    pthread_mutex_unlock(&s->lock);
}

/*
 * A node whose last connection closed has no process left to hold its
 * opens (its QEMU went away): drop them, or they would block shrinking
 * and destroying its shelves forever. Under the lock, so that a new
 * connection for that node cannot open something in between and lose it.
 * Not while the daemon stops: the nodes are still running then.
 */
static void release_nodes(DaemonClient *c)
{
    DaemonServer *s = c->server;

    pthread_mutex_lock(&s->lock);
    for (uint32_t node = 0; node < s->lib_nodes; node++) {
        if (!(c->nodes & (UINT64_C(1) << node))) {
            continue;
        }
        if (--s->node_refs[node] == 0 && !s->stopping) {
            int n = fam_lib_drop_opens(s->lib, node);

            if (n > 0) {
                daemon_log("node %u: last connection closed, %d open "
                           "handle(s) dropped", node, n);
            } else if (n < 0) {
                daemon_log("node %u: dropping its opens: %s", node,
                           strerror(-n));
            }
        }
    }
    c->nodes = 0;
    pthread_mutex_unlock(&s->lock);
}

/*
 * Who asks. A trusted peer (root, or the daemon's own user: QEMU
 * forwarding its guests) says so in the header; anyone else is who the
 * kernel says it is, on the host, whatever its header claims.
 */
static const FamLibForced *settle_caller(DaemonClient *c,
                                         const struct fam_lib_hdr *hdr,
                                         FamLibForced *forced)
{
    if (c->trusted) {
        speaks_for(c, le32toh(hdr->node));
        return NULL;
    }
    forced->mask = FAM_LIB_FORCE_ALL;
    forced->caller = (FamLibCaller) {
        .node = FAM_LIB_NODE_HOST,
        .uid = (uint32_t)c->cred.uid,
        .gid = (uint32_t)c->cred.gid,
        .pid = (uint32_t)c->cred.pid,
    };
    return forced;
}

/* Serve requests until the peer leaves or breaks the framing. */
static void serve(DaemonClient *c)
{
    uint8_t req[FAM_LIB_MSG_MAX], reply[FAM_LIB_MSG_MAX];
    struct fam_lib_hdr hdr;
    FamLibForced forced;
    unsigned long long id = (unsigned long long)c->id;
    size_t len, rlen;
    int framed, ret;

    for (;;) {
        ret = fam_lib_read_full(c->fd, &hdr, sizeof(hdr));
        if (ret <= 0) {
            if (ret < 0 && ret != -ECONNRESET) {
                daemon_log("connection %llu: %s", id, strerror(-ret));
            } else if (ret < 0) {
                daemon_log("connection %llu: closed in the middle of a "
                           "header", id);
            }
            return;
        }
        /* The length is checked before anything more is read: a peer
         * cannot make us read more than one message's worth. */
        framed = fam_lib_msg_frame(&hdr, sizeof(hdr));
        if (framed <= 0) {
            daemon_log("connection %llu (pid %d): not a Librarian message "
                       "(magic 0x%08x, length %u); disconnected", id,
                       (int)c->cred.pid, le32toh(hdr.magic),
                       le32toh(hdr.length));
            send_framing_error(c, &hdr);
            return;
        }
        len = (size_t)framed;
        memcpy(req, &hdr, sizeof(hdr));
        if (len > sizeof(hdr)) {
            ret = fam_lib_read_full(c->fd, req + sizeof(hdr), len - sizeof(hdr));
            if (ret <= 0) {
                daemon_log("connection %llu: closed in the middle of a "
                           "message", id);
                return;
            }
        }
        rlen = fam_lib_handle(c->server->lib, req, len,
                              settle_caller(c, &hdr, &forced), reply,
                              sizeof(reply));
        ret = fam_lib_write_full(c->fd, reply, rlen);
        if (ret < 0) {
            if (ret != -EPIPE && ret != -ECONNRESET) {
                daemon_log("connection %llu: %s", id, strerror(-ret));
            }
            return;
        }
    }
}

void *daemon_client_main(void *opaque)
{
    DaemonClient *c = opaque;
    DaemonServer *s = c->server;

    serve(c);
    release_nodes(c);
    if (s->verbose) {
        daemon_log("connection %llu: closed", (unsigned long long)c->id);
    }
    /*
     * Hang up now, so the peer sees it at once; but the server closes the
     * fd when it joins us: closing it here could race with its shutdown()
     * of the same number when it stops. Then wake the server to join us.
     */
    shutdown(c->fd, SHUT_RDWR);
    pthread_mutex_lock(&s->lock);
    c->state = CLIENT_DONE;
    pthread_mutex_unlock(&s->lock);
    eventfd_write(s->reap_fd, 1);
    return NULL;
}
