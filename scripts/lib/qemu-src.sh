# shellcheck shell=bash
# The QEMU base and FAME's patch series, shared by ./configure and
# tests/patches-apply.sh. Source scripts/lib/common.sh first.
#
# A patched tree records what was applied in <tree>/.fame/: the file
# `series` lists "sha256 name" of each applied patch in order, and
# applied/ holds a copy of each, so that a changed series can be undone
# exactly (patch -R with the copy) before the new one is applied.

FAME_QEMU_VERSION=10.0.2
FAME_QEMU_TARBALL_NAME=qemu_${FAME_QEMU_VERSION}+ds.orig.tar.xz
FAME_QEMU_SHA256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
FAME_PATCHES_DIR=${FAME_PATCHES_DIR:-$FAME_TOP/qemu-patches}

# Print the cached tarball's path, downloading it first if needed (from
# bookworm-backports, or the pool once that has moved past 10.0.2).
fame_qemu_fetch() {
	fame_source_fetch qemu "$FAME_QEMU_TARBALL_NAME" "$FAME_QEMU_SHA256" 39MB
}

# Check a local tarball's sha256; die with the fix if it is wrong.
fame_qemu_check_tarball() {
	[ -f "$1" ] || fame_die "no such file: $1" "give --qemu-tarball the path of $FAME_QEMU_TARBALL_NAME"
	fame_step "checking the sha256 of $1"
	echo "$FAME_QEMU_SHA256  $1" | sha256sum -c --status ||
		fame_die "$1 is not $FAME_QEMU_TARBALL_NAME: its sha256 is not $FAME_QEMU_SHA256" \
			"use the upstream tarball Debian ships as $FAME_QEMU_TARBALL_NAME, or drop --qemu-tarball to download it"
}

# Unpack TARBALL into DEST (which must not exist). Extracted files get the
# current time as mtime (--touch), so that a re-extract over an old build
# makes ninja rebuild whatever changed.
fame_qemu_unpack() {
	local tarball=$1 dest=$2 start=$SECONDS
	fame_step "unpacking ${tarball##*/} into $dest (about 410 MB)"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	tar -xJf "$tarball" -C "$dest.tmp" --strip-components=1 --no-same-owner --touch ||
		fame_die "unpacking $tarball failed" "check the free disk space and run ./configure again"
	{ [ -f "$dest.tmp/VERSION" ] && [ "$(cat "$dest.tmp/VERSION")" = "$FAME_QEMU_VERSION" ]; } ||
		fame_die "$tarball did not unpack to a QEMU $FAME_QEMU_VERSION tree" \
			"remove it and run ./configure again to download it afresh"
	mv "$dest.tmp" "$dest"
	fame_info "unpacked in $((SECONDS - start)) s"
}

# Load the patch series into FAME_SERIES (paths, in order) and
# FAME_SERIES_SUMS ("sha256 name" each). Dies if the directory holds a file
# that is not named NNNN-*.patch, or two patches share a number.
fame_patch_series() {
	local dir=$FAME_PATCHES_DIR f name prev=
	[ -d "$dir" ] || fame_die "no patch directory $dir" "restore qemu-patches/ from git"
	FAME_SERIES=()
	FAME_SERIES_SUMS=()
	while IFS= read -r f; do
		name=${f##*/}
		case $name in
		[0-9][0-9][0-9][0-9]-*.patch) ;;
		README* | *.md) continue ;;
		*) fame_die "unexpected file in the patch series: $f" \
			"name patches NNNN-what-it-does.patch, or move $name out of $dir" ;;
		esac
		[ "${name:0:4}" != "$prev" ] ||
			fame_die "two patches are numbered ${name:0:4} in $dir" "renumber one of them"
		prev=${name:0:4}
		FAME_SERIES+=("$f")
		FAME_SERIES_SUMS+=("$(sha256sum <"$f" | cut -d' ' -f1) $name")
	done < <(find "$dir" -mindepth 1 -maxdepth 1 | LC_ALL=C sort)
}

# Apply (or with -R, revert) one patch in TREE, all or nothing: a dry run
# first, so a failing patch leaves the tree untouched. No fuzz is allowed.
# usage: fame_patch_apply TREE PATCH [-R]
fame_patch_apply() {
	local tree=$1 patch=$2 out
	shift 2
	local args=(-p1 -d "$tree" --batch --forward --fuzz=0 --no-backup-if-mismatch -r - "$@")
	if ! out=$(patch --dry-run "${args[@]}" <"$patch" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/    | /' >&2
		return 1
	fi
	patch -s "${args[@]}" <"$patch" >/dev/null
}

# Bring TREE's applied patches in line with the series: revert what differs
# (newest first, with the recorded copies), then apply the rest in order.
# Returns 0 if the tree changed, 1 if it was already up to date; dies naming
# the patch that does not apply. If a recorded patch cannot be reverted it
# returns 2 and leaves the tree as it was (the caller re-extracts or dies).
fame_patch_sync() {
	local tree=$1 stamp=$1/.fame/series
	local -a want have
	local i keep name sum
	fame_patch_series
	want=("${FAME_SERIES_SUMS[@]}")
	have=()
	[ -f "$stamp" ] && mapfile -t have <"$stamp"
	keep=0
	while [ $keep -lt ${#want[@]} ] && [ $keep -lt ${#have[@]} ] &&
		[ "${want[keep]}" = "${have[keep]}" ]; do
		keep=$((keep + 1))
	done
	if [ $keep -eq ${#want[@]} ] && [ $keep -eq ${#have[@]} ]; then
		return 1
	fi
	mkdir -p "$tree/.fame/applied"
	[ $keep -ge ${#have[@]} ] ||
		fame_step "the patch series changed from ${have[keep]#* } on: reverting the applied patches from there"
	for ((i = ${#have[@]} - 1; i >= keep; i--)); do
		name=${have[i]#* }
		fame_step "reverting $name"
		if ! fame_patch_apply "$tree" "$tree/.fame/applied/$name" -R; then
			fame_info "could not revert $name"
			return 2
		fi
		rm -f "$tree/.fame/applied/$name"
		printf '%s\n' "${have[@]:0:i}" | sed '/^$/d' >"$stamp"
	done
	for ((i = keep; i < ${#want[@]}; i++)); do
		sum=${want[i]%% *}
		name=${want[i]#* }
		fame_step "applying ${FAME_PATCHES_DIR/#$FAME_TOP\//}/$name"
		fame_patch_apply "$tree" "$FAME_PATCHES_DIR/$name" ||
			fame_die "patch $name does not apply to QEMU $FAME_QEMU_VERSION (tree: $tree)" \
				"fix $FAME_PATCHES_DIR/$name so it applies after the patches before it (tests/patches-apply.sh checks the series), then run ./configure again (if an interrupted run left the tree half-patched, remove $tree first)"
		# Record exactly the bytes that were applied.
		cp "$FAME_PATCHES_DIR/$name" "$tree/.fame/applied/$name"
		[ "$(sha256sum <"$tree/.fame/applied/$name" | cut -d' ' -f1)" = "$sum" ] ||
			fame_die "$name changed while it was being applied" "run ./configure again"
		printf '%s\n' "${want[i]}" >>"$stamp"
	done
	return 0
}
