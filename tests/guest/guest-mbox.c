/* The Librarian through the fam-fabric mailbox: see guest-mbox.h. */
#define _DEFAULT_SOURCE

#include "guest-mbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

void guest_mbox_init(struct guest_mbox *m, const struct guest_dev *d,
                   const struct fame_node *n)
{
    memset(m, 0, sizeof(*m));
    m->d = d;
    m->n = n;
    m->seq = (uint32_t)getpid() << 8;
    m->claim_node = n->id;
}

/* Copy bytes into MBOX_DATA with 32-bit stores (the padding is zeros). */
static void put_data(const struct guest_dev *d, const unsigned char *p,
                     size_t len)
{
    for (size_t off = 0; off < len; off += 4) {
        uint32_t w = 0;
        size_t n = len - off < 4 ? len - off : 4;
        memcpy(&w, p + off, n);
        guest_wr32(d, FAM_REG_MBOX_DATA + off, w);
    }
}

static void get_data(const struct guest_dev *d, unsigned char *p, size_t off,
                     size_t len)
{
    for (; off < len; off += 4) {
        uint32_t w = guest_rd32(d, FAM_REG_MBOX_DATA + off);
        memcpy(p + off, &w, len - off < 4 ? len - off : 4);
    }
}

/* Through the driver, which sleeps until the reply's interrupt. */
static bool send_driver(struct guest_mbox *m, const void *msg, size_t len)
{
    struct fam_ioc_lib call = {
        .request = (uintptr_t)msg,
        .reply = (uintptr_t)m->reply,
        .request_len = (uint32_t)len,
        .reply_len = sizeof(m->reply),
    };
    if (ioctl(m->d->fd, FAM_IOC_LIB, &call)) {
        fame_say(m->n, "FAIL FAM_IOC_LIB (%zu-byte request): %s", len,
                 strerror(errno));
        return false;
    }
    if (call.reply_len < sizeof(struct fam_lib_hdr) ||
        call.reply_len > sizeof(m->reply)) {
        fame_say(m->n, "FAIL FAM_IOC_LIB says the reply has %u bytes",
                 call.reply_len);
        return false;
    }
    m->reply_len = call.reply_len;
    return true;
}

bool guest_mbox_send_raw(struct guest_mbox *m, const void *msg, size_t len)
{
    const struct guest_dev *d = m->d;
    const struct fame_node *n = m->n;
    uint32_t st, intr;

    if (len > FAM_MBOX_DATA_SIZE) {
        fame_say(n, "FAIL a %zu-byte request does not fit the mailbox", len);
        return false;
    }
    if (d->fd >= 0)
        return send_driver(m, msg, len);
    /* A stale status bit would prove nothing about this reply */
    guest_wr32(d, FAM_REG_INTR_STATUS, 1u << FAM_VECTOR_MAILBOX);
    put_data(d, msg, len);
    guest_wr32(d, FAM_REG_MBOX_CTRL, FAM_MBOX_GO);

    double end = fame_now() + FAM_MBOX_TIMEOUT;
    unsigned long spins = 0;
    while ((st = guest_rd32(d, FAM_REG_MBOX_STATUS)) != FAM_MBOX_DONE) {
        if (st != FAM_MBOX_BUSY) {
            fame_say(n, "FAIL MBOX_STATUS reads %u after GO, neither busy "
                     "nor done", st);
            return false;
        }
        if (fame_now() > end) {
            fame_say(n, "FAIL no reply from the Librarian within %.0f s",
                     FAM_MBOX_TIMEOUT);
            return false;
        }
        /* The reply usually takes a few host microseconds: spin, then
         * leave the host cores to the Librarian's thread */
        if (++spins > 100)
            fame_sleep(0.0002);
    }
    intr = guest_rd32(d, FAM_REG_INTR_STATUS);
    if (!(intr & (1u << FAM_VECTOR_MAILBOX))) {
        fame_say(n, "FAIL the reply came without the mailbox interrupt "
                 "status bit (INTR_STATUS %#x)", intr);
        return false;
    }
    guest_wr32(d, FAM_REG_INTR_STATUS, 1u << FAM_VECTOR_MAILBOX);

    get_data(d, m->reply, 0, sizeof(struct fam_lib_hdr));
    struct fam_lib_hdr h;
    memcpy(&h, m->reply, sizeof(h));
    fam_lib_wire_hdr(&h);
    if (h.length < sizeof(h) || h.length > FAM_MBOX_DATA_SIZE) {
        fame_say(n, "FAIL the reply's length field is %u", h.length);
        return false;
    }
    get_data(d, m->reply, sizeof(h), h.length);
    m->reply_len = h.length;
    return true;
}

