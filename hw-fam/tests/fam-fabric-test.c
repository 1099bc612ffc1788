/*
 * qtest of the fam-fabric device, without a guest
 *
 * One q35 machine holds a whole fabric: a 16 MiB pool, a hub for three
 * nodes, and the fam-fabric functions of nodes 0 and 1 (node 2 has none in
 * this process). The test drives their registers, doorbells, MSI-X, grants
 * (through QMP fam-grant/fam-revoke) and error log, and the Librarian
 * mailbox: with a Librarian in the hub (node 0's librarian-db=; nodes
 * then start without grants) and without one (every request answered
 * ENOSYS).
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
#include "fame/fam-librarian-proto.h"

#define POOL_SIZE       (16 * 1024 * 1024)
#define NODES           3

typedef struct Fabric {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev[2];
    QPCIBar regs[2];
    QPCIBar pool[2];
    char *pool_path;
    char *db_path;              /* the Librarian's database, or NULL */
} Fabric;

/* Map both devices' BARs (again after a reset, which unmaps them). */
static void fabric_map(Fabric *f)
{
    uint64_t size;
    int i;

    for (i = 0; i < 2; i++) {
        qpci_device_enable(f->dev[i]);
        f->regs[i] = qpci_iomap(f->dev[i], FAM_BAR_REGS, &size);
        g_assert_cmpuint(size, ==, FAM_BAR_REGS_SIZE);
        f->pool[i] = qpci_iomap(f->dev[i], FAM_BAR_POOL, &size);
        g_assert_cmpuint(size, ==, POOL_SIZE);
    }
}

/* A fabric on f->pool_path; dev0_extra is added to node 0's -device. */
static void fabric_launch(Fabric *f, const char *model, const char *dev0_extra)
{
    const char *bios = getenv("FAME_BIOS");
    int i;

    f->qts = qtest_initf("-machine q35 %s%s "
        "-object memory-backend-file,id=pool,mem-path=%s,size=%d,share=on "
        "-object fam-hub,id=fabric0,memdev=pool,nodes=%d,model=%s "
        "-device fam-fabric,hub=fabric0,node-id=0,addr=04.0,id=fam0%s "
        "-device fam-fabric,hub=fabric0,node-id=1,addr=05.0,id=fam1",
        bios ? "-L " : "", bios ? bios : "", f->pool_path, POOL_SIZE,
        NODES, model, dev0_extra);
    f->bus = qpci_new_pc(f->qts, NULL);
    for (i = 0; i < 2; i++) {
        f->dev[i] = qpci_device_find(f->bus, QPCI_DEVFN(4 + i, 0));
        g_assert(f->dev[i]);
    }
    fabric_map(f);
}

/* A fresh, empty pool file. */
static Fabric *fabric_new(void)
{
    Fabric *f = g_new0(Fabric, 1);
    int fd = g_file_open_tmp("fam-pool-XXXXXX", &f->pool_path, NULL);

    g_assert(fd >= 0);
    close(fd);
    return f;
}

/* A fabric of model `model`, with a Librarian in the hub if `librarian`. */
static Fabric *fabric_start_opts(const char *model, bool librarian)
{
    Fabric *f = fabric_new();
    g_autofree char *dev_extra = NULL;

    if (librarian) {
        f->db_path = g_strconcat(f->pool_path, ".librarian.db", NULL);
        dev_extra = g_strdup_printf(",librarian-db=%s", f->db_path);
    }
    fabric_launch(f, model, dev_extra ? dev_extra : "");
    return f;
}

