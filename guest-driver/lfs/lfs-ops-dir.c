/*
 * The namespace operations: lookup, attributes of any inode, directories,
 * names (create lives with the files, in lfs-ops-file.c) and statfs.
 */
#include "lfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib-client-msg.h"

static Lfs *lfs_of(fuse_req_t req)
{
    return fuse_req_userdata(req);
}

LfsInode *lfs_fill_entry(Lfs *lfs, uint64_t parent, const char *name,
                         const struct fam_lib_attr *a,
                         struct fuse_entry_param *e)
{
    LfsInode *ino = lfs_inode_remember(lfs, a->id, parent, name);

    memset(e, 0, sizeof(*e));
    if (!ino) {
        return NULL;
    }
    ino->size_seen = a->size;
    ino->last = *a;
    e->ino = a->id;
    e->generation = 1;
    e->attr_timeout = lfs->timeout;
    e->entry_timeout = lfs->timeout;
    lfs_attr_to_stat(lfs, a, &e->attr);
    return ino;
}

void lfs_reply_entry(fuse_req_t req, Lfs *lfs, uint64_t parent,
                     const char *name, const struct fam_lib_attr *a)
{
    struct fuse_entry_param e;

    if (!lfs_fill_entry(lfs, parent, name, a, &e)) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (fuse_reply_entry(req, &e) != 0) {
        /* The kernel did not take the reference (an interrupted call). */
        lfs_inode_forget(lfs, a->id, 1);
    }
}

void lfs_reply_attr(fuse_req_t req, Lfs *lfs, const struct fam_lib_attr *a)
{
    struct stat st;
    LfsInode *ino = lfs_inode_find(lfs, a->id);

    lfs_attr_to_stat(lfs, a, &st);
    if (ino) {
        ino->size_seen = a->size;
        ino->last = *a;
        if (ino->orphan) {
            st.st_nlink = 0;    /* unlinked, still open */
        }
    }
    fuse_reply_attr(req, &st, lfs->timeout);
}

static void lfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_attr a;
    int ret = lfs_path(lfs, parent, name, path);

    if (lfs_is_orphans(parent, name)) {
        ret = -ENOENT;
    }
    if (ret == 0) {
        ret = lfs_getattr_path(lfs, path, &a);
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    lfs_reply_entry(req, lfs, parent, name, &a);
}

static void lfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    lfs_inode_forget(lfs_of(req), ino, nlookup);
    fuse_reply_none(req);
}

static void lfs_forget_multi(fuse_req_t req, size_t count,
                             struct fuse_forget_data *forgets)
{
    for (size_t i = 0; i < count; i++) {
        lfs_inode_forget(lfs_of(req), forgets[i].ino, forgets[i].nlookup);
    }
    fuse_reply_none(req);
}

