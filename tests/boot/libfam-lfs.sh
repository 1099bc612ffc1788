#!/bin/bash
# libfam-lfs.sh: libfam's atomics and spinlock on one /lfs file mapped
# by 8 nodes (tests/guest/libfam-lfs.c, docs/libfam.md).
#
# Every node does 100,000 fam_atomic_64_fetch_add on one word, 20,000
# increments of a plain counter under fam_spin_lock, and 10,000
# successful 32-bit and 128-bit compare_store advances, all at once. Here
# we check every node's verdict, the totals each node printed (exactly
# nodes x count), and, independently of the guests, the same counters in
# the pool file at the offsets `fam-lib books` gives for the LFS file.
# Then 2 nodes on a CPU without cmpxchg16b (-cpu qemu64,-cx16) must show
# libfam refusing a 128-bit operation with its message.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=8
adds=100000
locked=20000
cas=10000
FAM_TEST_LIBRARIAN=on
fam_init libfam-lfs
fam_boot "$nodes" 400 \
	"fame.run=libfam-lfs fam.libfam_adds=$adds fam.libfam_locked=$locked fam.libfam_cas=$cas"
expect_clean_exit
expect_verdicts libfam-lfs "$nodes"

for ((i = 0; i < nodes; i++)); do
	want=$((nodes * adds))
	[ "$(count_node "$i" "^fame-test libfam-lfs: node $i: $adds fetch-adds in [0-9.]+ s; the word holds $want of $want; unprotected increments lost -?[0-9]+\$")" -eq 1 ] ||
		fail "node $i did not report the fetch-add word at exactly $want"
	want=$((nodes * locked))
	[ "$(count_node "$i" "^fame-test libfam-lfs: node $i: $locked increments under the spinlock in [0-9.]+ s; the counter holds $want of $want;")" -eq 1 ] ||
		fail "node $i did not report the locked counter at exactly $want"
	want=$((nodes * cas))
	[ "$(count_node "$i" "^fame-test libfam-lfs: node $i: $cas 32-bit compare_store advances \\([0-9]+ misses\\) in [0-9.]+ s; the word holds $want of $want\$")" -eq 1 ] ||
		fail "node $i did not report the 32-bit word at exactly $want"
	[ "$(count_node "$i" "^fame-test libfam-lfs: node $i: $cas 128-bit compare_store advances \\([0-9]+ misses\\) in [0-9.]+ s; the pair is \\{$want, ~$want\\} of $want\$")" -eq 1 ] ||
		fail "node $i did not report the 128-bit pair at exactly {$want, ~$want}"
done

# The counters are in the pool file, in the book fam-lib lists for the file
fam_lib=$FAME_BUILD/librarian/cli/fam-lib
mapfile -t offs < <("$fam_lib" --db "$pool.librarian.db" books /libfam/area | awk 'NR > 1 { print $2 }')
[ "${#offs[@]}" -eq 1 ] || fail "fam-lib books /libfam/area lists ${#offs[@]} books, not 1: ${offs[*]}"
checked=0
for want in $((nodes * adds)) $((nodes * locked)) $((nodes * cas)); do
	off=$(node_lines 0 | sed -nE "s/.*libfam-lfs: word offset=([0-9]+) value=$want\$/\\1/p" | head -n1)
	[ -n "$off" ] || fail "node 0 did not print the file offset of the counter holding $want"
	got=$(pool_u64 $((offs[0] + off)))
	[ "$got" = "$want" ] || fail "pool offset $((offs[0] + off)) (file offset $off) holds $got, not $want"
	checked=$((checked + 1))
done

# How many plain increments without a lock were lost only shows that the
# nodes raced (the fetch-add phase first, then the spinlock phase).
first=$elapsed
mapfile -t lost < <(node_lines 0 | grep -oE 'unprotected increments lost -?[0-9]+' | grep -oE -- '-?[0-9]+$')
lost_add=${lost[0]:-?} lost_lock=${lost[1]:-?}
fetch=$(node_lines 0 | sed -nE 's/.*: ([0-9]+) fetch-adds in ([0-9.]+) s;.*/\2/p')
spin=$(node_lines 0 | sed -nE 's/.*: ([0-9]+) increments under the spinlock in ([0-9.]+) s;.*/\2/p')
# No cmpxchg16b: every node's 128-bit read is refused, with the message.
fam_logs libfam-lfs-nocx16
FAM_TEST_LIBRARIAN=off
fam_boot 2 200 "fame.run=libfam-lfs" -cpu qemu64,-cx16
expect_clean_exit
for i in 0 1; do
	[ "$(count_node "$i" "^libfam: fam_atomic_128_read: address 0x[0-9a-f]+ needs cmpxchg16b, which this CPU lacks\$")" -eq 1 ] ||
		fail "node $i without cmpxchg16b did not print libfam's refusal"
	[ "$(count_node "$i" "^fame-test libfam-lfs: FAIL node $i: this CPU has no cmpxchg16b, which the 128-bit atomics need; libfam's 128-bit read refused it \(abort\)\$")" -eq 1 ] ||
		fail "node $i without cmpxchg16b did not report the refusal"
done
test_name=libfam-lfs

pass "$nodes nodes on one /lfs file: $((nodes * adds)) fetch-adds (node 0: $fetch s; unprotected lost $lost_add)," \
	"$((nodes * locked)) spinlock increments (node 0: $spin s; unprotected lost $lost_lock)," \
	"$((nodes * cas)) 32- and 128-bit compare_stores, all exact; $checked counters found in the pool file; ${first} s;" \
	"without cmpxchg16b the 128-bit atomics refuse with libfam's message; ${elapsed} s"
