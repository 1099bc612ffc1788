/*
 * fam-fabric: the Librarian of a hub, on a thread of its own
 *
 * Mailbox requests (fam-mailbox.c) and "this node is gone" notices are
 * queued here under a mutex of ours; the thread serves them one at a
 * time, in order, with the Librarian (through fam-lib-bridge.h). SQLite
 * never runs under the BQL: the thread takes the BQL only
 *  - in the grant and revoke hooks, to change a node's view of the pool
 *    (fam-grant.c) before the Librarian goes on: a revoke is in force, in
 *    every vCPU, before the Librarian zeroes or reuses the books;
 *  - after serving a request, to put the reply into the node's mailbox.
 * Nothing that holds the BQL ever calls into the Librarian (its mutex may
 * be held by a hook waiting for the BQL): the monitor shows the device's
 * own counters, not the Librarian's.
 *
 * Instead of a database of its own, the thread may forward requests to the
 * standalone daemon fam-librarian on its unix socket (a fam-fabric with
 * librarian=SOCKET, for fabrics of several QEMU processes). The daemon
 * cannot change this process's grants, so those nodes keep grant-all; it
 * drops a node's opens when the node's connection closes, which is how a
 * reboot reaches it: each node has a connection of its own.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include <sys/resource.h>
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/notify.h"
#include "qemu/queue.h"
#include "qemu/thread.h"
#include "qapi/error.h"
#include "hw/core/cpu.h"
#include "system/runstate.h"
#include "system/system.h"
#include "fam-fabric-int.h"
#include "fam-lib-bridge.h"
#include "fame/fam-librarian-proto.h"
#include "hw/fam/fam-models-dir.h"
#include "trace.h"

/* The host niceness the Librarian thread asks for (see its loop) */
#define FAM_LIBRARIAN_NICE (-10)

typedef struct FamLibJob {
    QSIMPLEQ_ENTRY(FamLibJob) next;
    bool drop;                  /* drop the node's opens, no request */
    uint32_t node;
    uint64_t epoch;             /* the node's mailbox epoch at GO */
    size_t len;
    uint8_t msg[];
} FamLibJob;

struct FamLibrarian {
    FamHub *hub;
    char *db_path;              /* in this process, on this database */
    char *socket;               /* or forwarded to the daemon there */
    char *model_text;
    FamLib *lib;
    /* One connection to the daemon a node, made on demand: the daemon
     * drops a node's opens when the last connection speaking for it
     * closes */
    FamLibClient *client[FAM_MAX_NODES];
    char *open_error;           /* set by the thread if the open failed */
    QemuSemaphore opened;       /* posted once the open is decided */
    bool serving;               /* the open is done: hooks act */

    QemuThread thread;
    QemuMutex lock;             /* protects jobs and stopping */
    QemuCond cond;
    QSIMPLEQ_HEAD(, FamLibJob) jobs;
    bool stopping;
    bool hold;                  /* leave jobs queued (fam-hub x-hold) */

    Notifier exit;
};

char *fam_librarian_default_db(const char *pool_path)
{
    return g_strconcat(pool_path, fam_bridge_db_suffix(), NULL);
}

static void fam_librarian_cpu_sync(CPUState *cpu, run_on_cpu_data data)
{
}

/*
 * A revoke rebuilds the node's view in one memory transaction, but a vCPU
 * running translated code drops its stale TLB entries only when it next
 * leaves it. Wait until every vCPU has (their queued work runs in order,
 * so once this no-op ran, so did the TLB flush). A stopped VM runs no
 * guest code, and flushes before it runs any again.
 */
static void fam_librarian_quiesce_vcpus(FamLibrarian *l)
{
    CPUState *cpu;

    if (!runstate_is_running() || qatomic_read(&l->stopping)) {
        return;
    }
    CPU_FOREACH(cpu) {
        run_on_cpu(cpu, fam_librarian_cpu_sync, RUN_ON_CPU_NULL);
    }
}

static void fam_librarian_grant_hook(void *opaque, uint32_t node,
                                     uint64_t offset, uint64_t len,
                                     bool writable)
{
    FamLibrarian *l = opaque;
    FamFabricState *s;
    Error *err = NULL;

    if (!l->serving) {
        return;     /* opening: no node has been granted anything yet */
    }
    bql_lock();
    s = fam_hub_node(l->hub, node);
    if (s && !fam_grant(s, offset, len, writable, &err)) {
        error_prepend(&err, "fam-fabric node %u: the Librarian's grant: ",
                      node);
        warn_report_err(err);
    }
    bql_unlock();
}

