#!/bin/bash
# fam-multiprocess.sh [share|atomic|doorbell|driver|lfs]: the old FAME topology, one stock q35
# process per node, each with `-device fam-fabric` on one shared pool file
# (memory-backend-file,share=on). Nothing but the pool file connects the
# two processes.
#
# share (default): the processes see each other's writes. Both run
#   `fam-info` (node id and count registers as given with node-id= and
#   nodes=, the pool size) and `fam-pattern`: node 0 writes a pattern and a
#   flag into the pool, node 1 (the other process) waits for the flag,
#   verifies, and acknowledges in the pool; node 0 waits for that.
# atomic: atomics of the two processes on one pool address are atomic with
#   respect to each other: `fam-atomic` with $iters `lock add` increments
#   and $cas_iters `lock cmpxchg16b` advances per node (more than in
#   fam-atomic.sh, so the two processes overlap for a good while).
# doorbell: doorbells between the processes, through the devices' shared
#   doorbells= file: `fam-doorbell` plays $rounds round trips of
#   ping-pong between node 0 and node 1 in the other process, with every
#   check of fam-doorbell.sh (pending and status bits, counters, errors).
# driver: the guest driver in q35 processes: `fam-driver` (no Librarian
#   here: node 0 writes a book of the pool through /dev/fam0, node 1 reads
#   it) and $rounds doorbell round trips between the processes, each taken
#   as an MSI-X interrupt by the other node's driver.
# lfs: the LFS in q35 processes: the standalone fam-librarian serves the
#   pool, each device forwards its mailbox to it (librarian=SOCKET), both
#   nodes mount /lfs and run `lfs-share` (data set, races, a mapping shared
#   with no daemon reads or writes, unlinks).
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

mode=${1:-share}
FAME_BIOS=${FAME_BIOS:-$FAME_BUILD/qemu-bios}
nodes=2
limit=240
iters=2000000
cas_iters=500000
rounds=200
case $mode in
share) name=fam-multiprocess run="fame.run=fam-info,fam-pattern" ;;
atomic)
	name=fam-multiprocess-atomic
	run="fame.run=fam-atomic fam.atomic_iters=$iters fam.cas_iters=$cas_iters"
	;;
doorbell)
	name=fam-multiprocess-doorbell
	run="fame.run=fam-doorbell fam.db_rounds=$rounds"
	;;
driver)
	name=fam-multiprocess-driver
	run="fame.run=fam-driver fam.db_rounds=$rounds"
	;;
lfs)
	name=fam-multiprocess-lfs
	run="fame.run=lfs-share"
	limit=500
	FAM_TEST_POOL_SIZE=128M
	;;
*) echo "usage: $0 [share|atomic|doorbell|driver|lfs]" >&2; exit 2 ;;
esac
fam_init $name
rm -f "$pool.doorbells"
[ -d "$FAME_BIOS" ] || fail "no firmware directory $FAME_BIOS for q35 (-L)"

# With one possible CPU TCG does not make LOCK-prefixed instructions host
# atomics: the device must refuse to start rather than corrupt counters.
out=$("$FAME_QEMU" -M q35 -nodefaults -L "$FAME_BIOS" -display none -S \
	-object "memory-backend-file,id=fam,mem-path=$FAME_TEST_LOGS/fam-mp-refuse.pool,size=4M,share=on" \
	-device fam-fabric,memdev=fam,node-id=0,nodes=2 2>&1 </dev/null)
rc=$?
rm -f "$FAME_TEST_LOGS/fam-mp-refuse.pool"
[ $rc -eq 1 ] && grep -q "maxcpus=2" <<<"$out" ||
	fail "q35 -smp 1 with fam-fabric: exit $rc, not a clear refusal: $out"
# Created before either process starts, so neither races to create it.
truncate -s "$FAM_TEST_POOL_SIZE" "$pool" || fail "cannot create $pool"

