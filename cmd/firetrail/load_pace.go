package main

import (
	"context"
	"time"
)

// wallClock is the time load paces by: the wall clock in a run, a virtual
// clock in tests.
type wallClock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, returning ctx's error then.
	Sleep(ctx context.Context, d time.Duration) error
}

// realWall is the wall clock.
type realWall struct{}

func (realWall) Now() time.Time { return time.Now() }

func (realWall) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pacer spaces the events of a run evenly at rate per second of the wall
// clock from start; rate 0 is as fast as possible. A shard k of n sends
// every n-th event of the whole run (events k, k+n, …) at the time the
// whole run would, so n shards started together hold the run's rate
// between them. Being late (a slow store, a pause) is made up at once:
// the count of events sent by any time stays that of the schedule, give or
// take the lateness. It sleeps only when more than a few milliseconds
// ahead, so high rates cost no syscall per event.
type pacer struct {
	clock    wallClock
	start    time.Time
	rate     float64
	shard    int // k of the shard, 0 unsharded
	shards   int // n, 1 unsharded
	minAhead time.Duration
}

func newPacer(clock wallClock, start time.Time, rate float64, shard, shards int) *pacer {
	return &pacer{clock: clock, start: start, rate: rate, shard: shard, shards: max(shards, 1), minAhead: 2 * time.Millisecond}
}

// due is the time the j-th event of this shard is due.
func (p *pacer) due(j int) time.Time {
	i := j*p.shards + p.shard
	return p.start.Add(time.Duration(float64(i) / p.rate * float64(time.Second)))
}

// wait returns when the j-th event of this shard (from 0) is due, or with
// ctx's error when ctx is done first.
func (p *pacer) wait(ctx context.Context, j int) error {
	if p.rate == 0 {
		return ctx.Err()
	}
	ahead := p.due(j).Sub(p.clock.Now())
	if ahead < p.minAhead {
		return ctx.Err()
	}
	return p.clock.Sleep(ctx, ahead)
}

// simClock is the simulated time of a run: it starts at simStart when the
// wall clock reads wallStart and runs speedup times as fast. Event times and
// the trail's delivery windows (and so its keys) both read it.
type simClock struct {
	wall      wallClock
	wallStart time.Time
	simStart  time.Time
	speedup   float64
}

// Now returns the simulated time, in UTC.
func (c *simClock) Now() time.Time { return c.at(c.wall.Now()) }

// The most simulated time a run may cover: a hundred years (of 365 days),
// well inside what a time.Duration holds (292).
const (
	maxSimYears = 100
	year        = 365 * 24 * time.Hour
	maxSimSpan  = maxSimYears * year
)

// at returns the simulated time when the wall clock reads wall, in UTC; it
// stops at maxSimSpan after the start (see pastSpan).
func (c *simClock) at(wall time.Time) time.Time {
	el := wall.Sub(c.wallStart)
	if c.speedup != 1 {
		el = time.Duration(min(float64(el)*c.speedup, float64(maxSimSpan)))
	}
	return c.simStart.Add(el).UTC()
}

// pastSpan reports whether the simulated time has reached maxSimSpan when
// the wall clock reads wall.
func (c *simClock) pastSpan(wall time.Time) bool {
	return float64(wall.Sub(c.wallStart))*c.speedup >= float64(maxSimSpan)
}
