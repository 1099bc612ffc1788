// SPDX-License-Identifier: GPL-2.0
/*
 * fam: the guest driver of FAME's fam-fabric PCI device.
 *
 * Binds the function, takes its MSI-X vectors and offers /dev/famN: mmap
 * of the pool (straight to BAR2), doorbells, and Librarian requests. See
 * docs/guest-driver.md and the uapi headers.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "fam.h"

static DEFINE_IDA(fam_ida);

static void fam_free(struct kref *ref)
{
	struct fam_dev *fam = container_of(ref, struct fam_dev, ref);

	if (fam->pool_map)
		memunmap(fam->pool_map);
	kfree(fam->mbox_buf);
	kfree(fam);
}

void fam_put(struct fam_dev *fam)
{
	kref_put(&fam->ref, fam_free);
}

static int fam_open(struct inode *inode, struct file *file)
{
	/* misc_open() leaves our struct miscdevice in private_data */
	struct fam_dev *fam = container_of(file->private_data, struct fam_dev,
					   misc);
	int ret = fam_shelf_fs_hold();

	if (ret)
		return ret;
	kref_get(&fam->ref);
	file->private_data = fam;
	return 0;
}

static int fam_release(struct inode *inode, struct file *file)
{
	struct fam_dev *fam = file->private_data;

	kref_put(&fam->ref, fam_free);
	fam_shelf_fs_drop();
	return 0;
}

static int fam_info(struct fam_dev *fam, struct fam_ioc_info *info)
{
	void __iomem *r = fam->regs;

	memset(info, 0, sizeof(*info));
	info->version = readl(r + FAM_REG_VERSION);
	info->node_id = fam->node_id;
	info->node_count = fam->node_count;
	info->module_count = readl(r + FAM_REG_MODULE_COUNT);
	info->pool_size = fam->pool_size;
	info->book_size = readq(r + FAM_REG_BOOK_SIZE);
	info->il_granule = readq(r + FAM_REG_IL_GRANULE);
	info->il_ways = readl(r + FAM_REG_IL_WAYS);
	info->features = readl(r + FAM_REG_FEATURES);
	BUILD_BUG_ON(sizeof(info->model) != FAM_MODEL_NAME_LEN);
	__ioread32_copy(info->model, r + FAM_REG_MODEL_NAME,
			FAM_MODEL_NAME_LEN / 4);
	info->model[FAM_MODEL_NAME_LEN - 1] = '\0';
	return 0;
}

static long fam_do_ioctl(struct fam_dev *fam, unsigned int cmd,
			 void __user *uarg)
{
	union {
		struct fam_ioc_info info;
		struct fam_ioc_ring ring;
		struct fam_ioc_wait wait;
		struct fam_ioc_lib lib;
	} u;
	long ret;

	switch (cmd) {
	case FAM_IOC_INFO:
		fam_info(fam, &u.info);
		return copy_to_user(uarg, &u.info, sizeof(u.info)) ?
			-EFAULT : 0;
	case FAM_IOC_RING:
		if (copy_from_user(&u.ring, uarg, sizeof(u.ring)))
			return -EFAULT;
		return fam_ring(fam, &u.ring);
	case FAM_IOC_WAIT:
		if (copy_from_user(&u.wait, uarg, sizeof(u.wait)))
			return -EFAULT;
		ret = fam_wait(fam, &u.wait);
		if (ret)
			return ret;
		return copy_to_user(uarg, &u.wait, sizeof(u.wait)) ?
			-EFAULT : 0;
	case FAM_IOC_SHELF_FILE:
		return fam_shelf_file(fam, uarg);
	case FAM_IOC_LIB:
		if (copy_from_user(&u.lib, uarg, sizeof(u.lib)))
			return -EFAULT;
		ret = fam_mbox_call(fam, &u.lib);
		/* The caller learns the reply's size even when it is short */
		if (ret && ret != -EMSGSIZE)
			return ret;
		if (copy_to_user(uarg, &u.lib, sizeof(u.lib)))
			return -EFAULT;
		return ret;
	}
	return -ENOTTY;
}

static long fam_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fam_dev *fam = file->private_data;
	long ret = -ENODEV;

	down_read(&fam->unbind);
	if (!fam->gone)
		ret = fam_do_ioctl(fam, cmd, (void __user *)arg);
	up_read(&fam->unbind);
	return ret;
}

/*
 * The pool, at file offset = pool offset. Not through the page cache: a
 * PFN mapping of BAR2, so a store is a store to the fabric.
 */
static int fam_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct fam_dev *fam = file->private_data;
	int ret = -ENODEV;

	down_read(&fam->unbind);
	if (!fam->gone)
		ret = vm_iomap_memory(vma, fam->pool_phys, fam->pool_size);
	up_read(&fam->unbind);
	return ret;
}

static const struct file_operations fam_fops = {
	.owner = THIS_MODULE,
	.open = fam_open,
	.release = fam_release,
	.unlocked_ioctl = fam_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = fam_mmap,
	.llseek = noop_llseek,
};

