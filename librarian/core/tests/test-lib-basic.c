/*
 * Unit tests of the Librarian core: the database (creation, setup,
 * persistence, refusing a mismatched or foreign database, schema
 * versions), path syntax, and the namespace operations: create, mkdir,
 * symlink, readlink, getattr, unlink, rmdir, rename, readdir, settimes,
 * statfs.
 */
#include <pthread.h>

#include "lib-test.h"

static FamLibCaller root;

/* --- the database ------------------------------------------------------- */

static void test_new_database(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_statfs s;
    struct fam_lib_attr a;
    FamLibSetup setup;
    char *err = NULL;

    g_assert_cmpint(fam_lib_statfs(t->lib, &s), ==, 0);
    g_assert_cmpuint(s.pool_size, ==, 64 * MiB);
    g_assert_cmpuint(s.book_size, ==, 2 * MiB);
    g_assert_cmpuint(s.books_total, ==, 32);
    g_assert_cmpuint(s.books_free, ==, 32);
    g_assert_cmpuint(s.books_inuse + s.books_zombie + s.books_offline, ==, 0);
    g_assert_cmpuint(s.shelves, ==, 2);
    g_assert_cmpuint(s.nodes, ==, 8);
    g_assert_cmpuint(s.modules, ==, 8);
    g_assert_cmpstr(s.model, ==, "grid");
    g_assert_true(fam_lib_model(t->lib) == t->model);

    a = lt_stat(t, &root, "/");
    g_assert_cmpuint(a.id, ==, 1);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFDIR | 0755);
    g_assert_cmpuint(a.uid, ==, 0);
    g_assert_cmpuint(a.gid, ==, 0);
    g_assert_cmpuint(a.nlink, ==, 3);
    a = lt_stat(t, &root, "/lost+found");
    g_assert_cmpuint(a.id, ==, 2);
    g_assert_cmpuint(a.parent, ==, 1);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFDIR | 0700);
    g_assert_cmpuint(a.nlink, ==, 2);

    g_assert_cmpint(fam_lib_read_setup(t->db, &setup, &err), ==, 0);
    g_assert_null(err);
    g_assert_cmpstr(setup.model_name, ==, "grid");
    g_assert_cmpstr(setup.model_text, ==, t->model_text);
    g_assert_cmpuint(setup.nodes, ==, 8);
    g_assert_cmpuint(setup.pool_size, ==, 64 * MiB);
    g_assert_cmpuint(setup.book_size, ==, 2 * MiB);
    g_assert_cmpuint(setup.schema, ==, FAM_LIB_SCHEMA_VERSION);
    {
        /* The stored text rebuilds the same model, without the file. */
        FamModel *m = fam_model_load_data(setup.model_text, "stored",
                                          setup.nodes, setup.pool_size, NULL);

        g_assert_nonnull(m);
        g_assert_cmpstr(m->name, ==, t->model->name);
        g_assert_cmpuint(m->books, ==, t->model->books);
        fam_model_free(m);
    }
    fam_lib_setup_free(&setup);

    lt_free(t);
}

static void test_read_setup_errors(void)
{
    LibTest *t = lt_grid();
    char *path = g_build_filename(t->dir, "none.db", NULL);
    char *junk = g_build_filename(t->dir, "junk.db", NULL);
    FamLibSetup setup;
    char *err = NULL;

    g_assert_cmpint(fam_lib_read_setup(path, &setup, &err), ==, -ENOENT);
    g_assert_nonnull(err);
    g_free(err);
    err = NULL;
    g_assert_true(g_file_set_contents(junk, "not a database at all, no", -1,
                                      NULL));
    g_assert_cmpint(fam_lib_read_setup(junk, &setup, &err), <, 0);
    g_assert_nonnull(err);
    g_free(err);
    g_assert_cmpint(fam_lib_read_setup(NULL, &setup, NULL), ==, -EINVAL);
    g_free(path);
    g_free(junk);
    lt_free(t);
}

static void test_persistence(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_attr a, b;

    lt_mkdir(t, &root, "/dir", 0750);
    lt_create(t, &root, "/dir/file", 0640);
    lt_resize(t, &root, "/dir/file", 5 * MiB, 0);
    a = lt_stat(t, &root, "/dir/file");
    lt_reopen(t);
    b = lt_stat(t, &root, "/dir/file");
    g_assert_cmpmem(&a, sizeof(a), &b, sizeof(b));
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, 3);
    lt_free(t);
}

