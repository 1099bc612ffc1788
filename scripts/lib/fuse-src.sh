# shellcheck shell=bash
# libfuse for the guest's LFS daemon: Debian trixie's fuse3 source, checked
# by sha256 and built as a static library. Source scripts/lib/common.sh
# first.
#
# Why not bookworm's libfuse3-dev: it is 3.14, which has no FUSE
# passthrough API; the LFS needs 3.16 or newer (docs/lfs.md).

FAME_FUSE_VERSION=3.17.2
FAME_FUSE_TARBALL_NAME=fuse3_${FAME_FUSE_VERSION}.orig.tar.gz
FAME_FUSE_SHA256=3d932431ad94e86179e5265cddde1d67aa3bb2fb09a5bd35c641f86f2b5ed06f

# Build libfuse into PREFIX (PREFIX/lib/libfuse3.a, PREFIX/include/fuse3/),
# in WORK; quick when PREFIX already holds this version.
# usage: fame_fuse_build PREFIX WORK
fame_fuse_build() {
	local prefix=$1 work=$2 tarball stamp log start=$SECONDS
	stamp="$FAME_FUSE_VERSION $FAME_FUSE_SHA256 static"
	if [ -f "$prefix/lib/libfuse3.a" ] &&
		[ "$(cat "$prefix/.fame-fuse" 2>/dev/null)" = "$stamp" ]; then
		fame_step "libfuse $FAME_FUSE_VERSION is built ($prefix)"
		return 0
	fi
	tarball=$(FAME_APT_SUITE=$FAME_SRC_SUITE fame_source_fetch fuse3 \
		"$FAME_FUSE_TARBALL_NAME" "$FAME_FUSE_SHA256" 5MB)
	fame_step "building libfuse $FAME_FUSE_VERSION (static, for the guest; about 15 s)"
	rm -rf "$work" "$prefix"
	mkdir -p "$work/src"
	tar -xzf "$tarball" -C "$work/src" --strip-components=1 --no-same-owner ||
		fame_die "unpacking $tarball failed" "check the free disk space, or remove $tarball to download it afresh"
	log=$work/build.log
	# No utilities (fusermount3 is not needed: the daemon runs as root and
	# mounts itself), no examples or tests; the guest has no /etc/mtab.
	if ! {
		meson setup "$work/build" "$work/src" --prefix="$prefix" --libdir=lib \
			-Dbuildtype=release -Ddefault_library=static -Dutils=false \
			-Dexamples=false -Dtests=false -Dinitscriptdir= -Duseroot=false \
			-Ddisable-mtab=true &&
			ninja -C "$work/build" -j "$(nproc)" &&
			meson install -C "$work/build"
	} >"$log" 2>&1; then
		tail -n 20 "$log" | sed 's/^/    | /' >&2
		fame_die "building libfuse $FAME_FUSE_VERSION failed (log: $log)" \
			"run scripts/install-deps as root, then ./configure again"
	fi
	printf '%s\n' "$stamp" >"$prefix/.fame-fuse"
	rm -rf "$work"
	fame_info "built in $((SECONDS - start)) s"
}
