/*
 * Unit tests of the Librarian core's books: every allocation policy
 * chosen through user.LFS.AllocationPolicy landing on the expected
 * modules, the default policy and its persistence, ENOSPC with nothing
 * allocated, resizing, zeroing of freed books (and of a shrunk book's
 * tail), crash recovery of ZOMBIE books, modules going offline, book
 * lists and their cursors, and the shipped models.
 */
#include "lib-test.h"

static FamLibCaller root;

/*
 * In the grid (lib-test.h) module m = IG m holds books 4m .. 4m+3, and
 * node 0 sees: module 0 local, 1 in its enclosure, 2 and 3 in its rack,
 * 4..7 remote.
 */
static void expect_modules(LibTest *t, const char *path,
                           const uint32_t *modules, size_t n)
{
    size_t got;
    struct fam_lib_book *b = lt_books(t, &root, path, &got);

    g_assert_cmpuint(got, ==, n);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(b[i].module, ==, modules[i]);
        g_assert_cmpuint(b[i].state, ==, FAM_LIB_BOOK_INUSE);
        g_assert_cmpuint(b[i].book / 4, ==, modules[i]);
    }
    g_free(b);
}

static void expect_books(LibTest *t, const char *path, const uint64_t *books,
                         size_t n)
{
    size_t got;
    struct fam_lib_book *b = lt_books(t, &root, path, &got);

    g_assert_cmpuint(got, ==, n);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(b[i].book, ==, books[i]);
    }
    g_free(b);
}

typedef struct PolicyCase {
    const char *policy;
    size_t n;
    uint32_t modules[8];
} PolicyCase;

/* From node 0, 6 books each, in a fresh grid. */
static void test_policies(void)
{
    static const PolicyCase cases[] = {
        { "LocalNode", 4, { 0, 0, 0, 0 } },
        { "LocalEnc", 6, { 0, 0, 0, 0, 1, 1 } },
        { "NonLocal_Enc", 3, { 1, 1, 1 } },
        { "Nearest", 6, { 0, 0, 0, 0, 1, 1 } },
        { "NearestRemote", 6, { 1, 1, 1, 1, 2, 2 } },
        { "NearestEnc", 6, { 0, 0, 0, 0, 1, 1 } },
        { "NearestRack", 6, { 2, 2, 2, 2, 3, 3 } },
        { "LZAascending", 6, { 0, 0, 0, 0, 1, 1 } },
        { "LZAdescending", 6, { 7, 7, 7, 7, 6, 6 } },
    };
    FamLibCaller n0 = lt_user(0, 0, 0, 1);
    FamLibCaller n5 = lt_user(5, 0, 0, 1);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        LibTest *t = lt_grid();

        lt_create(t, &n0, "/f", 0644);
        lt_set_policy(t, &n0, "/f", cases[i].policy);
        lt_resize(t, &n0, "/f", cases[i].n * 2 * MiB, 0);
        expect_modules(t, "/f", cases[i].modules, cases[i].n);
        lt_free(t);
    }

    /* Locality is the allocating node's: node 5's module is 5, and
     * node 4 shares its enclosure. */
    {
        LibTest *t = lt_grid();
        static const uint32_t m5[] = { 5, 5, 5, 5, 4, 4 };
        static const uint64_t lza[] = { 31, 30, 29, 28, 27 };

        lt_create(t, &n0, "/f", 0644);
        lt_set_policy(t, &n0, "/f", "Nearest");
        lt_resize(t, &n5, "/f", 2 * MiB, 0);
        lt_resize(t, &n5, "/f", 6 * 2 * MiB, 0);
        expect_modules(t, "/f", m5, 6);
        /* The host has no locality. */
        lt_create(t, &root, "/h", 0644);
        lt_set_policy(t, &root, "/h", "LocalNode");
        lt_resize(t, &root, "/h", MiB, -EINVAL);
        lt_set_policy(t, &root, "/h", "LZAdescending");
        lt_resize(t, &root, "/h", 5 * 2 * MiB, 0);
        expect_books(t, "/h", lza, 5);
        lt_free(t);
    }
}

