/*
 * Unit tests of the request decoder (lib-decode.h): every sample request
 * survives fam_lib_msg_build() -> fam_lib_decode() unchanged, and every
 * way a request can be malformed gets the errno the protocol promises.
 * Each decoded message sits in a heap buffer of exactly its length, so
 * that a read past the end shows under valgrind or ASan.
 */
#include <glib.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lib-client-msg.h"
#include "lib-decode.h"
#include "proto-samples.h"

#define HDR_LEN sizeof(struct fam_lib_hdr)
#define ARGS_LEN sizeof(struct fam_lib_args)
#define HDR(f) offsetof(struct fam_lib_hdr, f)
#define ARG(f) (HDR_LEN + offsetof(struct fam_lib_args, f))

/* A message being built, with room to grow past the maximum. */
typedef struct Msg {
    unsigned char buf[FAM_LIB_MSG_MAX * 2];
    size_t len;
} Msg;

static const ProtoSample *sample_of(uint16_t op)
{
    for (size_t i = 0; i < PROTO_SAMPLES; i++) {
        if (proto_samples[i].op == op) {
            return &proto_samples[i];
        }
    }
    g_error("no sample for opcode %u", op);
    return NULL;
}

static void msg_sample(Msg *m, uint16_t op)
{
    int n = proto_sample_build(m->buf, sizeof(m->buf), sample_of(op), 7);

    g_assert_cmpint(n, >, 0);
    m->len = (size_t)n;
}

static void put_le(Msg *m, size_t off, size_t size, uint64_t v)
{
    g_assert_cmpuint(off + size, <=, sizeof(m->buf));
    for (size_t i = 0; i < size; i++) {
        m->buf[off + i] = (unsigned char)(v >> (8 * i));
    }
}

/* Set the length, zero-filling any growth, and say so in the header. */
static void msg_resize(Msg *m, size_t len)
{
    g_assert_cmpuint(len, <=, sizeof(m->buf));
    if (len > m->len) {
        memset(m->buf + m->len, 0, len - m->len);
    }
    m->len = len;
    if (len >= HDR(length) + 4) {
        put_le(m, HDR(length), 4, len);
    }
}

/* Decode from an exact-size copy. */
static int decode(const Msg *m, FamLibRequest *req)
{
    unsigned char *copy = g_malloc(m->len ? m->len : 1);
    int ret;

    memcpy(copy, m->buf, m->len);
    ret = fam_lib_decode(copy, m->len, req);
    g_free(copy);
    return ret;
}

static int decode_ret(const Msg *m)
{
    FamLibRequest req;

    return decode(m, &req);
}

/* --- round trips -------------------------------------------------------- */

static void check_string(const char *got, const char *want)
{
    if (!want) {
        g_assert_null(got);
    } else {
        g_assert_nonnull(got);
        g_assert_cmpstr(got, ==, want);
    }
}

static void test_round_trip(void)
{
    bool seen[FAM_LIB_OP_MAX] = { false };

    for (size_t i = 0; i < PROTO_SAMPLES; i++) {
        const ProtoSample *s = &proto_samples[i];
        unsigned char *copy;
        FamLibRequest req;
        Msg m;
        int n = proto_sample_build(m.buf, sizeof(m.buf), s, 1000 + i);

        g_assert_cmpint(n, >, 0);
        copy = g_malloc(n);
        memcpy(copy, m.buf, n);
        g_test_message("%s", fam_lib_op_name(s->op));
        g_assert_cmpint(fam_lib_decode(copy, n, &req), ==, 0);
        g_assert_cmpuint(req.hdr.magic, ==, FAM_LIB_MAGIC);
        g_assert_cmpuint(req.hdr.version, ==, FAM_LIB_VERSION);
        g_assert_cmpuint(req.hdr.opcode, ==, s->op);
        g_assert_cmpuint(req.hdr.length, ==, n);
        g_assert_cmpuint(req.hdr.seq, ==, 1000 + i);
        g_assert_cmpuint(req.hdr.node, ==, PROTO_SAMPLE_NODE);
        g_assert_cmpuint(req.hdr.uid, ==, PROTO_SAMPLE_UID);
        g_assert_cmpuint(req.hdr.gid, ==, PROTO_SAMPLE_GID);
        g_assert_cmpuint(req.hdr.pid, ==, PROTO_SAMPLE_PID);
        g_assert_true(req.op == fam_lib_op_info(s->op));
        g_assert_cmpuint(req.args.handle, ==, s->args.handle);
        g_assert_cmpuint(req.args.size, ==, s->args.size);
        g_assert_cmpint(req.args.atime_ns, ==, s->args.atime_ns);
        g_assert_cmpint(req.args.mtime_ns, ==, s->args.mtime_ns);
        g_assert_cmpuint(req.args.mode, ==, s->args.mode);
        g_assert_cmpuint(req.args.flags, ==, s->args.flags);
        g_assert_cmpuint(req.args.uid, ==, s->args.uid);
        g_assert_cmpuint(req.args.gid, ==, s->args.gid);
        check_string(req.str1, s->str1);
        check_string(req.str2, s->str2);
        /* Parts point into the message, not elsewhere. */
        if (req.str1) {
            g_assert_true((const unsigned char *)req.str1 >= copy + HDR_LEN &&
                          (const unsigned char *)req.str1 < copy + n);
        }
        g_assert_cmpuint(req.blob_len, ==, s->blob_len);
        if (s->op == FAM_LIB_OP_HEARTBEAT) {
            struct fam_lib_node_status st;

            memcpy(&st, req.blob, sizeof(st));
            fam_lib_wire_node_status(&st);
            g_assert_cmpmem(&st, sizeof(st), &proto_sample_status,
                            sizeof(proto_sample_status));
        } else if (s->blob_len) {
            g_assert_cmpmem(req.blob, req.blob_len, s->blob, s->blob_len);
        } else {
            g_assert_null(req.blob);
        }
        seen[s->op] = true;
        g_free(copy);
    }
    for (unsigned op = FAM_LIB_OP_VERSION; op < FAM_LIB_OP_MAX; op++) {
        g_assert_true(seen[op]);
    }
}

