package scan

import (
	"bytes"
	"context"
	"sync"

	"github.com/firetrail/firetrail/schemas"
)

// The reader side of a scan (walking, decompressing, delimiting records)
// emits items in input order. With one worker each item is handled at once;
// with more, records are copied into chunks that workers validate
// concurrently (Validator.Check), and the caller's goroutine handles the
// chunks in input order: the cross-record checks (schemas.Batch) and every
// call of report happen in that one goroutine, so output is the same for any
// number of workers.

type itemKind uint8

const (
	itemRecord    itemKind = iota // a record to validate
	itemProblem                   // a problem found by the reader
	itemStartFile                 // the records that follow are of a new file
)

type item struct {
	kind itemKind
	// itemRecord: the record is chunk.arena[lo:hi] (or rec, unchunked),
	// record index in its file, stream offset and line of its first byte.
	lo, hi int
	index  int
	off    int64
	line   int
	res    schemas.Result
	// itemRecord and itemStartFile: the file.
	path string
	// itemStartFile: its CloudTrail key, or nil.
	key *schemas.LogKey
	// itemProblem.
	prob Problem
}

// chunkRecords is how many records a chunk holds at most.
const chunkRecords = 256

type chunk struct {
	items []item
	arena []byte
	done  chan struct{}
}

// collector handles items in input order.
type collector struct {
	batch    *schemas.Batch
	report   func(Problem)
	problems int
}

func (c *collector) handle(it *item, rec []byte) {
	switch it.kind {
	case itemProblem:
		c.problems++
		c.report(it.prob)
	case itemStartFile:
		c.batch.StartFile(it.path, it.key)
	case itemRecord:
		for _, p := range c.batch.Add(it.index, it.res) {
			q := Problem{Path: it.path, Record: it.index, Offset: -1, Pointer: p.Pointer, Message: p.Message}
			if p.Offset >= 0 {
				q.Offset = it.off + int64(p.Offset)
				q.Line = it.line + bytes.Count(rec[:min(p.Offset, len(rec))], []byte{'\n'})
			}
			c.problems++
			c.report(q)
		}
	}
}

// emitter receives the reader's items.
type emitter interface {
	emit(it item, rec []byte)
}

// direct handles each item at once (one worker).
type direct struct {
	v *schemas.Validator
	c *collector
}

func (d *direct) emit(it item, rec []byte) {
	if it.kind == itemRecord {
		it.res = d.v.Check(rec)
	}
	d.c.handle(&it, rec)
}

// chunker groups items into chunks for the workers.
type chunker struct {
	cur     *chunk
	records int
	work    chan<- *chunk
	ordered chan<- *chunk
	ctx     context.Context
}

func (k *chunker) emit(it item, rec []byte) {
	if k.cur == nil {
		k.cur = &chunk{arena: make([]byte, 0, 256<<10), done: make(chan struct{})}
	}
	if it.kind == itemRecord {
		it.lo = len(k.cur.arena)
		k.cur.arena = append(k.cur.arena, rec...)
		it.hi = len(k.cur.arena)
		k.records++
	}
	k.cur.items = append(k.cur.items, it)
	if k.records >= chunkRecords || len(k.cur.arena) >= 4<<20 {
		k.flush()
	}
}

func (k *chunker) flush() {
	if k.cur == nil {
		return
	}
	c := k.cur
	k.cur, k.records = nil, 0
	// ordered first: the collector waits on done, which a worker closes.
	select {
	case k.ordered <- c:
	case <-k.ctx.Done():
		return
	}
	select {
	case k.work <- c:
	case <-k.ctx.Done():
		close(c.done)
	}
}

// runParallel is Run with workers goroutines validating records.
func runParallel(ctx context.Context, paths []string, v *schemas.Validator, report func(Problem), cfg config) (Summary, error) {
	workers := cfg.workers
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *chunk, workers)
	ordered := make(chan *chunk, 2*workers+2)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				for i := range c.items {
					if it := &c.items[i]; it.kind == itemRecord {
						it.res = v.Check(c.arena[it.lo:it.hi])
					}
				}
				close(c.done)
			}
		})
	}
	k := &chunker{work: work, ordered: ordered, ctx: ctx}
	s := &scanner{v: v, out: k, stdin: cfg.stdin}
	var readErr error
	go func() {
		defer func() {
			close(work)
			close(ordered)
		}()
		readErr = s.paths(ctx, paths)
		k.flush()
	}()
	col := &collector{batch: schemas.NewBatch(v), report: report}
	for c := range ordered {
		select {
		case <-c.done:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			continue // drain
		}
		for i := range c.items {
			it := &c.items[i]
			col.handle(it, c.arena[it.lo:it.hi])
		}
	}
	wg.Wait()
	sum := s.sum
	sum.Problems = col.problems
	if readErr != nil {
		return sum, readErr
	}
	return sum, ctx.Err()
}
