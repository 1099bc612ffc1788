/*
 * fam-bw: sequential memory bandwidth of the pool (BAR2) against this
 * node's own RAM, measured by the same code in the same guest.
 *
 * For each target, read (sum of 64-bit words), write (64-bit stores) and
 * copy (memcpy from one buffer to another) over fam.bw_mib MiB
 * (default 64), fam.bw_reps times (default 5) after one untimed pass that
 * faults every page in, and one line per target and operation:
 *
 *   fame-test fam-bw: dev=fam target=pool op=read mib=64 reps=5
 *     best=812.3 median=790.1 MB/s
 *
 * MB/s counts the bytes of the buffer per second (1 MB = 10^6 bytes); a
 * copy reads and writes that many. Targets: `ram` (malloc) and `pool`,
 * the BAR2 of the fam-fabric function (fam.bw_dev=fam, the default) or of
 * an ivshmem-plain function (fam.bw_dev=ivshmem), for the comparison
 * tests/bench/fam-bandwidth.py prints. Only node 0 measures; the host
 * benchmark boots one node.
 */
#include "guest-dev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPS 50

/* Results go here so the compiler cannot drop the reads. */
static volatile uint64_t sink;

static void do_read(uint64_t *dst, const uint64_t *src, size_t words)
{
    (void)dst;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < words; i += 4) {
        a += src[i];
        b += src[i + 1];
        c += src[i + 2];
        d += src[i + 3];
    }
    sink = a ^ b ^ c ^ d;
}

static void do_write(uint64_t *dst, const uint64_t *src, size_t words)
{
    (void)src;
    /* Not a constant: GCC would turn a constant fill into memset. */
    for (size_t i = 0; i < words; i++)
        dst[i] = i ^ 0x5a5a5a5a5a5a5a5aULL;
}

static void do_copy(uint64_t *dst, const uint64_t *src, size_t words)
{
    memcpy(dst, src, words * 8);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure(const struct fame_node *n, const char *dev,
                    const char *target, uint64_t *buf, size_t bytes,
                    unsigned reps)
{
    static const struct {
        const char *name;
        void (*fn)(uint64_t *, const uint64_t *, size_t);
    } ops[] = { { "read", do_read }, { "write", do_write },
                { "copy", do_copy } };
    size_t words = bytes / 8;
    uint64_t *a = buf, *b = buf + words;

    /* Fault in both buffers (the host's pages too, for a fresh pool
     * file) before anything is timed. */
    do_write(a, NULL, words);
    do_write(b, NULL, words);

    for (unsigned o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
        double mbs[MAX_REPS];
        for (unsigned r = 0; r < reps; r++) {
            double t0 = fame_now();
            ops[o].fn(b, a, words);
            double t = fame_now() - t0;
            mbs[r] = (double)bytes / 1e6 / (t > 0 ? t : 1e-9);
        }
        qsort(mbs, reps, sizeof(mbs[0]), cmp_double);
        double median = reps % 2 ? mbs[reps / 2]
                                 : (mbs[reps / 2 - 1] + mbs[reps / 2]) / 2;
        fame_say(n, "dev=%s target=%s op=%s mib=%zu reps=%u best=%.1f "
                 "median=%.1f MB/s", dev, target, ops[o].name, bytes >> 20,
                 reps, mbs[reps - 1], median);
    }
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    char dev[16] = "fam";
    fame_node_init(&n, "fam-bw", argc, argv);
    long mib = fame_cmdline_long("fam.bw_mib", 64);
    long reps = fame_cmdline_long("fam.bw_reps", 5);
    fame_cmdline_str("fam.bw_dev", dev, sizeof(dev));
    bool ivshmem = !strcmp(dev, "ivshmem");
    if ((!ivshmem && strcmp(dev, "fam")) || mib <= 0 || mib > 1024 ||
        reps <= 0 || reps > MAX_REPS) {
        fame_say(&n, "FAIL fam.bw_dev=fam|ivshmem, fam.bw_mib=1..1024, "
                 "fam.bw_reps=1..%d", MAX_REPS);
        return 1;
    }
    if (n.id != 0) {
        fame_say(&n, "node %u: only node 0 measures: PASS", n.id);
        return 0;
    }
    size_t bytes = (size_t)mib << 20;

    if (ivshmem ? !guest_dev_open_ids(&d, &n, IVSHMEM_VENDOR_ID,
                                    IVSHMEM_DEVICE_ID, false)
                : !guest_dev_open(&d, &n))
        return 1;
    /* In the fam pool, keep clear of the other tests' areas. */
    uint64_t off = ivshmem ? 0 : FAM_AREA_BW;
    uint64_t have = ivshmem ? d.bar2_size : guest_rd64(&d, FAM_REG_POOL_SIZE);
    if (have < off + 2 * bytes) {
        fame_say(&n, "FAIL the pool has %llu bytes; 2 x %ld MiB from offset "
                 "%#llx do not fit", (unsigned long long)have, mib,
                 (unsigned long long)off);
        return 1;
    }

    uint64_t *ram = malloc(2 * bytes);
    if (!ram) {
        fame_say(&n, "FAIL cannot allocate 2 x %ld MiB of RAM (give the "
                 "node more with -m)", mib);
        return 1;
    }
    measure(&n, dev, "ram", ram, bytes, (unsigned)reps);
    free(ram);
    measure(&n, dev, "pool", guest_word(&d, off), bytes, (unsigned)reps);
    fame_say(&n, "PASS");
    return 0;
}