static int fam_check_identity(struct fam_dev *fam)
{
	struct device *dev = &fam->pdev->dev;
	u32 magic = readl(fam->regs + FAM_REG_MAGIC);
	u32 version = readl(fam->regs + FAM_REG_VERSION);

	if (magic != FAM_MAGIC) {
		dev_err(dev, "BAR0 magic is 0x%08x, not 0x%08x\n", magic,
			FAM_MAGIC);
		return -ENODEV;
	}
	if (version >> 16 != FAM_VERSION_MAJOR) {
		dev_err(dev, "device interface version %u.%u, driver knows %u.x\n",
			version >> 16, version & 0xffff, FAM_VERSION_MAJOR);
		return -ENODEV;
	}
	fam->node_id = readl(fam->regs + FAM_REG_NODE_ID);
	fam->node_count = readl(fam->regs + FAM_REG_NODE_COUNT);
	fam->pool_size = readq(fam->regs + FAM_REG_POOL_SIZE);
	fam->book_size = readq(fam->regs + FAM_REG_BOOK_SIZE);
	if (!fam->pool_size ||
	    fam->pool_size > pci_resource_len(fam->pdev, FAM_BAR_POOL)) {
		dev_err(dev, "pool of %llu bytes does not fit BAR2 (%llu bytes)\n",
			fam->pool_size,
			(u64)pci_resource_len(fam->pdev, FAM_BAR_POOL));
		return -ENODEV;
	}
	return 0;
}

static int fam_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct fam_dev *fam;
	int ret;

	fam = kzalloc(sizeof(*fam), GFP_KERNEL);
	if (!fam)
		return -ENOMEM;
	kref_init(&fam->ref);
	init_rwsem(&fam->unbind);
	fam->pdev = pdev;
	pci_set_drvdata(pdev, fam);

	ret = pcim_enable_device(pdev);
	if (ret)
		goto put;
	ret = pcim_request_all_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto put;
	/* An MSI is a memory write by the device: it needs bus mastering */
	pci_set_master(pdev);
	fam->regs = pcim_iomap(pdev, FAM_BAR_REGS, FAM_BAR_REGS_SIZE);
	if (!fam->regs) {
		ret = -ENOMEM;
		goto put;
	}
	fam->pool_phys = pci_resource_start(pdev, FAM_BAR_POOL);
	ret = fam_check_identity(fam);
	if (ret)
		goto put;
	/* Only shelf files need it: without it /dev/famN still works */
	fam->pool_map = memremap(fam->pool_phys, fam->pool_size, MEMREMAP_WB);
	if (!fam->pool_map)
		dev_warn(dev, "cannot map the pool in the kernel: no shelf files\n");

	fam->minor_id = ida_alloc(&fam_ida, GFP_KERNEL);
	if (fam->minor_id < 0) {
		ret = fam->minor_id;
		goto put;
	}
	snprintf(fam->name, sizeof(fam->name), "fam%d", fam->minor_id);

	ret = fam_mbox_init(fam);
	if (ret)
		goto free_id;
	ret = fam_irq_setup(fam);
	if (ret)
		goto free_mbox;

	fam->misc.minor = MISC_DYNAMIC_MINOR;
	fam->misc.name = fam->name;
	fam->misc.fops = &fam_fops;
	fam->misc.parent = dev;
	fam->misc.mode = 0600;
	ret = misc_register(&fam->misc);
	if (ret)
		goto free_irq;

	dev_info(dev, "/dev/%s: node %u of %u, pool %llu MiB\n", fam->name,
		 fam->node_id, fam->node_count, fam->pool_size >> 20);
	return 0;

free_irq:
	fam_irq_teardown(fam);
free_mbox:
	fam_mbox_fini(fam);
free_id:
	ida_free(&fam_ida, fam->minor_id);
put:
	kref_put(&fam->ref, fam_free);
	return ret;
}

static void fam_remove(struct pci_dev *pdev)
{
	struct fam_dev *fam = pci_get_drvdata(pdev);

	misc_deregister(&fam->misc);
	/*
	 * Files still open now fail every call with ENODEV; wake those
	 * asleep in one and wait until all have left. Their mappings stay:
	 * PFN maps of the BAR, like any after its driver went.
	 */
	WRITE_ONCE(fam->gone, true);
	wake_up_all(&fam->db_wait);
	wake_up_all(&fam->mbox_wait);
	down_write(&fam->unbind);
	up_write(&fam->unbind);

	fam_irq_teardown(fam);
	ida_free(&fam_ida, fam->minor_id);
	kref_put(&fam->ref, fam_free);
}

static const struct pci_device_id fam_ids[] = {
	{ PCI_DEVICE(FAM_PCI_VENDOR_ID, FAM_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, fam_ids);

static struct pci_driver fam_driver = {
	.name = KBUILD_MODNAME,
	.id_table = fam_ids,
	.probe = fam_probe,
	.remove = fam_remove,
	.dev_groups = fam_groups,
};
static int __init fam_init(void)
{
	int ret = fam_shelf_init();

	if (ret)
		return ret;
	ret = pci_register_driver(&fam_driver);
	if (ret)
		fam_shelf_exit();
	return ret;
}
module_init(fam_init);

static void __exit fam_exit(void)
{
	pci_unregister_driver(&fam_driver);
	fam_shelf_exit();
}
module_exit(fam_exit);

MODULE_DESCRIPTION("FAME fam-fabric device: fabric-attached memory, doorbells, Librarian mailbox");
MODULE_AUTHOR("The FAME developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(FAME_VERSION);
