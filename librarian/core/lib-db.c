/*
 * The database under the Librarian: opening and closing a FamLib, the
 * statement cache, transactions and the bracket every operation runs in
 * (lock, transaction, then the hooks and zeroing its commit decided).
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "lib-int.h"

/* --- errors ------------------------------------------------------------- */

int lib_errno(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return 0;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EAGAIN;     /* another process held the database too long */
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_FULL:
        return -ENOSPC;     /* the disk under the database is full */
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_CONSTRAINT:
        return -EEXIST;     /* the unique path index: a name taken */
    case SQLITE_TOOBIG:
        return -E2BIG;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    default:
        return -EIO;
    }
}

void lib_set_error(char **errmsg, const char *fmt, ...)
{
    va_list ap;

    if (errmsg == NULL) {
        return;
    }
    free(*errmsg);
    *errmsg = NULL;
    va_start(ap, fmt);
    if (vasprintf(errmsg, fmt, ap) < 0) {
        *errmsg = NULL;
    }
    va_end(ap);
}

/* --- statements --------------------------------------------------------- */

/*
 * Statements are keyed by the address of their SQL literal, so a call
 * site names its SQL where it is used and pays for parsing it once per
 * FamLib. Open addressing over a table much larger than the number of
 * distinct statements.
 */
sqlite3_stmt *lib_sql(FamLib *lib, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) * UINT64_C(0x9e3779b97f4a7c15) >> 40;

    for (size_t i = 0; i < LIB_SQL_SLOTS; i++) {
        LibSqlSlot *slot = &lib->sql[(h + i) % LIB_SQL_SLOTS];

        if (slot->sql == sql) {
            sqlite3_reset(slot->stmt);
            sqlite3_clear_bindings(slot->stmt);
            return slot->stmt;
        }
        if (slot->sql == NULL) {
            if (sqlite3_prepare_v3(lib->db, sql, -1,
                                   SQLITE_PREPARE_PERSISTENT, &slot->stmt,
                                   NULL) != SQLITE_OK) {
                slot->stmt = NULL;
                return NULL;
            }
            slot->sql = sql;
            return slot->stmt;
        }
    }
    return NULL;
}

