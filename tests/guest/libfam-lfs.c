/*
 * libfam-lfs: libfam's atomics and spinlock on one /lfs file that
 * every node maps (fam_map_file), on N >= 2 nodes at once.
 *
 * Node 0 creates /lfs/libfam/area (zero-filled by the Librarian), sets
 * its words up and creates /lfs/libfam/ready; the others wait for that
 * name (new names are seen at once, docs/lfs.md) and map the file. From
 * then on the nodes meet only through the mapping: a barrier is a
 * fam_atomic_64_fetch_add on an arrival counter, then waiting until it
 * reaches nodes x barriers so far. Between barriers, every node
 *
 *  1. does fam.libfam_adds (100,000) fam_atomic_64_fetch_add(word, 1);
 *     the word must end at exactly nodes x adds;
 *  2. takes the spinlock fam.libfam_locked (20,000) times and increments
 *     a plain, non-atomic counter under it, with a short delay between
 *     its load and its store; it must end exact.
 *
 * Both loops also increment a plain word of their own the same way
 * without any lock. Its lost updates are printed, not judged: when some
 * are lost, the nodes really ran at the same time, so the exact totals
 * mean something (the host test reports them).
 *  3. advances a 32-bit word by fam_atomic_32_compare_store,
 *     fam.libfam_cas (10,000) successes each; every value a
 *     compare_store returns must be one the word could hold (never going
 *     backwards), and the word must end at nodes x cas;
 *  4. the same on a 128-bit pair {n, ~n} with fam_atomic_128_compare_store:
 *     a torn 128-bit read or write breaks the pair.
 *
 * Each check is made by every node after the barrier that follows the
 * phase. Node 0 then writes the area back (fam_writeback) and prints each
 * counter with its file offset, for the host to find in the pool file.
 *
 * On a CPU without cmpxchg16b (the host test boots one with
 * -cpu qemu64,-cx16) every node instead shows libfam's refusal: a child
 * process calls fam_atomic_128_read, which must print libfam's message
 * and abort; the node then fails, saying why.
 */
#define _GNU_SOURCE

#include "fame-guest.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fame/libfam.h"

#define TAG "libfam-lfs"
#define DIR_ "/lfs/libfam"
#define AREA DIR_ "/area"
#define READY DIR_ "/ready"
#define WAIT_S 120.0

/* The shared file's layout: every word in its own cache line. */
struct area {
    _Alignas(64) int64_t arrived;       /* barrier arrivals */
    _Alignas(64) int64_t add64;         /* 1. fetch-add */
    _Alignas(64) int64_t racy_add;      /*    plain, no lock */
    _Alignas(64) struct fam_spinlock lock;
    _Alignas(64) int64_t locked;        /* 2. plain, under the lock */
    _Alignas(64) int64_t racy_lock;     /*    plain, no lock */
    _Alignas(64) int32_t cas32;         /* 3. */
    _Alignas(64) int64_t pair[2];       /* 4. {n, ~n} */
};

static const struct fame_node *node;

#define FAIL(...) (fame_say(node, "FAIL " __VA_ARGS__), false)

/*
 * Every node arrives; wait until all have arrived `round` times. The wait
 * sleeps between looks: a node that idles lets its vCPU thread sleep,
 * which leaves the host's cores to the nodes still working.
 */
static bool barrier(struct area *a, int64_t round, const char *what)
{
    int64_t want = round * (int64_t)node->count;
    double end = fame_now() + WAIT_S;

    fam_atomic_64_fetch_add(&a->arrived, 1);
    while (fam_atomic_64_read(&a->arrived) < want) {
        if (fame_now() > end) {
            return FAIL("node %u: waited %.0f s for the others %s; %" PRId64
                        " of %" PRId64 " arrivals", node->id, WAIT_S, what,
                        fam_atomic_64_read(&a->arrived), want);
        }
        fame_sleep(0.001);
    }
    return true;
}

/* Node 0: the file and its words; then the name the others wait for. */
static bool create_area(struct fam_map *m)
{
    struct area *a;
    int64_t pair[2] = { 0, ~(int64_t)0 };
    int fd;

    if (mkdir(DIR_, 0777) < 0 ||
        fam_map_file(AREA, sizeof(struct area), FAM_MAP_CREATE, m) < 0) {
        return FAIL("node 0: creating %s: %s", AREA, strerror(errno));
    }
    a = m->addr;
    fam_atomic_64_write(&a->arrived, 0);
    fam_atomic_64_write(&a->add64, 0);
    fam_spin_lock_init(&a->lock);
    a->locked = 0;
    a->racy_add = 0;
    a->racy_lock = 0;
    fam_atomic_32_write(&a->cas32, 0);
    fam_atomic_128_write(a->pair, pair);
    fd = open(READY, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) {
        return FAIL("node 0: creating %s: %s", READY, strerror(errno));
    }
    close(fd);
    return true;
}

