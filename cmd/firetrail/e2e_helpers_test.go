package main

// Helpers of the end-to-end tests (e2e_*_test.go): firetrail serve run
// in-process, the real awscli and boto3 found on the machine, an
// aws-sdk-go-v2 client with default settings, and CloudTrail log files
// read back from the bucket.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"
)

// e2eTimeout bounds each client process and each wait of the e2e tests.
const e2eTimeout = 2 * time.Minute

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveInfo is what firetrail serve printed before serving.
type serveInfo struct {
	URL    string
	Bucket string
	// Env holds the "export NAME=VALUE" lines.
	Env map[string]string
	// Lines is all of stdout before serving began.
	Lines []string
}

// CAFile is the CA bundle of a --tls server ("" without --tls).
func (s *serveInfo) CAFile() string { return s.Env["AWS_CA_BUNDLE"] }

// readServeBanner reads serve's stdout up to its last banner line (the
// lookup-events example) and checks its shape.
func readServeBanner(r io.Reader) (*serveInfo, error) {
	info := &serveInfo{Env: map[string]string{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		info.Lines = append(info.Lines, line)
		switch {
		case len(info.Lines) == 1:
			info.URL = line
		case strings.HasPrefix(line, "bucket: "):
			info.Bucket = strings.TrimPrefix(line, "bucket: ")
		case strings.HasPrefix(line, "export "):
			name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if !ok {
				return info, fmt.Errorf("bad env line %q", line)
			}
			info.Env[name] = value
		}
		if strings.Contains(line, "cloudtrail lookup-events") {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return info, fmt.Errorf("read serve output: %w", err)
	}
	if !regexp.MustCompile(`^https?://127\.0\.0\.1:\d+$`).MatchString(info.URL) {
		return info, fmt.Errorf("first line %q is not the endpoint URL (output %q)", info.URL, info.Lines)
	}
	if info.Bucket == "" || info.Env["AWS_ACCESS_KEY_ID"] == "" || info.Env["AWS_SECRET_ACCESS_KEY"] == "" ||
		info.Env["AWS_REGION"] == "" || info.Env["AWS_DEFAULT_REGION"] != info.Env["AWS_REGION"] || info.Env["AWS_ENDPOINT_URL"] != info.URL {
		return info, fmt.Errorf("serve output lacks bucket or env lines: %q", info.Lines)
	}
	return info, nil
}

// serveProc is firetrail serve running in-process (run in a goroutine).
type serveProc struct {
	serveInfo
	cancel  context.CancelFunc
	done    chan int
	stderr  *syncBuffer
	stopped bool
	code    int
}

// startServe runs "firetrail serve --addr 127.0.0.1:0 args..." in-process
// and waits for its banner. It is stopped by t.Cleanup unless stopped before;
// a stop must end with exit status 0.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	p := &serveProc{cancel: cancel, done: make(chan int, 1), stderr: &syncBuffer{}}
	argv := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	go func() {
		code := run(ctx, argv, strings.NewReader(""), pw, p.stderr)
		pw.Close()
		p.done <- code
	}()
	type banner struct {
		info *serveInfo
		err  error
	}
	got := make(chan banner, 1)
	go func() {
		info, err := readServeBanner(pr)
		got <- banner{info, err}
		_, _ = io.Copy(io.Discard, pr) // keep draining
	}()
	select {
	case b := <-got:
		if b.err != nil {
			cancel()
			t.Fatalf("firetrail %s: %v\nstderr:\n%s", strings.Join(argv, " "), b.err, p.stderr)
		}
		p.serveInfo = *b.info
	case code := <-p.done:
		cancel()
		t.Fatalf("firetrail %s exited with %d before serving\nstderr:\n%s", strings.Join(argv, " "), code, p.stderr)
	case <-time.After(e2eTimeout):
		cancel()
		t.Fatalf("firetrail %s: no banner after %v\nstderr:\n%s", strings.Join(argv, " "), e2eTimeout, p.stderr)
	}
	t.Logf("firetrail %s: serving at %s", strings.Join(argv, " "), p.URL)
	t.Cleanup(func() { p.stop(t) })
	return p
}

// stop cancels serve's context (as SIGTERM does) and checks that it
// delivered what was pending and exited 0.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	if p.stopped {
		return
	}
	p.stopped = true
	p.cancel()
	select {
	case p.code = <-p.done:
	case <-time.After(e2eTimeout):
		t.Fatalf("serve at %s did not stop within %v\nstderr:\n%s", p.URL, e2eTimeout, p.stderr)
	}
	if p.code != 0 {
		t.Errorf("serve at %s exited with %d, want 0\nstderr:\n%s", p.URL, p.code, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped; pending records delivered") {
		t.Errorf("serve at %s: stderr lacks the stop message:\n%s", p.URL, p.stderr)
	}
}

