/*
 * Unit tests of fam_map_file() and fam_unmap_file() on ordinary files in
 * a temporary directory (the same calls reach the pool on /lfs; the boot
 * test libfam-lfs uses them there): every refusal with its errno and
 * nothing left open, the whole-file and partial sizes, growth with
 * FAM_MAP_CREATE, sharing through the file, read-only mappings; and the
 * argument checks of the libfam-atomic region registration.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fame/libfam.h"

static char *dir;

static char *path_of(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

/* A file of `size` bytes, byte i = i mod 251. */
static char *make_file(const char *name, size_t size)
{
    char *path = path_of(name);
    guchar *data = g_malloc(size + 1);
    GError *err = NULL;

    for (size_t i = 0; i < size; i++) {
        data[i] = (guchar)(i % 251);
    }
    g_file_set_contents(path, (const char *)data, (gssize)size, &err);
    g_assert_no_error(err);
    g_free(data);
    return path;
}

/* The lowest free descriptor: equal before and after means none leaked. */
static int next_fd(void)
{
    int fd = dup(0);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    return fd;
}

static void assert_refused(const char *path, size_t size, int flags,
                           int want)
{
    struct fam_map m = { (void *)1, 1, 99 };
    int fd = next_fd();

    errno = 0;
    g_assert_cmpint(fam_map_file(path, size, flags, &m), ==, -1);
    g_assert_cmpint(errno, ==, want);
    g_assert_null(m.addr);
    g_assert_cmpuint(m.size, ==, 0);
    g_assert_cmpint(m.fd, ==, -1);
    g_assert_cmpint(next_fd(), ==, fd);
}

static void test_refusals(void)
{
    char *small = make_file("small", 8192);
    char *empty = make_file("empty", 0);
    char *missing = path_of("missing");

    assert_refused(missing, 4096, 0, ENOENT);
    assert_refused(small, 8193, 0, ENXIO);          /* past the end */
    assert_refused(small, 1 << 20, FAM_MAP_RDONLY, ENXIO);
    assert_refused(empty, 0, 0, EINVAL);            /* nothing to map */
    assert_refused(small, 4096, 0x10, EINVAL);      /* unknown flag */
    assert_refused(small, 4096, FAM_MAP_RDONLY | FAM_MAP_CREATE, EINVAL);
    assert_refused(NULL, 4096, 0, EINVAL);
    assert_refused(dir, 4096, FAM_MAP_RDONLY, EISDIR);
    assert_refused(dir, 4096, 0, EISDIR);           /* from open(2) */
    assert_refused("/dev/null", 4096, 0, ENODEV);
    assert_refused(small, SIZE_MAX, 0, EFBIG);
    /* A refused CREATE of a missing directory's file creates nothing. */
    g_autofree char *deep = path_of("no/such");
    assert_refused(deep, 4096, FAM_MAP_CREATE, ENOENT);

    errno = 0;
    g_assert_cmpint(fam_map_file(small, 0, 0, NULL), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_free(small);
    g_free(empty);
    g_free(missing);
}

static void test_sizes(void)
{
    char *path = make_file("sizes", 3 * 4096 + 100);
    struct fam_map m;
    const guchar *p;

    g_assert_cmpint(fam_map_file(path, 0, 0, &m), ==, 0);   /* whole file */
    g_assert_cmpuint(m.size, ==, 3 * 4096 + 100);
    g_assert_cmpint(m.fd, >=, 0);
    p = m.addr;
    g_assert_cmpuint(p[3 * 4096 + 99], ==, (3 * 4096 + 99) % 251);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    g_assert_null(m.addr);
    g_assert_cmpint(m.fd, ==, -1);

    g_assert_cmpint(fam_map_file(path, 4096, 0, &m), ==, 0);  /* a prefix */
    g_assert_cmpuint(m.size, ==, 4096);
    p = m.addr;
    g_assert_cmpuint(p[4095], ==, 4095 % 251);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    /* Exactly the file's size is not "past the end". */
    g_assert_cmpint(fam_map_file(path, 3 * 4096 + 100, 0, &m), ==, 0);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    /* Unmapping a reset map does nothing and succeeds. */
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    g_free(path);
}

static void test_create(void)
{
    char *path = path_of("created");
    struct fam_map m;
    struct stat st;
    int64_t *w;

    g_assert_cmpint(fam_map_file(path, 65536, FAM_MAP_CREATE, &m), ==, 0);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 65536);
    w = m.addr;
    g_assert_cmpint(w[65536 / 8 - 1], ==, 0);          /* zero-filled */
    fam_atomic_64_write(&w[100], 0x5eed);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);

    /* CREATE grows a shorter file and keeps what it held. */
    g_assert_cmpint(fam_map_file(path, 2 * 65536, FAM_MAP_CREATE, &m), ==, 0);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 2 * 65536);
    w = m.addr;
    g_assert_cmpint(fam_atomic_64_read(&w[100]), ==, 0x5eed);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    /* and never shrinks a longer one */
    g_assert_cmpint(fam_map_file(path, 4096, FAM_MAP_CREATE, &m), ==, 0);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_size, ==, 2 * 65536);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    g_free(path);
}

