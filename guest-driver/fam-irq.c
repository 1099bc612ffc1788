// SPDX-License-Identifier: GPL-2.0
/*
 * fam: MSI-X interrupts of the fam-fabric device.
 *
 * Vectors 0..3 are doorbells: the handler moves the senders' bits from
 * FAM_REG_DB_PENDING(v) into the driver's own mask and wakes the waiters.
 * Vector 4 means a Librarian reply is in the mailbox. Vector 5 means new
 * entries in the device's error log, which go to the kernel log.
 *
 * Each handler first acknowledges its INTR_STATUS bit and then reads the
 * state, so an event that arrives meanwhile raises the vector again rather
 * than being lost.
 */
#include <linux/interrupt.h>
#include <linux/jiffies.h>

#include "fam.h"

static const char * const fam_err_kind[] = {
	[FAM_ERR_GRANT_READ] = "read of a range not granted",
	[FAM_ERR_GRANT_WRITE] = "write of a range not granted or read-only",
	[FAM_ERR_DOORBELL] = "bad doorbell",
	[FAM_ERR_REGISTER] = "bad register access",
};

static void fam_db_irq(struct fam_dev *fam, unsigned int v)
{
	u64 senders = readq(fam->regs + FAM_REG_DB_PENDING(v));
	unsigned long flags;

	if (!senders)
		return;
	writeq(senders, fam->regs + FAM_REG_DB_PENDING(v));
	spin_lock_irqsave(&fam->db_lock, flags);
	fam->db_senders[v] |= senders;
	spin_unlock_irqrestore(&fam->db_lock, flags);
	wake_up_all(&fam->db_wait);
}

/* Report the log entries not reported yet (at most one ring's worth). */
static void fam_err_irq(struct fam_dev *fam)
{
	u64 count, i;

	spin_lock(&fam->err_lock);
	count = readq(fam->regs + FAM_REG_ERRLOG_COUNT);
	if (count - fam->errlog_seen > FAM_ERRLOG_ENTRIES) {
		dev_warn_ratelimited(&fam->pdev->dev, "%llu error log entries overwritten before they were read\n",
				     count - fam->errlog_seen - FAM_ERRLOG_ENTRIES);
		fam->errlog_seen = count - FAM_ERRLOG_ENTRIES;
	}
	for (i = fam->errlog_seen; i < count; i++) {
		void __iomem *e = fam->regs +
			FAM_REG_ERRLOG(i % FAM_ERRLOG_ENTRIES);
		u32 kind = readl(e + FAM_ERRLOG_KIND);

		dev_warn_ratelimited(&fam->pdev->dev,
				     "fabric error: %s by node %u at 0x%llx (info 0x%llx)\n",
				     kind < ARRAY_SIZE(fam_err_kind) &&
				     fam_err_kind[kind] ? fam_err_kind[kind] :
				     "unknown error",
				     readl(e + FAM_ERRLOG_NODE),
				     readq(e + FAM_ERRLOG_OFFSET),
				     readq(e + FAM_ERRLOG_INFO));
	}
	fam->errlog_seen = count;
	spin_unlock(&fam->err_lock);
}

static irqreturn_t fam_irq(int irq, void *data)
{
	struct fam_vector *vec = data;
	struct fam_dev *fam = vec->fam;
	unsigned int v = vec->index;

	writel(BIT(v), fam->regs + FAM_REG_INTR_STATUS);
	atomic64_inc(&fam->irqs[v]);
	if (v < FAM_DOORBELL_VECTORS)
		fam_db_irq(fam, v);
	else if (v == FAM_VECTOR_MAILBOX)
		fam_mbox_irq(fam);
	else
		fam_err_irq(fam);
	return IRQ_HANDLED;
}

int fam_irq_setup(struct fam_dev *fam)
{
	struct pci_dev *pdev = fam->pdev;
	unsigned int v;
	int ret;

	spin_lock_init(&fam->db_lock);
	spin_lock_init(&fam->err_lock);
	init_waitqueue_head(&fam->db_wait);
	/* Errors from before the driver are not news */
	fam->errlog_seen = readq(fam->regs + FAM_REG_ERRLOG_COUNT);

	ret = pci_alloc_irq_vectors(pdev, FAM_MSIX_VECTORS, FAM_MSIX_VECTORS,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot enable %u MSI-X vectors: %d\n",
			FAM_MSIX_VECTORS, ret);
		return ret;
	}
	writel(0, fam->regs + FAM_REG_INTR_MASK);
	for (v = 0; v < FAM_MSIX_VECTORS; v++) {
		fam->vectors[v].fam = fam;
		fam->vectors[v].index = v;
		ret = request_irq(pci_irq_vector(pdev, v), fam_irq, 0,
				  fam->name, &fam->vectors[v]);
		if (ret) {
			dev_err(&pdev->dev, "cannot take MSI-X vector %u: %d\n",
				v, ret);
			goto fail;
		}
	}
	/*
	 * Doorbells rung before the driver came (while the node booted, or
	 * while it was unbound) are kept for the first waiter, as if their
	 * interrupts had been taken now.
	 */
	for (v = 0; v < FAM_DOORBELL_VECTORS; v++)
		fam_db_irq(fam, v);
	return 0;

fail:
	while (v--)
		free_irq(pci_irq_vector(pdev, v), &fam->vectors[v]);
	pci_free_irq_vectors(pdev);
	return ret;
}

void fam_irq_teardown(struct fam_dev *fam)
{
	struct pci_dev *pdev = fam->pdev;
	unsigned int v;

	writel(~0U, fam->regs + FAM_REG_INTR_MASK);
	for (v = 0; v < FAM_MSIX_VECTORS; v++)
		free_irq(pci_irq_vector(pdev, v), &fam->vectors[v]);
	pci_free_irq_vectors(pdev);
}

int fam_ring(struct fam_dev *fam, const struct fam_ioc_ring *r)
{
	if (r->node >= fam->node_count || r->vector >= FAM_DOORBELL_VECTORS)
		return -EINVAL;
	writel(FAM_DOORBELL(r->node, r->vector),
	       fam->regs + FAM_REG_DOORBELL);
	return 0;
}

/*
 * Take the senders collected for vector v; true if there were any, or if
 * the device is going away (then *senders is 0).
 */
static bool fam_db_take(struct fam_dev *fam, unsigned int v, u64 *senders)
{
	unsigned long flags;

	if (READ_ONCE(fam->gone)) {
		*senders = 0;
		return true;
	}
	spin_lock_irqsave(&fam->db_lock, flags);
	*senders = fam->db_senders[v];
	fam->db_senders[v] = 0;
	spin_unlock_irqrestore(&fam->db_lock, flags);
	return *senders != 0;
}

int fam_wait(struct fam_dev *fam, struct fam_ioc_wait *w)
{
	unsigned int v = w->vector;
	u64 *senders = &w->senders;
	long left;

	if (v >= FAM_DOORBELL_VECTORS)
		return -EINVAL;
	if (w->timeout_ms == 0)
		return fam_db_take(fam, v, senders) ? 0 : -EAGAIN;
	if (w->timeout_ms < 0) {
		left = wait_event_interruptible(fam->db_wait,
						fam_db_take(fam, v, senders));
		if (left)
			return left;
		return READ_ONCE(fam->gone) ? -ENODEV : 0;
	}
	left = wait_event_interruptible_timeout(fam->db_wait,
						fam_db_take(fam, v, senders),
						msecs_to_jiffies(w->timeout_ms));
	if (left < 0)
		return left;
	if (READ_ONCE(fam->gone))
		return -ENODEV;
	return left ? 0 : -ETIMEDOUT;
}