int lib_step(FamLib *lib, sqlite3_stmt *st)
{
    int rc;

    (void)lib;
    if (st == NULL) {
        return -EIO;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        return 1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : lib_errno(rc);
}

int lib_run(FamLib *lib, sqlite3_stmt *st)
{
    int ret;

    while ((ret = lib_step(lib, st)) > 0) {
        /* rows are not wanted */
    }
    return ret;
}

int lib_exec(FamLib *lib, const char *sql)
{
    return lib_run(lib, lib_sql(lib, sql));
}

void lib_bind_str(sqlite3_stmt *st, int idx, const char *s)
{
    sqlite3_bind_blob(st, idx, s, (int)strlen(s), SQLITE_STATIC);
}

int lib_query_int(FamLib *lib, sqlite3_stmt *st, int64_t *out)
{
    int ret = lib_step(lib, st);

    if (ret <= 0) {
        return ret == 0 ? -ENOENT : ret;
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

/* --- transactions and the operation bracket ----------------------------- */

int lib_tx_begin(FamLib *lib, LibTx tx)
{
    static const char begin_read[] = "BEGIN";
    static const char begin_write[] = "BEGIN IMMEDIATE";

    return lib_exec(lib, tx == LIB_TX_WRITE ? begin_write : begin_read);
}

/* Statements a caller left on a row would keep the read open past the
 * commit; reset them all first. */
static void lib_reset_all(FamLib *lib)
{
    sqlite3_stmt *st = NULL;

    while ((st = sqlite3_next_stmt(lib->db, st)) != NULL) {
        if (sqlite3_stmt_busy(st)) {
            sqlite3_reset(st);
        }
    }
}

int lib_tx_commit(FamLib *lib)
{
    static const char commit[] = "COMMIT";

    lib_reset_all(lib);
    return lib_exec(lib, commit);
}

void lib_tx_rollback(FamLib *lib)
{
    static const char rollback[] = "ROLLBACK";

    lib_reset_all(lib);
    if (!sqlite3_get_autocommit(lib->db)) {
        lib_exec(lib, rollback);
    }
}

static void lib_clear_pending(FamLib *lib)
{
    lib->n_actions = 0;
    lib->n_zero = 0;
    lib->wipe.n = 0;
}

int lib_begin(FamLib *lib, LibTx tx)
{
    int ret;

    if (lib == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&lib->lock);
    lib_clear_pending(lib);
    ret = lib_tx_begin(lib, tx);
    if (ret < 0) {
        pthread_mutex_unlock(&lib->lock);
    }
    return ret;
}

int lib_begin_as(FamLib *lib, const FamLibCaller *who, LibTx tx)
{
    int ret;

    if (lib == NULL) {
        return -EINVAL;
    }
    ret = lib_check_caller(lib, who);
    return ret < 0 ? ret : lib_begin(lib, tx);
}

static void lib_run_actions(FamLib *lib)
{
    for (size_t i = 0; i < lib->n_actions; i++) {
        const LibAction *a = &lib->actions[i];

        if (a->grant && lib->hooks.grant) {
            lib->hooks.grant(lib->hooks.opaque, a->node, a->range.offset,
                             a->range.len, a->writable);
        } else if (!a->grant && lib->hooks.revoke) {
            lib->hooks.revoke(lib->hooks.opaque, a->node, a->range.offset,
                              a->range.len);
        }
    }
}

/*
 * After the commit that made them ZOMBIE (and after the revokes, so no
 * node still maps them): wipe the books, then free them in a second
 * transaction. A crash in between leaves them ZOMBIE, and the next
 * fam_lib_open() wipes them again. Without the pool they stay ZOMBIE.
 */
static void lib_finish_zeroing(FamLib *lib)
{
    uint8_t *pool = lib->pool;

    if (pool == NULL) {
        return;
    }
    for (size_t i = 0; i < lib->wipe.n; i++) {
        lib_wipe(pool + lib->wipe.r[i].offset, lib->wipe.r[i].len);
    }
    if (lib->n_zero == 0) {
        return;
    }
    for (size_t i = 0; i < lib->n_zero; i++) {
        lib_wipe_book(lib, lib->zero[i]);
    }
    if (lib_tx_begin(lib, LIB_TX_WRITE) < 0) {
        return;
    }
    if (lib_release_zombies(lib, lib->zero, lib->n_zero) < 0 ||
        lib_tx_commit(lib) < 0) {
        lib_tx_rollback(lib);
    }
}

int lib_end(FamLib *lib, int ret)
{
    if (ret >= 0) {
        int c = lib_tx_commit(lib);

        if (c < 0) {
            ret = c;
        }
    }
    if (ret < 0) {
        lib_tx_rollback(lib);
    } else {
        lib_run_actions(lib);
        lib_finish_zeroing(lib);
    }
    lib_clear_pending(lib);
    pthread_mutex_unlock(&lib->lock);
    return ret;
}

/* --- meta --------------------------------------------------------------- */

int lib_meta_get_int(FamLib *lib, const char *key, int64_t *out)
{
    static const char sql[] = "SELECT value FROM meta WHERE key = ?1";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    return lib_query_int(lib, st, out);
}

int lib_meta_set_text(FamLib *lib, const char *key, const char *value)
{
    static const char sql[] =
        "INSERT INTO meta(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    return lib_run(lib, st);
}

int lib_default_policy(FamLib *lib, FamPolicy *out)
{
    static const char sql[] =
        "SELECT value FROM meta WHERE key = 'default_policy'";
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret = lib_step(lib, st);
    int p;

    if (ret < 0) {
        return ret;
    }
    p = ret ? fam_policy_parse((const char *)sqlite3_column_text(st, 0))
            : -1;
    sqlite3_reset(st);
    /* A damaged value falls back to the documented default rather than
     * making every allocation fail. */
    *out = p < 0 ? FAM_POLICY_RANDOM_BOOKS : (FamPolicy)p;
    return 0;
}

/* --- time and randomness ------------------------------------------------ */

int64_t lib_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* splitmix64: small, fast, and seedable per FamLib. */
uint64_t lib_random(FamLib *lib)
{
    uint64_t z = (lib->rng += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* --- open and close ----------------------------------------------------- */

static int lib_configure_db(FamLib *lib)
{
    static const char wal[] = "PRAGMA journal_mode = WAL";
    /* NORMAL loses at most the last commits on power loss, never
     * consistency; a killed process loses nothing. */
    static const char sync[] = "PRAGMA synchronous = NORMAL";
    static const char fk[] = "PRAGMA foreign_keys = OFF";
    int ret;

    sqlite3_busy_timeout(lib->db, LIB_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(lib->db, 1);
    ret = lib_exec(lib, wal);
    if (ret == 0) {
        ret = lib_exec(lib, sync);
    }
    if (ret == 0) {
        ret = lib_exec(lib, fk);
    }
    return ret;
}

/* The book range of every IG, for sampling RandomBooks by book number. */
static int lib_index_igs(FamLib *lib)
{
    const FamModel *m = lib->model;

    lib->igs = fam_policy_igs(m);
    lib->ig_first = calloc(lib->igs, sizeof(uint64_t));
    lib->ig_last = calloc(lib->igs, sizeof(uint64_t));
    lib->ig_free = calloc(lib->igs, sizeof(uint64_t));
    if (!lib->ig_first || !lib->ig_last || !lib->ig_free) {
        return -ENOMEM;
    }
    for (uint32_t g = 0; g < lib->igs; g++) {
        lib->ig_first[g] = UINT64_MAX;
    }
    for (uint64_t b = 0; b < m->books; b++) {
        uint32_t g = fam_policy_book_ig(m, b);

        if (g >= lib->igs) {
            return -EINVAL;
        }
        if (lib->ig_first[g] == UINT64_MAX) {
            lib->ig_first[g] = b;
        }
        lib->ig_last[g] = b;
    }
    return 0;
}

FamLib *fam_lib_open(const FamLibConfig *cfg, char **errmsg)
{
    FamLib *lib;
    int rc, ret;

    if (errmsg) {
        *errmsg = NULL;
    }
    if (cfg == NULL || cfg->db_path == NULL || cfg->model == NULL ||
        cfg->model->books == 0) {
        lib_set_error(errmsg, "fam_lib_open: no database path or model");
        return NULL;
    }
    lib = calloc(1, sizeof(*lib));
    if (lib == NULL) {
        lib_set_error(errmsg, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&lib->lock, NULL);
    lib->model = cfg->model;
    lib->pool = cfg->pool;
    lib->hooks = cfg->hooks;
    lib->rng = cfg->seed ? cfg->seed : (uint64_t)lib_now();
    lib->db_path = strdup(cfg->db_path);

    rc = sqlite3_open_v2(cfg->db_path, &lib->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        lib_set_error(errmsg, "%s: cannot open the database: %s",
                      cfg->db_path,
                      lib->db ? sqlite3_errmsg(lib->db) : sqlite3_errstr(rc));
        fam_lib_close(lib);
        return NULL;
    }
    ret = lib_configure_db(lib);
    if (ret < 0) {
        lib_set_error(errmsg, "%s: cannot set the database up: %s",
                      cfg->db_path, sqlite3_errmsg(lib->db));
        fam_lib_close(lib);
        return NULL;
    }
    ret = lib_index_igs(lib);
    if (ret < 0) {
        lib_set_error(errmsg, "model %s: books outside every interleave "
                      "group", cfg->model->name);
        fam_lib_close(lib);
        return NULL;
    }

    ret = lib_tx_begin(lib, LIB_TX_WRITE);
    if (ret == 0) {
        ret = lib_schema_prepare(lib, cfg, errmsg);
        if (ret == 0) {
            ret = lib_tx_commit(lib);
        }
        if (ret < 0) {
            lib_tx_rollback(lib);
        }
    }
    if (ret < 0) {
        if (errmsg && *errmsg == NULL) {
            lib_set_error(errmsg, "%s: %s (%s)", cfg->db_path,
                          strerror(-ret), sqlite3_errmsg(lib->db));
        }
        fam_lib_close(lib);
        return NULL;
    }

    if (lib->pool) {
        uint64_t count;

        pthread_mutex_lock(&lib->lock);
        ret = lib_zero_zombies_locked(lib, &count);
        pthread_mutex_unlock(&lib->lock);
        if (ret < 0) {
            lib_set_error(errmsg, "%s: cannot zero the freed books: %s",
                          cfg->db_path, strerror(-ret));
            fam_lib_close(lib);
            return NULL;
        }
    }
    return lib;
}

void fam_lib_close(FamLib *lib)
{
    if (lib == NULL) {
        return;
    }
    for (size_t i = 0; i < LIB_SQL_SLOTS; i++) {
        sqlite3_finalize(lib->sql[i].stmt);
    }
    sqlite3_close(lib->db);
    pthread_mutex_destroy(&lib->lock);
    free(lib->ig_first);
    free(lib->ig_last);
    free(lib->ig_free);
    free(lib->actions);
    free(lib->zero);
    lib_ranges_free(&lib->wipe);
    free(lib->db_path);
    free(lib);
}

const FamModel *fam_lib_model(const FamLib *lib)
{
    return lib ? lib->model : NULL;
}

/* --- the setup of a database, without a FamLib -------------------------- */

static char *setup_text(sqlite3 *db, const char *key)
{
    sqlite3_stmt *st;
    char *val = NULL;

    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        return NULL;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);

        val = strdup(t ? t : "");
    }
    sqlite3_finalize(st);
    return val;
}

static bool setup_u64(sqlite3 *db, const char *key, uint64_t *out)
{
    char *t = setup_text(db, key);
    char *end;

    if (t == NULL) {
        return false;
    }
    *out = strtoull(t, &end, 10);
    if (end == t || *end != '\0') {
        free(t);
        return false;
    }
    free(t);
    return true;
}

int fam_lib_read_setup(const char *db_path, FamLibSetup *out, char **errmsg)
{
    struct stat sb;
    sqlite3 *db = NULL;
    uint64_t nodes, schema;

    if (errmsg) {
        *errmsg = NULL;
    }
    if (db_path == NULL || out == NULL) {
        return -EINVAL;
    }
    memset(out, 0, sizeof(*out));
    if (stat(db_path, &sb) < 0 || sb.st_size == 0) {
        lib_set_error(errmsg, "%s: no such database", db_path);
        return -ENOENT;
    }
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
        SQLITE_OK) {
        lib_set_error(errmsg, "%s: cannot open the database: %s", db_path,
                      db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -EIO;
    }
    sqlite3_busy_timeout(db, LIB_BUSY_TIMEOUT_MS);
    out->model_name = setup_text(db, "model_name");
    out->model_text = setup_text(db, "model_text");
    if (out->model_name == NULL || out->model_text == NULL ||
        !setup_u64(db, "schema_version", &schema) ||
        !setup_u64(db, "nodes", &nodes) ||
        !setup_u64(db, "pool_size", &out->pool_size) ||
        !setup_u64(db, "book_size", &out->book_size)) {
        lib_set_error(errmsg, "%s: not a Librarian database", db_path);
        sqlite3_close(db);
        fam_lib_setup_free(out);
        return -EINVAL;
    }
    out->nodes = (uint32_t)nodes;
    out->schema = (uint32_t)schema;
    sqlite3_close(db);
    return 0;
}

void fam_lib_setup_free(FamLibSetup *setup)
{
    if (setup == NULL) {
        return;
    }
    free(setup->model_name);
    free(setup->model_text);
    setup->model_name = NULL;
    setup->model_text = NULL;
}

int lib_list_out(int ret, uint64_t n, bool d, uint64_t *next, bool *done)
{
    if (next) {
        *next = n;
    }
    if (done) {
        *done = d;
    }
    return ret;
}
