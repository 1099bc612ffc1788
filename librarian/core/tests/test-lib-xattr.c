/*
 * Unit tests of extended attributes: the user.LFS.* controls (what each
 * reads, which may be set, by whom, with which values, that none can be
 * removed) and stored user.* attributes (flags, sizes, namespaces,
 * errors, listing in pages, removal with their shelf).
 */
#include "lib-test.h"

static FamLibCaller root;

static const char *const lfs_names[] = {
    "user.LFS.AllocationPolicy", "user.LFS.AllocationPolicyDefault",
    "user.LFS.AllocationPolicyList", "user.LFS.Interleave",
    "user.LFS.InterleaveRequest", "user.LFS.InterleaveRequestPos",
};

static int get(LibTest *t, const char *path, const char *name, char *buf,
               size_t cap)
{
    int ret = fam_lib_getxattr(t->lib, &root, path, name, buf, cap);

    if (ret >= 0 && (size_t)ret < cap) {
        buf[ret] = '\0';
    }
    return ret;
}

static int set(LibTest *t, const FamLibCaller *who, const char *path,
               const char *name, const void *value, size_t len,
               uint32_t flags)
{
    return fam_lib_setxattr(t->lib, who, path, name, value, len, flags);
}

static void test_policy_attrs(void)
{
    LibTest *t = lt_grid();
    FamLibCaller user = lt_user(0, 1000, 1000, 5);
    GString *list = g_string_new("");
    char buf[256];

    lt_create(t, &root, "/f", 0666);
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicy", buf,
                        sizeof(buf)), ==, 11);
    g_assert_cmpstr(buf, ==, "RandomBooks");
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "LZAascending", 12, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicy", buf,
                        sizeof(buf)), ==, 12);
    g_assert_cmpstr(buf, ==, "LZAascending");
    /* With its NUL, as some tools write it. */
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "NearestRack", 12, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicy", buf,
                        sizeof(buf)), ==, 11);
    g_assert_cmpstr(buf, ==, "NearestRack");
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "Bogus", 5, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "nearest", 7, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "", 0, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "Near\0est", 8, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "Nearest", 7, FAM_LIB_XATTR_CREATE), ==, -EEXIST);
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicy",
                        "Nearest", 7, FAM_LIB_XATTR_REPLACE), ==, 0);

    /* The default: anyone reads it through any path, root sets it. */
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicyDefault", buf,
                        sizeof(buf)), ==, 11);
    g_assert_cmpstr(buf, ==, "RandomBooks");
    g_assert_cmpint(set(t, &user, "/f", "user.LFS.AllocationPolicyDefault",
                        "Nearest", 7, 0), ==, -EPERM);
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.AllocationPolicyDefault",
                        "RequestIG", 9, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.AllocationPolicyDefault",
                        "Bogus", 5, 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &root, "/lost+found",
                        "user.LFS.AllocationPolicyDefault", "NearestEnc", 10,
                        0), ==, 0);
    g_assert_cmpint(get(t, "/", "user.LFS.AllocationPolicyDefault", buf,
                        sizeof(buf)), ==, 10);
    g_assert_cmpstr(buf, ==, "NearestEnc");
    lt_reopen(t);
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicyDefault", buf,
                        sizeof(buf)), ==, 10);
    g_assert_cmpstr(buf, ==, "NearestEnc");
    /* A directory without its own policy shows the default. */
    g_assert_cmpint(get(t, "/", "user.LFS.AllocationPolicy", buf,
                        sizeof(buf)), ==, 10);

    /* The list: every name, comma-separated; read-only. */
    for (int p = 0; p < FAM_POLICY_COUNT; p++) {
        g_string_append_printf(list, "%s%s", p ? "," : "",
                               fam_policy_name((FamPolicy)p));
    }
    g_assert_cmpint(get(t, "/f", "user.LFS.AllocationPolicyList", buf,
                        sizeof(buf)), ==, (int)list->len);
    g_assert_cmpstr(buf, ==, list->str);
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.AllocationPolicyList",
                        "x", 1, 0), ==, -EPERM);
    g_string_free(list, TRUE);
    lt_free(t);
}

static void test_interleave_attrs(void)
{
    LibTest *t = lt_grid();
    static const uint8_t req[] = { 1, 2 };
    static const uint8_t bad[] = { 1, 8 };
    char buf[64];

    lt_create(t, &root, "/f", 0644);
    g_assert_cmpint(get(t, "/f", "user.LFS.Interleave", buf, sizeof(buf)), ==,
                    0);
    g_assert_cmpint(get(t, "/f", "user.LFS.InterleaveRequest", buf,
                        sizeof(buf)), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.InterleaveRequestPos", buf,
                        sizeof(buf)), ==, 1);
    g_assert_cmpstr(buf, ==, "0");

    g_assert_cmpint(set(t, &root, "/f", "user.LFS.InterleaveRequest", bad,
                        sizeof(bad), 0), ==, -EINVAL);
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.InterleaveRequest", req,
                        sizeof(req), 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.InterleaveRequest", buf,
                        sizeof(buf)), ==, 2);
    g_assert_cmpmem(buf, 2, req, 2);
    lt_set_policy(t, &root, "/f", "RequestIG");
    lt_resize(t, &root, "/f", 5 * 2 * MiB, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.Interleave", buf, sizeof(buf)), ==,
                    5);
    g_assert_cmpmem(buf, 5, "\x01\x02\x01\x02\x01", 5);
    g_assert_cmpint(get(t, "/f", "user.LFS.InterleaveRequestPos", buf,
                        sizeof(buf)), ==, 1);
    g_assert_cmpstr(buf, ==, "1");
    /* A new request starts at its beginning. */
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.InterleaveRequest", req,
                        1, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.LFS.InterleaveRequestPos", buf,
                        sizeof(buf)), ==, 1);
    g_assert_cmpstr(buf, ==, "0");
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.Interleave", req, 1, 0), ==,
                    -EPERM);
    g_assert_cmpint(set(t, &root, "/f", "user.LFS.InterleaveRequestPos", "0",
                        1, 0), ==, -EPERM);
    lt_free(t);
}

static void test_lfs_not_removable(void)
{
    LibTest *t = lt_grid();

    lt_create(t, &root, "/f", 0644);
    for (size_t i = 0; i < G_N_ELEMENTS(lfs_names); i++) {
        g_assert_cmpint(fam_lib_removexattr(t->lib, &root, "/f",
                                            lfs_names[i]), ==, -EPERM);
    }
    lt_free(t);
}

