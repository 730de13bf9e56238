package trail

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"time"
)

// maxBufferReuse is the largest buffer kept for reuse after a delivery
// (sync.Pool lets the garbage collector free idle ones).
const maxBufferReuse = 64 << 20

// Tick delivers every log file whose window has closed as of the trail's
// time (the clock's, or the latest eventTime with ByEventTime), then every
// digest whose hour has ended. Deliveries that failed before are retried
// first. It returns the first Sink error; undelivered objects stay queued
// for the next Tick, Flush or Close.
func (t *Trail) Tick(ctx context.Context) error {
	return t.run(ctx, false, true)
}

// Flush delivers everything pending now: every open window is closed early
// and delivered with the clock's current time (with ByEventTime, at the
// window's own delivery time, so output does not depend on when Flush is
// called), then digests that are due, as Tick.
func (t *Trail) Flush(ctx context.Context) error {
	return t.run(ctx, true, true)
}

// Close stops logging: it flushes, then writes final digests so that every
// delivered log file is in a digest. With ByEventTime the final digests are
// whole hours; otherwise the last digest of each chain ends at the current
// time (CloudTrail writes a final digest after logging stops). Add fails after
// Close; Tick and Flush only retry undelivered objects. Close may be called
// again to retry failed deliveries.
func (t *Trail) Close(ctx context.Context) error {
	t.mu.Lock()
	var objs []*object
	if !t.closed {
		if err := t.arrive(time.Time{}); err != nil {
			t.mu.Unlock()
			return err
		}
		now := t.now()
		objs = t.collect(now, true)
		objs = append(objs, t.finalDigests(now)...)
		t.closed = true
	}
	return t.handOff(ctx, objs, true)
}

// run collects what is due and delivers it. Without wait it stops at the
// first object still being compressed, leaving it and the rest queued.
func (t *Trail) run(ctx context.Context, flush, wait bool) error {
	t.mu.Lock()
	if flush && !t.closed {
		if err := t.arrive(time.Time{}); err != nil {
			t.mu.Unlock()
			return err
		}
	}
	now := t.now()
	due := flush || !t.nextEvent.IsZero() && !now.Before(t.nextEvent)
	if !due && !t.retry.Load() && !t.queued.Load() {
		t.mu.Unlock()
		return nil
	}
	var objs []*object
	if due && !t.closed {
		objs = t.collect(now, flush)
	}
	return t.handOff(ctx, objs, wait)
}

// handOff queues objs and delivers the queue. It is called with t.mu held
// and releases it once the queue is locked, so that deliveries keep their
// order without holding up Add.
func (t *Trail) handOff(ctx context.Context, objs []*object, wait bool) error {
	t.putMu.Lock()
	t.mu.Unlock()
	defer t.putMu.Unlock()
	t.outbox = append(t.outbox, objs...)
	return t.drain(ctx, wait)
}

// collect closes windows, names the log files due at now and makes the
// digests due at now, returning them in delivery order. Called with t.mu
// held.
func (t *Trail) collect(now time.Time, flush bool) []*object {
	var objs []*object
	for _, s := range t.order {
		f := s.open
		if f == nil {
			continue
		}
		end := f.window.Add(t.cfg.Interval)
		switch {
		case flush && !t.cfg.ByEventTime:
			t.closeFile(f, now)
		case flush || !end.After(now):
			t.closeFile(f, end.Add(t.cfg.DeliveryDelay))
		}
	}
	t.nextEvent = time.Time{}
	kept := t.ready[:0]
	for _, f := range t.ready {
		switch {
		case t.cfg.ByEventTime:
		case flush && f.delivered.After(now):
			f.delivered = now
		case f.delivered.After(now):
			kept = append(kept, f)
			t.noteEvent(f.delivered)
			continue
		}
		objs = append(objs, t.deliverLog(f))
	}
	clear(t.ready[len(kept):])
	t.ready = kept
	for _, s := range t.order {
		if s.open != nil {
			t.noteEvent(s.open.window.Add(t.cfg.Interval))
		}
		if s.chain.start.IsZero() {
			continue
		}
		for {
			end := s.chain.start.Add(DigestPeriod)
			if end.After(now) {
				t.noteEvent(end)
				break
			}
			if now.Sub(end) > maxCatchUp*DigestPeriod {
				// A long silence (a restart, a clock jump, a gap in the
				// records): skip to the window of the next pending log
				// file or of now, leaving a gap in the chain as a stopped
				// trail does.
				next := t.windowStart(now)
				for _, e := range s.chain.pending {
					if e.Delivered.Before(next) {
						next = t.windowStart(e.Delivered)
					}
				}
				if next.After(s.chain.start) {
					s.chain.start = next
					continue
				}
			}
			objs = append(objs, t.makeDigest(s, end))
		}
	}
	return objs
}

// finalDigests makes the digests that end a chain at Close. Called with
// t.mu held, after collect(now, true).
func (t *Trail) finalDigests(now time.Time) []*object {
	var objs []*object
	if t.cfg.ByEventTime {
		// Whole hours up to the one holding the last delivery.
		var last time.Time
		for _, s := range t.order {
			for _, e := range s.chain.pending {
				if e.Delivered.After(last) {
					last = e.Delivered
				}
			}
		}
		for _, s := range t.order {
			for !s.chain.start.IsZero() && !s.chain.start.After(last) {
				objs = append(objs, t.makeDigest(s, s.chain.start.Add(DigestPeriod)))
			}
		}
		return objs
	}
	end := now.Truncate(time.Second).Add(time.Second)
	for _, s := range t.order {
		if !s.chain.start.IsZero() && s.chain.start.Before(end) {
			objs = append(objs, t.makeDigest(s, end))
		}
	}
	return objs
}

