package trail_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/cputime"
	"github.com/firetrail/firetrail/schemas"
)

const benchEvents = 1_000_000

// benchRecords returns distinct realistic records to cycle through and the
// JSON size of one op's events.
func benchRecords() ([]schemas.Record, int64) {
	accounts := []string{"111122223333", "444455556666", "777788889999", "123456789012"}
	regions := []string{"eu-west-1", "us-east-1"}
	recs := make([]schemas.Record, 4096)
	var size int64
	var buf []byte
	for i := range recs {
		recs[i] = firehoseRecord(i, accounts[i%4], regions[(i/4)%2], t0)
		buf = recs[i].AppendJSON(buf[:0])
		size += int64(len(buf) + 1)
	}
	return recs, size * benchEvents / int64(len(recs))
}

// BenchmarkDeliver measures one op = 1,000,000 records (about 1.5 KB of JSON
// each, 8 account+region streams, 2,000 records/s of event time) delivered
// as gzip log files, against klauspost gzip alone on the same bytes.
// Run with: go test -run '^$' -bench Deliver -cpu 1 ./emulator/trail/
func BenchmarkDeliver(b *testing.B) {
	recs, size := benchRecords()
	deliver := func(b *testing.B, key bool) {
		cfg := trail.Config{Bucket: "bench-bucket", ByEventTime: true}
		if key {
			cfg.SigningKey = loadKey(b, "digest-key.pem")
		}
		b.ReportAllocs()
		b.SetBytes(size)
		cpu0 := cputime.Self()
		for b.Loop() {
			sink := &countSink{}
			cfg.Sink = sink
			tr, err := trail.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			for i := range benchEvents {
				rec := recs[i%len(recs)]
				rec.EventTime = t0.Add(time.Duration(i) * 500 * time.Microsecond)
				if err := tr.Add(rec); err != nil {
					b.Fatal(err)
				}
				if err := tr.Tick(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			if err := tr.Close(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
		reportRates(b, cpu0, benchEvents)
	}
	b.Run("trail", func(b *testing.B) { deliver(b, false) })
	b.Run("trail+digests", func(b *testing.B) { deliver(b, true) })
	b.Run("encode+gzip-baseline", func(b *testing.B) {
		// The least any delivery can do: LogFileWriter into gzip, one
		// writer per window and stream, no naming, hashing or buffering.
		zw, _ := gzip.NewWriterLevel(nil, trail.CompressionLevel)
		b.ReportAllocs()
		b.SetBytes(size)
		cpu0 := cputime.Self()
		for b.Loop() {
			for w := range 2 {
				for s := range 8 {
					zw.Reset(&countWriter{})
					lw := schemas.NewLogFileWriter(zw)
					for i := w*benchEvents/2 + s; i < (w+1)*benchEvents/2; i += 8 {
						if err := lw.Write(recs[i%len(recs)]); err != nil {
							b.Fatal(err)
						}
					}
					lw.Close()
					zw.Close()
				}
			}
		}
		reportRates(b, cpu0, benchEvents)
	})
	b.Run("gzip-baseline", func(b *testing.B) {
		// The same JSON bytes, already encoded, through one reused gzip
		// writer per 5-minute window and stream as the trail cuts them.
		enc := make([][]byte, len(recs))
		for i := range recs {
			enc[i] = append([]byte{','}, recs[i].AppendJSON(nil)...)
		}
		zw, _ := gzip.NewWriterLevel(nil, trail.CompressionLevel)
		sink := &countSink{}
		b.ReportAllocs()
		b.SetBytes(size)
		cpu0 := cputime.Self()
		for b.Loop() {
			// 1M records over 500 s of event time: 2 windows, 8 streams.
			for w := range 2 {
				for s := range 8 {
					buf := &countWriter{}
					zw.Reset(buf)
					for i := w*benchEvents/2 + s; i < (w+1)*benchEvents/2; i += 8 {
						zw.Write(enc[i%len(enc)])
					}
					zw.Close()
					sink.bytes += buf.n
				}
			}
		}
		reportRates(b, cpu0, benchEvents)
	})
}

// BenchmarkDeliverSmallFiles measures one op = 200,000 records in 60
// account+region streams, about 20 records (30 KB of JSON) per stream and
// 5-minute window: some 10,000 small log files, as `firetrail generate`
// writes them (trail-AddAll-untidy: with generate's untidy delivery).
// Baseline: klauspost gzip alone on the same files' bytes, one
// writer Reset per file. With -cpu 2, AddAll lets workers compress closed
// files while records are added.
// Run with -cpu 1 and -cpu 2 separately (in one -cpu 1,2 run the -cpu 1
// sub-benchmarks may run on 2 Ps):
//
//	go test -run '^$' -bench DeliverSmallFiles -cpu 1 ./emulator/trail/
func BenchmarkDeliverSmallFiles(b *testing.B) {
	const events = 200_000
	recs := make([]schemas.Record, 4096)
	for i := range recs {
		account := fmt.Sprintf("%012d", 100000000000+i%20)
		region := []string{"eu-west-1", "us-east-1", "ap-southeast-2"}[(i/20)%3]
		recs[i] = firehoseRecord(i, account, region, t0)
	}
	// 1,200 records per 5-minute window: 250 ms of event time apiece.
	record := func(i int) schemas.Record {
		rec := recs[i%len(recs)]
		rec.EventTime = t0.Add(time.Duration(i) * 250 * time.Millisecond)
		return rec
	}
	var sink trail.MemSink
	tr, err := trail.New(trail.Config{Sink: &sink, Bucket: "bench-bucket", ByEventTime: true})
	if err != nil {
		b.Fatal(err)
	}
	for i := range events {
		if err := tr.Add(record(i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tr.Close(b.Context()); err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	var size int64
	for _, o := range sink.Objects() {
		files = append(files, gunzip(b, o.Body))
		size += int64(len(files[len(files)-1]))
	}
	deliver := func(b *testing.B, addAll, untidy bool) {
		b.ReportAllocs()
		b.SetBytes(size)
		cpu0 := cputime.Self()
		for b.Loop() {
			cfg := trail.Config{Sink: &countSink{}, Bucket: "bench-bucket", ByEventTime: true}
			if untidy {
				cfg.Untidy = &trail.Untidy{Rand: rand.New(rand.NewPCG(1, 2)), LateShare: trail.DefaultLateShare}
			}
			tr, err := trail.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			if addAll {
				err = tr.AddAll(b.Context(), func(yield func(schemas.Record) bool) {
					for i := range events {
						if !yield(record(i)) {
							return
						}
					}
				})
			} else {
				for i := range events {
					if err = tr.Add(record(i)); err != nil {
						break
					}
					if err = tr.Tick(b.Context()); err != nil {
						break
					}
				}
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := tr.Close(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
		reportRates(b, cpu0, events)
	}
	b.Run("trail", func(b *testing.B) { deliver(b, false, false) })
	b.Run("trail-AddAll", func(b *testing.B) { deliver(b, true, false) })
	b.Run("trail-AddAll-untidy", func(b *testing.B) { deliver(b, true, true) })
	b.Run("gzip-files-baseline", func(b *testing.B) {
		b.Logf("%d files, %.1f KB of JSON on average", len(files), float64(size)/float64(len(files))/1e3)
		zw, _ := gzip.NewWriterLevel(nil, trail.CompressionLevel)
		b.ReportAllocs()
		b.SetBytes(size)
		cpu0 := cputime.Self()
		for b.Loop() {
			for _, f := range files {
				zw.Reset(&countWriter{})
				zw.Write(f)
				zw.Close()
			}
		}
		reportRates(b, cpu0, events)
	})
}

// reportRates reports events per wall-clock second and per CPU second, for
// ops of events events.
func reportRates(b *testing.B, cpu0 time.Duration, events int) {
	b.ReportMetric(float64(b.N)*float64(events)/b.Elapsed().Seconds(), "events/s")
	if cpu := cputime.Self() - cpu0; cpu > 0 && cpu0 > 0 {
		b.ReportMetric(float64(b.N)*float64(events)/cpu.Seconds(), "events/cpu-s")
	}
}

// countWriter counts bytes written.
type countWriter struct{ n int }

func (w *countWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }
