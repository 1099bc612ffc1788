/*
 * fam-ring: the main job of a FAME cluster. Every node takes shelves from
 * the Librarian, fills them through its own view of the pool, and checks
 * its neighbour's, so that all nodes share data in FAM at the same time:
 *
 *   1. mkdir /ring (whoever comes first; EEXIST is fine), create
 *      /ring/node<i>, resize it to fam.ring_books books (default 4) by
 *      the LocalNode policy where the model has node-local media,
 *      open it read-write and fill it with this node's pattern;
 *   2. close it and tell the others ("written");
 *   3. wait for node i+1, open its shelf read-only, check every word,
 *      close it, tell node i+1 ("verified");
 *   4. when node i-1 has verified ours, destroy it ("unlinked");
 *   5. node 0 waits for everyone, checks /ring is empty, removes it and
 *      reports the pool's books in use.
 * The nodes talk to each other only through the Librarian (OOB
 * messages): without an open shelf no node can read the pool. Everything
 * goes through the fam driver: its mapping of the pool (/dev/fam0) and its
 * Librarian calls, which sleep until the mailbox interrupt.
 */
#include "guest-mbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAG         "fam-ring"
#define MAX_BOOKS   64

struct ring {
    struct guest_mbox m;
    const struct guest_dev *d;
    const struct fame_node *n;
    uint64_t run;
    uint64_t book_size;
    unsigned books;
};

static void shelf_path(char *buf, size_t len, unsigned node)
{
    snprintf(buf, len, "/ring/node%u", node);
}

/* Open `path`; its handle and book list (exactly r->books books). */
static bool open_books(struct ring *r, const char *path, uint32_t flags,
                       uint64_t *handle, uint64_t *books)
{
    unsigned count;

    if (!guest_mbox_open(&r->m, path, flags, handle) ||
        !guest_mbox_shelf_books(&r->m, *handle, books, MAX_BOOKS, &count))
        return false;
    if (count != r->books) {
        fame_say(r->n, "FAIL %s holds %u books, not %u", path, count,
                 r->books);
        return false;
    }
    return true;
}

static bool close_handle(struct ring *r, uint64_t handle)
{
    struct fam_lib_args a = { .handle = handle };
    int rc = guest_mbox_call(&r->m, FAM_LIB_OP_CLOSE, &a, NULL, NULL, NULL, 0,
                           NULL, NULL);
    return guest_mbox_ok(&r->m, "CLOSE", rc);
}

static uint64_t *book_words(const struct ring *r, uint64_t book)
{
    return guest_word(r->d, book * r->book_size);
}

/* Steps 1 and 2. */
static bool fill_own(struct ring *r)
{
    char path[64];
    uint64_t handle, books[MAX_BOOKS];
    struct fam_lib_args a = { .mode = 0755 };
    int rc;

    rc = guest_mbox_call(&r->m, FAM_LIB_OP_MKDIR, &a, "/ring", NULL, NULL, 0,
                       NULL, NULL);
    if (rc != -EEXIST && !guest_mbox_ok(&r->m, "MKDIR /ring", rc))
        return false;
    shelf_path(path, sizeof(path), r->n->id);
    /* A shelf left by an interrupted earlier run goes first */
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL, 0,
                       NULL, NULL);
    if (rc != -ENOENT && !guest_mbox_ok(&r->m, "UNLINK an old shelf", rc))
        return false;
    a = (struct fam_lib_args){ .mode = 0644 };
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_CREATE, &a, path, NULL, NULL, 0,
                       NULL, NULL);
    if (!guest_mbox_ok(&r->m, "CREATE", rc))
        return false;
    /* Node-local books where the model has them (tm-2016), else any */
    static const char policy[] = "LocalNode";
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_SETXATTR, NULL, path,
                       "user.LFS.AllocationPolicy", policy,
                       sizeof(policy) - 1, NULL, NULL);
    if (!guest_mbox_ok(&r->m, "SETXATTR AllocationPolicy", rc))
        return false;
    a = (struct fam_lib_args){ .size = r->books * r->book_size };
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_RESIZE, &a, path, NULL, NULL, 0,
                       NULL, NULL);
    const char *placed = "on this node's own media";
    if (rc == -ENOSPC) {
        static const char any[] = "RandomBooks";
        placed = "anywhere (no node-local media in this model)";
        if (!guest_mbox_ok(&r->m, "SETXATTR AllocationPolicy",
                guest_mbox_call(&r->m, FAM_LIB_OP_SETXATTR, NULL, path,
                              "user.LFS.AllocationPolicy", any,
                              sizeof(any) - 1, NULL, NULL)))
            return false;
        rc = guest_mbox_call(&r->m, FAM_LIB_OP_RESIZE, &a, path, NULL, NULL,
                           0, NULL, NULL);
    }
    if (!guest_mbox_ok(&r->m, "RESIZE", rc) ||
        !open_books(r, path, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE,
                    &handle, books))
        return false;

    uint64_t words = r->book_size / 8;
    double t0 = fame_now();
    for (unsigned b = 0; b < r->books; b++) {
        uint64_t *w = book_words(r, books[b]);
        for (uint64_t i = 0; i < words; i++)
            w[i] = guest_pattern(r->run, r->n->id + 1, b * words + i);
    }
    double dt = fame_now() - t0;
    fame_say(r->n, "node %u: wrote %u books (%" PRIu64 " MiB, %s) of %s "
             "at %.0f MB/s", r->n->id, r->books,
             r->books * r->book_size >> 20, placed, path,
             r->books * r->book_size / 1e6 / (dt > 0 ? dt : 1e-9));
    return close_handle(r, handle) &&
           guest_mbox_oob_send(&r->m, TAG, r->run, "written");
}

