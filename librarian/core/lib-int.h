/*
 * Inside the Librarian core: the FamLib, the statement cache, the
 * per-operation bracket (lock, transaction, deferred hooks and zeroing)
 * and the helpers the operation files share.
 *
 * Every public operation has the same shape:
 *
 *     ret = lib_begin_as(lib, who, LIB_TX_WRITE); lock + BEGIN IMMEDIATE
 *     if (ret == 0) ret = the work, queueing hooks and books to zero;
 *     return lib_end(lib, ret);                  COMMIT or ROLLBACK, then
 *                                                hooks, zeroing, unlock
 *
 * so that what the fabric is told (grant/revoke) and what is wiped always
 * follows a committed decision, never a rolled-back one.
 */
#ifndef FAME_LIB_INT_H
#define FAME_LIB_INT_H

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "librarian.h"

/* Fixed shelves every database has. */
#define LIB_ROOT_ID         1
#define LIB_LOST_FOUND_ID   2
#define LIB_LOST_FOUND      "/lost+found"

/* Permission bits as in access(2). */
#define LIB_MAY_READ        4
#define LIB_MAY_WRITE       2
#define LIB_MAY_EXEC        1

#define LIB_S_ISUID         04000u
#define LIB_S_ISGID         02000u
#define LIB_S_ISVTX         01000u
#define LIB_PERM_BITS       07777u

/* The constants above and the protocol's, as SQL text (SQL_*). */
#include "lib-sql.h"

/* Statement cache slots: more than the distinct statements of the core. */
#define LIB_SQL_SLOTS       512

/* How long a writer waits for another process's transaction. */
#define LIB_BUSY_TIMEOUT_MS 10000

/* The deepest a path can be ("/a" per level within FAM_LIB_PATH_MAX). */
#define LIB_MAX_DEPTH       (FAM_LIB_PATH_MAX / 2)

typedef enum LibTx {
    LIB_TX_READ,        /* BEGIN (deferred): only reads */
    LIB_TX_WRITE,       /* BEGIN IMMEDIATE: takes the write lock at once */
} LibTx;

/* A byte range of the pool. */
typedef struct LibRange {
    uint64_t offset;
    uint64_t len;
} LibRange;

typedef struct LibRanges {
    LibRange *r;
    size_t n, cap;
} LibRanges;

/* A grant or revoke decided by the current operation. */
typedef struct LibAction {
    bool grant;
    bool writable;
    uint32_t node;
    LibRange range;
} LibAction;

typedef struct LibSqlSlot {
    const char *sql;        /* the literal's address is the key */
    sqlite3_stmt *stmt;
} LibSqlSlot;

struct FamLib {
    pthread_mutex_t lock;
    sqlite3 *db;
    char *db_path;
    const FamModel *model;
    void *pool;
    FamLibHooks hooks;
    uint32_t igs;
    uint64_t *ig_first;     /* lowest and highest book of every IG, */
    uint64_t *ig_last;      /* where RandomBooks samples */
    uint64_t *ig_free;      /* scratch: free books per IG for a plan */
    uint64_t rng;           /* RandomBooks' generator state */
    LibSqlSlot sql[LIB_SQL_SLOTS];

    /* What the current operation does after it commits. */
    LibAction *actions;
    size_t n_actions, cap_actions;
    uint64_t *zero;         /* books gone ZOMBIE, to wipe and free */
    size_t n_zero, cap_zero;
    LibRanges wipe;         /* bytes to wipe in books that stay in use */
};

/*
 * One row of `shelves`, as the operations need it. Found by a path, it
 * also says which name that path is: the shelf's own (link 0, parent
 * its directory) or a hard link (link = the row of `links`, parent the
 * link's directory).
 */
typedef struct LibShelf {
    int64_t id;
    int64_t parent;
    int64_t link;
    uint32_t mode;
    uint32_t uid;
    uint32_t gid;
    uint32_t nlink;
    uint64_t size;
    uint64_t nbooks;
    int64_t atime;
    int64_t mtime;
    int64_t ctime;
    int32_t policy;         /* FamPolicy, or -1: not set */
    uint32_t ireq_pos;
} LibShelf;

/* --- lib-db.c: the database --------------------------------------------- */
int lib_errno(int rc);
/* The cached statement for `sql` (a string literal: its address is the
 * key), reset with its bindings cleared; NULL on error. */
