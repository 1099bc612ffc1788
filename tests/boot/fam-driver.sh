#!/bin/bash
# fam-driver.sh: the fam guest driver (guest-driver/) in a booted cluster.
#
# Four nodes with the Librarian on run `fam-driver` (tests/guest/
# fam-driver.c): each checks /dev/fam0 against its node and sysfs, its six
# MSI-X vectors, and the errors of bad requests; nodes 0 and 1 share a
# shelf through the driver's Librarian calls and mmap, play doorbell
# ping-pong on interrupts, and node 1 gets the error interrupt for a read
# without a grant; every node unbinds the driver under a sleeping waiter
# and binds it again. Then `fam-info` (raw sysfs access, which unbinds the
# driver first) must still work. Here we check the verdicts, the figures,
# and that QEMU's own statistics saw the doorbells.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=4
rounds=200
FAM_TEST_LIBRARIAN=on
fam_init fam-driver
fam_boot "$nodes" 400 "fame.run=fam-driver,fam-info fam.db_rounds=$rounds"
expect_clean_exit
expect_verdicts fam-driver "$nodes"
expect_verdicts fam-info "$nodes"

[ "$(count_node 0 "^fame-test fam-driver: node 0: wrote book 0x[0-9a-f]+ of /fam-driver-$run_id through /dev/fam0\$")" -eq 1 ] ||
	fail "node 0 did not write its book through the driver"
[ "$(count_node 1 "^fame-test fam-driver: node 1: read node 0's pattern through /dev/fam0\$")" -eq 1 ] ||
	fail "node 1 did not read node 0's pattern through the driver"
for i in 0 1; do
	[ "$(count_node "$i" "^fame-test fam-driver: node $i: $rounds doorbell round trips through the driver's interrupts, [0-9.]+ us each \([0-9]+ interrupts\)\$")" -eq 1 ] ||
		fail "node $i did not report the doorbell round trips"
done
[ "$(count_node 1 "^fame-test fam-driver: node 1: a read without a grant gave all-ones and the error interrupt logged it\$")" -eq 1 ] ||
	fail "node 1 did not see the error interrupt"
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-driver: node $i: unbind woke the waiter with ENODEV in [0-9.]+ s; bound again\$")" -eq 1 ] ||
		fail "node $i did not check unbinding"
done
rtt=$(node_lines 0 | grep -oE "round trips through the driver's interrupts, [0-9.]+ us" | grep -oE '[0-9.]+ us')
pass "driver on $nodes nodes: Librarian calls and mmap, $rounds doorbell round trips on MSI-X ($rtt each), error interrupt, unbind/bind; ${elapsed} s"
