// Package atomicfile replaces the content of a file all at once: a reader
// sees the old bytes or the new ones, never a part. It is the one way the
// module writes a whole small file in place (log and digest files of a
// directory sink, the emulator's saved state, manifests, summaries).
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data: written to a temporary file in path's
// directory (".tmp-<name>-<random>"), given mode perm (whatever the
// umask), and renamed over path. The directory must exist. On failure the
// temporary file is removed and path is unchanged.
func Write(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, false)
}

// WriteDurable is Write that also survives a crash once it returns: the
// file is synced before the rename and its directory after it.
func WriteDurable(path string, data []byte, perm os.FileMode) error {
	return write(path, data, perm, true)
}

func write(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if durable {
		return SyncDir(dir)
	}
	return nil
}

// SyncDir fsyncs a directory, so that a file made, renamed or removed in
// it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
