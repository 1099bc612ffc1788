/*
 * Opening the Librarian of a pool: database setup, model, pool mapping.
 * The rules are in lib-store.h; the point of one shared file is that the
 * daemon and the CLI can never disagree about what a database means.
 */
#include "lib-store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

static int fail(char **errmsg, int ret, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static int fail(char **errmsg, int ret, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0) {
        msg = NULL;
    }
    va_end(ap);
    if (errmsg != NULL) {
        *errmsg = msg;
    } else {
        free(msg);
    }
    return ret;
}

char *fam_lib_store_db_path(const char *pool_path)
{
    size_t n = strlen(pool_path), s = strlen(FAM_LIB_DB_SUFFIX);
    char *p = malloc(n + s + 1);

    if (p != NULL) {
        memcpy(p, pool_path, n);
        memcpy(p + n, FAM_LIB_DB_SUFFIX, s + 1);
    }
    return p;
}

/* The pool file's size, checking that it can be a pool at all. */
static int pool_file_size(const char *path, uint64_t *size, char **errmsg)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        int e = errno;

        return fail(errmsg, -e, "%s: %s%s", path, strerror(e),
                    e == ENOENT ? " (the pool file must exist: "
                    "create it with fam-lib format)" : "");
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(errmsg, -EINVAL, "%s: not a regular file", path);
    }
    if (st.st_size <= 0) {
        return fail(errmsg, -EINVAL, "%s: the pool file is empty", path);
    }
    *size = (uint64_t)st.st_size;
    return 0;
}

/* Map the pool shared and writable: the Librarian zeroes freed books
 * through this mapping, and that must reach the file the nodes share. */
static int map_pool(const char *path, uint64_t size, void **out,
                    char **errmsg)
{
    struct stat st;
    void *p;
    int fd, e;

    if (size > SIZE_MAX) {
        return fail(errmsg, -EFBIG, "%s: too large to map", path);
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        e = errno;
        return fail(errmsg, -e, "%s: %s", path, strerror(e));
    }
    if (fstat(fd, &st) < 0 || (uint64_t)st.st_size != size) {
        close(fd);
        return fail(errmsg, -EINVAL, "%s: the pool changed size while "
                    "opening it", path);
    }
    p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    e = errno;
    close(fd);
    if (p == MAP_FAILED) {
        return fail(errmsg, -e, "%s: mmap: %s", path, strerror(e));
    }
    *out = p;
    return 0;
}

/* A model file's path and text, from a name or path. */
static int find_model(const char *model, const char *models_dir,
                      char **path, char **text, char **errmsg)
{
    GError *gerr = NULL;
    gsize len;

    *path = fam_model_find(model, models_dir, &gerr);
    if (*path == NULL) {
        int ret = fail(errmsg, -ENOENT, "%s", gerr->message);

        g_error_free(gerr);
        return ret;
    }
    if (!g_file_get_contents(*path, text, &len, &gerr)) {
        int ret = fail(errmsg, -EIO, "%s", gerr->message);

        g_error_free(gerr);
        g_free(*path);
        *path = NULL;
        return ret;
    }
    return 0;
}

static FamModel *load_model(const char *text, const char *name,
                            const FamModelParams *params, char **errmsg)
{
    GError *gerr = NULL;
    FamModel *m = fam_model_load_data_params(text, name, params, &gerr);

    if (m == NULL) {
        fail(errmsg, -EINVAL, "%s", gerr->message);
        g_error_free(gerr);
    }
    return m;
}

/*
 * What the user gave must agree with what the database was made for: a
 * silent override would reinterpret every book number in it.
 */
static int check_agrees(const FamLibStoreOptions *opt,
                        const FamLibSetup *setup, const char *db,
                        char **errmsg)
{
    if (opt->nodes != 0 && opt->nodes != setup->nodes) {
        return fail(errmsg, -EINVAL, "%s: made for %u nodes, not %u "
                    "(leave out --nodes to use the database's)",
                    db, setup->nodes, opt->nodes);
    }
    if (opt->book_size != 0 && opt->book_size != setup->book_size) {
        return fail(errmsg, -EINVAL, "%s: made for books of %llu bytes, "
                    "not %llu", db, (unsigned long long)setup->book_size,
                    (unsigned long long)opt->book_size);
    }
    if (opt->model != NULL) {
        FamModelParams params = {
            .nodes = setup->nodes,
            .pool_size = setup->pool_size,
            .book_size = setup->book_size,
        };
        FamModel *given;
        int ret;

        ret = fam_lib_store_load_model(opt->model, opt->models_dir, &params,
                                       &given, NULL, errmsg);
        if (ret < 0) {
            return ret;
        }
        ret = strcmp(given->name, setup->model_name) == 0 ? 0 :
            fail(errmsg, -EINVAL, "%s: made for model %s, not %s "
                 "(leave out --model to use the database's)",
                 db, setup->model_name, given->name);
        fam_model_free(given);
        return ret;
    }
    return 0;
}