static void fam_librarian_revoke_hook(void *opaque, uint32_t node,
                                      uint64_t offset, uint64_t len)
{
    FamLibrarian *l = opaque;
    FamFabricState *s;
    Error *err = NULL;

    if (!l->serving) {
        return;
    }
    bql_lock();
    s = fam_hub_node(l->hub, node);
    if (s) {
        if (fam_revoke(s, offset, len, &err)) {
            fam_librarian_quiesce_vcpus(l);
        } else {
            error_prepend(&err, "fam-fabric node %u: the Librarian's "
                          "revoke: ", node);
            warn_report_err(err);
        }
    }
    bql_unlock();
}

/* The daemon's answer to a request, or an error reply of ours. */
static size_t fam_librarian_forward(FamLibrarian *l, FamLibJob *job,
                                    uint8_t *reply)
{
    FamLibClient **client = &l->client[job->node];
    char *msg = NULL;
    size_t len = 0;
    int ret;

    /* A daemon hangs up on a message it cannot frame: answer it here */
    if (!fam_bridge_framed(job->msg, job->len)) {
        return fam_mailbox_error_reply(reply, job->msg, job->node, EBADMSG);
    }
    /* QEMU is a trusted peer: it says which node asks, for the node */
    stl_le_p(job->msg + offsetof(struct fam_lib_hdr, node), job->node);
    if (!*client) {
        *client = fam_bridge_connect(l->socket, &msg);
        if (!*client) {
            ret = errno ? errno : EHOSTDOWN;
            warn_report("fam-fabric: the Librarian daemon: %s",
                        msg ? msg : strerror(ret));
            free(msg);
            return fam_mailbox_error_reply(reply, job->msg, job->node, ret);
        }
    }
    ret = fam_bridge_call(*client, job->msg, job->len, reply,
                          FAM_MBOX_DATA_SIZE, &len);
    if (ret) {
        warn_report("fam-fabric: the Librarian daemon at %s: %s", l->socket,
                    strerror(-ret));
        fam_bridge_disconnect(*client);
        *client = NULL;
        return fam_mailbox_error_reply(reply, job->msg, job->node, EIO);
    }
    return len;
}

/* The node is gone: drop its opens, revoking what they were granted. */
static void fam_librarian_drop(FamLibrarian *l, uint32_t node)
{
    int dropped;

    if (l->socket) {
        /* The daemon drops the opens of a node whose connection closes */
        if (node < FAM_MAX_NODES && l->client[node]) {
            fam_bridge_disconnect(l->client[node]);
            l->client[node] = NULL;
        }
        trace_fam_librarian_drop_opens(node, -1);
        return;
    }
    dropped = fam_bridge_drop_opens(l->lib, node);
    trace_fam_librarian_drop_opens(node, dropped);
    if (dropped < 0) {
        warn_report("fam-fabric: the Librarian could not drop the open "
                    "shelves of node %u: %s", node, strerror(-dropped));
    }
}

static void fam_librarian_serve(FamLibrarian *l, FamLibJob *job)
{
    uint8_t reply[FAM_MBOX_DATA_SIZE];
    size_t len;

    if (job->drop) {
        fam_librarian_drop(l, job->node);
        return;
    }
    if (l->socket) {
        len = fam_librarian_forward(l, job, reply);
    } else {
        len = fam_bridge_handle(l->lib, job->msg, job->len, job->node, reply,
                                sizeof(reply));
    }
    if (len < sizeof(struct fam_lib_hdr) || len > sizeof(reply)) {
        /* The protocol layer promises a reply; never leave a node busy */
        len = fam_mailbox_error_reply(reply, job->msg, job->node, EIO);
    }
    bql_lock();
    fam_mailbox_deliver(l->hub, job->node, job->epoch, reply, len);
    bql_unlock();
}

/*
 * Open the database (on this thread: no SQLite under the BQL), tell
 * fam_librarian_start() how it went, then close the opens an earlier run
 * left behind. The daemon needs none of it.
 */
