package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand may touch of the process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand: its flags are defined on a fresh FlagSet by
// setup, which returns the function that runs it once flags are parsed.
type command struct {
	name  string
	usage string // the synopsis after "firetrail "
	short string // one line for the command list
	setup func(fs *pflag.FlagSet) func(ctx context.Context, e *env, args []string) error
}

// commands is the table of subcommands, sorted by name.
func commands() []command {
	cmds := []command{
		generateCommand(),
		serveCommand(),
		flushCommand(),
		validateCommand(),
		loadCommand(),
		versionCommand(),
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

// usageError marks a problem with the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usageError: run prints it and the usage, and exits 2.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errProblems reports that a command found problems it already printed:
// exit status 1 with nothing more said.
var errProblems = errors.New("problems found")

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		topUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if len(args) > 1 && name == "help" {
			return run(ctx, []string{args[1], "--help"}, stdin, stdout, stderr)
		}
		topUsage(stdout)
		return 0
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fs := pflag.NewFlagSet(c.name, pflag.ContinueOnError)
		fs.SetOutput(stderr)
		runFn := c.setup(fs)
		printUsage := func(w io.Writer) {
			fmt.Fprintf(w, "usage: firetrail %s\n\n%s\n", c.usage, c.short)
			if fs.HasFlags() {
				fmt.Fprintf(w, "\nflags:\n%s", fs.FlagUsages())
			}
		}
		// pflag calls Usage only for --help (ContinueOnError): that goes to
		// stdout with status 0.
		fs.Usage = func() { printUsage(stdout) }
		if err := fs.Parse(args[1:]); err != nil {
			if errors.Is(err, pflag.ErrHelp) {
				return 0
			}
			fmt.Fprintf(stderr, "firetrail %s: %v\n", c.name, err)
			fmt.Fprintf(stderr, "usage: firetrail %s\nRun \"firetrail %s --help\" for its flags.\n", c.usage, c.name)
			return 2
		}
		err := runFn(ctx, e, fs.Args())
		var ue *usageError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "firetrail %s: %s\n", c.name, ue.msg)
			fmt.Fprintf(stderr, "usage: firetrail %s\n", c.usage)
			return 2
		case errors.Is(err, errProblems):
			return 1
		default:
			fmt.Fprintf(stderr, "firetrail %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "firetrail: unknown command %q\n", name)
	topUsage(stderr)
	return 2
}

func topUsage(w io.Writer) {
	fmt.Fprintln(w, "firetrail makes CloudTrail logs of Amazon Data Firehose API calls and serves them from an emulator.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: firetrail <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.short)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "firetrail <command> --help" for a command's flags.`)
}
