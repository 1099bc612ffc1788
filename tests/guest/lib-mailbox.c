/*
 * lib-mailbox: the Librarian, reached through the fam-fabric mailbox,
 * grants the pool shelf by shelf. Two nodes; every step prints a line,
 * and any failure a FAIL line.
 *
 * Nodes start with no grant, so the pool cannot carry their
 * coordination: they talk through the Librarian itself, with out-of-band
 * messages (OOB_SEND / OOB_RECV) tagged with the run id.
 *
 * node 0: VERSION and STATFS (the Librarian's pool is the device's);
 *         malformed requests (bad magic, a length beyond the mailbox, a
 *         length below the header) get error replies; CREATE /t, RESIZE
 *         it to 2 books, OPEN it read-write, write a pattern over both
 *         books through BAR2 at the offsets SHELF_BOOKS gives; tell node
 *         1 ("written").
 * node 1: a request claiming to come from node 0 runs as node 1; /t's
 *         first book reads all-ones before node 1 opens it (and counts a
 *         grant fault); OPEN /t read-only, the same books, the pattern
 *         reads back; a store into the read-only range does not reach
 *         the pool, and is counted and logged as a grant fault (a write
 *         at that offset); a book it never opened reads all-ones and
 *         counts a fault; tell node 0 ("opened").
 * node 0: the pattern is intact (node 1's store never arrived); CLOSE,
 *         after which its own view of the books is gone too; UNLINK /t
 *         fails with EBUSY while node 1 holds it open; tell node 1
 *         ("unlink-busy").
 * node 1: CLOSE, the books read all-ones again; tell node 0 ("closed");
 *         CREATE and OPEN /u, tell node 0 ("holding /u") and end without
 *         closing it: the node powers off.
 * node 0: UNLINK /t succeeds, GETATTR /t gives ENOENT; UNLINK /u is
 *         refused (EBUSY) until node 1's power-off drops its opens, then
 *         succeeds.
 */
#include "guest-mbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHELF       "/t"
#define BOOKS       2

struct ctx {
    struct guest_mbox m;
    const struct guest_dev *d;
    const struct fame_node *n;
    uint64_t run;
    uint64_t book_size;
    uint64_t pool_size;
};

static bool expect_rc(struct ctx *c, const char *what, int rc, int want)
{
    if (rc == want) {
        fame_say(c->n, "node %u: %s: %s as expected", c->n->id, what,
                 want ? guest_mbox_strerror(want) : "ok");
        return true;
    }
    if (rc != FAM_MBOX_BROKEN)
        fame_say(c->n, "FAIL %s: %s, not %s", what, guest_mbox_strerror(rc),
                 want ? guest_mbox_strerror(want) : "success");
    return false;
}

static uint64_t faults(const struct ctx *c)
{
    return guest_rd64(c->d, FAM_REG_STAT(FAM_STAT_GRANT_FAULTS));
}

static volatile uint64_t *book_word(const struct ctx *c, uint64_t book,
                                    uint64_t i)
{
    return (volatile uint64_t *)guest_word(c->d, book * c->book_size) + i;
}

/*
 * Read the first word of a book the node must not see: all-ones, one
 * more grant fault, logged as a grant read at that offset.
 */
static bool expect_unreadable(struct ctx *c, uint64_t book, const char *why)
{
    uint64_t before = faults(c);
    uint64_t v = *book_word(c, book, 0);
    uint64_t after = faults(c);
    uint64_t count = guest_rd64(c->d, FAM_REG_ERRLOG_COUNT);
    unsigned e = FAM_REG_ERRLOG((count - 1) % FAM_ERRLOG_ENTRIES);

    if (v != UINT64_MAX || after != before + 1 ||
        guest_rd32(c->d, e + FAM_ERRLOG_KIND) != FAM_ERR_GRANT_READ ||
        guest_rd64(c->d, e + FAM_ERRLOG_OFFSET) != book * c->book_size) {
        fame_say(c->n, "FAIL book %" PRIu64 " (%s) reads %#" PRIx64
                 " with grant faults %" PRIu64 " -> %" PRIu64
                 ": it must read all-ones and count one fault", book, why,
                 v, before, after);
        return false;
    }
    fame_say(c->n, "node %u: book %" PRIu64 " (%s) reads all-ones, grant "
             "fault counted and logged", c->n->id, book, why);
    return true;
}

/*
 * Store into word 7 of a book the node holds read-only, which holds `want`:
 * the store never reaches the pool, and it is one more grant fault, logged
 * as a grant write at that word's pool offset.
 */
