/*
 * Helpers for the guest test programs that use the fam-fabric device,
 * in one of two ways:
 *   - raw: find the PCI function in sysfs, unbind the fam driver if it
 *     holds it, map its registers (BAR0) and the pool (BAR2) through the
 *     resource files; for the tests of the device's registers themselves;
 *   - through the driver: /dev/fam0, its ioctls and its mmap of the pool.
 * Either way, nodes can synchronise through flags in the pool.
 *
 * The register map and the driver's ioctls are their own headers,
 * included here and nowhere else in tests/guest:
 * guest-driver/uapi/fame/fam-fabric-regs.h and fam-ioctl.h.
 */
#ifndef GUEST_DEV_H
#define GUEST_DEV_H

#include "fame-guest.h"
#include "fame/fam-fabric-regs.h"
#include "fame/fam-ioctl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ivshmem's IDs, for the benchmark that compares the pool with it */
#define IVSHMEM_VENDOR_ID 0x1af4
#define IVSHMEM_DEVICE_ID 0x1110

struct guest_dev {
    char sysfs[320];                /* /sys/bus/pci/devices/<address> */
    volatile uint8_t *regs;         /* BAR0, or NULL if not mapped */
    volatile uint8_t *pool;         /* BAR2, or the driver's mapping */
    uint64_t bar2_size;             /* bytes mapped at pool */
    int fd;                         /* the driver's /dev/fam0, or -1 */
    struct fam_ioc_info info;       /* through the driver: its INFO */
};

/* The driver's device file, and its sysfs directory */
#define FAM_DRIVER_DEV          "/dev/fam0"
#define FAM_DRIVER_SYSFS        "/sys/bus/pci/drivers/fam"

/*
 * Find the first PCI function with these IDs, unbind the driver that
 * holds it (raw access and a driver taking the interrupts would fight over
 * the same registers), enable it if nothing has (memory decoding is off
 * until `enable` is written), and map BAR0 (if map_regs) and BAR2. On
 * failure prints a FAIL line on n's behalf and returns false.
 */
bool guest_dev_open_ids(struct guest_dev *d, const struct fame_node *n,
                      unsigned vendor, unsigned device, bool map_regs);

/* The same for the fam-fabric function, registers included. */
bool guest_dev_open(struct guest_dev *d, const struct fame_node *n);

/*
 * Through the driver: open FAM_DRIVER_DEV, read its INFO into d->info and
 * map the whole pool at d->pool (regs stays NULL). FAIL line and false if
 * the driver is not there.
 */
bool guest_dev_open_driver(struct guest_dev *d, const struct fame_node *n);

/*
 * Register access: single loads and stores of the given width through
 * volatile pointers, as the device decodes them (never split or merged).
 */
static inline uint32_t guest_rd32(const struct guest_dev *d, unsigned off)
{
    return *(volatile uint32_t *)(d->regs + off);
}
static inline uint64_t guest_rd64(const struct guest_dev *d, unsigned off)
{
    return *(volatile uint64_t *)(d->regs + off);
}
static inline void guest_wr32(const struct guest_dev *d, unsigned off,
                            uint32_t v)
{
    *(volatile uint32_t *)(d->regs + off) = v;
}
static inline void guest_wr64(const struct guest_dev *d, unsigned off,
                            uint64_t v)
{
    *(volatile uint64_t *)(d->regs + off) = v;
}

/* The model name register as a C string (buf gets FAM_MODEL_NAME_LEN+1). */
void guest_model_name(const struct guest_dev *d, char *buf);

/* A 64-bit word of the pool at byte offset off (8-byte aligned). */
static inline uint64_t *guest_word(const struct guest_dev *d, uint64_t off)
{
    return (uint64_t *)(uintptr_t)(d->pool + off);
}

/*
 * The value of `key=value` on the kernel command line as a string (last
 * occurrence wins, as for numbers); false if absent or too long.
 */

/*
 * Word i of the test pattern of run `run` and stream `stream` (a node, a
 * shelf: whatever must not look like another's data): different for every
 * (run, stream, i), and never all-ones, which is what a read without a
 * grant returns.
 */
uint64_t guest_pattern(uint64_t run, uint64_t stream, uint64_t i);

/*
 * The run id: `fam.run_id=<number>` on the command line, 1 if absent.
 * The pool outlives a run, so every flag the tests publish in it carries
 * the run id: a flag left over from an earlier run must never look like
 * this run's. The boot tests pass a fresh one each time.
 */
uint64_t guest_run_id(void);

/*
 * Synchronisation through the pool. `slots` is an area of count 64-bit
 * words, one per node, each on its own 64-byte line. guest_publish stores
 * value in this node's slot after every earlier store (release);
 * guest_wait_slot waits until node's slot holds value (acquire), up to
 * timeout seconds; guest_wait_all waits for every node's slot. They print a
 * FAIL line and return false on timeout.
 */
#define FAM_SLOT_STRIDE 64
void guest_publish(const struct guest_dev *d, uint64_t slots, unsigned node,
                 uint64_t value);
bool guest_wait_slot(const struct guest_dev *d, const struct fame_node *n,
                   uint64_t slots, unsigned node, uint64_t value,
                   double timeout, const char *what);
bool guest_wait_all(const struct guest_dev *d, const struct fame_node *n,
                  uint64_t slots, uint64_t value, double timeout,
                  const char *what);

/*
 * Where each test keeps its data in the pool, so several tests can run
 * one after the other in one boot without meeting. Every area is 1 MiB;
 * the smallest pool the tests use is 64 MiB.
 */
#define FAM_AREA_SIZE           (1ULL << 20)
#define FAM_AREA_PATTERN        (1 * FAM_AREA_SIZE)
#define FAM_AREA_ATOMIC         (2 * FAM_AREA_SIZE)
#define FAM_AREA_DOORBELL       (3 * FAM_AREA_SIZE)
#define FAM_AREA_PERSIST        (4 * FAM_AREA_SIZE) /* 8 areas: 4 to 11 */
#define FAM_AREA_BW             (16 * FAM_AREA_SIZE) /* to the pool's end */

/* How long a node waits for another before giving up: boots of 8 nodes
 * on 2 host cores are spread over tens of seconds. */
#define FAM_WAIT_BOOT           150.0

#endif
