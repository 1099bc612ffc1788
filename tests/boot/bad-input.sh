#!/bin/bash
# bad-input.sh: each bad command line makes QEMU exit quickly with a
# non-zero status (not a crash: below 128) and an error message that names
# the problem, before any node boots.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

boot_init bad-input
kernel=$FAME_GUEST/vmlinuz
initrd=$FAME_GUEST/initramfs.cpio.gz
# Not a bzImage: a megabyte of text has no "HdrS" boot header.
notbz=$FAME_TEST_LOGS/bad-input.not-a-bzimage
yes 'this is not a kernel' | head -c 1048576 >"$notbz"

LIMIT=30    # seconds before a case counts as hung
QUICK=15    # a rejected command line should not take longer than this

failures=0
# usage: bad_case NAME MESSAGE-REGEX QEMU-ARGS...
bad_case() {
	local name=$1 regex=$2 why=
	shift 2
	test_name=bad-input-$name
	console=$FAME_TEST_LOGS/$test_name.console
	lines=$FAME_TEST_LOGS/$test_name.lines
	stderr=$FAME_TEST_LOGS/$test_name.stderr
	cmdfile=$FAME_TEST_LOGS/$test_name.cmd
	fame_run $LIMIT "$@" -nographic

	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="QEMU was still running after $LIMIT s"
	elif [ "$rc" -ge 128 ]; then
		why="QEMU died of signal $((rc - 128)) (a crash)"
	elif [ "$rc" -eq 0 ]; then
		why="QEMU accepted it"
	elif ! grep -qiE -- "$regex" "$stderr"; then
		why="the error message does not match /$regex/"
	elif [ "$elapsed" -gt $QUICK ]; then
		why="QEMU took $elapsed s to fail"
	elif grep -q ' ready mem=' "$lines"; then
		why="a node booted before the error"
	fi
	if [ -n "$why" ]; then
		echo "FAIL: $name: $why (exit status $rc)"
		echo "  command: $(cat "$cmdfile")"
		echo "  stderr: $(tail -n 3 "$stderr")"
		echo "  console: $(tail -n 3 "$lines")"
		failures=$((failures + 1))
	else
		echo "ok: $name: exit $rc: $(head -n 1 "$stderr")"
	fi
}

bad_case nodes-0 'nodes' \
	-machine fame,nodes=0 -kernel "$kernel" -initrd "$initrd"
bad_case nodes-65 'nodes' \
	-machine fame,nodes=65 -kernel "$kernel" -initrd "$initrd"
bad_case no-kernel 'kernel' \
	-machine fame,nodes=2
bad_case not-bzimage 'bzImage' \
	-machine fame,nodes=2 -kernel "$notbz" -initrd "$initrd"
# Above the 56 MiB the kernel decompresses into, below what it needs with
# the initrd and room to run.
bad_case ram-too-small 'too small|-m ' \
	-machine fame,nodes=2 -m 64M -kernel "$kernel" -initrd "$initrd"
bad_case unknown-property 'no-such-property' \
	-machine fame,nodes=2,no-such-property=1 -kernel "$kernel" -initrd "$initrd"
bad_case cpus-per-node-2 'cpus-per-node' \
	-machine fame,nodes=2,cpus-per-node=2 -kernel "$kernel" -initrd "$initrd"

test_name=bad-input
[ $failures -eq 0 ] || { echo "FAIL: bad-input: $failures case(s) failed (logs in $FAME_TEST_LOGS)"; exit 1; }
pass "every bad command line was rejected with its error"