static FamModel *grid_variant(const char *name, uint64_t pool)
{
    char *text = g_strdup_printf(
        "[model]\nname = %s\n"
        "[topology]\nnodes_per_enclosure = 2\nenclosures_per_rack = 2\n"
        "[hops]\nlocal = 1\nenclosure = 2\nrack = 3\nremote = 4\n"
        "latency_ns = 10\n"
        "[media]\nattach = node\ncount = 1\nread_latency_ns = 100\n"
        "write_latency_ns = 100\nbandwidth = unlimited\n"
        "[interleave]\nmode = book\n[pool]\nbook_size = 2M\n", name);
    GError *e = NULL;
    FamModel *m = fam_model_load_data(text, "variant.ini", 8, pool, &e);

    g_assert_no_error(e);
    g_free(text);
    return m;
}

static void expect_refused(LibTest *t, const FamModel *m, const char *word)
{
    char *err = NULL;
    FamLib *lib = lt_try_open(t, m, t->pool, &err);

    g_assert_null(lib);
    g_assert_nonnull(err);
    if (strstr(err, word) == NULL) {
        g_error("message '%s' does not mention '%s'", err, word);
    }
    g_free(err);
}

static void test_mismatch(void)
{
    LibTest *t = lt_grid();
    FamModel *bigger = grid_variant("grid", 128 * MiB);
    FamModel *other = grid_variant("other", 64 * MiB);
    char *junk = g_build_filename(t->dir, "junk.db", NULL);
    char *saved = t->db;

    fam_lib_close(t->lib);
    t->lib = NULL;
    expect_refused(t, bigger, "pool_size");
    expect_refused(t, other, "model");
    /* The database is untouched by the refusals. */
    lt_open(t);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    fam_lib_close(t->lib);

    /* Newer schemas are refused, not downgraded. */
    lt_sql(t, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
    expect_refused(t, t->model, "newer");
    /* Older ones are migrated: a schema 1 database had no hard links. */
    lt_sql(t, "DROP TABLE links");
    lt_sql(t, "UPDATE meta SET value = 1 WHERE key = 'schema_version'");
    lt_open(t);
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM links"), ==, 0);
    g_assert_cmpint(lt_sql_int(t, "SELECT value FROM meta"
                             " WHERE key = 'schema_version'"), ==,
                    FAM_LIB_SCHEMA_VERSION);
    fam_lib_close(t->lib);
    t->lib = NULL;

    /* Another application's SQLite database. */
    t->db = junk;
    lt_sql(t, "CREATE TABLE x(y)");
    expect_refused(t, t->model, "not a Librarian");
    g_assert_true(g_file_set_contents(junk, "garbage garbage garbage", -1,
                                      NULL));
    expect_refused(t, t->model, "junk.db");
    t->db = saved;

    lt_open(t);
    fam_model_free(bigger);
    fam_model_free(other);
    g_unlink(junk);
    g_free(junk);
    lt_free(t);
}

/* --- paths -------------------------------------------------------------- */

static void test_path_syntax(void)
{
    LibTest *t = lt_grid();
    static const char *const invalid[] = {
        "", "a", "a/b", "//", "/a/", "/a//b", "/.", "/..", "/a/./b",
        "/a/../b", "/a/.",
    };
    char name[FAM_LIB_NAME_MAX + 3];
    char path[FAM_LIB_PATH_MAX + 2];
    struct fam_lib_attr a;
    size_t len;

    for (size_t i = 0; i < G_N_ELEMENTS(invalid); i++) {
        g_assert_cmpint(fam_lib_create(t->lib, &root, invalid[i], 0644, &a),
                        ==, -EINVAL);
        g_assert_cmpint(fam_lib_getattr(t->lib, &root, invalid[i], &a), ==,
                        -EINVAL);
    }
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, NULL, &a), ==, -EINVAL);

    /* One component: 255 bytes fit, 256 do not. */
    name[0] = '/';
    memset(name + 1, 'n', FAM_LIB_NAME_MAX + 1);
    name[FAM_LIB_NAME_MAX + 1] = '\0';
    lt_create(t, &root, name, 0644);
    name[FAM_LIB_NAME_MAX + 1] = 'n';
    name[FAM_LIB_NAME_MAX + 2] = '\0';
    g_assert_cmpint(fam_lib_create(t->lib, &root, name, 0644, &a), ==,
                    -ENAMETOOLONG);

    /* The whole path: 1023 bytes fit (with the NUL, 1024), 1024 do not. */
    strcpy(path, "");
    while (strlen(path) + 201 < FAM_LIB_PATH_MAX - 1) {
        strcat(path, "/");
        len = strlen(path);
        memset(path + len, 'd', 200);
        path[len + 200] = '\0';
        lt_mkdir(t, &root, path, 0755);
    }
    len = strlen(path);
    path[len] = '/';
    memset(path + len + 1, 'f', FAM_LIB_PATH_MAX - 2 - len);
    path[FAM_LIB_PATH_MAX - 1] = '\0';
    g_assert_cmpuint(strlen(path), ==, FAM_LIB_PATH_MAX - 1);
    lt_create(t, &root, path, 0644);
    path[FAM_LIB_PATH_MAX - 1] = 'f';
    path[FAM_LIB_PATH_MAX] = '\0';
    g_assert_cmpint(fam_lib_create(t->lib, &root, path, 0644, &a), ==,
                    -ENAMETOOLONG);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, path, &a), ==,
                    -ENAMETOOLONG);

    /* Any bytes but '/' and NUL make a name. */
    lt_create(t, &root, "/\xff\xfe odd \x01 name\xc3", 0644);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root,
                                    "/\xff\xfe odd \x01 name\xc3", &a), ==, 0);
    lt_free(t);
}

