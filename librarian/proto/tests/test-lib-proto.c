/*
 * End-to-end tests of fam_lib_handle() (lib-proto.h) on a real core: a
 * SQLite file in a temporary directory, a pool in memory, the shipped
 * tm-2016 model for 4 nodes (16 modules) with a 64 MiB pool of 2 MiB
 * books (32 books). Requests are built and replies checked with the
 * client's own code (lib-client-msg.h), so both ends are tested together:
 * every opcode, the core's errors as errno in the reply, list paging
 * across many replies, the transport's forced identity, and replies to
 * garbage.
 */
#include <glib.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-client-msg.h"
#include "lib-fixture.h"
#include "lib-proto.h"
#include "proto-samples.h"

#define MiB (UINT64_C(1) << 20)
#define HDR_LEN sizeof(struct fam_lib_hdr)
#define NODES 4
#define POOL (64 * MiB)
#define BOOK (2 * MiB)
#define BOOKS (POOL / BOOK)
#define MODULES 16

typedef struct T {
    LibFixture *fx;             /* fx->lib is the core under test */
    uint32_t seq;
    /* The identity put in request headers, and what the transport forces */
    FamLibCaller who;
    const FamLibForced *forced;
    size_t cap;                 /* reply room offered */
    unsigned char req[FAM_LIB_MSG_MAX];
    unsigned char reply[FAM_LIB_MSG_MAX];
    size_t reply_len;
    const void *body;
    size_t body_len;
} T;

static T *t_new(void)
{
    LibFixtureConfig cfg = {
        .prefix = "fam-proto", .model = "tm-2016",
        .nodes = NODES, .pool_size = POOL, .book_size = BOOK, .seed = 7,
    };
    T *t = g_new0(T, 1);

    t->fx = lib_fixture_new(&cfg);
    g_assert_nonnull(t->fx);
    g_assert_cmpuint(t->fx->model->modules, ==, MODULES);
    g_assert_cmpint(lib_fixture_open(t->fx), ==, 0);
    t->who = (FamLibCaller){ .node = 0, .uid = 0, .gid = 0, .pid = 100 };
    t->cap = sizeof(t->reply);
    return t;
}

static void t_free(T *t)
{
    lib_fixture_free(t->fx);
    g_free(t);
}

/* The header of the last reply, host order. */
static struct fam_lib_hdr t_reply_hdr(const T *t)
{
    struct fam_lib_hdr h;

    g_assert_cmpuint(t->reply_len, >=, HDR_LEN);
    memcpy(&h, t->reply, sizeof(h));
    fam_lib_wire_hdr(&h);
    return h;
}

/*
 * Send one request; return 0 or the negative errno of the reply (whose
 * body is then in t->body/t->body_len). A malformed reply fails the test.
 */
static int t_call(T *t, uint16_t op, const struct fam_lib_args *args,
                  const char *str1, const char *str2, const void *blob,
                  size_t blob_len)
{
    uint32_t seq = ++t->seq;
    int n = fam_lib_msg_build(t->req, sizeof(t->req), op, seq, t->who.node,
                              t->who.uid, t->who.gid, t->who.pid, args,
                              str1, str2, blob, blob_len);
    int r;

    g_assert_cmpint(n, >, 0);
    t->reply_len = fam_lib_handle(t->fx->lib, t->req, (size_t)n, t->forced,
                                  t->reply, t->cap);
    r = fam_lib_reply_check(t->reply, t->reply_len, op, seq, &t->body,
                            &t->body_len);
    /* A protocol error of the reply itself would look like EPROTO; make
     * sure the status really says what r says. */
    g_assert_cmpint(t_reply_hdr(t).status, ==, -r);
    return r;
}

static int t_path(T *t, uint16_t op, const char *path)
{
    return t_call(t, op, NULL, path, NULL, NULL, 0);
}

static struct fam_lib_attr t_attr_body(const T *t)
{
    struct fam_lib_attr a;

    g_assert_cmpuint(t->body_len, ==, sizeof(a));
    memcpy(&a, t->body, sizeof(a));
    fam_lib_wire_attr(&a);
    return a;
}

static struct fam_lib_attr t_getattr(T *t, const char *path)
{
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, path), ==, 0);
    return t_attr_body(t);
}

static struct fam_lib_attr t_mode_op(T *t, uint16_t op, const char *path,
                                     uint32_t mode)
{
    struct fam_lib_args a = { .mode = mode };

    g_assert_cmpint(t_call(t, op, &a, path, NULL, NULL, 0), ==, 0);
    return t_attr_body(t);
}

static uint64_t t_open(T *t, const char *path, uint32_t flags)
{
    struct fam_lib_args a = { .flags = flags };
    struct fam_lib_open o;

    g_assert_cmpint(t_call(t, FAM_LIB_OP_OPEN, &a, path, NULL, NULL, 0), ==,
                    0);
    g_assert_cmpuint(t->body_len, ==, sizeof(o));
    memcpy(&o, t->body, sizeof(o));
    fam_lib_wire_open(&o);
    return o.handle;
}

static int t_resize(T *t, const char *path, uint64_t handle, uint64_t size)
{
    struct fam_lib_args a = { .handle = handle, .size = size };

    return t_call(t, FAM_LIB_OP_RESIZE, &a, path, NULL, NULL, 0);
}

/* --- list walking -------------------------------------------------------- */

