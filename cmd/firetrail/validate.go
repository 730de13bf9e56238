package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/internal/scan"
	"github.com/firetrail/firetrail/schemas"
)

func validateCommand() command {
	return command{
		name:  "validate",
		usage: "validate [flags] PATH...",
		short: "Check CloudTrail records (files, .gz, NDJSON, log-file trees) against AWS's record schema.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			quiet := fs.BoolP("quiet", "q", false, "print problems only, no summary line")
			return func(ctx context.Context, e *env, paths []string) error {
				if len(paths) == 0 {
					return usagef("give at least one PATH (a file, a .gz, an NDJSON file or a directory)")
				}
				v, err := schemas.NewValidator()
				if err != nil {
					return fmt.Errorf("load schemas: %w", err)
				}
				sum, err := scan.Run(ctx, paths, v, func(p scan.Problem) {
					fmt.Fprintln(e.stdout, p.String())
				})
				if err != nil {
					return err
				}
				if sum.Problems > 0 {
					if !*quiet {
						fmt.Fprintf(e.stderr, "%d problems in %d records of %d files\n", sum.Problems, sum.Records, sum.Files)
					}
					return errProblems
				}
				if !*quiet {
					fmt.Fprintf(e.stdout, "ok: %d records in %d files valid", sum.Records, sum.Files)
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