static Fabric *fabric_start_model(const char *model)
{
    return fabric_start_opts(model, false);
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
    if (f->db_path) {
        g_autofree char *wal = g_strconcat(f->db_path, "-wal", NULL);
        g_autofree char *shm = g_strconcat(f->db_path, "-shm", NULL);

        g_unlink(f->db_path);
        g_unlink(wal);
        g_unlink(shm);
        g_free(f->db_path);
    }
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

/* One q35 process holding node `node` of a fabric whose doorbells go
 * through the shared file `bells`: its state, bus and device. */
typedef struct Solo {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar regs;
} Solo;

static void solo_start(Solo *p, const char *pool, const char *bells, int node)
{
    const char *bios = getenv("FAME_BIOS");
    uint64_t size;

    p->qts = qtest_initf("-machine q35 %s%s "
        "-object memory-backend-file,id=pool,mem-path=%s,size=%d,share=on "
        "-device fam-fabric,memdev=pool,node-id=%d,nodes=%d,doorbells=%s,"
        "addr=04.0",
        bios ? "-L " : "", bios ? bios : "", pool, POOL_SIZE, node, NODES,
        bells);
    p->bus = qpci_new_pc(p->qts, NULL);
    p->dev = qpci_device_find(p->bus, QPCI_DEVFN(4, 0));
    g_assert(p->dev);
    qpci_device_enable(p->dev);
    p->regs = qpci_iomap(p->dev, FAM_BAR_REGS, &size);
}

static void solo_stop(Solo *p)
{
    g_free(p->dev);
    qpci_free_pc(p->bus);
    qtest_quit(p->qts);
}

/*
 * Doorbells between processes: node 0 rings node 1 of another process;
 * once that process has exited (and for node 2, which never started) a
 * doorbell is an error, as for a powered-off node in one process.
 */
static void test_doorbell_remote(void)
{
    Fabric *f = fabric_new();
    g_autofree char *bells = g_strconcat(f->pool_path, ".doorbells", NULL);
    Solo a, b;
    gint64 end;

    solo_start(&a, f->pool_path, bells, 0);
    solo_start(&b, f->pool_path, bells, 1);
    qpci_io_writel(a.dev, a.regs, FAM_REG_DOORBELL, FAM_DOORBELL(1, 3));
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (qpci_io_readq(b.dev, b.regs, FAM_REG_DB_PENDING(3)) == 0) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }
    g_assert_cmphex(qpci_io_readq(b.dev, b.regs, FAM_REG_DB_PENDING(3)), ==,
                    1ULL << 0);
    g_assert_cmpuint(qpci_io_readq(a.dev, a.regs,
                                   FAM_REG_STAT(FAM_STAT_DOORBELLS_SENT)),
                     ==, 1);

    solo_stop(&b);
    qpci_io_writel(a.dev, a.regs, FAM_REG_DOORBELL, FAM_DOORBELL(1, 3));
    qpci_io_writel(a.dev, a.regs, FAM_REG_DOORBELL, FAM_DOORBELL(2, 0));
    g_assert_cmpuint(qpci_io_readq(a.dev, a.regs,
                                   FAM_REG_STAT(FAM_STAT_DOORBELL_ERRORS)),
                     ==, 2);
    g_assert_cmpuint(qpci_io_readq(a.dev, a.regs,
                                   FAM_REG_STAT(FAM_STAT_DOORBELLS_SENT)),
                     ==, 1);
    solo_stop(&a);
    g_unlink(bells);
    g_unlink(f->pool_path);
    g_free(f->pool_path);
    g_free(f);
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
     * Granted back read-only: reads see the pool again, without a fault
     * (writes into a read-only grant: test_grant_read_only).
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
 * A write into a read-only grant is a write the node was not granted: it
 * never reaches the pool, and it is counted and logged like any grant
 * fault (at the pool offset, whatever the grant's start), while reads of
 * the range still see the pool. qtest writes are not CPU stores: they take
 * the path of DMA (address_space_write), which must be refused too.
 */
static void test_grant_read_only(void)
{
    Fabric *f = fabric_start();
    uint8_t buf[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint32_t kind;
    uint64_t offset, info, v[4];
    uint64_t writes, bytes, count;

    qpci_io_writeq(f->dev[1], f->pool[1], 0x3000, 0xabcdULL);
    qpci_io_writeq(f->dev[1], f->pool[1], 0x5ff8, 0x1234567887654321ULL);
    qpci_io_writeq(f->dev[1], f->pool[1], 0x1ff8, 0);

    /* Node 0 keeps pages 0x2000..0x5fff, read-only */
    qmp_ok(f, "{'execute': 'fam-grant', 'arguments': {'node': 0, "
           "'offset': 8192, 'size': 16384, 'writable': false}}");
    writes = node_stat(f, 0, FAM_STAT_WRITES);
    bytes = node_stat(f, 0, FAM_STAT_BYTES_WRITTEN);
    count = rd64(f, 0, FAM_REG_ERRLOG_COUNT);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 0);

    qpci_io_writeq(f->dev[0], f->pool[0], 0x3000, 0x5555ULL);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x3000), ==, 0xabcd);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 1);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_WRITES), ==, writes + 1);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_BYTES_WRITTEN), ==, bytes + 8);
    g_assert_cmpuint(rd64(f, 0, FAM_REG_ERRLOG_COUNT), ==, count + 1);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_GRANT_WRITE);
    g_assert_cmphex(offset, ==, 0x3000);
    g_assert_cmpuint(info, ==, 8);
    g_assert_cmphex(rd32(f, 0, FAM_REG_INTR_STATUS), ==,
                    1u << FAM_VECTOR_ERROR);
    module_counts(f, 0, v);
    g_assert_cmpuint(v[1], ==, 1);
    g_assert_cmpuint(v[3], ==, 8);

    /* The last word of the range: a 4-byte write, logged at its offset */
    qpci_io_writel(f->dev[0], f->pool[0], 0x5ffc, 0xffffffff);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_GRANT_WRITE);
    g_assert_cmphex(offset, ==, 0x5ffc);
    g_assert_cmpuint(info, ==, 4);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x5ff8), ==,
                    0x1234567887654321ULL);

    /* Straddling the start: the writable half lands, the other is a fault */
    qpci_memwrite(f->dev[0], f->pool[0], 0x1ffc, buf, sizeof(buf));
    g_assert_cmphex(qpci_io_readl(f->dev[1], f->pool[1], 0x1ffc), ==,
                    0x04030201);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x2000), ==, 0);
    last_error(f, 0, &kind, &offset, &info);
    g_assert_cmpuint(kind, ==, FAM_ERR_GRANT_WRITE);
    g_assert_cmphex(offset, ==, 0x2000);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 3);

    /* Reads of the read-only range see the pool, and are no faults */
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x3000), ==, 0xabcd);
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x5ff8), ==,
                    0x1234567887654321ULL);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 3);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_READS), ==, 0);
    /* Node 1, read-write everywhere, saw none of it */
    g_assert_cmpuint(node_stat(f, 1, FAM_STAT_GRANT_FAULTS), ==, 0);
    g_assert_cmpuint(rd64(f, 1, FAM_REG_ERRLOG_COUNT), ==, 0);

    /* Made writable again, the range takes writes */
    qmp_ok(f, "{'execute': 'fam-grant', 'arguments': {'node': 0, "
           "'offset': 8192, 'size': 16384, 'writable': true}}");
    qpci_io_writeq(f->dev[0], f->pool[0], 0x3000, 0x5555ULL);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x3000), ==, 0x5555);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 3);
    fabric_stop(f);
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

