#!/bin/bash
# checkpatch.sh: the guest driver and its uapi headers follow the kernel's
# coding style: scripts/checkpatch.pl of the guest kernel's own source
# (Debian's linux-source-<major.minor> package of the same version, from
# bookworm-backports) reports no error and no warning on any of them.
#
# checkpatch.pl and the two data files it reads are extracted once from
# the package into $FAME_CACHE/checkpatch-<version>/ (the package is about
# 150 MB; it is deleted after extraction).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib/common.sh
. "$top/scripts/lib/common.sh"

kver_file=${FAME_GUEST:-$top/build/guest}/kernel-version
[ -s "$kver_file" ] || fame_die "no guest image: $kver_file is missing" \
	"run meson compile -C build (or scripts/build-guest) first"
kver=$(cat "$kver_file")
series=$(echo "$kver" | cut -d. -f1-2)
pkg=linux-source-$series
dir=$FAME_CACHE/checkpatch-$kver
cp_pl=$dir/scripts/checkpatch.pl

if [ ! -f "$dir/.done" ]; then
	fame_apt_update
	ver=$(FAME_APT_TOOL=apt-cache fame_apt show --no-all-versions "$pkg" 2>/dev/null |
		awk '/^Version:/ { print $2; exit }')
	[ -n "$ver" ] || fame_die "cannot resolve $pkg in $FAME_SUITE" \
		"check the network access to $FAME_MIRROR"
	rm -rf "$dir"
	mkdir -p "$dir/dl"
	fame_step "downloading $pkg $ver for checkpatch.pl (~150 MB, once)"
	(cd "$dir/dl" && fame_apt download "$pkg=$ver" >/dev/null) ||
		fame_die "cannot download $pkg" "check the network access to $FAME_MIRROR"
	fame_step "extracting checkpatch.pl"
	dpkg-deb --fsys-tarfile "$dir"/dl/*.deb |
		tar -xO --wildcards "*/$pkg.tar.xz" | xz -dc |
		tar -x -C "$dir" --strip-components=1 --wildcards \
			"$pkg/scripts/checkpatch.pl" "$pkg/scripts/spelling.txt" \
			"$pkg/scripts/const_structs.checkpatch"
	rm -rf "$dir/dl"
	[ -f "$cp_pl" ] || fame_die "$pkg has no scripts/checkpatch.pl"
	touch "$dir/.done"
fi

cd "$top"
files=(guest-driver/*.c guest-driver/*.h guest-driver/uapi/fame/*.h)
out=$(perl "$cp_pl" --no-tree --terse --show-types -f "${files[@]}" 2>&1) || true
if echo "$out" | grep -qE ': (ERROR|WARNING):'; then
	echo "$out" | grep -E ': (ERROR|WARNING):'
	echo "FAIL: checkpatch.pl (kernel $kver) finds problems in guest-driver/ (above)"
	exit 1
fi
echo "PASS: checkpatch.pl (kernel $kver): ${#files[@]} files of guest-driver/, no error or warning"
