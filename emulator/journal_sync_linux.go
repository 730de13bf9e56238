package emulator

import (
	"errors"
	"os"
	"syscall"
)

// datasync makes f's data durable, and of its metadata only what reading
// the data back needs (the size when it grew): fdatasync(2). An overwrite
// of the journal's zeroed tail changes no such metadata, so no
// file-system journal commit is needed for it.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}

// createJournalFile creates a journal file for direct, synchronous writes
// (O_DIRECT|O_DSYNC: each write is durable when it returns, without the
// page cache or a separate sync), reporting direct; where the file system
// refuses direct I/O (tmpfs), or with buffered, for buffered writes and
// datasync.
func createJournalFile(path string, buffered bool) (f *os.File, direct bool, err error) {
	const flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if !buffered {
		f, err = os.OpenFile(path, flags|syscall.O_DIRECT|syscall.O_DSYNC, 0o600)
		if err == nil {
			return f, true, nil
		}
		if !errors.Is(err, syscall.EINVAL) {
			return nil, false, err
		}
	}
	f, err = os.OpenFile(path, flags, 0o600)
	return f, false, err
}
