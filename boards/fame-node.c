/*
 * FAME machine: one node, an independent x86 PC inside the fame machine
 *
 * A node owns its RAM, its memory and port I/O roots, one CPU in its own
 * CPU cluster, an ISA bus with PIC, PIT, speaker port, RTC and COM1, and a
 * PCI root bus with a host bridge and a node control function. Nothing of
 * a node is visible from another node.
 *
 * Lifecycle changes (boot, reboot, power off, panic stop) run on the
 * node's own vCPU thread through async_run_on_cpu(): the CPU is then out
 * of the translated code, the BQL is held, and no other node is paused.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "exec/ioport.h"
#include "hw/boards.h"
#include "hw/i386/apic.h"
#include "hw/i386/apic_internal.h"
#include "hw/intc/i8259.h"
#include "hw/timer/i8254.h"
#include "hw/audio/pcspk.h"
#include "hw/rtc/mc146818rtc.h"
#include "hw/char/serial-isa.h"
#include "hw/irq.h"
#include "hw/qdev-properties.h"
#include "hw/qdev-properties-system.h"
#include "hw/pci/pci_host.h"
#include "target/i386/cpu.h"
#include "fame.h"
#include "trace.h"

const char *fame_node_state_name(FameNodeState state)
{
    switch (state) {
    case FAME_NODE_OFF:
        return "off";
    case FAME_NODE_RUNNING:
        return "running";
    case FAME_NODE_PANICKED:
        return "panicked";
    }
    g_assert_not_reached();
}

/*
 * The output of the node's master PIC. With no MP table and no ACPI the
 * kernel runs its local APIC in virtual wire mode and takes the PIC
 * through LINT0; before the APIC is enabled the PIC drives INTR directly.
 */
static void fame_node_pic_irq(void *opaque, int n, int level)
{
    FameNode *node = opaque;
    DeviceState *apic = node->cpu->apic_state;
    CPUState *cs = CPU(node->cpu);

    if (cpu_is_apic_enabled(apic)) {
        if (apic_accept_pic_intr(apic)) {
            apic_deliver_pic_intr(apic, level);
        }
    } else if (level) {
        cpu_interrupt(cs, CPU_INTERRUPT_HARD);
    } else {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    }
}

/* Port 0xcf9: Linux's reboot=pci writes 0x02 then 0x06 to reset. */
static uint64_t fame_node_reset_control_read(void *opaque, hwaddr addr,
                                             unsigned size)
{
    FameNode *node = opaque;

    return node->reset_control;
}

static void fame_node_reset_control_write(void *opaque, hwaddr addr,
                                          uint64_t val, unsigned size)
{
    FameNode *node = opaque;

    if (val & 0x04) {
        trace_fame_node_reset_control(node->id, val);
        fame_node_request(node, FAME_NODE_RUNNING, true);
    }
    node->reset_control = val & 0x02;
}

static const MemoryRegionOps fame_node_reset_control_ops = {
    .read = fame_node_reset_control_read,
    .write = fame_node_reset_control_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 1,
    .valid.max_access_size = 1,
};

/* A triple fault of a node's CPU resets that node only. */
static void fame_node_cpu_reset_request(X86CPU *cpu)
{
    FameMachineState *fms = FAME_MACHINE(qdev_get_machine());
    FameNode *node = fms->node[CPU(cpu)->cluster_index];

    trace_fame_node_triple_fault(node->id);
    fame_node_request(node, FAME_NODE_RUNNING, true);
}

