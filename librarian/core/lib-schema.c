/*
 * The database schema: creating it, migrating it one version at a time,
 * filling a new database for a model and checking that an existing one
 * describes the pool we were given.
 *
 * Tables (schema 2):
 *   meta(key, value)       schema_version, model_name, model_text, nodes,
 *                          pool_size, book_size, modules, igs,
 *                          default_policy, created_ns
 *   books                  one row per book: id = book number, its IG
 *                          and module, state, and (when INUSE) the shelf
 *                          and its position `seq` on it
 *   book_counts            books per (IG, state), kept by a trigger, so
 *                          that planning and statfs never count rows
 *   shelves                files, directories and symlinks; `path` is the
 *                          full path, uniquely indexed, so that a path
 *                          resolves in one query; a shelf's first name
 *   links                  (schema 2) the further names of files and
 *                          symlinks (hard links), with full paths too; no
 *                          path is both a shelf's and a link's
 *   xattrs                 user.* attributes other than user.LFS.*
 *   opens                  open handles (node, pid, flags)
 *   nodes                  heartbeats and status of nodes
 *   modules                media modules, their IG and whether offline
 *   oob                    out-of-band messages (the last 1000)
 *
 * Paths, names, link targets and xattr names are BLOBs: compared and
 * sliced bytewise, whatever bytes a name holds.
 */
#include <inttypes.h>

#include "lib-int.h"

static const char *const schema_v1[] = {
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value)",
    "CREATE TABLE books("
    " id INTEGER PRIMARY KEY,"
    " ig INTEGER NOT NULL,"
    " module INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT " SQL_BOOK_FREE ","
    " shelf INTEGER,"
    " seq INTEGER)",
    "CREATE INDEX books_state_ig ON books(state, ig, id)",
    "CREATE INDEX books_state ON books(state, id)",
    "CREATE INDEX books_shelf ON books(shelf, seq)",
    "CREATE INDEX books_ig ON books(ig)",
    "CREATE TABLE book_counts("
    " ig INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY(ig, state)) WITHOUT ROWID",
    "CREATE TRIGGER books_count AFTER UPDATE OF state ON books"
    " WHEN old.state IS NOT new.state BEGIN"
    " UPDATE book_counts SET count = count - 1"
    "  WHERE ig = old.ig AND state = old.state;"
    " UPDATE book_counts SET count = count + 1"
    "  WHERE ig = new.ig AND state = new.state;"
    " END",
    "CREATE TABLE shelves("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " parent INTEGER NOT NULL,"
    " name BLOB NOT NULL,"
    " path BLOB NOT NULL,"
    " mode INTEGER NOT NULL,"
    " uid INTEGER NOT NULL,"
    " gid INTEGER NOT NULL,"
    " size INTEGER NOT NULL DEFAULT 0,"
    " nbooks INTEGER NOT NULL DEFAULT 0,"
    " nlink INTEGER NOT NULL,"
    " atime INTEGER NOT NULL,"
    " mtime INTEGER NOT NULL,"
    " ctime INTEGER NOT NULL,"
    " target BLOB,"
    " policy INTEGER,"
    " ireq BLOB,"
    " ireq_pos INTEGER NOT NULL DEFAULT 0)",
    "CREATE UNIQUE INDEX shelves_path ON shelves(path)",
    "CREATE INDEX shelves_parent ON shelves(parent)",
    "CREATE TABLE xattrs("
    " shelf INTEGER NOT NULL,"
    " name BLOB NOT NULL,"
    " value BLOB NOT NULL,"
    " UNIQUE(shelf, name))",
    "CREATE TABLE opens("
    " handle INTEGER PRIMARY KEY AUTOINCREMENT,"
    " shelf INTEGER NOT NULL,"
    " node INTEGER NOT NULL,"
    " pid INTEGER NOT NULL,"
    " flags INTEGER NOT NULL,"
    " opened_ns INTEGER NOT NULL)",
    "CREATE INDEX opens_shelf ON opens(shelf, node)",
    "CREATE INDEX opens_node ON opens(node)",
    "CREATE TABLE nodes("
    " node INTEGER PRIMARY KEY,"
    " heartbeat_ns INTEGER NOT NULL,"
    " cpu_percent INTEGER, mem_percent INTEGER, rootfs_percent INTEGER,"
    " network_in INTEGER, network_out INTEGER)",
    "CREATE TABLE modules("
    " module INTEGER PRIMARY KEY,"
    " ig INTEGER NOT NULL,"
    " offline INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE oob("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " node INTEGER NOT NULL,"
    " time_ns INTEGER NOT NULL,"
    " msg BLOB NOT NULL)",
};

