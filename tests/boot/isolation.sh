#!/bin/bash
# isolation.sh: nodes never see each other's DRAM.
#
# Every node runs the guest program `isolation` (tests/guest/isolation.c):
# it writes a pattern of its own at the same physical address window
# (reserved with memmap= so /dev/mem may map it), and for 8 s checks that
# its pattern stays and no other node's pattern ever shows up. Here we
# check every node's verdict, and that node 0 had written its pattern
# before any other node gave its verdict: otherwise the others might have
# finished watching before there was anything to see.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

nodes=${FAME_ISOLATION_NODES:-4}
boot_init isolation
# The $ is the kernel's memmap syntax (reserve), not a shell expansion.
# shellcheck disable=SC2016
fame_boot "$nodes" $((120 + 40 * nodes)) 'memmap=1M$0x8000000 fame.run=isolation'
expect_clean_exit

if grep -E '^\[node[0-9]+\] fame-test isolation: FAIL' "$lines"; then
	fail "a node reported a failure (above)"
fi
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-node $i/$nodes ready")" -eq 1 ] ||
		fail "node $i did not print its ready line exactly once"
	[ "$(count_node "$i" "^fame-test isolation: node $i wrote")" -eq 1 ] ||
		fail "node $i did not write its pattern"
	[ "$(count_node "$i" '^fame-test isolation: .*PASS$')" -eq 1 ] ||
		fail "node $i did not pass exactly once"
done

wrote=$(first_line 0 'fame-test isolation: node 0 wrote')
for ((i = 1; i < nodes; i++)); do
	verdict=$(last_line "$i" 'fame-test isolation: .*PASS$')
	[ "$wrote" -lt "$verdict" ] ||
		fail "node $i finished (console line $verdict) before node 0 wrote" \
			"its pattern (line $wrote): the check proved nothing"
done
pass "$nodes nodes kept their own memory, ${elapsed} s"
