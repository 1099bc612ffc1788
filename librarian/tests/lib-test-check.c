/*
 * The outside consistency check of the Librarian (lib-test-check.h).
 */
#include "lib-test-check.h"

#include <glib.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct Check {
    LibConn *conn;
    const LibTestPool *pool;
    uint64_t books_total;
    uint64_t book_size;     /* from statfs */
    uint64_t *owner;        /* shelf id per book, 0: on no shelf */
    LibTestCensus *census;
    char *err;
    size_t errlen;
    bool failed;
} Check;

G_GNUC_PRINTF(2, 3)
static int check_fail(Check *k, const char *fmt, ...)
{
    va_list ap;

    if (!k->failed) {
        va_start(ap, fmt);
        vsnprintf(k->err, k->errlen, fmt, ap);
        va_end(ap);
        k->failed = true;
    }
    return -1;
}

typedef struct Entry {
    uint64_t id;
    uint32_t mode;
    char *name;
} Entry;

static void entry_free(gpointer p)
{
    Entry *e = p;

    g_free(e->name);
    g_free(e);
}

/* Collected first, walked after: a list callback may run inside the
 * Librarian's lock, so it must not call back into it. */
static bool collect_entry(void *opaque, uint64_t id, uint32_t mode,
                          const char *name, uint64_t next)
{
    GPtrArray *entries = opaque;
    Entry *e;

    (void)next;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return true;
    }
    e = g_new(Entry, 1);
    e->id = id;
    e->mode = mode;
    e->name = g_strdup(name);
    g_ptr_array_add(entries, e);
    return true;
}

typedef struct ShelfBooks {
    Check *k;
    const char *path;
    uint64_t shelf;
    uint64_t count;
} ShelfBooks;

static bool take_shelf_book(void *opaque, const struct fam_lib_book *b)
{
    ShelfBooks *s = opaque;
    Check *k = s->k;
    uint64_t book = b->book;

    if (book >= k->books_total) {
        check_fail(k, "%s: book %" PRIu64 " is beyond the pool (%" PRIu64
                   " books)", s->path, book, k->books_total);
        return false;
    }
    if (k->owner[book] != 0) {
        check_fail(k, "book %" PRIu64 " is on shelf %" PRIu64 " and on "
                   "%s (shelf %" PRIu64 ")", book, k->owner[book],
                   s->path, s->shelf);
        return false;
    }
    k->owner[book] = s->shelf;
    s->count++;
    return true;
}

static int check_shelf(Check *k, const char *path, uint64_t id)
{
    ShelfBooks s = { .k = k, .path = path, .shelf = id };
    struct fam_lib_attr attr;
    int r;

    r = lib_conn_getattr(k->conn, path, &attr);
    if (r < 0) {
        return check_fail(k, "getattr %s: %s", path, g_strerror(-r));
    }
    if (attr.id != id) {
        return check_fail(k, "%s: readdir says id %" PRIu64 ", getattr %"
                          PRIu64, path, id, (uint64_t)attr.id);
    }
    r = lib_conn_shelf_books(k->conn, path, 0, take_shelf_book, &s);
    if (k->failed) {
        return -1;
    }
    if (r < 0) {
        return check_fail(k, "books of %s: %s", path, g_strerror(-r));
    }
    if (s.count != attr.books) {
        return check_fail(k, "%s: getattr says %" PRIu64 " books, its list "
                          "has %" PRIu64, path, (uint64_t)attr.books,
                          s.count);
    }
    if (attr.size > attr.books * k->book_size) {
        return check_fail(k, "%s: size %" PRIu64 " needs more than its %"
                          PRIu64 " books", path, (uint64_t)attr.size,
                          (uint64_t)attr.books);
    }
    k->census->shelves++;
    k->census->shelf_books += s.count;
    return 0;
}

/*
 * The entries of directory `path`, `depth` levels below the root, for the
 * two walks of the tree (check and remove). NULL, with *r from
 * check_fail(), if it nests too deep (a cycle would never end) or cannot
 * be read.
 */
