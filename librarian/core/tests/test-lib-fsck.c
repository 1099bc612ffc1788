/*
 * Unit tests of fsck: a clean database is clean; each class of damage,
 * injected with raw SQL next to a running FamLib, is found (without
 * repair nothing changes), repaired, and a second pass finds nothing.
 */
#include "lib-test.h"

static FamLibCaller root;

#define BS (2 * MiB)

/*
 * /a: 3 books (0, 1, 2), with an xattr; /d/b: 2 books (3, 4);
 * /d/e: an empty directory; /ln: a symlink.
 */
static LibTest *setup(void)
{
    LibTest *t = lt_grid();
    FamLibFsckReport r;

    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/",
                                     "user.LFS.AllocationPolicyDefault",
                                     "LZAascending", 12, 0), ==, 0);
    lt_create(t, &root, "/a", 0644);
    lt_resize(t, &root, "/a", 3 * BS, 0);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/a", "user.k", "v", 1,
                                     0), ==, 0);
    lt_mkdir(t, &root, "/d", 0755);
    lt_create(t, &root, "/d/b", 0644);
    lt_resize(t, &root, "/d/b", 2 * BS - 5, 0);
    lt_mkdir(t, &root, "/d/e", 0755);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "/a", NULL), ==, 0);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    return t;
}

static int64_t id_of(LibTest *t, const char *path)
{
    return (int64_t)lt_stat(t, &root, path).id;
}

/* Found without repair (nothing changes), repaired, then clean. */
static FamLibFsckReport check_and_repair(LibTest *t, int min_found)
{
    FamLibFsckReport r, r2, again;
    int found;

    found = fam_lib_fsck(t->lib, false, &r);
    g_assert_cmpint(found, >=, min_found);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r2), ==, found);
    g_assert_cmpmem(&r, sizeof(r), &r2, sizeof(r2));
    g_assert_cmpint(fam_lib_fsck(t->lib, true, &r2), >=, min_found);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &again), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 0);
    return r;
}

static void test_clean(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;

    memset(&r, 0xff, sizeof(r));
    g_assert_cmpint(fam_lib_fsck(t->lib, true, &r), ==, 0);
    g_assert_cmpuint(r.leaked_books + r.double_books + r.bad_free_books +
                     r.zombie_books + r.stale_opens + r.orphan_xattrs +
                     r.orphan_shelves + r.bad_sizes + r.unfinished_deletes,
                     ==, 0);
    lt_free(t);
}

static void test_leaked(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;
    struct fam_lib_book b;

    lt_fill_book(t, 20, 0x20);
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 20",
           FAM_LIB_BOOK_INUSE);
    lt_sql(t, "UPDATE books SET state = %d, shelf = 999, seq = 0"
           " WHERE id = 21", FAM_LIB_BOOK_INUSE);
    lt_sql(t, "UPDATE books SET state = %d, shelf = %" PRId64 ", seq = 0"
           " WHERE id = 22", FAM_LIB_BOOK_INUSE, id_of(t, "/d"));
    r = check_and_repair(t, 3);
    g_assert_cmpuint(r.leaked_books, ==, 3);
    g_assert_cmpint(fam_lib_book_info(t->lib, 20, &b), ==, 0);
    g_assert_cmpuint(b.state, ==, FAM_LIB_BOOK_FREE);
    g_assert_true(lt_book_is(t, 20, 0));
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, 5);
    lt_free(t);
}

static void test_double(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;
    size_t n;
    struct fam_lib_book *b;

    lt_sql(t, "UPDATE books SET state = %d, shelf = %" PRId64 ", seq = 1"
           " WHERE id = 25", FAM_LIB_BOOK_INUSE, id_of(t, "/a"));
    r = check_and_repair(t, 1);
    g_assert_cmpuint(r.double_books, ==, 1);
    b = lt_books(t, &root, "/a", &n);
    g_assert_cmpuint(n, ==, 3);
    g_assert_cmpuint(b[1].book, ==, 1);
    g_free(b);
    lt_free(t);
}

