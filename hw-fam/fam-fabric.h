/*
 * fam-fabric: one shared pool of fabric-attached memory in every node.
 *
 * What a board may use: the two QOM types, creating the hub that joins a
 * machine's nodes, and telling a node's device that the node powered on
 * or off. The device's state and internals are in fam-fabric-int.h.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_FAM_FAM_FABRIC_H
#define HW_FAM_FAM_FABRIC_H

#include "qom/object.h"
#include "fame/fam-fabric-regs.h"

#define TYPE_FAM_HUB "fam-hub"
OBJECT_DECLARE_SIMPLE_TYPE(FamHub, FAM_HUB)

#define TYPE_FAM_FABRIC "fam-fabric"
OBJECT_DECLARE_SIMPLE_TYPE(FamFabricState, FAM_FABRIC)

/*
 * A hub for `nodes` fam-fabric devices sharing the pool in `memdev`, with
 * the fabric model `model` (a shipped name or a path), as child `name` of
 * `parent`. Set its properties (e.g. "librarian-db"), then realize it
 * before the first device joins.
 */
FamHub *fam_hub_new(Object *parent, const char *name, HostMemoryBackend *memdev,
                    uint32_t nodes, const char *model, Error **errp);
bool fam_hub_realize(FamHub *hub, Error **errp);

/* The node behind the device powered on (true) or off / reset (false). */
void fam_fabric_set_link(FamFabricState *s, bool up);

/* Where the Librarian keeps its database for a pool file by default. */
char *fam_librarian_default_db(const char *pool_path);

#endif
