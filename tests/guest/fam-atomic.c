/*
 * fam-atomic: atomic operations on one pool address from every node at
 * once must be atomic with respect to each other.
 *
 * Phase 1: every node does fam.atomic_iters (100,000) `lock add` 64-bit
 * increments of one counter, interleaved with as many plain (not locked)
 * increments of a second counter. Once all nodes are done, the counter
 * must be exactly nodes x iters. The plain counter's lost updates are
 * printed, not judged: when some are lost, that shows the nodes really
 * ran at the same time, so the exact total above means something.
 *
 * Phase 2: the nodes race to advance a 128-bit pair {count, ~count} with
 * `lock cmpxchg16b`, fam.cas_iters (100,000) successful advances each.
 * Every value a compare-and-swap returns must be consistent (high half =
 * ~low half, never going backwards), and the pair must end at exactly
 * nodes x iters. A 128-bit CAS done as two 64-bit halves, or not atomic
 * between nodes, breaks the pair or loses advances.
 *
 * Both phases start at a barrier in the pool, so no node is still booting
 * while the others race. Node 0 zeroes everything before it arrives.
 */
#include "guest-dev.h"

#include <stdio.h>
#include <string.h>

#define READY       (FAM_AREA_ATOMIC + 0x0000)
#define DONE1       (FAM_AREA_ATOMIC + 0x1000)
#define DONE2       (FAM_AREA_ATOMIC + 0x2000)
#define COUNTER     (FAM_AREA_ATOMIC + 0x3000)
#define PLAIN       (FAM_AREA_ATOMIC + 0x3040)  /* its own cache line */
#define PAIR        (FAM_AREA_ATOMIC + 0x3080)  /* 16-byte aligned */

struct pair {
    uint64_t lo, hi;
};

/*
 * One `lock cmpxchg16b`: if *p == {*lo, *hi}, store {nlo, nhi} and return
 * true; otherwise load *p into {*lo, *hi} (atomically) and return false.
 * Inline assembly, so the instruction is certainly cmpxchg16b: GCC turns
 * __atomic on __int128 into a libatomic call that may use a lock instead.
 */
static inline bool cas128(void *p, uint64_t *lo, uint64_t *hi, uint64_t nlo,
                          uint64_t nhi)
{
    bool ok;
    __asm__ __volatile__("lock cmpxchg16b %[m]"
                         : "=@ccz"(ok), [m] "+m"(*(volatile struct pair *)p),
                           "+a"(*lo), "+d"(*hi)
                         : "b"(nlo), "c"(nhi)
                         : "memory");
    return ok;
}

/* cmpxchg16b is #UD on a CPU without it: say so rather than crash. */
static bool cpu_has_cx16(void)
{
    char line[4096];
    bool has = false;
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    while (!has && fgets(line, sizeof(line), f))
        if (!strncmp(line, "flags", 5))
            has = strstr(line, " cx16 ") || strstr(line, " cx16\n");
    fclose(f);
    return has;
}

static bool phase_counter(const struct guest_dev *d, const struct fame_node *n,
                          uint64_t run, uint64_t iters)
{
    uint64_t *counter = guest_word(d, COUNTER);
    volatile uint64_t *plain = guest_word(d, PLAIN);
    double t0 = fame_now();
    for (uint64_t i = 0; i < iters; i++) {
        __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
        *plain = *plain + 1;
    }
    double took = fame_now() - t0;
    guest_publish(d, DONE1, n->id, run);
    if (!guest_wait_all(d, n, DONE1, run, FAM_WAIT_BOOT,
                      "done with the counter"))
        return false;

    uint64_t want = iters * n->count;
    uint64_t got = __atomic_load_n(counter, __ATOMIC_ACQUIRE);
    uint64_t p = *plain;
    fame_say(n, "node %u: %llu locked increments in %.2f s; the counter "
             "holds %llu of %llu; plain increments lost %llu (%s)", n->id,
             (unsigned long long)iters, took, (unsigned long long)got,
             (unsigned long long)want,
             (unsigned long long)(p <= want ? want - p : 0),
             p < want ? "the nodes raced" : "no race seen");
    if (got != want) {
        fame_say(n, "FAIL the atomic counter is %llu, not %u x %llu = %llu",
                 (unsigned long long)got, n->count,
                 (unsigned long long)iters, (unsigned long long)want);
        return false;
    }
    return true;
}

