/*
 * lfs-posix: what only the LFS has (user.LFS.* attributes, space counted
 * in books) and a full pool: fill it through /lfs until ENOSPC, delete,
 * write again.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define FAIL(n, ...) (fame_say(n, "FAIL " __VA_ARGS__), false)
#define CHUNK (1u << 20)

static long free_books(void)
{
    struct statvfs sv;

    return statvfs("/lfs", &sv) == 0 ? (long)sv.f_bfree : -1;
}

static unsigned long book_size(void)
{
    struct statvfs sv;

    return statvfs("/lfs", &sv) == 0 ? sv.f_bsize : 0;
}

bool posix_lfs_only(const struct fame_node *n)
{
    const char *f = "/lfs/posix-only";
    char val[512], list[4096], stats[256];
    long before = free_books();
    struct stat st;
    ssize_t len;
    int fd;

    fd = open(f, O_CREAT | O_EXCL | O_RDWR, 0644);
    if (fd < 0 || write(fd, "x", 1) != 1 || fstat(fd, &st) < 0) {
        return FAIL(n, "lfs: a one-byte file: %s", strerror(errno));
    }
    close(fd);
    if ((unsigned long)st.st_blocks * 512 != book_size() ||
        free_books() != before - 1) {
        return FAIL(n, "lfs: a one-byte file holds %lld blocks of 512 and "
                    "took %ld books, not one book of %lu", (long long)
                    st.st_blocks, before - free_books(), book_size());
    }
    len = getxattr(f, "user.LFS.AllocationPolicy", val, sizeof(val) - 1);
    if (len <= 0) {
        return FAIL(n, "lfs: user.LFS.AllocationPolicy: %s",
                    strerror(errno));
    }
    val[len] = '\0';
    if (listxattr(f, list, sizeof(list)) <= 0 ||
        !memmem(list, sizeof(list), "user.LFS.AllocationPolicy", 26)) {
        return FAIL(n, "lfs: listxattr does not list the policy");
    }
    if (setxattr(f, "user.LFS.AllocationPolicy", val, (size_t)len, 0) < 0) {
        return FAIL(n, "lfs: setting the policy it has (%s): %s", val,
                    strerror(errno));
    }
    if (setxattr(f, "user.LFS.AllocationPolicy", "NoSuchPolicy", 12, 0) == 0
        || errno != EINVAL) {
        return FAIL(n, "lfs: an unknown policy was not refused with EINVAL "
                    "(%s)", strerror(errno));
    }
    if (removexattr(f, "user.LFS.AllocationPolicy") == 0 ||
        getxattr(f, "user.LFS.AllocationPolicy", NULL, 0) <= 0) {
        return FAIL(n, "lfs: user.LFS.AllocationPolicy could be removed");
    }
    if (setxattr(f, "user.LFS.Interleave", "0", 1, 0) == 0) {
        return FAIL(n, "lfs: user.LFS.Interleave could be set");
    }
    len = getxattr("/lfs", "user.LFS.stats", stats, sizeof(stats) - 1);
    if (len <= 0) {
        return FAIL(n, "lfs: user.LFS.stats: %s", strerror(errno));
    }
    stats[len] = '\0';
    stats[strcspn(stats, "\n")] = '\0';
    /* Every read and write of the cases went by passthrough */
    if (!strstr(stats, " reads=0 writes=0 ")) {
        return FAIL(n, "lfs: the daemon served reads or writes: %s", stats);
    }
    if (setxattr("/lfs", "user.LFS.stats", "0", 1, 0) == 0) {
        return FAIL(n, "lfs: user.LFS.stats could be set");
    }
    unlink(f);
    if (free_books() != before) {
        return FAIL(n, "lfs: the unlinked file's book did not come back");
    }
    fame_say(n, "lfs: one byte holds one book; policy %s, settable, "
             "unknown ones refused; daemon %s", val, stats);
    return true;
}

/* Write CHUNKs of a pattern to fd until an error; the bytes written. */
static unsigned long long fill(int fd, unsigned char *buf, int *err)
{
    unsigned long long done = 0;
    ssize_t w;

    for (;;) {
        for (unsigned i = 0; i < CHUNK; i += 4096) {
            buf[i] = (unsigned char)(done / CHUNK + i / 4096);
        }
        w = write(fd, buf, CHUNK);
        if (w < 0) {
            *err = errno;
            return done;
        }
        done += (unsigned long long)w;
        if ((size_t)w < CHUNK) {
            /* A short write at the end: the next one says why */
            continue;
        }
    }
}

