/*
 * Freeing books and zeroing them. A freed book goes INUSE -> ZOMBIE in
 * the transaction that frees it; after that commits (and after the
 * revokes), lib_end() wipes it in the pool and a second transaction
 * makes it FREE, or OFFLINE if its IG has an offline module. Books left
 * ZOMBIE by a crash are wiped by the next fam_lib_open(), so no book is
 * ever handed out with someone else's data in it.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "lib-int.h"

/* Zombies wiped per transaction by lib_zero_zombies_locked(). */
#define ZERO_BATCH 1024

int lib_queue_zero(FamLib *lib, uint64_t book)
{
    if (lib->n_zero == lib->cap_zero) {
        size_t cap = lib->cap_zero ? lib->cap_zero * 2 : 64;
        uint64_t *z = realloc(lib->zero, cap * sizeof(*z));

        if (z == NULL) {
            return -ENOMEM;
        }
        lib->zero = z;
        lib->cap_zero = cap;
    }
    lib->zero[lib->n_zero++] = book;
    return 0;
}

int lib_queue_wipe(FamLib *lib, uint64_t offset, uint64_t len)
{
    return len ? lib_ranges_add(&lib->wipe, offset, len) : 0;
}

int lib_free_books(FamLib *lib, int64_t shelf, uint64_t from)
{
    static const char list[] =
        "SELECT id FROM books WHERE shelf = ?1 AND seq >= ?2";
    static const char mark[] =
        "UPDATE books SET state = " SQL_BOOK_ZOMBIE ", shelf = NULL,"
        " seq = NULL WHERE shelf = ?1 AND seq >= ?2";
    sqlite3_stmt *st = lib_sql(lib, list);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, (int64_t)from);
    while ((ret = lib_step(lib, st)) > 0) {
        ret = lib_queue_zero(lib, (uint64_t)sqlite3_column_int64(st, 0));
        if (ret < 0) {
            sqlite3_reset(st);
            return ret;
        }
    }
    if (ret < 0) {
        return ret;
    }
    st = lib_sql(lib, mark);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, shelf);
    sqlite3_bind_int64(st, 2, (int64_t)from);
    return lib_run(lib, st);
}

int lib_release_zombies(FamLib *lib, const uint64_t *books, size_t n)
{
    static const char sql[] =
        "UPDATE books SET state = CASE WHEN ig IN"
        " (SELECT ig FROM modules WHERE offline != 0)"
        " THEN " SQL_BOOK_OFFLINE " ELSE " SQL_BOOK_FREE " END"
        " WHERE id = ?1 AND state = " SQL_BOOK_ZOMBIE;

    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = lib_sql(lib, sql);
        int ret;

        if (st == NULL) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, (int64_t)books[i]);
        ret = lib_run(lib, st);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/*
 * Zero [addr, addr + len) of the pool. Where the pool is a shared file or
 * shared memory mapping, the whole pages are given back with MADV_REMOVE:
 * the file gets a hole, which reads as zeros everywhere it is mapped, and
 * freeing a book then costs neither a pass over it nor the page cache to
 * hold zeros (a book never touched is not even faulted in). Private or
 * anonymous mappings refuse it; they, and any unaligned edges, get memset.
 */
void lib_wipe(void *addr, uint64_t len)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = (uintptr_t)addr;
    uintptr_t end = start + len;
    uintptr_t first = (start + page - 1) & ~(page - 1);
    uintptr_t last = end & ~(page - 1);

    if (first < last && madvise((void *)first, last - first,
                                MADV_REMOVE) == 0) {
        memset(addr, 0, first - start);
        memset((void *)last, 0, end - last);
        return;
    }
    memset(addr, 0, len);
}

void lib_wipe_book(FamLib *lib, uint64_t book)
{
    uint64_t bs = lib->model->book_size;

    if (book < lib->model->books) {
        lib_wipe((uint8_t *)lib->pool + book * bs, bs);
    }
}

static int list_zombies(FamLib *lib, uint64_t *ids, size_t *n)
{
    static const char sql[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_ZOMBIE
        " ORDER BY id LIMIT ?1";
    sqlite3_stmt *st;
    int ret = lib_tx_begin(lib, LIB_TX_READ);

    if (ret < 0) {
        return ret;
    }
    *n = 0;
    st = lib_sql(lib, sql);
    if (st == NULL) {
        lib_tx_rollback(lib);
        return -EIO;
    }
    sqlite3_bind_int(st, 1, ZERO_BATCH);
    while ((ret = lib_step(lib, st)) > 0) {
        ids[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
    }
    if (ret == 0) {
        ret = lib_tx_commit(lib);
    }
    if (ret < 0) {
        lib_tx_rollback(lib);
    }
    return ret;
}

/* In batches, each listed, wiped, then freed in its own transaction, so
 * that a big backlog neither holds the write lock long nor needs memory
 * for every zombie. */
int lib_zero_zombies_locked(FamLib *lib, uint64_t *count)
{
    uint64_t ids[ZERO_BATCH];
    size_t n;
    int ret;

    *count = 0;
    if (lib->pool == NULL) {
        return -ENODEV;
    }
    for (;;) {
        ret = list_zombies(lib, ids, &n);
        if (ret < 0 || n == 0) {
            return ret;
        }
        for (size_t i = 0; i < n; i++) {
            lib_wipe_book(lib, ids[i]);
        }
        ret = lib_tx_begin(lib, LIB_TX_WRITE);
        if (ret < 0) {
            return ret;
        }
        ret = lib_release_zombies(lib, ids, n);
        if (ret == 0) {
            ret = lib_tx_commit(lib);
        }
        if (ret < 0) {
            lib_tx_rollback(lib);
            return ret;
        }
        *count += n;
    }
}

int fam_lib_zero_zombies(FamLib *lib)
{
    uint64_t count;
    int ret;

    if (lib == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&lib->lock);
    ret = lib_zero_zombies_locked(lib, &count);
    pthread_mutex_unlock(&lib->lock);
    if (ret < 0) {
        return ret;
    }
    return count > INT32_MAX ? INT32_MAX : (int)count;
}