/* The "p or handle" opcodes and the optional xattr value, both ways. */
static void test_optional_parts(void)
{
    static const struct fam_lib_args by_handle = { .handle = 9, .size = 1 };
    FamLibRequest req;
    Msg m;
    int n;

    n = fam_lib_msg_build(m.buf, sizeof(m.buf), FAM_LIB_OP_RESIZE, 1, 0, 0,
                          0, 0, &by_handle, NULL, NULL, NULL, 0);
    m.len = n;
    g_assert_cmpint(decode(&m, &req), ==, 0);
    g_assert_null(req.str1);
    g_assert_cmpuint(req.args.handle, ==, 9);

    n = fam_lib_msg_build(m.buf, sizeof(m.buf), FAM_LIB_OP_SHELF_BOOKS, 1,
                          0, 0, 0, 0, &by_handle, NULL, NULL, NULL, 0);
    m.len = n;
    g_assert_cmpint(decode(&m, &req), ==, 0);
    g_assert_cmpuint(req.args.handle, ==, 9);

    /* An empty xattr value is a value. */
    n = fam_lib_msg_build(m.buf, sizeof(m.buf), FAM_LIB_OP_SETXATTR, 1, 0,
                          0, 0, 0, NULL, "/f", "user.e", NULL, 0);
    m.len = n;
    g_assert_cmpint(decode(&m, &req), ==, 0);
    g_assert_null(req.blob);
    g_assert_cmpuint(req.blob_len, ==, 0);
}

/* --- malformed requests ------------------------------------------------- */

/* Strings at and just over each limit, filled in by main(). */
static char path_max[FAM_LIB_PATH_MAX];           /* 1023 chars + NUL */
static char path_over[FAM_LIB_PATH_MAX + 1];
static char comp_max[FAM_LIB_NAME_MAX + 2];       /* "/" + 255 chars */
static char comp_over[FAM_LIB_NAME_MAX + 3];
static char target_max[FAM_LIB_PATH_MAX];
static char target_over[FAM_LIB_PATH_MAX + 1];
static char xname_max[FAM_LIB_XATTR_NAME_MAX];    /* 255 chars + NUL */
static char xname_over[FAM_LIB_XATTR_NAME_MAX + 1];
static char value_max[FAM_LIB_XATTR_VALUE_MAX];
static char value_over[FAM_LIB_XATTR_VALUE_MAX + 1];
static char oob_max[FAM_LIB_OOB_MAX];
static char oob_over[FAM_LIB_OOB_MAX + 1];

static void fill(char *s, size_t len, char c)
{
    memset(s, c, len - 1);
    s[len - 1] = '\0';
}

/* A path of `len` bytes with its NUL, in components of at most 200. */
static void fill_path(char *s, size_t len)
{
    fill(s, len, 'p');
    for (size_t i = 0; i + 1 < len; i += 200) {
        s[i] = '/';
    }
}