/* --- making shelves ----------------------------------------------------- */

static void test_create(void)
{
    LibTest *t = lt_grid();
    FamLibCaller u = lt_user(3, 1000, 100, 77);
    int64_t before = g_get_real_time() * 1000 - 1000000000;
    struct fam_lib_attr a, d;

    lt_mkdir(t, &root, "/pub", 0777);
    d = lt_stat(t, &root, "/pub");
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/f", 0640, &a), ==, 0);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFREG | 0640);
    g_assert_cmpuint(a.uid, ==, 1000);
    g_assert_cmpuint(a.gid, ==, 100);
    g_assert_cmpuint(a.nlink, ==, 1);
    g_assert_cmpuint(a.size, ==, 0);
    g_assert_cmpuint(a.books, ==, 0);
    g_assert_cmpuint(a.opens, ==, 0);
    g_assert_cmpuint(a.parent, ==, d.id);
    g_assert_cmpint(a.mtime_ns, >, before);
    g_assert_cmpint(a.ctime_ns, ==, a.mtime_ns);
    /* The type bits may be given, if they are the right ones. */
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/g",
                                   FAM_LIB_S_IFREG | 0600, &a), ==, 0);
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/h",
                                   FAM_LIB_S_IFDIR | 0600, &a), ==, -EINVAL);
    g_assert_cmpint(fam_lib_mkdir(t->lib, &u, "/pub/h",
                                  FAM_LIB_S_IFREG | 0700, &a), ==, -EINVAL);
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/h", 010000, &a), ==,
                    -EINVAL);

    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/f", 0640, &a), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_mkdir(t->lib, &u, "/pub/f", 0750, &a), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_create(t->lib, &root, "/", 0640, &a), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/nope/f", 0640, &a), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/f/x", 0640, &a), ==,
                    -ENOTDIR);
    g_assert_cmpint(fam_lib_getattr(t->lib, &u, "/pub/f/x", &a), ==,
                    -ENOTDIR);
    g_assert_cmpint(fam_lib_getattr(t->lib, &u, "/pub/zz", &a), ==, -ENOENT);

    /* mkdir: link counts of the new directory and its parent. */
    g_assert_cmpint(fam_lib_mkdir(t->lib, &u, "/pub/sub", 0750, &a), ==, 0);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFDIR | 0750);
    g_assert_cmpuint(a.nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/pub").nlink, ==, 3);
    g_assert_cmpint(lt_stat(t, &root, "/pub").mtime_ns, >=, d.mtime_ns);
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 4);
    /* NULL out is fine. */
    g_assert_cmpint(fam_lib_create(t->lib, &u, "/pub/sub/x", 0600, NULL), ==,
                    0);
    g_assert_cmpint(fam_lib_getattr(t->lib, &u, "/pub/sub/x", NULL), ==,
                    -EINVAL);
    lt_free(t);
}

