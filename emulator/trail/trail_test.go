package trail_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

var logKeyPattern = regexp.MustCompile(`^(?:[^/]+/)*AWSLogs/(?:o-[a-z0-9]{10,32}/)?([0-9]{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/([0-9]{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T(\d{2})(\d{2})Z_[A-Za-z0-9]{16}\.json\.gz$`)

func TestLogFileLayout(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock, Seed: 7, Prefix: "ct", OrgID: "o-abcdefghij"})
	accounts := []string{"111122223333", "444455556666"}
	regions := []string{"eu-west-1", "us-east-1"}
	want := map[string][]schemas.Record{}
	for i := range 40 {
		a, r := accounts[i%2], regions[(i/2)%2]
		rec := firehoseRecord(i, a, r, clock.Now())
		must(t, tr.Add(rec))
		want[a+"/"+r] = append(want[a+"/"+r], rec)
		clock.Advance(time.Second)
	}
	must(t, tr.Tick(t.Context()))
	if n := len(sink.Keys()); n != 0 {
		t.Fatalf("Tick before the window closed stored %d objects", n)
	}
	clock.Set(time.Date(2025, 3, 4, 9, 5, 0, 0, time.UTC))
	must(t, tr.Tick(t.Context()))
	keys := logKeys(sink)
	if len(keys) != 4 {
		t.Fatalf("got %d log files, want 4: %q", len(keys), keys)
	}
	for _, key := range keys {
		m := logKeyPattern.FindStringSubmatch(key)
		if m == nil {
			t.Fatalf("key %q does not match the CloudTrail layout", key)
		}
		if !strings.HasPrefix(key, "ct/AWSLogs/o-abcdefghij/") {
			t.Errorf("key %q lacks prefix and organization", key)
		}
		if m[1] != m[6] || m[2] != m[7] {
			t.Errorf("key %q: account/region differ between path and name", key)
		}
		if got := m[3] + m[4] + m[5] + "T" + m[9] + m[10]; got != "20250304T0905" {
			t.Errorf("key %q: stamp %s, want 20250304T0905", key, got)
		}
		o, _ := sink.Get(key)
		zr, err := gzip.NewReader(bytes.NewReader(o.Body))
		must(t, err)
		if !zr.ModTime.IsZero() && zr.ModTime.Unix() != 0 || zr.Name != "" || zr.Comment != "" {
			t.Errorf("%s: gzip header ModTime=%v Name=%q, want zero and empty", key, zr.ModTime, zr.Name)
		}
		var wantBuf bytes.Buffer
		lw := schemas.NewLogFileWriter(&wantBuf)
		for _, rec := range want[m[1]+"/"+m[2]] {
			must(t, lw.Write(rec))
		}
		must(t, lw.Close())
		if got := gunzip(t, o.Body); !bytes.Equal(got, wantBuf.Bytes()) {
			t.Errorf("%s: content differs from LogFileWriter output\n got %.200s\nwant %.200s", key, got, wantBuf.Bytes())
		}
	}
}

// run feeds recs to a ByEventTime trail and returns key → SHA-256 of every
// stored object, in delivery order.
func run(t *testing.T, cfg trail.Config, recs []schemas.Record, tickEach bool) ([]string, map[string]string) {
	t.Helper()
	cfg.ByEventTime = true
	tr, sink := newTrail(t, cfg)
	if tickEach {
		must(t, tr.AddAll(t.Context(), slices.Values(recs)))
	} else {
		for _, r := range recs {
			must(t, tr.Add(r))
		}
	}
	must(t, tr.Close(t.Context()))
	sums := map[string]string{}
	for _, o := range sink.Objects() {
		s := sha256.Sum256(o.Body)
		sums[o.Key] = hex.EncodeToString(s[:]) + " " + fmt.Sprint(o.Meta)
	}
	return sink.Keys(), sums
}

