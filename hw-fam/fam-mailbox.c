/*
 * fam-fabric: the Librarian mailbox in BAR0
 *
 * A node writes a request (fame/fam-librarian-proto.h) into MBOX_DATA and
 * FAM_MBOX_GO into MBOX_CTRL. The device copies the request, shows
 * MBOX_STATUS busy and hands the copy to its hub's Librarian thread
 * (fam-lib-thread.c), which answers later through fam_mailbox_deliver():
 * the reply replaces the request in MBOX_DATA, MBOX_STATUS turns done and
 * the mailbox vector fires. Everything here runs under the BQL and never
 * waits for the Librarian, so a vCPU is never held up by SQLite.
 *
 * Without a Librarian in this process (a fam-fabric alone on q35, or
 * librarian=off) the device answers every request at once with ENOSYS.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/bswap.h"
#include "fam-fabric-int.h"
#include "fame/fam-librarian-proto.h"
#include "trace.h"

#define FAM_MBOX_HDR    sizeof(struct fam_lib_hdr)

QEMU_BUILD_BUG_ON(FAM_LIB_MSG_MAX != FAM_MBOX_DATA_SIZE);

/*
 * An error reply to `req` (which may be garbage): the header alone, with
 * the request's opcode and seq echoed so the sender can match it.
 */
size_t fam_mailbox_error_reply(void *out, const void *req, uint32_t node,
                               int err)
{
    const uint8_t *r = req;
    uint8_t *o = out;

    memset(o, 0, FAM_MBOX_HDR);
    stl_le_p(o + offsetof(struct fam_lib_hdr, magic), FAM_LIB_MAGIC);
    stw_le_p(o + offsetof(struct fam_lib_hdr, version), FAM_LIB_VERSION);
    stw_le_p(o + offsetof(struct fam_lib_hdr, opcode),
             lduw_le_p(r + offsetof(struct fam_lib_hdr, opcode)));
    stl_le_p(o + offsetof(struct fam_lib_hdr, length), FAM_MBOX_HDR);
    stl_le_p(o + offsetof(struct fam_lib_hdr, seq),
             ldl_le_p(r + offsetof(struct fam_lib_hdr, seq)));
    stl_le_p(o + offsetof(struct fam_lib_hdr, flags), FAM_LIB_F_REPLY);
    stl_le_p(o + offsetof(struct fam_lib_hdr, status), err);
    stl_le_p(o + offsetof(struct fam_lib_hdr, node), node);
    return FAM_MBOX_HDR;
}

/* The guest wrote MBOX_CTRL. */
void fam_mailbox_ctrl(FamFabricState *s, uint32_t val)
{
    uint32_t length, len;
    uint16_t opcode;

    if (val != FAM_MBOX_GO) {
        qemu_log_mask(LOG_GUEST_ERROR, "fam-fabric node %u: MBOX_CTRL 0x%x "
                      "is not GO\n", s->node_id, val);
        fam_fabric_log_error(s, FAM_ERR_REGISTER, FAM_REG_MBOX_CTRL, val);
        return;
    }
    if (s->mbox_status == FAM_MBOX_BUSY) {
        /* One request at a time: the pending one is never queued twice */
        s->mbox_stats.busy++;
        s->mbox_stats.errors++;
        trace_fam_mbox_busy(s->node_id);
        qemu_log_mask(LOG_GUEST_ERROR, "fam-fabric node %u: mailbox GO while "
                      "a request is pending\n", s->node_id);
        fam_fabric_log_error(s, FAM_ERR_REGISTER, FAM_REG_MBOX_CTRL, val);
        return;
    }

    /*
     * Hand over at most the mailbox and at least a header: a length out of
     * those bounds is the protocol layer's to reject (with a reply), and
     * the mismatch between hdr.length and the bytes given makes it do so.
     */
    length = ldl_le_p(s->mbox + offsetof(struct fam_lib_hdr, length));
    opcode = lduw_le_p(s->mbox + offsetof(struct fam_lib_hdr, opcode));
    len = MIN(MAX(length, FAM_MBOX_HDR), FAM_MBOX_DATA_SIZE);

    s->mbox_status = FAM_MBOX_BUSY;
    s->mbox_stats.requests++;
    trace_fam_mbox_request(s->node_id, opcode, length);
    if (s->hub->librarian) {
        fam_librarian_submit(s->hub->librarian, s->node_id, s->mbox_epoch,
                             s->mbox, len);
    } else {
        uint8_t reply[FAM_MBOX_HDR];

        fam_mailbox_error_reply(reply, s->mbox, s->node_id, ENOSYS);
        fam_mailbox_deliver(s->hub, s->node_id, s->mbox_epoch, reply,
                            sizeof(reply));
    }
}

/*
 * The node reset, or stopped: forget its pending request (a reply still
 * on its way is discarded) and, with a Librarian, drop the node's opens,
 * which revokes its grants.
 */
void fam_mailbox_node_gone(FamFabricState *s)
{
    s->mbox_epoch++;
    s->mbox_status = FAM_MBOX_IDLE;
    memset(s->mbox, 0, FAM_MBOX_DATA_SIZE);
    if (s->hub && s->hub->librarian) {
        fam_librarian_drop_opens(s->hub->librarian, s->node_id);
    }
}

/* A reply for `node`'s request of `epoch`; called with the BQL held. */
void fam_mailbox_deliver(FamHub *hub, uint32_t node, uint64_t epoch,
                         const void *reply, size_t len)
{
    FamFabricState *s = fam_hub_node(hub, node);
    int32_t status;

    assert(len >= FAM_MBOX_HDR && len <= FAM_MBOX_DATA_SIZE);
    status = ldl_le_p((const uint8_t *)reply +
                      offsetof(struct fam_lib_hdr, status));
    if (!s || s->mbox_epoch != epoch || s->mbox_status != FAM_MBOX_BUSY ||
        !s->link_up) {
        if (s) {
            s->mbox_stats.discarded++;
        }
        trace_fam_mbox_discard(node, status);
        return;
    }
    memcpy(s->mbox, reply, len);
    memset(s->mbox + len, 0, FAM_MBOX_DATA_SIZE - len);
    if (status) {
        s->mbox_stats.errors++;
    }
    s->mbox_status = FAM_MBOX_DONE;
    trace_fam_mbox_reply(node,
        lduw_le_p((const uint8_t *)reply + offsetof(struct fam_lib_hdr,
                                                     opcode)),
        status, len);
    fam_fabric_raise(s, FAM_VECTOR_MAILBOX);
}
