/*
 * Unit tests of the client side (lib-client-msg.h): building requests
 * within their limits, framing a stream, checking replies, and walking
 * list replies, with replies made by hand so that every malformed shape
 * can be tried.
 */
#include <glib.h>
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib-client-msg.h"

#define HDR_LEN sizeof(struct fam_lib_hdr)
#define ARGS_LEN sizeof(struct fam_lib_args)

typedef struct Reply {
    unsigned char buf[FAM_LIB_MSG_MAX * 2];
    size_t len;
} Reply;

/* A reply as a Librarian would send it. */
static void reply_make(Reply *r, uint16_t op, uint32_t seq, int32_t status,
                       const void *body, size_t body_len)
{
    struct fam_lib_hdr h = {
        .magic = FAM_LIB_MAGIC, .version = FAM_LIB_VERSION, .opcode = op,
        .length = (uint32_t)(HDR_LEN + body_len), .seq = seq,
        .flags = FAM_LIB_F_REPLY, .status = status,
    };

    g_assert_cmpuint(HDR_LEN + body_len, <=, sizeof(r->buf));
    fam_lib_wire_hdr(&h);
    memcpy(r->buf, &h, sizeof(h));
    if (body_len) {
        memcpy(r->buf + HDR_LEN, body, body_len);
    }
    r->len = HDR_LEN + body_len;
}

/* Overwrite one header field, in wire order. */
static void reply_patch(Reply *r, void (*patch)(struct fam_lib_hdr *h))
{
    struct fam_lib_hdr h;

    memcpy(&h, r->buf, sizeof(h));
    fam_lib_wire_hdr(&h);
    patch(&h);
    fam_lib_wire_hdr(&h);
    memcpy(r->buf, &h, sizeof(h));
}

static int check(const Reply *r, uint16_t op, uint32_t seq)
{
    unsigned char *copy = g_malloc(r->len ? r->len : 1);
    const void *body;
    size_t len;
    int ret;

    memcpy(copy, r->buf, r->len);
    ret = fam_lib_reply_check(copy, r->len, op, seq, &body, &len);
    g_free(copy);
    return ret;
}

/* --- building ----------------------------------------------------------- */