static bool fam_librarian_open(FamLibrarian *l)
{
    FamBridgeHooks hooks = {
        .opaque = l,
        .grant = fam_librarian_grant_hook,
        .revoke = fam_librarian_revoke_hook,
    };
    MemoryRegion *pool = host_memory_backend_get_memory(l->hub->memdev);
    char *msg = NULL;
    int dropped;

    if (l->socket) {
        l->serving = true;
        qemu_sem_post(&l->opened);
        return true;
    }
    l->lib = fam_bridge_open(l->db_path, l->hub->model,
                             memory_region_get_ram_ptr(pool), l->model_text,
                             &hooks, &msg);
    if (!l->lib) {
        l->open_error = g_strdup(msg ? msg : "cannot open it");
        free(msg);
        qemu_sem_post(&l->opened);
        return false;
    }
    l->serving = true;
    qemu_sem_post(&l->opened);

    /* Opens recorded by an earlier run of this pool are stale */
    dropped = fam_bridge_drop_opens(l->lib, FAM_BRIDGE_ALL_NODES);
    trace_fam_librarian_drop_opens(UINT32_MAX, dropped);
    return true;
}

static void *fam_librarian_thread(void *opaque)
{
    FamLibrarian *l = opaque;

    /*
     * Every node waits for this thread, and with more vCPUs than host
     * cores a runnable thread can wait a whole host time slice for a
     * core: ask the host to prefer it (root only; otherwise as is).
     */
    if (setpriority(PRIO_PROCESS, 0, FAM_LIBRARIAN_NICE) == 0) {
        trace_fam_librarian_nice(FAM_LIBRARIAN_NICE);
    }
    if (!fam_librarian_open(l)) {
        return NULL;
    }
    for (;;) {
        FamLibJob *job;

        qemu_mutex_lock(&l->lock);
        while ((QSIMPLEQ_EMPTY(&l->jobs) || l->hold) && !l->stopping) {
            qemu_cond_wait(&l->cond, &l->lock);
        }
        if (l->stopping) {
            qemu_mutex_unlock(&l->lock);
            break;
        }
        job = QSIMPLEQ_FIRST(&l->jobs);
        QSIMPLEQ_REMOVE_HEAD(&l->jobs, next);
        qemu_mutex_unlock(&l->lock);

        fam_librarian_serve(l, job);
        g_free(job);
    }
    return NULL;
}

/*
 * Hold the queue (the thread serves nothing, requests wait) or let it go:
 * for tests that need a request to stay pending, whatever the host's
 * timing.
 */
void fam_librarian_hold(FamLibrarian *l, bool hold)
{
    qemu_mutex_lock(&l->lock);
    l->hold = hold;
    qemu_cond_signal(&l->cond);
    qemu_mutex_unlock(&l->lock);
}

bool fam_librarian_held(FamLibrarian *l)
{
    bool held;

    qemu_mutex_lock(&l->lock);
    held = l->hold;
    qemu_mutex_unlock(&l->lock);
    return held;
}

static void fam_librarian_queue(FamLibrarian *l, FamLibJob *job)
{
    qemu_mutex_lock(&l->lock);
    if (l->stopping) {
        g_free(job);
    } else {
        QSIMPLEQ_INSERT_TAIL(&l->jobs, job, next);
        qemu_cond_signal(&l->cond);
    }
    qemu_mutex_unlock(&l->lock);
}

void fam_librarian_submit(FamLibrarian *l, uint32_t node, uint64_t epoch,
                          const void *msg, size_t len)
{
    FamLibJob *job = g_malloc0(sizeof(*job) + len);

    job->node = node;
    job->epoch = epoch;
    job->len = len;
    memcpy(job->msg, msg, len);
    fam_librarian_queue(l, job);
}

void fam_librarian_drop_opens(FamLibrarian *l, uint32_t node)
{
    FamLibJob *job = g_new0(FamLibJob, 1);

    job->drop = true;
    job->node = node;
    fam_librarian_queue(l, job);
}

static void fam_librarian_free(FamLibrarian *l)
{
    qemu_cond_destroy(&l->cond);
    qemu_mutex_destroy(&l->lock);
    qemu_sem_destroy(&l->opened);
    g_free(l->open_error);
    g_free(l->model_text);
    g_free(l->db_path);
    g_free(l->socket);
    g_free(l);
}

