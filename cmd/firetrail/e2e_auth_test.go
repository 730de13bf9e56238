package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator"
)

// goCalls are one call of each service, for the Go SDK with cfg.
func goCalls(cfg aws.Config, bucket string) map[string]func(context.Context) error {
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	return map[string]func(context.Context) error{
		"s3": func(ctx context.Context) error {
			// Over HTTPS the SDK sends this aws-chunked, with a trailer.
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("auth/go.bin"), Body: bytes.NewReader(bytes.Repeat([]byte{7}, 100<<10))})
			return err
		},
		"cloudtrail": func(ctx context.Context) error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		},
		"firehose": func(ctx context.Context) error {
			_, err := firehose.NewFromConfig(cfg).ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
			return err
		},
		"sqs": func(ctx context.Context) error {
			_, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
			return err
		},
		"sns": func(ctx context.Context) error {
			_, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		},
	}
}

func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// TestE2EAuthClients runs serve --auth sigv4 --tls (the default key pair)
// and signs with aws-sdk-go-v2, awscli and boto3: right keys work on every
// service, a wrong secret and no signature are refused in each service's
// shape, and the control endpoint's flush needs a signature.
func TestE2EAuthClients(t *testing.T) {
	srv := startServe(t, "--auth", "sigv4", "--tls", "--queue", "authq")
	ctx := t.Context()

	cfg := goConfig(t, &srv.serveInfo)
	cfg.RetryMaxAttempts = 1
	for name, call := range goCalls(cfg, srv.Bucket) {
		if err := call(ctx); err != nil {
			t.Errorf("go %s: %v", name, err)
		}
	}
	wrong := cfg.Copy()
	wrong.Credentials = credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, "wrong", "")
	anon := cfg.Copy()
	anon.Credentials = aws.AnonymousCredentials{}
	want := map[string][2]string{
		"s3":         {"SignatureDoesNotMatch", "AccessDenied"},
		"cloudtrail": {"InvalidSignatureException", "MissingAuthenticationTokenException"},
		"firehose":   {"InvalidSignatureException", "MissingAuthenticationTokenException"},
		"sqs":        {"SignatureDoesNotMatch", "MissingAuthenticationToken"},
		"sns":        {"SignatureDoesNotMatch", "MissingAuthenticationToken"},
	}
	for i, c := range []aws.Config{wrong, anon} {
		for name, call := range goCalls(c, srv.Bucket) {
			if got := errCode(call(ctx)); got != want[name][i] {
				t.Errorf("go %s (case %d): %s, want %s", name, i, got, want[name][i])
			}
		}
	}
	if code, body := caGet(t, srv.CAFile(), http.MethodPost, srv.URL+emulator.FlushPath); code != 403 || !strings.Contains(body, "MissingAuthenticationTokenException") {
		t.Errorf("unsigned flush: %d %s, want 403 MissingAuthenticationTokenException", code, body)
	}
	if code, body := caGet(t, srv.CAFile(), http.MethodGet, srv.URL+emulator.HealthPath); code != 200 {
		t.Errorf("unsigned health: %d %s, want 200", code, body)
	}

	t.Run("awscli", func(t *testing.T) {
		cli, _ := findAWSCLI(t)
		// awscli before 2.13 ignores AWS_ENDPOINT_URL.
		aws := func(env []string, args ...string) ([]byte, []byte, error) {
			return execClient(ctx, env, t.TempDir(), cli, append([]string{"--endpoint-url", srv.URL}, args...)...)
		}
		env := clientEnv(t, &srv.serveInfo, pathStyleConfig)
		dir := t.TempDir()
		src := filepath.Join(dir, "up.bin")
		if err := os.WriteFile(src, bytes.Repeat([]byte("a"), 300<<10), 0o600); err != nil {
			t.Fatal(err)
		}
		ok := [][]string{
			{"s3", "cp", src, "s3://" + srv.Bucket + "/auth/cli.bin"},
			{"s3api", "head-object", "--bucket", srv.Bucket, "--key", "auth/cli.bin"},
			{"cloudtrail", "describe-trails"},
			{"firehose", "list-delivery-streams"},
			{"sqs", "list-queues"},
			{"sns", "list-topics"},
		}
		for _, args := range ok {
			if _, stderr, err := aws(env, args...); err != nil {
				t.Errorf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
			}
		}
		out, stderr, err := aws(env, "s3", "presign", "s3://"+srv.Bucket+"/auth/cli.bin", "--expires-in", "60")
		if err != nil {
			t.Fatalf("aws s3 presign: %v\n%s", err, stderr)
		}
		if got := fetchURL(t, srv.CAFile(), strings.TrimSpace(string(out))); got != 300<<10 {
			t.Errorf("presigned GET from awscli: %d bytes", got)
		}
		badEnv := append(append([]string(nil), env...), "AWS_SECRET_ACCESS_KEY=wrong")
		for args, code := range map[string]string{
			"s3api list-objects-v2 --bucket " + srv.Bucket: "SignatureDoesNotMatch",
			"cloudtrail describe-trails":                   "InvalidSignatureException",
			"sqs list-queues":                              "SignatureDoesNotMatch",
			"sns list-topics":                              "SignatureDoesNotMatch",
			"firehose list-delivery-streams":               "InvalidSignatureException",
		} {
			_, stderr, err := aws(badEnv, strings.Fields(args)...)
			if err == nil || !strings.Contains(string(stderr), "("+code+")") {
				t.Errorf("aws %s with a wrong secret: %v %s, want (%s)", args, err, stderr, code)
			}
		}
		_, stderr, err = aws(env, "--no-sign-request", "sns", "list-topics")
		if err == nil || !strings.Contains(string(stderr), "(MissingAuthenticationToken)") {
			t.Errorf("aws --no-sign-request sns list-topics: %v %s", err, stderr)
		}
	})

	t.Run("boto3", func(t *testing.T) {
		python, _ := findPython(t)
		env := clientEnv(t, &srv.serveInfo, pathStyleConfig)
		stdout, stderr, err := execClient(ctx, env, t.TempDir(), python, "-c", boto3AuthScript, srv.Bucket)
		if err != nil {
			t.Fatalf("boto3: %v\n%s", err, stderr)
		}
		var got map[string]string
		if err := json.Unmarshal(stdout, &got); err != nil {
			t.Fatalf("boto3 output %q: %v", stdout, err)
		}
		want := map[string]string{
			"ok": "s3,s3-get,presigned,cloudtrail,firehose,sqs,sns",
			"s3": "SignatureDoesNotMatch", "cloudtrail": "InvalidSignatureException", "firehose": "InvalidSignatureException",
			"sqs": "SignatureDoesNotMatch", "sns": "SignatureDoesNotMatch",
			"unknown-s3": "InvalidAccessKeyId", "unknown-sqs": "InvalidClientTokenId", "unknown-cloudtrail": "UnrecognizedClientException",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("boto3 %s: %q, want %q (all: %v)", k, got[k], v, got)
			}
		}
	})
}

