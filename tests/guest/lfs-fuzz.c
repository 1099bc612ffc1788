/*
 * lfs-fuzz: the LFS against the node's own tmpfs, by random file system
 * calls: each step makes one call with the same arguments in
 * /lfs/fuzz-<node>-<run> and in a tmpfs directory, and the two must agree
 * (the return value or errno, the bytes read, the attributes that LFS
 * keeps as tmpfs does). At the end the two trees must be equal.
 *
 * The calls: open with random flags and modes, close, read, write, pread,
 * pwrite, ftruncate, truncate, fallocate (mode 0), fsync, fdatasync, lseek,
 * mmap with stores and loads, unlink, mkdir, rmdir, rename (plain,
 * RENAME_NOREPLACE and RENAME_EXCHANGE), symlink, readlink, chmod,
 * utimensat, stat, lstat, fstat, readdir, setxattr, getxattr, removexattr,
 * listxattr; on a small set of names in two directory levels, so that
 * calls collide with each other (a rename over an open file, an rmdir of
 * a full directory, ...).
 * What LFS documents as different from tmpfs (docs/lfs.md) is not
 * compared: directory sizes and link counts, blocks, atime, hard links,
 * holes, and its own user.LFS.* attributes.
 *
 * The seed is fam.fuzz_seed= (else the run id), mixed with the node; a
 * failure prints the seed and the last steps, so that a run can be
 * replayed with fam.fuzz_seed= and fam.fuzz_steps=.
 */
#define _GNU_SOURCE

#include "fame-guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TAG             "lfs-fuzz"
#define REF_MOUNT       "/tmp/lfs-fuzz-ref"
#define SLOTS           4
#define MAX_IO          (72 * 1024)
#define MAX_SIZE        (400 * 1024)
#define HISTORY         40
#define XATTR_MAX       300

static const char *const names[] = {
    "a", "b", "c", "d", "d/e", "d/f", "d/h", "d/h/x", "g",
};
#define NAMES (sizeof(names) / sizeof(names[0]))

/* One call's outcome on one side */
struct res {
    long ret;
    int err;
};

struct side {
    char root[96];
    int fd[SLOTS];
};

struct fuzz {
    struct fame_node *n;
    uint64_t rng;
    unsigned long step;
    struct side s[2];           /* 0: LFS, 1: tmpfs */
    char history[HISTORY][160];
    unsigned char buf[2][MAX_IO];
    unsigned long compared;
};

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

