/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fam: shelf files, the driver's side (see FAM_IOC_SHELF_FILE in
 * uapi/fame/fam-ioctl.h).
 *
 * FUSE passthrough does not do I/O through the struct file it was given:
 * for each FUSE open it opens a new struct file on the same path
 * (backing_file_open() -> vfs_open() -> our ->open). So everything lives
 * on the inode (i_private), ->open works for any such file, and the
 * Librarian handle is closed when the inode is evicted, not when a file
 * is released.
 *
 * fam-shelf.c makes the files and runs their little filesystem,
 * fam-shelf-io.c is their read, write, mmap and friends, and
 * fam-shelf-lib.c asks the Librarian about the handle.
 */
#ifndef FAM_SHELF_H
#define FAM_SHELF_H

#include <linux/fs.h>
#include <linux/rwsem.h>

#include "fam.h"

/* What the Librarian says about a handle's shelf, checked by the driver */
struct fam_shelf_map {
	u64 id;                 /* the shelf */
	u32 open_flags;         /* FAM_LIB_OPEN_* of the handle */
	u64 size;               /* bytes */
	u64 nbooks;             /* = size in whole books */
	u64 *books;             /* book numbers in shelf order, each < pool */
};

struct fam_shelf {
	struct fam_dev *fam;    /* a reference */
	u64 handle;
	/* The inode's files may write: it was made O_RDWR */
	bool writable;
	/* Set once the file is handed out: then eviction closes the handle */
	bool owns_handle;
	/*
	 * Guards map (and with the inode lock, i_size): faults and copies
	 * read it, a refresh replaces it. Nothing that can fault on user
	 * memory runs under it.
	 */
	struct rw_semaphore map_lock;
	struct fam_shelf_map map;
};

static inline struct fam_shelf *fam_shelf_of(struct inode *inode)
{
	return inode->i_private;
}

/* fam-shelf-lib.c: all with `unbind` held for reading */
int fam_shelf_lib_load(struct fam_dev *fam, u64 handle,
		       struct fam_shelf_map *map);
int fam_shelf_lib_resize(struct fam_dev *fam, u64 handle, u64 size);
int fam_shelf_lib_close(struct fam_dev *fam, u64 handle);
void fam_shelf_map_free(struct fam_shelf_map *map);

/* fam-shelf.c */
int fam_shelf_reload(struct inode *inode);

/* fam-shelf-io.c */
extern const struct file_operations fam_shelf_fops;
extern const struct inode_operations fam_shelf_iops;

#endif /* FAM_SHELF_H */