/* Every item of a list, across as many replies as it takes. */
typedef struct Walk {
    GPtrArray *names;           /* dirents, xattr names, OOB messages */
    GArray *books;              /* struct fam_lib_book */
    GArray *opened;             /* struct fam_lib_opened */
    GArray *ids;                /* uint64_t: dirent and OOB ids */
    unsigned replies;
} Walk;

static void walk_init(Walk *w)
{
    w->names = g_ptr_array_new_with_free_func(g_free);
    w->books = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_book));
    w->opened = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_opened));
    w->ids = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    w->replies = 0;
}

static void walk_free(Walk *w)
{
    g_ptr_array_free(w->names, TRUE);
    g_array_free(w->books, TRUE);
    g_array_free(w->opened, TRUE);
    g_array_free(w->ids, TRUE);
}

/* Read one list reply's items into w; its header into *l. */
static void walk_reply(T *t, uint32_t item, Walk *w, struct fam_lib_list *l)
{
    FamLibListIter it;
    int r = fam_lib_list_begin(&it, item, t->body, t->body_len, l);
    uint32_t n = 0;

    g_assert_cmpint(r, ==, 0);
    for (;;) {
        struct fam_lib_book b;
        struct fam_lib_dirent d;
        struct fam_lib_opened o;
        struct fam_lib_oob m;
        const char *name;
        const void *msg;

        switch (item) {
        case FAM_LIB_ITEM_BOOK:
            r = fam_lib_list_next_book(&it, &b);
            if (r > 0) {
                g_array_append_val(w->books, b);
            }
            break;
        case FAM_LIB_ITEM_DIRENT:
            r = fam_lib_list_next_dirent(&it, &d, &name);
            if (r > 0) {
                uint64_t id = d.id;

                g_ptr_array_add(w->names, g_strdup(name));
                g_array_append_val(w->ids, id);
            }
            break;
        case FAM_LIB_ITEM_OPENED:
            r = fam_lib_list_next_opened(&it, &o);
            if (r > 0) {
                g_array_append_val(w->opened, o);
            }
            break;
        case FAM_LIB_ITEM_NAME:
            r = fam_lib_list_next_name(&it, &name);
            if (r > 0) {
                g_ptr_array_add(w->names, g_strdup(name));
            }
            break;
        case FAM_LIB_ITEM_OOB:
            r = fam_lib_list_next_oob(&it, &m, &msg);
            if (r > 0) {
                uint64_t id = m.id;

                g_ptr_array_add(w->names, g_strndup(msg, m.len));
                g_array_append_val(w->ids, id);
            }
            break;
        default:
            g_assert_not_reached();
        }
        g_assert_cmpint(r, >=, 0);
        if (r == 0) {
            break;
        }
        n++;
    }
    g_assert_cmpuint(n, ==, l->count);
    w->replies++;
}

/*
 * Walk a whole list: `args` gives the opcode's own arguments; the cursor
 * goes in args.size, starting from 0. Returns 0 or the first error.
 */
static int walk(T *t, uint16_t op, struct fam_lib_args args,
                const char *path, Walk *w)
{
    const FamLibOpInfo *info = fam_lib_op_info(op);
    struct fam_lib_list l = { 0 };

    g_assert_cmpuint(info->reply, ==, FAM_LIB_REPLY_LIST);
    args.size = 0;
    do {
        int r = t_call(t, op, &args, path, NULL, NULL, 0);

        if (r < 0) {
            return r;
        }
        walk_reply(t, info->item, w, &l);
        g_assert_true(l.count > 0 || l.done);
        args.size = l.next;
        g_assert_cmpuint(w->replies, <, 10000);
    } while (!l.done);
    return 0;
}

static bool has_name(const Walk *w, const char *name)
{
    for (guint i = 0; i < w->names->len; i++) {
        if (strcmp(g_ptr_array_index(w->names, i), name) == 0) {
            return true;
        }
    }
    return false;
}

/* No name twice. */
static void assert_unique(const Walk *w)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);

    for (guint i = 0; i < w->names->len; i++) {
        const char *n = g_ptr_array_index(w->names, i);

        g_assert_false(g_hash_table_contains(seen, n));
        g_hash_table_add(seen, (gpointer)n);
    }
    g_hash_table_destroy(seen);
}

/* --- every opcode -------------------------------------------------------- */

