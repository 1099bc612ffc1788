/*
 * fam_lib_handle(): copy, decode, settle who is asking, check the reply
 * fits, run, encode. Every path ends in write_reply(), so a reply is
 * well-formed whatever the request was.
 */
#include <errno.h>
#include <string.h>

#include "lib-proto-int.h"
#include "lib-wire.h"

/* The largest errno a reply carries; anything else from the core is a
 * bug there, reported as EIO rather than passed on. */
#define ERRNO_MAX 4095

/* Write the header for a reply with `body_len` bytes of body. */
static size_t write_reply(void *reply, uint16_t op, uint32_t seq,
                          const FamLibCaller *who, int err, size_t body_len)
{
    struct fam_lib_hdr h = {
        .magic = FAM_LIB_MAGIC,
        .version = FAM_LIB_VERSION,
        .opcode = op,
        .seq = seq,
        .flags = FAM_LIB_F_REPLY,
    };

    if (err < 0) {
        h.status = err >= -ERRNO_MAX ? -err : EIO;
        body_len = 0;
    }
    h.length = (uint32_t)(sizeof(h) + body_len);
    if (who) {
        h.node = who->node;
        h.uid = who->uid;
        h.gid = who->gid;
        h.pid = who->pid;
    }
    fam_lib_wire_hdr(&h);
    memcpy(reply, &h, sizeof(h));
    return sizeof(h) + body_len;
}

size_t fam_lib_error_reply(void *reply, size_t cap, uint16_t op,
                           uint32_t seq, int err)
{
    if (!reply || cap < sizeof(struct fam_lib_hdr)) {
        return 0;
    }
    /* A success here would promise a body that is not there. */
    if (err <= 0 || err > ERRNO_MAX) {
        err = EIO;
    }
    return write_reply(reply, op, seq, NULL, -err, 0);
}

/* The header's identity, with the transport's forced fields over it. */
static void settle_caller(const struct fam_lib_hdr *h,
                          const FamLibForced *forced, FamLibCaller *who)
{
    uint32_t mask = forced ? forced->mask : 0;

    who->node = mask & FAM_LIB_FORCE_NODE ? forced->caller.node : h->node;
    who->uid = mask & FAM_LIB_FORCE_UID ? forced->caller.uid : h->uid;
    who->gid = mask & FAM_LIB_FORCE_GID ? forced->caller.gid : h->gid;
    who->pid = mask & FAM_LIB_FORCE_PID ? forced->caller.pid : h->pid;
}

/* Can a body of this opcode's shape be written into `room` bytes? */
static bool reply_fits(const FamLibOpInfo *op, size_t room)
{
    switch (op->reply) {
    case FAM_LIB_REPLY_FIXED:
        return room >= op->reply_size;
    case FAM_LIB_REPLY_LIST:
        return room >= sizeof(struct fam_lib_list);
    default:
        /* Empty bodies always fit; strings and values are sized by the
         * core against the room it is given (EMSGSIZE if short). */
        return true;
    }
}

static int run(FamLib *lib, const FamLibCaller *who, const FamLibRequest *req,
               FamLibReplyBody *out)
{
    const FamModel *model = fam_lib_model(lib);
    FamLibOpFn fn = fam_lib_proto_op(req->hdr.opcode);

    if (who->node != FAM_LIB_NODE_HOST && who->node >= model->nodes) {
        return -EINVAL;
    }
    if (!fn) {
        return -ENOSYS;     /* in the table, yet not served: a bug here */
    }
    if (!reply_fits(req->op, out->room)) {
        return -EMSGSIZE;
    }
    return fn(lib, who, req, out);
}

size_t fam_lib_handle(FamLib *lib, const void *msg, size_t len,
                      const FamLibForced *forced, void *reply, size_t cap)
{
    /*
     * A private copy: the mailbox stays writable by the guest while we
     * work, and a value checked in one read and used from another could
     * differ. Longer messages are refused from their header alone, which
     * fam_lib_decode() reads once.
     */
    unsigned char copy[FAM_LIB_MSG_MAX];
    const void *src = msg;
    size_t out_cap = cap < FAM_LIB_MSG_MAX ? cap : FAM_LIB_MSG_MAX;
    FamLibReplyBody out = { 0 };
    FamLibRequest req;
    FamLibCaller who;
    int ret;

    if (!reply || out_cap < sizeof(struct fam_lib_hdr)) {
        return 0;
    }
    if (!msg) {
        len = 0;
    }
    if (msg && len <= sizeof(copy)) {
        memcpy(copy, msg, len);
        src = copy;
    }
    ret = fam_lib_decode(src, len, &req);
    settle_caller(&req.hdr, forced, &who);
    if (ret == 0) {
        out.body = (unsigned char *)reply + sizeof(struct fam_lib_hdr);
        out.room = out_cap - sizeof(struct fam_lib_hdr);
        ret = lib ? run(lib, &who, &req, &out) : -EIO;
    }
    return write_reply(reply, req.hdr.opcode, req.hdr.seq, &who, ret,
                       ret < 0 ? 0 : out.len);
}
