/*
 * fam-ioctl-fuzz: random requests at the interface between the guest
 * driver and its users (the LFS daemon is one): FAM_IOC_LIB,
 * FAM_IOC_SHELF_FILE, FAM_IOC_SHELF_REFRESH and the calls on shelf files.
 *
 * From a seed (fam.fuzz_seed=, else the run id, mixed with the node), each
 * step picks one of:
 *   - a Librarian request through FAM_IOC_LIB: garbage bytes, or a header
 *     and arguments with random opcode, fields, strings and lengths, sent
 *     with random request and reply lengths and, now and then, a buffer
 *     address that is not the caller's (NULL, unmapped, kernel, read-only);
 *   - FAM_IOC_SHELF_FILE for one of this program's handles (open, closed,
 *     read-only) or a made-up one, with random flags;
 *   - FAM_IOC_SHELF_REFRESH, and ioctl numbers the driver does not know;
 *   - pread, pwrite, mmap (touched under a SIGBUS/SIGSEGV guard), munmap,
 *     ftruncate, fallocate and fsync on shelf files, at random offsets.
 * Paths stay under /fuzz-io-<node>, handles are this program's or far
 * from any real one, and the opcodes that change the machine (module
 * status, heartbeat) are left out, so the rest of the node is not
 * disturbed. What must hold: no kernel warning or oops; no shelf file for
 * a handle this program does not hold, or with more access than its
 * handle; bytes written through a shelf file read back the same; every
 * reply the driver hands back is a well-formed reply to the request; at
 * the end, with every file closed, the Librarian lists no open handle of
 * this process. Then a child that drops to uid 1000 keeps the root
 * process's /dev/fam0: the driver speaks for uid 1000 (the Librarian
 * refuses a create in a directory of root's, whatever uid the request
 * claims) and FAM_LIB_MAKE_OWNER is refused.
 */
#define _GNU_SOURCE

#include "guest-mbox.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAG             "fam-ioctl-fuzz"
#define HANDLES         6       /* shelves this program opens */
#define FILES           4       /* shelf files it keeps at once */
#define MAX_IO          65536
#define FAR_HANDLE      (1ull << 40)    /* above any handle a run makes */

struct fuzz {
    struct fame_node *n;
    struct guest_dev d;
    struct guest_mbox m;
    uint64_t rng;
    unsigned long step;
    char dir[32];
    uint64_t handle[HANDLES];   /* 0: none */
    bool writable[HANDLES];
    uint64_t closed;            /* a handle this program closed */
    int file[FILES];            /* shelf files, -1: none */
    bool file_rw[FILES];
    unsigned char *ro_page;     /* a page mapped read-only */
    unsigned char req[FAM_LIB_MSG_MAX + 64];
    unsigned char reply[FAM_LIB_MSG_MAX + 64];
    unsigned char io[MAX_IO], back[MAX_IO];
    unsigned long calls, succeeded, faults;
    unsigned long replies, files, maps, writes; /* what got through */
};

static sigjmp_buf guard;
static volatile sig_atomic_t guarded;

static void on_fault(int sig)
{
    if (guarded)
        siglongjmp(guard, sig);
    signal(sig, SIG_DFL);
    raise(sig);
}

static uint64_t rnd(struct fuzz *f)
{
    return fame_rand(&f->rng);
}

static unsigned below(struct fuzz *f, unsigned n)
{
    return fame_rand_below(&f->rng, n);
}

static bool chance(struct fuzz *f, unsigned percent)
{
    return below(f, 100) < percent;
}