static bool expect_store_dropped(struct ctx *c, uint64_t book, uint64_t want)
{
    volatile uint64_t *w = book_word(c, book, 7);
    uint64_t before = faults(c);
    uint64_t count = guest_rd64(c->d, FAM_REG_ERRLOG_COUNT);
    *w = ~want;
    uint64_t got = *w, after = faults(c);
    uint64_t count_after = guest_rd64(c->d, FAM_REG_ERRLOG_COUNT);
    unsigned e = FAM_REG_ERRLOG((count_after - 1) % FAM_ERRLOG_ENTRIES);
    uint32_t kind = guest_rd32(c->d, e + FAM_ERRLOG_KIND);
    uint64_t off = guest_rd64(c->d, e + FAM_ERRLOG_OFFSET);

    if (got != want) {
        fame_say(c->n, "FAIL a store into the read-only book %" PRIu64
                 " changed it from %#" PRIx64 " to %#" PRIx64, book, want,
                 got);
        return false;
    }
    if (after != before + 1 || count_after != count + 1 ||
        kind != FAM_ERR_GRANT_WRITE || off != book * c->book_size + 7 * 8 ||
        guest_rd32(c->d, e + FAM_ERRLOG_NODE) != c->n->id) {
        fame_say(c->n, "FAIL a store into the read-only book %" PRIu64
                 ": grant faults %" PRIu64 " -> %" PRIu64 ", error log %"
                 PRIu64 " -> %" PRIu64 ", newest entry kind %u at %#" PRIx64
                 "; want one more fault, logged as a grant write at %#"
                 PRIx64, book, before, after, count, count_after, kind, off,
                 book * c->book_size + 7 * 8);
        return false;
    }
    fame_say(c->n, "node %u: a store into its read-only view of book %"
             PRIu64 " did not reach the pool", c->n->id, book);
    fame_say(c->n, "node %u: the store into book %" PRIu64 " was a grant "
             "fault, counted and logged as a write at %#" PRIx64, c->n->id,
             book, off);
    return true;
}

static bool write_pattern(struct ctx *c, const uint64_t *books)
{
    uint64_t words = c->book_size / 8, before = faults(c);
    for (unsigned b = 0; b < BOOKS; b++) {
        volatile uint64_t *w = book_word(c, books[b], 0);
        for (uint64_t i = 0; i < words; i++)
            w[i] = guest_pattern(c->run, 0, b * words + i);
    }
    if (faults(c) != before) {
        fame_say(c->n, "FAIL writing into the opened books counted %" PRIu64
                 " grant faults", faults(c) - before);
        return false;
    }
    return true;
}

/* Offset of the first word that is not the pattern, or -1. */
static int64_t check_pattern(struct ctx *c, const uint64_t *books,
                             uint64_t *got)
{
    uint64_t words = c->book_size / 8;
    for (unsigned b = 0; b < BOOKS; b++) {
        volatile uint64_t *w = book_word(c, books[b], 0);
        for (uint64_t i = 0; i < words; i++) {
            if (w[i] != guest_pattern(c->run, 0, b * words + i)) {
                *got = w[i];
                return (int64_t)(books[b] * c->book_size + i * 8);
            }
        }
    }
    return -1;
}

static bool expect_pattern(struct ctx *c, const uint64_t *books,
                           const char *what)
{
    uint64_t got = 0, before = faults(c);
    int64_t bad = check_pattern(c, books, &got);
    if (bad >= 0) {
        fame_say(c->n, "FAIL %s: pool offset %#" PRIx64 " holds %#" PRIx64
                 ", not the pattern", what, (uint64_t)bad, got);
        return false;
    }
    if (faults(c) != before) {
        fame_say(c->n, "FAIL %s: reading counted grant faults", what);
        return false;
    }
    fame_say(c->n, "node %u: %s: both books hold the pattern", c->n->id,
             what);
    return true;
}

static bool oob_send(struct ctx *c, const char *word)
{
    return guest_mbox_oob_send(&c->m, "lib-mailbox", c->run, word);
}

static bool oob_wait(struct ctx *c, unsigned from, const char *word,
                     char *rest, size_t rest_len)
{
    return guest_mbox_oob_wait(&c->m, "lib-mailbox", c->run, from, word,
                             rest, rest_len);
}

