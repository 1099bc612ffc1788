/*
 * fam-driver: the fam guest driver (guest-driver/), on every node.
 *
 * Every node checks that the driver bound its fam-fabric function:
 * /dev/fam0's INFO agrees with the node and with the driver's sysfs
 * files, its six MSI-X vectors are in /proc/interrupts, and bad requests
 * get clean errors (EINVAL, EAGAIN, ENOTTY, EFAULT, EMSGSIZE), never a
 * crash.
 *
 * Nodes 0 and 1 then work together, through the driver only:
 *   1. node 0 creates the shelf /fam-driver-<run> of one book (Librarian
 *      calls are FAM_IOC_LIB: the driver sleeps until the mailbox's
 *      interrupt), maps its book from /dev/fam0, writes a pattern, and
 *      rings node 1 (doorbell vector 0);
 *   2. node 1 sleeps in FAM_IOC_WAIT until that interrupt (sender: node 0
 *      alone), opens the shelf read-only, maps the book read-only, checks
 *      the pattern and rings back;
 *   3. fam.db_rounds (default 200) rounds of doorbell ping-pong, each
 *      round a sleep in FAM_IOC_WAIT on the other node's interrupt;
 *      the driver's irqs/doorbellN counters must have counted each;
 *   4. node 1 reads a page it holds no grant for: all-ones, and the
 *      device's error interrupt reaches the driver (irqs/error grows,
 *      stats/grant_faults grows, the kernel log names the fault);
 *   5. node 0 destroys the shelf.
 * Without a Librarian (a q35 process of the multi-process topology, where
 * every node holds the whole pool) node 0 writes the pool's second book
 * directly, and step 4 is left out: there is no range without a grant.
 * Finally every node tests unbinding: a process asleep in FAM_IOC_WAIT is
 * woken with ENODEV, an open file then fails with ENODEV, and after a
 * bind the driver serves again.
 */
#define _GNU_SOURCE

#include "guest-mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG         "fam-driver"
#define SYSFS_DEV   "/sys/class/misc/fam0/device"

struct drv {
    struct guest_dev d;
    struct guest_mbox m;
    const struct fame_node *n;
    uint64_t run;
    bool librarian;         /* the device has a Librarian behind it */
    char shelf[64];
};

/*
 * Without a Librarian the shared book is the pool's second, and node 1
 * says it is up (its slot holds the run id) before node 0 rings it: a node
 * of another process that has not started yet cannot take a doorbell.
 */
#define PLAIN_BOOK_INDEX 1
#define PLAIN_READY (FAM_AREA_DOORBELL + 0x2000)

static bool read_num(const struct fame_node *n, const char *rel,
                     unsigned long long *v)
{
    char path[256], buf[64];
    snprintf(path, sizeof(path), SYSFS_DEV "/%s", rel);
    int fd = open(path, O_RDONLY);
    ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
    if (fd >= 0)
        close(fd);
    if (len <= 0) {
        fame_say(n, "FAIL cannot read %s", path);
        return false;
    }
    buf[len] = '\0';
    *v = strtoull(buf, NULL, 0);
    return true;
}

/* INFO against the node and against sysfs. */
static bool check_info(struct drv *x)
{
    const struct fam_ioc_info *i = &x->d.info;
    unsigned long long v;

    if (i->node_id != x->n->id || i->node_count != x->n->count) {
        fame_say(x->n, "FAIL INFO says node %u of %u, the node is %u of %u",
                 i->node_id, i->node_count, x->n->id, x->n->count);
        return false;
    }
    if (i->version >> 16 != FAM_VERSION_MAJOR || !i->pool_size ||
        !i->book_size || i->pool_size % i->book_size || !i->module_count ||
        !i->model[0]) {
        fame_say(x->n, "FAIL INFO is not sane: version %#x pool %llu book "
                 "%llu modules %u model '%s'", i->version,
                 (unsigned long long)i->pool_size,
                 (unsigned long long)i->book_size, i->module_count,
                 i->model);
        return false;
    }
    struct { const char *file; unsigned long long want; } attrs[] = {
        { "node_id", i->node_id }, { "node_count", i->node_count },
        { "pool_size", i->pool_size }, { "book_size", i->book_size },
        { "module_count", i->module_count },
        { "interleave_ways", i->il_ways },
        { "interleave_granule", i->il_granule },
        { "features", i->features },
    };
    for (size_t k = 0; k < sizeof(attrs) / sizeof(attrs[0]); k++) {
        if (!read_num(x->n, attrs[k].file, &v))
            return false;
        if (v != attrs[k].want) {
            fame_say(x->n, "FAIL sysfs %s = %llu, INFO says %llu",
                     attrs[k].file, v, attrs[k].want);
            return false;
        }
    }
    return true;
}

