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

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
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
		return fr, err
	}
	if err := signFlush(ctx, req); err != nil {
		return fr, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fr, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fr, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var ae struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &ae) == nil && ae.Type != "" {
			return fr, fmt.Errorf("%s: %s: %s", resp.Status, ae.Type, ae.Message)
		}
		return fr, fmt.Errorf("%s from %s (is firetrail serve listening there?)", resp.Status, base)
	}
	if err := json.Unmarshal(body, &fr); err != nil {
		return fr, fmt.Errorf("bad answer from %s: %w", base, err)
	}
	return fr, nil
}

// emptySHA256 is the hex SHA-256 of an empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signFlush signs req with SigV4 when the environment holds credentials
// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as serve prints them), so
// that a serve --auth sigv4 accepts the flush; an open serve ignores the
// signature.
func signFlush(ctx context.Context, req *http.Request) error {
	akid, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if akid == "" || secret == "" {
		return nil
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = emulator.DefaultRegion
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN")}
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, emptySHA256, "firetrail", region, time.Now()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}
