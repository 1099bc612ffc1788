/*
 * Unit tests of open handles and what follows from them: the exact
 * grant and revoke calls on open, close (with downgrade), resize and
 * drop; EBUSY for destroying or shrinking a shelf open elsewhere; handle
 * validation; listing handles; and the node calls (heartbeat, OOB).
 */
#include "lib-test.h"

static FamLibCaller root;

#define BS (2 * MiB)

/* A file of `n` LZAascending books (0 .. n-1, one range). */
static void make_file(LibTest *t, const char *path, uint64_t n)
{
    lt_create(t, &root, path, 0666);
    lt_set_policy(t, &root, path, "LZAascending");
    lt_resize(t, &root, path, n * BS, 0);
}

static uint64_t open_as(LibTest *t, const FamLibCaller *who, const char *path,
                        uint32_t flags)
{
    uint64_t h = 0;
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_open_shelf(t->lib, who, path, flags, &h, &a), ==,
                    0);
    g_assert_cmpuint(h, >, 0);
    g_assert_cmpuint(a.opens, >=, 1);
    return h;
}

static void test_open_close_grants(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n2 = lt_user(2, 0, 0, 100);
    FamLibCaller n2b = lt_user(2, 0, 0, 101);
    uint64_t hw, hr, hr2;

    make_file(t, "/f", 3);
    lt_calls_clear(t);
    hw = open_as(t, &n2, "/f", FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    g_assert_cmpuint(t->calls->len, ==, 1);
    lt_expect_call(t, 0, true, 2, 0, 3 * BS, true);

    /* Another handle of the node: it keeps its writable access. */
    lt_calls_clear(t);
    hr = open_as(t, &n2b, "/f", FAM_LIB_OPEN_READ);
    g_assert_cmpuint(t->calls->len, ==, 1);
    lt_expect_call(t, 0, true, 2, 0, 3 * BS, true);
    hr2 = open_as(t, &n2, "/f", FAM_LIB_OPEN_READ);
    g_assert_cmpuint(lt_stat(t, &root, "/f").opens, ==, 3);

    /* The writer goes: read-only handles remain, so downgrade. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, hw), ==, 0);
    g_assert_cmpuint(t->calls->len, ==, 2);
    lt_expect_call(t, 0, false, 2, 0, 3 * BS, false);
    lt_expect_call(t, 1, true, 2, 0, 3 * BS, false);
    /* A reader goes, another remains: nothing changes. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, hr), ==, 0);
    g_assert_cmpuint(t->calls->len, ==, 0);
    /* The last one: revoke. */
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, hr2), ==, 0);
    g_assert_cmpuint(t->calls->len, ==, 1);
    lt_expect_call(t, 0, false, 2, 0, 3 * BS, false);
    g_assert_cmpuint(lt_stat(t, &root, "/f").opens, ==, 0);

    /* Handles are checked. */
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, hr2), ==, -EBADF);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, 0), ==, -EBADF);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2, UINT64_MAX), ==, -EBADF);
    hw = open_as(t, &n2, "/f", FAM_LIB_OPEN_WRITE);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &root, hw), ==, -EBADF);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n2b, hw), ==, 0);
    lt_free(t);
}

/* Books that are not adjacent are separate ranges, in pool order. */
static void test_ranges(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n1 = lt_user(1, 0, 0, 7);
    static const uint8_t req[] = { 3, 0, 3 };
    uint64_t h;

    lt_create(t, &root, "/f", 0666);
    lt_set_policy(t, &root, "/f", "RequestIG");
    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/f",
                                     "user.LFS.InterleaveRequest", req,
                                     sizeof(req), 0), ==, 0);
    lt_resize(t, &root, "/f", 4 * BS, 0);   /* books 12, 0, 13, 14 */
    lt_calls_clear(t);
    h = open_as(t, &n1, "/f", FAM_LIB_OPEN_READ);
    g_assert_cmpuint(t->calls->len, ==, 2);
    lt_expect_call(t, 0, true, 1, 0, BS, false);
    lt_expect_call(t, 1, true, 1, 12 * BS, 3 * BS, false);
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n1, h), ==, 0);
    lt_expect_call(t, 0, false, 1, 0, BS, false);
    lt_expect_call(t, 1, false, 1, 12 * BS, 3 * BS, false);
    /* An empty shelf: nothing to grant. */
    lt_create(t, &root, "/empty", 0666);
    lt_calls_clear(t);
    h = open_as(t, &n1, "/empty", FAM_LIB_OPEN_READ);
    g_assert_cmpuint(t->calls->len, ==, 0);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n1, h), ==, 0);
    g_assert_cmpuint(t->calls->len, ==, 0);
    lt_free(t);
}