static void test_symlink(void)
{
    LibTest *t = lt_grid();
    char target[FAM_LIB_PATH_MAX + 1];
    char buf[64];
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "some/where",
                                    &a), ==, 0);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFLNK | 0777);
    g_assert_cmpuint(a.size, ==, 10);
    g_assert_cmpint(fam_lib_readlink(t->lib, &root, "/ln", buf, sizeof(buf)),
                    ==, 10);
    g_assert_cmpstr(buf, ==, "some/where");
    g_assert_cmpint(fam_lib_readlink(t->lib, &root, "/ln", buf, 11), ==, 10);
    g_assert_cmpint(fam_lib_readlink(t->lib, &root, "/ln", buf, 10), ==,
                    -ERANGE);
    g_assert_cmpint(fam_lib_readlink(t->lib, &root, "/lost+found", buf,
                                     sizeof(buf)), ==, -EINVAL);
    g_assert_cmpint(fam_lib_readlink(t->lib, &root, "/none", buf,
                                     sizeof(buf)), ==, -ENOENT);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "x", &a), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/e", "", &a), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/e", NULL, &a), ==,
                    -EINVAL);
    memset(target, 't', sizeof(target) - 1);
    target[FAM_LIB_PATH_MAX] = '\0';
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/e", target, &a), ==,
                    -ENAMETOOLONG);
    target[FAM_LIB_PATH_MAX - 1] = '\0';
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/e", target, &a), ==, 0);
    /* A symlink is no directory and has no books. */
    g_assert_cmpint(fam_lib_create(t->lib, &root, "/ln/x", 0644, &a), ==,
                    -ENOTDIR);
    g_assert_cmpint(fam_lib_resize(t->lib, &root, "/ln", 0, MiB, &a), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/ln"), ==, 0);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/ln", &a), ==, -ENOENT);
    lt_free(t);
}

/* --- removing ----------------------------------------------------------- */

static void test_remove(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_attr a;

    lt_mkdir(t, &root, "/d", 0755);
    lt_mkdir(t, &root, "/d/e", 0755);
    lt_create(t, &root, "/d/f", 0644);
    lt_resize(t, &root, "/d/f", 3 * MiB, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/d").nlink, ==, 3);

    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/d"), ==, -EISDIR);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/"), ==, -EISDIR);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/d/f"), ==, -ENOTDIR);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/d"), ==, -ENOTEMPTY);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/"), ==, -EBUSY);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/lost+found"), ==, -EPERM);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/d/none"), ==, -ENOENT);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/none"), ==, -ENOENT);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/d/f/x"), ==, -ENOTDIR);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "d/f"), ==, -EINVAL);

    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/d/f"), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_FREE), ==, 32);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/d/f", &a), ==, -ENOENT);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/d/e"), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/d").nlink, ==, 2);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/d"), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 3);
    /* The name is free again, for a new shelf with a new id. */
    lt_create(t, &root, "/d", 0600);
    g_assert_cmpuint(lt_stat(t, &root, "/d").id, >, 5);
    lt_free(t);
}

/* --- rename ------------------------------------------------------------- */