static void test_build(void)
{
    unsigned char buf[FAM_LIB_MSG_MAX + 16];
    static char big[FAM_LIB_MSG_MAX];
    struct fam_lib_args args = { .mode = 0640, .len1 = 999, .reserved = 5 };
    struct fam_lib_hdr h;
    struct fam_lib_args a;
    int n;

    n = fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_CREATE, 77, 3, 1000,
                          100, 42, &args, "/x", NULL, NULL, 0);
    g_assert_cmpint(n, ==, HDR_LEN + ARGS_LEN + 3);
    memcpy(&h, buf, sizeof(h));
    fam_lib_wire_hdr(&h);
    g_assert_cmpuint(h.magic, ==, FAM_LIB_MAGIC);
    g_assert_cmpuint(h.version, ==, FAM_LIB_VERSION);
    g_assert_cmpuint(h.opcode, ==, FAM_LIB_OP_CREATE);
    g_assert_cmpuint(h.length, ==, n);
    g_assert_cmpuint(h.seq, ==, 77);
    g_assert_cmpuint(h.flags, ==, 0);
    g_assert_cmpint(h.status, ==, 0);
    g_assert_cmpuint(h.node, ==, 3);
    g_assert_cmpuint(h.uid, ==, 1000);
    g_assert_cmpuint(h.gid, ==, 100);
    g_assert_cmpuint(h.pid, ==, 42);
    g_assert_cmpuint(h.reserved, ==, 0);
    memcpy(&a, buf + HDR_LEN, sizeof(a));
    fam_lib_wire_args(&a);
    /* Lengths come from the parts, everything else as given. */
    g_assert_cmpuint(a.len1, ==, 3);
    g_assert_cmpuint(a.len2, ==, 0);
    g_assert_cmpuint(a.len3, ==, 0);
    g_assert_cmpuint(a.mode, ==, 0640);
    g_assert_cmpuint(a.reserved, ==, 5);
    g_assert_cmpmem(buf + HDR_LEN + ARGS_LEN, 3, "/x", 3);

    /* The byte layout is little-endian whatever the host. */
    g_assert_cmpuint(buf[0], ==, 0x46);     /* 'F' of "FLIB" */
    g_assert_cmpuint(buf[12], ==, 77);
    g_assert_cmpuint(buf[13], ==, 0);

    /* Limits: the cap, FAM_LIB_MSG_MAX, nonsense. */
    g_assert_cmpint(fam_lib_msg_build(buf, HDR_LEN + ARGS_LEN + 2,
                                      FAM_LIB_OP_CREATE, 1, 0, 0, 0, 0, NULL,
                                      "/x", NULL, NULL, 0), ==, -EMSGSIZE);
    g_assert_cmpint(fam_lib_msg_build(buf, HDR_LEN + ARGS_LEN + 3,
                                      FAM_LIB_OP_CREATE, 1, 0, 0, 0, 0, NULL,
                                      "/x", NULL, NULL, 0), ==,
                    HDR_LEN + ARGS_LEN + 3);
    g_assert_cmpint(fam_lib_msg_build(buf, 10, FAM_LIB_OP_STATFS, 1, 0, 0,
                                      0, 0, NULL, NULL, NULL, NULL, 0), ==,
                    -EMSGSIZE);
    g_assert_cmpint(fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_OOB_SEND,
                                      1, 0, 0, 0, 0, NULL, NULL, NULL, big,
                                      FAM_LIB_MSG_MAX - HDR_LEN - ARGS_LEN),
                    ==, FAM_LIB_MSG_MAX);
    g_assert_cmpint(fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_OOB_SEND,
                                      1, 0, 0, 0, 0, NULL, NULL, NULL, big,
                                      FAM_LIB_MSG_MAX - HDR_LEN - ARGS_LEN +
                                      1), ==, -EMSGSIZE);
    g_assert_cmpint(fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_OOB_SEND,
                                      1, 0, 0, 0, 0, NULL, NULL, NULL, big,
                                      SIZE_MAX), ==, -EMSGSIZE);
    g_assert_cmpint(fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_OOB_SEND,
                                      1, 0, 0, 0, 0, NULL, NULL, NULL, NULL,
                                      3), ==, -EINVAL);
    g_assert_cmpint(fam_lib_msg_build(NULL, sizeof(buf), FAM_LIB_OP_STATFS,
                                      1, 0, 0, 0, 0, NULL, NULL, NULL, NULL,
                                      0), ==, -EINVAL);
}

static void test_frame(void)
{
    unsigned char buf[FAM_LIB_MSG_MAX];
    int n = fam_lib_msg_build(buf, sizeof(buf), FAM_LIB_OP_GETATTR, 1, 0, 0,
                              0, 0, NULL, "/abc", NULL, NULL, 0);
    struct fam_lib_hdr h;

    g_assert_cmpint(fam_lib_msg_frame(buf, HDR_LEN - 1), ==, 0);
    g_assert_cmpint(fam_lib_msg_frame(buf, HDR_LEN), ==, n);
    g_assert_cmpint(fam_lib_msg_frame(buf, n), ==, n);

    memcpy(&h, buf, sizeof(h));
    h.magic ^= 1;
    memcpy(buf, &h, sizeof(h));
    g_assert_cmpint(fam_lib_msg_frame(buf, n), ==, -EBADMSG);
    h.magic ^= 1;
    h.length = htole32(HDR_LEN - 1);
    memcpy(buf, &h, sizeof(h));
    g_assert_cmpint(fam_lib_msg_frame(buf, n), ==, -EBADMSG);
    h.length = htole32(FAM_LIB_MSG_MAX + 1);
    memcpy(buf, &h, sizeof(h));
    g_assert_cmpint(fam_lib_msg_frame(buf, n), ==, -EBADMSG);
}

/* --- reply checks ------------------------------------------------------- */

