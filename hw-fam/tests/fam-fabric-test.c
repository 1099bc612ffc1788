/*
 * qtest of the fam-fabric device, without a guest
 *
 * One q35 machine holds a whole fabric: a 16 MiB pool, a hub for three
 * nodes, and the fam-fabric functions of nodes 0 and 1 (node 2 has none in
 * this process). The test drives their registers, doorbells, MSI-X, grants
 * (through QMP fam-grant/fam-revoke) and error log.
 *
 * FAME builds this inside QEMU's tree (tests/qtest/, linked from hw-fam/)
 * and runs it with QTEST_QEMU_BINARY; FAME_BIOS names the firmware
 * directory q35 needs (-L).
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <glib/gstdio.h>
#include "libqtest.h"
#include "libqos/pci-pc.h"
#include "qemu/bswap.h"
#include "qobject/qdict.h"
#include "qobject/qlist.h"
#include "standard-headers/linux/pci_regs.h"
#include "fame/fam-fabric-regs.h"

#define POOL_SIZE       (16 * 1024 * 1024)
#define NODES           3

typedef struct Fabric {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev[2];
    QPCIBar regs[2];
    QPCIBar pool[2];
    char *pool_path;
} Fabric;

static Fabric *fabric_start_model(const char *model)
{
    Fabric *f = g_new0(Fabric, 1);
    const char *bios = getenv("FAME_BIOS");
    uint64_t size;
    int fd, i;

    fd = g_file_open_tmp("fam-pool-XXXXXX", &f->pool_path, NULL);
    g_assert(fd >= 0);
    close(fd);
    f->qts = qtest_initf("-machine q35 %s%s "
        "-object memory-backend-file,id=pool,mem-path=%s,size=%d,share=on "
        "-object fam-hub,id=fabric0,memdev=pool,nodes=%d,model=%s "
        "-device fam-fabric,hub=fabric0,node-id=0,addr=04.0 "
        "-device fam-fabric,hub=fabric0,node-id=1,addr=05.0",
        bios ? "-L " : "", bios ? bios : "", f->pool_path, POOL_SIZE,
        NODES, model);
    f->bus = qpci_new_pc(f->qts, NULL);
    for (i = 0; i < 2; i++) {
        f->dev[i] = qpci_device_find(f->bus, QPCI_DEVFN(4 + i, 0));
        g_assert(f->dev[i]);
        qpci_device_enable(f->dev[i]);
        f->regs[i] = qpci_iomap(f->dev[i], FAM_BAR_REGS, &size);
        g_assert_cmpuint(size, ==, FAM_BAR_REGS_SIZE);
        f->pool[i] = qpci_iomap(f->dev[i], FAM_BAR_POOL, &size);
        g_assert_cmpuint(size, ==, POOL_SIZE);
    }
    return f;
}

static Fabric *fabric_start(void)
{
    return fabric_start_model("ideal");
}

static void fabric_stop(Fabric *f)
{
    int i;

    for (i = 0; i < 2; i++) {
        g_free(f->dev[i]);
    }
    qpci_free_pc(f->bus);
    qtest_quit(f->qts);
    g_unlink(f->pool_path);
    g_free(f->pool_path);
    g_free(f);
}

static uint32_t rd32(Fabric *f, int n, uint64_t reg)
{
    return qpci_io_readl(f->dev[n], f->regs[n], reg);
}

static uint64_t rd64(Fabric *f, int n, uint64_t reg)
{
    return qpci_io_readq(f->dev[n], f->regs[n], reg);
}

static void wr32(Fabric *f, int n, uint64_t reg, uint32_t val)
{
    qpci_io_writel(f->dev[n], f->regs[n], reg, val);
}

static uint64_t node_stat(Fabric *f, int n, int which)
{
    return rd64(f, n, FAM_REG_STAT(which));
}

/* The newest entry of node n's error log: kind, offset, info. */
static void last_error(Fabric *f, int n, uint32_t *kind, uint64_t *offset,
                       uint64_t *info)
{
    uint64_t count = rd64(f, n, FAM_REG_ERRLOG_COUNT);
    uint64_t e = FAM_REG_ERRLOG((count - 1) % FAM_ERRLOG_ENTRIES);

    g_assert_cmpuint(count, >, 0);
    g_assert_cmpuint(rd32(f, n, e + FAM_ERRLOG_NODE), ==, n);
    *kind = rd32(f, n, e + FAM_ERRLOG_KIND);
    *offset = rd64(f, n, e + FAM_ERRLOG_OFFSET);
    *info = rd64(f, n, e + FAM_ERRLOG_INFO);
}

