/*
 * The Librarian core: the allocator and namespace of the FAM pool, on
 * SQLite. Plain C11, no global state: everything lives in a FamLib.
 *
 * One FamLib owns one database file. Every operation is one SQLite
 * transaction, runs with the caller's identity (FamLibCaller) and returns
 * 0 (or a count, where documented) on success and a negative errno value
 * on failure, the errno the protocol (fam-librarian-proto.h) carries.
 *
 * A FamLib may be used from several threads: operations are serialized by
 * an internal mutex (SQLite's own locking protects against other
 * processes opening the same file, e.g. the CLI next to a daemon).
 *
 * Structures shared with the wire (struct fam_lib_attr, ...) come from the
 * protocol header, so the core fills replies without copying.
 */
#ifndef FAME_LIBRARIAN_H
#define FAME_LIBRARIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fame/fam-librarian-proto.h"
#include "fam-model.h"
#include "lib-policy.h"

#define FAM_LIB_SCHEMA_VERSION      2

/* The caller's node for requests made on the host (CLI, tests): no
 * locality, as the planner sees it. */
#define FAM_LIB_NODE_HOST           FAM_POLICY_NO_NODE

/* Who asks. uid 0 is the superuser on every node. */
typedef struct FamLibCaller {
    uint32_t node;      /* 0..nodes-1, or FAM_LIB_NODE_HOST */
    uint32_t uid;
    uint32_t gid;
    uint32_t pid;
} FamLibCaller;

/*
 * What the Librarian asks of the fabric, called after the transaction
 * that decided it has committed, from the thread that made the request.
 * Any hook may be NULL.
 */
typedef struct FamLibHooks {
    void *opaque;
    /* Let `node` access [offset, offset + len) of the pool. */
    void (*grant)(void *opaque, uint32_t node, uint64_t offset,
                  uint64_t len, bool writable);
    /* Take that access away again. */
    void (*revoke)(void *opaque, uint32_t node, uint64_t offset,
                   uint64_t len);
} FamLibHooks;

typedef struct FamLibConfig {
    const char *db_path;        /* the SQLite file; created if absent */
    const FamModel *model;      /* topology, modules, book size, pool size;
                                 * must outlive the FamLib */
    /*
     * The pool mapped read-write (model->pool_size bytes), for zeroing
     * freed books. NULL only for offline tools that must not zero: books
     * then stay ZOMBIE until a Librarian with the pool runs.
     */
    void *pool;
    FamLibHooks hooks;
    /* The model file's text, stored in a new database so that tools can
     * rebuild the same model without the file (fam_lib_read_setup). */
    const char *model_text;
    /* Seed of RandomBooks (0: from the clock), for reproducible runs. */
    uint64_t seed;
} FamLibConfig;

/* The file name a database gets next to its pool file: POOL + this. */
#define FAM_LIB_DB_SUFFIX           ".librarian.db"

/* What an existing database was created for. */
typedef struct FamLibSetup {
    char *model_name;
    char *model_text;           /* as given in FamLibConfig.model_text */
    uint32_t nodes;
    uint64_t pool_size;
    uint64_t book_size;
    uint32_t schema;            /* its schema version */
} FamLibSetup;

/* Read it without opening the FamLib (-ENOENT: no such database). */
int fam_lib_read_setup(const char *db_path, FamLibSetup *out,
                       char **errmsg);
void fam_lib_setup_free(FamLibSetup *setup);

typedef struct FamLib FamLib;

/*
 * Open the database, creating it for cfg->model if the file is absent or
 * empty, migrating an older schema, and checking that it describes the
 * same pool as the model (book size, pool size, nodes, modules): a
 * mismatch is an error, never a silent reformat. Then zero every ZOMBIE
 * book (an interrupted free). On error return NULL and, if errmsg is not
 * NULL, a malloc()ed message in *errmsg.
 */
FamLib *fam_lib_open(const FamLibConfig *cfg, char **errmsg);
void fam_lib_close(FamLib *lib);

/* The model the FamLib was opened with. */
const FamModel *fam_lib_model(const FamLib *lib);

/* --- the pool ------------------------------------------------------------ */
int fam_lib_statfs(FamLib *lib, struct fam_lib_statfs *out);
int fam_lib_book_info(FamLib *lib, uint64_t book, struct fam_lib_book *out);

/*
 * List callbacks: return true to take the item, false when out of room.
 * A list operation stops at the first refusal or after the last item,
 * sets *next to the cursor that resumes at the refused item and *done to
 * whether nothing is left. Cursors are opaque; 0 starts a list.
 */
