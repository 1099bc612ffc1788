/*
 * lfs-posix: the regular file cases (see lfs-posix.h): create and the
 * open flags, read and write, truncate, fallocate, fsync, O_DIRECT, mmap
 * and running a program from the file system.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define P(buf, name) pr_path(buf, c, name)
#define MIB (1024 * 1024)

static long long size_of(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void put_mode(PosixRes *r, const char *key, const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
    } else {
        pr_put(r, key, "mode=%o size=%lld", st.st_mode,
               (long long)st.st_size);
    }
}

static void close_ok(int fd)
{
    if (fd >= 0) {
        close(fd);
    }
}

static long long free_blocks(const char *dir)
{
    struct statfs sf;

    return statfs(dir, &sf) == 0 ? (long long)sf.f_bfree : -1;
}

/* Whether the free blocks are back to `before` within 5 s. */
static bool space_back(const char *dir, long long before)
{
    double end = fame_now() + 5;

    while (free_blocks(dir) < before) {
        if (fame_now() > end) {
            return false;
        }
        fame_sleep(0.05);
    }
    return true;
}

/* O_TMPFILE: a file without a name, gone at its close */
static void tmpfile_case(PosixRes *r, const PosixCtx *c)
{
    char p[PATH_MAX], proc[64], buf[8] = "";
    struct stat st;
    long long before = free_blocks(c->dir);
    int fd = open(c->dir, O_TMPFILE | O_RDWR, 0600);

    pr_rc(r, "tmpfile", fd);
    if (fd < 0) {
        return;
    }
    pr_rc(r, "tmpfile_write", pwrite(fd, "tmp", 3, 0));
    pr_rc(r, "tmpfile_read", pread(fd, buf, 3, 0));
    pr_put(r, "tmpfile_data", "%s", buf);
    fstat(fd, &st);
    pr_put(r, "tmpfile_stat", "mode=%o nlink=%lu size=%lld", st.st_mode,
           (unsigned long)st.st_nlink, (long long)st.st_size);
    snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
    pr_rc(r, "tmpfile_linkat", linkat(AT_FDCWD, proc, AT_FDCWD,
                                      P(p, "from-tmpfile"),
                                      AT_SYMLINK_FOLLOW));
    close(fd);
    unlink(p);
    pr_put(r, "tmpfile_space_back", "%d", space_back(c->dir, before));
}

