#!/bin/bash
# boot.sh N: boot `-machine fame,nodes=N`; every node i must print
# `fame-node i/N ready mem=256` exactly once (its own id, under its own
# console prefix, with the RAM it was given), no other ready line may
# appear, and QEMU must exit 0 once all nodes have powered off.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

nodes=${1:-}
case $nodes in
[1-9] | [1-5][0-9] | 6[0-4]) ;;
*) echo "usage: $0 NODES (1 to 64)" >&2; exit 2 ;;
esac

boot_init "boot-$nodes"
# A node takes a few seconds of CPU to boot under TCG and they share the
# host's cores: allow a minute plus 40 s a node.
fame_boot "$nodes" $((60 + 40 * nodes)) ""
expect_clean_exit

for ((i = 0; i < nodes; i++)); do
	n=$(count_node "$i" "^fame-node $i/$nodes ready")
	[ "$n" -eq 1 ] || fail "node $i printed its ready line $n times, not once"
	[ "$(count_node "$i" "^fame-node $i/$nodes ready mem=$FAME_TEST_MEM\$")" -eq 1 ] ||
		fail "node $i's ready line is not 'fame-node $i/$nodes ready mem=$FAME_TEST_MEM':" \
			"$(node_lines "$i" | grep ' ready')"
done
total=$(grep -cE '^\[node[0-9]+\] fame-node [0-9]+/[0-9]+ ready' "$lines")
[ "$total" -eq "$nodes" ] ||
	fail "$total ready lines for $nodes nodes (one with a wrong id, count or prefix?)"
pass "$nodes nodes ready once each, exit 0, ${elapsed} s"
