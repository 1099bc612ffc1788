/*
 * The direct way of lib-test-conn: core calls with the connection's
 * identity, list cursors walked to the end.
 */
#include "lib-test-conn-int.h"

#include <errno.h>

/* A whole-list walk over the core's cursor interface. */
typedef struct Walk {
    FamLibDirFn dir_fn;
    FamLibBookFn book_fn;
    void *opaque;
    bool stopped;       /* the caller's fn said stop */
    uint64_t taken;     /* items in the current call */
} Walk;

static bool walk_dir(void *opaque, uint64_t id, uint32_t mode,
                     const char *name, uint64_t next)
{
    Walk *w = opaque;

    if (!w->dir_fn(w->opaque, id, mode, name, next)) {
        w->stopped = true;
        return false;
    }
    w->taken++;
    return true;
}

static bool walk_book(void *opaque, const struct fam_lib_book *book)
{
    Walk *w = opaque;

    if (!w->book_fn(w->opaque, book)) {
        w->stopped = true;
        return false;
    }
    w->taken++;
    return true;
}

/* After one list call: 1 to go on, 0 when finished, -EIO if the core
 * neither finished nor moved (a cursor bug would loop forever). */
static int walk_step(Walk *w, uint64_t *cursor, uint64_t next, bool done)
{
    if (w->stopped || done) {
        return 0;
    }
    if (w->taken == 0 && next == *cursor) {
        return -EIO;
    }
    *cursor = next;
    w->taken = 0;
    return 1;
}

static int core_statfs(LibConn *c, struct fam_lib_statfs *out)
{
    return fam_lib_statfs(c->lib, out);
}

static int core_getattr(LibConn *c, const char *path,
                        struct fam_lib_attr *out)
{
    return fam_lib_getattr(c->lib, &c->who, path, out);
}

static int core_create(LibConn *c, const char *path, uint32_t mode,
                       struct fam_lib_attr *out)
{
    return fam_lib_create(c->lib, &c->who, path, mode, out);
}

static int core_mkdir(LibConn *c, const char *path, uint32_t mode,
                      struct fam_lib_attr *out)
{
    return fam_lib_mkdir(c->lib, &c->who, path, mode, out);
}

static int core_open(LibConn *c, const char *path, uint32_t flags,
                     uint64_t *handle, struct fam_lib_attr *out)
{
    return fam_lib_open_shelf(c->lib, &c->who, path, flags, handle, out);
}

static int core_close(LibConn *c, uint64_t handle)
{
    return fam_lib_close_shelf(c->lib, &c->who, handle);
}

static int core_resize(LibConn *c, const char *path, uint64_t handle,
                       uint64_t size, struct fam_lib_attr *out)
{
    return fam_lib_resize(c->lib, &c->who, path, handle, size, out);
}

static int core_rename(LibConn *c, const char *from, const char *to)
{
    return fam_lib_rename(c->lib, &c->who, from, to, 0);
}

static int core_unlink(LibConn *c, const char *path)
{
    return fam_lib_unlink(c->lib, &c->who, path);
}

static int core_rmdir(LibConn *c, const char *path)
{
    return fam_lib_rmdir(c->lib, &c->who, path);
}

static int core_setxattr(LibConn *c, const char *path, const char *name,
                         const void *value, size_t len, uint32_t flags)
{
    return fam_lib_setxattr(c->lib, &c->who, path, name, value, len, flags);
}

static int core_getxattr(LibConn *c, const char *path, const char *name,
                         void *buf, size_t cap)
{
    return fam_lib_getxattr(c->lib, &c->who, path, name, buf, cap);
}

static int core_readdir(LibConn *c, const char *path, FamLibDirFn fn,
                        void *opaque)
{
    Walk w = { .dir_fn = fn, .opaque = opaque };
    uint64_t cursor = 0, next;
    bool done;
    int r;

    do {
        r = fam_lib_readdir(c->lib, &c->who, path, cursor, walk_dir, &w,
                            &next, &done);
        if (r < 0) {
            return r;
        }
        r = walk_step(&w, &cursor, next, done);
    } while (r > 0);
    return r;
}

static int core_shelf_books(LibConn *c, const char *path, uint64_t handle,
                            FamLibBookFn fn, void *opaque)
{
    Walk w = { .book_fn = fn, .opaque = opaque };
    uint64_t cursor = 0, next;
    bool done;
    int r;

    do {
        r = fam_lib_shelf_books(c->lib, &c->who, path, handle, cursor,
                                walk_book, &w, &next, &done);
        if (r < 0) {
            return r;
        }
        r = walk_step(&w, &cursor, next, done);
    } while (r > 0);
    return r;
}

static int core_list_books(LibConn *c, FamLibBookFn fn, void *opaque)
{
    Walk w = { .book_fn = fn, .opaque = opaque };
    uint64_t cursor = 0, next;
    bool done;
    int r;

    do {
        r = fam_lib_list_books(c->lib, UINT32_MAX, cursor, walk_book, &w,
                               &next, &done);
        if (r < 0) {
            return r;
        }
        r = walk_step(&w, &cursor, next, done);
    } while (r > 0);
    return r;
}

const LibConnOps lib_conn_core_ops = {
    .statfs = core_statfs,
    .getattr = core_getattr,
    .create = core_create,
    .mkdir = core_mkdir,
    .open = core_open,
    .close = core_close,
    .resize = core_resize,
    .rename = core_rename,
    .unlink = core_unlink,
    .rmdir = core_rmdir,
    .setxattr = core_setxattr,
    .getxattr = core_getxattr,
    .readdir = core_readdir,
    .shelf_books = core_shelf_books,
    .list_books = core_list_books,
};
