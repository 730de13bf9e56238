//go:build !unix

package trail

import (
	"os"
	"path/filepath"
)

// treeDir is unused where files are opened by path.
type treeDir struct{}

// put writes body to the file name in the key directory dir, making the
// directory if the create finds none. Called with s.mu held.
func (s *TreeSink) put(dir, name string, body []byte) error {
	path := filepath.Join(s.dirPath(dir), name)
	err := writeInPlace(path, body, s.file)
	if os.IsNotExist(err) {
		if err = os.MkdirAll(filepath.Dir(path), s.dir); err == nil {
			err = writeInPlace(path, body, s.file)
		}
	}
	return err
}

// closeDirs has nothing to close where files are opened by path.
func (s *TreeSink) closeDirs() error { return nil }

// writeInPlace creates or truncates the file at path and writes body to it
// with permission perm.
func writeInPlace(path string, body []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Chmod(perm) // the umask may have taken bits away
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
