/*
 * FAME machine: N independent x86 Linux nodes in one QEMU process
 *
 *   qemu-system-x86_64 -machine fame,nodes=8 -m 256M -kernel bzImage \
 *       -initrd initramfs.cpio.gz -nographic
 *
 * Every node is its own PC (see fame-node.c) with -m of RAM, booted
 * without firmware (fame-boot.c). Nodes share nothing but the host: not
 * RAM, not I/O ports, not interrupts. QEMU exits when every node has
 * powered off: with status 0, or 1 if any node's kernel panicked.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qemu/timer.h"
#include "qemu/error-report.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "hw/boards.h"
#include "hw/i386/apic.h"
#include "hw/i386/x86.h"
#include "system/runstate.h"
#include "system/reset.h"
#include "target/i386/cpu.h"
#include "fame.h"
#include "trace.h"

/*
 * What every node's kernel gets before fame.* and the user's -append.
 * ACPI stays on: with acpi=off Linux 6.x also turns the local APIC off,
 * and MSIs need it. There are no ACPI tables, which the kernel reports
 * at error level: loglevel=3 keeps such boot noise off the consoles
 * (append loglevel=7 to see everything). The TSC is the host's (TCG), so
 * its rate is measured here and handed over: calibration against the PIT
 * is unreliable when many nodes share few host cores.
 */
#define FAME_BASE_CMDLINE \
    "console=ttyS0 pci=conf1 reboot=pci loglevel=3 tsc=reliable"

/* The host TSC rate, which is the guest TSC rate under TCG. */
static uint64_t fame_machine_tsc_khz(void)
{
    int64_t t0 = get_clock();
    uint64_t c0 = cpu_get_host_ticks();
    int64_t t1;
    uint64_t c1;

    g_usleep(20 * 1000);
    t1 = get_clock();
    c1 = cpu_get_host_ticks();
    return (c1 - c0) * 1000000 / (t1 - t0);
}

static const char *const fame_panic_action_names[] = {
    [FAME_PANIC_STOP] = "stop",
    [FAME_PANIC_EXIT] = "exit",
    [FAME_PANIC_REBOOT] = "reboot",
};

static const QEnumLookup fame_panic_action_lookup = {
    .array = fame_panic_action_names,
    .size = ARRAY_SIZE(fame_panic_action_names),
};

static void fame_machine_update_smp(FameMachineState *fms)
{
    MachineState *ms = MACHINE(fms);
    unsigned cpus = fms->nodes * fms->cpus_per_node;

    /*
     * TCG sizes its per-thread state from max_cpus when the accelerator
     * starts, before the board runs: derive the CPU topology now, one
     * socket per node.
     */
    ms->smp.cpus = ms->smp.max_cpus = cpus;
    ms->smp.sockets = fms->nodes;
    ms->smp.cores = fms->cpus_per_node;
    ms->smp.threads = ms->smp.dies = ms->smp.modules = ms->smp.clusters = 1;
    ms->smp.drawers = ms->smp.books = 1;
}

/* Called with the BQL held when a node has halted for good. */
void fame_machine_node_stopped(FameMachineState *fms, FameNode *node)
{
    bool panicked = false;
    unsigned i;

    for (i = 0; i < fms->nodes; i++) {
        if (fms->node[i]->state == FAME_NODE_RUNNING ||
            fms->node[i]->work_pending) {
            return;
        }
        panicked |= fms->node[i]->panicked;
    }
    trace_fame_machine_all_stopped(panicked);
    qemu_system_shutdown_request_with_code(
        panicked ? SHUTDOWN_CAUSE_GUEST_PANIC : SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
        panicked ? EXIT_FAILURE : EXIT_SUCCESS);
}

void fame_machine_node_panicked(FameMachineState *fms, FameNode *node)
{
    if (node->state != FAME_NODE_RUNNING || node->work_pending) {
        return;     /* pvpanic and the console banner both report it */
    }
    node->panicked = true;
    trace_fame_node_panicked(node->id);
    error_report("fame: node %u panicked", node->id);

    switch (fms->on_panic) {
    case FAME_PANIC_STOP:
        fame_node_request(node, FAME_NODE_PANICKED, false);
        break;
    case FAME_PANIC_EXIT:
        qemu_system_shutdown_request_with_code(SHUTDOWN_CAUSE_GUEST_PANIC,
                                               EXIT_FAILURE);
        break;
    case FAME_PANIC_REBOOT:
        fame_node_request(node, FAME_NODE_RUNNING, true);
        break;
    }
}

