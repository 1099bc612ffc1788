#!/bin/bash
# lfs-demo.sh: the cluster's main job (what scripts/setup runs) as a test.
#
# Eight nodes, the tm-2016 fabric model, the Librarian on, run `lfs-demo`
# (tests/guest/lfs-demo.c): node 1 writes a data set into /lfs, every node
# maps it and checks every word, all nodes increment two shared counters
# with libfam (atomic fetch-adds, and plain adds under a libfam spinlock),
# node 0 checks the counters and removes the files. Here: every verdict,
# the summary's figures, and a pool with no book in use afterwards.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=8
adds=10000
mib=8
FAM_TEST_POOL_SIZE=512M
FAM_TEST_LIBRARIAN=on
fam_init lfs-demo
fam_boot "$nodes" 600 "fame.run=lfs-demo fam.demo_adds=$adds fam.demo_mib=$mib" \
	-machine fam-model=tm-2016
expect_clean_exit
expect_verdicts lfs-demo "$nodes"
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test lfs-demo: node $i: checked $((mib << 20)) bytes through its mapping, 0 words wrong\$")" -eq 1 ] ||
		fail "node $i did not check the data set"
done
words=$((nodes * (mib << 17)))
summary="$nodes nodes; node 1 wrote $mib MiB to /lfs/demo-$run_id/data; every node mapped and checked it: $words words, 0 wrong; shared counters: $((nodes * adds)) atomic adds \\(of $((nodes * adds))\\), $((nodes * adds / 10)) locked adds \\(of $((nodes * adds / 10))\\); [0-9.]+ s"
[ "$(count_node 0 "^fame-test lfs-demo: summary: $summary\$")" -eq 1 ] ||
	fail "node 0's summary is not: $summary"

in_use=$("$FAME_BUILD/librarian/cli/fam-lib" --pool "$pool" --json df | sed -nE 's/.*"inuse": *([0-9]+).*/\1/p')
[ "$in_use" = 0 ] || fail "the pool has ${in_use:-?} books in use after the demo, not 0"
pass "the main job on $nodes nodes: $mib MiB checked by every node through /lfs mappings, $((nodes * adds)) libfam atomic adds and $((nodes * adds / 10)) locked adds exact; ${elapsed} s"