static void test_resize_grants(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n1 = lt_user(1, 0, 0, 10);
    FamLibCaller n1other = lt_user(1, 0, 0, 11);
    FamLibCaller n3 = lt_user(3, 0, 0, 30);
    struct fam_lib_attr a;
    uint64_t h1, h3;

    make_file(t, "/f", 2);
    h1 = open_as(t, &n1, "/f", FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    h3 = open_as(t, &n3, "/f", FAM_LIB_OPEN_READ);
    lt_calls_clear(t);
    /* Growth: every opener gets the new books, as writable as it is. */
    g_assert_cmpint(fam_lib_resize(t->lib, &n1, NULL, h1, 4 * BS, &a), ==, 0);
    g_assert_cmpuint(a.books, ==, 4);
    g_assert_cmpuint(t->calls->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        const HookCall *c = &g_array_index(t->calls, HookCall, i);

        g_assert_true(c->grant);
        g_assert_cmpuint(c->offset, ==, 2 * BS);
        g_assert_cmpuint(c->len, ==, 2 * BS);
        g_assert_cmpint(c->writable, ==, c->node == 1);
    }
    /* Shrinking while another node has it open: EBUSY, nothing done. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_resize(t->lib, &n1, NULL, h1, BS, &a), ==,
                    -EBUSY);
    g_assert_cmpuint(t->calls->len, ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f").books, ==, 4);
    /* A read-only handle cannot resize; another node's handle is no
     * handle at all. */
    g_assert_cmpint(fam_lib_resize(t->lib, &n3, NULL, h3, 8 * BS, &a), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_resize(t->lib, &n3, NULL, h1, 8 * BS, &a), ==,
                    -EBADF);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n3, h3), ==, 0);
    /* Another process of the same node counts as someone else too. */
    g_assert_cmpint(fam_lib_resize(t->lib, &n1other, "/f", 0, BS, &a), ==,
                    -EBUSY);
    /* Growing within the last book needs no new book. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_resize(t->lib, &n1other, "/f", 0, 4 * BS - 1, &a),
                    ==, 0);
    g_assert_cmpuint(t->calls->len, ==, 0);
    /* The only opener shrinks: its own node loses the freed books. */
    g_assert_cmpint(fam_lib_resize(t->lib, &n1, NULL, h1, BS + 1, &a), ==, 0);
    g_assert_cmpuint(a.books, ==, 2);
    g_assert_cmpuint(t->calls->len, ==, 1);
    lt_expect_call(t, 0, false, 1, 2 * BS, 2 * BS, false);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 30);
    lt_free(t);
}

