/*
 * Files unlinked while open on this node (see LFS_ORPHANS in lfs.h).
 *
 * POSIX lets a process keep using a file after its name is gone; the
 * Librarian refuses to destroy an open shelf (EBUSY), because its books
 * may be mapped on some node. So when the open file is this node's, the
 * daemon renames it into the hidden orphan directory instead and removes
 * it at its last close here. A file open on another node only keeps
 * EBUSY: this daemon cannot know when that node closes it.
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
    return ret;
}

void lfs_orphan_reap(Lfs *lfs, LfsInode *ino)
{
    char path[64];

    orphan_path(ino->id, path, sizeof(path));
    /* EBUSY: another node opened it meanwhile; the next start reaps it. */
    int ret = lfs_unlink_settled(lfs, path);

    if (ret < 0) {
        fprintf(stderr, "fam-lfs: removing %s at its last close: %s\n",
                path, strerror(-ret));
    }
    lfs_inode_move(lfs, ino, ino->parent, NULL);
    ino->orphan = false;
}
