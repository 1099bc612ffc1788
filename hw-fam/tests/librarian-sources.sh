#!/bin/bash
# librarian-sources.sh: QEMU compiles the Librarian's code into the
# fam-fabric device from its own list of files (hw-fam/meson.build, as
# QEMU's build cannot see FAME's). Every C file of the Librarian's core,
# policies and server-side protocol must be on that list, or QEMU's link
# fails the next time it is built: say which, now.
set -u -o pipefail
top=${FAME_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
list=$top/hw-fam/meson.build
# The client side's list walker is not needed inside QEMU.
skip=' librarian/proto/lib-client-list.c '
missing=()
for f in "$top"/librarian/core/*.c "$top"/librarian/policy/*.c "$top"/librarian/proto/*.c; do
	rel=${f#"$top"/}
	case $skip in *" $rel "*) continue ;; esac
	grep -qF "'../$rel'" "$list" || missing+=("$rel")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "FAIL: hw-fam/meson.build does not list: ${missing[*]}"
	echo "fix: add them to fam_librarian_lib's files() there"
	exit 1
fi
for f in $(grep -oE "'\.\./librarian/[^']+\.c'" "$list" | tr -d "'"); do
	[ -f "$top/hw-fam/$f" ] || { echo "FAIL: hw-fam/meson.build lists $f, which does not exist"; exit 1; }
done
echo "PASS: QEMU's build lists every Librarian source it needs"