static void test_rename(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_attr a, b;

    lt_mkdir(t, &root, "/a", 0755);
    lt_mkdir(t, &root, "/a/b", 0755);
    lt_mkdir(t, &root, "/a/b/c", 0755);
    lt_create(t, &root, "/a/b/c/f", 0644);
    lt_create(t, &root, "/a/b/g", 0644);
    lt_create(t, &root, "/ab", 0644);     /* shares the prefix "/a" */
    lt_mkdir(t, &root, "/x", 0755);
    a = lt_stat(t, &root, "/a/b/c/f");

    /* A directory: its whole subtree moves, and nothing else. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/a/b", "/x/B", 0), ==, 0);
    b = lt_stat(t, &root, "/x/B/c/f");
    g_assert_cmpuint(b.id, ==, a.id);
    lt_stat(t, &root, "/x/B/g");
    lt_stat(t, &root, "/x/B/c");
    lt_stat(t, &root, "/ab");
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/a/b/c/f", &a), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/a/b", &a), ==, -ENOENT);
    g_assert_cmpuint(lt_stat(t, &root, "/a").nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/x").nlink, ==, 3);
    g_assert_cmpuint(lt_stat(t, &root, "/x/B").parent, ==,
                     lt_stat(t, &root, "/x").id);
    /* And back, under the same parent with a new name. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x/B", "/x/b2", 0), ==, 0);
    lt_stat(t, &root, "/x/b2/c/f");
    g_assert_cmpuint(lt_stat(t, &root, "/x").nlink, ==, 3);

    /* Into its own subtree. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/x/b2/c/x", 0), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/x/y", 0), ==,
                    -EINVAL);
    /* Onto itself: nothing to do. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/x", 0), ==, 0);

    /* Replacing: a file by a file, an empty directory by a directory. */
    lt_create(t, &root, "/f1", 0644);
    lt_create(t, &root, "/f2", 0644);
    lt_resize(t, &root, "/f2", 2 * MiB, 0);
    a = lt_stat(t, &root, "/f1");
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f1", "/f2", 0), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f2").id, ==, a.id);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, 0);
    lt_mkdir(t, &root, "/e", 0755);
    lt_mkdir(t, &root, "/full", 0755);
    lt_create(t, &root, "/full/x", 0644);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/full", 0), ==,
                    -ENOTEMPTY);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/f2", 0), ==,
                    -ENOTDIR);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f2", "/e", 0), ==,
                    -EISDIR);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/x", "/e", 0), ==, 0);
    lt_stat(t, &root, "/e/b2/c/f");
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 6);

    /* The fixed shelves. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/", "/r", 0), ==, -EBUSY);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/e", "/", 0), ==, -EBUSY);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/lost+found", "/lf", 0),
                    ==, -EPERM);
    lt_mkdir(t, &root, "/empty", 0755);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/empty", "/lost+found", 0),
                    ==, -EPERM);

    /* Missing source or target directory. */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/none", "/n2", 0), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f2", "/none/f", 0), ==,
                    -ENOENT);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f2", "/f2/f", 0), ==,
                    -ENOTDIR);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f2", "/ab/f", 0), ==,
                    -ENOTDIR);
    lt_free(t);
}

/* renameat2's flags: NOREPLACE refuses a present target, EXCHANGE swaps. */
static void test_rename_flags(void)
{
    LibTest *t = lt_grid();
    const uint32_t noreplace = FAM_LIB_RENAME_NOREPLACE;
    const uint32_t exchange = FAM_LIB_RENAME_EXCHANGE;
    struct fam_lib_attr f, d, e;
    FamLibFsckReport r;

    lt_create(t, &root, "/f", 0644);
    lt_create(t, &root, "/g", 0644);
    lt_mkdir(t, &root, "/d", 0755);
    lt_mkdir(t, &root, "/d/sub", 0755);
    lt_create(t, &root, "/d/sub/deep", 0644);
    lt_mkdir(t, &root, "/e", 0755);
    lt_mkdir(t, &root, "/e/in", 0755);
    f = lt_stat(t, &root, "/f");
    d = lt_stat(t, &root, "/d");
    e = lt_stat(t, &root, "/e");

    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/g", noreplace), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/f", noreplace), ==,
                    -EEXIST);
    g_assert_cmpuint(lt_stat(t, &root, "/f").id, ==, f.id);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/h", noreplace), ==,
                    0);
    g_assert_cmpuint(lt_stat(t, &root, "/h").id, ==, f.id);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/h", "/f", 0), ==, 0);

    /* Both flags, an unknown flag, a missing target */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/g",
                                   noreplace | exchange), ==, -EINVAL);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/g", 4), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/none", exchange),
                    ==, -ENOENT);

    /* Two files */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/g", exchange), ==,
                    0);
    g_assert_cmpuint(lt_stat(t, &root, "/g").id, ==, f.id);
    g_assert_cmpuint(lt_stat(t, &root, "/f").id, !=, f.id);

    /* A directory and a file in different directories: the subtree moves */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/d", "/e/in", exchange),
                    ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/e/in").id, ==, d.id);
    g_assert_cmpuint(lt_stat(t, &root, "/e/in").parent, ==, e.id);
    g_assert_cmpuint(lt_stat(t, &root, "/e/in/sub/deep").parent, ==,
                     lt_stat(t, &root, "/e/in/sub").id);
    g_assert_cmpuint(lt_stat(t, &root, "/d").parent, ==, 1);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/d/sub", &f), ==,
                    -ENOENT);
    /* Each directory kept its link count: one subdirectory in each */
    g_assert_cmpuint(lt_stat(t, &root, "/e").nlink, ==, 3);
    g_assert_cmpuint(lt_stat(t, &root, "/d").nlink, ==, 2);

    /* Directory with file across parents: ".." links move */
    lt_create(t, &root, "/e/file", 0644);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/e/in", "/g", exchange),
                    ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/g").id, ==, d.id);
    g_assert_cmpuint(lt_stat(t, &root, "/e").nlink, ==, 2);
    lt_stat(t, &root, "/g/sub/deep");
    lt_stat(t, &root, "/e/in");

    /* Into its own subtree, either way round */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g", "/g/sub", exchange),
                    ==, -EINVAL);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g/sub", "/g", exchange),
                    ==, -EINVAL);
    /* With itself, and with the fixed shelves */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g", "/g", exchange), ==,
                    0);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g", "/lost+found",
                                   exchange), ==, -EPERM);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/g", "/", exchange), ==,
                    -EBUSY);

    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    g_assert_cmpuint(r.orphan_shelves + r.bad_sizes, ==, 0);
    lt_free(t);
}