/* The driver's vectors, by its name, in /proc/interrupts. */
static bool check_vectors(struct drv *x)
{
    FILE *f = fopen("/proc/interrupts", "r");
    char line[512];
    unsigned found = 0;
    if (!f) {
        fame_say(x->n, "FAIL cannot read /proc/interrupts");
        return false;
    }
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, "fam0") && strstr(line, "MSI"))
            found++;
    }
    fclose(f);
    if (found != FAM_MSIX_VECTORS) {
        fame_say(x->n, "FAIL /proc/interrupts lists %u MSI vectors of fam0, "
                 "not %u", found, FAM_MSIX_VECTORS);
        return false;
    }
    return true;
}

static bool expect_errno(struct drv *x, const char *what, int rc, int want)
{
    if (rc == 0 || errno != want) {
        fame_say(x->n, "FAIL %s: %s, expected %s", what,
                 rc ? strerror(errno) : "success", strerror(want));
        return false;
    }
    return true;
}

static bool check_bad_requests(struct drv *x)
{
    int fd = x->d.fd;
    struct fam_ioc_ring ring = { .node = x->n->count, .vector = 0 };
    struct fam_ioc_wait wait = { .vector = FAM_DOORBELL_VECTORS };
    unsigned char small[16], req[256] = { 0 };
    struct fam_ioc_lib lib = { .request = (uintptr_t)req,
                               .reply = (uintptr_t)small,
                               .request_len = 10,
                               .reply_len = sizeof(small) };

    if (!expect_errno(x, "RING a node that does not exist",
                      ioctl(fd, FAM_IOC_RING, &ring), EINVAL))
        return false;
    ring = (struct fam_ioc_ring){ .node = 0, .vector = FAM_DOORBELL_VECTORS };
    if (!expect_errno(x, "RING a vector that does not exist",
                      ioctl(fd, FAM_IOC_RING, &ring), EINVAL) ||
        !expect_errno(x, "WAIT on a vector that does not exist",
                      ioctl(fd, FAM_IOC_WAIT, &wait), EINVAL))
        return false;
    /* Vector 2 is never rung in this test: a poll finds nothing */
    wait = (struct fam_ioc_wait){ .vector = 2, .timeout_ms = 0 };
    if (!expect_errno(x, "WAIT polling a quiet vector",
                      ioctl(fd, FAM_IOC_WAIT, &wait), EAGAIN))
        return false;
    wait.timeout_ms = 50;
    if (!expect_errno(x, "WAIT 50 ms on a quiet vector",
                      ioctl(fd, FAM_IOC_WAIT, &wait), ETIMEDOUT) ||
        !expect_errno(x, "an unknown ioctl",
                      ioctl(fd, _IO(FAM_IOC_MAGIC, 0x7f)), ENOTTY) ||
        !expect_errno(x, "INFO into a bad address",
                      ioctl(fd, FAM_IOC_INFO, (void *)8), EFAULT) ||
        !expect_errno(x, "LIB with a 10-byte request",
                      ioctl(fd, FAM_IOC_LIB, &lib), EINVAL))
        return false;

    /* A well-formed request whose reply does not fit: EMSGSIZE + size */
    int len = fam_lib_msg_build(req, sizeof(req), FAM_LIB_OP_VERSION, 1,
                                x->n->id, 0, 0, 0, NULL, NULL, NULL, NULL, 0);
    if (len < 0) {
        fame_say(x->n, "FAIL cannot build a VERSION request: %s",
                 strerror(-len));
        return false;
    }
    /* A request_len that is not the header's length: the mailbox would
     * pass on bytes of an earlier request */
    lib.request_len = (uint32_t)len + 8;
    if (!expect_errno(x, "LIB with request_len beyond the header's length",
                      ioctl(fd, FAM_IOC_LIB, &lib), EINVAL))
        return false;
    lib.request_len = (uint32_t)len;
    if (!expect_errno(x, "LIB with a 16-byte reply buffer",
                      ioctl(fd, FAM_IOC_LIB, &lib), EMSGSIZE))
        return false;
    if (lib.reply_len <= sizeof(small)) {
        fame_say(x->n, "FAIL EMSGSIZE came with reply_len %u", lib.reply_len);
        return false;
    }
    void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd,
                   (off_t)x->d.info.pool_size);
    if (p != MAP_FAILED) {
        fame_say(x->n, "FAIL mmap past the pool's end succeeded");
        return false;
    }
    return true;
}

