/*
 * lfs-posix: POSIX behaviour of the LFS on one node, compared with the
 * guest's tmpfs (tests/guest/lfs-posix.c has the overview).
 *
 * A *case* runs one operation with its error cases in a fresh directory
 * and records what happened as an ordered list of key=value results
 * (errno names, modes, sizes, contents checked). The same case runs on
 * /lfs and on a tmpfs; the two lists must be the same except where the
 * table of expected differences (lfs-posix.c, from docs/lfs.md) says
 * otherwise. A case must not look at which file system it runs on.
 */
#ifndef LFS_POSIX_H
#define LFS_POSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fame-guest.h"

#define PR_MAX      96      /* results per case */
#define PR_KEY      32
#define PR_VAL      96

typedef struct PosixRes {
    unsigned n;
    bool overflow;
    char key[PR_MAX][PR_KEY];
    char val[PR_MAX][PR_VAL];
} PosixRes;

/* Where a case runs. */
typedef struct PosixCtx {
    const char *dir;        /* its own fresh directory, mode 0755, root's */
    const char *other;      /* a directory on the other file system (EXDEV) */
    size_t rel_len;         /* length of dir's path from the mount point */
} PosixCtx;

typedef void PosixCaseFn(PosixRes *r, const PosixCtx *c);

typedef struct PosixCase {
    const char *name;
    PosixCaseFn *fn;
} PosixCase;

/* lfs-posix-res.c: recording results */
void pr_put(PosixRes *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record "ok" for ret >= 0, else errno's name; returns ret. */
long pr_rc(PosixRes *r, const char *key, long ret);
const char *pr_errname(int err);
/* path = dir/name into a static-free buffer of PATH_MAX */
char *pr_path(char *buf, const PosixCtx *c, const char *name);
/* Write len bytes of a pattern seeded by seed; read back and compare. */
bool pr_write_file(const char *path, size_t len, unsigned seed);
bool pr_check_file(const char *path, size_t len, unsigned seed);
unsigned char pr_byte(size_t i, unsigned seed);
/*
 * Run fn in a child as uid/gid with the given supplementary groups (none
 * if ngroups is 0); its results are appended to r.
 */
void pr_as_user(PosixRes *r, uid_t uid, gid_t gid, size_t ngroups,
                const gid_t *groups, PosixCaseFn *fn, const PosixCtx *c);

/* The cases, by kind: lfs-posix-names.c, -files.c, -meta.c, -perm.c */
extern const PosixCase posix_name_cases[];
extern const PosixCase posix_file_cases[];
extern const PosixCase posix_meta_cases[];
extern const PosixCase posix_perm_cases[];

/* lfs-posix-tree.c: a tree into /lfs and back with cp -a and tar x */
bool posix_tree(const struct fame_node *n, const char *tmpfs);

/* lfs-posix-space.c: the pool fills (ENOSPC), frees, fills again */
bool posix_space(const struct fame_node *n);
/* The LFS-only rules: user.LFS.* attributes, books in df and du */
bool posix_lfs_only(const struct fame_node *n);

#endif
