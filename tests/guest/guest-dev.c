/* The fam-fabric device from user space, through sysfs: see guest-dev.h. */
#define _DEFAULT_SOURCE

#include "guest-dev.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCI_DEVICES "/sys/bus/pci/devices"

/* A sysfs attribute holding one number (hex with 0x, or decimal). */
static bool read_attr(const char *dir, const char *name, unsigned long *v)
{
    char path[352], buf[64];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    ssize_t len = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (len <= 0)
        return false;
    buf[len] = '\0';
    char *end;
    errno = 0;
    *v = strtoul(buf, &end, 0);
    return !errno && end != buf;
}

static bool find_function(char *out, size_t len, unsigned vendor,
                          unsigned device)
{
    DIR *dir = opendir(PCI_DEVICES);
    if (!dir)
        return false;
    bool found = false;
    struct dirent *e;
    /* The lowest address wins, so the choice does not depend on readdir
     * order if a node ever had two. */
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;
        char path[320];
        unsigned long v, dv;
        snprintf(path, sizeof(path), PCI_DEVICES "/%s", e->d_name);
        if (!read_attr(path, "vendor", &v) || !read_attr(path, "device", &dv) ||
            v != vendor || dv != device)
            continue;
        if (!found || strcmp(path, out) < 0) {
            snprintf(out, len, "%s", path);
            found = true;
        }
    }
    closedir(dir);
    return found;
}

static volatile uint8_t *map_resource(const struct guest_dev *d,
                                      const struct fame_node *n, int bar,
                                      uint64_t *size)
{
    char path[352];
    snprintf(path, sizeof(path), "%s/resource%d", d->sysfs, bar);
    int fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        fame_say(n, "FAIL cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) || st.st_size <= 0) {
        fame_say(n, "FAIL %s has no size (BAR %d not assigned?)", path, bar);
        close(fd);
        return NULL;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED, fd, 0);
    int err = errno;
    close(fd);
    if (p == MAP_FAILED) {
        fame_say(n, "FAIL cannot map %s (%lld bytes): %s", path,
                 (long long)st.st_size, strerror(err));
        return NULL;
    }
    *size = (uint64_t)st.st_size;
    return p;
}

/* If a driver holds the function at sysfs, make it let go. */
static bool unbind_driver(const struct guest_dev *d, const struct fame_node *n)
{
    char path[352];
    snprintf(path, sizeof(path), "%s/driver/unbind", d->sysfs);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return errno == ENOENT;     /* no driver */
    const char *addr = strrchr(d->sysfs, '/') + 1;
    bool ok = write(fd, addr, strlen(addr)) == (ssize_t)strlen(addr);
    int err = errno;
    close(fd);
    if (!ok)
        fame_say(n, "FAIL cannot unbind the driver of %s: %s", d->sysfs,
                 strerror(err));
    return ok;
}

bool guest_dev_open_ids(struct guest_dev *d, const struct fame_node *n,
                      unsigned vendor, unsigned device, bool map_regs)
{
    memset(d, 0, sizeof(*d));
    d->fd = -1;
    if (!find_function(d->sysfs, sizeof(d->sysfs), vendor, device)) {
        fame_say(n, "FAIL no PCI function %04x:%04x in " PCI_DEVICES, vendor,
                 device);
        return false;
    }
    if (!unbind_driver(d, n))
        return false;
    /*
     * Nobody has enabled the function: no firmware in a fame node, and
     * the driver (if any) is gone. Writing `enable` turns memory decoding
     * on, without which the BARs read all-ones.
     */
    unsigned long enabled;
    if (read_attr(d->sysfs, "enable", &enabled) && !enabled) {
        char path[352];
        snprintf(path, sizeof(path), "%s/enable", d->sysfs);
        int fd = open(path, O_WRONLY);
        if (fd < 0 || write(fd, "1", 1) != 1) {
            fame_say(n, "FAIL cannot enable %s: %s", d->sysfs,
                     strerror(errno));
            if (fd >= 0)
                close(fd);
            return false;
        }
        close(fd);
    }
    uint64_t size;
    if (map_regs) {
        d->regs = map_resource(d, n, FAM_BAR_REGS, &size);
        if (!d->regs)
            return false;
        if (size < FAM_BAR_REGS_SIZE) {
            fame_say(n, "FAIL BAR0 is %llu bytes, the registers need %u",
                     (unsigned long long)size, FAM_BAR_REGS_SIZE);
            return false;
        }
    }
    d->pool = map_resource(d, n, FAM_BAR_POOL, &d->bar2_size);
    return d->pool != NULL;
}

