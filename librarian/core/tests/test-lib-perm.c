/*
 * Unit tests of the Librarian core's access control: owner, group and
 * other permission bits for every kind of access, search permission on
 * every ancestor, the superuser's bypass, the sticky bit, set-group-ID
 * directories, and who may chmod, chown, set times, module status, and
 * the callers the core refuses outright.
 */
#include "lib-test.h"

static FamLibCaller root;

/* uid 1000 gid 100 owns; 2000 is in group 100; 3000 is neither. */
static FamLibCaller owner, member, other;

/* A grid whose root directory anyone may write, so that users make
 * their own shelves at the top. */
static LibTest *open_grid(void)
{
    LibTest *t = lt_grid();

    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/", 0777), ==, 0);
    return t;
}

static int try_open(LibTest *t, const FamLibCaller *who, const char *path,
                    uint32_t flags)
{
    uint64_t h;
    int ret = fam_lib_open_shelf(t->lib, who, path, flags, &h, NULL);

    if (ret == 0) {
        g_assert_cmpint(fam_lib_close_shelf(t->lib, who, h), ==, 0);
    }
    return ret;
}

static void test_mode_bits(void)
{
    LibTest *t = open_grid();
    static const struct {
        uint32_t mode;
        int owner_r, owner_w, member_r, member_w, other_r, other_w;
    } cases[] = {
        { 0640, 0, 0, 0, -EACCES, -EACCES, -EACCES },
        { 0604, 0, 0, -EACCES, -EACCES, 0, -EACCES },
        { 0460, 0, -EACCES, 0, 0, -EACCES, -EACCES },
        { 0002, -EACCES, -EACCES, -EACCES, -EACCES, -EACCES, 0 },
        { 0000, -EACCES, -EACCES, -EACCES, -EACCES, -EACCES, -EACCES },
        { 0666, 0, 0, 0, 0, 0, 0 },
    };

    lt_mkdir(t, &root, "/d", 0777);
    lt_create(t, &owner, "/d/f", 0600);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/d/f", cases[i].mode),
                        ==, 0);
        g_assert_cmpint(try_open(t, &owner, "/d/f", FAM_LIB_OPEN_READ), ==,
                        cases[i].owner_r);
        g_assert_cmpint(try_open(t, &owner, "/d/f", FAM_LIB_OPEN_WRITE), ==,
                        cases[i].owner_w);
        g_assert_cmpint(try_open(t, &member, "/d/f", FAM_LIB_OPEN_READ), ==,
                        cases[i].member_r);
        g_assert_cmpint(try_open(t, &member, "/d/f", FAM_LIB_OPEN_WRITE), ==,
                        cases[i].member_w);
        g_assert_cmpint(try_open(t, &other, "/d/f", FAM_LIB_OPEN_READ), ==,
                        cases[i].other_r);
        g_assert_cmpint(try_open(t, &other, "/d/f", FAM_LIB_OPEN_WRITE), ==,
                        cases[i].other_w);
        /* Both: needs both. */
        g_assert_cmpint(try_open(t, &owner, "/d/f",
                                 FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE), ==,
                        cases[i].owner_r ? cases[i].owner_r
                                         : cases[i].owner_w);
        /* The superuser reads and writes whatever the bits. */
        g_assert_cmpint(try_open(t, &root, "/d/f",
                                 FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE),
                        ==, 0);
        /* Resizing is writing. */
        g_assert_cmpint(fam_lib_resize(t->lib, &member, "/d/f", 0, 1, NULL),
                        ==, cases[i].member_w);
    }
    lt_free(t);
}