static bool map_area(struct fam_map *m)
{
    double end = fame_now() + WAIT_S;
    struct stat st;

    while (stat(READY, &st) < 0) {
        if (fame_now() > end) {
            return FAIL("node %u: waited %.0f s for %s", node->id, WAIT_S,
                        READY);
        }
        fame_sleep(0.02);
    }
    if (fam_map_file(AREA, sizeof(struct area), 0, m) < 0) {
        return FAIL("node %u: mapping %s: %s", node->id, AREA,
                    strerror(errno));
    }
    return true;
}

/*
 * A non-atomic increment: a load, a short delay (which widens the window
 * in which another node's increment is lost), a store.
 */
static void plain_increment(int64_t *word)
{
    volatile int64_t *w = word;
    int64_t v = *w;

    for (int k = 0; k < 256; k++) {
        __asm__ __volatile__("" ::: "memory");
    }
    *w = v + 1;
}

/* Updates of a plain word that other nodes' increments overwrote. */
static int64_t lost(int64_t *word, int64_t want)
{
    return want - fam_atomic_64_read(word);
}

/* 1. */
static bool fetch_adds(struct area *a, long adds)
{
    int64_t want = (int64_t)adds * node->count, got;
    double t0 = fame_now(), took;

    for (long i = 0; i < adds; i++) {
        fam_atomic_64_fetch_add(&a->add64, 1);
        plain_increment(&a->racy_add);
    }
    took = fame_now() - t0;
    if (!barrier(a, 2, "after the fetch-adds")) {
        return false;
    }
    got = fam_atomic_64_read(&a->add64);
    fame_say(node, "node %u: %ld fetch-adds in %.2f s; the word holds %"
             PRId64 " of %" PRId64 "; unprotected increments lost %" PRId64,
             node->id, adds, took, got, want, lost(&a->racy_add, want));
    return got == want ||
           FAIL("node %u: the fetch-add word is %" PRId64 ", not %" PRId64,
                node->id, got, want);
}

/* 2. */
static bool spinlock(struct area *a, long rounds)
{
    int64_t want = (int64_t)rounds * node->count, got;
    double t0 = fame_now(), took;

    for (long i = 0; i < rounds; i++) {
        fam_spin_lock(&a->lock);
        plain_increment(&a->locked);
        fam_spin_unlock(&a->lock);
        plain_increment(&a->racy_lock);
    }
    took = fame_now() - t0;
    if (!barrier(a, 3, "after the spinlock")) {
        return false;
    }
    got = fam_atomic_64_read(&a->locked);
    fame_say(node, "node %u: %ld increments under the spinlock in %.2f s; "
             "the counter holds %" PRId64 " of %" PRId64 "; unprotected "
             "increments lost %" PRId64, node->id, rounds, took, got, want,
             lost(&a->racy_lock, want));
    if (got != want) {
        return FAIL("node %u: the locked counter is %" PRId64 ", not %"
                    PRId64, node->id, got, want);
    }
    if (fam_atomic_64_read(&a->lock.word) != 0) {
        return FAIL("node %u: the spinlock is still held", node->id);
    }
    return true;
}

/* 3. */
static bool cas32(struct area *a, long cas)
{
    int32_t want = (int32_t)(cas * node->count), got;
    int32_t seen = fam_atomic_32_read(&a->cas32);
    long misses = 0;
    double t0 = fame_now(), took;

    for (long done = 0; done < cas;) {
        int32_t was = fam_atomic_32_compare_store(&a->cas32, seen, seen + 1);

        if (was == seen) {
            done++;
            seen++;
            continue;
        }
        if (was < seen || was > want) {
            return FAIL("node %u: a 32-bit compare_store returned %" PRId32
                        " after %" PRId32, node->id, was, seen);
        }
        misses++;
        seen = was;
    }
    took = fame_now() - t0;
    if (!barrier(a, 4, "after the 32-bit compare_store")) {
        return false;
    }
    got = fam_atomic_32_read(&a->cas32);
    fame_say(node, "node %u: %ld 32-bit compare_store advances (%ld misses) "
             "in %.2f s; the word holds %" PRId32 " of %" PRId32, node->id,
             cas, misses, took, got, want);
    return got == want ||
           FAIL("node %u: the 32-bit word is %" PRId32 ", not %" PRId32,
                node->id, got, want);
}

