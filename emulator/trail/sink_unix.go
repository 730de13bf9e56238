//go:build unix

package trail

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// treeDir is a directory a TreeSink holds open: its descriptor and path.
type treeDir struct {
	fd   int
	path string
}

// put writes body to the file name in the key directory dir. A directory
// removed while s held it open is made again. Called with s.mu held.
func (s *TreeSink) put(dir, name string, body []byte) error {
	d, err := s.openDir(dir)
	if err != nil {
		return err
	}
	err = writeInPlace(d, name, body, s.file)
	if errors.Is(err, syscall.ENOENT) {
		delete(s.dirs, dir)
		sysClose(d.fd)
		if d, err = s.openDir(dir); err == nil {
			err = writeInPlace(d, name, body, s.file)
		}
	}
	return err
}

// openDir returns the open directory dir (a key's directory part), opening
// it, and making it if there is none, the first time. Called with s.mu
// held.
func (s *TreeSink) openDir(dir string) (treeDir, error) {
	if d, ok := s.dirs[dir]; ok {
		return d, nil
	}
	if len(s.dirs) >= maxTreeDirs {
		if err := s.closeDirs(); err != nil {
			return treeDir{}, err
		}
	}
	path := s.dirPath(dir)
	const flags = syscall.O_RDONLY | syscall.O_DIRECTORY | syscall.O_CLOEXEC
	fd, err := openRetry(atFDCWD, "", path, flags, 0)
	if err == syscall.ENOENT {
		if err = os.MkdirAll(path, s.dir); err != nil {
			return treeDir{}, err
		}
		fd, err = openRetry(atFDCWD, "", path, flags, 0)
	}
	if err != nil {
		return treeDir{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	if s.dirs == nil {
		s.dirs = make(map[string]treeDir)
	}
	d := treeDir{fd: fd, path: path}
	s.dirs[string([]byte(dir))] = d // not a slice of the caller's key
	return d, nil
}

// closeDirs closes the directories s holds open. Called with s.mu held.
func (s *TreeSink) closeDirs() error {
	var errs []error
	for dir, d := range s.dirs {
		if err := sysClose(d.fd); err != nil {
			errs = append(errs, &os.PathError{Op: "close", Path: d.path, Err: err})
		}
		delete(s.dirs, dir)
	}
	return errors.Join(errs...)
}

// writeInPlace creates or truncates the file name in directory d and
// writes body to it with permission perm (exactly: whatever the umask). It
// makes the system calls a file needs and no more: open, write, close, and
// fchmod only when the umask took bits of perm away or the file existed.
// os.OpenFile adds five a file (fcntl and epoll calls, to try the file with
// the network poller), which were a fifth of the cost of `firetrail
// generate`'s small log files on tmpfs.
func writeInPlace(d treeDir, name string, body []byte, perm os.FileMode) error {
	const flags = syscall.O_WRONLY | syscall.O_CREAT | syscall.O_CLOEXEC
	mask, known := processUmask()
	chmod := !known || mask&uint32(perm) != 0
	fd, err := openRetry(d.fd, d.path, name, flags|syscall.O_EXCL, uint32(perm))
	if err == syscall.EEXIST {
		// Replace the file; it keeps its mode until the fchmod.
		fd, err = openRetry(d.fd, d.path, name, flags|syscall.O_TRUNC, uint32(perm))
		chmod = true
	}
	path := func() string { return d.path + string(os.PathSeparator) + name }
	if err != nil {
		return &os.PathError{Op: "open", Path: path(), Err: err}
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
		return &os.PathError{Op: op, Path: path(), Err: err}
	}
	return nil
}

// openRetry is sysOpenat, retried when a signal interrupts it.
func openRetry(dirfd int, dir, name string, flags int, perm uint32) (int, error) {
	for {
		fd, err := sysOpenat(dirfd, dir, name, flags, perm)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
