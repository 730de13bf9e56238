//go:build unix

package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Rewrites of one path use two files, swapping them, each content whole
// (longer and shorter than the one before), with nothing else left beside;
// durable or not.
func TestRewriteReusesFiles(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rewrite func(string, []byte, os.FileMode) error
	}{{"Rewrite", Rewrite}, {"RewriteDurable", RewriteDurable}} {
		t.Run(tc.name, func(t *testing.T) { testRewriteReusesFiles(t, tc.rewrite) })
	}
}

func testRewriteReusesFiles(t *testing.T, rewrite func(string, []byte, os.FileMode) error) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	spare := filepath.Join(dir, ".state.json.spare")
	inode := func(p string) uint64 {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, fi.Mode().Perm())
		}
		return fi.Sys().(*syscall.Stat_t).Ino
	}
	seen := map[uint64]bool{}
	for i := range 8 {
		want := fmt.Sprintf("%d:%s", i, strings.Repeat("x", (i*37)%100))
		if err := rewrite(path, []byte(want), 0o600); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != want {
			t.Fatalf("rewrite %d: content %q, %v; want %q", i, b, err, want)
		}
		if i >= 1 {
			seen[inode(path)], seen[inode(spare)] = true, true
		}
	}
	if len(seen) != 2 {
		t.Errorf("seven rewrites used %d files for the content and its spare, want 2", len(seen))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files beside each other, want the file and its spare", len(entries))
	}
}
