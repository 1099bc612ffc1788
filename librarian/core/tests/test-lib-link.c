/*
 * Unit tests of hard links (lib-link.c): LINK and its errors, every
 * operation that meets a second name (lookup, readdir, unlink, rename,
 * exchange, rmdir, open), GETPATH, and fsck of damaged links.
 */
#include "lib-test.h"

static FamLibCaller root;

static int link_(LibTest *t, const FamLibCaller *who, const char *from,
                 const char *to)
{
    return fam_lib_link(t->lib, who, from, to, NULL);
}

static char *getpath(LibTest *t, const FamLibCaller *who, uint64_t id)
{
    static char buf[FAM_LIB_PATH_MAX];
    int n = fam_lib_getpath(t->lib, who, id, buf, sizeof(buf));

    g_assert_cmpint(n, ==, (int)strlen(buf));
    return buf;
}

typedef struct Names {
    GString *s;
    uint64_t last_next;
} Names;

static bool add_name(void *opaque, uint64_t id, uint32_t mode,
                     const char *name, uint64_t next)
{
    Names *n = opaque;

    (void)mode;
    g_assert_cmpuint(next, >, n->last_next);
    n->last_next = next;
    g_string_append_printf(n->s, "%s%s=%" PRIu64, n->s->len ? " " : "",
                           name, id);
    return true;
}

/* "name=id ..." of a directory, in listing order. */
static char *listing(LibTest *t, const char *dir)
{
    Names n = { g_string_new(""), 0 };
    uint64_t next;
    bool done;

    g_assert_cmpint(fam_lib_readdir(t->lib, &root, dir, 0, add_name, &n,
                                    &next, &done), ==, 0);
    g_assert_true(done);
    return g_string_free(n.s, false);
}

static void test_link(void)
{
    LibTest *t = lt_grid();
    FamLibCaller user = lt_user(0, 1000, 1000, 1);
    struct fam_lib_attr a;
    uint64_t f = lt_create(t, &root, "/f", 0644), inuse;
    char *ls;

    lt_resize(t, &root, "/f", 3 * MiB, 0);
    inuse = lt_count_state(t, FAM_LIB_BOOK_INUSE);
    lt_mkdir(t, &root, "/d", 0755);
    g_assert_cmpint(fam_lib_link(t->lib, &root, "/f", "/d/g", &a), ==, 0);
    g_assert_cmpuint(a.id, ==, f);
    g_assert_cmpuint(a.nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/d/g").id, ==, f);
    g_assert_cmpuint(lt_stat(t, &root, "/f").nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/d/g").size, ==, 3 * MiB);
    /* A link is no directory: the directory's own count stays */
    g_assert_cmpuint(lt_stat(t, &root, "/d").nlink, ==, 2);
    ls = listing(t, "/d");
    g_assert_cmpstr(ls, ==, g_strdup_printf("g=%" PRIu64, f));
    g_free(ls);
    /* Symlinks can have more names too */
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/s", "f", NULL), ==, 0);
    g_assert_cmpint(link_(t, &root, "/s", "/d/s2"), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/d/s2").mode & FAM_LIB_S_IFMT, ==,
                     FAM_LIB_S_IFLNK);

    /* The errors linkat(2) gives */
    g_assert_cmpint(link_(t, &root, "/d", "/d2"), ==, -EPERM);
    g_assert_cmpint(link_(t, &root, "/", "/r"), ==, -EPERM);
    g_assert_cmpint(link_(t, &root, "/f", "/d/g"), ==, -EEXIST);
    g_assert_cmpint(link_(t, &root, "/f", "/d"), ==, -EEXIST);
    g_assert_cmpint(link_(t, &root, "/f", "/"), ==, -EEXIST);
    g_assert_cmpint(link_(t, &root, "/none", "/x"), ==, -ENOENT);
    g_assert_cmpint(link_(t, &root, "/f", "/none/x"), ==, -ENOENT);
    g_assert_cmpint(link_(t, &root, "/f", "/f/x"), ==, -ENOTDIR);
    g_assert_cmpint(link_(t, &root, "f", "/x"), ==, -EINVAL);
    g_assert_cmpint(link_(t, &user, "/f", "/d/mine"), ==, -EACCES);
    lt_mkdir(t, &root, "/shut", 0700);
    lt_create(t, &root, "/shut/in", 0644);
    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/d", 0777), ==, 0);
    g_assert_cmpint(link_(t, &user, "/shut/in", "/d/out"), ==, -EACCES);
    g_assert_cmpint(link_(t, &user, "/f", "/d/mine"), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f").nlink, ==, 3);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, inuse);
    lt_free(t);
}

static void test_unlink(void)
{
    LibTest *t = lt_grid();
    uint64_t f, inuse;

    lt_mkdir(t, &root, "/a", 0755);
    lt_mkdir(t, &root, "/b", 0755);
    f = lt_create(t, &root, "/a/f", 0644);
    lt_resize(t, &root, "/a/f", 4 * MiB, 0);
    inuse = lt_count_state(t, FAM_LIB_BOOK_INUSE);
    g_assert_cmpint(link_(t, &root, "/a/f", "/b/g"), ==, 0);
    g_assert_cmpint(link_(t, &root, "/a/f", "/b/h"), ==, 0);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/b"), ==, -ENOTEMPTY);

    /* The first name goes: the oldest link takes its place */
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/a/f"), ==, 0);
    g_assert_cmpstr(getpath(t, &root, f), ==, "/b/g");
    g_assert_cmpuint(lt_stat(t, &root, "/b/h").nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/b/h").parent,
                     ==, lt_stat(t, &root, "/b").id);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, inuse);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/a"), ==, 0);

    /* A link goes */
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/b/h"), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/b/g").nlink, ==, 1);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/b/h"), ==, -ENOENT);

    /* Open: a name goes freely, the last one is EBUSY */
    {
        uint64_t h;

        g_assert_cmpint(link_(t, &root, "/b/g", "/b/k"), ==, 0);
        g_assert_cmpint(fam_lib_open_shelf(t->lib, &root, "/b/k",
                                           FAM_LIB_OPEN_READ, &h, NULL),
                        ==, 0);
        g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/b/g"), ==, 0);
        g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/b/k"), ==, -EBUSY);
        g_assert_cmpint(fam_lib_close_shelf(t->lib, &root, h), ==, 0);
    }
    /* The last name: the file and its books go */
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/b/k"), ==, 0);
    g_assert_cmpuint(lt_count_state(t, FAM_LIB_BOOK_INUSE), ==, 0);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &root, "/b"), ==, 0);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, NULL), ==, 0);
    lt_free(t);
}

