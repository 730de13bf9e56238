package schemas_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/firetrail/firetrail/schemas/internal/firehosegen"
)

// TestFirehoseSchemasFresh regenerates the Firehose JSON Schemas and model
// table in memory and compares them with the checked-in files.
func TestFirehoseSchemasFresh(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("firehosegen needs the go command to find the SDK source: %v", err)
	}
	files, err := firehosegen.Generate()
	if err != nil {
		t.Fatalf("firehosegen.Generate: %v", err)
	}
	for _, path := range slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	}) {
		got, err := os.ReadFile(filepath.FromSlash(path))
		if err != nil {
			t.Errorf("stale: run go generate ./schemas (%v)", err)
			continue
		}
		if !bytes.Equal(got, files[path]) {
			t.Errorf("stale: run go generate ./schemas (%s differs)", path)
		}
	}
	old, err := filepath.Glob(filepath.Join(filepath.FromSlash(firehosegen.SchemaDir), "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range old {
		if _, ok := files[filepath.ToSlash(path)]; !ok {
			t.Errorf("stale: run go generate ./schemas (%s is not generated)", path)
		}
	}
	if n := len(files); n != 2*12+1 {
		t.Errorf("Generate returned %d files, want 25", n)
	}
}
