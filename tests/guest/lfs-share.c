/*
 * lfs-share: the LFS across nodes (/lfs, fam-lfs), on N >= 2 nodes. The
 * nodes meet through the file system itself: a barrier is a file per
 * node in /lfs/share, which every node waits to see (negative lookups are
 * not cached, so a new name is seen at once).
 *
 *  1. Node 0 writes a data set of a few books with write(2); the last node
 *     reads it back with read(2) and checks every byte.
 *  2. Every node creates its own files in one directory while all race to
 *     O_CREAT|O_EXCL the same names; each reports how many it won (the
 *     host checks one winner per name) and node 0 checks the listing: no
 *     entry lost, none twice.
 *  3. Nodes 0 and 1 race to rename the same files, to rename their own
 *     files onto one name with RENAME_NOREPLACE, and to hard-link their
 *     own files to one name: one winner each, the loser's file intact.
 *  4. The last node measures how long it still sees the old state after
 *     node 0 renamed, chmodded, grew and unlinked a file it had looked at
 *     (the attribute and entry cache timeout bounds it).
 *  5. mmap is direct: node 0 maps a two-book file and stores a pattern;
 *     the mapper node (5, or the last) maps it and sees every store with
 *     no msync, stores a word back, which node 0 sees. Node 0 prints the
 *     words with their file offsets for the host to find in the pool
 *     file. A page past the end raises SIGBUS. A shrink while another
 *     node has the file open is refused (EBUSY); once it closed, the
 *     shrink works. The daemons of both nodes served no READ or WRITE
 *     (user.LFS.stats).
 *  6. Node 0 unlinks a file it has open: it stays readable (nlink 0) and
 *     its books come back at the close. The last node's unlink of a file
 *     node 0 has open is EBUSY, and works once node 0 closed it.
 *
 * With fame.boot=2 (a second run on the same pool and database) node 0
 * checks instead that the data set, its mode and an xattr survived.
 */
#define _GNU_SOURCE

#include "fame-guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TAG "lfs-share"
#define DIR_ "/lfs/share"
#define OWN_FILES 40
#define SHARED_NAMES 20
#define RACES 10
#define WAIT_S 120.0
#define POLL_S 0.02
#define DATA_BOOKS 3

static const struct fame_node *node;
static uint64_t book;

#define FAIL(...) (fame_say(node, "FAIL " __VA_ARGS__), false)

static uint64_t pattern(uint64_t i, unsigned stream)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ stream;

    x ^= x >> 31;
    return x * 0xbf58476d1ce4e5b9ull;
}

static bool exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

static bool wait_for(const char *path)
{
    double end = fame_now() + WAIT_S;

    while (!exists(path)) {
        if (fame_now() > end) {
            return FAIL("node %u: waited %.0f s for %s", node->id, WAIT_S,
                        path);
        }
        fame_sleep(POLL_S);
    }
    return true;
}

static bool touch(const char *path)
{
    int fd = open(path, O_CREAT | O_WRONLY, 0644);

    if (fd < 0) {
        return FAIL("node %u: create %s: %s", node->id, path,
                    strerror(errno));
    }
    close(fd);
    return true;
}

/* Every node creates DIR_/<name>-<id>, then waits for all of them. */
static bool barrier(const char *name)
{
    char path[128];

    snprintf(path, sizeof(path), DIR_ "/%s-%u", name, node->id);
    if (!touch(path)) {
        return false;
    }
    for (unsigned i = 0; i < node->count; i++) {
        snprintf(path, sizeof(path), DIR_ "/%s-%u", name, i);
        if (!wait_for(path)) {
            return false;
        }
    }
    return true;
}

