/*
 * Regular files: create, open and release, setattr, and the I/O requests
 * the kernel sends only when passthrough is not in use.
 *
 * Every open of an inode shares one Librarian handle, opened for reading
 * and writing by the daemon (the kernel has already checked the calling
 * process's access mode), and one shelf file from the driver, which is the
 * FUSE passthrough backing file: the kernel allows one backing file per
 * inode at a time.
 */
#include "lfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "fame/fam-ioctl.h"

static Lfs *lfs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

static struct timespec shelf_mtime(int fd)
{
    struct stat st;

    return fstat(fd, &st) == 0 ? st.st_mtim : (struct timespec){ 0 };
}

void lfs_push_mtime(Lfs *lfs, LfsInode *ino)
{
    struct fam_lib_args args = {
        .atime_ns = FAM_LIB_TIME_OMIT,
        .mtime_ns = FAM_LIB_TIME_NOW,
    };
    char path[FAM_LIB_PATH_MAX];
    struct timespec now;

    if (ino->shelf_fd < 0) {
        return;
    }
    now = shelf_mtime(ino->shelf_fd);
    if (now.tv_sec == ino->written.tv_sec &&
        now.tv_nsec == ino->written.tv_nsec) {
        return;
    }
    if (lfs_path(lfs, ino->id, NULL, path) == 0 &&
        lfs_call(lfs, FAM_LIB_OP_SETTIMES, &args, path, NULL, NULL, 0, NULL,
                 NULL) == 0) {
        ino->written = now;
    }
}

/* Give the inode its shared handle and shelf file, if not open yet. */
static int shelf_open(fuse_req_t req, Lfs *lfs, LfsInode *ino,
                      struct fam_lib_attr *attr)
{
    struct fam_lib_args args = {
        .flags = FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE,
    };
    struct fam_ioc_shelf_file sf = { .flags = O_RDWR | O_CLOEXEC };
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_open op;
    const void *body;
    size_t len;
    int ret;

    if (ino->opens > 0) {
        ino->opens++;
        return 0;
    }
    ret = lfs_path(lfs, ino->id, NULL, path);
    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_OPEN, &args, path, NULL, NULL, 0,
                       &body, &len);
    }
    if (ret == 0 && len < sizeof(op)) {
        ret = -EPROTO;
    }
    if (ret < 0) {
        return ret;
    }
    memcpy(&op, body, sizeof(op));
    sf.handle = op.handle;
    if (op.attr.id != ino->id) {
        ret = -ESTALE;      /* the name is another shelf's now */
    } else if (ioctl(lfs->fam_fd, FAM_IOC_SHELF_FILE, &sf) < 0) {
        ret = -errno;
    }
    if (ret < 0) {
        args = (struct fam_lib_args){ .handle = op.handle };
        lfs_call(lfs, FAM_LIB_OP_CLOSE, &args, NULL, NULL, NULL, 0, NULL,
                 NULL);
        return ret;
    }
    ino->handle = op.handle;
    ino->shelf_fd = sf.fd;
    ino->backing_id = 0;
    ino->written = shelf_mtime(sf.fd);
    if (lfs->passthrough) {
        ret = fuse_passthrough_open(req, sf.fd);
        if (ret > 0) {
            ino->backing_id = ret;
        } else {
            fprintf(stderr, "fam-lfs: passthrough of %s refused (%d): "
                    "reads and writes go through the daemon\n", path, ret);
        }
    }
    ino->opens = 1;
    *attr = op.attr;
    return 1;
}

static void shelf_close(fuse_req_t req, Lfs *lfs, LfsInode *ino)
{
    if (--ino->opens > 0) {
        return;
    }
    lfs_push_mtime(lfs, ino);
    if (ino->backing_id > 0) {
        fuse_passthrough_close(req, ino->backing_id);
    }
    /* The driver closes the Librarian handle when the file goes. */
    close(ino->shelf_fd);
    ino->shelf_fd = -1;
    ino->backing_id = 0;
    if (ino->orphan) {
        lfs_orphan_reap(lfs, ino);
    }
    lfs_inode_forget(lfs, ino->id, 0);
}

