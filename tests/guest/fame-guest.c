/* Helpers shared by the guest test programs: see fame-guest.h. */
#define _POSIX_C_SOURCE 200809L

#include "fame-guest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned parse_unsigned(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v > 1000000) {
        fprintf(stderr, "bad %s '%s'\n", what, s);
        exit(2);
    }
    return (unsigned)v;
}

void fame_node_init(struct fame_node *n, const char *test, int argc,
                    char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s NODE-ID NODE-COUNT\n", test);
        exit(2);
    }
    n->test = test;
    n->id = parse_unsigned(argv[1], "node id");
    n->count = parse_unsigned(argv[2], "node count");
    if (n->count == 0 || n->id >= n->count) {
        fprintf(stderr, "node id %u is not below node count %u\n", n->id,
                n->count);
        exit(2);
    }
    n->boot = (unsigned)fame_cmdline_long("fame.boot", 1);
}

/*
 * The value of KEY=value on the kernel command line, copied into buf.
 * The last occurrence wins, as for the kernel and /init: the user's
 * -append comes after the board's own parameters and overrides them.
 * False if the key is absent or its value does not fit.
 */
bool fame_cmdline_str(const char *key, char *buf, size_t len)
{
    char line[4096];
    FILE *f = fopen("/proc/cmdline", "r");
    if (!f)
        return false;
    size_t n = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[n] = '\0';

    const char *found = NULL;
    size_t klen = strlen(key);
    for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
        if (!strncmp(tok, key, klen) && tok[klen] == '=')
            found = tok + klen + 1;
    }
    if (!found || strlen(found) >= len)
        return false;
    strcpy(buf, found);
    return true;
}

long fame_cmdline_long(const char *key, long def)
{
    char buf[64], *end;

    if (!fame_cmdline_str(key, buf, sizeof(buf)))
        return def;
    errno = 0;
    long v = strtol(buf, &end, 0);
    return !errno && end != buf && !*end ? v : def;
}

void fame_say(const struct fame_node *n, const char *fmt, ...)
{
    char line[512];
    int len = snprintf(line, sizeof(line), "fame-test %s: ", n->test);
    va_list ap;
    va_start(ap, fmt);
    len += vsnprintf(line + len, sizeof(line) - (size_t)len - 1, fmt, ap);
    va_end(ap);
    if (len > (int)sizeof(line) - 2)
        len = (int)sizeof(line) - 2;
    line[len++] = '\n';
    fame_write_all(STDOUT_FILENO, line, (size_t)len);
}

bool fame_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t done = write(fd, p, len);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return false;
        p += done;
        len -= (size_t)done;
    }
    return true;
}

double fame_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fame_sleep(double s)
{
    struct timespec ts = {
        .tv_sec = (time_t)s,
        .tv_nsec = (long)((s - (double)(time_t)s) * 1e9),
    };
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

double fame_uptime(void)
{
    double up = -1;
    FILE *f = fopen("/proc/uptime", "r");
    if (f) {
        if (fscanf(f, "%lf", &up) != 1)
            up = -1;
        fclose(f);
    }
    return up;
}

void fame_adler32(const char *s, size_t len, unsigned *a, unsigned *b)
{
    unsigned lo = 1, hi = 0;
    for (size_t i = 0; i < len; i++) {
        lo = (lo + (unsigned char)s[i]) % 65521;
        hi = (hi + lo) % 65521;
    }
    *a = lo;
    *b = hi;
}

uint64_t fame_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

unsigned fame_rand_below(uint64_t *state, unsigned n)
{
    return (unsigned)(fame_rand(state) % n);
}
