package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"
)

func validateCommand() command {
	return command{
		name:  "validate",
		usage: "validate [flags]",
		short: "(validate: not built yet)",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			return func(context.Context, *env, []string) error {
				return errors.New("validate is not built yet")
			}
		},
	}
}
