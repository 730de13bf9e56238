package trail_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/firetrail/firetrail/emulator/trail"
)

// A private DirSink writes 0600 files in 0700 directories, and a file it
// replaces gets the private mode too.
func TestDirSinkPrivateMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, direct := range []bool{false, true} {
		testDirSinkPrivateMode(t, direct)
	}
}

func testDirSinkPrivateMode(t *testing.T, direct bool) {
	root := t.TempDir()
	pub := filepath.Join(root, "d", "state.json")
	must(t, newSink(t, root, 0, direct).Put(t.Context(), "d/state.json", []byte("old"), nil))
	sink := newSink(t, root, trail.PrivateFileMode, direct)
	must(t, sink.Put(t.Context(), "d/state.json", []byte("new"), nil))
	must(t, sink.Put(t.Context(), "p/q/state.json", []byte("new"), nil))
	for name, mode := range listFiles(t, root) {
		if mode != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, mode)
		}
	}
	for _, dir := range []string{"p", "p/q"} {
		info, err := os.Stat(filepath.Join(root, dir))
		must(t, err)
		// MkdirAll is subject to the umask, which only removes bits.
		if info.Mode().Perm()&^fs.FileMode(0o700) != 0 {
			t.Errorf("directory %s mode %v, want at most 0700", dir, info.Mode().Perm())
		}
	}
	if b, err := os.ReadFile(pub); err != nil || string(b) != "new" {
		t.Errorf("replaced file = %q, %v", b, err)
	}
}

// A file gets Mode even where the umask takes bits of it away (0666 with
// the usual umask 022), new or replaced, in either mode.
func TestDirSinkModeDespiteUmask(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	for _, direct := range []bool{false, true} {
		root := t.TempDir()
		sink := newSink(t, root, 0o666, direct)
		must(t, sink.Put(t.Context(), "a/new.json", []byte("x"), nil))
		must(t, newSink(t, root, 0, direct).Put(t.Context(), "a/old.json", []byte("x"), nil))
		must(t, sink.Put(t.Context(), "a/old.json", []byte("y"), nil))
		for name, mode := range listFiles(t, root) {
			if mode != 0o666 {
				t.Errorf("direct %v: %s mode %v, want 0666", direct, name, mode)
			}
		}
	}
}