static void test_request_ig(void)
{
    LibTest *t = lt_grid();
    static const uint8_t req[] = { 5, 7, 5 };
    static const uint32_t first[] = { 5, 7, 5, 5 };
    static const uint32_t then[] = { 5, 7, 5, 5, 7, 5 };
    char pos[8];

    lt_create(t, &root, "/f", 0644);
    lt_set_policy(t, &root, "/f", "RequestIG");
    /* No request yet: nothing to follow. */
    lt_resize(t, &root, "/f", MiB, -EINVAL);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/f",
                                     "user.LFS.InterleaveRequest", req,
                                     sizeof(req), 0), ==, 0);
    lt_resize(t, &root, "/f", 4 * 2 * MiB, 0);
    expect_modules(t, "/f", first, 4);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &root, "/f",
                                     "user.LFS.InterleaveRequestPos", pos,
                                     sizeof(pos)), ==, 1);
    g_assert_cmpmem(pos, 1, "1", 1);
    /* It goes on where it stopped. */
    lt_resize(t, &root, "/f", 6 * 2 * MiB, 0);
    expect_modules(t, "/f", then, 6);
    /* IG 5 has 4 books: a request it cannot honour is refused whole. */
    lt_resize(t, &root, "/f", 9 * 2 * MiB, -ENOSPC);
    g_assert_cmpuint(lt_stat(t, &root, "/f").books, ==, 6);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, 6);
    lt_free(t);
}

static void test_enospc(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n0 = lt_user(0, 0, 0, 1);

    lt_create(t, &n0, "/f", 0644);
    lt_set_policy(t, &n0, "/f", "LocalNode");
    lt_resize(t, &n0, "/f", 3 * MiB, 0);
    /* 5 local books do not exist: nothing at all is allocated. */
    lt_resize(t, &n0, "/f", 10 * MiB, -ENOSPC);
    g_assert_cmpuint(lt_stat(t, &root, "/f").size, ==, 3 * MiB);
    g_assert_cmpuint(lt_stat(t, &root, "/f").books, ==, 2);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 30);

    lt_create(t, &root, "/g", 0644);
    lt_resize(t, &root, "/g", 31 * 2 * MiB, -ENOSPC);
    lt_resize(t, &root, "/g", UINT64_MAX, -ENOSPC);
    lt_resize(t, &root, "/g", INT64_MAX, -ENOSPC);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 30);
    lt_resize(t, &root, "/g", 30 * 2 * MiB, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 0);
    lt_resize(t, &root, "/g", 30 * 2 * MiB + 1, -ENOSPC);
    lt_free(t);
}

static void test_resize(void)
{
    LibTest *t = lt_grid();
    static const uint64_t five[] = { 0, 1, 2, 3, 4 };
    struct fam_lib_attr a;

    lt_create(t, &root, "/f", 0644);
    lt_set_policy(t, &root, "/f", "LZAascending");
    lt_resize(t, &root, "/f", 1, 0);
    lt_resize(t, &root, "/f", 2 * MiB, 0);
    lt_resize(t, &root, "/f", 2 * MiB + 1, 0);
    lt_resize(t, &root, "/f", 10 * MiB, 0);
    expect_books(t, "/f", five, 5);
    /* Shrinking frees from the end. */
    lt_resize(t, &root, "/f", 5 * MiB, 0);
    expect_books(t, "/f", five, 3);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 29);
    lt_resize(t, &root, "/f", 0, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    g_assert_cmpint(fam_lib_resize(t->lib, &root, "/", 0, 1, &a), ==,
                    -EISDIR);
    g_assert_cmpint(fam_lib_resize(t->lib, &root, "/none", 0, 1, &a), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_resize(t->lib, &root, NULL, 12345, 1, &a), ==,
                    -EBADF);
    lt_free(t);
}

static void test_default_policy(void)
{
    LibTest *t = lt_grid();
    static const uint64_t desc[] = { 31, 30 };
    static const uint64_t asc[] = { 0, 1 };
    char buf[64];

    lt_create(t, &root, "/before", 0644);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/",
                                     "user.LFS.AllocationPolicyDefault",
                                     "LZAdescending", 13, 0), ==, 0);
    lt_reopen(t);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &root, "/before",
                                     "user.LFS.AllocationPolicyDefault", buf,
                                     sizeof(buf)), ==, 13);
    g_assert_cmpmem(buf, 13, "LZAdescending", 13);
    /* New shelves take the default current at their creation. */
    lt_create(t, &root, "/after", 0644);
    lt_resize(t, &root, "/after", 4 * MiB, 0);
    expect_books(t, "/after", desc, 2);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &root, "/before",
                                     "user.LFS.AllocationPolicy", buf,
                                     sizeof(buf)), ==, 11);
    g_assert_cmpmem(buf, 11, "RandomBooks", 11);

    /* A directory's policy goes to what is created in it. */
    lt_mkdir(t, &root, "/asc", 0755);
    lt_set_policy(t, &root, "/asc", "LZAascending");
    lt_create(t, &root, "/asc/f", 0644);
    lt_resize(t, &root, "/asc/f", 4 * MiB, 0);
    expect_books(t, "/asc/f", asc, 2);
    lt_free(t);
}