static void test_bad_free(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;
    size_t n;
    struct fam_lib_book *b;

    /* Book 1, in the middle of /a, marked FREE: /a loses it. */
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 1",
           FAM_LIB_BOOK_FREE);
    lt_sql(t, "UPDATE books SET state = %d, shelf = 77, seq = 4 WHERE id = 30",
           FAM_LIB_BOOK_OFFLINE);
    r = check_and_repair(t, 2);
    g_assert_cmpuint(r.bad_free_books, ==, 2);
    g_assert_cmpuint(r.bad_sizes, >=, 1);
    b = lt_books(t, &root, "/a", &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpuint(b[0].book, ==, 0);
    g_assert_cmpuint(b[1].book, ==, 2);
    g_free(b);
    g_assert_cmpuint(lt_stat(t, &root, "/a").books, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/a").size, ==, 2 * BS);
    lt_free(t);
}

static void test_zombie(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;

    lt_fill_book(t, 26, 0x26);
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 26",
           FAM_LIB_BOOK_ZOMBIE);
    r = check_and_repair(t, 1);
    g_assert_cmpuint(r.zombie_books, ==, 1);
    g_assert_true(lt_book_is(t, 26, 0));
    lt_free(t);
}

static void test_stale_opens(void)
{
    LibTest *t = setup();
    FamLibCaller n1 = lt_user(1, 0, 0, 1);
    FamLibFsckReport r;
    uint64_t h;

    g_assert_cmpint(fam_lib_open_shelf(t->lib, &n1, "/a", FAM_LIB_OPEN_READ,
                                       &h, NULL), ==, 0);
    /* A live handle is no problem until repair declares all stale. */
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    lt_sql(t, "INSERT INTO opens(shelf, node, pid, flags, opened_ns)"
           " VALUES(999, 1, 1, 1, 0), (%" PRId64 ", 50, 1, 1, 0),"
           " (%" PRId64 ", 2, 1, 1, 0)", id_of(t, "/a"), id_of(t, "/d"));
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 3);
    g_assert_cmpuint(r.stale_opens, ==, 3);
    g_assert_cmpint(fam_lib_fsck(t->lib, true, &r), ==, 4);
    g_assert_cmpuint(r.stale_opens, ==, 4);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/a").opens, ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/a"), ==, 0);
    lt_free(t);
}

static void test_orphan_xattrs(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;

    lt_sql(t, "INSERT INTO xattrs(shelf, name, value)"
           " VALUES(999, 'user.x', 'v'), (998, 'user.y', 'w')");
    r = check_and_repair(t, 2);
    g_assert_cmpuint(r.orphan_xattrs, ==, 2);
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM xattrs"), ==, 1);
    lt_free(t);
}

static void test_orphan_shelves(void)
{
    LibTest *t = setup();
    int64_t d = id_of(t, "/d");
    FamLibFsckReport r;
    char path[64];

    /* /d loses its parent: it and everything below are unreachable. */
    lt_sql(t, "UPDATE shelves SET parent = 999 WHERE id = %" PRId64, d);
    r = check_and_repair(t, 3);
    g_assert_cmpuint(r.orphan_shelves, ==, 3);
    snprintf(path, sizeof(path), "/lost+found/#%" PRId64 "/b", d);
    g_assert_cmpuint(lt_stat(t, &root, path).books, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/lost+found").nlink, ==, 3);
    lt_free(t);
}

static void test_loop(void)
{
    LibTest *t = setup();
    int64_t d = id_of(t, "/d"), e = id_of(t, "/d/e");
    FamLibFsckReport r;

    /* /d and /d/e are each other's parent. */
    lt_sql(t, "UPDATE shelves SET parent = %" PRId64 " WHERE id = %" PRId64,
           e, d);
    r = check_and_repair(t, 3);
    g_assert_cmpuint(r.orphan_shelves, >=, 3);
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 3);
    lt_free(t);
}

