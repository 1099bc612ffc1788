/*
 * The Librarian through the fam-fabric mailbox. Requests are built with
 * the Librarian's own client code (librarian/proto/lib-client-msg.h).
 * Through the driver (a guest_dev opened with guest_dev_open_driver) each is
 * one FAM_IOC_LIB: the driver sleeps until the reply's interrupt. Raw, the
 * request is written into BAR0's MBOX_DATA, sent with MBOX_CTRL = GO, and
 * the reply read back once MBOX_STATUS says done (polled).
 */
#ifndef GUEST_MBOX_H
#define GUEST_MBOX_H

#include "guest-dev.h"
#include "lib-client-msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long a reply may take: the Librarian serves all nodes in turn, on
 * a host whose cores the nodes' vCPUs share. */
#define FAM_MBOX_TIMEOUT        30.0

/* A transport failure (no reply in time, a reply that is not one). */
#define FAM_MBOX_BROKEN         (-100000)

struct guest_mbox {
    const struct guest_dev *d;
    const struct fame_node *n;
    uint32_t seq;
    uint32_t claim_node;            /* the node put into request headers */
    unsigned char req[FAM_LIB_MSG_MAX];
    unsigned char reply[FAM_LIB_MSG_MAX];
    size_t reply_len;
    uint64_t oob_first;             /* id of this run's first OOB message */
};

void guest_mbox_init(struct guest_mbox *m, const struct guest_dev *d,
                   const struct fame_node *n);

/*
 * Send msg[0..len) as it is (it may be malformed on purpose) and wait for
 * the reply, which lands in m->reply / m->reply_len. Raw, checks on the
 * way that the device shows busy then done and raises the mailbox's
 * interrupt status bit (cleared here); either way, that the reply's
 * length is sane. Prints a FAIL line and returns false if not.
 */
bool guest_mbox_send_raw(struct guest_mbox *m, const void *msg, size_t len);

/*
 * One request: build, send, check the reply against (op, seq). Returns 0
 * with *body / *body_len (either may be NULL) pointing into m->reply, the
 * Librarian's error as a negative errno, or FAM_MBOX_BROKEN after a FAIL
 * line.
 */
int guest_mbox_call(struct guest_mbox *m, uint16_t op,
                  const struct fam_lib_args *args, const char *str1,
                  const char *str2, const void *blob, size_t blob_len,
                  const void **body, size_t *body_len);

/* The reply header of the last call, in host order. */
struct fam_lib_hdr guest_mbox_reply_hdr(const struct guest_mbox *m);

/*
 * Messages between nodes through the Librarian (OOB_SEND / OOB_RECV):
 * "TAG RUN WORD[REST]". Send WORD; wait (up to FAM_WAIT_BOOT) for node
 * `from` to send WORD, and copy what follows WORD into rest. False after
 * a FAIL line.
 */
bool guest_mbox_oob_send(struct guest_mbox *m, const char *tag, uint64_t run,
                       const char *word);
bool guest_mbox_oob_wait(struct guest_mbox *m, const char *tag, uint64_t run,
                       unsigned from, const char *word, char *rest,
                       size_t rest_len);

/*
 * True if rc, a result of guest_mbox_call(), is 0; otherwise false after a
 * FAIL line "<what>: <error>" (none for FAM_MBOX_BROKEN, which already
 * printed its own).
 */
bool guest_mbox_ok(const struct guest_mbox *m, const char *what, int rc);

/* OPEN path with flags (FAM_LIB_OPEN_*): its handle. False after a FAIL. */
bool guest_mbox_open(struct guest_mbox *m, const char *path, uint32_t flags,
                   uint64_t *handle);

/*
 * The books of the open shelf `handle`, in order, over as many
 * SHELF_BOOKS replies as it takes: the first max of them into books[],
 * how many there are into *count. False after a FAIL line.
 */
bool guest_mbox_shelf_books(struct guest_mbox *m, uint64_t handle,
                          uint64_t *books, unsigned max, unsigned *count);

/*
 * The open handles the Librarian lists (LIST_OPENS, every page) of node
 * `node` and process `pid`; -1 if a call or its reply failed (no FAIL
 * line: the caller says what it was counting for).
 */
int guest_mbox_count_opens(struct guest_mbox *m, uint32_t node,
                           uint32_t pid);

/* "ENOENT"-like text for a result of guest_mbox_call(). */
const char *guest_mbox_strerror(int rc);

#endif
