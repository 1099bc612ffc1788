/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fam: the guest driver of the fam-fabric PCI device (FAME).
 *
 * One struct fam_dev per bound function. fam-main.c binds it and runs the
 * character device, fam-irq.c takes its MSI-X interrupts (doorbells,
 * mailbox, error log), fam-mbox.c carries Librarian requests,
 * fam-sysfs.c shows the registers and counters in sysfs, and fam-shelf*.c
 * make shelf files (FAM_IOC_SHELF_FILE).
 */
#ifndef FAM_H
#define FAM_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "fame/fam-fabric-regs.h"
#include "fame/fam-ioctl.h"
#include "fame/fame-version.h"

/* The context of one MSI-X vector's handler */
struct fam_vector {
	struct fam_dev *fam;
	unsigned int index;
};

struct fam_dev {
	/*
	 * Open files hold a reference: the struct outlives an unbind. Calls
	 * hold `unbind` for reading; fam_remove() sets `gone`, wakes every
	 * sleeper, and takes it for writing before the device goes.
	 */
	struct kref ref;
	struct rw_semaphore unbind;
	bool gone;

	struct pci_dev *pdev;
	void __iomem *regs;             /* BAR0 */
	phys_addr_t pool_phys;          /* BAR2 */
	u64 pool_size;                  /* FAM_REG_POOL_SIZE (<= BAR2) */
	u64 book_size;                  /* FAM_REG_BOOK_SIZE */
	/*
	 * The pool in the kernel, for shelf files' read and write: cached
	 * (write-back) like the user mappings of /dev/famN, so the two agree.
	 * NULL if it could not be mapped (then no shelf files). It lives
	 * until fam_free(), not just until unbind: a shelf file's copy may
	 * still run when the device goes.
	 */
	void *pool_map;
	u32 node_id;
	u32 node_count;
	int minor_id;                   /* N of /dev/famN */
	char name[16];
	struct miscdevice misc;

	struct fam_vector vectors[FAM_MSIX_VECTORS];
	atomic64_t irqs[FAM_MSIX_VECTORS];      /* interrupts taken */

	/* Doorbells the handler collected, not yet returned by a wait */
	spinlock_t db_lock;
	u64 db_senders[FAM_DOORBELL_VECTORS];
	wait_queue_head_t db_wait;

	/* One mailbox request at a time; the handler wakes the sender */
	struct mutex mbox_lock;
	wait_queue_head_t mbox_wait;
	void *mbox_buf;                 /* FAM_MBOX_DATA_SIZE bytes */
	atomic64_t mbox_calls;

	/* Error log entries already reported to the kernel log */
	spinlock_t err_lock;
	u64 errlog_seen;
};

void fam_put(struct fam_dev *fam);

int fam_irq_setup(struct fam_dev *fam);
void fam_irq_teardown(struct fam_dev *fam);
int fam_ring(struct fam_dev *fam, const struct fam_ioc_ring *r);
int fam_wait(struct fam_dev *fam, struct fam_ioc_wait *w);

int fam_mbox_init(struct fam_dev *fam);
void fam_mbox_fini(struct fam_dev *fam);
void fam_mbox_irq(struct fam_dev *fam);
int fam_mbox_call(struct fam_dev *fam, struct fam_ioc_lib *call);
/*
 * A request of the driver's own: `msg` (FAM_MBOX_DATA_SIZE bytes) holds
 * the `len`-byte request and gets the reply. Returns the reply's length.
 * Without `intr` it waits through signals. Call with `unbind` held.
 */
int fam_mbox_kcall(struct fam_dev *fam, void *msg, u32 len, bool intr);

int fam_shelf_init(void);
void fam_shelf_exit(void);
int fam_shelf_fs_hold(void);
void fam_shelf_fs_drop(void);
int fam_shelf_file(struct fam_dev *fam, struct fam_ioc_shelf_file __user *uarg);

extern const struct attribute_group *fam_groups[];

#endif /* FAM_H */