const boto3AuthScript = `
import json, os, ssl, sys, urllib.request
import boto3, botocore.config, botocore.exceptions
bucket = sys.argv[1]
def clients(secret=None, key=None):
    kw = {}
    if secret:
        kw = dict(aws_access_key_id=key or os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key=secret)
    # generate_presigned_url signs SigV2 by default, which --auth sigv4 refuses.
    cfg = botocore.config.Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}, signature_version="s3v4")
    return {n: boto3.client(n, config=cfg, endpoint_url=os.environ["AWS_ENDPOINT_URL"], verify=os.environ["AWS_CA_BUNDLE"], **kw) for n in ("s3", "cloudtrail", "firehose", "sqs", "sns")}
c = clients()
ok = []
body = b"b" * (200 << 10)
c["s3"].put_object(Bucket=bucket, Key="auth/boto3.bin", Body=body); ok.append("s3")
assert c["s3"].get_object(Bucket=bucket, Key="auth/boto3.bin")["Body"].read() == body; ok.append("s3-get")
url = c["s3"].generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "auth/boto3.bin"}, ExpiresIn=60)
ctx = ssl.create_default_context(cafile=os.environ["AWS_CA_BUNDLE"])
try:
    assert urllib.request.urlopen(url, context=ctx).read() == body; ok.append("presigned")
except urllib.error.HTTPError as e:
    sys.stderr.write(url + " " + e.read().decode()); raise
c["cloudtrail"].describe_trails(); ok.append("cloudtrail")
c["firehose"].list_delivery_streams(); ok.append("firehose")
c["sqs"].list_queues(); ok.append("sqs")
c["sns"].list_topics(); ok.append("sns")
out = {"ok": ",".join(ok)}
def code(f):
    try:
        f()
        return "no error"
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
for prefix, cl in (("", clients(secret="wrong")), ("unknown-", clients(secret="x", key="AKIANOTKNOWN0000000"))):
    out[prefix + "s3"] = code(lambda: cl["s3"].list_objects_v2(Bucket=bucket))
    out[prefix + "cloudtrail"] = code(lambda: cl["cloudtrail"].describe_trails())
    out[prefix + "firehose"] = code(lambda: cl["firehose"].list_delivery_streams())
    out[prefix + "sqs"] = code(lambda: cl["sqs"].list_queues())
    out[prefix + "sns"] = code(lambda: cl["sns"].list_topics())
print(json.dumps(out))
`

