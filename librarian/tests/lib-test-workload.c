/*
 * The mixed, self-checking workload of one Librarian caller
 * (lib-test-workload.h).
 */
#include "lib-test-workload.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DIRS        5       /* /tN itself (0) and its d1..d4 */
#define FILES       8       /* f0..f7 in each */
#define MAX_BOOKS   4       /* a private file grows to at most this */
#define SHARED      8       /* /shared/s0..s7 */
#define SHARED_MAX_BOOKS 2
#define PATH_LEN    64

#define FILE_MODE   0644u
#define SHARED_MODE 0666u
#define DIR_MODE    0755u

typedef struct Slot {
    bool exists;
    bool open;
    uint64_t handle;
    uint64_t size;
    uint32_t nbooks;
    uint64_t books[MAX_BOOKS];
} Slot;

typedef struct SharedOpen {
    bool open;
    uint64_t handle;
} SharedOpen;

typedef struct Work {
    LibWorkload *w;
    uint64_t rng;
    uint64_t book_size;
    uint32_t igs;
    const char *op_name;        /* the operation running, for messages */
    char op_path[PATH_LEN];
    bool dir_exists[DIRS];
    Slot slot[DIRS][FILES];
    SharedOpen shared[SHARED];
} Work;

/* Policies a private file may get; RequestIG is set with its sequence. */
static const char *const policies[] = {
    "RandomBooks", "LocalNode", "LocalEnc", "NonLocal_Enc", "Nearest",
    "NearestRemote", "NearestEnc", "NearestRack", "LZAascending",
    "LZAdescending", "RequestIG",
};

static uint64_t rnd(Work *k)
{
    /* xorshift64*: per worker, so the workers share no state */
    k->rng ^= k->rng >> 12;
    k->rng ^= k->rng << 25;
    k->rng ^= k->rng >> 27;
    return k->rng * UINT64_C(2685821657736338717);
}

static uint32_t rnd_below(Work *k, uint32_t n)
{
    return (uint32_t)(rnd(k) % n);
}

static const char *err_name(int r)
{
    const char *n;

    if (r == 0) {
        return "success";
    }
    if (r > 0) {
        return "a positive value";
    }
    n = strerrorname_np(-r);
    return n != NULL ? n : "an unknown errno";
}

