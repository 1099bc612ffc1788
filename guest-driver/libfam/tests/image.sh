#!/bin/bash
# libfam-image: the header and library as the guest image carries them
# (the tree meson stages for scripts/build-guest --extra) build a static
# program on their own, with no path into the source tree: the
# documentation's example (example.c), which must then count 1, 2, 3 in
# a file across three runs.
#
# usage: image.sh IMAGE-TREE EXAMPLE.c CC
set -u -o pipefail
tree=$1 src=$2 cc=$3
fail() {
	echo "FAIL: libfam-image: $*"
	exit 1
}
for f in usr/include/fame/libfam.h usr/lib/libfam.a; do
	[ -f "$tree/$f" ] || fail "$tree/$f is missing"
done
tmp=$(mktemp -d) || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT
"$cc" -std=c11 -Wall -Wextra -Werror -static -O2 -o "$tmp/example" "$src" \
	-isystem "$tree/usr/include" -L"$tree/usr/lib" -lfam 2>"$tmp/cc.log" ||
	fail "building the example against $tree: $(cat "$tmp/cc.log")"
for i in 1 2 3; do
	out=$("$tmp/example" "$tmp/counters") || fail "run $i failed: $out"
	[ "$out" = "hits $i, under the lock $i" ] || fail "run $i printed '$out'"
done
echo "PASS: libfam-image: the image's libfam.h and libfam.a build the example; three runs counted 1, 2, 3"