/* Two mappings of one file share every store (MAP_SHARED). */
static void test_shared(void)
{
    char *path = make_file("shared", 8192);
    struct fam_map a, b;
    int64_t *wa, *wb;
    char byte;

    g_assert_cmpint(fam_map_file(path, 0, 0, &a), ==, 0);
    g_assert_cmpint(fam_map_file(path, 0, FAM_MAP_RDONLY, &b), ==, 0);
    g_assert_true(a.addr != b.addr);
    wa = a.addr;
    wb = b.addr;
    fam_atomic_64_fetch_add(&wa[5], 1000);
    g_assert_cmpint(wb[5], ==, wa[5]);
    g_assert_cmpint(pread(a.fd, &byte, 1, 40), ==, 1);
    g_assert_cmpint((guchar)byte, ==, ((guchar *)wa)[40]);
    g_assert_cmpint(fam_unmap_file(&a), ==, 0);
    g_assert_cmpint(fam_unmap_file(&b), ==, 0);
    g_free(path);
}

/* A read-only mapping really is: a store is SIGSEGV. */
static void test_readonly(void)
{
    char *path = make_file("ro", 4096);
    struct fam_map m;

    if (g_test_subprocess()) {
        g_assert_cmpint(fam_map_file(path, 0, FAM_MAP_RDONLY, &m), ==, 0);
        ((volatile char *)m.addr)[0] = 1;
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_free(path);
}

static void test_register(void)
{
    char *path = make_file("reg", 8192);
    struct fam_map m;
    char *base;

    g_assert_cmpint(fam_map_file(path, 0, 0, &m), ==, 0);
    base = m.addr;
    g_assert_cmpint(fam_atomic_register_region(base, m.size, m.fd, 0), ==, 0);
    fam_atomic_unregister_region(base, m.size);

    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base + 8, 64, m.fd, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base, 0, m.fd, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(NULL, 64, m.fd, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base, 64, m.fd, 100), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base, 64, m.fd, -4096), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base, 64, next_fd(), 0), ==,
                    -1);
    g_assert_cmpint(errno, ==, EBADF);
    errno = 0;
    g_assert_cmpint(fam_atomic_register_region(base, 64, -1, 0), ==, -1);
    g_assert_cmpint(errno, ==, EBADF);
    g_assert_cmpint(fam_unmap_file(&m), ==, 0);
    g_free(path);
}

/* The files are all at the top of dir (a refused create made none). */
static void remove_dir(void)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = path_of(name);

        g_assert_cmpint(g_unlink(path), ==, 0);
    }
    g_dir_close(d);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    int rc;

    g_test_init(&argc, &argv, NULL);
    /* A subprocess (test_readonly's) works in its parent's directory. */
    if (g_test_subprocess()) {
        dir = g_strdup(g_getenv("LIBFAM_TEST_DIR"));
    } else {
        dir = g_dir_make_tmp("libfam-map-XXXXXX", &err);
        g_assert_no_error(err);
        g_setenv("LIBFAM_TEST_DIR", dir, TRUE);
    }
    g_assert_nonnull(dir);
    g_test_add_func("/libfam/map/refusals", test_refusals);
    g_test_add_func("/libfam/map/sizes", test_sizes);
    g_test_add_func("/libfam/map/create", test_create);
    g_test_add_func("/libfam/map/shared", test_shared);
    g_test_add_func("/libfam/map/read-only", test_readonly);
    g_test_add_func("/libfam/map/register", test_register);
    rc = g_test_run();
    if (!g_test_subprocess()) {
        remove_dir();
    }
    g_free(dir);
    return rc;
}
