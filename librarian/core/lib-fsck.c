/*
 * fsck: check the database's invariants and, with repair, restore them,
 * all in one transaction. What is trusted when two records disagree:
 *   - a book's own row (state, shelf, seq) over a shelf's book count;
 *   - a shelf's books over its recorded size (a size the books cannot
 *     hold becomes the size they hold);
 *   - the parent links over stored paths (paths are recomputed);
 *   - a shelf's own name over a hard link that says otherwise (the link
 *     goes: of a shelf that is missing or a directory, in a directory
 *     that is missing, at a path taken twice).
 * Anything taken away from a shelf becomes ZOMBIE and is zeroed before
 * reuse, as every freed book is. Unreachable shelves go to /lost+found
 * as "#<id>".
 *
 * The checks run in an order where a repair can only create work for a
 * later check (deleting a half-destroyed directory orphans its children,
 * moving orphans changes link counts), so one repairing pass leaves a
 * database that a second pass finds clean (ZOMBIEs apart, when the pool
 * is not mapped).
 */
#include "lib-int.h"

/* The file type of a mode column, to compare with SQL_S_IF*. */
#define TYPE(col) "((" col ") & " SQL_S_IFMT ")"

/* The shelves reachable from the root through directories. */
#define REACHABLE \
    "WITH RECURSIVE r(id) AS (SELECT " SQL_ROOT_ID " UNION" \
    " SELECT s.id FROM shelves s JOIN r ON s.parent = r.id" \
    " JOIN shelves p ON p.id = r.id" \
    " WHERE s.id != " SQL_ROOT_ID \
    " AND " TYPE("p.mode") " = " SQL_S_IFDIR ") "

typedef struct Fsck {
    FamLib *lib;
    bool repair;
    FamLibFsckReport *r;
} Fsck;

static int count_of(FamLib *lib, const char *sql, uint64_t *out)
{
    int64_t n = 0;
    int ret = lib_query_int(lib, lib_sql(lib, sql), &n);

    *out = n > 0 ? (uint64_t)n : 0;
    return ret;
}

/* Queue the books a query lists (first column) for zeroing. */
static int queue_listed(FamLib *lib, const char *sql)
{
    sqlite3_stmt *st = lib_sql(lib, sql);
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    while ((ret = lib_step(lib, st)) > 0) {
        ret = lib_queue_zero(lib, (uint64_t)sqlite3_column_int64(st, 0));
        if (ret < 0) {
            sqlite3_reset(st);
            return ret;
        }
    }
    return ret;
}

static int check_zombies(Fsck *f)
{
    static const char count[] =
        "SELECT count(*) FROM books WHERE state = " SQL_BOOK_ZOMBIE;
    static const char list[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_ZOMBIE;
    int ret = count_of(f->lib, count, &f->r->zombie_books);

    if (ret == 0 && f->repair && f->r->zombie_books && f->lib->pool) {
        ret = queue_listed(f->lib, list);
    }
    return ret;
}

static int check_opens(Fsck *f)
{
    static const char stale[] =
        "SELECT count(*) FROM opens o WHERE o.node != ?1 AND o.node >= ?2"
        " OR NOT EXISTS(SELECT 1 FROM shelves s WHERE s.id = o.shelf AND "
        TYPE("s.mode") " = " SQL_S_IFREG ")";
    static const char all[] = "SELECT count(*) FROM opens";
    static const char drop[] = "DELETE FROM opens";
    sqlite3_stmt *st;

    if (f->repair) {
        int ret = count_of(f->lib, all, &f->r->stale_opens);

        return ret < 0 ? ret : lib_exec(f->lib, drop);
    }
    st = lib_sql(f->lib, stale);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, FAM_LIB_NODE_HOST);
    sqlite3_bind_int64(st, 2, f->lib->model->nodes);
    return lib_query_int(f->lib, st, (int64_t *)&f->r->stale_opens);
}