/* A directory whose descendants' paths would outgrow FAM_LIB_PATH_MAX. */
static void test_rename_too_long(void)
{
    LibTest *t = lt_grid();
    char path[FAM_LIB_PATH_MAX], longname[FAM_LIB_NAME_MAX + 2];

    strcpy(path, "/s");
    lt_mkdir(t, &root, path, 0755);
    while (strlen(path) + 201 < FAM_LIB_PATH_MAX - 10) {
        size_t len = strlen(path);

        path[len] = '/';
        memset(path + len + 1, 'd', 200);
        path[len + 201] = '\0';
        lt_mkdir(t, &root, path, 0755);
    }
    longname[0] = '/';
    memset(longname + 1, 'L', 100);
    longname[101] = '\0';
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/s", longname, 0), ==,
                    -ENAMETOOLONG);
    lt_stat(t, &root, path);
    longname[5] = '\0';
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/s", longname, 0), ==, 0);
    lt_free(t);
}

/* --- readdir ------------------------------------------------------------ */

typedef struct Listing {
    GHashTable *seen;       /* name -> count */
    unsigned page_left;
    unsigned taken;
} Listing;

static bool take_entry(void *opaque, uint64_t id, uint32_t mode,
                       const char *name, uint64_t next)
{
    Listing *l = opaque;
    unsigned n;

    (void)next;
    g_assert_cmpuint(id, >, 0);
    g_assert_cmpuint(mode & FAM_LIB_S_IFMT, !=, 0);
    if (l->page_left == 0) {
        return false;
    }
    l->page_left--;
    l->taken++;
    n = GPOINTER_TO_UINT(g_hash_table_lookup(l->seen, name));
    g_hash_table_insert(l->seen, g_strdup(name), GUINT_TO_POINTER(n + 1));
    return true;
}

