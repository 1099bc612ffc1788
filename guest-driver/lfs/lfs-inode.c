/*
 * The inodes the kernel knows, by shelf id, and the paths built from them.
 *
 * The kernel keeps a directory's inode referenced while it holds any of
 * its children, so walking `parent` from a known inode always reaches the
 * root through known inodes.
 */
#include "lfs.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_BUCKETS 1024

static size_t bucket_of(const Lfs *lfs, uint64_t id)
{
    /* Shelf ids are dense: a multiplicative hash spreads them. */
    return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 20) % lfs->nbuckets;
}

int lfs_inodes_init(Lfs *lfs)
{
    lfs->nbuckets = MIN_BUCKETS;
    lfs->buckets = calloc(lfs->nbuckets, sizeof(*lfs->buckets));
    if (!lfs->buckets) {
        return -ENOMEM;
    }
    memset(&lfs->root, 0, sizeof(lfs->root));
    lfs->root.id = FUSE_ROOT_ID;
    lfs->root.parent = FUSE_ROOT_ID;
    lfs->root.name = strdup("");
    lfs->root.nlookup = 1;
    lfs->root.shelf_fd = -1;
    return lfs->root.name ? 0 : -ENOMEM;
}

void lfs_inodes_free(Lfs *lfs)
{
    for (size_t i = 0; i < lfs->nbuckets; i++) {
        LfsInode *ino = lfs->buckets[i];

        while (ino) {
            LfsInode *next = ino->next;

            free(ino->name);
            free(ino->path);
            free(ino);
            ino = next;
        }
    }
    free(lfs->buckets);
    free(lfs->root.name);
    lfs->buckets = NULL;
}

LfsInode *lfs_inode_find(Lfs *lfs, uint64_t id)
{
    if (id == FUSE_ROOT_ID) {
        return &lfs->root;
    }
    for (LfsInode *ino = lfs->buckets[bucket_of(lfs, id)]; ino;
         ino = ino->next) {
        if (ino->id == id) {
            return ino;
        }
    }
    return NULL;
}

static void grow(Lfs *lfs)
{
    size_t n = lfs->nbuckets * 2;
    LfsInode **b = calloc(n, sizeof(*b));
    LfsInode **old = lfs->buckets;
    size_t oldn = lfs->nbuckets;

    if (!b) {
        return;     /* longer chains, still correct */
    }
    lfs->buckets = b;
    lfs->nbuckets = n;
    for (size_t i = 0; i < oldn; i++) {
        LfsInode *ino = old[i];

        while (ino) {
            LfsInode *next = ino->next;
            size_t k = bucket_of(lfs, ino->id);

            ino->next = b[k];
            b[k] = ino;
            ino = next;
        }
    }
    free(old);
}

int lfs_inode_move(Lfs *lfs, LfsInode *ino, uint64_t parent,
                   const char *name)
{
    char *copy;

    (void)lfs;
    if (ino->id == FUSE_ROOT_ID) {
        return 0;
    }
    copy = name ? strdup(name) : NULL;
    if (name && !copy) {
        return -ENOMEM;
    }
    free(ino->name);
    free(ino->path);
    ino->name = copy;
    ino->path = NULL;
    ino->parent = parent;
    return 0;
}

/*
 * The file's first name (GETPATH), as a parent the daemon knows and a
 * name if it can, else as a whole path.
 */
static void take_path(Lfs *lfs, LfsInode *ino, const char *path)
{
    char dir[FAM_LIB_PATH_MAX];
    const char *leaf = strrchr(path, '/') + 1;
    struct fam_lib_attr a;

    memcpy(dir, path, (size_t)(leaf - path));
    dir[leaf - path > 1 ? leaf - path - 1 : 1] = '\0';
    if (lfs_getattr_path(lfs, dir, &a) == 0 && lfs_inode_find(lfs, a.id) &&
        lfs_inode_move(lfs, ino, a.id, leaf) == 0) {
        return;
    }
    ino->path = strdup(path);
}