/* Search (x) permission on every ancestor, and read for listing. */
static void test_search(void)
{
    LibTest *t = open_grid();
    struct fam_lib_attr a;
    char buf[8];

    lt_mkdir(t, &owner, "/home", 0755);
    lt_mkdir(t, &owner, "/home/priv", 0700);
    lt_mkdir(t, &owner, "/home/priv/deep", 0777);
    lt_create(t, &owner, "/home/priv/deep/f", 0666);
    lt_mkdir(t, &owner, "/home/xonly", 0711);
    lt_create(t, &owner, "/home/xonly/f", 0644);

    /* A closed directory anywhere above closes everything below. */
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/priv/deep/f", &a),
                    ==, -EACCES);
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/priv/deep", &a),
                    ==, -EACCES);
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/priv/nothing", &a),
                    ==, -EACCES);
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/priv/a/b/c", &a),
                    ==, -EACCES);
    g_assert_cmpint(try_open(t, &other, "/home/priv/deep/f",
                             FAM_LIB_OPEN_READ), ==, -EACCES);
    g_assert_cmpint(fam_lib_create(t->lib, &other, "/home/priv/deep/g", 0644,
                                   &a), ==, -EACCES);
    g_assert_cmpint(fam_lib_unlink(t->lib, &other, "/home/priv/deep/f"), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_readlink(t->lib, &other, "/home/priv/deep/f",
                                     buf, sizeof(buf)), ==, -EACCES);
    /* The directory itself is visible: its parent is searchable. */
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/priv", &a), ==, 0);
    /* Owner and superuser pass. */
    g_assert_cmpint(fam_lib_getattr(t->lib, &owner, "/home/priv/deep/f", &a),
                    ==, 0);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/home/priv/deep/f", &a),
                    ==, 0);
    g_assert_cmpint(fam_lib_getattr(t->lib, &root, "/home/priv/nothing", &a),
                    ==, -ENOENT);

    /* x without r: reach what you can name (listing: test_list). */
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/home/xonly/f", &a), ==,
                    0);
    lt_free(t);
}

static bool count_entry(void *opaque, uint64_t id, uint32_t mode,
                        const char *name, uint64_t next)
{
    (void)id;
    (void)mode;
    (void)name;
    (void)next;
    (*(unsigned *)opaque)++;
    return true;
}

static void test_list_permission(void)
{
    LibTest *t = open_grid();
    struct fam_lib_attr a;
    unsigned n = 0;
    uint64_t next;
    bool done;

    lt_mkdir(t, &owner, "/xonly", 0711);
    lt_create(t, &owner, "/xonly/f", 0644);
    lt_mkdir(t, &owner, "/ronly", 0744);
    lt_create(t, &owner, "/ronly/f", 0644);
    g_assert_cmpint(fam_lib_readdir(t->lib, &other, "/xonly", 0, count_entry,
                                    &n, &next, &done), ==, -EACCES);
    g_assert_cmpint(fam_lib_readdir(t->lib, &owner, "/xonly", 0, count_entry,
                                    &n, &next, &done), ==, 0);
    g_assert_cmpuint(n, ==, 1);
    /* r without x: the names, but nothing through them. */
    g_assert_cmpint(fam_lib_readdir(t->lib, &other, "/ronly", 0, count_entry,
                                    &n, &next, &done), ==, 0);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpint(fam_lib_getattr(t->lib, &other, "/ronly/f", &a), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_readdir(t->lib, &root, "/xonly", 0, count_entry,
                                    &n, &next, &done), ==, 0);
    lt_free(t);
}

/* Creating and removing need write and search on the directory. */
static void test_directory_write(void)
{
    LibTest *t = open_grid();
    struct fam_lib_attr a;

    lt_mkdir(t, &owner, "/ro", 0755);
    lt_mkdir(t, &owner, "/wo", 0773);     /* others: w and x */
    lt_mkdir(t, &owner, "/wnx", 0776);    /* others: w, no x */
    lt_create(t, &owner, "/ro/f", 0666);

    g_assert_cmpint(fam_lib_create(t->lib, &other, "/ro/g", 0644, &a), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_mkdir(t->lib, &other, "/ro/g", 0755, &a), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_symlink(t->lib, &other, "/ro/g", "x", &a), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_unlink(t->lib, &other, "/ro/f"), ==, -EACCES);
    g_assert_cmpint(fam_lib_rename(t->lib, &other, "/ro/f", "/wo/f", 0), ==,
                    -EACCES);
    /* An existing name is EEXIST whatever the write permission. */
    g_assert_cmpint(fam_lib_create(t->lib, &other, "/ro/f", 0644, &a), ==,
                    -EEXIST);
    g_assert_cmpint(fam_lib_create(t->lib, &other, "/wo/g", 0644, &a), ==, 0);
    g_assert_cmpint(fam_lib_create(t->lib, &other, "/wnx/g", 0644, &a), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_rename(t->lib, &other, "/wo/g", "/ro/g", 0), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_rename(t->lib, &other, "/wo/g", "/wo/h", 0), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &other, "/wo/h"), ==, 0);
    lt_mkdir(t, &owner, "/wnx/sub", 0777);
    lt_mkdir(t, &owner, "/ro/sub", 0777);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &other, "/wnx/sub"), ==, -EACCES);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &other, "/ro/sub"), ==, -EACCES);
    g_assert_cmpint(fam_lib_rmdir(t->lib, &owner, "/ro/sub"), ==, 0);
    /* The superuser bypasses all of it. */
    g_assert_cmpint(fam_lib_create(t->lib, &root, "/ro/r", 0644, &a), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/ro/f"), ==, 0);
    lt_free(t);
}

