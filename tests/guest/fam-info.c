/*
 * fam-info: prints the fam-fabric identity registers of this node on one
 * line, for the host test to compare with the machine's configuration:
 *
 *   fame-test fam-info: magic=0x464d4146 version=1.0 node=0 nodes=2
 *     pool=67108864 book=8388608 modules=4 il-ways=4 il-granule=256
 *     features=0x3 model=cxl-direct bar2=67108864 at 0000:00:02.0
 *
 * It checks itself only what it knows better than the host: the magic,
 * the major version, that the node id and count are the ones /init was
 * given, and that BAR2 is large enough for the pool. PASS or FAIL after.
 */
#include "guest-dev.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    fame_node_init(&n, "fam-info", argc, argv);
    if (!guest_dev_open(&d, &n))
        return 1;

    uint32_t version = guest_rd32(&d, FAM_REG_VERSION);
    uint32_t node = guest_rd32(&d, FAM_REG_NODE_ID);
    uint32_t nodes = guest_rd32(&d, FAM_REG_NODE_COUNT);
    uint64_t pool = guest_rd64(&d, FAM_REG_POOL_SIZE);
    char model[FAM_MODEL_NAME_LEN + 1];
    guest_model_name(&d, model);

    fame_say(&n, "magic=%#x version=%u.%u node=%u nodes=%u pool=%llu "
             "book=%llu modules=%u il-ways=%u il-granule=%llu features=%#x "
             "model=%s bar2=%llu at %s", guest_rd32(&d, FAM_REG_MAGIC),
             version >> 16, version & 0xffff, node, nodes,
             (unsigned long long)pool,
             (unsigned long long)guest_rd64(&d, FAM_REG_BOOK_SIZE),
             guest_rd32(&d, FAM_REG_MODULE_COUNT), guest_rd32(&d, FAM_REG_IL_WAYS),
             (unsigned long long)guest_rd64(&d, FAM_REG_IL_GRANULE),
             guest_rd32(&d, FAM_REG_FEATURES), model[0] ? model : "(empty)",
             (unsigned long long)d.bar2_size, strrchr(d.sysfs, '/') + 1);

    /* A 64-bit register read as two halves must give the same value. */
    uint64_t halves = guest_rd32(&d, FAM_REG_POOL_SIZE) |
                      (uint64_t)guest_rd32(&d, FAM_REG_POOL_SIZE + 4) << 32;

    if (version >> 16 != FAM_VERSION_MAJOR)
        fame_say(&n, "FAIL version %u.%u, this program knows %u.x",
                 version >> 16, version & 0xffff, FAM_VERSION_MAJOR);
    else if (node != n.id)
        fame_say(&n, "FAIL node id register %u, but this is node %u", node,
                 n.id);
    else if (nodes != n.count)
        fame_say(&n, "FAIL node count register %u, but the machine has %u",
                 nodes, n.count);
    else if (halves != pool)
        fame_say(&n, "FAIL pool size read as two halves is %#llx, as one "
                 "8-byte read %#llx", (unsigned long long)halves,
                 (unsigned long long)pool);
    else if (pool == 0 || pool > d.bar2_size)
        fame_say(&n, "FAIL pool size %llu does not fit BAR2 (%llu bytes)",
                 (unsigned long long)pool, (unsigned long long)d.bar2_size);
    else {
        fame_say(&n, "PASS");
        return 0;
    }
    return 1;
}
