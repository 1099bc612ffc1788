/*
 * fam-fabric: the PCI function that maps the shared pool into a node
 *
 * BAR0 holds the registers of fame/fam-fabric-regs.h (identity, interrupt
 * status and mask, doorbells, statistics, error log, Librarian mailbox),
 * BAR1 the MSI-X table, BAR2 the node's view of the pool (fam-grant.c).
 * docs/fam-fabric.md is the guest's documentation of all of it.
 *
 * In the fame machine every node has one of these, all on one hub and one
 * pool. With -device on another machine it stands alone: one node of a
 * fabric whose other nodes are other QEMU processes sharing the pool file.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/log.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "hw/boards.h"
#include "system/tcg.h"
#include "fam-fabric-int.h"
#include "trace.h"

static const char *const fam_err_names[] = {
    [FAM_ERR_GRANT_READ] = "grant-read",
    [FAM_ERR_GRANT_WRITE] = "grant-write",
    [FAM_ERR_DOORBELL] = "doorbell",
    [FAM_ERR_REGISTER] = "register",
};

void fam_fabric_log_error(FamFabricState *s, uint32_t kind, uint64_t offset,
                          uint64_t info)
{
    uint8_t *e = s->errlog[s->errlog_count % FAM_ERRLOG_ENTRIES];
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);

    stq_le_p(e + FAM_ERRLOG_TIME, now);
    stq_le_p(e + FAM_ERRLOG_OFFSET, offset);
    stl_le_p(e + FAM_ERRLOG_NODE, s->node_id);
    stl_le_p(e + FAM_ERRLOG_KIND, kind);
    stq_le_p(e + FAM_ERRLOG_INFO, info);
    s->errlog_count++;
    trace_fam_error(s->node_id, fam_err_names[kind], offset, info);
    fam_fabric_raise(s, FAM_VECTOR_ERROR);
}

/* Set an interrupt status bit and signal its vector unless masked. */
void fam_fabric_raise(FamFabricState *s, unsigned vector)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    s->intr_status |= 1u << vector;
    if (!(s->intr_mask & (1u << vector)) && msix_enabled(pdev)) {
        msix_notify(pdev, vector);
    }
}

void fam_fabric_set_link(FamFabricState *s, bool up)
{
    if (s->link_up && !up) {
        fam_mailbox_node_gone(s);
    }
    s->link_up = up;
    fam_remote_set_online(s, up);
    trace_fam_link(s->node_id, up);
}

static void fam_fabric_ring(FamFabricState *s, uint32_t val)
{
    uint32_t target = val >> 16;
    uint32_t vector = val & 0xffff;
    FamFabricState *t = fam_hub_node(s->hub, target);
    FamRemoteRing remote = FAM_REMOTE_NONE;

    if (!t && vector < FAM_DOORBELL_VECTORS && target != s->node_id) {
        remote = fam_remote_ring(s, target, vector);
        if (remote == FAM_REMOTE_RUNG) {
            s->stats[FAM_STAT_DOORBELLS_SENT]++;
            trace_fam_doorbell(s->node_id, target, vector);
            return;
        }
    }
    if (!t || !t->link_up || vector >= FAM_DOORBELL_VECTORS) {
        qemu_log_mask(LOG_GUEST_ERROR, "fam-fabric node %u: doorbell 0x%x: "
                      "%s\n", s->node_id, val,
                      vector >= FAM_DOORBELL_VECTORS ? "no such vector" :
                      remote == FAM_REMOTE_OFFLINE ?
                      "the node (in another process) is powered off" :
                      !t ? "no such node in this process" :
                      "the node is powered off");
        s->stats[FAM_STAT_DOORBELL_ERRORS]++;
        fam_fabric_log_error(s, FAM_ERR_DOORBELL, FAM_REG_DOORBELL, val);
        return;
    }
    s->stats[FAM_STAT_DOORBELLS_SENT]++;
    t->stats[FAM_STAT_DOORBELLS_RECEIVED]++;
    t->db_pending[vector] |= 1ULL << s->node_id;
    trace_fam_doorbell(s->node_id, target, vector);
    fam_fabric_raise(t, vector);
}

