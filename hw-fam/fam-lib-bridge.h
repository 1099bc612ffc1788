/*
 * fam-fabric: the Librarian as the device sees it
 *
 * The Librarian (FAME's librarian/: core on SQLite, protocol layer) is
 * plain C with its own headers, which QEMU's include paths do not reach.
 * fam-lib-bridge.c is compiled with them, into a library of its own
 * (hw-fam/meson.build); QEMU's side (fam-lib-thread.c) includes only this
 * header, which needs nothing but libc and the fabric model.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_FAM_FAM_LIB_BRIDGE_H
#define HW_FAM_FAM_LIB_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct FamModel FamModel;
typedef struct FamLib FamLib;

/* fam_bridge_drop_opens(): every node's opens (a fresh start). */
#define FAM_BRIDGE_ALL_NODES    UINT32_MAX

/* What the Librarian asks of the fabric (librarian.h's FamLibHooks). */
typedef struct FamBridgeHooks {
    void *opaque;
    void (*grant)(void *opaque, uint32_t node, uint64_t offset, uint64_t len,
                  bool writable);
    void (*revoke)(void *opaque, uint32_t node, uint64_t offset,
                   uint64_t len);
} FamBridgeHooks;

/*
 * Open (or create) the Librarian's database for the pool `pool` of
 * `model`. On failure NULL, with a malloc()ed message in *errmsg.
 */
FamLib *fam_bridge_open(const char *db_path, const FamModel *model,
                        void *pool, const char *model_text,
                        const FamBridgeHooks *hooks, char **errmsg);
void fam_bridge_close(FamLib *lib);

/*
 * Serve one request that came from `node`'s mailbox: the node in the
 * request is replaced by `node`. Returns the reply's length in reply[],
 * always a whole reply (an error reply for a malformed request).
 */
size_t fam_bridge_handle(FamLib *lib, const void *msg, size_t len,
                         uint32_t node, void *reply, size_t cap);

/* Drop the open handles of `node` (or of FAM_BRIDGE_ALL_NODES), revoking
 * what they were granted. Returns how many, or a negative errno. */
int fam_bridge_drop_opens(FamLib *lib, uint32_t node);

/* The file name a database gets next to its pool file: POOL + this. */
const char *fam_bridge_db_suffix(void);

/*
 * The standalone Librarian daemon (librarian/client/lib-client.h): a
 * connection to its socket, one whole message each way per call.
 */
typedef struct FamLibClient FamLibClient;

FamLibClient *fam_bridge_connect(const char *socket_path, char **errmsg);
int fam_bridge_call(FamLibClient *client, const void *req, size_t len,
                    void *reply, size_t cap, size_t *reply_len);
void fam_bridge_disconnect(FamLibClient *client);

/* Whether msg[0..len) is framed as one message (magic, a length that is
 * len): a daemon hangs up on anything else. */
bool fam_bridge_framed(const void *msg, size_t len);

#endif