static void fame_machine_init(MachineState *ms)
{
    FameMachineState *fms = FAME_MACHINE(ms);
    X86MachineState *x86ms = X86_MACHINE(ms);
    Error *err = NULL;
    unsigned i;

    if (ms->smp.cpus != fms->nodes * fms->cpus_per_node) {
        error_report("fame: -smp is not used by this machine; the CPU count "
                     "comes from nodes= and cpus-per-node=");
        exit(EXIT_FAILURE);
    }
    if (!ms->kernel_filename) {
        error_report("fame: -kernel is required: every node boots a Linux "
                     "bzImage");
        exit(EXIT_FAILURE);
    }
    if (ms->firmware && strcmp(ms->firmware, "none")) {
        warn_report("fame: nodes boot without firmware; -bios is ignored");
    }
    fms->cmdline = g_strdup_printf(FAME_BASE_CMDLINE " tsc_early_khz=%" PRIu64,
                                   fame_machine_tsc_khz());
    if (!fame_boot_read(&fms->boot, ms->kernel_filename, ms->initrd_filename,
                        &err) ||
        !fame_boot_check_ram(&fms->boot, MIN(ms->ram_size, FAME_BELOW_4G_MAX),
                             fms->cmdline, &err) ||
        !fame_console_init(fms, &err) ||
        !fame_fam_init(fms, &err)) {
        error_prepend(&err, "fame: ");
        error_report_err(err);
        exit(EXIT_FAILURE);
    }

    /* x86_cpus_init() does this for the other x86 boards */
    x86ms->apic_id_limit = x86_cpu_apic_id_from_index(x86ms,
                                                      ms->smp.max_cpus - 1) + 1;
    apic_set_max_apic_id(x86ms->apic_id_limit);

    for (i = 0; i < fms->nodes; i++) {
        fms->node[i] = fame_node_create(fms, i, &err);
        if (!fms->node[i]) {
            error_prepend(&err, "fame: ");
            error_report_err(err);
            exit(EXIT_FAILURE);
        }
    }
    trace_fame_machine_init(fms->nodes, ms->ram_size);
}

/* Power-on and system_reset: every node boots. */
static void fame_machine_reset(MachineState *ms, ResetType type)
{
    FameMachineState *fms = FAME_MACHINE(ms);
    unsigned i;

    qemu_devices_reset(type);
    for (i = 0; i < fms->nodes; i++) {
        FameNode *node = fms->node[i];

        apic_designate_bsp(node->cpu->apic_state, true);
        x86_cpu_after_reset(node->cpu);
        fame_node_start(node);
    }
}

static void fame_machine_get_uint32(Object *obj, Visitor *v, const char *name,
                                    void *opaque, Error **errp)
{
    /* opaque is the offset of the property's field in FameMachineState */
    uint32_t value = *(uint32_t *)((char *)obj + (uintptr_t)opaque);

    visit_type_uint32(v, name, &value, errp);
}

static void fame_machine_set_nodes(Object *obj, Visitor *v, const char *name,
                                   void *opaque, Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value < 1 || value > FAM_MAX_NODES) {
        error_setg(errp, "nodes=%u is out of range: a fame machine has 1 to "
                   "%d nodes", value, FAM_MAX_NODES);
        return;
    }
    fms->nodes = value;
    fame_machine_update_smp(fms);
}

static void fame_machine_set_cpus_per_node(Object *obj, Visitor *v,
                                           const char *name, void *opaque,
                                           Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value != 1) {
        error_setg(errp, "cpus-per-node=%u is not supported yet: every fame "
                   "node has one CPU", value);
        return;
    }
    fms->cpus_per_node = value;
    fame_machine_update_smp(fms);
}

static void fame_machine_set_console_input(Object *obj, Visitor *v,
                                           const char *name, void *opaque,
                                           Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);
    uint32_t value;

    if (!visit_type_uint32(v, name, &value, errp)) {
        return;
    }
    if (value >= FAM_MAX_NODES) {
        error_setg(errp, "console-input=%u is not a node number", value);
        return;
    }
    fms->console_input = value;
}

static char *fame_machine_get_console_dir(Object *obj, Error **errp)
{
    return g_strdup(FAME_MACHINE(obj)->console_dir);
}

