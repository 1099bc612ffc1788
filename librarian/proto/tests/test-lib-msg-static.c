/*
 * fam_lib_msg linked into a static program that has nothing but libc,
 * the way the guest's test programs use it: if the library ever needs
 * more (glib, SQLite, a shared library), this stops linking. It also
 * runs every sample through build, decode and a hand-made reply, with
 * its own few lines of TAP since it has no test framework.
 */
#include <stdio.h>
#include <string.h>

#include "lib-client-msg.h"
#include "lib-decode.h"
#include "proto-samples.h"

static int failures;

static void ok(int cond, unsigned n, const char *what)
{
    printf("%sok %u - %s\n", cond ? "" : "not ", n, what);
    failures += !cond;
}

int main(void)
{
    unsigned char buf[FAM_LIB_MSG_MAX];
    unsigned n = 0;

    printf("1..%zu\n", PROTO_SAMPLES + 1);
    for (size_t i = 0; i < PROTO_SAMPLES; i++) {
        const ProtoSample *s = &proto_samples[i];
        FamLibRequest req;
        int len = proto_sample_build(buf, sizeof(buf), s, (uint32_t)i);

        ok(len > 0 && fam_lib_decode(buf, (size_t)len, &req) == 0 &&
           req.hdr.opcode == s->op && req.hdr.seq == i,
           ++n, fam_lib_op_name(s->op));
    }
    {
        struct fam_lib_hdr h = {
            .magic = FAM_LIB_MAGIC, .version = FAM_LIB_VERSION,
            .opcode = FAM_LIB_OP_UNLINK, .length = sizeof(h), .seq = 5,
            .flags = FAM_LIB_F_REPLY, .status = 2,
        };

        fam_lib_wire_hdr(&h);
        memcpy(buf, &h, sizeof(h));
        ok(fam_lib_reply_check(buf, sizeof(h), FAM_LIB_OP_UNLINK, 5, NULL,
                               NULL) == -2, ++n, "error reply");
    }
    return failures ? 1 : 0;
}