static void test_sticky(void)
{
    LibTest *t = open_grid();
    FamLibCaller diruser = lt_user(0, 4000, 400, 5);

    lt_mkdir(t, &diruser, "/tmp", 01777);
    lt_create(t, &owner, "/tmp/a", 0666);
    lt_create(t, &owner, "/tmp/b", 0666);
    lt_create(t, &owner, "/tmp/c", 0666);
    lt_create(t, &owner, "/tmp/d", 0666);
    g_assert_cmpint(fam_lib_unlink(t->lib, &other, "/tmp/a"), ==, -EPERM);
    g_assert_cmpint(fam_lib_rename(t->lib, &other, "/tmp/a", "/tmp/z", 0), ==,
                    -EPERM);
    lt_create(t, &other, "/tmp/o", 0666);
    g_assert_cmpint(fam_lib_rename(t->lib, &other, "/tmp/o", "/tmp/a", 0), ==,
                    -EPERM);
    g_assert_cmpint(fam_lib_unlink(t->lib, &owner, "/tmp/a"), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &diruser, "/tmp/b"), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/tmp/c"), ==, 0);
    g_assert_cmpint(fam_lib_unlink(t->lib, &other, "/tmp/o"), ==, 0);
    lt_free(t);
}

static void test_setgid_directory(void)
{
    LibTest *t = open_grid();
    FamLibCaller proj = lt_user(0, 1000, 500, 1);
    struct fam_lib_attr a;

    lt_mkdir(t, &proj, "/proj", 02775);
    g_assert_cmphex(lt_stat(t, &root, "/proj").mode, ==,
                    FAM_LIB_S_IFDIR | 02775);
    g_assert_cmpint(fam_lib_create(t->lib, &owner, "/proj/f", 02755, &a), ==,
                    0);
    g_assert_cmpuint(a.gid, ==, 500);
    /* owner (gid 100) is not in group 500: no set-group-ID file. */
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFREG | 0755);
    g_assert_cmpint(fam_lib_mkdir(t->lib, &owner, "/proj/sub", 0755, &a), ==,
                    0);
    g_assert_cmpuint(a.gid, ==, 500);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFDIR | 02755);
    g_assert_cmpint(fam_lib_create(t->lib, &owner, "/plain", 02755, &a), ==,
                    0);
    g_assert_cmpuint(a.gid, ==, 100);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFREG | 02755);
    lt_free(t);
}

/* A file system daemon (uid 0) makes shelves for the users it serves. */
static void test_make_owned(void)
{
    LibTest *t = open_grid();
    FamLibCaller proj = lt_user(0, 1000, 500, 1);
    FamLibNew f = { FAM_LIB_S_IFREG, 0640, NULL, 3000, 300 };
    FamLibNew d = { FAM_LIB_S_IFDIR, 0750, NULL, 3000, 300 };
    FamLibNew l = { FAM_LIB_S_IFLNK, 0, "f", 3000, 300 };
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/f", &f, &a), ==, 0);
    g_assert_cmpuint(a.uid, ==, 3000);
    g_assert_cmpuint(a.gid, ==, 300);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFREG | 0640);
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/d", &d, &a), ==, 0);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFDIR | 0750);
    g_assert_cmpuint(a.uid, ==, 3000);
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/l", &l, &a), ==, 0);
    g_assert_cmphex(a.mode, ==, FAM_LIB_S_IFLNK | 0777);
    g_assert_cmpuint(a.gid, ==, 300);
    /* The owner now owns it: it may chmod, another user may not. */
    g_assert_cmpint(fam_lib_chmod(t->lib, &other, "/f", 0600), ==, 0);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/f", 0666), ==, -EPERM);
    /* A set-group-ID directory still gives its group. */
    lt_mkdir(t, &proj, "/proj", 02775);
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/proj/f", &f, &a), ==,
                    0);
    g_assert_cmpuint(a.gid, ==, 500);
    /* Only the superuser; no "keep" owner; the usual errors. */
    g_assert_cmpint(fam_lib_make_owned(t->lib, &owner, "/g", &f, &a), ==,
                    -EPERM);
    f.uid = FAM_LIB_ID_KEEP;
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/g", &f, &a), ==,
                    -EINVAL);
    f.uid = 3000;
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/f", &f, &a), ==,
                    -EEXIST);
    f.type = FAM_LIB_S_IFMT;
    g_assert_cmpint(fam_lib_make_owned(t->lib, &root, "/h", &f, &a), ==,
                    -EINVAL);
    lt_free(t);
}