static bool fame_node_create_memory(FameNode *node, uint64_t ram_size,
                                    Error **errp)
{
    g_autofree char *ram_name = g_strdup_printf("fame.node%u.ram", node->id);

    node->ram_below_4g_size = MIN(ram_size, FAME_BELOW_4G_MAX);
    node->ram_above_4g_size = ram_size - node->ram_below_4g_size;

    memory_region_init(&node->mem, OBJECT(node), "fame.node-memory",
                       UINT64_MAX);
    memory_region_init_io(&node->io, OBJECT(node), &unassigned_io_ops, NULL,
                          "fame.node-io", 65536);
    /* No owner: RAM owners must be devices; the name is unique anyway */
    if (!memory_region_init_ram(&node->ram, NULL, ram_name, ram_size, errp)) {
        return false;
    }
    memory_region_init_alias(&node->ram_below_4g, OBJECT(node),
                             "fame.ram-below-4g", &node->ram, 0,
                             node->ram_below_4g_size);
    memory_region_add_subregion(&node->mem, 0, &node->ram_below_4g);
    if (node->ram_above_4g_size) {
        memory_region_init_alias(&node->ram_above_4g, OBJECT(node),
                                 "fame.ram-above-4g", &node->ram,
                                 node->ram_below_4g_size,
                                 node->ram_above_4g_size);
        memory_region_add_subregion(&node->mem, 4 * GiB,
                                    &node->ram_above_4g);
    }

    /* PCI memory space: everything that is not RAM, below the RAM */
    memory_region_init(&node->pci_mem, OBJECT(node), "fame.pci-memory",
                       UINT64_MAX);
    memory_region_add_subregion_overlap(&node->mem, 0, &node->pci_mem, -1);

    memory_region_init_io(&node->reset_control_io, OBJECT(node),
                          &fame_node_reset_control_ops, node,
                          "fame.reset-control", 1);
    memory_region_add_subregion_overlap(&node->io, FAME_RESET_CONTROL_PORT,
                                        &node->reset_control_io, 1);

    address_space_init(&node->as, &node->mem, "fame.node");
    return true;
}

static bool fame_node_create_cpu(FameNode *node, Error **errp)
{
    MachineState *ms = MACHINE(node->fms);
    const CPUArchIdList *possible = MACHINE_GET_CLASS(ms)->
                                    possible_cpu_arch_ids(ms);
    APICCommonState *apic;
    Object *cpu;

    object_initialize_child(OBJECT(node), "cluster", &node->cluster,
                            TYPE_CPU_CLUSTER);
    qdev_prop_set_uint32(DEVICE(&node->cluster), "cluster-id", node->id);

    cpu = object_new(ms->cpu_type);
    object_property_add_child(OBJECT(&node->cluster), "cpu[0]", cpu);
    object_unref(cpu);
    /* APIC IDs stay unique in the process (savevm and APIC lookups) */
    if (!object_property_set_uint(cpu, "apic-id",
                                  possible->cpus[node->id].arch_id, errp) ||
        !object_property_set_link(cpu, "memory", OBJECT(&node->mem), errp) ||
        !object_property_set_link(cpu, "io-memory", OBJECT(&node->io), errp) ||
        !qdev_realize(DEVICE(cpu), NULL, errp)) {
        return false;
    }
    node->cpu = X86_CPU(cpu);
    node->cpu->guest_reset_request = fame_node_cpu_reset_request;
    if (!qdev_realize(DEVICE(&node->cluster), NULL, errp)) {
        return false;
    }

    /* The node's own view of its local APIC, for its MSIs and registers */
    apic = APIC_COMMON(node->cpu->apic_state);
    apic_set_domain(DEVICE(apic), node->id);
    memory_region_init_alias(&node->apic_window, OBJECT(node), "fame.apic",
                             &apic->io_memory, 0,
                             memory_region_size(&apic->io_memory));
    memory_region_add_subregion_overlap(&node->mem, FAME_APIC_BASE,
                                        &node->apic_window, 0x1000);
    return true;
}

