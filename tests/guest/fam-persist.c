/*
 * fam-persist: data written into the pool in one QEMU run is there in the
 * next one.
 *
 * fam.persist=write: node i fills its slice of the persist area (1 MiB,
 * up to 8 nodes) with a pattern derived from the run id (fam.run_id=) and
 * its node number, behind a header {magic, run id, node, length}.
 * fam.persist=check: every node verifies the slices of all nodes 0 to
 * count-1, headers and data, as the write run left them (the second run
 * must have the same node count and run id as the first).
 *
 * The run id is the test's nonce: a fresh one for every test, so a check
 * can only pass on data the write run of this test put there.
 */
#include "guest-dev.h"

#include <stdio.h>
#include <string.h>

#define SLICE       FAM_AREA_SIZE
#define MAX_SLICES  8
#define MAGIC       0x31535250464d4146ULL   /* "FAMFPRS1" in memory (LE) */
#define HEADER      64                      /* bytes before the data */
#define WORDS       ((SLICE - HEADER) / 8)

struct header {
    uint64_t magic, run, node, words;
};

static uint64_t slice_off(unsigned node)
{
    return FAM_AREA_PERSIST + node * SLICE;
}

static void write_slice(const struct guest_dev *d, uint64_t run, unsigned node)
{
    volatile uint64_t *w = guest_word(d, slice_off(node) + HEADER);
    for (uint64_t i = 0; i < WORDS; i++)
        w[i] = guest_pattern(run, node + 1, i);
    /* The header last: a slice with a header is complete. */
    volatile struct header *h = (void *)guest_word(d, slice_off(node));
    h->run = run;
    h->node = node;
    h->words = WORDS;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    h->magic = MAGIC;
}

static bool check_slice(const struct guest_dev *d, const struct fame_node *n,
                        uint64_t run, unsigned node)
{
    volatile struct header *h = (void *)guest_word(d, slice_off(node));
    if (h->magic != MAGIC || h->run != run || h->node != node ||
        h->words != WORDS) {
        fame_say(n, "FAIL slice %u's header at pool offset %#llx is {magic "
                 "%#llx, run %llu, node %llu, words %llu}, want {%#llx, %llu, "
                 "%u, %llu}", node, (unsigned long long)slice_off(node),
                 (unsigned long long)h->magic, (unsigned long long)h->run,
                 (unsigned long long)h->node, (unsigned long long)h->words,
                 MAGIC, (unsigned long long)run, node,
                 (unsigned long long)WORDS);
        return false;
    }
    const volatile uint64_t *w = guest_word(d, slice_off(node) + HEADER);
    for (uint64_t i = 0; i < WORDS; i++) {
        if (w[i] != guest_pattern(run, node + 1, i)) {
            fame_say(n, "FAIL slice %u: pool offset %#llx holds %#llx, the "
                     "write run put %#llx there", node,
                     (unsigned long long)(slice_off(node) + HEADER + i * 8),
                     (unsigned long long)w[i],
                     (unsigned long long)guest_pattern(run, node + 1, i));
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    char mode[16];
    fame_node_init(&n, "fam-persist", argc, argv);
    if (!fame_cmdline_str("fam.persist", mode, sizeof(mode)) ||
        (strcmp(mode, "write") && strcmp(mode, "check"))) {
        fame_say(&n, "FAIL say fam.persist=write or fam.persist=check on "
                 "the kernel command line");
        return 1;
    }
    if (n.count > MAX_SLICES) {
        fame_say(&n, "FAIL at most %u nodes (one slice each)", MAX_SLICES);
        return 1;
    }
    if (!guest_dev_open(&d, &n))
        return 1;
    uint64_t run = guest_run_id();

    if (!strcmp(mode, "write")) {
        write_slice(&d, run, n.id);
        /* Read back here, so the check run's verdict is about the
         * restart, not about whether writes work at all. */
        if (!check_slice(&d, &n, run, n.id))
            return 1;
        fame_say(&n, "node %u wrote slice %u at pool offset %#llx (run "
                 "%llu): PASS", n.id, n.id,
                 (unsigned long long)slice_off(n.id), (unsigned long long)run);
        return 0;
    }
    for (unsigned i = 0; i < n.count; i++)
        if (!check_slice(&d, &n, run, i))
            return 1;
    fame_say(&n, "node %u found all %u slices of run %llu: PASS", n.id,
             n.count, (unsigned long long)run);
    return 0;
}
