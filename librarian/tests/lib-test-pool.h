/*
 * The pool as the Librarian's system tests see it: the whole pool (the
 * fixture's memory in-process, lib-fixture.h, or the pool file shared
 * with a daemon, mapped as a node would map it), a recognizable nonzero
 * pattern that a "node" writes into the books it owns, and the check
 * that a book reads as zero.
 *
 * The pattern covers a few probe spots of a book (its first and last
 * bytes and the middle), not the whole book: writing and probing whole
 * books on every allocation would dominate the tests' run time, while a
 * freed book that was not zeroed shows at the probes. The final checks
 * read whole books with lib_test_book_is_zero().
 */
#ifndef LIB_TEST_POOL_H
#define LIB_TEST_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct LibTestPool {
    uint8_t *base;          /* the pool, mapped read-write */
    uint64_t size;          /* bytes */
    uint64_t book_size;
    uint64_t books;
    bool mapped;            /* by lib_test_pool_map(): unmap unmaps it */
} LibTestPool;

/* The pool at `base`, which its owner (a LibFixture) maps and unmaps
 * (-EINVAL for books too small for the probes). */
int lib_test_pool_view(LibTestPool *pool, void *base, uint64_t size,
                       uint64_t book_size);
/* Map an existing pool file shared (writes reach the file), or read-only. */
int lib_test_pool_map(LibTestPool *pool, const char *path,
                      uint64_t book_size, bool writable);
void lib_test_pool_unmap(LibTestPool *pool);

/* Write the pattern of `tag` (any value; the pattern is never zero) into
 * the probe spots of `book`. */
void lib_test_book_mark(const LibTestPool *pool, uint64_t book,
                        uint32_t tag);
/* Whether the probe spots of `book` read as zero. */
bool lib_test_book_probes_zero(const LibTestPool *pool, uint64_t book);
/* Whether every byte of `book` reads as zero; if not, *first_nonzero gets
 * the offset in the book of the first one that does not (may be NULL). */
bool lib_test_book_is_zero(const LibTestPool *pool, uint64_t book,
                           uint64_t *first_nonzero);

#endif /* LIB_TEST_POOL_H */
