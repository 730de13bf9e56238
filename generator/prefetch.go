package generator

import (
	"iter"

	"github.com/firetrail/firetrail/schemas"
)

// prefetchBatch is how many records Prefetch hands over at a time.
const prefetchBatch = 256

// Prefetch runs seq on its own goroutine, up to about depth batches of
// records ahead of the consumer, and yields the same records in the same
// order: the consumer (an encoder, a gzip writer) and the producer then use
// two cores. The records must not be modified by seq once yielded, which
// holds for Generator.Records. Stopping early stops and waits for the
// producer; no goroutine outlives the range.
func Prefetch(seq iter.Seq[schemas.Record], depth int) iter.Seq[schemas.Record] {
	depth = max(depth, 1)
	return func(yield func(schemas.Record) bool) {
		full := make(chan []schemas.Record, depth)
		free := make(chan []schemas.Record, depth+2)
		for range depth + 2 {
			free <- make([]schemas.Record, 0, prefetchBatch)
		}
		done := make(chan struct{})
		exited := make(chan struct{})
		go func() {
			defer close(exited)
			defer close(full)
			var batch []schemas.Record
			select {
			case batch = <-free:
			case <-done:
				return
			}
			for rec := range seq {
				batch = append(batch, rec)
				if len(batch) < prefetchBatch {
					continue
				}
				select {
				case full <- batch:
				case <-done:
					return
				}
				select {
				case batch = <-free:
				case <-done:
					return
				}
			}
			if len(batch) > 0 {
				select {
				case full <- batch:
				case <-done:
				}
			}
		}()
		defer func() {
			close(done)
			<-exited
		}()
		for batch := range full {
			for i := range batch {
				if !yield(batch[i]) {
					return
				}
			}
			clear(batch)
			free <- batch[:0]
		}
	}
}