static void test_pool_ops(void)
{
    T *t = t_new();
    struct fam_lib_version v;
    struct fam_lib_statfs s;
    struct fam_lib_book b;
    struct fam_lib_args a = { 0 };
    Walk w;

    g_assert_cmpint(t_call(t, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL,
                           0), ==, 0);
    memcpy(&v, t->body, sizeof(v));
    fam_lib_wire_version(&v);
    g_assert_cmpuint(v.version, ==, FAM_LIB_VERSION);
    g_assert_cmpuint(v.schema, ==, FAM_LIB_SCHEMA_VERSION);
    g_assert_true(g_str_has_prefix(v.name, "fam-librarian "));
    g_assert_nonnull(memchr(v.name, 0, sizeof(v.name)));

    g_assert_cmpint(t_call(t, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0),
                    ==, 0);
    memcpy(&s, t->body, sizeof(s));
    fam_lib_wire_statfs(&s);
    g_assert_cmpuint(s.pool_size, ==, POOL);
    g_assert_cmpuint(s.book_size, ==, BOOK);
    g_assert_cmpuint(s.books_total, ==, BOOKS);
    g_assert_cmpuint(s.books_free, ==, BOOKS);
    g_assert_cmpuint(s.nodes, ==, NODES);
    g_assert_cmpuint(s.modules, ==, MODULES);
    g_assert_cmpstr(s.model, ==, "tm-2016");

    a.size = 5;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_BOOK_INFO, &a, NULL, NULL, NULL,
                           0), ==, 0);
    memcpy(&b, t->body, sizeof(b));
    fam_lib_wire_book(&b);
    g_assert_cmpuint(b.book, ==, 5);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_FREE);
    g_assert_cmpuint(b.shelf, ==, 0);
    /* book mode, 2 books per 4 MiB module: book 5 is in module 2 */
    g_assert_cmpuint(b.module, ==, 2);
    a.size = BOOKS;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_BOOK_INFO, &a, NULL, NULL, NULL,
                           0), <, 0);

    /* All books, then one module's */
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_BOOKS, (struct fam_lib_args){ 0 },
                         NULL, &w), ==, 0);
    g_assert_cmpuint(w.books->len, ==, BOOKS);
    for (guint i = 0; i < w.books->len; i++) {
        g_assert_cmpuint(g_array_index(w.books, struct fam_lib_book,
                                       i).book, ==, i);
    }
    walk_free(&w);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_BOOKS,
                         (struct fam_lib_args){ .flags = 3 + 1 }, NULL, &w),
                    ==, 0);
    g_assert_cmpuint(w.books->len, ==, 2);
    g_assert_cmpuint(g_array_index(w.books, struct fam_lib_book, 0).module,
                     ==, 3);
    walk_free(&w);

    /* Zombies: none yet */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_ZERO_ZOMBIES, NULL, NULL, NULL,
                           NULL, 0), ==, 0);
    g_assert_cmpuint(t->body_len, ==, sizeof(struct fam_lib_count));
    t_free(t);
}

static void test_shelf_ops(void)
{
    T *t = t_new();
    struct fam_lib_attr at;
    struct fam_lib_args a;
    uint64_t h;
    Walk w;

    at = t_mode_op(t, FAM_LIB_OP_MKDIR, "/d", 0755);
    g_assert_cmpuint(at.mode, ==, FAM_LIB_S_IFDIR | 0755);
    at = t_mode_op(t, FAM_LIB_OP_CREATE, "/d/f", 0644);
    g_assert_cmpuint(at.mode, ==, FAM_LIB_S_IFREG | 0644);
    g_assert_cmpuint(at.size, ==, 0);
    g_assert_cmpuint(at.uid, ==, 0);
    g_assert_cmpuint(at.nlink, >=, 1);
    at = t_getattr(t, "/d/f");
    g_assert_cmpuint(at.mode, ==, FAM_LIB_S_IFREG | 0644);

    g_assert_cmpint(t_call(t, FAM_LIB_OP_SYMLINK, NULL, "/l", "d/f", NULL,
                           0), ==, 0);
    g_assert_cmpuint(t_attr_body(t).mode & FAM_LIB_S_IFMT, ==,
                     FAM_LIB_S_IFLNK);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_READLINK, "/l"), ==, 0);
    g_assert_cmpuint(t->body_len, ==, 4);
    g_assert_cmpstr(t->body, ==, "d/f");

    /* open, grow by path and by handle, list the books both ways */
    h = t_open(t, "/d/f", FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    g_assert_cmpint(t_resize(t, "/d/f", 0, 3 * MiB), ==, 0);
    at = t_attr_body(t);
    g_assert_cmpuint(at.books, ==, 2);
    g_assert_cmpuint(at.size, >=, 3 * MiB);
    g_assert_cmpint(t_resize(t, NULL, h, 6 * MiB), ==, 0);
    g_assert_cmpuint(t_attr_body(t).books, ==, 3);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_SHELF_BOOKS,
                         (struct fam_lib_args){ 0 }, "/d/f", &w), ==, 0);
    g_assert_cmpuint(w.books->len, ==, 3);
    for (guint i = 0; i < w.books->len; i++) {
        struct fam_lib_book *b = &g_array_index(w.books, struct fam_lib_book,
                                                i);

        g_assert_cmpuint(b->state, ==, FAM_LIB_BOOK_INUSE);
        g_assert_cmpuint(b->shelf, ==, at.id);
    }
    walk_free(&w);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_SHELF_BOOKS,
                         (struct fam_lib_args){ .handle = h }, NULL, &w),
                    ==, 0);
    g_assert_cmpuint(w.books->len, ==, 3);
    walk_free(&w);

    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_OPENS, (struct fam_lib_args){ 0 },
                         NULL, &w), ==, 0);
    g_assert_cmpuint(w.opened->len, ==, 1);
    g_assert_cmpuint(g_array_index(w.opened, struct fam_lib_opened,
                                   0).handle, ==, h);
    g_assert_cmpuint(g_array_index(w.opened, struct fam_lib_opened, 0).pid,
                     ==, 100);
    g_assert_cmpuint(g_array_index(w.opened, struct fam_lib_opened,
                                   0).shelf, ==, at.id);
    walk_free(&w);

    /* FSTAT: the handle's flags and its shelf, for its own node only */
    a = (struct fam_lib_args){ .handle = h };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_FSTAT, &a, NULL, NULL, NULL, 0),
                    ==, 0);
    {
        struct fam_lib_fstat f;

        g_assert_cmpuint(t->body_len, ==, sizeof(f));
        memcpy(&f, t->body, sizeof(f));
        fam_lib_wire_fstat(&f);
        g_assert_cmpuint(f.handle, ==, h);
        g_assert_cmpuint(f.flags, ==, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
        g_assert_cmpuint(f.node, ==, 0);
        g_assert_cmpuint(f.attr.id, ==, at.id);
        g_assert_cmpuint(f.attr.size, ==, 6 * MiB);
        g_assert_cmpuint(f.attr.books, ==, 3);
        g_assert_cmpuint(f.attr.reserved, ==, 0);
    }
    t->who.node = 1;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_FSTAT, &a, NULL, NULL, NULL, 0),
                    ==, -EBADF);
    t->who.node = 0;
    /* By handle only: a path is a part FSTAT does not take */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_FSTAT, &a, "/d/f", NULL, NULL, 0),
                    ==, -EBADMSG);

    g_assert_cmpint(t_call(t, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0),
                    ==, 0);
    g_assert_cmpuint(t->body_len, ==, 0);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_FSTAT, &a, NULL, NULL, NULL, 0),
                    ==, -EBADF);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0),
                    <, 0);

    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_READDIR, (struct fam_lib_args){ 0 },
                         "/", &w), ==, 0);
    g_assert_true(has_name(&w, "d"));
    g_assert_true(has_name(&w, "l"));
    walk_free(&w);

    /* rename, remove */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_RENAME, NULL, "/d/f", "/g", NULL,
                           0), ==, 0);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/d/f"), ==, -ENOENT);
    g_assert_cmpuint(t_getattr(t, "/g").books, ==, 3);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_UNLINK, "/g"), ==, 0);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_UNLINK, "/l"), ==, 0);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_RMDIR, "/d"), ==, 0);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/d"), ==, -ENOENT);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_BOOKS, (struct fam_lib_args){ 0 },
                         NULL, &w), ==, 0);
    for (guint i = 0; i < w.books->len; i++) {
        g_assert_cmpuint(g_array_index(w.books, struct fam_lib_book,
                                       i).state, !=, FAM_LIB_BOOK_INUSE);
    }
    walk_free(&w);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_ZERO_ZOMBIES, NULL, NULL, NULL,
                           NULL, 0), ==, 0);
    t_free(t);
}

