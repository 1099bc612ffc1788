/*
 * fam-fabric: the monitor commands in a QEMU built without the device
 *
 * Copyright (c) 2026 The FAME developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-fam.h"
#include "monitor/hmp.h"
#include "monitor/monitor.h"

FamInfoList *qmp_query_fam(Error **errp)
{
    return NULL;
}

void qmp_fam_grant(uint32_t node, uint64_t offset, uint64_t size,
                   bool has_writable, bool writable, Error **errp)
{
    error_setg(errp, "this QEMU is built without the fam-fabric device");
}

void qmp_fam_revoke(uint32_t node, uint64_t offset, uint64_t size,
                    Error **errp)
{
    error_setg(errp, "this QEMU is built without the fam-fabric device");
}

void hmp_info_fam(Monitor *mon, const QDict *qdict)
{
    monitor_printf(mon, "this QEMU is built without the fam-fabric device\n");
}
