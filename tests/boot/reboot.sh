#!/bin/bash
# reboot.sh: one node reboots alone and comes back; the others are not
# reset; then all power off and QEMU exits 0.
#
# Every node runs the guest program `reboot-once` (tests/guest/reboot-once.c):
# node 1 reboots itself at its first boot and passes at its second; the
# others print their uptime every 2 s for 20 s. Here we check node 1's
# sequence (ready, rebooting, ready, PASS at boot 2), that the others were
# ready only once, and that they were still printing their uptime after
# node 1 had come back.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

nodes=${FAME_REBOOT_NODES:-3}
target=1
boot_init reboot
fame_boot "$nodes" $((180 + 40 * nodes)) "fame.run=reboot-once fame.reboot_node=$target"
expect_clean_exit

if grep -E '^\[node[0-9]+\] fame-test reboot-once: FAIL' "$lines"; then
	fail "a node reported a failure (above)"
fi

# Node 1: ready, "boot 1: rebooting", ready, "boot 2: ... PASS", in order.
[ "$(count_node $target "^fame-node $target/$nodes ready")" -eq 2 ] ||
	fail "node $target did not print its ready line exactly twice"
ready1=$(first_line $target "fame-node $target/$nodes ready")
ready2=$(last_line $target "fame-node $target/$nodes ready")
rebooting=$(first_line $target "fame-test reboot-once: node $target boot 1: rebooting")
passed=$(first_line $target "fame-test reboot-once: node $target boot 2: .*PASS\$")
if ! [ "$rebooting" -gt "$ready1" ] || ! [ "$ready2" -gt "$rebooting" ] ||
	! [ "$passed" -gt "$ready2" ]; then
	fail "node $target's lines are not: ready (line $ready1), boot 1 rebooting" \
		"($rebooting), ready ($ready2), boot 2 PASS ($passed)"
fi

for ((i = 0; i < nodes; i++)); do
	[ "$i" -eq "$target" ] && continue
	[ "$(count_node "$i" "^fame-node $i/$nodes ready")" -eq 1 ] ||
		fail "node $i printed its ready line more than once: it was reset too"
	[ "$(count_node "$i" '^fame-test reboot-once: .*PASS$')" -eq 1 ] ||
		fail "node $i did not pass"
	[ "$(count_node "$i" "^fame-test reboot-once: node $i boot 1 uptime ")" -gt 0 ] ||
		fail "node $i printed no uptime line at boot 1"
	late=$(last_line "$i" "fame-test reboot-once: node $i boot 1 uptime ")
	[ "$late" -gt "$ready2" ] ||
		fail "node $i's last uptime line (console line $late) came before node" \
			"$target was back (line $ready2): raise fame.reboot_wait"
done
pass "node $target rebooted alone and came back; $((nodes - 1)) others ran on, ${elapsed} s"