static int check_xattrs(Fsck *f)
{
    static const char count[] =
        "SELECT count(*) FROM xattrs"
        " WHERE shelf NOT IN (SELECT id FROM shelves)";
    static const char drop[] =
        "DELETE FROM xattrs WHERE shelf NOT IN (SELECT id FROM shelves)";
    int ret = count_of(f->lib, count, &f->r->orphan_xattrs);

    if (ret == 0 && f->repair && f->r->orphan_xattrs) {
        ret = lib_exec(f->lib, drop);
    }
    return ret;
}

/* A shelf unlinked (nlink 0) but not destroyed: finish the job. */
static int check_deletes(Fsck *f)
{
    static const char count[] =
        "SELECT count(*) FROM shelves"
        " WHERE nlink = 0 AND id > " SQL_LOST_FOUND_ID;
    static const char first[] =
        "SELECT id FROM shelves"
        " WHERE nlink = 0 AND id > " SQL_LOST_FOUND_ID " LIMIT 1";
    int ret = count_of(f->lib, count, &f->r->unfinished_deletes);

    for (uint64_t i = 0; ret == 0 && f->repair &&
         i < f->r->unfinished_deletes; i++) {
        int64_t id;
        LibShelf s;

        ret = lib_query_int(f->lib, lib_sql(f->lib, first), &id);
        if (ret == 0) {
            ret = lib_shelf_by_id(f->lib, id, &s);
        }
        if (ret == 0) {
            ret = lib_destroy_shelf(f->lib, &s);
        }
    }
    return ret;
}

/* The reachable shelves whose stored path is not the one their parent
 * links give, with the right path. */
static const char wrong_paths[] =
    "WITH RECURSIVE t(id, path) AS ("
    " SELECT " SQL_ROOT_ID ", CAST('/' AS BLOB)"
    " UNION ALL SELECT s.id, CAST(CASE WHEN t.id = " SQL_ROOT_ID " THEN '/'"
    "  ELSE t.path || '/' END || s.name AS BLOB)"
    " FROM shelves s JOIN t ON s.parent = t.id JOIN shelves p ON p.id = t.id"
    " WHERE s.id != " SQL_ROOT_ID " AND " TYPE("p.mode") " = " SQL_S_IFDIR
    " AND length(t.path) < 2048)"
    " SELECT t.id, t.path FROM t JOIN shelves s ON s.id = t.id"
    " WHERE s.path IS NOT t.path";

static int fix_paths(Fsck *f)
{
    static const char park[] =
        "UPDATE shelves SET path = CAST('?' || id AS BLOB) WHERE id = ?1";
    static const char set[] = "UPDATE shelves SET path = ?2 WHERE id = ?1";
    sqlite3_stmt *st = lib_sql(f->lib, wrong_paths);
    struct { int64_t id; char *path; int len; } *fix = NULL;
    size_t n = 0, cap = 0;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    while ((ret = lib_step(f->lib, st)) > 0) {
        if (n == cap) {
            void *p;

            cap = cap ? cap * 2 : 16;
            p = realloc(fix, cap * sizeof(*fix));
            if (p == NULL) {
                sqlite3_reset(st);
                ret = -ENOMEM;
                break;
            }
            fix = p;
        }
        fix[n].id = sqlite3_column_int64(st, 0);
        fix[n].len = sqlite3_column_bytes(st, 1);
        fix[n].path = malloc((size_t)fix[n].len + 1);
        if (fix[n].path == NULL) {
            sqlite3_reset(st);
            ret = -ENOMEM;
            break;
        }
        memcpy(fix[n].path, sqlite3_column_blob(st, 1), (size_t)fix[n].len);
        n++;
    }
    /* Park every moved path first, so that no update collides with a
     * path that is about to move away. */
    for (size_t i = 0; ret == 0 && i < n; i++) {
        st = lib_sql(f->lib, park);
        if (st == NULL) {
            ret = -EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, fix[i].id);
        ret = lib_run(f->lib, st);
    }
    for (size_t i = 0; ret == 0 && i < n; i++) {
        st = lib_sql(f->lib, set);
        if (st == NULL) {
            ret = -EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, fix[i].id);
        sqlite3_bind_blob(st, 2, fix[i].path, fix[i].len, SQLITE_STATIC);
        ret = lib_run(f->lib, st);
    }
    for (size_t i = 0; i < n; i++) {
        free(fix[i].path);
    }
    free(fix);
    return ret;
}