static void test_identity(void)
{
    Fabric *f = fabric_start();
    int n;

    for (n = 0; n < 2; n++) {
        g_assert_cmphex(qpci_config_readw(f->dev[n], PCI_VENDOR_ID), ==,
                        FAM_PCI_VENDOR_ID);
        g_assert_cmphex(qpci_config_readw(f->dev[n], PCI_DEVICE_ID), ==,
                        FAM_PCI_DEVICE_ID);
        g_assert_cmphex(rd32(f, n, FAM_REG_MAGIC), ==, FAM_MAGIC);
        g_assert_cmphex(rd32(f, n, FAM_REG_VERSION), ==,
                        FAM_VERSION_MAJOR << 16 | FAM_VERSION_MINOR);
        g_assert_cmpuint(rd32(f, n, FAM_REG_NODE_ID), ==, n);
        g_assert_cmpuint(rd32(f, n, FAM_REG_NODE_COUNT), ==, NODES);
        g_assert_cmpuint(rd64(f, n, FAM_REG_POOL_SIZE), ==, POOL_SIZE);
        /* 64-bit registers read as two halves, low first */
        g_assert_cmpuint(rd32(f, n, FAM_REG_POOL_SIZE), ==, POOL_SIZE);
        g_assert_cmpuint(rd32(f, n, FAM_REG_POOL_SIZE + 4), ==, 0);
        g_assert_cmpuint(rd64(f, n, FAM_REG_BOOK_SIZE), ==, 8 * 1024 * 1024);
        g_assert_cmphex(rd32(f, n, FAM_REG_FEATURES) &
                        (FAM_FEATURE_DOORBELL | FAM_FEATURE_GRANTS), ==,
                        FAM_FEATURE_DOORBELL | FAM_FEATURE_GRANTS);
    }
    fabric_stop(f);
}

/* The model's name, as the NUL-padded register holds it. */
static void read_model_name(Fabric *f, int n, char *name)
{
    int i;

    for (i = 0; i < FAM_MODEL_NAME_LEN; i += 4) {
        uint32_t v = cpu_to_le32(rd32(f, n, FAM_REG_MODEL_NAME + i));

        memcpy(name + i, &v, 4);
    }
}

/* Model registers: ideal is one module; cxl-direct 4 ways of 256 B. */
static void test_model(void)
{
    char name[FAM_MODEL_NAME_LEN];
    Fabric *f = fabric_start();

    g_assert_cmpuint(rd32(f, 0, FAM_REG_MODULE_COUNT), ==, 1);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_IL_WAYS), ==, 1);
    read_model_name(f, 0, name);
    g_assert_cmpstr(name, ==, "ideal");
    fabric_stop(f);

    f = fabric_start_model("cxl-direct");
    g_assert_cmpuint(rd32(f, 1, FAM_REG_MODULE_COUNT), ==, 4);
    g_assert_cmpuint(rd32(f, 1, FAM_REG_IL_WAYS), ==, 4);
    g_assert_cmpuint(rd64(f, 1, FAM_REG_IL_GRANULE), ==, 256);
    g_assert_cmpuint(rd64(f, 1, FAM_REG_BOOK_SIZE), ==, 8 * 1024 * 1024);
    read_model_name(f, 1, name);
    g_assert_cmpstr(name, ==, "cxl-direct");
    fabric_stop(f);
}

