/*
 * lfs-posix: a tree of a few hundred files (directories, regular files of
 * many sizes and modes and owners, empty files, symlinks, hard links,
 * user xattrs)
 * made on tmpfs, copied into /lfs and back with the image's tools
 * (busybox cp -a, tar), and compared entry by entry, byte by byte, and
 * with diff -r, ls -lR, find and du.
 *
 * busybox cp and tar do not copy extended attributes, so the program
 * copies the user.* attributes itself after each copy (as a user would
 * with getfattr/setfattr) and compares them too.
 */
#define _GNU_SOURCE

#include "lfs-posix.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LFS_TREE "/lfs/posix-tree"
#define TOP_DIRS 6
#define SUB_DIRS 4
#define FULL_FILES 120
#define EMPTY_FILES 80
#define SYMLINKS 40
#define HARD_LINKS 12

typedef struct Tree {
    const struct fame_node *n;
    char src[256];
    unsigned xattrs;        /* made in the source */
    unsigned linked_xattrs; /* ... seen again through a hard link */
    unsigned entries;
} Tree;

#define FAIL(t, ...) (fame_say((t)->n, "FAIL " __VA_ARGS__), false)

/* Directory i of the tree: TOP_DIRS top ones, each with SUB_DIRS. */
static void dir_name(unsigned i, char *buf, size_t len)
{
    if (i < TOP_DIRS) {
        snprintf(buf, len, "top%u", i);
    } else {
        unsigned k = i - TOP_DIRS;

        snprintf(buf, len, "top%u/sub%u", k % TOP_DIRS, k / TOP_DIRS);
    }
}

#define DIRS (TOP_DIRS * (1 + SUB_DIRS))

static bool make_tree(Tree *t)
{
    static const mode_t modes[] = { 0644, 0600, 0755, 0640, 0444, 0664 };
    char p[PATH_MAX], d[64], v[64];
    struct timespec ts[2];

    if (mkdir(t->src, 0755) < 0) {
        return FAIL(t, "mkdir %s: %s", t->src, strerror(errno));
    }
    for (unsigned i = 0; i < DIRS; i++) {
        dir_name(i, d, sizeof(d));
        snprintf(p, sizeof(p), "%s/%s", t->src, d);
        if (mkdir(p, 0755) < 0) {
            return FAIL(t, "mkdir %s: %s", p, strerror(errno));
        }
        t->entries++;
        if (i % 3 == 0) {
            snprintf(v, sizeof(v), "dir-%u", i);
            setxattr(p, "user.tree", v, strlen(v), 0);
            t->xattrs++;
        }
    }
    for (unsigned i = 0; i < FULL_FILES + EMPTY_FILES; i++) {
        /* One file of 3 MiB spans books; the others are small */
        size_t len = i >= FULL_FILES ? 0 : i == 7 ? 3u << 20
                                                  : (i * 977) % 20000 + 1;

        dir_name(i % DIRS, d, sizeof(d));
        snprintf(p, sizeof(p), "%s/%s/file-%03u.dat", t->src, d, i);
        if (!pr_write_file(p, len, i)) {
            return FAIL(t, "writing %s: %s", p, strerror(errno));
        }
        t->entries++;
        if (i % 2 == 0) {
            snprintf(v, sizeof(v), "file-%u", i);
            setxattr(p, "user.tree", v, strlen(v), 0);
            t->xattrs++;
        }
        if (i % 5 == 0) {
            setxattr(p, "user.second", "", 0, 0);
            t->xattrs++;
        }
        if (i % 9 == 0 && chown(p, 1000, 1000) < 0) {
            return FAIL(t, "chown %s: %s", p, strerror(errno));
        }
        chmod(p, modes[i % 6]);
        ts[0] = (struct timespec){ 1500000000 + i, 0 };
        ts[1] = (struct timespec){ 1600000000 + i * 7, i * 1000 };
        utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW);
    }
    for (unsigned i = 0; i < SYMLINKS; i++) {
        char target[PATH_MAX];

        /*
         * A file of the same directory (files i % DIRS + k * DIRS are in
         * it). Every target exists: busybox diff -r follows symlinks.
         */
        dir_name(i % DIRS, d, sizeof(d));
        snprintf(target, sizeof(target), "%sfile-%03u.dat",
                 i % 2 ? "./" : "", i % DIRS + DIRS * (i % 3));
        snprintf(p, sizeof(p), "%s/%s/link-%02u", t->src, d, i);
        if (symlink(target, p) < 0) {
            return FAIL(t, "symlink %s: %s", p, strerror(errno));
        }
        t->entries++;
    }
    for (unsigned i = 0; i < HARD_LINKS; i++) {
        char target[PATH_MAX];

        /* A second name for a file, in the next directory */
        dir_name((i * 3) % DIRS, d, sizeof(d));
        snprintf(target, sizeof(target), "%s/%s/file-%03u.dat", t->src, d,
                 i * 3);
        dir_name((i * 3 + 1) % DIRS, d, sizeof(d));
        snprintf(p, sizeof(p), "%s/%s/hard-%02u", t->src, d, i);
        if (link(target, p) < 0) {
            return FAIL(t, "link %s: %s", p, strerror(errno));
        }
        t->entries++;
        /* The xattrs of file-NNN above, which a walk meets twice */
        t->linked_xattrs += (i * 3) % 2 == 0;
        t->linked_xattrs += (i * 3) % 5 == 0;
    }
    /* Directory times last: making entries moved them */
    for (unsigned i = DIRS; i-- > 0;) {
        dir_name(i, d, sizeof(d));
        snprintf(p, sizeof(p), "%s/%s", t->src, d);
        ts[0] = ts[1] = (struct timespec){ 1400000000 + i, 0 };
        utimensat(AT_FDCWD, p, ts, 0);
    }
    return true;
}

