/*
 * lfs-posix: the namespace cases (see lfs-posix.h): getattr, readdir,
 * long names and paths, mkdir, rmdir, unlink, rename, symlink, link,
 * mknod.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define P(buf, name) pr_path(buf, c, name)

static void put_stat(PosixRes *r, const char *key, const char *path,
                     bool follow)
{
    struct stat st;
    int ret = follow ? stat(path, &st) : lstat(path, &st);

    if (ret < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
        return;
    }
    /* The size of a directory is the file system's own business */
    pr_put(r, key, "mode=%o nlink=%lu uid=%u gid=%u size=%lld",
           st.st_mode, (unsigned long)st.st_nlink, st.st_uid, st.st_gid,
           S_ISDIR(st.st_mode) ? 0ll : (long long)st.st_size);
}

static unsigned long nlink_of(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 ? (unsigned long)st.st_nlink : 0;
}

static ino_t ino_of(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static void case_getattr(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], x[PATH_MAX];
    time_t t0 = time(NULL), t1;
    struct stat st, fst;
    int fd;

    fd = open(P(f, "f"), O_CREAT | O_WRONLY, 0640);
    pr_rc(r, "write", write(fd, "hello", 5));
    pr_rc(r, "fstat", fstat(fd, &fst));
    pr_put(r, "fstat_size", "%lld", (long long)fst.st_size);
    close(fd);
    t1 = time(NULL);
    put_stat(r, "stat", f, true);
    if (stat(f, &st) == 0) {
        /* Whole seconds: the clocks of the guest and the Librarian */
        pr_put(r, "times_now", "%d",
               st.st_mtime >= t0 - 2 && st.st_mtime <= t1 + 2 &&
               st.st_ctime >= t0 - 2 && st.st_ctime <= t1 + 2);
        pr_put(r, "ino_same", "%d", st.st_ino == fst.st_ino);
    }
    put_stat(r, "stat_dir", c->dir, true);
    pr_rc(r, "stat_notdir", stat(P(x, "f/x"), &st));
    pr_rc(r, "stat_missing", stat(P(x, "missing"), &st));
    pr_rc(r, "stat_missing_dir", stat(P(x, "missing/x"), &st));
    pr_rc(r, "stat_empty", stat("", &st));
    pr_rc(r, "symlink", symlink("f", P(x, "l")));
    put_stat(r, "stat_link", x, true);
    put_stat(r, "lstat_link", x, false);
    pr_rc(r, "stat_trailing_slash", stat(P(x, "f/"), &st));
}

/* A directory of many entries: several READDIR requests on the LFS. */
static void case_readdir(PosixRes *r, const PosixCtx *c)
{
    enum { FILES = 150 };
    char p[PATH_MAX], q[PATH_MAX];
    unsigned reg = 0, dir = 0, lnk = 0, other = 0, total = 0;
    bool dot = false, dotdot = false, dot_ino = false, dotdot_ino = false;
    struct dirent *e;
    DIR *d;

    for (unsigned i = 0; i < FILES; i++) {
        snprintf(q, sizeof(q), "entry-with-a-rather-long-name-%03u", i);
        close(open(P(p, q), O_CREAT | O_WRONLY, 0644));
    }
    pr_rc(r, "mkdir", mkdir(P(p, "sub1"), 0755));
    mkdir(P(p, "sub2"), 0755);
    mkdir(P(p, "sub3"), 0755);
    pr_rc(r, "symlink", symlink("sub1", P(p, "link1")));
    symlink("nowhere", P(p, "link2"));
    d = opendir(c->dir);
    if (!d) {
        pr_put(r, "opendir", "%s", pr_errname(errno));
        return;
    }
    while ((e = readdir(d))) {
        total++;
        if (strcmp(e->d_name, ".") == 0) {
            dot = true;
            dot_ino = e->d_ino == ino_of(c->dir);
        } else if (strcmp(e->d_name, "..") == 0) {
            snprintf(p, sizeof(p), "%s/..", c->dir);
            dotdot = true;
            dotdot_ino = e->d_ino == ino_of(p);
        } else if (e->d_type == DT_REG) {
            reg++;
        } else if (e->d_type == DT_DIR) {
            dir++;
        } else if (e->d_type == DT_LNK) {
            lnk++;
        } else {
            other++;
        }
    }
    pr_put(r, "entries", "total=%u reg=%u dir=%u lnk=%u other=%u", total,
           reg, dir, lnk, other);
    pr_put(r, "dots", "dot=%d dotdot=%d dot_ino=%d dotdot_ino=%d", dot,
           dotdot, dot_ino, dotdot_ino);
    rewinddir(d);
    total = 0;
    while (readdir(d)) {
        total++;
    }
    pr_put(r, "after_rewind", "%u", total);
    closedir(d);
    d = opendir(P(p, "entry-with-a-rather-long-name-000"));
    pr_put(r, "opendir_file", "%s", d ? "ok" : pr_errname(errno));
    d = d ? (closedir(d), NULL) : NULL;
    d = opendir(P(p, "missing"));
    pr_put(r, "opendir_missing", "%s", d ? "ok" : pr_errname(errno));
    if (d) {
        closedir(d);
    }
    /* An emptied directory lists only . and .. */
    d = opendir(P(p, "sub1"));
    total = 0;
    while (d && readdir(d)) {
        total++;
    }
    if (d) {
        closedir(d);
    }
    pr_put(r, "empty_dir_entries", "%u", total);
}