/* The shelf's books, by handle: exactly BOOKS of them. */
static bool shelf_books(struct ctx *c, uint64_t handle, uint64_t *books)
{
    unsigned count;
    if (!guest_mbox_shelf_books(&c->m, handle, books, BOOKS, &count))
        return false;
    fame_say(c->n, "node %u: SHELF_BOOKS of the open " SHELF ": ok as "
             "expected", c->n->id);
    if (count != BOOKS) {
        fame_say(c->n, "FAIL SHELF_BOOKS lists %u books, not %u", count,
                 BOOKS);
        return false;
    }
    for (unsigned b = 0; b < BOOKS; b++) {
        if ((books[b] + 1) * c->book_size > c->pool_size) {
            fame_say(c->n, "FAIL book %" PRIu64 " is beyond the pool",
                     books[b]);
            return false;
        }
    }
    fame_say(c->n, "node %u: " SHELF " holds books %" PRIu64 " and %" PRIu64,
             c->n->id, books[0], books[1]);
    return true;
}

static bool open_shelf(struct ctx *c, uint32_t flags, uint64_t *handle)
{
    struct fam_lib_args a = { .flags = flags };
    const void *body;
    size_t blen;
    int rc = guest_mbox_call(&c->m, FAM_LIB_OP_OPEN, &a, SHELF, NULL, NULL, 0,
                           &body, &blen);
    if (!expect_rc(c, flags & FAM_LIB_OPEN_WRITE ? "OPEN " SHELF " rw" :
                   "OPEN " SHELF " read-only", rc, 0))
        return false;
    struct fam_lib_open o;
    memcpy(&o, body, sizeof(o));
    fam_lib_wire_open(&o);
    if (o.attr.books != BOOKS || o.attr.size != BOOKS * c->book_size) {
        fame_say(c->n, "FAIL the open " SHELF " has %llu books, %llu bytes",
                 (unsigned long long)o.attr.books,
                 (unsigned long long)o.attr.size);
        return false;
    }
    *handle = o.handle;
    return true;
}

static bool close_shelf(struct ctx *c, uint64_t handle)
{
    struct fam_lib_args a = { .handle = handle };
    return expect_rc(c, "CLOSE " SHELF,
                     guest_mbox_call(&c->m, FAM_LIB_OP_CLOSE, &a, NULL, NULL,
                                   NULL, 0, NULL, NULL), 0);
}

static bool check_version(struct ctx *c)
{
    const void *body;
    size_t blen;
    int rc = guest_mbox_call(&c->m, FAM_LIB_OP_VERSION, NULL, NULL, NULL, NULL,
                           0, &body, &blen);
    if (!expect_rc(c, "VERSION", rc, 0))
        return false;
    struct fam_lib_version v;
    memcpy(&v, body, sizeof(v));
    fam_lib_wire_version(&v);
    struct fam_lib_hdr h = guest_mbox_reply_hdr(&c->m);
    if (v.version != FAM_LIB_VERSION || h.node != c->n->id) {
        fame_say(c->n, "FAIL VERSION: protocol %u (want %u), ran as node %u "
                 "(want %u)", v.version, FAM_LIB_VERSION, h.node, c->n->id);
        return false;
    }
    fame_say(c->n, "node %u: VERSION: %.32s, protocol %u, schema %u, ran as "
             "node %u", c->n->id, v.name, v.version, v.schema, h.node);
    return true;
}

static bool check_statfs(struct ctx *c)
{
    const void *body;
    size_t blen;
    int rc = guest_mbox_call(&c->m, FAM_LIB_OP_STATFS, NULL, NULL, NULL, NULL,
                           0, &body, &blen);
    if (!expect_rc(c, "STATFS", rc, 0))
        return false;
    struct fam_lib_statfs s;
    memcpy(&s, body, sizeof(s));
    fam_lib_wire_statfs(&s);
    if (s.pool_size != c->pool_size || s.book_size != c->book_size ||
        s.nodes != c->n->count) {
        fame_say(c->n, "FAIL STATFS: pool %llu, books of %llu, %u nodes; the "
                 "device says %llu, %llu, %u",
                 (unsigned long long)s.pool_size,
                 (unsigned long long)s.book_size, s.nodes,
                 (unsigned long long)c->pool_size,
                 (unsigned long long)c->book_size, c->n->count);
        return false;
    }
    fame_say(c->n, "node %u: STATFS matches the device: %llu books of %llu "
             "MiB, %llu free", c->n->id, (unsigned long long)s.books_total,
             (unsigned long long)(s.book_size >> 20),
             (unsigned long long)s.books_free);
    return true;
}