static int run(const char *cmd)
{
    int status = system(cmd);

    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Copy the user.* xattrs of every entry under a to the same under b. */
static unsigned copy_xattrs(const char *a, const char *b)
{
    char names[4096], val[4096], pa[PATH_MAX], pb[PATH_MAX];
    unsigned copied = 0;
    struct dirent *e;
    ssize_t n, len;
    DIR *d;

    n = llistxattr(a, names, sizeof(names));
    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
        if (strncmp(names + i, "user.", 5) != 0 ||
            strncmp(names + i, "user.LFS.", 9) == 0) {
            continue;
        }
        len = lgetxattr(a, names + i, val, sizeof(val));
        if (len >= 0 && lsetxattr(b, names + i, val, (size_t)len, 0) == 0) {
            copied++;
        }
    }
    d = opendir(a);
    while (d && (e = readdir(d))) {
        if (e->d_type != DT_DIR && e->d_type != DT_REG) {
            continue;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        snprintf(pa, sizeof(pa), "%s/%s", a, e->d_name);
        snprintf(pb, sizeof(pb), "%s/%s", b, e->d_name);
        copied += copy_xattrs(pa, pb);
    }
    if (d) {
        closedir(d);
    }
    return copied;
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The sorted names in a directory, . and .. left out; NULL-terminated. */
static char **list_dir(const char *path, unsigned *count)
{
    char **names = NULL;
    unsigned n = 0, cap = 0;
    struct dirent *e;
    DIR *d = opendir(path);

    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (n + 1 >= cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof(*names));
        }
        names[n++] = strdup(e->d_name);
    }
    if (d) {
        closedir(d);
    }
    if (names) {
        qsort(names, n, sizeof(*names), cmp_name);
        names[n] = NULL;
    }
    *count = n;
    return names;
}

static void free_list(char **names)
{
    for (char **p = names; p && *p; p++) {
        free(*p);
    }
    free(names);
}

static bool same_bytes(const char *a, const char *b)
{
    char ba[65536], bb[65536];
    int fa = open(a, O_RDONLY), fb = open(b, O_RDONLY);
    bool same = fa >= 0 && fb >= 0;
    ssize_t na, nb;

    while (same) {
        na = read(fa, ba, sizeof(ba));
        nb = 0;
        while (nb < na) {
            ssize_t k = read(fb, bb + nb, (size_t)(na - nb));

            if (k <= 0) {
                break;
            }
            nb += k;
        }
        same = na >= 0 && na == nb && memcmp(ba, bb, (size_t)na) == 0;
        if (na <= 0) {
            break;
        }
    }
    if (same) {
        same = read(fb, bb, 1) == 0;
    }
    if (fa >= 0) {
        close(fa);
    }
    if (fb >= 0) {
        close(fb);
    }
    return same;
}