static void case_create(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], p[PATH_MAX];
    int fd;

    fd = open(P(f, "f"), O_CREAT | O_WRONLY, 0666);
    pr_rc(r, "create", fd);
    pr_rc(r, "write", write(fd, "abc", 3));
    close_ok(fd);
    put_mode(r, "stat", f);
    fd = creat(f, 0600);
    pr_rc(r, "creat_existing", fd);
    close_ok(fd);
    put_mode(r, "stat_creat", f);
    pr_rc(r, "create_on_dir", open(c->dir, O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "create_missing_dir", open(P(p, "missing/f"),
                                        O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "create_trailing_slash", open(P(p, "new/"),
                                           O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "open_file_slash", open(P(p, "f/"), O_RDONLY));
    pr_rc(r, "open_missing", open(P(p, "missing"), O_RDONLY));
    pr_rc(r, "directory_on_file", open(f, O_RDONLY | O_DIRECTORY));
    pr_rc(r, "dir_for_write", open(c->dir, O_WRONLY));
    fd = open(c->dir, O_RDONLY);
    pr_rc(r, "dir_for_read", fd);
    close_ok(fd);
    /* Through a dangling symlink: makes its target */
    symlink("target", P(p, "dangling"));
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    pr_rc(r, "create_through_symlink", fd);
    close_ok(fd);
    pr_rc(r, "target_made", access(P(p, "target"), F_OK));
    /* Exclusive */
    pr_rc(r, "excl_existing", open(f, O_CREAT | O_EXCL | O_WRONLY, 0644));
    symlink("nowhere", P(p, "dangling2"));
    pr_rc(r, "excl_on_symlink", open(p, O_CREAT | O_EXCL | O_WRONLY,
                                     0644));
    fd = open(P(p, "excl"), O_CREAT | O_EXCL | O_RDWR, 0644);
    pr_rc(r, "excl_new", fd);
    close_ok(fd);
    pr_rc(r, "nofollow", open(P(p, "dangling"), O_RDONLY | O_NOFOLLOW));
    tmpfile_case(r, c);
}

static void case_trunc_append(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], buf[64];
    int fd, fd2;
    ssize_t n;

    pr_write_file(P(f, "t"), 100, 1);
    fd = open(f, O_WRONLY | O_TRUNC);
    pr_rc(r, "o_trunc", fd);
    close_ok(fd);
    pr_put(r, "size_after_trunc", "%lld", size_of(f));
    /* O_APPEND: every write at the end, whatever the offset */
    fd = open(P(f, "a"), O_CREAT | O_WRONLY | O_APPEND, 0644);
    pr_rc(r, "append1", write(fd, "aaa", 3));
    lseek(fd, 0, SEEK_SET);
    pr_rc(r, "append2", write(fd, "bbb", 3));
    fd2 = open(f, O_WRONLY | O_APPEND);
    pr_rc(r, "append3", write(fd2, "ccc", 3));
    pr_rc(r, "append4", write(fd, "ddd", 3));
    pr_rc(r, "pwrite_append", pwrite(fd2, "eee", 3, 0));
    close_ok(fd);
    close_ok(fd2);
    fd = open(f, O_RDONLY);
    memset(buf, 0, sizeof(buf));
    n = read(fd, buf, sizeof(buf) - 1);
    pr_put(r, "appended", "%zd %s", n, buf);
    close_ok(fd);
    pr_rc(r, "trunc_rdonly", fd = open(f, O_RDONLY | O_TRUNC));
    close_ok(fd);
    pr_put(r, "size_after_rdonly_trunc", "%lld", size_of(f));
}

static void case_rw(PosixRes *r, const PosixCtx *c)
{
    static unsigned char buf[3 * MIB + 100];
    char f[PATH_MAX];
    bool zero = true, same = true;
    int fd, ro, wo;
    ssize_t n;

    fd = open(P(f, "rw"), O_CREAT | O_RDWR, 0644);
    for (size_t i = 0; i < 10000; i++) {
        buf[i] = pr_byte(i, 7);
    }
    pr_rc(r, "write", write(fd, buf, 10000));
    pr_rc(r, "pwrite_mid", pwrite(fd, "HELLO", 5, 5000));
    memset(buf, 0, 10000);
    n = pread(fd, buf, 20000, 0);
    pr_put(r, "pread", "%zd %.5s", n, (char *)buf + 5000);
    pr_rc(r, "read_at_end", read(fd, buf, 10));
    pr_put(r, "read_past_end", "%zd", pread(fd, buf, 10, 50000));
    /* A write far past the end: the gap reads as zeros */
    pr_rc(r, "write_far", pwrite(fd, "far", 3, 3 * MIB));
    pr_put(r, "size_far", "%lld", size_of(f));
    n = pread(fd, buf, sizeof(buf), 0);
    for (size_t i = 10000; i < 3 * MIB; i++) {
        zero &= buf[i] == 0;
    }
    pr_put(r, "gap_zero", "%zd %d %.3s", n, zero, (char *)buf + 3 * MIB);
    /* Across a 2 MiB boundary (a book boundary on a 2 MiB-book pool) */
    pr_rc(r, "write_across", pwrite(fd, "0123456789", 10, 2 * MIB - 5));
    memset(buf, 0, 16);
    pr_rc(r, "read_across", pread(fd, buf, 10, 2 * MIB - 5));
    pr_put(r, "across", "%.10s", (char *)buf);
    pr_put(r, "seek_end", "%lld", (long long)lseek(fd, 0, SEEK_END));
    /* The same bytes through another descriptor */
    ro = open(f, O_RDONLY);
    n = pread(ro, buf + MIB, 10, 2 * MIB - 5);
    same = n == 10 && memcmp(buf + MIB, "0123456789", 10) == 0;
    pr_put(r, "other_fd", "%d", same);
    pr_rc(r, "write_on_rdonly", write(ro, "x", 1));
    wo = open(f, O_WRONLY);
    pr_rc(r, "read_on_wronly", read(wo, buf, 1));
    close_ok(ro);
    close_ok(wo);
    close_ok(fd);
    fd = open(c->dir, O_RDONLY);
    pr_rc(r, "read_dir", read(fd, buf, 10));
    close_ok(fd);
}

static void case_truncate(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], p[PATH_MAX];
    unsigned char buf[6000];
    bool zero = true;
    int fd;

    pr_write_file(P(f, "f"), 5000, 3);
    pr_rc(r, "shrink", truncate(f, 100));
    pr_put(r, "size_shrunk", "%lld", size_of(f));
    pr_rc(r, "grow", truncate(f, 6000));
    fd = open(f, O_RDONLY);
    pr_put(r, "read_grown", "%zd", read(fd, buf, sizeof(buf)));
    for (size_t i = 100; i < sizeof(buf); i++) {
        zero &= buf[i] == 0;
    }
    pr_put(r, "kept_and_zeroed", "%d %d", buf[99] == pr_byte(99, 3), zero);
    pr_rc(r, "ftruncate_rdonly", ftruncate(fd, 10));
    close_ok(fd);
    fd = open(f, O_RDWR);
    pr_rc(r, "ftruncate", ftruncate(fd, 50));
    struct stat st;
    fstat(fd, &st);
    pr_put(r, "fstat_size", "%lld", (long long)st.st_size);
    pr_rc(r, "ftruncate_negative", ftruncate(fd, -1));
    close_ok(fd);
    pr_rc(r, "truncate_negative", truncate(f, -1));
    pr_rc(r, "truncate_dir", truncate(c->dir, 0));
    pr_rc(r, "truncate_missing", truncate(P(p, "missing"), 0));
    pr_rc(r, "truncate_to_zero", truncate(f, 0));
    pr_put(r, "size_zero", "%lld", size_of(f));
    /* Larger than any pool here: a shelf has no holes */
    pr_rc(r, "truncate_16g", truncate(f, 16ll << 30));
    truncate(f, 0);
}

