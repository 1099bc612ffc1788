/* Librarian requests through /dev/famN (FAM_IOC_LIB): see lfs.h. */
#include "lfs.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fame/fam-ioctl.h"
#include "lib-client-msg.h"

int lfs_call(Lfs *lfs, uint16_t op, const struct fam_lib_args *args,
             const char *str1, const char *str2, const void *blob,
             size_t blob_len, const void **body, size_t *len)
{
    uint32_t seq = ++lfs->seq;
    struct fam_ioc_lib call;
    int n;

    /* The driver fills in uid, gid and pid; the device, the node. */
    n = fam_lib_msg_build(lfs->req, sizeof(lfs->req), op, seq, 0, 0, 0, 0,
                          args, str1, str2, blob, blob_len);
    if (n < 0) {
        return n == -EMSGSIZE ? -ENAMETOOLONG : n;
    }
    memset(&call, 0, sizeof(call));
    call.request = (uintptr_t)lfs->req;
    call.reply = (uintptr_t)lfs->reply;
    call.request_len = (uint32_t)n;
    call.reply_len = sizeof(lfs->reply);
    lfs->stats.lib_calls++;
    if (ioctl(lfs->fam_fd, FAM_IOC_LIB, &call) < 0) {
        return -errno;
    }
    if (call.reply_len > sizeof(lfs->reply)) {
        return -EPROTO;
    }
    return fam_lib_reply_check(lfs->reply, call.reply_len, op, seq, body,
                               len);
}

int lfs_call_attr(Lfs *lfs, uint16_t op, const struct fam_lib_args *args,
                  const char *str1, const char *str2,
                  struct fam_lib_attr *attr)
{
    const void *body;
    size_t len;
    int ret = lfs_call(lfs, op, args, str1, str2, NULL, 0, &body, &len);

    if (ret == 0) {
        if (len < sizeof(*attr)) {
            return -EPROTO;
        }
        memcpy(attr, body, sizeof(*attr));
    }
    return ret;
}

int lfs_getattr_path(Lfs *lfs, const char *path, struct fam_lib_attr *attr)
{
    return lfs_call_attr(lfs, FAM_LIB_OP_GETATTR, NULL, path, NULL, attr);
}

/* Nanoseconds since the epoch, possibly before it, as a timespec. */
static struct timespec ns_to_ts(int64_t ns)
{
    struct timespec ts = { .tv_sec = ns / 1000000000,
                           .tv_nsec = ns % 1000000000 };

    if (ts.tv_nsec < 0) {
        ts.tv_sec--;
        ts.tv_nsec += 1000000000;
    }
    return ts;
}

void lfs_attr_to_stat(const Lfs *lfs, const struct fam_lib_attr *a,
                      struct stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_ino = a->id;
    st->st_mode = a->mode;
    st->st_nlink = a->nlink;
    st->st_uid = a->uid;
    st->st_gid = a->gid;
    st->st_size = (off_t)a->size;
    /* What the file holds in the pool: whole books (du counts those). */
    st->st_blocks = (blkcnt_t)(a->books * lfs->book_size / 512);
    st->st_blksize = 65536;
    st->st_atim = ns_to_ts(a->atime_ns);
    st->st_mtim = ns_to_ts(a->mtime_ns);
    st->st_ctim = ns_to_ts(a->ctime_ns);
}
