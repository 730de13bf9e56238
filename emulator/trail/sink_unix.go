//go:build unix

package trail

import (
	"io"
	"os"
	"syscall"
)

// writeInPlace creates or truncates the file at path and writes body to it
// with permission perm (exactly: whatever the umask). It makes the system
// calls a file needs and no more: open, write, close, and fchmod only when
// the umask took bits of perm away or the file existed. os.OpenFile adds
// five a file (fcntl and epoll calls, to try the file with the network
// poller), which were a fifth of the cost of `firetrail generate`'s small
// log files on tmpfs. A missing directory is reported as an error matching
// os.ErrNotExist.
func writeInPlace(path string, body []byte, perm os.FileMode) error {
	const flags = syscall.O_WRONLY | syscall.O_CREAT | syscall.O_CLOEXEC
	mask, known := processUmask()
	chmod := !known || mask&uint32(perm) != 0
	fd, err := openRetry(path, flags|syscall.O_EXCL, uint32(perm))
	if err == syscall.EEXIST {
		// Replace the file; it keeps its mode until the fchmod.
		fd, err = openRetry(path, flags|syscall.O_TRUNC, uint32(perm))
		chmod = true
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	op := "write"
	for len(body) > 0 {
		n, werr := sysWrite(fd, body)
		if werr == syscall.EINTR {
			continue
		}
		if werr == nil && n == 0 {
			werr = io.ErrShortWrite
		}
		if werr != nil {
			err = werr
			break
		}
		body = body[n:]
	}
	if err == nil && chmod {
		op = "chmod"
		for {
			if err = syscall.Fchmod(fd, uint32(perm)); err != syscall.EINTR {
				break
			}
		}
	}
	if cerr := sysClose(fd); err == nil && cerr != nil {
		op, err = "close", cerr
	}
	if err != nil {
		return &os.PathError{Op: op, Path: path, Err: err}
	}
	return nil
}

// openRetry is sysOpen, retried when a signal interrupts it.
func openRetry(path string, flags int, perm uint32) (int, error) {
	for {
		fd, err := sysOpen(path, flags, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
