#!/bin/bash
# fam-basic.sh: every node of a fame machine has a fam-fabric function
# whose identity registers match the machine's configuration, and all of
# them map one shared pool.
#
# 1. Two nodes, fam-size=64M, fam-model=$FAM_TEST_MODEL (default
#    cxl-direct): `fam-info` on each node prints the registers; they must
#    say node i of 2, a 64 MiB pool, the model's name, module count and
#    interleave (read here from hw-fam/models/<model>.ini), a power-of-two
#    book size, and BAR2 at least as large as the pool.
# 2. Eight nodes: `fam-pattern`: node 0 writes a pattern into the pool and
#    publishes a flag; every other node, node 7 above all, waits for the
#    flag and verifies every byte; node 0 waits for their acknowledgements.
#
# FAM_TEST_MODEL= (empty) boots without fam-model= and skips the model
# checks.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

model=${FAM_TEST_MODEL-cxl-direct}
big=${FAM_BASIC_NODES:-8}

# usage: ini_get FILE SECTION KEY — a value of the model file (docs/
# fabric-model.md), comments and blanks stripped.
ini_get() {
	awk -v sec="[$2]" -v key="$3" '
		{ sub(/[;#].*/, ""); gsub(/^[ \t]+|[ \t]+$/, "") }
		/^\[/ { in_sec = ($0 == sec); next }
		in_sec && index($0, "=") {
			k = substr($0, 1, index($0, "=") - 1); gsub(/[ \t]+$/, "", k)
			v = substr($0, index($0, "=") + 1); gsub(/^[ \t]+/, "", v)
			if (k == key) { print v; exit }
		}' "$1"
}

# usage: bytes SIZE — 256, 4K, 2M, 1G... in bytes.
bytes() {
	local v=${1%[KkMmGg]} m=1
	case $1 in
	*[Kk]) m=1024 ;;
	*[Mm]) m=$((1024 * 1024)) ;;
	*[Gg]) m=$((1024 * 1024 * 1024)) ;;
	esac
	echo $((v * m))
}

fam_init fam-basic

# --- 1. identity registers on 2 nodes ---------------------------------------
machine_extra=()
if [ -n "$model" ]; then
	ini=$FAME_TOP/hw-fam/models/$model.ini
	[ -f "$ini" ] || fail "no model file $ini"
	want_name=$(ini_get "$ini" model name)
	want_modules=$(ini_get "$ini" media count)
	want_ways=$(ini_get "$ini" interleave ways)
	[ "$want_ways" = all ] && want_ways=$want_modules
	want_granule=$(bytes "$(ini_get "$ini" interleave granule)")
	if [ -z "$want_name" ] || [ -z "$want_modules" ]; then
		fail "cannot read name and media count from $ini"
	fi
	machine_extra=(-machine "fam-model=$model")
fi
fam_boot 2 120 "fame.run=fam-info" "${machine_extra[@]}"
expect_clean_exit
expect_verdicts fam-info 2
for i in 0 1; do
	line=$(node_lines "$i" | cut -d: -f2- | grep '^fame-test fam-info: magic=')
	[ "$(node_field "$i" fam-info magic)" = 0x464d4146 ] || fail "node $i: bad magic: $line"
	[ "$(node_field "$i" fam-info node)" = "$i" ] || fail "node $i: node id register: $line"
	[ "$(node_field "$i" fam-info nodes)" = 2 ] || fail "node $i: node count register: $line"
	[ "$(node_field "$i" fam-info pool)" = "$FAM_TEST_POOL_BYTES" ] ||
		fail "node $i: pool size register is not fam-size=$FAM_TEST_POOL_SIZE: $line"
	bar2=$(node_field "$i" fam-info bar2)
	[ "${bar2:-0}" -ge "$FAM_TEST_POOL_BYTES" ] || fail "node $i: BAR2 smaller than the pool: $line"
	book=$(node_field "$i" fam-info book)
	# The Librarian's books: a power of two from 2 MiB, no larger than the pool
	if [ -z "$book" ] || [ "$book" -lt $((2 << 20)) ] || [ "$book" -gt "$FAM_TEST_POOL_BYTES" ] ||
		[ $((book & (book - 1))) -ne 0 ]; then
		fail "node $i: book size $book is not a power of two in 2 MiB .. the pool: $line"
	fi
	if [ -n "$model" ]; then
		[ "$(node_field "$i" fam-info model)" = "$want_name" ] ||
			fail "node $i: model name register is not '$want_name': $line"
		[ "$(node_field "$i" fam-info modules)" = "$want_modules" ] ||
			fail "node $i: module count is not $want_modules ($ini): $line"
		[ "$(node_field "$i" fam-info il-ways)" = "$want_ways" ] ||
			fail "node $i: interleave ways is not $want_ways ($ini): $line"
		[ "$(node_field "$i" fam-info il-granule)" = "$want_granule" ] ||
			fail "node $i: interleave granule is not $want_granule ($ini): $line"
	fi
done
if [ ! -f "$pool" ] || [ "$(stat -c %s "$pool")" -ne "$FAM_TEST_POOL_BYTES" ]; then
	fail "fam-path=$pool was not created with $FAM_TEST_POOL_BYTES bytes"
fi
info_s=$elapsed

# --- 2. a pattern from node 0 to node N-1 ----------------------------------
fam_logs fam-basic-pattern
fam_boot "$big" $((60 + 40 * big)) "fame.run=fam-info,fam-pattern"
expect_clean_exit
expect_verdicts fam-info "$big"
expect_verdicts fam-pattern "$big"
last=$((big - 1))
[ "$(count_node "$last" "^fame-test fam-pattern: node $last read node 0's pattern \\(run $run_id\\): PASS\$")" -eq 1 ] ||
	fail "node $last did not read node 0's pattern of this run ($run_id)"
[ "$(count_node 0 "^fame-test fam-pattern: all $last other nodes read the pattern: PASS\$")" -eq 1 ] ||
	fail "node 0 did not see all $last acknowledgements"
for ((i = 0; i < big; i++)); do
	[ "$(node_field "$i" fam-info nodes)" = "$big" ] || fail "node $i: node count register is not $big"
done
test_name=fam-basic
pass "registers match on 2 nodes (${info_s} s); node 0's pattern read by nodes 1-$last (${elapsed} s)"
