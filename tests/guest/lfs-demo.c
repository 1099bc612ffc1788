/*
 * lfs-demo: the main job of scripts/setup, on every node of the cluster.
 *
 * Node 1 (node 0 on a one-node machine) writes a data set into the LFS,
 * /lfs/demo-<run>/data, with write(2), and makes a page of shared counters
 * next to it. Every node then maps the data set (a direct mapping of the
 * pool: libfam's fam_map_file) and checks every 64-bit word of it, and
 * increments the shared counters: fam.demo_adds (default 10000) atomic
 * fetch-adds with libfam, and a tenth as many plain increments under a
 * libfam spinlock. Node 0 waits for every node, checks that no word was
 * wrong and that both counters are exact, prints the summary line that
 * scripts/setup shows, and removes the files (the pool file keeps no
 * trace of the run).
 *
 * fam.demo_mib (default 8) is the size of the data set in MiB.
 */
#define _GNU_SOURCE

#include "fame-guest.h"

#include "fame/libfam.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAG             "lfs-demo"
#define WAIT_SECONDS    300.0

/* The page of counters every node shares */
struct counters {
    int64_t atomic_adds;        /* fam_atomic_64_fetch_add */
    int64_t locked_adds;        /* ++ under the lock */
    struct fam_spinlock lock;
    int64_t words_checked;
    int64_t words_wrong;
    int64_t nodes_failed;       /* could not check the data set */
    int64_t nodes_done;
};

static struct fame_node node;
static char dir[64], data_path[80], counters_path[80], ready_path[80];
static char failed_path[80];   /* the writer's "no data set": stop waiting */

/* The data set's word i: the same on every node, different every run. */
static uint64_t word(uint64_t run, uint64_t i)
{
    uint64_t z = run * 0x9e3779b97f4a7c15ull + i;

    z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
    return z ^ (z >> 29);
}

static bool failed(const char *what, const char *path)
{
    fame_say(&node, "FAIL node %u: %s %s: %s", node.id, what, path,
             strerror(errno));
    return false;
}