static void test_chmod(void)
{
    LibTest *t = open_grid();

    lt_create(t, &owner, "/f", 0644);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/f", 0600), ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==, FAM_LIB_S_IFREG | 0600);
    g_assert_cmpint(fam_lib_chmod(t->lib, &member, "/f", 0666), ==, -EPERM);
    g_assert_cmpint(fam_lib_chmod(t->lib, &other, "/f", 0666), ==, -EPERM);
    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/f", 04755), ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==,
                    FAM_LIB_S_IFREG | 04755);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/f", 010644), ==, -EINVAL);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/f",
                                  FAM_LIB_S_IFREG | 0644), ==, -EINVAL);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/nope", 0644), ==,
                    -ENOENT);
    /* Set-group-ID by an owner outside the file's group is dropped. */
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", FAM_LIB_ID_KEEP, 700),
                    ==, 0);
    g_assert_cmpint(fam_lib_chmod(t->lib, &owner, "/f", 02755), ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==, FAM_LIB_S_IFREG | 0755);
    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/f", 02755), ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==,
                    FAM_LIB_S_IFREG | 02755);
    lt_free(t);
}

static void test_chown(void)
{
    LibTest *t = open_grid();
    FamLibCaller owner2 = lt_user(1, 1000, 200, 9);   /* owner, in gid 200 */
    struct fam_lib_attr a;

    lt_create(t, &owner, "/f", 0644);
    /* The superuser gives anything to anyone. */
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", 5, 6), ==, 0);
    a = lt_stat(t, &root, "/f");
    g_assert_cmpuint(a.uid, ==, 5);
    g_assert_cmpuint(a.gid, ==, 6);
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", 1000, FAM_LIB_ID_KEEP),
                    ==, 0);
    a = lt_stat(t, &root, "/f");
    g_assert_cmpuint(a.uid, ==, 1000);
    g_assert_cmpuint(a.gid, ==, 6);
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", FAM_LIB_ID_KEEP, 100),
                    ==, 0);

    /* The owner: only the group, and only to a group of their own. */
    g_assert_cmpint(fam_lib_chown(t->lib, &owner2, "/f", FAM_LIB_ID_KEEP,
                                  200), ==, 0);
    g_assert_cmpuint(lt_stat(t, &root, "/f").gid, ==, 200);
    g_assert_cmpint(fam_lib_chown(t->lib, &owner2, "/f", FAM_LIB_ID_KEEP,
                                  300), ==, -EPERM);
    g_assert_cmpint(fam_lib_chown(t->lib, &owner2, "/f", 2000,
                                  FAM_LIB_ID_KEEP), ==, -EPERM);
    g_assert_cmpint(fam_lib_chown(t->lib, &owner2, "/f", 1000, 200), ==, 0);
    g_assert_cmpint(fam_lib_chown(t->lib, &owner, "/f", FAM_LIB_ID_KEEP,
                                  FAM_LIB_ID_KEEP), ==, 0);
    /* Others: nothing, not even their own group. */
    g_assert_cmpint(fam_lib_chown(t->lib, &member, "/f", FAM_LIB_ID_KEEP,
                                  100), ==, -EPERM);
    g_assert_cmpint(fam_lib_chown(t->lib, &other, "/f", 3000, 300), ==,
                    -EPERM);

    /* A change of owner drops set-user-ID and set-group-ID (group-x). */
    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/f", 06755), ==, 0);
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", 7, FAM_LIB_ID_KEEP),
                    ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==, FAM_LIB_S_IFREG | 0755);
    g_assert_cmpint(fam_lib_chmod(t->lib, &root, "/f", 06745), ==, 0);
    g_assert_cmpint(fam_lib_chown(t->lib, &root, "/f", 8, FAM_LIB_ID_KEEP),
                    ==, 0);
    g_assert_cmphex(lt_stat(t, &root, "/f").mode, ==,
                    FAM_LIB_S_IFREG | 02745);
    lt_free(t);
}

static void test_times_permission(void)
{
    LibTest *t = open_grid();

    lt_create(t, &owner, "/f", 0664);
    g_assert_cmpint(fam_lib_settimes(t->lib, &owner, "/f", 1, 2), ==, 0);
    g_assert_cmpint(fam_lib_settimes(t->lib, &member, "/f", 1, 2), ==,
                    -EPERM);
    g_assert_cmpint(fam_lib_settimes(t->lib, &member, "/f", FAM_LIB_TIME_NOW,
                                     FAM_LIB_TIME_NOW), ==, 0);
    g_assert_cmpint(fam_lib_settimes(t->lib, &other, "/f", FAM_LIB_TIME_NOW,
                                     FAM_LIB_TIME_OMIT), ==, -EACCES);
    g_assert_cmpint(fam_lib_settimes(t->lib, &other, "/f", FAM_LIB_TIME_OMIT,
                                     5), ==, -EPERM);
    g_assert_cmpint(fam_lib_settimes(t->lib, &root, "/f", 5, 5), ==, 0);
    lt_free(t);
}

static void test_xattr_permission(void)
{
    LibTest *t = open_grid();
    char buf[64];

    lt_create(t, &owner, "/f", 0640);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &owner, "/f", "user.k", "v", 1,
                                     0), ==, 0);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &member, "/f", "user.k", buf,
                                     sizeof(buf)), ==, 1);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &other, "/f", "user.k", buf,
                                     sizeof(buf)), ==, -EACCES);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &member, "/f", "user.k", "w", 1,
                                     0), ==, -EACCES);
    g_assert_cmpint(fam_lib_removexattr(t->lib, &member, "/f", "user.k"), ==,
                    -EACCES);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &member, "/f",
                                     "user.LFS.AllocationPolicy", "Nearest",
                                     7, 0), ==, -EACCES);
    g_assert_cmpint(fam_lib_setxattr(t->lib, &root, "/f", "user.k", "w", 1,
                                     0), ==, 0);
    lt_free(t);
}

static void test_callers(void)
{
    LibTest *t = open_grid();
    FamLibCaller bad = lt_user(8, 0, 0, 1);   /* the grid has nodes 0..7 */
    struct fam_lib_attr a;

    g_assert_cmpint(fam_lib_getattr(t->lib, &bad, "/", &a), ==, -EINVAL);
    g_assert_cmpint(fam_lib_getattr(t->lib, NULL, "/", &a), ==, -EINVAL);
    g_assert_cmpint(fam_lib_create(t->lib, &bad, "/f", 0644, &a), ==,
                    -EINVAL);
    g_assert_cmpint(fam_lib_getattr(NULL, &root, "/", &a), ==, -EINVAL);
    bad.node = 7;
    g_assert_cmpint(fam_lib_getattr(t->lib, &bad, "/", &a), ==, 0);
    g_assert_cmpint(fam_lib_module_status(t->lib, &owner, 0, true), ==,
                    -EPERM);
    g_assert_cmpint(fam_lib_module_status(t->lib, &root, 8, true), ==,
                    -EINVAL);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    owner = lt_user(0, 1000, 100, 10);
    member = lt_user(1, 2000, 100, 20);
    other = lt_user(2, 3000, 300, 30);
    g_test_add_func("/lib-core/perm/mode-bits", test_mode_bits);
    g_test_add_func("/lib-core/perm/search", test_search);
    g_test_add_func("/lib-core/perm/list", test_list_permission);
    g_test_add_func("/lib-core/perm/directory-write", test_directory_write);
    g_test_add_func("/lib-core/perm/sticky", test_sticky);
    g_test_add_func("/lib-core/perm/setgid-directory", test_setgid_directory);
    g_test_add_func("/lib-core/perm/make-owned", test_make_owned);
    g_test_add_func("/lib-core/perm/chmod", test_chmod);
    g_test_add_func("/lib-core/perm/chown", test_chown);
    g_test_add_func("/lib-core/perm/times", test_times_permission);
    g_test_add_func("/lib-core/perm/xattr", test_xattr_permission);
    g_test_add_func("/lib-core/perm/callers", test_callers);
    return g_test_run();
}