static void set_magic(struct fam_lib_hdr *h) { h->magic = 0; }
static void set_flags0(struct fam_lib_hdr *h) { h->flags = 0; }
static void set_flags3(struct fam_lib_hdr *h) { h->flags = 3; }
static void set_reserved(struct fam_lib_hdr *h) { h->reserved = 1; }
static void set_version(struct fam_lib_hdr *h)
{
    h->version = FAM_LIB_VERSION + 1;
}
static void set_length(struct fam_lib_hdr *h) { h->length += 1; }
static void set_status_neg(struct fam_lib_hdr *h) { h->status = -2; }
static void set_status_big(struct fam_lib_hdr *h) { h->status = 4096; }

static void test_reply_ok(void)
{
    struct fam_lib_attr attr = { .id = 5, .mode = FAM_LIB_S_IFREG | 0644 };
    struct fam_lib_attr w = attr, got;
    const void *body;
    size_t len;
    Reply r;

    fam_lib_wire_attr(&w);
    reply_make(&r, FAM_LIB_OP_GETATTR, 9, 0, &w, sizeof(w));
    g_assert_cmpint(fam_lib_reply_check(r.buf, r.len, FAM_LIB_OP_GETATTR, 9,
                                        &body, &len), ==, 0);
    g_assert_cmpuint(len, ==, sizeof(attr));
    memcpy(&got, body, sizeof(got));
    fam_lib_wire_attr(&got);
    g_assert_cmpuint(got.id, ==, 5);
    g_assert_cmpuint(got.mode, ==, FAM_LIB_S_IFREG | 0644);
    /* body and body_len may be NULL */
    g_assert_cmpint(fam_lib_reply_check(r.buf, r.len, FAM_LIB_OP_GETATTR, 9,
                                        NULL, NULL), ==, 0);

    /* Empty body */
    reply_make(&r, FAM_LIB_OP_UNLINK, 1, 0, NULL, 0);
    g_assert_cmpint(fam_lib_reply_check(r.buf, r.len, FAM_LIB_OP_UNLINK, 1,
                                        &body, &len), ==, 0);
    g_assert_null(body);
    g_assert_cmpuint(len, ==, 0);

    /* Errors come back as negative errno */
    reply_make(&r, FAM_LIB_OP_GETATTR, 9, ENOENT, NULL, 0);
    g_assert_cmpint(check(&r, FAM_LIB_OP_GETATTR, 9), ==, -ENOENT);
    reply_make(&r, FAM_LIB_OP_VERSION, 9, EACCES, NULL, 0);
    g_assert_cmpint(check(&r, FAM_LIB_OP_VERSION, 9), ==, -EACCES);
}

