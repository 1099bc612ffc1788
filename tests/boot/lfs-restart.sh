#!/bin/bash
# lfs-restart.sh: node 0's LFS daemon is killed and started again while
# node 1 keeps working in /lfs (tests/guest/lfs-restart.c): ENOTCONN on
# node 0, the open file's mapping intact, the dead daemon's Librarian
# handles dropped once its files are closed and /lfs detached, fam-lfs
# started again as docs/lfs.md says, the file intact and removable. Then
# the database passes fsck.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=2
FAM_TEST_LIBRARIAN=on
fam_init lfs-restart
fam_boot "$nodes" 300 "fame.run=lfs-restart"
expect_clean_exit
expect_verdicts lfs-restart "$nodes"
for m in "node 0: with fam-lfs killed: /lfs gives ENOTCONN; the open file's mapping is intact; .*" \
	"node 0: the Librarian dropped the dead daemon's handles once its files were closed; fam-lfs started again; the file read back intact and was removed"; do
	[ "$(count_node 0 "^fame-test lfs-restart: $m\$")" -eq 1 ] || fail "node 0 did not report: $m"
done
files=$(node_lines 1 | sed -nE 's/.*lfs-restart: node 1: made, checked and removed ([0-9]+) files .*/\1/p')
[ "${files:-0}" -gt 0 ] || fail "node 1 did not work in /lfs meanwhile"
fam_lib=$FAME_BUILD/librarian/cli/fam-lib
"$fam_lib" --pool "$pool" fsck >"$FAME_TEST_LOGS/lfs-restart.fsck" 2>&1 ||
	fail "fam-lib fsck: $(cat "$FAME_TEST_LOGS/lfs-restart.fsck")"
pass "LFS daemon killed and restarted on node 0 ($(node_lines 0 | sed -nE 's/.*its read\(2\) gives ([^;]*);.*/read of the open file: \1/p')); node 1 made $files files meanwhile; fsck clean; ${elapsed} s"
