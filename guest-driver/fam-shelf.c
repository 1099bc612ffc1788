// SPDX-License-Identifier: GPL-2.0
/*
 * fam: shelf files (FAM_IOC_SHELF_FILE), their filesystem and lifetime.
 *
 * Each file is a regular inode on a private pseudo filesystem ("famshelf",
 * never mounted where a path reaches it). FUSE passthrough accepts only a
 * regular file as a backing file (fuse_backing_open() checks d_is_reg()
 * and the backing superblock's s_stack_depth, 0 here), and reopens it by
 * path for every FUSE open: state lives on the inode (see fam-shelf.h).
 *
 * Lifetime: the inode holds a reference to the fam_dev, so an unbind
 * leaves it valid (its calls then fail with ENODEV, its faults with
 * SIGBUS). Every live inode also pins the filesystem's mount, which holds
 * the module: rmmod waits for the last shelf file.
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs_context.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "fam-shelf.h"
#include "fame/fam-librarian-proto.h"

#define FAM_SHELF_MAGIC		0x66616d73	/* "fams" */

static struct vfsmount *fam_shelf_mnt;
static int fam_shelf_mnt_count;

static void fam_shelf_evict(struct inode *inode)
{
	struct fam_shelf *sh = fam_shelf_of(inode);
	struct fam_dev *fam;
	int ret;

	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (!sh)
		return;
	fam = sh->fam;
	/*
	 * The last file, mapping or FUSE backing file is gone: the handle
	 * goes too. After an unbind the mailbox is gone with the device; the
	 * Librarian drops the node's handles when the node restarts.
	 */
	/*
	 * Only then take `unbind`: an inode that never reached a file is
	 * dropped by the ioctl, which holds it already.
	 */
	if (sh->owns_handle) {
		down_read(&fam->unbind);
		ret = fam->gone ? 0 : fam_shelf_lib_close(fam, sh->handle);
		up_read(&fam->unbind);
		if (ret)
			dev_warn_ratelimited(&fam->pdev->dev,
					     "closing shelf handle %llu: %d\n",
					     sh->handle, ret);
	}
	fam_shelf_map_free(&sh->map);
	kfree(sh);
	fam_put(fam);
	/*
	 * Never the mount's last reference: the file or path being put holds
	 * one until after this (or fam_shelf_discard() does)
	 */
	simple_release_fs(&fam_shelf_mnt, &fam_shelf_mnt_count);
}

static const struct super_operations fam_shelf_sops = {
	.statfs = simple_statfs,
	.evict_inode = fam_shelf_evict,
	/* drop_inode: the default drops an unhashed inode at its last iput */
};

static int fam_shelf_init_fs_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, FAM_SHELF_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->ops = &fam_shelf_sops;
	return 0;
}

static struct file_system_type fam_shelf_fs_type = {
	.owner = THIS_MODULE,
	.name = "famshelf",
	.init_fs_context = fam_shelf_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * Shrinking (or a truncate and regrowth elsewhere) can give pages a
 * different book or none: zap what mappings hold from the first page
 * that changed. Called with the inode lock held.
 */
static loff_t fam_shelf_first_change(struct fam_dev *fam,
				     const struct fam_shelf_map *old,
				     const struct fam_shelf_map *new)
{
	u64 common = min(old->nbooks, new->nbooks);
	u64 i, from = round_up(new->size, PAGE_SIZE);

	for (i = 0; i < common; i++)
		if (old->books[i] != new->books[i])
			break;
	if (i < common)
		from = min(from, i * fam->book_size);
	return from;
}

/* Read size and books again (inode lock and `unbind` held) */
int fam_shelf_reload(struct inode *inode)
{
	struct fam_shelf *sh = fam_shelf_of(inode);
	struct fam_shelf_map new, old;
	loff_t from;
	int ret;

	ret = fam_shelf_lib_load(sh->fam, sh->handle, &new);
	if (ret)
		return ret;
	down_write(&sh->map_lock);
	old = sh->map;
	sh->map = new;
	i_size_write(inode, new.size);
	up_write(&sh->map_lock);
	/*
	 * After the new map is in: a fault that still used the old one has
	 * installed its page by now (it holds map_lock), so zapping here
	 * cannot miss it.
	 */
	from = fam_shelf_first_change(sh->fam, &old, &new);
	unmap_mapping_range(inode->i_mapping, from, 0, 1);
	fam_shelf_map_free(&old);
	return 0;
}

static struct inode *fam_shelf_inode(struct fam_dev *fam, u64 handle,
				     bool writable, struct fam_shelf_map *map)
{
	struct inode *inode = new_inode(fam_shelf_mnt->mnt_sb);
	struct fam_shelf *sh;

	if (!inode)
		return ERR_PTR(-ENOMEM);
	sh = kzalloc(sizeof(*sh), GFP_KERNEL);
	if (!sh) {
		iput(inode);
		return ERR_PTR(-ENOMEM);
	}
	kref_get(&fam->ref);
	sh->fam = fam;
	sh->handle = handle;
	sh->writable = writable;
	init_rwsem(&sh->map_lock);
	sh->map = *map;

	inode->i_ino = get_next_ino();
	inode->i_mode = S_IFREG | 0600;
	inode->i_uid = current_fsuid();
	inode->i_gid = current_fsgid();
	inode->i_op = &fam_shelf_iops;
	inode->i_fop = &fam_shelf_fops;
	inode->i_private = sh;
	simple_inode_init_ts(inode);
	i_size_write(inode, map->size);
	return inode;
}

/*
 * Drop an inode that never reached a file: hold the mount meanwhile, so
 * that its eviction (which unpins the filesystem) is not the mount's end.
 */
static void fam_shelf_discard(struct inode *inode)
{
	struct vfsmount *mnt = mntget(fam_shelf_mnt);

	iput(inode);
	mntput(mnt);
}

int fam_shelf_file(struct fam_dev *fam, struct fam_ioc_shelf_file __user *uarg)
{
	struct fam_ioc_shelf_file arg;
	struct fam_shelf_map map;
	struct inode *inode;
	struct file *file;
	bool rdwr;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags & ~(O_ACCMODE | O_CLOEXEC))
		return -EINVAL;
	if ((arg.flags & O_ACCMODE) != O_RDONLY &&
	    (arg.flags & O_ACCMODE) != O_RDWR)
		return -EINVAL;
	rdwr = (arg.flags & O_ACCMODE) == O_RDWR;
	/* Books are mapped page by page */
	if (!fam->pool_map || !fam->book_size ||
	    !IS_ALIGNED(fam->book_size, PAGE_SIZE))
		return -EOPNOTSUPP;

