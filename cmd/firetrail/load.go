package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
)

// loadFlags are the flags of firetrail load.
type loadFlags struct {
	endpoint   string
	bucket     string
	prefix     string
	region     string
	rate       float64
	duration   time.Duration
	events     int
	shard      string
	seed       int64
	seedSet    bool // --seed given; otherwise a random seed
	runID      string
	accounts   int
	regions    []string
	interval   time.Duration
	signingKey string
	progress   time.Duration
}

func loadCommand() command {
	return command{
		name:  "load",
		usage: "load --endpoint URL --bucket NAME --rate R [--duration D|--events N] [--shard k/N] [flags]",
		short: "Deliver generated CloudTrail log files into any S3-compatible store at a steady rate.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			var f loadFlags
			fs.StringVar(&f.endpoint, "endpoint", "", "S3 endpoint URL (path-style), e.g. http://127.0.0.1:4599")
			fs.StringVar(&f.bucket, "bucket", "", "bucket to deliver into (must exist)")
			fs.StringVar(&f.prefix, "prefix", "", "trail S3 key prefix")
			fs.StringVar(&f.region, "region", "us-east-1", "region of the S3 endpoint (for SigV4)")
			fs.Float64Var(&f.rate, "rate", 0, "events per second, steady (required)")
			fs.DurationVar(&f.duration, "duration", 0, "how long to run (with --rate; or give --events)")
			fs.IntVar(&f.events, "events", 0, "how many events to deliver (or give --duration)")
			fs.StringVar(&f.shard, "shard", "", "deliver part k of N (k/N), for N machines in parallel")
			fs.Int64Var(&f.seed, "seed", 0, "seed of the generated world: the same seed gives the same events (default: random, printed on stderr)")
			fs.StringVar(&f.runID, "run-id", "", "name log files as the run of this ID does (default: random, so that no two runs share a key)")
			fs.IntVar(&f.accounts, "accounts", 0, "number of AWS accounts (default: the generator's)")
			fs.StringSliceVar(&f.regions, "regions", nil, "regions of the streams (default: the generator's)")
			fs.DurationVar(&f.interval, "delivery-interval", trail.DefaultInterval, "how often log files are delivered")
			fs.StringVar(&f.signingKey, "signing-key", "", "PEM RSA key: also write signed hourly digest files")
			fs.DurationVar(&f.progress, "progress", 10*time.Second, "how often to print progress on stderr (0: never)")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				f.seedSet = fs.Changed("seed")
				return runLoad(ctx, e, &f)
			}
		},
	}
}

func (f *loadFlags) check() (events int, err error) {
	if f.endpoint == "" {
		return 0, usagef("--endpoint is required")
	}
	if u, err := url.Parse(f.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, usagef("--endpoint %q: want an http:// or https:// URL", f.endpoint)
	}
	if f.bucket == "" {
		return 0, usagef("--bucket is required")
	}
	if !(f.rate > 0) {
		return 0, usagef("--rate must be a positive number of events per second")
	}
	switch {
	case f.events < 0:
		return 0, usagef("--events must not be negative")
	case f.duration < 0:
		return 0, usagef("--duration must not be negative")
	case f.events > 0 && f.duration > 0:
		return 0, usagef("give --events or --duration, not both")
	case f.events == 0 && f.duration == 0:
		return 0, usagef("give --events N or --duration D")
	}
	if f.interval < time.Second {
		return 0, usagef("--delivery-interval must be at least 1s")
	}
	if len(f.runID) > 128 {
		return 0, usagef("--run-id longer than 128 bytes")
	}
	events = f.events
	if f.duration > 0 {
		events = int(f.rate * f.duration.Seconds())
		if events < 1 {
			events = 1
		}
	}
	return events, nil
}

