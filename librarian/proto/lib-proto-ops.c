/*
 * One function per opcode: the decoded request's parts become the core
 * call's arguments, and the core's result becomes the reply body in wire
 * order. The decoder has checked everything the protocol fixes; what
 * needs the model (module numbers) is checked here; the rest (paths,
 * permissions, handles, space) is the core's.
 */
#include <errno.h>
#include <string.h>

#include "lib-proto-int.h"
#include "lib-wire.h"

#include "fame/fame-version.h"

/* The name VERSION reports (at most 31 bytes: struct fam_lib_version). */
#define SERVER_NAME "fam-librarian " FAME_VERSION

/* The value of an empty xattr: a pointer, never NULL, for the core. */
static const char empty_value[1];

static int put_attr(FamLibReplyBody *out, int ret,
                    const struct fam_lib_attr *attr)
{
    struct fam_lib_attr w = *attr;

    if (ret < 0) {
        return ret;
    }
    w.reserved = 0;
    fam_lib_wire_attr(&w);
    memcpy(out->body, &w, sizeof(w));
    out->len = sizeof(w);
    return 0;
}

static int op_version(FamLib *lib, const FamLibCaller *who,
                      const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_version v = {
        .version = FAM_LIB_VERSION,
        .schema = FAM_LIB_SCHEMA_VERSION,
    };

    (void)lib, (void)who, (void)req;
    _Static_assert(sizeof(SERVER_NAME) <= sizeof(v.name),
                   "the server name must fit struct fam_lib_version");
    memcpy(v.name, SERVER_NAME, sizeof(SERVER_NAME));
    fam_lib_wire_version(&v);
    memcpy(out->body, &v, sizeof(v));
    out->len = sizeof(v);
    return 0;
}

static int op_statfs(FamLib *lib, const FamLibCaller *who,
                     const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_statfs s = { 0 };
    int ret = fam_lib_statfs(lib, &s);

    (void)who, (void)req;
    if (ret < 0) {
        return ret;
    }
    /* The core fills the name; the wire wants it NUL-terminated too. */
    s.model[sizeof(s.model) - 1] = '\0';
    fam_lib_wire_statfs(&s);
    memcpy(out->body, &s, sizeof(s));
    out->len = sizeof(s);
    return 0;
}

static int op_book_info(FamLib *lib, const FamLibCaller *who,
                        const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_book b = { 0 };
    int ret = fam_lib_book_info(lib, req->args.size, &b);

    (void)who;
    if (ret < 0) {
        return ret;
    }
    fam_lib_wire_book(&b);
    memcpy(out->body, &b, sizeof(b));
    out->len = sizeof(b);
    return 0;
}

static int op_getattr(FamLib *lib, const FamLibCaller *who,
                      const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_attr a = { 0 };

    return put_attr(out, fam_lib_getattr(lib, who, req->str1, &a), &a);
}

/* CREATE, MKDIR and SYMLINK: a shelf of `type`, for the caller or, with
 * FAM_LIB_MAKE_OWNER, for the owner the request names. */
static int make_shelf(FamLib *lib, const FamLibCaller *who,
                      const FamLibRequest *req, FamLibReplyBody *out,
                      uint32_t type)
{
    const struct fam_lib_args *a = &req->args;
    struct fam_lib_attr attr = { 0 };
    FamLibNew n = { type, a->mode, req->str2, who->uid, who->gid };

    if (a->flags & FAM_LIB_MAKE_OWNER) {
        n.uid = a->uid;
        n.gid = a->gid;
        return put_attr(out, fam_lib_make_owned(lib, who, req->str1, &n,
                                                &attr), &attr);
    }
    switch (type) {
    case FAM_LIB_S_IFREG:
        return put_attr(out, fam_lib_create(lib, who, req->str1, a->mode,
                                            &attr), &attr);
    case FAM_LIB_S_IFDIR:
        return put_attr(out, fam_lib_mkdir(lib, who, req->str1, a->mode,
                                           &attr), &attr);
    default:
        return put_attr(out, fam_lib_symlink(lib, who, req->str1,
                                             req->str2, &attr), &attr);
    }
}

static int op_create(FamLib *lib, const FamLibCaller *who,
                     const FamLibRequest *req, FamLibReplyBody *out)
{
    return make_shelf(lib, who, req, out, FAM_LIB_S_IFREG);
}