void lfs_reply_getattr(fuse_req_t req, Lfs *lfs, uint64_t id)
{
    LfsInode *ino = lfs_inode_find(lfs, id);
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_attr a;
    int ret;

    if (ino && ino->shelf_fd >= 0) {
        /* Open here: by handle, right even if renamed elsewhere. */
        struct fam_lib_args args = { .handle = ino->handle };
        const void *body;
        size_t len;

        lfs_push_mtime(lfs, ino);
        ret = lfs_call(lfs, FAM_LIB_OP_FSTAT, &args, NULL, NULL, NULL, 0,
                       &body, &len);
        if (ret == 0 && len < sizeof(struct fam_lib_fstat)) {
            ret = -EPROTO;
        }
        if (ret == 0) {
            memcpy(&a, &((const struct fam_lib_fstat *)body)->attr,
                   sizeof(a));
        }
    } else if (ino && !ino->name && !ino->path && !ino->orphan &&
               ino->last.id == id) {
        /*
         * Removed here (rmdir, or replaced by a rename) while the kernel
         * still has it, e.g. an open directory: what it was, no links.
         */
        a = ino->last;
        a.nlink = 0;
        ret = 0;
    } else {
        ret = lfs_path(lfs, id, NULL, path);
        if (ret == 0) {
            ret = lfs_getattr_path(lfs, path, &a);
        }
        /* Another shelf now has this inode's name: this one is gone. */
        if (ret == 0 && a.id != id) {
            ret = -ESTALE;
        }
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    lfs_reply_attr(req, lfs, &a);
}

static void lfs_getattr(fuse_req_t req, fuse_ino_t id,
                        struct fuse_file_info *fi)
{
    (void)fi;
    lfs_reply_getattr(req, lfs_of(req), id);
}

/* MKDIR or SYMLINK, owned by the calling process. */
static void make_entry(fuse_req_t req, fuse_ino_t parent, const char *name,
                       uint16_t op, mode_t mode, const char *target)
{
    Lfs *lfs = lfs_of(req);
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    struct fam_lib_args args = {
        .mode = op == FAM_LIB_OP_MKDIR ? (mode & 07777) : 0,
        .flags = FAM_LIB_MAKE_OWNER,
        .uid = ctx->uid,
        .gid = ctx->gid,
    };
    char path[FAM_LIB_PATH_MAX];
    struct fam_lib_attr a;
    int ret = lfs_path(lfs, parent, name, path);

    if (ret == 0) {
        ret = lfs_call_attr(lfs, op, &args, path, target, &a);
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    lfs_reply_entry(req, lfs, parent, name, &a);
}

static void lfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
                      mode_t mode)
{
    make_entry(req, parent, name, FAM_LIB_OP_MKDIR, mode, NULL);
}

static void lfs_symlink(fuse_req_t req, const char *target,
                        fuse_ino_t parent, const char *name)
{
    make_entry(req, parent, name, FAM_LIB_OP_SYMLINK, 0, target);
}

static void lfs_readlink(fuse_req_t req, fuse_ino_t id)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    const void *body;
    size_t len;
    int ret = lfs_path(lfs, id, NULL, path);

    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_READLINK, NULL, path, NULL, NULL, 0,
                       &body, &len);
    }
    if (ret == 0 && (len == 0 || ((const char *)body)[len - 1] != '\0')) {
        ret = -EPROTO;
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    fuse_reply_readlink(req, body);
}

/* UNLINK or RMDIR of `name` in `parent`; the inode, if known, loses it. */
static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name,
                         uint16_t op)
{
    Lfs *lfs = lfs_of(req);
    char path[FAM_LIB_PATH_MAX];
    int ret = lfs_path(lfs, parent, name, path);
    LfsInode *gone;

    if (ret == 0) {
        ret = lfs_call(lfs, op, NULL, path, NULL, NULL, 0, NULL, NULL);
    }
    gone = ret == 0 ? lfs_inode_child(lfs, parent, name) : NULL;
    if (ret == -EBUSY && op == FAM_LIB_OP_UNLINK) {
        /* By the Librarian's id: this daemon may know older inodes that
         * had this name */
        struct fam_lib_attr a;

        if (lfs_getattr_path(lfs, path, &a) == 0) {
            gone = lfs_inode_find(lfs, a.id);
        }
    }
    if (ret == -EBUSY && op == FAM_LIB_OP_UNLINK && gone && !gone->opens) {
        /* Perhaps just closed here, the handle not yet gone */
        ret = lfs_unlink_settled(lfs, path);
    }
    if (ret == -EBUSY && op == FAM_LIB_OP_UNLINK && gone &&
        lfs_held_here(lfs, gone)) {
        /* Open or mapped here: removed at its last close or unmap */
        ret = lfs_orphan(lfs, gone);
    } else if (ret == 0 && gone) {
        lfs_inode_name_gone(lfs, gone);
    }
    fuse_reply_err(req, -ret);
}

static void lfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_entry(req, parent, name, FAM_LIB_OP_UNLINK);
}

static void lfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_entry(req, parent, name, FAM_LIB_OP_RMDIR);
}

