package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/internal/scan"
	"github.com/firetrail/firetrail/schemas"
)

func validateCommand() command {
	return command{
		name:  "validate",
		usage: "validate [flags] PATH...",
		short: "Check CloudTrail records (files, .gz, NDJSON, log-file trees; - for standard input) against AWS's record schema.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			quiet := fs.BoolP("quiet", "q", false, "print problems only, no summary line")
			return func(ctx context.Context, e *env, paths []string) error {
				if len(paths) == 0 {
					return usagef("give at least one PATH (a file, a .gz, an NDJSON file, a directory, or - for standard input)")
				}
				if i := slices.Index(paths, "-"); i >= 0 && slices.Contains(paths[i+1:], "-") {
					return usagef("- (standard input) given twice")
				}
				v, err := schemas.NewValidator()
				if err != nil {
					return fmt.Errorf("load schemas: %w", err)
				}
				sum, err := scan.Run(ctx, paths, v, func(p scan.Problem) {
					fmt.Fprintln(e.stdout, p.String())
				}, scan.Stdin(e.stdin))
				if err != nil {
					return err
				}
				if sum.Problems > 0 {
					if !*quiet {
						fmt.Fprintf(e.stderr, "%s in %s of %s\n", plural(sum.Problems, "problem"), plural(sum.Records, "record"), plural(sum.Files, "file"))
					}
					return errProblems
				}
				if !*quiet {
					fmt.Fprintf(e.stdout, "ok: %s in %s valid", plural(sum.Records, "record"), plural(sum.Files, "file"))
					if sum.Digests > 0 {
						fmt.Fprintf(e.stdout, ", %d digest files checked", sum.Digests)
					}
					fmt.Fprintln(e.stdout)
				}
				return nil
			}
		},
	}
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