static void make_strings(void)
{
    fill_path(path_max, sizeof(path_max));
    fill_path(path_over, sizeof(path_over));
    fill(comp_max, sizeof(comp_max), 'c');
    comp_max[0] = '/';
    fill(comp_over, sizeof(comp_over), 'c');
    comp_over[0] = '/';
    fill(target_max, sizeof(target_max), 't');
    fill(target_over, sizeof(target_over), 't');
    fill(xname_max, sizeof(xname_max), 'x');
    memcpy(xname_max, "user.", 5);
    fill(xname_over, sizeof(xname_over), 'x');
    memcpy(xname_over, "user.", 5);
    memset(value_max, 'v', sizeof(value_max));
    memset(value_over, 'v', sizeof(value_over));
    memset(oob_max, 'o', sizeof(oob_max));
    memset(oob_over, 'o', sizeof(oob_over));
}

/*
 * A request built whole from these parts. blob_len of -1 means "the
 * string in blob, without its NUL".
 */
typedef struct PartsCase {
    const char *name;
    uint16_t op;
    struct fam_lib_args args;
    const char *str1;
    const char *str2;
    const void *blob;
    size_t blob_len;
    int expect;
} PartsCase;

#define RW (FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE)

static const PartsCase parts_cases[] = {
    /* parts an opcode requires, or must not have */
    { "getattr without path", FAM_LIB_OP_GETATTR, { 0 }, NULL, NULL,
      NULL, 0, -EBADMSG },
    { "statfs with path", FAM_LIB_OP_STATFS, { 0 }, "/", NULL, NULL, 0,
      -EBADMSG },
    { "getattr with str2", FAM_LIB_OP_GETATTR, { 0 }, "/", "/x", NULL, 0,
      -EBADMSG },
    { "getattr with blob", FAM_LIB_OP_GETATTR, { 0 }, "/", NULL, "b", 1,
      -EBADMSG },
    { "rename without new path", FAM_LIB_OP_RENAME, { 0 }, "/a", NULL,
      NULL, 0, -EBADMSG },
    { "symlink without target", FAM_LIB_OP_SYMLINK, { 0 }, "/a", NULL,
      NULL, 0, -EBADMSG },
    { "getxattr without name", FAM_LIB_OP_GETXATTR, { 0 }, "/a", NULL,
      NULL, 0, -EBADMSG },
    { "heartbeat without status", FAM_LIB_OP_HEARTBEAT, { 0 }, NULL, NULL,
      NULL, 0, -EBADMSG },
    { "heartbeat status short", FAM_LIB_OP_HEARTBEAT, { 0 }, NULL, NULL,
      &proto_sample_status, sizeof(proto_sample_status) - 1, -EBADMSG },
    { "oob_send empty", FAM_LIB_OP_OOB_SEND, { 0 }, NULL, NULL, NULL, 0,
      -EBADMSG },
    { "oob_recv with blob", FAM_LIB_OP_OOB_RECV, { 0 }, NULL, NULL, "m", 1,
      -EBADMSG },
    { "close with path", FAM_LIB_OP_CLOSE, { .handle = 1 }, "/a", NULL,
      NULL, 0, -EBADMSG },
    /* paths */
    { "relative path", FAM_LIB_OP_GETATTR, { 0 }, "a/b", NULL, NULL, 0,
      -EINVAL },
    { "empty path", FAM_LIB_OP_GETATTR, { 0 }, "", NULL, NULL, 0,
      -EINVAL },
    { "path at PATH_MAX", FAM_LIB_OP_GETATTR, { 0 }, path_max, NULL, NULL,
      0, 0 },
    { "path over PATH_MAX", FAM_LIB_OP_GETATTR, { 0 }, path_over, NULL,
      NULL, 0, -ENAMETOOLONG },
    { "component at NAME_MAX", FAM_LIB_OP_GETATTR, { 0 }, comp_max, NULL,
      NULL, 0, 0 },
    { "component over NAME_MAX", FAM_LIB_OP_GETATTR, { 0 }, comp_over,
      NULL, NULL, 0, -ENAMETOOLONG },
    { "rename to relative", FAM_LIB_OP_RENAME, { 0 }, "/a", "b", NULL, 0,
      -EINVAL },
    { "rename to path over PATH_MAX", FAM_LIB_OP_RENAME, { 0 }, "/a",
      path_over, NULL, 0, -ENAMETOOLONG },
    { "rename to component over NAME_MAX", FAM_LIB_OP_RENAME, { 0 }, "/a",
      comp_over, NULL, 0, -ENAMETOOLONG },
    { "rename from path over PATH_MAX", FAM_LIB_OP_RENAME, { 0 },
      path_over, "/b", NULL, 0, -ENAMETOOLONG },
    /* symlink targets: any string up to PATH_MAX */
    { "relative target", FAM_LIB_OP_SYMLINK, { 0 }, "/l", "../x/y", NULL,
      0, 0 },
    { "target at PATH_MAX", FAM_LIB_OP_SYMLINK, { 0 }, "/l", target_max,
      NULL, 0, 0 },
    { "target over PATH_MAX", FAM_LIB_OP_SYMLINK, { 0 }, "/l",
      target_over, NULL, 0, -ENAMETOOLONG },
    { "empty target", FAM_LIB_OP_SYMLINK, { 0 }, "/l", "", NULL, 0,
      -ENOENT },
    /* xattr names and values */
    { "xattr name at max", FAM_LIB_OP_GETXATTR, { 0 }, "/f", xname_max,
      NULL, 0, 0 },
    { "xattr name over max", FAM_LIB_OP_GETXATTR, { 0 }, "/f", xname_over,
      NULL, 0, -ENAMETOOLONG },
    { "empty xattr name", FAM_LIB_OP_REMOVEXATTR, { 0 }, "/f", "", NULL,
      0, -ERANGE },
    { "xattr value at max", FAM_LIB_OP_SETXATTR, { 0 }, "/f", "user.v",
      value_max, sizeof(value_max), 0 },
    { "xattr value over max", FAM_LIB_OP_SETXATTR, { 0 }, "/f", "user.v",
      value_over, sizeof(value_over), -E2BIG },
    { "oob at max", FAM_LIB_OP_OOB_SEND, { 0 }, NULL, NULL, oob_max,
      sizeof(oob_max), 0 },
    { "oob over max", FAM_LIB_OP_OOB_SEND, { 0 }, NULL, NULL, oob_over,
      sizeof(oob_over), -E2BIG },
    /* args an opcode does not read must be zero */
    { "getattr with handle", FAM_LIB_OP_GETATTR, { .handle = 1 }, "/",
      NULL, NULL, 0, -EINVAL },
    { "getattr with size", FAM_LIB_OP_GETATTR, { .size = 1 }, "/", NULL,
      NULL, 0, -EINVAL },
    { "getattr with atime", FAM_LIB_OP_GETATTR, { .atime_ns = 1 }, "/",
      NULL, NULL, 0, -EINVAL },
    { "getattr with mtime", FAM_LIB_OP_GETATTR, { .mtime_ns = -1 }, "/",
      NULL, NULL, 0, -EINVAL },
    { "getattr with mode", FAM_LIB_OP_GETATTR, { .mode = 1 }, "/", NULL,
      NULL, 0, -EINVAL },
    { "getattr with flags", FAM_LIB_OP_GETATTR, { .flags = 1 }, "/", NULL,
      NULL, 0, -EINVAL },
    { "getattr with uid", FAM_LIB_OP_GETATTR, { .uid = 1 }, "/", NULL,
      NULL, 0, -EINVAL },
    { "getattr with gid", FAM_LIB_OP_GETATTR, { .gid = 1 }, "/", NULL,
      NULL, 0, -EINVAL },
    { "close with size", FAM_LIB_OP_CLOSE, { .handle = 1, .size = 1 },
      NULL, NULL, NULL, 0, -EINVAL },
    { "resize with path and handle", FAM_LIB_OP_RESIZE,
      { .handle = 1, .size = 1 }, "/f", NULL, NULL, 0, -EINVAL },
    { "shelf_books with path and handle", FAM_LIB_OP_SHELF_BOOKS,
      { .handle = 1 }, "/f", NULL, NULL, 0, -EINVAL },
    { "chown with mode", FAM_LIB_OP_CHOWN, { .mode = 0644 }, "/f", NULL,
      NULL, 0, -EINVAL },
    /* values */
    { "create mode 07777", FAM_LIB_OP_CREATE, { .mode = 07777 }, "/f",
      NULL, NULL, 0, 0 },
    { "create mode with S_IFREG", FAM_LIB_OP_CREATE,
      { .mode = FAM_LIB_S_IFREG | 0644 }, "/f", NULL, NULL, 0, -EINVAL },
    { "mkdir mode 010000", FAM_LIB_OP_MKDIR, { .mode = 010000 }, "/d",
      NULL, NULL, 0, -EINVAL },
    { "chmod mode 0x80000000", FAM_LIB_OP_CHMOD, { .mode = 0x80000000u },
      "/f", NULL, NULL, 0, -EINVAL },
    { "open without read or write", FAM_LIB_OP_OPEN, { 0 }, "/f", NULL,
      NULL, 0, -EINVAL },
    { "open read only", FAM_LIB_OP_OPEN, { .flags = FAM_LIB_OPEN_READ },
      "/f", NULL, NULL, 0, 0 },
    { "open unknown flag", FAM_LIB_OP_OPEN, { .flags = RW | 4 }, "/f",
      NULL, NULL, 0, -EINVAL },
    { "setxattr unknown flag", FAM_LIB_OP_SETXATTR, { .flags = 4 }, "/f",
      "user.v", "v", 1, -EINVAL },
    { "setxattr create|replace", FAM_LIB_OP_SETXATTR,
      { .flags = FAM_LIB_XATTR_CREATE | FAM_LIB_XATTR_REPLACE }, "/f",
      "user.v", "v", 1, 0 },
    { "rename noreplace", FAM_LIB_OP_RENAME,
      { .flags = FAM_LIB_RENAME_NOREPLACE }, "/a", "/b", NULL, 0, 0 },
    { "rename exchange", FAM_LIB_OP_RENAME,
      { .flags = FAM_LIB_RENAME_EXCHANGE }, "/a", "/b", NULL, 0, 0 },
    { "rename noreplace|exchange", FAM_LIB_OP_RENAME,
      { .flags = FAM_LIB_RENAME_NOREPLACE | FAM_LIB_RENAME_EXCHANGE },
      "/a", "/b", NULL, 0, -EINVAL },
    { "rename unknown flag", FAM_LIB_OP_RENAME, { .flags = 4 }, "/a", "/b",
      NULL, 0, -EINVAL },
    { "module_status flags 2", FAM_LIB_OP_MODULE_STATUS, { .flags = 2 },
      NULL, NULL, NULL, 0, -EINVAL },
    { "module_status offline", FAM_LIB_OP_MODULE_STATUS,
      { .size = 3, .flags = FAM_LIB_MODULE_OFFLINE }, NULL, NULL, NULL, 0,
      0 },
    { "settimes omit and now", FAM_LIB_OP_SETTIMES,
      { .atime_ns = FAM_LIB_TIME_OMIT, .mtime_ns = FAM_LIB_TIME_NOW },
      "/f", NULL, NULL, 0, 0 },
    { "settimes before 1970", FAM_LIB_OP_SETTIMES,
      { .atime_ns = -3, .mtime_ns = -1 }, "/f", NULL, NULL, 0, 0 },
    { "settimes mtime INT64_MIN (now)", FAM_LIB_OP_SETTIMES,
      { .mtime_ns = INT64_MIN }, "/f", NULL, NULL, 0, 0 },
    { "settimes INT64_MAX", FAM_LIB_OP_SETTIMES,
      { .atime_ns = INT64_MAX, .mtime_ns = INT64_MAX }, "/f", NULL, NULL,
      0, 0 },
    { "chown keep both", FAM_LIB_OP_CHOWN,
      { .uid = FAM_LIB_ID_KEEP, .gid = FAM_LIB_ID_KEEP }, "/f", NULL, NULL,
      0, 0 },
    { "create owner flag", FAM_LIB_OP_CREATE,
      { .mode = 0644, .flags = FAM_LIB_MAKE_OWNER, .uid = 7, .gid = 8 },
      "/f", NULL, NULL, 0, 0 },
    { "mkdir owner flag", FAM_LIB_OP_MKDIR,
      { .mode = 0755, .flags = FAM_LIB_MAKE_OWNER, .uid = 7 }, "/d", NULL,
      NULL, 0, 0 },
    { "symlink owner flag", FAM_LIB_OP_SYMLINK,
      { .flags = FAM_LIB_MAKE_OWNER, .gid = 7 }, "/l", "t", NULL, 0, 0 },
    { "create uid without flag", FAM_LIB_OP_CREATE, { .uid = 7 }, "/f",
      NULL, NULL, 0, -EINVAL },
    { "mkdir gid without flag", FAM_LIB_OP_MKDIR, { .gid = 7 }, "/d", NULL,
      NULL, 0, -EINVAL },
    { "create unknown flag", FAM_LIB_OP_CREATE, { .flags = 2 }, "/f", NULL,
      NULL, 0, -EINVAL },
    { "symlink with mode", FAM_LIB_OP_SYMLINK, { .mode = 0644 }, "/l", "t",
      NULL, 0, -EINVAL },
    { "list_books all modules", FAM_LIB_OP_LIST_BOOKS, { .size = 5 }, NULL,
      NULL, NULL, 0, 0 },
    { "readdir cursor UINT64_MAX", FAM_LIB_OP_READDIR,
      { .size = UINT64_MAX }, "/", NULL, NULL, 0, 0 },
};

