/*
 * fam-fabric: a node's view of the pool (BAR2) and the grants behind it
 *
 * BAR2 is a container as large as the pool (rounded up to a power of two,
 * as PCI wants). At the bottom lies the fault region, an I/O region that
 * covers everything; above it, one alias per granted range. Loads and
 * stores to a granted range go straight to the pool's host memory (no exit
 * from translated code); an access anywhere else reaches the fault region,
 * which returns all-ones for reads, drops writes, and counts and logs the
 * event.
 *
 * A store into a read-only grant is a write the node was not granted, so
 * it must be refused, counted and logged the same way, while loads from
 * the grant stay direct. A read-only alias of the pool cannot do that:
 * TCG drops CPU stores to it silently, and DMA writes and KVM guests'
 * stores go through. So read-only grants are aliases of pool_ro instead, a
 * ROM device over the pool's own memory (its RAMBlock, see QEMU patch
 * 0017): in ROMD mode its loads are direct host loads (a read-only memory
 * slot under KVM) and every write, by a CPU or by DMA, goes to
 * fam_fault_write. pool_ro covers the whole pool at offset 0, so the
 * offset the write callback gets is already the pool offset, as for the
 * fault region.
 *
 * Grants are kept as a sorted list of non-overlapping ranges; every change
 * rebuilds the view in one memory transaction, which also flushes the TLBs
 * of the CPUs that could still hold a revoked page.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/rcu.h"
#include "qapi/error.h"
#include "exec/memory.h"
#include "fam-fabric-int.h"
#include "trace.h"

/* Grants are page-granular: the smallest unit a guest can map. */
#define FAM_GRANT_ALIGN         (4 * KiB)

/* A grant's alias, freed after the RCU readers of old views are done. */
struct FamGrantAlias {
    struct rcu_head rcu;        /* call_rcu() wants it first */
    MemoryRegion mr;
};

static uint64_t fam_fault_read(void *opaque, hwaddr addr, unsigned size)
{
    FamFabricState *s = opaque;

    s->stats[FAM_STAT_READS]++;
    s->stats[FAM_STAT_BYTES_READ] += size;
    s->stats[FAM_STAT_GRANT_FAULTS]++;
    fam_hub_count(s->hub, addr, size, false);
    fam_fabric_log_error(s, FAM_ERR_GRANT_READ, addr, size);
    return size == 8 ? UINT64_MAX : MAKE_64BIT_MASK(0, size * 8);
}

static void fam_fault_write(void *opaque, hwaddr addr, uint64_t val,
                            unsigned size)
{
    FamFabricState *s = opaque;

    s->stats[FAM_STAT_WRITES]++;
    s->stats[FAM_STAT_BYTES_WRITTEN] += size;
    s->stats[FAM_STAT_GRANT_FAULTS]++;
    fam_hub_count(s->hub, addr, size, true);
    fam_fabric_log_error(s, FAM_ERR_GRANT_WRITE, addr, size);
}

static const MemoryRegionOps fam_fault_ops = {
    .read = fam_fault_read,
    .write = fam_fault_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
    .impl.min_access_size = 1,
    .impl.max_access_size = 8,
};

/*
 * In ROMD mode reads of pool_ro never come here (they are direct); should
 * one (e.g. with ROMD mode off), it is a granted read: the pool's data.
 */
static uint64_t fam_pool_ro_read(void *opaque, hwaddr addr, unsigned size)
{
    FamFabricState *s = opaque;

    return ldn_le_p((uint8_t *)memory_region_get_ram_ptr(s->pool) + addr,
                    size);
}

/* Reads of a read-only grant are the pool's; writes are grant faults. */
static const MemoryRegionOps fam_pool_ro_ops = {
    .read = fam_pool_ro_read,
    .write = fam_fault_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 8,
    .impl.min_access_size = 1,
    .impl.max_access_size = 8,
};

void fam_view_init(FamFabricState *s)
{
    uint64_t bar_size = pow2ceil(MAX(s->pool_size, 4 * KiB));

    s->grants = g_array_new(false, true, sizeof(FamRange));
    memory_region_init(&s->view, OBJECT(s), "fam-fabric.view", bar_size);
    memory_region_init_io(&s->fault, OBJECT(s), &fam_fault_ops, s,
                          "fam-fabric.not-granted", bar_size);
    memory_region_add_subregion_overlap(&s->view, 0, &s->fault, 0);
    memory_region_init_rom_device_from_ram(&s->pool_ro, OBJECT(s),
                                           &fam_pool_ro_ops, s,
                                           "fam-fabric.pool-ro", s->pool);
}

static void fam_grant_alias_free(FamGrantAlias *a)
{
    g_free(a);
}

