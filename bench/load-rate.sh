#!/bin/sh
# bench/load-rate.sh — does firetrail load hold its rate? A run of
# `firetrail load --rate R --duration D` into `firetrail serve` (separate
# processes, loopback), then:
#
#   - the summary's achieved rate must be within 2% of R (for the default
#     60 s at 20000/s: 19,600–20,400 events/s);
#   - every delivered file must pass `firetrail validate`;
#   - from the delivered events' own eventTimes (each is the second it was
#     sent): events per second (min, median, max over the whole seconds of
#     the run) and, for runs longer than 62 s, every 60 s window of whole
#     seconds within 2% of 60·R;
#   - load's peak RSS and CPU seconds (/usr/bin/time).
#
#   bench/load-rate.sh [duration] [rate]      (defaults 60s and 20000)
#
# Exit status 1 when a check fails. Needs awscli v2 (/usr/bin/aws) to copy
# the bucket out, and python3.
set -eu
cd "$(dirname "$0")/.."
duration=${1:-60s}
rate=${2:-20000}
tmp=$(mktemp -d)
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ENDPOINT_URL

go build -o "$tmp/firetrail" ./cmd/firetrail
"$tmp/firetrail" serve --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
for _ in $(seq 100); do
	grep -q 'cloudtrail lookup-events' "$tmp/serve.out" 2>/dev/null && break
	sleep 0.1
done
url=$(head -1 "$tmp/serve.out")
bucket=$(sed -n 's/^bucket: //p' "$tmp/serve.out")
eval "$(grep '^export AWS_' "$tmp/serve.out" | grep -v AWS_ENDPOINT_URL)"
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/aws-credentials"
printf '[default]\ns3 =\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"

echo "firetrail load --rate $rate --duration $duration into serve at $url ($(nproc) cores, $(uname -m))"
/usr/bin/time -f '%e s wall, %U s user, %S s sys, peak RSS %M KB' -o "$tmp/time" \
	"$tmp/firetrail" load --endpoint "$url" --bucket "$bucket" --rate "$rate" --duration "$duration" \
	--seed 1 --prefix rate --progress 10s --summary-json "$tmp/summary.json"
echo "load: $(cat "$tmp/time")"

/usr/bin/aws --endpoint-url "$url" s3 cp --recursive --only-show-errors "s3://$bucket/rate/" "$tmp/files/"
fail=0
if "$tmp/firetrail" validate -q "$tmp/files" >"$tmp/validate.out" 2>&1; then
	echo "validate: every delivered file passes ($(find "$tmp/files" -name '*.json.gz' | wc -l) files)"
else
	echo "validate: FAILED"; head -20 "$tmp/validate.out"; fail=1
fi

python3 - "$tmp/summary.json" "$tmp/files" "$rate" <<'EOF' || fail=1
import collections, gzip, json, os, statistics, sys
summary, root, rate = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3])
ok = True
got = summary["eventsPerSecond"]
lo, hi = rate * 0.98, rate * 1.02
print(f"summary: {summary['events']} events, {summary['files']} files, {summary['bytes']} bytes in "
      f"{summary['durationSeconds']:.1f} s; achieved {got:.0f} events/s (want {lo:.0f}-{hi:.0f}); "
      f"PUT p50 {summary['putLatencyMs']['p50']} ms p99 {summary['putLatencyMs']['p99']} ms; "
      f"{summary['retries']} retries, {summary['errors']} errors")
if not lo <= got <= hi:
    print("FAIL: achieved rate outside ±2%"); ok = False
per = collections.Counter()
n = 0
for d, _, names in os.walk(root):
    for name in names:
        if name.endswith(".json.gz") and "CloudTrail-Digest" not in d:
            for r in json.load(gzip.open(os.path.join(d, name)))["Records"]:
                per[r["eventTime"]] += 1
                n += 1
if n != summary["events"]:
    print(f"FAIL: the bucket holds {n} events, the summary says {summary['events']}"); ok = False
secs = sorted(per)[1:-1]  # whole seconds: not the first and last
counts = [per[s] for s in secs]
if counts:
    print(f"events per second of eventTime over {len(counts)} whole seconds: min {min(counts)}, "
          f"median {statistics.median(counts):.0f}, max {max(counts)}")
windows = [sum(counts[i:i+60]) for i in range(len(counts) - 59)]
if windows:
    w0, w1 = min(windows), max(windows)
    print(f"60 s windows ({len(windows)}): {w0}..{w1} events, {w0/60:.0f}..{w1/60:.0f} events/s "
          f"({(w0/(60*rate)-1)*100:+.2f}%..{(w1/(60*rate)-1)*100:+.2f}%)")
    if w0 < 60 * lo or w1 > 60 * hi:
        print("FAIL: a 60 s window outside ±2%"); ok = False
else:
    print("60 s windows: none of whole seconds (run longer than 62 s for this check)")
sys.exit(0 if ok else 1)
EOF
exit $fail