static void test_readdir_pages(void)
{
    LibTest *t = lt_grid();
    Listing l = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        NULL), 0, 0 };
    uint64_t cursor = 0, next;
    bool done = false;
    unsigned pages = 0;
    GHashTableIter it;
    gpointer key, val;

    lt_mkdir(t, &root, "/big", 0755);
    for (int i = 0; i < 1000; i++) {
        char p[32];

        snprintf(p, sizeof(p), "/big/%04d", i);
        if (i % 10 == 0) {
            lt_mkdir(t, &root, p, 0755);
        } else {
            lt_create(t, &root, p, 0644);
        }
        if (i % 100 == 0) {
            /* Entries elsewhere interleave in id order. */
            snprintf(p, sizeof(p), "/other%d", i);
            lt_create(t, &root, p, 0644);
        }
    }
    while (!done) {
        l.page_left = 7;
        g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/big", cursor,
                                        take_entry, &l, &next, &done), ==, 0);
        g_assert_true(done || next > cursor);
        cursor = next;
        pages++;
        g_assert_cmpuint(pages, <, 1000);
    }
    g_assert_cmpuint(l.taken, ==, 1000);
    g_assert_cmpuint(g_hash_table_size(l.seen), ==, 1000);
    g_hash_table_iter_init(&it, l.seen);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        g_assert_cmpuint(GPOINTER_TO_UINT(val), ==, 1);
        g_assert_cmpuint(strlen(key), ==, 4);
    }

    /* A page of nothing leaves the cursor where it was. */
    l.page_left = 0;
    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/big", 5, take_entry, &l,
                                    &next, &done), ==, 0);
    g_assert_false(done);
    g_assert_cmpuint(next, >=, 5);

    /* Deleting between pages: the rest is still listed exactly once. */
    g_hash_table_remove_all(l.seen);
    l.taken = 0;
    l.page_left = 10;
    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/big", 0, take_entry, &l,
                                    &next, &done), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/big/0005"), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/big/0500"), ==, -EISDIR);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/big/0501"), ==, 0);
    cursor = next;
    done = false;
    while (!done) {
        l.page_left = 100;
        g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/big", cursor,
                                        take_entry, &l, &next, &done), ==, 0);
        cursor = next;
    }
    g_assert_cmpuint(l.taken, ==, 999);

    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/big/0001", 0, take_entry,
                                    &l, &next, &done), ==, -ENOTDIR);
    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/none", 0, take_entry,
                                    &l, &next, &done), ==, -ENOENT);
    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/", 0, NULL, &l, &next,
                                    &done), ==, -EINVAL);
    g_hash_table_destroy(l.seen);
    lt_free(t);
}

/* --- times, statfs ------------------------------------------------------ */

static void test_settimes(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_attr a, b;

    lt_create(t, &root, "/f", 0644);
    a = lt_stat(t, &root, "/f");
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/f", 1000, 2000), ==, 0);
    b = lt_stat(t, &root, "/f");
    g_assert_cmpint(b.atime_ns, ==, 1000);
    g_assert_cmpint(b.mtime_ns, ==, 2000);
    g_assert_cmpint(b.ctime_ns, >=, a.ctime_ns);
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/f", FAM_LIB_TIME_OMIT,
                                     FAM_LIB_TIME_NOW), ==, 0);
    b = lt_stat(t, &root, "/f");
    g_assert_cmpint(b.atime_ns, ==, 1000);
    g_assert_cmpint(b.mtime_ns, >=, a.mtime_ns);
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/f", FAM_LIB_TIME_OMIT,
                                     FAM_LIB_TIME_OMIT), ==, 0);
    /* Before 1970: -1 and -2 ns are times, not the markers */
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/f", -2, -1), ==, 0);
    b = lt_stat(t, &root, "/f");
    g_assert_cmpint(b.atime_ns, ==, -2);
    g_assert_cmpint(b.mtime_ns, ==, -1);
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/g", 0, 0), ==, -ENOENT);
    lt_free(t);
}

static void test_statfs(void)
{
    LibTest *t = lt_grid();
    struct fam_lib_statfs s;

    lt_create(t, &root, "/a", 0644);
    lt_create(t, &root, "/b", 0644);
    lt_resize(t, &root, "/a", 2 * MiB + 1, 0);
    lt_resize(t, &root, "/b", 1, 0);
    g_assert_cmpint(fam_lib_statfs(t->lib, &s), ==, 0);
    g_assert_cmpuint(s.shelves, ==, 4);
    g_assert_cmpuint(s.books_inuse, ==, 3);
    g_assert_cmpuint(s.books_free, ==, 29);
    g_assert_cmpint(fam_lib_statfs(t->lib, NULL), ==, -EINVAL);
    g_assert_cmpint(fam_lib_statfs(NULL, &s), ==, -EINVAL);
    lt_free(t);
}

/* --- threads ------------------------------------------------------------ */

typedef struct Worker {
    LibTest *t;
    int id;
} Worker;

