/*
 * fam-librarian's log: one line per event on stderr, prefixed with the
 * program's name so that it reads well next to QEMU's or a test's output.
 */
#ifndef FAME_DAEMON_LOG_H
#define FAME_DAEMON_LOG_H

#include <stdarg.h>
#include <stdio.h>

static inline void daemon_log(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline void daemon_log(const char *fmt, ...)
{
    char line[512];
    va_list ap;

    /* Format first and write once, so that lines from client threads do
     * not interleave. */
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "fam-librarian: %s\n", line);
}

#endif /* FAME_DAEMON_LOG_H */