int guest_mbox_call(struct guest_mbox *m, uint16_t op,
                  const struct fam_lib_args *args, const char *str1,
                  const char *str2, const void *blob, size_t blob_len,
                  const void **body, size_t *body_len)
{
    uint32_t seq = ++m->seq;
    int len = fam_lib_msg_build(m->req, sizeof(m->req), op, seq,
                                m->claim_node, 0, 0, (uint32_t)getpid(),
                                args, str1, str2, blob, blob_len);
    if (len < 0) {
        fame_say(m->n, "FAIL cannot build a %s request: %s",
                 fam_lib_op_name(op), strerror(-len));
        return FAM_MBOX_BROKEN;
    }
    if (!guest_mbox_send_raw(m, m->req, (size_t)len))
        return FAM_MBOX_BROKEN;
    int rc = fam_lib_reply_check(m->reply, m->reply_len, op, seq, body,
                                 body_len);
    if (rc == -EBADMSG || rc == -EPROTO) {
        fame_say(m->n, "FAIL the reply to %s is not well-formed: %s",
                 fam_lib_op_name(op), strerror(-rc));
        return FAM_MBOX_BROKEN;
    }
    return rc;
}

struct fam_lib_hdr guest_mbox_reply_hdr(const struct guest_mbox *m)
{
    struct fam_lib_hdr h;
    memcpy(&h, m->reply, sizeof(h));
    fam_lib_wire_hdr(&h);
    return h;
}

const char *guest_mbox_strerror(int rc)
{
    if (rc == FAM_MBOX_BROKEN)
        return "no usable reply";
    return rc ? strerror(-rc) : "success";
}

bool guest_mbox_ok(const struct guest_mbox *m, const char *what, int rc)
{
    if (rc == 0)
        return true;
    if (rc != FAM_MBOX_BROKEN)
        fame_say(m->n, "FAIL %s: %s", what, guest_mbox_strerror(rc));
    return false;
}

bool guest_mbox_open(struct guest_mbox *m, const char *path, uint32_t flags,
                   uint64_t *handle)
{
    struct fam_lib_args a = { .flags = flags };
    const void *body;
    size_t blen;
    char what[96];

    snprintf(what, sizeof(what), "OPEN %s", path);
    if (!guest_mbox_ok(m, what, guest_mbox_call(m, FAM_LIB_OP_OPEN, &a, path,
                                            NULL, NULL, 0, &body, &blen)))
        return false;
    struct fam_lib_open o;
    memcpy(&o, body, sizeof(o));
    fam_lib_wire_open(&o);
    *handle = o.handle;
    return true;
}

bool guest_mbox_shelf_books(struct guest_mbox *m, uint64_t handle,
                          uint64_t *books, unsigned max, unsigned *count)
{
    uint64_t cursor = 0;

    *count = 0;
    for (;;) {
        struct fam_lib_args a = { .handle = handle, .size = cursor };
        const void *body;
        size_t blen;
        FamLibListIter it;
        struct fam_lib_list list;
        struct fam_lib_book book;
        int rc = guest_mbox_call(m, FAM_LIB_OP_SHELF_BOOKS, &a, NULL, NULL,
                               NULL, 0, &body, &blen);

        if (!guest_mbox_ok(m, "SHELF_BOOKS", rc))
            return false;
        if (fam_lib_list_begin(&it, FAM_LIB_ITEM_BOOK, body, blen, &list)) {
            fame_say(m->n, "FAIL SHELF_BOOKS's reply is not a list");
            return false;
        }
        while ((rc = fam_lib_list_next_book(&it, &book)) == 1) {
            if (*count < max)
                books[*count] = book.book;
            (*count)++;
        }
        if (rc < 0) {
            fame_say(m->n, "FAIL SHELF_BOOKS's list is malformed");
            return false;
        }
        if (list.done)
            return true;
        cursor = list.next;
    }
}

