/*
 * The server side of the Librarian protocol: one request message in, one
 * reply message out. fam_lib_handle() decodes and validates the request
 * (lib-decode.h), runs it on the core (librarian.h) as the caller it
 * names, and encodes the reply. Both the QEMU device's Librarian thread
 * and the fam-librarian daemon call it; docs/librarian-protocol.md is the
 * protocol in words.
 */
#ifndef FAM_LIB_PROTO_H
#define FAM_LIB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "librarian.h"
#include "lib-decode.h"

/*
 * The caller a request runs as comes from its header (node, uid, gid,
 * pid), except for the fields the transport vouches for itself, which it
 * forces: the QEMU device forces `node` (the node whose mailbox the
 * request came through), the daemon forces uid/gid/pid (SO_PEERCRED) and
 * node for peers it does not trust. A field is forced when its bit is in
 * `mask`; its value is then caller.<field>, whatever the header says.
 */
#define FAM_LIB_FORCE_NODE      (1u << 0)
#define FAM_LIB_FORCE_UID       (1u << 1)
#define FAM_LIB_FORCE_GID       (1u << 2)
#define FAM_LIB_FORCE_PID       (1u << 3)
#define FAM_LIB_FORCE_ALL       (FAM_LIB_FORCE_NODE | FAM_LIB_FORCE_UID | \
                                 FAM_LIB_FORCE_GID | FAM_LIB_FORCE_PID)

typedef struct FamLibForced {
    uint32_t mask;              /* FAM_LIB_FORCE_* */
    FamLibCaller caller;        /* the forced values */
} FamLibForced;

/*
 * Handle the request msg[0..len) (which may be any bytes at all) and
 * write the reply into reply[0..cap). Returns the reply's length, at most
 * FAM_LIB_MSG_MAX, and only 0 when cap < sizeof(struct fam_lib_hdr).
 *
 * The reply is always well-formed: the request's opcode and seq (when the
 * message held them), FAM_LIB_F_REPLY, this Librarian's version, the
 * identity the request ran as, and either status 0 with the opcode's
 * reply body or a positive errno and no body: the decoder's errors
 * (lib-decode.h), the core's, and these:
 *
 *   EINVAL    the caller's node is neither in the model nor
 *             FAM_LIB_NODE_HOST; LIST_BOOKS flags above the module count;
 *             MODULE_STATUS size not a module of the model
 *   EMSGSIZE  cap cannot hold the reply (checked before anything is
 *             changed), or a list item bigger than the whole reply
 *
 * A list reply holds as many items as fit in min(cap, FAM_LIB_MSG_MAX),
 * with the cursor that resumes after the last one.
 *
 * The request is copied before it is read, so msg may be memory another
 * party can still write (a guest's mailbox), and reply may overlap it.
 * `forced` may be NULL (nothing forced). Thread-safe as the core is.
 */
size_t fam_lib_handle(FamLib *lib, const void *msg, size_t len,
                      const FamLibForced *forced, void *reply, size_t cap);

/*
 * An error reply without a core: for transports that must answer a
 * message they could not even read whole (a stream whose framing broke).
 * `err` is a positive errno. Returns the length, 0 if cap is too small.
 */
size_t fam_lib_error_reply(void *reply, size_t cap, uint16_t op,
                           uint32_t seq, int err);

#endif /* FAM_LIB_PROTO_H */
