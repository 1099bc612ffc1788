#!/bin/bash
# fam-doorbell.sh: doorbells between the nodes of a fame machine.
#
# Three nodes run `fam-doorbell` (tests/guest/fam-doorbell.c): nodes 0 and
# 1 play ping-pong for $rounds round trips through each other's
# DB_PENDING and INTR_STATUS registers (RW1C) and check the doorbell
# statistics; every node, node 2 too (which nobody rings), then rings a
# node that does not exist, node 0xffff and a vector that does not exist,
# and checks the error counter and the error log. Last, node 0 rings node
# 1 until node 1 has powered off: that doorbell must be refused and logged
# too. Here we check every verdict and the statistics the pair reports.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=3
rounds=500
fam_init fam-doorbell
fam_boot $nodes 180 "fame.run=fam-doorbell fam.db_rounds=$rounds fam.db_peer_off=1"
expect_clean_exit
expect_verdicts fam-doorbell $nodes

for i in 0 1; do
	[ "$(count_node "$i" "^fame-test fam-doorbell: node $i: $rounds round trips with node $((1 - i)) .*; sent \\+$rounds, received \\+$rounds\$")" -eq 1 ] ||
		fail "node $i did not report $rounds doorbells sent and received"
done
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-doorbell: node $i: doorbell .* refused, counted and logged\$")" -eq 3 ] ||
		fail "node $i did not check all three refused doorbells"
done
[ "$(count_node 0 '^fame-test fam-doorbell: node 0: doorbell to node 1 once powered off refused, counted and logged')" -eq 1 ] ||
	fail "node 0 did not see its doorbell to powered-off node 1 refused"
rt=$(node_lines 0 | grep -oE '\([0-9]+ us each\)' | head -n1)
pass "$rounds round trips $rt, bad doorbells counted and logged on $nodes nodes, ${elapsed} s"
