package generator

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/firetrail/firetrail/schemas"
	"github.com/klauspost/compress/gzip"
)

// benchEvents is the run length of the benchmarks: long enough to reach the
// world's steady state.
const benchEvents = 200_000

func benchGenerator(b *testing.B) *Generator {
	b.Helper()
	g, err := New(Config{Seed: 42, Events: benchEvents, Accounts: 3})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// ndjsonBytes is the size of the benchmark run's ndjson output.
func ndjsonBytes(b *testing.B, g *Generator) int64 {
	b.Helper()
	var n int64
	var buf []byte
	for rec := range g.Records() {
		buf = rec.AppendJSON(buf[:0])
		n += int64(len(buf)) + 1
	}
	return n
}

// BenchmarkNDJSON generates records and encodes them as ndjson with the
// append encoder into a reused buffer flushed to io.Discard: what
// `firetrail generate --format ndjson` does. One op is one run of
// benchEvents records; see the records/s metric.
func BenchmarkNDJSON(b *testing.B) {
	g := benchGenerator(b)
	b.SetBytes(ndjsonBytes(b, g))
	b.ReportAllocs()
	buf := make([]byte, 0, 64<<10)
	for b.Loop() {
		for rec := range g.Records() {
			buf = rec.AppendJSON(buf)
			buf = append(buf, '\n')
			if len(buf) > 60<<10 {
				io.Discard.Write(buf)
				buf = buf[:0]
			}
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNDJSONEncodingJSON is the baseline of BenchmarkNDJSON: the same
// records encoded with encoding/json (HTML escaping off).
func BenchmarkNDJSONEncodingJSON(b *testing.B) {
	g := benchGenerator(b)
	b.SetBytes(ndjsonBytes(b, g))
	b.ReportAllocs()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	for b.Loop() {
		for rec := range g.Records() {
			if err := enc.Encode(&rec); err != nil {
				b.Fatal(err)
			}
			if out.Len() > 60<<10 {
				io.Discard.Write(out.Bytes())
				out.Reset()
			}
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGenerateOnly is the cost of the simulation alone.
func BenchmarkGenerateOnly(b *testing.B) {
	g := benchGenerator(b)
	b.ReportAllocs()
	for b.Loop() {
		for range g.Records() {
		}
	}
	b.ReportMetric(float64(benchEvents)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkLogFileGzip generates records and writes them as one CloudTrail
// log file through klauspost gzip (default level): the work of
// --format cloudtrail without the batching into files.
func BenchmarkLogFileGzip(b *testing.B) {
	g := benchGenerator(b)
	b.SetBytes(ndjsonBytes(b, g))
	b.ReportAllocs()
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	for b.Loop() {
		zw.Reset(io.Discard)
		lw := schemas.NewLogFileWriter(zw)
		for rec := range g.Records() {
			if err := lw.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		lw.Close()
		zw.Close()
	}
}

// BenchmarkGzipOnly is the baseline of BenchmarkLogFileGzip: klauspost
// gzip alone on the same bytes, already in memory.
func BenchmarkGzipOnly(b *testing.B) {
	g := benchGenerator(b)
	var raw bytes.Buffer
	lw := schemas.NewLogFileWriter(&raw)
	for rec := range g.Records() {
		lw.Write(rec)
	}
	lw.Close()
	data := raw.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	for b.Loop() {
		zw.Reset(io.Discard)
		for off := 0; off < len(data); off += 4096 {
			zw.Write(data[off:min(off+4096, len(data))])
		}
		zw.Close()
	}
}