static void test_user_attrs(void)
{
    LibTest *t = lt_grid();
    char value[FAM_LIB_XATTR_VALUE_MAX + 1];
    char name[FAM_LIB_XATTR_NAME_MAX + 1];
    char buf[FAM_LIB_XATTR_VALUE_MAX + 1];

    lt_create(t, &root, "/f", 0644);
    g_assert_cmpint(get(t, "/f", "user.color", buf, sizeof(buf)), ==,
                    -ENODATA);
    g_assert_cmpint(set(t, &root, "/f", "user.color", "blue", 4, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.color", buf, sizeof(buf)), ==, 4);
    g_assert_cmpstr(buf, ==, "blue");
    /* cap 0 only asks the length; too small a buffer is ERANGE. */
    g_assert_cmpint(fam_lib_getxattr(t->lib, &root, "/f", "user.color", NULL,
                                     0), ==, 4);
    g_assert_cmpint(fam_lib_getxattr(t->lib, &root, "/f", "user.color", buf,
                                     3), ==, -ERANGE);
    g_assert_cmpint(set(t, &root, "/f", "user.color", "red", 3,
                        FAM_LIB_XATTR_CREATE), ==, -EEXIST);
    g_assert_cmpint(set(t, &root, "/f", "user.size", "1", 1,
                        FAM_LIB_XATTR_REPLACE), ==, -ENODATA);
    g_assert_cmpint(set(t, &root, "/f", "user.color", "red", 3,
                        FAM_LIB_XATTR_REPLACE), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.color", buf, sizeof(buf)), ==, 3);
    g_assert_cmpint(set(t, &root, "/f", "user.color", "x", 1,
                        FAM_LIB_XATTR_CREATE | FAM_LIB_XATTR_REPLACE), ==,
                    -EINVAL);
    g_assert_cmpint(set(t, &root, "/f", "user.color", "x", 1, 4), ==,
                    -EINVAL);
    g_assert_cmpint(set(t, &root, "/f", "user.color", NULL, 1, 0), ==,
                    -EINVAL);
    /* Binary values, empty values. */
    g_assert_cmpint(set(t, &root, "/f", "user.bin", "\0\1\0", 3, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.bin", buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "\0\1\0", 3);
    g_assert_cmpint(set(t, &root, "/f", "user.empty", NULL, 0, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.empty", buf, sizeof(buf)), ==, 0);

    /* Sizes. */
    memset(value, 'v', sizeof(value));
    g_assert_cmpint(set(t, &root, "/f", "user.big", value,
                        FAM_LIB_XATTR_VALUE_MAX, 0), ==, 0);
    g_assert_cmpint(get(t, "/f", "user.big", buf, sizeof(buf)), ==,
                    (int)FAM_LIB_XATTR_VALUE_MAX);
    g_assert_cmpint(set(t, &root, "/f", "user.big", value,
                        FAM_LIB_XATTR_VALUE_MAX + 1, 0), ==, -E2BIG);
    memcpy(name, "user.", 5);
    memset(name + 5, 'n', sizeof(name) - 5);
    name[FAM_LIB_XATTR_NAME_MAX - 1] = '\0';    /* 255 bytes: fits */
    g_assert_cmpint(set(t, &root, "/f", name, "1", 1, 0), ==, 0);
    name[FAM_LIB_XATTR_NAME_MAX - 1] = 'n';
    name[FAM_LIB_XATTR_NAME_MAX] = '\0';
    g_assert_cmpint(set(t, &root, "/f", name, "1", 1, 0), ==, -ERANGE);
    g_assert_cmpint(get(t, "/f", name, buf, sizeof(buf)), ==, -ERANGE);

    /* Names outside user.*. */
    g_assert_cmpint(set(t, &root, "/f", "security.selinux", "x", 1, 0), ==,
                    -EOPNOTSUPP);
    g_assert_cmpint(get(t, "/f", "trusted.x", buf, sizeof(buf)), ==,
                    -EOPNOTSUPP);
    g_assert_cmpint(fam_lib_removexattr(t->lib, &root, "/f", "system.x"), ==,
                    -EOPNOTSUPP);
    g_assert_cmpint(get(t, "/f", "", buf, sizeof(buf)), ==, -ERANGE);
    g_assert_cmpint(get(t, "/f", "user.", buf, sizeof(buf)), ==, -EINVAL);
    g_assert_cmpint(get(t, "/f", NULL, buf, sizeof(buf)), ==, -EINVAL);
    g_assert_cmpint(get(t, "/none", "user.x", buf, sizeof(buf)), ==, -ENOENT);

    /* Removal. */
    g_assert_cmpint(fam_lib_removexattr(t->lib, &root, "/f", "user.color"),
                    ==, 0);
    g_assert_cmpint(fam_lib_removexattr(t->lib, &root, "/f", "user.color"),
                    ==, -ENODATA);
    g_assert_cmpint(get(t, "/f", "user.color", buf, sizeof(buf)), ==,
                    -ENODATA);

    /* Directories have them; symlinks do not (as on Linux). */
    g_assert_cmpint(set(t, &root, "/", "user.dir", "d", 1, 0), ==, 0);
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "/f", NULL), ==, 0);
    g_assert_cmpint(set(t, &root, "/ln", "user.x", "d", 1, 0), ==, -EPERM);
    g_assert_cmpint(get(t, "/ln", "user.x", buf, sizeof(buf)), ==, -ENODATA);

    /* They go with their shelf, and a new shelf of that name has none. */
    g_assert_cmpint(fam_lib_unlink(t->lib, &root, "/f"), ==, 0);
    lt_create(t, &root, "/f", 0644);
    g_assert_cmpint(get(t, "/f", "user.bin", buf, sizeof(buf)), ==, -ENODATA);
    g_assert_cmpint(fam_lib_fsck(t->lib, false, NULL), ==, 0);
    lt_free(t);
}

typedef struct Names {
    GPtrArray *names;
    int page;
    int left;
} Names;

static bool take_name(void *opaque, const char *name)
{
    Names *n = opaque;

    if (n->left == 0) {
        return false;
    }
    n->left--;
    g_ptr_array_add(n->names, g_strdup(name));
    return true;
}

static bool has(GPtrArray *a, const char *name)
{
    unsigned count = 0;

    for (guint i = 0; i < a->len; i++) {
        count += strcmp(g_ptr_array_index(a, i), name) == 0;
    }
    g_assert_cmpuint(count, <=, 1);
    return count == 1;
}

static void test_list(void)
{
    LibTest *t = lt_grid();
    Names n = { g_ptr_array_new_with_free_func(g_free), 1, 0 };
    uint64_t cursor = 0, next;
    bool done = false;
    int pages = 0;

    lt_create(t, &root, "/f", 0644);
    for (int i = 0; i < 20; i++) {
        char name[32];

        snprintf(name, sizeof(name), "user.n%02d", i);
        g_assert_cmpint(set(t, &root, "/f", name, "v", 1, 0), ==, 0);
    }
    g_assert_cmpint(fam_lib_removexattr(t->lib, &root, "/f", "user.n07"), ==,
                    0);
    while (!done) {
        n.left = 3;
        g_assert_cmpint(fam_lib_listxattr(t->lib, &root, "/f", cursor,
                                          take_name, &n, &next, &done), ==,
                        0);
        cursor = next;
        g_assert_cmpint(++pages, <, 100);
    }
    g_assert_cmpuint(n.names->len, ==, G_N_ELEMENTS(lfs_names) + 19);
    for (size_t i = 0; i < G_N_ELEMENTS(lfs_names); i++) {
        g_assert_true(has(n.names, lfs_names[i]));
    }
    g_assert_true(has(n.names, "user.n00"));
    g_assert_true(has(n.names, "user.n19"));
    g_assert_false(has(n.names, "user.n07"));

    /* A symlink lists nothing. */
    g_ptr_array_set_size(n.names, 0);
    n.left = 100;
    g_assert_cmpint(fam_lib_symlink(t->lib, &root, "/ln", "/f", NULL), ==, 0);
    g_assert_cmpint(fam_lib_listxattr(t->lib, &root, "/ln", 0, take_name, &n,
                                      &next, &done), ==, 0);
    g_assert_true(done);
    g_assert_cmpuint(n.names->len, ==, 0);
    g_assert_cmpint(fam_lib_listxattr(t->lib, &root, "/none", 0, take_name,
                                      &n, &next, &done), ==, -ENOENT);
    g_ptr_array_free(n.names, TRUE);
    lt_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    root = lt_root();
    g_test_add_func("/lib-core/xattr/policy", test_policy_attrs);
    g_test_add_func("/lib-core/xattr/interleave", test_interleave_attrs);
    g_test_add_func("/lib-core/xattr/lfs-not-removable",
                    test_lfs_not_removable);
    g_test_add_func("/lib-core/xattr/user", test_user_attrs);
    g_test_add_func("/lib-core/xattr/list", test_list);
    return g_test_run();
}
