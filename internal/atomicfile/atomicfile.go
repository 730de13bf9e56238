// Package atomicfile replaces the content of a file all at once: a reader
// sees the old bytes or the new ones, never a part. It is the one way the
// module writes a whole small file in place (log and digest files of a
// directory sink, the emulator's saved states, manifests, summaries).
package atomicfile

import (
	"errors"
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
	if err = closeFile(f, err, perm, durable); err == nil {
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

// Rewrite replaces path with data as Write does, for a file replaced again
// and again (a saved state), without making or freeing a file each time:
// data is written in place into a spare file beside path
// (".<name>.spare": the content before last), which is renamed over path;
// path's old file, hard-linked as ".<name>.spare.prev" across the rename,
// becomes the next spare. A reader, or a restart after a crash, finds the
// whole old content or the whole new one. Write's temporary file a time
// cost ext4 without a journal more and more: it skips every inode freed
// in the last minutes when it makes a file, and each rename freed one.
// Where hard links fail, path's old file is freed and the next Rewrite
// makes a spare. Callers serialize the Rewrites of one path.
func Rewrite(path string, data []byte, perm os.FileMode) error {
	return rewrite(path, data, perm, false)
}

// RewriteDurable is Rewrite that also survives a crash once it returns:
// the spare file is synced before the rename and the directory after it.
func RewriteDurable(path string, data []byte, perm os.FileMode) error {
	return rewrite(path, data, perm, true)
}

func rewrite(path string, data []byte, perm os.FileMode, durable bool) error {
	dir := filepath.Dir(path)
	spare := filepath.Join(dir, "."+filepath.Base(path)+".spare")
	prev := spare + ".prev"
	err := overwrite(spare, data, perm, durable)
	if err == nil {
		if err = os.Remove(prev); errors.Is(err, os.ErrNotExist) {
			err = nil
		}
	}
	linked := err == nil && os.Link(path, prev) == nil
	if err == nil {
		err = os.Rename(spare, path)
	}
	if err == nil && linked {
		err = os.Rename(prev, spare)
	}
	if err == nil && durable {
		err = SyncDir(dir)
	}
	return err
}

// overwrite writes data over the file at path (made if there is none),
// cutting what a longer content left after it, with mode perm; durable:
// synced before it returns.
func overwrite(path string, data []byte, perm os.FileMode, durable bool) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	_, err = f.WriteAt(data, 0)
	if err == nil {
		err = f.Truncate(int64(len(data)))
	}
	return closeFile(f, err, perm, durable)
}

// closeFile ends the writing of f, whose writes returned err: unless err
// is set, it gives f mode perm (whatever the umask) and, when durable,
// syncs it. It closes f and returns the first error.
func closeFile(f *os.File, err error, perm os.FileMode, durable bool) error {
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil && durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
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
