/*
 * Inside fam_lib_handle(): one function per opcode, each running a
 * decoded request on the core and writing its reply body.
 */
#ifndef FAM_LIB_PROTO_INT_H
#define FAM_LIB_PROTO_INT_H

#include "lib-proto.h"

/* Where a reply body goes: body[0..room), `len` bytes written so far. */
typedef struct FamLibReplyBody {
    unsigned char *body;
    size_t room;
    size_t len;
} FamLibReplyBody;

/*
 * Run `req` (decoded and valid) as `who` and fill `out`. Returns 0 or a
 * negative errno; on error the body is dropped.
 */
typedef int (*FamLibOpFn)(FamLib *lib, const FamLibCaller *who,
                          const FamLibRequest *req, FamLibReplyBody *out);

/* The opcode's function, or NULL (the table in lib-proto-ops.c). */
FamLibOpFn fam_lib_proto_op(uint32_t op);

/* The list opcodes (lib-proto-lists.c). */
int fam_lib_proto_list_books(FamLib *lib, const FamLibCaller *who,
                             const FamLibRequest *req,
                             FamLibReplyBody *out);
int fam_lib_proto_readdir(FamLib *lib, const FamLibCaller *who,
                          const FamLibRequest *req, FamLibReplyBody *out);
int fam_lib_proto_shelf_books(FamLib *lib, const FamLibCaller *who,
                              const FamLibRequest *req,
                              FamLibReplyBody *out);
int fam_lib_proto_list_opens(FamLib *lib, const FamLibCaller *who,
                             const FamLibRequest *req,
                             FamLibReplyBody *out);
int fam_lib_proto_listxattr(FamLib *lib, const FamLibCaller *who,
                            const FamLibRequest *req, FamLibReplyBody *out);
int fam_lib_proto_oob_recv(FamLib *lib, const FamLibCaller *who,
                           const FamLibRequest *req, FamLibReplyBody *out);

#endif /* FAM_LIB_PROTO_INT_H */
