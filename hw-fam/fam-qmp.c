/*
 * fam-fabric: QMP query-fam, fam-grant, fam-revoke and HMP info fam
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-fam.h"
#include "qapi/qapi-types-fam.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"
#include "fam-fabric-int.h"

static int fam_qmp_collect(Object *obj, void *opaque)
{
    GSList **hubs = opaque;

    if (object_dynamic_cast(obj, TYPE_FAM_HUB)) {
        *hubs = g_slist_append(*hubs, obj);
    }
    return 0;
}

/* Every hub in the process, in QOM tree order. */
static GSList *fam_qmp_hubs(void)
{
    GSList *hubs = NULL;

    object_child_foreach_recursive(object_get_root(), fam_qmp_collect, &hubs);
    return hubs;
}

static FamNodeInfo *fam_qmp_node_info(FamFabricState *s)
{
    FamNodeInfo *n = g_new0(FamNodeInfo, 1);
    unsigned i;

    n->node = s->node_id;
    n->link = s->link_up;
    for (i = 0; i < s->grants->len; i++) {
        FamRange *r = &g_array_index(s->grants, FamRange, i);

        n->granted_bytes += r->end - r->start;
    }
    n->grants = s->grants->len;
    n->reads = s->stats[FAM_STAT_READS];
    n->writes = s->stats[FAM_STAT_WRITES];
    n->bytes_read = s->stats[FAM_STAT_BYTES_READ];
    n->bytes_written = s->stats[FAM_STAT_BYTES_WRITTEN];
    n->doorbells_sent = s->stats[FAM_STAT_DOORBELLS_SENT];
    n->doorbells_received = s->stats[FAM_STAT_DOORBELLS_RECEIVED];
    n->doorbell_errors = s->stats[FAM_STAT_DOORBELL_ERRORS];
    n->grant_faults = s->stats[FAM_STAT_GRANT_FAULTS];
    n->errors_logged = s->errlog_count;
    return n;
}

FamInfoList *qmp_query_fam(Error **errp)
{
    g_autoptr(GSList) hubs = fam_qmp_hubs();
    FamInfoList *list = NULL, **tail = &list;
    GSList *h;
    int node;

    for (h = hubs; h; h = h->next) {
        FamHub *hub = h->data;
        FamInfo *info = g_new0(FamInfo, 1);
        FamNodeInfoList **ntail = &info->node_info;
        FamModuleInfoList **mtail = &info->module_info;
        uint32_t module;

        info->pool_size = memory_region_size(
            host_memory_backend_get_memory(hub->memdev));
        info->book_size = hub->book_size;
        info->nodes = hub->nodes;
        info->model = hub->model ? fam_model_summary(hub->model)
                                 : g_strdup(hub->model_name);
        info->mode = g_strdup("direct");
        for (node = 0; node < FAM_MAX_NODES; node++) {
            if (hub->dev[node]) {
                QAPI_LIST_APPEND(ntail, fam_qmp_node_info(hub->dev[node]));
            }
        }
        for (module = 0; hub->model && module < hub->model->modules;
             module++) {
            FamModuleInfo *m = g_new0(FamModuleInfo, 1);

            m->module = module;
            m->reads = hub->module_stats[module].reads;
            m->writes = hub->module_stats[module].writes;
            m->bytes_read = hub->module_stats[module].bytes_read;
            m->bytes_written = hub->module_stats[module].bytes_written;
            QAPI_LIST_APPEND(mtail, m);
        }
        QAPI_LIST_APPEND(tail, info);
    }
    return list;
}

/* The device of a node: in the process's only fabric, by node number. */
static FamFabricState *fam_qmp_find(uint32_t node, Error **errp)
{
    g_autoptr(GSList) hubs = fam_qmp_hubs();
    FamFabricState *s = NULL;

    if (!hubs) {
        error_setg(errp, "there is no fam-fabric device in this machine");
        return NULL;
    }
    if (hubs->next) {
        error_setg(errp, "there are several fabrics in this process");
        return NULL;
    }
    s = fam_hub_node(hubs->data, node);
    if (!s) {
        error_setg(errp, "node %u has no fam-fabric device in this process",
                   node);
    }
    return s;
}

void qmp_fam_grant(uint32_t node, uint64_t offset, uint64_t size,
                   bool has_writable, bool writable, Error **errp)
{
    FamFabricState *s = fam_qmp_find(node, errp);

    if (s) {
        fam_grant(s, offset, size, has_writable ? writable : true, errp);
    }
}