static void test_parts(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(parts_cases); i++) {
        const PartsCase *c = &parts_cases[i];
        Msg m;
        int n = fam_lib_msg_build(m.buf, sizeof(m.buf), c->op, 1, 0, 0, 0,
                                  0, &c->args, c->str1, c->str2, c->blob,
                                  c->blob_len);

        g_test_message("%s", c->name);
        g_assert_cmpint(n, >, 0);
        m.len = (size_t)n;
        g_assert_cmpint(decode_ret(&m), ==, c->expect);
    }
}

/* Node statuses: sizes are above; values here. */
static void test_node_status(void)
{
    struct fam_lib_node_status bad[4] = {
        proto_sample_status, proto_sample_status, proto_sample_status,
        proto_sample_status,
    };

    bad[0].cpu_percent = 101;
    bad[1].mem_percent = 0xffffffffu;
    bad[2].rootfs_percent = 200;
    bad[3].reserved = 1;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct fam_lib_node_status w = bad[i];
        Msg m;
        int n;

        fam_lib_wire_node_status(&w);
        n = fam_lib_msg_build(m.buf, sizeof(m.buf), FAM_LIB_OP_HEARTBEAT, 1,
                              0, 0, 0, 0, NULL, NULL, NULL, &w, sizeof(w));
        m.len = (size_t)n;
        g_assert_cmpint(decode_ret(&m), ==, -EINVAL);
    }
}

