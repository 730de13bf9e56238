//go:build !linux

package emulator

import "os"

// datasync makes f's data durable (fsync: the platform offers nothing
// narrower through the standard library).
func datasync(f *os.File) error { return f.Sync() }

// createJournalFile creates a journal file for buffered writes and
// datasync (direct is never true here).
func createJournalFile(path string, _ bool) (f *os.File, direct bool, err error) {
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	return f, false, err
}

// aioWriter is Linux native AIO (journal_aio_linux.go): there is none
// here, and journal files are never direct.
type aioWriter struct{}

func newAIOWriter() *aioWriter                      { return nil }
func (*aioWriter) writeAt(int, []byte, int64) error { return nil }
func (*aioWriter) close() error                     { return nil }