/* A request that is wrong on purpose must still get a reply: an error. */
static bool check_malformed(struct ctx *c, const char *what, uint32_t magic,
                            uint32_t length, size_t send_len)
{
    int len = fam_lib_msg_build(c->m.req, sizeof(c->m.req),
                                FAM_LIB_OP_VERSION, ++c->m.seq, c->n->id, 0,
                                0, 0, NULL, NULL, NULL, NULL, 0);
    if (len < 0) {
        fame_say(c->n, "FAIL cannot build a VERSION request");
        return false;
    }
    struct fam_lib_hdr h;
    memcpy(&h, c->m.req, sizeof(h));
    fam_lib_wire_hdr(&h);
    h.magic = magic;
    h.length = length;
    fam_lib_wire_hdr(&h);
    memcpy(c->m.req, &h, sizeof(h));
    if (!guest_mbox_send_raw(&c->m, c->m.req, send_len))
        return false;
    struct fam_lib_hdr r = guest_mbox_reply_hdr(&c->m);
    if (!(r.flags & FAM_LIB_F_REPLY) || r.status <= 0 ||
        r.length != sizeof(r)) {
        fame_say(c->n, "FAIL %s: the reply has flags %#x, status %d, length "
                 "%u; want an error reply without a body", what, r.flags,
                 r.status, r.length);
        return false;
    }
    fame_say(c->n, "node %u: %s: error reply (%s)", c->n->id, what,
             strerror(r.status));
    return true;
}

static bool node0(struct ctx *c)
{
    struct fam_lib_args a = { .mode = 0644 };
    uint64_t books[BOOKS], handle;
    char rest[64];

    if (!check_version(c) || !check_statfs(c) ||
        !check_malformed(c, "bad magic", 0x12345678, 112, 112) ||
        !check_malformed(c, "length beyond the mailbox", FAM_LIB_MAGIC,
                         FAM_MBOX_DATA_SIZE + 8, 112) ||
        !check_malformed(c, "length below the header", FAM_LIB_MAGIC, 20,
                         112))
        return false;

    if (!expect_rc(c, "CREATE " SHELF,
                   guest_mbox_call(&c->m, FAM_LIB_OP_CREATE, &a, SHELF, NULL,
                                 NULL, 0, NULL, NULL), 0))
        return false;
    a = (struct fam_lib_args){ .size = BOOKS * c->book_size };
    if (!expect_rc(c, "RESIZE " SHELF " to 2 books",
                   guest_mbox_call(&c->m, FAM_LIB_OP_RESIZE, &a, SHELF, NULL,
                                 NULL, 0, NULL, NULL), 0))
        return false;
    if (!open_shelf(c, FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE, &handle) ||
        !shelf_books(c, handle, books) || !write_pattern(c, books) ||
        !expect_pattern(c, books, "node 0 wrote through BAR2"))
        return false;
    char word[64];
    snprintf(word, sizeof(word), "written %" PRIu64 " %" PRIu64, books[0],
             books[1]);
    if (!oob_send(c, word) || !oob_wait(c, 1, "opened", rest, sizeof(rest)) ||
        !expect_pattern(c, books, "after node 1's store into its read-only "
                        "view"))
        return false;

    if (!close_shelf(c, handle) ||
        !expect_unreadable(c, books[0], "closed by node 0"))
        return false;
    if (!expect_rc(c, "UNLINK " SHELF " while node 1 has it open",
                   guest_mbox_call(&c->m, FAM_LIB_OP_UNLINK, NULL, SHELF, NULL,
                                 NULL, 0, NULL, NULL), -EBUSY))
        return false;
    if (!oob_send(c, "unlink-busy") ||
        !oob_wait(c, 1, "closed", rest, sizeof(rest)))
        return false;
    if (!expect_rc(c, "UNLINK " SHELF " once closed everywhere",
                   guest_mbox_call(&c->m, FAM_LIB_OP_UNLINK, NULL, SHELF, NULL,
                                 NULL, 0, NULL, NULL), 0) ||
        !expect_rc(c, "GETATTR " SHELF " after UNLINK",
                   guest_mbox_call(&c->m, FAM_LIB_OP_GETATTR, NULL, SHELF, NULL,
                                 NULL, 0, NULL, NULL), -ENOENT))
        return false;
    if (!oob_wait(c, 1, "holding /u", rest, sizeof(rest)))
        return false;
    double end = fame_now() + FAM_WAIT_BOOT;
    unsigned refused = 0;
    int rc;
    while ((rc = guest_mbox_call(&c->m, FAM_LIB_OP_UNLINK, NULL, "/u", NULL,
                               NULL, 0, NULL, NULL)) == -EBUSY) {
        refused++;
        if (fame_now() > end) {
            fame_say(c->n, "FAIL UNLINK /u is still refused %.0f s after "
                     "node 1 said it would power off", FAM_WAIT_BOOT);
            return false;
        }
        fame_sleep(0.1);
    }
    if (!expect_rc(c, "UNLINK /u once node 1 is off", rc, 0))
        return false;
    fame_say(c->n, "node 0: /u, left open by node 1, was freed by its power "
             "off (%u refusals before)", refused);
    fame_say(c->n, "node 0: shelf created, granted, shared, refused while "
             "open, destroyed: PASS");
    return true;
}

