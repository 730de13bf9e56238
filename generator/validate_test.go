package generator

import (
	"os"
	"testing"

	"github.com/firetrail/firetrail/schemas"
)

// TestValidate is the acceptance check: records from five seeds pass the
// validator of `firetrail validate` with zero problems. 20,000 records per
// seed (5,000 with -short); the full 100,000 per seed with
// FIRETRAIL_ACCEPTANCE=1, and bench/generate.sh runs it through the CLI.
func TestValidate(t *testing.T) {
	events := 20_000
	switch {
	case os.Getenv("FIRETRAIL_ACCEPTANCE") == "1":
		events = 100_000
	case testing.Short():
		events = 5_000
	}
	v, err := schemas.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	configs := []Config{
		{Seed: 1, Events: events},
		{Seed: 2, Events: events, Accounts: 3, Org: true, Scenario: ScenarioAll},
		{Seed: 3, Events: events, Accounts: 2, Regions: []string{"eu-west-1", "ap-southeast-2"}, EventVersion: "1.11", EmptyWorld: true},
		{Seed: 4, Events: events, ErrorShare: 0.2, EventVersion: "1.05"},
		{Seed: 5, Events: events, ReadOnlyShare: 0.5, DataEventShare: 0.3, EventVersion: "1.09"},
	}
	for _, cfg := range configs {
		g := mustNew(t, cfg)
		var buf []byte
		n, bad := 0, 0
		for rec := range g.Records() {
			buf = rec.AppendJSON(buf[:0])
			if ps := v.Validate(buf); len(ps) > 0 {
				if bad++; bad <= 10 {
					t.Errorf("seed %d record %d (%s): %v\n%s", cfg.Seed, n, rec.EventName, ps, buf)
				}
			}
			n++
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		if n != events || bad > 0 {
			t.Errorf("seed %d: %d records, %d with problems", cfg.Seed, n, bad)
		}
	}
}
