#!/bin/sh
# bench/generate.sh — benchmarks of the generator and `firetrail generate`,
# with the ratios the performance targets are stated in.
#
#   bench/generate.sh [benchtime]      (default 5x; each op is 200,000 records)
#
# Prints the Go benchmarks (one core: -cpu 1; cloudtrail also with 2 cores),
# then the ratios, then `firetrail generate --format cloudtrail` end to end
# with files on disk against klauspost gzip alone on the same bytes
# (E2E_RUNS runs of each, default 5, medians; FIRETRAIL_BENCH_EVENTS events
# a run, default 200,000; trees under BENCH_DIR, default the repository), then
# peak RSS of a 10,000,000-event run from /usr/bin/time -v. With
# BENCH_LOOPFS=1 (root only) every end-to-end run gets a new file system
# (bench/loopfs.sh). Throughput per
# CPU second ("/cpu-s") is the figure to read on a shared machine:
# wall-clock figures also count waiting for a core.
set -eu
cd "$(dirname "$0")/.."
benchtime=${1:-5x}
out=$(mktemp)
trap 'rm -f "$out" /tmp/firetrail-bench-bin' EXIT

go test -run '^$' -bench 'NDJSON|GenerateOnly|AppendJSONOnly|CloudTrail$|GzipOnly|GzipFilesOnly' \
	-benchtime "$benchtime" -cpu 1 ./generator/ | tee "$out"
go test -run '^$' -bench 'CloudTrailPrefetch|GzipFilesOnly' -benchtime "$benchtime" -cpu 2 ./generator/ | tee -a "$out"

# metric NAME UNIT: the value of UNIT in benchmark NAME's line.
metric() {
	awk -v name="$1" -v unit="$2" '$1 == name { for (i = 2; i < NF; i++) if ($(i+1) == unit) print $i }' "$out" | tail -1
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# median NAME UNIT FILE: the median of the UNIT figures of benchmark NAME.
median() {
	awk -v name="$1" -v unit="$2" '$1 == name { for (i = 2; i < NF; i++) if ($(i+1) == unit) print $i }' "$3" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'
}

nd=$(metric BenchmarkNDJSON records/cpu-s)
ndmb=$(metric BenchmarkNDJSON MB/cpu-s)
js=$(metric BenchmarkNDJSONEncodingJSON records/cpu-s)
ct=$(metric BenchmarkCloudTrail MB/cpu-s)
gz=$(metric BenchmarkGzipOnly MB/cpu-s)
gzf=$(metric BenchmarkGzipFilesOnly MB/cpu-s)
ctp=$(metric BenchmarkCloudTrailPrefetch-2 MB/s)
gzf2=$(metric BenchmarkGzipFilesOnly-2 MB/s)
echo
echo "ndjson, one core:            $nd records/cpu-s, $ndmb MB/cpu-s  (targets 400000 and 500)"
echo "ndjson vs encoding/json:     $(ratio "$nd" "$js")x"
echo "cloudtrail / gzip per file:  $(ratio "$ct" "$gzf")  one core (target 0.60)"
echo "cloudtrail / gzip one stream: $(ratio "$ct" "$gz")  one core"
echo "cloudtrail+prefetch / gzip per file, 2 cores, wall: $(ratio "$ctp" "$gzf2")"

# End to end, files on disk: runs of the generate command and of gzip
# alone alternate, one process each (-cpu 1: one core for Go code). The
# trees stay until every run is over: on ext4, creating files soon after
# deleting many costs far more kernel time. Between them, the built command
# writes the same tree with GOMAXPROCS=1 under GNU time: its user and system
# (kernel: the files) CPU seconds.
go build -o /tmp/firetrail-bench-bin ./cmd/firetrail
e2e=$(mktemp)
# Not in /tmp by default: see BENCH_DIR in bench/run.
e2edir=$(mktemp -d "${BENCH_DIR:-$PWD}/.bench-disk-XXXXXX")
. bench/loopfs.sh
trap 'loopfs_cleanup "$e2edir"; rm -rf "$e2edir" "$out" /tmp/firetrail-bench-bin' EXIT
go test -c -o "$e2e.test" ./cmd/firetrail
for i in $(seq "${E2E_RUNS:-5}"); do
	loopfs_fresh "$e2edir"
	FIRETRAIL_BENCH_DIR="$e2edir" "$e2e.test" -test.run '^$' -test.bench '^BenchmarkGenerate' \
		-test.benchtime 1x -test.cpu 1 | grep -E '^Benchmark' | tee -a "$e2e"
	GOMAXPROCS=1 /usr/bin/time -f 'GenerateCommand %U user-s %S sys-s' /tmp/firetrail-bench-bin generate --seed 42 \
		--accounts 3 --events "${FIRETRAIL_BENCH_EVENTS:-200000}" --format cloudtrail --out "$e2edir/cmd-$i" -q 2>&1 |
		tee -a "$e2e"
done
loopfs_cleanup "$e2edir"
rm -rf "$e2edir" "$e2e.test"
ecpu=$(median BenchmarkGenerateCloudTrailDisk MB/cpu-s "$e2e")
ewall=$(median BenchmarkGenerateCloudTrailDisk MB/s "$e2e")
gcpu=$(median BenchmarkGenerateGzipFilesOnly MB/cpu-s "$e2e")
gwall=$(median BenchmarkGenerateGzipFilesOnly MB/s "$e2e")
cuser=$(median GenerateCommand user-s "$e2e")
csys=$(median GenerateCommand sys-s "$e2e")
rm -f "$e2e"
echo
echo "generate --format cloudtrail to disk, one core, medians of ${E2E_RUNS:-5}:"
echo "  $ecpu MB/cpu-s ($ewall MB/s); gzip alone on the same files $gcpu MB/cpu-s ($gwall MB/s)"
echo "  ratio $(ratio "$ecpu" "$gcpu") per CPU second, $(ratio "$ewall" "$gwall") wall clock (target 0.5)"
echo "  the command, GOMAXPROCS=1: $cuser s user, $csys s system"
echo
echo "10,000,000 events, ndjson to /dev/null:"
/usr/bin/time -v /tmp/firetrail-bench-bin generate --seed 1 --events 10000000 --accounts 3 --out /dev/null 2>&1 |
	grep -E 'Maximum resident|Elapsed|User time|System time'

echo
echo "acceptance: 100,000 records from each of 5 seeds through firetrail validate:"
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$out" /tmp/firetrail-bench-bin' EXIT
/tmp/firetrail-bench-bin generate --seed 1 --events 100000 --out "$dir/s1.ndjson"
/tmp/firetrail-bench-bin generate --seed 2 --events 100000 --accounts 3 --org --scenario all --out "$dir/s2.ndjson"
/tmp/firetrail-bench-bin generate --seed 3 --events 100000 --accounts 2 --regions eu-west-1,ap-southeast-2 --event-version 1.11 --empty-world --out "$dir/s3.ndjson"
/tmp/firetrail-bench-bin generate --seed 4 --events 100000 --error-share 0.2 --format cloudtrail --out "$dir/s4"
/tmp/firetrail-bench-bin generate --seed 5 --events 100000 --read-only-share 0.5 --data-event-share 0.3 --event-version 1.09 --out "$dir/s5.ndjson"
/tmp/firetrail-bench-bin validate "$dir/s1.ndjson" "$dir/s2.ndjson" "$dir/s3.ndjson" "$dir/s4" "$dir/s5.ndjson"
