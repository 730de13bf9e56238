package emulator

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
)

// history is the generated activity of WithEvents, planned before the trail
// starts: the generator config, shifted so that the activity ends just
// before the clock's time (LookupEvents' 90-day window then holds it), and
// the time of its first record.
type history struct {
	cfg   generator.Config
	first time.Time
}

// planHistory measures the generated activity (a first pass over the same
// seed, so the same world) and moves it by whole weeks to end as close
// before now as it can, at least a minute before. Whole weeks keep the
// weekday and time of day the generator's working-day rhythm depends on, so
// the moved activity is the measured one, each record a number of weeks
// later.
func (e *Emulator) planHistory() (*history, error) {
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
		return nil, fmt.Errorf("preload: %w", err)
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
	if first.IsZero() {
		first, last = generator.DefaultStart, generator.DefaultStart
	}
	shift := weeksBefore(e.clock.Now().UTC().Add(-time.Minute), last)
	cfg.Start = generator.DefaultStart.Add(shift)
	return &history{cfg: cfg, first: first.Add(shift)}, nil
}

// week is the unit history is moved by.
const week = 7 * 24 * time.Hour

// weeksBefore returns the largest whole number of weeks that moves t to at
// or before limit (negative when t is after limit).
func weeksBefore(limit, t time.Time) time.Duration {
	gap := limit.Sub(t)
	k := gap / week
	if gap < 0 && gap%week != 0 {
		k--
	}
	return k * week
}

// preload adds the planned history and delivers it. When clock replays
// (a trail without saved state), the trail's time follows the records, so
// the history lands in the 5-minute files and hourly digests a trail that
// had been logging all along would have written; then the clock returns to
// the emulator's time and what is pending is delivered now.
func (e *Emulator) preload(h *history, clock *replayClock) error {
	g, err := generator.New(h.cfg)
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	ctx := context.Background()
	for rec := range g.Records() {
		if clock.replaying() {
			clock.set(rec.EventTime)
			if err := e.trail.Tick(ctx); err != nil {
				return fmt.Errorf("preload: %w", err)
			}
		}
		if err := e.Record(rec); err != nil {
			return fmt.Errorf("preload: %w", err)
		}
	}
	if err := g.Err(); err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	clock.stop()
	return e.Flush()
}

// replayClock is the trail's clock: the emulator's clock, except while
// preloaded history is replayed, when it reads the time of the record
// being replayed. It never runs backwards: history ends before the
// emulator's time.
type replayClock struct {
	base trail.Clock
	mu   sync.Mutex
	at   time.Time // non-zero while replaying
}

var _ trail.Clock = (*replayClock)(nil)

// Now returns the replayed time, or the emulator's.
func (c *replayClock) Now() time.Time {
	c.mu.Lock()
	at := c.at
	c.mu.Unlock()
	if !at.IsZero() {
		return at
	}
	return c.base.Now()
}

func (c *replayClock) replaying() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.at.IsZero()
}

func (c *replayClock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.at) {
		c.at = t
	}
	c.mu.Unlock()
}

func (c *replayClock) stop() {
	c.mu.Lock()
	c.at = time.Time{}
	c.mu.Unlock()
}