static int check_tree(Fsck *f)
{
    static const char unreachable[] =
        REACHABLE "SELECT count(*) FROM shelves"
        " WHERE id NOT IN (SELECT id FROM r)";
    static const char count_wrong[] = "SELECT count(*) FROM (%s)";
    /* The head of an unreachable subtree: one whose parent is gone or
     * not a directory, else (parent links in a loop) the lowest id. */
    static const char head[] =
        REACHABLE "SELECT id FROM shelves"
        " WHERE id NOT IN (SELECT id FROM r)"
        " ORDER BY parent IN (SELECT id FROM shelves WHERE "
        TYPE("mode") " = " SQL_S_IFDIR "), id LIMIT 1";
    static const char adopt[] =
        "UPDATE shelves SET parent = " SQL_LOST_FOUND_ID ","
        " name = CAST('#' || id AS BLOB) WHERE id = ?1";
    uint64_t lost, wrong = 0;
    char *sql;
    sqlite3_stmt *st;
    int ret = count_of(f->lib, unreachable, &lost);

    if (ret < 0) {
        return ret;
    }
    if (asprintf(&sql, count_wrong, wrong_paths) < 0) {
        return -ENOMEM;
    }
    if (sqlite3_prepare_v2(f->lib->db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(sql);
        return -EIO;
    }
    ret = lib_query_int(f->lib, st, (int64_t *)&wrong);
    sqlite3_finalize(st);
    free(sql);
    if (ret < 0) {
        return ret;
    }
    f->r->orphan_shelves = lost + wrong;
    if (!f->repair || f->r->orphan_shelves == 0) {
        return 0;
    }
    for (uint64_t i = 0; i < lost; i++) {
        int64_t id;

        ret = lib_query_int(f->lib, lib_sql(f->lib, head), &id);
        if (ret == -ENOENT) {
            break;      /* adopting a head brought its subtree back */
        }
        st = ret == 0 ? lib_sql(f->lib, adopt) : NULL;
        if (st == NULL) {
            return ret < 0 ? ret : -EIO;
        }
        sqlite3_bind_int64(st, 1, id);
        ret = lib_run(f->lib, st);
        if (ret < 0) {
            return ret;
        }
    }
    return fix_paths(f);
}

/* What a hard link row must be (lib-link.c), and its path. */
#define LINK_PATH(l) \
    "(SELECT CAST(CASE WHEN p.id = " SQL_ROOT_ID " THEN '/'" \
    " ELSE p.path || '/' END || " l ".name AS BLOB)" \
    " FROM shelves p WHERE p.id = " l ".parent)"
#define BAD_LINK(l) \
    "(NOT EXISTS(SELECT 1 FROM shelves s WHERE s.id = " l ".shelf AND " \
    TYPE("s.mode") " != " SQL_S_IFDIR ")" \
    " OR NOT EXISTS(SELECT 1 FROM shelves d WHERE d.id = " l ".parent AND " \
    TYPE("d.mode") " = " SQL_S_IFDIR ")" \
    " OR EXISTS(SELECT 1 FROM shelves t WHERE t.path = " LINK_PATH(l) ")" \
    " OR EXISTS(SELECT 1 FROM links o WHERE o.parent = " l ".parent" \
    " AND o.name = " l ".name AND o.id < " l ".id))"

/* Hard links: drop the ones that cannot stand, recompute the paths. */
static int check_links(Fsck *f)
{
    /* Wrong paths are parked first, as in fix_paths(), so that no
     * update collides with a path that is about to move away. */
    static const char *const checks[][3] = {
        { "SELECT count(*) FROM links l WHERE " BAD_LINK("l"),
          "DELETE FROM links WHERE " BAD_LINK("links") },
        { "SELECT count(*) FROM links l WHERE path IS NOT " LINK_PATH("l")
          " AND NOT " BAD_LINK("l"),
          "UPDATE links SET path = CAST('?' || id AS BLOB)"
          " WHERE path IS NOT " LINK_PATH("links"),
          "UPDATE links SET path = " LINK_PATH("links")
          " WHERE path IS NOT " LINK_PATH("links") },
    };

    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        uint64_t n;
        int ret = count_of(f->lib, checks[i][0], &n);

        for (size_t k = 1; ret == 0 && f->repair && n && k < 3; k++) {
            if (checks[i][k]) {
                ret = lib_exec(f->lib, checks[i][k]);
            }
        }
        if (ret < 0) {
            return ret;
        }
        f->r->bad_links += n;
    }
    return 0;
}

