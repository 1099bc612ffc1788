/*
 * The Librarian's test fixture (lib-fixture.h): directory, model, pool,
 * Librarian.
 */
#include "lib-fixture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <glib/gstdio.h>

#ifndef FAM_MODELS_DIR
#error "FAM_MODELS_DIR must name hw-fam/models"
#endif

/* cfg's model, shipped or from its text, and the text to store with it. */
static bool load_model(LibFixture *f, const LibFixtureConfig *cfg)
{
    FamModelParams params = {
        .nodes = cfg->nodes, .pool_size = cfg->pool_size,
        .book_size = cfg->book_size,
    };
    GError *err = NULL;
    char *path = NULL;

    if (cfg->model_text != NULL) {
        f->model_text = g_strdup(cfg->model_text);
        f->model = fam_model_load_data_params(cfg->model_text, cfg->model,
                                              &params, &err);
    } else {
        path = fam_model_find(cfg->model, FAM_MODELS_DIR, &err);
        if (path != NULL &&
            g_file_get_contents(path, &f->model_text, NULL, &err)) {
            f->model = fam_model_load_params(path, &params, &err);
        }
    }
    g_free(path);
    if (f->model == NULL) {
        fprintf(stderr, "model %s: %s\n", cfg->model,
                err ? err->message : "?");
        g_clear_error(&err);
        return false;
    }
    return true;
}

static void record_grant(void *opaque, uint32_t node, uint64_t offset,
                         uint64_t len, bool writable)
{
    LibFixture *f = opaque;
    LibFixtureHookCall c = { true, writable, node, offset, len };

    g_array_append_val(f->calls, c);
}

static void record_revoke(void *opaque, uint32_t node, uint64_t offset,
                          uint64_t len)
{
    LibFixture *f = opaque;
    LibFixtureHookCall c = { false, false, node, offset, len };

    g_array_append_val(f->calls, c);
}

LibFixture *lib_fixture_new(const LibFixtureConfig *cfg)
{
    LibFixture *f = g_new0(LibFixture, 1);
    char *name = g_strconcat(cfg->prefix, "-XXXXXX", NULL);
    char *tmpl = g_build_filename(cfg->parent ? cfg->parent
                                              : g_get_tmp_dir(), name, NULL);

    g_free(name);
    f->dir = g_mkdtemp(tmpl);
    if (f->dir == NULL) {
        fprintf(stderr, "temporary directory %s: %s\n", tmpl,
                g_strerror(errno));
        g_free(tmpl);
        g_free(f);
        return NULL;
    }
    f->db = g_build_filename(f->dir, "pool" FAM_LIB_DB_SUFFIX, NULL);
    f->hooks = cfg->hooks;
    f->seed = cfg->seed;
    if (cfg->record_hooks) {
        f->calls = g_array_new(FALSE, FALSE, sizeof(LibFixtureHookCall));
        f->hooks = (FamLibHooks){ f, record_grant, record_revoke };
    }
    if (cfg->model == NULL) {
        return f;
    }
    if (!load_model(f, cfg)) {
        lib_fixture_free(f);
        return NULL;
    }
    /* Anonymous memory rather than calloc(): untouched pages cost
     * nothing, the pool starts zeroed as a fresh pool file does, and
     * malloc debugging (meson sets MALLOC_PERTURB_) does not fill the
     * whole pool at every free. */
    f->pool = mmap(NULL, f->model->pool_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (f->pool == MAP_FAILED) {
        fprintf(stderr, "pool of %" PRIu64 " bytes: %s\n",
                f->model->pool_size, g_strerror(errno));
        f->pool = NULL;
        lib_fixture_free(f);
        return NULL;
    }
    return f;
}

FamLib *lib_fixture_try_open(LibFixture *f, const FamModel *model,
                             void *pool, char **errmsg)
{
    FamLibConfig cfg = {
        .db_path = f->db,
        .model = model,
        .pool = pool,
        .hooks = f->hooks,
        .model_text = f->model_text,
        .seed = f->seed,
    };

    return fam_lib_open(&cfg, errmsg);
}

int lib_fixture_open(LibFixture *f)
{
    char *err = NULL;

    f->lib = lib_fixture_try_open(f, f->model, f->pool, &err);
    /* A message with a FamLib breaks fam_lib_open()'s contract: the
     * tests have always failed on it too. */
    if (f->lib == NULL || err != NULL) {
        fprintf(stderr, "fam_lib_open %s: %s\n", f->db, err ? err : "?");
        free(err);
        lib_fixture_close(f);
        return -1;
    }
    return 0;
}

void lib_fixture_close(LibFixture *f)
{
    if (f->lib != NULL) {
        fam_lib_close(f->lib);
        f->lib = NULL;
    }
}

/* The directory holds files only: the database, its -wal and -shm, and
 * whatever a test made beside them (a pool file, a socket). */
static void remove_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (d == NULL) {
        return;
    }
    while ((name = g_dir_read_name(d)) != NULL) {
        char *p = g_build_filename(dir, name, NULL);

        g_unlink(p);
        g_free(p);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

void lib_fixture_free(LibFixture *f)
{
    lib_fixture_close(f);
    remove_dir(f->dir);
    if (f->pool != NULL) {
        munmap(f->pool, f->model->pool_size);
    }
    fam_model_free(f->model);
    g_free(f->model_text);
    if (f->calls != NULL) {
        g_array_free(f->calls, TRUE);
    }
    g_free(f->db);
    g_free(f->dir);
    g_free(f);
}