static void fame_machine_set_console_dir(Object *obj, const char *value,
                                         Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    if (!g_file_test(value, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "console-dir=%s is not a directory", value);
        return;
    }
    g_free(fms->console_dir);
    fms->console_dir = g_strdup(value);
}

static void fame_machine_get_fam_size(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    visit_type_size(v, name, &FAME_MACHINE(obj)->fam_size, errp);
}

static void fame_machine_set_fam_size(Object *obj, Visitor *v,
                                      const char *name, void *opaque,
                                      Error **errp)
{
    uint64_t value;

    if (visit_type_size(v, name, &value, errp)) {
        FAME_MACHINE(obj)->fam_size = value;
    }
}

static char *fame_machine_get_fam_path(Object *obj, Error **errp)
{
    return g_strdup(FAME_MACHINE(obj)->fam_path);
}

static void fame_machine_set_fam_path(Object *obj, const char *value,
                                      Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    g_free(fms->fam_path);
    fms->fam_path = g_strdup(value);
}

static char *fame_machine_get_fam_memdev(Object *obj, Error **errp)
{
    return g_strdup(FAME_MACHINE(obj)->fam_memdev);
}

static void fame_machine_set_fam_memdev(Object *obj, const char *value,
                                        Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    g_free(fms->fam_memdev);
    fms->fam_memdev = g_strdup(value);
}

static char *fame_machine_get_fam_model(Object *obj, Error **errp)
{
    return g_strdup(FAME_MACHINE(obj)->fam_model);
}

static void fame_machine_set_fam_model(Object *obj, const char *value,
                                       Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    g_free(fms->fam_model);
    fms->fam_model = g_strdup(value);
}

static bool fame_machine_get_librarian(Object *obj, Error **errp)
{
    return FAME_MACHINE(obj)->librarian;
}

static void fame_machine_set_librarian(Object *obj, bool value, Error **errp)
{
    FAME_MACHINE(obj)->librarian = value;
}

static char *fame_machine_get_librarian_db(Object *obj, Error **errp)
{
    return g_strdup(FAME_MACHINE(obj)->librarian_db);
}

static void fame_machine_set_librarian_db(Object *obj, const char *value,
                                          Error **errp)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    g_free(fms->librarian_db);
    fms->librarian_db = *value ? g_strdup(value) : NULL;
}

static int fame_machine_get_on_panic(Object *obj, Error **errp)
{
    return FAME_MACHINE(obj)->on_panic;
}

static void fame_machine_set_on_panic(Object *obj, int value, Error **errp)
{
    FAME_MACHINE(obj)->on_panic = value;
}

static void fame_machine_instance_init(Object *obj)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    fms->nodes = 1;
    fms->cpus_per_node = 1;
    fms->on_panic = FAME_PANIC_STOP;
    fms->fam_size = FAME_DEFAULT_FAM_SIZE;
    fms->fam_path = g_strdup(FAME_DEFAULT_FAM_PATH);
    fms->librarian = true;
    fame_machine_update_smp(fms);
}

static void fame_machine_instance_finalize(Object *obj)
{
    FameMachineState *fms = FAME_MACHINE(obj);

    g_free(fms->console_dir);
    g_free(fms->cmdline);
    g_free(fms->fam_path);
    g_free(fms->fam_memdev);
    g_free(fms->fam_model);
    g_free(fms->librarian_db);
}

/* CPUs are created by the board; these hooks give them their topology. */
static HotplugHandler *fame_machine_get_hotplug_handler(MachineState *ms,
                                                        DeviceState *dev)
{
    if (object_dynamic_cast(OBJECT(dev), TYPE_CPU)) {
        return HOTPLUG_HANDLER(ms);
    }
    return NULL;
}

