#!/usr/bin/env bash
# bench/compare.sh — `firetrail generate --format cloudtrail` with files on
# disk, one core, of a git revision against the working tree, each as a
# ratio to klauspost gzip alone on the same bytes measured beside it.
#
#   bench/compare.sh REV [COUNT]      (COUNT rounds, default 7)
#
# Builds cmd/firetrail's test binary at REV (in a temporary worktree) and
# from the working tree, then runs, COUNT times over, for REV and then the
# working tree: BenchmarkGenerateGzipFilesOnly and
# BenchmarkGenerateCloudTrailDisk, each a process of its own on one core.
# Prints every run's MB/cpu-s and ratio, then the median ratio of each side
# and their quotient. Runs of the two sides alternate seconds apart, so a
# busy spell of a shared machine hits both; the spread of one side's runs
# is the noise to read a difference against.
#
# The trees go under BENCH_DIR (default: the repository) and stay until the
# end; go builds with its work directory on tmpfs when /dev/shm is one. On
# ext4 without a journal, creating files within minutes of a large deletion
# on the same file system costs the kernel several times more (README,
# Performance): do not start right after one.
#
# With BENCH_LOOPFS=1 (root only) each side's pair of runs gets a new
# ext4 file system under BENCH_DIR (bench/loopfs.sh), so that no run meets
# the trees of the runs before it: on this VM's root, rounds slowed as the
# kept trees piled up (0.49x then 0.30x in one run).
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.."

case ${1:-} in
-h | --help | "") sed -n '2,/^set /p' "$self" | sed '$d; s/^# \{0,1\}//'; [ -n "${1:-}" ]; exit ;;
esac
rev=$(git rev-parse --short "$1^{commit}") || { echo "bench/compare.sh: unknown revision $1" >&2; exit 2; }
count=${2:-7}
case $count in *[!0-9]* | "" | 0) echo "bench/compare.sh: COUNT must be a positive number" >&2; exit 2 ;; esac
unset AWS_CA_BUNDLE

tmp=$(mktemp -d)
gotmp=$tmp
if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then gotmp=$(mktemp -d /dev/shm/firetrail-compare-XXXXXX); fi
disk=$(mktemp -d "${BENCH_DIR:-$PWD}/.bench-disk-XXXXXX")
wt=$gotmp/rev
. "$(dirname "$self")/loopfs.sh"
cleanup() {
	git worktree remove --force "$wt" 2>/dev/null || true
	loopfs_cleanup "$disk"
	rm -rf "$tmp" "$gotmp" "$disk"
}
trap cleanup EXIT
if [ "${BENCH_LOOPFS:-}" = 1 ]; then
	loopfs_fresh "$disk" # fails early (exit 2) where it cannot work
	echo "== each side's runs on a new ext4 file system mounted on $disk"
fi

echo "== building $rev and the working tree"
git worktree add -q --detach "$wt" "$rev"
(cd "$wt" && GOTMPDIR=$gotmp GOFLAGS=-buildvcs=false go test -c -o "$tmp/rev.test" ./cmd/firetrail)
GOTMPDIR=$gotmp go test -c -o "$tmp/work.test" ./cmd/firetrail

# mbcpu SIDE NAME: one run of benchmark NAME of SIDE's binary; its MB/cpu-s.
mbcpu() {
	FIRETRAIL_BENCH_DIR=$disk "$tmp/$1.test" -test.run '^$' -test.bench "^$2\$" -test.benchtime 1x -test.cpu 1 |
		awk '{ for (i = 2; i < NF; i++) if ($(i+1) == "MB/cpu-s") print $i }'
}

echo "== $count rounds: gzip alone, then the tree on disk; $rev, then the working tree"
for i in $(seq "$count"); do
	for side in rev work; do
		loopfs_fresh "$disk"
		gz=$(mbcpu "$side" BenchmarkGenerateGzipFilesOnly)
		dk=$(mbcpu "$side" BenchmarkGenerateCloudTrailDisk)
		r=$(awk -v a="$dk" -v b="$gz" 'BEGIN { printf "%.3f", a / b }')
		echo "$r" >>"$tmp/$side.ratios"
		printf 'round %d %-4s gzip %7s MB/cpu-s  disk %7s MB/cpu-s  ratio %s\n' "$i" "$side" "$gz" "$dk" "$r"
	done
done

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
a=$(median "$tmp/rev.ratios")
b=$(median "$tmp/work.ratios")
echo "== median ratio to gzip alone: $rev ${a}x, working tree ${b}x ($(awk -v a="$a" -v b="$b" 'BEGIN { printf "%+.1f%%", (b / a - 1) * 100 }'))"
