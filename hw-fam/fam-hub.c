/*
 * fam-fabric: the hub that joins the fam-fabric functions of one process
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "fam-fabric.h"

FamHub *fam_hub_new(Object *parent, const char *name, HostMemoryBackend *memdev,
                    uint32_t nodes, Error **errp)
{
    FamHub *hub;

    if (nodes < 1 || nodes > FAM_MAX_NODES) {
        error_setg(errp, "nodes=%u is out of range: a fabric has 1 to %d "
                   "nodes", nodes, FAM_MAX_NODES);
        return NULL;
    }
    hub = FAM_HUB(object_new(TYPE_FAM_HUB));
    hub->memdev = memdev;
    hub->nodes = nodes;
    hub->book_size = FAM_DEFAULT_BOOK_SIZE;
    object_property_add_child(parent, name, OBJECT(hub));
    object_unref(OBJECT(hub));
    return hub;
}

bool fam_hub_attach(FamHub *hub, FamFabricState *s, Error **errp)
{
    if (s->node_id >= hub->nodes) {
        error_setg(errp, "node-id=%u: the fabric has %u nodes (0 to %u)",
                   s->node_id, hub->nodes, hub->nodes - 1);
        return false;
    }
    if (hub->dev[s->node_id]) {
        error_setg(errp, "node-id=%u is already on this fabric", s->node_id);
        return false;
    }
    hub->dev[s->node_id] = s;
    return true;
}

void fam_hub_detach(FamHub *hub, FamFabricState *s)
{
    if (s->node_id < FAM_MAX_NODES && hub->dev[s->node_id] == s) {
        hub->dev[s->node_id] = NULL;
    }
}

/* The device of a node, or NULL if there is none in this process. */
FamFabricState *fam_hub_node(FamHub *hub, uint32_t node)
{
    return node < hub->nodes ? hub->dev[node] : NULL;
}

static const TypeInfo fam_hub_info = {
    .name = TYPE_FAM_HUB,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(FamHub),
};

static void fam_hub_register_types(void)
{
    type_register_static(&fam_hub_info);
}

type_init(fam_hub_register_types)
