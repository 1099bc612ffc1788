/*
 * A mixed workload of one caller of the Librarian, checked against its
 * own model of what must happen.
 *
 * Each worker owns a private directory /tN (made for it beforehand, owned
 * by its uid, mode 0755) holding files f0..f7 and subdirectories d1..d4,
 * each with files f0..f7 of its own. Nobody else can change anything
 * there, so the worker knows the exact outcome of each operation on it:
 * any other result, errno or attribute fails the run. Only ENOSPC on
 * growing is left open (the pool is shared). The worker writes a
 * nonzero pattern into every book it gets (as the node would), and
 * checks that each book it gets reads as zero first.
 *
 * It also works in /shared (mode 0777, made beforehand) on files s0..s7
 * together with every other worker: there results race, and only the
 * outcomes a race can explain are accepted (EEXIST, ENOENT, EBUSY,
 * ENOSPC).
 *
 * At the end it closes whatever it has open and compares its model with
 * the Librarian's view of its directory.
 */
#ifndef LIB_TEST_WORKLOAD_H
#define LIB_TEST_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "lib-test-conn.h"
#include "lib-test-pool.h"

/* What happened, for the test's log. */
typedef struct LibWorkStats {
    uint64_t ops;
    uint64_t ok;
    uint64_t enospc;
    uint64_t ebusy;
    uint64_t raced;         /* EEXIST/ENOENT in /shared */
    uint64_t refused;       /* expected errors in the private tree */
    uint64_t books_got;     /* books allocated to private files */
} LibWorkStats;

typedef struct LibWorkload {
    unsigned index;         /* worker number: directory /tN */
    unsigned workers;       /* how many there are (for cross checks) */
    LibConn *conn;          /* this worker's, with its identity */
    uint32_t uid;           /* that identity's uid (owner of /tN) */
    uint32_t igs;           /* interleave groups of the model */
    uint32_t node;          /* that identity's node */
    /*
     * Whether the fabric lets `node` write `book` now (the Librarian's
     * grant hooks, as the test tracks them), asked before writing into a
     * book of a shelf the worker has open; NULL: not checked.
     */
    bool (*may_write)(void *opaque, uint32_t node, uint64_t book);
    void *may_write_opaque;
    const LibTestPool *pool;
    uint64_t seed;
    uint64_t ops;           /* operations to run */
    LibWorkStats stats;
    char error[512];        /* the first failure, "" if none */
} LibWorkload;

/* Run the whole workload; 0 if everything matched, -1 (with error set)
 * at the first mismatch. Thread-safe across workers. */
int lib_workload_run(LibWorkload *w);

/* The private directory of worker `index` ("/tN"). */
void lib_workload_dir(unsigned index, char *buf, size_t len);

#endif /* LIB_TEST_WORKLOAD_H */
