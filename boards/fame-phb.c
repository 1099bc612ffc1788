/*
 * FAME machine: the PCI host bridge of one node
 *
 * A conventional PCI root bus reached through configuration mechanism #1
 * (ports 0xcf8/0xcfc of the node's own port space), with a host-bridge
 * function at 00.0 so that Linux's pci=conf1 probe accepts the bus.
 * Devices on the bus do DMA and send MSIs into their node's memory only.
 * Each node's root bus is PCI domain <node id>, which keeps device paths
 * (and so migration section names) unique in the process.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "hw/pci/pci_host.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pci_ids.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "hw/irq.h"
#include "fame.h"

OBJECT_DECLARE_SIMPLE_TYPE(FamePHBState, FAME_PHB)

struct FamePHBState {
    PCIHostState parent_obj;

    FameNode *node;
    char bus_path[16];
};

#define TYPE_FAME_PHB_FUNCTION "fame-pci-host-function"

/*
 * INTx: the four PCI interrupt lines, swizzled by slot as on a PC, end at
 * ISA IRQs 10 and 11 of the node's PIC. There is no routing table for the
 * guest to find them, so devices of a fame node should use MSI or MSI-X.
 */
static const int fame_phb_intx_irqs[PCI_NUM_PINS] = { 10, 11, 10, 11 };

static int fame_phb_map_irq(PCIDevice *dev, int pin)
{
    return (PCI_SLOT(dev->devfn) + pin) % PCI_NUM_PINS;
}

static void fame_phb_set_irq(void *opaque, int line, int level)
{
    FameNode *node = opaque;

    qemu_set_irq(node->isa_irqs[fame_phb_intx_irqs[line]], level);
}

static AddressSpace *fame_phb_dma_as(PCIBus *bus, void *opaque, int devfn)
{
    FameNode *node = opaque;

    return &node->as;
}

static const PCIIOMMUOps fame_phb_iommu_ops = {
    .get_address_space = fame_phb_dma_as,
};

static void fame_phb_realize(DeviceState *dev, Error **errp)
{
    FamePHBState *s = FAME_PHB(dev);
    PCIHostState *phb = PCI_HOST_BRIDGE(dev);
    FameNode *node = s->node;
    g_autofree char *bus_name = NULL;

    if (!node) {
        error_setg(errp, "%s is part of the fame machine and cannot be "
                   "created by hand", TYPE_FAME_PHB);
        return;
    }
    snprintf(s->bus_path, sizeof(s->bus_path), "%04x:00", node->id);
    bus_name = g_strdup_printf("node%u.pci", node->id);

    memory_region_init_io(&phb->conf_mem, OBJECT(dev), &pci_host_conf_le_ops,
                          phb, "pci-conf-idx", 4);
    memory_region_init_io(&phb->data_mem, OBJECT(dev), &pci_host_data_le_ops,
                          phb, "pci-conf-data", 4);
    memory_region_add_subregion(&node->io, 0xcf8, &phb->conf_mem);
    memory_region_add_subregion(&node->io, 0xcfc, &phb->data_mem);

    phb->bus = pci_root_bus_new(dev, bus_name, &node->pci_mem, &node->io, 0,
                                TYPE_PCI_BUS);
    pci_bus_irqs(phb->bus, fame_phb_set_irq, node, PCI_NUM_PINS);
    pci_bus_map_irqs(phb->bus, fame_phb_map_irq);
    pci_setup_iommu(phb->bus, &fame_phb_iommu_ops, node);
    pci_create_simple(phb->bus, FAME_PHB_DEVFN, TYPE_FAME_PHB_FUNCTION);
}

static const char *fame_phb_root_bus_path(PCIHostState *host, PCIBus *bus)
{
    return FAME_PHB(host)->bus_path;
}

static const Property fame_phb_properties[] = {
    DEFINE_PROP_LINK("node", FamePHBState, node, TYPE_FAME_NODE, FameNode *),
};

static void fame_phb_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIHostBridgeClass *hc = PCI_HOST_BRIDGE_CLASS(oc);

    hc->root_bus_path = fame_phb_root_bus_path;
    dc->realize = fame_phb_realize;
    dc->desc = "PCI host bridge of a fame node";
    dc->fw_name = "pci";
    device_class_set_props(dc, fame_phb_properties);
    /* Wired up by the fame machine, one per node */
    dc->user_creatable = false;
}

static void fame_phb_function_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(oc);

    k->vendor_id = PCI_VENDOR_ID_REDHAT;
    k->device_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST;
    k->class_id = PCI_CLASS_BRIDGE_HOST;
    dc->desc = "Host bridge function of a fame node";
    dc->user_creatable = false;
}

static const TypeInfo fame_phb_types[] = {
    {
        .name = TYPE_FAME_PHB,
        .parent = TYPE_PCI_HOST_BRIDGE,
        .instance_size = sizeof(FamePHBState),
        .class_init = fame_phb_class_init,
    }, {
        .name = TYPE_FAME_PHB_FUNCTION,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = fame_phb_function_class_init,
        .interfaces = (InterfaceInfo[]) {
            { INTERFACE_CONVENTIONAL_PCI_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(fame_phb_types)

DeviceState *fame_phb_create(FameNode *node, Error **errp)
{
    DeviceState *dev = qdev_new(TYPE_FAME_PHB);

    object_property_set_link(OBJECT(dev), "node", OBJECT(node), &error_abort);
    if (!sysbus_realize_and_unref(SYS_BUS_DEVICE(dev), errp)) {
        return NULL;
    }
    return dev;
}
