/*
 * The one fixture of the Librarian's tests: a fresh temporary directory,
 * a fabric model, a pool in memory, and a Librarian (librarian.h) on a
 * new SQLite database in that directory; a shipped model comes from
 * FAM_MODELS_DIR. The core's unit tests, the
 * protocol layer's, the daemon's (the directory only), the system tests
 * and the benchmark's program all set up through it, so that a change to
 * how a Librarian is opened or cleaned up is made once.
 *
 * Two steps, so that a test can prepare what the Librarian's hooks need
 * (which may depend on the model) before it opens:
 *
 *   f = lib_fixture_new(&cfg);     directory, model, pool
 *   lib_fixture_open(f);           the Librarian, in f->lib
 *   ...
 *   lib_fixture_free(f);           close, remove the directory, free
 *
 * Failures return NULL or -1 with a message on stderr rather than abort,
 * for the benchmark's program; tests assert on the result.
 */
#ifndef LIB_FIXTURE_H
#define LIB_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "fam-model.h"
#include "librarian.h"

/* One grant or revoke, as a fixture with record_hooks saw it. */
typedef struct LibFixtureHookCall {
    bool grant;
    bool writable;          /* grants only */
    uint32_t node;
    uint64_t offset;
    uint64_t len;
} LibFixtureHookCall;

typedef struct LibFixtureConfig {
    /*
     * The model: a shipped one (FAM_MODELS_DIR) by name, or, with
     * model_text, the name that text goes by in messages. model NULL: the
     * fixture is the directory alone (no pool, nothing to open).
     */
    const char *model;
    const char *model_text;
    uint32_t nodes;
    uint64_t pool_size;
    uint64_t book_size;     /* 0: the model's */
    /* The directory PARENT/PREFIX-XXXXXX (prefix is required; parent
     * NULL: g_get_tmp_dir()). */
    const char *prefix;
    const char *parent;
    /* What lib_fixture_open() passes to fam_lib_open(). */
    FamLibHooks hooks;
    bool record_hooks;      /* instead of hooks: record calls in ->calls */
    uint64_t seed;
} LibFixtureConfig;

typedef struct LibFixture {
    char *dir;              /* removed, with its files, by lib_fixture_free */
    char *db;               /* dir/pool.librarian.db, the one it opens */
    FamModel *model;        /* NULL for a directory alone */
    char *model_text;       /* stored in the database, as the daemon does */
    uint8_t *pool;          /* model->pool_size bytes, zero at first */
    FamLibHooks hooks;
    uint64_t seed;
    GArray *calls;          /* LibFixtureHookCall, with record_hooks */
    FamLib *lib;            /* after lib_fixture_open() */
} LibFixture;

/* The directory, the model and the pool (NULL + stderr on failure). */
LibFixture *lib_fixture_new(const LibFixtureConfig *cfg);
/* Open the Librarian on f->db into f->lib (0, or -1 + stderr). */
int lib_fixture_open(LibFixture *f);
/* Open f->db with another model or pool (NULL: offline) and f's hooks,
 * text and seed; the FamLib, or NULL and the Librarian's message. */
FamLib *lib_fixture_try_open(LibFixture *f, const FamModel *model,
                             void *pool, char **errmsg);
/* Close f->lib (if open); the database stays for the next open. */
void lib_fixture_close(LibFixture *f);
/* Close, remove the directory and its files, free everything. */
void lib_fixture_free(LibFixture *f);

#endif /* LIB_FIXTURE_H */