/*
 * One Librarian call about this test's shelf (its path is str1 where
 * with_path), through the driver; false after a FAIL line unless it
 * succeeded.
 */
static bool shelf_call(struct drv *x, uint16_t op,
                       const struct fam_lib_args *a, bool with_path,
                       const void **body, size_t *blen)
{
    int rc = guest_mbox_call(&x->m, op, a, with_path ? x->shelf : NULL, NULL,
                           NULL, 0, body, blen);
    return guest_mbox_ok(&x->m, fam_lib_op_name(op), rc);
}

/* Open the shelf; its first book's pool offset. */
static bool open_shelf(struct drv *x, uint32_t flags, uint64_t *handle,
                       uint64_t *offset)
{
    uint64_t book;
    unsigned count;

    if (!guest_mbox_open(&x->m, x->shelf, flags, handle) ||
        !guest_mbox_shelf_books(&x->m, *handle, &book, 1, &count))
        return false;
    if (count == 0) {
        fame_say(x->n, "FAIL SHELF_BOOKS of %s lists no book", x->shelf);
        return false;
    }
    *offset = book * x->d.info.book_size;
    return true;
}

static uint64_t *map_book(struct drv *x, uint64_t offset, int prot)
{
    void *p = mmap(NULL, (size_t)x->d.info.book_size, prot, MAP_SHARED,
                   x->d.fd, (off_t)offset);
    if (p == MAP_FAILED) {
        fame_say(x->n, "FAIL mmap of the book at 0x%" PRIx64 ": %s", offset,
                 strerror(errno));
        return NULL;
    }
    return p;
}

static bool ring(struct drv *x, unsigned node, unsigned vector)
{
    struct fam_ioc_ring r = { .node = node, .vector = vector };
    if (ioctl(x->d.fd, FAM_IOC_RING, &r)) {
        fame_say(x->n, "FAIL RING node %u vector %u: %s", node, vector,
                 strerror(errno));
        return false;
    }
    return true;
}

/* Sleep until node `from` rings `vector`; it must be the only sender. */
static bool wait_for(struct drv *x, unsigned from, unsigned vector,
                     int timeout_ms, const char *what)
{
    struct fam_ioc_wait w = { .vector = vector, .timeout_ms = timeout_ms };
    if (ioctl(x->d.fd, FAM_IOC_WAIT, &w)) {
        fame_say(x->n, "FAIL waiting for node %u's doorbell on vector %u "
                 "(%s): %s", from, vector, what, strerror(errno));
        return false;
    }
    if (w.senders != 1ULL << from) {
        fame_say(x->n, "FAIL the doorbell on vector %u (%s) came from "
                 "senders %#llx, not node %u alone", vector, what,
                 (unsigned long long)w.senders, from);
        return false;
    }
    return true;
}