bool guest_dev_open(struct guest_dev *d, const struct fame_node *n)
{
    if (!guest_dev_open_ids(d, n, FAM_PCI_VENDOR_ID, FAM_PCI_DEVICE_ID, true))
        return false;
    /* Everything else the tests read is meaningless if this is wrong. */
    uint32_t magic = guest_rd32(d, FAM_REG_MAGIC);
    if (magic != FAM_MAGIC) {
        fame_say(n, "FAIL %s: magic register reads %#x, not %#x", d->sysfs,
                 magic, FAM_MAGIC);
        return false;
    }
    return true;
}

bool guest_dev_open_driver(struct guest_dev *d, const struct fame_node *n)
{
    memset(d, 0, sizeof(*d));
    d->fd = open(FAM_DRIVER_DEV, O_RDWR | O_CLOEXEC);
    if (d->fd < 0) {
        fame_say(n, "FAIL cannot open " FAM_DRIVER_DEV " (is the fam driver "
                 "loaded?): %s", strerror(errno));
        return false;
    }
    if (ioctl(d->fd, FAM_IOC_INFO, &d->info)) {
        fame_say(n, "FAIL FAM_IOC_INFO: %s", strerror(errno));
        return false;
    }
    void *p = mmap(NULL, (size_t)d->info.pool_size, PROT_READ | PROT_WRITE,
                   MAP_SHARED, d->fd, 0);
    if (p == MAP_FAILED) {
        fame_say(n, "FAIL cannot map the pool (%llu bytes) from "
                 FAM_DRIVER_DEV ": %s",
                 (unsigned long long)d->info.pool_size, strerror(errno));
        return false;
    }
    d->pool = p;
    d->bar2_size = d->info.pool_size;
    return true;
}

void guest_model_name(const struct guest_dev *d, char *buf)
{
    /* 32-bit reads: the register is an array of them to the device */
    for (unsigned i = 0; i < FAM_MODEL_NAME_LEN; i += 4) {
        uint32_t w = guest_rd32(d, FAM_REG_MODEL_NAME + i);
        for (unsigned b = 0; b < 4; b++)
            buf[i + b] = (char)(w >> (8 * b));
    }
    buf[FAM_MODEL_NAME_LEN] = '\0';
}

uint64_t guest_pattern(uint64_t run, uint64_t stream, uint64_t i)
{
    uint64_t x = run * 0x9e3779b97f4a7c15ULL + stream * 0xd1b54a32d192ed03ULL +
                 i * 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 31;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 29;
    return x == UINT64_MAX ? 0 : x;
}

uint64_t guest_run_id(void)
{
    long id = fame_cmdline_long("fam.run_id", 1);
    return id > 0 ? (uint64_t)id : 1;
}

void guest_publish(const struct guest_dev *d, uint64_t slots, unsigned node,
                 uint64_t value)
{
    __atomic_store_n(guest_word(d, slots + node * FAM_SLOT_STRIDE), value,
                     __ATOMIC_RELEASE);
}

bool guest_wait_slot(const struct guest_dev *d, const struct fame_node *n,
                   uint64_t slots, unsigned node, uint64_t value,
                   double timeout, const char *what)
{
    uint64_t *w = guest_word(d, slots + node * FAM_SLOT_STRIDE);
    double start = fame_now(), end = start + timeout;
    while (__atomic_load_n(w, __ATOMIC_ACQUIRE) != value) {
        double now = fame_now();
        if (now > end) {
            fame_say(n, "FAIL timed out after %.0f s waiting for node %u "
                     "(%s): its slot holds %#llx, not %#llx", timeout, node,
                     what, (unsigned long long)*w,
                     (unsigned long long)value);
            return false;
        }
        /*
         * Spin for a moment, so nodes leaving a barrier together start
         * within microseconds of each other (the atomic test wants them
         * to race); then sleep, leaving the host cores to the nodes we
         * wait for, which may still be booting.
         */
        if (now - start > 0.02)
            fame_sleep(0.001);
    }
    return true;
}

bool guest_wait_all(const struct guest_dev *d, const struct fame_node *n,
                  uint64_t slots, uint64_t value, double timeout,
                  const char *what)
{
    double end = fame_now() + timeout;
    for (unsigned i = 0; i < n->count; i++) {
        double left = end - fame_now();
        if (!guest_wait_slot(d, n, slots, i, value, left > 0 ? left : 0, what))
            return false;
    }
    return true;
}