// stream returns n records spread over span, 3 accounts × 2 regions.
func stream(n int, span time.Duration) []schemas.Record {
	accounts := []string{"111122223333", "444455556666", "777788889999"}
	regions := []string{"eu-west-1", "us-west-2"}
	recs := make([]schemas.Record, n)
	for i := range recs {
		at := t0.Add(span * time.Duration(i) / time.Duration(n)).Truncate(time.Second)
		recs[i] = firehoseRecord(i, accounts[i%3], regions[(i/3)%2], at)
	}
	return recs
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	key := loadKey(t, "digest-key.pem")
	recs := stream(3000, 3*time.Hour)
	cfg := trail.Config{Seed: 42, SigningKey: key, MaxFileSize: 64 << 10, DeliveryDelay: 71 * time.Second}
	keys1, sums1 := run(t, cfg, recs, true)
	keys2, sums2 := run(t, cfg, recs, true)
	_, sums3 := run(t, cfg, recs, false)
	if diff := cmp.Diff(keys1, keys2); diff != "" {
		t.Errorf("keys differ between runs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sums1, sums2); diff != "" {
		t.Errorf("bytes differ between runs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sums1, sums3); diff != "" {
		t.Errorf("bytes differ between AddAll and Add+Close (-want +got):\n%s", diff)
	}
	cfg.Seed = 43
	_, sums4 := run(t, cfg, recs, true)
	if maps.Equal(sums1, sums4) {
		t.Errorf("seed 43 gave the same keys as seed 42")
	}
	var logs int
	for k := range sums1 {
		if strings.Contains(k, "/CloudTrail/") {
			logs++
		}
	}
	if logs < 3*6*12 {
		t.Errorf("got %d log files over 3 h for 6 streams, want at least %d", logs, 3*6*12)
	}
}

// countSink counts and drops objects.
type countSink struct{ n, bytes int }

func (s *countSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	s.n++
	s.bytes += len(body)
	return nil
}

func TestConstantMemory(t *testing.T) {
	t.Parallel()
	n := 200_000
	if raceEnabled {
		n = 10_000
	}
	base := make([]schemas.Record, 256)
	for i := range base {
		base[i] = firehoseRecord(i, "111122223333", "eu-west-1", t0)
	}
	sink := &countSink{}
	tr, err := trail.New(trail.Config{Sink: sink, Bucket: "b-logs", ByEventTime: true})
	must(t, err)
	accounts := []string{"111122223333", "444455556666"}
	maxBuffered := 0
	// 200k records over 10 hours: 120 windows of 5 minutes for each of 2
	// streams, 833 records per window and stream.
	span := 10 * time.Hour
	for i := range n {
		rec := base[i%len(base)]
		rec.EventTime = t0.Add(span * time.Duration(i) / time.Duration(n))
		rec.RecipientAccountID = accounts[i%2]
		must(t, tr.Add(rec))
		must(t, tr.Tick(t.Context()))
		if i%500 == 0 {
			maxBuffered = max(maxBuffered, tr.Buffered())
		}
	}
	must(t, tr.Close(t.Context()))
	if maxBuffered > 2*len(accounts) {
		t.Errorf("up to %d log files buffered at once, want at most %d (one or two windows per stream)", maxBuffered, 2*len(accounts))
	}
	if st := tr.Stats(); st.Records != n || st.LogFiles != sink.n {
		t.Errorf("delivered %d records, want %d", st.Records, n)
	}
	if sink.n < 120*len(accounts) {
		t.Errorf("stored %d files, want at least %d", sink.n, 120*len(accounts))
	}
}

func TestSplitAtMaxFileSize(t *testing.T) {
	const max = 8 << 10
	recs := stream(600, 4*time.Minute)
	tr, sink := newTrail(t, trail.Config{ByEventTime: true, MaxFileSize: max})
	must(t, tr.AddAll(t.Context(), slices.Values(recs)))
	must(t, tr.Close(t.Context()))
	got := map[string][]string{}
	keys := logKeys(sink)
	if len(keys) <= 6 {
		t.Fatalf("got %d files, want the 6 streams split into more", len(keys))
	}
	for _, k := range keys {
		o, _ := sink.Get(k)
		if len(o.Body) > max {
			t.Errorf("%s: %d bytes, more than MaxFileSize %d", k, len(o.Body), max)
		}
		var lf schemas.LogFile
		must(t, json.Unmarshal(gunzip(t, o.Body), &lf))
		if len(lf.Records) == 0 {
			t.Errorf("%s: empty file", k)
		}
		for _, r := range lf.Records {
			got[r.RecipientAccountID+r.AWSRegion] = append(got[r.RecipientAccountID+r.AWSRegion], r.EventID)
		}
	}
	want := map[string][]string{}
	for _, r := range recs {
		want[r.RecipientAccountID+r.AWSRegion] = append(want[r.RecipientAccountID+r.AWSRegion], r.EventID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("records across split files (-want +got):\n%s", diff)
	}
}

func TestFlushStampsNow(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock})
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	clock.Advance(90 * time.Second) // 09:04:01
	must(t, tr.Flush(t.Context()))
	must(t, tr.Add(firehoseRecord(2, "111122223333", "eu-west-1", clock.Now())))
	must(t, tr.Flush(t.Context()))
	keys := logKeys(sink)
	if len(keys) != 2 {
		t.Fatalf("got %d files, want 2", len(keys))
	}
	for _, k := range keys {
		if !strings.Contains(k, "/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0900Z_") {
			t.Errorf("flushed key %q, want stamp 20250304T0900Z", k)
		}
	}
	if keys[0] == keys[1] {
		t.Errorf("two flushes in one stamp gave the same key %q", keys[0])
	}
	must(t, tr.Flush(t.Context())) // nothing pending: no empty file
	if n := len(logKeys(sink)); n != 2 {
		t.Errorf("empty flush stored a file: %d files", n)
	}
}

// TestFlushStampAfterEvents: with StampAfterEvents a flushed file is
// stamped like a closed window, never before its newest event; two flushes
// in one stamp unit still get two keys.
func TestFlushStampAfterEvents(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock, StampAfterEvents: true})
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	clock.Advance(90 * time.Second)
	must(t, tr.Flush(t.Context()))
	must(t, tr.Add(firehoseRecord(2, "111122223333", "eu-west-1", clock.Now())))
	must(t, tr.Flush(t.Context()))
	clock.Advance(5 * time.Minute) // into the next unit: its delivery time
	must(t, tr.Add(firehoseRecord(3, "111122223333", "eu-west-1", clock.Now())))
	must(t, tr.Flush(t.Context()))
	keys := logKeys(sink)
	want := []string{"20250304T0905Z", "20250304T0905Z", "20250304T0910Z"}
	if len(keys) != len(want) {
		t.Fatalf("got %d files, want %d", len(keys), len(want))
	}
	for i, k := range keys {
		if !strings.Contains(k, "_CloudTrail_eu-west-1_"+want[i]+"_") {
			t.Errorf("flushed key %d %q, want stamp %s", i, k, want[i])
		}
	}
	if keys[0] == keys[1] {
		t.Errorf("two flushes in one stamp gave the same key %q", keys[0])
	}
}

