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