typedef bool (*FamLibBookFn)(void *opaque, const struct fam_lib_book *book);
/* A directory entry: its shelf, and the cursor that resumes after it. */
typedef bool (*FamLibDirFn)(void *opaque, uint64_t id, uint32_t mode,
                            const char *name, uint64_t next);
typedef bool (*FamLibOpenedFn)(void *opaque,
                               const struct fam_lib_opened *opened);
typedef bool (*FamLibNameFn)(void *opaque, const char *name);
typedef bool (*FamLibOobFn)(void *opaque, uint64_t id, uint32_t node,
                            const void *msg, size_t len);

/* All books (module == UINT32_MAX) or those of one module. */
int fam_lib_list_books(FamLib *lib, uint32_t module, uint64_t cursor,
                       FamLibBookFn fn, void *opaque,
                       uint64_t *next, bool *done);

/* --- shelves and directories --------------------------------------------- */
int fam_lib_getattr(FamLib *lib, const FamLibCaller *who, const char *path,
                    struct fam_lib_attr *out);
int fam_lib_create(FamLib *lib, const FamLibCaller *who, const char *path,
                   uint32_t mode, struct fam_lib_attr *out);
int fam_lib_mkdir(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t mode, struct fam_lib_attr *out);
int fam_lib_symlink(FamLib *lib, const FamLibCaller *who, const char *path,
                    const char *target, struct fam_lib_attr *out);
/*
 * A shelf made by the superuser for another owner (FAM_LIB_MAKE_OWNER):
 * as fam_lib_create, _mkdir or _symlink by `type`, owned by uid/gid.
 * -EPERM for any other caller.
 */
typedef struct FamLibNew {
    uint32_t type;          /* FAM_LIB_S_IFREG, _IFDIR or _IFLNK */
    uint32_t mode;          /* permission bits; ignored for symlinks */
    const char *target;     /* symlinks */
    uint32_t uid;
    uint32_t gid;
} FamLibNew;
int fam_lib_make_owned(FamLib *lib, const FamLibCaller *who,
                       const char *path, const FamLibNew *n,
                       struct fam_lib_attr *out);
/* Copies the target with its NUL; returns its length without the NUL,
 * or -ERANGE if cap is too small. */
int fam_lib_readlink(FamLib *lib, const FamLibCaller *who, const char *path,
                     char *buf, size_t cap);

/*
 * Hard links. fam_lib_link gives the file or symlink at `from` the further
 * name `to` (EPERM for a directory, EMLINK past 65000 names); `out` (may
 * be NULL) gets its attributes. fam_lib_getpath copies the path of shelf
 * `id`'s first name, NUL included, if the caller may look it up, and
 * returns its length without the NUL (-ERANGE if cap is too small).
 */
int fam_lib_link(FamLib *lib, const FamLibCaller *who, const char *from,
                 const char *to, struct fam_lib_attr *out);
int fam_lib_getpath(FamLib *lib, const FamLibCaller *who, uint64_t id,
                    char *buf, size_t cap);

/*
 * Open a shelf for FAM_LIB_OPEN_READ and/or _WRITE (permission checked),
 * record the handle for (node, pid) and grant the node the shelf's books.
 */
int fam_lib_open_shelf(FamLib *lib, const FamLibCaller *who,
                       const char *path, uint32_t flags, uint64_t *handle,
                       struct fam_lib_attr *out);
/* Close a handle of the caller's node; revoke what no other open needs. */
int fam_lib_close_shelf(FamLib *lib, const FamLibCaller *who,
                        uint64_t handle);
/*
 * What a handle of the caller's node was opened for (FAM_LIB_OPEN_*) and
 * its shelf's attributes; -EBADF if it is not one (another node's
 * included), as CLOSE.
 */
int fam_lib_fstat(FamLib *lib, const FamLibCaller *who, uint64_t handle,
                  struct fam_lib_fstat *out);
/* Drop every handle of `node` (it rebooted), or of all nodes with
 * FAM_LIB_NODE_HOST (the cluster restarted). Returns handles dropped. */
int fam_lib_drop_opens(FamLib *lib, uint32_t node);

/*
 * Resize a shelf (by path, or by handle if path is NULL) to `size` bytes,
 * rounded up to whole books. Growing allocates by the shelf's policy
 * (-ENOSPC if short, nothing allocated) and grants the new books to every
 * node that has the shelf open; shrinking frees books from the end
 * (-EBUSY while another node or process has it open), revokes and zeroes.
 */
