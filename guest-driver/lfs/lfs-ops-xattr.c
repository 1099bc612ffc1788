/*
 * Extended attributes: the Librarian's `user.*` attributes, including the
 * `user.LFS.*` ones its allocation policies read, plus the daemon's own
 * read-only `user.LFS.stats` on the root (docs/lfs.md).
 */
#include "lfs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "lib-client-msg.h"

#define STATS_NAME "user.LFS.stats"

static Lfs *lfs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

/* Reply with value[0..len) as getxattr(2) wants it for a `size` buffer. */
static void reply_value(fuse_req_t req, const void *value, size_t len,
                        size_t size)
{
    if (size == 0) {
        fuse_reply_xattr(req, len);
    } else if (len > size) {
        fuse_reply_err(req, ERANGE);
    } else {
        fuse_reply_buf(req, value, len);
    }
}

static void reply_stats(fuse_req_t req, Lfs *lfs, size_t size)
{
    char text[256];
    int n = snprintf(text, sizeof(text),
                     "lib_calls=%" PRIu64 " opens=%" PRIu64
                     " passthrough=%" PRIu64 " reads=%" PRIu64
                     " writes=%" PRIu64 " inodes=%zu\n",
                     lfs->stats.lib_calls, lfs->stats.opens,
                     lfs->stats.passthrough, lfs->stats.reads,
                     lfs->stats.writes, lfs->count);

    reply_value(req, text, (size_t)n, size);
}

static void lfs_getxattr(fuse_req_t req, fuse_ino_t id, const char *name,
                         size_t size)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    const void *body;
    size_t len;
    int ret;

    if (id == FUSE_ROOT_ID && strcmp(name, STATS_NAME) == 0) {
        reply_stats(req, lfs, size);
        return;
    }
    ret = lfs_path(lfs, id, NULL, path);
    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_GETXATTR, NULL, path, name, NULL, 0,
                       &body, &len);
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    reply_value(req, body, len, size);
}

static void lfs_setxattr(fuse_req_t req, fuse_ino_t id, const char *name,
                         const char *value, size_t size, int flags)
{
    Lfs *lfs = lfs_of(req);
    struct fam_lib_args args = { 0 };
    char path[FAM_LIB_PATH_MAX];
    int ret;

    if (id == FUSE_ROOT_ID && strcmp(name, STATS_NAME) == 0) {
        fuse_reply_err(req, EPERM);
        return;
    }
    if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) {
        fuse_reply_err(req, EINVAL);
        return;
    }
    if (flags & XATTR_CREATE) {
        args.flags |= FAM_LIB_XATTR_CREATE;
    }
    if (flags & XATTR_REPLACE) {
        args.flags |= FAM_LIB_XATTR_REPLACE;
    }
    if (size > FAM_LIB_XATTR_VALUE_MAX) {
        fuse_reply_err(req, E2BIG);
        return;
    }
    ret = lfs_path(lfs, id, NULL, path);
    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_SETXATTR, &args, path, name, value,
                       size, NULL, NULL);
    }
    fuse_reply_err(req, -ret);
}

static void lfs_listxattr(fuse_req_t req, fuse_ino_t id, size_t size)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    char *names = NULL;
    size_t used = 0, cap = 0;
    uint64_t cursor = 0;
    int ret = lfs_path(lfs, id, NULL, path);

    while (ret == 0) {
        struct fam_lib_args args = { .size = cursor };
        struct fam_lib_list list;
        FamLibListIter it;
        const void *body;
        const char *name;
        size_t len;

        ret = lfs_call(lfs, FAM_LIB_OP_LISTXATTR, &args, path, NULL, NULL,
                       0, &body, &len);
        if (ret == 0) {
            ret = fam_lib_list_begin(&it, FAM_LIB_ITEM_NAME, body, len,
                                     &list);
        }
        while (ret == 0 &&
               (ret = fam_lib_list_next_name(&it, &name)) == 1) {
            size_t n = strlen(name) + 1;

            if (used + n > cap) {
                char *p = realloc(names, cap = (used + n) * 2);

                if (!p) {
                    ret = -ENOMEM;
                    break;
                }
                names = p;
            }
            memcpy(names + used, name, n);
            used += n;
            ret = 0;
        }
        if (ret < 0 || list.done) {
            break;
        }
        cursor = list.next;
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
    } else {
        reply_value(req, names, used, size);
    }
    free(names);
}

static void lfs_removexattr(fuse_req_t req, fuse_ino_t id, const char *name)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    int ret = lfs_path(lfs, id, NULL, path);

    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_REMOVEXATTR, NULL, path, name, NULL,
                       0, NULL, NULL);
    }
    fuse_reply_err(req, -ret);
}

void lfs_ops_xattr(struct fuse_lowlevel_ops *ops)
{
    ops->getxattr = lfs_getxattr;
    ops->setxattr = lfs_setxattr;
    ops->listxattr = lfs_listxattr;
    ops->removexattr = lfs_removexattr;
}