/* Books in use where no file holds them, or held twice at one place. */
static int check_books(Fsck *f)
{
    static const char leaked_count[] =
        "SELECT count(*) FROM books b WHERE state = " SQL_BOOK_INUSE
        " AND (seq IS NULL OR"
        " NOT EXISTS(SELECT 1 FROM shelves s WHERE s.id = b.shelf AND "
        TYPE("s.mode") " = " SQL_S_IFREG "))";
    static const char leaked_list[] =
        "SELECT id FROM books b WHERE state = " SQL_BOOK_INUSE
        " AND (seq IS NULL OR"
        " NOT EXISTS(SELECT 1 FROM shelves s WHERE s.id = b.shelf AND "
        TYPE("s.mode") " = " SQL_S_IFREG "))";
    static const char double_count[] =
        "SELECT count(*) FROM books b WHERE state = " SQL_BOOK_INUSE
        " AND shelf IS NOT NULL"
        " AND EXISTS(SELECT 1 FROM books c WHERE c.shelf = b.shelf"
        " AND c.seq = b.seq AND c.state = " SQL_BOOK_INUSE
        " AND c.id < b.id)";
    static const char double_list[] =
        "SELECT id FROM books b WHERE state = " SQL_BOOK_INUSE
        " AND shelf IS NOT NULL"
        " AND EXISTS(SELECT 1 FROM books c WHERE c.shelf = b.shelf"
        " AND c.seq = b.seq AND c.state = " SQL_BOOK_INUSE
        " AND c.id < b.id)";
    static const char bad_free_count[] =
        "SELECT count(*) FROM books WHERE state != " SQL_BOOK_INUSE
        " AND (shelf IS NOT NULL OR seq IS NOT NULL)";
    static const char bad_free_list[] =
        "SELECT id FROM books WHERE state = " SQL_BOOK_FREE
        " AND (shelf IS NOT NULL OR seq IS NOT NULL)";
    static const char bad_free_fix[] =
        "UPDATE books SET state = CASE state"
        " WHEN " SQL_BOOK_FREE " THEN " SQL_BOOK_ZOMBIE " ELSE state END,"
        " shelf = NULL, seq = NULL"
        " WHERE state != " SQL_BOOK_INUSE
        " AND (shelf IS NOT NULL OR seq IS NOT NULL)";
    static const char to_zombie[] =
        "UPDATE books SET state = " SQL_BOOK_ZOMBIE ", shelf = NULL,"
        " seq = NULL WHERE id = ?1";
    static const struct {
        const char *count, *list;
        size_t field;
    } classes[] = {
        { leaked_count, leaked_list,
          offsetof(FamLibFsckReport, leaked_books) },
        { double_count, double_list,
          offsetof(FamLibFsckReport, double_books) },
    };
    int ret;

    for (size_t c = 0; c < sizeof(classes) / sizeof(classes[0]); c++) {
        uint64_t *field = (uint64_t *)((char *)f->r + classes[c].field);
        size_t first = f->lib->n_zero;

        ret = count_of(f->lib, classes[c].count, field);
        if (ret < 0) {
            return ret;
        }
        if (!f->repair || *field == 0) {
            continue;
        }
        ret = queue_listed(f->lib, classes[c].list);
        for (size_t i = first; ret == 0 && i < f->lib->n_zero; i++) {
            sqlite3_stmt *st = lib_sql(f->lib, to_zombie);

            if (st == NULL) {
                return -EIO;
            }
            sqlite3_bind_int64(st, 1, (int64_t)f->lib->zero[i]);
            ret = lib_run(f->lib, st);
        }
        if (ret < 0) {
            return ret;
        }
    }
    ret = count_of(f->lib, bad_free_count, &f->r->bad_free_books);
    if (ret == 0 && f->repair && f->r->bad_free_books) {
        ret = queue_listed(f->lib, bad_free_list);
        if (ret == 0) {
            ret = lib_exec(f->lib, bad_free_fix);
        }
    }
    return ret;
}

