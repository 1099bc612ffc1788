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
#include "qom/object_interfaces.h"
#include "fam-fabric-int.h"
#include "hw/fam/fam-models-dir.h"

#define FAM_DEFAULT_MODEL "ideal"

FamHub *fam_hub_new(Object *parent, const char *name, HostMemoryBackend *memdev,
                    uint32_t nodes, const char *model, Error **errp)
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
    if (model) {
        g_free(hub->model_name);
        hub->model_name = g_strdup(model);
    }
    object_property_add_child(parent, name, OBJECT(hub));
    object_unref(OBJECT(hub));
    return hub;
}

/*
 * A hub made with -object names its pool by id; memory backends are
 * created after other objects, so the id is resolved when the first
 * device joins.
 */
static bool fam_hub_resolve_memdev(FamHub *hub, Error **errp)
{
    Object *obj;

    if (hub->memdev) {
        return true;
    }
    obj = object_resolve_path_component(object_get_objects_root(),
                                        hub->memdev_id);
    if (!obj || !object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "fam-hub: memdev=%s is not a memory backend",
                   hub->memdev_id);
        return false;
    }
    if (host_memory_backend_is_mapped(MEMORY_BACKEND(obj))) {
        error_setg(errp, "fam-hub: memdev %s is already in use",
                   hub->memdev_id);
        return false;
    }
    hub->memdev = MEMORY_BACKEND(obj);
    host_memory_backend_set_mapped(hub->memdev, true);
    return true;
}

/* The fabric model, for this pool size and node count (fam-model.h). */
static bool fam_hub_load_model(FamHub *hub, Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    g_autofree char *path = NULL;
    uint64_t pool_size;

    if (hub->model) {
        return true;
    }
    pool_size = memory_region_size(host_memory_backend_get_memory(hub->memdev));
    path = fam_model_find(hub->model_name, FAM_MODELS_DIR, &gerr);
    if (path) {
        hub->model = fam_model_load(path, hub->nodes, pool_size, &gerr);
    }
    if (!hub->model) {
        error_setg(errp, "fam-model=%s: %s", hub->model_name, gerr->message);
        return false;
    }
    hub->book_size = hub->model->book_size;
    hub->module_stats = g_new0(FamModuleStats, hub->model->modules);
    return true;
}

/* Count an access the device decoded against the module it falls in. */
void fam_hub_count(FamHub *hub, uint64_t offset, unsigned size,
                   bool is_write)
{
    FamLocation loc;
    FamModuleStats *m;

    if (!hub->model || !fam_model_map(hub->model, offset, &loc)) {
        return;     /* beyond the pool: the BAR's power-of-two padding */
    }
    m = &hub->module_stats[loc.module];
    if (is_write) {
        m->writes++;
        m->bytes_written += size;
    } else {
        m->reads++;
        m->bytes_read += size;
    }
}

/*
 * Make the hub ready for its devices: find its pool, load the model and,
 * with librarian-db=, start the Librarian. Done when the first device
 * joins, or earlier by a board that wants its errors first.
 */
bool fam_hub_realize(FamHub *hub, Error **errp)
{
    if (!fam_hub_resolve_memdev(hub, errp) || !fam_hub_load_model(hub, errp)) {
        return false;
    }
    if ((hub->librarian_db || hub->librarian_socket) && !hub->librarian) {
        hub->librarian = fam_librarian_start(hub, errp);
        return hub->librarian != NULL;
    }
    return true;
}

