#!/bin/bash
# lfs-fuzz.sh: random requests at the driver's interface and at the LFS,
# on 2 nodes at once (tests/guest/fam-ioctl-fuzz.c, tests/guest/lfs-fuzz.c).
#
# Each node first sends FAM_IOC_LIB, FAM_IOC_SHELF_FILE and shelf file calls
# with random arguments (the kernel log must stay clean, nothing may be
# granted that the caller does not hold, no handle may leak), then makes
# random file system calls in /lfs and the same in a tmpfs, which must
# agree. The seed is the run id unless FAME_FUZZ_SEED is set (to replay a
# failure: the nodes print the seed they used). At the end the Librarian's
# database must pass fsck, offline, with the pool file.
set -u -o pipefail
# shellcheck source-path=SCRIPTDIR source=fam-helpers.sh
. "$(dirname "$0")/fam-helpers.sh"

nodes=2
FAM_TEST_LIBRARIAN=on
# 128 books of 2 MiB: every file of both programs gets its own
FAM_TEST_POOL_SIZE=256M
fam_init lfs-fuzz
append="fame.run=fam-ioctl-fuzz,lfs-fuzz"
[ -z "${FAME_FUZZ_SEED:-}" ] || append+=" fam.fuzz_seed=$FAME_FUZZ_SEED"
[ -z "${FAME_FUZZ_STEPS:-}" ] || append+=" fam.fuzz_steps=$FAME_FUZZ_STEPS"
fam_boot "$nodes" 600 "$append" -machine "fam-model=$(dirname "$0")/small-books.ini"
expect_clean_exit
expect_verdicts fam-ioctl-fuzz "$nodes"
expect_verdicts lfs-fuzz "$nodes"
for ((i = 0; i < nodes; i++)); do
	[ "$(count_node "$i" "^fame-test fam-ioctl-fuzz: node $i: [0-9]+ calls, [0-9]+ succeeded \\([0-9]+ Librarian replies, [0-9]+ shelf files, [0-9]+ mappings, [0-9]+ writes read back\\), [0-9]+ faults caught in mappings, [0-9.]+ s; no open handle left, kernel log clean\$")" -eq 1 ] ||
		fail "node $i did not report its driver fuzzing"
	[ "$(count_node "$i" "^fame-test lfs-fuzz: node $i: [0-9]+ steps, [0-9]+ outcomes compared, trees equal, [0-9.]+ s\$")" -eq 1 ] ||
		fail "node $i did not report its LFS fuzzing"
done
seed=$(node_lines 0 | sed -nE 's/.*fam-ioctl-fuzz: node 0: seed=([0-9]+) .*/\1/p' | head -n1)

# The database after all that: consistent with itself and the pool
fam_lib=$FAME_BUILD/librarian/cli/fam-lib
models=(--models-dir "$(dirname "$0")") # where small-books.ini is
if ! "$fam_lib" "${models[@]}" --pool "$pool" fsck >"$FAME_TEST_LOGS/lfs-fuzz.fsck" 2>&1; then
	cat "$FAME_TEST_LOGS/lfs-fuzz.fsck"
	fail "fam-lib fsck found problems in the database after the fuzzing (seed $seed)"
fi
# Nothing left: every shelf either program made is gone, with its books
in_use=$("$fam_lib" "${models[@]}" --pool "$pool" --json df | sed -nE 's/.*"inuse": *([0-9]+).*/\1/p')
[ "$in_use" = 0 ] || fail "$("$fam_lib" "${models[@]}" --pool "$pool" df; "$fam_lib" "${models[@]}" --pool "$pool" ls -l /)
the pool has ${in_use:-?} books in use after the fuzzing, not 0 (seed $seed)"
pass "fuzzing on $nodes nodes (seed $seed): the driver's interface and the LFS against tmpfs agree; fsck clean; ${elapsed} s"
