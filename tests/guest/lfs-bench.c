/*
 * lfs-bench: the LFS (/lfs) against the node's own tmpfs, side by side
 * (tests/bench/lfs-bench.py runs it and prints the table).
 *
 * Every node: create+close+unlink per second in a directory of its own;
 * stat per second of a cached path (the same file again) and of an
 * uncached one (a name that does not exist: every stat is a lookup).
 * Node 0 alone, unless fam.lfsb_meta=1: sequential write and read MB/s of
 * a file through write(2)/read(2), and load/store bandwidth of a mapped
 * /lfs file against the node's RAM. With several nodes, all start the
 * metadata runs together (a barrier through /lfs).
 *
 * Kernel command line: fam.lfsb_secs=S (each timed run, default 3),
 * fam.lfsb_mib=M (the data runs' file size, default 32), fam.lfsb_meta=1.
 * Output: `fame-test lfs-bench: node=N fs=lfs|tmpfs test=T value=V unit=U`.
 */
#define _GNU_SOURCE

#include "fame-guest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAG "lfs-bench"
#define TMPFS "/tmp/lfs-bench-tmpfs"

static const struct fame_node *node;

static void report(const char *fs, const char *test, double value,
                   const char *unit)
{
    fame_say(node, "node=%u fs=%s test=%s value=%.1f unit=%s", node->id, fs,
             test, value, unit);
}

/*
 * Create, close and unlink files for `secs`: the rate of the three
 * together, and the time of each step (phase[0..2], microseconds), which
 * says where the time goes.
 */
static bool meta(const char *dir, double secs, double *rate, double *phase)
{
    char path[256];
    double t0 = fame_now(), t, spent[3] = { 0 };
    unsigned long n = 0;

    do {
        for (int k = 0; k < 16; k++, n++) {
            double a, b, c, d;
            int fd;

            snprintf(path, sizeof(path), "%s/f%lu", dir, n);
            a = fame_now();
            fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
            b = fame_now();
            if (fd < 0 || close(fd) < 0) {
                goto fail;
            }
            c = fame_now();
            if (unlink(path) < 0) {
                goto fail;
            }
            d = fame_now();
            spent[0] += b - a;
            spent[1] += c - b;
            spent[2] += d - c;
        }
        t = fame_now() - t0;
    } while (t < secs);
    *rate = n / t;
    for (int i = 0; i < 3; i++) {
        phase[i] = spent[i] / n * 1e6;
    }
    return true;
fail:
    fame_say(node, "FAIL node %u: create/close/unlink %s: %s", node->id,
             path, strerror(errno));
    return false;
}

static double stat_rate(const char *path, double secs)
{
    double t0 = fame_now(), t;
    unsigned long n = 0;
    struct stat st;

    do {
        for (int k = 0; k < 64; k++, n++) {
            (void)stat(path, &st);
        }
        t = fame_now() - t0;
    } while (t < secs);
    return n / t;
}

static bool metadata(const char *fs, const char *root, double secs)
{
    char dir[128], file[160], none[160];
    double rate, phase[3];
    int fd;

    snprintf(dir, sizeof(dir), "%s/bench-%u", root, node->id);
    snprintf(file, sizeof(file), "%s/cached", dir);
    snprintf(none, sizeof(none), "%s/absent", dir);
    if ((mkdir(dir, 0755) < 0 && errno != EEXIST) ||
        (fd = open(file, O_CREAT | O_WRONLY, 0644)) < 0) {
        fame_say(node, "FAIL node %u: setting up %s: %s", node->id, dir,
                 strerror(errno));
        return false;
    }
    close(fd);
    if (!meta(dir, secs, &rate, phase)) {
        return false;
    }
    report(fs, "create-close-unlink", rate, "ops/s");
    report(fs, "create-us", phase[0], "us");
    report(fs, "close-us", phase[1], "us");
    report(fs, "unlink-us", phase[2], "us");
    report(fs, "stat-cached", stat_rate(file, secs), "ops/s");
    report(fs, "stat-uncached", stat_rate(none, secs), "ops/s");
    return true;
}