static void test_random(void)
{
    LibTest *a = lt_grid(), *b = lt_grid();
    bool all_ascending = true;
    size_t na, nb;
    struct fam_lib_book *ba, *bb;
    GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);

    /* Same seed, same books. */
    lt_create(a, &root, "/f", 0644);
    lt_create(b, &root, "/f", 0644);
    lt_resize(a, &root, "/f", 16 * MiB, 0);
    lt_resize(b, &root, "/f", 16 * MiB, 0);
    ba = lt_books(a, &root, "/f", &na);
    bb = lt_books(b, &root, "/f", &nb);
    g_assert_cmpuint(na, ==, 8);
    g_assert_cmpmem(ba, na * sizeof(*ba), bb, nb * sizeof(*bb));
    for (size_t i = 0; i < na; i++) {
        g_assert_false(g_hash_table_contains(seen, &ba[i].book));
        g_hash_table_add(seen, &ba[i].book);
        all_ascending &= ba[i].book == i;
    }
    g_assert_false(all_ascending);
    /* Nearly full: the last free books are found all the same. */
    lt_create(a, &root, "/g", 0644);
    lt_resize(a, &root, "/g", 22 * 2 * MiB, 0);
    lt_create(a, &root, "/h", 0644);
    lt_resize(a, &root, "/h", 2 * 2 * MiB, 0);
    g_assert_cmpuint(lt_count_state(a, FAM_LIB_BOOK_FREE), ==, 0);
    g_hash_table_destroy(seen);
    g_free(ba);
    g_free(bb);
    lt_free(a);
    lt_free(b);
}

/* Freed books are zeroed before anyone gets them again. */
static void test_zeroing(void)
{
    LibTest *t = lt_grid();
    static const uint64_t three[] = { 0, 1, 2 };
    uint64_t bs = 2 * MiB;

    lt_create(t, &root, "/secret", 0644);
    lt_set_policy(t, &root, "/secret", "LZAascending");
    lt_resize(t, &root, "/secret", 3 * bs, 0);
    expect_books(t, "/secret", three, 3);
    for (int b = 0; b < 3; b++) {
        lt_fill_book(t, (uint64_t)b, 0xab);
    }
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/secret"), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    lt_create(t, &root, "/next", 0644);
    lt_set_policy(t, &root, "/next", "LZAascending");
    lt_resize(t, &root, "/next", 3 * bs, 0);
    expect_books(t, "/next", three, 3);
    for (int b = 0; b < 3; b++) {
        g_assert_true(lt_book_is(t, (uint64_t)b, 0));
    }

    /* Shrinking: the freed books, and the kept book's tail. */
    for (int b = 0; b < 3; b++) {
        lt_fill_book(t, (uint64_t)b, 0xcd);
    }
    lt_resize(t, &root, "/next", bs + bs / 2, 0);
    g_assert_true(lt_book_is(t, 0, 0xcd));
    g_assert_true(t->pool[bs + bs / 2 - 1] == 0xcd);
    g_assert_true(t->pool[bs + bs / 2] == 0);
    g_assert_true(t->pool[2 * bs - 1] == 0);
    g_assert_true(lt_book_is(t, 2, 0));
    /* Growing again reads zeros past the old end. */
    lt_resize(t, &root, "/next", 2 * bs, 0);
    g_assert_true(t->pool[bs + bs / 2] == 0);
    lt_free(t);
}

/* Without the pool books stay ZOMBIE; the next Librarian with the pool
 * zeroes them, as after a crash. */
static void test_zombies_without_pool(void)
{
    LibTest *t = lt_grid();
    char *err = NULL;
    FamLib *offline;

    lt_create(t, &root, "/f", 0644);
    lt_set_policy(t, &root, "/f", "LZAascending");
    lt_resize(t, &root, "/f", 4 * MiB, 0);
    lt_fill_book(t, 0, 0x11);
    lt_fill_book(t, 1, 0x22);
    fam_lib_close(t->lib);

    offline = lt_try_open(t, t->model, NULL, &err);
    g_assert_nonnull(offline);
    t->lib = offline;
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/f"), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 2);
    g_assert_cmpint(fam_lib_zero_zombies(t->lib), ==, -ENODEV);
    g_assert_true(lt_book_is(t, 0, 0x11));

    lt_reopen(t);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    g_assert_true(lt_book_is(t, 0, 0));
    g_assert_true(lt_book_is(t, 1, 0));
    lt_free(t);
}

