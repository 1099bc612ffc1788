#!/bin/bash
# consoles.sh: the two other ways to route the nodes' consoles.
#  1. console-dir=DIR: each node's console goes, raw (no prefix), to
#     DIR/nodeNN.log, and nothing of it to stdout.
#  2. Several -serial options: node i's console goes to the i-th backend.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

boot_init consoles
dir=$FAME_TEST_LOGS/consoles.d
rm -rf "$dir"
mkdir -p "$dir"

# check_log FILE ID: the file holds node ID's ready line, unprefixed, once
check_log() {
	[ -f "$1" ] || fail "no console file $1"
	[ "$(tr -d '\r' <"$1" | grep -cx "fame-node $2/2 ready mem=$FAME_TEST_MEM")" -eq 1 ] ||
		fail "$1 does not hold node $2's ready line exactly once: $(head -c 2000 "$1")"
	! grep -q '^\[node' "$1" || fail "$1 has [nodeNN] prefixes"
}

fame_boot 2 200 "" -machine "console-dir=$dir"
expect_clean_exit
check_log "$dir/node00.log" 0
check_log "$dir/node01.log" 1
! grep -q 'fame-node' "$lines" || fail "console-dir= still sent node output to stdout"

fame_run 200 -machine "fame,nodes=2,$(fame_librarian_db)" -m "${FAME_TEST_MEM}M" \
	-kernel "$FAME_GUEST/vmlinuz" -initrd "$FAME_GUEST/initramfs.cpio.gz" \
	-display none -serial "file:$dir/serial0" -serial "file:$dir/serial1"
expect_clean_exit
check_log "$dir/serial0" 0
check_log "$dir/serial1" 1
pass "console-dir= and one -serial per node both route each node alone"
