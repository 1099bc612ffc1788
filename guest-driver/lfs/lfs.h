/*
 * fam-lfs: the Librarian File System, a FUSE daemon that shows the
 * Librarian's namespace at /lfs in a node (docs/lfs.md).
 *
 * Every operation becomes Librarian requests through /dev/fam0
 * (FAM_IOC_LIB): the guest driver vouches for who is asking and the device
 * enforces which books the node may touch. The daemon runs as root; the
 * kernel checks each process's permissions (default_permissions) before a
 * request reaches it, and files it makes are given to that process
 * (FAM_LIB_MAKE_OWNER).
 *
 * Reads, writes and mmap of a regular file do not come here: at open the
 * daemon asks the driver for a shelf file (FAM_IOC_SHELF_FILE) and hands
 * it to the kernel as the FUSE passthrough backing file, so loads and
 * stores go straight to the shelf's books.
 *
 * Inode numbers are shelf ids (the root shelf is 1, FUSE_ROOT_ID). The
 * Librarian is addressed by path, so the daemon keeps, for each inode the
 * kernel knows, its parent and a name (lfs-inode.c) and builds paths from
 * them. A file with hard links has several names; any one will do.
 */
#ifndef LFS_H
#define LFS_H

#define FUSE_USE_VERSION 317

#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fame/fam-librarian-proto.h"

/* One inode the kernel has looked up (or the root). */
typedef struct LfsInode {
    uint64_t id;            /* shelf id = inode number */
    uint64_t parent;        /* the directory it was found in */
    char *name;             /* its name there; NULL once removed */
    /*
     * Its Librarian path instead, when the name the daemon knew is gone
     * but the file has another (a hard link) in a directory the kernel
     * may not have looked up; NULL otherwise.
     */
    char *path;
    uint64_t nlookup;       /* the kernel's references (FUSE forget) */
    struct LfsInode *next;  /* hash chain */

    /*
     * Open state, shared by every open of the inode: the kernel allows
     * one passthrough backing file per inode at a time.
     */
    unsigned opens;
    /*
     * The Librarian open handle (the shelf file owns it). Kept after the
     * last release: a mapping holds the shelf file, and so the handle,
     * until it is unmapped (FUSE passthrough maps the shelf file itself).
     */
    uint64_t handle;
    int shelf_fd;           /* the shelf file, -1 if not open */
    int backing_id;         /* its FUSE passthrough id, 0 if none */
    uint64_t size_seen;     /* size last told to the kernel */
    struct timespec written;    /* the shelf file's mtime, last pushed */
    struct fam_lib_attr last;   /* attributes last told to the kernel */
    bool orphan;            /* unlinked while open: in LFS_ORPHANS */
    bool orphan_waits;      /* ... closed, not yet removed (still mapped) */
} LfsInode;

/* What the daemon has been asked, for `user.LFS.stats` (docs/lfs.md). */
typedef struct LfsStats {
    uint64_t lib_calls;     /* Librarian requests sent */
    uint64_t opens;         /* regular files opened */
    uint64_t passthrough;   /* ... of which handed to the kernel */
    uint64_t reads;         /* READ requests (0 while passthrough works) */
    uint64_t writes;        /* WRITE requests */
} LfsStats;

typedef struct Lfs {
    struct fuse_session *se;
    int fam_fd;             /* /dev/famN */
    uint32_t seq;
    uint64_t book_size;
    double timeout;         /* attribute and entry cache, seconds */
    bool passthrough;       /* the kernel took FUSE_CAP_PASSTHROUGH */
    LfsInode **buckets;
    size_t nbuckets;
    size_t count;
    LfsInode root;
    LfsStats stats;
    unsigned orphans_waiting;   /* inodes with orphan_waits */
    unsigned char req[FAM_LIB_MSG_MAX];
    unsigned char reply[FAM_LIB_MSG_MAX];
} Lfs;

/*
 * Files unlinked (or replaced by a rename) while open on this node wait
 * here, as /.lfs-deleted/<shelf id>, until their last close: the
 * Librarian does not destroy a shelf that is open. The directory is
 * hidden from lookup and readdir (docs/lfs.md).
 */
#define LFS_ORPHANS_NAME       ".lfs-deleted"
#define LFS_ORPHANS            "/" LFS_ORPHANS_NAME

#define LFS_DIRENT_OFF_DOT     1    /* readdir offsets of "." and ".." */
#define LFS_DIRENT_OFF_DOTDOT  2

/* lfs-call.c: Librarian requests */

/*
 * Send one request; on success *body and *len (either may be NULL) are the
 * reply body, valid until the next call. Returns 0 or a negative errno.
 */
int lfs_call(Lfs *lfs, uint16_t op, const struct fam_lib_args *args,
             const char *str1, const char *str2, const void *blob,
             size_t blob_len, const void **body, size_t *len);