/* renameat2(2) flags as the Librarian's, or -EINVAL (RENAME_WHITEOUT) */
static int rename_flags(unsigned int flags, uint32_t *out)
{
    if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)) {
        return -EINVAL;
    }
    *out = (flags & RENAME_NOREPLACE ? FAM_LIB_RENAME_NOREPLACE : 0) |
           (flags & RENAME_EXCHANGE ? FAM_LIB_RENAME_EXCHANGE : 0);
    return 0;
}

static void lfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
                       fuse_ino_t newparent, const char *newname,
                       unsigned int flags)
{
    Lfs *lfs = lfs_of(req);
    char from[FAM_LIB_PATH_MAX], to[FAM_LIB_PATH_MAX];
    struct fam_lib_args args = { 0 };
    struct fam_lib_attr a;
    LfsInode *moved, *replaced;
    int ret = rename_flags(flags, &args.flags);

    if (ret == 0) {
        ret = lfs_path(lfs, parent, name, from);
    }
    if (ret == 0) {
        ret = lfs_path(lfs, newparent, newname, to);
    }
    if (ret == 0) {
        ret = lfs_call(lfs, FAM_LIB_OP_RENAME, &args, from, to, NULL, 0,
                       NULL, NULL);
    }
    replaced = lfs_inode_child(lfs, newparent, newname);
    if (ret == -EBUSY && lfs_getattr_path(lfs, to, &a) == 0) {
        replaced = lfs_inode_find(lfs, a.id);   /* by id, as in unlink */
    }
    if (ret == -EBUSY && replaced && lfs_held_here(lfs, replaced) &&
        lfs_orphan(lfs, replaced) == 0) {
        /* The file it replaces is open here: it goes at its last close */
        ret = lfs_call(lfs, FAM_LIB_OP_RENAME, &args, from, to, NULL, 0,
                       NULL, NULL);
        replaced = NULL;
    }
    if (ret == 0) {
        moved = lfs_inode_child(lfs, parent, name);
        if (replaced && replaced != moved) {
            /* Replaced: no name. Exchanged: the source's old name. */
            if (flags & RENAME_EXCHANGE) {
                ret = lfs_inode_move(lfs, replaced, parent, name);
            } else {
                lfs_inode_name_gone(lfs, replaced);
            }
        }
        if (ret == 0 && moved) {
            ret = lfs_inode_move(lfs, moved, newparent, newname);
        }
    }
    fuse_reply_err(req, -ret);
}

