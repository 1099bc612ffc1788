/*
 * Opening the Librarian of a pool file: the one place that turns "this
 * pool, this database, maybe this model and node count" into a FamLib,
 * shared by the daemon (fam-librarian) and the admin CLI (fam-lib) so
 * both apply the same rules:
 *
 *   - an existing database says what it was made for (fam_lib_read_setup):
 *     the model is rebuilt from the text stored in it, and a model name,
 *     node count or book size given by the user must agree with it;
 *   - a new database needs a model and a node count; the pool size is the
 *     pool file's size and the model's text is stored in the database;
 *   - the pool file must exist with exactly the model's pool size; it is
 *     mapped shared and writable so that freed books are really zeroed.
 */
#ifndef FAME_LIB_STORE_H
#define FAME_LIB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "librarian.h"

typedef struct FamLibStoreOptions {
    const char *pool_path;      /* the pool file, or NULL (then db_path) */
    const char *db_path;        /* NULL: pool_path + FAM_LIB_DB_SUFFIX */
    const char *model;          /* a model name or .ini path, or NULL */
    const char *models_dir;     /* where model names are looked up */
    uint32_t nodes;             /* 0: not given */
    uint64_t book_size;         /* 0: not given */
    uint64_t seed;              /* RandomBooks seed (0: clock) */
    bool create;                /* may create an absent database */
} FamLibStoreOptions;

typedef struct FamLibStore {
    FamLib *lib;
    FamModel *model;
    void *pool;                 /* NULL without a pool file */
    uint64_t pool_size;
    char *db_path;
    bool created;               /* the database was new */
} FamLibStore;

/*
 * Open (or create) the database and its FamLib. Returns 0, or a negative
 * errno with a malloc()ed message in *errmsg (which names the file at
 * fault): -ENOENT (pool or database missing), -EINVAL (model, node count
 * or book size disagree with the database, or missing to create one),
 * -EIO and others from the system or the core.
 */
int fam_lib_store_open(const FamLibStoreOptions *opt, FamLibStore *store,
                       char **errmsg);
void fam_lib_store_close(FamLibStore *store);

/*
 * Load a model by name or path for `params`, as a new database would get
 * it: for checking a format before anything is written. *text (may be
 * NULL) gets the file's text (g_free() it). Returns 0, or a negative errno
 * with a malloc()ed message.
 */
int fam_lib_store_load_model(const char *model, const char *models_dir,
                             const FamModelParams *params, FamModel **out,
                             char **text, char **errmsg);

/* POOL + FAM_LIB_DB_SUFFIX, malloc()ed. */
char *fam_lib_store_db_path(const char *pool_path);

#endif /* FAME_LIB_STORE_H */
