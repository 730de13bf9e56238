package trail

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// Defaults of Untidy.
const (
	// DefaultLateShare is a typical share of records that arrive late.
	DefaultLateShare = 0.005
	// DefaultJitter is the mean arrival delay of records that are not
	// late.
	DefaultJitter = 10 * time.Second
	// DefaultSplitShare is the share of delivery windows written as two
	// files.
	DefaultSplitShare = 0.05
	// MinLateDelay and MaxLateDelay bound the delay of a late record
	// after its eventTime.
	MinLateDelay = 2 * time.Minute
	MaxLateDelay = time.Hour
	// maxJitter caps the arrival delay of records that are not late.
	maxJitter = 2 * time.Minute
)

// Untidy makes offline delivery (Config.ByEventTime) as untidy as
// CloudTrail's: "log entries are not an ordered stack trace" (CloudTrail User
// Guide). Each record gets an arrival time, its eventTime plus a delay drawn
// from Rand: a few seconds for most records (exponential, mean Jitter, at
// most 2 minutes), MinLateDelay to MaxLateDelay (uniform) for a share
// LateShare of them. A record is delivered in the window of its arrival time,
// so late records land in a later window's file, and the records of a file
// are in arrival order, not eventTime order. A share SplitShare of the
// windows is cut in two at a random instant and written as two files.
//
// Records wait for their arrival time in a queue ordered by arrival (ties
// in the order they were added), released as the largest eventTime added
// passes it: memory holds the records of the last couple of minutes and the
// late ones. Flush and Close deliver the queue. The same records, Config and
// Rand state give the same bytes. The live emulator records calls in the
// order they really arrived and does not use this.
type Untidy struct {
	// Rand draws the arrival delays and the split instants. Required; a
	// Trail uses it alone from then on (it is not safe for concurrent use).
	Rand *rand.Rand
	// LateShare is the share of records that arrive late, 0 to 1; 0: none.
	LateShare float64
	// Jitter is the mean arrival delay of records that are not late;
	// 0 means DefaultJitter, negative means none.
	Jitter time.Duration
	// SplitShare is the share of windows written as two files, 0 to 1;
	// 0 means DefaultSplitShare, negative means none.
	SplitShare float64
}

// untidySalt separates the arrival draws of a seed from its other streams
// of random numbers.
const untidySalt = 0x756e74696479 // "untidy"

// SeededUntidy returns the untidy delivery of `firetrail generate`: its
// draws seeded from seed (the trail's Seed), lateShare of the records late,
// the other settings their defaults. Each Trail needs its own.
func SeededUntidy(seed int64, lateShare float64) *Untidy {
	return &Untidy{Rand: rand.New(rand.NewPCG(uint64(seed), untidySalt)), LateShare: lateShare}
}

// check validates u and fills in its defaults.
func (u Untidy) check() (Untidy, error) {
	switch {
	case u.Rand == nil:
		return u, errors.New("untidy delivery needs a Rand")
	case math.IsNaN(u.LateShare) || u.LateShare < 0 || u.LateShare > 1:
		return u, fmt.Errorf("late share %v not between 0 and 1", u.LateShare)
	case math.IsNaN(u.SplitShare) || u.SplitShare > 1:
		return u, fmt.Errorf("split share %v above 1", u.SplitShare)
	case u.Jitter > maxJitter:
		return u, fmt.Errorf("jitter %v above %v", u.Jitter, maxJitter)
	}
	if u.Jitter == 0 {
		u.Jitter = DefaultJitter
	}
	if u.SplitShare == 0 {
		u.SplitShare = DefaultSplitShare
	}
	return u, nil
}

// delay draws the arrival delay of a record.
func (u *Untidy) delay() time.Duration {
	if u.LateShare > 0 && u.Rand.Float64() < u.LateShare {
		return MinLateDelay + time.Duration(u.Rand.Int64N(int64(MaxLateDelay-MinLateDelay)/int64(time.Millisecond)))*time.Millisecond
	}
	if u.Jitter < 0 {
		return 0
	}
	d := time.Duration(u.Rand.ExpFloat64() * float64(u.Jitter)).Truncate(time.Millisecond)
	return min(d, maxJitter)
}