static void note(struct fuzz *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(struct fuzz *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(f->history[f->step % HISTORY], sizeof(f->history[0]), fmt, ap);
    va_end(ap);
}

static bool mismatch(struct fuzz *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool mismatch(struct fuzz *f, const char *fmt, ...)
{
    char what[300];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    for (unsigned long i = f->step >= HISTORY ? f->step - HISTORY + 1 : 1;
         i <= f->step; i++)
        fame_say(f->n, "node %u: step %lu: %s", f->n->id, i,
                 f->history[i % HISTORY]);
    fame_say(f->n, "FAIL node %u step %lu: LFS and tmpfs differ: %s",
             f->n->id, f->step, what);
    return false;
}

static void path_of(const struct fuzz *f, int side, const char *name,
                    char *buf, size_t cap)
{
    int n = snprintf(buf, cap, "%s/%s", f->s[side].root, name);

    if (n < 0 || (size_t)n >= cap)
        abort();        /* the names are short: cannot happen */
}

static struct res result(long ret)
{
    return (struct res){ ret, ret < 0 ? errno : 0 };
}

static const char *show(struct res r, char *buf, size_t cap)
{
    if (r.ret < 0)
        snprintf(buf, cap, "-1 %s", strerrorname_np(r.err) ?
                 strerrorname_np(r.err) : "?");
    else
        snprintf(buf, cap, "%ld", r.ret);
    return buf;
}

/*
 * The two outcomes agree: both failed with one errno, or both succeeded
 * (and, if `exact`, returned the same value).
 */
static bool same(struct fuzz *f, const char *call, struct res l,
                 struct res t, bool exact)
{
    char a[48], b[48];

    f->compared++;
    if ((l.ret < 0) != (t.ret < 0) || (l.ret < 0 && l.err != t.err) ||
        (exact && l.ret != t.ret))
        return mismatch(f, "%s: LFS %s, tmpfs %s", call,
                        show(l, a, sizeof(a)), show(t, b, sizeof(b)));
    return true;
}

/* --- the calls ---------------------------------------------------------- */

static bool op_open(struct fuzz *f)
{
    static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
    static const int extra[] = {
        O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW,
    };
    static const mode_t modes[] = { 0600, 0644, 0755, 0400, 0, 04755 };
    const char *name = names[below(f, NAMES)];
    int flags = acc[below(f, 4)] | O_CLOEXEC;
    mode_t mode = modes[below(f, 6)];
    unsigned slot = below(f, SLOTS);
    struct res r[2];
    char p[160];

    for (unsigned i = 0; i < 6; i++)
        if (chance(f, i == 0 ? 60 : 20))
            flags |= extra[i];
    note(f, "open(%s, %#o, %04o) -> slot %u", name, flags, mode, slot);
    for (int s = 0; s < 2; s++) {
        if (f->s[s].fd[slot] >= 0)
            close(f->s[s].fd[slot]);
        path_of(f, s, name, p, sizeof(p));
        r[s] = result(open(p, flags, mode));
        f->s[s].fd[slot] = (int)r[s].ret;
    }
    return same(f, "open", r[0], r[1], false);
}

static bool op_close(struct fuzz *f)
{
    unsigned slot = below(f, SLOTS);
    struct res r[2];

    note(f, "close(slot %u)", slot);
    for (int s = 0; s < 2; s++) {
        r[s] = result(f->s[s].fd[slot] < 0 ? 0 : close(f->s[s].fd[slot]));
        f->s[s].fd[slot] = -1;
    }
    return same(f, "close", r[0], r[1], true);
}

static bool op_write(struct fuzz *f, unsigned slot)
{
    size_t len = below(f, MAX_IO) + 1;
    off_t off = below(f, MAX_SIZE);
    bool positional = chance(f, 60);
    struct res r[2];

    for (size_t i = 0; i < len; i++)
        f->buf[0][i] = (unsigned char)rnd(f);
    note(f, "%s(slot %u, %zu bytes at %lld)", positional ? "pwrite" : "write",
         slot, len, positional ? (long long)off : -1LL);
    for (int s = 0; s < 2; s++) {
        int fd = f->s[s].fd[slot];

        r[s] = result(positional ? pwrite(fd, f->buf[0], len, off) :
                      write(fd, f->buf[0], len));
    }
    return same(f, "write", r[0], r[1], true);
}

static bool op_read(struct fuzz *f, unsigned slot)
{
    size_t len = below(f, MAX_IO) + 1;
    off_t off = below(f, MAX_SIZE);
    bool positional = chance(f, 60);
    struct res r[2];

    note(f, "%s(slot %u, %zu bytes at %lld)", positional ? "pread" : "read",
         slot, len, positional ? (long long)off : -1LL);
    for (int s = 0; s < 2; s++) {
        int fd = f->s[s].fd[slot];

        r[s] = result(positional ? pread(fd, f->buf[s], len, off) :
                      read(fd, f->buf[s], len));
    }
    if (!same(f, "read", r[0], r[1], true))
        return false;
    if (r[0].ret > 0 && memcmp(f->buf[0], f->buf[1], (size_t)r[0].ret)) {
        for (long i = 0; i < r[0].ret; i++)
            if (f->buf[0][i] != f->buf[1][i])
                return mismatch(f, "read: byte %ld of %ld is %#x in LFS, "
                                "%#x in tmpfs", i, r[0].ret, f->buf[0][i],
                                f->buf[1][i]);
    }
    return true;
}

static bool op_fd_misc(struct fuzz *f, unsigned slot)
{
    off_t size = chance(f, 30) ? 0 : below(f, MAX_SIZE);
    off_t off = below(f, MAX_SIZE), len = below(f, MAX_IO) + 1;
    struct res r[2];
    const char *call;
    unsigned what = below(f, 5);

    for (int s = 0; s < 2; s++) {
        int fd = f->s[s].fd[slot];

        switch (what) {
        case 0:
            call = "ftruncate";
            note(f, "ftruncate(slot %u, %lld)", slot, (long long)size);
            r[s] = result(ftruncate(fd, size));
            break;
        case 1:
            call = "fallocate";
            note(f, "fallocate(slot %u, 0, %lld, %lld)", slot,
                 (long long)off, (long long)len);
            r[s] = result(fallocate(fd, 0, off, len));
            break;
        case 2:
            call = "fsync";
            note(f, "fsync(slot %u)", slot);
            r[s] = result(fsync(fd));
            break;
        case 3:
            call = "fdatasync";
            note(f, "fdatasync(slot %u)", slot);
            r[s] = result(fdatasync(fd));
            break;
        default: {
            struct stat st;
            /* directories: only SEEK_SET is the same (tmpfs refuses
             * SEEK_END, FUSE allows it) */
            int whence = fstat(f->s[1].fd[slot], &st) == 0 &&
                         S_ISDIR(st.st_mode) ? SEEK_SET : SEEK_END;

            call = "lseek";
            note(f, "lseek(slot %u, 0, %s)", slot,
                 whence == SEEK_END ? "SEEK_END" : "SEEK_SET");
            r[s] = result(lseek(fd, 0, whence));
        }
        }
    }
    return same(f, call, r[0], r[1], true);
}

static bool same_stat(struct fuzz *f, const char *call, const struct stat *l,
                      const struct stat *t, bool times);

/* Stores through a shared mapping on both sides, then loads compared. */
static bool op_mmap(struct fuzz *f, unsigned slot)
{
    struct stat st[2];
    unsigned char *p[2];
    int prot = chance(f, 70) ? PROT_READ | PROT_WRITE : PROT_READ;
    unsigned stores = below(f, 64);
    uint64_t seed = rnd(f);
    struct res r[2];
    size_t len;

    note(f, "fstat+mmap(slot %u, %s)", slot, prot & PROT_WRITE ? "rw" : "r");
    for (int s = 0; s < 2; s++)
        if (fstat(f->s[s].fd[slot], &st[s]))
            return true;        /* a closed slot: nothing to map */
    if (!same_stat(f, "fstat", &st[0], &st[1], false))
        return false;
    if (st[0].st_size == 0 || !S_ISREG(st[0].st_mode))
        return true;        /* directories: sizes differ (docs/lfs.md) */
    len = (size_t)st[0].st_size;
    note(f, "mmap(slot %u, %zu bytes, %s), %u stores", slot, len,
         prot & PROT_WRITE ? "rw" : "r", stores);
    for (int s = 0; s < 2; s++) {
        p[s] = mmap(NULL, len, prot, MAP_SHARED, f->s[s].fd[slot], 0);
        r[s] = result(p[s] == MAP_FAILED ? -1 : 0);
    }
    if (!same(f, "mmap", r[0], r[1], true))
        return false;
    if (r[0].ret < 0)
        return true;
    for (int s = 0; s < 2 && (prot & PROT_WRITE); s++) {
        uint64_t z = seed;

        for (unsigned i = 0; i < stores; i++) {
            z = z * 6364136223846793005ull + 1442695040888963407ull;
            p[s][(z >> 16) % len] = (unsigned char)(z >> 56);
        }
    }
    for (size_t i = 0; i < len; i++)
        if (p[0][i] != p[1][i]) {
            char what[120];

            snprintf(what, sizeof(what), "mapping: byte %zu of %zu is %#x in "
                     "LFS, %#x in tmpfs", i, len, p[0][i], p[1][i]);
            munmap(p[0], len);
            munmap(p[1], len);
            return mismatch(f, "%s", what);
        }
    munmap(p[0], len);
    munmap(p[1], len);
    if (stores && (prot & PROT_WRITE)) {
        /* stores through a mapping move tmpfs's mtime, not LFS's
         * (docs/lfs.md): both times are now from here on */
        for (int s = 0; s < 2; s++)
            r[s] = result(futimens(f->s[s].fd[slot], NULL));
        return same(f, "futimens", r[0], r[1], true);
    }
    return true;
}

static bool op_fd(struct fuzz *f)
{
    unsigned slot = below(f, SLOTS);

    switch (below(f, 8)) {
    case 0:
    case 1:
    case 2:
        return op_write(f, slot);
    case 3:
    case 4:
        return op_read(f, slot);
    case 5:
        return op_mmap(f, slot);
    default:
        return op_fd_misc(f, slot);
    }
}

/* Calls on one or two names that return 0 or -1. */
static bool op_path(struct fuzz *f)
{
    static const mode_t modes[] = { 0755, 0700, 0644, 01777, 02755, 0 };
    const char *a = names[below(f, NAMES)], *b = names[below(f, NAMES)];
    unsigned what = below(f, 11);
    mode_t mode = modes[below(f, 6)];
    off_t size = chance(f, 30) ? 0 : below(f, MAX_SIZE);
    struct timespec ts[2] = {
        { .tv_sec = 1000000000 + below(f, 1000), .tv_nsec = 0 },
        { .tv_sec = 1500000000 + below(f, 1000),
          .tv_nsec = (long)below(f, 1000) * 1000 },
    };
    static const char *const calls[] = {
        "unlink", "mkdir", "rmdir", "rename", "rename(NOREPLACE)", "symlink",
        "chmod", "truncate", "utimensat", "rename(EXCHANGE)", "link",
    };
    struct res r[2];
    char pa[160], pb[160];

    note(f, "%s(%s, %s, mode %04o, size %lld)", calls[what], a, b, mode,
         (long long)size);
    for (int s = 0; s < 2; s++) {
        path_of(f, s, a, pa, sizeof(pa));
        path_of(f, s, b, pb, sizeof(pb));
        switch (what) {
        case 0:
            r[s] = result(unlink(pa));
            break;
        case 1:
            r[s] = result(mkdir(pa, mode));
            break;
        case 2:
            r[s] = result(rmdir(pa));
            break;
        case 3:
            r[s] = result(rename(pa, pb));
            break;
        case 4:
            r[s] = result(renameat2(AT_FDCWD, pa, AT_FDCWD, pb,
                                    RENAME_NOREPLACE));
            break;
        case 5:
            /* the target is a name of the tree, relative: the same on
             * both sides */
            r[s] = result(symlink(strrchr(b, '/') ? strrchr(b, '/') + 1 : b,
                                  pa));
            break;
        case 6:
            r[s] = result(chmod(pa, mode));
            break;
        case 7:
            r[s] = result(truncate(pa, size));
            break;
        case 8:
            r[s] = result(utimensat(AT_FDCWD, pa, ts, AT_SYMLINK_NOFOLLOW));
            break;
        case 9:
            r[s] = result(renameat2(AT_FDCWD, pa, AT_FDCWD, pb,
                                    RENAME_EXCHANGE));
            break;
        default:
            r[s] = result(link(pa, pb));
        }
    }
    return same(f, calls[what], r[0], r[1], true);
}

/* What LFS keeps as tmpfs does, from one stat. */
static bool same_stat(struct fuzz *f, const char *call, const struct stat *l,
                      const struct stat *t, bool times)
{
    if ((l->st_mode & S_IFMT) != (t->st_mode & S_IFMT))
        return mismatch(f, "%s: type %#o in LFS, %#o in tmpfs", call,
                        l->st_mode & S_IFMT, t->st_mode & S_IFMT);
    if ((l->st_mode & 07777) != (t->st_mode & 07777) &&
        !S_ISLNK(l->st_mode))
        return mismatch(f, "%s: mode %04o in LFS, %04o in tmpfs", call,
                        l->st_mode & 07777, t->st_mode & 07777);
    if (l->st_uid != t->st_uid || l->st_gid != t->st_gid)
        return mismatch(f, "%s: owner %u:%u in LFS, %u:%u in tmpfs", call,
                        l->st_uid, l->st_gid, t->st_uid, t->st_gid);
    if (S_ISDIR(l->st_mode))
        return true;
    if (l->st_size != t->st_size)
        return mismatch(f, "%s: size %lld in LFS, %lld in tmpfs", call,
                        (long long)l->st_size, (long long)t->st_size);
    if (l->st_nlink != t->st_nlink)
        return mismatch(f, "%s: %lu links in LFS, %lu in tmpfs", call,
                        (unsigned long)l->st_nlink,
                        (unsigned long)t->st_nlink);
    if (times && l->st_mtim.tv_sec >= 1000000000 &&
        l->st_mtim.tv_sec < 1600000000 &&
        (l->st_mtim.tv_sec != t->st_mtim.tv_sec ||
         l->st_mtim.tv_nsec != t->st_mtim.tv_nsec))
        return mismatch(f, "%s: mtime %lld.%09ld in LFS, %lld.%09ld in "
                        "tmpfs", call, (long long)l->st_mtim.tv_sec,
                        l->st_mtim.tv_nsec, (long long)t->st_mtim.tv_sec,
                        t->st_mtim.tv_nsec);
    return true;
}

static bool op_stat(struct fuzz *f)
{
    const char *name = names[below(f, NAMES)];
    unsigned what = below(f, 3), slot = below(f, SLOTS);
    static const char *const calls[] = { "stat", "lstat", "fstat" };
    struct stat st[2];
    struct res r[2];
    char p[160];

    if (what == 2)
        note(f, "fstat(slot %u)", slot);
    else
        note(f, "%s(%s)", calls[what], name);
    for (int s = 0; s < 2; s++) {
        path_of(f, s, name, p, sizeof(p));
        r[s] = result(what == 0 ? stat(p, &st[s]) :
                      what == 1 ? lstat(p, &st[s]) :
                      fstat(f->s[s].fd[slot], &st[s]));
    }
    if (!same(f, calls[what], r[0], r[1], true))
        return false;
    return r[0].ret < 0 || same_stat(f, calls[what], &st[0], &st[1], true);
}

static bool op_readlink(struct fuzz *f)
{
    const char *name = names[below(f, NAMES)];
    char p[160], t[2][160];
    struct res r[2];

    note(f, "readlink(%s)", name);
    for (int s = 0; s < 2; s++) {
        path_of(f, s, name, p, sizeof(p));
        r[s] = result(readlink(p, t[s], sizeof(t[s])));
    }
    if (!same(f, "readlink", r[0], r[1], true))
        return false;
    if (r[0].ret > 0 && memcmp(t[0], t[1], (size_t)r[0].ret))
        return mismatch(f, "readlink: %.*s in LFS, %.*s in tmpfs",
                        (int)r[0].ret, t[0], (int)r[1].ret, t[1]);
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of a directory, joined by '/', in buf. */
static struct res list_dir(const char *path, char *buf, size_t cap)
{
    char *ents[64];
    unsigned count = 0;
    struct dirent *e;
    DIR *d = opendir(path);
    size_t used = 0;

    buf[0] = '\0';
    if (!d)
        return result(-1);
    while ((e = readdir(d)) && count < 64)
        ents[count++] = strdup(e->d_name);
    closedir(d);
    qsort(ents, count, sizeof(ents[0]), cmp_str);
    for (unsigned i = 0; i < count; i++) {
        used += (size_t)snprintf(buf + used, used < cap ? cap - used : 0,
                                 "%s/", ents[i]);
        free(ents[i]);
    }
    return (struct res){ count, 0 };
}

static bool op_readdir(struct fuzz *f)
{
    const char *name = chance(f, 30) ? "." : names[below(f, NAMES)];
    char p[160], l[2][1024];
    struct res r[2];

    note(f, "readdir(%s)", name);
    for (int s = 0; s < 2; s++) {
        path_of(f, s, name, p, sizeof(p));
        r[s] = list_dir(p, l[s], sizeof(l[s]));
    }
    if (!same(f, "opendir", r[0], r[1], true))
        return false;
    if (strcmp(l[0], l[1]))
        return mismatch(f, "readdir: %s in LFS, %s in tmpfs", l[0], l[1]);
    return true;
}

/* The directories of the name set list the same names on both sides. */
static bool same_listings(struct fuzz *f)
{
    static const char *const dirs[] = { ".", "d", "d/h" };

    for (unsigned i = 0; i < 3; i++) {
        char p[160], l[2][1024];
        struct res r[2];

        for (int s = 0; s < 2; s++) {
            path_of(f, s, dirs[i], p, sizeof(p));
            r[s] = list_dir(p, l[s], sizeof(l[s]));
        }
        if ((r[0].ret < 0) != (r[1].ret < 0) || strcmp(l[0], l[1]))
            return mismatch(f, "afterwards %s lists %s in LFS, %s in tmpfs",
                            dirs[i], l[0], l[1]);
    }
    return true;
}

/* The user.* names but LFS's own, sorted and joined by '/'. */
static void own_names(const char *list, long len, char *buf, size_t cap)
{
    char *v[32];
    unsigned n = 0;
    size_t used = 0;

    for (long i = 0; i < len && n < 32; i += (long)strlen(list + i) + 1)
        if (strncmp(list + i, "user.LFS.", 9))
            v[n++] = (char *)list + i;
    qsort(v, n, sizeof(v[0]), cmp_str);
    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, used < cap ? cap - used : 0,
                                 "%s/", v[i]);
}

static bool op_xattr(struct fuzz *f)
{
    static const int set_flags[] = { 0, XATTR_CREATE, XATTR_REPLACE };
    const char *name = names[below(f, NAMES)];
    char key[16], p[160];
    unsigned what = below(f, 4);
    size_t vlen = below(f, XATTR_MAX);
    int flags = set_flags[below(f, 3)];
    struct res r[2];
    char lists[2][1024], own[2][1024];

    snprintf(key, sizeof(key), "user.k%u", below(f, 4));
    for (size_t i = 0; i < vlen; i++)
        f->buf[0][i] = (unsigned char)rnd(f);
    note(f, "%sxattr(%s, %s, %zu bytes, flags %d)",
         (const char *[]){ "set", "get", "remove", "list" }[what], name, key,
         vlen, flags);
    for (int s = 0; s < 2; s++) {
        path_of(f, s, name, p, sizeof(p));
        switch (what) {
        case 0:
            r[s] = result(setxattr(p, key, f->buf[0], vlen, flags));
            break;
        case 1:
            /* LFS's value lands in buf[0] after the one set, tmpfs's in
             * buf[1] */
            r[s] = result(getxattr(p, key, s ? f->buf[1] :
                                   f->buf[0] + MAX_IO / 2, XATTR_MAX));
            break;
        case 2:
            r[s] = result(removexattr(p, key));
            break;
        default:
            r[s] = result(listxattr(p, lists[s], sizeof(lists[s])));
            if (r[s].ret >= 0) {
                own_names(lists[s], r[s].ret, own[s], sizeof(own[s]));
                r[s].ret = 0;
            }
        }
    }
    if (!same(f, "xattr", r[0], r[1], what != 3))
        return false;
    if (what == 1 && r[0].ret > 0 &&
        memcmp(f->buf[0] + MAX_IO / 2, f->buf[1], (size_t)r[0].ret))
        return mismatch(f, "getxattr %s: the values differ", key);
    if (what == 3 && r[0].ret == 0 && strcmp(own[0], own[1]))
        return mismatch(f, "listxattr: %s in LFS, %s in tmpfs", own[0],
                        own[1]);
    return true;
}

/* --- the run ------------------------------------------------------------ */

/*
 * The two trees hold the same names, types, modes, sizes and bytes, below
 * `rel` ("" for the roots), whatever renames put where.
 */
static bool same_trees(struct fuzz *f, const char *rel)
{
    char p[2][300], l[2][1024];
    struct res r[2];

    for (int s = 0; s < 2; s++) {
        snprintf(p[s], sizeof(p[s]), "%s%s", f->s[s].root, rel);
        r[s] = list_dir(p[s], l[s], sizeof(l[s]));
    }
    note(f, "final comparison of %s/", rel);
    if (!same(f, "opendir", r[0], r[1], true))
        return false;
    if (strcmp(l[0], l[1]))
        return mismatch(f, "%s/ lists %s in LFS, %s in tmpfs", rel, l[0],
                        l[1]);
    for (char *save, *name = strtok_r(l[1], "/", &save); name;
         name = strtok_r(NULL, "/", &save)) {
        struct stat st[2];
        char sub[300];

        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", rel, name);
        note(f, "final comparison of %s", sub);
        for (int s = 0; s < 2; s++) {
            snprintf(p[s], sizeof(p[s]), "%s%s", f->s[s].root, sub);
            r[s] = result(lstat(p[s], &st[s]));
        }
        if (!same(f, "lstat", r[0], r[1], true) ||
            (r[0].ret == 0 && !same_stat(f, "lstat", &st[0], &st[1], false)))
            return false;
        if (r[0].ret < 0)
            continue;
        if (S_ISDIR(st[0].st_mode) && !same_trees(f, sub))
            return false;
        if (S_ISREG(st[0].st_mode)) {
            int fd0 = open(p[0], O_RDONLY | O_CLOEXEC);
            int fd1 = open(p[1], O_RDONLY | O_CLOEXEC);
            bool equal = fd0 >= 0 && fd1 >= 0;

            for (off_t off = 0; equal && off < st[0].st_size; off += MAX_IO) {
                ssize_t a = pread(fd0, f->buf[0], MAX_IO, off);
                ssize_t b = pread(fd1, f->buf[1], MAX_IO, off);

                equal = a == b && a >= 0 &&
                        !memcmp(f->buf[0], f->buf[1], (size_t)a);
            }
            close(fd0);
            close(fd1);
            if (!equal)
                return mismatch(f, "the bytes of %s differ", sub);
        }
    }
    return true;
}

/* Remove `path` and what is below it; the books go back to the pool. */
static bool remove_tree(struct fuzz *f, const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    const char *failed = path;
    char sub[300];

    while (d && (e = readdir(d))) {
        struct stat st;

        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (!remove_tree(f, sub)) {
                closedir(d);
                return false;   /* said below */
            }
        } else if (unlink(sub)) {
            failed = sub;
            break;
        }
    }
    if (d)
        closedir(d);
    if (d && failed == path && rmdir(path) == 0)
        return true;
    fame_say(f->n, "FAIL node %u: cannot remove %s: %s", f->n->id, failed,
             strerror(errno));
    return false;
}

int main(int argc, char **argv)
{
    static struct fuzz fz;
    struct fuzz *f = &fz;
    struct fame_node n;
    uint64_t seed;
    long steps;
    double t0;
    bool ok = true;

    fame_node_init(&n, TAG, argc, argv);
    f->n = &n;
    steps = fame_cmdline_long("fam.fuzz_steps", 3000);
    seed = (uint64_t)fame_cmdline_long("fam.fuzz_seed",
                                       fame_cmdline_long("fam.run_id", 1));
    f->rng = seed * 0x100000001b3ull + n.id + 77;
    snprintf(f->s[0].root, sizeof(f->s[0].root), "/lfs/fuzz-%u-%" PRIu64,
             n.id, seed);
    snprintf(f->s[1].root, sizeof(f->s[1].root), REF_MOUNT "/fuzz");
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < SLOTS; i++)
            f->s[s].fd[i] = -1;
    umask(022);
    if (mkdir(REF_MOUNT, 0755) || mount("tmpfs", REF_MOUNT, "tmpfs", 0,
                                        "size=64m") ||
        mkdir(f->s[1].root, 0755) || mkdir(f->s[0].root, 0755)) {
        fame_say(&n, "FAIL node %u: setting up %s and %s: %s", n.id,
                 f->s[0].root, f->s[1].root, strerror(errno));
        return 1;
    }
    fame_say(&n, "node %u: seed=%" PRIu64 " steps=%ld (replay with "
             "fam.fuzz_seed=%" PRIu64 ")", n.id, seed, steps, seed);
    t0 = fame_now();
    for (f->step = 1; ok && f->step <= (unsigned long)steps; f->step++) {
        switch (below(f, 20)) {
        case 0:
        case 1:
        case 2:
            ok = op_open(f) && same_listings(f);
            break;
        case 3:
            ok = op_close(f);
            break;
        case 4:
        case 5:
        case 6:
        case 7:
        case 8:
        case 9:
            ok = op_fd(f);
            break;
        case 10:
        case 11:
        case 12:
        case 13:
            ok = op_path(f) && same_listings(f);
            break;
        case 14:
        case 15:
            ok = op_stat(f);
            break;
        case 16:
            ok = op_readlink(f);
            break;
        case 17:
            ok = op_readdir(f);
            break;
        default:
            ok = op_xattr(f);
        }
    }
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < SLOTS; i++)
            if (f->s[s].fd[i] >= 0)
                close(f->s[s].fd[i]);
    ok = ok && same_trees(f, "") && remove_tree(f, f->s[0].root);
    if (ok)
        fame_say(&n, "node %u: %lu steps, %lu outcomes compared, trees "
                 "equal, %.1f s", n.id, steps, f->compared, fame_now() - t0);
    fame_say(&n, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
