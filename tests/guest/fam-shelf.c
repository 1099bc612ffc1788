/*
 * fam-shelf: shelf files of the guest driver (FAM_IOC_SHELF_FILE), on two
 * nodes.
 *
 * Node 0 creates the shelf /fam-shelf-<run> of one book, opens it for
 * writing and turns the handle into a shelf file. It checks that the file
 * is a regular file (0600, the shelf's size), that pwrite/pread round
 * trip, that a write past the end grows the shelf (the Librarian's
 * GETATTR and SHELF_BOOKS agree), then maps the whole file shared and
 * stores a pattern in every word. Node 1 opens the same shelf, makes its
 * own shelf file, maps it and must see every word (no msync), stores one
 * word back, which node 0 must see in its mapping. Node 0 prints the
 * pool offsets of the books' first words with their values, for the host
 * to find in the pool file. Then node 0 checks the refusals: node 1's
 * handle (EBADF), a closed and a made-up handle (EBADF), O_RDWR on a
 * read-only handle (EACCES, and the handle stays the caller's), garbage
 * flags (EINVAL), write(2) on a read-only shelf file (EBADF), shared
 * writable mmap of it (EACCES), while a private writable mmap copies on
 * write (the file keeps its bytes), ftruncate
 * (EOPNOTSUPP), and growth the pool cannot hold (ENOSPC); a page past the
 * end raises SIGBUS; FAM_IOC_SHELF_REFRESH follows a resize made through
 * the Librarian, and after a shrink the dropped book's pages raise SIGBUS.
 * O_APPEND is tested through a reopen of /proc/self/fd/N, which opens the
 * inode anew as FUSE passthrough does (the driver's ->open).
 * Finally, the handle stays listed (LIST_OPENS) while only a mapping
 * remains, and is gone once that goes.
 */
#define _GNU_SOURCE

#include "guest-mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAG "fam-shelf"
/* The word node 1 writes back, and its stream of the pattern */
#define BACK_WORD 1
#define STREAM 7

struct sh {
    struct guest_dev d;
    struct guest_mbox m;
    const struct fame_node *n;
    uint64_t run;
    uint64_t bs;
    char path[64];
};

#define FAIL(x, ...) (fame_say((x)->n, "FAIL " __VA_ARGS__), false)

static bool call(struct sh *x, uint16_t op, const struct fam_lib_args *a,
                 bool with_path, const void **body, size_t *blen)
{
    int rc = guest_mbox_call(&x->m, op, a, with_path ? x->path : NULL, NULL,
                             NULL, 0, body, blen);
    return guest_mbox_ok(&x->m, fam_lib_op_name(op), rc);
}

static bool getattr(struct sh *x, struct fam_lib_attr *at)
{
    const void *body;
    size_t blen;

    if (!call(x, FAM_LIB_OP_GETATTR, NULL, true, &body, &blen))
        return false;
    if (blen != sizeof(*at))
        return FAIL(x, "GETATTR's reply has %zu bytes", blen);
    memcpy(at, body, sizeof(*at));
    return true;
}

static bool close_handle(struct sh *x, uint64_t h)
{
    struct fam_lib_args a = { .handle = h };

    return call(x, FAM_LIB_OP_CLOSE, &a, false, NULL, NULL);
}

/* FAM_IOC_SHELF_FILE: the fd, or -errno. */
static int shelf_file(struct sh *x, uint64_t handle, uint32_t flags,
                      uint64_t *size)
{
    struct fam_ioc_shelf_file s = { .handle = handle, .flags = flags };

    if (ioctl(x->d.fd, FAM_IOC_SHELF_FILE, &s) < 0)
        return -errno;
    if (size)
        *size = s.size;
    return s.fd;
}

static bool expect_err(struct sh *x, const char *what, int got, int want)
{
    if (got == -want)
        return true;
    return FAIL(x, "%s gave %s, not %s", what,
                got >= 0 ? "success" : strerror(-got), strerror(want));
}

