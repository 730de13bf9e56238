# bench/loopfs.sh — sourced by the benchmarks that write CloudTrail trees
# to disk (bench/compare.sh, bench/generate.sh, bench/run).
#
# With BENCH_LOOPFS=1 (root, mkfs.ext4 and a loop device needed),
# loopfs_fresh DIR gives DIR a new ext4 file system (no journal, like this
# VM's root; inode tables initialised at mkfs, not in the background) from
# a sparse image, made anew at every call, so that each measurement starts
# on an empty file system: the kernel's cost of creating a file grows with
# the inodes and dentries of the trees written before it on the same file
# system (one run of 7 rounds on this VM went from 0.49x to 0.30x of gzip
# with the earlier rounds' trees kept; a new file system for each round
# held 0.48x to 0.51x). The image goes in /dev/shm when it is a tmpfs with
# room, so the loop device's writes go to memory, not to a disk that other
# work shares. Without BENCH_LOOPFS=1 both functions do nothing.

loopfs_img=

# loopfs_fresh DIR: unmount DIR's last file system, if any, and mount a new
# one on it, with room for LOOPFS_INODES files (default 200,000). Exits 2,
# with a message, if it cannot.
loopfs_fresh() {
	[ "${BENCH_LOOPFS:-}" = 1 ] || return 0
	loopfs_cleanup "$1"
	local where=$1.img
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
		[ "$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')" -gt $((4 << 20)) ]; then
		where=$(mktemp -u /dev/shm/firetrail-loopfs-XXXXXX.img)
	fi
	loopfs_img=$where
	truncate -s 16G "$loopfs_img"
	mkfs.ext4 -q -F -O ^has_journal -E lazy_itable_init=0 -N "${LOOPFS_INODES:-200000}" "$loopfs_img" || {
		echo "BENCH_LOOPFS=1: mkfs.ext4 failed" >&2
		loopfs_cleanup "$1"
		exit 2
	}
	mount -o loop "$loopfs_img" "$1" || {
		echo "BENCH_LOOPFS=1: cannot mount a loop device (root needed)" >&2
		loopfs_cleanup "$1"
		exit 2
	}
}

# loopfs_cleanup DIR: unmount DIR's file system and remove its image.
loopfs_cleanup() {
	[ -n "$loopfs_img" ] || return 0
	umount "$1" 2>/dev/null || true
	rm -f "$loopfs_img"
	loopfs_img=
}
