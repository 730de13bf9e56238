package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// runLoadCmd runs "firetrail load args..." in-process and returns stdout.
func runLoadCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"load", "--progress", "0"}, args...)
	if code := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("firetrail %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), code, &stdout, &stderr)
	}
	t.Logf("firetrail %s: %s", strings.Join(argv, " "), strings.TrimSpace(stdout.String()))
	return stdout.String()
}

// checkSessions checks that every session in files was created before the
// calls it signs, and that each keeps one creation date.
func checkSessions(t *testing.T, what string, files map[string][]logRecord) {
	t.Helper()
	created := map[string]string{} // access key → creation date
	bad := 0
	for key, recs := range files {
		for _, r := range recs {
			sc := r.UserIdentity.SessionContext
			if sc == nil {
				continue
			}
			cd := sc.Attributes.CreationDate
			if was, ok := created[r.UserIdentity.AccessKeyID]; ok && was != cd {
				t.Errorf("%s: %s: session %s created %s and %s", what, key, r.UserIdentity.AccessKeyID, was, cd)
			}
			created[r.UserIdentity.AccessKeyID] = cd
			// Both are RFC 3339 in UTC, whole seconds: they compare as text.
			if cd > r.EventTime {
				if bad++; bad <= 5 {
					t.Errorf("%s: %s: eventID %s at %s, signed by a session created %s", what, key, r.EventID, r.EventTime, cd)
				}
			}
		}
	}
	if len(created) == 0 {
		t.Errorf("%s: no record signed by a session", what)
	}
	if bad > 5 {
		t.Errorf("%s: %d records in all before their session's creation", what, bad)
	}
}

// eventIDSet returns the eventIDs of files, failing on a repeated one.
func eventIDSet(t *testing.T, what string, files map[string][]logRecord) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(files)) {
		for _, r := range files[key] {
			if ids[r.EventID] {
				t.Errorf("%s: eventID %s delivered twice (again in %s)", what, r.EventID, key)
			}
			ids[r.EventID] = true
		}
	}
	return ids
}

// TestE2ELoad points firetrail load at firetrail serve: the log files it
// writes hold exactly the events asked for, and they are just S3 objects
// (LookupEvents does not see them). Two shards together deliver the events
// of the unsharded run.
//
// Not parallel: load takes its credentials from the environment.
func TestE2ELoad(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	common := []string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "20000", "--events", "3000", "--seed", "3"}
	out := runLoadCmd(t, append(slices.Clip(common), "--prefix", "full")...)
	if !regexp.MustCompile(`^delivered 3000 events in \d+ log files`).MatchString(out) {
		t.Errorf("load output %q, want it to report 3000 events delivered", out)
	}
	for _, shard := range []string{"0/2", "1/2"} {
		// Each shard into its own prefix, and both into one.
		runLoadCmd(t, append(slices.Clip(common), "--prefix", "shard"+shard[:1], "--shard", shard)...)
		runLoadCmd(t, append(slices.Clip(common), "--prefix", "shared", "--shard", shard)...)
	}

	s3c := goS3(t, &srv.serveInfo)
	full := readLogFiles(t, s3c, srv.Bucket, "full/")
	n := 0
	for key, recs := range full {
		if !strings.HasPrefix(key, "full/AWSLogs/") {
			t.Errorf("log file %s is not under the trail prefix full/", key)
		}
		n += len(recs)
	}
	fullIDs := eventIDSet(t, "unsharded load", full)
	checkSessions(t, "unsharded load", full)
	if n != 3000 || len(fullIDs) != 3000 {
		t.Errorf("unsharded load: %d records with %d distinct eventIDs in %d log files, want 3000", n, len(fullIDs), len(full))
	}

	t.Run("shards in own prefixes", func(t *testing.T) {
		ids0 := eventIDSet(t, "shard 0/2", readLogFiles(t, s3c, srv.Bucket, "shard0/"))
		ids1 := eventIDSet(t, "shard 1/2", readLogFiles(t, s3c, srv.Bucket, "shard1/"))
		if len(ids0) == 0 || len(ids1) == 0 {
			t.Errorf("shards delivered %d and %d events, want both > 0", len(ids0), len(ids1))
		}
		union := maps.Clone(ids0)
		for id := range ids1 {
			if union[id] {
				t.Errorf("event %s delivered by both shards", id)
			}
			union[id] = true
		}
		if diff := cmp.Diff(fullIDs, union); diff != "" {
			t.Errorf("eventIDs of shards 0/2 + 1/2 differ from the unsharded run (-unsharded +shards):\n%.3000s", diff)
		}
	})

	// Shards of one seed delivering into one prefix at the same time must
	// not overwrite each other's log files (each shard has its own trail
	// seed and trail name; see trailSeed).
	t.Run("shards in one prefix", func(t *testing.T) {
		shared := eventIDSet(t, "shards 0/2 and 1/2 in one prefix", readLogFiles(t, s3c, srv.Bucket, "shared/"))
		if diff := cmp.Diff(fullIDs, shared); diff != "" {
			t.Errorf("eventIDs of shards 0/2 + 1/2 in one prefix differ from the unsharded run (-unsharded +shards):\n%.3000s", diff)
		}
	})

	// The files are objects in a bucket, not events of the emulator's trail.
	ct := goCloudTrail(t, &srv.serveInfo)
	seen := lookupAll(t, ct, &cloudtrail.LookupEventsInput{})
	for _, id := range seen {
		if fullIDs[id] {
			t.Errorf("LookupEvents shows event %s that only firetrail load delivered", id)
		}
	}
	if len(seen) != 0 {
		t.Errorf("LookupEvents of a serve without --events shows %d events, want none", len(seen))
	}
}