/* Renumber a file's books 0..n-1 in their order and make its book count
 * and size agree with them. */
static int fix_file(Fsck *f, int64_t id, uint64_t size, uint64_t n)
{
    static const char list[] =
        "SELECT id FROM books WHERE shelf = ?1 AND state = " SQL_BOOK_INUSE
        " ORDER BY seq, id";
    static const char renumber[] = "UPDATE books SET seq = ?2 WHERE id = ?1";
    static const char set[] =
        "UPDATE shelves SET nbooks = ?2, size = ?3 WHERE id = ?1";
    uint64_t bs = f->lib->model->book_size;
    uint64_t *ids = malloc((n ? n : 1) * sizeof(uint64_t));
    uint64_t got = 0;
    sqlite3_stmt *st = lib_sql(f->lib, list);
    int ret;

    if (ids == NULL || st == NULL) {
        free(ids);
        return ids ? -EIO : -ENOMEM;
    }
    sqlite3_bind_int64(st, 1, id);
    while ((ret = lib_step(f->lib, st)) > 0) {
        if (got < n) {
            ids[got++] = (uint64_t)sqlite3_column_int64(st, 0);
        }
    }
    for (uint64_t i = 0; ret == 0 && i < got; i++) {
        st = lib_sql(f->lib, renumber);
        if (st == NULL) {
            ret = -EIO;
            break;
        }
        sqlite3_bind_int64(st, 1, (int64_t)ids[i]);
        sqlite3_bind_int64(st, 2, (int64_t)i);
        ret = lib_run(f->lib, st);
    }
    free(ids);
    if (ret < 0) {
        return ret;
    }
    if (size > got * bs || (got > 0 && size <= (got - 1) * bs)) {
        size = got * bs;
    }
    st = lib_sql(f->lib, set);
    if (st == NULL) {
        return -EIO;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (int64_t)got);
    sqlite3_bind_int64(st, 3, (int64_t)size);
    return lib_run(f->lib, st);
}

static int check_files(Fsck *f)
{
    static const char sql[] =
        "SELECT s.id, s.size, s.nbooks, count(b.id), min(b.seq), max(b.seq)"
        " FROM shelves s LEFT JOIN books b ON b.shelf = s.id"
        " AND b.state = " SQL_BOOK_INUSE
        " WHERE " TYPE("s.mode") " = " SQL_S_IFREG " GROUP BY s.id";
    uint64_t bs = f->lib->model->book_size;
    sqlite3_stmt *st = lib_sql(f->lib, sql);
    struct { int64_t id; uint64_t size, n; } *bad = NULL;
    size_t nbad = 0, cap = 0;
    int ret;

    if (st == NULL) {
        return -EIO;
    }
    while ((ret = lib_step(f->lib, st)) > 0) {
        uint64_t size = (uint64_t)sqlite3_column_int64(st, 1);
        uint64_t nbooks = (uint64_t)sqlite3_column_int64(st, 2);
        uint64_t n = (uint64_t)sqlite3_column_int64(st, 3);
        int64_t lo = sqlite3_column_int64(st, 4);
        int64_t hi = sqlite3_column_int64(st, 5);

        if (nbooks == n && (n == 0 || (lo == 0 && (uint64_t)hi == n - 1)) &&
            size <= n * bs && (n == 0 || size > (n - 1) * bs)) {
            continue;
        }
        f->r->bad_sizes++;
        if (!f->repair) {
            continue;
        }
        if (nbad == cap) {
            void *p;

            cap = cap ? cap * 2 : 16;
            p = realloc(bad, cap * sizeof(*bad));
            if (p == NULL) {
                sqlite3_reset(st);
                free(bad);
                return -ENOMEM;
            }
            bad = p;
        }
        bad[nbad].id = sqlite3_column_int64(st, 0);
        bad[nbad].size = size;
        bad[nbad].n = n;
        nbad++;
    }
    for (size_t i = 0; ret == 0 && i < nbad; i++) {
        ret = fix_file(f, bad[i].id, bad[i].size, bad[i].n);
    }
    free(bad);
    return ret;
}

