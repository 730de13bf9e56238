// Command constraintgen writes firehose_constraints_gen.go of package
// schemas (see package constraintgen). Run it with `go generate ./schemas`;
// it writes to the current directory, which must be the schemas directory.
package main

import (
	"fmt"
	"os"

	"github.com/firetrail/firetrail/schemas/internal/constraintgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "constraintgen:", err)
		os.Exit(1)
	}
}

func run() error {
	if _, err := os.Stat("record.go"); err != nil {
		return fmt.Errorf("run from the schemas directory (go generate ./schemas): %w", err)
	}
	src, err := constraintgen.Generate()
	if err != nil {
		return err
	}
	return os.WriteFile(constraintgen.File, src, 0o644)
}
