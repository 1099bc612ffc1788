// SPDX-License-Identifier: GPL-2.0
/*
 * fam: a shelf file's operations: read, write, mmap, seek, fsync,
 * fallocate and FAM_IOC_SHELF_REFRESH.
 *
 * Byte i of the file is byte i % book_size of book i / book_size of the
 * shelf. No page cache anywhere: read and write copy straight between
 * the caller's buffer and the pool (the kernel's write-back mapping of
 * BAR2, fam_dev.pool_map, as cached as the user mappings); mmap inserts
 * the pool's own page frames, as /dev/famN's mmap does, so a store is a
 * store to the fabric that other nodes see at once.
 *
 * These run on whatever struct file FUSE passthrough opened on the inode
 * (backing_file_open() -> vfs_open() -> fam_shelf_open()), so they use
 * only the inode. The FUSE passthrough paths reach read_iter,
 * write_iter, splice_read, splice_write and mmap (fs/fuse/passthrough.c,
 * fs/backing-file.c): all are here.
 */
#include <linux/libnvdimm.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/pfn_t.h>
#include <linux/sched/signal.h>
#include <linux/splice.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "fam-shelf.h"

/*
 * Where byte `pos` lives in the kernel's view of the pool, and how many
 * bytes from there (at most `count`) stay in one book and below the size.
 * 0 bytes at or past the end.
 */
static int fam_shelf_locate(struct fam_shelf *sh, loff_t pos, size_t count,
			    void **addr, size_t *len)
{
	struct fam_dev *fam = sh->fam;
	u64 bs = fam->book_size;
	u64 idx, rem;
	int ret = 0;

	*len = 0;
	down_read(&sh->map_lock);
	if (READ_ONCE(fam->gone)) {
		ret = -ENODEV;
	} else if (pos >= 0 && pos < sh->map.size) {
		idx = div64_u64_rem(pos, bs, &rem);
		*addr = fam->pool_map + sh->map.books[idx] * bs + rem;
		*len = min3((u64)count, bs - rem, sh->map.size - pos);
	}
	up_read(&sh->map_lock);
	return ret;
}

/*
 * Copy between the iterator and the shelf from iocb->ki_pos. The copy
 * runs without map_lock: a user buffer may be a mapping of this very
 * file, whose fault takes it. A concurrent refresh can leave the copy on
 * a book just freed, as a read racing a truncate may see old bytes; the
 * mapping itself stays valid until the device's last reference.
 */
static ssize_t fam_shelf_copy(struct kiocb *iocb, struct iov_iter *it,
			      bool write)
{
	struct fam_shelf *sh = fam_shelf_of(file_inode(iocb->ki_filp));
	ssize_t done = 0;
	int ret = 0;

	while (iov_iter_count(it)) {
		size_t len, n;
		void *addr;

		ret = fam_shelf_locate(sh, iocb->ki_pos, iov_iter_count(it),
				       &addr, &len);
		if (ret || !len)
			break;
		n = write ? copy_from_iter(addr, len, it) :
			    copy_to_iter(addr, len, it);
		iocb->ki_pos += n;
		done += n;
		if (n < len) {
			ret = -EFAULT;
			break;
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	return done ? done : ret;
}

static ssize_t fam_shelf_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return fam_shelf_copy(iocb, to, false);
}

/* Grow the shelf to at least `end` bytes (inode lock held) */
static int fam_shelf_grow(struct inode *inode, loff_t end)
{
	struct fam_shelf *sh = fam_shelf_of(inode);
	struct fam_dev *fam = sh->fam;
	int ret = -ENODEV;

	if (end <= i_size_read(inode))
		return 0;
	down_read(&fam->unbind);
	if (!fam->gone) {
		/* The Librarian places and grants the books, by policy */
		ret = fam_shelf_lib_resize(fam, sh->handle, end);
		if (!ret)
			ret = fam_shelf_reload(inode);
	}
	up_read(&fam->unbind);
	if (!ret && end > i_size_read(inode))
		ret = -EIO;     /* someone shrank it right after */
	return ret;
}

/*
 * Every write moves the file's mtime forward, by a nanosecond if the clock
 * has not ticked since the last one: the LFS daemon compares mtimes to
 * learn that a file was written through passthrough (fam-ioctl.h). Under
 * i_lock, not the inode lock: the first store to a mapped page stamps too,
 * from a fault, where mmap_lock is held and the inode lock may not be
 * taken.
 */
static void fam_shelf_stamp(struct inode *inode)
{
	struct timespec64 now = current_time(inode);
	struct timespec64 old;

	spin_lock(&inode->i_lock);
	old = inode_get_mtime(inode);
	if (timespec64_compare(&now, &old) <= 0)
		now = timespec64_add(old, (struct timespec64){ .tv_nsec = 1 });
	inode_set_mtime_to_ts(inode, now);
	inode_set_ctime_to_ts(inode, now);
	spin_unlock(&inode->i_lock);
}

static ssize_t fam_shelf_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	ssize_t ret, count;

	/* One grower at a time, and IOCB_APPEND sees the size it extends */
	inode_lock(inode);
	ret = generic_write_checks(iocb, from);
	if (ret > 0) {
		count = ret;
		fam_shelf_stamp(inode);
		ret = fam_shelf_grow(inode, iocb->ki_pos + count);
	}
	if (!ret)
		ret = fam_shelf_copy(iocb, from, true);
	inode_unlock(inode);
	return ret;
}