int guest_mbox_count_opens(struct guest_mbox *m, uint32_t node,
                           uint32_t pid)
{
    uint64_t cursor = 0;
    int count = 0;

    for (;;) {
        struct fam_lib_args a = { .size = cursor };
        const void *body;
        size_t len;
        FamLibListIter it;
        struct fam_lib_list list;
        struct fam_lib_opened o;
        int rc = guest_mbox_call(m, FAM_LIB_OP_LIST_OPENS, &a, NULL, NULL,
                                 NULL, 0, &body, &len);

        if (rc || fam_lib_list_begin(&it, FAM_LIB_ITEM_OPENED, body, len,
                                     &list))
            return -1;
        while ((rc = fam_lib_list_next_opened(&it, &o)) == 1)
            count += o.node == node && o.pid == pid;
        if (rc < 0)
            return -1;
        if (list.done)
            return count;
        cursor = list.next;
    }
}

bool guest_mbox_oob_send(struct guest_mbox *m, const char *tag, uint64_t run,
                       const char *word)
{
    char msg[96];
    int len = snprintf(msg, sizeof(msg), "%s %" PRIu64 " %s", tag, run,
                       word);
    char what[64];
    snprintf(what, sizeof(what), "OOB_SEND '%s'", word);
    return guest_mbox_ok(m, what, guest_mbox_call(m, FAM_LIB_OP_OOB_SEND, NULL,
                                              NULL, NULL, msg, (size_t)len,
                                              NULL, NULL));
}

/*
 * Wait for node `from`'s message of this run that starts with `word`;
 * what follows it goes to rest[0..rest_len). Each word is waited for
 * once, so every poll reads all messages of this run again, from the
 * first one seen (m->oob_first): earlier runs' messages, which the
 * Librarian keeps, are skipped.
 */
bool guest_mbox_oob_wait(struct guest_mbox *m, const char *tag, uint64_t run,
                       unsigned from, const char *word, char *rest,
                       size_t rest_len)
{
    char want[96];
    int want_len = snprintf(want, sizeof(want), "%s %" PRIu64 " %s",
                            tag, run, word);
    double end = fame_now() + FAM_WAIT_BOOT;
    char run_tag[64];
    int run_len = snprintf(run_tag, sizeof(run_tag), "%s %" PRIu64 " ", tag,
                           run);
    uint64_t cursor = m->oob_first;

    for (;;) {
        struct fam_lib_args a = { .size = cursor };
        const void *body;
        size_t blen;
        int rc = guest_mbox_call(m, FAM_LIB_OP_OOB_RECV, &a, NULL, NULL,
                               NULL, 0, &body, &blen);
        if (!guest_mbox_ok(m, "OOB_RECV", rc))
            return false;
        FamLibListIter it;
        struct fam_lib_list list;
        struct fam_lib_oob oob;
        const void *msg;
        if (fam_lib_list_begin(&it, FAM_LIB_ITEM_OOB, body, blen, &list)) {
            fame_say(m->n, "FAIL OOB_RECV's reply is not a list");
            return false;
        }
        while ((rc = fam_lib_list_next_oob(&it, &oob, &msg)) == 1) {
            size_t extra = oob.len - (size_t)want_len;
            if (m->oob_first == 0 && oob.len >= (unsigned)run_len &&
                !memcmp(msg, run_tag, (size_t)run_len))
                m->oob_first = oob.id;
            if (oob.node != from || oob.len < (unsigned)want_len ||
                memcmp(msg, want, (size_t)want_len) || extra >= rest_len)
                continue;
            memcpy(rest, (const char *)msg + want_len, extra);
            rest[extra] = '\0';
            fame_say(m->n, "node %u: node %u says '%s%s'", m->n->id, from,
                     word, rest);
            return true;
        }
        if (rc < 0) {
            fame_say(m->n, "FAIL OOB_RECV's list is malformed: %s",
                     strerror(-rc));
            return false;
        }
        cursor = list.next;
        if (!list.done)
            continue;
        cursor = m->oob_first;
        if (fame_now() > end) {
            fame_say(m->n, "FAIL node %u never said '%s' (run %" PRIu64 ")",
                     from, word, run);
            return false;
        }
        fame_sleep(0.05);
    }
}