/* 1. The data set: written by node 0, read back by the last node. */
static bool data_set(void)
{
    size_t len = DATA_BOOKS * book - 4096;  /* not a whole number of books */
    uint64_t *buf = malloc(len);
    bool ok = true;
    int fd;

    if (!buf) {
        return FAIL("out of memory");
    }
    if (node->id == 0) {
        for (size_t i = 0; i < len / 8; i++) {
            buf[i] = pattern(i, 1);
        }
        fd = open(DIR_ "/data", O_CREAT | O_EXCL | O_WRONLY, 0640);
        ok = fd >= 0 && write(fd, buf, len) == (ssize_t)len &&
             fsync(fd) == 0 &&
             setxattr(DIR_ "/data", "user.origin", "node0", 5, 0) == 0;
        if (!ok) {
            free(buf);
            return FAIL("node 0: writing the data set: %s", strerror(errno));
        }
        close(fd);
        ok = touch(DIR_ "/data.done");
        fame_say(node, "node 0: wrote a data set of %zu bytes", len);
    } else if (node->id == node->count - 1) {
        struct stat st;
        ssize_t n = 0, got;

        ok = wait_for(DIR_ "/data.done");
        fd = ok ? open(DIR_ "/data", O_RDONLY) : -1;
        if (ok && (fd < 0 || fstat(fd, &st) < 0 || st.st_size != (off_t)len)) {
            ok = FAIL("node %u: the data set is not there whole: %s",
                      node->id, fd < 0 ? strerror(errno) : "size");
        }
        while (ok && n < (ssize_t)len &&
               (got = read(fd, (char *)buf + n, len - n)) > 0) {
            n += got;
        }
        for (size_t i = 0; ok && i < len / 8; i++) {
            if (buf[i] != pattern(i, 1)) {
                ok = FAIL("node %u: data set word %zu is %#" PRIx64,
                          node->id, i, buf[i]);
            }
        }
        if (fd >= 0) {
            close(fd);
        }
        if (ok) {
            fame_say(node, "node %u: read node 0's %zu bytes intact",
                     node->id, len);
        }
    }
    free(buf);
    return ok;
}

/* 2. Creating in one directory at once. */
static bool create_race(void)
{
    unsigned won = 0;
    char path[128];

    for (unsigned i = 0; i < OWN_FILES; i++) {
        snprintf(path, sizeof(path), DIR_ "/crowd/own-%u-%u", node->id, i);
        if (!touch(path)) {
            return false;
        }
        if (i < SHARED_NAMES) {
            int fd;

            snprintf(path, sizeof(path), DIR_ "/crowd/shared-%u", i);
            fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
            if (fd >= 0) {
                won++;
                close(fd);
            } else if (errno != EEXIST) {
                return FAIL("node %u: O_EXCL create of %s: %s", node->id,
                            path, strerror(errno));
            }
        }
    }
    fame_say(node, "node %u: won %u of %u exclusive creates", node->id, won,
             SHARED_NAMES);
    return true;
}

static bool check_crowd(void)
{
    unsigned own = 0, shared = 0, other = 0;
    char seen[64][OWN_FILES] = { { 0 } };
    char seen_shared[SHARED_NAMES] = { 0 };
    DIR *d = opendir(DIR_ "/crowd");
    struct dirent *e;
    unsigned a, b;

    if (!d) {
        return FAIL("node 0: opendir crowd: %s", strerror(errno));
    }
    while ((e = readdir(d))) {
        if (sscanf(e->d_name, "own-%u-%u", &a, &b) == 2 &&
            a < node->count && a < 64 && b < OWN_FILES) {
            if (seen[a][b]++) {
                closedir(d);
                return FAIL("node 0: %s listed twice", e->d_name);
            }
            own++;
        } else if (sscanf(e->d_name, "shared-%u", &a) == 1 &&
                   a < SHARED_NAMES) {
            if (seen_shared[a]++) {
                closedir(d);
                return FAIL("node 0: %s listed twice", e->d_name);
            }
            shared++;
        } else if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            other++;
        }
    }
    closedir(d);
    if (own != node->count * OWN_FILES || shared != SHARED_NAMES || other) {
        return FAIL("node 0: crowd lists %u own, %u shared, %u other "
                    "entries, not %u, %u, 0", own, shared, other,
                    node->count * OWN_FILES, SHARED_NAMES);
    }
    fame_say(node, "node 0: the directory lists %u own and %u shared "
             "entries, none twice", own, shared);
    return true;
}