// findAWSCLI returns an awscli v2 executable (Debian's /usr/bin/aws first:
// an older v1 may be first on PATH) and its version line, or skips.
func findAWSCLI(t *testing.T) (path, version string) {
	t.Helper()
	cands := []string{"/usr/bin/aws"}
	if p, err := exec.LookPath("aws"); err == nil {
		cands = append(cands, p)
	}
	var seen []string
	for _, c := range cands {
		out, err := exec.Command(c, "--version").CombinedOutput()
		v := strings.TrimSpace(string(out))
		if err == nil && strings.HasPrefix(v, "aws-cli/2.") {
			return c, v
		}
		seen = append(seen, fmt.Sprintf("%s: %q %v", c, v, err))
	}
	t.Skipf("no awscli v2 found (install the Debian package: apt-get install -y awscli); tried %s", strings.Join(seen, "; "))
	return "", ""
}

// findPython returns a python3 that imports boto3 (Debian's /usr/bin/python3
// first: another one on PATH may lack it) and boto3's version, or skips.
func findPython(t *testing.T) (path, version string) {
	t.Helper()
	cands := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, p)
	}
	var seen []string
	for _, c := range cands {
		out, err := exec.Command(c, "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)").CombinedOutput()
		if err == nil {
			return c, strings.TrimSpace(string(out))
		}
		seen = append(seen, fmt.Sprintf("%s: %v", c, err))
	}
	t.Skipf("no python3 with boto3 found (install the Debian package: apt-get install -y python3-boto3); tried %s", strings.Join(seen, "; "))
	return "", ""
}

// clientEnv is the whole environment of a client process for srv: its
// credentials, region and endpoint, a private HOME and config file with
// path-style S3, no CA bundle (unless caFile), no pager, and a proxy that
// does not exist for everything but loopback, so that no request can leave
// the machine unnoticed.
func clientEnv(t *testing.T, srv *serveInfo, configText string) []string {
	t.Helper()
	home := t.TempDir()
	cfg := filepath.Join(home, ".aws", "config")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte(configText), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8",
		"TZ=UTC",
		"AWS_CONFIG_FILE=" + cfg,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, ".aws", "credentials"),
		"AWS_ACCESS_KEY_ID=" + srv.Env["AWS_ACCESS_KEY_ID"],
		"AWS_SECRET_ACCESS_KEY=" + srv.Env["AWS_SECRET_ACCESS_KEY"],
		"AWS_REGION=" + srv.Env["AWS_REGION"],
		"AWS_DEFAULT_REGION=" + srv.Env["AWS_REGION"],
		"AWS_ENDPOINT_URL=" + srv.URL,
		"AWS_CA_BUNDLE=" + srv.CAFile(),
		"AWS_PAGER=",
		"AWS_EC2_METADATA_DISABLED=true",
		"HTTP_PROXY=http://127.0.0.1:9",
		"HTTPS_PROXY=http://127.0.0.1:9",
		"NO_PROXY=127.0.0.1,localhost",
	}
	return env
}

// pathStyleConfig is the awscli/boto3 config file the emulator needs.
const pathStyleConfig = "[default]\ns3 =\n    addressing_style = path\n"

// execClient runs a client process with env and returns its stdout, stderr
// and error (an *exec.ExitError for a non-zero status).
func execClient(ctx context.Context, env []string, dir, name string, args ...string) (stdout, stderr []byte, err error) {
	ctx, cancel := context.WithTimeout(ctx, e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.Bytes(), e.Bytes(), err
}

// goConfig loads an aws.Config the default way, for srv: static
// credentials, its region, and its CA when it serves TLS. Shared config
// files are ignored so that the machine's ~/.aws cannot change the result.
func goConfig(t *testing.T, srv *serveInfo) aws.Config {
	t.Helper()
	opts := []func(*config.LoadOptions) error{
		config.WithRegion(srv.Env["AWS_REGION"]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			srv.Env["AWS_ACCESS_KEY_ID"], srv.Env["AWS_SECRET_ACCESS_KEY"], "")),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithBaseEndpoint(srv.URL),
		// The SDK's default logger writes to stderr; its notes (e.g. that
		// a multipart object's checksum was not validated) go to the test log.
		config.WithLogger(logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
			t.Logf("aws-sdk-go-v2 %s: %s", c, fmt.Sprintf(format, v...))
		})),
	}
	if ca := srv.CAFile(); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			t.Fatalf("read CA of %s: %v", srv.URL, err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	cfg, err := config.LoadDefaultConfig(t.Context(), opts...)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return cfg
}

// goS3 is an aws-sdk-go-v2 S3 client for srv with default settings and
// path-style addressing.
func goS3(t *testing.T, srv *serveInfo) *s3.Client {
	t.Helper()
	return s3.NewFromConfig(goConfig(t, srv), func(o *s3.Options) { o.UsePathStyle = true })
}

// goCloudTrail is an aws-sdk-go-v2 CloudTrail client for srv.
func goCloudTrail(t *testing.T, srv *serveInfo) *cloudtrail.Client {
	t.Helper()
	return cloudtrail.NewFromConfig(goConfig(t, srv))
}

