/*
 * Decoding and validating one Librarian request: the Librarian's first
 * line of defence, and the part that is fuzzed. Everything the protocol
 * fixes is checked here, so the core only ever sees well-formed calls;
 * what needs the database or the model (does the path exist, is the
 * module in the model) is left to fam_lib_handle() and the core.
 *
 * Dependency-free (libc and the protocol header only).
 */
#ifndef FAM_LIB_DECODE_H
#define FAM_LIB_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "fame/fam-librarian-proto.h"
#include "lib-ops.h"

/* A decoded request. Strings and blob point into the message. */
typedef struct FamLibRequest {
    struct fam_lib_hdr hdr;         /* host byte order */
    struct fam_lib_args args;       /* host byte order */
    const FamLibOpInfo *op;         /* the opcode's row in lib-ops.c */
    const char *str1;               /* NULL when absent */
    const char *str2;               /* NULL when absent */
    const void *blob;               /* NULL when absent */
    size_t blob_len;
} FamLibRequest;

/*
 * Decode msg[0..len) into *req. Returns 0, or the negative errno the
 * error reply must carry. The first failing check decides, in this order:
 *
 *   -EBADMSG          shorter than the header
 *   -EPROTO           wrong magic
 *   -EPROTONOSUPPORT  another protocol version
 *   -EBADMSG          hdr.length is not len, or len > FAM_LIB_MSG_MAX
 *   -EPROTO           hdr.flags, hdr.status or hdr.reserved not zero
 *   -ENOSYS           unknown opcode
 *   -EBADMSG          no room for struct fam_lib_args
 *   -EPROTO           args.reserved not zero
 *   -EBADMSG          len1 + len2 + len3 is not the rest of the message;
 *                     a string not NUL-terminated at its end, or with a
 *                     NUL inside; a part the opcode requires is absent, or
 *                     one it does not use is present
 *
 * then the parts one by one (str1, str2, blob):
 *
 *   -ENAMETOOLONG     a path over FAM_LIB_PATH_MAX (NUL included) or with
 *                     a component over FAM_LIB_NAME_MAX; a symlink target
 *                     over FAM_LIB_PATH_MAX; an xattr name over
 *                     FAM_LIB_XATTR_NAME_MAX (NUL included)
 *   -EINVAL           a path that does not start with '/'; a node status
 *                     with a percentage over 100 or its reserved field set
 *   -ERANGE           an empty xattr name (as getxattr(2))
 *   -ENOENT           an empty symlink target (as symlink(2))
 *   -E2BIG            an xattr value over FAM_LIB_XATTR_VALUE_MAX, an OOB
 *                     message over FAM_LIB_OOB_MAX
 *   -EBADMSG          a node status blob that is not one struct
 *
 * and last the args (all -EINVAL): a field the opcode does not read is
 * not zero (RESIZE and SHELF_BOOKS read the handle only without a path);
 * mode bits outside 07777; unknown flag bits, OPEN without READ or WRITE,
 * MODULE_STATUS flags other than ONLINE/OFFLINE. (Every time is valid:
 * before 1970 too; the markers FAM_LIB_TIME_NOW and _OMIT are the two
 * lowest values.)
 *
 * On error req->hdr still holds what could be read of the header (at
 * least the opcode and seq, when the message is long enough to hold
 * them) so that the error reply can echo them; the rest is zero.
 */
int fam_lib_decode(const void *msg, size_t len, FamLibRequest *req);

#endif /* FAM_LIB_DECODE_H */
