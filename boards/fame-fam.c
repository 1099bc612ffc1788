/*
 * FAME machine: the pool of fabric-attached memory and its hub
 *
 * The machine creates ONE pool for all its nodes: a file-backed memory
 * backend (fam-path=, fam-size=), or a -object memory-backend-* given with
 * fam-memdev=. Every node then gets a fam-fabric function on its PCI bus,
 * all joined by one hub, all mapping that pool.
 *
 * With librarian=on (the default) the hub runs the Librarian, which
 * grants each node the shelves it opens: nodes start with no grant. With
 * librarian=off every node is granted the whole pool, read-write.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qom/object_interfaces.h"
#include "system/hostmem.h"
#include "hw/qdev-properties.h"
#include "fame.h"

static HostMemoryBackend *fame_fam_file_backend(FameMachineState *fms,
                                                Error **errp)
{
    struct stat st;
    Object *obj;

    if (!fms->fam_size || !is_power_of_2(fms->fam_size) ||
        fms->fam_size < 2 * MiB) {
        error_setg(errp, "fam-size=%" PRIu64 " must be a power of two of at "
                   "least 2 MiB", fms->fam_size);
        return NULL;
    }
    /* The pool is persistent: never silently grow or cut an existing one */
    if (stat(fms->fam_path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {
            error_setg(errp, "fam-path=%s is not a regular file",
                       fms->fam_path);
            return NULL;
        }
        if ((uint64_t)st.st_size != fms->fam_size) {
            error_setg(errp, "fam-path=%s holds a pool of %" PRIu64 " bytes "
                       "but fam-size is %" PRIu64, fms->fam_path,
                       (uint64_t)st.st_size, fms->fam_size);
            error_append_hint(errp, "Give the pool's own size, or another "
                              "fam-path for a new pool.\n");
            return NULL;
        }
    }

    obj = object_new(TYPE_MEMORY_BACKEND_FILE);
    if (!object_property_set_str(obj, "mem-path", fms->fam_path, errp) ||
        !object_property_set_uint(obj, "size", fms->fam_size, errp) ||
        !object_property_set_bool(obj, "share", true, errp)) {
        object_unref(obj);
        return NULL;
    }
    object_property_add_child(OBJECT(fms), "fam-pool", obj);
    object_unref(obj);
    if (!user_creatable_complete(USER_CREATABLE(obj), errp)) {
        return NULL;
    }
    return MEMORY_BACKEND(obj);
}

static HostMemoryBackend *fame_fam_given_backend(FameMachineState *fms,
                                                 Error **errp)
{
    Object *obj = object_resolve_path_component(object_get_objects_root(),
                                                fms->fam_memdev);

    if (!obj || !object_dynamic_cast(obj, TYPE_MEMORY_BACKEND)) {
        error_setg(errp, "fam-memdev=%s is not a memory backend (-object "
                   "memory-backend-file,id=%s,share=on,...)", fms->fam_memdev,
                   fms->fam_memdev);
        return NULL;
    }
    if (host_memory_backend_is_mapped(MEMORY_BACKEND(obj))) {
        error_setg(errp, "fam-memdev=%s is already in use", fms->fam_memdev);
        return NULL;
    }
    return MEMORY_BACKEND(obj);
}

/*
 * The Librarian's database: librarian-db=, or next to the pool's file
 * (fam-path, or the mem-path of a file-backed fam-memdev).
 */
static char *fame_fam_librarian_db(FameMachineState *fms,
                                   HostMemoryBackend *memdev, Error **errp)
{
    g_autofree char *mem_path = NULL;

    if (fms->librarian_db) {
        return g_strdup(fms->librarian_db);
    }
    if (!fms->fam_memdev) {
        return fam_librarian_default_db(fms->fam_path);
    }
    if (object_property_find(OBJECT(memdev), "mem-path")) {
        mem_path = object_property_get_str(OBJECT(memdev), "mem-path", NULL);
    }
    if (!mem_path || !*mem_path || g_file_test(mem_path, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "fam-memdev=%s has no pool file to keep the "
                   "Librarian's database next to", fms->fam_memdev);
        error_append_hint(errp, "Give librarian-db=PATH, or librarian=off "
                          "to run without the Librarian.\n");
        return NULL;
    }
    return fam_librarian_default_db(mem_path);
}

bool fame_fam_init(FameMachineState *fms, Error **errp)
{
    HostMemoryBackend *memdev;
    g_autofree char *db = NULL;

    memdev = fms->fam_memdev ? fame_fam_given_backend(fms, errp)
                             : fame_fam_file_backend(fms, errp);
    if (!memdev) {
        return false;
    }
    if (fms->librarian) {
        db = fame_fam_librarian_db(fms, memdev, errp);
        if (!db) {
            return false;
        }
    }
    host_memory_backend_set_mapped(memdev, true);
    fms->fam_hub = fam_hub_new(OBJECT(fms), "fam-hub", memdev, fms->nodes,
                               fms->fam_model, errp);
    if (!fms->fam_hub) {
        return false;
    }
    if (db && !object_property_set_str(OBJECT(fms->fam_hub), "librarian-db",
                                       db, errp)) {
        return false;
    }
    /* Model and Librarian errors now, before any node exists */
    return fam_hub_realize(fms->fam_hub, errp);
}

/* The fam-fabric function of one node. */
bool fame_fam_create_node(FameMachineState *fms, FameNode *node, Error **errp)
{
    PCIDevice *dev = pci_new(FAME_FAM_DEVFN, TYPE_FAM_FABRIC);

    object_property_set_link(OBJECT(dev), "hub", OBJECT(fms->fam_hub),
                             &error_abort);
    qdev_prop_set_uint32(DEVICE(dev), "node-id", node->id);
    qdev_prop_set_bit(DEVICE(dev), "grant-all", !fms->librarian);
    if (!pci_realize_and_unref(dev, node->pci, errp)) {
        return false;
    }
    node->fam = FAM_FABRIC(dev);
    return true;
}