/* 3. Nodes 0 and 1 rename the same files, and theirs onto one name. */
static bool rename_race(void)
{
    unsigned won = 0, kept = 0, linked = 0;
    char from[128], to[128];

    for (unsigned r = 0; r < RACES; r++) {
        snprintf(from, sizeof(from), DIR_ "/race/r%u", r);
        snprintf(to, sizeof(to), DIR_ "/race/r%u.won-%u", r, node->id);
        if (rename(from, to) == 0) {
            won++;
        } else if (errno != ENOENT) {
            return FAIL("node %u: rename %s: %s", node->id, from,
                        strerror(errno));
        }
        snprintf(from, sizeof(from), DIR_ "/race/n%u-%u", r, node->id);
        snprintf(to, sizeof(to), DIR_ "/race/nr%u", r);
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) {
            kept++;
        } else if (errno != EEXIST) {
            return FAIL("node %u: rename %s (no replace): %s", node->id,
                        from, strerror(errno));
        }
        snprintf(from, sizeof(from), DIR_ "/race/l%u-%u", r, node->id);
        snprintf(to, sizeof(to), DIR_ "/race/lk%u", r);
        if (link(from, to) == 0) {
            linked++;
        } else if (errno != EEXIST) {
            return FAIL("node %u: link %s: %s", node->id, from,
                        strerror(errno));
        }
    }
    fame_say(node, "node %u: won %u of %u renames, %u of %u no-replace "
             "renames, %u of %u links", node->id, won, RACES, kept, RACES,
             linked, RACES);
    return true;
}

/* The inode and link count of a path, or 0 and 0. */
static void inode_of(const char *path, ino_t *ino, nlink_t *nlink)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        st.st_ino = 0;
        st.st_nlink = 0;
    }
    *ino = st.st_ino;
    *nlink = st.st_nlink;
}

/*
 * Race r's outcome, as this node sees it: NULL if right, else what is
 * wrong (into buf).
 */
static const char *race_wrong(unsigned r, char *buf, size_t len)
{
    unsigned winners = 0, sources = 0, names = 0;
    char path[128];
    ino_t target, ino;
    nlink_t nlink;

    snprintf(path, sizeof(path), DIR_ "/race/r%u", r);
    if (exists(path)) {
        snprintf(buf, len, "%s is still there after the race", path);
        return buf;
    }
    for (unsigned k = 0; k < 2; k++) {
        snprintf(path, sizeof(path), DIR_ "/race/r%u.won-%u", r, k);
        winners += exists(path);
        snprintf(path, sizeof(path), DIR_ "/race/n%u-%u", r, k);
        sources += exists(path);
    }
    snprintf(path, sizeof(path), DIR_ "/race/nr%u", r);
    if (winners != 1 || sources != 1 || !exists(path)) {
        snprintf(buf, len, "race %u has %u rename winners, %u no-replace "
                 "sources left and nr%u %s", r, winners, sources, r,
                 exists(path) ? "there" : "missing");
        return buf;
    }
    /* One source has two names (the link's), the other one */
    snprintf(path, sizeof(path), DIR_ "/race/lk%u", r);
    inode_of(path, &target, &nlink);
    for (unsigned k = 0; k < 2; k++) {
        nlink_t n;

        snprintf(path, sizeof(path), DIR_ "/race/l%u-%u", r, k);
        inode_of(path, &ino, &n);
        names += ino == target ? 10 * n : n;
    }
    if (target == 0 || nlink != 2 || names != 21) {
        snprintf(buf, len, "link race %u: lk%u has inode %lu with %lu names "
                 "(sources: %u)", r, r, (unsigned long)target,
                 (unsigned long)nlink, names);
        return buf;
    }
    return NULL;
}