static bool fame_node_create_isa(FameNode *node, Error **errp)
{
    ISADevice *pit, *pcspk, *rtc, *serial;

    node->isa = isa_bus_new(NULL, &node->mem, &node->io, errp);
    if (!node->isa) {
        return false;
    }
    node->isa_irqs = i8259_init(node->isa,
                                qemu_allocate_irq(fame_node_pic_irq, node, 0));
    isa_bus_register_input_irqs(node->isa, node->isa_irqs);
    /* i8259_init() just made isa_pic this node's master */
    apic_set_pic(node->cpu->apic_state, isa_pic);

    pit = i8254_pit_init(node->isa, 0x40, 0, NULL);

    /* Port 0x61 gates PIT channel 2, which Linux uses to calibrate the TSC */
    pcspk = isa_new(TYPE_PC_SPEAKER);
    object_property_set_link(OBJECT(pcspk), "pit", OBJECT(pit), &error_abort);
    if (!isa_realize_and_unref(pcspk, node->isa, errp)) {
        return false;
    }

    rtc = isa_new(TYPE_MC146818_RTC);
    qdev_prop_set_int32(DEVICE(rtc), "base_year", 2000);
    if (!isa_realize_and_unref(rtc, node->isa, errp)) {
        return false;
    }
    qdev_connect_gpio_out(DEVICE(rtc), 0, node->isa_irqs[RTC_ISA_IRQ]);

    node->console = fame_console_for_node(node->fms, node, errp);
    if (!node->console) {
        return false;
    }
    serial = isa_new(TYPE_ISA_SERIAL);
    qdev_prop_set_uint32(DEVICE(serial), "index", 0);   /* COM1 */
    qdev_prop_set_chr(DEVICE(serial), "chardev", node->console);
    return isa_realize_and_unref(serial, node->isa, errp);
}

static bool fame_node_create_pci(FameNode *node, Error **errp)
{
    PCIDevice *ctl;

    node->phb = fame_phb_create(node, errp);
    if (!node->phb) {
        return false;
    }
    node->pci = PCI_HOST_BRIDGE(node->phb)->bus;

    ctl = pci_new(FAME_NODE_CTL_DEVFN, TYPE_FAME_NODE_CTL);
    object_property_set_link(OBJECT(ctl), "node", OBJECT(node), &error_abort);
    if (!pci_realize_and_unref(ctl, node->pci, errp)) {
        return false;
    }
    node->node_ctl = ctl;
    return fame_fam_create_node(node->fms, node, errp);
}

FameNode *fame_node_create(FameMachineState *fms, unsigned id, Error **errp)
{
    g_autofree char *name = g_strdup_printf("node[%u]", id);
    FameNode *node = FAME_NODE(object_new(TYPE_FAME_NODE));

    node->fms = fms;
    node->id = id;
    object_property_add_child(OBJECT(fms), name, OBJECT(node));
    object_unref(OBJECT(node));

    if (!fame_node_create_memory(node, MACHINE(fms)->ram_size, errp) ||
        !fame_node_create_cpu(node, errp) ||
        !fame_node_create_isa(node, errp) ||
        !fame_node_create_pci(node, errp)) {
        error_prepend(errp, "node %u: ", id);
        return NULL;
    }
    return node;
}

/*
 * Return the node's CPU and ISA devices (PIC, PIT, RTC, UART) to their
 * power-on state, and with `pci` its PCI devices too. Resetting PCI
 * devices unmaps their BARs, a memory transaction that every vCPU of the
 * process must catch up with; a node that powers off skips it, since its
 * PCI devices are reset when it boots again.
 */
static void fame_node_reset_hardware(FameNode *node, bool pci)
{
    device_cold_reset(BUS(node->isa)->parent);
    if (pci) {
        device_cold_reset(node->phb);
    }
    cpu_reset(CPU(node->cpu));
    /* cpu_reset() makes only CPU 0 of the process a BSP: this one is too */
    apic_designate_bsp(node->cpu->apic_state, true);
    x86_cpu_after_reset(node->cpu);
}

/* Load the kernel into the node and start its CPU at the kernel entry. */
void fame_node_start(FameNode *node)
{
    FameMachineState *fms = node->fms;
    g_autofree char *cmdline = NULL;

    node->boots++;
    fame_console_node_start(node);
    cmdline = g_strdup_printf("%s fame.node=%u fame.nodes=%u fame.boot=%u%s%s",
                              fms->cmdline, node->id, fms->nodes, node->boots,
                              *MACHINE(fms)->kernel_cmdline ? " " : "",
                              MACHINE(fms)->kernel_cmdline);
    fame_boot_load(&fms->boot, node, cmdline);
    fame_boot_cpu_entry(node->cpu);
    fam_fabric_set_link(node->fam, true);
    node->state = FAME_NODE_RUNNING;
    trace_fame_node_start(node->id, node->boots);
}

