/*
 * isolation: proves that no node sees another node's DRAM.
 *
 * Every node has its own RAM at the same guest-physical addresses, so the
 * same physical address on two nodes must hold two independent bytes.
 * Each node writes a 64-byte pattern of its own into its slot of a window
 * (node i's slot is window + i * 4 KiB), then for DURATION seconds checks
 *   - that its own slot still holds its own pattern (nobody overwrote it),
 *   - that no other node's slot ever holds that other node's pattern.
 * Node 0's slot is the address the others watch: node 0 prints
 * "node 0 wrote" once its pattern is in place, and the host test checks
 * that this line comes before the other nodes' verdicts, so they were still
 * watching after the write.
 *
 * The window is reached through /dev/mem. The kernel has STRICT_DEVMEM and
 * IO_STRICT_DEVMEM, which refuse System RAM, so the boot test reserves the
 * window as non-RAM with `memmap=1M$0x8000000`; /dev/mem then maps it.
 * fame.isolation_addr= on the kernel command line moves the window.
 */
#define _DEFAULT_SOURCE

#include "fame-guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WINDOW_ADDR 0x8000000L      /* 128 MiB, see memmap= above */
#define WINDOW_SIZE (1UL << 20)
#define SLOT_SIZE 4096UL
#define PATTERN_SIZE 64
#define MAX_NODES (WINDOW_SIZE / SLOT_SIZE)
#define DURATION 8.0                /* seconds of watching */
#define POLL 0.01                   /* seconds between checks */

/*
 * Node i's pattern: a readable tag (so a memory dump shows whose it is)
 * followed by bytes that depend on i, so no two nodes' patterns are alike
 * and neither zeroed nor all-ones memory matches any of them.
 */
static void make_pattern(unsigned node, uint8_t *p)
{
    memset(p, 0, PATTERN_SIZE);
    int len = snprintf((char *)p, PATTERN_SIZE, "FAME-ISOLATION node=%02u ",
                       node);
    for (unsigned i = (unsigned)len; i < PATTERN_SIZE; i++)
        p[i] = (uint8_t)(0xa5u ^ (node * 37u + i * 11u));
}

/* Byte by byte through a volatile pointer: the other side is memory the
 * compiler must not cache in registers between polls. */
static bool slot_holds(const volatile uint8_t *slot, const uint8_t *p)
{
    for (unsigned i = 0; i < PATTERN_SIZE; i++)
        if (slot[i] != p[i])
            return false;
    return true;
}

static void slot_write(volatile uint8_t *slot, const uint8_t *p)
{
    for (unsigned i = 0; i < PATTERN_SIZE; i++)
        slot[i] = p[i];
}

int main(int argc, char **argv)
{
    struct fame_node n;
    fame_node_init(&n, "isolation", argc, argv);

    long addr = fame_cmdline_long("fame.isolation_addr", WINDOW_ADDR);
    if (n.count > MAX_NODES) {
        fame_say(&n, "FAIL %u nodes do not fit in the window (max %lu)",
                 n.count, MAX_NODES);
        return 1;
    }

    int fd = open("/dev/mem", O_RDWR | O_SYNC);
    if (fd < 0) {
        fame_say(&n, "FAIL cannot open /dev/mem: %s", strerror(errno));
        return 1;
    }
    volatile uint8_t *win = mmap(NULL, WINDOW_SIZE, PROT_READ | PROT_WRITE,
                                 MAP_SHARED, fd, addr);
    if (win == MAP_FAILED) {
        fame_say(&n, "FAIL cannot map /dev/mem at %#lx: %s (is the kernel "
                 "command line missing memmap=1M$%#lx?)", addr,
                 strerror(errno), addr);
        return 1;
    }
    close(fd);

    static uint8_t pattern[MAX_NODES][PATTERN_SIZE];
    for (unsigned i = 0; i < n.count; i++)
        make_pattern(i, pattern[i]);

    volatile uint8_t *mine = win + n.id * SLOT_SIZE;
    slot_write(mine, pattern[n.id]);
    if (!slot_holds(mine, pattern[n.id])) {
        /* Writes that do not stick would make every check below vacuous. */
        fame_say(&n, "FAIL the pattern written at %#lx does not read back",
                 addr + (long)(n.id * SLOT_SIZE));
        return 1;
    }
    fame_say(&n, "node %u wrote its pattern at %#lx", n.id,
             addr + (long)(n.id * SLOT_SIZE));

    unsigned long polls = 0;
    double end = fame_now() + DURATION;
    while (fame_now() < end) {
        if (!slot_holds(mine, pattern[n.id])) {
            fame_say(&n, "FAIL node %u's pattern at %#lx was overwritten",
                     n.id, addr + (long)(n.id * SLOT_SIZE));
            return 1;
        }
        for (unsigned i = 0; i < n.count; i++) {
            if (i != n.id && slot_holds(win + i * SLOT_SIZE, pattern[i])) {
                fame_say(&n, "FAIL node %u sees node %u's pattern at %#lx",
                         n.id, i, addr + (long)(i * SLOT_SIZE));
                return 1;
            }
        }
        polls++;
        fame_sleep(POLL);
    }
    fame_say(&n, "node %u checked %lu times in %.0f s: PASS", n.id, polls,
             DURATION);
    return 0;
}