static void test_reply_bad(void)
{
    static const struct {
        const char *name;
        void (*patch)(struct fam_lib_hdr *h);
        int expect;
    } cases[] = {
        { "magic", set_magic, -EPROTO },
        { "no reply flag", set_flags0, -EPROTO },
        { "extra flag", set_flags3, -EPROTO },
        { "reserved", set_reserved, -EPROTO },
        { "version", set_version, -EPROTO },
        { "length", set_length, -EBADMSG },
        { "negative status", set_status_neg, -EPROTO },
        { "status over 4095", set_status_big, -EPROTO },
    };
    struct fam_lib_count c = { 0 };
    Reply r;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("%s", cases[i].name);
        reply_make(&r, FAM_LIB_OP_ZERO_ZOMBIES, 4, 0, &c, sizeof(c));
        reply_patch(&r, cases[i].patch);
        g_assert_cmpint(check(&r, FAM_LIB_OP_ZERO_ZOMBIES, 4), ==,
                        cases[i].expect);
    }

    reply_make(&r, FAM_LIB_OP_ZERO_ZOMBIES, 4, 0, &c, sizeof(c));
    g_assert_cmpint(check(&r, FAM_LIB_OP_ZERO_ZOMBIES, 5), ==, -EPROTO);
    g_assert_cmpint(check(&r, FAM_LIB_OP_STATFS, 4), ==, -EPROTO);
    g_assert_cmpint(check(&r, 0, 4), ==, -EPROTO);
    g_assert_cmpint(fam_lib_reply_check(r.buf, HDR_LEN - 1,
                                        FAM_LIB_OP_ZERO_ZOMBIES, 4, NULL,
                                        NULL), ==, -EBADMSG);
    g_assert_cmpint(fam_lib_reply_check(r.buf, r.len - 1,
                                        FAM_LIB_OP_ZERO_ZOMBIES, 4, NULL,
                                        NULL), ==, -EBADMSG);
    g_assert_cmpint(fam_lib_reply_check(NULL, r.len, FAM_LIB_OP_ZERO_ZOMBIES,
                                        4, NULL, NULL), ==, -EBADMSG);

    /* Body sizes against the opcode's shape */
    reply_make(&r, FAM_LIB_OP_ZERO_ZOMBIES, 4, 0, &c, sizeof(c) - 1);
    g_assert_cmpint(check(&r, FAM_LIB_OP_ZERO_ZOMBIES, 4), ==, -EBADMSG);
    reply_make(&r, FAM_LIB_OP_UNLINK, 4, 0, &c, 1);
    g_assert_cmpint(check(&r, FAM_LIB_OP_UNLINK, 4), ==, -EBADMSG);
    reply_make(&r, FAM_LIB_OP_READDIR, 4, 0, &c, 8);
    g_assert_cmpint(check(&r, FAM_LIB_OP_READDIR, 4), ==, -EBADMSG);
    /* An error with a body */
    reply_make(&r, FAM_LIB_OP_UNLINK, 4, ENOENT, &c, 8);
    g_assert_cmpint(check(&r, FAM_LIB_OP_UNLINK, 4), ==, -EBADMSG);
    /* READLINK: one string, NUL last */
    reply_make(&r, FAM_LIB_OP_READLINK, 4, 0, "abc", 4);
    g_assert_cmpint(check(&r, FAM_LIB_OP_READLINK, 4), ==, 0);
    reply_make(&r, FAM_LIB_OP_READLINK, 4, 0, "abc", 3);
    g_assert_cmpint(check(&r, FAM_LIB_OP_READLINK, 4), ==, -EBADMSG);
    reply_make(&r, FAM_LIB_OP_READLINK, 4, 0, "a\0c", 4);
    g_assert_cmpint(check(&r, FAM_LIB_OP_READLINK, 4), ==, -EBADMSG);
    reply_make(&r, FAM_LIB_OP_READLINK, 4, 0, NULL, 0);
    g_assert_cmpint(check(&r, FAM_LIB_OP_READLINK, 4), ==, -EBADMSG);
    /* GETXATTR: any bytes up to the value limit */
    reply_make(&r, FAM_LIB_OP_GETXATTR, 4, 0, "a\0c", 3);
    g_assert_cmpint(check(&r, FAM_LIB_OP_GETXATTR, 4), ==, 0);
    reply_make(&r, FAM_LIB_OP_GETXATTR, 4, 0, NULL, 0);
    g_assert_cmpint(check(&r, FAM_LIB_OP_GETXATTR, 4), ==, 0);
    {
        static char big[FAM_LIB_XATTR_VALUE_MAX + 1];

        reply_make(&r, FAM_LIB_OP_GETXATTR, 4, 0, big, sizeof(big));
        g_assert_cmpint(check(&r, FAM_LIB_OP_GETXATTR, 4), ==, -EBADMSG);
    }
}

/* Another version may only say EPROTONOSUPPORT; the client learns it. */
static void test_reply_version(void)
{
    Reply r;

    reply_make(&r, FAM_LIB_OP_STATFS, 4, EPROTONOSUPPORT, NULL, 0);
    reply_patch(&r, set_version);
    g_assert_cmpint(check(&r, FAM_LIB_OP_STATFS, 4), ==, -EPROTONOSUPPORT);
    g_assert_cmpuint(fam_lib_reply_version(r.buf, r.len), ==,
                     FAM_LIB_VERSION + 1);
    g_assert_cmpuint(fam_lib_reply_version(r.buf, HDR_LEN - 1), ==, 0);
    reply_make(&r, FAM_LIB_OP_STATFS, 4, EPROTONOSUPPORT, NULL, 0);
    g_assert_cmpint(check(&r, FAM_LIB_OP_STATFS, 4), ==, -EPROTONOSUPPORT);
}

/* --- lists -------------------------------------------------------------- */

/* A list body under construction. */
typedef struct Body {
    unsigned char buf[FAM_LIB_MSG_MAX];
    size_t len;
    uint32_t count;
} Body;