bool posix_space(const struct fame_node *n)
{
    unsigned long bs = book_size();
    long before = free_books();
    unsigned char *buf = calloc(1, CHUNK);
    unsigned long long first, second;
    int fd, err = 0, fd2;
    double t0 = fame_now();
    bool ok = true;

    if (!buf || mkdir("/lfs/fill", 0755) < 0) {
        return FAIL(n, "space: setting up: %s", strerror(errno));
    }
    fd = open("/lfs/fill/big", O_CREAT | O_EXCL | O_RDWR, 0644);
    first = fd >= 0 ? fill(fd, buf, &err) : 0;
    if (fd < 0 || err != ENOSPC) {
        free(buf);
        return FAIL(n, "space: filling /lfs ended with %s after %llu bytes, "
                    "not ENOSPC", strerror(fd < 0 ? errno : err), first);
    }
    if (free_books() != 0 || first != (unsigned long long)before * bs) {
        ok = FAIL(n, "space: full after %llu bytes with %ld books free; "
                  "%ld books of %lu were free", first, free_books(), before,
                  bs);
    }
    /* Full: what needs a book fails, what does not works */
    fd2 = open("/lfs/fill/small", O_CREAT | O_EXCL | O_RDWR, 0644);
    if (ok && fd2 < 0) {
        ok = FAIL(n, "space: an empty file on a full pool: %s",
                  strerror(errno));
    }
    if (ok && (write(fd2, "x", 1) != -1 || errno != ENOSPC)) {
        ok = FAIL(n, "space: a write on a full pool: %s", strerror(errno));
    }
    if (ok && (ftruncate(fd2, 1) != -1 || errno != ENOSPC)) {
        ok = FAIL(n, "space: a truncate up on a full pool: %s",
                  strerror(errno));
    }
    if (ok && (fallocate(fd2, 0, 0, 1) != -1 || errno != ENOSPC)) {
        ok = FAIL(n, "space: fallocate on a full pool: %s", strerror(errno));
    }
    if (ok && (mkdir("/lfs/fill/dir", 0755) < 0 ||
               symlink("big", "/lfs/fill/link") < 0 ||
               setxattr("/lfs/fill/big", "user.full", "1", 1, 0) < 0)) {
        ok = FAIL(n, "space: mkdir, symlink or setxattr on a full pool: %s",
                  strerror(errno));
    }
    if (fd2 >= 0) {
        close(fd2);
    }
    close(fd);
    /* Delete: every book back, then the same again */
    if (ok && (unlink("/lfs/fill/big") < 0 || free_books() != before)) {
        ok = FAIL(n, "space: after the unlink %ld books are free, not %ld",
                  free_books(), before);
    }
    /*
     * Every book again, in a new file: none may show the old file's bytes
     * (a freed book is zeroed before the Librarian hands it out again)
     */
    fd = ok ? open("/lfs/fill/fresh", O_CREAT | O_EXCL | O_RDWR, 0644) : -1;
    if (ok && (fd < 0 || ftruncate(fd, (off_t)first) < 0)) {
        ok = FAIL(n, "space: a new file over the whole pool: %s",
                  strerror(errno));
    }
    for (unsigned long long off = 0; ok && off < first; off += 4096) {
        unsigned char b = 1;

        if (pread(fd, &b, 1, (off_t)off) != 1 || b != 0) {
            ok = FAIL(n, "space: byte %llu of a new file over freed books "
                      "is %#x, not 0", off, b);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    if (ok && unlink("/lfs/fill/fresh") < 0) {
        ok = FAIL(n, "space: unlink: %s", strerror(errno));
    }
    fd = ok ? open("/lfs/fill/again", O_CREAT | O_EXCL | O_RDWR, 0644) : -1;
    err = 0;
    second = fd >= 0 ? fill(fd, buf, &err) : 0;
    if (ok && (err != ENOSPC || second != first)) {
        ok = FAIL(n, "space: writing again stopped at %llu bytes (%s), not "
                  "%llu with ENOSPC", second, strerror(err), first);
    }
    /* The data written last are there: one byte of every 4 KiB */
    for (unsigned long long off = 0; ok && off < second; off += 4096) {
        unsigned char b;

        if (pread(fd, &b, 1, (off_t)off) != 1 ||
            b != (unsigned char)(off / CHUNK + off % CHUNK / 4096)) {
            ok = FAIL(n, "space: byte %llu of the refilled file is wrong",
                      off);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    free(buf);
    if (system("rm -rf /lfs/fill") != 0 || free_books() != before) {
        return ok ? FAIL(n, "space: rm -rf left %ld books free, not %ld",
                         free_books(), before) : false;
    }
    if (ok) {
        fame_say(n, "space: filled %llu bytes (%ld books) to ENOSPC, "
                 "deleted, a new file over every freed book read zeros, "
                 "filled again to ENOSPC, all freed; %.1f s", first,
                 before, fame_now() - t0);
    } else {
        system("df /lfs >/dev/console");
    }
    return ok;
}
