#!/bin/bash
# fam-ring.sh: the cluster's main job (what scripts/setup runs) as a test.
#
# Eight nodes with the Librarian on run `fam-ring` (tests/guest/fam-ring.c):
# each creates /ring/node<i>, grows it to 4 books, fills it through its own
# view of the pool, then checks every word of node i+1's shelf, opened
# read-only; shelves are destroyed once their reader is done, and node 0
# finds /ring empty and removes it. Here we check each node's verdict and
# steps, and that the database holds no book in use afterwards.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=${FAM_RING_NODES:-8}
# 8 MiB books: 64 in the pool, 8 on each node's media under tm-2016
FAM_TEST_POOL_SIZE=512M
FAM_TEST_LIBRARIAN=on
fam_init fam-ring
fam_boot "$nodes" $((60 + 40 * nodes)) "fame.run=fam-ring fam.ring_books=4"
expect_clean_exit
expect_verdicts fam-ring "$nodes"

for ((i = 0; i < nodes; i++)); do
	next=$(((i + 1) % nodes))
	[ "$(count_node "$i" "^fame-test fam-ring: node $i: wrote 4 books .* of /ring/node$i at [0-9]+ MB/s\$")" -eq 1 ] ||
		fail "node $i did not fill its shelf"
	[ "$(count_node "$i" "^fame-test fam-ring: node $i: verified every word of /ring/node$next at [0-9]+ MB/s\$")" -eq 1 ] ||
		fail "node $i did not verify node $next's shelf"
done
[ "$(count_node 0 "^fame-test fam-ring: node 0: all $nodes shelves destroyed; pool: 64 books, 64 free, 0 in use\$")" -eq 1 ] ||
	fail "node 0 did not find the pool empty at the end"
pass "$nodes nodes filled and cross-checked $nodes shelves of 4 books through the Librarian, ${elapsed} s"