/* --- the Librarian mailbox ------------------------------------------------ */

#define HDR_LEN         sizeof(struct fam_lib_hdr)
#define ARGS_LEN        sizeof(struct fam_lib_args)
#define HDR(field)      offsetof(struct fam_lib_hdr, field)
#define ARGS(field)     (HDR_LEN + offsetof(struct fam_lib_args, field))

/*
 * A request into buf: header, args (handle, size, mode, flags as given)
 * and an optional path. Built by hand, little-endian, so the test does
 * not share the Librarian's own client code it checks.
 */
static size_t build_req(uint8_t *buf, uint16_t op, uint32_t seq,
                        uint32_t node, uint64_t handle, uint64_t size,
                        uint32_t mode, uint32_t flags, const char *path)
{
    size_t len1 = path ? strlen(path) + 1 : 0;
    size_t len = HDR_LEN + ARGS_LEN + len1;

    memset(buf, 0, len);
    stl_le_p(buf + HDR(magic), FAM_LIB_MAGIC);
    stw_le_p(buf + HDR(version), FAM_LIB_VERSION);
    stw_le_p(buf + HDR(opcode), op);
    stl_le_p(buf + HDR(length), len);
    stl_le_p(buf + HDR(seq), seq);
    stl_le_p(buf + HDR(node), node);
    stq_le_p(buf + ARGS(handle), handle);
    stq_le_p(buf + ARGS(size), size);
    stl_le_p(buf + ARGS(mode), mode);
    stl_le_p(buf + ARGS(flags), flags);
    stl_le_p(buf + ARGS(len1), len1);
    if (path) {
        memcpy(buf + HDR_LEN + ARGS_LEN, path, len1);
    }
    return len;
}