static void body_start(Body *b)
{
    memset(b, 0, sizeof(*b));
    b->len = sizeof(struct fam_lib_list);
}

static void body_put(Body *b, const void *p, size_t len)
{
    g_assert_cmpuint(b->len + len, <=, sizeof(b->buf));
    memcpy(b->buf + b->len, p, len);
    b->len += len;
}

static void body_finish(Body *b, uint64_t next, uint32_t count,
                        uint32_t done)
{
    struct fam_lib_list l = { .next = next, .count = count, .done = done };

    fam_lib_wire_list(&l);
    memcpy(b->buf, &l, sizeof(l));
}

static void put_dirent(Body *b, uint64_t id, const char *name,
                       uint16_t namelen, uint16_t reclen)
{
    struct fam_lib_dirent d = { .id = id, .mode = FAM_LIB_S_IFDIR | 0755,
                                .namelen = namelen, .reclen = reclen };
    unsigned char pad[FAM_LIB_MSG_MAX] = { 0 };

    fam_lib_wire_dirent(&d);
    body_put(b, &d, sizeof(d));
    body_put(b, name, strlen(name) + 1);
    body_put(b, pad, reclen - sizeof(d) - strlen(name) - 1);
}

static void put_good_dirent(Body *b, uint64_t id, const char *name)
{
    size_t nl = strlen(name) + 1;

    put_dirent(b, id, name, (uint16_t)nl,
               (uint16_t)fam_lib_record_len(sizeof(struct fam_lib_dirent),
                                            nl));
}

/* Walk `b` as dirents: the number read, or the error. */
static int walk_dirents(const Body *b, size_t len)
{
    unsigned char *copy = g_malloc(len);
    struct fam_lib_list l;
    struct fam_lib_dirent d;
    FamLibListIter it;
    const char *name;
    int n = 0, r;

    memcpy(copy, b->buf, len);
    r = fam_lib_list_begin(&it, FAM_LIB_ITEM_DIRENT, copy, len, &l);
    while (r >= 0 && (r = fam_lib_list_next_dirent(&it, &d, &name)) > 0) {
        g_assert_cmpuint(strlen(name) + 1, ==, d.namelen);
        n++;
    }
    g_free(copy);
    return r < 0 ? r : n;
}

/* The fixed part of a dirent */
#define DH ((uint16_t)sizeof(struct fam_lib_dirent))

