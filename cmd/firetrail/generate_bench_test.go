//go:build unix

package main

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/cputime"
)

// The end-to-end benchmark of issue 11's performance target:
// `firetrail generate --format cloudtrail` with files on disk against
// klauspost gzip alone on the same bytes, in one run. Both report MB/s
// and MB/cpu-s of uncompressed log-file bytes; bench/generate.sh runs
// them with -cpu 1 and prints the ratio of the medians.

// benchGenerateEvents is the length of a run; FIRETRAIL_BENCH_EVENTS
// overrides it.
func benchGenerateEvents() int {
	if n, err := strconv.Atoi(os.Getenv("FIRETRAIL_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 200_000
}

// benchTree is the generated tree as loadBenchTree and benchTreeSize read
// it back (each generates it once).
type benchTree struct {
	once  sync.Once
	files [][]byte // the uncompressed bytes of its log files, from loadBenchTree
	count int      // log files
	total int64    // their uncompressed bytes
	err   error
}

var benchFiles, benchSize benchTree

// generateArgs are the flags of the benchmarked run into out.
func generateArgs(out string) []string {
	return []string{"generate", "--seed", "42", "--accounts", "3", "--events", strconv.Itoa(benchGenerateEvents()), "--format", "cloudtrail", "--out", out}
}

// loadBenchTree generates the tree once and reads its log files back.
func loadBenchTree(b *testing.B) ([][]byte, int64) {
	b.Helper()
	benchFiles.once.Do(func() { benchFiles.read(true) })
	if benchFiles.err != nil {
		b.Fatal(benchFiles.err)
	}
	return benchFiles.files, benchFiles.total
}

// benchTreeSize generates the tree once and returns the uncompressed size
// of its log files, keeping none of their bytes: the command then runs
// with the heap a real run starts with, where 288 MB of held input would
// have raised the collector's goal until it never ran in the timed run.
func benchTreeSize(b *testing.B) int64 {
	b.Helper()
	benchSize.once.Do(func() { benchSize.read(false) })
	if benchSize.err != nil {
		b.Fatal(benchSize.err)
	}
	return benchSize.total
}

// read generates the tree and reads its log files back, keeping their
// bytes if keep is set.
func (t *benchTree) read(keep bool) {
	base := os.Getenv("FIRETRAIL_BENCH_DIR") // see BenchmarkGenerateCloudTrailDisk
	dir, err := os.MkdirTemp(base, "firetrail-bench-")
	if err != nil {
		t.err = err
		return
	}
	if base == "" {
		defer os.RemoveAll(dir)
	}
	out := filepath.Join(dir, "tree")
	var stderr bytes.Buffer
	if code := run(context.Background(), generateArgs(out), strings.NewReader(""), io.Discard, &stderr); code != 0 {
		t.err = &os.PathError{Op: "generate", Path: out, Err: os.ErrInvalid}
		return
	}
	t.err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "/CloudTrail/") {
			return err
		}
		gz, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return err
		}
		var n int64
		if keep {
			raw, err := io.ReadAll(zr)
			if err != nil {
				return err
			}
			t.files = append(t.files, raw)
			n = int64(len(raw))
		} else if n, err = io.Copy(io.Discard, zr); err != nil {
			return err
		}
		t.count++
		t.total += n
		return nil
	})
}

// reportCPU adds MB/cpu-s: bytes per op over cpu, the CPU time of all ops.
func reportCPU(b *testing.B, bytes int64, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkGenerateCloudTrailDisk runs the generate command end to end
// into a new directory per op. The trees are kept until the benchmark
// ends, or, with FIRETRAIL_BENCH_DIR, left in that directory for the
// caller to remove once every run is over: on ext4, creating files soon
// after deleting many costs far more kernel time (the allocator skips
// recently deleted inodes), which would charge one run for the last
// one's clean-up.
func BenchmarkGenerateCloudTrailDisk(b *testing.B) {
	total := benchTreeSize(b)
	b.SetBytes(total)
	b.Logf("%d events: %d log files, %.1f MB of JSON", benchGenerateEvents(), benchSize.count, float64(total)/1e6)
	dir := os.Getenv("FIRETRAIL_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	dir, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cputime.Self()
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, strconv.Itoa(i))
		i++
		if code := run(b.Context(), generateArgs(out), strings.NewReader(""), io.Discard, io.Discard); code != 0 {
			b.Fatalf("generate: exit %d", code)
		}
	}
	reportCPU(b, total, cputime.Self()-cpu0)
}

// BenchmarkGenerateGzipFilesOnly is its baseline: klauspost gzip alone, at
// the trail's level, on the uncompressed bytes of the same log files, one
// stream per file, in memory.
func BenchmarkGenerateGzipFilesOnly(b *testing.B) {
	files, total := loadBenchTree(b)
	b.SetBytes(total)
	zw, err := gzip.NewWriterLevel(io.Discard, trail.CompressionLevel)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cputime.Self()
	for b.Loop() {
		for _, f := range files {
			zw.Reset(io.Discard)
			zw.Write(f)
			zw.Close()
		}
	}
	reportCPU(b, total, cputime.Self()-cpu0)
}