/* Child: writes past RLIMIT_FSIZE fail with EFBIG (SIGXFSZ ignored). */
static void efbig_child(PosixRes *r, const PosixCtx *c)
{
    struct rlimit rl = { 4096, 4096 };
    char f[PATH_MAX];
    int fd;

    signal(SIGXFSZ, SIG_IGN);
    setrlimit(RLIMIT_FSIZE, &rl);
    fd = open(P(f, "big"), O_CREAT | O_RDWR, 0644);
    pr_rc(r, "write_to_limit", pwrite(fd, "x", 1, 4095));
    pr_rc(r, "write_past_limit", pwrite(fd, "x", 1, 4096));
    pr_rc(r, "ftruncate_past_limit", ftruncate(fd, 8192));
    pr_rc(r, "truncate_past_limit", truncate(f, 8192));
    pr_rc(r, "fallocate_past_limit", fallocate(fd, 0, 0, 8192));
    close_ok(fd);
}

static void case_efbig(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX];

    pr_as_user(r, 0, 0, 0, NULL, efbig_child, c);
    pr_put(r, "size", "%lld", size_of(P(f, "big")));
}

static void case_fallocate(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX];
    int fd, ro;

    fd = open(P(f, "f"), O_CREAT | O_RDWR, 0644);
    pr_rc(r, "fallocate", fallocate(fd, 0, 0, 10000));
    pr_put(r, "size", "%lld", size_of(f));
    pr_rc(r, "fallocate_inside", fallocate(fd, 0, 100, 100));
    pr_put(r, "size_inside", "%lld", size_of(f));
    pr_rc(r, "keep_size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 20000));
    pr_rc(r, "punch_hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE |
                                     FALLOC_FL_KEEP_SIZE, 0, 4096));
    pr_rc(r, "zero_range", fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
    pr_rc(r, "len_zero", fallocate(fd, 0, 0, 0));
    pr_rc(r, "negative", fallocate(fd, 0, -1, 10));
    ro = open(f, O_RDONLY);
    pr_rc(r, "on_rdonly", fallocate(ro, 0, 0, 20000));
    close_ok(ro);
    close_ok(fd);
}