int lfs_call_attr(Lfs *lfs, uint16_t op, const struct fam_lib_args *args,
                  const char *str1, const char *str2,
                  struct fam_lib_attr *attr);
int lfs_getattr_path(Lfs *lfs, const char *path, struct fam_lib_attr *attr);

/*
 * Writes through passthrough reach the shelf file, not the daemon; the
 * driver stamps the shelf file's mtime. If it moved since the last look,
 * tell the Librarian (its mtime becomes its "now"), so that stat here and
 * on other nodes shows the write. Called before attributes of an open
 * inode are reported, and at its last close.
 */
void lfs_push_mtime(Lfs *lfs, LfsInode *ino);
void lfs_attr_to_stat(const Lfs *lfs, const struct fam_lib_attr *a,
                      struct stat *st);

/* lfs-inode.c: the inode table and paths */
int lfs_inodes_init(Lfs *lfs);
void lfs_inodes_free(Lfs *lfs);
LfsInode *lfs_inode_find(Lfs *lfs, uint64_t id);
/* The inode `id` found as `name` in `parent`, one more kernel reference. */
LfsInode *lfs_inode_remember(Lfs *lfs, uint64_t id, uint64_t parent,
                             const char *name);
void lfs_inode_forget(Lfs *lfs, uint64_t id, uint64_t n);
/* The inode known as `name` in `parent`, or NULL. */
LfsInode *lfs_inode_child(Lfs *lfs, uint64_t parent, const char *name);
int lfs_inode_move(Lfs *lfs, LfsInode *ino, uint64_t parent,
                   const char *name);
/*
 * The name the daemon knew `ino` by was removed or replaced here: it has
 * none now, or, if the file has more names, the Librarian's path of its
 * first one (FAM_LIB_OP_GETPATH).
 */
void lfs_inode_name_gone(Lfs *lfs, LfsInode *ino);
/*
 * The Librarian path of inode `id`, or of `name` in directory `id` when
 * name is not NULL, into buf[FAM_LIB_PATH_MAX]. Returns 0, -ENAMETOOLONG,
 * or -ESTALE for an inode the daemon no longer knows a path of.
 */
int lfs_path(Lfs *lfs, uint64_t id, const char *name, char *buf);

/* lfs-orphan.c: files unlinked while open here */
/* Make the directory, and remove what earlier runs left there. */
void lfs_orphans_init(Lfs *lfs);
/* Move the open inode to the orphans; 0 or a negative errno. */
int lfs_orphan(Lfs *lfs, LfsInode *ino);
/*
 * The orphan was given a name (linkat of an O_TMPFILE file): it is no
 * orphan any more, and its name in the orphans directory goes.
 */
void lfs_orphan_named(Lfs *lfs, LfsInode *ino);
/* At the inode's last close: remove it for good. */
void lfs_orphan_reap(Lfs *lfs, LfsInode *ino);
bool lfs_is_orphans(uint64_t parent, const char *name);
/*
 * Whether this node still holds the closed inode's shelf: a program
 * mapped it and closed its descriptors, and the mapping keeps the shelf
 * file and its handle. Then an unlink orphans it like an open file.
 */
bool lfs_held_here(Lfs *lfs, LfsInode *ino);
/*
 * Try again to remove orphans whose last close found them still mapped;
 * the daemon calls it every LFS_SWEEP_MS while any wait.
 */
void lfs_orphans_sweep(Lfs *lfs);
#define LFS_SWEEP_MS 500
/*
 * UNLINK of a file this node had open: the driver closes the Librarian
 * handle when the last reference to the shelf file goes, which the kernel
 * may finish a moment after the FUSE RELEASE. So EBUSY is retried for up
 * to 20 ms before it is believed.
 */
int lfs_unlink_settled(Lfs *lfs, const char *path);

/* The operations, by kind */
void lfs_ops_dir(struct fuse_lowlevel_ops *ops);
void lfs_ops_file(struct fuse_lowlevel_ops *ops);
void lfs_ops_xattr(struct fuse_lowlevel_ops *ops);

/* Helpers the operation files share (lfs-ops-dir.c) */
/* Remember the inode (one kernel reference) and fill in its entry. */
LfsInode *lfs_fill_entry(Lfs *lfs, uint64_t parent, const char *name,
                         const struct fam_lib_attr *a,
                         struct fuse_entry_param *e);
void lfs_reply_entry(fuse_req_t req, Lfs *lfs, uint64_t parent,
                     const char *name, const struct fam_lib_attr *a);
void lfs_reply_attr(fuse_req_t req, Lfs *lfs, const struct fam_lib_attr *a);
/* getattr by handle when open here, else by path; replies. */
void lfs_reply_getattr(fuse_req_t req, Lfs *lfs, uint64_t id);

#endif /* LFS_H */