/* A ZOMBIE left in the database (a crash between the two transactions
 * of a free) is zeroed and freed by the next open. */
static void test_crash_recovery(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_book b;

    lt_fill_book(t, 7, 0x77);
    lt_fill_book(t, 9, 0x99);
    lt_sql(t, "UPDATE books SET state = %d WHERE id IN (7, 9)",
           FAM_LIB_BOOK_ZOMBIE);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 2);
    fam_lib_close(t->lib);
    lt_open(t);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 0);
    g_assert_true(lt_book_is(t, 7, 0));
    g_assert_true(lt_book_is(t, 9, 0));
    g_assert_cmpint(fam_lib_book_info(t->lib, 7, &b), ==, 0);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_FREE);

    /* And fam_lib_zero_zombies() does the same while running. */
    lt_fill_book(t, 3, 0x33);
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 3",
           FAM_LIB_BOOK_ZOMBIE);
    g_assert_cmpint(fam_lib_zero_zombies(t->lib), ==, 1);
    g_assert_true(lt_book_is(t, 3, 0));
    g_assert_cmpint(fam_lib_zero_zombies(t->lib), ==, 0);
    lt_free(t);
}

static void test_module_offline(void)
{
    LibTest *t = lt_grid();
    FamLibCaller n3 = lt_user(3, 0, 0, 1);
    struct fam_lib_book b;

    lt_create(t, &n3, "/f", 0644);
    lt_set_policy(t, &n3, "/f", "LocalNode");
    lt_resize(t, &n3, "/f", 2 * MiB, 0);          /* book 12 */
    g_assert_cmpint(fam_lib_module_status(t->lib, &root, 3, true), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_OFFLINE), ==, 3);
    g_assert_cmpint(fam_lib_book_info(t->lib, 12, &b), ==, 0);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_INUSE);
    lt_resize(t, &n3, "/f", 4 * MiB, -ENOSPC);
    /* A book freed on an offline module goes OFFLINE (zeroed first). */
    lt_fill_book(t, 12, 0x12);
    lt_resize(t, &n3, "/f", 0, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_OFFLINE), ==, 4);
    g_assert_true(lt_book_is(t, 12, 0));
    /* Back online: wiped and free again. */
    lt_fill_book(t, 13, 0x13);
    g_assert_cmpint(fam_lib_module_status(t->lib, &root, 3, false), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_OFFLINE), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    g_assert_true(lt_book_is(t, 13, 0));
    lt_resize(t, &n3, "/f", 8 * MiB, 0);
    lt_free(t);
}

static bool take_book(void *opaque, const struct fam_lib_book *b)
{
    GArray *a = opaque;

    if (a->len > 0 && a->len % 5 == 0 &&
        g_array_index(a, struct fam_lib_book, a->len - 1).shelf != 1234) {
        /* Refuse once every 5 books: a full page. */
        struct fam_lib_book mark = { .shelf = 1234 };

        g_array_append_val(a, mark);
        return false;
    }
    g_array_append_val(a, *b);
    return true;
}

static void test_book_lists(void)
{
    LibTest *t = lt_grid();
    GArray *a = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_book));
    struct fam_lib_book b;
    uint64_t cursor = 0, next, expect = 0;
    bool done = false;

    lt_create(t, &root, "/f", 0644);
    lt_set_policy(t, &root, "/f", "LZAdescending");
    lt_resize(t, &root, "/f", 4 * MiB, 0);
    g_assert_cmpint(fam_lib_book_info(t->lib, 31, &b), ==, 0);
    g_assert_cmpuint(b.book, ==, 31);
    g_assert_cmpuint(b.module, ==, 7);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_INUSE);
    g_assert_cmpuint(b.shelf, ==, lt_stat(t, &root, "/f").id);
    g_assert_cmpint(fam_lib_book_info(t->lib, 0, &b), ==, 0);
    g_assert_cmpuint(b.shelf, ==, 0);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_FREE);
    g_assert_cmpint(fam_lib_book_info(t->lib, 32, &b), ==, -EINVAL);

    while (!done) {
        g_assert_cmpint(fam_lib_list_books(t->lib, UINT32_MAX, cursor,
                                           take_book, a, &next, &done), ==,
                        0);
        cursor = next;
    }
    for (guint i = 0; i < a->len; i++) {
        const struct fam_lib_book *x = &g_array_index(a, struct fam_lib_book,
                                                      i);
        if (x->shelf == 1234) {
            continue;
        }
        g_assert_cmpuint(x->book, ==, expect);
        g_assert_cmpuint(x->module, ==, expect / 4);
        expect++;
    }
    g_assert_cmpuint(expect, ==, 32);

    g_array_set_size(a, 0);
    g_assert_cmpint(fam_lib_list_books(t->lib, 6, 0, take_book, a, &next,
                                       &done), ==, 0);
    g_assert_true(done);
    g_assert_cmpuint(a->len, ==, 4);
    g_assert_cmpuint(g_array_index(a, struct fam_lib_book, 0).book, ==, 24);
    g_assert_cmpuint(g_array_index(a, struct fam_lib_book, 3).book, ==, 27);
    g_assert_cmpint(fam_lib_list_books(t->lib, 8, 0, take_book, a, &next,
                                       &done), ==, -EINVAL);
    g_array_free(a, TRUE);
    lt_free(t);
}