static bool same_xattrs(const char *a, const char *b)
{
    char na[4096], va[4096], vb[4096];
    ssize_t n = llistxattr(a, na, sizeof(na)), count = 0, count_b = 0;
    char nb[4096];
    ssize_t m = llistxattr(b, nb, sizeof(nb));

    for (ssize_t i = 0; i < n; i += (ssize_t)strlen(na + i) + 1) {
        ssize_t la, lb;

        if (strncmp(na + i, "user.", 5) || !strncmp(na + i, "user.LFS.", 9)) {
            continue;
        }
        count++;
        la = lgetxattr(a, na + i, va, sizeof(va));
        lb = lgetxattr(b, na + i, vb, sizeof(vb));
        if (la != lb || la < 0 || memcmp(va, vb, (size_t)la) != 0) {
            return false;
        }
    }
    for (ssize_t i = 0; i < m; i += (ssize_t)strlen(nb + i) + 1) {
        count_b += strncmp(nb + i, "user.", 5) == 0 &&
                   strncmp(nb + i, "user.LFS.", 9) != 0;
    }
    return count == count_b;
}

/*
 * Compare tree a with tree b: names, types, modes, owners, sizes, mtimes
 * (to the second: busybox cp -a and tar keep no more; busybox tar x
 * leaves a directory the time of its last entry), contents, symlink
 * targets and user xattrs. Counts the entries compared.
 */
