/*
 * lfs-posix: the metadata cases (see lfs-posix.h): chmod, chown,
 * utimens and atime, statfs, extended attributes.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define P(buf, name) pr_path(buf, c, name)

static void put_owner(PosixRes *r, const char *key, const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
    } else {
        pr_put(r, key, "mode=%o uid=%u gid=%u", st.st_mode, st.st_uid,
               st.st_gid);
    }
}

static void case_chmod(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], p[PATH_MAX];
    struct stat st;
    time_t t0;
    int fd;

    close(open(P(f, "f"), O_CREAT | O_WRONLY, 0644));
    t0 = time(NULL);
    pr_rc(r, "chmod_600", chmod(f, 0600));
    put_owner(r, "stat_600", f);
    stat(f, &st);
    pr_put(r, "ctime_moved", "%d", st.st_ctime >= t0 - 2);
    pr_rc(r, "chmod_suid", chmod(f, 04755));
    put_owner(r, "stat_suid", f);
    pr_rc(r, "chmod_all", chmod(f, 07777));
    put_owner(r, "stat_all", f);
    pr_rc(r, "chmod_type_bits_ignored", chmod(f, S_IFDIR | 0640));
    put_owner(r, "stat_type_bits", f);
    pr_rc(r, "chmod_missing", chmod(P(p, "missing"), 0644));
    fd = open(f, O_RDONLY);
    pr_rc(r, "fchmod", fchmod(fd, 0444));
    close(fd);
    put_owner(r, "stat_fchmod", f);
    symlink("f", P(p, "l"));
    pr_rc(r, "chmod_through_symlink", chmod(p, 0640));
    put_owner(r, "target_mode", f);
    put_owner(r, "link_mode", p);
    pr_rc(r, "lchmod", fchmodat(AT_FDCWD, p, 0600, AT_SYMLINK_NOFOLLOW));
    mkdir(P(p, "d"), 0755);
    pr_rc(r, "chmod_dir", chmod(p, 0700));
    put_owner(r, "stat_dir", p);
}

static void case_chown(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], p[PATH_MAX];
    int fd;

    close(open(P(f, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "chown", chown(f, 1000, 1001));
    put_owner(r, "stat", f);
    pr_rc(r, "chown_keep", chown(f, (uid_t)-1, (gid_t)-1));
    put_owner(r, "stat_keep", f);
    pr_rc(r, "chgrp", chown(f, (uid_t)-1, 2000));
    put_owner(r, "stat_chgrp", f);
    /* root's chown of a regular file drops set-user-ID and set-group-ID */
    chmod(f, 06755);
    pr_rc(r, "chown_suid", chown(f, 1001, 1001));
    put_owner(r, "stat_suid_dropped", f);
    fd = open(f, O_RDONLY);
    pr_rc(r, "fchown", fchown(fd, 0, 0));
    close(fd);
    put_owner(r, "stat_fchown", f);
    symlink("f", P(p, "l"));
    pr_rc(r, "lchown", lchown(p, 1002, 1002));
    put_owner(r, "link_owner", p);
    put_owner(r, "target_owner", f);
    pr_rc(r, "chown_missing", chown(P(p, "missing"), 0, 0));
    mkdir(P(p, "d"), 02755);
    pr_rc(r, "chown_dir", chown(p, 1000, 1000));
    put_owner(r, "stat_dir", p);
}

static void put_times(PosixRes *r, const char *key, const char *path)
{
    struct stat st;

    if (lstat(path, &st) < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
        return;
    }
    pr_put(r, key, "a=%lld.%09ld m=%lld.%09ld", (long long)st.st_atim.tv_sec,
           st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec,
           st.st_mtim.tv_nsec);
}