/* Names of 255 and 256 bytes; paths of 1023 and 1024 from the mount. */
static void case_longpath(PosixRes *r, const PosixCtx *c)
{
    char name[300], p[PATH_MAX + 512], deep[PATH_MAX];
    size_t rel = c->rel_len, need;
    struct stat st;
    int fd;

    memset(name, 'n', 255);
    name[255] = '\0';
    fd = open(P(p, name), O_CREAT | O_WRONLY, 0644);
    pr_rc(r, "create_255", fd);
    close(fd);
    pr_rc(r, "stat_255", stat(p, &st));
    name[255] = 'n';
    name[256] = '\0';
    pr_rc(r, "create_256", open(P(p, name), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "mkdir_256", mkdir(p, 0755));
    pr_rc(r, "stat_256", stat(p, &st));
    /* Nest directories until one name makes the path 1023 bytes long */
    snprintf(deep, sizeof(deep), "%s", c->dir);
    need = 1023 - rel - 1;
    while (need > 255) {
        size_t len = need - 2 < 200 ? need - 2 : 200;

        memset(name, 'd', len);
        name[len] = '\0';
        strcat(deep, "/");
        strcat(deep, name);
        if (mkdir(deep, 0755) < 0) {
            pr_put(r, "mkdir_deep", "%s", pr_errname(errno));
            return;
        }
        rel += 1 + len;
        need = 1023 - rel - 1;
    }
    memset(name, 'f', need);
    name[need] = '\0';
    snprintf(p, sizeof(p), "%s/%s", deep, name);
    fd = open(p, O_CREAT | O_WRONLY, 0644);
    pr_rc(r, "create_1023", fd);
    pr_rc(r, "write_1023", write(fd, "x", 1));
    close(fd);
    pr_rc(r, "stat_1023", stat(p, &st));
    strcat(p, "g");
    pr_rc(r, "create_1024", open(p, O_CREAT | O_WRONLY, 0644));
    snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep), "/%s", name);
    pr_rc(r, "rename_to_1024", rename(deep, p));
    pr_put(r, "unlink_either", "%d", unlink(p) == 0 || unlink(deep) == 0);
}