static void test_attr_ops(void)
{
    T *t = t_new();
    struct fam_lib_args a = { 0 };
    struct fam_lib_attr at;
    Walk w;

    t_mode_op(t, FAM_LIB_OP_CREATE, "/f", 0644);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, NULL, "/f", "user.x",
                           "value", 5), ==, 0);
    g_assert_cmpuint(t->body_len, ==, 0);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_GETXATTR, NULL, "/f", "user.x",
                           NULL, 0), ==, 0);
    g_assert_cmpmem(t->body, t->body_len, "value", 5);
    /* an empty value is a value */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, NULL, "/f", "user.e",
                           NULL, 0), ==, 0);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_GETXATTR, NULL, "/f", "user.e",
                           NULL, 0), ==, 0);
    g_assert_cmpuint(t->body_len, ==, 0);
    a.flags = FAM_LIB_XATTR_CREATE;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, &a, "/f", "user.x", "v",
                           1), ==, -EEXIST);
    a.flags = FAM_LIB_XATTR_REPLACE;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, &a, "/f", "user.none",
                           "v", 1), ==, -ENODATA);

    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LISTXATTR, (struct fam_lib_args){ 0 },
                         "/f", &w), ==, 0);
    g_assert_true(has_name(&w, "user.x"));
    g_assert_true(has_name(&w, "user.e"));
    walk_free(&w);

    g_assert_cmpint(t_call(t, FAM_LIB_OP_REMOVEXATTR, NULL, "/f", "user.x",
                           NULL, 0), ==, 0);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_GETXATTR, NULL, "/f", "user.x",
                           NULL, 0), ==, -ENODATA);

    /* the policy xattrs go through the same opcodes */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, NULL, "/f",
                           "user.LFS.AllocationPolicy", "LZAascending", 12),
                    ==, 0);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_GETXATTR, NULL, "/f",
                           "user.LFS.AllocationPolicy", NULL, 0), ==, 0);
    g_assert_cmpmem(t->body, t->body_len, "LZAascending", 12);

    a = (struct fam_lib_args){ .atime_ns = 1000000000,
                               .mtime_ns = 2000000000 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETTIMES, &a, "/f", NULL, NULL, 0),
                    ==, 0);
    at = t_getattr(t, "/f");
    g_assert_cmpint(at.atime_ns, ==, 1000000000);
    g_assert_cmpint(at.mtime_ns, ==, 2000000000);
    a = (struct fam_lib_args){ .atime_ns = FAM_LIB_TIME_OMIT,
                               .mtime_ns = FAM_LIB_TIME_NOW };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SETTIMES, &a, "/f", NULL, NULL, 0),
                    ==, 0);
    at = t_getattr(t, "/f");
    g_assert_cmpint(at.atime_ns, ==, 1000000000);
    g_assert_cmpint(at.mtime_ns, >, 2000000000);

    a = (struct fam_lib_args){ .mode = 0600 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CHMOD, &a, "/f", NULL, NULL, 0),
                    ==, 0);
    g_assert_cmpuint(t_getattr(t, "/f").mode, ==, FAM_LIB_S_IFREG | 0600);
    a = (struct fam_lib_args){ .uid = 1000, .gid = FAM_LIB_ID_KEEP };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CHOWN, &a, "/f", NULL, NULL, 0),
                    ==, 0);
    at = t_getattr(t, "/f");
    g_assert_cmpuint(at.uid, ==, 1000);
    g_assert_cmpuint(at.gid, ==, 0);
    t_free(t);
}