G_GNUC_PRINTF(2, 3)
static int fail(Work *k, const char *fmt, ...)
{
    LibWorkload *w = k->w;
    char msg[384];
    va_list ap;

    if (w->error[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(w->error, sizeof(w->error),
                 "worker %u, op %" PRIu64 " (%s %s): %s", w->index,
                 w->stats.ops, k->op_name, k->op_path, msg);
    }
    return -1;
}

static void begin(Work *k, const char *name, const char *path)
{
    k->op_name = name;
    snprintf(k->op_path, sizeof(k->op_path), "%s", path);
}

/* The result must be `want`; count it. */
static int expect(Work *k, int got, int want)
{
    if (got != want) {
        return fail(k, "got %s, expected %s", err_name(got), err_name(want));
    }
    if (got == 0) {
        k->w->stats.ok++;
    } else {
        k->w->stats.refused++;
    }
    return 0;
}

/* The result must be one of the outcomes a race with other workers can
 * explain: `allowed` lists them, 0 ends the list (0 itself is always
 * allowed). */
static int expect_raced(Work *k, int got, const int *allowed)
{
    LibWorkStats *s = &k->w->stats;

    if (got == 0) {
        s->ok++;
        return 0;
    }
    for (; *allowed != 0; allowed++) {
        if (got == *allowed) {
            if (got == -ENOSPC) {
                s->enospc++;
            } else if (got == -EBUSY) {
                s->ebusy++;
            } else {
                s->raced++;
            }
            return 0;
        }
    }
    return fail(k, "got %s, which no race explains", err_name(got));
}

static void dir_path(const Work *k, unsigned d, char *buf, size_t len)
{
    if (d == 0) {
        snprintf(buf, len, "/t%u", k->w->index);
    } else {
        snprintf(buf, len, "/t%u/d%u", k->w->index, d);
    }
}

static void file_path(const Work *k, unsigned d, unsigned f, char *buf,
                      size_t len)
{
    char dir[32];

    dir_path(k, d, dir, sizeof(dir));
    snprintf(buf, len, "%s/f%u", dir, f);
}

static unsigned files_in(const Work *k, unsigned d)
{
    unsigned n = 0;

    for (unsigned f = 0; f < FILES; f++) {
        n += k->slot[d][f].exists;
    }
    return n;
}

/* A slot; mostly an existing one (when there is one), so that most
 * operations do something, and sometimes any, to test refusals. */
static void pick_slot(Work *k, unsigned *d, unsigned *f)
{
    unsigned start = rnd_below(k, DIRS * FILES);

    if (rnd_below(k, 5) != 0) {
        for (unsigned i = 0; i < DIRS * FILES; i++) {
            unsigned s = (start + i) % (DIRS * FILES);

            if (k->slot[s / FILES][s % FILES].exists) {
                start = s;
                break;
            }
        }
    }
    *d = start / FILES;
    *f = start % FILES;
}

static int check_file_attr(Work *k, const Slot *s,
                           const struct fam_lib_attr *a, uint32_t mode)
{
    if ((a->mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFREG ||
        (a->mode & 07777) != mode) {
        return fail(k, "mode 0%o, expected a regular file 0%o", a->mode,
                    mode);
    }
    if (a->uid != k->w->uid || a->size != s->size ||
        a->books != s->nbooks) {
        return fail(k, "uid %u size %" PRIu64 " books %" PRIu64 ", expected "
                    "uid %u size %" PRIu64 " books %u", a->uid,
                    (uint64_t)a->size, (uint64_t)a->books, k->w->uid,
                    s->size, s->nbooks);
    }
    return 0;
}

/* A node writes only where the fabric lets it: into the books of a
 * shelf it has open for writing. */
static int check_grant(Work *k, uint64_t book)
{
    LibWorkload *w = k->w;

    if (w->may_write != NULL &&
        !w->may_write(w->may_write_opaque, w->node, book)) {
        return fail(k, "node %u has book %" PRIu64 " of a shelf it has "
                    "open for writing, but no writable grant for it",
                    w->node, book);
    }
    return 0;
}

/* --- the book list of a private file --------------------------------- */

typedef struct BookList {
    uint64_t books[MAX_BOOKS + 1];
    uint32_t count;
} BookList;

static bool take_book(void *opaque, const struct fam_lib_book *b)
{
    BookList *l = opaque;

    if (l->count <= MAX_BOOKS) {
        l->books[l->count] = b->book;
    }
    l->count++;
    return true;
}

/*
 * After a resize to `nb` books succeeded: the old books must stay, in
 * order, in front; new books must read as zero (they were zeroed when
 * last freed) and get this worker's pattern, as the node would write.
 */
static int refresh_books(Work *k, Slot *s, const char *path, uint32_t nb)
{
    const LibTestPool *pool = k->w->pool;
    BookList l = { .count = 0 };
    int r;

    r = lib_conn_shelf_books(k->w->conn, s->open ? NULL : path,
                             s->open ? s->handle : 0, take_book, &l);
    if (r < 0) {
        return fail(k, "listing its books: %s", err_name(r));
    }
    if (l.count != nb) {
        return fail(k, "it has %u books, expected %u", l.count, nb);
    }
    for (uint32_t i = 0; i < nb; i++) {
        if (l.books[i] >= pool->books) {
            return fail(k, "book %" PRIu64 " is beyond the pool",
                        l.books[i]);
        }
        if (i < s->nbooks && i < nb) {
            if (l.books[i] != s->books[i]) {
                return fail(k, "book %u changed from %" PRIu64 " to %" PRIu64,
                            i, s->books[i], l.books[i]);
            }
            continue;
        }
        if (!lib_test_book_probes_zero(pool, l.books[i])) {
            return fail(k, "newly allocated book %" PRIu64 " is not zero: "
                        "it was freed without zeroing", l.books[i]);
        }
        if (s->open && check_grant(k, l.books[i]) < 0) {
            return -1;
        }
        lib_test_book_mark(pool, l.books[i], k->w->index + 1);
        k->w->stats.books_got++;
    }
    memcpy(s->books, l.books, nb * sizeof(l.books[0]));
    s->nbooks = nb;
    return 0;
}

/* --- operations on the private tree ---------------------------------- */

static int op_getattr(Work *k);

static int op_create(Work *k)
{
    unsigned d = rnd_below(k, DIRS), f = rnd_below(k, FILES);
    Slot *s = &k->slot[d][f];
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    file_path(k, d, f, path, sizeof(path));
    begin(k, "create", path);
    r = lib_conn_create(k->w->conn, path, FILE_MODE, &a);
    if (!k->dir_exists[d]) {
        return expect(k, r, -ENOENT);
    }
    if (s->exists) {
        return expect(k, r, -EEXIST);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    *s = (Slot){ .exists = true };
    return check_file_attr(k, s, &a, FILE_MODE);
}

static int op_mkdir(Work *k)
{
    unsigned d = 1 + rnd_below(k, DIRS - 1);
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    dir_path(k, d, path, sizeof(path));
    begin(k, "mkdir", path);
    r = lib_conn_mkdir(k->w->conn, path, DIR_MODE, &a);
    if (k->dir_exists[d]) {
        return expect(k, r, -EEXIST);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    k->dir_exists[d] = true;
    if ((a.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFDIR ||
        (a.mode & 07777) != DIR_MODE) {
        return fail(k, "mode 0%o, expected a directory 0%o", a.mode,
                    DIR_MODE);
    }
    return 0;
}

static int op_rmdir(Work *k)
{
    unsigned d = 1 + rnd_below(k, DIRS - 1);
    char path[PATH_LEN];
    int r;

    dir_path(k, d, path, sizeof(path));
    begin(k, "rmdir", path);
    r = lib_conn_rmdir(k->w->conn, path);
    if (!k->dir_exists[d]) {
        return expect(k, r, -ENOENT);
    }
    if (files_in(k, d) > 0) {
        return expect(k, r, -ENOTEMPTY);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    k->dir_exists[d] = false;
    return 0;
}

static int op_open_close(Work *k)
{
    unsigned d, f;
    Slot *s;
    char path[PATH_LEN];
    struct fam_lib_attr a;
    uint64_t h;
    int r;

    pick_slot(k, &d, &f);
    s = &k->slot[d][f];
    file_path(k, d, f, path, sizeof(path));
    if (s->open) {
        begin(k, "close", path);
        r = lib_conn_close(k->w->conn, s->handle);
        s->open = false;
        return expect(k, r, 0);
    }
    begin(k, "open", path);
    r = lib_conn_open(k->w->conn, path, FAM_LIB_OPEN_READ |
                      FAM_LIB_OPEN_WRITE, &h, &a);
    if (!s->exists) {
        return expect(k, r, -ENOENT);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    s->open = true;
    s->handle = h;
    if (a.opens < 1) {
        return fail(k, "opened, yet its attributes count %u opens",
                    a.opens);
    }
    return check_file_attr(k, s, &a, FILE_MODE);
}

static int op_resize(Work *k)
{
    unsigned d, f;
    Slot *s;
    char path[PATH_LEN];
    struct fam_lib_attr a;
    uint32_t nb = rnd_below(k, MAX_BOOKS + 1);
    uint64_t size = nb * k->book_size;
    bool by_handle;
    int r;

    pick_slot(k, &d, &f);
    s = &k->slot[d][f];
    by_handle = s->open && rnd_below(k, 2) == 0;
    if (nb > 0 && rnd_below(k, 2) == 0) {
        size -= 1 + rnd(k) % (k->book_size - 1);    /* a partial book */
    }
    file_path(k, d, f, path, sizeof(path));
    begin(k, by_handle ? "resize-by-handle" : "resize", path);
    r = lib_conn_resize(k->w->conn, by_handle ? NULL : path,
                        by_handle ? s->handle : 0, size, &a);
    if (!s->exists) {
        return expect(k, r, -ENOENT);
    }
    if (r == -ENOSPC && nb > s->nbooks) {
        k->w->stats.enospc++;
        return 0;
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    s->size = size;
    if (a.size != size || a.books != nb) {
        return fail(k, "resized to %" PRIu64 " bytes: size %" PRIu64
                    " books %" PRIu64 ", expected %u books", size,
                    (uint64_t)a.size, (uint64_t)a.books, nb);
    }
    return refresh_books(k, s, path, nb);
}

static int op_rename(Work *k)
{
    unsigned da, fa, db, fb, start = rnd_below(k, DIRS * FILES);
    Slot *sa, *sb = NULL;
    char from[PATH_LEN], to[PATH_LEN];
    int r;

    pick_slot(k, &da, &fa);
    sa = &k->slot[da][fa];
    /* A target this worker does not have open: what replacing an open
     * shelf should do is not this test's question (see /shared). */
    for (unsigned i = 0; i < DIRS * FILES && sb == NULL; i++) {
        unsigned t = (start + i) % (DIRS * FILES);

        db = t / FILES;
        fb = t % FILES;
        if (!k->slot[db][fb].open || &k->slot[db][fb] == sa) {
            sb = &k->slot[db][fb];
        }
    }
    if (sb == NULL) {
        return op_getattr(k);
    }
    file_path(k, da, fa, from, sizeof(from));
    file_path(k, db, fb, to, sizeof(to));
    begin(k, "rename", from);
    r = lib_conn_rename(k->w->conn, from, to);
    if (!sa->exists || !k->dir_exists[db]) {
        return expect(k, r, -ENOENT);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    if (sa != sb) {
        *sb = *sa;
        *sa = (Slot){ .exists = false };
    }
    return 0;
}

static int op_unlink(Work *k)
{
    unsigned d, f;
    Slot *s;
    char path[PATH_LEN];
    int r;

    pick_slot(k, &d, &f);
    s = &k->slot[d][f];
    file_path(k, d, f, path, sizeof(path));
    begin(k, "unlink", path);
    r = lib_conn_unlink(k->w->conn, path);
    if (!s->exists) {
        return expect(k, r, -ENOENT);
    }
    if (s->open) {
        if (r == -EBUSY) {
            k->w->stats.ebusy++;
            return 0;
        }
        return fail(k, "got %s on a file this caller has open, expected "
                    "EBUSY", err_name(r));
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    *s = (Slot){ .exists = false };
    return 0;
}

static int op_setxattr(Work *k)
{
    unsigned d, f;
    char path[PATH_LEN], name[32];
    uint8_t value[64], back[64];
    size_t len = 1 + rnd_below(k, sizeof(value));
    int r;

    pick_slot(k, &d, &f);
    file_path(k, d, f, path, sizeof(path));
    snprintf(name, sizeof(name), "user.t%u", rnd_below(k, 4));
    for (size_t i = 0; i < len; i++) {
        value[i] = (uint8_t)rnd(k);
    }
    begin(k, "setxattr", path);
    r = lib_conn_setxattr(k->w->conn, path, name, value, len, 0);
    if (!k->slot[d][f].exists) {
        return expect(k, r, -ENOENT);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    begin(k, "getxattr", path);
    r = lib_conn_getxattr(k->w->conn, path, name, back, sizeof(back));
    if (r != (int)len || memcmp(back, value, len) != 0) {
        return fail(k, "%s read back as %s (%d bytes), set %zu bytes", name,
                    r < 0 ? err_name(r) : "other bytes", r, len);
    }
    return 0;
}

/* An allocation policy for a private file; for RequestIG its sequence of
 * IGs first (without one RequestIG cannot allocate). */
static int op_policy(Work *k)
{
    unsigned d, f;
    const char *policy = policies[rnd_below(k, G_N_ELEMENTS(policies))];
    char path[PATH_LEN];
    int r;

    pick_slot(k, &d, &f);
    file_path(k, d, f, path, sizeof(path));
    if (strcmp(policy, "RequestIG") == 0) {
        uint8_t seq[4];
        size_t len = 1 + rnd_below(k, sizeof(seq));

        for (size_t i = 0; i < len; i++) {
            seq[i] = (uint8_t)rnd_below(k, k->igs);
        }
        begin(k, "setxattr user.LFS.InterleaveRequest", path);
        r = lib_conn_setxattr(k->w->conn, path, "user.LFS.InterleaveRequest",
                              seq, len, 0);
        if (!k->slot[d][f].exists) {
            return expect(k, r, -ENOENT);
        }
        if (expect(k, r, 0) < 0) {
            return -1;
        }
    }
    begin(k, "setxattr user.LFS.AllocationPolicy", path);
    r = lib_conn_setxattr(k->w->conn, path, "user.LFS.AllocationPolicy",
                          policy, strlen(policy), 0);
    return expect(k, r, k->slot[d][f].exists ? 0 : -ENOENT);
}

static int op_getattr(Work *k)
{
    unsigned d, f;
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    if (rnd_below(k, 4) == 0) {
        d = rnd_below(k, DIRS);
        dir_path(k, d, path, sizeof(path));
        begin(k, "getattr", path);
        r = lib_conn_getattr(k->w->conn, path, &a);
        if (!k->dir_exists[d]) {
            return expect(k, r, -ENOENT);
        }
        if (expect(k, r, 0) < 0) {
            return -1;
        }
        if ((a.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFDIR) {
            return fail(k, "mode 0%o is not a directory's", a.mode);
        }
        return 0;
    }
    pick_slot(k, &d, &f);
    file_path(k, d, f, path, sizeof(path));
    begin(k, "getattr", path);
    r = lib_conn_getattr(k->w->conn, path, &a);
    if (!k->slot[d][f].exists) {
        return expect(k, r, -ENOENT);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    return check_file_attr(k, &k->slot[d][f], &a, FILE_MODE);
}

/* --- readdir against the model ------------------------------------------ */

typedef struct DirSeen {
    Work *k;
    unsigned d;
    bool file[FILES];
    bool dir[DIRS];
    bool bad;
} DirSeen;

static bool see_entry(void *opaque, uint64_t id, uint32_t mode,
                      const char *name, uint64_t next)
{
    DirSeen *v = opaque;
    unsigned n;
    char tail;

    (void)id;
    (void)next;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        return true;
    }
    if (sscanf(name, "f%u%c", &n, &tail) == 1 && n < FILES &&
        (mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFREG &&
        v->k->slot[v->d][n].exists && !v->file[n]) {
        v->file[n] = true;
        return true;
    }
    if (v->d == 0 && sscanf(name, "d%u%c", &n, &tail) == 1 && n >= 1 &&
        n < DIRS && (mode & FAM_LIB_S_IFMT) == FAM_LIB_S_IFDIR &&
        v->k->dir_exists[n] && !v->dir[n]) {
        v->dir[n] = true;
        return true;
    }
    fail(v->k, "unexpected or repeated entry \"%s\" (mode 0%o)", name, mode);
    v->bad = true;
    return false;
}

static int check_dir(Work *k, unsigned d)
{
    DirSeen v = { .k = k, .d = d };
    char path[PATH_LEN];
    int r;

    dir_path(k, d, path, sizeof(path));
    begin(k, "readdir", path);
    r = lib_conn_readdir(k->w->conn, path, see_entry, &v);
    if (v.bad) {
        return -1;
    }
    if (!k->dir_exists[d]) {
        return expect(k, r, -ENOENT);
    }
    if (expect(k, r, 0) < 0) {
        return -1;
    }
    for (unsigned f = 0; f < FILES; f++) {
        if (k->slot[d][f].exists && !v.file[f]) {
            return fail(k, "f%u is missing", f);
        }
    }
    for (unsigned i = 1; d == 0 && i < DIRS; i++) {
        if (k->dir_exists[i] && !v.dir[i]) {
            return fail(k, "d%u is missing", i);
        }
    }
    return 0;
}

static int op_readdir(Work *k)
{
    return check_dir(k, rnd_below(k, DIRS));
}

/* Another worker's directory is not ours to change. */
static int op_foreign(Work *k)
{
    unsigned other = (k->w->index + 1 + rnd_below(k, k->w->workers - 1)) %
                     k->w->workers;
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    if (k->w->workers < 2) {
        return 0;
    }
    snprintf(path, sizeof(path), "/t%u/never", other);
    begin(k, rnd_below(k, 2) ? "create" : "mkdir", path);
    r = strcmp(k->op_name, "create") == 0
        ? lib_conn_create(k->w->conn, path, FILE_MODE, &a)
        : lib_conn_mkdir(k->w->conn, path, DIR_MODE, &a);
    return expect(k, r, -EACCES);
}

/* --- the shared directory -------------------------------------------- */

static int mark_shared_books(Work *k, unsigned i)
{
    BookList l = { .count = 0 };
    int r;

    /* While this caller has the shelf open nobody may free its books,
     * so writing into them is what a node may do. */
    r = lib_conn_shelf_books(k->w->conn, NULL, k->shared[i].handle,
                             take_book, &l);
    if (r < 0) {
        return fail(k, "listing the books of an open shelf: %s",
                    err_name(r));
    }
    for (uint32_t b = 0; b < l.count && b <= MAX_BOOKS; b++) {
        if (check_grant(k, l.books[b]) < 0) {
            return -1;
        }
        lib_test_book_mark(k->w->pool, l.books[b], 0x40 + k->w->index);
    }
    return 0;
}

static int op_shared(Work *k)
{
    static const int create_ok[] = { -EEXIST, 0 };
    static const int exists_ok[] = { -ENOENT, 0 };
    static const int destroy_ok[] = { -ENOENT, -EBUSY, 0 };
    static const int resize_ok[] = { -ENOENT, -ENOSPC, -EBUSY, 0 };
    unsigned i = rnd_below(k, SHARED), j = rnd_below(k, SHARED);
    SharedOpen *o = &k->shared[i];
    char path[PATH_LEN], to[PATH_LEN];
    struct fam_lib_attr a;
    uint64_t h, size = rnd_below(k, SHARED_MAX_BOOKS + 1) * k->book_size;
    int r;

    snprintf(path, sizeof(path), "/shared/s%u", i);
    snprintf(to, sizeof(to), "/shared/s%u", j);
    switch (rnd_below(k, 7)) {
    case 0:
        begin(k, "create", path);
        r = lib_conn_create(k->w->conn, path, SHARED_MODE, &a);
        return expect_raced(k, r, create_ok);
    case 1:
        if (o->open) {
            begin(k, "close", path);
            o->open = false;
            return expect(k, lib_conn_close(k->w->conn, o->handle), 0);
        }
        begin(k, "open", path);
        r = lib_conn_open(k->w->conn, path, FAM_LIB_OPEN_READ |
                          FAM_LIB_OPEN_WRITE, &h, &a);
        if (r == 0) {
            *o = (SharedOpen){ .open = true, .handle = h };
        }
        return expect_raced(k, r, exists_ok);
    case 2:
        begin(k, o->open ? "resize-by-handle" : "resize", path);
        r = lib_conn_resize(k->w->conn, o->open ? NULL : path,
                            o->open ? o->handle : 0, size, &a);
        if (expect_raced(k, r, resize_ok) < 0) {
            return -1;
        }
        return r == 0 && o->open ? mark_shared_books(k, i) : 0;
    case 3:
        begin(k, "unlink", path);
        r = lib_conn_unlink(k->w->conn, path);
        if (r == 0 && o->open) {
            BookList l = { .count = 0 };

            /* Right only if the name had become another shelf's. */
            r = lib_conn_shelf_books(k->w->conn, NULL, o->handle,
                                     take_book, &l);
            if (r < 0) {
                return fail(k, "unlinked the shelf this caller has open "
                            "(its handle now gives %s)", err_name(r));
            }
        }
        return expect_raced(k, r, destroy_ok);
    case 4:
        begin(k, "rename", path);
        r = lib_conn_rename(k->w->conn, path, to);
        return expect_raced(k, r, destroy_ok);
    case 5:
        begin(k, "getattr", path);
        r = lib_conn_getattr(k->w->conn, path, &a);
        if (r == 0 && (a.mode & FAM_LIB_S_IFMT) != FAM_LIB_S_IFREG) {
            return fail(k, "mode 0%o is not a file's", a.mode);
        }
        return expect_raced(k, r, exists_ok);
    default:
        begin(k, "setxattr", path);
        r = lib_conn_setxattr(k->w->conn, path, "user.shared", "x", 1, 0);
        return expect_raced(k, r, exists_ok);
    }
}

/* --- the run ---------------------------------------------------------- */

typedef int (*OpFn)(Work *k);

static const struct {
    OpFn fn;
    unsigned weight;
} ops[] = {
    { op_create, 14 },
    { op_mkdir, 3 },
    { op_rmdir, 3 },
    { op_open_close, 12 },
    { op_resize, 22 },
    { op_rename, 8 },
    { op_unlink, 10 },
    { op_setxattr, 4 },
    { op_policy, 3 },
    { op_getattr, 8 },
    { op_readdir, 3 },
    { op_foreign, 1 },
    { op_shared, 12 },
};

static OpFn pick_op(Work *k)
{
    unsigned total = 0, x;

    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        total += ops[i].weight;
    }
    x = rnd_below(k, total);
    for (size_t i = 0; i < G_N_ELEMENTS(ops); i++) {
        if (x < ops[i].weight) {
            return ops[i].fn;
        }
        x -= ops[i].weight;
    }
    return ops[0].fn;
}

/* Close everything, then compare the whole private tree with the model. */
static int finish(Work *k)
{
    char path[PATH_LEN];
    struct fam_lib_attr a;
    int r;

    for (unsigned i = 0; i < SHARED; i++) {
        if (k->shared[i].open) {
            snprintf(path, sizeof(path), "/shared/s%u", i);
            begin(k, "final close", path);
            k->shared[i].open = false;
            if (expect(k, lib_conn_close(k->w->conn, k->shared[i].handle),
                       0) < 0) {
                return -1;
            }
        }
    }
    for (unsigned d = 0; d < DIRS; d++) {
        for (unsigned f = 0; f < FILES; f++) {
            Slot *s = &k->slot[d][f];

            file_path(k, d, f, path, sizeof(path));
            if (s->open) {
                begin(k, "final close", path);
                s->open = false;
                if (expect(k, lib_conn_close(k->w->conn, s->handle), 0) < 0) {
                    return -1;
                }
            }
            begin(k, "final getattr", path);
            r = lib_conn_getattr(k->w->conn, path, &a);
            if (expect(k, r, s->exists ? 0 : -ENOENT) < 0) {
                return -1;
            }
            if (s->exists && (check_file_attr(k, s, &a, FILE_MODE) < 0 ||
                              refresh_books(k, s, path, s->nbooks) < 0)) {
                return -1;
            }
            if (s->exists && a.opens != 0) {
                return fail(k, "all closed, yet %u opens", a.opens);
            }
        }
        if (check_dir(k, d) < 0) {
            return -1;
        }
    }
    return 0;
}

int lib_workload_run(LibWorkload *w)
{
    Work *k = g_new0(Work, 1);
    struct fam_lib_statfs st;
    int r;

    w->error[0] = '\0';
    memset(&w->stats, 0, sizeof(w->stats));
    k->w = w;
    k->rng = w->seed * 2 + 1;       /* xorshift must not start at 0 */
    k->dir_exists[0] = true;
    k->op_name = "statfs";
    r = lib_conn_statfs(w->conn, &st);
    if (r < 0) {
        fail(k, "%s", err_name(r));
        goto out;
    }
    k->book_size = st.book_size;
    k->igs = w->igs;
    for (w->stats.ops = 0; w->stats.ops < w->ops; w->stats.ops++) {
        if (pick_op(k)(k) < 0) {
            goto out;
        }
    }
    finish(k);
out:
    g_free(k);
    return w->error[0] ? -1 : 0;
}

void lib_workload_dir(unsigned index, char *buf, size_t len)
{
    snprintf(buf, len, "/t%u", index);
}