static void case_mkdir(PosixRes *r, const PosixCtx *c)
{
    char a[PATH_MAX], p[PATH_MAX];
    unsigned long before = nlink_of(c->dir);

    pr_rc(r, "mkdir", mkdir(P(a, "a"), 0777));
    put_stat(r, "stat", a, true);
    pr_put(r, "parent_nlink_delta", "%ld", (long)nlink_of(c->dir) -
           (long)before);
    pr_rc(r, "mkdir_again", mkdir(a, 0777));
    pr_rc(r, "mkdir_missing_parent", mkdir(P(p, "missing/b"), 0755));
    close(open(P(p, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "mkdir_under_file", mkdir(P(p, "f/b"), 0755));
    pr_rc(r, "mkdir_over_file", mkdir(P(p, "f"), 0755));
    symlink("nowhere", P(p, "l"));
    pr_rc(r, "mkdir_over_symlink", mkdir(p, 0755));
    pr_rc(r, "mkdir_trailing_slash", mkdir(P(p, "t/"), 0755));
    pr_rc(r, "mkdir_sticky", mkdir(P(p, "s"), 01777));
    put_stat(r, "stat_sticky", p, true);
    /* A set-group-ID directory gives its group and the bit */
    pr_rc(r, "chown_g", chown(a, 0, 1234));
    pr_rc(r, "chmod_g", chmod(a, 02775));
    pr_rc(r, "mkdir_in_sgid", mkdir(P(p, "a/sub"), 0755));
    put_stat(r, "stat_in_sgid", p, true);
    close(open(P(p, "a/file"), O_CREAT | O_WRONLY, 0644));
    put_stat(r, "file_in_sgid", p, true);
    put_stat(r, "stat_a", a, true);
}

static void case_rmdir(PosixRes *r, const PosixCtx *c)
{
    char d[PATH_MAX], p[PATH_MAX];
    unsigned long before;

    mkdir(P(d, "d"), 0755);
    close(open(P(p, "d/f"), O_CREAT | O_WRONLY, 0644));
    before = nlink_of(c->dir);
    pr_rc(r, "rmdir_nonempty", rmdir(d));
    pr_rc(r, "rmdir_file", rmdir(p));
    pr_rc(r, "rmdir_missing", rmdir(P(p, "missing")));
    pr_rc(r, "rmdir_dot", rmdir(P(p, "d/.")));
    pr_rc(r, "rmdir_dotdot", rmdir(P(p, "d/..")));
    symlink("d", P(p, "l"));
    pr_rc(r, "rmdir_symlink", rmdir(p));
    unlink(P(p, "d/f"));
    pr_rc(r, "rmdir", rmdir(d));
    pr_rc(r, "stat_after", access(d, F_OK));
    pr_put(r, "parent_nlink_delta", "%ld", (long)nlink_of(c->dir) -
           (long)before);
}

static void case_unlink(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], p[PATH_MAX], buf[16];
    struct stat st;
    int fd;

    pr_rc(r, "unlink_missing", unlink(P(p, "missing")));
    mkdir(P(p, "d"), 0755);
    pr_rc(r, "unlink_dir", unlink(p));
    close(open(P(f, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "unlink_notdir", unlink(P(p, "f/x")));
    pr_rc(r, "unlink", unlink(f));
    pr_rc(r, "stat_after", stat(f, &st));
    /* An open file lives on without its name */
    fd = open(f, O_CREAT | O_RDWR, 0644);
    pr_rc(r, "write", write(fd, "0123456789", 10));
    pr_rc(r, "unlink_open", unlink(f));
    pr_rc(r, "fstat_unlinked", fstat(fd, &st));
    pr_put(r, "unlinked_nlink", "%lu size=%lld", (unsigned long)st.st_nlink,
           (long long)st.st_size);
    pr_rc(r, "write_unlinked", pwrite(fd, "ab", 2, 10));
    memset(buf, 0, sizeof(buf));
    pr_rc(r, "read_unlinked", pread(fd, buf, sizeof(buf) - 1, 0));
    pr_put(r, "content", "%s", buf);
    pr_rc(r, "close", close(fd));
    pr_rc(r, "stat_gone", stat(f, &st));
    /* The name is free again */
    fd = open(f, O_CREAT | O_EXCL | O_WRONLY, 0644);
    pr_rc(r, "create_again", fd);
    close(fd);
    /* A symlink goes, not its target */
    symlink("f", P(p, "l"));
    pr_rc(r, "unlink_symlink", unlink(p));
    pr_rc(r, "target_stays", access(f, F_OK));
}

static void case_rename(PosixRes *r, const PosixCtx *c)
{
    char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX], q[PATH_MAX], buf[16];
    ino_t ino;
    int fd;

    pr_write_file(P(a, "a"), 100, 1);
    pr_write_file(P(b, "b"), 200, 2);
    ino = ino_of(a);
    pr_rc(r, "rename_over_file", rename(a, b));
    pr_put(r, "content", "%d", pr_check_file(b, 100, 1));
    pr_put(r, "ino_follows", "%d", ino_of(b) == ino);
    pr_rc(r, "old_gone", access(a, F_OK));
    pr_rc(r, "rename_missing", rename(a, b));
    pr_rc(r, "rename_same", rename(b, b));
    /* Directories */
    mkdir(P(p, "d1"), 0755);
    pr_write_file(P(p, "d1/x"), 10, 3);
    mkdir(P(p, "d1/sub"), 0755);
    pr_rc(r, "rename_dir", rename(P(p, "d1"), P(q, "d2")));
    pr_put(r, "moved_content", "%d", pr_check_file(P(p, "d2/x"), 10, 3));
    pr_rc(r, "moved_sub", access(P(p, "d2/sub"), F_OK));
    mkdir(P(p, "empty"), 0755);
    mkdir(P(p, "full"), 0755);
    close(open(P(p, "full/f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "dir_over_empty_dir", rename(P(p, "d2"), P(q, "empty")));
    pr_rc(r, "dir_over_full_dir", rename(P(p, "empty"), P(q, "full")));
    pr_rc(r, "file_over_dir", rename(b, P(q, "full")));
    pr_rc(r, "dir_over_file", rename(P(p, "full"), b));
    pr_rc(r, "dir_into_itself", rename(P(p, "empty"), P(q, "empty/sub/in")));
    pr_rc(r, "dir_to_other_parent", rename(P(p, "empty/sub"),
                                            P(q, "full/sub")));
    pr_put(r, "nlinks", "%lu %lu", nlink_of(P(p, "empty")),
           nlink_of(P(q, "full")));
    /* Flags */
    pr_write_file(a, 5, 4);
    pr_rc(r, "noreplace_existing", renameat2(AT_FDCWD, a, AT_FDCWD, b,
                                             RENAME_NOREPLACE));
    pr_rc(r, "noreplace_new", renameat2(AT_FDCWD, a, AT_FDCWD,
                                        P(p, "c"), RENAME_NOREPLACE));
    pr_rc(r, "exchange", renameat2(AT_FDCWD, p, AT_FDCWD, b,
                                   RENAME_EXCHANGE));
    pr_put(r, "exchanged", "%d %d", pr_check_file(b, 5, 4),
           pr_check_file(p, 100, 1));
    mkdir(P(q, "xdir"), 0755);
    pr_write_file(P(q, "xdir/in"), 7, 5);
    pr_rc(r, "exchange_dir_file", renameat2(AT_FDCWD, q, AT_FDCWD, b,
                                            RENAME_EXCHANGE));
    pr_put(r, "dir_file_swapped", "%d %d", pr_check_file(q, 5, 4),
           pr_check_file(P(p, "b/in"), 7, 5));
    pr_rc(r, "exchange_missing", renameat2(AT_FDCWD, q, AT_FDCWD,
                                           P(p, "none"), RENAME_EXCHANGE));
    pr_rc(r, "exchange_into_own_subtree",
          renameat2(AT_FDCWD, P(p, "b"), AT_FDCWD, P(q, "b/in"),
                    RENAME_EXCHANGE));
    /* Back: b is the file again, for what follows */
    pr_rc(r, "exchange_back", renameat2(AT_FDCWD, P(p, "xdir"), AT_FDCWD,
                                        P(q, "b"), RENAME_EXCHANGE));
    /* An open file keeps working under its new name */
    fd = open(b, O_RDWR);
    pr_rc(r, "rename_open", rename(b, a));
    pr_rc(r, "write_renamed", pwrite(fd, "zz", 2, 0));
    close(fd);
    fd = open(a, O_RDONLY);
    memset(buf, 0, sizeof(buf));
    pr_rc(r, "read_new_name", read(fd, buf, 2));
    pr_put(r, "read_value", "%s", buf);
    close(fd);
    /* A symlink is renamed, not its target */
    symlink("a", P(p, "l"));
    pr_rc(r, "rename_symlink", rename(p, P(q, "l2")));
    pr_rc(r, "readlink_moved", readlink(q, buf, sizeof(buf)));
    /* Another file system */
    snprintf(q, sizeof(q), "%s/moved", c->other);
    pr_rc(r, "rename_exdev", rename(a, q));
}

static void case_symlink(PosixRes *r, const PosixCtx *c)
{
    static char target[5000];
    char l[PATH_MAX], p[PATH_MAX], buf[PATH_MAX + 1];
    struct stat st;
    ssize_t n;
    int fd;

    pr_rc(r, "symlink", symlink("target-text", P(l, "l")));
    n = readlink(l, buf, sizeof(buf));
    pr_put(r, "readlink", "%zd %.*s", n, n > 0 ? (int)n : 0, buf);
    put_stat(r, "lstat", l, false);
    pr_rc(r, "stat_dangling", stat(l, &st));
    pr_rc(r, "symlink_exists", symlink("x", l));
    n = readlink(l, buf, 4);
    pr_put(r, "readlink_short", "%zd %.*s", n, n > 0 ? (int)n : 0, buf);
    close(open(P(p, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "readlink_file", readlink(p, buf, sizeof(buf)));
    pr_rc(r, "readlink_missing", readlink(P(p, "missing"), buf,
                                          sizeof(buf)));
    pr_rc(r, "symlink_empty", symlink("", P(p, "empty")));
    /* Relative targets resolve from the link's directory */
    mkdir(P(p, "d"), 0755);
    pr_write_file(P(p, "d/file"), 30, 5);
    pr_rc(r, "symlink_rel", symlink("d/file", P(p, "rel")));
    pr_put(r, "read_through", "%d", pr_check_file(p, 30, 5));
    pr_rc(r, "symlink_dir", symlink("d", P(p, "ld")));
    pr_put(r, "read_through_dir", "%d", pr_check_file(P(p, "ld/file"), 30,
                                                      5));
    fd = open(P(p, "rel"), O_RDONLY | O_NOFOLLOW);
    pr_rc(r, "open_nofollow", fd);
    if (fd >= 0) {
        close(fd);
    }
    symlink("loop2", P(p, "loop1"));
    symlink("loop1", P(p, "loop2"));
    pr_rc(r, "open_loop", open(P(p, "loop1"), O_RDONLY));
    /* Long targets */
    memset(target, 't', sizeof(target));
    target[1023] = '\0';
    pr_rc(r, "target_1023", symlink(target, P(p, "t1023")));
    n = readlink(p, buf, sizeof(buf));
    pr_put(r, "readlink_1023", "%zd", n);
    target[1023] = 't';
    target[1024] = '\0';
    pr_rc(r, "target_1024", symlink(target, P(p, "t1024")));
    target[1024] = 't';
    target[4095] = '\0';
    pr_rc(r, "target_4095", symlink(target, P(p, "t4095")));
    target[4095] = 't';
    target[4096] = '\0';
    pr_rc(r, "target_4096", symlink(target, P(p, "t4096")));
}

/* The bytes of a file, up to 31, or its errno's name. */
static void put_data(PosixRes *r, const char *key, const char *path)
{
    char buf[32] = "";
    int fd = open(path, O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

    if (n < 0) {
        pr_put(r, key, "%s", pr_errname(errno));
    } else {
        pr_put(r, key, "%.*s", (int)n, buf);
    }
    if (fd >= 0) {
        close(fd);
    }
}

/* Hard links: every name is the same file, until the last one goes. */
static void case_link(PosixRes *r, const PosixCtx *c)
{
    char f[PATH_MAX], g[PATH_MAX], h[PATH_MAX], p[PATH_MAX], s[PATH_MAX];
    int fd;

    close(open(P(f, "f"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "link", link(f, P(g, "g")));
    pr_put(r, "same_inode", "%d", ino_of(f) != 0 && ino_of(f) == ino_of(g));
    put_stat(r, "stat_g", g, false);
    /* Written through one name, read through the other */
    fd = open(f, O_WRONLY | O_TRUNC);
    pr_rc(r, "write_f", write(fd, "linked", 6));
    close(fd);
    put_data(r, "data_g", g);
    pr_rc(r, "chmod_g", chmod(g, 0600));
    put_stat(r, "stat_f_after_chmod", f, false);
    /* In a subdirectory too, and three names */
    mkdir(P(p, "sub"), 0755);
    pr_rc(r, "link_sub", link(g, P(h, "sub/h")));
    pr_put(r, "nlink_3", "%lu", nlink_of(f));
    pr_put(r, "dir_nlink", "%lu", nlink_of(p));
    pr_rc(r, "rmdir_sub", rmdir(p));
    /* Renaming one name onto another of the same file does nothing */
    pr_rc(r, "rename_same", rename(f, g));
    pr_put(r, "rename_same_both", "%d %d", access(f, F_OK) == 0,
           access(g, F_OK) == 0);
    /* The first name goes: the others stay, with the data */
    pr_rc(r, "unlink_f", unlink(f));
    put_data(r, "data_h", h);
    pr_put(r, "nlink_2", "%lu", nlink_of(g));
    /* Open through one name, the other unlinked: still readable */
    fd = open(h, O_RDONLY);
    pr_rc(r, "unlink_g_open", unlink(g));
    pr_put(r, "nlink_open", "%lu", nlink_of(h));
    pr_rc(r, "unlink_h_open", unlink(h));
    if (fd >= 0) {
        char buf[8] = "";

        pr_rc(r, "read_unlinked", pread(fd, buf, 6, 0));
        pr_put(r, "data_unlinked", "%.6s", buf);
        close(fd);
    }
    pr_rc(r, "rmdir_sub_empty", rmdir(p));
    /* A name over a name: rename replaces one name of a linked file */
    close(open(P(f, "a"), O_CREAT | O_WRONLY, 0644));
    link(f, P(g, "a2"));
    close(open(P(h, "b"), O_CREAT | O_WRONLY, 0644));
    pr_rc(r, "rename_over_link", rename(h, g));
    pr_put(r, "nlink_after_over", "%lu %lu", nlink_of(f), nlink_of(g));
    /* A symlink has hard links too (link(2) does not follow it) */
    symlink("a", P(s, "sym"));
    pr_rc(r, "link_symlink", link(s, P(p, "sym2")));
    put_stat(r, "stat_sym2", p, false);

    pr_rc(r, "link_exists", link(f, f));
    pr_rc(r, "link_missing", link(P(p, "missing"), P(h, "h")));
    pr_rc(r, "link_dir", link(c->dir, P(p, "dirlink")));
    snprintf(p, sizeof(p), "%s/link-exdev", c->other);
    pr_rc(r, "link_exdev", link(f, p));
}

static void case_mknod(PosixRes *r, const PosixCtx *c)
{
    char p[PATH_MAX];
    struct stat st;

    pr_rc(r, "mknod_reg", mknod(P(p, "reg"), S_IFREG | 0640, 0));
    put_stat(r, "stat_reg", p, false);
    pr_rc(r, "mknod_exists", mknod(p, S_IFREG | 0640, 0));
    pr_rc(r, "mkfifo", mkfifo(P(p, "fifo"), 0644));
    pr_rc(r, "mknod_chr", mknod(P(p, "null"), S_IFCHR | 0666,
                                makedev(1, 3)));
    pr_rc(r, "mknod_blk", mknod(P(p, "blk"), S_IFBLK | 0600,
                                makedev(7, 0)));
    pr_rc(r, "mknod_sock", mknod(P(p, "sock"), S_IFSOCK | 0644, 0));
    pr_rc(r, "mknod_bad_type", mknod(P(p, "bad"), 0170000 | 0644, 0));
    pr_rc(r, "stat_fifo", lstat(P(p, "fifo"), &st));
}

/* The mount point itself: busy */
static void case_mountpoint(PosixRes *r, const PosixCtx *c)
{
    char root[PATH_MAX], p[PATH_MAX + 8];
    struct stat st;

    snprintf(root, sizeof(root), "%.*s", (int)(strlen(c->dir) - c->rel_len),
             c->dir);
    snprintf(p, sizeof(p), "%s.moved", root);
    pr_rc(r, "rmdir_root", rmdir(root));
    pr_rc(r, "rename_root", rename(root, p));
    pr_rc(r, "stat_root", stat(root, &st));
    pr_put(r, "root_is_dir", "%d", S_ISDIR(st.st_mode));
}

const PosixCase posix_name_cases[] = {
    { "mountpoint", case_mountpoint },
    { "getattr", case_getattr },
    { "readdir", case_readdir },
    { "longpath", case_longpath },
    { "mkdir", case_mkdir },
    { "rmdir", case_rmdir },
    { "unlink", case_unlink },
    { "rename", case_rename },
    { "symlink", case_symlink },
    { "link", case_link },
    { "mknod", case_mknod },
    { NULL, NULL },
};
