package generator

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/cputime"
	"github.com/firetrail/firetrail/schemas"
	"github.com/klauspost/compress/gzip"
)

// The benchmarks run benchEvents records per op. Besides ns/op and MB/s
// (wall clock) they report records/s and MB/s per second of process CPU
// time ("records/cpu-s", "MB/cpu-s"): on a shared machine the wall clock
// also counts time the process waited for a core. Run them with -cpu 1 for
// one-core figures; bench/generate.sh does and prints the ratios.

// benchEvents is the run length of the benchmarks: long enough to reach the
// world's steady state.
const benchEvents = 200_000

func benchConfig() Config { return Config{Seed: 42, Events: benchEvents, Accounts: 3} }

func benchGenerator(b *testing.B) *Generator {
	b.Helper()
	g, err := New(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// meter reports throughput per CPU second and per wall second.
type meter struct {
	b     *testing.B
	cpu0  time.Duration
	bytes int64 // per op
}

func startMeter(b *testing.B, bytesPerOp int64) *meter {
	if bytesPerOp > 0 {
		b.SetBytes(bytesPerOp)
	}
	b.ReportAllocs()
	return &meter{b: b, cpu0: cputime.Self(), bytes: bytesPerOp}
}

func (m *meter) stop(recordsPerOp int64) {
	cpu := (cputime.Self() - m.cpu0).Seconds()
	n := float64(m.b.N)
	if recordsPerOp > 0 {
		m.b.ReportMetric(float64(recordsPerOp)*n/m.b.Elapsed().Seconds(), "records/s")
		m.b.ReportMetric(float64(recordsPerOp)*n/cpu, "records/cpu-s")
	}
	if m.bytes > 0 {
		m.b.ReportMetric(float64(m.bytes)*n/1e6/cpu, "MB/cpu-s")
	}
}

// ndjsonOutput is the ndjson output of the benchmark run.
func ndjsonOutput(b *testing.B, g *Generator) []byte {
	b.Helper()
	var out []byte
	for rec := range g.Records() {
		out = rec.AppendJSON(out)
		out = append(out, '\n')
	}
	return out
}

// BenchmarkNDJSON generates records and encodes them as ndjson with the
// append encoder into a reused buffer flushed to io.Discard: what
// `firetrail generate --format ndjson` does.
func BenchmarkNDJSON(b *testing.B) {
	g := benchGenerator(b)
	m := startMeter(b, int64(len(ndjsonOutput(b, g))))
	buf := make([]byte, 0, 128<<10)
	for b.Loop() {
		for rec := range g.Records() {
			buf = rec.AppendJSON(buf)
			buf = append(buf, '\n')
			if len(buf) >= 64<<10 {
				io.Discard.Write(buf)
				buf = buf[:0]
			}
		}
	}
	m.stop(benchEvents)
}

// BenchmarkNDJSONEncodingJSON is the baseline of BenchmarkNDJSON: the same
// records encoded with encoding/json (HTML escaping off).
func BenchmarkNDJSONEncodingJSON(b *testing.B) {
	g := benchGenerator(b)
	m := startMeter(b, int64(len(ndjsonOutput(b, g))))
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for b.Loop() {
		for rec := range g.Records() {
			if err := enc.Encode(&rec); err != nil {
				b.Fatal(err)
			}
			if out.Len() >= 64<<10 {
				io.Discard.Write(out.Bytes())
				out.Reset()
			}
		}
	}
	m.stop(benchEvents)
}

// BenchmarkGenerateOnly is the simulation alone, without encoding.
func BenchmarkGenerateOnly(b *testing.B) {
	g := benchGenerator(b)
	m := startMeter(b, 0)
	for b.Loop() {
		for range g.Records() {
		}
	}
	m.stop(benchEvents)
}

// discardSink drops delivered objects.
type discardSink struct{}

func (discardSink) Put(context.Context, string, []byte, map[string]string) error { return nil }

// BenchmarkCloudTrail generates records and delivers them through
// emulator/trail by event time into a discarding sink: what
// `firetrail generate --format cloudtrail` does, without the disk.
// MB/s counts uncompressed log-file bytes.
func BenchmarkCloudTrail(b *testing.B) {
	g := benchGenerator(b)
	m := startMeter(b, logFileBytes(b, g))
	ctx := b.Context()
	for b.Loop() {
		tr, err := trail.New(benchTrailConfig(discardSink{}))
		if err != nil {
			b.Fatal(err)
		}
		if err := tr.AddAll(ctx, g.Records()); err != nil {
			b.Fatal(err)
		}
		if err := tr.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(benchEvents)
}

// benchTrailConfig is the trail of `firetrail generate --format
// cloudtrail` on the benchmark's seed: by event time, delivered untidily
// (late records, split windows) as the command delivers them.
func benchTrailConfig(sink trail.Sink) trail.Config {
	return trail.Config{Sink: sink, Bucket: "bench", Seed: 42, ByEventTime: true,
		Untidy: trail.SeededUntidy(42, trail.DefaultLateShare)}
}

// logFileBytes returns the size of the records written as log files: the
// records plus the commas between them (containers are negligible).
func logFileBytes(b *testing.B, g *Generator) int64 {
	return int64(len(ndjsonOutput(b, g)))
}

// BenchmarkGzipOnly is the baseline of BenchmarkCloudTrail: klauspost gzip
// alone, at the trail's level, on the same bytes already in memory (the
// records as one log file), written in 4 KiB pieces.
func BenchmarkGzipOnly(b *testing.B) {
	g := benchGenerator(b)
	var raw bytes.Buffer
	lw := schemas.NewLogFileWriter(&raw)
	for rec := range g.Records() {
		lw.Write(rec)
	}
	lw.Close()
	data := raw.Bytes()
	m := startMeter(b, int64(len(data)))
	zw, err := gzip.NewWriterLevel(io.Discard, trail.CompressionLevel)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		gzipPieces(zw, data)
	}
	m.stop(benchEvents)
}

// BenchmarkCloudTrailPrefetch is BenchmarkCloudTrail with the generator
// on its own goroutine (Prefetch), as the generate command runs it; with
// -cpu 2 the simulation and the encoding+gzip use a core each.
func BenchmarkCloudTrailPrefetch(b *testing.B) {
	g := benchGenerator(b)
	m := startMeter(b, logFileBytes(b, g))
	ctx := b.Context()
	for b.Loop() {
		tr, err := trail.New(benchTrailConfig(discardSink{}))
		if err != nil {
			b.Fatal(err)
		}
		if err := tr.AddAll(ctx, Prefetch(g.Records(), 4)); err != nil {
			b.Fatal(err)
		}
		if err := tr.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(benchEvents)
}

// BenchmarkGzipFilesOnly is the like-for-like baseline of
// BenchmarkCloudTrail: klauspost gzip alone, at the trail's level, on the
// exact uncompressed bytes of the log files the trail delivers, one gzip
// stream per file (Reset between files), as the trail compresses them.
func BenchmarkGzipFilesOnly(b *testing.B) {
	g := benchGenerator(b)
	var sink trail.MemSink
	tr, err := trail.New(benchTrailConfig(&sink))
	if err != nil {
		b.Fatal(err)
	}
	if err := tr.AddAll(b.Context(), g.Records()); err != nil {
		b.Fatal(err)
	}
	if err := tr.Close(b.Context()); err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	var total int64
	for _, o := range sink.Objects() {
		zr, err := gzip.NewReader(bytes.NewReader(o.Body))
		if err != nil {
			b.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, raw)
		total += int64(len(raw))
	}
	b.Logf("%d files, %.1f KB average", len(files), float64(total)/float64(len(files))/1e3)
	m := startMeter(b, total)
	zw, err := gzip.NewWriterLevel(io.Discard, trail.CompressionLevel)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, f := range files {
			gzipPieces(zw, f)
		}
	}
	m.stop(benchEvents)
}

// BenchmarkAppendJSONOnly is the encoder alone on the benchmark's first
// 20,000 records, held in memory: the share of BenchmarkNDJSON that is
// encoding rather than simulation.
func BenchmarkAppendJSONOnly(b *testing.B) {
	g, err := New(Config{Seed: 42, Events: 20_000, Accounts: 3})
	if err != nil {
		b.Fatal(err)
	}
	var recs []schemas.Record
	var size int64
	for rec := range g.Records() {
		recs = append(recs, rec)
		size += int64(len(rec.AppendJSON(nil))) + 1
	}
	m := startMeter(b, size)
	buf := make([]byte, 0, 128<<10)
	for b.Loop() {
		for i := range recs {
			buf = recs[i].AppendJSON(buf)
			buf = append(buf, '\n')
			if len(buf) >= 64<<10 {
				buf = buf[:0]
			}
		}
	}
	m.stop(int64(len(recs)))
}

// gzipPieces compresses data as one gzip stream to io.Discard, written in
// 4 KiB pieces.
func gzipPieces(zw *gzip.Writer, data []byte) {
	zw.Reset(io.Discard)
	for off := 0; off < len(data); off += 4096 {
		zw.Write(data[off:min(off+4096, len(data))])
	}
	zw.Close()
}