static bool fail(struct fuzz *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Say what broke, at which step; always false. */
static bool fail(struct fuzz *f, const char *fmt, ...)
{
    char what[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    fame_say(f->n, "FAIL node %u step %lu: %s", f->n->id, f->step, what);
    return false;
}

/* A 64-bit value with a bias to the edges that break arithmetic. */
static uint64_t edgy(struct fuzz *f, uint64_t usual)
{
    static const uint64_t edges[] = {
        0, 1, 4095, 4096, 4097, 1ull << 21, (1ull << 21) + 1, 1ull << 31,
        1ull << 32, (1ull << 63) - 1, 1ull << 63, UINT64_MAX,
        UINT64_MAX - 4095,
    };

    if (chance(f, 25))
        return edges[below(f, sizeof(edges) / sizeof(edges[0]))];
    return usual ? rnd(f) % usual : rnd(f);
}

static uint64_t pick_handle(struct fuzz *f)
{
    switch (below(f, 6)) {
    case 0:
        return f->closed;
    case 1:
        return chance(f, 50) ? 0 : FAR_HANDLE + below(f, 1000);
    case 2:
        return UINT64_MAX - below(f, 3);
    default:
        return f->handle[below(f, HANDLES)];
    }
}

/* A path under this program's directory, or one that is not a path. */
static void pick_path(struct fuzz *f, char *buf, size_t cap)
{
    static const char *const parts[] = {
        "s0", "s1", "s2", "d", "d/x", "..", ".", "", "/", "//", "s0/",
        "d/../s1", "\xff\xfe", "a b", "s3",
    };
    size_t len;

    switch (below(f, 10)) {
    case 0:             /* not absolute */
        snprintf(buf, cap, "%s", parts[below(f, 15)]);
        return;
    case 1:             /* too long for a name or the whole path */
        len = chance(f, 50) ? 256 + below(f, 8) : cap - 1;
        snprintf(buf, cap, "%s/", f->dir);
        for (size_t i = strlen(buf); i < len && i < cap - 1; i++)
            buf[i] = chance(f, 3) ? '/' : 'a' + below(f, 26);
        buf[len < cap ? len : cap - 1] = '\0';
        return;
    default:
        snprintf(buf, cap, "%s/%s", f->dir, parts[below(f, 15)]);
    }
}

/* Opcodes to send: all but those that change the machine's state. */
static uint16_t pick_op(struct fuzz *f)
{
    for (;;) {
        uint16_t op = (uint16_t)below(f, FAM_LIB_OP_MAX + 3);

        if (op != FAM_LIB_OP_MODULE_STATUS && op != FAM_LIB_OP_HEARTBEAT)
            return op;
    }
}

/* The address FAM_IOC_LIB gets for a buffer: mostly the real one. */
static uint64_t pick_addr(struct fuzz *f, void *real, bool writes)
{
    switch (below(f, 20)) {
    case 0:
        return 0;
    case 1:
        return 8;
    case 2:
        return 0xffff888000000000ull;   /* the kernel's direct map */
    case 3:
        return writes ? (uintptr_t)f->ro_page : (uintptr_t)real;
    case 4:
        return (uintptr_t)real + FAM_LIB_MSG_MAX + 64 - 16; /* runs off */
    default:
        return (uintptr_t)real;
    }
}

/* An address pick_addr() gives that is writable memory of this program */
static bool ours(const struct fuzz *f, uint64_t addr)
{
    return addr > 8 && addr < 0xffff800000000000ull &&
           addr != (uintptr_t)f->ro_page;
}

/* Build a request: well-formed framing with random content, or noise. */
static size_t build_request(struct fuzz *f, uint16_t *op)
{
    struct fam_lib_args a;
    char p1[1100], p2[1100];
    unsigned char blob[300];
    size_t blob_len = below(f, 4) ? 0 : below(f, sizeof(blob));
    int len;

    *op = pick_op(f);
    if (chance(f, 10)) {
        size_t n = below(f, FAM_LIB_MSG_MAX + 65);

        for (size_t i = 0; i < n; i++)
            f->req[i] = (unsigned char)rnd(f);
        if (n >= 4 && chance(f, 50))
            memcpy(f->req, &(uint32_t){ FAM_LIB_MAGIC }, 4);
        return n;
    }
    memset(&a, 0, sizeof(a));
    a.handle = pick_handle(f);
    a.size = edgy(f, 8u << 20);
    a.atime_ns = (int64_t)edgy(f, 0);
    a.mtime_ns = chance(f, 50) ? FAM_LIB_TIME_NOW : (int64_t)edgy(f, 0);
    a.mode = chance(f, 70) ? 0600 | below(f, 0200) : (uint32_t)rnd(f);
    a.flags = chance(f, 70) ? below(f, 4) : (uint32_t)rnd(f);
    a.uid = chance(f, 50) ? 0 : (uint32_t)rnd(f);
    a.gid = (uint32_t)edgy(f, 2000);
    pick_path(f, p1, sizeof(p1));
    pick_path(f, p2, sizeof(p2));
    for (size_t i = 0; i < blob_len; i++)
        blob[i] = (unsigned char)rnd(f);
    len = fam_lib_msg_build(f->req, sizeof(f->req), *op,
                            (uint32_t)f->step, (uint32_t)rnd(f),
                            (uint32_t)rnd(f), (uint32_t)rnd(f),
                            (uint32_t)rnd(f), &a,
                            chance(f, 80) ? p1 : NULL,
                            chance(f, 40) ? p2 : NULL, blob, blob_len);
    if (len < 0)
        len = sizeof(struct fam_lib_hdr);
    if (chance(f, 15)) {
        /* break one thing: a field of the header or of the arguments */
        size_t at = below(f, (unsigned)len);

        f->req[at] ^= (unsigned char)(1u << below(f, 8));
    }
    return (size_t)len;
}

/*
 * A random OPEN that worked: its access is not known here, so close it at
 * once; its number joins the closed ones that later steps try.
 */
static void note_open(struct fuzz *f, const void *body, size_t len)
{
    struct fam_lib_open o;
    struct fam_lib_args a = { 0 };

    if (len < sizeof(o))
        return;
    memcpy(&o, body, sizeof(o));
    a.handle = le64toh(o.handle);
    guest_mbox_call(&f->m, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0, NULL,
                    NULL);
    f->closed = a.handle;
}

static bool step_lib(struct fuzz *f)
{
    struct fam_ioc_lib call;
    uint16_t op;
    size_t len = build_request(f, &op);
    uint32_t given;
    struct fam_lib_hdr h;
    const void *body;
    size_t body_len;
    int rc;

    memset(&call, 0, sizeof(call));
    call.request = pick_addr(f, f->req, false);
    call.reply = pick_addr(f, f->reply, true);
    call.request_len = chance(f, 85) ? (uint32_t)len : (uint32_t)edgy(f, 5000);
    call.reply_len = chance(f, 85) ? FAM_LIB_MSG_MAX : (uint32_t)edgy(f, 5000);
    given = call.reply_len;
    f->calls++;
    if (ioctl(f->d.fd, FAM_IOC_LIB, &call))
        return true;
    f->succeeded++;
    f->replies++;
    if (call.reply_len < sizeof(struct fam_lib_hdr) || call.reply_len > given)
        return fail(f, "FAM_IOC_LIB returned a %u-byte reply into a %u-byte "
                    "buffer", call.reply_len, given);
    if (!ours(f, call.reply) || !ours(f, call.request))
        return fail(f, "FAM_IOC_LIB worked with a request at %#llx and a "
                    "reply at %#llx", (unsigned long long)call.request,
                    (unsigned long long)call.reply);
    if (call.reply != (uintptr_t)f->reply)
        return true;    /* written where pick_addr() put it: not checked */
    memcpy(&h, f->reply, sizeof(h));
    if (le32toh(h.magic) != FAM_LIB_MAGIC ||
        !(le32toh(h.flags) & FAM_LIB_F_REPLY) ||
        le32toh(h.length) != call.reply_len)
        return fail(f, "FAM_IOC_LIB handed back a %u-byte reply that is not "
                    "one (magic %#x, flags %#x, length %u)", call.reply_len,
                    le32toh(h.magic), le32toh(h.flags), le32toh(h.length));
    rc = fam_lib_reply_check(f->reply, call.reply_len, op,
                             (uint32_t)f->step, &body, &body_len);
    /* a success whose body does not have the opcode's shape */
    if (h.status == 0 && rc == -EBADMSG)
        return fail(f, "the reply to %s (%zu-byte request) is malformed",
                    fam_lib_op_name(op), len);
    if (rc == 0 && op == FAM_LIB_OP_OPEN)
        note_open(f, body, body_len);
    return true;
}

static int free_file_slot(struct fuzz *f)
{
    unsigned i = below(f, FILES);

    if (f->file[i] >= 0)
        close(f->file[i]);
    f->file[i] = -1;
    return (int)i;
}

static bool step_shelf_file(struct fuzz *f)
{
    static const uint32_t flag_set[] = {
        O_RDONLY, O_RDWR, O_WRONLY, O_RDONLY | O_CLOEXEC, O_RDWR | O_CLOEXEC,
        O_RDWR | O_APPEND, O_RDONLY | O_TRUNC, 3, 0x80000000u,
    };
    struct fam_ioc_shelf_file sf;
    uint64_t h = pick_handle(f);
    int mine = -1;
    int slot;

    memset(&sf, 0, sizeof(sf));
    sf.handle = h;
    sf.flags = flag_set[below(f, sizeof(flag_set) / sizeof(flag_set[0]))];
    for (int i = 0; h && i < HANDLES; i++)
        if (f->handle[i] == h)
            mine = i;
    f->calls++;
    if (chance(f, 5)) {
        ioctl(f->d.fd, FAM_IOC_SHELF_FILE, chance(f, 50) ? NULL :
              (void *)f->ro_page);
        return true;
    }
    if (ioctl(f->d.fd, FAM_IOC_SHELF_FILE, &sf))
        return true;
    f->succeeded++;
    if (mine < 0)
        return fail(f, "FAM_IOC_SHELF_FILE made file %d for handle %#llx, "
                    "which this program does not hold", sf.fd,
                    (unsigned long long)h);
    if ((sf.flags & O_ACCMODE) != O_RDONLY && (sf.flags & O_ACCMODE) != O_RDWR)
        return fail(f, "FAM_IOC_SHELF_FILE accepted flags %#x", sf.flags);
    if ((sf.flags & O_ACCMODE) == O_RDWR && !f->writable[mine])
        return fail(f, "FAM_IOC_SHELF_FILE made a writable file for the "
                    "read-only handle %#llx", (unsigned long long)h);
    /* the handle now belongs to the file */
    f->files++;
    f->handle[mine] = 0;
    slot = free_file_slot(f);
    f->file[slot] = sf.fd;
    f->file_rw[slot] = (sf.flags & O_ACCMODE) == O_RDWR;
    return true;
}

/* Bytes written through a shelf file must read back the same. */
static bool file_io(struct fuzz *f, int fd, bool rw)
{
    off_t off = (off_t)(chance(f, 80) ? below(f, 4u << 20) :
                        (int64_t)edgy(f, 0));
    size_t len = below(f, MAX_IO) + 1;
    ssize_t w, r;

    if (chance(f, 50)) {
        f->calls++;
        if (pread(fd, f->back, len, off) >= 0)
            f->succeeded++;
        return true;
    }
    /*
     * A shelf the Librarian shrank behind the file's back (a random
     * RESIZE) leaves the file mapping books it no longer holds: their
     * stores are dropped by the device (no grant), so the bytes read back
     * only after a refresh.
     */
    struct fam_ioc_shelf_refresh rf;
    bool fresh = chance(f, 80) && ioctl(fd, FAM_IOC_SHELF_REFRESH, &rf) == 0;

    for (size_t i = 0; i < len; i++)
        f->io[i] = (unsigned char)rnd(f);
    f->calls++;
    w = pwrite(fd, f->io, len, off);
    if (w < 0)
        return true;
    f->succeeded++;
    if (!rw)
        return fail(f, "pwrite of %zu bytes at %lld worked on a read-only "
                    "shelf file", len, (long long)off);
    if (!fresh)
        return true;
    f->writes++;
    r = pread(fd, f->back, (size_t)w, off);
    if (r != w || memcmp(f->io, f->back, (size_t)w))
        return fail(f, "%zd bytes written at %lld through a shelf file read "
                    "back as %zd different ones", w, (long long)off, r);
    return true;
}

static bool file_map(struct fuzz *f, int fd)
{
    static const int prots[] = {
        PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_EXEC, PROT_NONE,
    };
    size_t len = chance(f, 80) ? (below(f, 1024) + 1) * 4096 :
                                 (size_t)edgy(f, 0);
    off_t off = (off_t)(chance(f, 80) ? below(f, 1024) * 4096ull :
                        edgy(f, 0));
    int prot = prots[below(f, 5)];
    int flags = chance(f, 80) ? MAP_SHARED : MAP_PRIVATE;
    volatile unsigned char *p;
    int sig;

    f->calls++;
    p = mmap(NULL, len, prot, flags, fd, off);
    if (p == MAP_FAILED)
        return true;
    f->succeeded++;
    f->maps++;
    guarded = 1;
    sig = sigsetjmp(guard, 1);
    if (sig == 0) {
        if (prot & PROT_READ)
            (void)p[below(f, len < 4096 ? (unsigned)len : 4096)];
        if ((prot & PROT_WRITE) && (flags & MAP_SHARED))
            p[len - 1] = p[len - 1];
    } else {
        f->faults++;
    }
    guarded = 0;
    munmap((void *)p, len);
    return true;
}

static bool step_file(struct fuzz *f)
{
    unsigned i = below(f, FILES);
    int fd = f->file[i];
    struct fam_ioc_shelf_refresh rf;

    if (fd < 0)
        return step_shelf_file(f);
    f->calls++;
    switch (below(f, 10)) {
    case 0:
    case 1:
    case 2:
        return file_io(f, fd, f->file_rw[i]);
    case 3:
    case 4:
        return file_map(f, fd);
    case 5:
        if (!ioctl(fd, FAM_IOC_SHELF_REFRESH,
                   chance(f, 90) ? (void *)&rf : (void *)f->ro_page))
            f->succeeded++;
        return true;
    case 6:
        if (!ftruncate(fd, (off_t)edgy(f, 8u << 20)))
            f->succeeded++;
        return true;
    case 7:
        if (!fallocate(fd, (int)below(f, 4), (off_t)edgy(f, 8u << 20),
                       (off_t)edgy(f, 8u << 20)))
            f->succeeded++;
        return true;
    case 8:
        if (!fsync(fd))
            f->succeeded++;
        return true;
    default:
        close(fd);
        f->file[i] = -1;
        return true;
    }
}

static bool step_other_ioctl(struct fuzz *f)
{
    static const unsigned long cmds[] = {
        FAM_IOC_SHELF_REFRESH, FAM_IOC_INFO,
        _IOWR(FAM_IOC_MAGIC, 0x03, struct fam_ioc_shelf_file),
        _IOW(FAM_IOC_MAGIC, 0x04, struct fam_ioc_shelf_file),
        _IOR(FAM_IOC_MAGIC, 0x06, uint64_t), _IO(FAM_IOC_MAGIC, 0x7f),
        _IOWR(0x42, 0x03, struct fam_ioc_lib),
    };
    unsigned long cmd = cmds[below(f, sizeof(cmds) / sizeof(cmds[0]))];
    unsigned char junk[64];

    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (unsigned char)rnd(f);
    f->calls++;
    if (!ioctl(f->d.fd, cmd, chance(f, 80) ? (void *)junk : NULL))
        f->succeeded++;
    return true;
}

/* Open (creating if need be) one of this program's shelves. */
static void step_open(struct fuzz *f)
{
    static const char *const names[] = { "s0", "s1", "s2" };
    struct fam_lib_args a = { .mode = 0600 };
    char path[64];
    uint64_t h;
    const void *body;
    size_t len;
    unsigned i = below(f, HANDLES);
    bool rw = chance(f, 70);
    int rc;

    snprintf(path, sizeof(path), "%s/%s", f->dir, names[below(f, 3)]);
    guest_mbox_call(&f->m, FAM_LIB_OP_CREATE, &a, path, NULL, NULL, 0, NULL,
                    NULL);
    a = (struct fam_lib_args){
        .flags = FAM_LIB_OPEN_READ | (rw ? FAM_LIB_OPEN_WRITE : 0),
    };
    f->calls++;
    rc = guest_mbox_call(&f->m, FAM_LIB_OP_OPEN, &a, path, NULL, NULL, 0,
                         &body, &len);
    if (rc || len < sizeof(struct fam_lib_open))
        return;
    f->succeeded++;
    memcpy(&h, body, sizeof(h));
    h = le64toh(h);
    if (f->handle[i]) {
        struct fam_lib_args c = { .handle = f->handle[i] };

        guest_mbox_call(&f->m, FAM_LIB_OP_CLOSE, &c, NULL, NULL, NULL, 0,
                        NULL, NULL);
        f->closed = f->handle[i];
    }
    f->handle[i] = h;
    f->writable[i] = rw;
    if (chance(f, 50)) {
        /* grow it, so that the file calls have books to work on */
        struct fam_lib_args r = { .handle = h, .size = below(f, 5) << 20 };

        guest_mbox_call(&f->m, FAM_LIB_OP_RESIZE, &r, NULL, NULL, NULL, 0,
                        NULL, NULL);
    }
}

/* The Librarian's count of this process's opens; -1 if it cannot say. */
static int my_opens(struct fuzz *f)
{
    return guest_mbox_count_opens(&f->m, f->n->id, (uint32_t)getpid());
}

static bool kernel_log_clean(struct fuzz *f)
{
    static const char *const bad[] = {
        "WARNING:", "BUG:", "Oops", "general protection", "UBSAN",
        "refcount_t", "list_del corruption", "kernel NULL pointer",
    };
    int size = klogctl(10, NULL, 0);    /* SYSLOG_ACTION_SIZE_BUFFER */
    char *log;
    int len;

    if (size <= 0)
        return fail(f, "cannot read the kernel log: %s", strerror(errno));
    log = malloc((size_t)size + 1);
    if (!log)
        return fail(f, "out of memory");
    len = klogctl(3, log, size);        /* SYSLOG_ACTION_READ_ALL */
    log[len > 0 ? len : 0] = '\0';
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *at = strstr(log, bad[i]);

        if (at) {
            char *eol = strchr(at, '\n');

            if (eol)
                *eol = '\0';
            fame_say(f->n, "FAIL node %u: the kernel log says: %.200s",
                     f->n->id, at);
            free(log);
            return false;
        }
    }
    free(log);
    return true;
}

/* The driver speaks for the process's uid, not for what a request says. */
static bool identity(struct fuzz *f)
{
    struct fam_lib_args d = { .mode = 0755 };
    char dir[32];
    int status, rc;
    pid_t pid;

    snprintf(dir, sizeof(dir), "/fuzz-id-%u", f->n->id);
    rc = guest_mbox_call(&f->m, FAM_LIB_OP_MKDIR, &d, dir, NULL, NULL, 0,
                         NULL, NULL);
    if (rc && rc != -EEXIST)
        return fail(f, "MKDIR %s: %s", dir, guest_mbox_strerror(rc));
    pid = fork();
    if (pid < 0)
        return fail(f, "fork: %s", strerror(errno));
    if (pid == 0) {
        struct fam_lib_args a = { .mode = 0600 };
        char path[64];

        f->m.seq += 1000;
        if (setgid(1000) || setuid(1000))
            _exit(10);
        snprintf(path, sizeof(path), "/fuzz-id-%u/as-1000", f->n->id);
        rc = guest_mbox_call(&f->m, FAM_LIB_OP_CREATE, &a, path, NULL, NULL,
                             0, NULL, NULL);
        if (rc != -EACCES)
            _exit(11);
        a.flags = FAM_LIB_MAKE_OWNER;
        rc = guest_mbox_call(&f->m, FAM_LIB_OP_CREATE, &a, "/as-1000", NULL,
                             NULL, 0, NULL, NULL);
        _exit(rc == -EPERM ? 0 : 12);
    }
    waitpid(pid, &status, 0);
    guest_mbox_call(&f->m, FAM_LIB_OP_RMDIR, NULL, dir, NULL, NULL, 0, NULL,
                    NULL);
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return fail(f, "uid 1000 with root's /dev/fam0: %s",
                    !WIFEXITED(status) ? "died" :
                    WEXITSTATUS(status) == 11 ? "a create in root's 0755 "
                    "directory was not EACCES" :
                    WEXITSTATUS(status) == 12 ? "FAM_LIB_MAKE_OWNER was not "
                    "EPERM" : "could not drop to uid 1000");
    return true;
}

static bool setup(struct fuzz *f)
{
    struct fam_lib_args a = { .mode = 0755 };
    char sub[40];
    int rc;

    if (!guest_dev_open_driver(&f->d, f->n))
        return false;
    guest_mbox_init(&f->m, &f->d, f->n);
    snprintf(f->dir, sizeof(f->dir), "/fuzz-io-%u", f->n->id);
    rc = guest_mbox_call(&f->m, FAM_LIB_OP_MKDIR, &a, f->dir, NULL, NULL, 0,
                         NULL, NULL);
    if (rc && rc != -EEXIST)
        return fail(f, "MKDIR %s: %s", f->dir, guest_mbox_strerror(rc));
    snprintf(sub, sizeof(sub), "%s/d", f->dir);
    guest_mbox_call(&f->m, FAM_LIB_OP_MKDIR, &a, sub, NULL, NULL, 0, NULL,
                    NULL);
    f->ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                      0);
    if (f->ro_page == MAP_FAILED)
        return fail(f, "mmap: %s", strerror(errno));
    for (int i = 0; i < FILES; i++)
        f->file[i] = -1;
    signal(SIGBUS, on_fault);
    signal(SIGSEGV, on_fault);
    return true;
}

/* Remove `dir` and everything in it (what random requests made there). */
static bool remove_dir(struct fuzz *f, const char *dir, int depth)
{
    char names[64][FAM_LIB_NAME_MAX + 1];
    uint32_t modes[64];
    unsigned n = 0;
    uint64_t cursor = 0;
    bool done = false;
    int rc;

    while (!done && n < 64) {
        struct fam_lib_args a = { .size = cursor };
        struct fam_lib_list l;
        struct fam_lib_dirent e;
        FamLibListIter it;
        const void *body;
        const char *name;
        size_t len;

        rc = guest_mbox_call(&f->m, FAM_LIB_OP_READDIR, &a, dir, NULL, NULL,
                             0, &body, &len);
        if (rc == -ENOENT)
            return true;
        if (rc || fam_lib_list_begin(&it, FAM_LIB_ITEM_DIRENT, body, len,
                                     &l))
            return fail(f, "READDIR %s: %s", dir, guest_mbox_strerror(rc));
        while (n < 64 && fam_lib_list_next_dirent(&it, &e, &name) == 1) {
            snprintf(names[n], sizeof(names[n]), "%s", name);
            modes[n++] = e.mode;
        }
        done = l.done;
        cursor = l.next;
    }
    for (unsigned i = 0; i < n; i++) {
        char path[FAM_LIB_PATH_MAX];

        if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
            (int)sizeof(path))
            continue;
        if ((modes[i] & FAM_LIB_S_IFMT) == FAM_LIB_S_IFDIR) {
            if (depth < 8 && !remove_dir(f, path, depth + 1))
                return false;
            continue;
        }
        rc = guest_mbox_call(&f->m, FAM_LIB_OP_UNLINK, NULL, path, NULL,
                             NULL, 0, NULL, NULL);
        if (rc)
            return fail(f, "UNLINK %s: %s", path, guest_mbox_strerror(rc));
    }
    rc = guest_mbox_call(&f->m, FAM_LIB_OP_RMDIR, NULL, dir, NULL, NULL, 0,
                         NULL, NULL);
    return rc == 0 || fail(f, "RMDIR %s: %s", dir, guest_mbox_strerror(rc));
}