/*
 * Node 0 looked at the sources when it made them: its cached entries
 * may show node 1's renames only once they time out (docs/lfs.md), so
 * each race is given that long to settle.
 */
static bool check_race(void)
{
    char why[160];

    for (unsigned r = 0; r < RACES; r++) {
        const char *wrong;

        for (double end = fame_now() + 3;
             (wrong = race_wrong(r, why, sizeof(why))) && fame_now() < end;) {
            fame_sleep(0.05);
        }
        if (wrong) {
            return FAIL("node 0: %s", wrong);
        }
    }
    fame_say(node, "node 0: every rename and link race has exactly one "
             "winner");
    return true;
}

/* Milliseconds until check() holds, polling. */
static bool until(bool (*check)(void), const char *what, double *ms)
{
    double t0 = fame_now(), end = t0 + WAIT_S;

    while (!check()) {
        if (fame_now() > end) {
            return FAIL("node %u: %s not seen within %.0f s", node->id,
                        what, WAIT_S);
        }
        fame_sleep(0.005);
    }
    *ms = (fame_now() - t0) * 1000;
    return true;
}

static bool vis_gone(void)
{
    return !exists(DIR_ "/vis");
}

static bool vis2_chmodded(void)
{
    struct stat st;

    return stat(DIR_ "/vis2", &st) == 0 && (st.st_mode & 07777) == 0600;
}

static bool vis2_grown(void)
{
    struct stat st;

    return stat(DIR_ "/vis2", &st) == 0 && st.st_size == 4096;
}

static bool vis2_gone(void)
{
    return !exists(DIR_ "/vis2");
}

/* 4. How soon the last node sees node 0's changes. */
static bool visibility(void)
{
    unsigned last = node->count - 1;
    double ms[4];
    int fd;

    if (node->id == 0) {
        bool ok = touch(DIR_ "/vis") && wait_for(DIR_ "/vis-looked");

        ok = ok && rename(DIR_ "/vis", DIR_ "/vis2") == 0 &&
             touch(DIR_ "/vis-renamed") && wait_for(DIR_ "/vis-seen1");
        ok = ok && chmod(DIR_ "/vis2", 0600) == 0 &&
             touch(DIR_ "/vis-chmodded") && wait_for(DIR_ "/vis-seen2");
        fd = ok ? open(DIR_ "/vis2", O_WRONLY | O_APPEND) : -1;
        ok = ok && fd >= 0 && write(fd, &ms, 0) == 0 &&
             ftruncate(fd, 4096) == 0 && close(fd) == 0 &&
             touch(DIR_ "/vis-grown") && wait_for(DIR_ "/vis-seen3");
        ok = ok && unlink(DIR_ "/vis2") == 0 && touch(DIR_ "/vis-unlinked");
        return ok ? true : FAIL("node 0: visibility steps: %s",
                                strerror(errno));
    }
    if (node->id != last) {
        return true;
    }
    /* Look at the file (now cached), then time each change. */
    if (!wait_for(DIR_ "/vis") || !exists(DIR_ "/vis") ||
        !touch(DIR_ "/vis-looked")) {
        return false;
    }
    if (!wait_for(DIR_ "/vis-renamed") ||
        !until(vis_gone, "the rename", &ms[0]) ||
        !exists(DIR_ "/vis2") || !touch(DIR_ "/vis-seen1")) {
        return false;
    }
    if (!wait_for(DIR_ "/vis-chmodded") ||
        !until(vis2_chmodded, "the chmod", &ms[1]) ||
        !touch(DIR_ "/vis-seen2")) {
        return false;
    }
    if (!wait_for(DIR_ "/vis-grown") ||
        !until(vis2_grown, "the growth", &ms[2]) ||
        !touch(DIR_ "/vis-seen3")) {
        return false;
    }
    if (!wait_for(DIR_ "/vis-unlinked") ||
        !until(vis2_gone, "the unlink", &ms[3])) {
        return false;
    }
    fame_say(node, "node %u: saw node 0's rename after %.0f ms, chmod "
             "after %.0f ms, growth after %.0f ms, unlink after %.0f ms",
             node->id, ms[0], ms[1], ms[2], ms[3]);
    return true;
}

