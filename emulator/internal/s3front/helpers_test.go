package s3front

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"github.com/aws/aws-sdk-go-v2/config"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const testBucket = "test-bucket"

// newTestFront returns a Front over a fresh memory backend with testBucket.
func newTestFront(tb testing.TB) *Front {
	tb.Helper()
	f, err := New(Options{Backend: s3mem.New(), Logger: slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.CreateBucket(testBucket); err != nil {
		tb.Fatal(err)
	}
	return f
}

// newServer serves f over plain HTTP or TLS.
func newServer(tb testing.TB, f http.Handler, tls bool) *httptest.Server {
	tb.Helper()
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(f)
	} else {
		srv = httptest.NewServer(f)
	}
	tb.Cleanup(srv.Close)
	return srv
}

// newClient is an S3 client with the SDK's default settings (as
// config.LoadDefaultConfig resolves them) except what a test endpoint needs:
// endpoint, path style, static credentials, the server's HTTP client (which
// trusts its certificate).
func newClient(tb testing.TB, srv *httptest.Server, extra ...func(*s3.Options)) *s3.Client {
	tb.Helper()
	dir := tb.TempDir()
	tb.Setenv("AWS_CA_BUNDLE", "") // exported on this machine; would replace the test server's trust
	tb.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")),
		config.WithHTTPClient(srv.Client()),
	)
	if err != nil {
		tb.Fatalf("load AWS config: %v", err)
	}
	opts := append([]func(*s3.Options){func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	}}, extra...)
	return s3.NewFromConfig(cfg, opts...)
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(n int, seed uint64) []byte {
	var key [32]byte
	for i := range 8 {
		key[i] = byte(seed >> (8 * i))
	}
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

func mustEqualBytes(tb testing.TB, what string, got, want []byte) {
	tb.Helper()
	if !bytes.Equal(got, want) {
		tb.Fatalf("%s: got %d bytes (sha256 %x), want %d bytes (sha256 %x)", what, len(got), sha(got), len(want), sha(want))
	}
}

func slicesSort(s []string) { slices.Sort(s) }

// rawResponse is a response read off the wire, with header names as sent.
type rawResponse struct {
	*http.Response
	names map[string]bool
	body  []byte
}

// rawExchange writes req verbatim to srv (over TLS if srv uses it) and
// reads one response; closeWrite half-closes the connection after writing.
func rawExchange(tb testing.TB, srv *httptest.Server, req string, closeWrite bool) *rawResponse {
	tb.Helper()
	addr := srv.Listener.Addr().String()
	var conn net.Conn
	var err error
	if srv.TLS != nil {
		cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		conn, err = tls.Dial("tcp", addr, cfg)
	} else {
		conn, err = net.Dial("tcp", addr)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		tb.Fatal(err)
	}
	if _, err := io.WriteString(conn, req); err != nil {
		tb.Fatalf("write request: %v", err)
	}
	if closeWrite {
		switch c := conn.(type) {
		case *net.TCPConn:
			c.CloseWrite()
		case *tls.Conn:
			c.CloseWrite()
		}
	}
	var raw bytes.Buffer
	br := bufio.NewReader(io.TeeReader(conn, &raw))
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read response body: %v", err)
	}
	head, _, _ := bytes.Cut(raw.Bytes(), []byte("\r\n\r\n"))
	names := map[string]bool{}
	for i, line := range strings.Split(string(head), "\r\n") {
		if name, _, ok := strings.Cut(line, ":"); ok && i > 0 {
			names[name] = true
		}
	}
	return &rawResponse{Response: resp, names: names, body: body}
}

// rawHeaderNames returns the response header names of method path as sent.
func rawHeaderNames(tb testing.TB, srv *httptest.Server, method, path string) map[string]bool {
	tb.Helper()
	return rawExchange(tb, srv, method+" "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false).names
}

// readBody reads and closes a response body; a read error fails the test.
func readBody(tb testing.TB, body io.ReadCloser) []byte {
	tb.Helper()
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return b
}