func runLoad(ctx context.Context, e *env, f *loadFlags) error {
	events, err := f.check()
	if err != nil {
		return err
	}
	if !f.seedSet {
		// Two runs must not deliver the same events (eventIDs) unless
		// asked to: a random seed, told so that the run can be repeated.
		f.seed = rand.Int64()
		fmt.Fprintf(e.stderr, "seed %d: rerun with --seed %d to repeat\n", f.seed, f.seed)
	}
	runID := f.runID
	if runID == "" {
		// A run of its own: log file names differ from every other run's,
		// even of the same seed in the same 5-minute stamp.
		runID = trail.NewRunID()
	}
	cfg := generator.Config{Seed: f.seed, Events: events, Accounts: f.accounts, Regions: f.regions,
		Start: time.Now().UTC().Truncate(time.Second)}
	if f.shard != "" {
		k, n, err := generator.ParseShard(f.shard)
		if err != nil {
			return usagef("--shard: %v", err)
		}
		cfg.Shard, cfg.Shards = k, n
	}
	gen, err := generator.New(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	tcfg := trail.Config{
		Sink:     newS3Sink(ctx, f.endpoint, f.region, f.bucket),
		Bucket:   f.bucket,
		Prefix:   f.prefix,
		OrgID:    gen.OrgID(),
		Seed:     trailSeed(cfg),
		Interval: f.interval,
		RunID:    runID,
	}
	if cfg.Shards > 1 {
		// Each shard is its own trail: its digest chain must not collide
		// with another shard's in the same prefix.
		tcfg.TrailName = fmt.Sprintf("%s-%d-of-%d", trail.DefaultTrailName, cfg.Shard, cfg.Shards)
	}
	if f.signingKey != "" {
		pemBytes, err := os.ReadFile(f.signingKey)
		if err != nil {
			return usagef("--signing-key: %v", err)
		}
		if tcfg.SigningKey, err = trail.LoadSigningKey(pemBytes); err != nil {
			return usagef("--signing-key %s: %v", f.signingKey, err)
		}
	}
	tr, err := trail.New(tcfg)
	if err != nil {
		return fmt.Errorf("start delivery: %w", err)
	}
	start := time.Now()
	p := pacer{start: start, rate: f.rate}
	lastTick, lastProgress := start, start
	n := 0
	for rec := range gen.Records() {
		if err := p.wait(ctx, n); err != nil {
			break // interrupted: deliver what was made, then stop
		}
		now := time.Now().UTC()
		// A load run is real time: each event happens when it is sent.
		rec.EventTime = now.Truncate(time.Second)
		if err := tr.Add(rec); err != nil {
			return fmt.Errorf("add record %d: %w", n, err)
		}
		n++
		if now.Sub(lastTick) >= time.Second {
			if err := tr.Tick(ctx); err != nil {
				return deliveryError(err)
			}
			lastTick = now
		}
		if f.progress > 0 && now.Sub(lastProgress) >= f.progress {
			st := tr.Stats()
			fmt.Fprintf(e.stderr, "load: %d events, %d log files delivered, %.0f events/s\n",
				n, st.LogFiles, float64(n)/now.Sub(start).Seconds())
			lastProgress = now
		}
	}
	if err := gen.Err(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	// Deliver the rest even when interrupted; a fresh context so that a
	// signal does not cut the final upload short.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := tr.Close(flushCtx); err != nil {
		return deliveryError(err)
	}
	st := tr.Stats()
	if st.LastError != "" {
		return fmt.Errorf("delivery to %s failed: %s", f.endpoint, st.LastError)
	}
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "delivered %d events in %d log files (%d digests) to s3://%s in %s (%.0f events/s)\n",
		st.Records, st.LogFiles, st.Digests, f.bucket, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	return ctx.Err()
}

// pacer spaces events evenly at rate per second from start. It sleeps only
// when more than a few milliseconds ahead, so high rates cost no syscalls
// per event.
type pacer struct {
	start time.Time
	rate  float64
}

func (p pacer) wait(ctx context.Context, i int) error {
	due := p.start.Add(time.Duration(float64(i) / p.rate * float64(time.Second)))
	ahead := time.Until(due)
	if ahead < 2*time.Millisecond {
		return ctx.Err()
	}
	t := time.NewTimer(ahead)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// s3Sink stores delivered files in a bucket of any S3-compatible endpoint.
type s3Sink struct {
	client *s3.Client
	bucket string
	err    error
}

func newS3Sink(ctx context.Context, endpoint, region, bucket string) *s3Sink {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		return &s3Sink{err: fmt.Errorf("load AWS config: %w", err)}
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(strings.TrimRight(endpoint, "/"))
		o.UsePathStyle = true
	})
	return &s3Sink{client: client, bucket: bucket}
}