sqlite3_stmt *lib_sql(FamLib *lib, const char *sql);
/* Step: 1 for a row, 0 when done (the statement is then reset), or a
 * negative errno (reset too). */
int lib_step(FamLib *lib, sqlite3_stmt *st);
/* Run a cached statement without parameters to its end. */
int lib_exec(FamLib *lib, const char *sql);
/* Run a statement to its end, ignoring rows. */
int lib_run(FamLib *lib, sqlite3_stmt *st);
void lib_bind_str(sqlite3_stmt *st, int idx, const char *s);
/* The first column of a one-row query as an integer (-ENOENT: no row). */
int lib_query_int(FamLib *lib, sqlite3_stmt *st, int64_t *out);

/* Lock and begin; _as first checks the caller (-EINVAL if NULL or not
 * a node of the model). On error nothing is held. */
int lib_begin(FamLib *lib, LibTx tx);
int lib_begin_as(FamLib *lib, const FamLibCaller *who, LibTx tx);
int lib_end(FamLib *lib, int ret);
int lib_tx_begin(FamLib *lib, LibTx tx);
int lib_tx_commit(FamLib *lib);
void lib_tx_rollback(FamLib *lib);

int lib_meta_get_int(FamLib *lib, const char *key, int64_t *out);
int lib_meta_set_text(FamLib *lib, const char *key, const char *value);
/* The default policy stored in meta. */
int lib_default_policy(FamLib *lib, FamPolicy *out);

int64_t lib_now(void);
uint64_t lib_random(FamLib *lib);

/* --- lib-schema.c: creation and migrations ------------------------------ */
/* Bring the open database to FAM_LIB_SCHEMA_VERSION, creating it for the
 * model if it is empty, and check it matches the model. In a write
 * transaction. */