/*
 * Stop the thread after the request it is serving, and close the
 * database. Safe with or without the BQL: a thread that holds it lets go
 * while it waits, as the Librarian thread may be waiting for it.
 */
void fam_librarian_stop(FamLibrarian *l)
{
    bool bql = bql_locked();
    FamLibJob *job, *next;
    unsigned i;

    qemu_remove_exit_notifier(&l->exit);
    qemu_mutex_lock(&l->lock);
    qatomic_set(&l->stopping, true);
    QSIMPLEQ_FOREACH_SAFE(job, &l->jobs, next, next) {
        g_free(job);
    }
    QSIMPLEQ_INIT(&l->jobs);
    qemu_cond_signal(&l->cond);
    qemu_mutex_unlock(&l->lock);

    if (bql) {
        bql_unlock();
    }
    qemu_thread_join(&l->thread);
    if (l->lib) {
        fam_bridge_close(l->lib);
    }
    for (i = 0; i < FAM_MAX_NODES; i++) {
        if (l->client[i]) {
            fam_bridge_disconnect(l->client[i]);
        }
    }
    if (bql) {
        bql_lock();
    }
    trace_fam_librarian_stop(l->socket ? l->socket : l->db_path);
    fam_librarian_free(l);
}

static void fam_librarian_exit(Notifier *n, void *data)
{
    FamLibrarian *l = container_of(n, FamLibrarian, exit);

    l->hub->librarian = NULL;
    fam_librarian_stop(l);
}

/* The model file's text, for a new database (NULL if unreadable). */
static char *fam_librarian_model_text(FamHub *hub)
{
    g_autofree char *path = fam_model_find(hub->model_name, FAM_MODELS_DIR,
                                           NULL);
    char *text = NULL;

    if (path && !g_file_get_contents(path, &text, NULL, NULL)) {
        text = NULL;
    }
    return text;
}

/* Whether the Librarian manages the nodes' grants (not the daemon's). */
bool fam_librarian_grants(FamLibrarian *l)
{
    return !l->socket;
}

/*
 * Start the Librarian of `hub` (its model loaded) on hub->librarian_db,
 * or the thread that forwards to the daemon on hub->librarian_socket.
 * Waits for the database to open (or the daemon to answer the door), so
 * that a bad one stops QEMU at start with a clear error; the open runs
 * on the Librarian's thread, not under the BQL, and calls no hook that
 * would want it.
 */
FamLibrarian *fam_librarian_start(FamHub *hub, Error **errp)
{
    FamLibrarian *l = g_new0(FamLibrarian, 1);
    FamLibClient *client;
    char *msg = NULL;

    l->hub = hub;
    if (hub->librarian_socket) {
        /* Knock once now, for a clear error; nodes connect when they ask */
        l->socket = g_strdup(hub->librarian_socket);
        client = fam_bridge_connect(l->socket, &msg);
        if (!client) {
            error_setg(errp, "librarian=%s: %s", l->socket,
                       msg ? msg : "cannot connect");
            error_append_hint(errp, "Start the Librarian daemon "
                              "(fam-librarian) on that socket first.\n");
            free(msg);
            g_free(l->socket);
            g_free(l);
            return NULL;
        }
        fam_bridge_disconnect(client);
    } else {
        l->db_path = g_strdup(hub->librarian_db);
        l->model_text = fam_librarian_model_text(hub);
    }
    qemu_sem_init(&l->opened, 0);
    qemu_mutex_init(&l->lock);
    qemu_cond_init(&l->cond);
    QSIMPLEQ_INIT(&l->jobs);

    qemu_thread_create(&l->thread, "fam-librarian", fam_librarian_thread, l,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&l->opened);
    if (l->open_error) {
        qemu_thread_join(&l->thread);
        error_setg(errp, "the Librarian cannot start: %s", l->open_error);
        error_append_hint(errp, "Its database is %s, which belongs to one "
                          "pool, fabric model and node count: give another "
                          "librarian-db (or fam-path, for a new pool), or "
                          "librarian=off to run without the Librarian.\n",
                          l->db_path);
        fam_librarian_free(l);
        return NULL;
    }
    l->exit.notify = fam_librarian_exit;
    qemu_add_exit_notifier(&l->exit);
    trace_fam_librarian_start(l->socket ? l->socket : l->db_path);
    return l;
}
