package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/emulator"
)

// defaultEndpoint is where serve listens by default.
const defaultEndpoint = "http://127.0.0.1:4599"

func flushCommand() command {
	return command{
		name:  "flush",
		usage: "flush [--endpoint URL]",
		short: "Make a running serve deliver everything pending now; print the keys written.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			endpoint := fs.String("endpoint", "", "the serve endpoint (default $AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
			timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %q", args)
				}
				base := *endpoint
				if base == "" {
					base = os.Getenv("AWS_ENDPOINT_URL")
				}
				if base == "" {
					base = defaultEndpoint
				}
				u, err := url.Parse(base)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return usagef("--endpoint %q: want http://HOST:PORT or https://HOST:PORT", base)
				}
				ctx, cancel := context.WithTimeout(ctx, *timeout)
				defer cancel()
				fr, err := flush(ctx, strings.TrimRight(base, "/"))
				if err != nil {
					return err
				}
				// Log and digest keys of the trail's bucket as they are;
				// Firehose destination objects as s3:// URIs.
				for _, k := range fr.Keys {
					fmt.Fprintln(e.stdout, k)
				}
				for _, o := range fr.FirehoseObjects {
					fmt.Fprintln(e.stdout, "s3://"+o)
				}
				return nil
			}
		},
	}
}

// flush POSTs the control endpoint's flush of the emulator at base and
// returns what it wrote.
func flush(ctx context.Context, base string) (emulator.FlushResult, error) {
	var fr emulator.FlushResult
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+emulator.FlushPath, nil)
	if err != nil {
		return fr, fmt.Errorf("flush: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fr, fmt.Errorf("flush: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fr, fmt.Errorf("flush: read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var ae struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &ae) == nil && ae.Type != "" {
			return fr, fmt.Errorf("flush: %s: %s: %s", resp.Status, ae.Type, ae.Message)
		}
		return fr, fmt.Errorf("flush: %s from %s (is firetrail serve listening there?)", resp.Status, base)
	}
	if err := json.Unmarshal(body, &fr); err != nil {
		return fr, fmt.Errorf("flush: bad answer from %s: %w", base, err)
	}
	return fr, nil
}