static void case_fsync(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX];
    int fd, ro, dir;

    fd = open(P(f, "f"), O_CREAT | O_RDWR, 0644);
    pr_rc(r, "write", write(fd, "data", 4));
    pr_rc(r, "fsync", fsync(fd));
    pr_rc(r, "fdatasync", fdatasync(fd));
    pr_rc(r, "sync_file_range", sync_file_range(fd, 0, 4,
                                                SYNC_FILE_RANGE_WRITE));
    pr_rc(r, "syncfs", syncfs(fd));
    ro = open(f, O_RDONLY);
    pr_rc(r, "fsync_rdonly", fsync(ro));
    dir = open(c->dir, O_RDONLY | O_DIRECTORY);
    pr_rc(r, "fsync_dir", fsync(dir));
    close_ok(dir);
    close_ok(ro);
    close_ok(fd);
}

static void case_odirect(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX];
    int fd;

    pr_write_file(P(f, "f"), 8192, 1);
    fd = open(f, O_RDWR | O_DIRECT);
    pr_rc(r, "open_direct", fd);
    close_ok(fd);
    fd = open(P(f, "new"), O_CREAT | O_RDWR | O_DIRECT, 0644);
    pr_rc(r, "create_direct", fd);
    close_ok(fd);
    /* Where it is refused, it makes nothing either */
    pr_put(r, "create_direct_made", "%s",
           access(f, F_OK) == 0 ? (fd >= 0 ? "as opened" : "a file")
                                : (fd >= 0 ? "opened, no file" : "nothing"));
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
    (void)sig;
    siglongjmp(bus_jmp, 1);
}

/* Whether a load from p raises SIGBUS. */
static bool bus_on_load(volatile const char *p)
{
    struct sigaction sa = { .sa_handler = on_bus }, old;
    bool bus;

    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(bus_jmp, 1) == 0) {
        (void)*p;
        bus = false;
    } else {
        bus = true;
    }
    sigaction(SIGBUS, &old, NULL);
    return bus;
}

static void case_mmap(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], buf[8];
    int fd, ro;
    char *m;

    pr_write_file(P(f, "m"), 8192, 2);
    fd = open(f, O_RDWR);
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    pr_put(r, "map_shared", "%s", m == MAP_FAILED ? pr_errname(errno) : "ok");
    if (m != MAP_FAILED) {
        memcpy(m + 100, "STORE", 5);
        pread(fd, buf, 5, 100);
        pr_put(r, "store_seen_by_read", "%d", memcmp(buf, "STORE", 5) == 0);
        pwrite(fd, "WRITE", 5, 4096);
        pr_put(r, "write_seen_by_map", "%d", memcmp(m + 4096, "WRITE", 5)
               == 0);
        pr_rc(r, "msync", msync(m, 8192, MS_SYNC));
        munmap(m, 8192);
    }
    /* A page past the end of the file */
    ftruncate(fd, 100);
    m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        pr_put(r, "bus_in_last_page", "%d", bus_on_load(m + 200));
        pr_put(r, "bus_past_end", "%d", bus_on_load(m + 4096));
        munmap(m, 8192);
    }
    ftruncate(fd, 8192);
    /* Private mappings: copy on write, the file unchanged */
    m = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
    pr_put(r, "map_private_ro", "%s", m == MAP_FAILED ? pr_errname(errno)
                                                      : "ok");
    if (m != MAP_FAILED) {
        pr_rc(r, "mprotect_write", mprotect(m, 8192, PROT_READ |
                                            PROT_WRITE));
        munmap(m, 8192);
    }
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    pr_put(r, "map_private_rw", "%s", m == MAP_FAILED ? pr_errname(errno)
                                                      : "ok");
    if (m != MAP_FAILED) {
        pwrite(fd, "before", 6, 0);
        memcpy(m, "PRIVATE", 7);
        pwrite(fd, "after", 5, 4096);
        pread(fd, buf, 7, 0);
        pr_put(r, "private_isolated", "%d %d", memcmp(buf, "PRIVATE", 7) != 0,
               memcmp(m, "PRIVATE", 7) == 0);
        munmap(m, 8192);
    }
    ro = open(f, O_RDONLY);
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    pr_put(r, "map_shared_rw_on_rdonly", "%s",
           m == MAP_FAILED ? pr_errname(errno) : "ok");
    if (m != MAP_FAILED) {
        munmap(m, 8192);
    }
    close_ok(ro);
    close_ok(fd);
}