static void test_shared_pool(void)
{
    Fabric *f = fabric_start();
    uint64_t v;

    qpci_io_writeq(f->dev[0], f->pool[0], 0x1000, 0x1122334455667788ULL);
    v = qpci_io_readq(f->dev[1], f->pool[1], 0x1000);
    g_assert_cmphex(v, ==, 0x1122334455667788ULL);
    qpci_io_writeq(f->dev[1], f->pool[1], POOL_SIZE - 8, 0xfeedULL);
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], POOL_SIZE - 8), ==,
                    0xfeedULL);
    fabric_stop(f);
}

static void test_doorbell(void)
{
    Fabric *f = fabric_start();

    /* Node 0 rings vector 2 of node 1 */
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(1, 2));
    g_assert_cmphex(rd64(f, 1, FAM_REG_DB_PENDING(2)), ==, 1ULL << 0);
    g_assert_cmphex(rd32(f, 1, FAM_REG_INTR_STATUS), ==, 1u << 2);
    g_assert_cmphex(rd64(f, 1, FAM_REG_DB_PENDING(0)), ==, 0);
    g_assert_cmphex(rd32(f, 0, FAM_REG_INTR_STATUS), ==, 0);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_DOORBELLS_SENT), ==, 1);
    g_assert_cmpuint(node_stat(f, 1, FAM_STAT_DOORBELLS_RECEIVED), ==, 1);

    /* Both status bits are write-one-to-clear */
    qpci_io_writeq(f->dev[1], f->regs[1], FAM_REG_DB_PENDING(2), 1);
    wr32(f, 1, FAM_REG_INTR_STATUS, 1u << 2);
    g_assert_cmphex(rd64(f, 1, FAM_REG_DB_PENDING(2)), ==, 0);
    g_assert_cmphex(rd32(f, 1, FAM_REG_INTR_STATUS), ==, 0);

    /* Node 1 rings itself and node 0 */
    wr32(f, 1, FAM_REG_DOORBELL, FAM_DOORBELL(1, 0));
    wr32(f, 1, FAM_REG_DOORBELL, FAM_DOORBELL(0, 3));
    g_assert_cmphex(rd64(f, 1, FAM_REG_DB_PENDING(0)), ==, 1ULL << 1);
    g_assert_cmphex(rd64(f, 0, FAM_REG_DB_PENDING(3)), ==, 1ULL << 1);
    fabric_stop(f);
}

/*
 * With MSI-X enabled, its table entries stay masked (their reset state),
 * so a signalled vector shows as pending in the PBA: that proves the
 * device sent it. A vector masked in the device's own mask is not sent.
 */
static void test_doorbell_msix(void)
{
    Fabric *f = fabric_start();

    qpci_msix_enable(f->dev[1]);
    g_assert(qpci_msix_masked(f->dev[1], 1));
    g_assert(!qpci_msix_pending(f->dev[1], 1));
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(1, 1));
    g_assert(qpci_msix_pending(f->dev[1], 1));

    wr32(f, 1, FAM_REG_INTR_MASK, 1u << 2);
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(1, 2));
    g_assert_cmphex(rd32(f, 1, FAM_REG_INTR_STATUS), ==, 1u << 1 | 1u << 2);
    g_assert(!qpci_msix_pending(f->dev[1], 2));
    fabric_stop(f);
}