/*
 * Open `ino` for the request: fi is set up for passthrough. On a first
 * open, a size that changed since the kernel last heard of it drops the
 * kernel's cached attributes (close-to-open consistency).
 */
static int open_inode(fuse_req_t req, Lfs *lfs, LfsInode *ino,
                      struct fuse_file_info *fi, bool *stale_size)
{
    struct fam_lib_attr a;
    int ret;

    if (fi->flags & O_DIRECT) {
        return -EINVAL;     /* docs/lfs.md: the mapping is direct anyway */
    }
    ret = shelf_open(req, lfs, ino, &a);
    if (ret < 0) {
        return ret;
    }
    *stale_size = ret == 1 && a.size != ino->size_seen;
    lfs->stats.opens++;
    fi->fh = ino->id;
    fi->keep_cache = 0;
    fi->direct_io = 0;
    fi->noflush = 1;    /* nothing to flush: no FLUSH round trip at close */
    if (ino->backing_id > 0) {
        fi->backing_id = ino->backing_id;
        lfs->stats.passthrough++;
    }
    return 0;
}

static void lfs_open(fuse_req_t req, fuse_ino_t id, struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    LfsInode *ino = lfs_inode_find(lfs, id);
    bool stale = false;
    int ret = ino ? open_inode(req, lfs, ino, fi, &stale) : -ESTALE;

    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    if (fuse_reply_open(req, fi) != 0) {
        shelf_close(req, lfs, ino);
        return;
    }
    if (stale) {
        fuse_lowlevel_notify_inval_inode(lfs->se, id, -1, 0);
    }
}

/* CREATE `name` in `parent`, owned by the calling process; path is set. */
static int create_shelf(fuse_req_t req, Lfs *lfs, fuse_ino_t parent,
                        const char *name, mode_t mode, char *path,
                        struct fam_lib_attr *a)
{
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    struct fam_lib_args args = {
        .mode = mode & 07777,
        .flags = FAM_LIB_MAKE_OWNER,
        .uid = ctx->uid,
        .gid = ctx->gid,
    };
    int ret = lfs_path(lfs, parent, name, path);

    if (ret == 0) {
        ret = lfs_call_attr(lfs, FAM_LIB_OP_CREATE, &args, path, NULL, a);
    }
    return ret;
}

static void lfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
                       mode_t mode, struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    struct fuse_entry_param e;
    struct fam_lib_attr a;
    LfsInode *ino;
    bool stale;
    int ret;

    if (fi->flags & O_DIRECT) {
        fuse_reply_err(req, EINVAL);    /* before making anything */
        return;
    }
    ret = create_shelf(req, lfs, parent, name, mode, path, &a);

    /* Made by another node since the kernel's lookup: open that one. */
    if (ret == -EEXIST && !(fi->flags & O_EXCL)) {
        ret = lfs_getattr_path(lfs, path, &a);
        if (ret == 0 && (a.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFREG) {
            ret = (a.mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFDIR ? -EISDIR
                                                               : -EEXIST;
        }
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    ino = lfs_fill_entry(lfs, parent, name, &a, &e);
    if (!ino) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    ret = open_inode(req, lfs, ino, fi, &stale);
    if (ret < 0) {
        lfs_inode_forget(lfs, a.id, 1);
        fuse_reply_err(req, -ret);
        return;
    }
    if (fuse_reply_create(req, &e, fi) != 0) {
        shelf_close(req, lfs, ino);
        lfs_inode_forget(lfs, a.id, 1);
    }
}

/*
 * O_TMPFILE: a file with no name is a shelf made in the orphans
 * directory and removed at its last close, like an unlinked open file.
 * It cannot be given a name later: linkat(2) makes a hard link (EPERM).
 */
static void lfs_tmpfile(fuse_req_t req, fuse_ino_t parent, mode_t mode,
                        struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    char name[64], path[FAM_LIB_PATH_MAX];
    struct fuse_entry_param e;
    struct fam_lib_attr a;
    LfsInode *ino = NULL;
    uint64_t r = 0;
    bool stale;
    int ret;

    (void)parent;
    /* A name no other node's daemon picks: the directory is shared */
    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
        fuse_reply_err(req, EIO);
        return;
    }
    snprintf(name, sizeof(name), LFS_ORPHANS_NAME "/tmp-%016" PRIx64, r);
    ret = create_shelf(req, lfs, FUSE_ROOT_ID, name, mode, path, &a);
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    ino = lfs_fill_entry(lfs, FUSE_ROOT_ID, name, &a, &e);
    ret = ino ? open_inode(req, lfs, ino, fi, &stale) : -ENOMEM;
    if (ret == 0) {
        /* Open, so it is reaped at its last close */
        ret = lfs_orphan(lfs, ino);
        if (ret < 0) {
            shelf_close(req, lfs, ino);
        }
    }
    if (ret < 0) {
        lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0, NULL,
                 NULL);
        if (ino) {
            lfs_inode_forget(lfs, a.id, 1);
        }
        fuse_reply_err(req, -ret);
        return;
    }
    if (fuse_reply_create(req, &e, fi) != 0) {
        shelf_close(req, lfs, ino);
        lfs_inode_forget(lfs, a.id, 1);
    }
}

