#!/bin/bash
# lib-mailbox.sh: the Librarian inside QEMU, reached through the
# fam-fabric mailbox, grants the pool shelf by shelf.
#
# Two nodes, the machine's default Librarian (librarian=on, its database
# next to the pool file), run `lib-mailbox` (tests/guest/lib-mailbox.c):
# node 0 creates /t, resizes it to 2 books, opens it read-write and writes
# a pattern into its books through BAR2; node 1, told through the
# Librarian's out-of-band messages, cannot read the books before it opens
# /t, then opens it read-only and reads the pattern; its store into the
# read-only range and its read of a book it never opened do not reach the
# pool (all-ones, a grant fault); destroying /t while node 1 holds it is
# EBUSY, and succeeds once both closed; malformed requests get error
# replies; a shelf node 1 leaves open is freed when node 1 powers off.
# Here we check every step's line, on both nodes, and the database.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

FAM_TEST_LIBRARIAN=on
fam_init lib-mailbox
fam_boot 2 150 "fame.run=lib-mailbox"
expect_clean_exit
expect_verdicts lib-mailbox 2

# usage: step NODE REGEX — node NODE printed exactly one line matching
# "fame-test lib-mailbox: node NODE: REGEX$".
step() {
	local n
	n=$(count_node "$1" "^fame-test lib-mailbox: node $1: $2\$")
	[ "$n" -eq 1 ] || fail "node $1 printed $n lines matching '$2', not 1"
}

books=$(node_lines 0 | grep -oE 'node 0: /t holds books [0-9]+ and [0-9]+$' | grep -oE '[0-9]+ and [0-9]+$')
[ -n "$books" ] || fail "node 0 did not name /t's books"
b0=${books%% *}
b1=${books##* }

# The protocol version the guest programs were built with
proto=$(sed -nE 's/^#define FAM_LIB_VERSION +([0-9]+).*/\1/p' \
	"$(dirname "$0")/../../guest-driver/uapi/fame/fam-librarian-proto.h")
[ -n "$proto" ] || fail "cannot read FAM_LIB_VERSION"

# node 0
step 0 "VERSION: .*, protocol $proto, schema [0-9]+, ran as node 0"
step 0 "STATFS matches the device: 8 books of 8 MiB, 8 free"
step 0 "bad magic: error reply \\(.*\\)"
step 0 "length beyond the mailbox: error reply \\(.*\\)"
step 0 "length below the header: error reply \\(.*\\)"
step 0 "CREATE /t: ok as expected"
step 0 "RESIZE /t to 2 books: ok as expected"
step 0 "OPEN /t rw: ok as expected"
step 0 "SHELF_BOOKS of the open /t: ok as expected"
step 0 "node 0 wrote through BAR2: both books hold the pattern"
step 0 "node 1 says 'opened'"
step 0 "after node 1's store into its read-only view: both books hold the pattern"
step 0 "CLOSE /t: ok as expected"
step 0 "book $b0 \\(closed by node 0\\) reads all-ones, grant fault counted and logged"
step 0 "UNLINK /t while node 1 has it open: Device or resource busy as expected"
step 0 "node 1 says 'closed'"
step 0 "UNLINK /t once closed everywhere: ok as expected"
step 0 "GETATTR /t after UNLINK: No such file or directory as expected"
step 0 "node 1 says 'holding /u'"
step 0 "UNLINK /u once node 1 is off: ok as expected"
step 0 "/u, left open by node 1, was freed by its power off \\([0-9]+ refusals before\\)"

# node 1
step 1 "VERSION: .*, protocol $proto, schema [0-9]+, ran as node 1"
step 1 "node 0 says 'written $b0 $b1'"
step 1 "book $b0 \\(not yet opened by node 1\\) reads all-ones, grant fault counted and logged"
step 1 "OPEN /t read-only: ok as expected"
step 1 "/t holds books $b0 and $b1"
step 1 "node 1 reads node 0's pattern: both books hold the pattern"
step 1 "a store into its read-only view of book $b1 did not reach the pool"
step 1 "book [0-9]+ \\(never opened by node 1\\) reads all-ones, grant fault counted and logged"
step 1 "node 0 says 'unlink-busy'"
step 1 "CLOSE /t: ok as expected"
step 1 "book $b0 \\(closed by node 1\\) reads all-ones, grant fault counted and logged"
step 1 "CREATE /u: ok as expected"
step 1 "OPEN /u: ok as expected"

[ -s "$pool.librarian.db" ] || fail "no Librarian database next to the pool ($pool.librarian.db)"
if grep -qiE 'warning|error' "$stderr"; then
	fail "QEMU complained: $(grep -iE 'warning|error' "$stderr" | head -n 3)"
fi
refused=$(node_lines 0 | grep -oE '\([0-9]+ refusals before\)' | grep -oE '[0-9]+')
pass "shelf /t (books $b0, $b1) shared rw/ro through the mailbox, enforced," \
	"EBUSY while open, destroyed; /u freed by node 1's power-off" \
	"(after $refused refusals); ${elapsed} s"
