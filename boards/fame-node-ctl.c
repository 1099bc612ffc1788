/*
 * FAME machine: the node control function (pvpanic-compatible)
 *
 * Linux learns that a node powers off or panics through the standard
 * pvpanic PCI interface (docs/specs/pvpanic.rst in QEMU): one byte in
 * BAR0 that reads as the supported events and takes event bits on write.
 * The kernel's pvpanic-pci driver writes PANICKED from its panic notifier
 * and SHUTDOWN from its power-off handler. QEMU's own pvpanic devices act
 * on the whole machine; this one acts on its node only.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qapi/error.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_ids.h"
#include "hw/qdev-properties.h"
#include "fame.h"
#include "trace.h"

/* The event bits of the pvpanic interface */
#define PVPANIC_PANICKED        (1 << 0)
#define PVPANIC_CRASH_LOADED    (1 << 1)
#define PVPANIC_SHUTDOWN        (1 << 2)
#define PVPANIC_EVENTS          (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | \
                                 PVPANIC_SHUTDOWN)

OBJECT_DECLARE_SIMPLE_TYPE(FameNodeCtlState, FAME_NODE_CTL)

struct FameNodeCtlState {
    PCIDevice parent_obj;

    FameNode *node;
    MemoryRegion mmio;
};

static uint64_t fame_node_ctl_read(void *opaque, hwaddr addr, unsigned size)
{
    return PVPANIC_EVENTS;
}

static void fame_node_ctl_write(void *opaque, hwaddr addr, uint64_t val,
                                unsigned size)
{
    FameNodeCtlState *s = opaque;
    FameNode *node = s->node;

    trace_fame_node_ctl_event(node->id, val);
    if (val & ~(uint64_t)PVPANIC_EVENTS) {
        qemu_log_mask(LOG_GUEST_ERROR, "fame node %u: unknown pvpanic "
                      "event bits 0x%" PRIx64 "\n", node->id, val);
    }
    if (val & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)) {
        fame_machine_node_panicked(node->fms, node);
    } else if (val & PVPANIC_SHUTDOWN) {
        fame_node_request(node, FAME_NODE_OFF, false);
    }
}

static const MemoryRegionOps fame_node_ctl_ops = {
    .read = fame_node_ctl_read,
    .write = fame_node_ctl_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .impl.min_access_size = 1,
    .impl.max_access_size = 1,
};

static void fame_node_ctl_realize(PCIDevice *dev, Error **errp)
{
    FameNodeCtlState *s = FAME_NODE_CTL(dev);

    if (!s->node) {
        error_setg(errp, "%s is part of the fame machine and cannot be "
                   "created by hand", TYPE_FAME_NODE_CTL);
        return;
    }
    memory_region_init_io(&s->mmio, OBJECT(dev), &fame_node_ctl_ops, s,
                          "fame-node-ctl", 2);
    pci_register_bar(dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY, &s->mmio);
}

static const Property fame_node_ctl_properties[] = {
    DEFINE_PROP_LINK("node", FameNodeCtlState, node, TYPE_FAME_NODE,
                     FameNode *),
};

static void fame_node_ctl_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->realize = fame_node_ctl_realize;
    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_PVPANIC;
    k->revision = 1;
    k->class_id = PCI_CLASS_SYSTEM_OTHER;
    dc->desc = "Power-off and panic notification of a fame node (pvpanic)";
    device_class_set_props(dc, fame_node_ctl_properties);
    dc->user_creatable = false;
}

static const TypeInfo fame_node_ctl_info = {
    .name = TYPE_FAME_NODE_CTL,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(FameNodeCtlState),
    .class_init = fame_node_ctl_class_init,
    .interfaces = (InterfaceInfo[]) {
        { INTERFACE_CONVENTIONAL_PCI_DEVICE },
        { },
    },
};

static void fame_node_ctl_register_types(void)
{
    type_register_static(&fame_node_ctl_info);
}

type_init(fame_node_ctl_register_types)
