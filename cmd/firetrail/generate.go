package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"
)

func generateCommand() command {
	return command{
		name:  "generate",
		usage: "generate [flags]",
		short: "(generate: not built yet)",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			return func(context.Context, *env, []string) error {
				return errors.New("generate is not built yet")
			}
		},
	}
}