/* Is `handle` in LIST_OPENS? */
static int listed(struct sh *x, uint64_t handle)
{
    uint64_t cursor = 0;

    for (;;) {
        struct fam_lib_args a = { .size = cursor };
        const void *body;
        size_t blen;
        FamLibListIter it;
        struct fam_lib_list list;
        struct fam_lib_opened o;
        int rc;

        if (!call(x, FAM_LIB_OP_LIST_OPENS, &a, false, &body, &blen))
            return -1;
        if (fam_lib_list_begin(&it, FAM_LIB_ITEM_OPENED, body, blen, &list))
        {
            fame_say(x->n, "FAIL LIST_OPENS's reply is not a list");
            return -1;
        }
        while ((rc = fam_lib_list_next_opened(&it, &o)) == 1)
            if (o.handle == handle)
                return 1;
        if (list.done)
            return 0;
        cursor = list.next;
    }
}

/* --- SIGBUS probing ------------------------------------------------------ */

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
    (void)sig;
    siglongjmp(bus_jmp, 1);
}

/* True if a load of *p raises SIGBUS. */
static bool raises_sigbus(const volatile uint64_t *p)
{
    struct sigaction sa = { .sa_handler = on_bus }, old;
    bool bus = false;

    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(bus_jmp, 1) == 0)
        (void)*p;
    else
        bus = true;
    sigaction(SIGBUS, &old, NULL);
    return bus;
}

/* --- node 0 -------------------------------------------------------------- */

static bool check_file(struct sh *x, int fd, uint64_t size)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return FAIL(x, "fstat of the shelf file: %s", strerror(errno));
    if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != 0600 ||
        (uint64_t)st.st_size != size || st.st_uid != geteuid())
        return FAIL(x, "the shelf file has mode 0%o size %lld uid %u, not a "
                    "regular 0600 file of %" PRIu64 " bytes", st.st_mode,
                    (long long)st.st_size, st.st_uid, size);
    return true;
}

static bool round_trip(struct sh *x, int fd)
{
    char buf[64], back[64];
    /* At the start, in the middle, across nothing (one book yet) */
    off_t offs[] = { 0, 4093, (off_t)x->bs - (off_t)sizeof(buf) };

    for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        snprintf(buf, sizeof(buf), "run %" PRIu64 " offset %lld ......",
                 x->run, (long long)offs[i]);
        memset(back, 0, sizeof(back));
        if (pwrite(fd, buf, sizeof(buf), offs[i]) != (ssize_t)sizeof(buf) ||
            pread(fd, back, sizeof(back), offs[i]) != (ssize_t)sizeof(back))
            return FAIL(x, "pwrite/pread at %lld: %s", (long long)offs[i],
                        strerror(errno));
        if (memcmp(buf, back, sizeof(buf)))
            return FAIL(x, "pread at %lld did not give what pwrite wrote",
                        (long long)offs[i]);
    }
    /* Reads stop at the end */
    if (pread(fd, back, sizeof(back), (off_t)x->bs - 10) != 10 ||
        pread(fd, back, sizeof(back), (off_t)x->bs) != 0)
        return FAIL(x, "reads at the end of the file do not stop there");
    fame_say(x->n, "node 0: pwrite/pread round trip");
    return true;
}

/* A write past the end grows the shelf to exactly its end. */
static bool grow(struct sh *x, int fd, uint64_t *size)
{
    const char tail[] = "the tail of the shelf";
    off_t off = (off_t)(x->bs + x->bs / 2);
    uint64_t want = (uint64_t)off + sizeof(tail);
    struct fam_lib_attr at;
    char back[sizeof(tail)];
    struct stat st;

    if (pwrite(fd, tail, sizeof(tail), off) != (ssize_t)sizeof(tail))
        return FAIL(x, "pwrite past the end: %s", strerror(errno));
    if (!getattr(x, &at))
        return false;
    if (at.size != want || at.books != 2)
        return FAIL(x, "after a write past the end GETATTR says %" PRIu64
                    " bytes in %" PRIu64 " books, not %" PRIu64 " in 2",
                    (uint64_t)at.size, (uint64_t)at.books, want);
    if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != want)
        return FAIL(x, "the file's size did not follow the growth");
    if (pread(fd, back, sizeof(back), off) != (ssize_t)sizeof(back) ||
        memcmp(back, tail, sizeof(tail)))
        return FAIL(x, "the grown part does not read back");
    /* IOCB_APPEND: O_APPEND through /proc/self/fd reopens the inode */
    char p[64];
    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    int afd = open(p, O_WRONLY | O_APPEND);
    if (afd < 0 || write(afd, "!", 1) != 1)
        return FAIL(x, "append through a reopened shelf file: %s",
                    strerror(errno));
    close(afd);
    want += 1;
    if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != want ||
        pread(fd, back, 1, (off_t)want - 1) != 1 || back[0] != '!')
        return FAIL(x, "O_APPEND did not write at the end");
    *size = want;
    fame_say(x->n, "node 0: a write past the end grew the shelf to %" PRIu64
             " bytes in 2 books; O_APPEND wrote at the end", want);
    return true;
}