/*
 * mknod(2): a regular file is a shelf like any other; a shelf cannot be a
 * FIFO, socket or device, and EPERM is what mknod(2) says for a file
 * system that does not support the type (docs/lfs.md).
 */
static void lfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
                      mode_t mode, dev_t rdev)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_attr a;
    int ret = S_ISREG(mode) ? create_shelf(req, lfs, parent, name, mode,
                                           path, &a)
                            : -EPERM;

    (void)rdev;
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    lfs_reply_entry(req, lfs, parent, name, &a);
}

static void lfs_release(fuse_req_t req, fuse_ino_t id,
                        struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    LfsInode *ino = lfs_inode_find(lfs, id);

    (void)fi;
    if (ino && ino->opens > 0) {
        shelf_close(req, lfs, ino);
    }
    fuse_reply_err(req, 0);
}

static void lfs_flush(fuse_req_t req, fuse_ino_t id, struct fuse_file_info *fi)
{
    (void)id;
    (void)fi;
    fuse_reply_err(req, 0);
}

/* The shelf file of an open inode, or -1. */
static int shelf_fd(Lfs *lfs, fuse_ino_t id)
{
    LfsInode *ino = lfs_inode_find(lfs, id);

    return ino && ino->opens > 0 ? ino->shelf_fd : -1;
}

