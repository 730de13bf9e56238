package main

import (
	"compress/gzip"
	"context"
	"flag"
	"io"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the testscript files with the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"firetrail": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI scripts in testdata/script; go test -update
// rewrites their expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("AWS_CA_BUNDLE", "")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// gunzip SRC DST writes the decompressed bytes of SRC to DST:
			// txtar holds text only.
			"gunzip": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: gunzip SRC DST")
				}
				f, err := os.Open(ts.MkAbs(args[0]))
				ts.Check(err)
				defer f.Close()
				zr, err := gzip.NewReader(f)
				if neg {
					if err == nil {
						_, err = io.Copy(io.Discard, zr)
					}
					if err == nil {
						ts.Fatalf("gunzip %s succeeded", args[0])
					}
					return
				}
				ts.Check(err)
				out, err := os.Create(ts.MkAbs(args[1]))
				ts.Check(err)
				_, err = io.Copy(out, zr)
				ts.Check(err)
				ts.Check(out.Close())
			},
		},
	})
}
