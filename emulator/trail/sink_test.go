package trail_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

// listFiles returns every file under root, relative, with its mode.
func listFiles(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	must(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = info.Mode().Perm()
		return nil
	}))
	return out
}

// newSink returns a DirSink, or with direct a TreeSink closed when the
// test ends, writing under root with mode.
func newSink(t *testing.T, root string, mode fs.FileMode, direct bool) trail.Sink {
	if !direct {
		return trail.DirSink{Root: root, Mode: mode}
	}
	s := trail.NewTreeSink(root, mode)
	t.Cleanup(func() { must(t, s.Close()) })
	return s
}

func TestDirSink(t *testing.T) {
	for _, direct := range []bool{false, true} {
		t.Run(map[bool]string{false: "atomic", true: "direct"}[direct], func(t *testing.T) { testDirSink(t, direct) })
	}
}

// testDirSink: a Put makes its directories, a second Put of a key replaces
// the file, no temporary is left and the mode is 0644, in either mode.
func testDirSink(t *testing.T, direct bool) {
	root := t.TempDir()
	sink := newSink(t, root, 0, direct)
	must(t, sink.Put(t.Context(), "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/b.json.gz", []byte("other"), nil))
	must(t, sink.Put(t.Context(), "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/a.json.gz", []byte("one"), nil))
	must(t, sink.Put(t.Context(), "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/a.json.gz", []byte("two"), nil))
	got, err := os.ReadFile(filepath.Join(root, "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/a.json.gz"))
	must(t, err)
	if string(got) != "two" {
		t.Errorf("file holds %q, want the second write", got)
	}
	files := listFiles(t, root)
	if len(files) != 2 {
		t.Errorf("files = %v, want two (no temporaries left)", files)
	}
	for name, mode := range files {
		if mode != 0o644 {
			t.Errorf("%s mode %v, want 0644", name, mode)
		}
	}
}

func TestDirSinkRejectsBadKeys(t *testing.T) {
	for _, direct := range []bool{false, true} {
		testDirSinkRejectsBadKeys(t, direct)
	}
}

func testDirSinkRejectsBadKeys(t *testing.T, direct bool) {
	root := t.TempDir()
	sink := newSink(t, root, 0, direct)
	for _, key := range []string{"", "/abs", "a/../../etc/passwd", "a//b", "a/./b", `a\b`, ".."} {
		if err := sink.Put(t.Context(), key, []byte("x"), nil); err == nil {
			t.Errorf("Put(%q) succeeded", key)
		}
	}
	if n := len(listFiles(t, root)); n != 0 {
		t.Errorf("%d files written for bad keys", n)
	}
	if err := newSink(t, "", 0, direct).Put(t.Context(), "k", nil, nil); err == nil {
		t.Error("Put with an empty root succeeded")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sink.Put(ctx, "k", nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v", err)
	}
}

func TestDirSinkFailureLeavesNothing(t *testing.T) {
	root := t.TempDir()
	// A file where a directory is needed: MkdirAll fails.
	must(t, os.WriteFile(filepath.Join(root, "AWSLogs"), []byte("in the way"), 0o644))
	err := trail.DirSink{Root: root}.Put(t.Context(), "AWSLogs/x/y.json.gz", []byte("data"), nil)
	if err == nil || !strings.Contains(err.Error(), "AWSLogs/x/y.json.gz") {
		t.Fatalf("Put = %v, want an error naming the key", err)
	}
	// A directory where the file should go: rename fails after writing
	// the temporary file, which must be removed.
	must(t, os.MkdirAll(filepath.Join(root, "d", "k.json.gz", "sub"), 0o755))
	if err := (trail.DirSink{Root: root}).Put(t.Context(), "d/k.json.gz", []byte("data"), nil); err == nil {
		t.Fatal("Put over a non-empty directory succeeded")
	}
	for name := range listFiles(t, root) {
		if name != "AWSLogs" {
			t.Errorf("left behind %s", name)
		}
	}
	// TreeSink: the same failures, errors naming the key.
	direct := newSink(t, root, 0, true)
	for _, key := range []string{"AWSLogs/x/y.json.gz", "d/k.json.gz"} {
		if err := direct.Put(t.Context(), key, []byte("data"), nil); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("direct Put(%s) = %v, want an error naming the key", key, err)
		}
	}
}

func TestDirSinkConcurrentReaders(t *testing.T) {
	root := t.TempDir()
	sink := trail.DirSink{Root: root}
	key := "AWSLogs/k.json.gz"
	big := []byte(strings.Repeat("x", 1<<20))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			b, err := os.ReadFile(filepath.Join(root, key))
			if err == nil && len(b) != len(big) {
				t.Errorf("reader saw a partial file of %d bytes", len(b))
				return
			}
		}
	})
	for range 20 {
		must(t, sink.Put(t.Context(), key, big, nil))
	}
	close(stop)
	wg.Wait()
}

