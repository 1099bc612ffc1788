# shellcheck shell=bash
# Shared by the boot tests: where the emulator and the guest image are,
# running QEMU under a timeout with its console logged, reading one node's
# console lines, and failing with enough context to see why.
#
# Environment (meson sets all of them; the defaults suit a run by hand
# from anywhere in the repository):
#   FAME_QEMU        the emulator     (default build/qemu-system-x86_64)
#   FAME_GUEST       the guest image  (default build/guest)
#   FAME_TEST_LOGS   where logs go    (default build/test-logs)

FAME_TOP=${FAME_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAME_BUILD=${FAME_BUILD:-$FAME_TOP/build}
FAME_QEMU=${FAME_QEMU:-$FAME_BUILD/qemu-system-x86_64}
FAME_GUEST=${FAME_GUEST:-$FAME_BUILD/guest}
FAME_TEST_LOGS=${FAME_TEST_LOGS:-$FAME_BUILD/test-logs}

# Per-node RAM the boot tests use; `ready` lines must report it.
FAME_TEST_MEM=256

# The fame machine runs the Librarian by default, on a database next to
# the pool file; a database belongs to one node count, and the tests that
# boot the default pool with different node counts would share one. So
# each test gets its own database, fresh ($FAME_TEST_LOGS/NAME.librarian.db,
# see boot_init); a test that sets FAME_TEST_LIBRARIAN_DB= (empty) before
# booting gets the machine's default instead.

# usage: boot_init NAME
# Skip (77) when there is no emulator; fail when there is no guest image.
# Sets the log paths: $console (QEMU's stdout), $lines (the same without
# carriage returns), $stderr, $cmdfile (the command, to rerun by hand).
boot_init() {
	test_name=$1
	if [ ! -x "$FAME_QEMU" ]; then
		echo "SKIP: $test_name: no emulator at $FAME_QEMU (build it first)"
		exit 77
	fi
	local f
	for f in vmlinuz initramfs.cpio.gz; do
		[ -f "$FAME_GUEST/$f" ] ||
			fail "no guest image: $FAME_GUEST/$f is missing (run scripts/build-guest)"
	done
	mkdir -p "$FAME_TEST_LOGS" || fail "cannot create $FAME_TEST_LOGS"
	FAME_TEST_LIBRARIAN_DB=$FAME_TEST_LOGS/$test_name.librarian.db
	rm -f "$FAME_TEST_LIBRARIAN_DB" "$FAME_TEST_LIBRARIAN_DB"-wal "$FAME_TEST_LIBRARIAN_DB"-shm
	console=$FAME_TEST_LOGS/$test_name.console
	lines=$FAME_TEST_LOGS/$test_name.lines
	stderr=$FAME_TEST_LOGS/$test_name.stderr
	cmdfile=$FAME_TEST_LOGS/$test_name.cmd
	rm -f "$console" "$lines" "$stderr" "$cmdfile"
}

# usage: fame_run TIMEOUT QEMU-ARGS...
# Run the emulator with stdin closed; sets $rc (124 = timed out) and
# $elapsed (seconds).
fame_run() {
	local limit=$1 start=$SECONDS
	shift
	printf '%q ' timeout -k 10 "$limit" "$FAME_QEMU" "$@" >"$cmdfile"
	echo >>"$cmdfile"
	coredir=$FAME_TEST_LOGS/$test_name.crash
	rm -rf "$coredir"
	mkdir -p "$coredir"
	# In its own directory, so that a core dump lands there (where
	# core_pattern writes to the working directory) and is found
	(
		ulimit -c unlimited 2>/dev/null
		cd "$coredir" &&
			exec timeout -k 10 "$limit" "$FAME_QEMU" "$@" </dev/null >"$console" 2>"$stderr"
	)
	rc=$?
	elapsed=$((SECONDS - start))
	tr -d '\r' <"$console" >"$lines"
	[ "$rc" -lt 128 ] || [ "$rc" -eq 137 ] || crash_backtrace
	rm -rf "$coredir"
}

# After QEMU died of a signal: the backtrace of every thread from its core
# into $FAME_TEST_LOGS/NAME.backtrace (fail() shows the crashing thread),
# and the core removed (it holds the guests' RAM).
crash_backtrace() {
	local core
	backtrace=$FAME_TEST_LOGS/$test_name.backtrace
	core=$(find "$coredir" -maxdepth 1 -name 'core*' -type f | head -n1)
	if [ -z "$core" ]; then
		echo "no core dump in $coredir (kernel.core_pattern is" \
			"'$(cat /proc/sys/kernel/core_pattern 2>/dev/null)')" >"$backtrace"
	elif ! command -v gdb >/dev/null; then
		echo "no gdb to read $core (scripts/install-deps installs it)" >"$backtrace"
	else
		gdb -batch -nx -ex 'bt 30' -ex 'echo === all threads ===\n' \
			-ex 'thread apply all bt 12' "$FAME_QEMU" "$core" \
			>"$backtrace" 2>&1
	fi
}

# usage: fame_librarian_db — the -machine option that gives the test its
# own Librarian database, or nothing (see FAME_TEST_LIBRARIAN_DB above).
fame_librarian_db() {
	[ -z "${FAME_TEST_LIBRARIAN_DB:-}" ] || echo "librarian-db=$FAME_TEST_LIBRARIAN_DB"
}

# usage: fame_boot NODES TIMEOUT APPEND [MORE-QEMU-ARGS...]
# Boot a fame machine with the guest image and the given -append.
fame_boot() {
	local nodes=$1 limit=$2 append=$3 db
	shift 3
	db=$(fame_librarian_db)
	fame_run "$limit" -machine "fame,nodes=$nodes${db:+,$db}" -m "${FAME_TEST_MEM}M" \
		-kernel "$FAME_GUEST/vmlinuz" -initrd "$FAME_GUEST/initramfs.cpio.gz" \
		-nographic -append "$append" "$@"
}

# Fail unless QEMU finished by itself with status 0.
expect_clean_exit() {
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		fail "QEMU did not finish within its timeout (ran ${elapsed} s)"
	elif [ "$rc" -ge 128 ]; then
		fail "QEMU died of signal $((rc - 128))"
	elif [ "$rc" -ne 0 ]; then
		fail "QEMU exited with status $rc (a node panicked, or an error)"
	fi
}

# usage: node_lines ID — node ID's console lines, prefix removed, with
# their line numbers in the whole console: "NUMBER:TEXT".
node_lines() {
	grep -n "^\[node$(printf %02d "$1")\] " "$lines" | sed 's/^\([0-9]*\):\[node[0-9]*\] /\1:/'
}

# usage: count_node ID REGEX — how many of node ID's lines match REGEX
# (an extended regular expression on the text after the prefix).
count_node() {
	node_lines "$1" | cut -d: -f2- | grep -cE -- "$2"
}

# usage: first_line ID REGEX / last_line ID REGEX — the console line number
# of node ID's first / last line matching REGEX, or 0.
first_line() {
	node_lines "$1" | grep -E -- "^[0-9]+:$2" | head -n1 | cut -d: -f1 | grep . || echo 0
}
last_line() {
	node_lines "$1" | grep -E -- "^[0-9]+:$2" | tail -n1 | cut -d: -f1 | grep . || echo 0
}

# usage: fail MESSAGE... — report, show the end of the logs, exit 1.
fail() {
	echo "FAIL: ${test_name:-test}: $*"
	if [ -n "${console:-}" ] && [ -f "$console" ]; then
		[ -f "$cmdfile" ] && echo "command: $(cat "$cmdfile")"
		echo "--- last 40 console lines ($console) ---"
		tail -n 40 "$lines"
		echo "--- stderr ($stderr) ---"
		tail -n 20 "$stderr"
		if [ -n "${backtrace:-}" ] && [ -f "$backtrace" ]; then
			echo "--- the crashing thread ($backtrace has them all) ---"
			sed '/^=== all threads ===/,$d' "$backtrace" | grep -v '^warning:' | tail -n 32
		fi
	fi
	exit 1
}

pass() {
	echo "PASS: $test_name: $*"
	exit 0
}