static void case_utimens(PosixRes *r, const PosixCtx *c)
{
    struct timespec ts[2] = { { 1000000000, 123456789 },
                              { 1200000000, 987654321 } };
    char f[PATH_MAX], p[PATH_MAX], buf[8];
    struct stat st;
    time_t t0;
    int fd;

    pr_write_file(P(f, "f"), 10, 1);
    pr_rc(r, "utimensat", utimensat(AT_FDCWD, f, ts, 0));
    put_times(r, "times", f);
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1] = (struct timespec){ 1300000000, 5 };
    pr_rc(r, "omit_atime", utimensat(AT_FDCWD, f, ts, 0));
    put_times(r, "times_omit", f);
    ts[0] = (struct timespec){ -1000, 500000000 };
    ts[1] = (struct timespec){ -86400 * 365, 0 };
    pr_rc(r, "before_epoch", utimensat(AT_FDCWD, f, ts, 0));
    put_times(r, "times_before_epoch", f);
    ts[0] = (struct timespec){ 32503680000, 7 };    /* the year 3000 */
    ts[1] = (struct timespec){ -20000000000, 0 };   /* and 1336 */
    pr_rc(r, "far", utimensat(AT_FDCWD, f, ts, 0));
    put_times(r, "times_far", f);
    t0 = time(NULL);
    pr_rc(r, "now", utimensat(AT_FDCWD, f, NULL, 0));
    stat(f, &st);
    pr_put(r, "now_close", "%d %d", st.st_atime >= t0 - 2 &&
           st.st_atime <= t0 + 5, st.st_mtime >= t0 - 2 &&
           st.st_mtime <= t0 + 5);
    fd = open(f, O_RDONLY);
    ts[0] = (struct timespec){ 1400000000, 0 };
    ts[1] = (struct timespec){ 1400000001, 0 };
    pr_rc(r, "futimens", futimens(fd, ts));
    close(fd);
    put_times(r, "times_futimens", f);
    symlink("f", P(p, "l"));
    ts[0] = (struct timespec){ 1500000000, 0 };
    ts[1] = (struct timespec){ 1500000001, 0 };
    pr_rc(r, "nofollow", utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW));
    put_times(r, "link_times", p);
    put_times(r, "target_times", f);
    pr_rc(r, "missing", utimensat(AT_FDCWD, P(p, "missing"), NULL, 0));
    /* atime after a read: relatime updates an atime older than mtime */
    ts[0] = (struct timespec){ 1000000000, 0 };
    ts[1] = (struct timespec){ 1100000000, 0 };
    utimensat(AT_FDCWD, f, ts, 0);
    fd = open(f, O_RDONLY);
    pr_rc(r, "read", read(fd, buf, sizeof(buf)));
    close(fd);
    stat(f, &st);
    pr_put(r, "atime_after_read", "%s", st.st_atime == 1000000000
           ? "unchanged" : "updated");
    /* A write inside the file (no growth) moves the mtime: seen while the
     * file is open and after its close */
    utimensat(AT_FDCWD, f, ts, 0);
    fd = open(f, O_WRONLY);
    pr_rc(r, "write_inside", pwrite(fd, "x", 1, 2));
    fstat(fd, &st);
    bool moved_open = st.st_mtime > 1100000000;

    close(fd);
    stat(f, &st);
    pr_put(r, "mtime_after_write", "%d %d", moved_open,
           st.st_mtime > 1100000000);
    /*
     * A store through a shared mapping, to a page read first, moves it
     * too: seen by fstat once the cached attributes time out (1 s on
     * LFS), and after the close
     */
    utimensat(AT_FDCWD, f, ts, 0);
    fd = open(f, O_RDWR);
    char *m = mmap(NULL, 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (m != MAP_FAILED) {
        m[1] = (char)(m[0] + 1);    /* a load, then a store */
        munmap(m, 2);
    }
    pr_put(r, "map_store", "%s", m == MAP_FAILED ? "mmap failed" : "done");
    usleep(1500 * 1000);
    fstat(fd, &st);
    moved_open = st.st_mtime > 1100000000;
    close(fd);
    usleep(1500 * 1000);
    stat(f, &st);
    pr_put(r, "mtime_after_map_store", "%d %d", moved_open,
           st.st_mtime > 1100000000);
}

