/*
 * fam-fabric: one shared pool of fabric-attached memory in every node
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_FAM_FAM_FABRIC_H
#define HW_FAM_FAM_FABRIC_H

#include "hw/pci/pci_device.h"
#include "system/hostmem.h"
#include "qom/object.h"
#include "fame/fam-fabric-regs.h"
#include "hw/fam/model/fam-model.h"

#define FAM_MAX_NODES           64
#define FAM_DEFAULT_BOOK_SIZE   (8 * MiB)

#define TYPE_FAM_HUB "fam-hub"
OBJECT_DECLARE_SIMPLE_TYPE(FamHub, FAM_HUB)

#define TYPE_FAM_FABRIC "fam-fabric"
OBJECT_DECLARE_SIMPLE_TYPE(FamFabricState, FAM_FABRIC)

/* One contiguous range of the pool granted to a node (fam-grant.c). */
typedef struct FamGrantAlias FamGrantAlias;
typedef struct FamRange {
    uint64_t start;
    uint64_t end;               /* exclusive */
    bool writable;
    FamGrantAlias *alias;
} FamRange;

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
    FamFabricState *dev[FAM_MAX_NODES];
};

struct FamFabricState {
    PCIDevice parent_obj;

    /* Properties */
    HostMemoryBackend *memdev;
    FamHub *hub;
    uint32_t node_id;
    uint32_t nodes;
    char *model;
    char *doorbells;            /* shared file for doorbells between processes */
    bool grant_all;
    struct FamRemote *remote;

    bool own_hub;
    bool link_up;               /* the node is powered on */
    MemoryRegion regs;
    MemoryRegion view;          /* BAR2: the grants over the fault region */
    MemoryRegion fault;
    MemoryRegion *pool;
    uint64_t pool_size;
    GArray *grants;             /* of FamRange, sorted, disjoint */

    uint32_t intr_status;
    uint32_t intr_mask;
    uint64_t db_pending[FAM_DOORBELL_VECTORS];
    uint64_t stats[FAM_STAT_COUNT];
    uint64_t errlog_count;
    uint8_t errlog[FAM_ERRLOG_ENTRIES][32];
};

/* fam-fabric.c */
void fam_fabric_set_link(FamFabricState *s, bool up);
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

/* fam-remote.c: doorbells to nodes in other processes */
bool fam_remote_init(FamFabricState *s, const char *path, Error **errp);
bool fam_remote_ring(FamFabricState *s, uint32_t node, uint32_t vector);
void fam_remote_finalize(FamFabricState *s);

/* fam-hub.c */
FamHub *fam_hub_new(Object *parent, const char *name, HostMemoryBackend *memdev,
                    uint32_t nodes, const char *model, Error **errp);
bool fam_hub_attach(FamHub *hub, FamFabricState *s, Error **errp);
void fam_hub_detach(FamHub *hub, FamFabricState *s);
FamFabricState *fam_hub_node(FamHub *hub, uint32_t node);
void fam_hub_count(FamHub *hub, uint64_t offset, unsigned size,
                   bool is_write);

#endif
