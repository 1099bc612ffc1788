# shellcheck shell=bash
# Helpers shared by FAME's shell scripts: progress lines, fatal errors with
# a fix, and a private apt configuration for Debian downloads.
#
# The private apt configuration lets FAME fetch sources and packages from
# bookworm-backports without touching the system's apt sources: it has its
# own sources list, package lists and archive cache under $FAME_CACHE/apt.

FAME_TOP=${FAME_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
FAME_CACHE=${FAME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fame}
FAME_SUITE=${FAME_SUITE:-bookworm-backports}
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
# private configuration. Creates it on first use.
fame_apt() {
	local dir=$FAME_CACHE/apt tool=${FAME_APT_TOOL:-apt-get}
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	if [ ! -f "$dir/sources.list" ] || ! grep -q "$FAME_SUITE" "$dir/sources.list"; then
		printf 'deb %s %s main\ndeb-src %s %s main\n' \
			"$FAME_MIRROR" "$FAME_SUITE" "$FAME_MIRROR" "$FAME_SUITE" \
			>"$dir/sources.list"
	fi
	"$tool" -q -o Dir::Etc::SourceList="$dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" \
		-o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root \
		"$@"
}

# Refresh the private package lists at most once a day.
fame_apt_update() {
	local stamp=$FAME_CACHE/apt/updated
	if [ -z "$(find "$stamp" -mtime -1 2>/dev/null)" ]; then
		fame_step "updating the private apt lists for $FAME_SUITE"
		fame_apt update --error-on=any >/dev/null ||
			fame_die "apt-get update of $FAME_SUITE failed" \
				"check the network access to $FAME_MIRROR"
		touch "$stamp"
	fi
}

# Download a file with apt's helper and check its sha256.
# usage: fame_fetch URL DEST SHA256
fame_fetch() {
	local url=$1 dest=$2 sum=$3
	if [ -f "$dest" ] && echo "$sum  $dest" | sha256sum -c --status; then
		return 0
	fi
	mkdir -p "$(dirname "$dest")"
	/usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file \
		"$url" "$dest.part" "SHA256:$sum" >/dev/null ||
		fame_die "download of $url failed or its sha256 did not match" \
			"check the network access to $FAME_MIRROR"
	mv "$dest.part" "$dest"
}