static uint64_t free_books(void)
{
    struct statvfs sv;

    return statvfs("/lfs", &sv) == 0 ? sv.f_bfree : 0;
}

/*
 * 6. Unlink of an open file: on the node that has it open it works (the
 * file lives on until its last close, then its books come back); from
 * another node it is EBUSY until the opener closes.
 */
static bool unlink_open(void)
{
    unsigned last = node->count - 1;
    char buf[4096];
    struct stat st;
    uint64_t before;
    int fd;

    if (node->id == 0) {
        before = free_books();
        memset(buf, 0x77, sizeof(buf));
        fd = open(DIR_ "/scratch", O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf) ||
            unlink(DIR_ "/scratch") < 0) {
            return FAIL("node 0: unlink of an open file: %s",
                        strerror(errno));
        }
        memset(buf, 0, sizeof(buf));
        if (exists(DIR_ "/scratch") || fstat(fd, &st) < 0 ||
            st.st_nlink != 0 || pread(fd, buf, sizeof(buf), 0) != 4096 ||
            buf[4095] != 0x77) {
            return FAIL("node 0: the unlinked open file: name %s, nlink "
                        "%ju, data %s", exists(DIR_ "/scratch") ? "kept"
                        : "gone", (uintmax_t)st.st_nlink,
                        buf[4095] == 0x77 ? "ok" : "lost");
        }
        close(fd);
        for (double end = fame_now() + 5; free_books() != before;) {
            if (fame_now() > end) {
                return FAIL("node 0: %" PRIu64 " free books after the "
                            "unlinked file's close, not %" PRIu64,
                            free_books(), before);
            }
            fame_sleep(0.01);
        }
        fame_say(node, "node 0: an unlinked open file stayed readable "
                 "with nlink 0; its books came back at its close");
        fd = open(DIR_ "/held", O_CREAT | O_EXCL | O_RDWR, 0666);
        if (fd < 0 || !touch(DIR_ "/held-open") ||
            !wait_for(DIR_ "/held-tried")) {
            return false;
        }
        close(fd);
        return touch(DIR_ "/held-closed");
    }
    if (node->id != last) {
        return true;
    }
    if (!wait_for(DIR_ "/held-open")) {
        return false;
    }
    if (unlink(DIR_ "/held") == 0 || errno != EBUSY) {
        return FAIL("node %u: unlink of a file node 0 has open: %s, not "
                    "EBUSY", node->id, strerror(errno));
    }
    if (!touch(DIR_ "/held-tried") || !wait_for(DIR_ "/held-closed")) {
        return false;
    }
    if (unlink(DIR_ "/held") < 0) {
        return FAIL("node %u: unlink once node 0 closed: %s", node->id,
                    strerror(errno));
    }
    fame_say(node, "node %u: unlink of a file open on node 0 was EBUSY, "
             "worked once it closed", node->id);
    return true;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
    (void)sig;
    siglongjmp(bus_jmp, 1);
}

static bool sigbus_at(volatile uint64_t *p)
{
    struct sigaction sa = { .sa_handler = on_bus }, old;
    bool bus = false;

    sigaction(SIGBUS, &sa, &old);
    if (sigsetjmp(bus_jmp, 1) == 0) {
        (void)*p;
    } else {
        bus = true;
    }
    sigaction(SIGBUS, &old, NULL);
    return bus;
}