/*
 * A sample with one field overwritten (little-endian, `size` bytes at
 * `off`); with `len` >= 0 the message is then cut or grown to it.
 */
typedef struct PatchCase {
    const char *name;
    uint16_t op;
    size_t off;
    size_t size;
    uint64_t value;
    long len;
    int expect;
} PatchCase;

static const PatchCase patch_cases[] = {
    { "magic", FAM_LIB_OP_STATFS, HDR(magic), 4, 0x464c4942, -1, -EPROTO },
    { "magic zero", FAM_LIB_OP_STATFS, HDR(magic), 4, 0, -1, -EPROTO },
    { "version 0", FAM_LIB_OP_STATFS, HDR(version), 2, 0, -1,
      -EPROTONOSUPPORT },
    { "version 2", FAM_LIB_OP_STATFS, HDR(version), 2, FAM_LIB_VERSION + 1,
      -1, -EPROTONOSUPPORT },
    { "length one more", FAM_LIB_OP_STATFS, HDR(length), 4,
      HDR_LEN + ARGS_LEN + 1, -1, -EBADMSG },
    { "length one less", FAM_LIB_OP_STATFS, HDR(length), 4,
      HDR_LEN + ARGS_LEN - 1, -1, -EBADMSG },
    { "length zero", FAM_LIB_OP_STATFS, HDR(length), 4, 0, -1, -EBADMSG },
    { "length huge", FAM_LIB_OP_STATFS, HDR(length), 4, 0xffffffffu, -1,
      -EBADMSG },
    { "reply flag", FAM_LIB_OP_STATFS, HDR(flags), 4, FAM_LIB_F_REPLY, -1,
      -EPROTO },
    { "unknown flag", FAM_LIB_OP_STATFS, HDR(flags), 4, 0x80000000u, -1,
      -EPROTO },
    { "status", FAM_LIB_OP_STATFS, HDR(status), 4, 5, -1, -EPROTO },
    { "status negative", FAM_LIB_OP_STATFS, HDR(status), 4, 0xffffffffu,
      -1, -EPROTO },
    { "reserved", FAM_LIB_OP_STATFS, HDR(reserved), 8, 1ull << 63, -1,
      -EPROTO },
    { "opcode 0", FAM_LIB_OP_STATFS, HDR(opcode), 2, 0, -1, -ENOSYS },
    { "opcode MAX", FAM_LIB_OP_STATFS, HDR(opcode), 2, FAM_LIB_OP_MAX, -1,
      -ENOSYS },
    { "opcode 0xffff", FAM_LIB_OP_STATFS, HDR(opcode), 2, 0xffff, -1,
      -ENOSYS },
    { "header only", FAM_LIB_OP_STATFS, 0, 0, 0, HDR_LEN, -EBADMSG },
    { "args cut short", FAM_LIB_OP_STATFS, 0, 0, 0, HDR_LEN + ARGS_LEN - 1,
      -EBADMSG },
    { "args.reserved", FAM_LIB_OP_STATFS, ARG(reserved), 4, 1, -1,
      -EPROTO },
    { "byte after the parts", FAM_LIB_OP_STATFS, 0, 0, 0,
      HDR_LEN + ARGS_LEN + 1, -EBADMSG },
    { "len1 beyond the message", FAM_LIB_OP_GETATTR, ARG(len1), 4, 3, -1,
      -EBADMSG },
    { "len1 short of the message", FAM_LIB_OP_MKDIR, ARG(len1), 4, 2, -1,
      -EBADMSG },
    /* "/" has 2 bytes: len1 + len2 = 2 in 32-bit arithmetic only */
    { "len1 + len2 wrap 32 bits", FAM_LIB_OP_GETATTR, ARG(len1), 8,
      0x00000003ffffffffull, -1, -EBADMSG },
    { "len1 + len2 + len3 wrap 32 bits", FAM_LIB_OP_GETATTR, ARG(len2), 8,
      0xffffffff00000001ull, -1, -EBADMSG },
    { "len3 huge", FAM_LIB_OP_HEARTBEAT, ARG(len3), 4, 0xffffffffu, -1,
      -EBADMSG },
    { "str1 without NUL", FAM_LIB_OP_MKDIR,
      HDR_LEN + ARGS_LEN + 2, 1, 'x', -1, -EBADMSG },
    { "str1 with inner NUL", FAM_LIB_OP_MKDIR,
      HDR_LEN + ARGS_LEN + 1, 1, 0, -1, -EBADMSG },
    /* SYMLINK "/l" -> "f": str2 is "f\0" at +3 */
    { "str2 without NUL", FAM_LIB_OP_SYMLINK,
      HDR_LEN + ARGS_LEN + 4, 1, 'x', -1, -EBADMSG },
    { "str2 all NUL", FAM_LIB_OP_SYMLINK,
      HDR_LEN + ARGS_LEN + 3, 1, 0, -1, -EBADMSG },
};