static vm_fault_t fam_shelf_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	struct fam_shelf *sh = fam_shelf_of(inode);
	struct fam_dev *fam = sh->fam;
	u64 pos = (u64)vmf->pgoff << PAGE_SHIFT;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;
	u64 idx, rem;

	/*
	 * Held across the insertion: a refresh zaps after it swapped the
	 * map, so no page of the old map survives it.
	 */
	down_read(&sh->map_lock);
	if (!READ_ONCE(fam->gone) && pos < round_up(sh->map.size, PAGE_SIZE)) {
		idx = div64_u64_rem(pos, fam->book_size, &rem);
		pfn = PHYS_PFN(fam->pool_phys + sh->map.books[idx] *
			       fam->book_size + rem);
		/* Private: read-only here, the write fault copies the page */
		if (vma->vm_flags & VM_MIXEDMAP) {
			ret = vmf_insert_mixed(vma, vmf->address,
					       __pfn_to_pfn_t(pfn, PFN_DEV));
		} else if (vmf->flags & FAULT_FLAG_WRITE) {
			/* A store: writable at once, and the file written */
			fam_shelf_stamp(inode);
			ret = vmf_insert_pfn_prot(vma, vmf->address, pfn,
						  vm_get_page_prot(vma->vm_flags));
		} else {
			/* Read-only until a store: fam_shelf_pfn_mkwrite() */
			ret = vmf_insert_pfn(vma, vmf->address, pfn);
		}
	}
	up_read(&sh->map_lock);
	return ret;
}

/*
 * The first store to a page of a shared mapping that was read first: the
 * file is written (its mtime moves, as after write(2)). Having this hook
 * makes the kernel map shared pages read-only until they are stored to
 * (vma_wants_writenotify()), once per page and mapping.
 */
static vm_fault_t fam_shelf_pfn_mkwrite(struct vm_fault *vmf)
{
	fam_shelf_stamp(file_inode(vmf->vma->vm_file));
	return 0;
}

static const struct vm_operations_struct fam_shelf_vm_ops = {
	.fault = fam_shelf_fault,
	.pfn_mkwrite = fam_shelf_pfn_mkwrite,
};

/*
 * A map of the pool's page frames filled page by page on fault. A shared
 * mapping is a PFN map. A private one (a program's data segment when it
 * runs from /lfs, MAP_PRIVATE of a file) must copy a page on its first
 * write, which a PFN map cannot do (vmf_insert_pfn() refuses copy-on-
 * write mappings): it is a mixed map instead, whose pool pages are
 * special entries that the write fault copies into anonymous memory.
 */