/* The shipped models, with 2 MiB books. */
static void test_tm2016(void)
{
    /* 4 nodes x 4 modules, 8 books a module. */
    LibTest *t = lt_shipped("tm-2016", 4, 256 * MiB);
    FamLibCaller n1 = lt_user(1, 0, 0, 1);
    struct fam_lib_statfs s;
    size_t n;
    struct fam_lib_book *b;

    g_assert_cmpint(fam_lib_statfs(t->lib, &s), ==, 0);
    g_assert_cmpstr(s.model, ==, "tm-2016");
    g_assert_cmpuint(s.modules, ==, 16);
    g_assert_cmpuint(s.books_total, ==, 128);
    lt_create(t, &n1, "/f", 0644);
    lt_set_policy(t, &n1, "/f", "LocalNode");
    lt_resize(t, &n1, "/f", 20 * MiB, 0);
    b = lt_books(t, &root, "/f", &n);
    g_assert_cmpuint(n, ==, 10);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpuint(b[i].module, >=, 4);
        g_assert_cmpuint(b[i].module, <=, 7);
    }
    g_free(b);
    lt_resize(t, &n1, "/f", 33 * 2 * MiB, -ENOSPC);
    lt_free(t);
}

static bool take_all(void *opaque, const struct fam_lib_book *b)
{
    g_array_append_val((GArray *)opaque, *b);
    return true;
}

static void test_cxl(void)
{
    /* One interleave set of 8 modules: one IG. */
    LibTest *t = lt_shipped("cxl-switched", 4, 64 * MiB);
    FamLibCaller n2 = lt_user(2, 0, 0, 1);
    uint8_t ig[32];

    lt_create(t, &n2, "/f", 0644);
    lt_set_policy(t, &n2, "/f", "Nearest");
    lt_resize(t, &n2, "/f", 10 * MiB, 0);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &n2, "/f", "user.LFS.Interleave",
                                     ig, sizeof(ig)), ==, 5);
    for (int i = 0; i < 5; i++) {
        g_assert_cmpuint(ig[i], ==, 0);
    }
    lt_set_policy(t, &n2, "/f", "LocalNode");
    lt_resize(t, &n2, "/f", 12 * MiB, -ENOSPC);
    /* Every book is striped over all 8 modules: each module lists all. */
    {
        GArray *a = g_array_new(FALSE, FALSE, sizeof(struct fam_lib_book));
        uint64_t next;
        bool done;

        g_assert_cmpint(fam_lib_list_books(t->lib, 3, 0, take_all, a, &next,
                                           &done), ==, 0);
        g_assert_true(done);
        g_assert_cmpuint(a->len, ==, 32);
        g_assert_cmpuint(g_array_index(a, struct fam_lib_book, 0).module, ==,
                         0);
        g_array_free(a, TRUE);
    }
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/books/policies", test_policies);
    g_test_add_func("/lib-core/books/request-ig", test_request_ig);
    g_test_add_func("/lib-core/books/enospc", test_enospc);
    g_test_add_func("/lib-core/books/resize", test_resize);
    g_test_add_func("/lib-core/books/default-policy", test_default_policy);
    g_test_add_func("/lib-core/books/random", test_random);
    g_test_add_func("/lib-core/books/zeroing", test_zeroing);
    g_test_add_func("/lib-core/books/zombies-without-pool",
                    test_zombies_without_pool);
    g_test_add_func("/lib-core/books/crash-recovery", test_crash_recovery);
    g_test_add_func("/lib-core/books/module-offline", test_module_offline);
    g_test_add_func("/lib-core/books/lists", test_book_lists);
    g_test_add_func("/lib-core/books/tm-2016", test_tm2016);
    g_test_add_func("/lib-core/books/cxl-switched", test_cxl);
    return g_test_run();
}