static void test_patches(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(patch_cases); i++) {
        const PatchCase *c = &patch_cases[i];
        Msg m;

        g_test_message("%s", c->name);
        msg_sample(&m, c->op);
        if (c->size) {
            put_le(&m, c->off, c->size, c->value);
        }
        if (c->len >= 0) {
            msg_resize(&m, (size_t)c->len);
        }
        g_assert_cmpint(decode_ret(&m), ==, c->expect);
    }
}

/* Shorter than a header: EBADMSG, with opcode and seq once there. */
static void test_short(void)
{
    Msg m;

    msg_sample(&m, FAM_LIB_OP_STATFS);
    put_le(&m, HDR(seq), 4, 0xabcdef01u);
    for (size_t len = 0; len < HDR_LEN; len++) {
        Msg cut = m;
        FamLibRequest req;

        cut.len = len;
        g_assert_cmpint(decode(&cut, &req), ==, -EBADMSG);
        g_assert_cmpuint(req.hdr.opcode, ==,
                         len >= HDR(opcode) + 2 ? FAM_LIB_OP_STATFS : 0);
        g_assert_cmpuint(req.hdr.seq, ==,
                         len >= HDR(seq) + 4 ? 0xabcdef01u : 0);
    }
    g_assert_cmpint(fam_lib_decode(NULL, 100, &(FamLibRequest){ 0 }), ==,
                    -EBADMSG);
}