static void test_busy(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n4 = lt_user(4, 0, 0, 40);
    uint64_t h;

    make_file(t, "/f", 1);
    make_file(t, "/g", 1);
    h = open_as(t, &n4, "/f", FAM_LIB_OPEN_READ);
    /* Open anywhere, even by the caller: not destroyed. */
    g_assert_cmpint(fam_lib_unlink(t->lib, &n4, "/f"), ==, -EBUSY);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/f"), ==, -EBUSY);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g", "/f", 0), ==, -EBUSY);
    /* Renaming an open shelf is fine: handles follow the shelf. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/f2", 0), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f2").opens, ==, 1);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n4, h), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/f2"), ==, 0);
    lt_free(t);
}

static void test_open_errors(void)
{
    LibTest *t = lt_grid();
    uint64_t h;
    struct fam_lib_attr a;

    lt_create(t, &root, "/f", 0644);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "/f", NULL), ==, 0);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/f", 0, &h, &a), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/f", 4, &h, &a), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/", FAM_LIB_OPEN_READ,
                                       &h, &a), ==, -EISDIR);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/ln",
                                       FAM_LIB_OPEN_READ, &h, &a), ==, -ELOOP);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/none",
                                       FAM_LIB_OPEN_READ, &h, &a), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "none",
                                       FAM_LIB_OPEN_READ, &h, &a), ==,
                    -EINVAL);
    lt_free(t);
}

static bool take_opened(void *opaque, const struct fam_lib_opened *o)
{
    GArray *a = opaque;

    if (a->len % 2 == 1 && g_array_index(a, struct fam_lib_opened,
                                         a->len - 1).pid != UINT32_MAX) {
        struct fam_lib_opened mark = { .pid = UINT32_MAX };

        g_array_append_val(a, mark);
        return false;
    }
    g_array_append_val(a, *o);
    return true;
}

static void test_drop_and_list(void)
{
    LibTest *t = lt_grid();
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_opened));
    FamLibCaller n5 = lt_user(5, 0, 0, 50);
    FamLibCaller n6 = lt_user(6, 0, 0, 60);
    uint64_t cursor = 0, next;
    bool done = false;
    unsigned found = 0;

    make_file(t, "/f", 2);
    make_file(t, "/g", 1);      /* book 2 */
    open_as(t, &n5, "/f", FAM_LIB_OPEN_READ);
    open_as(t, &n5, "/f", FAM_LIB_OPEN_WRITE);
    open_as(t, &n5, "/g", FAM_LIB_OPEN_READ);
    open_as(t, &n6, "/f", FAM_LIB_OPEN_READ);
    open_as(t, &root, "/g", FAM_LIB_OPEN_READ);

    while (!done) {
        g_assert_cmpint(fam_lib_list_opens(t->lib, cursor, take_opened, a,
                                           &next, &done), ==, 0);
        cursor = next;
    }
    for (guint i = 0; i < a->len; i++) {
        const struct fam_lib_opened *o = &g_array_index(
            a, struct fam_lib_opened, i);

        if (o->pid == UINT32_MAX) {
            continue;
        }
        found++;
        g_assert_true(o->node == 5 || o->node == 6 ||
                      o->node == FAM_LIB_NODE_HOST);
        g_assert_cmpuint(o->flags & ~3u, ==, 0);
    }
    g_assert_cmpuint(found, ==, 5);

    /* Node 5 rebooted: its three handles go, and its access. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_drop_opens(t->lib, 5), ==, 3);
    g_assert_cmpuint(t->calls->len, ==, 2);
    for (guint i = 0; i < 2; i++) {
        const HookCall *c = &g_array_index(t->calls, HookCall, i);

        g_assert_false(c->grant);
        g_assert_cmpuint(c->node, ==, 5);
        g_assert_true((c->offset == 0 && c->len == 2 * BS) ||
                      (c->offset == 2 * BS && c->len == BS));
    }
    g_assert_cmpuint(lt_stat(t, &root, "/f").opens, ==, 1);
    /* The cluster restarted: everything goes; the host gets no hooks. */
    lt_calls_clear(t);
    g_assert_cmpint(fam_lib_drop_opens(t->lib, FAM_LIB_NODE_HOST), ==, 2);
    g_assert_cmpuint(t->calls->len, ==, 1);
    lt_expect_call(t, 0, false, 6, 0, 2 * BS, false);
    g_assert_cmpint(fam_lib_drop_opens(t->lib, FAM_LIB_NODE_HOST), ==, 0);
    g_assert_cmpint(fam_lib_drop_opens(t->lib, 8), ==, -EINVAL);
    g_array_free(a, TRUE);
    lt_free(t);
}

static bool take_book(void *opaque, const struct fam_lib_book *b)
{
    g_array_append_val((GArray *)opaque, *b);
    return true;
}

