# shellcheck shell=bash
# Helpers shared by FAME's shell scripts: progress lines, fatal errors with
# a fix, and a private apt configuration for Debian downloads.
#
# The private apt configuration lets FAME fetch sources and packages from
# bookworm-backports without touching the system's apt sources: it has its
# own sources list, package lists and archive cache under $FAME_CACHE/apt.
# Sources of a newer suite (trixie's fuse3, for the guest's LFS) come from a
# second, source-only configuration under $FAME_CACHE/apt-<suite>, so that
# nothing built from bookworm-backports can pick a package from it.

FAME_TOP=${FAME_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAME_CACHE=${FAME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fame}
FAME_SUITE=${FAME_SUITE:-bookworm-backports}
FAME_SRC_SUITE=${FAME_SRC_SUITE:-trixie}
FAME_MIRROR=${FAME_MIRROR:-http://deb.debian.org/debian}

# A progress line for a long step.
fame_step() { printf '==> %s\n' "$*"; }

# An informational line.
fame_info() { printf '    %s\n' "$*"; }

# Print an error and how to fix it, then exit non-zero.
# usage: fame_die "what went wrong" ["how to fix it"]
fame_die() {
	printf 'error: %s\n' "$1" >&2
	[ -n "${2:-}" ] && printf 'fix:   %s\n' "$2" >&2
	exit 1
}

# Run apt-get (or apt-cache with FAME_APT_TOOL=apt-cache) against the
# private configuration of FAME_SUITE, or with FAME_APT_SUITE set to
# another suite, against that suite's source-only one. Creates it on first
# use.
fame_apt() {
	local suite=${FAME_APT_SUITE:-$FAME_SUITE} tool=${FAME_APT_TOOL:-apt-get}
	local dir=$FAME_CACHE/apt list
	if [ "$suite" = "$FAME_SUITE" ]; then
		list=$(printf 'deb %s %s main\ndeb-src %s %s main\n' \
			"$FAME_MIRROR" "$suite" "$FAME_MIRROR" "$suite")
	else
		dir=$FAME_CACHE/apt-$suite
		list=$(printf 'deb-src %s %s main\n' "$FAME_MIRROR" "$suite")
	fi
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	if [ "$(cat "$dir/sources.list" 2>/dev/null)" != "$list" ]; then
		printf '%s\n' "$list" >"$dir/sources.list"
		rm -f "$dir/updated"
	fi
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root \
		"$@"
}

# Refresh the private package lists (of FAME_APT_SUITE, as fame_apt) at
# most once a day.
fame_apt_update() {
	local suite=${FAME_APT_SUITE:-$FAME_SUITE} stamp
	stamp=$FAME_CACHE/apt/updated
	[ "$suite" = "$FAME_SUITE" ] || stamp=$FAME_CACHE/apt-$suite/updated
	if [ -z "$(find "$stamp" -mtime -1 2>/dev/null)" ]; then
		fame_step "updating the private apt lists for $suite"
		fame_apt update --error-on=any >/dev/null ||
			fame_die "apt-get update of $suite failed" \
				"check the network access to $FAME_MIRROR"
		touch "$stamp"
	fi
}

# Print the path of a Debian source package's file in the download cache,
# downloading it first if needed and checking its sha256. The URL comes from
# `apt-get source --print-uris PKG` in the private configuration of
# FAME_APT_SUITE (default FAME_SUITE); once that suite has moved on to a
# newer version, the file's path in the archive's pool is tried.
# usage: fame_source_fetch PKG FILE SHA256 SIZE  (SIZE: for the progress line)
fame_source_fetch() {
	local pkg=$1 name=$2 sum=$3 size=$4 dest url pool
	local suite=${FAME_APT_SUITE:-$FAME_SUITE}
	dest=$FAME_CACHE/dl/$name
	if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then
		printf '%s\n' "$dest"
		return 0
	fi
	fame_apt_update >&2
	url=$(fame_apt source --print-uris "$pkg" 2>/dev/null |
		awk -v n="$name" '$2 == n { gsub("\047", "", $1); print $1 }') || url=
	if [ -z "$url" ]; then
		case $pkg in
		lib?*) pool=${pkg:0:4} ;;
		*) pool=${pkg:0:1} ;;
		esac
		url=$FAME_MIRROR/pool/main/$pool/$pkg/$name
		fame_info "$suite no longer lists $name; trying $url" >&2
	fi
	fame_step "downloading $name ($size) from $url" >&2
	mkdir -p "$(dirname "$dest")"
	if ! /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file \
		"$url" "$dest.part" "SHA256:$sum" >/dev/null; then
		rm -f "$dest.part"
		fame_die "could not download $url, or its sha256 was not $sum" \
			"check the network access to $FAME_MIRROR, or put $name (sha256 $sum) into $FAME_CACHE/dl/"
	fi
	mv "$dest.part" "$dest"
	printf '%s\n' "$dest"
}