// cut draws the instant at which a new window's file is cut in two, or
// the zero time.
func (u *Untidy) cut(window time.Time, interval time.Duration) time.Time {
	if u.SplitShare <= 0 || u.Rand.Float64() >= u.SplitShare {
		return time.Time{}
	}
	return window.Add(time.Duration(u.Rand.Int64N(int64(interval/time.Second)-1)+1) * time.Second)
}

// arrival is a record waiting for its arrival time.
type arrival struct {
	at  time.Time
	s   *stream // nil if the stream did not exist when the record came
	id  streamID
	et  time.Time // eventTime
	raw []byte    // the record's JSON
}

// queued is an entry of the queue: a record and its place in the order,
// inline, so that ordering the queue reads no record.
type queued struct {
	key int64  // the arrival time in nanoseconds since 1970
	seq uint64 // then the order the records were added in
	e   *arrival
}

// before reports whether a arrives before b: by arrival time, ties in the
// order they were added.
func (a *queued) before(b *queued) bool {
	return a.key < b.key || a.key == b.key && a.seq < b.seq
}

// arrivals is the queue of waiting records, a binary min-heap by (at, seq).
// It is typed rather than a container/heap: a record passes through it on
// every Add of `firetrail generate`.
type arrivals struct {
	q    []queued
	seq  uint64
	free []*arrival
}

// push queues rec of stream s (encoded: raw, or by enc) to arrive
// at at, which is within the years ByEventTime accepts (the nanoseconds
// since 1970 fit an int64 until 2262).
func (a *arrivals) push(enc *schemas.Encoder, s *stream, rec *schemas.Record, raw []byte, at time.Time) {
	var e *arrival
	if n := len(a.free); n > 0 {
		e, a.free = a.free[n-1], a.free[:n-1]
	} else {
		e = new(arrival)
	}
	e.at, e.s, e.id, e.et = at, s, streamID{rec.RecipientAccountID, rec.AWSRegion}, rec.EventTime
	if raw != nil {
		e.raw = append(e.raw[:0], raw...)
	} else {
		e.raw = enc.AppendRecord(e.raw[:0], rec)
	}
	x := queued{key: at.UnixNano(), seq: a.seq, e: e}
	a.seq++
	a.q = append(a.q, x)
	q := a.q
	i := len(q) - 1
	for i > 0 { // up
		p := (i - 1) / 2
		if !x.before(&q[p]) {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = x
}

// anyTime is the until of next that every record has arrived by.
const anyTime = math.MaxInt64

// next returns the first record arriving at or before until (nanoseconds
// since 1970, or anyTime), if any.
func (a *arrivals) next(until int64) *arrival {
	q := a.q
	if len(q) == 0 || q[0].key > until {
		return nil
	}
	first := q[0].e
	n := len(q) - 1
	last := q[n]
	q[n] = queued{}
	q = q[:n]
	a.q = q
	if n == 0 {
		return first
	}
	i := 0
	for { // down
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q[c+1].before(&q[c]) {
			c++
		}
		if !q[c].before(&last) {
			break
		}
		q[i] = q[c]
		i = c
	}
	q[i] = last
	return first
}

// recycle returns a placed record's entry for reuse.
func (a *arrivals) recycle(e *arrival) {
	if cap(e.raw) > 64<<10 {
		e.raw = nil
	}
	e.s, e.id = nil, streamID{}
	a.free = append(a.free, e)
}

// arrive places the queued records that have arrived by until (every
// one for a zero until), in arrival order. Called with t.mu held.
func (t *Trail) arrive(until time.Time) error {
	limit := int64(anyTime)
	if !until.IsZero() {
		limit = until.UnixNano()
	}
	for {
		e := t.arrivals.next(limit)
		if e == nil {
			return nil
		}
		err := t.place(e.s, e.id, e.et, nil, e.raw, e.at)
		t.arrivals.recycle(e)
		if err != nil {
			return err
		}
	}
}

// Queued returns how many records wait for their arrival time (with
// Config.Untidy).
func (t *Trail) Queued() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.arrivals.q)
}
