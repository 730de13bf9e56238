package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	for name, write := range map[string]func(string, []byte, os.FileMode) error{"Write": Write, "WriteDurable": WriteDurable, "Rewrite": Rewrite} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.json")
			if err := write(path, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := write(path, []byte("new\n"), 0o640); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != "new\n" {
				t.Fatalf("content %q, %v; want %q", b, err, "new\n")
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o640 {
				t.Errorf("mode %v, want %v (set whatever the umask)", got, os.FileMode(0o640))
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x")
	if err := Write(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory in the way of the rename: the write fails, the old
	// content of another path is untouched and no temporary file stays.
	blocked := filepath.Join(dir, "sub")
	if err := os.Mkdir(blocked, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(blocked, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(blocked, []byte("new"), 0o600); err == nil {
		t.Fatal("Write over a non-empty directory succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q, want old", b)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) > 0 {
		t.Errorf("temporary files left after a failure: %v", tmp)
	}
	if err := Write(filepath.Join(dir, "missing", "x"), []byte("new"), 0o600); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
}

// A failed Rewrite leaves the old content whole, and a later one succeeds.
func TestRewriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := Rewrite(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A directory where the spare goes: the write fails before the rename.
	spare := filepath.Join(dir, ".state.json.spare")
	if err := os.Mkdir(spare, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Rewrite(path, []byte("new"), 0o600); err == nil {
		t.Fatal("Rewrite with a directory in the spare's place succeeded")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("content %q after a failed Rewrite, want old", b)
	}
	if err := os.Remove(spare); err != nil {
		t.Fatal(err)
	}
	if err := Rewrite(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("content %q, want new", b)
	}
	if err := Rewrite(filepath.Join(dir, "missing", "x"), []byte("new"), 0o600); err == nil {
		t.Error("Rewrite into a missing directory succeeded")
	}
}