/*
 * A store to private mapping p of fd lands in the process's copy: the
 * mapping shows it, the file keeps its byte.
 */
static bool private_copy(struct sh *x, int fd, volatile unsigned char *p)
{
    unsigned char before, after;

    if (pread(fd, &before, 1, 8) != 1)
        return FAIL(x, "pread of a shelf file: %s", strerror(errno));
    p[8] = (unsigned char)(before + 1);
    if (pread(fd, &after, 1, 8) != 1 || after != before ||
        p[8] != (unsigned char)(before + 1))
        return FAIL(x, "a store to a private mapping reached the file or "
                    "was lost (file %u, mapping %u, was %u)", after, p[8],
                    before);
    return true;
}

static bool refusals(struct sh *x, uint64_t other)
{
    uint64_t hr, hc;
    int fd;

    if (!expect_err(x, "SHELF_FILE of node 1's handle",
                    shelf_file(x, other, O_RDWR, NULL), EBADF) ||
        !expect_err(x, "SHELF_FILE of handle 0",
                    shelf_file(x, 0, O_RDONLY, NULL), EBADF) ||
        !expect_err(x, "SHELF_FILE of a made-up handle",
                    shelf_file(x, 0x7ffffff123456789ull, O_RDONLY, NULL),
                    EBADF))
        return false;
    if (!guest_mbox_open(&x->m, x->path, FAM_LIB_OPEN_READ, &hc) ||
        !close_handle(x, hc) ||
        !expect_err(x, "SHELF_FILE of a closed handle",
                    shelf_file(x, hc, O_RDONLY, NULL), EBADF))
        return false;
    if (!guest_mbox_open(&x->m, x->path, FAM_LIB_OPEN_READ, &hr) ||
        !expect_err(x, "SHELF_FILE O_RDWR of a read-only handle",
                    shelf_file(x, hr, O_RDWR, NULL), EACCES) ||
        !expect_err(x, "SHELF_FILE with O_WRONLY",
                    shelf_file(x, hr, O_WRONLY, NULL), EINVAL) ||
        !expect_err(x, "SHELF_FILE with O_APPEND",
                    shelf_file(x, hr, O_RDONLY | O_APPEND, NULL), EINVAL) ||
        !expect_err(x, "SHELF_FILE with flags 0x80000000",
                    shelf_file(x, hr, 0x80000000u, NULL), EINVAL))
        return false;
    /* A read-only shelf file refuses writes and writable shared maps */
    fd = shelf_file(x, hr, O_RDONLY | O_CLOEXEC, NULL);
    if (fd < 0)
        return FAIL(x, "SHELF_FILE O_RDONLY: %s", strerror(-fd));
    if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
        return FAIL(x, "O_CLOEXEC was not set on the shelf file");
    errno = 0;
    if (write(fd, "x", 1) != -1 || errno != EBADF)
        return FAIL(x, "write(2) on a read-only shelf file: %s",
                    strerror(errno));
    void *p = mmap(NULL, x->bs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p != MAP_FAILED || errno != EACCES)
        return FAIL(x, "shared writable mmap of a read-only shelf file: %s",
                    p == MAP_FAILED ? strerror(errno) : "mapped");
    /* Private mappings copy on write, even of a read-only file */
    p = mmap(NULL, x->bs, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return FAIL(x, "private writable mmap of a shelf file: %s",
                    strerror(errno));
    if (!private_copy(x, fd, p))
        return false;
    munmap(p, x->bs);
    p = mmap(NULL, x->bs, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED)
        return FAIL(x, "private read-only mmap: %s", strerror(errno));
    if (mprotect(p, x->bs, PROT_READ | PROT_WRITE) != 0)
        return FAIL(x, "a private mapping could not become writable: %s",
                    strerror(errno));
    if (!private_copy(x, fd, p))
        return false;
    munmap(p, x->bs);
    close(fd);
    fame_say(x->n, "node 0: refused: another node's, a closed and a made-up "
             "handle (EBADF), O_RDWR on a read-only handle (EACCES), bad "
             "flags (EINVAL); read-only file: write EBADF, shared writable "
             "mmap EACCES; private mappings copy on write");
    return true;
}

/* Growth the pool cannot hold fails with ENOSPC and changes nothing. */
static bool no_space(struct sh *x, int fd, uint64_t size)
{
    uint64_t pool = x->d.info.pool_size;
    struct stat st;

    errno = 0;
    if (pwrite(fd, "x", 1, (off_t)pool) != -1 || errno != ENOSPC)
        return FAIL(x, "pwrite at the pool's size: %s, not ENOSPC",
                    strerror(errno));
    if (fallocate(fd, 0, 0, (off_t)pool * 2) != -1 || errno != ENOSPC)
        return FAIL(x, "fallocate of twice the pool: %s, not ENOSPC",
                    strerror(errno));
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1) != -1 ||
        errno != EOPNOTSUPP)
        return FAIL(x, "fallocate KEEP_SIZE: %s, not EOPNOTSUPP",
                    strerror(errno));
    if (ftruncate(fd, 0) != -1 || errno != EOPNOTSUPP)
        return FAIL(x, "ftruncate: %s, not EOPNOTSUPP", strerror(errno));
    if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != size)
        return FAIL(x, "a refused growth changed the size");
    fame_say(x->n, "node 0: growth past the pool: ENOSPC");
    return true;
}