static void test_node_ops(void)
{
    T *t = t_new();
    struct fam_lib_node_status st = proto_sample_status;
    struct fam_lib_args a = { 0 };
    Walk w;

    fam_lib_wire_node_status(&st);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_HEARTBEAT, NULL, NULL, NULL, &st,
                           sizeof(st)), ==, 0);

    /* A module offline: its free books go OFFLINE; then back */
    a = (struct fam_lib_args){ .size = 2, .flags = FAM_LIB_MODULE_OFFLINE };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MODULE_STATUS, &a, NULL, NULL,
                           NULL, 0), ==, 0);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_BOOKS,
                         (struct fam_lib_args){ .flags = 2 + 1 }, NULL, &w),
                    ==, 0);
    g_assert_cmpuint(w.books->len, ==, 2);
    g_assert_cmpuint(g_array_index(w.books, struct fam_lib_book, 0).state,
                     ==, FAM_LIB_BOOK_OFFLINE);
    walk_free(&w);
    a.flags = FAM_LIB_MODULE_ONLINE;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MODULE_STATUS, &a, NULL, NULL,
                           NULL, 0), ==, 0);
    /* only root may */
    t->who.uid = 1000;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MODULE_STATUS, &a, NULL, NULL,
                           NULL, 0), ==, -EPERM);
    t->who.uid = 0;
    /* a module the model does not have */
    a.size = MODULES;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MODULE_STATUS, &a, NULL, NULL,
                           NULL, 0), ==, -EINVAL);

    /* OOB: sent by node 0 and node 3, read in order */
    g_assert_cmpint(t_call(t, FAM_LIB_OP_OOB_SEND, NULL, NULL, NULL, "one",
                           3), ==, 0);
    t->who.node = 3;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_OOB_SEND, NULL, NULL, NULL, "two",
                           3), ==, 0);
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_OOB_RECV, (struct fam_lib_args){ 0 },
                         NULL, &w), ==, 0);
    g_assert_cmpuint(w.names->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(w.names, 0), ==, "one");
    g_assert_cmpstr(g_ptr_array_index(w.names, 1), ==, "two");
    walk_free(&w);
    t_free(t);
}

/* --- errors -------------------------------------------------------------- */

static void test_core_errors(void)
{
    T *t = t_new();
    struct fam_lib_args a = { 0 };
    uint64_t h;

    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/nope"), ==, -ENOENT);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/nope/deeper"), ==,
                    -ENOENT);
    t_mode_op(t, FAM_LIB_OP_MKDIR, "/d", 0755);
    a.mode = 0755;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MKDIR, &a, "/d", NULL, NULL, 0),
                    ==, -EEXIST);
    t_mode_op(t, FAM_LIB_OP_CREATE, "/d/f", 0644);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_RMDIR, "/d"), ==, -ENOTEMPTY);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_RMDIR, "/d/f"), ==, -ENOTDIR);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_UNLINK, "/d"), ==, -EISDIR);

    /* not root: no creating in root's 0755 directory */
    t->who = (FamLibCaller){ .node = 1, .uid = 1000, .gid = 1000,
                             .pid = 5 };
    a.mode = 0644;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/d/mine", NULL, NULL,
                           0), ==, -EACCES);
    a = (struct fam_lib_args){ .flags = FAM_LIB_OPEN_WRITE };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_OPEN, &a, "/d/f", NULL, NULL, 0),
                    ==, -EACCES);

    /* an owner named by the caller: only root may, as a file system
     * daemon does for the process it serves */
    a = (struct fam_lib_args){ .mode = 0644, .flags = FAM_LIB_MAKE_OWNER,
                               .uid = 1000, .gid = 1000 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/mine", NULL, NULL,
                           0), ==, -EPERM);
    t->who = (FamLibCaller){ .node = 1, .uid = 0, .gid = 0, .pid = 6 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/mine", NULL, NULL,
                           0), ==, 0);
    g_assert_cmpuint(t_attr_body(t).uid, ==, 1000);
    g_assert_cmpuint(t_attr_body(t).gid, ==, 1000);
    a.mode = 0700;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MKDIR, &a, "/mydir", NULL, NULL,
                           0), ==, 0);
    g_assert_cmpuint(t_attr_body(t).uid, ==, 1000);
    a.mode = 0;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_SYMLINK, &a, "/myln", "mine", NULL,
                           0), ==, 0);
    g_assert_cmpuint(t_getattr(t, "/myln").uid, ==, 1000);

    /* busy: open on node 1 by root, destroyed from node 0 */
    t->who = (FamLibCaller){ .node = 1, .uid = 0, .gid = 0, .pid = 6 };
    h = t_open(t, "/d/f", FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    g_assert_cmpint(t_resize(t, NULL, h, 2 * MiB), ==, 0);
    t->who = (FamLibCaller){ .node = 0, .uid = 0, .gid = 0, .pid = 7 };
    g_assert_cmpint(t_path(t, FAM_LIB_OP_UNLINK, "/d/f"), ==, -EBUSY);

    /* no space: more than the pool */
    g_assert_cmpint(t_resize(t, "/d/f", 0, POOL + BOOK), ==, -ENOSPC);
    g_assert_cmpuint(t_getattr(t, "/d/f").books, ==, 1);

    /* a handle that is nobody's */
    a = (struct fam_lib_args){ .handle = h + 1000 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0),
                    <, 0);
    t_free(t);
}

