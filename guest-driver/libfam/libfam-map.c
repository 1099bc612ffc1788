/*
 * Mapping an LFS file, and libfam-atomic's region registration (which
 * has nothing to register here: see the header).
 *
 * fam_map_file() checks the size before it maps: mmap(2) itself happily
 * maps past the end of a file, and the program learns of it only as a
 * SIGBUS at the first touch of a missing page. On /lfs the mapping is
 * the pool pages of the file's books (FUSE passthrough of the driver's
 * shelf file, docs/lfs.md); elsewhere it is an ordinary shared mapping,
 * which is what the unit tests use.
 */
#define _POSIX_C_SOURCE 200809L /* open, mmap, ftruncate, fcntl */

#include "fame/libfam.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define KNOWN_FLAGS (FAM_MAP_RDONLY | FAM_MAP_CREATE)

/* The largest off_t: off_t is signed and has no limit macro in POSIX. */
#define OFF_T_MAX ((off_t)(((uintmax_t)1 << (8 * sizeof(off_t) - 1)) - 1))

static void map_reset(struct fam_map *map)
{
    map->addr = NULL;
    map->size = 0;
    map->fd = -1;
}

/* Close fd keeping errno, and return -1 for the caller's error path. */
static int give_up(int fd, int err)
{
    if (fd >= 0) {
        close(fd);
    }
    errno = err;
    return -1;
}

/* The size to map: size, or the whole file for 0; grown if asked. */
static int settle_size(int fd, size_t *size, int flags)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        errno = ENODEV;
        return -1;
    }
    if (*size == 0) {
        if (st.st_size == 0 || (uintmax_t)st.st_size > SIZE_MAX) {
            errno = st.st_size == 0 ? EINVAL : EFBIG;
            return -1;
        }
        *size = (size_t)st.st_size;
        return 0;
    }
    if ((uintmax_t)*size > (uintmax_t)OFF_T_MAX) {
        errno = EFBIG;
        return -1;
    }
    if (st.st_size >= (off_t)*size) {
        return 0;
    }
    if (!(flags & FAM_MAP_CREATE)) {
        errno = ENXIO;
        return -1;
    }
    return ftruncate(fd, (off_t)*size);
}

int fam_map_file(const char *path, size_t size, int flags,
                 struct fam_map *map)
{
    bool ro = flags & FAM_MAP_RDONLY;
    int oflags = (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC;
    void *addr;
    int fd;

    if (map == NULL) {
        errno = EINVAL;
        return -1;
    }
    map_reset(map);
    if (path == NULL || (flags & ~KNOWN_FLAGS) ||
        (ro && (flags & FAM_MAP_CREATE))) {
        errno = EINVAL;
        return -1;
    }
    if (flags & FAM_MAP_CREATE) {
        oflags |= O_CREAT;
    }
    fd = open(path, oflags, 0666);
    if (fd < 0) {
        return -1;
    }
    if (settle_size(fd, &size, flags) < 0) {
        return give_up(fd, errno);
    }
    addr = mmap(NULL, size, ro ? PROT_READ : PROT_READ | PROT_WRITE,
                MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) {
        return give_up(fd, errno);
    }
    map->addr = addr;
    map->size = size;
    map->fd = fd;
    return 0;
}

int fam_unmap_file(struct fam_map *map)
{
    int err = 0;

    if (map == NULL) {
        errno = EINVAL;
        return -1;
    }
    if (map->addr != NULL && munmap(map->addr, map->size) < 0) {
        err = errno;
    }
    if (map->fd >= 0 && close(map->fd) < 0 && err == 0) {
        err = errno;
    }
    map_reset(map);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return 0;
}

static bool page_aligned(uintmax_t v)
{
    long page = sysconf(_SC_PAGESIZE);

    return page > 0 && v % (uintmax_t)page == 0;
}

int fam_atomic_register_region(void *region_start, size_t region_length,
                               int fd, off_t offset)
{
    if (region_start == NULL || region_length == 0 || offset < 0 ||
        !page_aligned((uintptr_t)region_start) ||
        !page_aligned((uintmax_t)offset)) {
        errno = EINVAL;
        return -1;
    }
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

void fam_atomic_unregister_region(void *region_start, size_t region_length)
{
    (void)region_start;
    (void)region_length;
}