void qmp_fam_revoke(uint32_t node, uint64_t offset, uint64_t size,
                    Error **errp)
{
    FamFabricState *s = fam_qmp_find(node, errp);

    if (s) {
        fam_revoke(s, offset, size, errp);
    }
}

/*
 * The Librarian's side of a fabric, from the devices' own counters: the
 * monitor holds the BQL and must never wait for the Librarian.
 */
static void hmp_info_fam_mailbox(Monitor *mon, FamHub *hub)
{
    int node;

    if (hub->librarian && hub->librarian_socket) {
        monitor_printf(mon, "Librarian: the daemon on %s\n",
                       hub->librarian_socket);
    } else if (hub->librarian) {
        monitor_printf(mon, "Librarian: running, database %s\n",
                       hub->librarian_db);
    } else {
        monitor_printf(mon, "Librarian: none in this process (the mailbox "
                       "answers ENOSYS)\n");
    }
    monitor_printf(mon, "%4s %8s %10s %10s %8s %10s\n", "node", "mailbox",
                   "requests", "errors", "busy", "discarded");
    for (node = 0; node < FAM_MAX_NODES; node++) {
        FamFabricState *s = hub->dev[node];
        static const char *const status[] = {
            [FAM_MBOX_IDLE] = "idle",
            [FAM_MBOX_BUSY] = "busy",
            [FAM_MBOX_DONE] = "done",
        };

        if (!s) {
            continue;
        }
        monitor_printf(mon, "%4u %8s %10" PRIu64 " %10" PRIu64 " %8" PRIu64
                       " %10" PRIu64 "\n", s->node_id,
                       s->mbox_status < ARRAY_SIZE(status) ?
                       status[s->mbox_status] : "?",
                       s->mbox_stats.requests, s->mbox_stats.errors,
                       s->mbox_stats.busy, s->mbox_stats.discarded);
    }
}

void hmp_info_fam(Monitor *mon, const QDict *qdict)
{
    g_autoptr(FamInfoList) list = qmp_query_fam(NULL);
    g_autoptr(GSList) hubs = fam_qmp_hubs();
    GSList *hub = hubs;
    FamInfoList *f;
    FamNodeInfoList *n;
    FamModuleInfoList *m;

    if (!list) {
        monitor_printf(mon, "no fam-fabric device\n");
        return;
    }
    for (f = list; f; f = f->next) {
        FamInfo *i = f->value;

        monitor_printf(mon, "pool: %" PRIu64 " MiB, books of %" PRIu64
                       " MiB, %u nodes, %s mode\nmodel: %s\n",
                       i->pool_size >> 20, i->book_size >> 20, i->nodes,
                       i->mode, i->model);
        monitor_printf(mon, "(direct mode: loads and stores go straight to "
                       "host memory and are not counted one by one;\n"
                       " reads/writes count only accesses the device "
                       "decoded, i.e. grant faults)\n");
        monitor_printf(mon, "%4s %4s %12s %6s %10s %10s %8s %8s %8s %8s "
                       "%8s\n", "node", "link", "granted", "ranges", "reads",
                       "writes", "db-sent", "db-recv", "db-err",
                       "faults", "errlog");
        for (n = i->node_info; n; n = n->next) {
            FamNodeInfo *ni = n->value;

            monitor_printf(mon, "%4u %4s %10" PRIu64 "Ki %6u %10" PRIu64
                           " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8"
                           PRIu64 " %8" PRIu64 " %8" PRIu64 "\n", ni->node,
                           ni->link ? "up" : "down", ni->granted_bytes >> 10,
                           ni->grants, ni->reads, ni->writes,
                           ni->doorbells_sent, ni->doorbells_received,
                           ni->doorbell_errors, ni->grant_faults,
                           ni->errors_logged);
        }
        monitor_printf(mon, "%6s %10s %10s %12s %12s  (modules with "
                       "decoded accesses)\n", "module", "reads", "writes",
                       "bytes-read", "bytes-written");
        for (m = i->module_info; m; m = m->next) {
            FamModuleInfo *mi = m->value;

            if (mi->reads || mi->writes) {
                monitor_printf(mon, "%6u %10" PRIu64 " %10" PRIu64 " %12"
                               PRIu64 " %12" PRIu64 "\n", mi->module,
                               mi->reads, mi->writes, mi->bytes_read,
                               mi->bytes_written);
            }
        }
        /* query-fam lists the hubs in this same order */
        if (hub) {
            hmp_info_fam_mailbox(mon, hub->data);
            hub = hub->next;
        }
    }
}
