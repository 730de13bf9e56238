package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// Time limits of talking to the store: a run that cannot start says why
// within seconds, never hangs.
const (
	dialTimeout      = 5 * time.Second
	preflightTimeout = 8 * time.Second
	// headerTimeout bounds the wait for the answer to a request once sent.
	headerTimeout = time.Minute
)

// s3Sink stores delivered files in a bucket of any S3-compatible endpoint
// (or of Amazon S3), and counts what it did for the summary.
type s3Sink struct {
	client *s3.Client
	bucket string

	bytes   atomic.Int64 // bytes stored
	puts    atomic.Int64 // objects stored
	retries atomic.Int64 // requests sent again (by the SDK, or after a 409)
	errors  atomic.Int64 // Puts that failed

	latMu     sync.Mutex
	latencies []time.Duration // of each successful Put
}

// s3Target is where and as whom load delivers.
type s3Target struct {
	endpoint string // "" for Amazon S3
	region   string // "" for the environment's
	bucket   string
}

// noCredentialsMsg names what to set when the environment has no AWS
// credentials.
const noCredentialsMsg = "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
	"(or AWS_PROFILE for a profile in ~/.aws/config), or run where an IAM role provides them"

// loadAWSConfig loads the AWS configuration of the environment (the
// default credential chain and region) with bounded network waits, and
// checks within seconds that it yields credentials. The EC2 instance
// metadata service is asked, quietly and once, only when
// AWS_EC2_METADATA_DISABLED is not set.
func loadAWSConfig(ctx context.Context, tg s3Target, stderr io.Writer) (aws.Config, error) {
	sdkLog := logging.NewStandardLogger(stderr)
	opts := []func(*config.LoadOptions) error{
		// The SDK's notes go to stderr as by default, but for the instance
		// metadata client's (IMDSv1 fallback and the like): where there is
		// no metadata service they are noise, and a missing credential is
		// told in one line of our own.
		config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
			if msg := fmt.Sprintf(format, v...); !strings.Contains(msg, "IMDS") {
				sdkLog.Logf(c, "%s", msg)
			}
		})),
		config.WithHTTPClient(awshttp.NewBuildableClient().
			WithDialerOptions(func(d *net.Dialer) { d.Timeout = dialTimeout }).
			WithTransportOptions(func(t *http.Transport) { t.ResponseHeaderTimeout = headerTimeout })),
	}
	if os.Getenv("AWS_EC2_METADATA_DISABLED") == "" {
		// Where there is no instance metadata service, the chain's last
		// provider must give up in a second or two, not after retries.
		opts = append(opts, config.WithEC2RoleCredentialOptions(func(o *ec2rolecreds.Options) {
			o.Client = imds.New(imds.Options{Retryer: aws.NopRetryer{}, Logger: logging.Nop{}})
		}))
	}
	if tg.region != "" {
		opts = append(opts, config.WithRegion(tg.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("load AWS config: %w", err)
	}
	if cfg.Region == "" {
		if tg.endpoint == "" {
			return cfg, errors.New("no AWS region: set AWS_REGION (or a region in the profile), or give --region")
		}
		// An S3-compatible store mostly ignores the region, but SigV4
		// needs one.
		cfg.Region = "us-east-1"
	}
	if cfg.Credentials == nil {
		return cfg, errors.New(noCredentialsMsg)
	}
	cctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(cctx); err != nil {
		return cfg, credentialsError(err)
	}
	return cfg, nil
}

// credentialsError is the one line that says what is wrong with the
// environment's credentials: what to set when there are none (not the
// chain's account of every provider it tried, the instance metadata
// service's timeouts included), else the provider's own error.
func credentialsError(err error) error {
	msg := err.Error()
	for _, none := range []string{"IMDS", "EC2 IMDS", "ec2imds", "AWS_EC2_METADATA_DISABLED", "context deadline exceeded", "no valid providers", "static credentials are empty"} {
		if strings.Contains(msg, none) {
			return errors.New(noCredentialsMsg)
		}
	}
	return fmt.Errorf("AWS credentials: %w", err)
}

// newS3Sink returns the sink delivering into tg with cfg. With an endpoint
// it addresses buckets path-style, as S3-compatible stores want.
func newS3Sink(cfg aws.Config, tg s3Target) *s3Sink {
	s := &s3Sink{bucket: tg.bucket}
	s.client = s3.NewFromConfig(cfg, func(o *s3.Options) {
		if tg.endpoint != "" {
			o.BaseEndpoint = aws.String(strings.TrimRight(tg.endpoint, "/"))
			o.UsePathStyle = true
		}
		o.Retryer = countingRetryer{Retryer: o.Retryer, n: &s.retries}
	})
	return s
}

// countingRetryer counts the retries of an aws.Retryer.
type countingRetryer struct {
	aws.Retryer
	n *atomic.Int64
}

// RetryDelay is asked once for each retry.
func (r countingRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	r.n.Add(1)
	return r.Retryer.RetryDelay(attempt, err)
}

// preflight checks, within preflightTimeout, that the bucket exists and
// the credentials may use it (HeadBucket), and says in one line what is
// wrong if not.
func (s *s3Sink) preflight(ctx context.Context, where string) error {
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)},
		func(o *s3.Options) { o.RetryMaxAttempts = 2 })
	if err == nil {
		return nil
	}
	status, code := errorStatus(err)
	var oe *net.OpError
	var dnsErr *net.DNSError
	switch {
	case status == http.StatusNotFound || code == "NoSuchBucket" || code == "NotFound":
		return fmt.Errorf("bucket %q does not exist at %s (create it first)", s.bucket, where)
	case status == http.StatusForbidden || status == http.StatusUnauthorized:
		return fmt.Errorf("%s refused the credentials for bucket %q (%d %s): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile), and that they may write to the bucket",
			where, s.bucket, status, http.StatusText(status))
	case status == http.StatusMovedPermanently:
		return fmt.Errorf("bucket %q is in another region than %s: give --region (or AWS_REGION) the bucket's region", s.bucket, s.client.Options().Region)
	case status != 0:
		return fmt.Errorf("%s answered HeadBucket %q with %d %s", where, s.bucket, status, code)
	case errors.As(err, &dnsErr):
		return fmt.Errorf("cannot reach %s: no such host %s", where, dnsErr.Name)
	case errors.As(err, &oe):
		return fmt.Errorf("cannot reach %s: %v", where, oe.Err)
	case ctx.Err() != nil:
		return fmt.Errorf("cannot reach %s: no answer within %v", where, preflightTimeout)
	}
	return fmt.Errorf("cannot reach %s: %v", where, err)
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
	start := time.Now()
	err := s.put(ctx, key, body, meta)
	if err != nil {
		s.errors.Add(1)
		return err
	}
	s.latMu.Lock()
	s.latencies = append(s.latencies, time.Since(start))
	s.latMu.Unlock()
	s.puts.Add(1)
	s.bytes.Add(int64(len(body)))
	return nil
}

func (s *s3Sink) put(ctx context.Context, key string, body []byte, meta map[string]string) error {
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
		s.retries.Add(1)
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

// latencyQuantiles returns the q-quantiles (0 ≤ q ≤ 1, nearest rank) of
// the latencies of successful Puts, zero when there were none.
func (s *s3Sink) latencyQuantiles(qs ...float64) []time.Duration {
	s.latMu.Lock()
	lat := slices.Clone(s.latencies)
	s.latMu.Unlock()
	slices.Sort(lat)
	out := make([]time.Duration, len(qs))
	if len(lat) == 0 {
		return out
	}
	for i, q := range qs {
		r := int(q*float64(len(lat))+0.999999) - 1
		out[i] = lat[min(max(r, 0), len(lat)-1)]
	}
	return out
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
