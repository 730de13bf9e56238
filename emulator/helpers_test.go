package emulator

import (
	"compress/gzip"
	"io"
	"testing"

	"github.com/johannesboyne/gofakes3"

	"github.com/firetrail/firetrail/emulator/trail"
)

func gzipNewReader(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }

func gofakes3Page() gofakes3.ListBucketPage { return gofakes3.ListBucketPage{} }

// dataDirOpener returns a function that opens an Emulator on one new data
// directory with one fake clock, as the restarts of a process do, with
// the directory and the clock.
func dataDirOpener(t *testing.T) (open func() *Emulator, dir string, clock *trail.FakeClock) {
	dir = t.TempDir()
	clock = trail.NewFakeClock(DefaultStartTime)
	return func() *Emulator {
		t.Helper()
		e, err := New(WithClock(clock), WithDataDir(dir), testLogger(t))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}, dir, clock
}
