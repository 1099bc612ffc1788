/*
 * lib-pool-books: act on whole books of a pool file, for the Librarian's
 * scripts (crash-safety.sh, zeroing.sh), which get the book numbers from
 * `fam-lib --json books`.
 *
 *   lib-pool-books mark POOL BOOK_SIZE < BOOKS
 *       fill every byte of each book with a nonzero pattern, as a node
 *       writing its data would
 *   lib-pool-books zero POOL BOOK_SIZE < BOOKS
 *       check that every byte of each book reads as zero; name the first
 *       book and byte that does not
 *
 * BOOKS: book numbers, one per line (or separated by any white space).
 * Exit status: 0 done (all zero), 1 a book is not zero, 2 bad usage or
 * input, or the pool cannot be mapped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-test-pool.h"

static int usage(void)
{
    fprintf(stderr, "usage: lib-pool-books mark|zero POOL BOOK_SIZE "
            "< BOOKS\n");
    return 2;
}

/* A pattern that no zeroing leaves behind and no two books share. */
static void mark_whole_book(const LibTestPool *pool, uint64_t book)
{
    uint8_t *p = pool->base + book * pool->book_size;

    for (uint64_t i = 0; i < pool->book_size; i++) {
        p[i] = 0x80 | ((book + i) & 0x7f);
    }
}

int main(int argc, char **argv)
{
    LibTestPool pool;
    uint64_t book_size, book, first, count = 0;
    bool mark;
    char *end;
    int r, status = 0;

    if (argc != 4 || (strcmp(argv[1], "mark") && strcmp(argv[1], "zero"))) {
        return usage();
    }
    mark = strcmp(argv[1], "mark") == 0;
    errno = 0;
    book_size = strtoull(argv[3], &end, 10);
    if (*end != '\0' || errno != 0 || book_size == 0) {
        return usage();
    }
    r = lib_test_pool_map(&pool, argv[2], book_size, mark);
    if (r < 0) {
        fprintf(stderr, "lib-pool-books: %s: %s\n", argv[2], strerror(-r));
        return 2;
    }
    while ((r = scanf("%" SCNu64, &book)) == 1) {
        if (book >= pool.books) {
            fprintf(stderr, "lib-pool-books: book %" PRIu64 " is beyond "
                    "the pool (%" PRIu64 " books)\n", book, pool.books);
            status = 2;
            break;
        }
        count++;
        if (mark) {
            mark_whole_book(&pool, book);
        } else if (!lib_test_book_is_zero(&pool, book, &first)) {
            fprintf(stderr, "lib-pool-books: book %" PRIu64 " is not zero: "
                    "byte %" PRIu64 " (pool offset %" PRIu64 ") is 0x%02x\n",
                    book, first, book * book_size + first,
                    pool.base[book * book_size + first]);
            status = 1;
        }
    }
    if (status == 0 && r != EOF) {
        fprintf(stderr, "lib-pool-books: the book list holds something "
                "that is not a book number\n");
        status = 2;
    }
    lib_test_pool_unmap(&pool);
    if (status == 0) {
        printf("lib-pool-books: %" PRIu64 " books %s\n", count,
               mark ? "marked" : "checked, all zero");
    }
    return status;
}