static bool fam_fabric_in(hwaddr addr, hwaddr base, hwaddr len)
{
    return addr >= base && addr < base + len;
}

/* A 64-bit register read whole or as two 32-bit halves. */
static uint64_t fam_fabric_half(uint64_t value, hwaddr addr, unsigned size)
{
    return size == 8 ? value : extract64(value, (addr & 4) * 8, 32);
}

static void fam_fabric_bad_access(FamFabricState *s, const char *what,
                                  hwaddr addr, unsigned size)
{
    qemu_log_mask(LOG_GUEST_ERROR, "fam-fabric node %u: bad %u-byte %s at "
                  "BAR0+0x%" HWADDR_PRIx "\n", s->node_id, size, what, addr);
    fam_fabric_log_error(s, FAM_ERR_REGISTER, addr, size);
}

static uint64_t fam_fabric_read(void *opaque, hwaddr addr, unsigned size)
{
    FamFabricState *s = opaque;
    hwaddr reg = addr & ~(hwaddr)7;

    if (fam_fabric_in(addr, FAM_REG_MODEL_NAME, FAM_MODEL_NAME_LEN)) {
        /* The model's name, NUL-padded (cut to the register's length) */
        char name[FAM_MODEL_NAME_LEN + 8] = { 0 };
        uint64_t v = 0;

        strncpy(name, s->hub->model->name, FAM_MODEL_NAME_LEN - 1);
        memcpy(&v, name + (addr - FAM_REG_MODEL_NAME), size);
        return le64_to_cpu(v);
    }
    if (fam_fabric_in(addr, FAM_REG_DB_PENDING(0), 8 * FAM_DOORBELL_VECTORS)) {
        return fam_fabric_half(s->db_pending[(addr - FAM_REG_DB_PENDING(0)) / 8],
                               addr, size);
    }
    if (fam_fabric_in(addr, FAM_REG_STAT(0), 8 * FAM_STAT_COUNT)) {
        return fam_fabric_half(s->stats[(addr - FAM_REG_STAT(0)) / 8], addr,
                               size);
    }
    if (fam_fabric_in(addr, FAM_REG_ERRLOG(0),
                      32 * FAM_ERRLOG_ENTRIES)) {
        return size == 8 ? ldq_le_p(s->errlog[0] + (addr - FAM_REG_ERRLOG(0)))
                         : ldl_le_p(s->errlog[0] + (addr - FAM_REG_ERRLOG(0)));
    }
    switch (size == 8 ? addr : reg) {
    case FAM_REG_POOL_SIZE:
        return fam_fabric_half(s->pool_size, addr, size);
    case FAM_REG_BOOK_SIZE:
        return fam_fabric_half(s->hub->book_size, addr, size);
    case FAM_REG_IL_GRANULE:
        return fam_fabric_half(s->hub->model->granule, addr, size);
    case FAM_REG_ERRLOG_COUNT:
        return fam_fabric_half(s->errlog_count, addr, size);
    }
    if (size == 8) {
        fam_fabric_bad_access(s, "read", addr, size);
        return UINT64_MAX;
    }
    switch (addr) {
    case FAM_REG_MAGIC:
        return FAM_MAGIC;
    case FAM_REG_VERSION:
        return FAM_VERSION_MAJOR << 16 | FAM_VERSION_MINOR;
    case FAM_REG_NODE_ID:
        return s->node_id;
    case FAM_REG_NODE_COUNT:
        return s->hub->nodes;
    case FAM_REG_MODULE_COUNT:
        return s->hub->model->modules;
    case FAM_REG_IL_WAYS:
        return s->hub->model->ways;
    case FAM_REG_FEATURES:
        return FAM_FEATURE_DOORBELL | FAM_FEATURE_GRANTS |
               (s->hub->librarian ? FAM_FEATURE_MAILBOX : 0);
    case FAM_REG_INTR_STATUS:
        return s->intr_status;
    case FAM_REG_INTR_MASK:
        return s->intr_mask;
    case FAM_REG_MBOX_STATUS:
        return s->mbox_status;
    case FAM_REG_DOORBELL:
    case FAM_REG_MBOX_CTRL:
        return 0;   /* write-only */
    }
    fam_fabric_bad_access(s, "read", addr, size);
    return UINT32_MAX;
}