static void test_rename(void)
{
    LibTest *t = lt_grid();
    uint64_t f, o;
    char *ls;

    lt_mkdir(t, &root, "/d", 0755);
    lt_mkdir(t, &root, "/d/e", 0755);
    f = lt_create(t, &root, "/f", 0644);
    g_assert_cmpint(link_(t, &root, "/f", "/d/e/g"), ==, 0);

    /* Two names of one file: rename does nothing */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/d/e/g", 0), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f").nlink, ==, 2);
    g_assert_cmpuint(lt_stat(t, &root, "/d/e/g").id, ==, f);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/d/e/g",
                                   FAM_LIB_RENAME_NOREPLACE), ==, -EEXIST);

    /* A link name moves; a directory above it moves it along */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/d/e/g", "/d/e/h", 0),
                    ==, 0);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/d", "/dd", 0), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/dd/e/h").id, ==, f);
    ls = listing(t, "/dd/e");
    g_assert_cmpstr(ls, ==, g_strdup_printf("h=%" PRIu64, f));
    g_free(ls);

    /* Over a name of a file with another name: only that name goes */
    o = lt_create(t, &root, "/o", 0644);
    g_assert_cmpint(link_(t, &root, "/o", "/o2"), ==, 0);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/dd/e/h", "/o", 0), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/o").id, ==, f);
    g_assert_cmpuint(lt_stat(t, &root, "/o2").id, ==, o);
    g_assert_cmpuint(lt_stat(t, &root, "/o2").nlink, ==, 1);
    g_assert_cmpuint(lt_stat(t, &root, "/f").nlink, ==, 2);

    /* Exchange a link name with another file's own name */
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/o", "/o2",
                                   FAM_LIB_RENAME_EXCHANGE), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/o").id, ==, o);
    g_assert_cmpuint(lt_stat(t, &root, "/o2").id, ==, f);
    g_assert_cmpint(fam_lib_rename(t->lib, &root, "/f", "/o2",
                                   FAM_LIB_RENAME_EXCHANGE), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f").id, ==, f);

    /* Only a link's path would grow too long: the rename is refused */
    {
        char deep[FAM_LIB_PATH_MAX];
        size_t n;

        strcpy(deep, "/p");
        lt_mkdir(t, &root, deep, 0755);
        while (strlen(deep) < FAM_LIB_PATH_MAX - 250) {
            n = strlen(deep);
            deep[n] = '/';
            memset(deep + n + 1, 'x', 200);
            deep[n + 201] = '\0';
            lt_mkdir(t, &root, deep, 0755);
        }
        n = strlen(deep);
        deep[n] = '/';
        memset(deep + n + 1, 'z', FAM_LIB_PATH_MAX - 2 - (n + 1));
        deep[FAM_LIB_PATH_MAX - 2] = '\0';
        g_assert_cmpint(link_(t, &root, "/f", deep), ==, 0);
        g_assert_cmpint(fam_lib_rename(t->lib, &root, "/p", "/pyyyyyyyyyy",
                                       0), ==, -ENAMETOOLONG);
        g_assert_cmpint(fam_lib_rename(t->lib, &root, "/p", "/q", 0), ==, 0);
    }
    g_assert_cmpint(fam_lib_fsck(t->lib, false, NULL), ==, 0);
    lt_free(t);
}

