package main

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// loadEnv points load's AWS configuration at srv.
func loadEnv(t *testing.T, srv *serveProc) {
	t.Helper()
	setLoadEnv(t, srv.Env["AWS_ACCESS_KEY_ID"], srv.Env["AWS_SECRET_ACCESS_KEY"])
}

// setLoadEnv gives load the key pair and nothing else of the machine's
// AWS configuration: no profile, shared files, CA bundle or instance
// metadata service.
func setLoadEnv(tb testing.TB, keyID, secret string) {
	tb.Helper()
	home := tb.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           keyID,
		"AWS_SECRET_ACCESS_KEY":       secret,
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CA_BUNDLE":               "",
		"AWS_CONFIG_FILE":             filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		tb.Setenv(k, v)
	}
}

// runLoadOut runs "firetrail load args..." in-process and returns its exit
// code, stdout and stderr.
func runLoadOut(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	argv := append([]string{"load", "--progress", "0"}, args...)
	code = run(context.Background(), argv, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// runLoadInto runs load against srv with args, writing its summary to a
// file of its own, and returns load's exit code and output and the
// summary's path (a failed run may have written none: read it once the
// exit code is checked).
func runLoadInto(t *testing.T, srv *serveProc, args ...string) (code int, stdout, stderr, summary string) {
	t.Helper()
	summary = filepath.Join(t.TempDir(), "summary.json")
	argv := append([]string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--summary-json", summary}, args...)
	code, stdout, stderr = runLoadOut(argv...)
	return code, stdout, stderr, summary
}

// awayFromStampEdge waits, if needed, until the next 5-minute stamp
// boundary is at least margin away, so that runs started now share a stamp.
func awayFromStampEdge(t *testing.T, margin time.Duration) {
	t.Helper()
	now := time.Now().UTC()
	if left := now.Truncate(5 * time.Minute).Add(5 * time.Minute).Sub(now); left < margin {
		t.Logf("waiting %v for the next 5-minute stamp", left.Round(time.Second))
		time.Sleep(left + time.Second)
	}
}

// objectETags lists the objects under prefix with their ETags.
func objectETags(t *testing.T, c *s3.Client, bucket, prefix string) map[string]string {
	t.Helper()
	objs := map[string]string{}
	eachObject(t, c, bucket, prefix, func(o s3types.Object) { objs[aws.ToString(o.Key)] = aws.ToString(o.ETag) })
	return objs
}

var (
	deliveredRE = regexp.MustCompile(`^delivered (\d+) events in (\d+) log files`)
	stampRE     = regexp.MustCompile(`_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	seedRE      = regexp.MustCompile(`(?m)^seed (-?\d+): rerun with --seed (-?\d+) to repeat$`)
)

// TestE2ELoadRunsNeverCollide: two load runs of one seed in one 5-minute
// stamp into one prefix write disjoint keys (each run names its files with
// a run ID of its own) and replace no object; they deliver the same
// events, as the seed asks.
//
// Not parallel: load takes its credentials from the environment.
func TestE2ELoadRunsNeverCollide(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	s3c := goS3(t, &srv.serveInfo)
	args := []string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "20000", "--events", "1500", "--seed", "5", "--prefix", "twice"}

	awayFromStampEdge(t, 30*time.Second)
	out1 := runLoadCmd(t, args...)
	first := objectETags(t, s3c, srv.Bucket, "twice/")
	out2 := runLoadCmd(t, args...)
	both := objectETags(t, s3c, srv.Bucket, "twice/")

	m1, m2 := deliveredRE.FindStringSubmatch(out1), deliveredRE.FindStringSubmatch(out2)
	if m1 == nil || m2 == nil {
		t.Fatalf("load output %q and %q, want each to report what it delivered", out1, out2)
	}
	n1, _ := strconv.Atoi(m1[2])
	n2, _ := strconv.Atoi(m2[2])
	if len(first) != n1 || len(both) != n1+n2 {
		t.Errorf("runs delivered %d and %d log files; the prefix holds %d after the first and %d after both, want %d and %d",
			n1, n2, len(first), len(both), n1, n1+n2)
	}
	stamps := map[string]bool{}
	for key, etag := range first {
		if both[key] != etag {
			t.Errorf("s3://%s/%s: ETag %s after the first run, %s after the second: replaced", srv.Bucket, key, etag, both[key])
		}
		stamps[stampRE.FindStringSubmatch(key)[1]] = true
	}
	shared := false
	for key := range both {
		if _, ok := first[key]; !ok && stamps[stampRE.FindStringSubmatch(key)[1]] {
			shared = true
		}
	}
	if !shared {
		t.Errorf("no log file of the second run has a stamp of the first run's (%v): the test did not test one window", stamps)
	}

	// The same seed: the same events, twice.
	files := readLogFiles(t, s3c, srv.Bucket, "twice/")
	firstFiles := map[string][]logRecord{}
	secondFiles := map[string][]logRecord{}
	for key, recs := range files {
		if _, ok := first[key]; ok {
			firstFiles[key] = recs
		} else {
			secondFiles[key] = recs
		}
	}
	ids1, ids2 := eventIDSet(t, "first run", firstFiles), eventIDSet(t, "second run", secondFiles)
	if len(ids1) != 1500 || !maps.Equal(ids1, ids2) {
		t.Errorf("runs of --seed 5 delivered %d and %d eventIDs, want the same 1500", len(ids1), len(ids2))
	}
}

// TestE2ELoadCollision: a run whose log file name exists already (the same
// --run-id and --seed in the same stamp) stops with an error naming the
// key, and does not overwrite it.
func TestE2ELoadCollision(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	s3c := goS3(t, &srv.serveInfo)
	args := []string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "20000", "--events", "300", "--seed", "9", "--run-id", "pinned", "--prefix", "pin"}

	awayFromStampEdge(t, 30*time.Second)
	runLoadCmd(t, args...)
	before := objectETags(t, s3c, srv.Bucket, "pin/")
	// Into the next second: the events get other eventTimes, so the files
	// other bytes (a file of the very same bytes is taken for our own
	// retried PUT, and left as it is).
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
	code, stdout, stderr := runLoadOut(args...)
	after := objectETags(t, s3c, srv.Bucket, "pin/")
	if code == 0 {
		t.Fatalf("second run with the same --run-id: exit 0, want a failure\nstdout: %s\nstderr: %s", stdout, stderr)
	}
	for _, want := range []string{"deliver: stopped: s3://" + srv.Bucket + "/pin/AWSLogs/", "exists already and was not overwritten", "412 PreconditionFailed",
		"load summary (failed):\n", "  PUT       0, p50 0.0ms, p99 0.0ms, 0 retries, 1 errors\n"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("second run's error does not say %q:\n%s", want, stderr)
		}
	}
	if !maps.Equal(before, after) {
		t.Errorf("objects changed by the refused run:\nbefore: %v\nafter:  %v", before, after)
	}
}

// TestE2ELoadStartAhead: with --start ahead, load checks the bucket, says
// it waits, and a signal meanwhile is a clean stop with nothing sent.
func TestE2ELoadStartAhead(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	defer cancel()
	at := time.Now().Add(time.Minute).UTC().Truncate(time.Second).Format(time.RFC3339)
	waiting := "load: waiting until " + at + " (--start)\n"
	var stdout, stderr syncBuffer
	go func() { // the signal, once it waits
		for ctx.Err() == nil && !strings.Contains(stderr.String(), waiting) {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	code := run(ctx, []string{"load", "--progress", "0", "--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "10", "--events", "10",
		"--seed", "1", "--prefix", "ahead", "--start", at}, strings.NewReader(""), &stdout, &stderr)
	want := waiting + "load: interrupted before sending anything\n"
	if code != 0 || stderr.String() != want || stdout.String() != "" {
		t.Errorf("load --start %s, interrupted: exit %d\nstdout: %s\nstderr: %q\nwant exit 0 and stderr %q", at, code, stdout.String(), stderr.String(), want)
	}
	if objs := listObjects(t, goS3(t, &srv.serveInfo), srv.Bucket, "ahead/"); len(objs) != 0 {
		t.Errorf("%d objects under ahead/, want none", len(objs))
	}
}

// TestE2ELoadSpeedupPastSpan: --rate max at a --speedup that would carry
// simulated time past a hundred years stops there, delivers what it
// generated and fails with the reason (no event time wraps into the past).
func TestE2ELoadSpeedupPastSpan(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	code, _, stderr, summary := runLoadInto(t, srv, "--rate", "max", "--events", "100000000",
		"--speedup", "5e10", "--seed", "4", "--prefix", "span")
	if code != 1 || !strings.Contains(stderr, "stopped: simulated time reached 100 years after the start; give a smaller --speedup") {
		t.Fatalf("load: exit %d, stderr:\n%s\nwant exit 1 and the reason", code, stderr)
	}
	s := readSummary(t, summary)
	files := readLogFiles(t, goS3(t, &srv.serveInfo), srv.Bucket, "span/")
	n, last := 0, ""
	for _, recs := range files {
		for _, r := range recs {
			n++
			last = max(last, r.EventTime)
		}
	}
	// 63 ms of wall time: a few thousand events, a log file each (none
	// on a machine too busy to send one that soon).
	t.Logf("%d events in %d log files", s.Events, s.Files)
	end := s.SimulatedStart.Add(maxSimSpan).Format(time.RFC3339)
	if int64(s.EventsDelivered) != s.Events || n != int(s.Events) || s.Error == "" || last > end || n > 0 && last < s.SimulatedStart.Format(time.RFC3339) {
		t.Errorf("summary %+v; the bucket holds %d records, the last at %s: want every generated event delivered, none after %s", s, n, last, end)
	}
}

// TestE2ELoadRandomSeed: without --seed, load picks a random seed and
// prints it; two such runs share no eventID, and --seed with the printed
// seed repeats a run's events.
func TestE2ELoadRandomSeed(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	s3c := goS3(t, &srv.serveInfo)
	common := []string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "20000", "--events", "800"}
	var seeds []string
	var ids []map[string]bool
	for _, prefix := range []string{"r1", "r2"} {
		code, stdout, stderr := runLoadOut(append(common, "--prefix", prefix)...)
		if code != 0 {
			t.Fatalf("load: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		}
		m := seedRE.FindStringSubmatch(stderr)
		if m == nil || m[1] != m[2] {
			t.Fatalf("load without --seed: stderr %q, want \"seed N: rerun with --seed N to repeat\"", stderr)
		}
		seeds = append(seeds, m[1])
		ids = append(ids, eventIDSet(t, prefix, readLogFiles(t, s3c, srv.Bucket, prefix+"/")))
	}
	if seeds[0] == seeds[1] {
		t.Errorf("two runs without --seed both picked seed %s", seeds[0])
	}
	for id := range ids[0] {
		if ids[1][id] {
			t.Errorf("eventID %s delivered by both runs without --seed", id)
		}
	}
	if len(ids[0]) != 800 || len(ids[1]) != 800 {
		t.Errorf("runs delivered %d and %d eventIDs, want 800 each", len(ids[0]), len(ids[1]))
	}

	// The printed seed repeats the run; with --seed nothing is printed.
	code, stdout, stderr := runLoadOut(append(common, "--prefix", "again", "--seed", seeds[0])...)
	if code != 0 {
		t.Fatalf("load --seed %s: exit %d\nstdout: %s\nstderr: %s", seeds[0], code, stdout, stderr)
	}
	if seedRE.MatchString(stderr) {
		t.Errorf("load --seed printed a seed: %q", stderr)
	}
	if again := eventIDSet(t, "again", readLogFiles(t, s3c, srv.Bucket, "again/")); !maps.Equal(again, ids[0]) {
		t.Errorf("load --seed %s delivered other events than the run that printed it", seeds[0])
	}
}
