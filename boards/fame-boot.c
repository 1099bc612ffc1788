/*
 * FAME machine: firmware-less Linux boot of one node
 *
 * Each node boots its kernel without BIOS or fw_cfg: the board writes the
 * protected-mode kernel, the initrd, the command line and a zero page
 * (struct boot_params, with an e820 map of the node's RAM) straight into
 * the node's memory and starts the node's CPU at the 32-bit entry point,
 * as the Linux x86 boot protocol (Documentation/arch/x86/boot.rst) allows
 * for 32-bit boot loaders.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "exec/address-spaces.h"
#include "target/i386/cpu.h"
#include "fame.h"
#include "trace.h"

/* Offsets in the bzImage setup header and in the zero page */
#define BP_SETUP_SECTS          0x1f1
#define BP_E820_ENTRIES         0x1e8
#define BP_SETUP_HEADER         0x1f1
#define BP_JUMP                 0x200
#define BP_HEADER_MAGIC         0x202
#define BP_VERSION              0x206
#define BP_TYPE_OF_LOADER       0x210
#define BP_LOADFLAGS            0x211
#define BP_CODE32_START         0x214
#define BP_RAMDISK_IMAGE        0x218
#define BP_RAMDISK_SIZE         0x21c
#define BP_CMD_LINE_PTR         0x228
#define BP_INITRD_ADDR_MAX      0x22c
#define BP_CMDLINE_SIZE         0x238
#define BP_INIT_SIZE            0x260
#define BP_E820_TABLE           0x2d0
#define BP_E820_MAX             128

#define LOADED_HIGH             0x01

#define E820_RAM                1
#define E820_RESERVED           2

/* Where the loader puts things in low memory */
#define FAME_GDT_ADDR           0x6000
#define FAME_ZERO_PAGE_ADDR     0x7000
#define FAME_CMDLINE_ADDR       0x20000
#define FAME_KERNEL_ADDR        0x100000
#define FAME_LOW_RAM_END        0x9fc00     /* as on a PC: EBDA above */
#define FAME_BIOS_AREA          0xf0000

/* Boot protocol 2.10 gives init_size, which the RAM check needs. */
#define FAME_MIN_BOOT_PROTOCOL  0x020a

/*
 * RAM a kernel needs beyond its decompression area and initrd to get as
 * far as userspace; below this the node would die with an out-of-memory
 * error far from the cause.
 */
#define FAME_RAM_MARGIN         (32 * MiB)

/* Flat 4 GiB code (selector 0x10) and data (0x18) segments. */
static const uint64_t fame_boot_gdt[] = {
    0, 0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL,
};

bool fame_boot_read(FameBootImage *img, const char *kernel_file,
                    const char *initrd_file, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    gchar *data;
    gsize size;
    unsigned setup_sects;
    uint16_t version;

    if (!g_file_get_contents(kernel_file, &data, &size, &gerr)) {
        error_setg(errp, "cannot read kernel: %s", gerr->message);
        return false;
    }
    img->kernel = (uint8_t *)data;
    img->kernel_size = size;

    if (size < 0x1000 || ldl_le_p(img->kernel + BP_HEADER_MAGIC) !=
        0x53726448 /* "HdrS" */) {
        error_setg(errp, "'%s' is not a Linux bzImage (no HdrS header)",
                   kernel_file);
        return false;
    }
    version = lduw_le_p(img->kernel + BP_VERSION);
    if (version < FAME_MIN_BOOT_PROTOCOL) {
        error_setg(errp, "'%s' uses Linux boot protocol %u.%02u; "
                   "the fame machine needs 2.10 or later", kernel_file,
                   version >> 8, version & 0xff);
        return false;
    }
    if (!(img->kernel[BP_LOADFLAGS] & LOADED_HIGH)) {
        error_setg(errp, "'%s' is a zImage; the fame machine boots bzImages",
                   kernel_file);
        return false;
    }
    setup_sects = img->kernel[BP_SETUP_SECTS] ? img->kernel[BP_SETUP_SECTS]
                                              : 4;
    img->setup_size = (setup_sects + 1) * 512;
    if (img->setup_size >= size) {
        error_setg(errp, "'%s' is truncated: %zu bytes, setup alone is %zu",
                   kernel_file, (size_t)size, img->setup_size);
        return false;
    }
    img->init_size = ldl_le_p(img->kernel + BP_INIT_SIZE);
    img->initrd_max = ldl_le_p(img->kernel + BP_INITRD_ADDR_MAX);
    img->cmdline_max = ldl_le_p(img->kernel + BP_CMDLINE_SIZE);

    if (initrd_file) {
        if (!g_file_get_contents(initrd_file, &data, &size, &gerr)) {
            error_setg(errp, "cannot read initrd: %s", gerr->message);
            return false;
        }
        img->initrd = (uint8_t *)data;
        img->initrd_size = size;
    }
    return true;
}