static void *worker(void *opaque)
{
    Worker *w = opaque;
    FamLibCaller who = lt_user((uint32_t)w->id, 0, 0, 100 + w->id);

    for (int i = 0; i < 150; i++) {
        char p[32];

        snprintf(p, sizeof(p), "/t%d-%d", w->id, i % 5);
        switch (i % 3) {
        case 0:
            fam_lib_create(w->t->lib, &who, p, 0644, NULL);
            break;
        case 1:
            fam_lib_resize(w->t->lib, &who, p, 0, (uint64_t)(i % 4) * MiB,
                           NULL);
            break;
        default:
            fam_lib_unlink(w->t->lib, &who, p);
            break;
        }
    }
    return NULL;
}

/* One FamLib from several threads: serialized, and consistent after. */
static void test_threads(void)
{
    LibTest *t = lt_grid();
    pthread_t th[4];
    Worker w[4];
    FamLibFsckReport r;

    for (int i = 0; i < 4; i++) {
        w[i].t = t;
        w[i].id = i;
        pthread_create(&th[i], NULL, worker, &w[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
    }
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_ZOMBIE), ==, 0);
    lt_free(t);
}

/* A second FamLib on the same file (the CLI next to a running daemon,
 * without the pool): both work at once, and the database stays sound. */
typedef struct Side {
    FamLib *lib;
    int id;
    int errors;
} Side;

static void *side_worker(void *opaque)
{
    Side *s = opaque;
    FamLibCaller who = lt_user(FAM_LIB_NODE_HOST, 0, 0, 200 + s->id);

    for (int i = 0; i < 100; i++) {
        char p[32];
        int ret;

        snprintf(p, sizeof(p), "/s%d-%d", s->id, i);
        ret = fam_lib_create(s->lib, &who, p, 0644, NULL);
        if (ret == 0) {
            ret = fam_lib_resize(s->lib, &who, p, 0, (uint64_t)(i % 3) * MiB,
                                 NULL);
        }
        if (ret == 0 && i % 2) {
            ret = fam_lib_unlink(s->lib, &who, p);
        }
        s->errors += ret != 0 && ret != -ENOSPC;
    }
    return NULL;
}

static void test_two_librarians(void)
{
    LibTest *t = lt_grid();
    char *err = NULL;
    FamLib *cli = lt_try_open(t, t->model, NULL, &err);
    Side a = { t->lib, 0, 0 }, b = { cli, 1, 0 };
    pthread_t ta, tb;
    FamLibFsckReport r;

    g_assert_nonnull(cli);
    pthread_create(&ta, NULL, side_worker, &a);
    pthread_create(&tb, NULL, side_worker, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    g_assert_cmpint(a.errors, ==, 0);
    g_assert_cmpint(b.errors, ==, 0);
    fam_lib_close(cli);
    /* The CLI could not zero what it freed; the daemon does. */
    g_assert_cmpint(fam_lib_zero_zombies(t->lib), >=, 0);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/").nlink, ==, 3);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/db/new", test_new_database);
    g_test_add_func("/lib-core/db/read-setup-errors", test_read_setup_errors);
    g_test_add_func("/lib-core/db/persistence", test_persistence);
    g_test_add_func("/lib-core/db/mismatch", test_mismatch);
    g_test_add_func("/lib-core/path/syntax", test_path_syntax);
    g_test_add_func("/lib-core/shelf/create", test_create);
    g_test_add_func("/lib-core/shelf/symlink", test_symlink);
    g_test_add_func("/lib-core/shelf/remove", test_remove);
    g_test_add_func("/lib-core/shelf/rename", test_rename);
    g_test_add_func("/lib-core/shelf/rename-too-long", test_rename_too_long);
    g_test_add_func("/lib-core/shelf/rename-flags", test_rename_flags);
    g_test_add_func("/lib-core/shelf/readdir-pages", test_readdir_pages);
    g_test_add_func("/lib-core/shelf/settimes", test_settimes);
    g_test_add_func("/lib-core/pool/statfs", test_statfs);
    g_test_add_func("/lib-core/db/threads", test_threads);
    g_test_add_func("/lib-core/db/two-librarians", test_two_librarians);
    return g_test_run();
}
