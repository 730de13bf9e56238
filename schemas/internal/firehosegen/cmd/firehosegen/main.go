// Command firehosegen writes the generated Firehose files of package schemas
// (see package firehosegen). Run it with `go generate ./schemas`; it writes
// relative to the current directory, which must be the schemas directory.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/firetrail/firetrail/schemas/internal/firehosegen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "firehosegen:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := os.Stat("record.go"); err != nil {
		return fmt.Errorf("run from the schemas directory (go generate ./schemas): %w", err)
	}
	files, err := firehosegen.Generate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(firehosegen.SchemaDir, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(firehosegen.SchemaDir, "*.json"))
	if err != nil {
		return err
	}
	for _, path := range old {
		if _, ok := files[filepath.ToSlash(path)]; !ok {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	for path, b := range files {
		if strings.Contains(path, "..") {
			return fmt.Errorf("refusing to write %s", path)
		}
		if err := os.WriteFile(filepath.FromSlash(path), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
