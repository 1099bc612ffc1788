/*
 * FAME machine: N independent x86 Linux nodes in one QEMU process
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_FAME_FAME_H
#define HW_FAME_FAME_H

#include "hw/i386/x86.h"
#include "target/i386/cpu-qom.h"
#include "hw/cpu/cluster.h"
#include "hw/isa/isa.h"
#include "hw/pci/pci.h"
#include "hw/fam/fam-fabric.h"
#include "chardev/char-fe.h"
#include "qom/object.h"

#define FAME_DEFAULT_RAM_SIZE   (256 * MiB)

/*
 * Guest-physical layout of every node (the same in each node, each node
 * backed by its own RAM): RAM from 0 up to FAME_BELOW_4G_MAX, the rest of
 * the RAM above 4 GiB; the PCI window fills every address that is not
 * RAM; the local APIC window sits at 0xfee00000 on top.
 */
#define FAME_BELOW_4G_MAX       0xc0000000ULL
#define FAME_APIC_BASE          0xfee00000ULL

/* Port of the reset control register (reboot=pci in Linux). */
#define FAME_RESET_CONTROL_PORT 0xcf9

/* PCI functions every node has on its root bus. */
#define FAME_PHB_DEVFN          PCI_DEVFN(0, 0)
#define FAME_NODE_CTL_DEVFN     PCI_DEVFN(1, 0)
#define FAME_FAM_DEVFN          PCI_DEVFN(2, 0)

#define FAME_DEFAULT_FAM_SIZE   (1 * GiB)
#define FAME_DEFAULT_FAM_PATH   "fame.pool"

#define TYPE_FAME_MACHINE MACHINE_TYPE_NAME("fame")
OBJECT_DECLARE_SIMPLE_TYPE(FameMachineState, FAME_MACHINE)

#define TYPE_FAME_NODE "fame-node"
OBJECT_DECLARE_SIMPLE_TYPE(FameNode, FAME_NODE)

typedef enum FameNodeState {
    FAME_NODE_OFF,
    FAME_NODE_RUNNING,
    FAME_NODE_PANICKED,
} FameNodeState;

/* What the machine does when a node's kernel panics (on-panic=). */
typedef enum FamePanicAction {
    FAME_PANIC_STOP,    /* the node halts; the others go on */
    FAME_PANIC_EXIT,    /* QEMU exits at once with status 1 */
    FAME_PANIC_REBOOT,  /* the node boots again */
} FamePanicAction;

/* A Linux bzImage and initrd, read once and loaded into every node. */
typedef struct FameBootImage {
    uint8_t *kernel;        /* the whole bzImage file */
    size_t kernel_size;
    size_t setup_size;      /* real-mode part, including the boot sector */
    uint32_t init_size;     /* memory the kernel needs to decompress */
    uint32_t initrd_max;    /* highest address the initrd may end at */
    uint32_t cmdline_max;   /* longest command line the kernel accepts */
    uint8_t *initrd;
    size_t initrd_size;
} FameBootImage;

struct FameNode {
    Object parent_obj;

    FameMachineState *fms;
    unsigned id;
    FameNodeState state;
    unsigned boots;             /* times this node has started its kernel */
    bool panicked;              /* its kernel panicked at least once */
    bool work_pending;          /* a lifecycle change is queued on its CPU */
    FameNodeState target;       /* what the queued change leads to */
    uint8_t reset_control;      /* last value written to port 0xcf9 */

    /* Memory and port I/O: the node's private view of the world */
    MemoryRegion mem;
    MemoryRegion io;
    MemoryRegion ram;
    MemoryRegion ram_below_4g;
    MemoryRegion ram_above_4g;
    MemoryRegion pci_mem;
    MemoryRegion apic_window;
    MemoryRegion reset_control_io;
    AddressSpace as;
    uint64_t ram_below_4g_size;
    uint64_t ram_above_4g_size;

    CPUClusterState cluster;
    X86CPU *cpu;

    ISABus *isa;
    qemu_irq *isa_irqs;
    PCIBus *pci;
    DeviceState *phb;
    PCIDevice *node_ctl;
    FamFabricState *fam;

    Chardev *console;
};

struct FameMachineState {
    X86MachineState parent_obj;

    /* Properties */
    uint32_t nodes;
    uint32_t cpus_per_node;
    char *console_dir;
    uint32_t console_input;
    FamePanicAction on_panic;
    uint64_t fam_size;
    char *fam_path;
    char *fam_memdev;
    char *fam_model;
    bool librarian;             /* run the Librarian (default on) */
    char *librarian_db;         /* its database; default next to the pool */

    FamHub *fam_hub;

    FameNode *node[FAM_MAX_NODES];
    FameBootImage boot;
    char *cmdline;              /* the command line every node shares */

    /* The multiplexed console: every node's lines on one chardev */
    CharBackend console_sink;
    int console_last;           /* node whose partial line ends the output */
};

/* fame-node.c */
FameNode *fame_node_create(FameMachineState *fms, unsigned id, Error **errp);
void fame_node_start(FameNode *node);
void fame_node_request(FameNode *node, FameNodeState target, bool reboot);
const char *fame_node_state_name(FameNodeState state);

/* fame-machine.c */
void fame_machine_node_stopped(FameMachineState *fms, FameNode *node);
void fame_machine_node_panicked(FameMachineState *fms, FameNode *node);

/* fame-boot.c */
bool fame_boot_read(FameBootImage *img, const char *kernel_file,
                    const char *initrd_file, Error **errp);
bool fame_boot_check_ram(const FameBootImage *img, uint64_t ram_below_4g,
                         const char *cmdline, Error **errp);
void fame_boot_load(const FameBootImage *img, FameNode *node,
                    const char *cmdline);
void fame_boot_cpu_entry(X86CPU *cpu);

/* fame-fam.c */
bool fame_fam_init(FameMachineState *fms, Error **errp);
bool fame_fam_create_node(FameMachineState *fms, FameNode *node,
                          Error **errp);

/* fame-console.c */
bool fame_console_init(FameMachineState *fms, Error **errp);
Chardev *fame_console_for_node(FameMachineState *fms, FameNode *node,
                               Error **errp);
void fame_console_node_start(FameNode *node);

/* fame-phb.c */
#define TYPE_FAME_PHB "fame-pci-host"
DeviceState *fame_phb_create(FameNode *node, Error **errp);

/* fame-node-ctl.c */
#define TYPE_FAME_NODE_CTL "fame-node-ctl"

#endif