static bool finish(struct fuzz *f)
{
    int opens = -1;

    for (int i = 0; i < FILES; i++)
        if (f->file[i] >= 0)
            close(f->file[i]);
    for (int i = 0; i < HANDLES; i++) {
        struct fam_lib_args a = { .handle = f->handle[i] };

        if (f->handle[i])
            guest_mbox_call(&f->m, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL,
                            0, NULL, NULL);
    }
    /* a shelf file's handle is closed by the driver after its release */
    for (int tries = 0; tries < 50; tries++) {
        opens = my_opens(f);
        if (opens == 0)
            break;
        fame_sleep(0.1);
    }
    if (opens != 0)
        return fail(f, "the Librarian lists %d open handles of this process "
                    "after it closed everything", opens);
    return remove_dir(f, f->dir, 0);
}

int main(int argc, char **argv)
{
    static struct fuzz fz;
    struct fuzz *f = &fz;
    struct fame_node n;
    long steps;
    uint64_t seed;
    double t0;
    bool ok = true;

    fame_node_init(&n, TAG, argc, argv);
    f->n = &n;
    steps = fame_cmdline_long("fam.fuzz_steps", 5000);
    seed = (uint64_t)fame_cmdline_long("fam.fuzz_seed",
                                       fame_cmdline_long("fam.run_id", 1));
    f->rng = seed * 0x100000001b3ull + n.id;
    fame_say(&n, "node %u: seed=%" PRIu64 " steps=%ld (replay with "
             "fam.fuzz_seed=%" PRIu64 ")", n.id, seed, steps, seed);
    if (!setup(f)) {
        fame_say(&n, "FAIL (the reason is above)");
        return 1;
    }
    t0 = fame_now();
    for (f->step = 1; ok && f->step <= (unsigned long)steps; f->step++) {
        switch (below(f, 10)) {
        case 0:
        case 1:
        case 2:
        case 3:
            ok = step_lib(f);
            break;
        case 4:
            step_open(f);
            break;
        case 5:
            ok = step_shelf_file(f);
            break;
        case 6:
            ok = step_other_ioctl(f);
            break;
        default:
            ok = step_file(f);
        }
    }
    ok = ok && finish(f) && identity(f) && kernel_log_clean(f);
    if (ok)
        fame_say(&n, "node %u: %lu calls, %lu succeeded (%lu Librarian "
                 "replies, %lu shelf files, %lu mappings, %lu writes read "
                 "back), %lu faults caught in mappings, %.1f s; no open "
                 "handle left, kernel log clean", n.id, f->calls,
                 f->succeeded, f->replies, f->files, f->maps, f->writes,
                 f->faults, fame_now() - t0);
    fame_say(&n, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