static void case_statfs(PosixRes *r, const PosixCtx *c)
{
    struct statfs sf;

    pr_rc(r, "statfs", statfs(c->dir, &sf));
    pr_put(r, "namelen", "%ld", (long)sf.f_namelen);
    pr_put(r, "sane", "%d", sf.f_bsize > 0 && sf.f_blocks >= sf.f_bfree &&
           sf.f_bfree >= sf.f_bavail && sf.f_blocks > 0);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The names in a listxattr buffer, user.LFS.* left out, sorted (the order
 * is the file system's own), as one string.
 */
static void put_list(PosixRes *r, const char *key, const char *path)
{
    char names[4096], out[PR_VAL] = "";
    const char *sorted[64];
    ssize_t n = llistxattr(path, names, sizeof(names));
    unsigned count = 0;

    if (n < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
        return;
    }
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
        if (strncmp(names + i, "user.LFS.", 9) != 0 && count < 64) {
            sorted[count++] = names + i;
        }
    }
    qsort(sorted, count, sizeof(sorted[0]), cmp_str);
    for (unsigned i = 0; i < count; i++) {
        if (strlen(out) + strlen(sorted[i]) + 2 < sizeof(out)) {
            strcat(out, sorted[i]);
            strcat(out, ",");
        }
    }
    pr_put(r, key, "%u %s", count, out);
}

static void case_xattr(PosixRes *r, const PosixCtx *c)
{
    static char big[70000];
    char f[PATH_MAX], p[PATH_MAX], name[300], buf[4096];
    ssize_t n;

    close(open(P(f, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "set", setxattr(f, "user.a", "1", 1, 0));
    n = getxattr(f, "user.a", buf, sizeof(buf));
    pr_put(r, "get", "%zd %.*s", n, n > 0 ? (int)n : 0, buf);
    pr_put(r, "get_size", "%zd", getxattr(f, "user.a", NULL, 0));
    setxattr(f, "user.long", "0123456789", 10, 0);
    pr_rc(r, "get_too_small", getxattr(f, "user.long", buf, 4));
    put_list(r, "list", f);
    pr_rc(r, "list_too_small", listxattr(f, buf, 1));
    pr_rc(r, "create_existing", setxattr(f, "user.a", "2", 1,
                                         XATTR_CREATE));
    pr_rc(r, "replace_missing", setxattr(f, "user.b", "2", 1,
                                         XATTR_REPLACE));
    pr_rc(r, "replace", setxattr(f, "user.a", "22", 2, XATTR_REPLACE));
    n = getxattr(f, "user.a", buf, sizeof(buf));
    pr_put(r, "get_replaced", "%zd %.*s", n, n > 0 ? (int)n : 0, buf);
    pr_rc(r, "get_missing", getxattr(f, "user.b", buf, sizeof(buf)));
    pr_rc(r, "remove_missing", removexattr(f, "user.b"));
    pr_rc(r, "remove", removexattr(f, "user.a"));
    pr_rc(r, "get_removed", getxattr(f, "user.a", buf, sizeof(buf)));
    pr_rc(r, "empty_value", setxattr(f, "user.empty", "", 0, 0));
    pr_put(r, "get_empty", "%zd", getxattr(f, "user.empty", buf,
                                          sizeof(buf)));
    pr_rc(r, "bare_prefix", setxattr(f, "user.", "x", 1, 0));
    pr_rc(r, "no_namespace", setxattr(f, "noprefix", "x", 1, 0));
    /* Name lengths: the kernel's XATTR_NAME_MAX is 255 */
    strcpy(name, "user.");
    memset(name + 5, 'x', 250);
    name[255] = '\0';
    pr_rc(r, "name_255", setxattr(f, name, "v", 1, 0));
    pr_rc(r, "get_name_255", getxattr(f, name, buf, sizeof(buf)));
    pr_rc(r, "remove_name_255", removexattr(f, name));
    name[254] = '\0';
    pr_rc(r, "name_254", setxattr(f, name, "v", 1, 0));
    name[254] = 'x';
    name[255] = 'x';
    name[256] = '\0';
    pr_rc(r, "name_256", setxattr(f, name, "v", 1, 0));
    /* Value sizes */
    memset(big, 'v', sizeof(big));
    pr_rc(r, "value_2048", setxattr(f, "user.v", big, 2048, 0));
    pr_put(r, "get_2048", "%zd", getxattr(f, "user.v", NULL, 0));
    pr_rc(r, "value_2049", setxattr(f, "user.v", big, 2049, 0));
    pr_rc(r, "value_65536", setxattr(f, "user.v", big, 65536, 0));
    pr_rc(r, "value_65537", setxattr(f, "user.v", big, 65537, 0));
    removexattr(f, "user.v");
    /* Other namespaces (as root) */
    pr_rc(r, "trusted", setxattr(f, "trusted.t", "x", 1, 0));
    pr_rc(r, "security", setxattr(f, "security.s", "x", 1, 0));
    pr_rc(r, "get_trusted", getxattr(f, "trusted.t", buf, sizeof(buf)));
    /* Many names */
    for (int i = 0; i < 20; i++) {
        snprintf(name, sizeof(name), "user.many%02d", i);
        setxattr(f, name, name, strlen(name), 0);
    }
    n = listxattr(f, buf, sizeof(buf));
    unsigned count = 0;
    for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(buf + i) + 1) {
        count += strncmp(buf + i, "user.many", 9) == 0;
    }
    pr_put(r, "many", "%u", count);
    /* Directories carry them; symlinks may not have user.* */
    mkdir(P(p, "d"), 0755);
    pr_rc(r, "set_dir", setxattr(p, "user.d", "dir", 3, 0));
    n = getxattr(p, "user.d", buf, sizeof(buf));
    pr_put(r, "get_dir", "%zd %.*s", n, n > 0 ? (int)n : 0, buf);
    symlink("f", P(p, "l"));
    pr_rc(r, "set_symlink", lsetxattr(p, "user.l", "x", 1, 0));
    pr_rc(r, "get_symlink", lgetxattr(p, "user.l", buf, sizeof(buf)));
    pr_rc(r, "get_through_symlink", getxattr(p, "user.many00", buf,
                                             sizeof(buf)));
    pr_rc(r, "get_missing_file", getxattr(P(p, "missing"), "user.a", buf,
                                          sizeof(buf)));
}

const PosixCase posix_meta_cases[] = {
    { "chmod", case_chmod },
    { "chown", case_chown },
    { "utimens", case_utimens },
    { "statfs", case_statfs },
    { "xattr", case_xattr },
    { NULL, NULL },
};