static void fam_fabric_write(void *opaque, hwaddr addr, uint64_t val,
                             unsigned size)
{
    FamFabricState *s = opaque;

    if (fam_fabric_in(addr, FAM_REG_DB_PENDING(0), 8 * FAM_DOORBELL_VECTORS)) {
        unsigned v = (addr - FAM_REG_DB_PENDING(0)) / 8;
        uint64_t clear = size == 8 ? val : val << ((addr & 4) * 8);

        s->db_pending[v] &= ~clear;
        return;
    }
    if (size != 4) {
        fam_fabric_bad_access(s, "write", addr, size);
        return;
    }
    switch (addr) {
    case FAM_REG_INTR_STATUS:
        s->intr_status &= ~val;
        return;
    case FAM_REG_INTR_MASK:
        s->intr_mask = val & MAKE_64BIT_MASK(0, FAM_MSIX_VECTORS);
        return;
    case FAM_REG_DOORBELL:
        fam_fabric_ring(s, val);
        return;
    case FAM_REG_MBOX_CTRL:
        fam_mailbox_ctrl(s, val);
        return;
    }
    fam_fabric_bad_access(s, "write", addr, size);
}

static const MemoryRegionOps fam_fabric_regs_ops = {
    .read = fam_fabric_read,
    .write = fam_fabric_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 8,
    .impl.min_access_size = 4,
    .impl.max_access_size = 8,
};

/*
 * librarian-db= runs the hub's Librarian on that database, librarian=
 * forwards to the daemon on that socket: one Librarian a hub.
 */
static bool fam_fabric_set_librarian(FamFabricState *s, Error **errp)
{
    FamHub *hub = s->hub;

    if (s->librarian_db && s->librarian_socket) {
        error_setg(errp, "fam-fabric: librarian-db= (a Librarian in this "
                   "process) and librarian= (the daemon's socket) exclude "
                   "each other");
        return false;
    }
    if (g_strcmp0(hub->librarian_db, s->librarian_db) == 0 &&
        g_strcmp0(hub->librarian_socket, s->librarian_socket) == 0) {
        return true;
    }
    if (hub->librarian_db || hub->librarian_socket) {
        error_setg(errp, "fam-fabric: this fabric's Librarian is already %s",
                   hub->librarian_db ? hub->librarian_db
                                     : hub->librarian_socket);
        return false;
    }
    for (unsigned i = 0; i < FAM_MAX_NODES; i++) {
        if (hub->dev[i]) {
            /* Node i started without the Librarian, with the whole pool */
            error_setg(errp, "fam-fabric: node %u joined this fabric "
                       "without a Librarian; give librarian-db= or "
                       "librarian= on the first device", i);
            return false;
        }
    }
    if (s->librarian_db) {
        return object_property_set_str(OBJECT(hub), "librarian-db",
                                       s->librarian_db, errp);
    }
    hub->librarian_socket = g_strdup(s->librarian_socket);
    return true;
}