static int fam_shelf_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* A shared writable map of a read-only file: mmap(2) said EACCES */
	if (vma->vm_flags & VM_SHARED)
		vm_flags_set(vma, VM_PFNMAP);
	else
		vm_flags_set(vma, VM_MIXEDMAP);
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &fam_shelf_vm_ops;
	return 0;
}

/*
 * Every open of the inode, FUSE passthrough's included, may write only
 * if the inode was made O_RDWR (which needed a writable handle).
 */
static int fam_shelf_open(struct inode *inode, struct file *file)
{
	struct fam_shelf *sh = fam_shelf_of(inode);

	if ((file->f_mode & FMODE_WRITE) && !sh->writable)
		return -EACCES;
	return 0;
}

/*
 * Write the CPU cache of the range back to the pool: on persistent fabric
 * memory that is what makes a store durable. A full barrier after it.
 */
static int fam_shelf_fsync(struct file *file, loff_t start, loff_t end,
			   int datasync)
{
	struct fam_shelf *sh = fam_shelf_of(file_inode(file));
	int ret = 0;

	if (start < 0)
		return -EINVAL;
	while (start <= end) {
		size_t len;
		void *addr;

		ret = fam_shelf_locate(sh, start,
				       min_t(u64, (u64)end - start + 1, SZ_1G),
				       &addr, &len);
		if (ret || !len)
			break;
		arch_wb_cache_pmem(addr, len);
		start += len;
		cond_resched();
	}
	/* The write-backs are done before fsync returns, ordered by it */
	mb();
	return ret;
}

static long fam_shelf_fallocate(struct file *file, int mode, loff_t offset,
				loff_t len)
{
	struct inode *inode = file_inode(file);
	loff_t end;
	long ret;

	/* Only growing: the books are the Librarian's to place and free */
	if (mode)
		return -EOPNOTSUPP;
	if (check_add_overflow(offset, len, &end) ||
	    end > inode->i_sb->s_maxbytes)
		return -EFBIG;
	inode_lock(inode);
	fam_shelf_stamp(inode);	/* a modification, as on ext4 and tmpfs */
	ret = fam_shelf_grow(inode, end);
	inode_unlock(inode);
	return ret;
}

static long fam_shelf_refresh(struct inode *inode,
			      struct fam_ioc_shelf_refresh __user *uarg)
{
	struct fam_shelf *sh = fam_shelf_of(inode);
	struct fam_dev *fam = sh->fam;
	struct fam_ioc_shelf_refresh r = { };
	long ret = -ENODEV;

	inode_lock(inode);
	down_read(&fam->unbind);
	if (!fam->gone)
		ret = fam_shelf_reload(inode);
	up_read(&fam->unbind);
	if (!ret) {
		r.size = sh->map.size;
		r.books = sh->map.nbooks;
	}
	inode_unlock(inode);
	if (ret)
		return ret;
	return copy_to_user(uarg, &r, sizeof(r)) ? -EFAULT : 0;
}

static long fam_shelf_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	switch (cmd) {
	case FAM_IOC_SHELF_REFRESH:
		return fam_shelf_refresh(file_inode(file),
					 (void __user *)arg);
	}
	return -ENOTTY;
}

static int fam_shelf_setattr(struct mnt_idmap *idmap, struct dentry *dentry,
			     struct iattr *attr)
{
	/* The size follows the Librarian: resize there, then refresh */
	if (attr->ia_valid & ATTR_SIZE)
		return -EOPNOTSUPP;
	return simple_setattr(idmap, dentry, attr);
}

const struct inode_operations fam_shelf_iops = {
	.setattr = fam_shelf_setattr,
};

const struct file_operations fam_shelf_fops = {
	.owner = THIS_MODULE,
	.open = fam_shelf_open,
	.read_iter = fam_shelf_read_iter,
	.write_iter = fam_shelf_write_iter,
	.splice_read = copy_splice_read,
	.splice_write = iter_file_splice_write,
	.mmap = fam_shelf_mmap,
	.llseek = generic_file_llseek,
	.fsync = fam_shelf_fsync,
	.fallocate = fam_shelf_fallocate,
	.unlocked_ioctl = fam_shelf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
