/*
 * fam-pattern: what one node writes into the pool, every other node reads.
 *
 * Node 0 writes a pattern derived from the run id (fam.run_id=) into the
 * pattern area, with 64-bit stores and then a tail of single-byte stores
 * at an odd offset, and publishes a flag. Every other node (the last one,
 * N-1, is the one that matters most: farthest in the numbering) waits for
 * the flag, verifies every byte, and acknowledges with its verdict in its
 * own slot. Node 0 waits for all acknowledgements, so the pool is shown
 * to carry data in both directions.
 *
 * The run id makes a pattern or flag left in the pool by an earlier run
 * useless: with a fresh id, only this run's node 0 can have written them.
 */
#include "guest-dev.h"

#include <stdio.h>

#define FLAG        (FAM_AREA_PATTERN)              /* node 0's slot */
#define ACKS        (FAM_AREA_PATTERN + 0x1000)     /* one per node */
#define DATA        (FAM_AREA_PATTERN + 0x10000)
#define WORDS       (512 * 1024 / 8)
#define TAIL        (DATA + WORDS * 8 + 3)          /* odd on purpose */
#define TAIL_BYTES  61

static uint8_t tail_byte(uint64_t run, unsigned i)
{
    return (uint8_t)(guest_pattern(run, 0, WORDS + i) >> 17);
}

static void write_pattern(const struct guest_dev *d, uint64_t run)
{
    volatile uint64_t *w = guest_word(d, DATA);
    for (uint64_t i = 0; i < WORDS; i++)
        w[i] = guest_pattern(run, 0, i);
    volatile uint8_t *b = d->pool + TAIL;
    for (unsigned i = 0; i < TAIL_BYTES; i++)
        b[i] = tail_byte(run, i);
}

/* Offset of the first byte that differs from the pattern, or 0. */
static uint64_t check_pattern(const struct guest_dev *d, uint64_t run,
                              uint64_t *got, uint64_t *want)
{
    const volatile uint64_t *w = guest_word(d, DATA);
    for (uint64_t i = 0; i < WORDS; i++) {
        if (w[i] != guest_pattern(run, 0, i)) {
            *got = w[i];
            *want = guest_pattern(run, 0, i);
            return DATA + i * 8;
        }
    }
    const volatile uint8_t *b = d->pool + TAIL;
    for (unsigned i = 0; i < TAIL_BYTES; i++) {
        if (b[i] != tail_byte(run, i)) {
            *got = b[i];
            *want = tail_byte(run, i);
            return TAIL + i;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    fame_node_init(&n, "fam-pattern", argc, argv);
    if (!guest_dev_open(&d, &n))
        return 1;
    uint64_t run = guest_run_id();
    uint64_t got, want, bad;

    if (n.id == 0) {
        write_pattern(&d, run);
        guest_publish(&d, FLAG, 0, run);
        fame_say(&n, "node 0 wrote %u KiB at pool offset %#llx (run %llu)",
                 (unsigned)(WORDS * 8 + TAIL_BYTES) / 1024,
                 (unsigned long long)DATA, (unsigned long long)run);
        if ((bad = check_pattern(&d, run, &got, &want))) {
            fame_say(&n, "FAIL node 0's own pattern does not read back at "
                     "%#llx: %#llx, not %#llx", (unsigned long long)bad,
                     (unsigned long long)got, (unsigned long long)want);
            return 1;
        }
        /* An acknowledgement is run * 2 + 1 for a mismatch, run * 2 if the
         * node read every byte right. */
        unsigned mismatches = 0;
        double end = fame_now() + FAM_WAIT_BOOT;
        for (unsigned i = 1; i < n.count; i++) {
            uint64_t *ack = guest_word(&d, ACKS + i * FAM_SLOT_STRIDE);
            uint64_t v;
            while ((v = __atomic_load_n(ack, __ATOMIC_ACQUIRE)) >> 1 != run) {
                if (fame_now() > end) {
                    fame_say(&n, "FAIL node %u never acknowledged the pattern",
                             i);
                    return 1;
                }
                fame_sleep(0.001);
            }
            mismatches += v & 1;
        }
        if (mismatches) {
            fame_say(&n, "FAIL %u node(s) read a different pattern",
                     mismatches);
            return 1;
        }
        fame_say(&n, "all %u other nodes read the pattern: PASS", n.count - 1);
        return 0;
    }

    if (!guest_wait_slot(&d, &n, FLAG, 0, run, FAM_WAIT_BOOT,
                       "its pattern flag"))
        return 1;
    bad = check_pattern(&d, run, &got, &want);
    guest_publish(&d, ACKS, n.id, run * 2 + (bad != 0));
    if (bad) {
        fame_say(&n, "FAIL node %u reads %#llx at pool offset %#llx, node 0 "
                 "wrote %#llx", n.id, (unsigned long long)got,
                 (unsigned long long)bad, (unsigned long long)want);
        return 1;
    }
    fame_say(&n, "node %u read node 0's pattern (run %llu): PASS", n.id,
             (unsigned long long)run);
    return 0;
}