/* Longer than the mailbox, even with a consistent length. */
static void test_too_long(void)
{
    static char big[FAM_LIB_MSG_MAX];
    size_t value = FAM_LIB_MSG_MAX - HDR_LEN - ARGS_LEN - sizeof("/f") -
                   sizeof("user.big");
    Msg m;
    int n;

    msg_sample(&m, FAM_LIB_OP_STATFS);
    msg_resize(&m, FAM_LIB_MSG_MAX + 1);
    put_le(&m, ARG(len3), 4, FAM_LIB_MSG_MAX + 1 - HDR_LEN - ARGS_LEN);
    g_assert_cmpint(decode_ret(&m), ==, -EBADMSG);

    /*
     * Exactly FAM_LIB_MSG_MAX frames (no opcode's parts can be that long
     * and valid, so the value is refused for its size instead).
     */
    n = fam_lib_msg_build(m.buf, sizeof(m.buf), FAM_LIB_OP_SETXATTR, 1, 0,
                          0, 0, 0, NULL, "/f", "user.big", big, value);
    g_assert_cmpint(n, ==, FAM_LIB_MSG_MAX);
    m.len = (size_t)n;
    g_assert_cmpint(decode_ret(&m), ==, -E2BIG);
}

/* On error the header's opcode and seq are kept for the reply. */
static void test_error_keeps_header(void)
{
    FamLibRequest req;
    Msg m;

    msg_sample(&m, FAM_LIB_OP_CREATE);
    put_le(&m, HDR(seq), 4, 4242);
    put_le(&m, ARG(mode), 4, 0170000);
    g_assert_cmpint(decode(&m, &req), ==, -EINVAL);
    g_assert_cmpuint(req.hdr.opcode, ==, FAM_LIB_OP_CREATE);
    g_assert_cmpuint(req.hdr.seq, ==, 4242);
    g_assert_null(req.str1);
    g_assert_null(req.op);

    put_le(&m, HDR(version), 2, 9);
    g_assert_cmpint(decode(&m, &req), ==, -EPROTONOSUPPORT);
    g_assert_cmpuint(req.hdr.seq, ==, 4242);
    g_assert_cmpuint(req.hdr.opcode, ==, FAM_LIB_OP_CREATE);
}

