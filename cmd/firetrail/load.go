package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"
)

func loadCommand() command {
	return command{
		name:  "load",
		usage: "load [flags]",
		short: "(load: not built yet)",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			return func(context.Context, *env, []string) error {
				return errors.New("load is not built yet")
			}
		},
	}
}
