// SPDX-License-Identifier: GPL-2.0
/*
 * fam: Librarian requests through the device's mailbox.
 *
 * The mailbox holds one request at a time. A caller copies its request
 * into MBOX_DATA, writes GO and sleeps; the Librarian's reply replaces the
 * request and raises the mailbox vector, whose handler wakes the caller.
 * The driver vouches for the caller: it writes the process's uid, gid and
 * pid into the request header (the device does the same for the node).
 */
#include <linux/cred.h>
#include <linux/io.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "fam.h"
#include "fame/fam-librarian-proto.h"

/* The Librarian serves every node on a host whose cores the nodes share */
#define FAM_MBOX_TIMEOUT	(60 * HZ)

int fam_mbox_init(struct fam_dev *fam)
{
	mutex_init(&fam->mbox_lock);
	init_waitqueue_head(&fam->mbox_wait);
	fam->mbox_buf = kzalloc(FAM_MBOX_DATA_SIZE, GFP_KERNEL);
	return fam->mbox_buf ? 0 : -ENOMEM;
}

void fam_mbox_fini(struct fam_dev *fam)
{
	kfree(fam->mbox_buf);
	fam->mbox_buf = NULL;
}

void fam_mbox_irq(struct fam_dev *fam)
{
	wake_up(&fam->mbox_wait);
}

static bool fam_mbox_idle(struct fam_dev *fam)
{
	return READ_ONCE(fam->gone) || readl(fam->regs + FAM_REG_MBOX_STATUS) != FAM_MBOX_BUSY;
}

/*
 * Wait for the request in flight to be answered. A caller interrupted by
 * a signal leaves its request in flight: the next caller waits here too,
 * so a reply is never mistaken for the answer to another request. The
 * driver's own calls (closing a shelf file's handle, maybe while its
 * process is being killed) must not be cut short: they wait without
 * `intr`.
 */
static int fam_mbox_wait_idle(struct fam_dev *fam, bool intr)
{
	long left;

	if (intr)
		left = wait_event_interruptible_timeout(fam->mbox_wait,
							fam_mbox_idle(fam),
							FAM_MBOX_TIMEOUT);
	else
		left = wait_event_timeout(fam->mbox_wait, fam_mbox_idle(fam),
					  FAM_MBOX_TIMEOUT);
	if (left < 0)
		return left;
	if (READ_ONCE(fam->gone))
		return -ENODEV;
	if (!left) {
		dev_warn_ratelimited(&fam->pdev->dev,
				     "no Librarian reply within %u s\n",
				     FAM_MBOX_TIMEOUT / HZ);
		return -ETIMEDOUT;
	}
	return 0;
}

/*
 * Send the `len`-byte request in mbox_buf (mbox_lock held, mailbox idle)
 * and leave the reply there. Returns the reply's length or an error.
 */
static int fam_mbox_xfer(struct fam_dev *fam, u32 len, bool intr)
{
	struct fam_lib_hdr *hdr = fam->mbox_buf;
	int ret;

	/*
	 * The device hands the Librarian hdr.length bytes of the mailbox:
	 * more than the caller gave would pass on an earlier request's bytes.
	 */
	if (le32_to_cpu(hdr->length) != len)
		return -EINVAL;
	hdr->uid = cpu_to_le32(from_kuid_munged(&init_user_ns,
						current_fsuid()));
	hdr->gid = cpu_to_le32(from_kgid_munged(&init_user_ns,
						current_fsgid()));
	hdr->pid = cpu_to_le32(task_tgid_nr(current));
	/* Whole 32-bit words, zero-padded: the length need not be aligned */
	memset(fam->mbox_buf + len, 0, round_up(len, 4) - len);
	__iowrite32_copy(fam->regs + FAM_REG_MBOX_DATA, fam->mbox_buf,
			 DIV_ROUND_UP(len, 4));
	atomic64_inc(&fam->mbox_calls);
	writel(FAM_MBOX_GO, fam->regs + FAM_REG_MBOX_CTRL);

	ret = fam_mbox_wait_idle(fam, intr);
	if (ret)
		return ret;
	/* The node's link went down: the device forgot the request */
	if (readl(fam->regs + FAM_REG_MBOX_STATUS) != FAM_MBOX_DONE)
		return -EIO;
	len = readl(fam->regs + FAM_REG_MBOX_DATA +
		    offsetof(struct fam_lib_hdr, length));
	len = clamp_t(u32, len, sizeof(*hdr), FAM_MBOX_DATA_SIZE);
	__ioread32_copy(fam->mbox_buf, fam->regs + FAM_REG_MBOX_DATA,
			DIV_ROUND_UP(len, 4));
	return len;
}

int fam_mbox_call(struct fam_dev *fam, struct fam_ioc_lib *call)
{
	u32 len = call->request_len;
	int ret;

	if (len < sizeof(struct fam_lib_hdr) || len > FAM_MBOX_DATA_SIZE)
		return -EINVAL;
	ret = mutex_lock_interruptible(&fam->mbox_lock);
	if (ret)
		return ret;
	ret = fam_mbox_wait_idle(fam, true);
	if (ret)
		goto out;
	if (copy_from_user(fam->mbox_buf, u64_to_user_ptr(call->request),
			   len)) {
		ret = -EFAULT;
		goto out;
	}
	ret = fam_mbox_xfer(fam, len, true);
	if (ret < 0)
		goto out;
	len = ret;
	ret = 0;
	if (call->reply_len < len) {
		call->reply_len = len;
		ret = -EMSGSIZE;
		goto out;
	}
	if (copy_to_user(u64_to_user_ptr(call->reply), fam->mbox_buf, len)) {
		ret = -EFAULT;
		goto out;
	}
	call->reply_len = len;
out:
	mutex_unlock(&fam->mbox_lock);
	return ret;
}

int fam_mbox_kcall(struct fam_dev *fam, void *msg, u32 len, bool intr)
{
	int ret;

	if (len < sizeof(struct fam_lib_hdr) || len > FAM_MBOX_DATA_SIZE)
		return -EINVAL;
	if (intr) {
		ret = mutex_lock_interruptible(&fam->mbox_lock);
		if (ret)
			return ret;
	} else {
		mutex_lock(&fam->mbox_lock);
	}
	ret = fam_mbox_wait_idle(fam, intr);
	if (ret)
		goto out;
	memcpy(fam->mbox_buf, msg, len);
	ret = fam_mbox_xfer(fam, len, intr);
	if (ret > 0)
		memcpy(msg, fam->mbox_buf, ret);
out:
	mutex_unlock(&fam->mbox_lock);
	return ret;
}
