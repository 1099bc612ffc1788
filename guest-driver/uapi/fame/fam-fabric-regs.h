/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The fam-fabric PCI device: its IDs, BARs and BAR0 register map.
 *
 * This is the one definition of the device's guest interface. The QEMU
 * device (hw-fam/), the guest kernel driver (guest-driver/) and user
 * programs all include it; docs/fam-fabric.md explains every register.
 * Only macros: no types, so it fits every one of those environments.
 *
 * All registers are little-endian. 64-bit registers may be read as one
 * 8-byte access or as two 4-byte accesses (low half first).
 */
#ifndef FAM_FABRIC_REGS_H
#define FAM_FABRIC_REGS_H

/* PCI identity: QEMU's vendor ID, an ID at the top of its 0x00xx range */
#define FAM_PCI_VENDOR_ID               0x1b36
#define FAM_PCI_DEVICE_ID               0x00f0  /* not registered: see docs */
#define FAM_PCI_REVISION                1
#define FAM_PCI_CLASS                   0x050000    /* memory controller */

/* BARs */
#define FAM_BAR_REGS                    0   /* registers + mailbox */
#define FAM_BAR_MSIX                    1   /* MSI-X table and PBA */
#define FAM_BAR_POOL                    2   /* the pool, 64-bit prefetchable */
#define FAM_BAR_REGS_SIZE               0x2000

/* Identity (read-only) */
#define FAM_REG_MAGIC                   0x000   /* 32: FAM_MAGIC */
#define FAM_MAGIC                       0x464d4146  /* "FAMF" */
#define FAM_REG_VERSION                 0x004   /* 32: major << 16 | minor */
#define FAM_VERSION_MAJOR               1
#define FAM_VERSION_MINOR               0
#define FAM_REG_NODE_ID                 0x008   /* 32: this node */
#define FAM_REG_NODE_COUNT              0x00c   /* 32: nodes on the fabric */
#define FAM_REG_POOL_SIZE               0x010   /* 64: bytes in the pool */
#define FAM_REG_BOOK_SIZE               0x018   /* 64: bytes in a book */
#define FAM_REG_MODULE_COUNT            0x020   /* 32: media modules */
#define FAM_REG_IL_WAYS                 0x024   /* 32: interleave ways */
#define FAM_REG_IL_GRANULE              0x028   /* 64: interleave granule, bytes */
#define FAM_REG_FEATURES                0x030   /* 32: FAM_FEATURE_* */
#define FAM_FEATURE_DOORBELL            (1u << 0)
#define FAM_FEATURE_GRANTS              (1u << 1)
#define FAM_FEATURE_MAILBOX             (1u << 2)
#define FAM_FEATURE_TIMED               (1u << 3)
#define FAM_REG_MODEL_NAME              0x040   /* 32 bytes: NUL-padded model name */
#define FAM_MODEL_NAME_LEN              32

/* Interrupts: MSI-X vectors and their status bits */
#define FAM_DOORBELL_VECTORS            4   /* vectors 0..3: doorbells */
#define FAM_VECTOR_MAILBOX              4   /* Librarian replies */
#define FAM_VECTOR_ERROR                5   /* error log entries */
#define FAM_MSIX_VECTORS                6
#define FAM_REG_INTR_STATUS             0x080   /* 32: RW1C, bit v = vector v pending */
#define FAM_REG_INTR_MASK               0x084   /* 32: RW, bit v set = vector v masked */

/*
 * Doorbells. Writing FAM_DOORBELL(node, vector) to FAM_REG_DOORBELL rings
 * vector `vector` of node `node`. The target's FAM_REG_DB_PENDING(vector)
 * gets bit <this node> set and its MSI-X vector fires. Ringing a node that
 * does not exist or is powered off, or a vector >= FAM_DOORBELL_VECTORS,
 * is counted in FAM_STAT_DOORBELL_ERRORS and logged.
 */
/*
 * The most nodes one fabric can have: FAM_REG_DB_PENDING holds one bit per
 * sending node in 64 bits. Everything else (the machine's nodes=, the
 * fabric model, the Librarian) takes its limit from here.
 */
#define FAM_MAX_NODES                   64

#define FAM_REG_DOORBELL                0x088   /* 32: WO */
#define FAM_DOORBELL(node, vector)      ((((node) & 0xffffu) << 16) | ((vector) & 0xffffu))
#define FAM_REG_DB_PENDING(vector)      (0x100 + 8 * (vector)) /* 64: RW1C, bit = sender */

/*
 * Statistics of this node (read-only, 64-bit each). In direct mode loads
 * and stores go straight to host memory and are not counted one by one:
 * the read/write counters then count only accesses the device decoded
 * (grant faults); timed mode counts every access.
 */
#define FAM_REG_STAT(n)                 (0x200 + 8 * (n))
#define FAM_STAT_READS                  0
#define FAM_STAT_WRITES                 1
#define FAM_STAT_BYTES_READ             2
#define FAM_STAT_BYTES_WRITTEN          3
#define FAM_STAT_DOORBELLS_SENT         4
#define FAM_STAT_DOORBELLS_RECEIVED     5
#define FAM_STAT_DOORBELL_ERRORS        6
#define FAM_STAT_GRANT_FAULTS           7
#define FAM_STAT_COUNT                  8

/*
 * Error log: a ring of FAM_ERRLOG_ENTRIES entries. FAM_REG_ERRLOG_COUNT is
 * the number of events logged since reset (the newest entry is at index
 * (count - 1) % FAM_ERRLOG_ENTRIES); older entries are overwritten.
 */
#define FAM_REG_ERRLOG_COUNT            0x300   /* 64: RO */
#define FAM_ERRLOG_ENTRIES              32
#define FAM_REG_ERRLOG(i)               (0x400 + 32 * (i))
#define FAM_ERRLOG_TIME                 0x00    /* 64: ns of QEMU_CLOCK_VIRTUAL */
#define FAM_ERRLOG_OFFSET               0x08    /* 64: pool offset (or register) */
#define FAM_ERRLOG_NODE                 0x10    /* 32: node that caused it */
#define FAM_ERRLOG_KIND                 0x14    /* 32: FAM_ERR_* */
#define FAM_ERRLOG_INFO                 0x18    /* 64: kind-specific */
#define FAM_ERR_GRANT_READ              1   /* read of a range not granted; info = size */
#define FAM_ERR_GRANT_WRITE             2   /* write of a range not granted / read-only */
#define FAM_ERR_DOORBELL                3   /* bad doorbell; info = written value */
#define FAM_ERR_REGISTER                4   /* bad register access; info = size */

/* Librarian mailbox (see librarian/ for the protocol carried in it) */
#define FAM_REG_MBOX_CTRL               0x800   /* 32: write FAM_MBOX_GO to send */
#define FAM_MBOX_GO                     1
#define FAM_REG_MBOX_STATUS             0x804   /* 32: FAM_MBOX_* */
#define FAM_MBOX_IDLE                   0
#define FAM_MBOX_BUSY                   1
#define FAM_MBOX_DONE                   2
#define FAM_REG_MBOX_DATA               0x1000  /* 4 KiB: request, then reply */
#define FAM_MBOX_DATA_SIZE              0x1000

#endif /* FAM_FABRIC_REGS_H */
