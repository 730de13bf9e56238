package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/emulator"
	"github.com/firetrail/firetrail/emulator/trail"
)

// clientAddr is the host:port a client on this machine dials to reach a
// listener asked for as requested (the --addr) and bound at addr: an
// unspecified host ("", 0.0.0.0, [::]) becomes the loopback address of its
// family. The family comes from the request: Go binds "0.0.0.0" dual-stack
// and reports [::].
func clientAddr(requested string, addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || !ta.IP.IsUnspecified() {
		return addr.String()
	}
	host, _, _ := net.SplitHostPort(requested)
	ip := net.IPv4(127, 0, 0, 1)
	if h := net.ParseIP(host); h != nil && h.To4() == nil {
		ip = net.IPv6loopback
	}
	return net.JoinHostPort(ip.String(), strconv.Itoa(ta.Port))
}

// isLoopback reports whether a listener bound at addr is reachable from
// this machine only.
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}

func serveCommand() command {
	return command{
		name:  "serve",
		usage: "serve [--addr 127.0.0.1:4599] [--bucket NAME] [--seed N] [--events N] [--delivery-interval D] [--data-dir DIR] [--signing-key FILE] [flags]",
		short: "Serve an embedded S3 with CloudTrail delivery, LookupEvents and a recording Firehose API.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			addr := fs.String("addr", "127.0.0.1:4599", "listen address (host:port; port 0 picks a free one)")
			bucket := fs.String("bucket", emulator.DefaultBucket, "bucket log files are delivered to")
			seed := fs.Int64("seed", 0, "seed of generated activity, request and event IDs")
			events := fs.Int("events", 0, "generated records to deliver at start")
			interval := fs.Duration("delivery-interval", trail.DefaultInterval, "how often log files are delivered")
			dataDir := fs.String("data-dir", "", "keep objects, digest chain and history in `DIR` across restarts (default: memory)")
			keyFile := fs.String("signing-key", "", "PEM RSA private key `FILE` that signs digests (default: generated)")
			notify := fs.StringArray("notify", nil, "subscribe `URL` to SNS notifications of log files: it gets a SubscriptionConfirmation and notices once it confirms (repeatable)")
			s3Events := fs.StringArray("s3-events", nil, "POST S3 event notifications of log files to `URL` (repeatable)")
			queues := fs.StringArray("queue", nil, "create SQS queue `NAME` fed by the log bucket's S3 event notifications (AWSLogs/*), as SQS-based S3 inputs expect (repeatable)")
			topicQueues := fs.StringArray("topic-queue", nil, "create SQS queue `NAME` subscribed to the trail's SNS topic (repeatable)")
			throttle := fs.Bool("throttle", false, "reproduce CloudTrail's rate limits (LookupEvents 2/s)")
			useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate (its CA file is printed for AWS_CA_BUNDLE)")
			region := fs.String("region", emulator.DefaultRegion, "region of the emulator and its trail")
			account := fs.String("account", emulator.DefaultAccountID, "account ID of the emulator and its trail")
			auth := fs.String("auth", "none", "request authentication: none, or sigv4 to verify AWS Signature Version 4 on every service (keys from --credentials, else the default pair)")
			credsFile := fs.String("credentials", "", "AWS shared credentials `FILE` whose profiles' key pairs --auth sigv4 accepts")
			runFor := fs.Duration("run-for", 0, "stop after this long, as on SIGTERM (for scripts)")
			_ = fs.MarkHidden("run-for")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments: %q", args)
				}
				switch {
				case *events < 0:
					return usagef("--events %d: must not be negative", *events)
				case *interval < time.Second:
					return usagef("--delivery-interval %v: must be at least 1s", *interval)
				case *runFor < 0:
					return usagef("--run-for %v: must not be negative", *runFor)
				}
				if _, _, err := net.SplitHostPort(*addr); err != nil {
					return usagef("--addr %q: %v", *addr, err)
				}
				switch *auth {
				case "none":
					if *credsFile != "" {
						return usagef("--credentials needs --auth sigv4")
					}
				case "sigv4":
				default:
					return usagef("--auth %q: want none or sigv4", *auth)
				}
				log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
				opts := []emulator.Option{
					emulator.WithBucket(*bucket),
					emulator.WithRegion(*region),
					emulator.WithAccountID(*account),
					emulator.WithDeliveryInterval(*interval),
					emulator.WithThrottle(*throttle),
					emulator.WithLogger(log),
					emulator.WithEvents(*events),
					emulator.WithVersion(version),
				}
				if fs.Changed("seed") || *events > 0 {
					opts = append(opts, emulator.WithSeed(*seed))
				}
				if *dataDir != "" {
					opts = append(opts, emulator.WithDataDir(*dataDir))
				}
				for _, u := range *notify {
					opts = append(opts, emulator.WithNotify(u))
				}
				for _, u := range *s3Events {
					opts = append(opts, emulator.WithS3Events(u))
				}
				for _, q := range *queues {
					opts = append(opts, emulator.WithS3EventQueue(q))
				}
				for _, q := range *topicQueues {
					opts = append(opts, emulator.WithTopicQueue(q))
				}
				if *keyFile != "" {
					b, err := os.ReadFile(*keyFile)
					if err != nil {
						return fmt.Errorf("signing key: %w", err)
					}
					key, err := trail.LoadSigningKey(b)
					if err != nil {
						return fmt.Errorf("signing key %s: %w", *keyFile, err)
					}
					opts = append(opts, emulator.WithSigningKey(key))
				}
				credsPath := ""
				if *auth == "sigv4" {
					var creds []emulator.Credentials
					if *credsFile != "" {
						var err error
						if creds, err = emulator.LoadCredentials(*credsFile); err != nil {
							return err
						}
						if credsPath, err = filepath.Abs(*credsFile); err != nil {
							return fmt.Errorf("credentials: %w", err)
						}
					}
					opts = append(opts, emulator.WithAuth(creds...))
				}
				caFile := ""
				if *useTLS {
					cfg, caPEM, err := emulator.SelfSignedTLS(time.Now())
					if err != nil {
						return err
					}
					dir := *dataDir
					if dir == "" {
						// Without a data dir the CA lives as long as the
						// server: removed on exit.
						if dir, err = os.MkdirTemp("", "firetrail-tls-"); err != nil {
							return fmt.Errorf("tls: %w", err)
						}
						defer os.RemoveAll(dir)
					} else if err := os.MkdirAll(dir, 0o700); err != nil {
						return fmt.Errorf("tls: %w", err)
					}
					caFile = filepath.Join(dir, "ca.pem")
					if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
						return fmt.Errorf("tls: write CA: %w", err)
					}
					opts = append(opts, emulator.WithTLS(cfg))
				}
				ln, err := net.Listen("tcp", *addr)
				if err != nil {
					return fmt.Errorf("listen: %w", err)
				}
				emu, err := emulator.New(opts...)
				if err != nil {
					ln.Close()
					return err
				}
				if *auth == "none" && !isLoopback(ln.Addr()) {
					fmt.Fprintf(e.stderr, "warning: serving on %s, which is not a loopback address, without authentication: anyone who can reach it can read, write and delete its data; use --auth sigv4\n", ln.Addr())
				}
				scheme := "http"
				if *useTLS {
					scheme = "https"
				}
				url := scheme + "://" + clientAddr(*addr, ln.Addr())
				w := e.stdout
				fmt.Fprintln(w, url)
				fmt.Fprintf(w, "bucket: %s\n", emu.Bucket())
				fmt.Fprintf(w, "topic: %s\n", emu.TopicARN())
				for _, q := range append(append([]string(nil), *queues...), *topicQueues...) {
					fmt.Fprintf(w, "queue: %s/%s/%s\n", url, emu.AccountID(), q)
				}
				if credsPath != "" {
					// The keys are the file's: point clients at it rather
					// than print secrets.
					fmt.Fprintf(w, "export AWS_SHARED_CREDENTIALS_FILE=%s\n", credsPath)
				} else {
					fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s\n", emulator.DefaultAccessKeyID)
					fmt.Fprintf(w, "export AWS_SECRET_ACCESS_KEY=%s\n", emulator.DefaultSecretAccessKey)
				}
				// awscli v1 and boto3 read AWS_DEFAULT_REGION; v2 and the
				// SDKs AWS_REGION. AWS_ENDPOINT_URL needs awscli 2.13+, so
				// the command lines pass --endpoint-url too.
				fmt.Fprintf(w, "export AWS_REGION=%s\n", emu.Region())
				fmt.Fprintf(w, "export AWS_DEFAULT_REGION=%s\n", emu.Region())
				fmt.Fprintf(w, "export AWS_ENDPOINT_URL=%s\n", url)
				if caFile != "" {
					fmt.Fprintf(w, "export AWS_CA_BUNDLE=%s\n", caFile)
				}
				fmt.Fprintf(w, "aws --endpoint-url %s s3 ls s3://%s --recursive\n", url, emu.Bucket())
				fmt.Fprintf(w, "aws --endpoint-url %s cloudtrail lookup-events --max-items 5\n", url)
				for _, q := range append(append([]string(nil), *queues...), *topicQueues...) {
					fmt.Fprintf(w, "aws --endpoint-url %s sqs receive-message --wait-time-seconds 20 --queue-url %s/%s/%s\n", url, url, emu.AccountID(), q)
				}
				if *auth == "sigv4" {
					fmt.Fprintf(w, "curl -s -X POST --aws-sigv4 aws:amz:%s:firetrail --user \"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\" %s%s\n", emu.Region(), url, emulator.FlushPath)
				} else {
					fmt.Fprintf(w, "curl -s -X POST %s%s\n", url, emulator.FlushPath)
				}
				if f, ok := w.(*os.File); ok {
					_ = f.Sync()
				}
				if *runFor > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, *runFor)
					defer cancel()
				}
				serveErr := emu.Serve(ctx, ln)
				closeErr := emu.Close()
				if err := errors.Join(serveErr, closeErr); err != nil {
					return err
				}
				log.Info("stopped; pending records delivered")
				return nil
			}
		},
	}
}
