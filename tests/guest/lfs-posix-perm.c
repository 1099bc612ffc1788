/*
 * lfs-posix: permission checks as other users (see lfs-posix.h). Root
 * sets up files and directories of known modes, then children as uid
 * 1000 and 1001 (setuid in a forked child) try what they may and may
 * not do.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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

static int make(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
    int fd = open(path, O_CREAT | O_WRONLY, 0600);

    if (fd < 0 || write(fd, "secret", 6) != 6) {
        return -1;
    }
    close(fd);
    return chown(path, uid, gid) == 0 && chmod(path, mode) == 0 ? 0 : -1;
}

static void touch_rc(PosixRes *r, const char *key, const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY, 0644);

    pr_rc(r, key, fd);
    if (fd >= 0) {
        close(fd);
    }
}

/* As uid 1000: what root's files and directories allow. */
static void as_1000(PosixRes *r, const PosixCtx *c)
{
    struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
    char p[PATH_MAX], q[PATH_MAX], buf[16];
    DIR *d;
    int fd;

    umask(022);
    pr_rc(r, "read_0600", open(P(p, "root0600"), O_RDONLY));
    pr_rc(r, "access_0600", access(p, R_OK));
    fd = open(P(p, "root0644"), O_RDONLY);
    pr_rc(r, "read_0644", fd);
    pr_rc(r, "read_bytes", fd >= 0 ? read(fd, buf, sizeof(buf)) : -1);
    close(fd);
    pr_rc(r, "write_0644", open(p, O_WRONLY));
    pr_rc(r, "trunc_0644", truncate(p, 0));
    pr_rc(r, "chmod_not_owner", chmod(p, 0666));
    pr_rc(r, "chown_not_owner", chown(p, 1000, 1000));
    pr_rc(r, "touch_not_owner", utimensat(AT_FDCWD, p, NULL, 0));
    pr_rc(r, "utimes_not_owner", utimensat(AT_FDCWD, p, ts, 0));
    pr_rc(r, "setxattr_no_write", setxattr(p, "user.x", "1", 1, 0));
    pr_rc(r, "getxattr_readable", getxattr(p, "user.x", buf, sizeof(buf)));
    pr_rc(r, "create_in_root_dir", open(P(p, "mine"), O_CREAT | O_WRONLY,
                                        0644));
    pr_rc(r, "mkdir_in_root_dir", mkdir(P(p, "mydir"), 0755));
    pr_rc(r, "symlink_in_root_dir", symlink("x", P(p, "mylink")));
    pr_rc(r, "unlink_in_root_dir", unlink(P(p, "root0644")));
    pr_rc(r, "rename_in_root_dir", rename(P(p, "root0644"), P(q, "moved")));
    pr_rc(r, "rmdir_in_root_dir", rmdir(P(p, "open")));
    d = opendir(P(p, "priv"));
    pr_put(r, "opendir_0700", "%s", d ? "ok" : pr_errname(errno));
    if (d) {
        closedir(d);
    }
    pr_rc(r, "stat_in_0700", access(P(p, "priv/file"), F_OK));
    d = opendir(P(p, "noexec"));
    pr_put(r, "opendir_0644_dir", "%s", d ? "ok" : pr_errname(errno));
    if (d) {
        closedir(d);
    }
    pr_rc(r, "stat_in_0644_dir", access(P(p, "noexec/file"), F_OK));
    /* Its own files, in a world-writable directory */
    fd = open(P(p, "open/own"), O_CREAT | O_RDWR, 0666);
    pr_rc(r, "create_own", fd);
    pr_rc(r, "write_own", write(fd, "own", 3));
    close(fd);
    put_owner(r, "own", p);
    pr_rc(r, "chmod_own", chmod(p, 0640));
    pr_rc(r, "chown_own_to_other", chown(p, 1001, (gid_t)-1));
    pr_rc(r, "chgrp_own_to_nonmember", chown(p, (uid_t)-1, 2000));
    pr_rc(r, "chgrp_own_to_member", chown(p, (uid_t)-1, 1000));
    pr_rc(r, "utimes_own", utimensat(AT_FDCWD, p, ts, 0));
    pr_rc(r, "setxattr_own", setxattr(p, "user.own", "1", 1, 0));
    pr_rc(r, "trusted_as_user", setxattr(p, "trusted.own", "1", 1, 0));
    pr_rc(r, "mkdir_own", mkdir(P(p, "open/owndir"), 0777));
    put_owner(r, "owndir", p);
    touch_rc(r, "create_in_sticky", P(p, "sticky/mine"));
    touch_rc(r, "create_in_sgid", P(p, "sgid/mine"));
    put_owner(r, "in_sgid", p);
    pr_rc(r, "mkdir_in_sgid", mkdir(P(p, "sgid/minedir"), 0755));
    put_owner(r, "dir_in_sgid", p);
    /* A write by a non-root owner drops set-user-ID */
    fd = open(P(p, "open/suid"), O_CREAT | O_RDWR, 0755);
    pr_rc(r, "chmod_suid", fchmod(fd, 04755));
    pr_rc(r, "write_suid", write(fd, "x", 1));
    close(fd);
    put_owner(r, "suid_after_write", p);
    /* Its own group file for uid 1001 */
    fd = open(P(p, "open/group"), O_CREAT | O_WRONLY, 0640);
    close(fd);
    pr_rc(r, "chmod_group_file", chmod(p, 0640));
}

