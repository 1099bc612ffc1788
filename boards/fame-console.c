/*
 * FAME machine: the consoles of the nodes
 *
 * Every node's COM1 is connected to a fame-console chardev that sits
 * between the UART and the real output. It does two jobs:
 *
 *  - routing: by default every node's lines are multiplexed onto the
 *    machine's first serial backend (stdio with -nographic), each line
 *    prefixed "[nodeNN] "; console-dir= sends each node to its own log
 *    file instead; several -serial options give node i serial backend i.
 *    Keyboard input of the multiplexed console goes to node console-input.
 *
 *  - watching: a node whose console prints Linux's panic banner has
 *    panicked, even when it dies before its pvpanic driver is loaded.
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "chardev/char-fe.h"
#include "system/system.h"
#include "fame.h"

#define TYPE_CHARDEV_FAME_CONSOLE "chardev-fame-console"
OBJECT_DECLARE_SIMPLE_TYPE(FameConsole, CHARDEV_FAME_CONSOLE)

/* Flush a line that has no newline yet (a shell prompt) after this long. */
#define FAME_CONSOLE_FLUSH_MS   100

static const char fame_panic_banner[] = "Kernel panic - not syncing";

struct FameConsole {
    Chardev parent_obj;

    FameNode *node;
    bool muxed;             /* lines go to the machine's console sink */
    CharBackend out;        /* otherwise: this node's own backend */
    GString *line;          /* output not yet written to the sink */
    QEMUTimer *flush_timer;
    size_t panic_match;     /* bytes of the panic banner seen so far */
};

/* Write a node's bytes to the shared console, keeping lines whole. */
static void fame_console_emit(FameConsole *c, bool line_complete)
{
    FameMachineState *fms = c->node->fms;
    CharBackend *sink = &fms->console_sink;
    char prefix[16];

    if (!c->line->len) {
        return;
    }
    if (fms->console_last != (int)c->node->id) {
        if (fms->console_last >= 0) {
            /* another node left a partial line: end it first */
            qemu_chr_fe_write_all(sink, (const uint8_t *)"\r\n", 2);
        }
        snprintf(prefix, sizeof(prefix), "[node%02u] ", c->node->id);
        qemu_chr_fe_write_all(sink, (const uint8_t *)prefix, strlen(prefix));
    }
    qemu_chr_fe_write_all(sink, (const uint8_t *)c->line->str, c->line->len);
    fms->console_last = line_complete ? -1 : (int)c->node->id;
    g_string_truncate(c->line, 0);
}

static void fame_console_flush(void *opaque)
{
    fame_console_emit(opaque, false);
}

/*
 * A node starts (again): what its previous life left unfinished on the
 * console (a shell prompt) must not swallow the new boot's first line.
 */
void fame_console_node_start(FameNode *node)
{
    FameMachineState *fms = node->fms;
    FameConsole *c = CHARDEV_FAME_CONSOLE(node->console);

    c->panic_match = 0;
    if (!c->muxed) {
        return;
    }
    timer_del(c->flush_timer);
    fame_console_emit(c, false);
    if (fms->console_last == (int)node->id) {
        qemu_chr_fe_write_all(&fms->console_sink, (const uint8_t *)"\r\n", 2);
        fms->console_last = -1;
    }
}

static void fame_console_watch(FameConsole *c, uint8_t byte)
{
    if (byte == fame_panic_banner[c->panic_match]) {
        if (++c->panic_match == sizeof(fame_panic_banner) - 1) {
            c->panic_match = 0;
            if (c->node->state == FAME_NODE_RUNNING) {
                fame_machine_node_panicked(c->node->fms, c->node);
            }
        }
    } else {
        c->panic_match = byte == fame_panic_banner[0];
    }
}

static int fame_console_write(Chardev *chr, const uint8_t *buf, int len)
{
    FameConsole *c = CHARDEV_FAME_CONSOLE(chr);
    int i;

    for (i = 0; i < len; i++) {
        fame_console_watch(c, buf[i]);
    }
    if (!c->muxed) {
        /* a node without a backend just loses its output */
        qemu_chr_fe_write_all(&c->out, buf, len);
        return len;
    }
    for (i = 0; i < len; i++) {
        g_string_append_c(c->line, buf[i]);
        if (buf[i] == '\n') {
            fame_console_emit(c, true);
        }
    }
    if (c->line->len) {
        timer_mod(c->flush_timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                  FAME_CONSOLE_FLUSH_MS);
    }
    return len;
}

/* Input from a node's own backend goes straight to its UART. */
static int fame_console_can_read(void *opaque)
{
    return qemu_chr_be_can_write(opaque);
}

static void fame_console_read(void *opaque, const uint8_t *buf, int size)
{
    qemu_chr_be_write(opaque, (uint8_t *)buf, size);
}

