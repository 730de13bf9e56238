package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"
)

func serveCommand() command {
	return command{
		name:  "serve",
		usage: "serve [flags]",
		short: "(serve: not built yet)",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			return func(context.Context, *env, []string) error {
				return errors.New("serve is not built yet")
			}
		},
	}
}