/* A hard link: the Librarian gives the shelf one more name. */
static void lfs_link(fuse_req_t req, fuse_ino_t id, fuse_ino_t newparent,
                     const char *newname)
{
    Lfs *lfs = lfs_of(req);
    char from[FAM_LIB_PATH_MAX], to[FAM_LIB_PATH_MAX];
    struct fam_lib_attr a;
    LfsInode *ino;
    int ret = lfs_path(lfs, id, NULL, from);

    if (ret == 0) {
        ret = lfs_path(lfs, newparent, newname, to);
    }
    if (ret == 0) {
        ret = lfs_call_attr(lfs, FAM_LIB_OP_LINK, NULL, from, to, &a);
    }
    if (ret == 0 && a.id != id) {
        ret = -ESTALE;      /* the name is another shelf's now */
        lfs_call(lfs, FAM_LIB_OP_UNLINK, NULL, to, NULL, NULL, 0, NULL,
                 NULL);
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    ino = lfs_inode_find(lfs, id);
    if (ino && ino->orphan) {
        lfs_orphan_named(lfs, ino);
        a.nlink--;
    }
    lfs_reply_entry(req, lfs, newparent, newname, &a);
}

/*
 * Directory offsets: 1 and 2 are "." and "..", an entry's is the READDIR
 * cursor that continues after it (above 2: the Librarian's cursors
 * start after shelf id 1, the root, which is in no directory).
 */
static void lfs_readdir(fuse_req_t req, fuse_ino_t id, size_t size,
                        off_t off, struct fuse_file_info *fi)
{
    Lfs *lfs = lfs_of(req);
    LfsInode *dir = lfs_inode_find(lfs, id);
    char path[FAM_LIB_PATH_MAX];
    char *buf = malloc(size ? size : 1);
    size_t used = 0;
    struct stat st;
    uint64_t cursor = off <= LFS_DIRENT_OFF_DOTDOT ? 0 : (uint64_t)off;
    bool full = false;
    int ret = lfs_path(lfs, id, NULL, path);

    (void)fi;
    if (!buf) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    memset(&st, 0, sizeof(st));
    st.st_mode = S_IFDIR;
    if (ret == 0 && off < LFS_DIRENT_OFF_DOT) {
        st.st_ino = id;
        used += fuse_add_direntry(req, buf + used, size - used, ".", &st,
                                  LFS_DIRENT_OFF_DOT);
    }
    if (ret == 0 && off < LFS_DIRENT_OFF_DOTDOT) {
        st.st_ino = dir ? dir->parent : FUSE_ROOT_ID;
        used += fuse_add_direntry(req, buf + used, size - used, "..", &st,
                                  LFS_DIRENT_OFF_DOTDOT);
    }
    while (ret == 0 && !full) {
        struct fam_lib_args args = { .size = cursor };
        struct fam_lib_list list;
        struct fam_lib_dirent ent;
        FamLibListIter it;
        const void *body;
        const char *name;
        size_t len;

        ret = lfs_call(lfs, FAM_LIB_OP_READDIR, &args, path, NULL, NULL, 0,
                       &body, &len);
        if (ret == 0) {
            ret = fam_lib_list_begin(&it, FAM_LIB_ITEM_DIRENT, body, len,
                                     &list);
        }
        while (ret == 0 && (ret = fam_lib_list_next_dirent(&it, &ent,
                                                            &name)) == 1) {
            size_t n;

            if (lfs_is_orphans(id, name)) {
                ret = 0;
                continue;
            }
            st.st_ino = ent.id;
            st.st_mode = ent.mode;
            n = fuse_add_direntry(req, buf + used, size - used, name, &st,
                                  (off_t)ent.next);
            if (n > size - used) {
                full = true;
                ret = 0;
                break;
            }
            used += n;
            ret = 0;
        }
        if (ret < 0 || full || list.done) {
            break;
        }
        cursor = list.next;
    }
    if (ret < 0 && used == 0) {
        fuse_reply_err(req, -ret);
    } else {
        fuse_reply_buf(req, buf, used);
    }
    free(buf);
}

static void lfs_statfs(fuse_req_t req, fuse_ino_t id)
{
    Lfs *lfs = lfs_of(req);
    struct fam_lib_statfs s;
    struct statvfs sv;
    const void *body;
    size_t len;
    int ret;

    (void)id;
    ret = lfs_call(lfs, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0, &body,
                   &len);
    if (ret == 0 && len < sizeof(s)) {
        ret = -EPROTO;
    }
    if (ret < 0) {
        fuse_reply_err(req, -ret);
        return;
    }
    memcpy(&s, body, sizeof(s));
    memset(&sv, 0, sizeof(sv));
    /* Blocks are books: `df` shows the pool as the Librarian counts it. */
    sv.f_bsize = s.book_size;
    sv.f_frsize = s.book_size;
    sv.f_blocks = s.books_total;
    sv.f_bfree = s.books_free;
    sv.f_bavail = s.books_free;
    sv.f_files = s.shelves + s.books_free;
    sv.f_ffree = s.books_free;
    sv.f_favail = s.books_free;
    sv.f_namemax = FAM_LIB_NAME_MAX;
    fuse_reply_statfs(req, &sv);
}

void lfs_ops_dir(struct fuse_lowlevel_ops *ops)
{
    ops->lookup = lfs_lookup;
    ops->forget = lfs_forget;
    ops->forget_multi = lfs_forget_multi;
    ops->getattr = lfs_getattr;
    ops->mkdir = lfs_mkdir;
    ops->symlink = lfs_symlink;
    ops->readlink = lfs_readlink;
    ops->unlink = lfs_unlink;
    ops->rmdir = lfs_rmdir;
    ops->rename = lfs_rename;
    ops->link = lfs_link;
    ops->readdir = lfs_readdir;
    ops->statfs = lfs_statfs;
}