static void mbox_put(Fabric *f, int n, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i += 4) {
        uint8_t w[4] = { 0 };

        memcpy(w, buf + i, MIN(4, len - i));
        wr32(f, n, FAM_REG_MBOX_DATA + i, ldl_le_p(w));
    }
}

/* Wait for DONE (at most 10 s), then read the reply into buf. */
static size_t mbox_wait(Fabric *f, int n, uint8_t *buf)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    uint32_t len, i, st;

    while ((st = rd32(f, n, FAM_REG_MBOX_STATUS)) != FAM_MBOX_DONE) {
        g_assert_cmpuint(st, ==, FAM_MBOX_BUSY);
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(1000);
    }
    len = rd32(f, n, FAM_REG_MBOX_DATA + HDR(length));
    g_assert_cmpuint(len, >=, HDR_LEN);
    g_assert_cmpuint(len, <=, FAM_MBOX_DATA_SIZE);
    for (i = 0; i < len; i += 4) {
        stl_le_p(buf + i, rd32(f, n, FAM_REG_MBOX_DATA + i));
    }
    return len;
}

/* Send a request and wait for its reply; returns the reply's status. */
static int32_t mbox_call(Fabric *f, int n, const uint8_t *req, size_t len,
                         uint8_t *reply)
{
    mbox_put(f, n, req, len);
    wr32(f, n, FAM_REG_MBOX_CTRL, FAM_MBOX_GO);
    mbox_wait(f, n, reply);
    g_assert_cmphex(ldl_le_p(reply + HDR(magic)), ==, FAM_LIB_MAGIC);
    g_assert_cmpuint(ldl_le_p(reply + HDR(flags)) & FAM_LIB_F_REPLY, ==,
                     FAM_LIB_F_REPLY);
    g_assert_cmpuint(lduw_le_p(reply + HDR(opcode)), ==,
                     lduw_le_p(req + HDR(opcode)));
    g_assert_cmpuint(ldl_le_p(reply + HDR(seq)), ==, ldl_le_p(req + HDR(seq)));
    return ldl_le_p(reply + HDR(status));
}

/* A mailbox counter of node n, from the device's "stats" property. */
static uint64_t mbox_stat(Fabric *f, int n, const char *name)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/fam%d", n);
    QDict *rsp = qtest_qmp(f->qts, "{'execute': 'qom-get', 'arguments': "
                           "{'path': %s, 'property': 'stats'}}", path);
    uint64_t v = qdict_get_int(qdict_get_qdict(rsp, "return"), name);

    qobject_unref(rsp);
    return v;
}

