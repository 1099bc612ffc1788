#!/bin/bash
# fam-shelf.sh: shelf files of the guest driver (FAM_IOC_SHELF_FILE).
#
# Two nodes with the Librarian on run `fam-shelf` (tests/guest/
# fam-shelf.c): node 0 makes a shelf file of a one-book shelf, round-trips
# pread/pwrite, grows it by writing past the end, maps it and stores a
# pattern; node 1 sees every word through its own shelf file's mapping and
# stores one back, which node 0 sees; then the refusals, SIGBUS past the
# end, ENOSPC, REFRESH after a grow and a shrink made through the
# Librarian, and the handle's close when the last fd and mapping went.
# Here we check the verdicts and milestones, and that the pool file holds
# the pattern at the pool offsets of the shelf's books, as the Librarian
# listed them (SHELF_BOOKS) to node 0.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=2
FAM_TEST_LIBRARIAN=on
fam_init fam-shelf
fam_boot "$nodes" 200 "fame.run=fam-shelf"
expect_clean_exit
expect_verdicts fam-shelf "$nodes"

milestones=(
	"node 0: pwrite/pread round trip"
	"node 0: a write past the end grew the shelf to [0-9]+ bytes in 2 books; O_APPEND wrote at the end"
	"node 0: stored [0-9]+ words through the mapping; SIGBUS past the end"
	"node 0: saw node 1's store in its mapping"
	"node 0: refused: another node's, a closed and a made-up handle \(EBADF\)"
	"node 0: growth past the pool: ENOSPC"
	"node 0: REFRESH followed a grow and a shrink made through the Librarian"
	"node 0: the handle was closed when the last fd and mapping went"
)
for m in "${milestones[@]}"; do
	[ "$(count_node 0 "^fame-test fam-shelf: $m")" -eq 1 ] || fail "node 0 did not report: $m"
done
[ "$(count_node 1 "^fame-test fam-shelf: node 1: saw all [0-9]+ of node 0's words in its own shelf file's mapping\$")" -eq 1 ] ||
	fail "node 1 did not see node 0's stores"

# The pool file has the pattern where the Librarian put the books
checked=0
while read -r off val; do
	got=$(pool_u64 "$off")
	[ "$got" = "$val" ] || fail "pool offset $off holds $got, not $val (node 0's store through its shelf file)"
	checked=$((checked + 1))
done < <(node_lines 0 | cut -d: -f2- |
	sed -nE 's/^fame-test fam-shelf: pool word offset=([0-9]+) value=([0-9]+)$/\1 \2/p')
[ "$checked" -eq 2 ] || fail "node 0 listed $checked books' words, not 2"
pass "shelf files on $nodes nodes: pread/pwrite, growth, shared mappings across nodes, both books' bytes in the pool file, refusals, SIGBUS, ENOSPC, refresh, handle closed at the end; ${elapsed} s"