// putAttempts is how many times Put tries a PUT that S3 answers 409
// ConditionalRequestConflict (another conditional write to the key in
// progress).
const putAttempts = 5

// Put uploads body with its metadata (the SDK writes x-amz-meta- names),
// never replacing an object: the PUT is conditional (If-None-Match: *). A
// key that exists already is a keyExistsError unless the object
// there has exactly our bytes: then it is our own earlier attempt, stored
// before the SDK retried the request.
func (s *s3Sink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if s.err != nil {
		return s.err
	}
	var err error
	for attempt := 1; ; attempt++ {
		_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
			Bucket:        aws.String(s.bucket),
			Key:           aws.String(key),
			Body:          bytes.NewReader(body),
			ContentLength: aws.Int64(int64(len(body))),
			Metadata:      meta,
			IfNoneMatch:   aws.String("*"),
		})
		if err == nil || attempt == putAttempts || !isConditionalConflict(err) {
			break
		}
		t := time.NewTimer(time.Duration(attempt) * 100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, ctx.Err())
		case <-t.C:
		}
	}
	switch {
	case err == nil:
		return nil
	case isPreconditionFailed(err):
		if same, cerr := s.holds(ctx, key, body); cerr == nil && same {
			return nil
		}
		return &keyExistsError{bucket: s.bucket, key: key}
	case isNotImplemented(err):
		return fmt.Errorf("put s3://%s/%s: the store does not support conditional writes (If-None-Match: *), which load needs so as never to replace an object: %w", s.bucket, key, err)
	}
	return fmt.Errorf("put s3://%s/%s: %w", s.bucket, key, err)
}

// keyExistsError is the error of a Put to a key that holds another
// object.
type keyExistsError struct{ bucket, key string }

func (e *keyExistsError) Error() string {
	return "s3://" + e.bucket + "/" + e.key + " exists already and was not overwritten (412 PreconditionFailed on If-None-Match: *): " +
		"another run or writer delivered a log file of that name"
}

// deliveryError is err of a delivery, told plainly when it is a name
// collision (the trail's wrapping names the key again).
func deliveryError(err error) error {
	if ke, ok := errors.AsType[*keyExistsError](err); ok {
		return fmt.Errorf("deliver: stopped: %w", ke)
	}
	return fmt.Errorf("deliver: %w", err)
}

// holds reports whether the object at key has exactly the bytes body.
func (s *s3Sink) holds(ctx context.Context, key string, body []byte) (bool, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)},
		func(o *s3.Options) {
			// The bytes are compared whole: no checksum needed, and no SDK
			// note on stderr when the store sends none.
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
	if err != nil {
		return false, err
	}
	defer out.Body.Close()
	got, err := io.ReadAll(io.LimitReader(out.Body, int64(len(body))+1))
	if err != nil {
		return false, err
	}
	return bytes.Equal(got, body), nil
}

// errorStatus returns the HTTP status and S3 error code of err.
func errorStatus(err error) (int, string) {
	status, code := 0, ""
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	return status, code
}

func isPreconditionFailed(err error) bool {
	status, code := errorStatus(err)
	return status == http.StatusPreconditionFailed || code == "PreconditionFailed"
}

func isConditionalConflict(err error) bool {
	status, code := errorStatus(err)
	return code == "ConditionalRequestConflict" || status == http.StatusConflict && code == ""
}

func isNotImplemented(err error) bool {
	status, code := errorStatus(err)
	return status == http.StatusNotImplemented || code == "NotImplemented"
}
