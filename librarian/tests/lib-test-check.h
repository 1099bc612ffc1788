/*
 * The whole-Librarian consistency check of the system tests, from the
 * outside: walk the namespace, collect every shelf's books, and compare
 * with the book table, the statistics and the pool's contents.
 *
 * What must hold when no request is running:
 *   - no book is on two shelves (or twice on one);
 *   - a book is INUSE exactly when a shelf holds it, and the book table
 *     names that shelf;
 *   - each shelf's book count (getattr) is the length of its book list;
 *   - statfs counts agree with the book table and add up to the total;
 *   - no book is ZOMBIE (frees finish before they return);
 *   - every FREE book reads as zero in the pool, every byte.
 */
#ifndef LIB_TEST_CHECK_H
#define LIB_TEST_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "lib-test-conn.h"
#include "lib-test-pool.h"

typedef struct LibTestCensus {
    uint64_t shelves;       /* regular files found by the walk */
    uint64_t dirs;          /* directories, the root included */
    uint64_t shelf_books;   /* books over all shelves */
    uint64_t free_books;    /* FREE in the book table */
    uint64_t inuse_books;   /* INUSE in the book table */
    uint64_t zeroed_checked;/* FREE books read whole and found zero */
} LibTestCensus;

/*
 * Run every check through `conn` (which should be the superuser, so the
 * walk sees everything) and the pool mapping (NULL: skip the zero
 * checks). Returns 0, or -1 with the first problem described in err.
 */
int lib_test_check_all(LibConn *conn, const LibTestPool *pool,
                       uint64_t books_total, LibTestCensus *census,
                       char *err, size_t errlen);

/*
 * Destroy every shelf and directory under "/" (the root and /lost+found
 * stay, the latter emptied), as the
 * superuser through `conn`: afterwards every book must be FREE and zero.
 * Returns 0, or -1 with the first failure described in err.
 */
int lib_test_remove_all(LibConn *conn, char *err, size_t errlen);

#endif /* LIB_TEST_CHECK_H */
