package emulator

import (
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
)

func TestWeeksBefore(t *testing.T) {
	t0 := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		limit time.Time
		want  time.Duration
	}{
		{t0, 0},
		{t0.Add(week - time.Second), 0},
		{t0.Add(week), week},
		{t0.Add(3*week + time.Hour), 3 * week},
		{t0.Add(-time.Second), -week},
		{t0.Add(-week), -week},
		{t0.Add(-week - time.Second), -2 * week},
	}
	for _, tc := range tests {
		if got := weeksBefore(tc.limit, t0); got != tc.want {
			t.Errorf("weeksBefore(%s, %s) = %s, want %s", tc.limit, t0, got, tc.want)
		}
	}
}

// TestPreloadIsTheMeasuredHistoryMoved checks what planHistory relies on:
// moving the generator's start by whole weeks moves every record by as
// much, and the history ends before the clock.
func TestPreloadIsTheMeasuredHistoryMoved(t *testing.T) {
	now := time.Date(2026, 11, 25, 21, 38, 52, 0, time.UTC)
	e := &Emulator{opts: settings{seed: 4, events: 400}, region: "eu-west-1", accountID: "111122223333", clock: trail.NewFakeClock(now)}
	h, err := e.planHistory()
	if err != nil {
		t.Fatal(err)
	}
	base := h.cfg
	base.Start = time.Time{}
	shift := h.cfg.Start.Sub(generator.DefaultStart)
	if shift%week != 0 {
		t.Fatalf("history moved by %s, not whole weeks", shift)
	}
	g0, err := generator.New(base)
	if err != nil {
		t.Fatal(err)
	}
	var want []time.Time
	for rec := range g0.Records() {
		want = append(want, rec.EventTime.Add(shift))
	}
	g1, err := generator.New(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for rec := range g1.Records() {
		if i >= len(want) || !rec.EventTime.Equal(want[i]) {
			t.Fatalf("record %d at %s, want %v (the measured history moved by %s)", i, rec.EventTime, want[min(i, len(want)-1)], shift)
		}
		if rec.EventTime.After(now.Add(-time.Minute)) {
			t.Fatalf("record %d at %s: after the clock (%s) less a minute", i, rec.EventTime, now)
		}
		if i == 0 && !rec.EventTime.Equal(h.first) {
			t.Errorf("first record at %s, plan says %s", rec.EventTime, h.first)
		}
		i++
	}
	if i != len(want) {
		t.Errorf("%d records moved, %d measured", i, len(want))
	}
}

// TestPreloadDeliversHistoryInWindows: a new trail replays the history, so
// it lands in many 5-minute files with past stamps, and digests chain
// through the hours it spans.
func TestPreloadDeliversHistoryInWindows(t *testing.T) {
	now := time.Date(2026, 11, 25, 21, 38, 52, 0, time.UTC)
	e, err := New(WithClock(trail.NewFakeClock(now)), WithSeed(2), WithEvents(600))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	st := e.trail.Stats()
	if st.LogFiles < 5 {
		t.Errorf("history of 600 events delivered in %d log files, want one per 5-minute window (≥ 5)", st.LogFiles)
	}
	if st.Records != 600 {
		t.Errorf("%d records delivered, want 600", st.Records)
	}
	if st.Digests < 1 {
		t.Errorf("no digest for the hours the history spans")
	}
}