func TestMemSink(t *testing.T) {
	var s trail.MemSink
	body := []byte("abc")
	must(t, s.Put(t.Context(), "k1", body, map[string]string{"signature": "00"}))
	body[0] = 'X' // the sink keeps a copy
	must(t, s.Put(t.Context(), "k2", nil, nil))
	must(t, s.Put(t.Context(), "k1", []byte("new"), nil))
	if got := s.Keys(); len(got) != 2 || got[0] != "k1" {
		t.Errorf("Keys = %q", got)
	}
	if o, _ := s.Get("k1"); string(o.Body) != "new" {
		t.Errorf("k1 = %q", o.Body)
	}
	if _, ok := s.Get("nope"); ok {
		t.Error("Get(nope) found something")
	}
}

func TestFakeClock(t *testing.T) {
	c := trail.NewFakeClock(t0)
	if got := c.Advance(time.Minute); !got.Equal(t0.Add(time.Minute)) {
		t.Errorf("Advance = %v", got)
	}
	c.Advance(-time.Hour)
	c.Set(t0)
	if !c.Now().Equal(t0.Add(time.Minute)) {
		t.Errorf("clock ran backwards: %v", c.Now())
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				c.Advance(time.Second)
				_ = c.Now()
			}
		})
	}
	wg.Wait()
	if want := t0.Add(time.Minute + 400*time.Second); !c.Now().Equal(want) {
		t.Errorf("after concurrent advances: %v, want %v", c.Now(), want)
	}
	if (trail.RealClock{}).Now().Location() != time.UTC {
		t.Error("RealClock is not UTC")
	}
}

// openFDs counts the process's open descriptors, or returns -1 where
// /proc/self/fd does not list them.
func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// A TreeSink writing into more directories than it keeps open, and back
// into earlier ones, writes every file whole, holds at most MaxTreeDirs
// directories open, releases them at Close and refuses Puts after it.
func TestTreeSinkManyDirectories(t *testing.T) {
	root := t.TempDir()
	before := openFDs(t)
	sink := trail.NewTreeSink(root, 0)
	want := map[string]string{}
	ndirs := 3*trail.MaxTreeDirs + 5
	for round := range 3 {
		for d := range ndirs {
			// Each round goes back to every directory of the one before.
			key := fmt.Sprintf("AWSLogs/%03d/CloudTrail/f%d.json.gz", d, round)
			body := strings.Repeat(key, round+1)
			must(t, sink.Put(t.Context(), key, []byte(body), nil))
			want[key] = body
			if before >= 0 {
				if open := openFDs(t) - before; open > trail.MaxTreeDirs {
					t.Fatalf("%d descriptors open after %s, want at most %d", open, key, trail.MaxTreeDirs)
				}
			}
		}
	}
	must(t, sink.Put(t.Context(), "at-root.json", []byte("root"), nil))
	want["at-root.json"] = "root"
	must(t, sink.Close())
	if before >= 0 {
		if after := openFDs(t); after != before {
			t.Errorf("%d descriptors open after Close, %d before the sink", after, before)
		}
	}
	if err := sink.Put(t.Context(), "AWSLogs/late.json.gz", []byte("x"), nil); err == nil || !strings.Contains(err.Error(), "AWSLogs/late.json.gz") {
		t.Errorf("Put after Close = %v, want an error naming the key", err)
	}
	got := listFiles(t, root)
	if len(got) != len(want) {
		t.Errorf("%d files written, want %d", len(got), len(want))
	}
	for key, body := range want {
		b, err := os.ReadFile(filepath.Join(root, key))
		if err != nil || string(b) != body {
			t.Errorf("%s = %d bytes, %v; want %d bytes", key, len(b), err, len(body))
		}
	}
}

// A directory of the tree removed while the sink holds it open is made
// again for the next file there, and nothing else is lost.
func TestTreeSinkDirectoryRemoved(t *testing.T) {
	root := t.TempDir()
	sink := trail.NewTreeSink(root, 0)
	t.Cleanup(func() { must(t, sink.Close()) })
	must(t, sink.Put(t.Context(), "a/b/one.json", []byte("1"), nil))
	must(t, sink.Put(t.Context(), "c/two.json", []byte("2"), nil))
	must(t, os.RemoveAll(filepath.Join(root, "a")))
	must(t, sink.Put(t.Context(), "a/b/three.json", []byte("3"), nil))
	got := listFiles(t, root)
	if len(got) != 2 {
		t.Errorf("files = %v, want c/two.json and a/b/three.json", got)
	}
	for key, body := range map[string]string{"c/two.json": "2", "a/b/three.json": "3"} {
		if b, err := os.ReadFile(filepath.Join(root, key)); err != nil || string(b) != body {
			t.Errorf("%s = %q, %v; want %q", key, b, err, body)
		}
	}
}