/* Hard links: a name beyond the shelf's own, never of a directory. */
static const char *const schema_v2[] = {
    "CREATE TABLE links("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " shelf INTEGER NOT NULL,"
    " parent INTEGER NOT NULL,"
    " name BLOB NOT NULL,"
    " path BLOB NOT NULL)",
    "CREATE UNIQUE INDEX links_path ON links(path)",
    "CREATE INDEX links_parent ON links(parent)",
    "CREATE INDEX links_shelf ON links(shelf)",
};

static int exec_all(FamLib *lib, const char *const *sql, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = sqlite3_exec(lib->db, sql[i], NULL, NULL, NULL);

        if (rc != SQLITE_OK) {
            return lib_errno(rc);
        }
    }
    return 0;
}

static int migrate_to_v1(FamLib *lib)
{
    return exec_all(lib, schema_v1, sizeof(schema_v1) / sizeof(schema_v1[0]));
}

static int migrate_to_v2(FamLib *lib)
{
    return exec_all(lib, schema_v2, sizeof(schema_v2) / sizeof(schema_v2[0]));
}

/* migrations[k] brings schema k to k + 1. A new version adds one entry
 * (and FAM_LIB_SCHEMA_VERSION moves up). */
typedef int (*LibMigration)(FamLib *lib);
static const LibMigration migrations[FAM_LIB_SCHEMA_VERSION] = {
    migrate_to_v1,
    migrate_to_v2,
};

static int meta_set_int(FamLib *lib, const char *key, int64_t value)
{
    static const char sql[] =
        "INSERT INTO meta(key, value) VALUES(?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value";
    sqlite3_stmt *st = lib_sql(lib, sql);

    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, value);
    return lib_run(lib, st);
}

static int populate_books(FamLib *lib)
{
    static const char ins_book[] =
        "INSERT INTO books(id, ig, module, state)"
        " VALUES(?1, ?2, ?3, " SQL_BOOK_FREE ")";
    static const char ins_module[] =
        "INSERT INTO modules(module, ig) VALUES(?1, ?2)";
    static const char ins_count[] =
        "INSERT INTO book_counts(ig, state, count) VALUES(?1, ?2, ?3)";
    const FamModel *m = lib->model;
    uint64_t *per_ig = calloc(lib->igs, sizeof(uint64_t));
    int ret = 0;

    if (per_ig == NULL) {
        return -ENOMEM;
    }
    for (uint64_t b = 0; b < m->books && ret == 0; b++) {
        sqlite3_stmt *st = lib_sql(lib, ins_book);
        FamLocation loc;
        uint32_t ig = fam_policy_book_ig(m, b);

        if (st == NULL || !fam_model_map(m, b * m->book_size, &loc)) {
            ret = -EIO;
            break;
        }
        per_ig[ig]++;
        sqlite3_bind_int64(st, 1, (int64_t)b);
        sqlite3_bind_int64(st, 2, ig);
        sqlite3_bind_int64(st, 3, loc.module);
        ret = lib_run(lib, st);
    }
    for (uint32_t mod = 0; mod < m->modules && ret == 0; mod++) {
        sqlite3_stmt *st = lib_sql(lib, ins_module);

        if (st == NULL) {
            ret = -EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, mod);
        sqlite3_bind_int64(st, 2, mod / m->ways);
        ret = lib_run(lib, st);
    }
    for (uint32_t g = 0; g < lib->igs && ret == 0; g++) {
        for (int state = FAM_LIB_BOOK_FREE;
             state <= FAM_LIB_BOOK_OFFLINE && ret == 0; state++) {
            sqlite3_stmt *st = lib_sql(lib, ins_count);

            if (st == NULL) {
                ret = -EIO;
                break;
            }
            sqlite3_bind_int64(st, 1, g);
            sqlite3_bind_int64(st, 2, state);
            sqlite3_bind_int64(st, 3,
                               state == FAM_LIB_BOOK_FREE ? per_ig[g] : 0);
            ret = lib_run(lib, st);
        }
    }
    free(per_ig);
    return ret;
}

