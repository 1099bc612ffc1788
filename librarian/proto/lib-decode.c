/*
 * The request decoder (lib-decode.h). It reads the message only through
 * memcpy into local structs and bounds-checked pointers, computes every
 * length in size_t/uint64_t from values at most 2^32, and never trusts a
 * length it has not compared with the bytes it was given.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "lib-decode.h"
#include "lib-wire.h"

#define MODE_BITS           07777u
#define OPEN_FLAGS          (FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE)
#define XATTR_FLAGS         (FAM_LIB_XATTR_CREATE | FAM_LIB_XATTR_REPLACE)
#define RENAME_FLAGS        (FAM_LIB_RENAME_NOREPLACE | FAM_LIB_RENAME_EXCHANGE)

/* Offsets of the header fields a short message may still hold. */
#define HDR_OPCODE_END      8u
#define HDR_SEQ_END         16u

/* Whether s[0..len) is one string: NUL last and nowhere before. */
static bool is_string(const char *s, size_t len)
{
    return len > 0 && memchr(s, 0, len) == s + len - 1;
}

/* An absolute path within the limits; len counts the NUL. */
static int check_path(const char *path, size_t len)
{
    size_t component = 0;

    if (len > FAM_LIB_PATH_MAX) {
        return -ENAMETOOLONG;
    }
    if (path[0] != '/') {
        return -EINVAL;
    }
    for (size_t i = 0; i + 1 < len; i++) {
        if (path[i] == '/') {
            component = 0;
        } else if (++component > FAM_LIB_NAME_MAX) {
            return -ENAMETOOLONG;
        }
    }
    return 0;
}

/* str2: what it is decides its limits. len counts the NUL. */
static int check_str2(uint8_t kind, const char *s, size_t len)
{
    switch (kind) {
    case FAM_LIB_KIND_PATH:
        return check_path(s, len);
    case FAM_LIB_KIND_TARGET:
        if (len > FAM_LIB_PATH_MAX) {
            return -ENAMETOOLONG;
        }
        return len == 1 ? -ENOENT : 0;
    case FAM_LIB_KIND_XATTR_NAME:
        if (len > FAM_LIB_XATTR_NAME_MAX) {
            return -ENAMETOOLONG;
        }
        return len == 1 ? -ERANGE : 0;     /* as getxattr(2) and the core */
    }
    return -EBADMSG;    /* a table row without a kind: refuse */
}

static int check_node_status(const void *blob, size_t len)
{
    struct fam_lib_node_status s;

    if (len != sizeof(s)) {
        return -EBADMSG;
    }
    memcpy(&s, blob, sizeof(s));
    fam_lib_wire_node_status(&s);
    if (s.reserved != 0 || s.cpu_percent > 100 || s.mem_percent > 100 ||
        s.rootfs_percent > 100) {
        return -EINVAL;
    }
    return 0;
}

static int check_blob(uint8_t kind, const void *blob, size_t len)
{
    switch (kind) {
    case FAM_LIB_KIND_XATTR_VALUE:
        return len > FAM_LIB_XATTR_VALUE_MAX ? -E2BIG : 0;
    case FAM_LIB_KIND_NODE_STATUS:
        return check_node_status(blob, len);
    case FAM_LIB_KIND_OOB:
        /* Never empty: the table makes the blob required. */
        return len > FAM_LIB_OOB_MAX ? -E2BIG : 0;
    }
    return -EBADMSG;
}

/* Present when the opcode forbids it, or absent when it requires it. */
static bool part_misplaced(uint8_t part, size_t len)
{
    return (part == FAM_LIB_PART_NONE && len != 0) ||
           (part == FAM_LIB_PART_REQUIRED && len == 0);
}

/* The args fields: unused ones zero, used ones in range. */
static int check_args(const FamLibRequest *req)
{
    const struct fam_lib_args *a = &req->args;
    uint16_t use = req->op->args;

    /* "p or handle": a handle is read only when there is no path. */
    if (req->op->str1 == FAM_LIB_PART_OPTIONAL && req->str1) {
        use &= ~FAM_LIB_ARG_HANDLE;
    }
    if ((!(use & FAM_LIB_ARG_HANDLE) && a->handle) ||
        (!(use & FAM_LIB_ARG_SIZE) && a->size) ||
        (!(use & FAM_LIB_ARG_TIMES) && (a->atime_ns || a->mtime_ns)) ||
        (!(use & FAM_LIB_ARG_MODE) && a->mode) ||
        (!(use & FAM_LIB_ARG_FLAGS) && a->flags) ||
        (!(use & FAM_LIB_ARG_IDS) && (a->uid || a->gid))) {
        return -EINVAL;
    }
    if ((use & FAM_LIB_ARG_MODE) && (a->mode & ~MODE_BITS)) {
        return -EINVAL;
    }
    switch (req->hdr.opcode) {
    case FAM_LIB_OP_OPEN:
        return a->flags == 0 || (a->flags & ~OPEN_FLAGS) ? -EINVAL : 0;
    case FAM_LIB_OP_SETXATTR:
        return a->flags & ~XATTR_FLAGS ? -EINVAL : 0;
    case FAM_LIB_OP_RENAME:
        return a->flags & ~RENAME_FLAGS ||
               a->flags == RENAME_FLAGS ? -EINVAL : 0;
    case FAM_LIB_OP_CREATE:
    case FAM_LIB_OP_MKDIR:
    case FAM_LIB_OP_SYMLINK:
        /* An owner only with the flag that says so. */
        if (a->flags & ~FAM_LIB_MAKE_OWNER) {
            return -EINVAL;
        }
        return !(a->flags & FAM_LIB_MAKE_OWNER) && (a->uid || a->gid) ?
               -EINVAL : 0;
    case FAM_LIB_OP_MODULE_STATUS:
        return a->flags != FAM_LIB_MODULE_ONLINE &&
               a->flags != FAM_LIB_MODULE_OFFLINE ? -EINVAL : 0;
    }
    return 0;
}