/* Resize through the Librarian, then FAM_IOC_SHELF_REFRESH. */
static bool refresh(struct sh *x, int fd, volatile uint64_t *w,
                    uint64_t mapped)
{
    struct fam_ioc_shelf_refresh r;
    struct fam_lib_args a = { .size = 3 * x->bs };

    if (!call(x, FAM_LIB_OP_RESIZE, &a, true, NULL, NULL))
        return false;
    if (ioctl(fd, FAM_IOC_SHELF_REFRESH, &r) < 0 || r.size != 3 * x->bs ||
        r.books != 3)
        return FAIL(x, "REFRESH after a resize to 3 books: %s, size %" PRIu64,
                    strerror(errno), (uint64_t)r.size);
    if (raises_sigbus(&w[(2 * x->bs) / 8]))
        return FAIL(x, "the third book raised SIGBUS after the refresh");
    /*
     * Shrink to two books: the mapping loses the third. (Not fewer: the
     * host looks for the first two books' bytes in the pool file, and a
     * freed book is zeroed.)
     */
    a.size = 2 * x->bs;
    if (!call(x, FAM_LIB_OP_RESIZE, &a, true, NULL, NULL))
        return false;
    if (ioctl(fd, FAM_IOC_SHELF_REFRESH, &r) < 0 || r.size != 2 * x->bs)
        return FAIL(x, "REFRESH after a shrink: %s", strerror(errno));
    if (!raises_sigbus(&w[(2 * x->bs) / 8]) ||
        !raises_sigbus(&w[(mapped - 8) / 8]))
        return FAIL(x, "pages past the end after a shrink did not raise "
                    "SIGBUS");
    if (raises_sigbus(&w[0]) || raises_sigbus(&w[x->bs / 8]))
        return FAIL(x, "the kept books raised SIGBUS");
    fame_say(x->n, "node 0: REFRESH followed a grow and a shrink made "
             "through the Librarian");
    return true;
}