/* Without a Librarian every request is answered at once: ENOSYS. */
static void test_mailbox_enosys(void)
{
    Fabric *f = fabric_start();
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    size_t len = build_req(req, FAM_LIB_OP_VERSION, 7, 0, 0, 0, 0, 0, NULL);

    QDict *rsp;

    g_assert_cmphex(rd32(f, 0, FAM_REG_FEATURES) & FAM_FEATURE_MAILBOX, ==, 0);
    /* No Librarian to hold */
    rsp = qtest_qmp(f->qts, "{'execute': 'qom-set', 'arguments': {'path': "
                    "'/objects/fabric0', 'property': 'x-hold', "
                    "'value': true}}");
    g_assert(qdict_haskey(rsp, "error"));
    qobject_unref(rsp);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_MBOX_STATUS), ==, FAM_MBOX_IDLE);
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, ENOSYS);
    g_assert_cmpuint(ldl_le_p(reply + HDR(length)), ==, HDR_LEN);
    g_assert_cmphex(rd32(f, 0, FAM_REG_INTR_STATUS), ==,
                    1u << FAM_VECTOR_MAILBOX);
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-requests"), ==, 1);
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-errors"), ==, 1);
    g_assert_cmpuint(mbox_stat(f, 1, "mailbox-requests"), ==, 0);
    fabric_stop(f);
}

/*
 * VERSION through node 1's mailbox, claiming to be node 2: the reply is
 * DONE, carries the version, says it ran as node 1, sets the mailbox
 * status bit and (MSI-X on, table entry masked) the vector's PBA bit.
 */
static void test_mailbox_version(void)
{
    Fabric *f = fabric_start_opts("ideal", true);
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    size_t len = build_req(req, FAM_LIB_OP_VERSION, 0x1234, 2, 0, 0, 0, 0,
                           NULL);

    g_assert_cmphex(rd32(f, 1, FAM_REG_FEATURES) & FAM_FEATURE_MAILBOX, ==,
                    FAM_FEATURE_MAILBOX);
    qpci_msix_enable(f->dev[1]);
    g_assert(!qpci_msix_pending(f->dev[1], FAM_VECTOR_MAILBOX));
    g_assert_cmpint(mbox_call(f, 1, req, len, reply), ==, 0);
    g_assert_cmpuint(ldl_le_p(reply + HDR(length)), ==,
                     HDR_LEN + sizeof(struct fam_lib_version));
    g_assert_cmpuint(ldl_le_p(reply + HDR(node)), ==, 1);
    g_assert_cmpuint(ldl_le_p(reply + HDR_LEN +
                              offsetof(struct fam_lib_version, version)), ==,
                     FAM_LIB_VERSION);
    g_assert_cmphex(rd32(f, 1, FAM_REG_INTR_STATUS), ==,
                    1u << FAM_VECTOR_MAILBOX);
    g_assert(qpci_msix_pending(f->dev[1], FAM_VECTOR_MAILBOX));
    g_assert_cmpuint(rd32(f, 0, FAM_REG_MBOX_STATUS), ==, FAM_MBOX_IDLE);
    g_assert_cmpuint(mbox_stat(f, 1, "mailbox-requests"), ==, 1);
    g_assert_cmpuint(mbox_stat(f, 1, "mailbox-errors"), ==, 0);
    fabric_stop(f);
}

/* Lengths the mailbox cannot hold, or shorter than a header: errors. */
static void test_mailbox_bad_length(void)
{
    Fabric *f = fabric_start_opts("ideal", true);
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    static const uint32_t lengths[] = { FAM_MBOX_DATA_SIZE + 4, 0xffffffff,
                                        HDR_LEN - 8, 0 };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(lengths); i++) {
        size_t len = build_req(req, FAM_LIB_OP_VERSION, i, 0, 0, 0, 0, 0,
                               NULL);

        stl_le_p(req + HDR(length), lengths[i]);
        g_assert_cmpint(mbox_call(f, 0, req, len, reply), >, 0);
        g_assert_cmpuint(ldl_le_p(reply + HDR(length)), ==, HDR_LEN);
    }
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-errors"), ==,
                     ARRAY_SIZE(lengths));
    /* A correct request still works afterwards */
    g_assert_cmpint(mbox_call(f, 0, req,
                              build_req(req, FAM_LIB_OP_VERSION, 9, 0, 0, 0,
                                        0, 0, NULL), reply), ==, 0);
    fabric_stop(f);
}

