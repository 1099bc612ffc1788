#!/bin/bash
# burst.sh: a burst of console output on one node neither stalls nor
# corrupts another node's console.
#
# Node 0 runs the guest program `burst` (tests/guest/burst.c) as a flood
# of 20,000 numbered lines; the other nodes write numbered lines at a
# steady rate and fail by themselves if sending one takes too long. Here
# we check that every node's numbered lines all arrived, in order, with
# good checksums, and that each other node's lines were interleaved with
# node 0's flood (so the flood really ran while they wrote).
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

nodes=${FAME_BURST_NODES:-3}
boot_init burst
fame_boot "$nodes" $((180 + 40 * nodes)) 'fame.run=burst'
expect_clean_exit

if grep -E '^\[node[0-9]+\] fame-test burst: FAIL' "$lines"; then
	fail "a node reported a failure (above)"
fi

# One pass over the console: per node, the numbered lines must run
# 1, 2, 3, ... with a good Adler-32 (as tests/guest/fame-guest.c computes
# it), and their count must match the node's final "sent N lines" line.
# Prints one line per problem, then "range <node> <first> <last>" for the
# console line numbers of each node's numbered lines.
report=$(awk -v nodes="$nodes" '
BEGIN {
	for (c = 32; c < 127; c++)
		ord[sprintf("%c", c)] = c
}
function adler_ok(text, ck,    i, a, b, want) {
	a = 1; b = 0
	for (i = 1; i <= length(text); i++) {
		a = (a + ord[substr(text, i, 1)]) % 65521
		b = (b + a) % 65521
	}
	return ck == b "-" a
}
match($0, /^\[node[0-9][0-9]\] /) {
	node = substr($0, 6, 2) + 0
	text = substr($0, 10)
	if (text ~ /^fame-test burst: node [0-9]+ sent [0-9]+ lines.*PASS$/) {
		split(text, w, " ")
		sent[node] = w[6]
		next
	}
	if (text !~ /^fame-test burst: data / && text !~ / ck=/)
		next
	n = split(text, w, " ")
	pos = index(text, " ck=")
	if (n != 7 || w[4] != node || pos == 0 ||
	    !adler_ok(substr(text, 1, pos - 1), substr(text, pos + 4))) {
		print "node " node ": damaged line " NR ": " text
		bad++
		next
	}
	if (w[5] != seen[node] + 1) {
		print "node " node ": line " NR " has number " w[5] " after " seen[node] + 0
		bad++
	}
	seen[node] = w[5]
	if (!(node in first))
		first[node] = NR
	last[node] = NR
}
END {
	for (i = 0; i < nodes; i++) {
		if (!(i in sent))
			print "node " i ": no final PASS line"
		else if (seen[i] + 0 != sent[i])
			print "node " i ": sent " sent[i] " lines, " seen[i] + 0 " arrived in order"
		print "range " i " " first[i] + 0 " " last[i] + 0
	}
}' "$lines")

problems=$(grep -v '^range ' <<<"$report")
if [ -n "$problems" ]; then
	head -n 20 <<<"$problems"
	fail "numbered lines lost, reordered or damaged ($(wc -l <<<"$problems") problems, first ones above)"
fi
read -r _ _ flood_first flood_last < <(grep '^range 0 ' <<<"$report")
[ "$flood_last" -gt "$flood_first" ] || fail "node 0's flood is missing"
for ((i = 1; i < nodes; i++)); do
	read -r _ _ f l < <(grep "^range $i " <<<"$report")
	# Did any of node i's lines land inside node 0's flood?
	inside=$(node_lines "$i" | cut -d: -f1 |
		awk -v a="$flood_first" -v b="$flood_last" '$1 > a && $1 < b' | wc -l)
	[ "$inside" -gt 0 ] ||
		fail "node $i wrote (console lines $f-$l) outside node 0's flood" \
			"($flood_first-$flood_last): the flood did not overlap it"
done
pass "$nodes nodes: every numbered line arrived intact and in order," \
	"$((flood_last - flood_first + 1)) console lines during the flood, ${elapsed} s"