static bool phase_cas(const struct guest_dev *d, const struct fame_node *n,
                      uint64_t run, uint64_t iters)
{
    void *pair = guest_word(d, PAIR);
    uint64_t lo = 0, hi = ~0ULL, last = 0, failures = 0;
    double t0 = fame_now();

    /* A CAS that fails reads the pair atomically: start from a guess. */
    for (uint64_t done = 0; done < iters;) {
        if (cas128(pair, &lo, &hi, lo + 1, ~(lo + 1))) {
            done++;
            last = ++lo;
            hi = ~lo;
            continue;
        }
        failures++;
        if (hi != ~lo || lo < last) {
            fame_say(n, "FAIL node %u read the pair {%#llx, %#llx} after "
                     "%llu advances: %s", n->id, (unsigned long long)lo,
                     (unsigned long long)hi, (unsigned long long)done,
                     hi != ~lo ? "the halves disagree (torn)"
                               : "it went backwards");
            return false;
        }
        last = lo;
    }
    double took = fame_now() - t0;
    guest_publish(d, DONE2, n->id, run);
    if (!guest_wait_all(d, n, DONE2, run, FAM_WAIT_BOOT,
                      "done with the 128-bit pair"))
        return false;

    uint64_t want = iters * n->count;
    uint64_t flo = 0, fhi = 0;
    cas128(pair, &flo, &fhi, 0, 0);     /* an atomic read (fails unless 0) */
    fame_say(n, "node %u: %llu cmpxchg16b advances in %.2f s, %llu lost "
             "races; the pair is {%llu, %#llx}", n->id,
             (unsigned long long)iters, took, (unsigned long long)failures,
             (unsigned long long)flo, (unsigned long long)fhi);
    if (flo != want || fhi != ~want) {
        fame_say(n, "FAIL the 128-bit pair is {%llu, %#llx}, not {%llu, "
                 "%#llx}", (unsigned long long)flo, (unsigned long long)fhi,
                 (unsigned long long)want, (unsigned long long)~want);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    fame_node_init(&n, "fam-atomic", argc, argv);
    long iters = fame_cmdline_long("fam.atomic_iters", 100000);
    long cas_iters = fame_cmdline_long("fam.cas_iters", 100000);
    if (iters <= 0 || cas_iters <= 0) {
        fame_say(&n, "FAIL fam.atomic_iters and fam.cas_iters must be > 0");
        return 1;
    }
    if (!cpu_has_cx16()) {
        fame_say(&n, "FAIL this CPU model has no cmpxchg16b (cx16): use "
                 "-cpu with cx16");
        return 1;
    }
    if (!guest_dev_open(&d, &n))
        return 1;
    uint64_t run = guest_run_id();

    if (n.id == 0) {
        *guest_word(&d, COUNTER) = 0;
        *guest_word(&d, PLAIN) = 0;
        struct pair *p = (struct pair *)guest_word(&d, PAIR);
        p->lo = 0;
        p->hi = ~0ULL;
    }
    guest_publish(&d, READY, n.id, run);
    if (!guest_wait_all(&d, &n, READY, run, FAM_WAIT_BOOT, "at the start"))
        return 1;

    if (!phase_counter(&d, &n, run, (uint64_t)iters) ||
        !phase_cas(&d, &n, run, (uint64_t)cas_iters))
        return 1;
    fame_say(&n, "node %u: PASS", n.id);
    return 0;
}
