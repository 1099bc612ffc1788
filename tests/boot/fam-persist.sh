#!/bin/bash
# fam-persist.sh: the pool file keeps what the nodes wrote, from one QEMU
# run to the next, and is never resized behind the user's back.
#
# 1. write: 2 nodes run `fam-persist` with fam.persist=write; each fills
#    its 1 MiB slice (tests/guest/fam-persist.c) and powers off. On the
#    host, the pool file must hold both slice headers with this run's id.
# 2. check: a second QEMU run on the same file; both nodes verify both
#    slices byte for byte.
# 3. The same check with another run id must FAIL: the check can tell.
# 4. A run with another fam-size on the same file must stop with a clear
#    error before any node boots, and leave the file as it was.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=2
area=$((4 << 20))   # FAM_AREA_PERSIST in tests/guest/guest-dev.h
slice=$((1 << 20))
magic=3554275035655782726   # "FAMFPRS1" as a little-endian 64-bit word

fam_init fam-persist

# usage: check_headers — both slice headers are in the file, on the host.
check_headers() {
	local i off
	[ "$(stat -c %s "$pool")" -eq "$FAM_TEST_POOL_BYTES" ] ||
		fail "$pool is $(stat -c %s "$pool") bytes, not $FAM_TEST_POOL_BYTES"
	for ((i = 0; i < nodes; i++)); do
		off=$((area + i * slice))
		if [ "$(pool_u64 $off)" != $magic ] || [ "$(pool_u64 $((off + 8)))" != "$run_id" ] ||
			[ "$(pool_u64 $((off + 16)))" != "$i" ]; then
			fail "$1: the pool file has no header of node $i, run $run_id at offset $off" \
				"($(od -An -tx8 -j $off -N 32 "$pool"))"
		fi
	done
}

# --- 1. write ---------------------------------------------------------------
fam_logs fam-persist-write
fam_boot $nodes 120 "fame.run=fam-persist fam.persist=write"
expect_clean_exit
expect_verdicts fam-persist $nodes
check_headers "after the write run"
write_s=$elapsed

# --- 2. check in a second run -----------------------------------------------
fam_logs fam-persist-check
fam_boot $nodes 120 "fame.run=fam-persist fam.persist=check"
expect_clean_exit
expect_verdicts fam-persist $nodes
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-persist: node $i found all $nodes slices of run $run_id: PASS\$")" -eq 1 ] ||
		fail "node $i did not verify all slices of run $run_id"
done
check_s=$elapsed

# --- 3. a check that must fail ---------------------------------------------
fam_logs fam-persist-wrong-id
real_id=$run_id
run_id=$((real_id + 1))
fam_boot $nodes 120 "fame.run=fam-persist fam.persist=check"
run_id=$real_id
expect_clean_exit
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-persist: FAIL slice 0's header")" -eq 1 ] ||
		fail "node $i accepted the pool of run $real_id as run $((real_id + 1)):" \
			"the check cannot tell data apart"
done

# --- 4. another size on the same file ---------------------------------------
fam_logs fam-persist-size
fame_run 30 -machine "fame,nodes=1,fam-size=128M,fam-path=$pool" -m "${FAME_TEST_MEM}M" \
	-kernel "$FAME_GUEST/vmlinuz" -initrd "$FAME_GUEST/initramfs.cpio.gz" -nographic
if [ "$rc" -eq 0 ] || [ "$rc" -ge 124 ]; then
	fail "QEMU accepted fam-size=128M for a 64 MiB pool file (exit status $rc)"
fi
grep -q ' ready mem=' "$lines" && fail "a node booted despite the size mismatch"
if ! grep -qF "$pool" "$stderr" || ! grep -qiE 'size' "$stderr"; then
	fail "the error does not name the pool file and the size: $(head -n 3 "$stderr")"
fi
[ "$elapsed" -le 15 ] || fail "QEMU took $elapsed s to refuse the size"
check_headers "after the refused run with fam-size=128M"
error=$(head -n 1 "$stderr")

test_name=fam-persist
pass "written (${write_s} s), found again by a second run (${check_s} s)," \
	"refused with another run id; fam-size=128M refused: $error"
