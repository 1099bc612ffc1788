/*
 * Helpers shared by the Librarian core's unit tests: the fixture (a
 * Librarian on a real SQLite file in a fresh temporary directory with a
 * real pool buffer, grant/revoke hooks recorded) on the models they use,
 * callers, and short forms of the common calls that fail the test on an
 * unexpected result.
 */
#ifndef LIB_TEST_H
#define LIB_TEST_H

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "lib-fixture.h"
#include "librarian.h"

#define MiB (UINT64_C(1) << 20)

/*
 * The core's tests use the shared fixture (librarian/tests/lib-fixture.h)
 * as it is, with its hook recorder on, under the names they have always
 * used: t->lib, t->db, t->model, t->pool, t->calls ...
 */
typedef LibFixture LibTest;
typedef LibFixtureHookCall HookCall;

/*
 * "grid": 8 nodes, 2 per enclosure, 2 enclosures per rack (4 enclosures,
 * 2 racks), one module on every node, book interleave, 2 MiB books,
 * 4 books per module: 32 books, IG n = module n = node n's memory.
 * Hops: local 1, enclosure 2, rack 3, remote 4.
 */
LibTest *lt_grid(void);
/* A shipped model (FAM_MODELS_DIR) with 2 MiB books. */
LibTest *lt_shipped(const char *name, uint32_t nodes, uint64_t pool);
/* Open (again) with the test's configuration; asserts success. */
void lt_open(LibTest *t);
void lt_reopen(LibTest *t);

/* Try to open with another model: returns the FamLib or NULL + message. */
static inline FamLib *lt_try_open(LibTest *t, const FamModel *model,
                                  void *pool, char **errmsg)
{
    return lib_fixture_try_open(t, model, pool, errmsg);
}

static inline void lt_free(LibTest *t)
{
    lib_fixture_free(t);
}

/* Callers. */
FamLibCaller lt_root(void);
FamLibCaller lt_user(uint32_t node, uint32_t uid, uint32_t gid,
                     uint32_t pid);

/* Short forms that assert the errno (0 for success). */
uint64_t lt_create(LibTest *t, const FamLibCaller *who, const char *path,
                   uint32_t mode);
uint64_t lt_mkdir(LibTest *t, const FamLibCaller *who, const char *path,
                  uint32_t mode);
void lt_resize(LibTest *t, const FamLibCaller *who, const char *path,
               uint64_t size, int expect);
struct fam_lib_attr lt_stat(LibTest *t, const FamLibCaller *who,
                            const char *path);
void lt_set_policy(LibTest *t, const FamLibCaller *who, const char *path,
                   const char *policy);

/* The books of a shelf, in order (g_free() the array); *n books. */
struct fam_lib_book *lt_books(LibTest *t, const FamLibCaller *who,
                              const char *path, size_t *n);
/* Books in a state, from statfs. */
uint64_t lt_count_state(LibTest *t, uint32_t state);

/* Hooks. */
void lt_calls_clear(LibTest *t);
void lt_expect_call(LibTest *t, size_t i, bool grant, uint32_t node,
                    uint64_t offset, uint64_t len, bool writable);

/* Raw SQL on the test's database file, beside the FamLib. */
void lt_sql(LibTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
int64_t lt_sql_int(LibTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Fill a book's bytes in the pool with `byte`; true if all are `byte`. */
void lt_fill_book(LibTest *t, uint64_t book, uint8_t byte);
bool lt_book_is(LibTest *t, uint64_t book, uint8_t byte);

#endif /* LIB_TEST_H */
