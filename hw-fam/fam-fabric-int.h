/*
 * fam-fabric: the device's own state and the functions its files share.
 * Only hw-fam/ includes this; the board uses hw/fam/fam-fabric.h.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_FAM_FAM_FABRIC_INT_H
#define HW_FAM_FAM_FABRIC_INT_H

#include "hw/fam/fam-fabric.h"
#include "hw/pci/pci_device.h"
#include "system/hostmem.h"
#include "fam-model.h"

#define FAM_DEFAULT_BOOK_SIZE   (8 * MiB)

/* One contiguous range of the pool granted to a node (fam-grant.c). */
typedef struct FamGrantAlias FamGrantAlias;
typedef struct FamRange {
    uint64_t start;
    uint64_t end;               /* exclusive */
    bool writable;
    FamGrantAlias *alias;
} FamRange;

/* The Librarian of a hub, on its own thread (fam-lib-thread.c). */
typedef struct FamLibrarian FamLibrarian;

/* Counters of one media module (direct mode: decoded accesses only). */
typedef struct FamModuleStats {
    uint64_t reads;
    uint64_t writes;
    uint64_t bytes_read;
    uint64_t bytes_written;
} FamModuleStats;

/*
 * The hub joins the fam-fabric functions of one process: it knows every
 * node's device (doorbells go from one to another) and the pool they all
 * map. The fame machine creates one for its nodes; a fam-fabric created
 * with -device makes its own, for a single node in this process.
 */
struct FamHub {
    Object parent_obj;

    char *memdev_id;            /* -object fam-hub,memdev=ID */
    HostMemoryBackend *memdev;
    uint32_t nodes;
    uint64_t book_size;
    char *model_name;           /* fam-model=: a shipped name or a path */
    FamModel *model;            /* loaded when the first device joins */
    FamModuleStats *module_stats;   /* [model->modules] */
    char *librarian_db;         /* librarian-db=: run a Librarian on it */
    char *librarian_socket;     /* or forward to the daemon on this socket */
    FamLibrarian *librarian;    /* started when the first device joins */
    FamFabricState *dev[FAM_MAX_NODES];
};

/* Mailbox counters of one node, kept by the device (not the Librarian). */
typedef struct FamMailboxStats {
    uint64_t requests;          /* GOs accepted */
    uint64_t errors;            /* error replies and refused GOs */
    uint64_t busy;              /* GOs refused because one was pending */
    uint64_t discarded;         /* replies for a node that reset meanwhile */
} FamMailboxStats;

struct FamFabricState {
    PCIDevice parent_obj;

    /* Properties */
    HostMemoryBackend *memdev;
    FamHub *hub;
    uint32_t node_id;
    uint32_t nodes;
    char *model;
    char *doorbells;            /* shared file for doorbells between processes */
    char *librarian_db;         /* run the hub's Librarian on this database */
    char *librarian_socket;     /* or reach the daemon on this socket */
    bool grant_all;
    struct FamRemote *remote;

    bool own_hub;
    bool link_up;               /* the node is powered on */
    MemoryRegion regs;
    MemoryRegion view;          /* BAR2: the grants over the fault region */
    MemoryRegion fault;
    MemoryRegion pool_ro;       /* the pool as a ROM device: read-only grants */
    MemoryRegion *pool;
    uint64_t pool_size;
    GArray *grants;             /* of FamRange, sorted, disjoint */

    uint32_t intr_status;
    uint32_t intr_mask;
    uint64_t db_pending[FAM_DOORBELL_VECTORS];
    uint64_t stats[FAM_STAT_COUNT];
    uint64_t errlog_count;
    uint8_t errlog[FAM_ERRLOG_ENTRIES][32];

    /* The Librarian mailbox (fam-mailbox.c) */
    uint32_t mbox_status;       /* FAM_MBOX_* */
    uint64_t mbox_epoch;        /* bumped when the node resets or stops */
    FamMailboxStats mbox_stats;
    /*
     * MBOX_DATA is RAM inside BAR0: the guest's copies in and out are
     * plain loads and stores, not one MMIO exit (and one BQL round trip)
     * per word. Only MBOX_CTRL and MBOX_STATUS are registers.
     */
    MemoryRegion mbox_ram;
    uint8_t *mbox;              /* its FAM_MBOX_DATA_SIZE bytes */
};

/* fam-fabric.c */
void fam_fabric_log_error(FamFabricState *s, uint32_t kind, uint64_t offset,
                          uint64_t info);
void fam_fabric_raise(FamFabricState *s, unsigned vector);

/* fam-grant.c: the node's view of the pool */
void fam_view_init(FamFabricState *s);
void fam_view_finalize(FamFabricState *s);
bool fam_grant(FamFabricState *s, uint64_t offset, uint64_t size,
               bool writable, Error **errp);
bool fam_revoke(FamFabricState *s, uint64_t offset, uint64_t size,
                Error **errp);
void fam_revoke_all(FamFabricState *s);

/* fam-mailbox.c: the Librarian mailbox in BAR0 */
void fam_mailbox_ctrl(FamFabricState *s, uint32_t val);
void fam_mailbox_node_gone(FamFabricState *s);
void fam_mailbox_deliver(FamHub *hub, uint32_t node, uint64_t epoch,
                         const void *reply, size_t len);
size_t fam_mailbox_error_reply(void *out, const void *req, uint32_t node,
                               int err);

/* fam-lib-thread.c: the Librarian thread of a hub */
FamLibrarian *fam_librarian_start(FamHub *hub, Error **errp);
void fam_librarian_stop(FamLibrarian *lib);
bool fam_librarian_grants(FamLibrarian *lib);
void fam_librarian_submit(FamLibrarian *lib, uint32_t node, uint64_t epoch,
                          const void *msg, size_t len);
void fam_librarian_drop_opens(FamLibrarian *lib, uint32_t node);
void fam_librarian_hold(FamLibrarian *lib, bool hold);
bool fam_librarian_held(FamLibrarian *lib);

/* fam-remote.c: doorbells to nodes in other processes */
bool fam_remote_init(FamFabricState *s, const char *path, Error **errp);
typedef enum FamRemoteRing {
    FAM_REMOTE_NONE,        /* no such node in another process */
    FAM_REMOTE_OFFLINE,     /* it is, but powered off or gone */
    FAM_REMOTE_RUNG,
} FamRemoteRing;
FamRemoteRing fam_remote_ring(FamFabricState *s, uint32_t node,
                              uint32_t vector);
void fam_remote_set_online(FamFabricState *s, bool up);
void fam_remote_finalize(FamFabricState *s);

/* fam-hub.c */
bool fam_hub_attach(FamHub *hub, FamFabricState *s, Error **errp);
void fam_hub_detach(FamHub *hub, FamFabricState *s);
FamFabricState *fam_hub_node(FamHub *hub, uint32_t node);
void fam_hub_count(FamHub *hub, uint64_t offset, unsigned size,
                   bool is_write);

#endif