/*
 * Every prefix and every single-byte change of every sample: no crash,
 * and the prefixes all fail (a prefix cannot frame itself).
 */
static void test_mutations(void)
{
    for (size_t i = 0; i < PROTO_SAMPLES; i++) {
        Msg m;
        int n = proto_sample_build(m.buf, sizeof(m.buf), &proto_samples[i],
                                   3);

        m.len = (size_t)n;
        for (size_t len = 0; len < m.len; len++) {
            Msg cut = m;

            cut.len = len;
            g_assert_cmpint(decode_ret(&cut), <, 0);
        }
        for (size_t at = 0; at < m.len; at++) {
            static const unsigned char values[] = { 0, 1, 0x7f, 0x80, 0xff,
                                                    '/' };

            for (size_t v = 0; v < sizeof(values); v++) {
                Msg x = m;
                FamLibRequest req;

                x.buf[at] = values[v];
                if (decode(&x, &req) == 0) {
                    /* What decodes is consistent with itself. */
                    g_assert_cmpuint(req.hdr.length, ==, x.len);
                    g_assert_nonnull(req.op);
                }
            }
        }
    }
}

/* The table agrees with the header's comments on a few spot checks. */
static void test_op_table(void)
{
    const FamLibOpInfo *i;

    g_assert_null(fam_lib_op_info(0));
    g_assert_null(fam_lib_op_info(FAM_LIB_OP_MAX));
    g_assert_cmpstr(fam_lib_op_name(FAM_LIB_OP_GETATTR), ==, "GETATTR");
    g_assert_cmpstr(fam_lib_op_name(999), ==, "?");
    for (unsigned op = FAM_LIB_OP_VERSION; op < FAM_LIB_OP_MAX; op++) {
        g_assert_nonnull(fam_lib_op_info(op));
    }
    i = fam_lib_op_info(FAM_LIB_OP_OPEN);
    g_assert_cmpuint(i->reply_size, ==, sizeof(struct fam_lib_open));
    i = fam_lib_op_info(FAM_LIB_OP_FSTAT);
    g_assert_cmpuint(i->reply_size, ==, sizeof(struct fam_lib_fstat));
    g_assert_cmpuint(i->args, ==, FAM_LIB_ARG_HANDLE);
    g_assert_cmpuint(i->str1, ==, FAM_LIB_PART_NONE);
    i = fam_lib_op_info(FAM_LIB_OP_READDIR);
    g_assert_cmpuint(i->item, ==, FAM_LIB_ITEM_DIRENT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    make_strings();
    g_test_add_func("/lib-decode/round-trip", test_round_trip);
    g_test_add_func("/lib-decode/optional-parts", test_optional_parts);
    g_test_add_func("/lib-decode/parts", test_parts);
    g_test_add_func("/lib-decode/node-status", test_node_status);
    g_test_add_func("/lib-decode/patches", test_patches);
    g_test_add_func("/lib-decode/short", test_short);
    g_test_add_func("/lib-decode/too-long", test_too_long);
    g_test_add_func("/lib-decode/error-keeps-header",
                    test_error_keeps_header);
    g_test_add_func("/lib-decode/mutations", test_mutations);
    g_test_add_func("/lib-decode/op-table", test_op_table);
    return g_test_run();
}