	ret = fam_shelf_lib_load(fam, arg.handle, &map);
	if (ret)
		return ret;
	if (rdwr && !(map.open_flags & FAM_LIB_OPEN_WRITE)) {
		fam_shelf_map_free(&map);
		return -EACCES;
	}

	ret = simple_pin_fs(&fam_shelf_fs_type, &fam_shelf_mnt,
			    &fam_shelf_mnt_count);
	if (ret) {
		fam_shelf_map_free(&map);
		return ret;
	}
	/* From here the inode owns map, the pin and a fam_dev reference */
	inode = fam_shelf_inode(fam, arg.handle, rdwr, &map);
	if (IS_ERR(inode)) {
		fam_shelf_map_free(&map);
		simple_release_fs(&fam_shelf_mnt, &fam_shelf_mnt_count);
		return PTR_ERR(inode);
	}
	fd = get_unused_fd_flags(arg.flags & O_CLOEXEC);
	if (fd < 0) {
		fam_shelf_discard(inode);
		return fd;
	}
	/*
	 * The file's last fput() drops a module reference for its f_op
	 * (fops_put()), which alloc_file_pseudo() does not take: take it
	 * here. The caller's open /dev/famN holds the module meanwhile.
	 */
	__module_get(THIS_MODULE);
	file = alloc_file_pseudo(inode, fam_shelf_mnt, "fam-shelf",
				 rdwr ? O_RDWR : O_RDONLY, &fam_shelf_fops);
	if (IS_ERR(file)) {
		module_put(THIS_MODULE);
		put_unused_fd(fd);
		fam_shelf_discard(inode);
		return PTR_ERR(file);
	}
	/* A pseudo file is not seekable or positional unless we say so */
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;

	arg.fd = fd;
	arg.size = map.size;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		/* The handle stays the caller's: fput() must not close it */
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fam_shelf_of(inode)->owns_handle = true;
	fd_install(fd, file);
	return 0;
}

/*
 * An open /dev/famN holds the filesystem too: without that, a program
 * that makes and drops one shelf file at a time (the LFS daemon, opening
 * and closing files) would mount and unmount the filesystem each time,
 * which costs RCU grace periods: milliseconds per open.
 */
int fam_shelf_fs_hold(void)
{
	return simple_pin_fs(&fam_shelf_fs_type, &fam_shelf_mnt,
			     &fam_shelf_mnt_count);
}

void fam_shelf_fs_drop(void)
{
	simple_release_fs(&fam_shelf_mnt, &fam_shelf_mnt_count);
}

int fam_shelf_init(void)
{
	/* Nothing to do until an open /dev/famN or a shelf file pins the fs */
	return 0;
}

void fam_shelf_exit(void)
{
	/* Every open device and shelf file held the module: no mount is left */
	WARN_ON(fam_shelf_mnt_count);
}
