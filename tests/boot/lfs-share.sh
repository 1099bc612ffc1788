#!/bin/bash
# lfs-share.sh: the LFS (/lfs) across 8 nodes (tests/guest/lfs-share.c).
#
# One run: a data set written on node 0 and read on node 7; 8 nodes
# creating in one directory while racing for the same exclusive names
# (one winner per name, nothing lost or doubled); rename, no-replace rename
# and hard-link races between two nodes (one winner each); how soon node 7
# sees node 0's rename, chmod, growth and unlink; a file mapped on node 0 and node 5 sharing
# every store with no msync, while neither daemon serves a READ or WRITE,
# and whose words the host finds in the pool file at the offsets that
# `fam-lib books` lists; SIGBUS past the end; a shrink refused while
# another node has the file open; unlink of a file open on the same node
# (deferred to its close) and on another (EBUSY). Then a second QEMU run on the same pool
# file and database finds the data set, its mode and its xattr intact.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=8
FAM_TEST_LIBRARIAN=on
FAM_TEST_POOL_SIZE=128M
fam_init lfs-share
fam_boot "$nodes" 600 "fame.run=lfs-share"
expect_clean_exit
expect_verdicts lfs-share "$nodes"
first=$elapsed

# One winner for each exclusive name and each rename
won=0
for ((i = 0; i < nodes; i++)); do
	n=$(node_lines "$i" | sed -nE 's/.*lfs-share: node [0-9]+: won ([0-9]+) of 20 exclusive creates$/\1/p')
	[ -n "$n" ] || fail "node $i did not report its exclusive creates"
	won=$((won + n))
done
[ "$won" -eq 20 ] || fail "the nodes won $won exclusive creates of 20 names, not 20"
renames=0 kept=0 linked=0
for i in 0 1; do
	line=$(node_lines "$i" | sed -nE 's/.*lfs-share: node [0-9]+: won ([0-9]+) of 10 renames, ([0-9]+) of 10 no-replace renames, ([0-9]+) of 10 links$/\1 \2 \3/p')
	[ -n "$line" ] || fail "node $i did not report its renames and links"
	set -- $line
	renames=$((renames + $1)) kept=$((kept + $2)) linked=$((linked + $3))
done
[ "$renames" -eq 10 ] || fail "nodes 0 and 1 won $renames renames of 10, not 10"
[ "$kept" -eq 10 ] || fail "nodes 0 and 1 won $kept no-replace renames of 10, not 10"
[ "$linked" -eq 10 ] || fail "nodes 0 and 1 made $linked links of 10, not 10"

for m in "read node 0's [0-9]+ bytes intact" \
	"saw node 0's rename after [0-9]+ ms, chmod after [0-9]+ ms, growth after [0-9]+ ms, unlink after [0-9]+ ms" \
	"unlink of a file open on node 0 was EBUSY, worked once it closed"; do
	[ "$(count_node 7 "^fame-test lfs-share: node 7: $m\$")" -eq 1 ] || fail "node 7 did not report: $m"
done
for m in "the directory lists 320 own and 20 shared entries, none twice" \
	"every rename and link race has exactly one winner" \
	"stored [0-9]+ words through the mapping; SIGBUS past the end" \
	"saw node 5's store in its mapping" \
	"a shrink was EBUSY while node 5 had the file open, worked once it closed; the dropped book's pages raise SIGBUS" \
	"an unlinked open file stayed readable with nlink 0; its books came back at its close"; do
	[ "$(count_node 0 "^fame-test lfs-share: node 0: $m\$")" -eq 1 ] || fail "node 0 did not report: $m"
done
[ "$(count_node 5 "^fame-test lfs-share: node 5: saw all [0-9]+ of node 0's words in its mapping, no msync\$")" -eq 1 ] ||
	fail "node 5 did not see node 0's stores"

# The caches may hide a change for their timeout (1 s), not longer
delays=$(node_lines 7 | sed -nE 's/.*rename after ([0-9]+) ms, chmod after ([0-9]+) ms, growth after ([0-9]+) ms, unlink after ([0-9]+) ms$/\1 \2 \3 \4/p')
for d in $delays; do
	[ "$d" -le 2000 ] || fail "node 7 saw a change of node 0 only after $d ms (cache timeout 1 s): $delays"
done

# Passthrough: no READ or WRITE reached either daemon
for i in 0 5; do
	[ "$(count_node "$i" "^fame-test lfs-share: node $i: the daemon served 0 READ and 0 WRITE requests\$")" -eq 1 ] ||
		fail "node $i's daemon served reads or writes: $(node_lines "$i" | grep 'daemon served')"
done

# The words are in the pool file, in the books fam-lib lists for the file
fam_lib=$FAME_BUILD/librarian/cli/fam-lib
mapfile -t offs < <("$fam_lib" --db "$pool.librarian.db" books /share/map | awk 'NR > 1 { print $2 }')
[ "${#offs[@]}" -eq 1 ] || fail "fam-lib books /share/map lists ${#offs[@]} books, not 1 after the shrink: ${offs[*]}"
book=$(("$(node_lines 0 | sed -nE 's/.*map word offset=([0-9]+) value=.*/\1/p' | tail -n1)"))
checked=0
while read -r off val; do
	idx=$((off / book))
	[ "$idx" -lt "${#offs[@]}" ] || continue # freed by the shrink
	got=$(pool_u64 $((offs[idx] + off % book)))
	[ "$got" = "$val" ] || fail "pool offset $((offs[idx] + off % book)) holds $got, not $val (file offset $off of /share/map)"
	checked=$((checked + 1))
done < <(node_lines 0 | sed -nE 's/.*lfs-share: map word offset=([0-9]+) value=([0-9]+)$/\1 \2/p')
[ "$checked" -eq 1 ] || fail "found $checked of node 0's words in the pool file, not 1"

# A second run on the same pool file and database
fam_boot "$nodes" 600 "fame.run=lfs-share fame.boot=2"
expect_clean_exit
expect_verdicts lfs-share "$nodes"
[ "$(count_node 0 "^fame-test lfs-share: node 0: after a power-off the data set, its mode and xattr are as written\$")" -eq 1 ] ||
	fail "node 0 did not find the data set after the power-off"
pass "LFS on $nodes nodes: data set, create and rename races, visibility (ms: $delays), direct shared mmap (pool file checked, no daemon I/O), SIGBUS, EBUSY shrink; persistent across runs; ${first} s + ${elapsed} s"