/* Step 3. */
static bool verify_next(struct ring *r)
{
    unsigned next = (r->n->id + 1) % r->n->count;
    char path[64], rest[32];
    uint64_t handle, books[MAX_BOOKS];

    if (!guest_mbox_oob_wait(&r->m, TAG, r->run, next, "written", rest,
                           sizeof(rest)))
        return false;
    shelf_path(path, sizeof(path), next);
    if (!open_books(r, path, FAM_LIB_OPEN_READ, &handle, books))
        return false;
    uint64_t words = r->book_size / 8;
    double t0 = fame_now();
    for (unsigned b = 0; b < r->books; b++) {
        const uint64_t *w = book_words(r, books[b]);
        for (uint64_t i = 0; i < words; i++) {
            uint64_t want = guest_pattern(r->run, next + 1, b * words + i);
            if (w[i] != want) {
                fame_say(r->n, "FAIL %s word %" PRIu64 " of book %" PRIu64
                         " holds %#" PRIx64 ", not %#" PRIx64, path, i,
                         books[b], w[i], want);
                return false;
            }
        }
    }
    double dt = fame_now() - t0;
    fame_say(r->n, "node %u: verified every word of %s at %.0f MB/s",
             r->n->id, path,
             r->books * r->book_size / 1e6 / (dt > 0 ? dt : 1e-9));
    return close_handle(r, handle) &&
           guest_mbox_oob_send(&r->m, TAG, r->run, "verified");
}

/* Step 4. */
static bool destroy_own(struct ring *r)
{
    unsigned prev = (r->n->id + r->n->count - 1) % r->n->count;
    char path[64], rest[32];

    if (!guest_mbox_oob_wait(&r->m, TAG, r->run, prev, "verified", rest,
                           sizeof(rest)))
        return false;
    shelf_path(path, sizeof(path), r->n->id);
    int rc = guest_mbox_call(&r->m, FAM_LIB_OP_UNLINK, NULL, path, NULL, NULL,
                           0, NULL, NULL);
    return guest_mbox_ok(&r->m, "UNLINK", rc) &&
           guest_mbox_oob_send(&r->m, TAG, r->run, "unlinked");
}

/* Step 5, on node 0. */
static bool finish(struct ring *r)
{
    char rest[32];
    struct fam_lib_args a = { 0 };
    const void *body;
    size_t blen;

    for (unsigned i = 0; i < r->n->count; i++) {
        if (!guest_mbox_oob_wait(&r->m, TAG, r->run, i, "unlinked", rest,
                               sizeof(rest)))
            return false;
    }
    int rc = guest_mbox_call(&r->m, FAM_LIB_OP_READDIR, &a, "/ring", NULL,
                           NULL, 0, &body, &blen);
    if (!guest_mbox_ok(&r->m, "READDIR /ring", rc))
        return false;
    struct fam_lib_list list;
    memcpy(&list, body, sizeof(list));
    fam_lib_wire_list(&list);
    if (list.count != 0) {
        fame_say(r->n, "FAIL /ring still holds %u shelves", list.count);
        return false;
    }
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_RMDIR, NULL, "/ring", NULL, NULL, 0,
                       NULL, NULL);
    if (!guest_mbox_ok(&r->m, "RMDIR /ring", rc))
        return false;
    rc = guest_mbox_call(&r->m, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL, 0,
                       &body, &blen);
    if (!guest_mbox_ok(&r->m, "STATFS", rc))
        return false;
    struct fam_lib_statfs st;
    memcpy(&st, body, sizeof(st));
    fam_lib_wire_statfs(&st);
    fame_say(r->n, "node 0: all %u shelves destroyed; pool: %llu books, "
             "%llu free, %llu in use", r->n->count,
             (unsigned long long)st.books_total,
             (unsigned long long)st.books_free,
             (unsigned long long)st.books_inuse);
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    struct ring r;

    fame_node_init(&n, TAG, argc, argv);
    if (!guest_dev_open_driver(&d, &n))
        return 1;
    memset(&r, 0, sizeof(r));
    guest_mbox_init(&r.m, &d, &n);
    r.d = &d;
    r.n = &n;
    r.run = guest_run_id();
    r.book_size = d.info.book_size;
    r.books = (unsigned)fame_cmdline_long("fam.ring_books", 4);
    if (r.books < 1 || r.books > MAX_BOOKS) {
        fame_say(&n, "FAIL fam.ring_books must be 1..%d", MAX_BOOKS);
        return 1;
    }
    if (!(d.info.features & FAM_FEATURE_MAILBOX)) {
        fame_say(&n, "FAIL the device has no Librarian (librarian=off?)");
        return 1;
    }
    if (!fill_own(&r) || !verify_next(&r) || !destroy_own(&r))
        return 1;
    if (n.id == 0 && !finish(&r))
        return 1;
    fame_say(&n, "node %u: PASS", n.id);
    return 0;
}
