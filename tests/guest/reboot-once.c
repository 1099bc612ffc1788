/*
 * reboot-once: one node reboots by itself; the others must not notice.
 *
 * On node fame.reboot_node= (default 1) at its first boot (fame.boot=1)
 * this prints a line and reboots the node (reboot(2), as `reboot -f`; the
 * kernel's reboot=pci resets through the node's port 0xcf9). When that
 * node comes back, fame.boot=2 and it reports PASS. The board counts boots
 * per node, so a boot count above 2 means it reset more than once.
 *
 * Every other node prints its uptime every REPORT_PERIOD seconds for
 * fame.reboot_wait= seconds (default 20), long enough for the rebooting
 * node to boot again. The host test checks that these nodes printed
 * "ready" only once and that some of their uptime lines come after the
 * rebooting node's second "ready": they kept running through its reset.
 */
#define _DEFAULT_SOURCE

#include "fame-guest.h"

#include <stdio.h>
#include <sys/reboot.h>
#include <unistd.h>

#define REPORT_PERIOD 2.0

static int reboot_node(const struct fame_node *n)
{
    if (n->boot == 1) {
        fame_say(n, "node %u boot 1: rebooting", n->id);
        sync();
        reboot(RB_AUTOBOOT);
        fame_say(n, "FAIL reboot(2) returned");
        return 1;
    }
    if (n->boot == 2) {
        fame_say(n, "node %u boot 2: came back after its reboot: PASS",
                 n->id);
        return 0;
    }
    fame_say(n, "FAIL node %u is at boot %u: it reset more than once", n->id,
             n->boot);
    return 1;
}

static int bystander(const struct fame_node *n)
{
    double wait = (double)fame_cmdline_long("fame.reboot_wait", 20);
    double start = fame_now(), last = fame_uptime();

    if (n->boot != 1) {
        fame_say(n, "FAIL node %u is at boot %u: it was reset", n->id,
                 n->boot);
        return 1;
    }
    while (fame_now() - start < wait) {
        fame_sleep(REPORT_PERIOD);
        double up = fame_uptime();
        if (up < last) {
            fame_say(n, "FAIL node %u uptime went back from %.2f to %.2f",
                     n->id, last, up);
            return 1;
        }
        last = up;
        fame_say(n, "node %u boot %u uptime %.2f", n->id, n->boot, up);
    }
    fame_say(n, "node %u ran %.0f s without a reset: PASS", n->id, wait);
    return 0;
}

int main(int argc, char **argv)
{
    struct fame_node n;
    fame_node_init(&n, "reboot-once", argc, argv);
    unsigned target = (unsigned)fame_cmdline_long("fame.reboot_node", 1);
    if (target >= n.count) {
        fame_say(&n, "FAIL fame.reboot_node=%u but there are only %u nodes",
                 target, n.count);
        return 1;
    }
    return n.id == target ? reboot_node(&n) : bystander(&n);
}
