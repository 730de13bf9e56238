package emulator

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/firetrail/firetrail/internal/cputime"
)

// BenchmarkJournalSync measures what one client waits for at least: the
// write and sync of one 1,200-byte record, from one goroutine (the call
// commits its record itself). "direct" is the journal as it runs on a
// file system with direct I/O (one O_DIRECT|O_DSYNC write a commit,
// submitted with native AIO and waited for in the network poller);
// "direct-pwrite" the same write with pwrite(2), where there is no AIO;
// "buffered" the journal on a file system without direct I/O (a buffered write over the
// zeroed tail and fdatasync); "append/fsync" a bare loop that appends
// and fsyncs, as the journal did at first. cpu-ns/op is the process's CPU
// time (the kernel's work for the sync is charged to the caller).
func BenchmarkJournalSync(b *testing.B) {
	rec := make([]byte, 1200)
	for i := range rec {
		rec[i] = 'a' + byte(i%26)
	}
	for _, m := range journalModes {
		b.Run(m.name, func(b *testing.B) {
			j := openModeJournal(b, m)
			if j.direct == m.buffered {
				b.Skipf("direct I/O: %v (the file system decides)", j.direct)
			}
			if j.direct && (j.aio == nil) != m.noAIO {
				b.Skipf("native AIO: %v (the kernel decides)", j.aio != nil)
			}
			c0 := cputime.Self()
			for b.Loop() {
				if _, err := j.add(rec, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cputime.Self()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
	b.Run("append/fsync", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "append.log"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		c0 := cputime.Self()
		for b.Loop() {
			if _, err := f.Write(rec); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cputime.Self()-c0)/float64(b.N), "cpu-ns/op")
	})
}
