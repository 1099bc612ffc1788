/*
 * lfs-posix: POSIX behaviour of the LFS (/lfs, fam-lfs) on one node.
 *
 *  1. Every case of lfs-posix-{names,files,meta,perm}.c runs on /lfs and
 *     on a tmpfs mounted for the purpose, each in a fresh directory at
 *     the same path from its mount point; their results (errnos, modes,
 *     sizes, contents) must be the same, except for the differences
 *     listed below, each of which docs/lfs.md describes. A difference
 *     not listed fails, and so does a listed one that does not happen
 *     (the list and the docs must follow the code).
 *  2. The LFS-only rules: user.LFS.* attributes, a book per file in
 *     st_blocks and df, no READ or WRITE reached the daemon.
 *  3. A tree of a few hundred files into /lfs and back (lfs-posix-tree.c).
 *  4. The pool filled through /lfs to ENOSPC, emptied, filled again
 *     (lfs-posix-space.c; the host boots a small pool of small books).
 *  5. The kernel log has no warning, oops or BUG.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAG "lfs-posix"
#define TMPFS "/tmp/posix-tmpfs"

/*
 * What LFS does differently from tmpfs, on purpose: case, result key, the
 * LFS's result, and why (the row of docs/lfs.md "How LFS differs from
 * tmpfs" that says so).
 */
typedef struct Expected {
    const char *cas;
    const char *key;
    const char *lfs;
    const char *why;
} Expected;

static const Expected expected[] = {
    { "odirect", "open_direct", "EINVAL", "O_DIRECT" },
    { "odirect", "create_direct", "EINVAL", "O_DIRECT" },
    { "odirect", "create_direct_made", "nothing", "O_DIRECT" },
    { "fallocate", "keep_size", "EOPNOTSUPP", "fallocate modes" },
    { "fallocate", "punch_hole", "EOPNOTSUPP", "fallocate modes" },
    { "truncate", "truncate_16g", "ENOSPC", "no holes" },
    { "longpath", "create_1024", "ENAMETOOLONG", "path length" },
    { "longpath", "rename_to_1024", "ENAMETOOLONG", "path length" },
    { "symlink", "target_1024", "ENAMETOOLONG", "path length" },
    { "symlink", "target_4095", "ENAMETOOLONG", "path length" },
    { "xattr", "value_2049", "E2BIG", "xattrs" },
    { "xattr", "value_65536", "E2BIG", "xattrs" },
    { "xattr", "trusted", "EOPNOTSUPP", "xattrs" },
    { "xattr", "security", "EOPNOTSUPP", "xattrs" },
    { "xattr", "get_trusted", "EOPNOTSUPP", "xattrs" },
    { "utimens", "atime_after_read", "unchanged", "atime" },
    { "utimens", "mtime_after_map_store", "1 1", "mtime after stores" },
    { "utimens", "times_far",
      "a=9223372035.999999999 m=-9223372035.000000000", "times" },
    { "mknod", "mkfifo", "EPERM", "special files" },
    { "mknod", "mknod_chr", "EPERM", "special files" },
    { "mknod", "mknod_blk", "EPERM", "special files" },
    { "mknod", "mknod_sock", "EPERM", "special files" },
    { "mknod", "stat_fifo", "ENOENT", "special files" },
    { NULL, NULL, NULL, NULL },
};

static const Expected *find_expected(const char *cas, const char *key)
{
    for (const Expected *e = expected; e->cas; e++) {
        if (strcmp(e->cas, cas) == 0 && strcmp(e->key, key) == 0) {
            return e;
        }
    }
    return NULL;
}

static bool seen[sizeof(expected) / sizeof(expected[0])];

/* Compare one case's results; say each difference. */
static bool compare(const struct fame_node *n, const char *cas,
                    const PosixRes *t, const PosixRes *l, unsigned *diffs)
{
    unsigned count = t->n > l->n ? t->n : l->n;
    bool ok = true;

    if (t->overflow || l->overflow) {
        fame_say(n, "FAIL %s: more than %u results", cas, PR_MAX);
        return false;
    }
    for (unsigned i = 0; i < count; i++) {
        const char *tk = i < t->n ? t->key[i] : "(none)";
        const char *lk = i < l->n ? l->key[i] : "(none)";
        const char *tv = i < t->n ? t->val[i] : "";
        const char *lv = i < l->n ? l->val[i] : "";
        const Expected *e;

        if (strcmp(tk, lk) != 0) {
            fame_say(n, "FAIL %s: result %u is %s on tmpfs, %s on the LFS",
                     cas, i, tk, lk);
            return false;
        }
        if (strcmp(tv, lv) == 0) {
            continue;
        }
        (*diffs)++;
        e = find_expected(cas, tk);
        if (e && strcmp(e->lfs, lv) == 0) {
            seen[e - expected] = true;
            fame_say(n, "%s: %s: tmpfs %s, LFS %s (docs/lfs.md: %s)", cas,
                     tk, tv, lv, e->why);
        } else {
            fame_say(n, "FAIL %s: %s: tmpfs %s, LFS %s%s", cas, tk, tv, lv,
                     e ? " (docs/lfs.md expects another)"
                       : " (not in docs/lfs.md)");
            ok = false;
        }
    }
    return ok;
}