/* The fam module's reference count, or -1. */
static long module_refs(void)
{
    FILE *f = fopen("/sys/module/fam/refcnt", "r");
    long n = -1;

    if (f) {
        if (fscanf(f, "%ld", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

static bool node0(struct sh *x)
{
    struct fam_lib_args a = { .mode = 0666 };
    uint64_t h, size, books[4];
    unsigned count;
    char rest[64];
    long refs = module_refs();
    int fd;

    int rc = guest_mbox_call(&x->m, FAM_LIB_OP_UNLINK, NULL, x->path, NULL,
                             NULL, 0, NULL, NULL);
    if (rc != -ENOENT && !guest_mbox_ok(&x->m, "UNLINK an old shelf", rc))
        return false;
    if (!call(x, FAM_LIB_OP_CREATE, &a, true, NULL, NULL))
        return false;
    a = (struct fam_lib_args){ .size = x->bs };
    if (!call(x, FAM_LIB_OP_RESIZE, &a, true, NULL, NULL) ||
        !guest_mbox_open(&x->m, x->path,
                         FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, &h))
        return false;
    fd = shelf_file(x, h, O_RDWR, &size);
    if (fd < 0)
        return FAIL(x, "SHELF_FILE O_RDWR: %s", strerror(-fd));
    if (size != x->bs)
        return FAIL(x, "SHELF_FILE says %" PRIu64 " bytes, not one book",
                    size);
    if (!check_file(x, fd, size) || !round_trip(x, fd) ||
        !grow(x, fd, &size))
        return false;

    /* Map two books' worth (plus a page past them for SIGBUS) */
    uint64_t mapped = 3 * x->bs;
    volatile uint64_t *w = mmap(NULL, mapped, PROT_READ | PROT_WRITE,
                                MAP_SHARED, fd, 0);
    if (w == MAP_FAILED)
        return FAIL(x, "mmap of the shelf file: %s", strerror(errno));
    uint64_t words = size / 8;
    for (uint64_t i = 0; i < words; i++)
        w[i] = guest_pattern(x->run, STREAM, i);
    uint64_t end_page = (size + 4095) / 4096 * 4096;
    if (raises_sigbus(&w[(end_page - 8) / 8]))
        return FAIL(x, "the last page of the file raised SIGBUS");
    if (!raises_sigbus(&w[end_page / 8]))
        return FAIL(x, "the page past the end did not raise SIGBUS");
    fame_say(x->n, "node 0: stored %" PRIu64 " words through the mapping; "
             "SIGBUS past the end", words);
    if (!guest_mbox_shelf_books(&x->m, h, books, 4, &count) || count != 2)
        return FAIL(x, "SHELF_BOOKS lists %u books, not 2", count);
    for (unsigned k = 0; k < count; k++)
        fame_say(x->n, "pool word offset=%" PRIu64 " value=%" PRIu64,
                 books[k] * x->bs + 8 * 2,
                 guest_pattern(x->run, STREAM, k * x->bs / 8 + 2));

    if (!guest_mbox_oob_send(&x->m, TAG, x->run, "stored") ||
        !guest_mbox_oob_wait(&x->m, TAG, x->run, 1, "checked", rest,
                             sizeof(rest)))
        return false;
    uint64_t other = strtoull(rest, NULL, 10);
    if (w[BACK_WORD] != ~guest_pattern(x->run, STREAM, BACK_WORD))
        return FAIL(x, "node 1's store is not in node 0's mapping");
    fame_say(x->n, "node 0: saw node 1's store in its mapping");
    if (!refusals(x, other) || !no_space(x, fd, size))
        return false;
    if (!guest_mbox_oob_send(&x->m, TAG, x->run, "done") ||
        !guest_mbox_oob_wait(&x->m, TAG, x->run, 1, "closed", rest,
                             sizeof(rest)))
        return false;
    if (!refresh(x, fd, w, mapped))
        return false;

    /* The mapping alone keeps the handle; then it is closed */
    close(fd);
    if (listed(x, h) != 1)
        return FAIL(x, "the handle went with the fd, the mapping remains");
    munmap((void *)w, mapped);
    if (listed(x, h) != 0)
        return FAIL(x, "LIST_OPENS still lists the handle after the last "
                    "fd and mapping went");
    if (!expect_err(x, "CLOSE of the handle the file owned",
                    guest_mbox_call(&x->m, FAM_LIB_OP_CLOSE,
                                    &(struct fam_lib_args){ .handle = h },
                                    NULL, NULL, NULL, 0, NULL, NULL),
                    EBADF))
        return false;
    /* Every shelf file gave back the module reference it held */
    if (refs < 0 || module_refs() != refs)
        return FAIL(x, "the fam module's refcnt went from %ld to %ld "
                    "across the shelf files", refs, module_refs());
    fame_say(x->n, "node 0: the handle was closed when the last fd and "
             "mapping went");
    /* The shelf stays: unlinking would zero the books the host checks */
    return true;
}

/* --- node 1 -------------------------------------------------------------- */

static bool node1(struct sh *x)
{
    char rest[64], word[64];
    uint64_t h, size;
    int fd;

    if (!guest_mbox_oob_wait(&x->m, TAG, x->run, 0, "stored", rest,
                             sizeof(rest)) ||
        !guest_mbox_open(&x->m, x->path,
                         FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, &h))
        return false;
    fd = shelf_file(x, h, O_RDWR, &size);
    if (fd < 0)
        return FAIL(x, "SHELF_FILE O_RDWR: %s", strerror(-fd));
    volatile uint64_t *w = mmap(NULL, size, PROT_READ | PROT_WRITE,
                                MAP_SHARED, fd, 0);
    if (w == MAP_FAILED)
        return FAIL(x, "mmap of the shelf file: %s", strerror(errno));
    uint64_t words = size / 8;
    for (uint64_t i = 0; i < words; i++)
        if (w[i] != guest_pattern(x->run, STREAM, i))
            return FAIL(x, "word %" PRIu64 " of the shelf is 0x%" PRIx64
                        ", not node 0's 0x%" PRIx64, i, w[i],
                        guest_pattern(x->run, STREAM, i));
    w[BACK_WORD] = ~guest_pattern(x->run, STREAM, BACK_WORD);
    fame_say(x->n, "node 1: saw all %" PRIu64 " of node 0's words in its own "
             "shelf file's mapping", words);
    snprintf(word, sizeof(word), "checked%" PRIu64, h);
    /* "checked<handle>": node 0 reads the handle after the word */
    if (!guest_mbox_oob_send(&x->m, TAG, x->run, word) ||
        !guest_mbox_oob_wait(&x->m, TAG, x->run, 0, "done", rest,
                             sizeof(rest)))
        return false;
    munmap((void *)w, size);
    close(fd);
    /* The handle went with the file: closing it again is EBADF */
    if (!expect_err(x, "CLOSE of the handle its file owned",
                    guest_mbox_call(&x->m, FAM_LIB_OP_CLOSE,
                                    &(struct fam_lib_args){ .handle = h },
                                    NULL, NULL, NULL, 0, NULL, NULL),
                    EBADF))
        return false;
    return guest_mbox_oob_send(&x->m, TAG, x->run, "closed");
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct sh x;

    fame_node_init(&n, TAG, argc, argv);
    memset(&x, 0, sizeof(x));
    x.n = &n;
    x.run = guest_run_id();
    snprintf(x.path, sizeof(x.path), "/fam-shelf-%" PRIu64, x.run);
    if (!guest_dev_open_driver(&x.d, &n))
        return 1;
    guest_mbox_init(&x.m, &x.d, &n);
    x.bs = x.d.info.book_size;
    if (n.count < 2 || !(x.d.info.features & FAM_FEATURE_MAILBOX)) {
        fame_say(&n, "FAIL needs 2 nodes and the Librarian");
        return 1;
    }
    if (n.id == 0 && !node0(&x))
        return 1;
    if (n.id == 1 && !node1(&x))
        return 1;
    fame_say(&n, "node %u: PASS", n.id);
    return 0;
}