/* Hold the hub's Librarian (fam-hub's x-hold), or let it serve again. */
static void hub_hold(Fabric *f, bool hold)
{
    QDict *rsp = qtest_qmp(f->qts, "{'execute': 'qom-set', 'arguments': "
                           "{'path': '/objects/fabric0', 'property': "
                           "'x-hold', 'value': %i}}", hold);

    g_assert(qdict_haskey(rsp, "return"));
    qobject_unref(rsp);
}

/*
 * A GO while the Librarian still serves the node's request is refused
 * and counted; the pending request is answered once. The Librarian is
 * held so that the request is still pending at the second GO, however
 * fast the host.
 */
static void test_mailbox_busy(void)
{
    Fabric *f = fabric_start_opts("ideal", true);
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    uint64_t errors;
    size_t len;

    len = build_req(req, FAM_LIB_OP_CREATE, 1, 0, 0, 0, 0644, 0, "/b");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);

    /* The Librarian held: the request stays pending, a second GO too */
    hub_hold(f, true);
    len = build_req(req, FAM_LIB_OP_UNLINK, 2, 0, 0, 0, 0, 0, "/b");
    errors = mbox_stat(f, 0, "mailbox-errors");
    mbox_put(f, 0, req, len);
    wr32(f, 0, FAM_REG_MBOX_CTRL, FAM_MBOX_GO);
    wr32(f, 0, FAM_REG_MBOX_CTRL, FAM_MBOX_GO);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_MBOX_STATUS), ==, FAM_MBOX_BUSY);
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-busy"), ==, 1);
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-errors"), ==, errors + 1);

    /* Let go: the first request is answered, once */
    hub_hold(f, false);
    mbox_wait(f, 0, reply);
    g_assert_cmpuint(lduw_le_p(reply + HDR(opcode)), ==, FAM_LIB_OP_UNLINK);
    g_assert_cmpuint(ldl_le_p(reply + HDR(seq)), ==, 2);
    g_assert_cmpint(ldl_le_p(reply + HDR(status)), ==, 0);
    g_assert_cmpuint(mbox_stat(f, 0, "mailbox-requests"), ==, 2);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_MBOX_STATUS), ==, FAM_MBOX_DONE);
    fabric_stop(f);
}

/*
 * Nodes start with no grant; OPEN grants a node its shelf's books (only
 * that node, in the mode asked), CLOSE takes them away.
 */
static void test_mailbox_grants(void)
{
    Fabric *f = fabric_start_opts("ideal", true);
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    uint64_t handle, book, off;
    size_t len;

    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0), ==, UINT64_MAX);
    len = build_req(req, FAM_LIB_OP_CREATE, 1, 0, 0, 0, 0644, 0, "/g");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_RESIZE, 2, 0, 0, 1, 0, 0, "/g");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_OPEN, 3, 0, 0, 0, 0,
                    FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, "/g");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    handle = ldq_le_p(reply + HDR_LEN + offsetof(struct fam_lib_open, handle));

    len = build_req(req, FAM_LIB_OP_SHELF_BOOKS, 4, 0, handle, 0, 0, 0, NULL);
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    g_assert_cmpuint(ldl_le_p(reply + HDR_LEN +
                              offsetof(struct fam_lib_list, count)), ==, 1);
    book = ldq_le_p(reply + HDR_LEN + sizeof(struct fam_lib_list) +
                    offsetof(struct fam_lib_book, book));
    off = book * rd64(f, 0, FAM_REG_BOOK_SIZE);
    g_assert_cmpuint(off, <, POOL_SIZE);

    qpci_io_writeq(f->dev[0], f->pool[0], off + 8, 0x600dULL);
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], off + 8), ==, 0x600d);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 1);
    /* Node 1 opened nothing */
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], off + 8), ==,
                    UINT64_MAX);
    g_assert_cmpuint(node_stat(f, 1, FAM_STAT_GRANT_FAULTS), ==, 1);

    len = build_req(req, FAM_LIB_OP_CLOSE, 5, 0, handle, 0, 0, 0, NULL);
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], off + 8), ==,
                    UINT64_MAX);
    g_assert_cmpuint(node_stat(f, 0, FAM_STAT_GRANT_FAULTS), ==, 2);
    fabric_stop(f);
}