static void test_doorbell_errors(void)
{
    Fabric *f = fabric_start();
    uint32_t kind;
    uint64_t offset, info;

    /* Node 2 is on the fabric but has no device here; node 9 is not */
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(2, 0));
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(9, 0));
    wr32(f, 0, FAM_REG_DOORBELL, FAM_DOORBELL(1, FAM_DOORBELL_VECTORS));
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_DOORBELL_ERRORS), ==, 3);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_DOORBELLS_SENT), ==, 0);
    g_assert_cmpuint(rd64(f, 0, FAM_REG_ERRLOG_COUNT), ==, 3);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_DOORBELL);
    g_assert_cmphex(info, ==, FAM_DOORBELL(1, FAM_DOORBELL_VECTORS));
    g_assert_cmphex(rd32(f, 0, FAM_REG_INTR_STATUS), ==,
                    1u << FAM_VECTOR_ERROR);
    g_assert_cmphex(rd64(f, 1, FAM_REG_DB_PENDING(0)), ==, 0);
    fabric_stop(f);
}

static void G_GNUC_PRINTF(2, 3) qmp_ok(Fabric *f, const char *fmt, ...)
{
    va_list ap;
    QDict *rsp;

    va_start(ap, fmt);
    rsp = qtest_vqmp(f->qts, fmt, ap);
    va_end(ap);
    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

static void test_grants(void)
{
    Fabric *f = fabric_start();
    uint32_t kind;
    uint64_t offset, info;

    qpci_io_writeq(f->dev[1], f->pool[1], 0x3000, 0xabcdULL);

    /* Node 0 loses pages 0x2000..0x5fff */
    qmp_ok(f, "{'execute': 'fam-revoke', 'arguments': {'node': 0, "
           "'offset': 8192, 'size': 16384}}");
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x3000), ==,
                    UINT64_MAX);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_GRANT_READ);
    g_assert_cmphex(offset, ==, 0x3000);
    g_assert_cmpuint(info, ==, 8);
    qpci_io_writeq(f->dev[0], f->pool[0], 0x3008, 0x5555ULL);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_GRANT_WRITE);
    g_assert_cmphex(offset, ==, 0x3008);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 2);
    /* The write never reached the pool; the rest of it is still granted */
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x3008), ==, 0);
    qpci_io_writeq(f->dev[0], f->pool[0], 0x6000, 0x77ULL);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x6000), ==, 0x77);
    g_assert_cmpuint(node_stat(f, 1, FAM_STAT_GRANT_FAULTS), ==, 0);

    /*
     * Granted back read-only: reads see the pool again, without a fault.
     * (QEMU drops writes to a read-only grant only when a CPU makes them,
     * so qtest, whose writes are not CPU accesses, cannot check that;
     * the guest tests do.)
     */
    qmp_ok(f, "{'execute': 'fam-grant', 'arguments': {'node': 0, "
           "'offset': 8192, 'size': 16384, 'writable': false}}");
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x3000), ==, 0xabcd);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 2);
    fabric_stop(f);
}

/* One module's counters from query-fam: reads, writes, bytes of each. */
static void module_counts(Fabric *f, int module, uint64_t *v)
{
    QDict *rsp = qtest_qmp(f->qts, "{'execute': 'query-fam'}");
    QList *fabrics = qdict_get_qlist(rsp, "return");
    QDict *fabric = qobject_to(QDict, qlist_peek(fabrics));
    QList *modules = qdict_get_qlist(fabric, "module-info");
    QListEntry *e;

    QLIST_FOREACH_ENTRY(modules, e) {
        QDict *m = qobject_to(QDict, qlist_entry_obj(e));

        if (qdict_get_int(m, "module") == module) {
            v[0] = qdict_get_int(m, "reads");
            v[1] = qdict_get_int(m, "writes");
            v[2] = qdict_get_int(m, "bytes-read");
            v[3] = qdict_get_int(m, "bytes-written");
        }
    }
    qobject_unref(rsp);
}

/*
 * Decoded accesses count against the module the model maps them to:
 * cxl-direct interleaves 4 modules by 256 B, so 0x3000, 0x3100 and 0x3200
 * are on modules 0, 1 and 2.
 */