static void test_dirents(void)
{
    Body b;
    size_t at;

    body_start(&b);
    put_good_dirent(&b, 1, "a");
    put_good_dirent(&b, 2, "bbbbbbbb");     /* 9 bytes: 24 + 9 -> 40 */
    put_good_dirent(&b, 3, "ccccccc");      /* 8 bytes: exactly 32 */
    body_finish(&b, 77, 3, 0);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, 3);
    /* One byte short anywhere in the last item */
    g_assert_cmpint(walk_dirents(&b, b.len - 1), ==, -EBADMSG);
    /* A byte left after the last item */
    body_put(&b, "", 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    /* More items claimed than there are, or fewer */
    b.len--;
    body_finish(&b, 77, 4, 0);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    body_finish(&b, 77, 2, 0);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    body_finish(&b, 77, 3, 2);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    /* Padding not zero */
    body_finish(&b, 77, 3, 1);
    at = sizeof(struct fam_lib_list) + DH + 2;
    b.buf[at] = 1;
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);

    /* Lengths that lie */
    body_start(&b);
    put_dirent(&b, 1, "abc", 4, DH + 8);
    body_finish(&b, 0, 1, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, 1);
    body_start(&b);
    put_dirent(&b, 1, "abc", 3, DH + 8);        /* NUL not at its end */
    body_finish(&b, 0, 1, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    body_start(&b);
    put_dirent(&b, 1, "abc", 5, DH + 8);        /* NUL inside */
    body_finish(&b, 0, 1, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    body_start(&b);
    put_dirent(&b, 1, "abc", 4, DH + 16);       /* reclen not the padded
                                                 * size */
    body_finish(&b, 0, 1, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    body_start(&b);
    put_dirent(&b, 1, "", 1, DH + 8);           /* empty name */
    body_finish(&b, 0, 1, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    {
        char name[FAM_LIB_NAME_MAX + 2];

        memset(name, 'n', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        body_start(&b);
        put_good_dirent(&b, 1, name);           /* 256 chars */
        body_finish(&b, 0, 1, 1);
        g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
        name[sizeof(name) - 2] = '\0';
        body_start(&b);
        put_good_dirent(&b, 1, name);           /* 255 chars */
        body_finish(&b, 0, 1, 1);
        g_assert_cmpint(walk_dirents(&b, b.len), ==, 1);
    }
    /* reclen past the end of the body */
    body_start(&b);
    put_dirent(&b, 1, "abc", 4, DH + 8);
    body_finish(&b, 0, 1, 1);
    {
        struct fam_lib_dirent d;

        memcpy(&d, b.buf + sizeof(struct fam_lib_list), sizeof(d));
        d.reclen = htole16(0xfff8);
        memcpy(b.buf + sizeof(struct fam_lib_list), &d, sizeof(d));
        g_assert_cmpint(walk_dirents(&b, b.len), ==, -EBADMSG);
    }
    /* Empty list */
    body_start(&b);
    body_finish(&b, 0, 0, 1);
    g_assert_cmpint(walk_dirents(&b, b.len), ==, 0);
    g_assert_cmpint(walk_dirents(&b, b.len - 1), ==, -EBADMSG);
}

static void test_books_opened(void)
{
    struct fam_lib_book book = { .book = 3, .shelf = 9, .module = 1,
                                 .state = FAM_LIB_BOOK_INUSE }, w, got;
    struct fam_lib_opened op = { .handle = 5, .shelf = 9, .node = 2,
                                 .pid = 7, .flags = FAM_LIB_OPEN_READ },
                          ow, ogot;
    struct fam_lib_list l;
    FamLibListIter it;
    Body b;

    body_start(&b);
    w = book;
    fam_lib_wire_book(&w);
    body_put(&b, &w, sizeof(w));
    body_put(&b, &w, sizeof(w));
    body_finish(&b, 12, 2, 0);
    g_assert_cmpint(fam_lib_list_begin(&it, FAM_LIB_ITEM_BOOK, b.buf, b.len,
                                       &l), ==, 0);
    g_assert_cmpuint(l.next, ==, 12);
    g_assert_cmpuint(l.count, ==, 2);
    g_assert_cmpuint(l.done, ==, 0);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, 1);
    g_assert_cmpmem(&got, sizeof(got), &book, sizeof(book));
    /* The wrong kind of item for this walk */
    g_assert_cmpint(fam_lib_list_next_opened(&it, &ogot), ==, -EBADMSG);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, 1);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, 0);
    /* Cut in the middle of a book */
    g_assert_cmpint(fam_lib_list_begin(&it, FAM_LIB_ITEM_BOOK, b.buf,
                                       b.len - 1, NULL), ==, 0);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, 1);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, -EBADMSG);
    /* A state that does not exist */
    w.state = htole32(9);
    memcpy(b.buf + sizeof(l), &w, sizeof(w));
    fam_lib_list_begin(&it, FAM_LIB_ITEM_BOOK, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, -EBADMSG);

    body_start(&b);
    ow = op;
    fam_lib_wire_opened(&ow);
    body_put(&b, &ow, sizeof(ow));
    body_finish(&b, 1, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OPENED, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_opened(&it, &ogot), ==, 1);
    g_assert_cmpmem(&ogot, sizeof(ogot), &op, sizeof(op));
    g_assert_cmpint(fam_lib_list_next_opened(&it, &ogot), ==, 0);
    ow.flags = htole32(8);
    memcpy(b.buf + sizeof(l), &ow, sizeof(ow));
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OPENED, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_opened(&it, &ogot), ==, -EBADMSG);

    /* begin() refuses what is not a list */
    g_assert_cmpint(fam_lib_list_begin(&it, FAM_LIB_ITEM_BOOK, b.buf, 15,
                                       NULL), ==, -EBADMSG);
    g_assert_cmpint(fam_lib_list_begin(&it, FAM_LIB_ITEM_NONE, b.buf, b.len,
                                       NULL), ==, -EBADMSG);
    g_assert_cmpint(fam_lib_list_begin(&it, 99, b.buf, b.len, NULL), ==,
                    -EBADMSG);
    /* and an iterator that begin() refused yields nothing */
    g_assert_cmpint(fam_lib_list_next_book(&it, &got), ==, -EBADMSG);
}