bool fam_hub_attach(FamHub *hub, FamFabricState *s, Error **errp)
{
    if (!fam_hub_realize(hub, errp)) {
        return false;
    }
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

/*
 * -object fam-hub,id=H,memdev=M,nodes=N joins several fam-fabric devices
 * of one machine (-device fam-fabric,hub=H,node-id=I): a way to put a
 * whole fabric in one ordinary machine, used by the qtest.
 */
static void fam_hub_complete(UserCreatable *uc, Error **errp)
{
    FamHub *hub = FAM_HUB(uc);

    if (!hub->memdev_id) {
        error_setg(errp, "fam-hub needs memdev=<id of a memory-backend>");
        return;
    }
    if (hub->nodes < 1 || hub->nodes > FAM_MAX_NODES) {
        error_setg(errp, "nodes=%u is out of range: a fabric has 1 to %d "
                   "nodes", hub->nodes, FAM_MAX_NODES);
    }
}

static char *fam_hub_get_memdev(Object *obj, Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    return g_strdup(hub->memdev ?
        object_get_canonical_path_component(OBJECT(hub->memdev)) :
        hub->memdev_id);
}

static void fam_hub_set_memdev(Object *obj, const char *value, Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    g_free(hub->memdev_id);
    hub->memdev_id = g_strdup(value);
}

static void fam_hub_instance_init(Object *obj)
{
    FamHub *hub = FAM_HUB(obj);

    hub->nodes = 1;
    hub->book_size = FAM_DEFAULT_BOOK_SIZE;
    hub->model_name = g_strdup(FAM_DEFAULT_MODEL);
    object_property_add_uint32_ptr(obj, "nodes", &hub->nodes,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void fam_hub_instance_finalize(Object *obj)
{
    FamHub *hub = FAM_HUB(obj);

    if (hub->librarian) {
        fam_librarian_stop(hub->librarian);
    }
    g_free(hub->librarian_db);
    g_free(hub->librarian_socket);
    g_free(hub->memdev_id);
    g_free(hub->model_name);
    if (hub->model) {
        fam_model_free(hub->model);
    }
    g_free(hub->module_stats);
}

static char *fam_hub_get_model(Object *obj, Error **errp)
{
    return g_strdup(FAM_HUB(obj)->model_name);
}

static void fam_hub_set_model(Object *obj, const char *value, Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    g_free(hub->model_name);
    hub->model_name = g_strdup(value);
}

static char *fam_hub_get_librarian_db(Object *obj, Error **errp)
{
    return g_strdup(FAM_HUB(obj)->librarian_db);
}

static void fam_hub_set_librarian_db(Object *obj, const char *value,
                                     Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    if (hub->librarian) {
        error_setg(errp, "fam-hub: the Librarian is already running");
        return;
    }
    g_free(hub->librarian_db);
    hub->librarian_db = *value ? g_strdup(value) : NULL;
}

static bool fam_hub_get_hold(Object *obj, Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    return hub->librarian && fam_librarian_held(hub->librarian);
}

static void fam_hub_set_hold(Object *obj, bool value, Error **errp)
{
    FamHub *hub = FAM_HUB(obj);

    if (!hub->librarian) {
        error_setg(errp, "fam-hub: x-hold needs the Librarian in this "
                   "process (librarian-db=), started by a device");
        return;
    }
    fam_librarian_hold(hub->librarian, value);
}

static void fam_hub_class_init(ObjectClass *oc, void *data)
{
    UserCreatableClass *ucc = USER_CREATABLE_CLASS(oc);

    ucc->complete = fam_hub_complete;
    object_class_property_add_str(oc, "memdev", fam_hub_get_memdev,
                                  fam_hub_set_memdev);
    object_class_property_set_description(oc, "memdev",
        "id of the memory backend (share=on) that holds the pool");
    object_class_property_add_str(oc, "model", fam_hub_get_model,
                                  fam_hub_set_model);
    object_class_property_set_description(oc, "model",
        "fabric model: a shipped name (ideal, tm-2016, cxl-direct, "
        "cxl-switched) or the path of a model file (default ideal)");
    object_class_property_add_str(oc, "librarian-db",
                                  fam_hub_get_librarian_db,
                                  fam_hub_set_librarian_db);
    object_class_property_set_description(oc, "librarian-db",
        "run the Librarian in this process on this SQLite database (created "
        "if absent); the devices' mailboxes reach it. Unset: no Librarian, "
        "mailbox requests are answered ENOSYS");
    object_class_property_add_bool(oc, "x-hold", fam_hub_get_hold,
                                   fam_hub_set_hold);
    object_class_property_set_description(oc, "x-hold",
        "testing: while true the Librarian serves no request; requests "
        "stay pending (mailbox busy) until it is set false");
}

static const TypeInfo fam_hub_info = {
    .name = TYPE_FAM_HUB,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(FamHub),
    .instance_init = fam_hub_instance_init,
    .instance_finalize = fam_hub_instance_finalize,
    .class_init = fam_hub_class_init,
    .interfaces = (InterfaceInfo[]) {
        { TYPE_USER_CREATABLE },
        { },
    },
};

static void fam_hub_register_types(void)
{
    type_register_static(&fam_hub_info);
}

type_init(fam_hub_register_types)