static void fame_console_accept_input(Chardev *chr)
{
    FameConsole *c = CHARDEV_FAME_CONSOLE(chr);

    if (c->muxed) {
        qemu_chr_fe_accept_input(&c->node->fms->console_sink);
    } else {
        qemu_chr_fe_accept_input(&c->out);
    }
}

static void fame_console_open(Chardev *chr, ChardevBackend *backend,
                              bool *be_opened, Error **errp)
{
    FameConsole *c = CHARDEV_FAME_CONSOLE(chr);

    c->line = g_string_new(NULL);
    c->flush_timer = timer_new_ms(QEMU_CLOCK_REALTIME, fame_console_flush, c);
}

static void fame_console_finalize(Object *obj)
{
    FameConsole *c = CHARDEV_FAME_CONSOLE(obj);

    qemu_chr_fe_deinit(&c->out, false);
    if (c->flush_timer) {
        timer_free(c->flush_timer);
    }
    if (c->line) {
        g_string_free(c->line, true);
    }
}

static void fame_console_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->internal = true;
    cc->open = fame_console_open;
    cc->chr_write = fame_console_write;
    cc->chr_accept_input = fame_console_accept_input;
}

static const TypeInfo fame_console_info = {
    .name = TYPE_CHARDEV_FAME_CONSOLE,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FameConsole),
    .instance_finalize = fame_console_finalize,
    .class_init = fame_console_class_init,
};

static void fame_console_register_types(void)
{
    type_register_static(&fame_console_info);
}

type_init(fame_console_register_types)

/* Keyboard input of the multiplexed console goes to one node. */
static int fame_console_sink_can_read(void *opaque)
{
    FameMachineState *fms = opaque;
    FameNode *node = fms->node[fms->console_input];

    return node && node->console ? qemu_chr_be_can_write(node->console) : 0;
}

static void fame_console_sink_read(void *opaque, const uint8_t *buf, int size)
{
    FameMachineState *fms = opaque;

    qemu_chr_be_write(fms->node[fms->console_input]->console, (uint8_t *)buf,
                      size);
}

bool fame_console_init(FameMachineState *fms, Error **errp)
{
    Chardev *sink = serial_hd(0);

    fms->console_last = -1;
    if (fms->console_input >= fms->nodes) {
        error_setg(errp, "console-input=%u: there are only %u nodes "
                   "(0 to %u)", fms->console_input, fms->nodes,
                   fms->nodes - 1);
        return false;
    }
    if (fms->console_dir || serial_hd(1)) {
        return true;        /* one backend per node */
    }
    if (!sink) {
        warn_report("fame: no serial backend; the nodes' consoles are "
                    "discarded (use -nographic or console-dir=)");
        return true;
    }
    if (!qemu_chr_fe_init(&fms->console_sink, sink, errp)) {
        return false;
    }
    qemu_chr_fe_set_handlers(&fms->console_sink, fame_console_sink_can_read,
                             fame_console_sink_read, NULL, NULL, fms, NULL,
                             true);
    return true;
}

/* The backend a node's console writes to when it is not multiplexed. */
static Chardev *fame_console_node_backend(FameMachineState *fms,
                                          FameNode *node, Error **errp)
{
    g_autofree char *id = NULL;
    g_autofree char *path = NULL;
    ChardevFile file = { 0 };
    ChardevBackend backend = {
        .type = CHARDEV_BACKEND_KIND_FILE,
        .u.file.data = &file,
    };

    if (!fms->console_dir) {
        return serial_hd(node->id);     /* NULL: no -serial for this node */
    }
    id = g_strdup_printf("fame-node%02u-log", node->id);
    path = g_strdup_printf("%s/node%02u.log", fms->console_dir, node->id);
    file.out = path;
    return qemu_chardev_new(id, TYPE_CHARDEV_FILE, &backend, NULL, errp);
}

Chardev *fame_console_for_node(FameMachineState *fms, FameNode *node,
                               Error **errp)
{
    g_autofree char *id = g_strdup_printf("fame-node%02u-console", node->id);
    ChardevBackend backend = { .type = CHARDEV_BACKEND_KIND_NULL };
    Chardev *chr, *out = NULL;
    FameConsole *c;

    chr = qemu_chardev_new(id, TYPE_CHARDEV_FAME_CONSOLE, &backend, NULL,
                           errp);
    if (!chr) {
        return NULL;
    }
    c = CHARDEV_FAME_CONSOLE(chr);
    c->node = node;
    c->muxed = !fms->console_dir && !serial_hd(1) &&
               qemu_chr_fe_backend_connected(&fms->console_sink);
    if (c->muxed) {
        return chr;
    }
    out = fame_console_node_backend(fms, node, errp);
    if (fms->console_dir && !out) {
        return NULL;
    }
    if (out) {
        if (!qemu_chr_fe_init(&c->out, out, errp)) {
            return NULL;
        }
        qemu_chr_fe_set_handlers(&c->out, fame_console_can_read,
                                 fame_console_read, NULL, NULL, chr, NULL,
                                 true);
    }
    return chr;
}