int lib_schema_prepare(FamLib *lib, const FamLibConfig *cfg, char **errmsg);
/* Set *errmsg to a malloc()ed printf-formatted message, if errmsg. */
void lib_set_error(char **errmsg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- lib-path.c: paths, lookup, permissions ----------------------------- */
/* 0, -EINVAL (not absolute, empty/"."/".." component) or -ENAMETOOLONG. */
int lib_path_check(const char *path);
bool lib_path_is_root(const char *path);
/* Split a checked non-root path into its parent (into `parent`,
 * FAM_LIB_PATH_MAX bytes) and its last component (pointing into path). */
void lib_path_split(const char *path, char *parent, const char **leaf);
/* Check the caller: non-NULL, node in the model or FAM_LIB_NODE_HOST. */
int lib_check_caller(FamLib *lib, const FamLibCaller *who);
/*
 * Resolve a checked path with one indexed query, checking search
 * permission on every ancestor. -ENOENT, -ENOTDIR (a prefix is not a
 * directory) or -EACCES (an ancestor is not searchable).
 */
int lib_lookup(FamLib *lib, const FamLibCaller *who, const char *path,
               LibShelf *out);
/* lib_path_check() then lib_lookup(). */
int lib_resolve(FamLib *lib, const FamLibCaller *who, const char *path,
                LibShelf *out);
int lib_shelf_by_id(FamLib *lib, int64_t id, LibShelf *out);
/* Resolve the parent of a checked non-root path: a directory the caller
 * may search (-ENOTDIR, -EACCES); write permission is the caller's to
 * check, after EEXIST/ENOENT. *leaf points into path. */
int lib_resolve_parent(FamLib *lib, const FamLibCaller *who,
                       const char *path, LibShelf *dir, const char **leaf);
/* Does the caller have every bit of `mask` (LIB_MAY_*) on the shelf? */
bool lib_may(const FamLibCaller *who, const LibShelf *s, int mask);
/* Sticky directories: may the caller remove or rename `victim` in `dir`? */
bool lib_may_delete(const FamLibCaller *who, const LibShelf *dir,
                    const LibShelf *victim);
bool lib_is_dir(const LibShelf *s);
bool lib_is_reg(const LibShelf *s);
bool lib_is_lnk(const LibShelf *s);
/* Fill `out` from the shelf's current row (opens counted). */
int lib_attr(FamLib *lib, int64_t id, struct fam_lib_attr *out);
/* Set mtime and ctime of a shelf to now. */
int lib_touch(FamLib *lib, int64_t id, bool mtime);

/* --- lib-alloc.c: allocation -------------------------------------------- */
/* Books that hold `size` bytes. */
uint64_t lib_books_for(const FamLib *lib, uint64_t size);
/* Allocate `n` books to the shelf at seq s->nbooks.., by its policy. */
int lib_alloc_books(FamLib *lib, const FamLibCaller *who, const LibShelf *s,
                    uint64_t n);
/* --- lib-zero.c: freeing and zeroing ------------------------------------ */
/* Make the books of the shelf from seq `from` on ZOMBIE and queue them
 * for zeroing after the commit. */
int lib_free_books(FamLib *lib, int64_t shelf, uint64_t from);
/* Move the listed ZOMBIE books on (FREE, or OFFLINE on an offline
 * module) in the current transaction. */
int lib_release_zombies(FamLib *lib, const uint64_t *books, size_t n);
/* Wipe one book in the pool (the pool must be mapped). */
/*
 * The end of a list operation: hand the cursor and end-of-list flag to
 * the caller (either pointer may be NULL) and return ret (lib-db.c).
 */
int lib_list_out(int ret, uint64_t n, bool d, uint64_t *next, bool *done);

/* Zero len bytes of the mapped pool at addr (lib-zero.c). */
void lib_wipe(void *addr, uint64_t len);
void lib_wipe_book(FamLib *lib, uint64_t book);
/* Zero and free every ZOMBIE; outside any transaction. */
int lib_zero_zombies_locked(FamLib *lib, uint64_t *count);
int lib_queue_zero(FamLib *lib, uint64_t book);
int lib_queue_wipe(FamLib *lib, uint64_t offset, uint64_t len);

/* --- lib-ranges.c ------------------------------------------------------- */
int lib_ranges_add(LibRanges *rs, uint64_t offset, uint64_t len);
/* Sort and merge touching ranges. */
void lib_ranges_coalesce(LibRanges *rs);
void lib_ranges_free(LibRanges *rs);

/* --- lib-open.c: handles and grants ------------------------------------- */
/* Append books [first_seq, nbooks) of the shelf, as pool ranges (adjacent
 * books coalesced) to `out`. */
int lib_shelf_ranges(FamLib *lib, int64_t shelf, uint64_t first_seq,
                     LibRanges *out);
int lib_queue_grant(FamLib *lib, uint32_t node, const LibRanges *rs,
                    bool writable);
int lib_queue_revoke(FamLib *lib, uint32_t node, const LibRanges *rs);
/* The node's access to a shelf from its open handles: 0 (none),
 * FAM_LIB_OPEN_READ, or FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE if any of
 * its handles is writable. */
int lib_node_access(FamLib *lib, int64_t shelf, uint32_t node,
                    uint32_t *flags);
/* Count the open handles of a shelf (all nodes) and, if `others`, those
 * not of except's (node, pid). */
int lib_count_opens(FamLib *lib, int64_t shelf, const FamLibCaller *except,
                    uint64_t *all, uint64_t *others);
/* Look a handle up: -EBADF unless it exists and is the caller node's. */
int lib_handle(FamLib *lib, const FamLibCaller *who, uint64_t handle,
               int64_t *shelf, uint32_t *flags);

/* --- lib-shelf.c, lib-remove.c ------------------------------------------ */
/* Add `delta` to a shelf's link count. */
int lib_add_link(FamLib *lib, int64_t dir, int delta);
/* Destroy a shelf row that nothing is using: books -> ZOMBIE, xattrs
 * gone, parent's link count and times. */
int lib_destroy_shelf(FamLib *lib, const LibShelf *s);
/* 1 if the directory has no entries, 0 if it has, or a negative errno. */
int lib_dir_empty(FamLib *lib, int64_t id);

/* --- lib-link.c: hard links --------------------------------------------- */
/* 1 if some shelf or link has this path, 0 if none, or a negative errno. */
int lib_path_taken(FamLib *lib, const char *path);
/*
 * Remove the name `s` was found by, if the shelf has another: returns 1
 * (the name is gone, the shelf stays), 0 (it is the shelf's only name:
 * nothing done, destroying it is the caller's) or a negative errno.
 */
int lib_remove_name(FamLib *lib, const LibShelf *s);
/* Move the hard link `s` was found by (s->link != 0) to `to`. */
int lib_move_link(FamLib *lib, const LibShelf *s, int64_t parent,
                  const char *leaf, const char *to);

#endif /* FAME_LIB_INT_H */