/*
 * Unlink of a file only mapped (every descriptor closed), and a rename
 * over one: the mapping keeps working, and the space comes back once it
 * is unmapped.
 */
static void case_unlink_mapped(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], n[PATH_MAX];
    long long before = free_blocks(c->dir);
    int fd;
    char *m;

    pr_write_file(P(f, "m"), 8192, 6);
    fd = open(f, O_RDWR);
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close_ok(fd);
    if (m == MAP_FAILED) {
        pr_put(r, "mmap", "%s", pr_errname(errno));
        return;
    }
    pr_rc(r, "unlink_mapped", unlink(f));
    pr_rc(r, "name_gone", access(f, F_OK));
    pr_put(r, "mapping_intact", "%d %d", m[0] == (char)pr_byte(0, 6),
           m[8191] == (char)pr_byte(8191, 6));
    m[1] = 'w';
    pr_put(r, "store_after_unlink", "%d", m[1] == 'w');
    munmap(m, 8192);
    pr_put(r, "space_back", "%d", space_back(c->dir, before));
    pr_rc(r, "name_free", fd = open(f, O_CREAT | O_EXCL | O_WRONLY, 0644));
    close_ok(fd);
    /* Renamed over while only mapped */
    pr_write_file(f, 4096, 7);
    pr_write_file(P(n, "n"), 4096, 8);
    fd = open(f, O_RDONLY);
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    close_ok(fd);
    pr_rc(r, "rename_over_mapped", rename(n, f));
    pr_put(r, "replaced", "%d", pr_check_file(f, 4096, 8));
    if (m != MAP_FAILED) {
        pr_put(r, "old_mapping", "%d", m[5] == (char)pr_byte(5, 7));
        munmap(m, 4096);
    }
    unlink(f);
    pr_put(r, "space_back_after_rename", "%d", space_back(c->dir, before));
}

/* Run the static busybox copied into the file system. */
static void case_exec(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX];
    int in, out, status = -1;
    pid_t pid;
    ssize_t n;
    char buf[65536];

    in = open("/bin/busybox", O_RDONLY);
    out = open(P(f, "busybox"), O_CREAT | O_WRONLY, 0755);
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
        fame_write_all(out, buf, (size_t)n);
    }
    close_ok(in);
    close_ok(out);
    pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        dup2(null, 1);
        dup2(null, 2);
        execl(f, "true", (char *)NULL);
        _exit(126);
    }
    waitpid(pid, &status, 0);
    pr_put(r, "exec_status", "%s %d", WIFEXITED(status) ? "exit" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    unlink(f);
}

const PosixCase posix_file_cases[] = {
    { "create", case_create },
    { "trunc-append", case_trunc_append },
    { "rw", case_rw },
    { "truncate", case_truncate },
    { "efbig", case_efbig },
    { "fallocate", case_fallocate },
    { "fsync", case_fsync },
    { "odirect", case_odirect },
    { "mmap", case_mmap },
    { "unlink-mapped", case_unlink_mapped },
    { "exec", case_exec },
    { NULL, NULL },
};