/* The daemon's counters (user.LFS.stats on the root). */
static bool daemon_io(uint64_t *reads, uint64_t *writes)
{
    char text[256];
    ssize_t n = getxattr("/lfs", "user.LFS.stats", text, sizeof(text) - 1);
    const char *r, *w;

    if (n < 0) {
        return FAIL("node %u: user.LFS.stats: %s", node->id,
                    strerror(errno));
    }
    text[n] = '\0';
    r = strstr(text, "reads=");
    w = strstr(text, "writes=");
    if (!r || !w) {
        return FAIL("node %u: user.LFS.stats says '%s'", node->id, text);
    }
    *reads = strtoull(r + 6, NULL, 10);
    *writes = strtoull(w + 7, NULL, 10);
    return true;
}

/* 5. The mapping is the pool. */
static bool mapping(unsigned mapper)
{
    size_t len = 2 * book, words = len / 4096;
    volatile uint64_t *p;
    uint64_t reads, writes;
    bool ok = true;
    int fd;

    if (node->id != 0 && node->id != mapper) {
        return true;
    }
    if (node->id == 0) {
        fd = open(DIR_ "/map", O_CREAT | O_EXCL | O_RDWR, 0600);
        if (fd < 0 || ftruncate(fd, (off_t)len) < 0) {
            return FAIL("node 0: making the map file: %s", strerror(errno));
        }
    } else {
        if (!wait_for(DIR_ "/map-stored")) {
            return false;
        }
        fd = open(DIR_ "/map", O_RDWR);
        if (fd < 0) {
            return FAIL("node %u: open map: %s", node->id, strerror(errno));
        }
    }
    p = mmap(NULL, len + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        close(fd);
        return FAIL("node %u: mmap: %s", node->id, strerror(errno));
    }
    if (node->id == 0) {
        /* One word per page, then the markers the host looks for. */
        for (size_t i = 0; i < words; i++) {
            p[i * 512] = pattern(i, 5);
        }
        for (size_t i = 0; i < words; i += words / 2) {
            fame_say(node, "map word offset=%zu value=%" PRIu64, i * 4096,
                     pattern(i, 5));
        }
        ok = touch(DIR_ "/map-stored");
        ok = ok && sigbus_at(p + len / 8);
        if (ok) {
            fame_say(node, "node 0: stored %zu words through the mapping; "
                     "SIGBUS past the end", words);
        }
        /* The mapper's word comes back through the same memory. */
        for (double end = fame_now() + WAIT_S; ok && p[1] != 0x5eed;) {
            if (fame_now() > end) {
                ok = FAIL("node 0: the mapper's store never arrived");
            }
            fame_sleep(0.001);
        }
        if (ok) {
            fame_say(node, "node 0: saw node %u's store in its mapping",
                     mapper);
        }
        /* A shrink while the mapper has it open: refused. */
        if (ok && ftruncate(fd, (off_t)book) == 0) {
            ok = FAIL("node 0: shrink while node %u has the file open "
                      "worked", mapper);
        } else if (ok && errno != EBUSY) {
            ok = FAIL("node 0: shrink while open elsewhere: %s, not EBUSY",
                      strerror(errno));
        }
        ok = ok && touch(DIR_ "/map-shrink-refused") &&
             wait_for(DIR_ "/map-closed");
        if (ok && ftruncate(fd, (off_t)book) < 0) {
            ok = FAIL("node 0: shrink once alone: %s", strerror(errno));
        }
        ok = ok && sigbus_at(p + book / 8);
        if (ok) {
            fame_say(node, "node 0: a shrink was EBUSY while node %u had "
                     "the file open, worked once it closed; the dropped "
                     "book's pages raise SIGBUS", mapper);
        }
    } else {
        size_t missing = words;

        for (double end = fame_now() + WAIT_S; missing;) {
            missing = 0;
            for (size_t i = 0; i < words; i++) {
                missing += p[i * 512] != pattern(i, 5);
            }
            if (missing && fame_now() > end) {
                ok = FAIL("node %u: %zu of node 0's words never appeared",
                          node->id, missing);
                break;
            }
        }
        if (ok) {
            fame_say(node, "node %u: saw all %zu of node 0's words in its "
                     "mapping, no msync", node->id, words);
            p[1] = 0x5eed;
        }
        ok = ok && wait_for(DIR_ "/map-shrink-refused");
    }
    munmap((void *)p, len + 4096);
    close(fd);
    if (ok && node->id == mapper) {
        ok = touch(DIR_ "/map-closed");
    }
    if (ok && daemon_io(&reads, &writes)) {
        fame_say(node, "node %u: the daemon served %" PRIu64 " READ and %"
                 PRIu64 " WRITE requests", node->id, reads, writes);
    }
    return ok;
}

