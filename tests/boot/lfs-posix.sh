#!/bin/bash
# lfs-posix.sh: POSIX behaviour of the LFS (/lfs) on one node
# (tests/guest/lfs-posix.c).
#
# One node runs every file system operation with its error cases on /lfs
# and on a tmpfs and compares them, allowing only the differences that
# docs/lfs.md lists; checks permissions as uid 1000 and 1001; copies a
# tree of a few hundred files (symlinks, xattrs) into /lfs and back with
# cp -a and tar (diff -r, ls -lR, find, du); fills the pool through /lfs
# to ENOSPC, deletes and fills it again; and finds no warning in the
# kernel log.
#
# The pool is small (256 MiB) with small books (2 MiB, a model file
# written here from the ideal model): the tree's non-empty files take a
# book each, and filling the whole pool stays quick.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

FAM_TEST_LIBRARIAN=on
FAM_TEST_POOL_SIZE=256M
fam_init lfs-posix
model=$FAME_TEST_LOGS/lfs-posix.ini
{
	sed '/^\[model\]/,/^$/ s/^name = .*/name = lfs-posix-2m/' "$FAME_TOP/hw-fam/models/ideal.ini"
	printf '\n[pool]\nbook_size = 2M\n'
} >"$model" || fail "cannot write $model"
fam_boot 1 300 "fame.run=lfs-posix" -machine "fam-model=$model"
expect_clean_exit
expect_verdicts lfs-posix 1

said() {
	[ "$(count_node 0 "^fame-test lfs-posix: $1\$")" -eq 1 ] || fail "node 0 did not report: $1"
}
said "cases: [0-9]+ run on tmpfs and the LFS; [0-9]+ results differ, [0-9]+ of them as docs/lfs.md says; [0-9.]+ s"
said "lfs: one byte holds one book; policy .*"
said "tree: cp -a put [0-9]+ entries \([0-9]+ xattrs\) into /lfs, identical; they hold [0-9]+ books"
said "tree: cp -a back out of /lfs: diff -r, ls -lRn, [0-9]+ entries with xattrs identical"
said "tree: tar x into /lfs and tar c out of it: [0-9]+ entries, diff -r identical"
said "tree: rm -rf gave back every book; [0-9.]+ s in all"
said "kernel log: [0-9]+ lines, no warning, oops or BUG"
said "space: filled [0-9]+ bytes \(128 books\) to ENOSPC, deleted, a new file over every freed book read zeros, filled again to ENOSPC, all freed; [0-9.]+ s"
cases=$(node_lines 0 | sed -nE 's/.*lfs-posix: cases: ([0-9]+) run.*/\1/p')
entries=$(node_lines 0 | sed -nE 's/.*tree: cp -a put ([0-9]+) entries.*/\1/p')
[ "$entries" -ge 250 ] || fail "the tree had only $entries entries"
pass "$cases cases on /lfs and tmpfs alike but for docs/lfs.md's differences; permissions; a tree of $entries entries into /lfs and back; ENOSPC and refill; clean kernel log; ${elapsed} s"