int fam_lib_resize(FamLib *lib, const FamLibCaller *who, const char *path,
                   uint64_t handle, uint64_t size, struct fam_lib_attr *out);
/*
 * Rename, replacing a target file or empty directory (as rename(2));
 * flags: FAM_LIB_RENAME_NOREPLACE or _EXCHANGE (as renameat2(2)).
 */
int fam_lib_rename(FamLib *lib, const FamLibCaller *who, const char *from,
                   const char *to, uint32_t flags);
/* Destroy a file or symlink: -EBUSY if open; its books are zeroed. */
int fam_lib_unlink(FamLib *lib, const FamLibCaller *who, const char *path);
int fam_lib_rmdir(FamLib *lib, const FamLibCaller *who, const char *path);
int fam_lib_readdir(FamLib *lib, const FamLibCaller *who, const char *path,
                    uint64_t cursor, FamLibDirFn fn, void *opaque,
                    uint64_t *next, bool *done);
/* The books of a shelf (by path, or by handle if path is NULL), in order. */
int fam_lib_shelf_books(FamLib *lib, const FamLibCaller *who,
                        const char *path, uint64_t handle, uint64_t cursor,
                        FamLibBookFn fn, void *opaque,
                        uint64_t *next, bool *done);
int fam_lib_list_opens(FamLib *lib, uint64_t cursor, FamLibOpenedFn fn,
                       void *opaque, uint64_t *next, bool *done);

/* --- attributes ---------------------------------------------------------- */
/* Returns the value's length; copies it if cap allows, else -ERANGE
 * (cap 0 only asks the length). -ENODATA if absent. */
int fam_lib_getxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                     const char *name, void *buf, size_t cap);
int fam_lib_setxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                     const char *name, const void *value, size_t len,
                     uint32_t flags);
int fam_lib_listxattr(FamLib *lib, const FamLibCaller *who, const char *path,
                      uint64_t cursor, FamLibNameFn fn, void *opaque,
                      uint64_t *next, bool *done);
int fam_lib_removexattr(FamLib *lib, const FamLibCaller *who,
                        const char *path, const char *name);
int fam_lib_settimes(FamLib *lib, const FamLibCaller *who, const char *path,
                     int64_t atime_ns, int64_t mtime_ns);
int fam_lib_chmod(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t mode);
int fam_lib_chown(FamLib *lib, const FamLibCaller *who, const char *path,
                  uint32_t uid, uint32_t gid);

/* --- nodes, modules, maintenance ------------------------------------------ */
int fam_lib_heartbeat(FamLib *lib, const FamLibCaller *who,
                      const struct fam_lib_node_status *status);
/* Take a module offline (its FREE books become OFFLINE, books in use stay
 * until freed, then go OFFLINE) or back online. uid 0 only. */
int fam_lib_module_status(FamLib *lib, const FamLibCaller *who,
                          uint32_t module, bool offline);
/* Zero every ZOMBIE book and free it; returns how many. */
int fam_lib_zero_zombies(FamLib *lib);
int fam_lib_oob_send(FamLib *lib, const FamLibCaller *who, const void *msg,
                     size_t len);
int fam_lib_oob_recv(FamLib *lib, uint64_t cursor, FamLibOobFn fn,
                     void *opaque, uint64_t *next, bool *done);

/* --- consistency ---------------------------------------------------------- */
typedef struct FamLibFsckReport {
    uint64_t leaked_books;      /* INUSE with no shelf */
    uint64_t double_books;      /* on two shelves, or twice on one */
    uint64_t bad_free_books;    /* FREE/ZOMBIE/OFFLINE yet on a shelf */
    uint64_t zombie_books;      /* left to zero */
    uint64_t stale_opens;       /* handles of nodes/pids that are gone */
    uint64_t orphan_xattrs;     /* of shelves that do not exist */
    uint64_t orphan_shelves;    /* whose parent does not exist */
    uint64_t bad_links;         /* hard links that cannot stand, or
                                 * whose path is wrong */
    uint64_t bad_sizes;         /* book count or link count wrong */
    uint64_t unfinished_deletes;/* shelves left half-destroyed */
} FamLibFsckReport;

/*
 * Check the database; with `repair`, fix what was found (in one
 * transaction). `stale_opens`: with repair, every open handle is taken
 * to be stale (call it only when no node is running). Returns the number
 * of problems found (0: consistent) or a negative errno.
 */
int fam_lib_fsck(FamLib *lib, bool repair, FamLibFsckReport *report);

#endif /* FAME_LIBRARIAN_H */
