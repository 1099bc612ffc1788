#!/bin/bash
# Test: FAME's QEMU patch series applies cleanly, in order and without fuzz,
# to a fresh unpack of the verified QEMU 10.0.2 tarball, and every patch is
# well formed (NNNN-name.patch, a subject, a header that says why, and a
# Signed-off-by: line in that header).
#
# Uses $FAME_QEMU_TARBALL, else the cached tarball in $FAME_CACHE/dl; skips
# (exit 77) if there is none (./configure --qemu-src does not download it).
set -euo pipefail

if [ "${1:-}" = --help ] || [ "${1:-}" = -h ]; then
	cat <<'EOF'
usage: tests/patches-apply.sh

Check that qemu-patches/ (or $FAME_PATCHES_DIR) applies cleanly to a fresh
unpack of qemu_10.0.2+ds.orig.tar.xz ($FAME_QEMU_TARBALL, else the cached
copy). Exit 0 pass, 1 fail, 77 skipped (no tarball).
EOF
	exit 0
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/common.sh
. "$here/../scripts/lib/common.sh"
# shellcheck source=scripts/lib/qemu-src.sh
. "$here/../scripts/lib/qemu-src.sh"

tarball=${FAME_QEMU_TARBALL:-}
[ -n "$tarball" ] || tarball=$FAME_CACHE/dl/$FAME_QEMU_TARBALL_NAME
if [ ! -f "$tarball" ]; then
	echo "SKIP: no $FAME_QEMU_TARBALL_NAME at $tarball (run ./configure without --qemu-src to fetch it)"
	exit 77
fi
echo "$FAME_QEMU_SHA256  $tarball" | sha256sum -c --status ||
	fame_die "$tarball does not have the sha256 of $FAME_QEMU_TARBALL_NAME" "remove it and run ./configure"

fame_patch_series
[ ${#FAME_SERIES[@]} -gt 0 ] || fame_die "the patch series in $FAME_PATCHES_DIR is empty" \
	"restore qemu-patches/ from git"

fails=0
fail() {
	printf 'FAIL: %s\n' "$*"
	fails=$((fails + 1))
}

# Each patch's header: a Subject line, and a description before the diff.
for p in "${FAME_SERIES[@]}"; do
	name=${p##*/}
	grep -q '^Subject: ' "$p" || { fail "$name has no Subject: line (make it with git format-patch)"; continue; }
	awk '
		/^Subject: / { subj = 1; next }
		subj && !body && /^$/ { body = 1; next }
		body && (/^---$/ || /^diff --git / || /^--- /) { exit }
		body && NF { words++ }
		END { exit !(words > 0) }
	' "$p" || fail "$name has no description after its Subject: say why the patch is needed"
	# ... and a sign-off (Name <address>) in the message, before the diff.
	awk '
		/^---$/ || /^diff --git / || /^--- / { exit }
		/^Signed-off-by: [^<]*[^< ] <[^<>@ ]+@[^<> ]+>$/ { signed = 1 }
		END { exit !signed }
	' "$p" || fail "$name has no Signed-off-by: Name <address> line before its diff (git commit -s; see qemu-patches/README)"
	grep -q '^+++ ' "$p" || fail "$name contains no diff"
done

tree=$(mktemp -d "${TMPDIR:-/tmp}/fame-patches-apply.XXXXXX")
trap 'rm -rf "$tree"' EXIT
fame_qemu_unpack "$tarball" "$tree/qemu"

for p in "${FAME_SERIES[@]}"; do
	name=${p##*/}
	if fame_patch_apply "$tree/qemu" "$p" 2>"$tree/err"; then
		echo "ok   $name"
	else
		cat "$tree/err"
		fail "$name does not apply cleanly after the patches before it"
		break
	fi
done
leftovers=$(find "$tree/qemu" \( -name '*.rej' -o -name '*.orig' \) | head -n 5)
[ -z "$leftovers" ] || fail "patching left reject or backup files: $leftovers"

if [ $fails -gt 0 ]; then
	echo "$fails problem(s) in the patch series ($FAME_PATCHES_DIR)"
	exit 1
fi
echo "the ${#FAME_SERIES[@]} patches of $FAME_PATCHES_DIR apply cleanly to QEMU $FAME_QEMU_VERSION"
