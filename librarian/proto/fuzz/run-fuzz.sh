#!/bin/bash
# Build the Librarian protocol fuzzer with clang and libFuzzer, and run it.
#
# The FAME build uses gcc, and libFuzzer needs clang, so this sets up a
# second build directory of the same source with clang, where every layer
# (fabric model, policies, core, protocol) is compiled with ASan, UBSan and
# libFuzzer's coverage, and builds only librarian/proto/fuzz-request and
# the protocol's unit tests in it. The unit tests run first, under the
# sanitizers, then the fuzzer.
# docs/librarian-protocol.md ("Fuzzing") says how to run it for longer.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: run-fuzz.sh --source DIR --build DIR [--time SECONDS | --runs N]
                   [--corpus DIR] [-- LIBFUZZER-OPTIONS...]

  --source DIR   the FAME repository
  --build DIR    the clang build directory (set up if absent)
  --time S       stop after S seconds (default 45)
  --runs N       stop after N inputs instead
  --corpus DIR   where new inputs are kept (default BUILD/corpus); the
                 seeds in librarian/proto/fuzz/corpus are always read
  after --        options for libFuzzer, e.g. -jobs=2 -workers=2

Exit status 0 if nothing was found; otherwise the crashing input is in
BUILD/artifacts/ and the message says how to replay it.
EOF
}

die() {
	printf 'error: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'fix: %s\n' "$2" >&2
	exit 1
}

source_dir='' build_dir='' time=45 runs='' corpus=''
while [ $# -gt 0 ]; do
	case $1 in
	--source) source_dir=$2; shift 2 ;;
	--build) build_dir=$2; shift 2 ;;
	--time) time=$2; runs=; shift 2 ;;
	--runs) runs=$2; time=; shift 2 ;;
	--corpus) corpus=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	*) usage >&2; exit 2 ;;
	esac
done
if [ -z "$source_dir" ] || [ -z "$build_dir" ]; then
	usage >&2
	exit 2
fi
seeds=$source_dir/librarian/proto/fuzz/corpus
[ -d "$seeds" ] || die "no seed corpus at $seeds" "run from a FAME checkout"
corpus=${corpus:-$build_dir/corpus}
# Debian's packages that provide clang and libFuzzer's runtime.
packages="clang-14 libclang-rt-14-dev llvm-14"

#### clang and libFuzzer
cc=
for c in clang-14 clang; do
	if command -v "$c" >/dev/null; then
		cc=$(command -v "$c")
		break
	fi
done
[ -n "$cc" ] || die "clang is missing (the fuzzer needs clang and libFuzzer)" \
	"apt-get install $packages (scripts/install-deps installs them)"

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
	'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
	'{ (void)d; (void)n; return 0; }' >"$probe/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/probe.c" \
	-o "$probe/probe" 2>"$probe/log"; then
	sed 's/^/    | /' "$probe/log" >&2
	die "$cc cannot build a libFuzzer program (no libFuzzer or sanitizer runtime)" \
		"apt-get install $packages (scripts/install-deps installs them)"
fi
command -v meson >/dev/null || die "meson is missing" "run scripts/install-deps"

#### the clang build
san='-fsanitize=address,undefined'
if [ ! -f "$build_dir/build.ninja" ]; then
	printf 'fuzz: setting up the clang build in %s\n' "$build_dir"
	mkdir -p "$build_dir"
	# CFLAGS/LDFLAGS rather than -Dc_args: no option parsing of commas.
	if ! CC=$cc \
		CFLAGS="$san,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="$san" \
		meson setup "$build_dir" "$source_dir" -Dbuildtype=debugoptimized \
		-Dguest_lfs=false \
		>"$build_dir/setup.log" 2>&1; then
		tail -n 20 "$build_dir/setup.log" | sed 's/^/    | /' >&2
		rm -f "$build_dir/build.ninja"
		die "meson setup of the clang build failed (log: $build_dir/setup.log)"
	fi
fi
sanitized_tests="test-lib-decode test-lib-client-msg test-lib-proto"
printf 'fuzz: building fuzz-request and the protocol unit tests\n'
targets=(librarian/proto/fuzz-request)
for t in $sanitized_tests; do
	targets+=("librarian/proto/tests/$t")
done
# Two jobs at most: the machine is shared.
if ! meson compile -j 2 -C "$build_dir" "${targets[@]}" \
	>"$build_dir/compile.log" 2>&1; then
	{ grep -iE 'error' "$build_dir/compile.log" || true; } | head -n 20 | sed 's/^/    | /' >&2
	die "building the fuzzer failed (log: $build_dir/compile.log)"
fi
fuzzer=$build_dir/librarian/proto/fuzz-request
[ -x "$fuzzer" ] || die "$fuzzer was not built" \
	"is the Librarian core (fam_lib_core_dep) in the build?"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

#### the unit tests, under the same sanitizers (cheap, and they reach
#### corners a short fuzz run may not)
for t in $sanitized_tests; do
	if ! "$build_dir/librarian/proto/tests/$t" >"$build_dir/$t.log" 2>&1; then
		{ grep -E 'not ok|ERROR|Sanitizer|runtime error' "$build_dir/$t.log" || true; } |
			head -n 20 | sed 's/^/    | /' >&2
		die "$t failed under ASan/UBSan (log: $build_dir/$t.log)"
	fi
	printf 'fuzz: %s passed under ASan/UBSan\n' "$t"
done

#### the run
mkdir -p "$corpus" "$build_dir/artifacts"
limit=(-max_total_time="$time")
[ -n "$runs" ] && limit=(-runs="$runs")
printf 'fuzz: running %s (%s), corpus %s\n' "$fuzzer" "${limit[*]}" "$corpus"
status=0
"$fuzzer" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$build_dir/artifacts/" "$@" "$corpus" "$seeds" || status=$?
if [ $status -ne 0 ]; then
	printf 'error: the fuzzer found a problem (exit status %d); see above\n' $status >&2
	printf 'fix: replay it with: %s %s/artifacts/<crash-file>\n' "$fuzzer" "$build_dir" >&2
	exit 1
fi
printf 'fuzz: nothing found\n'