static void test_names(void)
{
    char longest[FAM_LIB_XATTR_NAME_MAX];
    FamLibListIter it;
    const char *name;
    Body b;

    memset(longest, 'x', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    body_start(&b);
    body_put(&b, "user.a", 7);
    body_put(&b, longest, sizeof(longest));
    body_finish(&b, 2, 2, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_NAME, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, 1);
    g_assert_cmpstr(name, ==, "user.a");
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, 1);
    g_assert_cmpstr(name, ==, longest);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, 0);
    /* Without its NUL */
    fam_lib_list_begin(&it, FAM_LIB_ITEM_NAME, b.buf, b.len - 1, NULL);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, 1);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, -EBADMSG);
    /* Too long, and empty */
    body_start(&b);
    body_put(&b, "y", 1);
    body_put(&b, longest, sizeof(longest));
    body_finish(&b, 0, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_NAME, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, -EBADMSG);
    body_start(&b);
    body_put(&b, "", 1);
    body_put(&b, "z", 2);
    body_finish(&b, 0, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_NAME, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_name(&it, &name), ==, -EBADMSG);
}

static void put_oob(Body *b, uint64_t id, const void *msg, uint16_t len,
                    uint16_t reclen)
{
    struct fam_lib_oob o = { .id = id, .node = 1, .len = len,
                             .reclen = reclen };
    unsigned char pad[FAM_LIB_MSG_MAX] = { 0 };

    fam_lib_wire_oob(&o);
    body_put(b, &o, sizeof(o));
    body_put(b, msg, len);
    body_put(b, pad, reclen - sizeof(o) - len);
}

static void test_oob(void)
{
    static char max[FAM_LIB_OOB_MAX + 1];
    struct fam_lib_oob o;
    FamLibListIter it;
    const void *msg;
    Body b;

    body_start(&b);
    put_oob(&b, 1, "hi", 2, 24);
    put_oob(&b, 2, max, FAM_LIB_OOB_MAX, 16 + FAM_LIB_OOB_MAX);
    body_finish(&b, 2, 2, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OOB, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, 1);
    g_assert_cmpuint(o.id, ==, 1);
    g_assert_cmpuint(o.len, ==, 2);
    g_assert_cmpmem(msg, 2, "hi", 2);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, 1);
    g_assert_cmpuint(o.len, ==, FAM_LIB_OOB_MAX);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, 0);

    body_start(&b);
    put_oob(&b, 1, max, FAM_LIB_OOB_MAX + 1, 16 + FAM_LIB_OOB_MAX + 8);
    body_finish(&b, 0, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OOB, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, -EBADMSG);
    body_start(&b);
    put_oob(&b, 1, "", 0, 16);
    body_finish(&b, 0, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OOB, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, -EBADMSG);
    body_start(&b);
    put_oob(&b, 1, "hi", 2, 32);
    body_finish(&b, 0, 1, 1);
    fam_lib_list_begin(&it, FAM_LIB_ITEM_OOB, b.buf, b.len, NULL);
    g_assert_cmpint(fam_lib_list_next_oob(&it, &o, &msg), ==, -EBADMSG);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lib-client-msg/build", test_build);
    g_test_add_func("/lib-client-msg/frame", test_frame);
    g_test_add_func("/lib-client-msg/reply-ok", test_reply_ok);
    g_test_add_func("/lib-client-msg/reply-bad", test_reply_bad);
    g_test_add_func("/lib-client-msg/reply-version", test_reply_version);
    g_test_add_func("/lib-client-msg/dirents", test_dirents);
    g_test_add_func("/lib-client-msg/books-opened", test_books_opened);
    g_test_add_func("/lib-client-msg/names", test_names);
    g_test_add_func("/lib-client-msg/oob", test_oob);
    return g_test_run();
}