/*
 * A reset node loses its opens (and their grants) and its mailbox state;
 * the drop is queued before any request that follows the reset.
 */
static void test_mailbox_reset(void)
{
    Fabric *f = fabric_start_opts("ideal", true);
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    size_t len;

    len = build_req(req, FAM_LIB_OP_CREATE, 1, 0, 0, 0, 0644, 0, "/r");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_RESIZE, 2, 0, 0, POOL_SIZE, 0, 0, "/r");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_OPEN, 3, 0, 0, 0, 0,
                    FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, "/r");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    qpci_io_writeq(f->dev[0], f->pool[0], 0x2000, 0x5eedULL);
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x2000), ==, 0x5eed);
    len = build_req(req, FAM_LIB_OP_UNLINK, 4, 1, 0, 0, 0, 0, "/r");
    g_assert_cmpint(mbox_call(f, 1, req, len, reply), ==, EBUSY);

    qtest_qmp_assert_success(f->qts, "{'execute': 'system_reset'}");
    fabric_map(f);
    g_assert_cmpuint(rd32(f, 0, FAM_REG_MBOX_STATUS), ==, FAM_MBOX_IDLE);
    g_assert_cmphex(rd32(f, 0, FAM_REG_MBOX_DATA), ==, 0);
    len = build_req(req, FAM_LIB_OP_UNLINK, 5, 1, 0, 0, 0, 0, "/r");
    g_assert_cmpint(mbox_call(f, 1, req, len, reply), ==, 0);
    /* The drop revoked node 0's grant before the books were zeroed */
    g_assert_cmphex(qpci_io_readq(f->dev[0], f->pool[0], 0x2000), ==,
                    UINT64_MAX);
    fabric_stop(f);
}

/*
 * librarian=SOCKET: requests go to the standalone daemon (its path in
 * FAME_LIBRARIAN_DAEMON; skipped without it). The device speaks for its
 * node; a malformed message is answered here, not sent; when the node is
 * reset its connection closes and the daemon drops the node's opens.
 */
