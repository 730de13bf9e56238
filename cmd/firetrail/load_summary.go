package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firetrail/firetrail/internal/atomicfile"
)

// loadSummary is what a load run did: written with --summary-json, and as
// text on stderr at the end of every run (an interrupted one too).
type loadSummary struct {
	// Events is the number of events generated (sent to the trail);
	// EventsDelivered those in log files stored in the bucket.
	Events          int64 `json:"events"`
	EventsDelivered int   `json:"eventsDelivered"`
	// DataEvents is how many of Events are data events (PutRecord,
	// PutRecordBatch); the others are the accounts' management and read
	// calls.
	DataEvents int64 `json:"dataEvents"`
	// Files counts log files, Digests digest files; Bytes is every byte
	// stored (log and digest files, compressed).
	Files   int   `json:"files"`
	Digests int   `json:"digests"`
	Bytes   int64 `json:"bytes"`
	// DurationSeconds is the whole run, final delivery included;
	// SendSeconds the time from the start to the last event sent.
	DurationSeconds float64 `json:"durationSeconds"`
	SendSeconds     float64 `json:"sendSeconds"`
	// EventsPerSecond is the achieved rate: the events sent after the
	// first, over the time from the first to the last.
	EventsPerSecond float64 `json:"eventsPerSecond"`
	// Rate is the --rate asked for ("max" or events per second of the
	// whole run, over all shards).
	Rate string `json:"rate"`
	// PutLatencyMs are quantiles of the time of each successful PUT (SDK
	// retries included), in milliseconds.
	PutLatencyMs latencyMs `json:"putLatencyMs"`
	// Puts counts objects stored, Retries requests sent again (by the SDK
	// or after a 409), Errors PUTs that failed for good.
	Puts    int64 `json:"puts"`
	Retries int64 `json:"retries"`
	Errors  int64 `json:"errors"`
	// Speedup is --speedup; SimulatedStart and SimulatedEnd bound the
	// event times (the simulated time of the run).
	Speedup        float64   `json:"speedup"`
	SimulatedStart time.Time `json:"simulatedStart"`
	SimulatedEnd   time.Time `json:"simulatedEnd"`
	// Interrupted is set when a signal stopped the run early (what was
	// generated was still delivered); Error when the run failed.
	Interrupted bool   `json:"interrupted"`
	Error       string `json:"error,omitempty"`

	Seed     int64  `json:"seed"`
	Shard    string `json:"shard,omitempty"`
	RunID    string `json:"runId"`
	Endpoint string `json:"endpoint"` // "" for Amazon S3
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix"`
}

// latencyMs are latency quantiles in milliseconds.
type latencyMs struct {
	P50 float64 `json:"p50"`
	P99 float64 `json:"p99"`
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// writeText prints s for a person, a few aligned lines.
func (s *loadSummary) writeText(w io.Writer) {
	var b strings.Builder
	head := "load summary"
	switch {
	case s.Error != "":
		head += " (failed)"
	case s.Interrupted:
		head += " (interrupted: what was generated has been delivered)"
	}
	fmt.Fprintf(&b, "%s:\n", head)
	fmt.Fprintf(&b, "  events    %d generated, %d delivered\n", s.Events, s.EventsDelivered)
	fmt.Fprintf(&b, "  kinds     %d data events, %d management and read calls\n", s.DataEvents, s.Events-s.DataEvents)
	fmt.Fprintf(&b, "  files     %d log files, %d digests, %s\n", s.Files, s.Digests, humanBytes(s.Bytes))
	fmt.Fprintf(&b, "  time      %.1fs (sending %.1fs)\n", s.DurationSeconds, s.SendSeconds)
	fmt.Fprintf(&b, "  rate      %.0f events/s (--rate %s)\n", s.EventsPerSecond, s.Rate)
	if s.Speedup != 1 {
		fmt.Fprintf(&b, "  simulated %s to %s (--speedup %g)\n", s.SimulatedStart.Format(time.RFC3339), s.SimulatedEnd.Format(time.RFC3339), s.Speedup)
	}
	fmt.Fprintf(&b, "  PUT       %d, p50 %.1fms, p99 %.1fms, %d retries, %d errors\n", s.Puts, s.PutLatencyMs.P50, s.PutLatencyMs.P99, s.Retries, s.Errors)
	io.WriteString(w, b.String())
}

// writeJSON writes s to path as indented JSON, through a temporary file
// renamed into place: a reader never sees half a summary.
func (s *loadSummary) writeJSON(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("--summary-json: %w", err)
	}
	return nil
}

// humanBytes is n in B, kB, MB or GB (powers of 1000).
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}