func TestAddRejectsBadRecords(t *testing.T) {
	good := firehoseRecord(1, "111122223333", "eu-west-1", t0)
	tests := []struct {
		name   string
		mutate func(*schemas.Record)
		want   string
	}{
		{"no account", func(r *schemas.Record) { r.RecipientAccountID = "" }, "recipientAccountId"},
		{"short account", func(r *schemas.Record) { r.RecipientAccountID = "1234" }, "12-digit"},
		{"path in account", func(r *schemas.Record) { r.RecipientAccountID = "../../etc/pa" }, "12-digit"},
		{"no region", func(r *schemas.Record) { r.AWSRegion = "" }, "awsRegion"},
		{"bad region", func(r *schemas.Record) { r.AWSRegion = "eu-west-1/../x" }, "awsRegion"},
		{"no event time", func(r *schemas.Record) { r.EventTime = time.Time{} }, "eventTime"},
		{"before 1970", func(r *schemas.Record) {
			r.EventTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)
		}, "outside the years"},
		{"after 2200", func(r *schemas.Record) { r.EventTime = time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC) }, "outside the years"},
		{"after 2200 elsewhere", func(r *schemas.Record) {
			r.EventTime = time.Date(2201, 1, 1, 0, 30, 0, 0, time.FixedZone("UTC-1", -3600)).Add(-time.Hour)
		}, "outside the years"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, sink := newTrail(t, trail.Config{ByEventTime: true})
			rec := good
			tc.mutate(&rec)
			err := tr.Add(rec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Add = %v, want an error mentioning %q", err, tc.want)
			}
			must(t, tr.Close(t.Context()))
			if n := len(sink.Keys()); n != 0 {
				t.Errorf("stored %d objects after a rejected record", n)
			}
		})
	}
}

// The first and last instants of the years ByEventTime accepts are
// accepted, in any time zone.
func TestAddAcceptsYearBounds(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1970, 1, 1, 2, 0, 0, 0, time.FixedZone("UTC+2", 2*3600)),
		time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond),
	} {
		tr, sink := newTrail(t, trail.Config{ByEventTime: true})
		must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", at)))
		must(t, tr.Close(t.Context()))
		if n := len(logKeys(sink)); n != 1 {
			t.Errorf("eventTime %s: %d log files, want 1", at.Format(time.RFC3339Nano), n)
		}
	}
}

