#!/bin/sh
# bench/run.sh — the performance targets of firetrail, each measured against a
# baseline in the same run, on one core (-cpu 1), COUNT runs each, medians.
#
#   bench/run.sh [COUNT]     (default 3)
#
# The machine may be shared and noisy: read the ratios and the per-CPU-second
# figures the benchmarks report, not single wall-clock numbers.
# bench/generate.sh covers the generator (ndjson, cloudtrail, peak RSS).
set -eu
cd "$(dirname "$0")/.."
count=${1:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { # PKG PATTERN [extra go test flags]
	pkg=$1 pat=$2
	shift 2
	go test -run '^$' -bench "$pat" -count "$count" -cpu 1 "$@" "$pkg" | grep -E '^Benchmark' | tee -a "$out"
}

# median NAME UNIT: median of the UNIT figures of benchmark NAME.
median() {
	awk -v name="$1" -v unit="$2" '$1 == name { for (i = 2; i < NF; i++) if ($(i+1) == unit) print $i }' "$out" |
		sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== encoder (schemas): seed CreateDeliveryStream record"
run ./schemas 'BenchmarkAppendJSON$' -benchtime 1s
echo "== validator (schemas): NDJSON of 1.5 KB Firehose records"
run ./schemas 'BenchmarkValidateNDJSON$' -benchtime 20x
echo "== delivery (emulator/trail): 1,000,000 events into gzip log files"
run ./emulator/trail 'BenchmarkDeliver$' -benchtime 1x
echo "== LookupEvents (emulator/internal/cloudtrail): 1,000,000 stored events"
run ./emulator/internal/cloudtrail 'BenchmarkLookupEvents$' -benchtime 1000x
echo "== recorded Firehose calls (emulator): aws-sdk-go-v2 over loopback, both cores, beside a no-op handler"
run ./emulator 'BenchmarkFirehoseCallsSDK$' -benchtime 3s -cpu 2
echo "== SQS (emulator): send+receive+delete with aws-sdk-go-v2 over loopback, one call each or batches of 10"
run ./emulator 'BenchmarkSQSMessagesSDK$' -benchtime 3s -cpu 2
echo "== SQS (emulator/internal/sqs): 1,000 idle long polls"
run ./emulator/internal/sqs 'BenchmarkIdleLongPolls$' -benchtime 20x
echo "== keeping one call's record (emulator): encoded once vs twice"
run ./emulator 'BenchmarkRecordCall$' -benchtime 2s
echo "== GetObject (s3front): 5 MiB over loopback with aws-sdk-go-v2"
run ./emulator/internal/s3front 'BenchmarkGetObject5MiB$' -benchtime 2s

echo
echo "== summary (medians of $count)"
a=$(median BenchmarkAppendJSON/append MB/s)
j=$(median BenchmarkAppendJSON/encoding-json MB/s)
echo "encode: $a MB/s, encoding/json $j MB/s, ratio $(ratio "$a" "$j")x (target >= 800 MB/s, 0 allocs/op)"
v=$(median BenchmarkValidateNDJSON/validate records/cpu-s)
u=$(median BenchmarkValidateNDJSON/baseline=json.Unmarshal records/cpu-s)
echo "validate: $v records/cpu-s, json.Unmarshal $u, ratio $(ratio "$v" "$u")x (target >= 50,000 records/s)"
d=$(median BenchmarkDeliver/trail events/cpu-s)
g=$(median BenchmarkDeliver/gzip-baseline events/cpu-s)
echo "deliver: $d events/cpu-s, gzip alone $g, ratio $(ratio "$d" "$g") (target >= 250,000 events/s)"
m=$(median BenchmarkGetObject5MiB MB/s)
echo "GetObject 5 MiB: $m MB/s (target >= 300 MB/s)"
fe=$(median BenchmarkFirehoseCallsSDK/emulator-2 ns/op)
fn=$(median BenchmarkFirehoseCallsSDK/noop-2 ns/op)
echo "firehose calls: $(awk -v n="$fe" 'BEGIN { printf "%.0f", 1e9 / n }') calls/s, no-op handler $(awk -v n="$fn" 'BEGIN { printf "%.0f", 1e9 / n }') calls/s, time ratio $(ratio "$fe" "$fn") (target >= 5,000 calls/s)"
qs=$(median BenchmarkSQSMessagesSDK/single-2 ns/op)
qb=$(median BenchmarkSQSMessagesSDK/batch10-2 ns/op)
echo "sqs: $(awk -v n="$qb" 'BEGIN { printf "%.0f", 1e9 / n }') msgs/s in batches of 10, $(awk -v n="$qs" 'BEGIN { printf "%.0f", 1e9 / n }') msgs/s one call each (3 SDK calls a message; see the no-op handler's calls/s) (target >= 5,000 msgs/s)"
lp=$(median BenchmarkIdleLongPolls cpu-ms/s)
echo "idle long polls: $lp CPU-ms per second for 1,000 polls (target: no busy waiting)"
r2=$(median BenchmarkRecordCall/twice ns/op)
r1=$(median BenchmarkRecordCall/once ns/op)
echo "record a call: once $r1 ns, twice (before) $r2 ns, ratio $(ratio "$r1" "$r2")"
echo "LookupEvents: see the p99-ms figures above (target p99 <= 10 ms for a filtered 50-event page)"
