//go:build unix

package trail

import (
	"io"
	"os"
	"syscall"
)

// writeInPlace creates or truncates the file at path and writes body to it
// with permission perm (after the umask, then set exactly). It makes the
// system calls a file needs and no more: open, write, fchmod, close.
// os.OpenFile adds five a file (fcntl and epoll calls, to try the file with
// the network poller), which is a fifth of the cost of `firetrail
// generate`'s small log files on tmpfs. A missing directory is reported as
// an error matching os.ErrNotExist.
func writeInPlace(path string, body []byte, perm os.FileMode) error {
	const flags = syscall.O_WRONLY | syscall.O_CREAT | syscall.O_TRUNC | syscall.O_CLOEXEC
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, flags, uint32(perm))
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	op := "write"
	for len(body) > 0 {
		n, werr := syscall.Write(fd, body)
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
	if err == nil {
		op = "chmod"
		for {
			// The umask may have taken bits away.
			if err = syscall.Fchmod(fd, uint32(perm)); err != syscall.EINTR {
				break
			}
		}
	}
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		op, err = "close", cerr
	}
	if err != nil {
		return &os.PathError{Op: op, Path: path, Err: err}
	}
	return nil
}