// eachObject calls fn for every object under prefix, listed with
// ListObjectsV2 following continuation tokens.
func eachObject(t *testing.T, c *s3.Client, bucket, prefix string, fn func(s3types.Object)) {
	t.Helper()
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("ListObjectsV2 s3://%s/%s: %v", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			fn(o)
		}
	}
}

// listObjects lists every object under prefix with its size.
func listObjects(t *testing.T, c *s3.Client, bucket, prefix string) map[string]int64 {
	t.Helper()
	objs := map[string]int64{}
	eachObject(t, c, bucket, prefix, func(o s3types.Object) { objs[aws.ToString(o.Key)] = aws.ToInt64(o.Size) })
	return objs
}

// getObject returns the bytes of s3://bucket/key.
func getObject(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("GetObject s3://%s/%s: read body: %v", bucket, key, err)
	}
	return b
}

// logKeyRE matches a CloudTrail log file key (CloudTrail User Guide,
// finding your log files), after an
// optional prefix: groups are account, region, date path, file-name account,
// file-name region, file-name date.
var logKeyRE = regexp.MustCompile(`(?:^|/)AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8})T\d{4}Z_[A-Za-z0-9]{16}\.json\.gz$`)

// digestKeyRE matches a CloudTrail digest file key (CloudTrail User Guide,
// digest files).
var digestKeyRE = regexp.MustCompile(`(?:^|/)AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/(\d{4}/\d{2}/\d{2})/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_[A-Za-z0-9_.-]+_[a-z0-9-]+_(\d{8})T\d{6}Z(?:_backfill)?\.json\.gz$`)

// checkLogKey reports whether key is a well-formed log file key whose
// directory and file name agree.
func checkLogKey(key string) error {
	m := logKeyRE.FindStringSubmatch(key)
	if m == nil {
		return fmt.Errorf("%q is not a CloudTrail log file key", key)
	}
	if m[1] != m[4] || m[2] != m[5] || strings.ReplaceAll(m[3], "/", "") != m[6] {
		return fmt.Errorf("%q: directory (%s, %s, %s) and file name (%s, %s, %s) disagree", key, m[1], m[2], m[3], m[4], m[5], m[6])
	}
	return nil
}

// logRecord is the part of a CloudTrail record the e2e tests look at.
type logRecord struct {
	EventID            string `json:"eventID"`
	EventTime          string `json:"eventTime"`
	EventName          string `json:"eventName"`
	EventSource        string `json:"eventSource"`
	AWSRegion          string `json:"awsRegion"`
	RecipientAccountID string `json:"recipientAccountId"`
	EventCategory      string `json:"eventCategory"`
	ManagementEvent    *bool  `json:"managementEvent"`
	RequestParameters  struct {
		DeliveryStreamName string `json:"deliveryStreamName"`
	} `json:"requestParameters"`
	UserIdentity struct {
		AccessKeyID    string `json:"accessKeyId"`
		SessionContext *struct {
			Attributes struct {
				CreationDate string `json:"creationDate"`
			} `json:"attributes"`
		} `json:"sessionContext"`
	} `json:"userIdentity"`
}

// isManagement reports whether LookupEvents should show r: a management
// event (eventCategory Management, or managementEvent true).
func (r *logRecord) isManagement() bool {
	if r.EventCategory != "" {
		return r.EventCategory == "Management"
	}
	return r.ManagementEvent == nil || *r.ManagementEvent
}

// parseLogFile gunzips and decodes a log file.
func parseLogFile(gz []byte) ([]logRecord, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	var f struct {
		Records []logRecord `json:"Records"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decode log file: %w", err)
	}
	if f.Records == nil {
		return nil, errors.New(`log file has no "Records" array`)
	}
	return f.Records, nil
}

// readLogFiles downloads and parses every log file under prefix, checking
// key layout and that each file's records belong to its account and region.
func readLogFiles(t *testing.T, c *s3.Client, bucket, prefix string) map[string][]logRecord {
	t.Helper()
	files := map[string][]logRecord{}
	for key := range listObjects(t, c, bucket, prefix) {
		if strings.Contains(key, "/CloudTrail-Digest/") || !strings.Contains(key, "/CloudTrail/") {
			continue
		}
		if err := checkLogKey(key); err != nil {
			t.Error(err)
			continue
		}
		recs, err := parseLogFile(getObject(t, c, bucket, key))
		if err != nil {
			t.Errorf("s3://%s/%s: %v", bucket, key, err)
			continue
		}
		m := logKeyRE.FindStringSubmatch(key)
		for i, r := range recs {
			if r.RecipientAccountID != m[1] || r.AWSRegion != m[2] {
				t.Errorf("s3://%s/%s record %d: account %s region %s, want %s %s", bucket, key, i, r.RecipientAccountID, r.AWSRegion, m[1], m[2])
			}
		}
		files[key] = recs
	}
	return files
}

// sha256Hex is the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// lookupAll returns every event LookupEvents shows for in (which it
// paginates), newest first.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []string {
	t.Helper()
	var ids []string
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		for _, e := range page.Events {
			ids = append(ids, aws.ToString(e.EventId))
		}
	}
	return ids
}