/* Errors of the protocol layer itself, through fam_lib_handle(). */
static void test_proto_errors(void)
{
    T *t = t_new();
    struct fam_lib_args a = { 0 };
    struct fam_lib_hdr h;
    int n;

    /* a node the model does not have; FAM_LIB_NODE_HOST is fine */
    t->who.node = NODES;
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/"), ==, -EINVAL);
    t->who.node = FAM_LIB_NODE_HOST;
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/"), ==, 0);
    t->who.node = 0;

    /* LIST_BOOKS of a module past the model */
    a.flags = MODULES + 1;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_LIST_BOOKS, &a, NULL, NULL, NULL,
                           0), ==, -EINVAL);
    a.flags = MODULES;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_LIST_BOOKS, &a, NULL, NULL, NULL,
                           0), ==, 0);

    /* decoder errors come back with opcode and seq */
    a = (struct fam_lib_args){ .mode = 0170000 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/x", NULL, NULL, 0),
                    ==, -EINVAL);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, NULL, "x", NULL, NULL, 0),
                    ==, -EINVAL);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_GETATTR, NULL, NULL, NULL, NULL,
                           0), ==, -EBADMSG);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/x"), ==, -ENOENT);

    /* wrong version: EPROTONOSUPPORT in our version */
    n = fam_lib_msg_build(t->req, sizeof(t->req), FAM_LIB_OP_STATFS, 55, 0,
                          0, 0, 0, NULL, NULL, NULL, NULL, 0);
    t->req[4] = 9;
    t->reply_len = fam_lib_handle(t->fx->lib, t->req, n, NULL, t->reply,
                                  sizeof(t->reply));
    g_assert_cmpint(fam_lib_reply_check(t->reply, t->reply_len,
                                        FAM_LIB_OP_STATFS, 55, NULL, NULL),
                    ==, -EPROTONOSUPPORT);
    h = t_reply_hdr(t);
    g_assert_cmpuint(h.version, ==, FAM_LIB_VERSION);

    /* nothing at all, and garbage */
    t->reply_len = fam_lib_handle(t->fx->lib, NULL, 0, NULL, t->reply,
                                  sizeof(t->reply));
    h = t_reply_hdr(t);
    g_assert_cmpuint(t->reply_len, ==, HDR_LEN);
    g_assert_cmpint(h.status, ==, EBADMSG);
    g_assert_cmpuint(h.flags, ==, FAM_LIB_F_REPLY);
    memset(t->req, 0xa5, sizeof(t->req));
    t->reply_len = fam_lib_handle(t->fx->lib, t->req, sizeof(t->req), NULL,
                                  t->reply, sizeof(t->reply));
    g_assert_cmpint(t_reply_hdr(t).status, ==, EPROTO);
    /* longer than the mailbox: refused from the header */
    {
        unsigned char *big = g_malloc0(FAM_LIB_MSG_MAX * 2);

        n = fam_lib_msg_build(big, FAM_LIB_MSG_MAX, FAM_LIB_OP_STATFS, 9, 0,
                              0, 0, 0, NULL, NULL, NULL, NULL, 0);
        g_assert_cmpint(n, >, 0);
        t->reply_len = fam_lib_handle(t->fx->lib, big, FAM_LIB_MSG_MAX * 2,
                                      NULL, t->reply, sizeof(t->reply));
        g_assert_cmpint(fam_lib_reply_check(t->reply, t->reply_len,
                                            FAM_LIB_OP_STATFS, 9, NULL,
                                            NULL), ==, -EBADMSG);
        g_free(big);
    }

    /* no room: nothing below a header; EMSGSIZE before anything changes */
    g_assert_cmpuint(fam_lib_handle(t->fx->lib, t->req, 10, NULL, t->reply,
                                    HDR_LEN - 1), ==, 0);
    g_assert_cmpuint(fam_lib_handle(t->fx->lib, t->req, 10, NULL, NULL, 4096),
                     ==, 0);
    t->cap = HDR_LEN + sizeof(struct fam_lib_attr) - 1;
    a = (struct fam_lib_args){ .mode = 0644 };
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/small", NULL, NULL,
                           0), ==, -EMSGSIZE);
    t->cap = HDR_LEN;
    g_assert_cmpint(t_path(t, FAM_LIB_OP_READDIR, "/"), ==, -EMSGSIZE);
    g_assert_cmpint(t_call(t, FAM_LIB_OP_UNLINK, NULL, "/small", NULL, NULL,
                           0), ==, -ENOENT);
    t->cap = sizeof(t->reply);
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/small"), ==, -ENOENT);

    /* error replies without a core */
    g_assert_cmpuint(fam_lib_error_reply(t->reply, sizeof(t->reply),
                                         FAM_LIB_OP_OPEN, 3, EMSGSIZE), ==,
                     HDR_LEN);
    g_assert_cmpint(fam_lib_reply_check(t->reply, HDR_LEN, FAM_LIB_OP_OPEN,
                                        3, NULL, NULL), ==, -EMSGSIZE);
    fam_lib_error_reply(t->reply, sizeof(t->reply), FAM_LIB_OP_OPEN, 3, 0);
    g_assert_cmpint(fam_lib_reply_check(t->reply, HDR_LEN, FAM_LIB_OP_OPEN,
                                        3, NULL, NULL), ==, -EIO);
    g_assert_cmpuint(fam_lib_error_reply(t->reply, HDR_LEN - 1, 1, 1, EIO),
                     ==, 0);
    t_free(t);
}

/* --- paging -------------------------------------------------------------- */

