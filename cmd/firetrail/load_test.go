package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeStore is a one-bucket S3 stand-in that honours If-None-Match: * and
// answers PUTs with canned statuses first.
type fakeStore struct {
	mu      sync.Mutex
	objects map[string][]byte
	answers []int // statuses answered to the next PUTs, before storing
	puts    int
	noCond  int // PUTs without If-None-Match: *
}

var errorCodes = map[int]string{
	http.StatusConflict:           "ConditionalRequestConflict",
	http.StatusNotImplemented:     "NotImplemented",
	http.StatusForbidden:          "AccessDenied",
	http.StatusServiceUnavailable: "SlowDown",
}

func (s *fakeStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.URL.Path
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, "<Error><Code>"+code+"</Code><Message>m</Message></Error>")
	}
	switch r.Method {
	case http.MethodPut:
		s.puts++
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("If-None-Match") != "*" {
			s.noCond++
		}
		if len(s.answers) > 0 {
			status := s.answers[0]
			s.answers = s.answers[1:]
			fail(status, errorCodes[status])
			return
		}
		if _, ok := s.objects[key]; ok && r.Header.Get("If-None-Match") == "*" {
			fail(http.StatusPreconditionFailed, "PreconditionFailed")
			return
		}
		s.objects[key] = body
	case http.MethodGet:
		b, ok := s.objects[key]
		if !ok {
			fail(http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Write(b)
	default:
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

func newFakeSink(t *testing.T, store *fakeStore, attempts int) *s3Sink {
	t.Helper()
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	setLoadEnv(t, "AKIDEXAMPLE", "secret")
	t.Setenv("AWS_RETRY_MODE", "standard")
	t.Setenv("AWS_MAX_ATTEMPTS", strconv.Itoa(attempts))
	tg := s3Target{endpoint: srv.URL, bucket: "b"}
	cfg, err := loadAWSConfig(context.Background(), tg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return newS3Sink(cfg, tg)
}

// TestS3SinkNeverReplaces: Put is a conditional write; a key holding other
// bytes is a keyExistsError and stays as it was; a key holding our bytes (our
// own attempt, retried) is success; 409 is retried; a store without
// conditional writes is named as such.
func TestS3SinkNeverReplaces(t *testing.T) {
	store := &fakeStore{objects: map[string][]byte{}}
	sink := newFakeSink(t, store, 1)
	ctx := t.Context()
	if err := sink.Put(ctx, "k", []byte("mine"), nil); err != nil {
		t.Fatalf("Put to a new key: %v", err)
	}
	if err := sink.Put(ctx, "k", []byte("mine"), nil); err != nil {
		t.Errorf("Put of the same bytes again (a retried request that had landed): %v", err)
	}
	err := sink.Put(ctx, "k", []byte("theirs"), nil)
	if _, ok := errors.AsType[*keyExistsError](err); !ok || !strings.Contains(err.Error(), "s3://b/k exists already") || !strings.Contains(err.Error(), "not overwritten") {
		t.Errorf("Put of other bytes to an existing key: %v, want a keyExistsError naming s3://b/k", err)
	}
	if got := string(store.objects["/b/k"]); got != "mine" {
		t.Errorf("object after the refused Put: %q, want %q", got, "mine")
	}
	if store.noCond != 0 {
		t.Errorf("%d PUTs without If-None-Match: *", store.noCond)
	}

	store.answers = []int{http.StatusConflict, http.StatusConflict}
	store.puts = 0
	if err := sink.Put(ctx, "k2", []byte("x"), nil); err != nil || store.puts != 3 || sink.retries.Load() != 2 {
		t.Errorf("Put after two 409s: %v after %d PUTs, %d retries counted; want success on the third, 2 retries", err, store.puts, sink.retries.Load())
	}
	store.answers = []int{http.StatusNotImplemented}
	if err := sink.Put(ctx, "k3", []byte("x"), nil); err == nil || !strings.Contains(err.Error(), "does not support conditional writes") {
		t.Errorf("Put to a store without conditional writes: %v, want an error saying so", err)
	}
	store.answers = []int{http.StatusForbidden}
	if err := sink.Put(ctx, "k4", []byte("x"), nil); err == nil || errors.As(err, new(*keyExistsError)) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("Put answered 403: %v, want the AccessDenied error", err)
	}
	if got := sink.errors.Load(); got != 3 {
		t.Errorf("%d failed Puts counted, want 3 (the collision, 501 and 403)", got)
	}
	if got, want := sink.puts.Load(), int64(3); got != want || sink.bytes.Load() != int64(2*len("mine")+len("x")) {
		t.Errorf("%d Puts of %d bytes counted, want %d of %d", got, sink.bytes.Load(), want, 2*len("mine")+len("x"))
	}
}

// TestS3SinkCountsSDKRetries: a request the SDK sends again (a 503) is
// counted as a retry.
func TestS3SinkCountsSDKRetries(t *testing.T) {
	store := &fakeStore{objects: map[string][]byte{}, answers: []int{http.StatusServiceUnavailable}}
	sink := newFakeSink(t, store, 3)
	if err := sink.Put(t.Context(), "k", []byte("x"), nil); err != nil || store.puts != 2 || sink.retries.Load() != 1 {
		t.Errorf("Put after a 503: %v after %d PUTs, %d retries counted; want success on the second, 1 retry", err, store.puts, sink.retries.Load())
	}
}

// fakeWall is a virtual wall clock: Sleep moves it.
type fakeWall struct{ now time.Time }

func (c *fakeWall) Now() time.Time { return c.now }

func (c *fakeWall) Sleep(ctx context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return ctx.Err()
}

// TestPacerHoldsRate: at --rate 20000, a sender whose events cost a
// random 0–60 µs each (it keeps up: at most 33,000/s) and which stalls
// about every 10 s for 0.1–0.6 s (a GC, a busy core) sends within
// ±2% of 20000/s over every 60 s window of its (virtual) wall clock.
func TestPacerHoldsRate(t *testing.T) {
	const (
		rate    = 20000
		run     = 150 * time.Second
		bucket  = 10 * time.Millisecond
		window  = 60 * time.Second
		perWin  = rate * 60
		maxCost = 60 * time.Microsecond
	)
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeWall{now: start}
	p := newPacer(clock, start, rate, 0, 1)
	counts := make([]int, run/bucket)
	stalls := 0
	for j := 0; ; j++ {
		if err := p.wait(t.Context(), j); err != nil {
			t.Fatal(err)
		}
		b := int(clock.now.Sub(start) / bucket)
		if b >= len(counts) {
			break
		}
		counts[b]++
		clock.now = clock.now.Add(time.Duration(r.Int64N(int64(maxCost))))
		if r.IntN(200_000) == 0 {
			clock.now = clock.now.Add(time.Duration(100+r.IntN(500)) * time.Millisecond)
			stalls++
		}
	}
	if stalls < 10 {
		t.Fatalf("only %d stalls: the test does not test catching up", stalls)
	}
	n := int(window / bucket)
	sum := 0
	for i := range n {
		sum += counts[i]
	}
	worst := 0.0
	for i := n; ; i++ {
		dev := float64(sum-perWin) / perWin
		if math.Abs(dev) > math.Abs(worst) {
			worst = dev
		}
		if math.Abs(dev) > 0.02 {
			t.Errorf("window [%v, %v): %d events, %.2f%% off %d", time.Duration(i-n)*bucket, time.Duration(i)*bucket, sum, dev*100, perWin)
		}
		if i == len(counts) {
			break
		}
		sum += counts[i] - counts[i-n]
	}
	t.Logf("%d stalls; worst 60 s window %.3f%% off the rate", stalls, worst*100)
}

// TestPacerShards: shard k of n sends the run's events k, k+n, … at the
// times the unsharded run sends them; --rate max never waits.
func TestPacerShards(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	whole := newPacer(&fakeWall{now: start}, start, 3000, 0, 1)
	for k := range 3 {
		p := newPacer(&fakeWall{now: start}, start, 3000, k, 3)
		for j := range 1000 {
			if got, want := p.due(j), whole.due(3*j+k); !got.Equal(want) {
				t.Fatalf("shard %d/3 event %d due %v, want %v (the run's event %d)", k, j, got, want, 3*j+k)
			}
		}
	}
	clock := &fakeWall{now: start}
	p := newPacer(clock, start, 0, 0, 1)
	for j := range 1000 {
		if err := p.wait(t.Context(), j); err != nil {
			t.Fatal(err)
		}
	}
	if !clock.now.Equal(start) {
		t.Errorf("--rate max waited %v", clock.now.Sub(start))
	}
}

// TestSimClock: simulated time runs speedup times as fast as the wall.
func TestSimClock(t *testing.T) {
	wall0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sim0 := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	w := &fakeWall{now: wall0}
	c := &simClock{wall: w, wallStart: wall0, simStart: sim0, speedup: 288}
	w.now = wall0.Add(5 * time.Minute)
	if got, want := c.Now(), sim0.Add(24*time.Hour); !got.Equal(want) {
		t.Errorf("after 5 min at --speedup 288: %v, want %v (a day)", got, want)
	}
	if c.pastSpan(w.now) {
		t.Error("a day simulated: past the span")
	}
	// Past a Duration's 292 years the product would wrap into the past; it
	// stops at the span instead, and the run is told.
	c.speedup = 1e12
	if got, want := c.Now(), sim0.Add(maxSimSpan); !got.Equal(want) || !c.pastSpan(w.now) {
		t.Errorf("after 5 min at --speedup 1e12: %v (past the span: %v), want %v", got, c.pastSpan(w.now), want)
	}
}

// TestLoadBadFlags: a bad command line is one line naming the flag and
// the synopsis, exit 2, before anything is contacted.
func TestLoadBadFlags(t *testing.T) {
	base := []string{"load", "--endpoint", "http://127.0.0.1:9", "--bucket", "b", "--events", "10"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--rate", "0"}, `--rate "0": want a positive number`},
		{[]string{"--rate", "-5"}, `--rate "-5"`},
		{[]string{"--rate", "fast"}, `--rate "fast"`},
		{[]string{}, "--rate is required"},
		{[]string{"--rate", "10", "--shard", "0/0"}, `--shard: shard "0/0"`},
		{[]string{"--rate", "10", "--shard", "3/3"}, `--shard: shard "3/3"`},
		{[]string{"--rate", "10", "--shard", "1/3"}, "--shard 1/3 needs --seed"},
		{[]string{"--rate", "10", "--start", "yesterday"}, `--start "yesterday": want an RFC 3339 time`},
		{[]string{"--rate", "10", "--start", "2999-01-01T00:00:00Z"}, "--start 2999-01-01T00:00:00Z: more than a day ahead"},
		{[]string{"--rate", "10", "--start", "2001-01-01T00:00:00Z"}, "--start 2001-01-01T00:00:00Z: more than an hour ago"},
		{[]string{"--rate", "10", "--speedup", "-1"}, "--speedup -1: want a positive factor"},
		{[]string{"--rate", "10", "--speedup", "0"}, "--speedup 0: want a positive factor"},
		{[]string{"--rate", "10", "--speedup", "1e12"}, "--speedup 1e+12: the run would simulate 3.17e+04 years; at most 100"},
		{[]string{"--rate", "max", "--events", "0", "--duration", "1h", "--speedup", "1e6"}, "--speedup 1e+06: the run would simulate 114 years"},
		{[]string{"--rate", "10", "--progress", "often"}, `--progress "often"`},
		{[]string{"--rate", "10", "--duration", "1s"}, "give --events or --duration, not both"},
	} {
		var stdout, stderr bytes.Buffer
		start := time.Now()
		code := run(t.Context(), append(slices.Clip(base), tc.args...), strings.NewReader(""), &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 2 || !strings.HasPrefix(lines[0], "firetrail load: ") || !strings.Contains(lines[0], tc.want) ||
			!strings.HasPrefix(lines[1], "usage: firetrail load") || time.Since(start) > time.Second {
			t.Errorf("load %v: exit %d after %v, stderr:\n%s\nwant exit 2, at once, with the error (%q) and the synopsis", tc.args, code, time.Since(start), &stderr, tc.want)
		}
	}
}

// TestLoadNoCredentials: with no credentials anywhere (and the instance
// metadata service not disabled), load says in one line what to set,
// within seconds, and nothing of the metadata service.
func TestLoadNoCredentials(t *testing.T) {
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME": home, "AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_REGION": "us-east-1", "AWS_CA_BUNDLE": "",
		// No metadata service here: one that refuses, at once.
		"AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9",
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	for _, endpoint := range []string{"", "http://127.0.0.1:9"} {
		var stdout, stderr bytes.Buffer
		argv := []string{"load", "--bucket", "b", "--rate", "10", "--events", "10", "--seed", "1"}
		if endpoint != "" {
			argv = append(argv, "--endpoint", endpoint)
		}
		start := time.Now()
		code := run(t.Context(), argv, strings.NewReader(""), &stdout, &stderr)
		took := time.Since(start)
		want := "firetrail load: " + noCredentialsMsg + "\n"
		if code != 1 || stderr.String() != want || took > 15*time.Second {
			t.Errorf("load without credentials (endpoint %q): exit %d after %v, stderr:\n%s\nwant exit 1 within 15s and only:\n%s", endpoint, code, took, &stderr, want)
		}
	}
}

// TestProgressReports: plain lines show counts that move before any file
// is stored (generated, pending), and the live display draws both bars.
func TestProgressReports(t *testing.T) {
	plan := progressPlan{Events: 100_000, Rate: 20000}
	prev := progressSnap{Elapsed: 10 * time.Second, Generated: 200_000}
	cur := progressSnap{Elapsed: 20 * time.Second, Generated: 400_000, Uploaded: 150_000, Files: 7, Bytes: 12_345_678}
	plan.Events = 1_000_000
	want := "load: 20s: generated 400000 events (20000/s), pending 250000, ETA 30s; uploaded 150000 events in 7 files (12.3 MB)\n"
	if got := plan.line(cur, prev); got != want {
		t.Errorf("progress line:\n%q\nwant\n%q", got, want)
	}
	if eta, ok := (progressPlan{Duration: time.Minute}).eta(cur, 0); !ok || eta != 40*time.Second {
		t.Errorf("ETA of a 1-minute run after 20s: %v %v, want 40s", eta, ok)
	}
	if _, ok := (progressPlan{Events: 10}).eta(progressSnap{}, 0); ok {
		t.Error("ETA told at rate 0 before any event")
	}

	var n atomic.Int64
	snap := func() progressSnap {
		g := n.Add(1000)
		return progressSnap{Elapsed: time.Duration(g) * time.Millisecond, Generated: g, Uploaded: int(g / 2), Files: 1, Bytes: 2048}
	}
	for _, live := range []bool{false, true} {
		var buf syncBuffer
		pr := startProgress(&buf, live, 5*time.Millisecond, progressPlan{Events: 1_000_000}, snap)
		time.Sleep(100 * time.Millisecond)
		pr.stop()
		out := buf.String()
		for _, w := range []string{"generated ", "pending ", "uploaded ", " files (2.0 kB)"} {
			if !strings.Contains(out, w) {
				t.Errorf("progress (live %v) lacks %q:\n%s", live, w, out)
			}
		}
		if live && (!strings.Contains(out, "\x1b[") || strings.Count(out, "\n") < 2) {
			t.Errorf("live progress drew no bars:\n%q", out)
		}
		if !live && !regexp.MustCompile(`(?m)^load: \d+s: generated \d+ events`).MatchString(out) {
			t.Errorf("plain progress lines:\n%s", out)
		}
	}
	var none syncBuffer
	pr := startProgress(&none, false, 0, plan, snap)
	pr.stop()
	if none.String() != "" {
		t.Errorf("--progress 0 printed %q", none.String())
	}
}

// TestLoadSummary: the summary's JSON names every figure, and the text
// tells an interrupted run.
func TestLoadSummary(t *testing.T) {
	s := &loadSummary{Events: 10, EventsDelivered: 10, DataEvents: 7, Files: 2, Bytes: 1500, DurationSeconds: 1.5, SendSeconds: 1,
		EventsPerSecond: 10, Rate: "10", PutLatencyMs: latencyMs{P50: 1.5, P99: 9}, Puts: 2, Retries: 1, Speedup: 1, Interrupted: true}
	path := filepath.Join(t.TempDir(), "s.json")
	if err := s.writeJSON(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"events", "dataEvents", "files", "bytes", "durationSeconds", "eventsPerSecond", "putLatencyMs", "retries", "errors", "interrupted"} {
		if _, ok := m[k]; !ok {
			t.Errorf("summary JSON lacks %q:\n%s", k, b)
		}
	}
	if p := m["putLatencyMs"].(map[string]any); p["p50"] != 1.5 || p["p99"] != 9.0 {
		t.Errorf("putLatencyMs %v", p)
	}
	var text bytes.Buffer
	s.writeText(&text)
	for _, w := range []string{"interrupted", "10 generated, 10 delivered", "7 data events, 3 management and read calls", "2 log files", "1.5 kB", "p50 1.5ms, p99 9.0ms, 1 retries, 0 errors"} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("summary text lacks %q:\n%s", w, &text)
		}
	}
}

// TestLatencyQuantiles: nearest-rank quantiles of the PUT latencies.
func TestLatencyQuantiles(t *testing.T) {
	s := &s3Sink{}
	if q := s.latencyQuantiles(0.5); q[0] != 0 {
		t.Errorf("no PUTs: p50 %v", q[0])
	}
	for i := 100; i >= 1; i-- {
		s.latencies = append(s.latencies, time.Duration(i)*time.Millisecond)
	}
	if q := s.latencyQuantiles(0.5, 0.99, 1); q[0] != 50*time.Millisecond || q[1] != 99*time.Millisecond || q[2] != 100*time.Millisecond {
		t.Errorf("quantiles of 1..100 ms: %v", q)
	}
}

// sleepHookWall is a fakeWall that calls onSleep after each Sleep.
type sleepHookWall struct {
	fakeWall
	onSleep func()
}

func (c *sleepHookWall) Sleep(ctx context.Context, d time.Duration) error {
	err := c.fakeWall.Sleep(ctx, d)
	c.onSleep()
	return err
}

// TestDelivererHoldsBack: generation goes on while a delivery is running,
// unless it has run longer than the lag limit (the store is not keeping
// up): then it waits for the delivery to end, or for ctx.
func TestDelivererHoldsBack(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := &sleepHookWall{fakeWall: fakeWall{now: start}}
	d := &deliverer{wall: w, lagLimit: 2 * time.Second}
	sleeps := 0
	w.onSleep = func() {
		if sleeps++; sleeps == 50 {
			d.busySince.Store(0) // the delivery ends
		}
	}
	if err := d.wait(t.Context()); err != nil || sleeps != 0 {
		t.Errorf("no delivery running: wait %v after %d sleeps, want at once", err, sleeps)
	}
	d.busySince.Store(start.Add(-time.Second).UnixNano())
	if err := d.wait(t.Context()); err != nil || sleeps != 0 {
		t.Errorf("a delivery running for 1s (limit 2s): wait %v after %d sleeps, want at once", err, sleeps)
	}
	d.busySince.Store(start.Add(-3 * time.Second).UnixNano())
	if err := d.wait(t.Context()); err != nil || sleeps != 50 {
		t.Errorf("a delivery running for 3s (limit 2s): wait %v after %d sleeps, want to wait until it ended (50)", err, sleeps)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	d.busySince.Store(w.now.Add(-3 * time.Second).UnixNano())
	if err := d.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a cancelled context: %v", err)
	}
}

// TestLoadInterruptedBeforeStart: a signal before anything was sent (here:
// before the bucket check) is a clean stop, exit 0, saying so.
func TestLoadInterruptedBeforeStart(t *testing.T) {
	setLoadEnv(t, "AKIDEXAMPLE", "secret")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"load", "--endpoint", "http://127.0.0.1:9", "--bucket", "b", "--rate", "10", "--events", "10", "--seed", "1"},
		strings.NewReader(""), &stdout, &stderr)
	if code != 0 || stderr.String() != "load: interrupted before sending anything\n" || stdout.Len() != 0 {
		t.Errorf("load interrupted at once: exit %d\nstdout: %s\nstderr: %s", code, &stdout, &stderr)
	}
}