static void fam_fabric_realize(PCIDevice *pdev, Error **errp)
{
    FamFabricState *s = FAM_FABRIC(pdev);
    unsigned v;

    if (!s->hub) {
        /* Alone in this process: one node of a multi-process fabric */
        if (!s->memdev) {
            error_setg(errp, "fam-fabric needs memdev=<id of a "
                       "memory-backend with share=on>");
            return;
        }
        if (host_memory_backend_is_mapped(s->memdev)) {
            error_setg(errp, "memdev %s is already in use by another device",
                       object_get_canonical_path_component(OBJECT(s->memdev)));
            return;
        }
        /*
         * The other nodes are other processes, whose LOCK-prefixed
         * instructions are host atomics on the shared file. This
         * process's are too only when TCG translates for parallel CPUs,
         * which it does not with one possible CPU.
         */
        if (tcg_enabled() && MACHINE(qdev_get_machine())->smp.max_cpus < 2) {
            error_setg(errp, "fam-fabric: with TCG and one possible CPU, "
                       "atomic instructions on the pool are not atomic "
                       "with the other processes");
            error_append_hint(errp, "Start QEMU with -smp 1,maxcpus=2 (or "
                              "more CPUs) so TCG uses host atomics.\n");
            return;
        }
        s->hub = fam_hub_new(OBJECT(s), "own-hub", s->memdev, s->nodes,
                             s->model, errp);
        if (!s->hub) {
            return;
        }
        s->own_hub = true;
        host_memory_backend_set_mapped(s->memdev, true);
    }
    if ((s->librarian_db || s->librarian_socket) &&
        !fam_fabric_set_librarian(s, errp)) {
        return;
    }
    if (!fam_hub_attach(s->hub, s, errp)) {
        return;
    }
    s->nodes = s->hub->nodes;
    s->pool = host_memory_backend_get_memory(s->hub->memdev);
    s->pool_size = memory_region_size(s->pool);

    memory_region_init_io(&s->regs, OBJECT(s), &fam_fabric_regs_ops, s,
                          "fam-fabric.regs", FAM_BAR_REGS_SIZE);
    if (!memory_region_init_ram(&s->mbox_ram, OBJECT(s), "fam-fabric.mailbox",
                                FAM_MBOX_DATA_SIZE, errp)) {
        return;
    }
    s->mbox = memory_region_get_ram_ptr(&s->mbox_ram);
    memory_region_add_subregion(&s->regs, FAM_REG_MBOX_DATA, &s->mbox_ram);
    pci_register_bar(pdev, FAM_BAR_REGS, PCI_BASE_ADDRESS_SPACE_MEMORY,
                     &s->regs);
    if (msix_init_exclusive_bar(pdev, FAM_MSIX_VECTORS, FAM_BAR_MSIX, errp)) {
        return;
    }
    for (v = 0; v < FAM_MSIX_VECTORS; v++) {
        msix_vector_use(pdev, v);
    }
    fam_view_init(s);
    pci_register_bar(pdev, FAM_BAR_POOL, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_PREFETCH |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->view);
    /* With a Librarian, nodes get what they open, nothing at start */
    if (s->grant_all &&
        !(s->hub->librarian && fam_librarian_grants(s->hub->librarian)) &&
        !fam_grant(s, 0, s->pool_size, true, errp)) {
        return;
    }
    if (s->doorbells && !fam_remote_init(s, s->doorbells, errp)) {
        return;
    }
    s->link_up = true;
    trace_fam_realize(s->node_id, s->nodes, s->pool_size);
}

static void fam_fabric_exit(PCIDevice *pdev)
{
    FamFabricState *s = FAM_FABRIC(pdev);

    fam_remote_finalize(s);
    if (s->hub) {
        fam_hub_detach(s->hub, s);
    }
    fam_view_finalize(s);
    msix_uninit_exclusive_bar(pdev);
    if (s->own_hub) {
        host_memory_backend_set_mapped(s->memdev, false);
    }
}

static void fam_fabric_reset(DeviceState *dev)
{
    FamFabricState *s = FAM_FABRIC(dev);

    s->intr_status = 0;
    s->intr_mask = 0;
    memset(s->db_pending, 0, sizeof(s->db_pending));
    fam_mailbox_node_gone(s);
    msix_reset(PCI_DEVICE(s));
}