// caClient is an HTTP client that trusts caFile.
func caClient(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// caGet sends an unsigned, bodiless request and returns status and body.
func caGet(t *testing.T, caFile, method, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := caClient(t, caFile).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// fetchURL GETs url trusting caFile and returns the body's length, or -1.
func fetchURL(t *testing.T, caFile, url string) int {
	t.Helper()
	resp, err := caClient(t, caFile).Get(url)
	if err != nil {
		t.Errorf("GET %s: %v", url, err)
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("GET %s: %d %s", url, resp.StatusCode, b)
		return -1
	}
	return len(b)
}

// TestE2EAuthCredentialsFile serves --auth sigv4 --credentials FILE: every
// profile's key works, the default pair no longer does, and the banner
// points clients at the file instead of printing a key.
func TestE2EAuthCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "credentials")
	const text = "[default]\naws_access_key_id = AKIAFILEDEFAULT00001\naws_secret_access_key = file/secret/1\n\n[ci]\naws_access_key_id=ASIAFILECI0000000002\naws_secret_access_key=file-secret-2\naws_session_token=tok/2==\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--auth", "sigv4", "--credentials", file}, strings.NewReader(""), pw, stderr)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d\n%s", code, stderr)
		}
	})
	sc := bufio.NewScanner(pr)
	info := &serveInfo{Env: map[string]string{}}
	for sc.Scan() {
		line := sc.Text()
		if info.URL == "" {
			info.URL = line
		}
		if name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export ") {
			info.Env[name] = value
		}
		if strings.HasPrefix(line, "bucket: ") {
			info.Bucket = strings.TrimPrefix(line, "bucket: ")
		}
		if strings.Contains(line, "cloudtrail lookup-events") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if info.Env["AWS_SHARED_CREDENTIALS_FILE"] != file || info.Env["AWS_SECRET_ACCESS_KEY"] != "" {
		t.Errorf("banner env %v: want AWS_SHARED_CREDENTIALS_FILE=%s and no secret", info.Env, file)
	}
	if strings.Contains(stderr.String(), "warning:") {
		t.Errorf("warning on loopback with --auth:\n%s", stderr)
	}
	cfg := goConfig(t, info)
	cfg.RetryMaxAttempts = 1
	for _, c := range []aws.Credentials{
		{AccessKeyID: "AKIAFILEDEFAULT00001", SecretAccessKey: "file/secret/1"},
		{AccessKeyID: "ASIAFILECI0000000002", SecretAccessKey: "file-secret-2", SessionToken: "tok/2=="},
	} {
		cc := cfg.Copy()
		cc.Credentials = credentials.StaticCredentialsProvider{Value: c}
		for name, call := range goCalls(cc, info.Bucket) {
			if err := call(t.Context()); err != nil {
				t.Errorf("%s with %s: %v", name, c.AccessKeyID, err)
			}
		}
	}
	cc := cfg.Copy()
	cc.Credentials = credentials.NewStaticCredentialsProvider(emulator.DefaultAccessKeyID, emulator.DefaultSecretAccessKey, "")
	if got := errCode(goCalls(cc, info.Bucket)["s3"](t.Context())); got != "InvalidAccessKeyId" {
		t.Errorf("default pair with --credentials: %s, want InvalidAccessKeyId", got)
	}
}

// TestServeAuthFlags checks the flag rules and the warning of an open,
// non-loopback listener.
func TestServeAuthFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--auth", "bogus"},
		{"--credentials", "x"},
		{"--auth", "sigv4", "--credentials", filepath.Join(t.TempDir(), "missing")},
	} {
		var out, errb bytes.Buffer
		if code := run(t.Context(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), strings.NewReader(""), &out, &errb); code == 0 {
			t.Errorf("serve %v: exit 0, want an error", args)
		}
	}
	for _, tc := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--addr", "0.0.0.0:0"}, true},
		{[]string{"--addr", "0.0.0.0:0", "--auth", "sigv4"}, false},
		{[]string{"--addr", "127.0.0.1:0"}, false},
	} {
		var out bytes.Buffer
		errb := &syncBuffer{}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		code := run(ctx, append([]string{"serve", "--run-for", "300ms"}, tc.args...), strings.NewReader(""), &out, errb)
		cancel()
		if code != 0 {
			t.Errorf("serve %v: exit %d\n%s", tc.args, code, errb)
		}
		if got := strings.Contains(errb.String(), "warning: serving on"); got != tc.warn {
			t.Errorf("serve %v: warning %v, want %v\n%s", tc.args, got, tc.warn, errb)
		}
	}
}