static void test_module_stats(void)
{
    Fabric *f = fabric_start_model("cxl-direct");
    uint64_t v[4];

    qmp_ok(f, "{'execute': 'fam-revoke', 'arguments': {'node': 0, "
           "'offset': 8192, 'size': 16384}}");
    qpci_io_readq(f->dev[0], f->pool[0], 0x3000);
    qpci_io_readl(f->dev[0], f->pool[0], 0x3100);
    qpci_io_writel(f->dev[0], f->pool[0], 0x3200, 1);
    module_counts(f, 0, v);
    g_assert_cmpuint(v[0], ==, 1);
    g_assert_cmpuint(v[2], ==, 8);
    g_assert_cmpuint(v[1], ==, 0);
    module_counts(f, 1, v);
    g_assert_cmpuint(v[0], ==, 1);
    g_assert_cmpuint(v[2], ==, 4);
    module_counts(f, 2, v);
    g_assert_cmpuint(v[1], ==, 1);
    g_assert_cmpuint(v[3], ==, 4);
    g_assert_cmpuint(v[0], ==, 0);
    module_counts(f, 3, v);
    g_assert_cmpuint(v[0] + v[1], ==, 0);
    fabric_stop(f);
}

static void test_grant_errors(void)
{
    Fabric *f = fabric_start();
    QDict *rsp;

    rsp = qtest_qmp(f->qts, "{'execute': 'fam-grant', 'arguments': "
                    "{'node': 0, 'offset': 5, 'size': 4096}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(f->qts, "{'execute': 'fam-grant', 'arguments': "
                    "{'node': 0, 'offset': 0, 'size': %d}}", 2 * POOL_SIZE);
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    rsp = qtest_qmp(f->qts, "{'execute': 'fam-revoke', 'arguments': "
                    "{'node': 2, 'offset': 0, 'size': 4096}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    fabric_stop(f);
}

static void test_bad_registers(void)
{
    Fabric *f = fabric_start();
    uint32_t kind;
    uint64_t offset, info;

    /* An offset with no register */
    g_assert_cmphex(rd32(f, 0, 0x0f0), ==, UINT32_MAX);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_REGISTER);
    g_assert_cmphex(offset, ==, 0x0f0);
    g_assert_cmpuint(info, ==, 4);
    /* A write to a read-only register changes nothing */
    wr32(f, 0, FAM_REG_NODE_ID, 7);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_NODE_ID), ==, 0);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_REGISTER);
    g_assert_cmphex(offset, ==, FAM_REG_NODE_ID);
    /* A 64-bit access to a 32-bit register */
    g_assert_cmphex(rd64(f, 0, FAM_REG_MAGIC), ==, UINT64_MAX);
    /* 1- and 2-byte accesses are invalid: they must not reach a register */
    qpci_io_writeb(f->dev[0], f->regs[0], FAM_REG_DOORBELL, 0x01);
    qpci_io_writew(f->dev[0], f->regs[0], FAM_REG_INTR_MASK, 0xff);
    g_assert_cmphex(rd32(f, 0, FAM_REG_INTR_MASK), ==, 0);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_DOORBELLS_SENT), ==, 0);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_DOORBELL_ERRORS), ==, 0);
    fabric_stop(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/fam-fabric/identity", test_identity);
    qtest_add_func("/fam-fabric/model", test_model);
    qtest_add_func("/fam-fabric/shared-pool", test_shared_pool);
    qtest_add_func("/fam-fabric/doorbell", test_doorbell);
    qtest_add_func("/fam-fabric/doorbell-msix", test_doorbell_msix);
    qtest_add_func("/fam-fabric/doorbell-errors", test_doorbell_errors);
    qtest_add_func("/fam-fabric/grants", test_grants);
    qtest_add_func("/fam-fabric/module-stats", test_module_stats);
    qtest_add_func("/fam-fabric/grant-errors", test_grant_errors);
    qtest_add_func("/fam-fabric/bad-registers", test_bad_registers);
    return g_test_run();
}
