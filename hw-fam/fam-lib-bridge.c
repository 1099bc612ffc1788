/*
 * fam-fabric: the Librarian as the device sees it (fam-lib-bridge.h)
 *
 * Built with the Librarian's headers and without QEMU's: the one place
 * where the device's requests become Librarian calls, with the node the
 * request came from forced, whatever its header claims.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "fam-lib-bridge.h"

#include "librarian.h"
#include "lib-client.h"
#include "lib-client-msg.h"
#include "lib-proto.h"

_Static_assert(FAM_BRIDGE_ALL_NODES == FAM_LIB_NODE_HOST,
               "the bridge's 'all nodes' is the core's host node");

FamLib *fam_bridge_open(const char *db_path, const FamModel *model,
                        void *pool, const char *model_text,
                        const FamBridgeHooks *hooks, char **errmsg)
{
    FamLibConfig cfg = {
        .db_path = db_path,
        .model = model,
        .pool = pool,
        .hooks = {
            .opaque = hooks->opaque,
            .grant = hooks->grant,
            .revoke = hooks->revoke,
        },
        .model_text = model_text,
    };

    return fam_lib_open(&cfg, errmsg);
}

void fam_bridge_close(FamLib *lib)
{
    fam_lib_close(lib);
}

size_t fam_bridge_handle(FamLib *lib, const void *msg, size_t len,
                         uint32_t node, void *reply, size_t cap)
{
    FamLibForced forced = {
        .mask = FAM_LIB_FORCE_NODE,
        .caller = { .node = node },
    };

    return fam_lib_handle(lib, msg, len, &forced, reply, cap);
}

int fam_bridge_drop_opens(FamLib *lib, uint32_t node)
{
    return fam_lib_drop_opens(lib, node);
}

const char *fam_bridge_db_suffix(void)
{
    return FAM_LIB_DB_SUFFIX;
}

FamLibClient *fam_bridge_connect(const char *socket_path, char **errmsg)
{
    return fam_lib_client_connect(socket_path, errmsg);
}

int fam_bridge_call(FamLibClient *client, const void *req, size_t len,
                    void *reply, size_t cap, size_t *reply_len)
{
    return fam_lib_client_call(client, req, len, reply, cap, reply_len);
}

void fam_bridge_disconnect(FamLibClient *client)
{
    fam_lib_client_close(client);
}

bool fam_bridge_framed(const void *msg, size_t len)
{
    int framed = fam_lib_msg_frame(msg, len);

    return framed > 0 && (size_t)framed == len;
}