static void test_shelf_books_by_handle(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n0 = lt_user(0, 0, 0, 1);
    FamLibCaller n1 = lt_user(1, 0, 0, 1);
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_book));
    uint64_t h, next;
    bool done;

    make_file(t, "/f", 3);
    h = open_as(t, &n0, "/f", FAM_LIB_OPEN_READ);
    g_assert_cmpint(fam_lib_shelf_books(t->lib, &n0, NULL, h, 1, take_book, a,
                                        &next, &done), ==, 0);
    g_assert_true(done);
    g_assert_cmpuint(next, ==, 3);
    g_assert_cmpuint(a->len, ==, 2);
    g_assert_cmpuint(g_array_index(a, struct fam_lib_book, 0).book, ==, 1);
    g_assert_cmpuint(g_array_index(a, struct fam_lib_book, 1).book, ==, 2);
    g_assert_cmpint(fam_lib_shelf_books(t->lib, &n1, NULL, h, 0, take_book, a,
                                        &next, &done), ==, -EBADF);
    g_assert_cmpint(fam_lib_shelf_books(t->lib, &n0, NULL, h, 0, NULL, a,
                                        &next, &done), ==, -EINVAL);
    lt_free(t);
    g_array_free(a, TRUE);
}

/* FSTAT by handle: the flags it was opened with, its shelf's attributes. */
static void test_fstat(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n0 = lt_user(0, 0, 0, 1);
    FamLibCaller n0b = lt_user(0, 1000, 1000, 2);
    FamLibCaller n1 = lt_user(1, 0, 0, 1);
    struct fam_lib_fstat f;
    uint64_t hr, hw;

    make_file(t, "/f", 3);
    hr = open_as(t, &n0, "/f", FAM_LIB_OPEN_READ);
    hw = open_as(t, &n0, "/f", FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, hr, &f), ==, 0);
    g_assert_cmpuint(f.handle, ==, hr);
    g_assert_cmpuint(f.flags, ==, FAM_LIB_OPEN_READ);
    g_assert_cmpuint(f.node, ==, 0);
    g_assert_cmpuint(f.attr.id, ==, lt_stat(t, &root, "/f").id);
    g_assert_cmpuint(f.attr.size, ==, 3 * BS);
    g_assert_cmpuint(f.attr.books, ==, 3);
    g_assert_cmpuint(f.attr.opens, ==, 2);
    /* Any process of the node may ask (the driver asks for others) */
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0b, hw, &f), ==, 0);
    g_assert_cmpuint(f.flags, ==, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE);
    /* It follows a resize */
    lt_resize(t, &root, "/f", 5 * BS - 1, 0);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, hw, &f), ==, 0);
    g_assert_cmpuint(f.attr.size, ==, 5 * BS - 1);
    g_assert_cmpuint(f.attr.books, ==, 5);
    /* Another node's, a closed one, none */
    g_assert_cmpint(fam_lib_fstat(t->lib, &n1, hr, &f), ==, -EBADF);
    g_assert_cmpint(fam_lib_close_shelf(t->lib, &n0, hr), ==, 0);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, hr, &f), ==, -EBADF);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, 0, &f), ==, -EBADF);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, UINT64_MAX, &f), ==, -EBADF);
    g_assert_cmpint(fam_lib_fstat(t->lib, &n0, hw + 1000, &f), ==, -EBADF);
    lt_free(t);
}

static void test_heartbeat(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n3 = lt_user(3, 1000, 1000, 5);
    struct fam_lib_node_status s = { 12, 34, 56, 0, 1000, 2000 };

    g_assert_cmpint(fam_lib_heartbeat(t->lib, &n3, &s), ==, 0);
    g_assert_cmpint(lt_sql_int(t, "SELECT mem_percent FROM nodes"
                               " WHERE node = 3"), ==, 34);
    s.mem_percent = 35;
    g_assert_cmpint(fam_lib_heartbeat(t->lib, &n3, &s), ==, 0);
    g_assert_cmpint(lt_sql_int(t, "SELECT mem_percent FROM nodes"
                               " WHERE node = 3"), ==, 35);
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM nodes"), ==, 1);
    g_assert_cmpint(fam_lib_heartbeat(t->lib, &root, &s), ==, -EINVAL);
    g_assert_cmpint(fam_lib_heartbeat(t->lib, &n3, NULL), ==, -EINVAL);
    s.cpu_percent = 101;
    g_assert_cmpint(fam_lib_heartbeat(t->lib, &n3, &s), ==, -EINVAL);
    lt_free(t);
}