static GPtrArray *read_dir(Check *k, const char *path, unsigned depth,
                           int *r)
{
    GPtrArray *entries;

    if (depth > 64) {
        *r = check_fail(k, "%s: directories nest deeper than 64", path);
        return NULL;
    }
    entries = g_ptr_array_new_with_free_func(entry_free);
    *r = lib_conn_readdir(k->conn, path, collect_entry, entries);
    if (*r < 0) {
        *r = check_fail(k, "readdir %s: %s", path, g_strerror(-*r));
        g_ptr_array_free(entries, TRUE);
        return NULL;
    }
    return entries;
}

/* The path of `name` in directory `dir`, g_free()d by the caller. */
static char *child_path(const char *dir, const char *name)
{
    return strcmp(dir, "/") == 0 ? g_strconcat("/", name, NULL)
                                 : g_strconcat(dir, "/", name, NULL);
}

static int walk_dir(Check *k, const char *path, unsigned depth)
{
    GPtrArray *entries;
    int r;

    k->census->dirs++;
    entries = read_dir(k, path, depth, &r);
    if (entries == NULL) {
        return r;
    }
    for (guint i = 0; i < entries->len && r == 0; i++) {
        Entry *e = g_ptr_array_index(entries, i);
        char *child = child_path(path, e->name);

        switch (e->mode & FAM_LIB_S_IFMT) {
        case FAM_LIB_S_IFDIR:
            r = walk_dir(k, child, depth + 1);
            break;
        case FAM_LIB_S_IFREG:
            r = check_shelf(k, child, e->id);
            break;
        default:
            break;      /* symlinks hold no books */
        }
        g_free(child);
    }
    g_ptr_array_free(entries, TRUE);
    return r;
}

typedef struct BookTable {
    Check *k;
    uint64_t seen;
    uint64_t next_expected;
    uint64_t count[4];
} BookTable;

static bool check_table_book(void *opaque, const struct fam_lib_book *b)
{
    BookTable *t = opaque;
    Check *k = t->k;
    uint64_t book = b->book, shelf = b->shelf, owner, first;

    if (book != t->next_expected) {
        check_fail(k, "book table: book %" PRIu64 " where %" PRIu64
                   " was expected (lists go in book order, each once)",
                   book, t->next_expected);
        return false;
    }
    t->next_expected++;
    if (book >= k->books_total || b->state > FAM_LIB_BOOK_OFFLINE) {
        check_fail(k, "book table: book %" PRIu64 " state %u is invalid",
                   book, b->state);
        return false;
    }
    t->count[b->state]++;
    owner = k->owner[book];
    if (b->state == FAM_LIB_BOOK_INUSE) {
        if (owner == 0) {
            check_fail(k, "book %" PRIu64 " is INUSE (shelf %" PRIu64
                       ") but no shelf in the namespace holds it (leaked)",
                       book, shelf);
            return false;
        }
        if (shelf != owner) {
            check_fail(k, "book %" PRIu64 " is on shelf %" PRIu64 " but the "
                       "book table says shelf %" PRIu64, book, owner,
                       shelf);
            return false;
        }
        return true;
    }
    if (owner != 0) {
        check_fail(k, "book %" PRIu64 " is on shelf %" PRIu64 " but its "
                   "state is %u, not INUSE", book, owner, b->state);
        return false;
    }
    if (b->state == FAM_LIB_BOOK_ZOMBIE) {
        check_fail(k, "book %" PRIu64 " is still ZOMBIE", book);
        return false;
    }
    if (b->state == FAM_LIB_BOOK_FREE && k->pool != NULL) {
        if (!lib_test_book_is_zero(k->pool, book, &first)) {
            check_fail(k, "FREE book %" PRIu64 " is not zero: byte %" PRIu64
                       " of it (pool offset %" PRIu64 ") is 0x%02x",
                       book, first, book * k->pool->book_size + first,
                       k->pool->base[book * k->pool->book_size + first]);
            return false;
        }
        k->census->zeroed_checked++;
    }
    return true;
}