static bool cmp_tree(Tree *t, const char *a, const char *b, bool dir_times,
                     unsigned *entries)
{
    struct stat sa, sb;
    char ta[PATH_MAX], tb[PATH_MAX];
    char **la, **lb;
    unsigned na, nb;
    bool ok = true;

    if (lstat(a, &sa) < 0 || lstat(b, &sb) < 0) {
        return FAIL(t, "tree: %s or %s: %s", a, b, strerror(errno));
    }
    if (sa.st_mode != sb.st_mode || sa.st_uid != sb.st_uid ||
        sa.st_gid != sb.st_gid ||
        (!S_ISDIR(sa.st_mode) && (sa.st_size != sb.st_size ||
                                  sa.st_nlink != sb.st_nlink))) {
        return FAIL(t, "tree: %s is mode %o %u:%u size %lld nlink %lu, %s "
                    "mode %o %u:%u size %lld nlink %lu", a, sa.st_mode,
                    sa.st_uid, sa.st_gid, (long long)sa.st_size,
                    (unsigned long)sa.st_nlink, b, sb.st_mode, sb.st_uid,
                    sb.st_gid, (long long)sb.st_size,
                    (unsigned long)sb.st_nlink);
    }
    if (!S_ISLNK(sa.st_mode) && (dir_times || !S_ISDIR(sa.st_mode)) &&
        sa.st_mtim.tv_sec != sb.st_mtim.tv_sec) {
        return FAIL(t, "tree: mtime of %s is %lld.%09ld, of %s %lld.%09ld",
                    a, (long long)sa.st_mtim.tv_sec, sa.st_mtim.tv_nsec, b,
                    (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec);
    }
    (*entries)++;
    if (S_ISLNK(sa.st_mode)) {
        ssize_t ka = readlink(a, ta, sizeof(ta)), kb = readlink(b, tb,
                                                                 sizeof(tb));

        if (ka < 0 || ka != kb || memcmp(ta, tb, (size_t)ka) != 0) {
            return FAIL(t, "tree: symlinks %s and %s differ", a, b);
        }
        return true;
    }
    if (!same_xattrs(a, b)) {
        return FAIL(t, "tree: the user xattrs of %s and %s differ", a, b);
    }
    if (S_ISREG(sa.st_mode)) {
        return same_bytes(a, b) ? true
                                : FAIL(t, "tree: %s and %s differ", a, b);
    }
    la = list_dir(a, &na);
    lb = list_dir(b, &nb);
    if (na != nb) {
        ok = FAIL(t, "tree: %s has %u entries, %s %u", a, na, b, nb);
    }
    for (unsigned i = 0; ok && i < na; i++) {
        if (strcmp(la[i], lb[i]) != 0) {
            ok = FAIL(t, "tree: %s has %s where %s has %s", a, la[i], b,
                      lb[i]);
            break;
        }
        snprintf(ta, sizeof(ta), "%s/%s", a, la[i]);
        snprintf(tb, sizeof(tb), "%s/%s", b, la[i]);
        ok = cmp_tree(t, ta, tb, dir_times, entries);
    }
    free_list(la);
    free_list(lb);
    return ok;
}

/* Run a shell command whose output goes to file out; its status. */
static int run_to(const char *cmd, const char *out)
{
    char full[PATH_MAX * 3];

    if (snprintf(full, sizeof(full), "%s >%s 2>&1", cmd, out) >=
        (int)sizeof(full)) {
        return 128;
    }
    return run(full);
}

static bool same_output(Tree *t, const char *what, const char *fa,
                        const char *fb)
{
    char cmd[PATH_MAX * 2];

    snprintf(cmd, sizeof(cmd), "cmp -s %s %s", fa, fb);
    if (run(cmd) != 0) {
        snprintf(cmd, sizeof(cmd), "diff %s %s | head -n 16 >/dev/console",
                 fa, fb);
        run(cmd);
        return FAIL(t, "tree: %s differs (above)", what);
    }
    return true;
}

/*
 * ls -lRn --full-time of a tree into file out. Symlink times are masked
 * (busybox cp -a does not keep them, on any file system); with
 * lfs_rules, so are what docs/lfs.md says differs on the LFS: the "total"
 * block counts (books) and the size and link count of directories.
 */
static int ls_tree(const char *dir, const char *out, bool lfs_rules)
{
    char cmd[PATH_MAX * 3];
    const char *dirs = lfs_rules ? " -e '/^total /d' -e 's/^\\(d[^ ]*\\) "
                                   "[0-9]* \\([0-9]* [0-9]*\\) [0-9]* "
                                   "/\\1 \\2 /'" : "";

    if (snprintf(cmd, sizeof(cmd), "cd %s && ls -lRn --full-time . >%s.raw "
                 "&& tr -s ' ' <%s.raw | sed -e 's/^\\(l[^ ]* [0-9]* "
                 "[0-9]* [0-9]* [0-9]*\\) [0-9-]* [0-9:.]* [-+][0-9]* "
                 "/\\1 /'%s", dir, out, out, dirs) >= (int)sizeof(cmd)) {
        return 128;
    }
    return run_to(cmd, out);
}

static long free_books(void)
{
    struct statvfs sv;

    return statvfs("/lfs", &sv) == 0 ? (long)sv.f_bfree : -1;
}

/* du -sk of dir against its files' books (st_blocks) summed. */
static bool check_du(Tree *t, const char *dir, long long *kib)
{
    char cmd[PATH_MAX * 2], out[64];
    long long du = -1, sum = 0;
    FILE *f;

    snprintf(cmd, sizeof(cmd), "du -sk %s", dir);
    f = popen(cmd, "r");
    if (!f || !fgets(out, sizeof(out), f) || sscanf(out, "%lld", &du) != 1) {
        if (f) {
            pclose(f);
        }
        return FAIL(t, "tree: du -sk %s gave nothing", dir);
    }
    pclose(f);
    /* Each file once, as du counts it, whatever its number of names */
    snprintf(cmd, sizeof(cmd), "find %s -exec stat -c '%%i %%b' {} + | "
             "sort -u", dir);
    f = popen(cmd, "r");
    while (f && fgets(out, sizeof(out), f)) {
        const char *blocks = strchr(out, ' ');

        sum += blocks ? atoll(blocks + 1) : 0;
    }
    if (f) {
        pclose(f);
    }
    *kib = du;
    if (du != sum / 2) {
        return FAIL(t, "tree: du -sk %s says %lld KiB, its entries hold "
                    "%lld KiB", dir, du, sum / 2);
    }
    return true;
}

bool posix_tree(const struct fame_node *n, const char *tmpfs)
{
    Tree t = { .n = n };
    char cmd[PATH_MAX * 2], a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
    unsigned copied, entries;
    long before, held;
    long long du_lfs = 0;
    struct statvfs sv;
    double t0 = fame_now();

    snprintf(t.src, sizeof(t.src), "%s/tree", tmpfs);
    if (!make_tree(&t) || mkdir(LFS_TREE, 0755) < 0) {
        return FAIL(&t, "tree: setting up: %s", strerror(errno));
    }
    before = free_books();
    statvfs("/lfs", &sv);
    /* 1. cp -a into /lfs */
    snprintf(cmd, sizeof(cmd), "cp -a %s " LFS_TREE "/cp", t.src);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: '%s' failed", cmd);
    }
    copied = copy_xattrs(t.src, LFS_TREE "/cp");
    if (copied != t.xattrs + t.linked_xattrs) {
        return FAIL(&t, "tree: copied %u of %u xattrs into /lfs", copied,
                    t.xattrs + t.linked_xattrs);
    }
    entries = 0;
    if (!cmp_tree(&t, t.src, LFS_TREE "/cp", true, &entries)) {
        return false;
    }
    held = before - free_books();
    fame_say(n, "tree: cp -a put %u entries (%u xattrs) into /lfs, "
             "identical; they hold %ld books", entries, t.xattrs, held);
    if (!check_du(&t, LFS_TREE "/cp", &du_lfs)) {
        return false;
    }
    if (du_lfs != held * (long long)sv.f_bsize / 1024) {
        return FAIL(&t, "tree: du says %lld KiB, the pool lost %ld books of "
                    "%lu KiB", du_lfs, held, sv.f_bsize / 1024);
    }
    /* 2. ls -lR and find see the same tree */
    snprintf(a, sizeof(a), "%s/ls-src", tmpfs);
    snprintf(b, sizeof(b), "%s/ls-lfs", tmpfs);
    if (ls_tree(t.src, a, true) || ls_tree(LFS_TREE "/cp", b, true) ||
        !same_output(&t, "ls -lRn of the tree in /lfs", a, b)) {
        return FAIL(&t, "tree: ls -lRn");
    }
    snprintf(cmd, sizeof(cmd), "cd %s && find . | sort", t.src);
    run_to(cmd, a);
    run_to("cd " LFS_TREE "/cp && find . | sort", b);
    if (!same_output(&t, "find", a, b)) {
        return false;
    }
    /* 3. back with cp -a: diff -r, ls -lR whole */
    snprintf(cmd, sizeof(cmd), "cp -a " LFS_TREE "/cp %s/back", tmpfs);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: '%s' failed", cmd);
    }
    snprintf(b, sizeof(b), "%s/back", tmpfs);
    copy_xattrs(LFS_TREE "/cp", b);
    entries = 0;
    if (!cmp_tree(&t, t.src, b, true, &entries)) {
        return false;
    }
    snprintf(cmd, sizeof(cmd), "diff -r %s %s >/dev/console 2>&1", t.src, b);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: diff -r of the tree and its copy back");
    }
    snprintf(b, sizeof(b), "%s/back", tmpfs);
    snprintf(c, sizeof(c), "%s/ls-back", tmpfs);
    if (ls_tree(t.src, a, false) != 0 || ls_tree(b, c, false) != 0 ||
        !same_output(&t, "ls -lRn of the tree copied back", a, c)) {
        return FAIL(&t, "tree: ls -lRn of the tree copied back");
    }
    fame_say(n, "tree: cp -a back out of /lfs: diff -r, ls -lRn, %u "
             "entries with xattrs identical", entries);
    /* One copy at a time: the pool is small */
    if (run("rm -rf " LFS_TREE "/cp") != 0 || free_books() != before) {
        return FAIL(&t, "tree: rm -rf of the copy left %ld books free, not "
                    "%ld", free_books(), before);
    }
    /* 4. tar x into /lfs, tar c out of it */
    snprintf(cmd, sizeof(cmd), "cd %s && tar cf %s/tree.tar tree && "
             "mkdir " LFS_TREE "/tar && tar xf %s/tree.tar -C " LFS_TREE
             "/tar", tmpfs, tmpfs, tmpfs);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: '%s' failed", cmd);
    }
    copy_xattrs(t.src, LFS_TREE "/tar/tree");
    entries = 0;
    if (!cmp_tree(&t, t.src, LFS_TREE "/tar/tree", false, &entries)) {
        return false;
    }
    snprintf(cmd, sizeof(cmd), "diff -r %s " LFS_TREE "/tar/tree "
             ">/dev/console 2>&1", t.src);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: diff -r of the tree and its tar x in /lfs");
    }
    snprintf(cmd, sizeof(cmd), "mkdir %s/tarback && tar cf - -C " LFS_TREE
             "/tar tree | tar xf - -C %s/tarback && diff -r %s "
             "%s/tarback/tree >/dev/console 2>&1", tmpfs, tmpfs, t.src,
             tmpfs);
    if (run(cmd) != 0) {
        return FAIL(&t, "tree: tar out of /lfs and diff -r");
    }
    fame_say(n, "tree: tar x into /lfs and tar c out of it: %u entries, "
             "diff -r identical", entries);
    /* 5. rm -rf gives every book back again */
    if (run("rm -rf " LFS_TREE) != 0 || free_books() != before) {
        return FAIL(&t, "tree: after rm -rf %ld books are free, not %ld",
                    free_books(), before);
    }
    fame_say(n, "tree: rm -rf gave back every book; %.1f s in all",
             fame_now() - t0);
    return true;
}