/* Leave the CPU halted with interrupts off: nothing can wake it. */
static void fame_node_halt(FameNode *node, FameNodeState state)
{
    CPUState *cs = CPU(node->cpu);

    cs->halted = 1;
    fam_fabric_set_link(node->fam, false);
    node->state = state;
    trace_fame_node_halt(node->id, fame_node_state_name(state));
}

static void fame_node_do_request(CPUState *cs, run_on_cpu_data data)
{
    FameNode *node = data.host_ptr;
    FameNodeState target = node->target;

    node->work_pending = false;
    fame_node_reset_hardware(node, target == FAME_NODE_RUNNING);
    if (target == FAME_NODE_RUNNING) {
        fame_node_start(node);
    } else {
        fame_node_halt(node, target);
        fame_machine_node_stopped(node->fms, node);
    }
}

/*
 * Ask for a lifecycle change of a node: boot it (or reboot it when it
 * runs), power it off, or stop it as panicked. Safe from any thread that
 * holds the BQL, including the node's own vCPU in the middle of an I/O
 * access; the change happens as soon as the CPU leaves translated code.
 */
void fame_node_request(FameNode *node, FameNodeState target, bool reboot)
{
    CPUState *cs = CPU(node->cpu);

    trace_fame_node_request(node->id, fame_node_state_name(node->state),
                            fame_node_state_name(target));
    if (target == FAME_NODE_RUNNING && node->state == FAME_NODE_RUNNING &&
        !reboot && !node->work_pending) {
        return;
    }
    if (target != FAME_NODE_RUNNING && node->state != FAME_NODE_RUNNING &&
        !node->work_pending) {
        return;     /* already stopped: keep the first reason */
    }
    node->target = target;
    if (!node->work_pending) {
        node->work_pending = true;
        async_run_on_cpu(cs, fame_node_do_request, RUN_ON_CPU_HOST_PTR(node));
    }
}

/* The "state" property: read the node's state, or change it by QOM. */
static char *fame_node_get_state(Object *obj, Error **errp)
{
    return g_strdup(fame_node_state_name(FAME_NODE(obj)->state));
}

static void fame_node_set_state(Object *obj, const char *value, Error **errp)
{
    FameNode *node = FAME_NODE(obj);

    if (!strcmp(value, "running")) {
        fame_node_request(node, FAME_NODE_RUNNING, false);
    } else if (!strcmp(value, "reset")) {
        fame_node_request(node, FAME_NODE_RUNNING, true);
    } else if (!strcmp(value, "off")) {
        fame_node_request(node, FAME_NODE_OFF, false);
    } else {
        error_setg(errp, "node %u: state '%s' is not one of running, reset, "
                   "off", node->id, value);
    }
}

static void fame_node_get_uint(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    FameNode *node = FAME_NODE(obj);
    uint32_t value = !strcmp(name, "id") ? node->id : node->boots;

    visit_type_uint32(v, name, &value, errp);
}

static void fame_node_class_init(ObjectClass *oc, void *data)
{
    object_class_property_add_str(oc, "state", fame_node_get_state,
                                  fame_node_set_state);
    object_class_property_set_description(oc, "state",
        "running, off or panicked; set to running (boot an off node), "
        "reset (reboot) or off (power off)");
    object_class_property_add(oc, "id", "uint32", fame_node_get_uint,
                              NULL, NULL, NULL);
    object_class_property_set_description(oc, "id", "The node number");
    object_class_property_add(oc, "boots", "uint32", fame_node_get_uint,
                              NULL, NULL, NULL);
    object_class_property_set_description(oc, "boots",
        "How many times the node has started its kernel");
}

static const TypeInfo fame_node_info = {
    .name = TYPE_FAME_NODE,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(FameNode),
    .class_init = fame_node_class_init,
};

static void fame_node_register_types(void)
{
    type_register_static(&fame_node_info);
}

type_init(fame_node_register_types)
