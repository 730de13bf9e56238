package generator

import (
	"fmt"
	"testing"
	"time"
)

// FuzzParseShard: --shard input never panics, and what parses prints back.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "2/3", "3/2", "-1/2", "1", "a/b", "", "1/2/3", "00/01", "9223372036854775807/9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, n, err := ParseShard(s)
		if err != nil {
			return
		}
		if k < 0 || n < 1 || k >= n {
			t.Fatalf("ParseShard(%q) = %d, %d", s, k, n)
		}
		if k2, n2, err := ParseShard(fmt.Sprintf("%d/%d", k, n)); err != nil || k2 != k || n2 != n {
			t.Fatalf("round trip of %q: %d, %d, %v", s, k2, n2, err)
		}
	})
}

// FuzzNew: any configuration either fails with an error or generates
// records in time order without panicking.
func FuzzNew(f *testing.F) {
	f.Add(int64(1), 50, 1, "us-east-1", "1.08", 0.7, 0.04, 0.15, "", 0, 1, false, int64(0))
	f.Add(int64(-5), 10, 3, "eu-west-1", "1.02", 0.5, -1.0, -1.0, "all", 1, 2, true, int64(1e9))
	f.Add(int64(0), -1, 0, "moon-1", "2.0", 2.0, 0.9, 0.9, "heist", 3, 2, false, int64(-1))
	f.Fuzz(func(t *testing.T, seed int64, events, accounts int, region, version string, ro, errShare, data float64, scenario string, shard, shards int, empty bool, start int64) {
		if events > 300 || accounts > 5 {
			t.Skip()
		}
		cfg := Config{Seed: seed, Events: events, Accounts: accounts, Regions: []string{region}, EventVersion: version,
			ReadOnlyShare: ro, ErrorShare: errShare, DataEventShare: data, Scenario: scenario, Shard: shard, Shards: shards,
			EmptyWorld: empty, Start: time.Unix(start, 0)}
		g, err := New(cfg)
		if err != nil {
			return
		}
		var last time.Time
		for rec := range g.Records() {
			if rec.EventTime.Before(last) {
				t.Fatalf("eventTime %v after %v", rec.EventTime, last)
			}
			last = rec.EventTime
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzPaced: any paced configuration (Config.Rate, data events filling the
// rate or not, streams at first or not) either fails with an error or
// generates all its records, each at Start + ⌊i/Rate⌋, without panicking
// or stalling.
func FuzzPaced(f *testing.F) {
	f.Add(int64(1), 300, 1, 20000.0, 0.15, false, int64(1_800_000_000))
	f.Add(int64(3), 200, 2, 20000.0, 0.0, true, int64(1_800_000_000))
	f.Add(int64(-2), 100, 3, 0.5, -1.0, true, int64(0))
	f.Add(int64(9), 50, 1, 1e300, 0.9, false, int64(4e10))
	f.Fuzz(func(t *testing.T, seed int64, events, accounts int, rate, data float64, empty bool, start int64) {
		if events > 300 || accounts > 5 {
			t.Skip()
		}
		cfg := Config{Seed: seed, Events: events, Accounts: accounts, Rate: rate, DataEventShare: data, EmptyWorld: empty, Start: time.Unix(start, 0)}
		g, err := New(cfg)
		if err != nil {
			return
		}
		cfg = g.Config()
		n := 0
		for rec := range g.Records() {
			want := cfg.Start.Unix() + int64(min(float64(n)/cfg.Rate, float64(maxOutUnix-cfg.Start.Unix())))
			if cfg.Rate > 0 && rec.EventTime.Unix() != want {
				t.Fatalf("record %d at %v, want %v", n, rec.EventTime, time.Unix(want, 0).UTC())
			}
			n++
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		if n != cfg.Events {
			t.Fatalf("%d records, want %d", n, cfg.Events)
		}
	})
}
