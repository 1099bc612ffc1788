# shellcheck shell=sh
# Sourced by /init before the node reports ready: mount the LFS at /lfs
# (docs/lfs.md). fame.lfs=0 on the kernel command line leaves it out. A
# machine without a Librarian has no LFS: fam-lfs exits 3 and nothing is
# said, as the node is fine without it. The daemon's messages go to
# /tmp/fam-lfs.log. Start it again by hand with `fam-lfs /lfs` (after
# `umount -l /lfs` if the old daemon died).
lfs=1
set -f
# shellcheck disable=SC2013 # words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in
	fame.lfs=*) lfs=${arg#*=} ;;
	esac
done
set +f
if [ "$lfs" != 0 ] && [ -e /dev/fam0 ]; then
	mkdir -p /lfs
	fam-lfs /lfs 2>>/tmp/fam-lfs.log
	case $? in
	0 | 3) ;;
	*) say "LFS not mounted at /lfs: $(tail -n 3 /tmp/fam-lfs.log)" ;;
	esac
fi