static void test_mailbox_daemon(void)
{
    const char *daemon = getenv("FAME_LIBRARIAN_DAEMON");
    uint8_t req[FAM_MBOX_DATA_SIZE], reply[FAM_MBOX_DATA_SIZE];
    g_autofree char *sock = NULL, *extra = NULL, *nodes = NULL;
    GError *err = NULL;
    GPid pid;
    Fabric *f;
    size_t len;
    int i;

    if (!daemon || !g_file_test(daemon, G_FILE_TEST_IS_EXECUTABLE)) {
        g_test_skip("FAME_LIBRARIAN_DAEMON names no fam-librarian program");
        return;
    }
    f = fabric_new();
    g_assert_cmpint(truncate(f->pool_path, POOL_SIZE), ==, 0);
    f->db_path = g_strconcat(f->pool_path, ".librarian.db", NULL);
    sock = g_strconcat(f->pool_path, ".sock", NULL);
    nodes = g_strdup_printf("%d", NODES);
    {
        char *argv[] = { (char *)daemon, (char *)"--pool", f->pool_path,
                         (char *)"--model", (char *)"ideal",
                         (char *)"--nodes", nodes, (char *)"--socket", sock,
                         (char *)"--foreground", NULL };

        g_assert(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                               NULL, NULL, &pid, &err));
    }
    for (i = 0; i < 1000 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++) {
        g_usleep(10000);
    }
    g_assert(g_file_test(sock, G_FILE_TEST_EXISTS));
    extra = g_strdup_printf(",librarian=%s", sock);
    fabric_launch(f, "ideal", extra);

    /* The nodes keep the whole pool: the daemon cannot grant here */
    qpci_io_writeq(f->dev[0], f->pool[0], 0x1000, 0x77ULL);
    g_assert_cmphex(qpci_io_readq(f->dev[1], f->pool[1], 0x1000), ==, 0x77);
    g_assert_cmphex(rd32(f, 1, FAM_REG_FEATURES) & FAM_FEATURE_MAILBOX, ==,
                    FAM_FEATURE_MAILBOX);

    len = build_req(req, FAM_LIB_OP_VERSION, 1, 2, 0, 0, 0, 0, NULL);
    g_assert_cmpint(mbox_call(f, 1, req, len, reply), ==, 0);
    g_assert_cmpuint(ldl_le_p(reply + HDR(node)), ==, 1);

    len = build_req(req, FAM_LIB_OP_CREATE, 2, 0, 0, 0, 0644, 0, "/d");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_OPEN, 3, 0, 0, 0, 0, FAM_LIB_OPEN_READ,
                    "/d");
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, 0);
    len = build_req(req, FAM_LIB_OP_UNLINK, 4, 1, 0, 0, 0, 0, "/d");
    g_assert_cmpint(mbox_call(f, 1, req, len, reply), ==, EBUSY);

    /* Not framed: answered without troubling the daemon */
    len = build_req(req, FAM_LIB_OP_VERSION, 5, 0, 0, 0, 0, 0, NULL);
    stl_le_p(req + HDR(magic), 0x12345678);
    g_assert_cmpint(mbox_call(f, 0, req, len, reply), ==, EBADMSG);

    /* Node 0's reset closes its connection: the daemon drops its open */
    qtest_qmp_assert_success(f->qts, "{'execute': 'system_reset'}");
    fabric_map(f);
    len = build_req(req, FAM_LIB_OP_UNLINK, 6, 1, 0, 0, 0, 0, "/d");
    for (i = 0; i < 100; i++) {
        if (mbox_call(f, 1, req, len, reply) != EBUSY) {
            break;
        }
        g_usleep(20000);    /* the daemon notices the hang-up on its own */
    }
    g_assert_cmpint(ldl_le_p(reply + HDR(status)), ==, 0);

    fabric_stop(f);
    kill(pid, SIGTERM);
    g_assert_cmpint(waitpid(pid, &i, 0), ==, pid);
    g_assert(WIFEXITED(i) && WEXITSTATUS(i) == 0);
    g_spawn_close_pid(pid);
    g_unlink(sock);
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
    qtest_add_func("/fam-fabric/doorbell-remote", test_doorbell_remote);
    qtest_add_func("/fam-fabric/grants", test_grants);
    qtest_add_func("/fam-fabric/grant-read-only", test_grant_read_only);
    qtest_add_func("/fam-fabric/module-stats", test_module_stats);
    qtest_add_func("/fam-fabric/grant-errors", test_grant_errors);
    qtest_add_func("/fam-fabric/bad-registers", test_bad_registers);
    qtest_add_func("/fam-fabric/mailbox-enosys", test_mailbox_enosys);
    qtest_add_func("/fam-fabric/mailbox-version", test_mailbox_version);
    qtest_add_func("/fam-fabric/mailbox-bad-length", test_mailbox_bad_length);
    qtest_add_func("/fam-fabric/mailbox-busy", test_mailbox_busy);
    qtest_add_func("/fam-fabric/mailbox-grants", test_mailbox_grants);
    qtest_add_func("/fam-fabric/mailbox-reset", test_mailbox_reset);
    qtest_add_func("/fam-fabric/mailbox-daemon", test_mailbox_daemon);
    return g_test_run();
}