static bool make_dir(const struct fame_node *n, const char *path)
{
    if (mkdir(path, 0755) < 0 || chmod(path, 0755) < 0) {
        fame_say(n, "FAIL mkdir %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

static bool run_cases(const struct fame_node *n, const PosixCase *cases,
                      unsigned *ran, unsigned *diffs)
{
    static PosixRes rt, rl;
    char dt[PATH_MAX], dl[PATH_MAX], rel[256];
    bool ok = true;

    for (const PosixCase *c = cases; c->name; c++) {
        PosixCtx ct = { .dir = dt, .other = "/lfs/posix-exdev" };
        PosixCtx cl = { .dir = dl, .other = TMPFS "/posix-exdev" };

        snprintf(rel, sizeof(rel), "/posix/%s", c->name);
        snprintf(dt, sizeof(dt), TMPFS "%s", rel);
        snprintf(dl, sizeof(dl), "/lfs%s", rel);
        ct.rel_len = cl.rel_len = strlen(rel);
        if (!make_dir(n, dt) || !make_dir(n, dl)) {
            return false;
        }
        memset(&rt, 0, sizeof(rt));
        memset(&rl, 0, sizeof(rl));
        c->fn(&rt, &ct);
        c->fn(&rl, &cl);
        ok &= compare(n, c->name, &rt, &rl, diffs);
        (*ran)++;
    }
    return ok;
}

#define FAIL_LOG(n, count) \
    (fame_say(n, "FAIL the kernel log has only %u lines", count), false)

/* The kernel log: nothing that says the kernel found a bug. */
static bool kernel_log_clean(const struct fame_node *n)
{
    static const char *bad[] = { "WARNING:", "BUG:", "Oops", "Call Trace",
                                 "general protection", "fam: ", NULL };
    int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
    char *buf = len > 0 ? malloc((size_t)len + 1) : NULL;
    unsigned count = 0;
    bool ok = true;

    if (!buf || (len = klogctl(3 /* READ_ALL */, buf, len)) < 0) {
        free(buf);
        fame_say(n, "FAIL cannot read the kernel log: %s", strerror(errno));
        return false;
    }
    buf[len] = '\0';
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        count++;
        for (const char **b = bad; *b; b++) {
            /* fam.ko's own messages are errors only at KERN_ERR and up */
            if (strstr(line, *b) &&
                (strcmp(*b, "fam: ") != 0 || line[1] <= '3')) {
                fame_say(n, "FAIL kernel log: %.200s", line);
                ok = false;
                break;
            }
        }
    }
    free(buf);
    /* The whole boot log is there: a read that found nothing proves nothing */
    if (count < 20 || !ok) {
        return ok ? FAIL_LOG(n, count) : false;
    }
    fame_say(n, "kernel log: %u lines, no warning, oops or BUG", count);
    return true;
}

int main(int argc, char **argv)
{
    static const PosixCase *const lists[] = {
        posix_name_cases, posix_file_cases, posix_meta_cases,
        posix_perm_cases, NULL,
    };
    struct fame_node n;
    unsigned ran = 0, diffs = 0, expected_diffs = 0;
    double t0 = fame_now();
    bool ok = true;

    fame_node_init(&n, TAG, argc, argv);
    umask(022);
    if (access("/lfs/.", F_OK) < 0 || mkdir(TMPFS, 0755) < 0 ||
        mount("tmpfs", TMPFS, "tmpfs", 0, "size=64m") < 0) {
        fame_say(&n, "FAIL setting up /lfs and a tmpfs at " TMPFS ": %s",
                 strerror(errno));
        return 1;
    }
    ok = make_dir(&n, "/lfs/posix") && make_dir(&n, TMPFS "/posix") &&
         make_dir(&n, "/lfs/posix-exdev") &&
         make_dir(&n, TMPFS "/posix-exdev");
    for (unsigned i = 0; lists[i]; i++) {
        ok = run_cases(&n, lists[i], &ran, &diffs) && ok;
    }
    for (unsigned i = 0; expected[i].cas; i++) {
        if (!seen[i]) {
            fame_say(&n, "FAIL %s: %s: docs/lfs.md lists a difference from "
                     "tmpfs that did not happen", expected[i].cas,
                     expected[i].key);
            ok = false;
        } else {
            expected_diffs++;
        }
    }
    fame_say(&n, "cases: %u run on tmpfs and the LFS; %u results differ, "
             "%u of them as docs/lfs.md says; %.1f s", ran, diffs,
             expected_diffs, fame_now() - t0);
    system("rm -rf /lfs/posix /lfs/posix-exdev");
    ok = posix_lfs_only(&n) && ok;
    ok = posix_tree(&n, TMPFS) && ok;
    ok = posix_space(&n) && ok;
    ok = kernel_log_clean(&n) && ok;
    fame_say(&n, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
