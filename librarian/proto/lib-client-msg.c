/*
 * Building requests and checking replies (lib-client-msg.h). The reply
 * check trusts nothing in the reply: a Librarian with a bug, or a peer
 * that is not a Librarian, gets -EBADMSG/-EPROTO rather than a client
 * reading past its buffer.
 */
#include <errno.h>
#include <string.h>

#include "lib-client-msg.h"

/* The largest errno a reply may carry (Linux keeps errno below this). */
#define ERRNO_MAX 4095

int fam_lib_msg_build(void *buf, size_t cap, uint16_t op, uint32_t seq,
                      uint32_t node, uint32_t uid, uint32_t gid,
                      uint32_t pid, const struct fam_lib_args *args,
                      const char *str1, const char *str2,
                      const void *blob, size_t blob_len)
{
    struct fam_lib_hdr h = { 0 };
    struct fam_lib_args a = { 0 };
    size_t len1 = str1 ? strlen(str1) + 1 : 0;
    size_t len2 = str2 ? strlen(str2) + 1 : 0;
    size_t limit = cap < FAM_LIB_MSG_MAX ? cap : FAM_LIB_MSG_MAX;
    size_t total = sizeof(h) + sizeof(a);
    unsigned char *p = buf;

    if (!buf || (!blob && blob_len)) {
        return -EINVAL;
    }
    /* Each addition is checked before it is made: no wrap-around. */
    if (limit < total || len1 > limit - total) {
        return -EMSGSIZE;
    }
    total += len1;
    if (len2 > limit - total) {
        return -EMSGSIZE;
    }
    total += len2;
    if (blob_len > limit - total) {
        return -EMSGSIZE;
    }
    total += blob_len;

    if (args) {
        a = *args;
    }
    a.len1 = (uint32_t)len1;
    a.len2 = (uint32_t)len2;
    a.len3 = (uint32_t)blob_len;
    fam_lib_wire_args(&a);

    h.magic = FAM_LIB_MAGIC;
    h.version = FAM_LIB_VERSION;
    h.opcode = op;
    h.length = (uint32_t)total;
    h.seq = seq;
    h.node = node;
    h.uid = uid;
    h.gid = gid;
    h.pid = pid;
    fam_lib_wire_hdr(&h);

    memcpy(p, &h, sizeof(h));
    p += sizeof(h);
    memcpy(p, &a, sizeof(a));
    p += sizeof(a);
    if (len1) {
        memcpy(p, str1, len1);
        p += len1;
    }
    if (len2) {
        memcpy(p, str2, len2);
        p += len2;
    }
    if (blob_len) {
        memcpy(p, blob, blob_len);
    }
    return (int)total;
}

int fam_lib_msg_frame(const void *buf, size_t len)
{
    struct fam_lib_hdr h;

    if (len < sizeof(h)) {
        return 0;
    }
    memcpy(&h, buf, sizeof(h));
    fam_lib_wire_hdr(&h);
    if (h.magic != FAM_LIB_MAGIC || h.length < sizeof(h) ||
        h.length > FAM_LIB_MSG_MAX) {
        return -EBADMSG;
    }
    return (int)h.length;
}

uint16_t fam_lib_reply_version(const void *buf, size_t len)
{
    struct fam_lib_hdr h;

    if (!buf || len < sizeof(h)) {
        return 0;
    }
    memcpy(&h, buf, sizeof(h));
    fam_lib_wire_hdr(&h);
    return h.version;
}

/* Whether `s` of `len` bytes is one string: NUL last and nowhere else. */
static int is_string(const unsigned char *s, size_t len)
{
    return len > 0 && memchr(s, 0, len) == s + len - 1;
}

/* Is a successful reply body the size and shape `info` promises? */
static int check_body(const FamLibOpInfo *info, const unsigned char *body,
                      size_t len)
{
    switch (info->reply) {
    case FAM_LIB_REPLY_EMPTY:
        return len == 0 ? 0 : -EBADMSG;
    case FAM_LIB_REPLY_FIXED:
        return len == info->reply_size ? 0 : -EBADMSG;
    case FAM_LIB_REPLY_STRING:
        return len <= FAM_LIB_PATH_MAX && is_string(body, len)
               ? 0 : -EBADMSG;
    case FAM_LIB_REPLY_BYTES:
        return len <= FAM_LIB_XATTR_VALUE_MAX ? 0 : -EBADMSG;
    case FAM_LIB_REPLY_LIST:
        /* The items are checked as they are read. */
        return len >= sizeof(struct fam_lib_list) ? 0 : -EBADMSG;
    }
    return -EPROTO;
}

int fam_lib_reply_check(const void *buf, size_t len, uint16_t op,
                        uint32_t seq, const void **body, size_t *body_len)
{
    const FamLibOpInfo *info = fam_lib_op_info(op);
    const unsigned char *b;
    struct fam_lib_hdr h;
    size_t blen;
    int ret;

    if (body) {
        *body = NULL;
    }
    if (body_len) {
        *body_len = 0;
    }
    if (!buf || len < sizeof(h)) {
        return -EBADMSG;
    }
    memcpy(&h, buf, sizeof(h));
    fam_lib_wire_hdr(&h);
    if (h.magic != FAM_LIB_MAGIC || h.flags != FAM_LIB_F_REPLY ||
        h.reserved != 0 || h.opcode != op || h.seq != seq) {
        return -EPROTO;
    }
    if (h.length != len || len > FAM_LIB_MSG_MAX) {
        return -EBADMSG;
    }
    if (h.status < 0 || h.status > ERRNO_MAX) {
        return -EPROTO;
    }
    if (h.version != FAM_LIB_VERSION) {
        /* Only "I speak another version" may come in another version. */
        return h.status == EPROTONOSUPPORT ? -EPROTONOSUPPORT : -EPROTO;
    }
    b = (const unsigned char *)buf + sizeof(h);
    blen = len - sizeof(h);
    if (h.status != 0) {
        return blen == 0 ? -h.status : -EBADMSG;
    }
    if (!info) {
        /* A success for an opcode we cannot have sent. */
        return -EPROTO;
    }
    ret = check_body(info, b, blen);
    if (ret < 0) {
        return ret;
    }
    if (body) {
        *body = blen ? b : NULL;
    }
    if (body_len) {
        *body_len = blen;
    }
    return 0;
}