static int populate_shelves(FamLib *lib)
{
    static const char ins[] =
        "INSERT INTO shelves(id, parent, name, path, mode, uid, gid, nlink,"
        " atime, mtime, ctime) VALUES(?1, ?2, ?3, ?4, ?5, 0, 0, ?6,"
        " ?7, ?7, ?7)";
    static const struct {
        int64_t id, parent;
        const char *name, *path;
        uint32_t mode, nlink;
    } fixed[] = {
        /* The root's parent is 0: it has none. */
        { LIB_ROOT_ID, 0, "", "/", FAM_LIB_S_IFDIR | 0755, 3 },
        { LIB_LOST_FOUND_ID, LIB_ROOT_ID, "lost+found", LIB_LOST_FOUND,
          FAM_LIB_S_IFDIR | 0700, 2 },
    };
    int64_t now = lib_now();

    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        sqlite3_stmt *st = lib_sql(lib, ins);
        int ret;

        if (st == NULL) {
            return -EIO;
        }
        sqlite3_bind_int64(st, 1, fixed[i].id);
        sqlite3_bind_int64(st, 2, fixed[i].parent);
        lib_bind_str(st, 3, fixed[i].name);
        lib_bind_str(st, 4, fixed[i].path);
        sqlite3_bind_int64(st, 5, fixed[i].mode);
        sqlite3_bind_int64(st, 6, fixed[i].nlink);
        sqlite3_bind_int64(st, 7, now);
        ret = lib_run(lib, st);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static int populate(FamLib *lib, const FamLibConfig *cfg)
{
    const FamModel *m = lib->model;
    int ret;

    ret = lib_meta_set_text(lib, "model_name", m->name);
    if (ret == 0) {
        ret = lib_meta_set_text(lib, "model_text",
                                cfg->model_text ? cfg->model_text : "");
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "nodes", m->nodes);
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "pool_size", (int64_t)m->pool_size);
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "book_size", (int64_t)m->book_size);
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "modules", m->modules);
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "igs", lib->igs);
    }
    if (ret == 0) {
        ret = meta_set_int(lib, "created_ns", lib_now());
    }
    if (ret == 0) {
        ret = lib_meta_set_text(lib, "default_policy",
                                fam_policy_name(FAM_POLICY_RANDOM_BOOKS));
    }
    if (ret == 0) {
        ret = populate_books(lib);
    }
    if (ret == 0) {
        ret = populate_shelves(lib);
    }
    return ret;
}

static int schema_version(FamLib *lib, int64_t *version, char **errmsg)
{
    static const char tables[] = "SELECT count(*) FROM sqlite_master";
    static const char has_meta[] =
        "SELECT count(*) FROM sqlite_master"
        " WHERE type = 'table' AND name = 'meta'";
    int64_t n;
    int ret;

    ret = lib_query_int(lib, lib_sql(lib, tables), &n);
    if (ret < 0) {
        lib_set_error(errmsg, "%s: not an SQLite database or unreadable: %s",
                      lib->db_path, sqlite3_errmsg(lib->db));
        return ret;
    }
    if (n == 0) {
        *version = 0;
        return 0;
    }
    ret = lib_query_int(lib, lib_sql(lib, has_meta), &n);
    if (ret == 0 && n == 0) {
        ret = -EINVAL;
    }
    if (ret == 0) {
        ret = lib_meta_get_int(lib, "schema_version", version);
    }
    if (ret < 0) {
        lib_set_error(errmsg, "%s: an SQLite database, but not a "
                      "Librarian's", lib->db_path);
        return -EINVAL;
    }
    return 0;
}