// TestLoadProgressModes: by default a live display on a terminal and a line
// every 10 s elsewhere; --progress sets the interval, 0 none.
func TestLoadProgressModes(t *testing.T) {
	for _, tc := range []struct {
		progress string
		tty      bool
		live     bool
		every    time.Duration
	}{
		{"", false, false, defaultPlainEvery},
		{"", true, true, defaultLiveEvery},
		{"5s", false, false, 5 * time.Second},
		{"5s", true, true, 5 * time.Second},
		{"0", true, true, 0},
		{"0s", false, false, 0},
	} {
		f := loadFlags{bucket: "b", rateText: "10", events: 5, interval: time.Minute, speedup: 1, progress: tc.progress}
		p, err := f.check(tc.tty)
		if err != nil || p.live != tc.live || p.progressEvery != tc.every {
			t.Errorf("--progress %q, terminal %v: live %v every %v (%v), want live %v every %v", tc.progress, tc.tty, p.live, p.progressEvery, err, tc.live, tc.every)
		}
	}
	f := loadFlags{bucket: "b", rateText: "max", duration: time.Second, interval: time.Minute, speedup: 1, shard: "1/3", seedSet: true}
	p, err := f.check(false)
	if err != nil || p.rate != 0 || p.events != unboundedEvents || shardEvents(p.events, p.shard, p.shards) != 0 {
		t.Errorf("--rate max --duration 1s: %+v %v, want rate 0 and no set number of events", p, err)
	}
	if got := shardEvents(10, 1, 3); got != 3 {
		t.Errorf("shard 1/3 of 10 events: %d, want 3 (1, 4, 7)", got)
	}
}

// TestSendRate: n events at 1/R s apart are rate R, not n/(n-1)·R.
func TestSendRate(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := sendRate(300, t0, t0.Add(299*50*time.Microsecond)); math.Abs(got-20000) > 1e-6 {
		t.Errorf("300 events 50 µs apart: %v events/s, want 20000", got)
	}
	if got := sendRate(1, t0, t0); got != 0 {
		t.Errorf("one event: %v events/s, want 0 (no rate)", got)
	}
}