typedef struct Oob {
    GPtrArray *msgs;
    uint64_t first_id;
    int left;
} Oob;

static bool take_oob(void *opaque, uint64_t id, uint32_t node,
                     const void *msg, size_t len)
{
    Oob *o = opaque;

    if (o->left == 0) {
        return false;
    }
    o->left--;
    if (o->msgs->len == 0) {
        o->first_id = id;
    }
    g_ptr_array_add(o->msgs, g_strdup_printf("%u:%.*s", node, (int)len,
                                             (const char *)msg));
    return true;
}

static void test_oob(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n1 = lt_user(1, 0, 0, 1);
    FamLibCaller n2 = lt_user(2, 0, 0, 1);
    Oob o = { g_ptr_array_new_with_free_func(g_free), 0, 100 };
    uint64_t next, cursor;
    bool done;
    char big[257];

    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, "hello", 5), ==, 0);
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n2, "world", 5), ==, 0);
    g_assert_cmpint(fam_lib_oob_recv(t->lib, 0, take_oob, &o, &next, &done),
                    ==, 0);
    g_assert_true(done);
    g_assert_cmpuint(o.msgs->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(o.msgs, 0), ==, "1:hello");
    g_assert_cmpstr(g_ptr_array_index(o.msgs, 1), ==, "2:world");
    /* Polling from `next` gives only what came since. */
    cursor = next;
    g_ptr_array_set_size(o.msgs, 0);
    g_assert_cmpint(fam_lib_oob_recv(t->lib, cursor, take_oob, &o, &next,
                                     &done), ==, 0);
    g_assert_cmpuint(o.msgs->len, ==, 0);
    g_assert_cmpuint(next, ==, cursor);
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, "again", 5), ==, 0);
    g_assert_cmpint(fam_lib_oob_recv(t->lib, cursor, take_oob, &o, &next,
                                     &done), ==, 0);
    g_assert_cmpuint(o.msgs->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(o.msgs, 0), ==, "1:again");

    /* Only the last 1000 are kept. */
    for (int i = 0; i < 1100; i++) {
        g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, "m", 1), ==, 0);
    }
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM oob"), ==, 1000);
    g_ptr_array_set_size(o.msgs, 0);
    o.left = 10;
    g_assert_cmpint(fam_lib_oob_recv(t->lib, 0, take_oob, &o, &next, &done),
                    ==, 0);
    g_assert_false(done);
    g_assert_cmpuint(o.first_id, ==, 1103 - 999);
    g_assert_cmpuint(next, ==, o.first_id + 10);

    memset(big, 'b', sizeof(big));
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, big, 256), ==, 0);
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, big, 257), ==, -E2BIG);
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, big, 0), ==, -EINVAL);
    g_assert_cmpint(fam_lib_oob_send(t->lib, &n1, NULL, 3), ==, -EINVAL);
    g_ptr_array_free(o.msgs, TRUE);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/open/grants", test_open_close_grants);
    g_test_add_func("/lib-core/open/ranges", test_ranges);
    g_test_add_func("/lib-core/open/resize-grants", test_resize_grants);
    g_test_add_func("/lib-core/open/busy", test_busy);
    g_test_add_func("/lib-core/open/errors", test_open_errors);
    g_test_add_func("/lib-core/open/drop-and-list", test_drop_and_list);
    g_test_add_func("/lib-core/open/shelf-books-by-handle",
                    test_shelf_books_by_handle);
    g_test_add_func("/lib-core/open/fstat", test_fstat);
    g_test_add_func("/lib-core/node/heartbeat", test_heartbeat);
    g_test_add_func("/lib-core/node/oob", test_oob);
    return g_test_run();
}