/* Compare what the database was made for with the model we were given. */
static int check_geometry(FamLib *lib, char **errmsg)
{
    static const char name_sql[] =
        "SELECT value FROM meta WHERE key = 'model_name'";
    const FamModel *m = lib->model;
    const struct {
        const char *key;
        uint64_t want;
    } nums[] = {
        { "nodes", m->nodes },
        { "pool_size", m->pool_size },
        { "book_size", m->book_size },
        { "modules", m->modules },
        { "igs", lib->igs },
    };
    sqlite3_stmt *st = lib_sql(lib, name_sql);
    const char *have_name;
    int ret = lib_step(lib, st);

    if (ret <= 0) {
        lib_set_error(errmsg, "%s: the database names no model",
                      lib->db_path);
        return ret < 0 ? ret : -EINVAL;
    }
    have_name = (const char *)sqlite3_column_text(st, 0);
    if (have_name == NULL || strcmp(have_name, m->name) != 0) {
        lib_set_error(errmsg, "%s: the database was created for model '%s', "
                      "not '%s'", lib->db_path, have_name ? have_name : "",
                      m->name);
        sqlite3_reset(st);
        return -EINVAL;
    }
    sqlite3_reset(st);
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        int64_t have;

        ret = lib_meta_get_int(lib, nums[i].key, &have);
        if (ret < 0) {
            lib_set_error(errmsg, "%s: the database has no %s", lib->db_path,
                          nums[i].key);
            return -EINVAL;
        }
        if ((uint64_t)have != nums[i].want) {
            lib_set_error(errmsg, "%s: the database was created for %s = %"
                          PRId64 ", but the model gives %" PRIu64
                          " (a database is never reformatted: use a new "
                          "file or the same model, nodes and pool size)",
                          lib->db_path, nums[i].key, have, nums[i].want);
            return -EINVAL;
        }
    }
    return 0;
}

int lib_schema_prepare(FamLib *lib, const FamLibConfig *cfg, char **errmsg)
{
    int64_t version;
    bool fresh;
    int ret;

    ret = schema_version(lib, &version, errmsg);
    if (ret < 0) {
        return ret;
    }
    if (version < 0 || version > FAM_LIB_SCHEMA_VERSION) {
        lib_set_error(errmsg, "%s: schema version %" PRId64 " is newer than "
                      "this Librarian's (%d)", lib->db_path, version,
                      FAM_LIB_SCHEMA_VERSION);
        return -EINVAL;
    }
    fresh = version == 0;
    for (int64_t v = version; v < FAM_LIB_SCHEMA_VERSION; v++) {
        ret = migrations[v](lib);
        if (ret < 0) {
            lib_set_error(errmsg, "%s: migrating schema %" PRId64 " to %"
                          PRId64 " failed: %s", lib->db_path, v, v + 1,
                          sqlite3_errmsg(lib->db));
            return ret;
        }
    }
    if (version != FAM_LIB_SCHEMA_VERSION) {
        ret = meta_set_int(lib, "schema_version", FAM_LIB_SCHEMA_VERSION);
        if (ret < 0) {
            return ret;
        }
    }
    if (fresh) {
        ret = populate(lib, cfg);
        if (ret < 0) {
            lib_set_error(errmsg, "%s: creating the database failed: %s",
                          lib->db_path, sqlite3_errmsg(lib->db));
        }
        return ret;
    }
    return check_geometry(lib, errmsg);
}