// readSummary decodes a --summary-json file.
func readSummary(t *testing.T, path string) loadSummary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	var s loadSummary
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("summary %s: %v\n%s", path, err, b)
	}
	return s
}

// downloadLogFiles copies every object under prefix into a new directory
// (in their S3 key layout) and returns it.
func downloadLogFiles(t *testing.T, c *s3.Client, bucket, prefix string) string {
	t.Helper()
	dir := t.TempDir()
	for key := range listObjects(t, c, bucket, prefix) {
		path := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, getObject(t, c, bucket, key), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestE2ELoadRate: a 5 s run at --rate 20000 (2000 under the race
// detector) into serve: the summary tells the events, files and bytes the
// bucket holds, an achieved rate within 3% of --rate, and PUT latencies;
// every delivered file passes firetrail validate. (The 60 s run at 20000/s
// that the ±2% target is about is bench/load-rate.sh; the pacing itself is
// TestPacerHoldsRate.)
func TestE2ELoadRate(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	rate := 20000
	if raceEnabled {
		rate = 2000
	}
	code, stdout, stderr, sumPath := runLoadInto(t, srv, "--rate", strconv.Itoa(rate), "--duration", "5s",
		"--seed", "4", "--prefix", "rate")
	if code != 0 {
		t.Fatalf("load: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	s := readSummary(t, sumPath)
	t.Logf("summary: %+v", s)
	if want := int64(rate * 5); s.Events != want || s.EventsDelivered != int(want) {
		t.Errorf("summary: %d events generated, %d delivered, want %d", s.Events, s.EventsDelivered, want)
	}
	if dev := s.EventsPerSecond/float64(rate) - 1; math.Abs(dev) > 0.03 {
		t.Errorf("achieved %.0f events/s, %.1f%% off --rate %d", s.EventsPerSecond, dev*100, rate)
	}
	// The accounts' own calls keep their pace; data events fill the rate.
	if mgmt := s.Events - s.DataEvents; s.DataEvents > s.Events || mgmt < 1 || mgmt > 100 {
		t.Errorf("summary: %d data events of %d, want all but a few (the accounts' own calls over 5 s)", s.DataEvents, s.Events)
	}
	if s.Interrupted || s.Error != "" || s.Errors != 0 || s.Rate != strconv.Itoa(rate) || s.Seed != 4 || s.Puts != int64(s.Files+s.Digests) {
		t.Errorf("summary: %+v", s)
	}
	if s.PutLatencyMs.P50 <= 0 || s.PutLatencyMs.P99 < s.PutLatencyMs.P50 || s.SendSeconds < 4.9 || s.DurationSeconds < s.SendSeconds {
		t.Errorf("summary times: %+v", s)
	}
	s3c := goS3(t, &srv.serveInfo)
	objs := listObjects(t, s3c, srv.Bucket, "rate/")
	var size int64
	for _, n := range objs {
		size += n
	}
	if len(objs) != s.Files || size != s.Bytes {
		t.Errorf("bucket holds %d objects of %d bytes; the summary says %d files of %d bytes", len(objs), size, s.Files, s.Bytes)
	}
	for _, w := range []string{"load summary:\n", fmt.Sprintf("  events    %d generated, %d delivered\n", s.Events, s.EventsDelivered), "  PUT       "} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	var vout, verr bytes.Buffer
	dir := downloadLogFiles(t, s3c, srv.Bucket, "rate/")
	if code := run(t.Context(), []string{"validate", dir}, strings.NewReader(""), &vout, &verr); code != 0 {
		t.Errorf("firetrail validate of the delivered files: exit %d\n%s%s", code, &vout, &verr)
	}
}

// TestE2ELoadSpeedup: with --speedup 600, 2 s of wall clock are 20
// minutes of event time: the events spread over them, files are delivered
// as their 5-minute windows close, and each key's stamp agrees with the
// times of the events in it (a file holds no event after its stamp, nor
// from before its window).
func TestE2ELoadSpeedup(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	code, stdout, stderr, sumPath := runLoadInto(t, srv, "--rate", "1000", "--events", "2000",
		"--speedup", "600", "--seed", "8", "--prefix", "fast")
	if code != 0 {
		t.Fatalf("load: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	s := readSummary(t, sumPath)
	if span := s.SimulatedEnd.Sub(s.SimulatedStart); span < 19*time.Minute || span > 22*time.Minute {
		t.Errorf("simulated %v in %.1fs of wall clock at --speedup 600, want about 20m", span, s.SendSeconds)
	}
	files := readLogFiles(t, goS3(t, &srv.serveInfo), srv.Bucket, "fast/")
	var first, last time.Time
	n := 0
	for key, recs := range files {
		stamp, err := time.Parse("20060102T1504Z", stampRE.FindStringSubmatch(key)[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			n++
			et, err := time.Parse(time.RFC3339, r.EventTime)
			if err != nil {
				t.Fatal(err)
			}
			if first.IsZero() || et.Before(first) {
				first = et
			}
			if et.After(last) {
				last = et
			}
			if et.After(stamp) || et.Before(stamp.Add(-15*time.Minute)) {
				t.Errorf("%s: event at %v, not in the 5-minute window before its stamp", key, et)
			}
		}
	}
	if n != 2000 || last.Sub(first) < 19*time.Minute {
		t.Errorf("%d events from %v to %v, want 2000 over about 20 minutes", n, first, last)
	}
	if len(files) < 4*3 {
		t.Errorf("%d log files, want one per stream and 5-minute window (at least 4 windows)", len(files))
	}
}

// TestE2ELoadBadInput: what cannot work says so in one line and exits 1
// within 15 s: an endpoint nobody listens on, a bucket that does not
// exist, credentials the store refuses.
func TestE2ELoadBadInput(t *testing.T) {
	srv := startServe(t)
	authed := startServe(t, "--auth", "sigv4")
	loadEnv(t, srv)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name, endpoint, bucket, secret string
		want                           string
	}{
		{"unreachable endpoint", closed, "b", "", "firetrail load: cannot reach " + closed + ": connect: connection refused"},
		{"missing bucket", srv.URL, "no-such-bucket", "", `firetrail load: bucket "no-such-bucket" does not exist at ` + srv.URL},
		{"bad credentials", authed.URL, authed.Bucket, "not-the-secret", authed.URL + " refused the credentials for bucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.secret != "" {
				t.Setenv("AWS_SECRET_ACCESS_KEY", tc.secret)
			}
			start := time.Now()
			code, stdout, stderr := runLoadOut("--endpoint", tc.endpoint, "--bucket", tc.bucket, "--rate", "100", "--events", "100")
			took := time.Since(start)
			if code != 1 || took > 15*time.Second || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d after %v\nstdout: %s\nstderr: %s\nwant exit 1 within 15s and one line with %q", code, took.Round(time.Millisecond), stdout, stderr, tc.want)
			}
		})
	}
}

// TestE2ELoadMaxDuration: --rate max --duration 1s sends as many events as
// it can for a second and delivers every one (the bucket holds the files
// and bytes the summary tells).
func TestE2ELoadMaxDuration(t *testing.T) {
	srv := startServe(t)
	loadEnv(t, srv)
	code, stdout, stderr, sumPath := runLoadInto(t, srv, "--rate", "max", "--duration", "1s",
		"--seed", "6", "--prefix", "max")
	if code != 0 {
		t.Fatalf("load: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	s := readSummary(t, sumPath)
	t.Logf("summary: %+v", s)
	objs := listObjects(t, goS3(t, &srv.serveInfo), srv.Bucket, "max/")
	var size int64
	for _, n := range objs {
		size += n
	}
	if s.Rate != "max" || s.Events < 1000 || s.EventsDelivered != int(s.Events) || s.SendSeconds < 0.99 || s.SendSeconds > 1.5 ||
		len(objs) != s.Files || size != s.Bytes {
		t.Errorf("summary %+v; the bucket holds %d files of %d bytes; want at least 1000 events sent in about 1s, all delivered", s, len(objs), size)
	}
}
