/*
 * What each Librarian opcode carries, as data: which request parts it
 * uses, which fields of struct fam_lib_args it reads, and the shape of its
 * reply. The server's decoder enforces this table and the client's reply
 * check follows it, so both ends agree by construction.
 *
 * Dependency-free (libc and the protocol header only): the guest's test
 * programs and the LFS client link it too.
 */
#ifndef FAM_LIB_OPS_H
#define FAM_LIB_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "fame/fam-librarian-proto.h"

/* Whether an opcode uses a request part. */
typedef enum FamLibPart {
    FAM_LIB_PART_NONE,          /* must be absent (length 0) */
    FAM_LIB_PART_REQUIRED,      /* must be present */
    FAM_LIB_PART_OPTIONAL,      /* may be absent */
} FamLibPart;

/* What str2 or the blob holds, which decides its limits. */
typedef enum FamLibKind {
    FAM_LIB_KIND_NONE,
    FAM_LIB_KIND_PATH,          /* an absolute path: PATH_MAX, NAME_MAX */
    FAM_LIB_KIND_TARGET,        /* a symlink target: PATH_MAX only */
    FAM_LIB_KIND_XATTR_NAME,    /* XATTR_NAME_MAX, not empty */
    FAM_LIB_KIND_XATTR_VALUE,   /* 0..XATTR_VALUE_MAX bytes */
    FAM_LIB_KIND_NODE_STATUS,   /* exactly one struct fam_lib_node_status */
    FAM_LIB_KIND_OOB,           /* 1..FAM_LIB_OOB_MAX bytes */
} FamLibKind;

/* The fields of struct fam_lib_args an opcode reads; all others must be
 * zero (len1..len3 always describe the parts). */
#define FAM_LIB_ARG_HANDLE      (1u << 0)
#define FAM_LIB_ARG_SIZE        (1u << 1)
#define FAM_LIB_ARG_TIMES       (1u << 2)   /* atime_ns and mtime_ns */
#define FAM_LIB_ARG_MODE        (1u << 3)
#define FAM_LIB_ARG_FLAGS       (1u << 4)
#define FAM_LIB_ARG_IDS         (1u << 5)   /* uid and gid */

/* The shape of a successful reply's body. */
typedef enum FamLibReplyKind {
    FAM_LIB_REPLY_EMPTY,        /* no body */
    FAM_LIB_REPLY_FIXED,        /* exactly one struct of reply_size */
    FAM_LIB_REPLY_STRING,       /* a NUL-terminated string (READLINK) */
    FAM_LIB_REPLY_BYTES,        /* 0..XATTR_VALUE_MAX bytes (GETXATTR) */
    FAM_LIB_REPLY_LIST,         /* struct fam_lib_list, then items */
} FamLibReplyKind;

/* The items of a list reply. */
typedef enum FamLibItem {
    FAM_LIB_ITEM_NONE,
    FAM_LIB_ITEM_BOOK,          /* struct fam_lib_book */
    FAM_LIB_ITEM_DIRENT,        /* struct fam_lib_dirent + name, padded */
    FAM_LIB_ITEM_OPENED,        /* struct fam_lib_opened */
    FAM_LIB_ITEM_NAME,          /* a NUL-terminated xattr name */
    FAM_LIB_ITEM_OOB,           /* struct fam_lib_oob + message, padded */
} FamLibItem;

/* The longest out-of-band message (FAM_LIB_OP_OOB_SEND). */
#define FAM_LIB_OOB_MAX         256u

/* Variable records (dirents, OOB messages) are padded to this. */
#define FAM_LIB_RECORD_ALIGN    8u

typedef struct FamLibOpInfo {
    const char *name;           /* "GETATTR", for logs and tools */
    uint8_t str1;               /* FamLibPart; str1 is always a path */
    uint8_t str2;               /* FamLibPart */
    uint8_t blob;               /* FamLibPart */
    uint8_t str2_kind;          /* FamLibKind */
    uint8_t blob_kind;          /* FamLibKind */
    uint8_t reply;              /* FamLibReplyKind */
    uint8_t item;               /* FamLibItem, for FAM_LIB_REPLY_LIST */
    uint16_t args;              /* FAM_LIB_ARG_* */
    uint16_t reply_size;        /* bytes, for FAM_LIB_REPLY_FIXED */
} FamLibOpInfo;

/* The description of `op`, or NULL if no such opcode. */
const FamLibOpInfo *fam_lib_op_info(uint32_t op);

/* Its name, or "?" if no such opcode. */
const char *fam_lib_op_name(uint32_t op);

/* The size of a padded variable record with `payload` bytes after its
 * fixed part of `fixed` bytes. */
static inline size_t fam_lib_record_len(size_t fixed, size_t payload)
{
    return (fixed + payload + FAM_LIB_RECORD_ALIGN - 1) &
           ~(size_t)(FAM_LIB_RECORD_ALIGN - 1);
}

#endif /* FAM_LIB_OPS_H */