/* The model of an existing database, from the text stored in it. */
static int model_from_setup(const FamLibStoreOptions *opt, const char *db,
                            FamLibStore *store, char **errmsg)
{
    FamLibSetup setup = { 0 };
    FamModelParams params;
    char *msg = NULL;
    int ret;

    ret = fam_lib_read_setup(db, &setup, &msg);
    if (ret < 0) {
        ret = fail(errmsg, ret, "%s: %s", db,
                   msg != NULL ? msg : strerror(-ret));
        free(msg);
        return ret;
    }
    ret = check_agrees(opt, &setup, db, errmsg);
    if (ret == 0) {
        params = (FamModelParams) {
            .nodes = setup.nodes,
            .pool_size = setup.pool_size,
            .book_size = setup.book_size,
        };
        store->model = load_model(setup.model_text, setup.model_name,
                                  &params, errmsg);
        ret = store->model != NULL ? 0 : -EINVAL;
    }
    fam_lib_setup_free(&setup);
    return ret;
}

int fam_lib_store_load_model(const char *model, const char *models_dir,
                             const FamModelParams *params, FamModel **out,
                             char **text, char **errmsg)
{
    char *path, *t;
    int ret;

    ret = find_model(model, models_dir, &path, &t, errmsg);
    if (ret < 0) {
        return ret;
    }
    *out = load_model(t, path, params, errmsg);
    g_free(path);
    if (text != NULL && *out != NULL) {
        *text = t;
    } else {
        g_free(t);
    }
    return *out != NULL ? 0 : -EINVAL;
}

/* The model of a new database: the user's, sized by the pool file. */
static int model_for_new(const FamLibStoreOptions *opt, const char *db,
                         uint64_t pool_size, FamLibStore *store,
                         char **text, char **errmsg)
{
    FamModelParams params = {
        .nodes = opt->nodes,
        .pool_size = pool_size,
        .book_size = opt->book_size,
    };

    if (opt->model == NULL || opt->nodes == 0) {
        return fail(errmsg, -EINVAL, "%s: no database yet: a new one needs "
                    "a model and a node count (--model, --nodes)", db);
    }
    return fam_lib_store_load_model(opt->model, opt->models_dir, &params,
                                    &store->model, text, errmsg);
}

static bool file_exists_nonempty(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && st.st_size > 0;
}

int fam_lib_store_open(const FamLibStoreOptions *opt, FamLibStore *store,
                       char **errmsg)
{
    FamLibConfig cfg = { 0 };
    uint64_t file_size = 0;
    char *text = NULL, *msg = NULL;
    int ret;

    memset(store, 0, sizeof(*store));
    if (errmsg != NULL) {
        *errmsg = NULL;
    }
    if (opt->pool_path == NULL && opt->db_path == NULL) {
        return fail(errmsg, -EINVAL, "no pool file and no database given");
    }
    store->db_path = opt->db_path != NULL ? strdup(opt->db_path)
                                          : fam_lib_store_db_path(opt->pool_path);
    if (store->db_path == NULL) {
        return fail(errmsg, -ENOMEM, "out of memory");
    }
    if (opt->pool_path != NULL) {
        ret = pool_file_size(opt->pool_path, &file_size, errmsg);
        if (ret < 0) {
            goto out;
        }
    }

    if (file_exists_nonempty(store->db_path)) {
        ret = model_from_setup(opt, store->db_path, store, errmsg);
    } else if (!opt->create) {
        ret = fail(errmsg, -ENOENT, "%s: no such database (create it with "
                   "fam-lib format)", store->db_path);
    } else if (opt->pool_path == NULL) {
        ret = fail(errmsg, -EINVAL, "%s: a new database needs its pool "
                   "file (--pool)", store->db_path);
    } else {
        ret = model_for_new(opt, store->db_path, file_size, store, &text,
                            errmsg);
        store->created = true;
    }
    if (ret < 0) {
        goto out;
    }

    store->pool_size = store->model->pool_size;
    if (opt->pool_path != NULL) {
        if (file_size != store->pool_size) {
            ret = fail(errmsg, -EINVAL, "%s: %llu bytes, but the database "
                       "is for a pool of %llu bytes", opt->pool_path,
                       (unsigned long long)file_size,
                       (unsigned long long)store->pool_size);
            goto out;
        }
        ret = map_pool(opt->pool_path, store->pool_size, &store->pool,
                       errmsg);
        if (ret < 0) {
            goto out;
        }
    }

    cfg.db_path = store->db_path;
    cfg.model = store->model;
    cfg.pool = store->pool;
    cfg.model_text = text;
    cfg.seed = opt->seed;
    store->lib = fam_lib_open(&cfg, &msg);
    if (store->lib == NULL) {
        ret = fail(errmsg, -EIO, "%s: %s", store->db_path,
                   msg != NULL ? msg : "cannot open the database");
        free(msg);
        goto out;
    }
    ret = 0;
out:
    g_free(text);
    if (ret < 0) {
        fam_lib_store_close(store);
    }
    return ret;
}

void fam_lib_store_close(FamLibStore *store)
{
    if (store->lib != NULL) {
        fam_lib_close(store->lib);
    }
    if (store->pool != NULL) {
        munmap(store->pool, (size_t)store->pool_size);
    }
    if (store->model != NULL) {
        fam_model_free(store->model);
    }
    free(store->db_path);
    memset(store, 0, sizeof(*store));
}