# usage: node_logs I — point lib.sh's log variables at process I's logs.
node_logs() {
	local base=$FAME_TEST_LOGS/$name-node$1
	console=$base.console lines=$base.lines stderr=$base.stderr cmdfile=$base.cmd
}

# lfs: the standalone Librarian serves the pool, each process's mailbox
# forwards to it (librarian=SOCKET), and every node mounts /lfs.
librarian=
if [ "$mode" = lfs ]; then
	sock=$FAME_TEST_LOGS/$name.sock
	"$FAME_BUILD/librarian/daemon/fam-librarian" --pool "$pool" --model ideal \
		--nodes $nodes --socket "$sock" --pid-file "$FAME_TEST_LOGS/$name.pid" \
		2>"$FAME_TEST_LOGS/$name.librarian.log" ||
		fail "fam-librarian did not start: $(cat "$FAME_TEST_LOGS/$name.librarian.log")"
	trap 'kill "$(cat "$FAME_TEST_LOGS/$name.pid")" 2>/dev/null' EXIT
	librarian=",librarian=$sock"
fi

pids=()
start=$SECONDS
for ((i = 0; i < nodes; i++)); do
	node_logs $i
	rm -f "$console" "$lines" "$stderr" "$cmdfile"
	# -nodefaults: no CD-ROM for SeaBIOS to probe (30 s under TCG), no VGA
	# maxcpus=2: TCG translates for parallel CPUs only when more than one
	# is possible, and only then are LOCK-prefixed instructions host
	# atomics, atomic with the other process (the device refuses -smp 1).
	cmd=(timeout -k 10 "$limit" "$FAME_QEMU" -M q35 -nodefaults -L "$FAME_BIOS"
		-smp 1,maxcpus=2
		-m "${FAME_TEST_MEM}M" -display none -serial stdio
		-object "memory-backend-file,id=fam,mem-path=$pool,size=$FAM_TEST_POOL_SIZE,share=on"
		-device "fam-fabric,memdev=fam,node-id=$i,nodes=$nodes,doorbells=$pool.doorbells$librarian"
		-kernel "$FAME_GUEST/vmlinuz" -initrd "$FAME_GUEST/initramfs.cpio.gz"
		-append "console=ttyS0 loglevel=3 fame.node=$i fame.nodes=$nodes fame.boot=1 $run fam.run_id=$run_id")
	printf '%q ' "${cmd[@]}" >"$cmdfile"
	echo >>"$cmdfile"
	"${cmd[@]}" </dev/null >"$console" 2>"$stderr" &
	pids+=($!)
done
rcs=()
for ((i = 0; i < nodes; i++)); do
	wait "${pids[$i]}"
	rcs+=($?)
done
elapsed=$((SECONDS - start))

# The processes' consoles have no [nodeNN] prefix: add it, so lib.sh's
# helpers read them as one machine's.
for ((i = 0; i < nodes; i++)); do
	node_logs $i
	tr -d '\r' <"$console" | sed "s/^/[node$(printf %02d $i)] /" >"$lines"
done
all=$FAME_TEST_LOGS/$name.lines
cat "$FAME_TEST_LOGS/$name"-node*.lines >"$all"

for ((i = 0; i < nodes; i++)); do
	node_logs $i
	rc=${rcs[$i]}
	expect_clean_exit
done
lines=$all
console=$all
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-node $i/$nodes ready")" -eq 1 ] ||
		fail "process $i did not boot its node"
done

if [ "$mode" = atomic ]; then
	if grep -E '^\[node[0-9]+\] fame-test fam-atomic: .*FAIL' "$lines"; then
		fail "atomics of two processes on one pool address were not atomic" \
			"(above). A single-vCPU TCG machine translates LOCK-prefixed" \
			"instructions without host atomics: is the q35 process running" \
			"without parallel TCG (-smp 1)?"
	fi
	expect_verdicts fam-atomic $nodes
	want=$((nodes * iters))
	for ((i = 0; i < nodes; i++)); do
		[ "$(count_node "$i" "^fame-test fam-atomic: node $i: $iters locked increments .* the counter holds $want of $want;")" -eq 1 ] ||
			fail "process $i did not report the counter at exactly $want"
	done
	lost=$(node_lines 0 | grep -oE 'plain increments lost [0-9]+' | grep -oE '[0-9]+$')
	pass "two q35 processes: $want locked increments and $((nodes * cas_iters))" \
		"cmpxchg16b advances all counted (unlocked increments lost" \
		"meanwhile: $lost), ${elapsed} s"
