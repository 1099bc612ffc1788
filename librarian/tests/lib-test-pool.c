/*
 * The pool of the Librarian's system tests: mapping, the book pattern and
 * the zero checks (lib-test-pool.h).
 */
#include "lib-test-pool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bytes written at each probe spot: enough to span cache lines and to
 * survive a zeroing that stops a little short. */
#define PROBE_BYTES 256u

static void pool_init(LibTestPool *pool, void *base, uint64_t size,
                      uint64_t book_size, bool mapped)
{
    pool->base = base;
    pool->size = size;
    pool->book_size = book_size;
    pool->books = size / book_size;
    pool->mapped = mapped;
}

int lib_test_pool_view(LibTestPool *pool, void *base, uint64_t size,
                       uint64_t book_size)
{
    if (book_size < 3 * PROBE_BYTES || size % book_size != 0) {
        return -EINVAL;
    }
    pool_init(pool, base, size, book_size, false);
    return 0;
}

int lib_test_pool_map(LibTestPool *pool, const char *path,
                      uint64_t book_size, bool writable)
{
    struct stat st;
    void *base;
    int fd, err;

    if (book_size < 3 * PROBE_BYTES) {
        return -EINVAL;
    }
    fd = open(path, writable ? O_RDWR : O_RDONLY);
    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) < 0) {
        err = -errno;
        close(fd);
        return err;
    }
    if (st.st_size <= 0 || (uint64_t)st.st_size % book_size != 0) {
        close(fd);
        return -EINVAL;
    }
    base = mmap(NULL, st.st_size, PROT_READ | (writable ? PROT_WRITE : 0),
                MAP_SHARED, fd, 0);
    err = base == MAP_FAILED ? -errno : 0;
    close(fd);
    if (err) {
        return err;
    }
    pool_init(pool, base, st.st_size, book_size, true);
    return 0;
}

void lib_test_pool_unmap(LibTestPool *pool)
{
    if (pool->mapped && pool->base != NULL) {
        munmap(pool->base, pool->size);
    }
    pool->base = NULL;
}

static uint8_t *book_base(const LibTestPool *pool, uint64_t book)
{
    return pool->base + book * pool->book_size;
}

/* The three probe spots of a book: start, middle, end. */
static uint64_t probe_offset(const LibTestPool *pool, unsigned i)
{
    switch (i) {
    case 0:
        return 0;
    case 1:
        return pool->book_size / 2;
    default:
        return pool->book_size - PROBE_BYTES;
    }
}

void lib_test_book_mark(const LibTestPool *pool, uint64_t book,
                        uint32_t tag)
{
    uint8_t *b = book_base(pool, book);

    for (unsigned i = 0; i < 3; i++) {
        uint8_t *p = b + probe_offset(pool, i);

        for (unsigned j = 0; j < PROBE_BYTES; j++) {
            /* the top bit keeps every byte nonzero */
            p[j] = 0x80 | ((tag + j) & 0x7f);
        }
    }
}

static bool bytes_zero(const uint8_t *p, uint64_t len, uint64_t *first)
{
    const uint64_t *w = (const uint64_t *)p;
    uint64_t words = len / 8;

    for (uint64_t i = 0; i < words; i++) {
        if (w[i] != 0) {
            for (uint64_t j = i * 8; j < len; j++) {
                if (p[j] != 0) {
                    if (first != NULL) {
                        *first = j;
                    }
                    return false;
                }
            }
        }
    }
    for (uint64_t j = words * 8; j < len; j++) {
        if (p[j] != 0) {
            if (first != NULL) {
                *first = j;
            }
            return false;
        }
    }
    return true;
}

bool lib_test_book_probes_zero(const LibTestPool *pool, uint64_t book)
{
    const uint8_t *b = book_base(pool, book);

    for (unsigned i = 0; i < 3; i++) {
        if (!bytes_zero(b + probe_offset(pool, i), PROBE_BYTES, NULL)) {
            return false;
        }
    }
    return true;
}

bool lib_test_book_is_zero(const LibTestPool *pool, uint64_t book,
                           uint64_t *first_nonzero)
{
    return bytes_zero(book_base(pool, book), pool->book_size, first_nonzero);
}
