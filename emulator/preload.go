package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
	"github.com/firetrail/firetrail/internal/atomicfile"
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
		// Not journaled: a crash during the preload leaves a data dir
		// that New refuses (checkPreload).
		if err := e.addRecord(&rec, false); err != nil {
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

// preloadFile, in a data directory, describes the generated history it
// holds, so that a restart with the same WithEvents delivers nothing again.
const preloadFile = "preload.json"

// preloadManifest is the content of preloadFile.
type preloadManifest struct {
	Seed      int64  `json:"seed"`
	Events    int    `json:"events"`
	Region    string `json:"region"`
	AccountID string `json:"accountId"`
	// First is the eventTime of the first record as delivered, and
	// Start the generator start it was generated from.
	First time.Time `json:"first"`
	Start time.Time `json:"start"`
	// Complete is false while the history is being delivered.
	Complete bool `json:"complete"`
}

func (m preloadManifest) flags() string {
	return fmt.Sprintf("--events %d --seed %d (region %s, account %s)", m.Events, m.Seed, m.Region, m.AccountID)
}

// checkPreload decides, with a data directory, whether h is delivered: not
// when the directory holds the same preload already (it returns nil); an
// error when it holds another one, or one a crash interrupted. Otherwise
// it notes the preload as begun.
func (e *Emulator) checkPreload(h *history) (*history, error) {
	if e.opts.dataDir == "" {
		return h, nil
	}
	want := preloadManifest{
		Seed: e.opts.seed, Events: e.opts.events, Region: e.region, AccountID: e.accountID,
		First: h.first, Start: h.cfg.Start,
	}
	path := filepath.Join(e.opts.dataDir, preloadFile)
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return h, e.writePreload(want)
	case err != nil:
		return nil, fmt.Errorf("preload: %w", err)
	}
	var have preloadManifest
	if err := json.Unmarshal(b, &have); err != nil {
		return nil, fmt.Errorf("preload: read %s: %w", path, err)
	}
	switch {
	case !have.Complete:
		return nil, fmt.Errorf("preload: data dir %s holds a preload (%s) that was interrupted: remove the data dir and start again", e.opts.dataDir, have.flags())
	case have.Seed != want.Seed || have.Events != want.Events || have.Region != want.Region || have.AccountID != want.AccountID:
		return nil, fmt.Errorf("preload: data dir %s already holds a preload, %s, not %s: restart with the same flags, or without --events, or use a new data dir", e.opts.dataDir, have.flags(), want.flags())
	}
	e.log.Info("data dir holds this preload already: not delivered again", "events", have.Events, "seed", have.Seed)
	return nil, nil
}

// preloaded notes the preload of h as complete (with a data directory).
func (e *Emulator) preloaded(h *history) error {
	if e.opts.dataDir == "" {
		return nil
	}
	return e.writePreload(preloadManifest{
		Seed: e.opts.seed, Events: e.opts.events, Region: e.region, AccountID: e.accountID,
		First: h.first, Start: h.cfg.Start, Complete: true,
	})
}

func (e *Emulator) writePreload(m preloadManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	if err := atomicfile.WriteDurable(filepath.Join(e.opts.dataDir, preloadFile), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	return nil
}
