package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/pflag"
)

// version is the firetrail release; fixtures change only with a release note.
const version = "0.1.0"

func versionCommand() command {
	return command{
		name:  "version",
		usage: "version",
		short: "Print the firetrail version and the versions that pin its output.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			return func(_ context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("version takes no arguments")
				}
				fmt.Fprintf(e.stdout, "firetrail %s\n", version)
				if bi, ok := debug.ReadBuildInfo(); ok {
					fmt.Fprintf(e.stdout, "go %s\n", bi.GoVersion)
					for _, d := range bi.Deps {
						switch d.Path {
						case "github.com/brianvoe/gofakeit/v6", "github.com/klauspost/compress":
							fmt.Fprintf(e.stdout, "%s %s\n", d.Path, d.Version)
						}
					}
				}
				return nil
			}
		},
	}
}