void lfs_inode_name_gone(Lfs *lfs, LfsInode *ino)
{
    struct fam_lib_args args = { .size = ino->id };
    bool more = ino->last.id == ino->id && ino->last.nlink > 1 &&
                (ino->last.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFDIR;
    const void *body;
    size_t len;

    lfs_inode_move(lfs, ino, ino->parent, NULL);
    if (more &&
        lfs_call(lfs, FAM_LIB_OP_GETPATH, &args, NULL, NULL, NULL, 0, &body,
                 &len) == 0 &&
        len > 1 && len <= FAM_LIB_PATH_MAX &&
        ((const char *)body)[0] == '/' &&
        memchr(body, '\0', len) == (const char *)body + len - 1) {
        char path[FAM_LIB_PATH_MAX];

        memcpy(path, body, len);    /* the next call reuses the reply */
        take_path(lfs, ino, path);
        ino->last.nlink--;
    }
}

LfsInode *lfs_inode_remember(Lfs *lfs, uint64_t id, uint64_t parent,
                             const char *name)
{
    LfsInode *ino = lfs_inode_find(lfs, id);
    size_t k;

    if (ino) {
        /* Possibly renamed by another node since: take the new place. */
        if (lfs_inode_move(lfs, ino, parent, name) < 0) {
            return NULL;
        }
        ino->nlookup++;
        return ino;
    }
    ino = calloc(1, sizeof(*ino));
    if (!ino || !(ino->name = strdup(name))) {
        free(ino);
        return NULL;
    }
    ino->id = id;
    ino->parent = parent;
    ino->nlookup = 1;
    ino->shelf_fd = -1;
    if (lfs->count >= lfs->nbuckets * 2) {
        grow(lfs);
    }
    k = bucket_of(lfs, id);
    ino->next = lfs->buckets[k];
    lfs->buckets[k] = ino;
    lfs->count++;
    return ino;
}

void lfs_inode_forget(Lfs *lfs, uint64_t id, uint64_t n)
{
    LfsInode **pp, *ino;

    if (id == FUSE_ROOT_ID) {
        return;
    }
    for (pp = &lfs->buckets[bucket_of(lfs, id)]; (ino = *pp);
         pp = &ino->next) {
        if (ino->id != id) {
            continue;
        }
        ino->nlookup = n >= ino->nlookup ? 0 : ino->nlookup - n;
        /*
         * An open file keeps its entry until its last release, an orphan
         * until it is removed.
         */
        if (ino->nlookup == 0 && ino->opens == 0 && !ino->orphan_waits) {
            *pp = ino->next;
            free(ino->name);
            free(ino->path);
            free(ino);
            lfs->count--;
        }
        return;
    }
}

LfsInode *lfs_inode_child(Lfs *lfs, uint64_t parent, const char *name)
{
    char path[FAM_LIB_PATH_MAX];
    int have_path = 0;      /* 1: path is (parent, name)'s, -1: none */

    /* Rare (rename and unlink only): a scan is fine. */
    for (size_t i = 0; i < lfs->nbuckets; i++) {
        for (LfsInode *ino = lfs->buckets[i]; ino; ino = ino->next) {
            /* an orphan keeps its old parent and name for nothing */
            if (ino->parent == parent && ino->name && !ino->orphan &&
                strcmp(ino->name, name) == 0) {
                return ino;
            }
            if (ino->path && !ino->orphan && have_path == 0) {
                have_path = lfs_path(lfs, parent, name, path) == 0 ? 1 : -1;
            }
            if (ino->path && !ino->orphan && have_path == 1 &&
                strcmp(ino->path, path) == 0) {
                return ino;
            }
        }
    }
    return NULL;
}

int lfs_path(Lfs *lfs, uint64_t id, const char *name, char *buf)
{
    size_t end = FAM_LIB_PATH_MAX - 1;
    size_t pos = end;

    buf[end] = '\0';
    if (name) {
        size_t n = strlen(name);

        if (n + 1 > pos) {
            return -ENAMETOOLONG;
        }
        pos -= n;
        memcpy(buf + pos, name, n);
        buf[--pos] = '/';
    }
    while (id != FUSE_ROOT_ID) {
        LfsInode *ino = lfs_inode_find(lfs, id);
        char orphan[48];
        const char *part;
        size_t n;

        if (ino && ino->orphan) {
            /* Its place now: LFS_ORPHANS/<id>, from the root */
            snprintf(orphan, sizeof(orphan), LFS_ORPHANS_NAME "/%" PRIu64,
                     ino->id);
            part = orphan;
        } else if (ino && ino->path) {
            part = ino->path + 1;   /* the whole path, from the root */
        } else if (ino && ino->name) {
            part = ino->name;
        } else {
            return -ESTALE;
        }
        n = strlen(part);
        if (n + 1 > pos) {
            return -ENAMETOOLONG;
        }
        pos -= n;
        memcpy(buf + pos, part, n);
        buf[--pos] = '/';
        id = ino->orphan || ino->path ? FUSE_ROOT_ID : ino->parent;
    }
    if (pos == end) {
        buf[--pos] = '/';   /* the root itself */
    }
    memmove(buf, buf + pos, end - pos + 1);
    return 0;
}