/* Where the initrd goes: as high as the kernel allows, page aligned. */
static uint64_t fame_boot_initrd_addr(const FameBootImage *img,
                                      uint64_t ram_below_4g)
{
    uint64_t end = MIN(ram_below_4g, (uint64_t)img->initrd_max + 1);

    return QEMU_ALIGN_DOWN(end - img->initrd_size, 4 * KiB);
}

bool fame_boot_check_ram(const FameBootImage *img, uint64_t ram_below_4g,
                         const char *cmdline, Error **errp)
{
    uint64_t kernel_end = FAME_KERNEL_ADDR +
        MAX(img->init_size, img->kernel_size - img->setup_size);
    uint64_t need = kernel_end + QEMU_ALIGN_UP(img->initrd_size, 4 * KiB) +
                    FAME_RAM_MARGIN;

    if (strlen(cmdline) >= img->cmdline_max) {
        error_setg(errp, "the kernel command line is %zu bytes; "
                   "this kernel accepts at most %u", strlen(cmdline),
                   img->cmdline_max - 1);
        return false;
    }
    if (ram_below_4g < need) {
        error_setg(errp, "-m %" PRIu64 "M is too small for this kernel "
                   "(%" PRIu64 " MiB to decompress) and initrd (%zu KiB)",
                   ram_below_4g / MiB, kernel_end / MiB,
                   img->initrd_size / KiB);
        error_append_hint(errp, "Each node needs at least -m %" PRIu64 "M "
                          "(kernel, initrd and %" PRIu64 " MiB to run).\n",
                          DIV_ROUND_UP(need, MiB), FAME_RAM_MARGIN / MiB);
        return false;
    }
    if (img->initrd && fame_boot_initrd_addr(img, ram_below_4g) <
        kernel_end) {
        error_setg(errp, "the initrd (%zu KiB) does not fit below this "
                   "kernel's initrd limit 0x%x", img->initrd_size / KiB,
                   img->initrd_max);
        return false;
    }
    return true;
}

static void fame_boot_add_e820(uint8_t *zp, uint64_t addr, uint64_t size,
                               uint32_t type)
{
    unsigned n = zp[BP_E820_ENTRIES];
    uint8_t *entry = zp + BP_E820_TABLE + n * 20;

    assert(n < BP_E820_MAX);
    stq_le_p(entry, addr);
    stq_le_p(entry + 8, size);
    stl_le_p(entry + 16, type);
    zp[BP_E820_ENTRIES] = n + 1;
}

static void fame_boot_write(FameNode *node, hwaddr addr, const void *buf,
                            size_t len)
{
    MemTxResult r = address_space_write(&node->as, addr,
                                        MEMTXATTRS_UNSPECIFIED, buf, len);

    /* The RAM check at machine init guarantees every write lands in RAM. */
    assert(r == MEMTX_OK);
}