/* Node 1's part: the data set, written through the file system. */
static bool write_data(uint64_t run, size_t bytes)
{
    static uint64_t chunk[1 << 17];    /* 1 MiB */
    struct fam_map c;
    int fd;

    if (mkdir(dir, 0755) && errno != EEXIST)
        return failed("cannot make", dir);
    fd = open(data_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return failed("cannot create", data_path);
    for (size_t off = 0; off < bytes; off += sizeof(chunk)) {
        size_t n = bytes - off < sizeof(chunk) ? bytes - off : sizeof(chunk);

        for (size_t i = 0; i < n / 8; i++)
            chunk[i] = word(run, off / 8 + i);
        if (!fame_write_all(fd, chunk, n)) {
            close(fd);
            return failed("cannot write", data_path);
        }
    }
    if (fsync(fd) || close(fd))
        return failed("cannot write", data_path);
    if (fam_map_file(counters_path, sizeof(struct counters), FAM_MAP_CREATE,
                     &c))
        return failed("cannot make", counters_path);
    fam_unmap_file(&c);
    /* the data set is complete before the name the others wait for */
    fd = open(ready_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return failed("cannot create", ready_path);
    close(fd);
    fame_say(&node, "node %u: wrote %zu bytes to %s", node.id, bytes,
             data_path);
    return true;
}

static bool wait_ready(void)
{
    double end = fame_now() + WAIT_SECONDS;
    struct stat st;

    while (stat(ready_path, &st)) {
        if (stat(failed_path, &st) == 0) {
            fame_say(&node, "FAIL node %u: the writer could not make the "
                     "data set", node.id);
            return false;
        }
        if (fame_now() > end)
            return failed("gave up waiting for", ready_path);
        fame_sleep(0.05);
    }
    return true;
}

/* Every node: check the data set through a direct mapping. */
static bool check_data(uint64_t run, size_t bytes, int64_t *wrong)
{
    struct fam_map m;
    const uint64_t *w;

    if (fam_map_file(data_path, 0, FAM_MAP_RDONLY, &m))
        return failed("cannot map", data_path);
    if (m.size != bytes) {
        fame_say(&node, "FAIL node %u: %s has %zu bytes, not %zu", node.id,
                 data_path, m.size, bytes);
        fam_unmap_file(&m);
        return false;
    }
    w = m.addr;
    *wrong = 0;
    for (size_t i = 0; i < bytes / 8; i++)
        *wrong += w[i] != word(run, i);
    fam_unmap_file(&m);
    return true;
}

static void count(struct counters *c, long adds, int64_t checked,
                  int64_t wrong)
{
    for (long i = 0; i < adds; i++)
        fam_atomic_64_fetch_add(&c->atomic_adds, 1);
    for (long i = 0; i < adds / 10; i++) {
        fam_spin_lock(&c->lock);
        /* a plain read-modify-write: only the lock keeps it exact */
        *(volatile int64_t *)&c->locked_adds += 1;
        fam_spin_unlock(&c->lock);
    }
    fam_atomic_64_fetch_add(&c->words_checked, checked);
    fam_atomic_64_fetch_add(&c->words_wrong, wrong);
    fam_atomic_64_fetch_add(&c->nodes_done, 1);
}

/* Node 0: wait for everyone, check the counters, say what happened. */
static bool summary(struct counters *c, long adds, size_t bytes,
                    unsigned writer, double t0)
{
    int64_t n = node.count, done;
    double end = fame_now() + WAIT_SECONDS;
    bool ok;

    while ((done = fam_atomic_64_read(&c->nodes_done)) < n) {
        if (fame_now() > end) {
            fame_say(&node, "FAIL node 0: only %" PRId64 " of %" PRId64
                     " nodes finished within %.0f s", done, n, WAIT_SECONDS);
            return false;
        }
        fame_sleep(0.05);
    }
    ok = c->nodes_failed == 0 && c->words_wrong == 0 && c->words_checked == n * (int64_t)(bytes / 8) &&
         c->atomic_adds == n * adds && c->locked_adds == n * (adds / 10);
    fame_say(&node, "summary: %" PRId64 " nodes; node %u wrote %zu MiB to "
             "%s; every node mapped and checked it: %" PRId64 " words, %"
             PRId64 " wrong; shared counters: %" PRId64 " atomic adds (of %"
             PRId64 "), %" PRId64 " locked adds (of %" PRId64 "); %.1f s",
             n, writer, bytes >> 20, data_path, c->words_checked,
             c->words_wrong, c->atomic_adds, n * adds, c->locked_adds,
             n * (adds / 10), fame_now() - t0);
    return ok;
}

static bool clean_up(void)
{
    if (unlink(data_path) || unlink(counters_path) || unlink(ready_path) ||
        rmdir(dir))
        return failed("cannot remove the files in", dir);
    return true;
}

int main(int argc, char **argv)
{
    uint64_t run;
    size_t bytes;
    long adds;
    unsigned writer;
    int64_t wrong = 0;
    struct fam_map c;
    double t0 = fame_now();
    bool ok;

    fame_node_init(&node, TAG, argc, argv);
    run = (uint64_t)fame_cmdline_long("fam.run_id", 1);
    bytes = (size_t)fame_cmdline_long("fam.demo_mib", 8) << 20;
    adds = fame_cmdline_long("fam.demo_adds", 10000);
    writer = node.count > 1 ? 1 : 0;
    snprintf(dir, sizeof(dir), "/lfs/demo-%" PRIu64, run);
    snprintf(data_path, sizeof(data_path), "%s/data", dir);
    snprintf(counters_path, sizeof(counters_path), "%s/counters", dir);
    snprintf(ready_path, sizeof(ready_path), "%s/ready", dir);
    snprintf(failed_path, sizeof(failed_path), "%s/failed", dir);
    if (bytes == 0 || adds < 0) {
        fame_say(&node, "FAIL node %u: fam.demo_mib and fam.demo_adds must "
                 "be positive", node.id);
        return 1;
    }

    if (node.id == writer && !write_data(run, bytes)) {
        /* e.g. ENOSPC: tell the others, who would wait in vain */
        mkdir(dir, 0755);
        close(open(failed_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        ok = false;
    } else if (!wait_ready()) {
        ok = false;
    } else if (fam_map_file(counters_path, sizeof(struct counters), 0, &c)) {
        ok = failed("cannot map", counters_path);
    } else {
        struct counters *shared = c.addr;

        ok = check_data(run, bytes, &wrong);
        if (ok) {
            fame_say(&node, "node %u: checked %zu bytes through its "
                     "mapping, %" PRId64 " words wrong", node.id, bytes,
                     wrong);
            count(shared, adds, (int64_t)(bytes / 8), wrong);
        } else {
            /* node 0 must not wait for this node in vain */
            fam_atomic_64_fetch_add(&shared->nodes_failed, 1);
            fam_atomic_64_fetch_add(&shared->nodes_done, 1);
        }
        ok = ok && wrong == 0;
        if (node.id == 0)
            ok = summary(shared, adds, bytes, writer, t0) && ok;
        fam_unmap_file(&c);
        ok = ok && (node.id != 0 || clean_up());
    }
    fame_say(&node, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