static void test_wrong_path(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;

    lt_sql(t, "UPDATE shelves SET path = CAST('/zzz' AS BLOB)"
           " WHERE path = CAST('/d' AS BLOB)");
    r = check_and_repair(t, 1);
    g_assert_cmpuint(r.orphan_shelves, ==, 1);
    lt_stat(t, &root, "/d/b");
    lt_stat(t, &root, "/d");
    lt_free(t);
}

static void test_bad_sizes(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;

    lt_sql(t, "UPDATE shelves SET nbooks = 7 WHERE path = CAST('/a' AS BLOB)");
    lt_sql(t, "UPDATE shelves SET size = 1 WHERE path = CAST('/d/b' AS BLOB)");
    lt_sql(t, "UPDATE shelves SET nlink = 9 WHERE id = 1");
    lt_sql(t, "UPDATE shelves SET size = 4 WHERE path = CAST('/d/e' AS BLOB)");
    lt_sql(t, "UPDATE book_counts SET count = count + 3"
           " WHERE ig = 2 AND state = %d", FAM_LIB_BOOK_FREE);
    lt_sql(t, "UPDATE books SET seq = seq + 5 WHERE id = 2");
    r = check_and_repair(t, 5);
    g_assert_cmpuint(r.bad_sizes, ==, 5);
    g_assert_cmpuint(lt_stat(t, &root, "/a").books, ==, 3);
    g_assert_cmpuint(lt_stat(t, &root, "/a").size, ==, 3 * BS);
    g_assert_cmpuint(lt_stat(t, &root, "/d/b").size, ==, 2 * BS);
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 4);
    g_assert_cmpuint(lt_stat(t, &root, "/d/e").size, ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 27);
    lt_free(t);
}

static void test_unfinished_delete(void)
{
    LibTest *t = setup();
    FamLibFsckReport r;
    struct fam_lib_attr a;

    lt_fill_book(t, 0, 0xaa);
    lt_sql(t, "UPDATE shelves SET nlink = 0 WHERE path = CAST('/a' AS BLOB)");
    r = check_and_repair(t, 1);
    g_assert_cmpuint(r.unfinished_deletes, ==, 1);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/a", &a), ==, -ENOENT);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 30);
    g_assert_true(lt_book_is(t, 0, 0));
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM xattrs"), ==, 0);
    lt_free(t);
}

/* Everything at once: one repair pass is enough. */
static void test_everything(void)
{
    LibTest *t = setup();

    lt_sql(t, "UPDATE books SET state = %d WHERE id = 20",
           FAM_LIB_BOOK_INUSE);
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 21",
           FAM_LIB_BOOK_ZOMBIE);
    lt_sql(t, "UPDATE books SET state = %d WHERE id = 4",
           FAM_LIB_BOOK_FREE);
    lt_sql(t, "INSERT INTO xattrs(shelf, name, value) VALUES(999, 'u', 'v')");
    lt_sql(t, "UPDATE shelves SET nlink = 0 WHERE path = CAST('/d' AS BLOB)");
    lt_sql(t, "UPDATE shelves SET nlink = 5 WHERE path = CAST('/ln' AS BLOB)");
    check_and_repair(t, 6);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/fsck/clean", test_clean);
    g_test_add_func("/lib-core/fsck/leaked", test_leaked);
    g_test_add_func("/lib-core/fsck/double", test_double);
    g_test_add_func("/lib-core/fsck/bad-free", test_bad_free);
    g_test_add_func("/lib-core/fsck/zombie", test_zombie);
    g_test_add_func("/lib-core/fsck/stale-opens", test_stale_opens);
    g_test_add_func("/lib-core/fsck/orphan-xattrs", test_orphan_xattrs);
    g_test_add_func("/lib-core/fsck/orphan-shelves", test_orphan_shelves);
    g_test_add_func("/lib-core/fsck/loop", test_loop);
    g_test_add_func("/lib-core/fsck/wrong-path", test_wrong_path);
    g_test_add_func("/lib-core/fsck/bad-sizes", test_bad_sizes);
    g_test_add_func("/lib-core/fsck/unfinished-delete",
                    test_unfinished_delete);
    g_test_add_func("/lib-core/fsck/everything", test_everything);
    return g_test_run();
}