/* Only without passthrough: the shelf file does the work. */
static void lfs_read(fuse_req_t req, fuse_ino_t id, size_t size, off_t off,
                     struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
    int fd = shelf_fd(lfs, id);

    (void)fi;
    lfs->stats.reads++;
    if (fd < 0) {
        fuse_reply_err(req, EBADF);
        return;
    }
    buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
    buf.buf[0].fd = fd;
    buf.buf[0].pos = off;
    fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

static void lfs_write(fuse_req_t req, fuse_ino_t id, const char *data,
                      size_t size, off_t off, struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    int fd = shelf_fd(lfs, id);
    ssize_t n;

    (void)fi;
    lfs->stats.writes++;
    if (fd < 0) {
        fuse_reply_err(req, EBADF);
        return;
    }
    n = pwrite(fd, data, size, off);
    if (n < 0) {
        fuse_reply_err(req, errno);
        return;
    }
    fuse_reply_write(req, (size_t)n);
}

static void lfs_fsync(fuse_req_t req, fuse_ino_t id, int datasync,
                      struct fuse_file_info *fi)
{
    int fd = shelf_fd(lfs_of(req), id);
    int ret = 0;

    (void)fi;
    if (fd >= 0 && (datasync ? fdatasync(fd) : fsync(fd)) < 0) {
        ret = errno;
    }
    fuse_reply_err(req, ret);
}

static void lfs_fallocate(fuse_req_t req, fuse_ino_t id, int mode,
                          off_t off, off_t len, struct fuse_file_info *fi)
{
    int fd = shelf_fd(lfs_of(req), id);
    int ret = 0;

    (void)fi;
    if (mode != 0) {
        ret = EOPNOTSUPP;   /* no holes in a shelf: docs/lfs.md */
    } else if (fd < 0) {
        ret = EBADF;
    } else if (fallocate(fd, 0, off, len) < 0) {
        ret = errno;
    }
    fuse_reply_err(req, ret);
}

/* A resize by handle when open here (it does not depend on the name). */
static int set_size(Lfs *lfs, LfsInode *ino, const char *path, off_t size)
{
    struct fam_lib_args args = { .size = (uint64_t)size };
    struct fam_ioc_shelf_refresh r;
    bool open = ino && ino->opens > 0;
    int ret;

    if (open) {
        args.handle = ino->handle;
    }
    ret = lfs_call(lfs, FAM_LIB_OP_RESIZE, &args, open ? NULL : path, NULL,
                   NULL, 0, NULL, NULL);
    /* The shelf file learns its new size and books. */
    if (ret == 0 && open &&
        ioctl(ino->shelf_fd, FAM_IOC_SHELF_REFRESH, &r) < 0) {
        ret = -errno;
    }
    return ret;
}

/*
 * Nanoseconds since the epoch. A time an int64 of nanoseconds cannot hold
 * (before 1677, after 2262) is clamped, as Linux clamps a time to what a
 * file system stores; the protocol's markers are below the range.
 */
static int64_t time_ns(const struct timespec *t)
{
    const int64_t max_s = INT64_MAX / 1000000000 - 1;

    if (t->tv_sec > max_s) {
        return max_s * 1000000000 + 999999999;
    }
    if (t->tv_sec < -max_s) {
        return -max_s * 1000000000;
    }
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t time_arg(int to_set, int set, int now, const struct timespec *t)
{
    if (to_set & now) {
        return FAM_LIB_TIME_NOW;
    }
    if (to_set & set) {
        return time_ns(t);
    }
    return FAM_LIB_TIME_OMIT;
}

static void lfs_setattr(fuse_req_t req, fuse_ino_t id, struct stat *attr,
                        int to_set, struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    LfsInode *ino = lfs_inode_find(lfs, id);
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_args args;
    int ret = lfs_path(lfs, id, NULL, path);

    (void)fi;
    if (ret == 0 && (to_set & FUSE_SET_ATTR_MODE)) {
        args = (struct fam_lib_args){ .mode = attr->st_mode & 07777 };
        ret = lfs_call(lfs, FAM_LIB_OP_CHMOD, &args, path, NULL, NULL, 0,
                       NULL, NULL);
    }
    if (ret == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
        args = (struct fam_lib_args){
            .uid = to_set & FUSE_SET_ATTR_UID ? attr->st_uid
                                              : FAM_LIB_ID_KEEP,
            .gid = to_set & FUSE_SET_ATTR_GID ? attr->st_gid
                                              : FAM_LIB_ID_KEEP,
        };
        ret = lfs_call(lfs, FAM_LIB_OP_CHOWN, &args, path, NULL, NULL, 0,
                       NULL, NULL);
    }
    if (ret == 0 && (to_set & FUSE_SET_ATTR_SIZE)) {
        ret = set_size(lfs, ino, path, attr->st_size);
    }
    if (ret == 0 && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
                               FUSE_SET_ATTR_ATIME_NOW |
                               FUSE_SET_ATTR_MTIME_NOW))) {
        args = (struct fam_lib_args){
            .atime_ns = time_arg(to_set, FUSE_SET_ATTR_ATIME,
                                 FUSE_SET_ATTR_ATIME_NOW, &attr->st_atim),
            .mtime_ns = time_arg(to_set, FUSE_SET_ATTR_MTIME,
                                 FUSE_SET_ATTR_MTIME_NOW, &attr->st_mtim),
        };
        ret = lfs_call(lfs, FAM_LIB_OP_SETTIMES, &args, path, NULL, NULL, 0,
                       NULL, NULL);
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    lfs_reply_getattr(req, lfs, id);
}

void lfs_ops_file(struct fuse_lowlevel_ops *ops)
{
    ops->create = lfs_create;
    ops->mknod = lfs_mknod;
    ops->tmpfile = lfs_tmpfile;
    ops->open = lfs_open;
    ops->release = lfs_release;
    ops->flush = lfs_flush;
    ops->read = lfs_read;
    ops->write = lfs_write;
    ops->fsync = lfs_fsync;
    ops->fallocate = lfs_fallocate;
    ops->setattr = lfs_setattr;
}