// The longest and shortest trail and bucket names Config accepts.
func TestConfigNameLimits(t *testing.T) {
	for _, cfg := range []trail.Config{
		{Bucket: "abc", TrailName: "t"},
		{Bucket: strings.Repeat("b", 63), TrailName: strings.Repeat("t", 128)},
		{Bucket: "a.b-c", TrailName: "T.r_a-il9"},
	} {
		cfg.Sink = new(trail.MemSink)
		if _, err := trail.New(cfg); err != nil {
			t.Errorf("New(bucket %q, trail %q) = %v", cfg.Bucket, cfg.TrailName, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	sink := new(trail.MemSink)
	tests := []struct {
		name string
		cfg  trail.Config
		want string
	}{
		{"no sink", trail.Config{Bucket: "b-logs"}, "sink is required"},
		{"no bucket", trail.Config{Sink: sink}, "bucket is required"},
		{"bad bucket", trail.Config{Sink: sink, Bucket: "Bad_Bucket"}, "invalid bucket"},
		{"short bucket", trail.Config{Sink: sink, Bucket: "ab"}, "invalid bucket"},
		{"long bucket", trail.Config{Sink: sink, Bucket: strings.Repeat("b", 64)}, "invalid bucket"},
		{"bucket ends with a dot", trail.Config{Sink: sink, Bucket: "b-logs."}, "invalid bucket"},
		{"bad org", trail.Config{Sink: sink, Bucket: "b-logs", OrgID: "o-X"}, "organization ID"},
		{"long prefix", trail.Config{Sink: sink, Bucket: "b-logs", Prefix: strings.Repeat("p", 201)}, "200"},
		{"dotdot prefix", trail.Config{Sink: sink, Bucket: "b-logs", Prefix: "a/../b"}, "invalid prefix"},
		{"bad trail name", trail.Config{Sink: sink, Bucket: "b-logs", TrailName: "a/b"}, "trail name"},
		{"long trail name", trail.Config{Sink: sink, Bucket: "b-logs", TrailName: strings.Repeat("t", 129)}, "trail name"},
		{"trail name starts with a dot", trail.Config{Sink: sink, Bucket: "b-logs", TrailName: ".t"}, "trail name"},
		{"bad home region", trail.Config{Sink: sink, Bucket: "b-logs", HomeRegion: "mars"}, "home region"},
		{"tiny interval", trail.Config{Sink: sink, Bucket: "b-logs", Interval: time.Millisecond}, "interval"},
		{"negative delay", trail.Config{Sink: sink, Bucket: "b-logs", DeliveryDelay: -1}, "delay"},
		{"tiny max size", trail.Config{Sink: sink, Bucket: "b-logs", MaxFileSize: 10}, "max file size"},
		{"bad state", trail.Config{Sink: sink, Bucket: "b-logs", State: []byte("{")}, "restore state"},
		{"state version", trail.Config{Sink: sink, Bucket: "b-logs", State: []byte(`{"version":9}`)}, "version 9"},
		{"state chain", trail.Config{Sink: sink, Bucket: "b-logs", State: []byte(`{"version":1,"chains":[{"account":"x","region":"eu-west-1"}]}`)}, "chain 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trail.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// flakySink fails while fail is set.
type flakySink struct {
	trail.MemSink
	fail bool
}

func (s *flakySink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if s.fail {
		return errors.New("bucket unreachable")
	}
	return s.MemSink.Put(ctx, key, body, meta)
}

func TestRetryAfterSinkFailure(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	sink := &flakySink{fail: true}
	var notices []trail.Notice
	tr, err := trail.New(trail.Config{Sink: sink, Bucket: "b-logs", Clock: clock, Notify: func(n trail.Notice) { notices = append(notices, n) }})
	must(t, err)
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	clock.Advance(5 * time.Minute)
	if err := tr.Tick(t.Context()); err == nil || !strings.Contains(err.Error(), "bucket unreachable") {
		t.Fatalf("Tick = %v, want the sink's error", err)
	}
	if st := tr.Stats(); st.PendingDeliveries != 1 || st.LastError == "" {
		t.Errorf("Stats = %+v, want one pending delivery and an error", st)
	}
	sink.fail = false
	must(t, tr.Tick(t.Context()))
	if n := len(sink.Keys()); n != 1 || len(notices) != 1 {
		t.Fatalf("after recovery: %d objects, %d notices; want 1 and 1", n, len(notices))
	}
	n := notices[0]
	o, _ := sink.Get(n.Key)
	if n.Size != int64(len(o.Body)) || n.Records != 1 || n.Bucket != "b-logs" || !n.OldestEventTime.Equal(t0) {
		t.Errorf("notice %+v does not describe the stored file", n)
	}
}

func TestAddAfterClose(t *testing.T) {
	tr, _ := newTrail(t, trail.Config{})
	must(t, tr.Close(t.Context()))
	if err := tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)); !errors.Is(err, trail.ErrClosed) {
		t.Errorf("Add after Close = %v, want ErrClosed", err)
	}
	must(t, tr.Close(t.Context()))
}

func TestConcurrentAddAndTick(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock, SigningKey: loadKey(t, "digest-key.pem"), Interval: 10 * time.Second})
	const writers, per = 4, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range per {
				rec := firehoseRecord(w*per+i, []string{"111122223333", "444455556666"}[w%2], "eu-west-1", clock.Now())
				if err := tr.Add(rec); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	ticker := make(chan struct{})
	go func() {
		defer close(ticker)
		for {
			select {
			case <-done:
				return
			default:
			}
			clock.Advance(3 * time.Second)
			if err := tr.Tick(t.Context()); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	close(done)
	<-ticker
	must(t, tr.Close(t.Context()))
	var total int
	for _, k := range logKeys(sink) {
		o, _ := sink.Get(k)
		var lf schemas.LogFile
		must(t, json.Unmarshal(gunzip(t, o.Body), &lf))
		total += len(lf.Records)
	}
	if total != writers*per {
		t.Errorf("delivered %d records, want %d", total, writers*per)
	}
	key := loadKey(t, "digest-key.pem")
	for _, h := range newestDigests(sink) {
		if rep := newVerifier(sink, "example-trail-bucket", &key.PublicKey).verifyChain(h); len(rep.problems) > 0 {
			t.Errorf("chain %s: %q", h, rep.problems)
		}
	}
}

func TestDeliveryDelay(t *testing.T) {
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock, DeliveryDelay: 71 * time.Second})
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	clock.Set(time.Date(2025, 3, 4, 9, 6, 0, 0, time.UTC))
	must(t, tr.Tick(t.Context()))
	if n := len(sink.Keys()); n != 0 {
		t.Fatalf("stored %d files before the delivery delay passed", n)
	}
	clock.Set(time.Date(2025, 3, 4, 9, 6, 11, 0, time.UTC))
	must(t, tr.Tick(t.Context()))
	keys := logKeys(sink)
	if len(keys) != 1 || !strings.Contains(keys[0], "_20250304T0905Z_") {
		t.Fatalf("keys = %q, want one file stamped 0905", keys)
	}
	if st := tr.Stats(); !st.LastDelivery.Equal(time.Date(2025, 3, 4, 9, 6, 11, 0, time.UTC)) {
		t.Errorf("LastDelivery = %v, want 09:06:11", st.LastDelivery)
	}
}

// TestStreamOfRecord adds the records of 40 account+region streams (more
// than the trail's table of recent streams holds) with their account and
// region strings shared, as a generator hands them, and as fresh copies
// each record: the trees are the same and each file holds its stream's
// records only.
func TestStreamOfRecord(t *testing.T) {
	var accounts, regions []string
	for i := range 20 {
		accounts = append(accounts, fmt.Sprintf("%012d", 100000000000+i))
	}
	regions = []string{"eu-west-1", "us-east-1"}
	deliver := func(fresh bool) *trail.MemSink {
		tr, sink := newTrail(t, trail.Config{ByEventTime: true, Untidy: newUntidy(3, 0.05)})
		rng := rand.New(rand.NewPCG(9, 9))
		for i := range 4000 {
			a, r := accounts[rng.IntN(len(accounts))], regions[rng.IntN(len(regions))]
			if fresh {
				a, r = strings.Clone(a), strings.Clone(r)
			}
			must(t, tr.Add(firehoseRecord(i, a, r, t0.Add(time.Duration(i)*time.Second))))
		}
		must(t, tr.Close(t.Context()))
		return sink
	}
	shared, fresh := deliver(false), deliver(true)
	if !slices.Equal(shared.Keys(), fresh.Keys()) {
		t.Fatalf("keys differ:\n%q\n%q", shared.Keys(), fresh.Keys())
	}
	records := 0
	for _, o := range shared.Objects() {
		if g, ok := fresh.Get(o.Key); !ok || !bytes.Equal(g.Body, o.Body) {
			t.Errorf("%s differs", o.Key)
		}
		if !strings.Contains(o.Key, "/CloudTrail/") {
			continue
		}
		k, _, err := schemas.ParseLogKey(o.Key)
		must(t, err)
		var lf struct {
			Records []struct{ RecipientAccountID, AWSRegion string }
		}
		must(t, json.Unmarshal(gunzip(t, o.Body), &lf))
		for _, r := range lf.Records {
			records++
			if r.RecipientAccountID != k.AccountID || r.AWSRegion != k.Region {
				t.Errorf("%s holds a record of %s %s", o.Key, r.RecipientAccountID, r.AWSRegion)
			}
		}
	}
	if records != 4000 {
		t.Errorf("%d records delivered, want 4000", records)
	}
}
