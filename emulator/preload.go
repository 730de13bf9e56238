package emulator

import (
	"fmt"
	"time"

	"github.com/firetrail/firetrail/generator"
)

// preload adds the generated records of WithEvents and delivers them. The
// generated activity is shifted to end at the clock's time, so that
// LookupEvents' 90-day window holds it: a first pass measures its span,
// the second (same seed, so the same world) starts that long before now.
func (e *Emulator) preload() error {
	// The activity is the trail owner's: its account, its region, as a
	// single-account trail of that account would log it.
	cfg := generator.Config{
		Seed:       e.opts.seed,
		Events:     e.opts.events,
		Regions:    []string{e.region},
		AccountIDs: []string{e.accountID},
	}
	g, err := generator.New(cfg)
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	var first, last time.Time
	for rec := range g.Records() {
		if first.IsZero() || rec.EventTime.Before(first) {
			first = rec.EventTime
		}
		if rec.EventTime.After(last) {
			last = rec.EventTime
		}
	}
	start := first
	if first.IsZero() {
		start = generator.DefaultStart
	}
	cfg.Start = e.clock.Now().UTC().Truncate(time.Second).Add(-last.Sub(start) - time.Minute)
	if g, err = generator.New(cfg); err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	for rec := range g.Records() {
		if err := e.Record(rec); err != nil {
			return fmt.Errorf("preload: %w", err)
		}
	}
	return e.Flush()
}
