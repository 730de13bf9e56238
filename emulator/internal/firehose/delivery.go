package firehose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Delivery, as on AWS, is asynchronous: a put only buffers its records.
// A stream's buffer is written to its bucket as one object when it holds
// SizeInMBs, when its first record is IntervalInSeconds old (by the
// service's clock), when the stream's destination changes, or on Flush.
// Due buffers are written at the end of every call and by Tick and Flush:
// there is no goroutine. A failed write is logged and retried at the next
// of these, never dropped while the process lives.

// buffer holds the records put to a stream and not yet written.
type buffer struct {
	stream streamKey
	to     s3Target
	data   []byte
	first  time.Time // arrival of the first record: the time in the key
	id     string    // the random part of the object key
}

// key is the object key Firehose gives the buffer:
// <prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz].
func (b *buffer) key() string {
	k := b.to.prefix + b.first.Format("2006/01/02/15/") +
		fmt.Sprintf("%s-%d-%s-%s", b.stream.name, b.to.version, b.first.Format("2006-01-02-15-04-05"), b.id)
	if b.to.gzip {
		k += ".gz"
	}
	return k
}

// due reports whether b's interval has passed at now.
func (b *buffer) due(now time.Time) bool { return !now.Before(b.first.Add(b.to.interval)) }

// delivery is the buffers of every stream.
type delivery struct {
	objects Objects
	log     *slog.Logger

	mu    sync.Mutex
	open  map[streamKey]*buffer // the buffer each stream is filling
	ready []*buffer             // to write, oldest first: full, superseded, due or failed

	writeMu sync.Mutex // one writer at a time, so objects keep their order
}

func newDelivery(objects Objects, log *slog.Logger) *delivery {
	return &delivery{objects: objects, log: log, open: map[streamKey]*buffer{}}
}

// add buffers records put to stream k at now for target t; newID makes
// the random part of a new buffer's key.
func (d *delivery) add(k streamKey, t s3Target, records [][]byte, now time.Time, newID func() string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.open[k]
	if b != nil && b.to != t {
		// The destination changed: what was buffered goes where it was
		// put for, under the version it was put under.
		d.ready = append(d.ready, b)
		b = nil
	}
	if b == nil {
		b = &buffer{stream: k, to: t, first: now, id: newID()}
		d.open[k] = b
	}
	for _, r := range records {
		b.data = append(b.data, r...)
	}
	if len(b.data) >= max(t.sizeBytes, 1) {
		d.ready = append(d.ready, b)
		delete(d.open, k)
	}
}

// take moves the open buffers that are due at now (all of them with all
// set) to ready and returns ready, emptied; d.mu is held.
func (d *delivery) take(now time.Time, all bool) []*buffer {
	for k, b := range d.open {
		if all || b.due(now) {
			d.ready = append(d.ready, b)
			delete(d.open, k)
		}
	}
	out := d.ready
	d.ready = nil
	return out
}

// pending reports whether deliver(now, all) has anything to write.
func (d *delivery) pending(now time.Time, all bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.ready) > 0 || (all && len(d.open) > 0) {
		return true
	}
	for _, b := range d.open {
		if b.due(now) {
			return true
		}
	}
	return false
}

// deliver writes the buffers due at now (every buffer with all set). The
// ones that fail are logged and kept, first in line for the next try.
func (d *delivery) deliver(ctx context.Context, now time.Time, all bool) error {
	if !d.pending(now, all) {
		return nil
	}
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	d.mu.Lock()
	batch := d.take(now, all)
	d.mu.Unlock()
	var failed []*buffer
	var errs []error
	for _, b := range batch {
		if err := d.write(ctx, b); err != nil {
			d.log.Warn("firehose delivery failed; retried at the next tick", "stream", b.stream.name, "to", b.to.String(), "bytes", len(b.data), "err", err)
			failed = append(failed, b)
			errs = append(errs, err)
		}
	}
	if len(failed) > 0 {
		d.mu.Lock()
		d.ready = append(failed, d.ready...)
		d.mu.Unlock()
	}
	return errors.Join(errs...)
}

// write stores b as one object of its bucket.
func (d *delivery) write(ctx context.Context, b *buffer) error {
	body := b.data
	if b.to.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body) // a bytes.Buffer does not fail
		_ = zw.Close()
		body = buf.Bytes()
	}
	key := b.key()
	if err := d.objects.CreateBucket(b.to.bucket); err != nil {
		return fmt.Errorf("deliver %s to %s: %w", b.stream.name, b.to, err)
	}
	if err := d.objects.PutObject(ctx, b.to.bucket, key, nil, body); err != nil {
		return fmt.Errorf("deliver %s to s3://%s/%s: %w", b.stream.name, b.to.bucket, key, err)
	}
	return nil
}