/* As uid 1001, no supplementary groups: uid 1000's things. */
static void as_1001(PosixRes *r, const PosixCtx *c)
{
    char p[PATH_MAX], q[PATH_MAX];

    pr_rc(r, "unlink_in_sticky", unlink(P(p, "sticky/mine")));
    pr_rc(r, "rename_in_sticky", rename(p, P(q, "sticky/theirs")));
    pr_rc(r, "write_others_0640", open(P(p, "open/own"), O_WRONLY));
    pr_rc(r, "read_others_0640", open(p, O_RDONLY));
    pr_rc(r, "read_group_not_member", open(P(p, "open/group"), O_RDONLY));
    pr_rc(r, "unlink_others_in_0777", unlink(P(p, "open/own")));
}

/* As uid 1001 with 1000 among its groups. */
static void as_1001_in_1000(PosixRes *r, const PosixCtx *c)
{
    char p[PATH_MAX];
    int fd = open(P(p, "open/group"), O_RDONLY);

    pr_rc(r, "read_group_member", fd);
    if (fd >= 0) {
        close(fd);
    }
    pr_rc(r, "write_group_member", open(p, O_WRONLY));
}

static void case_perm(PosixRes *r, const PosixCtx *c)
{
    static const gid_t g1000[] = { 1000 };
    char p[PATH_MAX];

    pr_rc(r, "root0600", make(P(p, "root0600"), 0600, 0, 0));
    pr_rc(r, "root0644", make(P(p, "root0644"), 0644, 0, 0));
    mkdir(P(p, "open"), 0777);
    chmod(p, 0777);
    mkdir(P(p, "sticky"), 01777);
    chmod(p, 01777);
    mkdir(P(p, "priv"), 0700);
    make(P(p, "priv/file"), 0644, 0, 0);
    mkdir(P(p, "noexec"), 0755);
    make(P(p, "noexec/file"), 0644, 0, 0);
    chmod(P(p, "noexec"), 0644);
    mkdir(P(p, "sgid"), 0777);
    chown(p, 0, 1234);
    pr_rc(r, "chmod_sgid_dir", chmod(p, 02777));
    pr_as_user(r, 1000, 1000, 0, NULL, as_1000, c);
    pr_as_user(r, 1001, 1001, 0, NULL, as_1001, c);
    pr_as_user(r, 1001, 1001, 1, g1000, as_1001_in_1000, c);
    put_owner(r, "own_after", P(p, "open/own"));
    put_owner(r, "sticky_after", P(p, "sticky/mine"));
}

const PosixCase posix_perm_cases[] = {
    { "perm", case_perm },
    { NULL, NULL },
};