static bool seq_io(const char *fs, const char *root, size_t mib)
{
    size_t chunk = 1 << 20;
    char *buf = malloc(chunk);
    char path[128];
    double t0, tw, tr;
    int fd;

    snprintf(path, sizeof(path), "%s/seq-%u", root, node->id);
    memset(buf, 0x5a, chunk);
    fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (!buf || fd < 0) {
        fame_say(node, "FAIL node %u: %s: %s", node->id, path,
                 strerror(errno));
        free(buf);
        return false;
    }
    t0 = fame_now();
    for (size_t i = 0; i < mib; i++) {
        if (write(fd, buf, chunk) != (ssize_t)chunk) {
            fame_say(node, "FAIL node %u: write %s: %s", node->id, path,
                     strerror(errno));
            return false;
        }
    }
    fsync(fd);
    tw = fame_now() - t0;
    close(fd);
    fd = open(path, O_RDONLY);
    t0 = fame_now();
    for (size_t i = 0; i < mib; i++) {
        if (read(fd, buf, chunk) != (ssize_t)chunk) {
            fame_say(node, "FAIL node %u: read %s: %s", node->id, path,
                     strerror(errno));
            return false;
        }
    }
    tr = fame_now() - t0;
    close(fd);
    free(buf);
    report(fs, "seq-write", mib * 1.048576 / tw, "MB/s");
    report(fs, "seq-read", mib * 1.048576 / tr, "MB/s");
    return true;
}

/* Store then load every 64-bit word; best of three. */
static void mem_bw(const char *fs, volatile uint64_t *p, size_t len)
{
    double best_w = 0, best_r = 0;
    uint64_t sum = 0;

    for (int rep = 0; rep < 3; rep++) {
        double t0 = fame_now(), t;

        for (size_t i = 0; i < len / 8; i++) {
            p[i] = i;
        }
        t = fame_now() - t0;
        best_w = t > 0 && len / t > best_w ? len / t : best_w;
        t0 = fame_now();
        for (size_t i = 0; i < len / 8; i++) {
            sum += p[i];
        }
        t = fame_now() - t0;
        best_r = t > 0 && len / t > best_r ? len / t : best_r;
    }
    report(fs, "mmap-store", best_w / 1e6, "MB/s");
    report(fs, "mmap-load", best_r / 1e6, "MB/s");
    if (sum == 1) {
        fame_say(node, "(never)");
    }
}

static bool mapped(size_t mib)
{
    size_t len = mib << 20;
    void *ram = mmap(NULL, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    void *fam;
    int fd = open("/lfs/bench-map", O_CREAT | O_RDWR, 0644);

    if (ram == MAP_FAILED || fd < 0 || ftruncate(fd, (off_t)len) < 0) {
        fame_say(node, "FAIL node %u: mapping setup: %s", node->id,
                 strerror(errno));
        return false;
    }
    fam = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (fam == MAP_FAILED) {
        fame_say(node, "FAIL node %u: mmap /lfs/bench-map: %s", node->id,
                 strerror(errno));
        return false;
    }
    mem_bw("ram", ram, len);
    mem_bw("lfs", fam, len);
    munmap(fam, len);
    munmap(ram, len);
    close(fd);
    unlink("/lfs/bench-map");
    return true;
}

/* All nodes start together: each makes its flag, then waits for all. */
static bool barrier(void)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof(path), "/lfs/bench-ready-%u", node->id);
    close(open(path, O_CREAT | O_WRONLY, 0644));
    for (unsigned i = 0; i < node->count; i++) {
        snprintf(path, sizeof(path), "/lfs/bench-ready-%u", i);
        for (double end = fame_now() + 300; stat(path, &st) < 0;) {
            if (fame_now() > end) {
                fame_say(node, "FAIL node %u: node %u never came", node->id,
                         i);
                return false;
            }
            fame_sleep(0.01);
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    double secs;
    size_t mib;
    bool ok, meta_only;

    fame_node_init(&n, TAG, argc, argv);
    node = &n;
    secs = fame_cmdline_long("fam.lfsb_secs", 3);
    mib = (size_t)fame_cmdline_long("fam.lfsb_mib", 32);
    meta_only = fame_cmdline_long("fam.lfsb_meta", 0) != 0;
    mkdir(TMPFS, 0755);
    if (mount("tmpfs", TMPFS, "tmpfs", 0, "size=50%") < 0) {
        fame_say(node, "FAIL node %u: mount tmpfs: %s", n.id,
                 strerror(errno));
        return 1;
    }
    ok = barrier() && metadata("lfs", "/lfs", secs) &&
         metadata("tmpfs", TMPFS, secs);
    if (ok && n.id == 0 && !meta_only) {
        ok = seq_io("lfs", "/lfs", mib) && seq_io("tmpfs", TMPFS, mib) &&
             mapped(mib);
    }
    fame_say(node, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