static bool irq_counts(struct drv *x, unsigned long long *db,
                       unsigned long long *mbox, unsigned long long *err)
{
    char name[32];
    for (unsigned v = 0; v < FAM_DOORBELL_VECTORS; v++) {
        snprintf(name, sizeof(name), "irqs/doorbell%u", v);
        if (!read_num(x->n, name, &db[v]))
            return false;
    }
    return read_num(x->n, "irqs/mailbox", mbox) &&
           read_num(x->n, "irqs/error", err);
}

static bool ping_pong(struct drv *x, unsigned rounds)
{
    unsigned peer = x->n->id ^ 1;
    unsigned long long db0[FAM_DOORBELL_VECTORS], db1[FAM_DOORBELL_VECTORS];
    unsigned long long mb, er;

    if (!irq_counts(x, db0, &mb, &er))
        return false;
    double t0 = fame_now();
    for (unsigned r = 0; r < rounds; r++) {
        unsigned v = r % 2;   /* vectors 0 and 1: vector 2 stays quiet */
        if (x->n->id == 0 && !ring(x, peer, v))
            return false;
        if (!wait_for(x, peer, v, 30000, "ping-pong"))
            return false;
        if (x->n->id == 1 && !ring(x, peer, v))
            return false;
    }
    double took = fame_now() - t0;
    if (!irq_counts(x, db1, &mb, &er))
        return false;
    /* Each doorbell is one interrupt; a handler may find two at once */
    unsigned long long got = (db1[0] - db0[0]) + (db1[1] - db0[1]);
    if (got == 0 || got > rounds) {
        fame_say(x->n, "FAIL %u doorbells received, the driver counted %llu "
                 "interrupts on their vectors", rounds, got);
        return false;
    }
    fame_say(x->n, "node %u: %u doorbell round trips through the driver's "
             "interrupts, %.1f us each (%llu interrupts)", x->n->id, rounds,
             took * 1e6 / (rounds ? rounds : 1), got);
    return true;
}

/* Node 1: a page it holds no grant for; the error interrupt follows. */
static bool check_fault_irq(struct drv *x, uint64_t granted)
{
    unsigned long long faults0, faults1, db[FAM_DOORBELL_VECTORS], mb, er0, er1;
    uint64_t off = granted == 0 ? x->d.info.book_size : 0;

    if (!read_num(x->n, "stats/grant_faults", &faults0) ||
        !irq_counts(x, db, &mb, &er0))
        return false;
    uint64_t *p = map_book(x, off, PROT_READ);
    if (!p)
        return false;
    uint64_t v = *(volatile uint64_t *)p;
    munmap(p, (size_t)x->d.info.book_size);
    if (v != UINT64_MAX) {
        fame_say(x->n, "FAIL a read at 0x%" PRIx64 " (no grant) gave 0x%" PRIx64
                 ", not all-ones", off, v);
        return false;
    }
    /* The interrupt may be taken a moment after the read returned */
    double end = fame_now() + 10;
    for (;;) {
        if (!read_num(x->n, "irqs/error", &er1))
            return false;
        if (er1 != er0 || fame_now() > end)
            break;
        fame_sleep(0.01);
    }
    if (!read_num(x->n, "stats/grant_faults", &faults1))
        return false;
    if (er1 == er0 || faults1 != faults0 + 1) {
        fame_say(x->n, "FAIL after a read without a grant: error interrupts "
                 "%llu -> %llu, grant_faults %llu -> %llu", er0, er1, faults0,
                 faults1);
        return false;
    }
    char log[1 << 16];
    int len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
    char want[96];
    snprintf(want, sizeof(want), "read of a range not granted by node %u at "
             "0x%" PRIx64, x->n->id, off);
    if (len < 0 || (log[len] = '\0', !strstr(log, want))) {
        fame_say(x->n, "FAIL the kernel log does not have \"%s\"", want);
        return false;
    }
    fame_say(x->n, "node %u: a read without a grant gave all-ones and the "
             "error interrupt logged it", x->n->id);
    return true;
}