/* The second run: what node 0 wrote is still there. */
static bool persisted(void)
{
    size_t len = DATA_BOOKS * book - 4096;
    char origin[16] = "";
    struct stat st;
    uint64_t w;
    int fd;

    if (node->id != 0) {
        return true;
    }
    fd = open(DIR_ "/data", O_RDONLY);
    if (fd < 0 || fstat(fd, &st) < 0) {
        return FAIL("node 0: the data set is gone: %s", strerror(errno));
    }
    if (st.st_size != (off_t)len || (st.st_mode & 07777) != 0640) {
        close(fd);
        return FAIL("node 0: the data set has size %jd mode %o",
                    (intmax_t)st.st_size, (unsigned)(st.st_mode & 07777));
    }
    for (size_t i = 0; i < len / 8; i += 4099) {
        if (pread(fd, &w, 8, (off_t)(i * 8)) != 8 || w != pattern(i, 1)) {
            close(fd);
            return FAIL("node 0: data set word %zu changed", i);
        }
    }
    close(fd);
    if (getxattr(DIR_ "/data", "user.origin", origin, sizeof(origin) - 1) != 5
        || strcmp(origin, "node0")) {
        return FAIL("node 0: the data set's xattr is '%s'", origin);
    }
    fame_say(node, "node 0: after a power-off the data set, its mode and "
             "xattr are as written");
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct statvfs sv;
    unsigned mapper;
    bool ok;

    fame_node_init(&n, TAG, argc, argv);
    node = &n;
    if (n.count < 2) {
        fame_say(node, "FAIL needs at least 2 nodes");
        return 1;
    }
    if (statvfs("/lfs", &sv) < 0) {
        fame_say(node, "FAIL node %u: no LFS at /lfs: %s", n.id,
                 strerror(errno));
        return 1;
    }
    book = sv.f_bsize;
    if (n.boot > 1) {
        ok = persisted();
        fame_say(node, ok ? "PASS" : "FAIL (the reason is above)");
        return !ok;
    }
    mapper = n.count > 5 ? 5 : n.count - 1;
    if (n.id == 0) {
        ok = mkdir(DIR_, 0777) == 0 && mkdir(DIR_ "/crowd", 0777) == 0 &&
             mkdir(DIR_ "/race", 0777) == 0;
        for (unsigned r = 0; ok && r < RACES; r++) {
            char path[64];

            snprintf(path, sizeof(path), DIR_ "/race/r%u", r);
            ok = touch(path);
            for (unsigned k = 0; ok && k < 2; k++) {
                snprintf(path, sizeof(path), DIR_ "/race/n%u-%u", r, k);
                ok = touch(path);
                snprintf(path, sizeof(path), DIR_ "/race/l%u-%u", r, k);
                ok = ok && touch(path);
            }
        }
        ok = ok && touch(DIR_ "/ready");
        if (!ok) {
            fame_say(node, "FAIL node 0: setting up %s: %s", DIR_,
                     strerror(errno));
            return 1;
        }
    }
    ok = wait_for(DIR_ "/ready") && data_set() && barrier("b1") &&
         create_race() && (n.id > 1 || rename_race()) && barrier("b2") &&
         (n.id != 0 || (check_crowd() && check_race())) && visibility() &&
         mapping(mapper) && unlink_open() && barrier("b3");
    fame_say(node, ok ? "PASS" : "FAIL (the reason is above)");
    return !ok;
}
