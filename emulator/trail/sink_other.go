//go:build !unix

package trail

import "os"

// writeInPlace creates or truncates the file at path and writes body to it
// with permission perm. A missing directory is reported as an error
// matching os.ErrNotExist.
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