fi

if [ "$mode" = doorbell ]; then
	expect_verdicts fam-doorbell $nodes
	rm -f "$pool.doorbells"
	pass "two q35 processes rang each other $rounds times over the" \
		"doorbells= file, ${elapsed} s"
fi

if [ "$mode" = driver ]; then
	expect_verdicts fam-driver $nodes
	[ "$(count_node 1 "^fame-test fam-driver: node 1: read node 0's pattern through /dev/fam0\$")" -eq 1 ] ||
		fail "process 1 did not read process 0's book through the driver"
	for ((i = 0; i < nodes; i++)); do
		[ "$(count_node "$i" "^fame-test fam-driver: node $i: $rounds doorbell round trips through the driver's interrupts, [0-9.]+ us each \([0-9]+ interrupts\)\$")" -eq 1 ] ||
			fail "process $i did not report the doorbell round trips"
	done
	rm -f "$pool.doorbells"
	rtt=$(node_lines 0 | grep -oE "interrupts, [0-9.]+ us" | grep -oE '[0-9.]+ us')
	pass "two q35 processes: the driver shared a book and took $rounds" \
		"doorbell round trips as MSI-X ($rtt each), ${elapsed} s"
fi

if [ "$mode" = lfs ]; then
	expect_verdicts lfs-share $nodes
	for m in "0: stored [0-9]+ words through the mapping; SIGBUS past the end" \
		"0: saw node 1's store in its mapping" \
		"1: saw all [0-9]+ of node 0's words in its mapping, no msync" \
		"1: read node 0's [0-9]+ bytes intact" \
		"0: every rename and link race has exactly one winner" \
		"0: an unlinked open file stayed readable with nlink 0; its books came back at its close"; do
		[ "$(count_node "${m%%:*}" "^fame-test lfs-share: node $m\$")" -eq 1 ] ||
			fail "process ${m%%:*} did not report: node $m"
	done
	for i in 0 1; do
		[ "$(count_node "$i" "^fame-test lfs-share: node $i: the daemon served 0 READ and 0 WRITE requests\$")" -eq 1 ] ||
			fail "process $i's LFS daemon served reads or writes"
	done
	rm -f "$pool.doorbells"
	pass "two q35 processes and fam-librarian: the LFS shared a data set," \
		"races, a direct mapping (no daemon I/O) and unlinks, ${elapsed} s"
fi

expect_verdicts fam-info $nodes
expect_verdicts fam-pattern $nodes
for ((i = 0; i < nodes; i++)); do
	if [ "$(node_field "$i" fam-info node)" != "$i" ] || [ "$(node_field "$i" fam-info nodes)" != $nodes ]; then
		fail "process $i: the node registers do not say node $i of $nodes"
	fi
	[ "$(node_field "$i" fam-info pool)" = "$FAM_TEST_POOL_BYTES" ] ||
		fail "process $i: the pool size register is not $FAM_TEST_POOL_BYTES"
done
[ "$(count_node 1 "^fame-test fam-pattern: node 1 read node 0's pattern \\(run $run_id\\): PASS\$")" -eq 1 ] ||
	fail "process 1 did not read process 0's pattern of run $run_id"
[ "$(count_node 0 "^fame-test fam-pattern: all 1 other nodes read the pattern: PASS\$")" -eq 1 ] ||
	fail "process 0 did not see process 1's acknowledgement"
pass "two q35 processes shared the pool file both ways, ${elapsed} s"
