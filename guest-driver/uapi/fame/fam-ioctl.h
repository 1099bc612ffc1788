/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The fam guest driver's user interface: the ioctls of /dev/famN.
 *
 * The driver binds the fam-fabric PCI function (fam-fabric-regs.h) and
 * offers, per device, the character device /dev/famN:
 *
 *   mmap      the pool: file offset = pool offset; the mapping goes
 *             straight to BAR2 (load/store to the fabric, no page cache).
 *             Ranges the node holds no grant for read all-ones and
 *             drop writes (the device counts and logs them).
 *   ioctl     FAM_IOC_* below.
 *
 * FAM_IOC_SHELF_FILE turns a Librarian open handle into a regular file
 * whose byte i is byte i of the shelf (its books in order): read, write,
 * mmap (straight to the books' pool pages), and a backing file for FUSE
 * passthrough.
 *
 * docs/guest-driver.md explains them and the driver's sysfs files.
 */
#ifndef FAM_IOCTL_H
#define FAM_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Not in Documentation/userspace-api/ioctl/ioctl-number.rst: see docs */
#define FAM_IOC_MAGIC           0xfa

/* FAM_IOC_INFO: the device's identity registers, in one call. */
struct fam_ioc_info {
	__u32 version;          /* FAM_REG_VERSION: major << 16 | minor */
	__u32 node_id;          /* this node */
	__u32 node_count;       /* nodes on the fabric */
	__u32 module_count;     /* media modules */
	__u64 pool_size;        /* bytes in the pool */
	__u64 book_size;        /* bytes in a book */
	__u64 il_granule;       /* interleave granule, bytes */
	__u32 il_ways;          /* interleave ways */
	__u32 features;         /* FAM_FEATURE_* */
	char model[32];         /* the fabric model's name, NUL-terminated */
};

/* FAM_IOC_RING: ring doorbell `vector` of node `node`. */
struct fam_ioc_ring {
	__u32 node;             /* < node_count, not this node */
	__u32 vector;           /* < FAM_DOORBELL_VECTORS */
};

/*
 * FAM_IOC_WAIT: sleep until a doorbell on `vector` has rung (the driver
 * takes its MSI-X interrupt), then return which nodes rang it and forget
 * them. Doorbells that rang before the call count: nothing is lost
 * between two calls.
 */
struct fam_ioc_wait {
	__u32 vector;           /* in: < FAM_DOORBELL_VECTORS */
	__s32 timeout_ms;       /* in: < 0 waits forever, 0 only polls */
	__u64 senders;          /* out: bit i set = node i rang */
};

/*
 * FAM_IOC_LIB: one Librarian request through the mailbox
 * (fam-librarian-proto.h). The driver fills in the caller's uid, gid and
 * pid (the node is filled in by the device), sends the request, sleeps
 * until the reply's interrupt, and copies the reply out. Requests from
 * all processes of the node are taken one at a time.
 */
struct fam_ioc_lib {
	__u64 request;          /* in: address of the request message */
	__u64 reply;            /* in: address of the reply buffer */
	__u32 request_len;      /* in: bytes of the request (= its hdr.length) */
	__u32 reply_len;        /* in: size of the buffer; out: the reply's */
};

/*
 * FAM_IOC_SHELF_FILE (on /dev/famN): a new file for the shelf that
 * `handle` has open. The handle must be one of this node's, from
 * FAM_LIB_OP_OPEN through FAM_IOC_LIB; the driver asks the Librarian what
 * it was opened for and where the shelf's books are (it takes no book
 * number from the caller). `flags` is O_RDONLY or O_RDWR, optionally with
 * O_CLOEXEC (the values of <fcntl.h>); O_RDWR needs a handle opened with
 * FAM_LIB_OPEN_WRITE.
 *
 * On success the file owns the handle: the driver closes it in the
 * Librarian (FAM_LIB_OP_CLOSE) when the file's inode goes, that is when
 * every descriptor, mapping and FUSE backing file of it is gone. The
 * caller must not close the handle itself. On failure the caller still
 * owns the handle.
 *
 * The file: mode 0600, owned by the caller, size = the shelf's size.
 * read/pread stop at the size; write/pwrite/fallocate(mode 0) past it
 * grow the shelf through the Librarian first (FAM_LIB_OP_RESIZE, as the
 * shelf's allocation policy places new books); mmap maps the pool pages
 * themselves (no page cache), pages past the size raise SIGBUS. ftruncate
 * is refused (EOPNOTSUPP): resize through the Librarian, then refresh.
 * Every write and fallocate moves the file's mtime (fstat) forward, by a
 * nanosecond, so a comparison of mtimes tells whether it was written; the
 * Librarian's own times are not touched (the LFS daemon does that).
 * The first store to each page of a shared mapping moves it as well
 * (pages are mapped read-only until then).
 */
struct fam_ioc_shelf_file {
	__u64 handle;           /* in: a Librarian open handle of this node */
	__u32 flags;            /* in: O_RDONLY or O_RDWR, | O_CLOEXEC */
	__s32 fd;               /* out: the new file descriptor */
	__u64 size;             /* out: the shelf's size in bytes */
};

/*
 * FAM_IOC_SHELF_REFRESH (on a file from FAM_IOC_SHELF_FILE): read the
 * shelf's size and books from the Librarian again, after it was resized
 * by someone else. Pages of mappings that now lie past the end, or whose
 * book changed, are unmapped (a later touch faults them in again, or
 * raises SIGBUS past the end).
 */
struct fam_ioc_shelf_refresh {
	__u64 size;             /* out: the shelf's size in bytes */
	__u64 books;            /* out: its books */
};

#define FAM_IOC_INFO    _IOR(FAM_IOC_MAGIC, 0x00, struct fam_ioc_info)
#define FAM_IOC_RING    _IOW(FAM_IOC_MAGIC, 0x01, struct fam_ioc_ring)
#define FAM_IOC_WAIT    _IOWR(FAM_IOC_MAGIC, 0x02, struct fam_ioc_wait)
#define FAM_IOC_LIB     _IOWR(FAM_IOC_MAGIC, 0x03, struct fam_ioc_lib)
#define FAM_IOC_SHELF_FILE \
	_IOWR(FAM_IOC_MAGIC, 0x04, struct fam_ioc_shelf_file)
#define FAM_IOC_SHELF_REFRESH \
	_IOR(FAM_IOC_MAGIC, 0x05, struct fam_ioc_shelf_refresh)

#endif /* FAM_IOCTL_H */
