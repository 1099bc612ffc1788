/*
 * burst: a flood of console output on one node must neither stall nor
 * corrupt another node's console.
 *
 * Node 0 writes BURST_LINES numbered lines (about 1.3 MB) to the console as
 * fast as it can. Every other node writes a numbered line every
 * STEADY_PERIOD seconds, waits after each one until the UART has sent it
 * (tcdrain), and fails if a line took more than MAX_STALL seconds or the
 * run fell MAX_STALL behind its schedule: a node whose UART interrupts
 * were held up by node 0's traffic would stall there.
 *
 * The nodes cannot talk to each other, but they all power on together, so
 * their uptimes agree to well under a second: node 0 starts its flood at
 * uptime fame.burst_at= (default 15 s) and the others keep writing until
 * uptime fame.burst_until= (default 35 s), so the flood falls inside their
 * runs. The host test checks that it did.
 *
 * Every numbered line is
 *   fame-test burst: data <node> <seq> <payload> ck=<b>-<a>
 * where ck is the Adler-32 of everything before " ck=" (see
 * fame_adler32), so the host test can tell a damaged line from a good one,
 * and seq runs from 1 up to the count in the node's final line, so it can
 * tell a lost or reordered line.
 */
#define _DEFAULT_SOURCE

#include "fame-guest.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define BURST_LINES 20000
#define STEADY_PERIOD 0.1
#define STEADY_MIN_LINES 20
#define MAX_STALL 2.0

/* Format numbered line seq of this node into buf; returns its length. */
static size_t format_line(const struct fame_node *n, unsigned seq, char *buf,
                          size_t size)
{
    /* A payload that changes with every line, so a line duplicated or
     * spliced from another one fails its checksum or its number. */
    char payload[33];
    for (unsigned i = 0; i < 32; i++)
        payload[i] = "abcdefghijklmnopqrstuvwxyz012345"[(seq * 7 + i * 13 +
                                                        n->id) % 32];
    payload[32] = '\0';

    int len = snprintf(buf, size, "fame-test burst: data %u %u %s", n->id,
                       seq, payload);
    unsigned a, b;
    fame_adler32(buf, (size_t)len, &a, &b);
    len += snprintf(buf + len, size - (size_t)len, " ck=%u-%u\n", b, a);
    return (size_t)len;
}

static int flood(const struct fame_node *n)
{
    static char buf[64 * 1024];
    size_t used = 0;
    double at = (double)fame_cmdline_long("fame.burst_at", 15);

    if (fame_uptime() < at)
        fame_sleep(at - fame_uptime());
    fame_say(n, "node %u sending %u lines", n->id, BURST_LINES);
    double start = fame_now();
    for (unsigned seq = 1; seq <= BURST_LINES; seq++) {
        /* Big writes: the point is to keep the UART busy, not the CPU. */
        if (used + 128 > sizeof(buf)) {
            if (!fame_write_all(STDOUT_FILENO, buf, used))
                goto failed;
            used = 0;
        }
        used += format_line(n, seq, buf + used, sizeof(buf) - used);
    }
    if (!fame_write_all(STDOUT_FILENO, buf, used))
        goto failed;
    tcdrain(STDOUT_FILENO);
    fame_say(n, "node %u sent %u lines in %.1f s: PASS", n->id, BURST_LINES,
             fame_now() - start);
    return 0;
failed:
    fame_say(n, "FAIL write to the console failed");
    return 1;
}

static int steady(const struct fame_node *n)
{
    char line[128];
    double until = (double)fame_cmdline_long("fame.burst_until", 35);
    double start = fame_now(), worst = 0;
    unsigned seq = 0;

    fame_say(n, "node %u sending a line every %.1f s until uptime %.0f s",
             n->id, STEADY_PERIOD, until);
    while (seq < STEADY_MIN_LINES || fame_uptime() < until) {
        size_t len = format_line(n, ++seq, line, sizeof(line));
        double t0 = fame_now();
        if (!fame_write_all(STDOUT_FILENO, line, len)) {
            fame_say(n, "FAIL write to the console failed");
            return 1;
        }
        /* write() only queues the line; tcdrain waits until the UART has
         * sent it, which needs this node's UART interrupts. */
        tcdrain(STDOUT_FILENO);
        double took = fame_now() - t0;
        if (took > worst)
            worst = took;
        if (took > MAX_STALL) {
            fame_say(n, "FAIL line %u took %.1f s to send (limit %.1f s)",
                     seq, took, MAX_STALL);
            return 1;
        }
        /* Sleep to the next tick of a fixed schedule. */
        double next = start + seq * STEADY_PERIOD;
        double now = fame_now();
        if (next > now)
            fame_sleep(next - now);
    }
    /* Stalls each under the limit can still add up: the run as a whole
     * must keep to its schedule too. */
    double total = fame_now() - start, planned = seq * STEADY_PERIOD;
    if (total > planned + MAX_STALL) {
        fame_say(n, "FAIL %u lines took %.1f s, planned %.1f s", seq, total,
                 planned);
        return 1;
    }
    fame_say(n, "node %u sent %u lines in %.1f s, slowest %.3f s: PASS",
             n->id, seq, total, worst);
    return 0;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    fame_node_init(&n, "burst", argc, argv);
    return n.id == 0 ? flood(&n) : steady(&n);
}
