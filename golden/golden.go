package golden

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/generator"
)

// updateFlag registers -update unless a flag of that name exists (the one
// registration this package makes, at initialization).
var _ = registerUpdate()

func registerUpdate() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files with the actual output")
	}
	return true
}

// Update reports whether the test binary runs with -update (whoever
// registered the flag).
func Update() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	if g, ok := f.Value.(flag.Getter); ok {
		b, _ := g.Get().(bool)
		return b
	}
	b, _ := strconv.ParseBool(f.Value.String())
	return b
}

// ManifestName is the name of the SHA-256 manifest AssertDir keeps in a
// golden directory: one "HEX  PATH" line per file, sorted by path, in the
// format of sha256sum.
const ManifestName = "SHA256SUMS"

// actualSuffix is appended to a golden path to store the actual output of
// a failed comparison.
const actualSuffix = ".actual"

// Assert compares got with the golden file at path (relative to the
// test's working directory, its package directory). With -update it writes
// got to path instead. On a mismatch it reports a diff and the update
// command, writes got to path+".actual" and fails the test; on a match it
// removes a stale path+".actual".
func Assert(t testing.TB, got []byte, path string) {
	t.Helper()
	if Update() {
		if err := writeFile(path, got); err != nil {
			t.Fatalf("golden: update %s: %v", path, err)
		}
		os.Remove(path + actualSuffix)
		t.Logf("golden: updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		writeFile(path+actualSuffix, got)
		t.Fatalf("golden: %s does not exist; actual output in %s%s\n%s", path, path, actualSuffix, updateHint(t))
	}
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	if bytes.Equal(got, want) {
		os.Remove(path + actualSuffix)
		return
	}
	writeFile(path+actualSuffix, got)
	t.Errorf("golden: %s differs (-want +got):\n%s\nactual output in %s%s\n%s", path, Diff(want, got), path, actualSuffix, updateHint(t))
}

// AssertDir compares the tree of files under dir with the golden directory
// goldenDir. Files ending in .gz are stored in goldenDir decompressed,
// without the .gz; the SHA-256 of every file's exact bytes goes into
// goldenDir/SHA256SUMS, so compressed bytes are pinned too. With -update it
// rewrites goldenDir; on a mismatch it writes the actual tree to
// goldenDir+".actual" and fails the test.
func AssertDir(t testing.TB, dir, goldenDir string) {
	t.Helper()
	files, err := readTree(dir)
	if err != nil {
		t.Fatalf("golden: read %s: %v", dir, err)
	}
	AssertFiles(t, files, goldenDir)
}

// AssertFiles is AssertDir for files held in memory, keyed by slash-separated
// relative path.
func AssertFiles(t testing.TB, files map[string][]byte, goldenDir string) {
	t.Helper()
	got, err := GoldenForm(files)
	if err != nil {
		t.Fatalf("golden: %v", err)
	}
	if Update() {
		if err := os.RemoveAll(goldenDir); err != nil {
			t.Fatalf("golden: update %s: %v", goldenDir, err)
		}
		if err := writeTree(goldenDir, got); err != nil {
			t.Fatalf("golden: update %s: %v", goldenDir, err)
		}
		os.RemoveAll(goldenDir + actualSuffix)
		t.Logf("golden: updated %s (%d files)", goldenDir, len(got))
		return
	}
	want, err := readTree(goldenDir)
	if err != nil {
		t.Fatalf("golden: %v\n%s", err, updateHint(t))
	}
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[name]
		switch {
		case !ok:
			problems = append(problems, "missing: "+name)
		case !bytes.Equal(g, want[name]):
			problems = append(problems, "differs: "+name+" (-want +got):\n"+Diff(want[name], g))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[name]; !ok {
			problems = append(problems, "unexpected: "+name)
		}
	}
	if len(problems) == 0 {
		os.RemoveAll(goldenDir + actualSuffix)
		return
	}
	os.RemoveAll(goldenDir + actualSuffix)
	writeTree(goldenDir+actualSuffix, got)
	if len(problems) > 10 {
		problems = append(problems[:10], fmt.Sprintf("… and %d more", len(problems)-10))
	}
	t.Errorf("golden: %s differs:\n%s\nactual tree in %s%s\n%s", goldenDir, strings.Join(problems, "\n"), goldenDir, actualSuffix, updateHint(t))
}

// GoldenForm returns files as a golden directory stores them: .gz files
// decompressed under their name without .gz, other files as they are, and
// SHA256SUMS listing the SHA-256 of every original file's exact bytes.
func GoldenForm(files map[string][]byte) (map[string][]byte, error) {
	out := make(map[string][]byte, len(files)+1)
	var sums strings.Builder
	for _, name := range slices.Sorted(maps.Keys(files)) {
		b := files[name]
		sum := sha256.Sum256(b)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
		stored := name
		if base, ok := strings.CutSuffix(name, ".gz"); ok {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("gunzip %s: %w", name, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				return nil, fmt.Errorf("gunzip %s: %w", name, err)
			}
			stored = base
		}
		if _, dup := out[stored]; dup || stored == ManifestName {
			return nil, fmt.Errorf("file %s collides with another in golden form", name)
		}
		out[stored] = b
	}
	out[ManifestName] = []byte(sums.String())
	return out, nil
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func writeTree(root string, files map[string][]byte) error {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := writeFile(filepath.Join(root, filepath.FromSlash(name)), files[name]); err != nil {
			return err
		}
	}
	return nil
}

func readTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	return files, nil
}

// updateHint names the command that rewrites the golden files.
func updateHint(t testing.TB) string {
	return fmt.Sprintf("to accept the actual output, run: go test -run '^%s$' -update", strings.SplitN(t.Name(), "/", 2)[0])
}

// Diff returns a line diff of want and got: each differing line as "-"
// (want) and "+" (got) with its number. For long lines (one-line JSON log
// files) it shows a window around the first differing byte.
func Diff(want, got []byte) string {
	wl := bytes.Split(want, []byte("\n"))
	gl := bytes.Split(got, []byte("\n"))
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) && i < len(gl) && bytes.Equal(w, g) {
			continue
		}
		if shown++; shown > 8 {
			fmt.Fprintf(&b, "… more lines differ\n")
			break
		}
		w, g, at := window(w, g)
		if i < len(wl) {
			fmt.Fprintf(&b, "-%d%s: %s\n", i+1, at, w)
		}
		if i < len(gl) {
			fmt.Fprintf(&b, "+%d%s: %s\n", i+1, at, g)
		}
	}
	return b.String()
}

// window cuts long lines to 160 bytes around their first difference.
func window(w, g []byte) ([]byte, []byte, string) {
	if len(w) <= 200 && len(g) <= 200 {
		return w, g, ""
	}
	d := 0
	for d < len(w) && d < len(g) && w[d] == g[d] {
		d++
	}
	start := max(0, d-60)
	cut := func(b []byte) []byte {
		if start >= len(b) {
			return nil
		}
		return b[start:min(len(b), start+160)]
	}
	return cut(w), cut(g), fmt.Sprintf(" (byte %d)", d)
}

// manifestJSON encodes a ground-truth manifest as the generate command
// writes it.
func manifestJSON(m generator.Manifest) ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return append(b, '\n'), nil
}