static void test_paging(void)
{
    T *t = t_new();
    struct fam_lib_args a = { .mode = 0644 };
    unsigned files = 150;
    Walk w;

    t_mode_op(t, FAM_LIB_OP_MKDIR, "/p", 0755);
    for (unsigned i = 0; i < files; i++) {
        /* names of 1 to 255 bytes, so records of every padding */
        char name[FAM_LIB_NAME_MAX + 1];
        size_t len = 1 + (i * 37) % FAM_LIB_NAME_MAX;
        char *path;
        int k = snprintf(name, sizeof(name), "%u", i);

        memset(name + k, 'n', len > (size_t)k ? len - k : 0);
        name[len > (size_t)k ? len : (size_t)k] = '\0';
        path = g_strdup_printf("/p/%s", name);
        g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, path, NULL, NULL,
                               0), ==, 0);
        g_free(path);
    }
    for (unsigned i = 0; i < 60; i++) {
        char *name = g_strdup_printf("user.attribute-number-%u", i);

        g_assert_cmpint(t_call(t, FAM_LIB_OP_SETXATTR, NULL, "/p", name, "v",
                               1), ==, 0);
        g_free(name);
    }
    for (unsigned i = 0; i < 40; i++) {
        char *msg = g_strdup_printf("message %u", i);

        g_assert_cmpint(t_call(t, FAM_LIB_OP_OOB_SEND, NULL, NULL, NULL, msg,
                               strlen(msg)), ==, 0);
        g_free(msg);
    }

    /* Each cap: the whole mailbox, then replies of a few items */
    for (size_t cap = FAM_LIB_MSG_MAX; cap >= 400; cap /= 3) {
        t->cap = cap;
        g_test_message("cap %zu", cap);

        walk_init(&w);
        g_assert_cmpint(walk(t, FAM_LIB_OP_READDIR, (struct fam_lib_args){ 0 },
                             "/p", &w), ==, 0);
        assert_unique(&w);
        /* the files, and at most "." and ".." */
        g_assert_cmpuint(w.names->len, >=, files);
        g_assert_cmpuint(w.names->len, <=, files + 2);
        if (cap < FAM_LIB_MSG_MAX) {
            g_assert_cmpuint(w.replies, >, 2);
        }
        walk_free(&w);

        walk_init(&w);
        g_assert_cmpint(walk(t, FAM_LIB_OP_LISTXATTR,
                             (struct fam_lib_args){ 0 }, "/p", &w), ==, 0);
        assert_unique(&w);
        /* ours, besides the user.LFS.* policy attributes */
        {
            unsigned ours = 0;

            for (guint i = 0; i < w.names->len; i++) {
                ours += g_str_has_prefix(g_ptr_array_index(w.names, i),
                                         "user.attribute-number-");
            }
            g_assert_cmpuint(ours, ==, 60);
        }
        walk_free(&w);

        walk_init(&w);
        g_assert_cmpint(walk(t, FAM_LIB_OP_OOB_RECV,
                             (struct fam_lib_args){ 0 }, NULL, &w), ==, 0);
        assert_unique(&w);
        g_assert_cmpuint(w.names->len, ==, 40);
        for (guint i = 0; i < w.names->len; i++) {
            char *want = g_strdup_printf("message %u", i);

            g_assert_cmpstr(g_ptr_array_index(w.names, i), ==, want);
            g_free(want);
        }
        walk_free(&w);

        walk_init(&w);
        g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_BOOKS,
                             (struct fam_lib_args){ 0 }, NULL, &w), ==, 0);
        g_assert_cmpuint(w.books->len, ==, BOOKS);
        for (guint i = 0; i < w.books->len; i++) {
            g_assert_cmpuint(g_array_index(w.books, struct fam_lib_book,
                                           i).book, ==, i);
        }
        walk_free(&w);
    }
    t_free(t);
}

/* --- identity ------------------------------------------------------------ */