static void test_getpath(void)
{
    LibTest *t = lt_grid();
    FamLibCaller user = lt_user(0, 1000, 1000, 1);
    char small[4];
    uint64_t f;

    lt_mkdir(t, &root, "/shut", 0700);
    f = lt_create(t, &root, "/shut/f", 0644);
    g_assert_cmpstr(getpath(t, &root, 1), ==, "/");
    g_assert_cmpstr(getpath(t, &root, f), ==, "/shut/f");
    g_assert_cmpint(fam_lib_getpath(t->lib, &user, f, small, 64), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_getpath(t->lib, &root, f, small,
                                    sizeof(small)), ==, -ERANGE);
    g_assert_cmpint(fam_lib_getpath(t->lib, &root, 999999, small,
                                    sizeof(small)), ==, -ENOENT);
    g_assert_cmpint(fam_lib_getpath(t->lib, &root, UINT64_MAX, small,
                                    sizeof(small)), ==, -ENOENT);
    lt_free(t);
}

static void test_fsck(void)
{
    LibTest *t = lt_grid();
    FamLibFsckReport r;
    uint64_t f = lt_create(t, &root, "/f", 0644);
    uint64_t d = lt_mkdir(t, &root, "/d", 0755);

    g_assert_cmpint(link_(t, &root, "/f", "/d/g"), ==, 0);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);

    /* A link to a directory, one in a missing directory, one whose path
     * is wrong, a count that is wrong */
    lt_sql(t, "INSERT INTO links(shelf, parent, name, path)"
           " VALUES(%" PRIu64 ", 1, 'x', '/x')", d);
    lt_sql(t, "INSERT INTO links(shelf, parent, name, path)"
           " VALUES(%" PRIu64 ", 4242, 'y', '/gone/y')", f);
    lt_sql(t, "UPDATE links SET path = CAST('/d/wrong' AS BLOB)"
           " WHERE name = CAST('g' AS BLOB)");
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 4);
    g_assert_cmpuint(r.bad_links, ==, 3);
    g_assert_cmpuint(r.bad_sizes, ==, 1);   /* /f counts 3 names */
    /* Dropping the bad links mends the count on the way */
    g_assert_cmpint(fam_lib_fsck(t->lib, true, &r), ==, 3);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, &r), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/d/g").id, ==, f);
    g_assert_cmpuint(lt_stat(t, &root, "/f").nlink, ==, 2);
    g_assert_cmpint(lt_sql_int(t, "SELECT count(*) FROM links"), ==, 1);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/link/link", test_link);
    g_test_add_func("/lib-core/link/unlink", test_unlink);
    g_test_add_func("/lib-core/link/rename", test_rename);
    g_test_add_func("/lib-core/link/getpath", test_getpath);
    g_test_add_func("/lib-core/link/fsck", test_fsck);
    return g_test_run();
}