/* Link counts, the sizes of directories and symlinks, and the per-IG
 * book counts. */
static int check_counts(Fsck *f)
{
    static const char *const checks[][2] = {
        { "SELECT count(*) FROM shelves s WHERE nlink != CASE WHEN "
          TYPE("mode") " = " SQL_S_IFDIR
          " THEN 2 + (SELECT count(*) FROM shelves c"
          " WHERE c.parent = s.id AND c.id != s.id AND " TYPE("c.mode") " = "
          SQL_S_IFDIR ") ELSE 1 + (SELECT count(*) FROM links l"
          " WHERE l.shelf = s.id) END",
          "UPDATE shelves SET nlink = CASE WHEN " TYPE("mode") " = "
          SQL_S_IFDIR " THEN 2 + (SELECT count(*) FROM shelves c WHERE"
          " c.parent = shelves.id AND c.id != shelves.id AND "
          TYPE("c.mode") " = " SQL_S_IFDIR ") ELSE 1 + (SELECT count(*)"
          " FROM links l WHERE l.shelf = shelves.id) END" },
        { "SELECT count(*) FROM shelves WHERE " TYPE("mode") " != "
          SQL_S_IFREG " AND (nbooks != 0 OR size != CASE WHEN "
          TYPE("mode") " = " SQL_S_IFLNK " THEN length(target) ELSE 0 END)",
          "UPDATE shelves SET nbooks = 0, size = CASE WHEN " TYPE("mode")
          " = " SQL_S_IFLNK " THEN ifnull(length(target), 0) ELSE 0 END"
          " WHERE " TYPE("mode") " != " SQL_S_IFREG },
        { "SELECT count(*) FROM book_counts bc WHERE count !="
          " (SELECT count(*) FROM books b WHERE b.ig = bc.ig"
          " AND b.state = bc.state)",
          "UPDATE book_counts SET count = (SELECT count(*) FROM books b"
          " WHERE b.ig = book_counts.ig AND b.state = book_counts.state)" },
    };

    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        uint64_t n;
        int ret = count_of(f->lib, checks[i][0], &n);

        if (ret == 0 && f->repair && n) {
            ret = lib_exec(f->lib, checks[i][1]);
        }
        if (ret < 0) {
            return ret;
        }
        f->r->bad_sizes += n;
    }
    return 0;
}

static int do_fsck(FamLib *lib, bool repair, FamLibFsckReport *report)
{
    static int (*const checks[])(Fsck *f) = {
        check_zombies, check_opens, check_xattrs, check_deletes,
        check_tree, check_links, check_books, check_files, check_counts,
    };
    Fsck f = { lib, repair, report };
    uint64_t total;

    memset(report, 0, sizeof(*report));
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        int ret = checks[i](&f);

        if (ret < 0) {
            return ret;
        }
    }
    total = report->leaked_books + report->double_books +
            report->bad_free_books + report->zombie_books +
            report->stale_opens + report->orphan_xattrs +
            report->orphan_shelves + report->bad_links + report->bad_sizes +
            report->unfinished_deletes;
    return total > INT32_MAX ? INT32_MAX : (int)total;
}

int fam_lib_fsck(FamLib *lib, bool repair, FamLibFsckReport *report)
{
    FamLibFsckReport local;
    int ret;

    ret = lib_begin(lib, repair ? LIB_TX_WRITE : LIB_TX_READ);
    if (ret < 0) {
        return ret;
    }
    return lib_end(lib, do_fsck(lib, repair, report ? report : &local));
}
