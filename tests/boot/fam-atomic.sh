#!/bin/bash
# fam-atomic.sh: atomics on one pool address from 8 nodes at once.
#
# Every node runs `fam-atomic` (tests/guest/fam-atomic.c): 100,000
# `lock add` increments of one 64-bit counter in the pool, then 100,000
# `lock cmpxchg16b` advances of a 128-bit {count, ~count} pair, all nodes
# starting together at a barrier in the pool. Here we check every node's
# verdict and, independently of the guests' own comparisons, the totals
# they print: exactly nodes x 100,000 for the counter and for the pair.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=${FAM_ATOMIC_NODES:-8}
iters=100000
fam_init fam-atomic
fam_boot "$nodes" $((60 + 40 * nodes)) \
	"fame.run=fam-atomic fam.atomic_iters=$iters fam.cas_iters=$iters"
expect_clean_exit
expect_verdicts fam-atomic "$nodes"

want=$((nodes * iters))
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-atomic: node $i: $iters locked increments .* the counter holds $want of $want;")" -eq 1 ] ||
		fail "node $i did not report the counter at exactly $want"
	[ "$(count_node "$i" "^fame-test fam-atomic: node $i: $iters cmpxchg16b advances .* the pair is \\{$want, ")" -eq 1 ] ||
		fail "node $i did not report the 128-bit pair at exactly $want"
done
# The plain counter only shows that the nodes really ran at the same time.
lost=$(node_lines 0 | grep -oE 'plain increments lost [0-9]+' | grep -oE '[0-9]+$')
pass "$nodes nodes x $iters: counter and 128-bit pair both at $want" \
	"(unlocked increments lost meanwhile: $lost of $want), ${elapsed} s"
