package emulator

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// DefaultStartTime is the time of the virtual clock Start uses when no
// WithClock option is given.
var DefaultStartTime = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

// Server is a running Emulator for tests, in the style of
// net/http/httptest.Server: it listens on 127.0.0.1 and is closed by
// t.Cleanup.
type Server struct {
	*Emulator
	// URL is the endpoint, http://127.0.0.1:PORT (https with WithTLS).
	URL string
	// Bucket is the bucket log files are delivered to.
	Bucket string
	// Clock is the virtual clock, nil if a real clock was given.
	Clock *trail.FakeClock

	tb     testing.TB
	caPool *x509.CertPool
}

// Start starts an Emulator on 127.0.0.1:0 for the test tb and registers
// its Close with tb.Cleanup; any setup failure is tb.Fatal. Unless opts
// hold WithClock, the clock is virtual, starting at DefaultStartTime:
// nothing is delivered until Flush or Advance.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	var s settings
	for _, o := range opts {
		o(&s)
	}
	srv := &Server{tb: tb}
	if s.clock == nil {
		srv.Clock = trail.NewFakeClock(DefaultStartTime)
		opts = append([]Option{WithClock(srv.Clock)}, opts...)
	} else {
		srv.Clock, _ = s.clock.(*trail.FakeClock)
	}
	e, err := New(opts...)
	if err != nil {
		tb.Fatalf("emulator.Start: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = e.Close()
		tb.Fatalf("emulator.Start: listen: %v", err)
	}
	srv.Emulator = e
	srv.Bucket = e.Bucket()
	srv.URL = "http://" + ln.Addr().String()
	if s.tls != nil {
		srv.URL = "https://" + ln.Addr().String()
		srv.caPool = s.tls.RootCAs
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		// A test that closed the emulator itself may have done so before
		// the Serve goroutine ran: ErrClosed then is no failure.
		if err := <-done; err != nil && !errors.Is(err, ErrClosed) {
			tb.Errorf("emulator: serve: %v", err)
		}
		if err := e.Close(); err != nil {
			tb.Errorf("emulator: close: %v", err)
		}
	})
	return srv
}

// AWSConfig returns an aws.Config for the emulator: its region, static
// default credentials and BaseEndpoint set to URL. It is built directly,
// without config.LoadDefaultConfig, so the environment (AWS_PROFILE,
// AWS_CA_BUNDLE, AWS_ENDPOINT_URL…) cannot change it. Clients of every
// service work with it unchanged; S3 clients also need path-style
// addressing (S3Client).
func (s *Server) AWSConfig() aws.Config {
	cfg := aws.Config{
		Region:       s.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, ""),
		BaseEndpoint: aws.String(s.URL),
	}
	if s.caPool != nil {
		cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.caPool}}}
	}
	return cfg
}

// S3Client returns an S3 client for the emulator, with path-style
// addressing (which aws.Config cannot carry).
func (s *Server) S3Client() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// Flush delivers everything pending now; a failure is tb.Fatal.
func (s *Server) Flush() {
	s.tb.Helper()
	if err := s.Emulator.Flush(); err != nil {
		s.tb.Fatalf("emulator: %v", err)
	}
}

// Advance moves the virtual clock forward by d, delivering what falls due;
// a failure is tb.Fatal.
func (s *Server) Advance(d time.Duration) {
	s.tb.Helper()
	if err := s.Emulator.Advance(d); err != nil {
		s.tb.Fatalf("emulator: %v", err)
	}
}

// Record adds rec to the trail; a failure is tb.Fatal.
func (s *Server) Record(rec schemas.Record) {
	s.tb.Helper()
	if err := s.Emulator.Record(rec); err != nil {
		s.tb.Fatalf("emulator: %v", err)
	}
}
