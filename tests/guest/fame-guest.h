/*
 * Helpers shared by the test programs that run inside a fame guest node.
 *
 * /init starts every test program as `<name> <node-id> <node-count>` with
 * the console as stdout. A test reports on lines that start with
 * `fame-test <name>: ` and ends with one line ending in `PASS` or in
 * `FAIL <reason>`; the host-side tests (tests/boot/) read those lines.
 */
#ifndef FAME_GUEST_H
#define FAME_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Node identity, from argv; exits with a usage line if argv is wrong. */
struct fame_node {
    const char *test;   /* the test's name, used as the line prefix */
    unsigned id;        /* this node, 0 .. count-1 */
    unsigned count;     /* nodes in the machine */
    unsigned boot;      /* fame.boot= from the kernel command line, 1 if absent */
};
void fame_node_init(struct fame_node *n, const char *test, int argc,
                    char **argv);

/*
 * The value of `key=value` on the kernel command line as a number, or
 * def if the key is absent or not a number.
 */
bool fame_cmdline_str(const char *key, char *buf, size_t len);
long fame_cmdline_long(const char *key, long def);

/*
 * Print one `fame-test <name>: ...` line with a single write(2), so a line
 * is never split by another process writing to the console.
 */
void fame_say(const struct fame_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write all of buf to fd; false on error. */
bool fame_write_all(int fd, const void *buf, size_t len);

/* Seconds on CLOCK_MONOTONIC. */
double fame_now(void);

/* Sleep for s seconds (restarted if interrupted). */
void fame_sleep(double s);

/* Seconds since this node's kernel booted (/proc/uptime). */
double fame_uptime(void);

/*
 * Adler-32 of a line, as two halves so that the host's awk (whose numbers
 * are doubles) can recompute it: b is the high half, a the low half.
 */
void fame_adler32(const char *s, size_t len, unsigned *a, unsigned *b);

/*
 * Reproducible random numbers (splitmix64): the next value from *state,
 * the same sequence on every build, so a seed printed by a test replays
 * its run. fame_rand_below() gives 0 .. n-1 (n > 0).
 */
uint64_t fame_rand(uint64_t *state);
unsigned fame_rand_below(uint64_t *state, unsigned n);

#endif
