/*
 * The opcode table (lib-ops.h). docs/librarian-protocol.md describes each
 * row in words; the two must say the same thing.
 */
#include "lib-ops.h"

#define REQ FAM_LIB_PART_REQUIRED
#define OPT FAM_LIB_PART_OPTIONAL
#define NO  FAM_LIB_PART_NONE

#define OP(op_, str1_, str2_, blob_, str2_kind_, blob_kind_, args_,     \
           reply_, item_, reply_size_)                                  \
    [FAM_LIB_OP_##op_] = {                                              \
        .name = #op_, .str1 = str1_, .str2 = str2_, .blob = blob_,      \
        .str2_kind = FAM_LIB_KIND_##str2_kind_,                         \
        .blob_kind = FAM_LIB_KIND_##blob_kind_,                         \
        .args = args_, .reply = FAM_LIB_REPLY_##reply_,                 \
        .item = FAM_LIB_ITEM_##item_, .reply_size = reply_size_,        \
    }

#define A_HANDLE FAM_LIB_ARG_HANDLE
#define A_SIZE   FAM_LIB_ARG_SIZE
#define A_TIMES  FAM_LIB_ARG_TIMES
#define A_MODE   FAM_LIB_ARG_MODE
#define A_FLAGS  FAM_LIB_ARG_FLAGS
#define A_IDS    FAM_LIB_ARG_IDS

static const FamLibOpInfo op_table[FAM_LIB_OP_MAX] = {
    OP(VERSION, NO, NO, NO, NONE, NONE, 0,
       FIXED, NONE, sizeof(struct fam_lib_version)),
    OP(STATFS, NO, NO, NO, NONE, NONE, 0,
       FIXED, NONE, sizeof(struct fam_lib_statfs)),
    OP(BOOK_INFO, NO, NO, NO, NONE, NONE, A_SIZE,
       FIXED, NONE, sizeof(struct fam_lib_book)),
    OP(LIST_BOOKS, NO, NO, NO, NONE, NONE, A_SIZE | A_FLAGS,
       LIST, BOOK, 0),
    OP(GETATTR, REQ, NO, NO, NONE, NONE, 0,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(CREATE, REQ, NO, NO, NONE, NONE, A_MODE | A_FLAGS | A_IDS,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(MKDIR, REQ, NO, NO, NONE, NONE, A_MODE | A_FLAGS | A_IDS,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(SYMLINK, REQ, REQ, NO, TARGET, NONE, A_FLAGS | A_IDS,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(READLINK, REQ, NO, NO, NONE, NONE, 0,
       STRING, NONE, 0),
    OP(OPEN, REQ, NO, NO, NONE, NONE, A_FLAGS,
       FIXED, NONE, sizeof(struct fam_lib_open)),
    OP(CLOSE, NO, NO, NO, NONE, NONE, A_HANDLE,
       EMPTY, NONE, 0),
    /* By path, or by handle when str1 is absent (then handle is read). */
    OP(RESIZE, OPT, NO, NO, NONE, NONE, A_HANDLE | A_SIZE,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(RENAME, REQ, REQ, NO, PATH, NONE, A_FLAGS,
       EMPTY, NONE, 0),
    OP(UNLINK, REQ, NO, NO, NONE, NONE, 0,
       EMPTY, NONE, 0),
    OP(RMDIR, REQ, NO, NO, NONE, NONE, 0,
       EMPTY, NONE, 0),
    OP(READDIR, REQ, NO, NO, NONE, NONE, A_SIZE,
       LIST, DIRENT, 0),
    OP(SHELF_BOOKS, OPT, NO, NO, NONE, NONE, A_HANDLE | A_SIZE,
       LIST, BOOK, 0),
    OP(LIST_OPENS, NO, NO, NO, NONE, NONE, A_SIZE,
       LIST, OPENED, 0),
    OP(GETXATTR, REQ, REQ, NO, XATTR_NAME, NONE, 0,
       BYTES, NONE, 0),
    OP(SETXATTR, REQ, REQ, OPT, XATTR_NAME, XATTR_VALUE, A_FLAGS,
       EMPTY, NONE, 0),
    OP(LISTXATTR, REQ, NO, NO, NONE, NONE, A_SIZE,
       LIST, NAME, 0),
    OP(REMOVEXATTR, REQ, REQ, NO, XATTR_NAME, NONE, 0,
       EMPTY, NONE, 0),
    OP(SETTIMES, REQ, NO, NO, NONE, NONE, A_TIMES,
       EMPTY, NONE, 0),
    OP(CHMOD, REQ, NO, NO, NONE, NONE, A_MODE,
       EMPTY, NONE, 0),
    OP(CHOWN, REQ, NO, NO, NONE, NONE, A_IDS,
       EMPTY, NONE, 0),
    OP(HEARTBEAT, NO, NO, REQ, NONE, NODE_STATUS, 0,
       EMPTY, NONE, 0),
    OP(MODULE_STATUS, NO, NO, NO, NONE, NONE, A_SIZE | A_FLAGS,
       EMPTY, NONE, 0),
    OP(ZERO_ZOMBIES, NO, NO, NO, NONE, NONE, 0,
       FIXED, NONE, sizeof(struct fam_lib_count)),
    OP(OOB_SEND, NO, NO, REQ, NONE, OOB, 0,
       EMPTY, NONE, 0),
    OP(OOB_RECV, NO, NO, NO, NONE, NONE, A_SIZE,
       LIST, OOB, 0),
    OP(FSTAT, NO, NO, NO, NONE, NONE, A_HANDLE,
       FIXED, NONE, sizeof(struct fam_lib_fstat)),
    OP(LINK, REQ, REQ, NO, PATH, NONE, 0,
       FIXED, NONE, sizeof(struct fam_lib_attr)),
    OP(GETPATH, NO, NO, NO, NONE, NONE, A_SIZE,
       STRING, NONE, 0),
};

const FamLibOpInfo *fam_lib_op_info(uint32_t op)
{
    if (op >= FAM_LIB_OP_MAX || !op_table[op].name) {
        return NULL;
    }
    return &op_table[op];
}

const char *fam_lib_op_name(uint32_t op)
{
    const FamLibOpInfo *info = fam_lib_op_info(op);

    return info ? info->name : "?";
}