/* Split the body into its parts and check each against the opcode. */
static int decode_parts(FamLibRequest *req, const char *p, size_t rest)
{
    const struct fam_lib_args *a = &req->args;
    const FamLibOpInfo *op = req->op;
    int ret;

    /* Three values below 2^32 cannot overflow 64 bits. */
    if ((uint64_t)a->len1 + a->len2 + a->len3 != rest) {
        return -EBADMSG;
    }
    if ((a->len1 && !is_string(p, a->len1)) ||
        (a->len2 && !is_string(p + a->len1, a->len2))) {
        return -EBADMSG;
    }
    if (part_misplaced(op->str1, a->len1) ||
        part_misplaced(op->str2, a->len2) ||
        part_misplaced(op->blob, a->len3)) {
        return -EBADMSG;
    }
    if (a->len1) {
        req->str1 = p;
        ret = check_path(req->str1, a->len1);
        if (ret < 0) {
            return ret;
        }
    }
    if (a->len2) {
        req->str2 = p + a->len1;
        ret = check_str2(op->str2_kind, req->str2, a->len2);
        if (ret < 0) {
            return ret;
        }
    }
    if (a->len3 || op->blob != FAM_LIB_PART_NONE) {
        req->blob = a->len3 ? p + a->len1 + a->len2 : NULL;
        req->blob_len = a->len3;
        ret = check_blob(op->blob_kind, req->blob, req->blob_len);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* What a message too short for a header still tells: opcode and seq. */
static void read_short_header(const unsigned char *m, size_t len,
                              struct fam_lib_hdr *h)
{
    struct fam_lib_hdr tmp = { 0 };

    memcpy(&tmp, m, len < sizeof(tmp) ? len : sizeof(tmp));
    fam_lib_wire_hdr(&tmp);
    if (len >= HDR_OPCODE_END) {
        h->opcode = tmp.opcode;
    }
    if (len >= HDR_SEQ_END) {
        h->seq = tmp.seq;
    }
}

int fam_lib_decode(const void *msg, size_t len, FamLibRequest *req)
{
    const unsigned char *m = msg;
    struct fam_lib_hdr *h = &req->hdr;
    size_t fixed = sizeof(struct fam_lib_hdr) + sizeof(struct fam_lib_args);
    int ret;

    memset(req, 0, sizeof(*req));
    if (!msg) {
        return -EBADMSG;
    }
    if (len < sizeof(*h)) {
        read_short_header(m, len, h);
        return -EBADMSG;
    }
    memcpy(h, m, sizeof(*h));
    fam_lib_wire_hdr(h);
    if (h->magic != FAM_LIB_MAGIC) {
        return -EPROTO;
    }
    if (h->version != FAM_LIB_VERSION) {
        return -EPROTONOSUPPORT;
    }
    if (h->length != len || len > FAM_LIB_MSG_MAX) {
        return -EBADMSG;
    }
    if (h->flags != 0 || h->status != 0 || h->reserved != 0) {
        return -EPROTO;
    }
    req->op = fam_lib_op_info(h->opcode);
    if (!req->op) {
        return -ENOSYS;
    }
    if (len < fixed) {
        return -EBADMSG;
    }
    memcpy(&req->args, m + sizeof(*h), sizeof(req->args));
    fam_lib_wire_args(&req->args);
    if (req->args.reserved != 0) {
        return -EPROTO;
    }
    ret = decode_parts(req, (const char *)m + fixed, len - fixed);
    if (ret == 0) {
        ret = check_args(req);
    }
    if (ret < 0) {
        /* Leave no half-decoded request behind; keep the header. */
        struct fam_lib_hdr keep = *h;

        memset(req, 0, sizeof(*req));
        req->hdr = keep;
    }
    return ret;
}