/* Node 0's shelf of one book, created and opened read-write. */
static bool make_shelf(struct drv *x, uint64_t *handle, uint64_t *off)
{
    struct fam_lib_args a = { .mode = 0644 };
    int rc = guest_mbox_call(&x->m, FAM_LIB_OP_UNLINK, NULL, x->shelf, NULL,
                           NULL, 0, NULL, NULL);
    if (rc != -ENOENT && !guest_mbox_ok(&x->m, "UNLINK an old shelf", rc))
        return false;
    if (!shelf_call(x, FAM_LIB_OP_CREATE, &a, true, NULL, NULL))
        return false;
    a = (struct fam_lib_args){ .size = x->d.info.book_size };
    return shelf_call(x, FAM_LIB_OP_RESIZE, &a, true, NULL, NULL) &&
           open_shelf(x, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, handle, off);
}

static bool node0(struct drv *x, unsigned rounds)
{
    uint64_t handle = 0, off = PLAIN_BOOK_INDEX * x->d.info.book_size;
    if (x->librarian ? !make_shelf(x, &handle, &off) :
        !guest_wait_slot(&x->d, x->n, PLAIN_READY, 1, x->run, FAM_WAIT_BOOT,
                       "node 1 up"))
        return false;
    uint64_t *w = map_book(x, off, PROT_READ | PROT_WRITE);
    if (!w)
        return false;
    uint64_t words = x->d.info.book_size / 8;
    for (uint64_t i = 0; i < words; i++)
        w[i] = guest_pattern(x->run, 0, i);
    munmap(w, (size_t)x->d.info.book_size);
    fame_say(x->n, "node 0: wrote book 0x%" PRIx64 " of %s through "
             FAM_DRIVER_DEV, off, x->librarian ? x->shelf : "the pool");

    if (!ring(x, 1, 0) ||
        !wait_for(x, 1, 0, (int)(FAM_WAIT_BOOT * 1000), "pattern checked") ||
        !ping_pong(x, rounds) ||
        !wait_for(x, 1, 3, 60000, "fault test done"))
        return false;
    struct fam_lib_args c = { .handle = handle };
    return !x->librarian ||
           (shelf_call(x, FAM_LIB_OP_CLOSE, &c, false, NULL, NULL) &&
            shelf_call(x, FAM_LIB_OP_UNLINK, NULL, true, NULL, NULL));
}

static bool node1(struct drv *x, unsigned rounds)
{
    uint64_t handle = 0, off = PLAIN_BOOK_INDEX * x->d.info.book_size;
    if (!x->librarian)
        guest_publish(&x->d, PLAIN_READY, 1, x->run);
    if (!wait_for(x, 0, 0, (int)(FAM_WAIT_BOOT * 1000), "pattern written") ||
        (x->librarian && !open_shelf(x, FAM_LIB_OPEN_READ, &handle, &off)))
        return false;
    const uint64_t *w = map_book(x, off, PROT_READ);
    if (!w)
        return false;
    uint64_t words = x->d.info.book_size / 8;
    for (uint64_t i = 0; i < words; i++) {
        if (w[i] != guest_pattern(x->run, 0, i)) {
            fame_say(x->n, "FAIL word %" PRIu64 " of book 0x%" PRIx64 " holds "
                     "0x%" PRIx64 ", not 0x%" PRIx64, i, off, w[i],
                     guest_pattern(x->run, 0, i));
            return false;
        }
    }
    munmap((void *)w, (size_t)x->d.info.book_size);
    fame_say(x->n, "node 1: read node 0's pattern through " FAM_DRIVER_DEV);
    struct fam_lib_args c = { .handle = handle };
    bool ok = ring(x, 0, 0) && ping_pong(x, rounds);
    if (ok && x->librarian) {
        ok = check_fault_irq(x, off) &&
             shelf_call(x, FAM_LIB_OP_CLOSE, &c, false, NULL, NULL);
    } else if (ok) {
        fame_say(x->n, "node 1: no Librarian, so every range is granted: "
                 "the fault interrupt is not tested here");
    }
    /* Node 0 waits for this even after a failure here */
    return ring(x, 0, 3) && ok;
}

