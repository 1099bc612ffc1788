// SPDX-License-Identifier: GPL-2.0
/*
 * fam: sysfs files of a bound fam-fabric function, one value each.
 *
 *   <pci device>/           node_id node_count pool_size book_size
 *                           module_count interleave_ways
 *                           interleave_granule features model
 *   <pci device>/stats/     the device's counters (FAM_REG_STAT_*) and
 *                           errlog_count, read from BAR0 when read
 *   <pci device>/irqs/      interrupts the driver took per vector, and
 *                           the Librarian requests it sent
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "fam.h"

static struct fam_dev *to_fam(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

/* Identity registers */

#define FAM_REG32_ATTR(_name, _reg)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", readl(to_fam(dev)->regs + (_reg))); \
}									\
static DEVICE_ATTR_RO(_name)

#define FAM_REG64_ATTR(_name, _reg)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  readq(to_fam(dev)->regs + (_reg)));		\
}									\
static DEVICE_ATTR_RO(_name)

FAM_REG32_ATTR(node_id, FAM_REG_NODE_ID);
FAM_REG32_ATTR(node_count, FAM_REG_NODE_COUNT);
FAM_REG64_ATTR(pool_size, FAM_REG_POOL_SIZE);
FAM_REG64_ATTR(book_size, FAM_REG_BOOK_SIZE);
FAM_REG32_ATTR(module_count, FAM_REG_MODULE_COUNT);
FAM_REG32_ATTR(interleave_ways, FAM_REG_IL_WAYS);
FAM_REG64_ATTR(interleave_granule, FAM_REG_IL_GRANULE);

static ssize_t features_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%x\n",
			  readl(to_fam(dev)->regs + FAM_REG_FEATURES));
}
static DEVICE_ATTR_RO(features);

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	char name[FAM_MODEL_NAME_LEN + 1] = "";

	__ioread32_copy(name, to_fam(dev)->regs + FAM_REG_MODEL_NAME,
			FAM_MODEL_NAME_LEN / 4);
	name[FAM_MODEL_NAME_LEN] = '\0';
	return sysfs_emit(buf, "%s\n", name);
}
static DEVICE_ATTR_RO(model);

static struct attribute *fam_attrs[] = {
	&dev_attr_node_id.attr,
	&dev_attr_node_count.attr,
	&dev_attr_pool_size.attr,
	&dev_attr_book_size.attr,
	&dev_attr_module_count.attr,
	&dev_attr_interleave_ways.attr,
	&dev_attr_interleave_granule.attr,
	&dev_attr_features.attr,
	&dev_attr_model.attr,
	NULL,
};

static const struct attribute_group fam_group = {
	.attrs = fam_attrs,
};

/* stats/: the device's counters */

#define FAM_STAT_ATTR(_name, _stat) \
	FAM_REG64_ATTR(_name, FAM_REG_STAT(_stat))

FAM_STAT_ATTR(reads, FAM_STAT_READS);
FAM_STAT_ATTR(writes, FAM_STAT_WRITES);
FAM_STAT_ATTR(bytes_read, FAM_STAT_BYTES_READ);
FAM_STAT_ATTR(bytes_written, FAM_STAT_BYTES_WRITTEN);
FAM_STAT_ATTR(doorbells_sent, FAM_STAT_DOORBELLS_SENT);
FAM_STAT_ATTR(doorbells_received, FAM_STAT_DOORBELLS_RECEIVED);
FAM_STAT_ATTR(doorbell_errors, FAM_STAT_DOORBELL_ERRORS);
FAM_STAT_ATTR(grant_faults, FAM_STAT_GRANT_FAULTS);
FAM_REG64_ATTR(errlog_count, FAM_REG_ERRLOG_COUNT);

static struct attribute *fam_stat_attrs[] = {
	&dev_attr_reads.attr,
	&dev_attr_writes.attr,
	&dev_attr_bytes_read.attr,
	&dev_attr_bytes_written.attr,
	&dev_attr_doorbells_sent.attr,
	&dev_attr_doorbells_received.attr,
	&dev_attr_doorbell_errors.attr,
	&dev_attr_grant_faults.attr,
	&dev_attr_errlog_count.attr,
	NULL,
};

static const struct attribute_group fam_stat_group = {
	.name = "stats",
	.attrs = fam_stat_attrs,
};

/* irqs/: what the driver itself counted */

#define FAM_IRQ_ATTR(_name, _vector)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%lld\n",				\
			  atomic64_read(&to_fam(dev)->irqs[_vector]));	\
}									\
static DEVICE_ATTR_RO(_name)

/* One file per doorbell vector, named below */
static_assert(FAM_DOORBELL_VECTORS == 4);
FAM_IRQ_ATTR(doorbell0, 0);
FAM_IRQ_ATTR(doorbell1, 1);
FAM_IRQ_ATTR(doorbell2, 2);
FAM_IRQ_ATTR(doorbell3, 3);
FAM_IRQ_ATTR(mailbox, FAM_VECTOR_MAILBOX);
FAM_IRQ_ATTR(error, FAM_VECTOR_ERROR);

static ssize_t mailbox_calls_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  atomic64_read(&to_fam(dev)->mbox_calls));
}
static DEVICE_ATTR_RO(mailbox_calls);

static struct attribute *fam_irq_attrs[] = {
	&dev_attr_doorbell0.attr,
	&dev_attr_doorbell1.attr,
	&dev_attr_doorbell2.attr,
	&dev_attr_doorbell3.attr,
	&dev_attr_mailbox.attr,
	&dev_attr_error.attr,
	&dev_attr_mailbox_calls.attr,
	NULL,
};

static const struct attribute_group fam_irq_group = {
	.name = "irqs",
	.attrs = fam_irq_attrs,
};

const struct attribute_group *fam_groups[] = {
	&fam_group,
	&fam_stat_group,
	&fam_irq_group,
	NULL,
};