static int op_mkdir(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    return make_shelf(lib, who, req, out, FAM_LIB_S_IFDIR);
}

static int op_symlink(FamLib *lib, const FamLibCaller *who,
                      const FamLibRequest *req, FamLibReplyBody *out)
{
    return make_shelf(lib, who, req, out, FAM_LIB_S_IFLNK);
}

/* A string the core copied into the reply, NUL included; its length. */
static int put_string(FamLibReplyBody *out, int ret)
{
    if (ret == -ERANGE) {
        return -EMSGSIZE;   /* the reply buffer, not the caller's */
    }
    if (ret < 0) {
        return ret;
    }
    if ((size_t)ret >= out->room || out->body[ret] != '\0') {
        return -EIO;        /* the core broke its promise: say so */
    }
    out->len = (size_t)ret + 1;
    return 0;
}

static int op_readlink(FamLib *lib, const FamLibCaller *who,
                       const FamLibRequest *req, FamLibReplyBody *out)
{
    return put_string(out, fam_lib_readlink(lib, who, req->str1,
                                            (char *)out->body, out->room));
}

static int op_getpath(FamLib *lib, const FamLibCaller *who,
                      const FamLibRequest *req, FamLibReplyBody *out)
{
    return put_string(out, fam_lib_getpath(lib, who, req->args.size,
                                           (char *)out->body, out->room));
}

static int op_link(FamLib *lib, const FamLibCaller *who,
                   const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_attr a = { 0 };

    return put_attr(out, fam_lib_link(lib, who, req->str1, req->str2, &a),
                    &a);
}

static int op_open(FamLib *lib, const FamLibCaller *who,
                   const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_open o = { 0 };
    uint64_t handle = 0;    /* __u64 is not uint64_t on every host */
    int ret = fam_lib_open_shelf(lib, who, req->str1, req->args.flags,
                                 &handle, &o.attr);

    if (ret < 0) {
        return ret;
    }
    o.handle = handle;
    o.attr.reserved = 0;
    fam_lib_wire_open(&o);
    memcpy(out->body, &o, sizeof(o));
    out->len = sizeof(o);
    return 0;
}

static int op_close(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_close_shelf(lib, who, req->args.handle);
}

static int op_fstat(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_fstat f = { 0 };
    int ret = fam_lib_fstat(lib, who, req->args.handle, &f);

    if (ret < 0) {
        return ret;
    }
    f.attr.reserved = 0;
    fam_lib_wire_fstat(&f);
    memcpy(out->body, &f, sizeof(f));
    out->len = sizeof(f);
    return 0;
}

static int op_resize(FamLib *lib, const FamLibCaller *who,
                     const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_attr a = { 0 };

    return put_attr(out, fam_lib_resize(lib, who, req->str1,
                                        req->args.handle, req->args.size,
                                        &a), &a);
}

static int op_rename(FamLib *lib, const FamLibCaller *who,
                     const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_rename(lib, who, req->str1, req->str2, req->args.flags);
}

static int op_unlink(FamLib *lib, const FamLibCaller *who,
                     const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_unlink(lib, who, req->str1);
}

static int op_rmdir(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_rmdir(lib, who, req->str1);
}

static int op_getxattr(FamLib *lib, const FamLibCaller *who,
                       const FamLibRequest *req, FamLibReplyBody *out)
{
    int ret = fam_lib_getxattr(lib, who, req->str1, req->str2, out->body,
                               out->room);

    if (ret == -ERANGE) {
        return -EMSGSIZE;
    }
    if (ret < 0) {
        return ret;
    }
    if ((size_t)ret > out->room || (size_t)ret > FAM_LIB_XATTR_VALUE_MAX) {
        return -EIO;
    }
    out->len = (size_t)ret;
    return 0;
}

static int op_setxattr(FamLib *lib, const FamLibCaller *who,
                       const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_setxattr(lib, who, req->str1, req->str2,
                            req->blob ? req->blob : empty_value,
                            req->blob_len, req->args.flags);
}

static int op_removexattr(FamLib *lib, const FamLibCaller *who,
                          const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_removexattr(lib, who, req->str1, req->str2);
}

static int op_settimes(FamLib *lib, const FamLibCaller *who,
                       const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_settimes(lib, who, req->str1, req->args.atime_ns,
                            req->args.mtime_ns);
}

