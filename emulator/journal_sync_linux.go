package emulator

import (
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
