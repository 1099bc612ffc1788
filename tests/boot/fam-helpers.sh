# shellcheck shell=bash
# Shared by the boot tests of the fam-fabric device (tests/boot/fam-*.sh),
# on top of lib.sh: a fresh pool file and run id per test, booting a fame
# machine with a pool, and reading the guest programs' verdicts.
#
# Every guest program (tests/guest/fam-*.c) publishes its flags in the pool
# tagged with the run id (fam.run_id=): the pool is persistent, and a flag
# left by an earlier run must not be mistaken for this run's. A fresh pool
# file and a fresh run id make sure of it twice over.

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The pool the tests use: small, so a fresh file costs nothing.
FAM_TEST_POOL_SIZE=64M
# shellcheck disable=SC2034 # for the tests that source this file
FAM_TEST_POOL_BYTES=$((64 << 20))

# Whether fam_boot runs the Librarian. The tests that use the raw pool
# (every node granted all of it) need it off, which is the default here;
# the Librarian's own test sets FAM_TEST_LIBRARIAN=on.
FAM_TEST_LIBRARIAN=${FAM_TEST_LIBRARIAN:-off}

# usage: fam_init NAME — boot_init, plus $pool (a path, no file yet, and
# no Librarian database next to it) and $run_id (a fresh random number
# below 2^48). The Librarian, when on, keeps its database next to $pool
# (the machine's default).
fam_init() {
	boot_init "$1"
	if ! "$FAME_QEMU" -device help 2>/dev/null | grep -q '"fam-fabric"'; then
		echo "SKIP: $1: $FAME_QEMU has no fam-fabric device"
		exit 77
	fi
	pool=$FAME_TEST_LOGS/$1.pool
	rm -f "$pool" "$pool.librarian.db" "$pool.librarian.db-wal" "$pool.librarian.db-shm"
	FAME_TEST_LIBRARIAN_DB=
	run_id=$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')
	[ "${run_id:-0}" -gt 0 ] || run_id=$$
}

# usage: fam_boot NODES TIMEOUT APPEND [MORE-QEMU-ARGS...]
# fame_boot with a pool of FAM_TEST_POOL_SIZE in $pool and the Librarian
# as FAM_TEST_LIBRARIAN says; fam.run_id=$run_id is added to APPEND. A
# second -machine option is merged with the first.
fam_boot() {
	local nodes=$1 limit=$2 append=$3
	shift 3
	fame_boot "$nodes" "$limit" "$append fam.run_id=$run_id" \
		-machine "fam-size=$FAM_TEST_POOL_SIZE,fam-path=$pool,librarian=$FAM_TEST_LIBRARIAN" "$@"
}

# usage: expect_verdicts PROGRAM NODES — no node printed a FAIL line for
# PROGRAM and every node 0 .. NODES-1 printed exactly one PASS line.
expect_verdicts() {
	local prog=$1 nodes=$2 i n
	if grep -E "^\[node[0-9]+\] fame-test $prog: .*FAIL" "$lines"; then
		fail "$prog failed on a node (above)"
	fi
	for ((i = 0; i < nodes; i++)); do
		n=$(count_node "$i" "^fame-test $prog: .*PASS\$")
		[ "$n" -eq 1 ] || fail "node $i printed $n PASS lines for $prog, not 1"
	done
}

# usage: node_field ID PROGRAM KEY — the value of KEY=value in node ID's
# first line of PROGRAM's output that has one.
node_field() {
	node_lines "$1" | cut -d: -f2- | grep -E "^fame-test $2: " |
		grep -oE "(^| )$3=[^ ]*" | head -n1 | sed 's/^ //; s/^[^=]*=//'
}

# usage: pool_u64 OFFSET — the little-endian 64-bit word at byte OFFSET of
# the pool file, read on the host.
pool_u64() {
	od -An -tu8 -j "$1" -N 8 "$pool" | tr -d ' '
}

# usage: fam_logs NAME — log the next QEMU run as NAME.{console,lines,
# stderr,cmd}: for tests with several runs, so each keeps its own logs.
fam_logs() {
	test_name=$1
	console=$FAME_TEST_LOGS/$1.console
	lines=$FAME_TEST_LOGS/$1.lines
	stderr=$FAME_TEST_LOGS/$1.stderr
	cmdfile=$FAME_TEST_LOGS/$1.cmd
	rm -f "$console" "$lines" "$stderr" "$cmdfile"
}