static int op_chmod(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_chmod(lib, who, req->str1, req->args.mode);
}

static int op_chown(FamLib *lib, const FamLibCaller *who,
                    const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_chown(lib, who, req->str1, req->args.uid,
                         req->args.gid);
}

static int op_heartbeat(FamLib *lib, const FamLibCaller *who,
                        const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_node_status s;

    (void)out;
    memcpy(&s, req->blob, sizeof(s));   /* the decoder checked the size */
    fam_lib_wire_node_status(&s);
    return fam_lib_heartbeat(lib, who, &s);
}

static int op_module_status(FamLib *lib, const FamLibCaller *who,
                            const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    if (req->args.size >= fam_lib_model(lib)->modules) {
        return -EINVAL;
    }
    return fam_lib_module_status(lib, who, (uint32_t)req->args.size,
                                 req->args.flags == FAM_LIB_MODULE_OFFLINE);
}

static int op_zero_zombies(FamLib *lib, const FamLibCaller *who,
                           const FamLibRequest *req, FamLibReplyBody *out)
{
    struct fam_lib_count c = { 0 };
    int ret = fam_lib_zero_zombies(lib);

    (void)who, (void)req;
    if (ret < 0) {
        return ret;
    }
    c.count = (uint64_t)ret;
    fam_lib_wire_count(&c);
    memcpy(out->body, &c, sizeof(c));
    out->len = sizeof(c);
    return 0;
}

static int op_oob_send(FamLib *lib, const FamLibCaller *who,
                       const FamLibRequest *req, FamLibReplyBody *out)
{
    (void)out;
    return fam_lib_oob_send(lib, who, req->blob, req->blob_len);
}

static const FamLibOpFn op_fns[FAM_LIB_OP_MAX] = {
    [FAM_LIB_OP_VERSION] = op_version,
    [FAM_LIB_OP_STATFS] = op_statfs,
    [FAM_LIB_OP_BOOK_INFO] = op_book_info,
    [FAM_LIB_OP_LIST_BOOKS] = fam_lib_proto_list_books,
    [FAM_LIB_OP_GETATTR] = op_getattr,
    [FAM_LIB_OP_CREATE] = op_create,
    [FAM_LIB_OP_MKDIR] = op_mkdir,
    [FAM_LIB_OP_SYMLINK] = op_symlink,
    [FAM_LIB_OP_READLINK] = op_readlink,
    [FAM_LIB_OP_OPEN] = op_open,
    [FAM_LIB_OP_CLOSE] = op_close,
    [FAM_LIB_OP_RESIZE] = op_resize,
    [FAM_LIB_OP_RENAME] = op_rename,
    [FAM_LIB_OP_UNLINK] = op_unlink,
    [FAM_LIB_OP_RMDIR] = op_rmdir,
    [FAM_LIB_OP_READDIR] = fam_lib_proto_readdir,
    [FAM_LIB_OP_SHELF_BOOKS] = fam_lib_proto_shelf_books,
    [FAM_LIB_OP_LIST_OPENS] = fam_lib_proto_list_opens,
    [FAM_LIB_OP_GETXATTR] = op_getxattr,
    [FAM_LIB_OP_SETXATTR] = op_setxattr,
    [FAM_LIB_OP_LISTXATTR] = fam_lib_proto_listxattr,
    [FAM_LIB_OP_REMOVEXATTR] = op_removexattr,
    [FAM_LIB_OP_SETTIMES] = op_settimes,
    [FAM_LIB_OP_CHMOD] = op_chmod,
    [FAM_LIB_OP_CHOWN] = op_chown,
    [FAM_LIB_OP_HEARTBEAT] = op_heartbeat,
    [FAM_LIB_OP_MODULE_STATUS] = op_module_status,
    [FAM_LIB_OP_ZERO_ZOMBIES] = op_zero_zombies,
    [FAM_LIB_OP_OOB_SEND] = op_oob_send,
    [FAM_LIB_OP_OOB_RECV] = fam_lib_proto_oob_recv,
    [FAM_LIB_OP_FSTAT] = op_fstat,
    [FAM_LIB_OP_LINK] = op_link,
    [FAM_LIB_OP_GETPATH] = op_getpath,
};

FamLibOpFn fam_lib_proto_op(uint32_t op)
{
    return op < FAM_LIB_OP_MAX ? op_fns[op] : NULL;
}