static bool write_file(const struct fame_node *n, const char *path,
                       const char *text)
{
    int fd = open(path, O_WRONLY);
    bool ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
    int err = errno;
    if (fd >= 0)
        close(fd);
    if (!ok)
        fame_say(n, "FAIL writing %s to %s: %s", text, path, strerror(err));
    return ok;
}

/* Unbind under a sleeping waiter and an open file; bind again. */
static bool check_unbind(struct drv *x)
{
    char link[256], addr[64];
    ssize_t len = readlink(SYSFS_DEV, link, sizeof(link) - 1);
    if (len <= 0) {
        fame_say(x->n, "FAIL cannot read the link " SYSFS_DEV);
        return false;
    }
    link[len] = '\0';
    snprintf(addr, sizeof(addr), "%s", strrchr(link, '/') + 1);

    pid_t child = fork();
    if (child == 0) {
        struct fam_ioc_wait w = { .vector = 2, .timeout_ms = 60000 };
        int rc = ioctl(x->d.fd, FAM_IOC_WAIT, &w);
        _exit(rc && errno == ENODEV ? 0 : 1);
    }
    fame_sleep(0.5);
    double t0 = fame_now();
    if (!write_file(x->n, FAM_DRIVER_SYSFS "/unbind", addr))
        return false;
    int status;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        fame_say(x->n, "FAIL a WAIT asleep during unbind did not end with "
                 "ENODEV");
        return false;
    }
    struct fam_ioc_info info;
    if (!expect_errno(x, "INFO on a file opened before unbind",
                      ioctl(x->d.fd, FAM_IOC_INFO, &info), ENODEV))
        return false;
    if (access(FAM_DRIVER_DEV, F_OK) == 0) {
        fame_say(x->n, "FAIL " FAM_DRIVER_DEV " is still there after unbind");
        return false;
    }
    if (!write_file(x->n, FAM_DRIVER_SYSFS "/bind", addr))
        return false;
    int fd = open(FAM_DRIVER_DEV, O_RDWR);
    if (fd < 0 || ioctl(fd, FAM_IOC_INFO, &info) ||
        info.node_id != x->n->id) {
        fame_say(x->n, "FAIL " FAM_DRIVER_DEV " after bind: %s",
                 strerror(errno));
        return false;
    }
    close(fd);
    fame_say(x->n, "node %u: unbind woke the waiter with ENODEV in %.2f s; "
             "bound again", x->n->id, fame_now() - t0);
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct drv x;

    fame_node_init(&n, TAG, argc, argv);
    memset(&x, 0, sizeof(x));
    x.n = &n;
    x.run = guest_run_id();
    snprintf(x.shelf, sizeof(x.shelf), "/fam-driver-%" PRIu64, x.run);
    unsigned rounds = (unsigned)fame_cmdline_long("fam.db_rounds", 200);

    if (!guest_dev_open_driver(&x.d, &n) || !check_info(&x) ||
        !check_vectors(&x) || !check_bad_requests(&x))
        return 1;
    guest_mbox_init(&x.m, &x.d, &n);
    x.librarian = x.d.info.features & FAM_FEATURE_MAILBOX;
    if (n.count >= 2 && n.id == 0 && !node0(&x, rounds))
        return 1;
    if (n.count >= 2 && n.id == 1 && !node1(&x, rounds))
        return 1;
    if (!check_unbind(&x))
        return 1;
    fame_say(&n, "node %u: PASS", n.id);
    return 0;
}