/* 4. */
static bool cas128(struct area *a, long cas)
{
    int64_t want = (int64_t)cas * node->count, seen[2], got[2];
    long misses = 0;
    double t0 = fame_now(), took;

    fam_atomic_128_read(a->pair, seen);
    for (long done = 0; done < cas;) {
        int64_t next[2] = { seen[0] + 1, ~(seen[0] + 1) }, was[2];

        fam_atomic_128_compare_store(a->pair, seen, next, was);
        if (was[1] != ~was[0] || was[0] < seen[0] || was[0] > want) {
            return FAIL("node %u: a 128-bit compare_store returned {%" PRId64
                        ", %#" PRIx64 "} after {%" PRId64 ", ...}", node->id,
                        was[0], (uint64_t)was[1], seen[0]);
        }
        if (was[0] == seen[0]) {
            done++;
            seen[0] = next[0];
            seen[1] = next[1];
        } else {
            misses++;
            seen[0] = was[0];
            seen[1] = was[1];
        }
    }
    took = fame_now() - t0;
    if (!barrier(a, 5, "after the 128-bit compare_store")) {
        return false;
    }
    fam_atomic_128_read(a->pair, got);
    fame_say(node, "node %u: %ld 128-bit compare_store advances (%ld misses) "
             "in %.2f s; the pair is {%" PRId64 ", ~%" PRId64 "} of %" PRId64,
             node->id, cas, misses, took, got[0], ~got[1], want);
    return (got[0] == want && got[1] == ~want) ||
           FAIL("node %u: the 128-bit pair is {%" PRId64 ", %#" PRIx64
                "}, not {%" PRId64 ", ~%" PRId64 "}", node->id, got[0],
                (uint64_t)got[1], want, want);
}

/* Node 0: each counter's file offset and value, for the host to check. */
static void report_words(struct area *a)
{
    fam_writeback(a, sizeof(*a));
    fame_say(node, "word offset=%zu value=%" PRId64, offsetof(struct area,
             add64), fam_atomic_64_read(&a->add64));
    fame_say(node, "word offset=%zu value=%" PRId64, offsetof(struct area,
             locked), fam_atomic_64_read(&a->locked));
    fame_say(node, "word offset=%zu value=%" PRId64, offsetof(struct area,
             pair), a->pair[0]);
}

/*
 * No cmpxchg16b: a child tries a 128-bit read, which libfam must refuse
 * with its message on stderr (the console) and abort(). Always false:
 * the node cannot run the test.
 */
static bool show_refusal(void)
{
    _Alignas(16) int64_t pair[2] = { 1, 2 }, got[2];
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        fam_atomic_128_read(pair, got);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return FAIL("node %u: fork or wait: %s", node->id, strerror(errno));
    }
    return FAIL("node %u: this CPU has no cmpxchg16b, which the 128-bit "
                "atomics need; libfam's 128-bit read %s", node->id,
                WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT ?
                "refused it (abort)" : "did NOT refuse it");
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct fam_map m = { NULL, 0, -1 };
    long adds, rounds, cas;
    bool ok;

    fame_node_init(&n, TAG, argc, argv);
    node = &n;
    adds = fame_cmdline_long("fam.libfam_adds", 100000);
    rounds = fame_cmdline_long("fam.libfam_locked", 20000);
    cas = fame_cmdline_long("fam.libfam_cas", 10000);
    if (n.count < 2) {
        fame_say(node, "FAIL needs at least 2 nodes");
        return 1;
    }
    if (!fam_atomic_128_supported()) {
        return !show_refusal();
    }
    if (n.id == 0) {
        fame_say(node, "node 0: cache lines are flushed with %s, written "
                 "back with %s", fam_flush_insn(), fam_writeback_insn());
    }
    ok = n.id == 0 ? create_area(&m) : map_area(&m);
    ok = ok && barrier(m.addr, 1, "to start") &&
         fetch_adds(m.addr, adds) && spinlock(m.addr, rounds) &&
         cas32(m.addr, cas) && cas128(m.addr, cas);
    if (ok && n.id == 0) {
        report_words(m.addr);
    }
    /* The last barrier: no node unmaps while another still checks. */
    ok = ok && barrier(m.addr, 6, "to finish");
    if (m.addr != NULL && fam_unmap_file(&m) < 0) {
        ok = FAIL("node %u: unmapping: %s", n.id, strerror(errno));
    }
    fame_say(node, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
