/*
 * Files unlinked while open on this node (see LFS_ORPHANS in lfs.h).
 *
 * POSIX lets a process keep using a file after its name is gone; the
 * Librarian refuses to destroy an open shelf (EBUSY), because its books
 * may be mapped on some node. So when the open file is this node's, the
 * daemon renames it into the hidden orphan directory instead and removes
 * it at its last close here. A file open on another node only keeps
 * EBUSY: this daemon cannot know when that node closes it.
 *
 * A file only mapped here (its descriptors closed) counts as open: FUSE
 * passthrough maps the driver's shelf file, which keeps the Librarian
 * handle until the last mapping goes. Its removal waits too, and since
 * no request tells the daemon when the mapping goes, the daemon retries
 * it on a timer (lfs_orphans_sweep).
 */
#include "lfs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib-client-msg.h"

bool lfs_is_orphans(uint64_t parent, const char *name)
{
    return parent == FUSE_ROOT_ID && strcmp(name, LFS_ORPHANS_NAME) == 0;
}

static void orphan_path(uint64_t id, char *buf, size_t len)
{
    snprintf(buf, len, LFS_ORPHANS "/%" PRIu64, id);
}

void lfs_orphans_init(Lfs *lfs)
{
    struct fam_lib_args args = { .mode = 0700 };
    char names[64][FAM_LIB_NAME_MAX + 1];
    unsigned n = 0;
    uint64_t cursor = 0;
    bool done = false;

    lfs_call(lfs, FAM_LIB_OP_MKDIR, &args, LFS_ORPHANS, NULL, NULL, 0, NULL,
             NULL);
    /* Left by a daemon that died: remove what nobody has open any more. */
    while (!done) {
        struct fam_lib_list list;
        struct fam_lib_dirent ent;
        FamLibListIter it;
        const void *body;
        const char *name;
        size_t len;

        args = (struct fam_lib_args){ .size = cursor };
        if (lfs_call(lfs, FAM_LIB_OP_READDIR, &args, LFS_ORPHANS, NULL, NULL,
                     0, &body, &len) != 0 ||
            fam_lib_list_begin(&it, FAM_LIB_ITEM_DIRENT, body, len,
                               &list) != 0) {
            break;
        }
        while (n < 64 && fam_lib_list_next_dirent(&it, &ent, &name) == 1) {
            snprintf(names[n++], sizeof(names[0]), "%s", name);
        }
        done = list.done || n == 64;
        cursor = list.next;
    }
    for (unsigned i = 0; i < n; i++) {
        char path[FAM_LIB_PATH_MAX];

        snprintf(path, sizeof(path), LFS_ORPHANS "/%.*s",
                 (int)FAM_LIB_NAME_MAX, names[i]);
        lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0, NULL,
                 NULL);
    }
}

int lfs_unlink_settled(Lfs *lfs, const char *path)
{
    int ret;

    for (int tries = 0;; tries++) {
        ret = lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0,
                       NULL, NULL);
        if (ret != -EBUSY || tries == 20) {
            return ret;
        }
        usleep(1000);
    }
}

bool lfs_held_here(Lfs *lfs, LfsInode *ino)
{
    struct fam_lib_args args = { .handle = ino->handle };
    const struct fam_lib_fstat *f;
    const void *body;
    size_t len;

    if (ino->opens > 0) {
        return true;
    }
    if (ino->handle == 0 ||
        lfs_call(lfs, FAM_LIB_OP_FSTAT, &args, NULL, NULL, NULL, 0, &body,
                 &len) != 0 || len < sizeof(*f)) {
        return false;
    }
    /* Handles are numbers the Librarian may give out again: same shelf? */
    f = body;
    return f->attr.id == ino->id;
}

int lfs_orphan(Lfs *lfs, LfsInode *ino)
{
    char from[FAM_LIB_PATH_MAX], to[64];
    int ret = lfs_path(lfs, ino->id, NULL, from);

    orphan_path(ino->id, to, sizeof(to));
    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_RENAME, NULL, from, to, NULL, 0, NULL,
                       NULL);
    }
    if (ret == 0) {
        ino->orphan = true;
    }
    if (ret == 0 && ino->opens == 0 && !ino->orphan_waits) {
        /* Only mapped: no release will come to reap it */
        ino->orphan_waits = true;
        lfs->orphans_waiting++;
    }
    return ret;
}

static void orphan_done(Lfs *lfs, LfsInode *ino)
{
    if (ino->orphan_waits) {
        ino->orphan_waits = false;
        lfs->orphans_waiting--;
    }
    ino->orphan = false;
    lfs_inode_move(lfs, ino, ino->parent, NULL);
}

void lfs_orphan_named(Lfs *lfs, LfsInode *ino)
{
    char path[64];

    orphan_path(ino->id, path, sizeof(path));
    lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0, NULL, NULL);
    if (ino->orphan_waits) {
        ino->orphan_waits = false;
        lfs->orphans_waiting--;
    }
    ino->orphan = false;
}

void lfs_orphan_reap(Lfs *lfs, LfsInode *ino)
{
    char path[64];
    int ret;

    orphan_path(ino->id, path, sizeof(path));
    ret = lfs_unlink_settled(lfs, path);
    if (ret == -EBUSY) {
        /* Still mapped here, or opened by another node: retried later */
        if (!ino->orphan_waits) {
            ino->orphan_waits = true;
            lfs->orphans_waiting++;
        }
        return;
    }
    if (ret < 0) {
        fprintf(stderr, "fam-lfs: removing %s at its last close: %s\n",
                path, strerror(-ret));
    }
    orphan_done(lfs, ino);
}

void lfs_orphans_sweep(Lfs *lfs)
{
    for (size_t i = 0; i < lfs->nbuckets && lfs->orphans_waiting; i++) {
        LfsInode *ino = lfs->buckets[i];

        while (ino) {
            LfsInode *next = ino->next;
            char path[64];
            int ret;

            if (ino->orphan_waits && ino->opens == 0) {
                orphan_path(ino->id, path, sizeof(path));
                ret = lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, path, NULL,
                               NULL, 0, NULL, NULL);
                if (ret != -EBUSY) {
                    orphan_done(lfs, ino);
                    /* Freed if the kernel forgot it meanwhile */
                    lfs_inode_forget(lfs, ino->id, 0);
                }
            }
            ino = next;
        }
    }
}