static void fame_machine_class_init(ObjectClass *oc, void *data)
{
    MachineClass *mc = MACHINE_CLASS(oc);
    HotplugHandlerClass *hc = HOTPLUG_HANDLER_CLASS(oc);

    mc->desc = "FAME: independent x86 Linux nodes in one process";
    mc->init = fame_machine_init;
    mc->reset = fame_machine_reset;
    mc->max_cpus = FAM_MAX_NODES;
    mc->default_cpu_type = TARGET_DEFAULT_CPU_TYPE;
    mc->default_ram_size = FAME_DEFAULT_RAM_SIZE;
    mc->default_ram_id = NULL;          /* every node allocates its own */
    mc->has_hotpluggable_cpus = false;
    mc->no_floppy = 1;
    mc->no_cdrom = 1;
    mc->no_parallel = 1;
    mc->default_nic = NULL;
    mc->get_hotplug_handler = fame_machine_get_hotplug_handler;
    hc->pre_plug = x86_cpu_pre_plug;
    hc->plug = x86_cpu_plug;

    object_class_property_add(oc, "nodes", "uint32", fame_machine_get_uint32,
                              fame_machine_set_nodes, NULL,
                              (void *)offsetof(FameMachineState, nodes));
    object_class_property_set_description(oc, "nodes",
        "Number of nodes, 1 to 64 (default 1); -m is the RAM of each node");

    object_class_property_add(oc, "cpus-per-node", "uint32",
                              fame_machine_get_uint32,
                              fame_machine_set_cpus_per_node, NULL,
                              (void *)offsetof(FameMachineState,
                                               cpus_per_node));
    object_class_property_set_description(oc, "cpus-per-node",
        "CPUs of each node (only 1 is supported so far)");

    object_class_property_add_str(oc, "console-dir",
                                  fame_machine_get_console_dir,
                                  fame_machine_set_console_dir);
    object_class_property_set_description(oc, "console-dir",
        "Write each node's console to DIR/nodeNN.log instead of "
        "multiplexing all of them onto the first serial backend");

    object_class_property_add(oc, "console-input", "uint32",
                              fame_machine_get_uint32,
                              fame_machine_set_console_input, NULL,
                              (void *)offsetof(FameMachineState,
                                               console_input));
    object_class_property_set_description(oc, "console-input",
        "Node that receives keyboard input of the multiplexed console "
        "(default 0)");

    object_class_property_add(oc, "fam-size", "size",
                              fame_machine_get_fam_size,
                              fame_machine_set_fam_size, NULL, NULL);
    object_class_property_set_description(oc, "fam-size",
        "Size of the pool of fabric-attached memory shared by all nodes, a "
        "power of two (default 1G)");

    object_class_property_add_str(oc, "fam-path", fame_machine_get_fam_path,
                                  fame_machine_set_fam_path);
    object_class_property_set_description(oc, "fam-path",
        "File that holds the pool (default fame.pool): created if absent, "
        "reused with its contents if present");

    object_class_property_add_str(oc, "fam-memdev",
                                  fame_machine_get_fam_memdev,
                                  fame_machine_set_fam_memdev);
    object_class_property_set_description(oc, "fam-memdev",
        "Use this -object memory-backend-* (share=on) as the pool instead "
        "of fam-path/fam-size");

    object_class_property_add_str(oc, "fam-model", fame_machine_get_fam_model,
                                  fame_machine_set_fam_model);
    object_class_property_set_description(oc, "fam-model",
        "Fabric model: ideal (default), tm-2016, cxl-direct, cxl-switched, "
        "or the path of a model file (docs/fabric-model.md)");

    object_class_property_add_bool(oc, "librarian",
                                   fame_machine_get_librarian,
                                   fame_machine_set_librarian);
    object_class_property_set_description(oc, "librarian",
        "Run the Librarian, which grants each node the shelves it opens "
        "(default on; nodes start with no access to the pool). off: every "
        "node is granted the whole pool read-write");

    object_class_property_add_str(oc, "librarian-db",
                                  fame_machine_get_librarian_db,
                                  fame_machine_set_librarian_db);
    object_class_property_set_description(oc, "librarian-db",
        "The Librarian's SQLite database (default: the pool file's path "
        "+ .librarian.db); created if absent");

    object_class_property_add_enum(oc, "on-panic", "FamePanicAction",
                                   &fame_panic_action_lookup,
                                   fame_machine_get_on_panic,
                                   fame_machine_set_on_panic);
    object_class_property_set_description(oc, "on-panic",
        "When a node's kernel panics: stop (the node halts, the others go "
        "on; default), exit (QEMU exits at once) or reboot (the node boots "
        "again). Any panic makes QEMU's exit status 1");
}

static const TypeInfo fame_machine_info = {
    .name = TYPE_FAME_MACHINE,
    .parent = TYPE_X86_MACHINE,
    .instance_size = sizeof(FameMachineState),
    .instance_init = fame_machine_instance_init,
    .instance_finalize = fame_machine_instance_finalize,
    .class_init = fame_machine_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_HOTPLUG_HANDLER },
        { },
    },
};

static void fame_machine_register_types(void)
{
    type_register_static(&fame_machine_info);
}

type_init(fame_machine_register_types)
