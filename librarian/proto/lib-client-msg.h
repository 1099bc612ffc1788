/*
 * The client side of the Librarian protocol: build a request into a
 * buffer, check the reply that comes back, and walk the items of a list
 * reply, validating every length against the buffer.
 *
 * Dependency-free (libc and the protocol header only) so that the guest's
 * static test programs, the LFS client and the Librarian's own tests all
 * use the same code. Nothing here allocates or keeps state; buffers need
 * no particular alignment.
 */
#ifndef FAM_LIB_CLIENT_MSG_H
#define FAM_LIB_CLIENT_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "fame/fam-librarian-proto.h"
#include "lib-ops.h"
#include "lib-wire.h"

/*
 * Build a request for opcode `op` into buf[0..cap). `args` (host order,
 * NULL for all zero) is copied as given except len1..len3, which are set
 * from str1, str2 (NULL: absent; lengths count the NUL) and blob/blob_len.
 * Nothing is checked against the opcode: the Librarian does that, and
 * tests need to build requests it must refuse.
 *
 * Returns the message length, or -EMSGSIZE if it would exceed cap or
 * FAM_LIB_MSG_MAX, -EINVAL if buf is NULL or blob is NULL with a length.
 */
int fam_lib_msg_build(void *buf, size_t cap, uint16_t op, uint32_t seq,
                      uint32_t node, uint32_t uid, uint32_t gid,
                      uint32_t pid, const struct fam_lib_args *args,
                      const char *str1, const char *str2,
                      const void *blob, size_t blob_len);

/*
 * For readers of a byte stream (the daemon's socket): the length of the
 * message whose first bytes are buf[0..len), from its header. Returns 0
 * if fewer than sizeof(struct fam_lib_hdr) bytes are there yet, and
 * -EBADMSG if the header cannot start a message (wrong magic, or a length
 * below the header or above FAM_LIB_MSG_MAX): the stream cannot be
 * resynchronized after that.
 */
int fam_lib_msg_frame(const void *buf, size_t len);

/*
 * Check the reply buf[0..len) to request (op, seq). On success return 0
 * with *body and *body_len (either may be NULL) the reply body, whose size
 * has been checked against the opcode's reply shape (lib-ops.h). Returns
 * the Librarian's error as a negative errno (-ENOENT, ...), or for a reply
 * that is not well-formed -EBADMSG (lengths) or -EPROTO (header fields,
 * or not the reply to this request). A Librarian speaking another
 * protocol version answers -EPROTONOSUPPORT and puts its own version in
 * the header; fam_lib_reply_version() reads it.
 */
int fam_lib_reply_check(const void *buf, size_t len, uint16_t op,
                        uint32_t seq, const void **body, size_t *body_len);

/* The protocol version in a reply's header (0 if len is too short). */
uint16_t fam_lib_reply_version(const void *buf, size_t len);

/*
 * Walking a list reply. Start with fam_lib_list_begin() on the body
 * fam_lib_reply_check() returned, for the opcode's item kind; it gives the
 * list header (host order: next cursor, count, done). Then call the
 * matching fam_lib_list_next_*() until it returns 0 (no more items) or a
 * negative errno (-EBADMSG: an item overruns the body, a length or name is
 * malformed, or bytes are left after the last item). Each returns 1 with
 * the item converted to host order; names and messages point into the
 * body.
 */
typedef struct FamLibListIter {
    const unsigned char *pos;
    const unsigned char *end;
    uint32_t left;              /* items still to come, per the header */
    uint32_t item;              /* FamLibItem */
} FamLibListIter;

int fam_lib_list_begin(FamLibListIter *it, uint32_t item, const void *body,
                       size_t len, struct fam_lib_list *list);
int fam_lib_list_next_book(FamLibListIter *it, struct fam_lib_book *book);
int fam_lib_list_next_dirent(FamLibListIter *it, struct fam_lib_dirent *ent,
                             const char **name);
int fam_lib_list_next_opened(FamLibListIter *it,
                             struct fam_lib_opened *opened);
int fam_lib_list_next_name(FamLibListIter *it, const char **name);
int fam_lib_list_next_oob(FamLibListIter *it, struct fam_lib_oob *oob,
                          const void **msg);

#endif /* FAM_LIB_CLIENT_MSG_H */