/* The first book of the pool that is not one of `books`. */
static uint64_t other_book(const uint64_t *books)
{
    uint64_t b = 0;
    while (b == books[0] || b == books[1])
        b++;
    return b;
}

static bool node1(struct ctx *c)
{
    uint64_t books[BOOKS], told[BOOKS], handle;
    char rest[64];

    /* A node cannot speak for another: the device forces its own id */
    c->m.claim_node = 0;
    if (!check_version(c))
        return false;
    c->m.claim_node = c->n->id;

    if (!oob_wait(c, 0, "written", rest, sizeof(rest)))
        return false;
    if (sscanf(rest, " %" SCNu64 " %" SCNu64, &told[0], &told[1]) != 2 ||
        (told[0] + 1) * c->book_size > c->pool_size) {
        fame_say(c->n, "FAIL node 0's message names no books: '%s'", rest);
        return false;
    }
    /* Without a grant the pool is not there */
    if (!expect_unreadable(c, told[0], "not yet opened by node 1") ||
        !open_shelf(c, FAM_LIB_OPEN_READ, &handle) ||
        !shelf_books(c, handle, books))
        return false;
    if (books[0] != told[0] || books[1] != told[1]) {
        fame_say(c->n, "FAIL node 1 sees books %" PRIu64 ", %" PRIu64
                 ", node 0 wrote %" PRIu64 ", %" PRIu64, books[0], books[1],
                 told[0], told[1]);
        return false;
    }
    if (!expect_pattern(c, books, "node 1 reads node 0's pattern"))
        return false;

    /* A store into the read-only grant is dropped on the way */
    if (!expect_store_dropped(c, books[1],
                              guest_pattern(c->run, 0, c->book_size / 8 + 7)))
        return false;
    if (!expect_unreadable(c, other_book(books), "never opened by node 1") ||
        !oob_send(c, "opened") ||
        !oob_wait(c, 0, "unlink-busy", rest, sizeof(rest)) ||
        !close_shelf(c, handle) ||
        !expect_unreadable(c, books[0], "closed by node 1") ||
        !oob_send(c, "closed"))
        return false;

    /* Left open on purpose: powering off must drop it */
    struct fam_lib_args a = { .mode = 0600 };
    if (!expect_rc(c, "CREATE /u",
                   guest_mbox_call(&c->m, FAM_LIB_OP_CREATE, &a, "/u", NULL,
                                 NULL, 0, NULL, NULL), 0))
        return false;
    a = (struct fam_lib_args){ .flags = FAM_LIB_OPEN_READ |
                                        FAM_LIB_OPEN_WRITE };
    if (!expect_rc(c, "OPEN /u",
                   guest_mbox_call(&c->m, FAM_LIB_OP_OPEN, &a, "/u", NULL,
                                 NULL, 0, NULL, NULL), 0) ||
        !oob_send(c, "holding /u"))
        return false;
    fame_say(c->n, "node 1: read-only access granted on open, enforced, "
             "revoked on close: PASS");
    return true;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    struct guest_dev d;
    struct ctx c;

    fame_node_init(&n, "lib-mailbox", argc, argv);
    if (!guest_dev_open(&d, &n))
        return 1;
    memset(&c, 0, sizeof(c));
    guest_mbox_init(&c.m, &d, &n);
    c.d = &d;
    c.n = &n;
    c.run = guest_run_id();
    c.book_size = guest_rd64(&d, FAM_REG_BOOK_SIZE);
    c.pool_size = guest_rd64(&d, FAM_REG_POOL_SIZE);

    if (!(guest_rd32(&d, FAM_REG_FEATURES) & FAM_FEATURE_MAILBOX)) {
        fame_say(&n, "FAIL the device has no Librarian (FEATURES %#x)",
                 guest_rd32(&d, FAM_REG_FEATURES));
        return 1;
    }
    if (n.count < 2) {
        fame_say(&n, "FAIL needs 2 nodes, the machine has %u", n.count);
        return 1;
    }
    if (n.id > 1) {
        fame_say(&n, "node %u has nothing to do: PASS", n.id);
        return 0;
    }
    return (n.id == 0 ? node0(&c) : node1(&c)) ? 0 : 1;
}
