/*
 * One valid request for every opcode, as data: the decoder's round-trip
 * tests, the static test and the fuzzer's seed corpus all start from
 * these. Taken in order they also make sense to a fresh Librarian (make
 * /d and /f, use /f, then take it apart), which is what the fuzzer's
 * sequence seeds rely on. Plain C, libc only.
 */
#ifndef PROTO_SAMPLES_H
#define PROTO_SAMPLES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib-client-msg.h"

typedef struct ProtoSample {
    uint16_t op;
    struct fam_lib_args args;   /* len1..len3 are filled when building */
    const char *str1;
    const char *str2;
    const void *blob;
    size_t blob_len;
} ProtoSample;

static const struct fam_lib_node_status proto_sample_status = {
    .cpu_percent = 12, .mem_percent = 34, .rootfs_percent = 56,
    .network_in = 1000, .network_out = 2000,
};

#define PROTO_SAMPLE_MIB (UINT64_C(1) << 20)

static const ProtoSample proto_samples[] = {
    { FAM_LIB_OP_VERSION, { 0 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_STATFS, { 0 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_BOOK_INFO, { .size = 1 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_LIST_BOOKS, { .flags = 1 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_GETATTR, { 0 }, "/", NULL, NULL, 0 },
    { FAM_LIB_OP_MKDIR, { .mode = 0755 }, "/d", NULL, NULL, 0 },
    { FAM_LIB_OP_CREATE, { .mode = 0644 }, "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_SYMLINK, { 0 }, "/l", "f", NULL, 0 },
    { FAM_LIB_OP_READLINK, { 0 }, "/l", NULL, NULL, 0 },
    { FAM_LIB_OP_LINK, { 0 }, "/f", "/h", NULL, 0 },
    { FAM_LIB_OP_GETPATH, { .size = 1 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_OPEN,
      { .flags = FAM_LIB_OPEN_READ | FAM_LIB_OPEN_WRITE },
      "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_RESIZE, { .size = 4 * PROTO_SAMPLE_MIB }, "/f", NULL,
      NULL, 0 },
    { FAM_LIB_OP_SHELF_BOOKS, { 0 }, "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_LIST_OPENS, { 0 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_FSTAT, { .handle = 1 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_CLOSE, { .handle = 1 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_READDIR, { 0 }, "/", NULL, NULL, 0 },
    { FAM_LIB_OP_SETXATTR, { 0 }, "/f", "user.x", "value", 5 },
    { FAM_LIB_OP_GETXATTR, { 0 }, "/f", "user.x", NULL, 0 },
    { FAM_LIB_OP_LISTXATTR, { 0 }, "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_REMOVEXATTR, { 0 }, "/f", "user.x", NULL, 0 },
    { FAM_LIB_OP_SETTIMES,
      { .atime_ns = FAM_LIB_TIME_NOW, .mtime_ns = 12345 },
      "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_CHMOD, { .mode = 0600 }, "/f", NULL, NULL, 0 },
    { FAM_LIB_OP_CHOWN, { .uid = 1000, .gid = FAM_LIB_ID_KEEP }, "/f",
      NULL, NULL, 0 },
    { FAM_LIB_OP_HEARTBEAT, { 0 }, NULL, NULL, &proto_sample_status,
      sizeof(proto_sample_status) },
    { FAM_LIB_OP_MODULE_STATUS, { .flags = FAM_LIB_MODULE_ONLINE }, NULL,
      NULL, NULL, 0 },
    { FAM_LIB_OP_OOB_SEND, { 0 }, NULL, NULL, "hello", 5 },
    { FAM_LIB_OP_OOB_RECV, { 0 }, NULL, NULL, NULL, 0 },
    { FAM_LIB_OP_RENAME, { 0 }, "/f", "/d/g", NULL, 0 },
    { FAM_LIB_OP_UNLINK, { 0 }, "/d/g", NULL, NULL, 0 },
    { FAM_LIB_OP_UNLINK, { 0 }, "/l", NULL, NULL, 0 },
    { FAM_LIB_OP_UNLINK, { 0 }, "/h", NULL, NULL, 0 },
    { FAM_LIB_OP_RMDIR, { 0 }, "/d", NULL, NULL, 0 },
    { FAM_LIB_OP_ZERO_ZOMBIES, { 0 }, NULL, NULL, NULL, 0 },
};

#define PROTO_SAMPLES (sizeof(proto_samples) / sizeof(proto_samples[0]))

/* The identity the samples are sent with: root on node 0. */
#define PROTO_SAMPLE_NODE 0u
#define PROTO_SAMPLE_UID  0u
#define PROTO_SAMPLE_GID  0u
#define PROTO_SAMPLE_PID  100u

/*
 * Build sample `s` with sequence number `seq` (the blob of HEARTBEAT goes
 * to wire order first). Returns fam_lib_msg_build()'s result.
 */
static inline int proto_sample_build(void *buf, size_t cap,
                                     const ProtoSample *s, uint32_t seq)
{
    struct fam_lib_node_status status;
    const void *blob = s->blob;

    if (s->op == FAM_LIB_OP_HEARTBEAT) {
        memcpy(&status, s->blob, sizeof(status));
        fam_lib_wire_node_status(&status);
        blob = &status;
    }
    return fam_lib_msg_build(buf, cap, s->op, seq, PROTO_SAMPLE_NODE,
                             PROTO_SAMPLE_UID, PROTO_SAMPLE_GID,
                             PROTO_SAMPLE_PID, &s->args, s->str1, s->str2,
                             blob, s->blob_len);
}

#endif /* PROTO_SAMPLES_H */
