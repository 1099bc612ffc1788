/*
 * fam-fabric: doorbells between QEMU processes
 *
 * When each node is its own QEMU process (-device fam-fabric,memdev=...),
 * a doorbell to a node of another process goes through a small shared
 * file named by the device's doorbells= property. Every process of the
 * fabric maps the same file. It holds one 64-byte slot per node:
 *
 *   u32 seq          bumped by every ring; the receiver sleeps on it (futex)
 *   u32 online       1 while the node's device is up (its link, see
 *                    fam_fabric_set_link), 0 once it is off or its QEMU
 *                    exited
 *   u64 pending[4]   bit i of pending[v]: node i rang vector v
 *
 * The ringer ORs its bit into the target's pending word, bumps seq and
 * wakes the target. A thread in the target process waits on its own slot,
 * takes the pending bits and delivers them under the BQL exactly as an
 * in-process doorbell. Shared futexes make this work without a server.
 * A doorbell to a node that is not online is an error, as in one process.
 * Only a QEMU that was killed (SIGKILL) leaves its node marked online: its
 * doorbells then wait in the slot for the node's next start.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/futex.h"
#include "qemu/main-loop.h"
#include "qemu/thread.h"
#include "qapi/error.h"
#include "system/system.h"
#include <sys/mman.h>
#include "fam-fabric-int.h"
#include "trace.h"

typedef struct FamRemoteSlot {
    uint32_t seq;
    uint32_t online;
    uint64_t pending[FAM_DOORBELL_VECTORS];
    uint8_t pad[64 - 8 - 8 * FAM_DOORBELL_VECTORS];
} FamRemoteSlot;

QEMU_BUILD_BUG_ON(sizeof(FamRemoteSlot) != 64);

#define FAM_REMOTE_SIZE (FAM_MAX_NODES * sizeof(FamRemoteSlot))

typedef struct FamRemote {
    FamRemoteSlot *slots;
    FamRemoteSlot *me;
    QemuThread thread;
    Notifier exit;              /* marks the node offline as QEMU exits */
    bool stop;
} FamRemote;

static void fam_remote_exit_notify(Notifier *n, void *data)
{
    FamRemote *r = container_of(n, FamRemote, exit);

    qatomic_set(&r->me->online, 0);
}

static void *fam_remote_thread(void *opaque)
{
    FamFabricState *s = opaque;
    FamRemoteSlot *me = &s->remote->slots[s->node_id];

    while (!qatomic_read(&s->remote->stop)) {
        uint32_t seq = qatomic_load_acquire(&me->seq);
        unsigned v;

        for (v = 0; v < FAM_DOORBELL_VECTORS; v++) {
            uint64_t bits = qatomic_xchg(&me->pending[v], 0);

            if (bits) {
                bql_lock();
                s->db_pending[v] |= bits;
                s->stats[FAM_STAT_DOORBELLS_RECEIVED] += ctpop64(bits);
                trace_fam_remote_doorbell(s->node_id, v, bits);
                fam_fabric_raise(s, v);
                bql_unlock();
            }
        }
        qemu_futex_wait(&me->seq, seq);
    }
    return NULL;
}

bool fam_remote_init(FamFabricState *s, const char *path, Error **errp)
{
    FamRemote *r;
    void *p;
    int fd;

    fd = open(path, O_RDWR | O_CREAT, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "doorbells=%s", path);
        return false;
    }
    /* Every process may be first: growing to the same size is harmless */
    if (ftruncate(fd, FAM_REMOTE_SIZE) < 0) {
        error_setg_errno(errp, errno, "doorbells=%s", path);
        close(fd);
        return false;
    }
    p = mmap(NULL, FAM_REMOTE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        error_setg_errno(errp, errno, "doorbells=%s", path);
        return false;
    }
    r = g_new0(FamRemote, 1);
    r->slots = p;
    r->me = &r->slots[s->node_id];
    qatomic_set(&r->me->online, 1);
    r->exit.notify = fam_remote_exit_notify;
    qemu_add_exit_notifier(&r->exit);
    s->remote = r;
    qemu_thread_create(&r->thread, "fam-doorbells", fam_remote_thread, s,
                       QEMU_THREAD_JOINABLE);
    return true;
}

/* The node's link went up or down (it booted, powered off, rebooted). */
void fam_remote_set_online(FamFabricState *s, bool up)
{
    if (s->remote) {
        qatomic_set(&s->remote->me->online, up);
    }
}

/* Ring `vector` of `node` in another process. */
FamRemoteRing fam_remote_ring(FamFabricState *s, uint32_t node,
                              uint32_t vector)
{
    FamRemoteSlot *t;

    if (!s->remote || node >= s->hub->nodes) {
        return FAM_REMOTE_NONE;
    }
    t = &s->remote->slots[node];
    if (!qatomic_read(&t->online)) {
        return FAM_REMOTE_OFFLINE;
    }
    qatomic_or(&t->pending[vector], 1ULL << s->node_id);
    qatomic_inc(&t->seq);
    qemu_futex_wake(&t->seq, INT_MAX);
    return FAM_REMOTE_RUNG;
}

void fam_remote_finalize(FamFabricState *s)
{
    FamRemote *r = s->remote;

    if (!r) {
        return;
    }
    qatomic_set(&r->me->online, 0);
    qemu_remove_exit_notifier(&r->exit);
    qatomic_set(&r->stop, true);
    qatomic_inc(&r->slots[s->node_id].seq);
    qemu_futex_wake(&r->slots[s->node_id].seq, INT_MAX);
    qemu_thread_join(&r->thread);
    munmap(r->slots, FAM_REMOTE_SIZE);
    g_free(r);
    s->remote = NULL;
}