/* The "stats" property: this node's counters, for qom-get and tests. */
static void fam_fabric_get_stats(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    static const char *const names[FAM_STAT_COUNT] = {
        [FAM_STAT_READS] = "reads",
        [FAM_STAT_WRITES] = "writes",
        [FAM_STAT_BYTES_READ] = "bytes-read",
        [FAM_STAT_BYTES_WRITTEN] = "bytes-written",
        [FAM_STAT_DOORBELLS_SENT] = "doorbells-sent",
        [FAM_STAT_DOORBELLS_RECEIVED] = "doorbells-received",
        [FAM_STAT_DOORBELL_ERRORS] = "doorbell-errors",
        [FAM_STAT_GRANT_FAULTS] = "grant-faults",
    };
    FamFabricState *s = FAM_FABRIC(obj);
    unsigned i;
    bool ok = false;

    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    for (i = 0; i < FAM_STAT_COUNT; i++) {
        if (!visit_type_uint64(v, names[i], &s->stats[i], errp)) {
            goto out;
        }
    }
    if (!visit_type_uint64(v, "errors-logged", &s->errlog_count, errp) ||
        !visit_type_uint64(v, "mailbox-requests", &s->mbox_stats.requests,
                           errp) ||
        !visit_type_uint64(v, "mailbox-errors", &s->mbox_stats.errors,
                           errp) ||
        !visit_type_uint64(v, "mailbox-busy", &s->mbox_stats.busy, errp) ||
        !visit_type_uint64(v, "mailbox-discarded", &s->mbox_stats.discarded,
                           errp)) {
        goto out;
    }
    ok = visit_check_struct(v, errp);
out:
    visit_end_struct(v, NULL);
    (void)ok;
}

static const Property fam_fabric_properties[] = {
    DEFINE_PROP_LINK("memdev", FamFabricState, memdev, TYPE_MEMORY_BACKEND,
                     HostMemoryBackend *),
    DEFINE_PROP_LINK("hub", FamFabricState, hub, TYPE_FAM_HUB, FamHub *),
    DEFINE_PROP_UINT32("node-id", FamFabricState, node_id, 0),
    DEFINE_PROP_UINT32("nodes", FamFabricState, nodes, 1),
    DEFINE_PROP_STRING("model", FamFabricState, model),
    DEFINE_PROP_STRING("doorbells", FamFabricState, doorbells),
    DEFINE_PROP_STRING("librarian-db", FamFabricState, librarian_db),
    DEFINE_PROP_STRING("librarian", FamFabricState, librarian_socket),
    DEFINE_PROP_BOOL("grant-all", FamFabricState, grant_all, true),
};

static void fam_fabric_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = fam_fabric_realize;
    k->exit = fam_fabric_exit;
    k->vendor_id = FAM_PCI_VENDOR_ID;
    k->device_id = FAM_PCI_DEVICE_ID;
    k->revision = FAM_PCI_REVISION;
    k->class_id = FAM_PCI_CLASS >> 8;
    dc->desc = "Fabric-attached memory: a shared pool, doorbells and grants";
    device_class_set_legacy_reset(dc, fam_fabric_reset);
    device_class_set_props(dc, fam_fabric_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    object_class_property_add(oc, "stats", "FamStats", fam_fabric_get_stats,
                              NULL, NULL, NULL);
    object_class_property_set_description(oc, "stats",
        "This node's fabric counters (direct mode counts only the accesses "
        "the device decodes: grant faults) and its Librarian mailbox "
        "counters");
}

static const TypeInfo fam_fabric_info = {
    .name = TYPE_FAM_FABRIC,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(FamFabricState),
    .class_init = fam_fabric_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void fam_fabric_register_types(void)
{
    type_register_static(&fam_fabric_info);
}

type_init(fam_fabric_register_types)