static void test_forced(void)
{
    T *t = t_new();
    FamLibForced node_only = { .mask = FAM_LIB_FORCE_NODE,
                               .caller = { .node = 2, .uid = 77 } };
    FamLibForced user = { .mask = FAM_LIB_FORCE_UID | FAM_LIB_FORCE_GID |
                                  FAM_LIB_FORCE_PID,
                          .caller = { .node = 3, .uid = 1000, .gid = 1000,
                                      .pid = 4242 } };
    FamLibForced nothing = { .mask = 0, .caller = { .node = 3, .uid = 5 } };
    struct fam_lib_args a = { .mode = 0644 };
    struct fam_lib_hdr h;
    uint64_t handle;
    Walk w;

    t_mode_op(t, FAM_LIB_OP_MKDIR, "/root", 0755);
    t_mode_op(t, FAM_LIB_OP_CREATE, "/root/f", 0644);

    /* The header claims node 0; the device says node 2, and wins. Only the
     * node: uid stays the header's (0), and the reply says so. */
    t->forced = &node_only;
    handle = t_open(t, "/root/f", FAM_LIB_OPEN_READ);
    h = t_reply_hdr(t);
    g_assert_cmpuint(h.node, ==, 2);
    g_assert_cmpuint(h.uid, ==, 0);
    g_assert_cmpuint(h.pid, ==, 100);
    t->forced = NULL;
    walk_init(&w);
    g_assert_cmpint(walk(t, FAM_LIB_OP_LIST_OPENS, (struct fam_lib_args){ 0 },
                         NULL, &w), ==, 0);
    g_assert_cmpuint(w.opened->len, ==, 1);
    g_assert_cmpuint(g_array_index(w.opened, struct fam_lib_opened, 0).node,
                     ==, 2);
    g_assert_cmpuint(g_array_index(w.opened, struct fam_lib_opened,
                                   0).handle, ==, handle);
    walk_free(&w);

    /* The header claims root; the daemon vouches for uid 1000: denied,
     * and what it creates where it may is its own. */
    t->forced = &user;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/root/x", NULL, NULL,
                           0), ==, -EACCES);
    h = t_reply_hdr(t);
    g_assert_cmpuint(h.node, ==, 0);
    g_assert_cmpuint(h.uid, ==, 1000);
    g_assert_cmpuint(h.gid, ==, 1000);
    g_assert_cmpuint(h.pid, ==, 4242);
    t->forced = NULL;
    a.mode = 0777;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_MKDIR, &a, "/tmp", NULL, NULL, 0),
                    ==, 0);
    a.mode = 01777;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CHMOD, &a, "/tmp", NULL, NULL, 0),
                    ==, 0);
    t->forced = &user;
    a.mode = 0600;
    g_assert_cmpint(t_call(t, FAM_LIB_OP_CREATE, &a, "/tmp/mine", NULL,
                           NULL, 0), ==, 0);
    g_assert_cmpuint(t_attr_body(t).uid, ==, 1000);
    g_assert_cmpuint(t_attr_body(t).gid, ==, 1000);

    /* A forced node outside the model is refused like a claimed one */
    user.mask |= FAM_LIB_FORCE_NODE;
    user.caller.node = NODES + 1;
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/"), ==, -EINVAL);

    /* An empty mask forces nothing */
    t->forced = &nothing;
    g_assert_cmpint(t_path(t, FAM_LIB_OP_GETATTR, "/tmp/mine"), ==, 0);
    h = t_reply_hdr(t);
    g_assert_cmpuint(h.node, ==, 0);
    g_assert_cmpuint(h.uid, ==, 0);
    t_free(t);
}

/* --- garbage and aliasing ------------------------------------------------ */

/*
 * Deterministic mutations of the samples through fam_lib_handle(): every
 * reply must be well-formed (a small fuzz run that needs no clang).
 */
static void test_garbage(void)
{
    T *t = t_new();
    uint64_t rng = 12345;
    unsigned char msg[FAM_LIB_MSG_MAX];

    for (unsigned iter = 0; iter < 20000; iter++) {
        const ProtoSample *s = &proto_samples[iter % PROTO_SAMPLES];
        int n = proto_sample_build(msg, sizeof(msg), s, iter);
        unsigned flips;
        size_t len;
        struct fam_lib_hdr h;

        g_assert_cmpint(n, >, 0);
        len = (size_t)n;
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        flips = (unsigned)(rng >> 60) % 4;
        for (unsigned f = 0; f < flips; f++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            msg[(rng >> 33) % len] = (unsigned char)(rng >> 20);
        }
        if ((rng >> 40) % 8 == 0) {
            len = (rng >> 44) % (len + 1);
        }
        t->reply_len = fam_lib_handle(t->fx->lib, msg, len, NULL, t->reply,
                                      sizeof(t->reply));
        h = t_reply_hdr(t);
        g_assert_cmpuint(h.magic, ==, FAM_LIB_MAGIC);
        g_assert_cmpuint(h.flags, ==, FAM_LIB_F_REPLY);
        g_assert_cmpuint(h.length, ==, t->reply_len);
        g_assert_cmpint(h.status, >=, 0);
        if (h.status == 0) {
            g_assert_cmpint(fam_lib_reply_check(t->reply, t->reply_len,
                                                h.opcode, h.seq, NULL, NULL),
                            ==, 0);
        } else {
            g_assert_cmpuint(t->reply_len, ==, HDR_LEN);
        }
    }
    t_free(t);
}

/* The reply may be written over the request (one mailbox buffer). */
static void test_in_place(void)
{
    T *t = t_new();
    unsigned char buf[FAM_LIB_MSG_MAX];
    struct fam_lib_args a = { .mode = 0640 };
    struct fam_lib_attr at;
    const void *body;
    size_t len;
    int n;

    n = fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_CREATE, 8, 0, 0, 0,
                          1, &a, "/in-place-with-a-long-name", NULL, NULL, 0);
    len = fam_lib_handle(t->fx->lib, buf, n, NULL, buf, sizeof(buf));
    g_assert_cmpint(fam_lib_reply_check(buf, len, FAM_LIB_OP_CREATE, 8,
                                        &body, &len), ==, 0);
    memcpy(&at, body, sizeof(at));
    fam_lib_wire_attr(&at);
    g_assert_cmpuint(at.mode, ==, FAM_LIB_S_IFREG | 0640);
    g_assert_cmpuint(t_getattr(t, "/in-place-with-a-long-name").id, ==,
                     at.id);
    t_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lib-proto/pool-ops", test_pool_ops);
    g_test_add_func("/lib-proto/shelf-ops", test_shelf_ops);
    g_test_add_func("/lib-proto/attr-ops", test_attr_ops);
    g_test_add_func("/lib-proto/node-ops", test_node_ops);
    g_test_add_func("/lib-proto/core-errors", test_core_errors);
    g_test_add_func("/lib-proto/proto-errors", test_proto_errors);
    g_test_add_func("/lib-proto/paging", test_paging);
    g_test_add_func("/lib-proto/forced", test_forced);
    g_test_add_func("/lib-proto/garbage", test_garbage);
    g_test_add_func("/lib-proto/in-place", test_in_place);
    return g_test_run();
}