static void fam_view_drop_aliases(FamFabricState *s)
{
    unsigned i;

    for (i = 0; i < s->grants->len; i++) {
        FamRange *r = &g_array_index(s->grants, FamRange, i);

        if (r->alias) {
            memory_region_del_subregion(&s->view, &r->alias->mr);
            object_unparent(OBJECT(&r->alias->mr));
            call_rcu(r->alias, fam_grant_alias_free, rcu);
            r->alias = NULL;
        }
    }
}

static void fam_view_add_aliases(FamFabricState *s)
{
    unsigned i;

    for (i = 0; i < s->grants->len; i++) {
        FamRange *r = &g_array_index(s->grants, FamRange, i);
        FamGrantAlias *a = g_new0(FamGrantAlias, 1);

        memory_region_init_alias(&a->mr, OBJECT(s), r->writable ?
                                 "fam-fabric.grant" : "fam-fabric.grant-ro",
                                 r->writable ? s->pool : &s->pool_ro,
                                 r->start, r->end - r->start);
        memory_region_add_subregion_overlap(&s->view, r->start, &a->mr, 1);
        r->alias = a;
    }
}

/*
 * Give [start, end) the mode `writable`, or take it away (grant false).
 * Ranges of the same mode that touch are merged, so a node holding many
 * adjacent books costs one alias.
 */
static void fam_view_set(FamFabricState *s, uint64_t start, uint64_t end,
                         bool grant, bool writable)
{
    GArray *out = g_array_new(false, true, sizeof(FamRange));
    FamRange add = { .start = start, .end = end, .writable = writable };
    bool added = !grant;
    unsigned i;

    memory_region_transaction_begin();
    fam_view_drop_aliases(s);

    for (i = 0; i < s->grants->len; i++) {
        FamRange r = g_array_index(s->grants, FamRange, i);
        FamRange left = r, right = r;

        if (r.end <= start || r.start >= end) {
            if (!added && r.start >= end) {
                g_array_append_val(out, add);
                added = true;
            }
            g_array_append_val(out, r);
            continue;
        }
        /* r overlaps [start, end): keep what lies outside */
        if (r.start < start) {
            left.end = start;
            g_array_append_val(out, left);
        }
        if (!added) {
            g_array_append_val(out, add);
            added = true;
        }
        if (r.end > end) {
            right.start = end;
            g_array_append_val(out, right);
        }
    }
    if (!added) {
        g_array_append_val(out, add);
    }

    /* Merge neighbours of one mode */
    g_array_set_size(s->grants, 0);
    for (i = 0; i < out->len; i++) {
        FamRange r = g_array_index(out, FamRange, i);
        FamRange *last = s->grants->len ?
            &g_array_index(s->grants, FamRange, s->grants->len - 1) : NULL;

        if (last && last->end == r.start && last->writable == r.writable) {
            last->end = r.end;
        } else {
            g_array_append_val(s->grants, r);
        }
    }
    g_array_free(out, true);

    fam_view_add_aliases(s);
    memory_region_transaction_commit();
}

static bool fam_grant_check(FamFabricState *s, uint64_t offset, uint64_t size,
                            Error **errp)
{
    if (!size || offset >= s->pool_size || size > s->pool_size - offset) {
        error_setg(errp, "range 0x%" PRIx64 "+0x%" PRIx64 " is outside the "
                   "pool (0x%" PRIx64 " bytes)", offset, size, s->pool_size);
        return false;
    }
    if (!QEMU_IS_ALIGNED(offset | size, FAM_GRANT_ALIGN)) {
        error_setg(errp, "range 0x%" PRIx64 "+0x%" PRIx64 " is not aligned "
                   "to 4 KiB pages", offset, size);
        return false;
    }
    return true;
}

bool fam_grant(FamFabricState *s, uint64_t offset, uint64_t size,
               bool writable, Error **errp)
{
    if (!fam_grant_check(s, offset, size, errp)) {
        return false;
    }
    fam_view_set(s, offset, offset + size, true, writable);
    trace_fam_grant(s->node_id, offset, size, writable);
    return true;
}

bool fam_revoke(FamFabricState *s, uint64_t offset, uint64_t size,
                Error **errp)
{
    if (!fam_grant_check(s, offset, size, errp)) {
        return false;
    }
    fam_view_set(s, offset, offset + size, false, false);
    trace_fam_revoke(s->node_id, offset, size);
    return true;
}

void fam_revoke_all(FamFabricState *s)
{
    if (s->pool_size) {
        fam_view_set(s, 0, s->pool_size, false, false);
        trace_fam_revoke(s->node_id, 0, s->pool_size);
    }
}

void fam_view_finalize(FamFabricState *s)
{
    if (s->grants) {
        memory_region_transaction_begin();
        fam_view_drop_aliases(s);
        memory_region_transaction_commit();
        g_array_free(s->grants, true);
        s->grants = NULL;
    }
}