static int check_table(Check *k)
{
    BookTable t = { .k = k };
    struct fam_lib_statfs st;
    int r;

    r = lib_conn_list_books(k->conn, check_table_book, &t);
    if (k->failed) {
        return -1;
    }
    if (r < 0) {
        return check_fail(k, "list books: %s", g_strerror(-r));
    }
    if (t.next_expected != k->books_total) {
        return check_fail(k, "book table lists %" PRIu64 " books, the pool "
                          "has %" PRIu64, t.next_expected, k->books_total);
    }
    r = lib_conn_statfs(k->conn, &st);
    if (r < 0) {
        return check_fail(k, "statfs: %s", g_strerror(-r));
    }
    k->census->free_books = t.count[FAM_LIB_BOOK_FREE];
    k->census->inuse_books = t.count[FAM_LIB_BOOK_INUSE];
    if (st.books_total != k->books_total ||
        st.books_free != t.count[FAM_LIB_BOOK_FREE] ||
        st.books_inuse != t.count[FAM_LIB_BOOK_INUSE] ||
        st.books_zombie != t.count[FAM_LIB_BOOK_ZOMBIE] ||
        st.books_offline != t.count[FAM_LIB_BOOK_OFFLINE]) {
        return check_fail(k, "statfs says total/free/inuse/zombie/offline "
                          "%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%"
                          PRIu64 ", the book table %" PRIu64 "/%" PRIu64 "/%"
                          PRIu64 "/%" PRIu64 "/%" PRIu64,
                          (uint64_t)st.books_total, (uint64_t)st.books_free,
                          (uint64_t)st.books_inuse,
                          (uint64_t)st.books_zombie,
                          (uint64_t)st.books_offline, k->books_total,
                          t.count[0], t.count[1], t.count[2], t.count[3]);
    }
    if (st.books_inuse != k->census->shelf_books) {
        return check_fail(k, "statfs says %" PRIu64 " books INUSE, the "
                          "shelves hold %" PRIu64, (uint64_t)st.books_inuse,
                          k->census->shelf_books);
    }
    return 0;
}

int lib_test_check_all(LibConn *conn, const LibTestPool *pool,
                       uint64_t books_total, LibTestCensus *census,
                       char *err, size_t errlen)
{
    Check k = {
        .conn = conn, .pool = pool, .books_total = books_total,
        .owner = g_new0(uint64_t, books_total), .census = census,
        .err = err, .errlen = errlen,
    };
    struct fam_lib_statfs st;
    int r;

    memset(census, 0, sizeof(*census));
    err[0] = '\0';
    r = lib_conn_statfs(conn, &st);
    if (r < 0) {
        r = check_fail(&k, "statfs: %s", g_strerror(-r));
    } else {
        k.book_size = st.book_size;
        r = walk_dir(&k, "/", 0);
    }
    if (r == 0) {
        r = check_table(&k);
    }
    g_free(k.owner);
    return r;
}

static int remove_tree(Check *k, const char *path, unsigned depth)
{
    GPtrArray *entries;
    int r;

    entries = read_dir(k, path, depth, &r);
    if (entries == NULL) {
        return r;
    }
    for (guint i = 0; i < entries->len && r == 0; i++) {
        Entry *e = g_ptr_array_index(entries, i);
        char *child = child_path(path, e->name);

        if ((e->mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFDIR) {
            r = remove_tree(k, child, depth + 1);
            /* the Librarian's own /lost+found stays, emptied */
            if (r == 0 && strcmp(child, "/lost+found") != 0) {
                r = lib_conn_rmdir(k->conn, child);
                if (r < 0) {
                    r = check_fail(k, "rmdir %s: %s", child, g_strerror(-r));
                }
            }
        } else {
            r = lib_conn_unlink(k->conn, child);
            if (r < 0) {
                r = check_fail(k, "unlink %s: %s", child, g_strerror(-r));
            }
        }
        g_free(child);
    }
    g_ptr_array_free(entries, TRUE);
    return r;
}

int lib_test_remove_all(LibConn *conn, char *err, size_t errlen)
{
    Check k = { .conn = conn, .err = err, .errlen = errlen };

    err[0] = '\0';
    return remove_tree(&k, "/", 0);
}