// deliverLog names a closed log file and lists it for its digest.
func (t *Trail) deliverLog(f *logFile) *object {
	s := f.s
	at := f.delivered
	if t.cfg.StampAfterEvents {
		at = keyTime(f.delivered, f.newest)
	}
	stamp := at.Truncate(stampUnit)
	if !stamp.Equal(s.chain.stamp) {
		s.chain.stamp, s.chain.seq = stamp, 0
	}
	key := t.logKey(s.id.account, s.id.region, at, s.chain.seq)
	s.chain.seq++
	if !s.chain.start.IsZero() {
		var hash string
		if f.done != nil {
			// The hash comes with the compression: settle fills it in.
			s.chain.unhashed = append(s.chain.unhashed, unhashed{len(s.chain.pending), f})
		} else {
			hash = f.hash
		}
		s.chain.pending = append(s.chain.pending, LogFileEntry{
			Bucket: t.cfg.Bucket, Key: key, Hash: hash,
			Oldest: f.oldest, Newest: f.newest, Delivered: f.delivered, Records: f.n,
		})
	}
	o := &object{key: key, file: f, records: f.n, delivered: f.delivered}
	if t.cfg.Notify != nil {
		o.notice = &Notice{
			Bucket: t.cfg.Bucket, Key: key, Account: s.id.account, Region: s.id.region,
			Records:         f.n,
			OldestEventTime: f.oldest, NewestEventTime: f.newest, DeliveredAt: f.delivered,
		}
	}
	return o
}

// keyTime is the time a log file's key is stamped with: its delivery
// time, unless a flush or a split delivered it before the stamp unit of
// its newest event ended. Then the stamp is the end of that unit, as for a
// file delivered when its window closed: a file stamped T1505Z holds
// events up to 15:04:59, never later.
func keyTime(delivered, newest time.Time) time.Time {
	if newest.IsZero() || delivered.Truncate(stampUnit).After(newest) {
		return delivered
	}
	return newest.Truncate(stampUnit).Add(stampUnit)
}

// settle fills in the hashes of c's pending log files compressed by
// workers, waiting for them. Called with t.mu held.
func (t *Trail) settle(c *chain) {
	for _, u := range c.unhashed {
		t.finished(u.f, true)
		c.pending[u.i].Hash = u.f.hash
	}
	clear(c.unhashed)
	c.unhashed = c.unhashed[:0]
}

// takeBytes takes the compressed bytes of a log file object, waiting for its
// compression if wait is set; it reports false if they are not ready.
// Called with t.putMu held.
func (t *Trail) takeBytes(o *object, wait bool) bool {
	f := o.file
	if f == nil {
		return true
	}
	if !t.finished(f, wait) {
		return false
	}
	o.buf, f.buf, o.file = f.buf, nil, nil
	o.digests, f.digests = f.digests, nil
	if o.notice != nil {
		sum := md5.Sum(o.buf.Bytes())
		o.notice.Size, o.notice.MD5 = int64(o.buf.Len()), hex.EncodeToString(sum[:])
	}
	return true
}

// drain stores queued objects in order, stopping at the first failure,
// and without wait at the first object still being compressed. Called
// with t.putMu held.
func (t *Trail) drain(ctx context.Context, wait bool) error {
	for len(t.outbox) > 0 {
		o := t.outbox[0]
		if !t.takeBytes(o, wait) {
			t.queued.Store(true)
			return nil
		}
		var err error
		if t.logSink != nil && o.digest.IsZero() {
			err = t.logSink.PutLog(ctx, o.key, o.buf.Bytes(), o.digests, o.meta)
		} else {
			err = t.cfg.Sink.Put(ctx, o.key, o.buf.Bytes(), o.meta)
		}
		if err != nil {
			t.retry.Store(true)
			t.statsMu.Lock()
			t.stats.LastError = err.Error()
			t.stats.LastErrorTime = t.cfg.Clock.Now()
			t.stats.PendingDeliveries = len(t.outbox)
			t.statsMu.Unlock()
			t.log.Warn("trail: delivery failed", "key", o.key, "err", err)
			return fmt.Errorf("trail: deliver %s: %w", o.key, err)
		}
		t.outbox[0] = nil
		t.outbox = t.outbox[1:]
		t.release(o.buf)
		o.digests = nil
		t.statsMu.Lock()
		t.stats.LastError = ""
		t.stats.PendingDeliveries = len(t.outbox)
		if o.digest.IsZero() {
			t.stats.LogFiles++
			t.stats.Records += o.records
			t.stats.LastDelivery = o.delivered
		} else {
			t.stats.Digests++
			t.stats.LastDigest = o.digest
		}
		t.statsMu.Unlock()
		if o.notice != nil {
			t.cfg.Notify(*o.notice)
		}
	}
	t.outbox = nil
	t.retry.Store(false)
	t.queued.Store(false)
	return nil
}

// releasePend returns a file's pending buffer to pendPool in its box
// (which keeps the buffer it had when pend outgrew what is kept).
func (t *Trail) releasePend(box *[]byte, pend []byte) {
	if cap(pend) <= maxSpare {
		*box = pend[:0]
	}
	t.pendPool.Put(box)
}

// release returns a delivered buffer for reuse.
func (t *Trail) release(buf *bytes.Buffer) {
	if buf.Cap() <= maxBufferReuse {
		buf.Reset()
		t.bufPool.Put(buf)
	}
}

// Stats returns counts of what has been delivered.
func (t *Trail) Stats() Stats {
	t.statsMu.Lock()
	defer t.statsMu.Unlock()
	return t.stats
}