void fame_boot_load(const FameBootImage *img, FameNode *node,
                    const char *cmdline)
{
    g_autofree uint8_t *zp = g_malloc0(4 * KiB);
    size_t header_end = BP_JUMP + 2 + img->kernel[BP_JUMP + 1];
    uint64_t initrd_addr = 0;

    /* The setup header, as the kernel's own real-mode code would see it */
    memcpy(zp + BP_SETUP_HEADER, img->kernel + BP_SETUP_HEADER,
           header_end - BP_SETUP_HEADER);
    zp[BP_TYPE_OF_LOADER] = 0xff;
    stl_le_p(zp + BP_CMD_LINE_PTR, FAME_CMDLINE_ADDR);
    if (img->initrd) {
        initrd_addr = fame_boot_initrd_addr(img, node->ram_below_4g_size);
        stl_le_p(zp + BP_RAMDISK_IMAGE, initrd_addr);
        stl_le_p(zp + BP_RAMDISK_SIZE, img->initrd_size);
    }

    /* The e820 map of this node's RAM, with a PC's reserved areas */
    fame_boot_add_e820(zp, 0, FAME_LOW_RAM_END, E820_RAM);
    fame_boot_add_e820(zp, FAME_LOW_RAM_END, 0xa0000 - FAME_LOW_RAM_END,
                       E820_RESERVED);
    fame_boot_add_e820(zp, FAME_BIOS_AREA, FAME_KERNEL_ADDR - FAME_BIOS_AREA,
                       E820_RESERVED);
    fame_boot_add_e820(zp, FAME_KERNEL_ADDR,
                       node->ram_below_4g_size - FAME_KERNEL_ADDR, E820_RAM);
    if (node->ram_above_4g_size) {
        fame_boot_add_e820(zp, 4 * GiB, node->ram_above_4g_size, E820_RAM);
    }

    fame_boot_write(node, FAME_GDT_ADDR, fame_boot_gdt, sizeof(fame_boot_gdt));
    fame_boot_write(node, FAME_ZERO_PAGE_ADDR, zp, 4 * KiB);
    fame_boot_write(node, FAME_CMDLINE_ADDR, cmdline, strlen(cmdline) + 1);
    fame_boot_write(node, FAME_KERNEL_ADDR, img->kernel + img->setup_size,
                    img->kernel_size - img->setup_size);
    if (img->initrd) {
        fame_boot_write(node, initrd_addr, img->initrd, img->initrd_size);
    }
    trace_fame_boot_load(node->id, img->kernel_size - img->setup_size,
                         initrd_addr, img->initrd_size);
}

/*
 * Put a freshly reset CPU at the kernel's 32-bit entry: protected mode,
 * flat segments 0x10/0x18, interrupts off, %esi pointing at the zero page.
 */
void fame_boot_cpu_entry(X86CPU *cpu)
{
    CPUX86State *env = &cpu->env;
    unsigned seg_flags = DESC_P_MASK | DESC_S_MASK | DESC_G_MASK |
                         DESC_B_MASK | DESC_A_MASK;
    int seg;

    cpu_x86_update_cr0(env, env->cr[0] | CR0_PE_MASK);
    env->gdt.base = FAME_GDT_ADDR;
    env->gdt.limit = sizeof(fame_boot_gdt) - 1;
    cpu_x86_load_seg_cache(env, R_CS, 0x10, 0, 0xffffffff,
                           seg_flags | DESC_CS_MASK | DESC_R_MASK);
    for (seg = R_ES; seg <= R_GS; seg++) {
        if (seg != R_CS) {
            cpu_x86_load_seg_cache(env, seg, 0x18, 0, 0xffffffff,
                                   seg_flags | DESC_W_MASK);
        }
    }
    env->eip = FAME_KERNEL_ADDR;
    env->regs[R_ESI] = FAME_ZERO_PAGE_ADDR;
    env->eflags = 0x2;
    CPU(cpu)->halted = 0;
}
