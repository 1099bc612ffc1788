/*
 * The one way out of an atomic that cannot be done: a line on stderr and
 * abort(). Formatted by hand into one buffer and sent with one write(2),
 * so that it works in any state of stdio and is never split by another
 * thread's output.
 */
#define _POSIX_C_SOURCE 200809L /* write */

#include "libfam-int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t append(char *buf, size_t at, size_t cap, const char *s)
{
    size_t n = strlen(s);

    if (n > cap - at) {
        n = cap - at;
    }
    memcpy(buf + at, s, n);
    return at + n;
}

_Noreturn void libfam_refuse(const char *op, const void *addr,
                             const char *why)
{
    static const char hex[] = "0123456789abcdef";
    char line[256], num[2 + 2 * sizeof(uintptr_t) + 1];
    uintptr_t a = (uintptr_t)addr;
    size_t at = 0, n = sizeof(num) - 1;
    ssize_t unused;

    num[n] = '\0';
    do {
        num[--n] = hex[a & 15];
        a >>= 4;
    } while (a && n > 2);
    num[--n] = 'x';
    num[--n] = '0';

    at = append(line, at, sizeof(line) - 1, "libfam: ");
    at = append(line, at, sizeof(line) - 1, op);
    at = append(line, at, sizeof(line) - 1, ": address ");
    at = append(line, at, sizeof(line) - 1, num + n);
    at = append(line, at, sizeof(line) - 1, " ");
    at = append(line, at, sizeof(line) - 1, why);
    line[at++] = '\n';
    unused = write(STDERR_FILENO, line, at);
    (void)unused;
    abort();
}
