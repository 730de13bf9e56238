package trail_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

// runKeys delivers the same records as a trail of seed 7 and runID would,
// flushing twice in one stamp and once in the next, and returns the log
// file keys.
func runKeys(t *testing.T, runID string) []string {
	t.Helper()
	clock := trail.NewFakeClock(t0)
	tr, sink := newTrail(t, trail.Config{Clock: clock, Seed: 7, RunID: runID, StampAfterEvents: true})
	for i := range 3 {
		must(t, tr.Add(firehoseRecord(i, "111122223333", "eu-west-1", clock.Now())))
		must(t, tr.Add(firehoseRecord(i, "444455556666", "us-east-1", clock.Now())))
		must(t, tr.Flush(t.Context()))
		clock.Advance(2 * time.Minute)
	}
	must(t, tr.Close(t.Context()))
	keys := logKeys(sink)
	if len(keys) != 6 {
		t.Fatalf("run %q delivered %d log files, want 6: %q", runID, len(keys), keys)
	}
	return keys
}

func disjoint(a, b []string) bool {
	for _, k := range a {
		if slices.Contains(b, k) {
			return false
		}
	}
	return true
}

// TestRunIDKeys: the run ID changes every log file name, and only it: runs
// of one seed with the same run ID (or none) name their files alike, runs
// with different run IDs never share a name.
func TestRunIDKeys(t *testing.T) {
	none, none2 := runKeys(t, ""), runKeys(t, "")
	if !slices.Equal(none, none2) {
		t.Errorf("two runs without a run ID named their files differently:\n%q\n%q", none, none2)
	}
	a, a2, b := runKeys(t, "run-a"), runKeys(t, "run-a"), runKeys(t, "run-b")
	if !slices.Equal(a, a2) {
		t.Errorf("two runs with run ID run-a named their files differently:\n%q\n%q", a, a2)
	}
	if !disjoint(a, b) || !disjoint(a, none) || !disjoint(b, none) {
		t.Errorf("runs with different run IDs share a key:\nnone:  %q\nrun-a: %q\nrun-b: %q", none, a, b)
	}
	// Only the unique part differs: same prefixes, stamps and shape.
	unique := regexp.MustCompile(`_[A-Za-z0-9]{16}\.json\.gz$`)
	for i := range a {
		if unique.ReplaceAllString(a[i], "") != unique.ReplaceAllString(none[i], "") {
			t.Errorf("key %d: %q with a run ID, %q without: want them to differ in the unique part only", i, a[i], none[i])
		}
	}
	// Random run IDs: disjoint too.
	if r1, r2 := runKeys(t, trail.NewRunID()), runKeys(t, trail.NewRunID()); !disjoint(r1, r2) {
		t.Errorf("two runs with random run IDs share a key:\n%q\n%q", r1, r2)
	}
}

func TestNewRunID(t *testing.T) {
	shape := regexp.MustCompile(`^[A-Za-z0-9]{22}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := trail.NewRunID()
		if !shape.MatchString(id) {
			t.Fatalf("NewRunID() = %q, want 22 characters of [A-Za-z0-9]", id)
		}
		if seen[id] {
			t.Fatalf("NewRunID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestRunIDTooLong(t *testing.T) {
	_, err := trail.New(trail.Config{Sink: new(trail.MemSink), Bucket: "example-trail-bucket", RunID: strings.Repeat("x", 129)})
	if err == nil || !strings.Contains(err.Error(), "run ID") {
		t.Errorf("New with a 129-byte run ID: %v, want an error about the run ID", err)
	}
	if _, err := trail.New(trail.Config{Sink: new(trail.MemSink), Bucket: "example-trail-bucket", RunID: strings.Repeat("x", 128)}); err != nil {
		t.Errorf("New with a 128-byte run ID: %v", err)
	}
}

// TestRestartKeys: a trail restarted from its State in the same stamp unit
// continues the unit's sequence, so it does not reuse a key even with the
// same run ID. A State saved before the last delivery (a crash between a
// delivery and the save) would make the restarted trail reuse that key:
// a restart needs a run ID of its own, which makes every key new.
func TestRestartKeys(t *testing.T) {
	const account, region = "111122223333", "eu-west-1"
	start := func(clock *trail.FakeClock, runID string, state []byte) (*trail.Trail, *trail.MemSink) {
		return newTrail(t, trail.Config{Clock: clock, Seed: 7, RunID: runID, State: state, StampAfterEvents: true})
	}
	deliver := func(tr *trail.Trail, clock *trail.FakeClock, i int) {
		must(t, tr.Add(firehoseRecord(i, account, region, clock.Now())))
		must(t, tr.Flush(t.Context()))
	}

	clock := trail.NewFakeClock(t0)
	tr, sink := start(clock, "", nil)
	deliver(tr, clock, 1)
	stale, err := tr.State() // saved after the first file only
	must(t, err)
	clock.Advance(time.Minute)
	deliver(tr, clock, 2)
	saved, err := tr.State()
	must(t, err)
	first := logKeys(sink)
	if len(first) != 2 || first[0] == first[1] {
		t.Fatalf("first run: log files %q, want two distinct", first)
	}

	// A clean restart in the same stamp unit: the sequence goes on.
	clock.Advance(time.Minute)
	tr2, sink2 := start(clock, "", saved)
	deliver(tr2, clock, 3)
	if k := logKeys(sink2); len(k) != 1 || slices.Contains(first, k[0]) {
		t.Errorf("restart from the saved state delivered %q, want one key not in %q", k, first)
	}

	// From the stale state the same run ID reuses the second file's key...
	tr3, sink3 := start(clock, "", stale)
	deliver(tr3, clock, 3)
	if k := logKeys(sink3); len(k) != 1 || k[0] != first[1] {
		t.Errorf("restart from a stale state delivered %q, want the reused key %q (if this changed, update the comment)", k, first[1])
	}
	// ...a new run ID does not.
	tr4, sink4 := start(clock, trail.NewRunID(), stale)
	deliver(tr4, clock, 3)
	if k := logKeys(sink4); len(k) != 1 || slices.Contains(first, k[0]) {
		t.Errorf("restart from a stale state with a new run ID delivered %q, want one key not in %q", k, first)
	}
}
