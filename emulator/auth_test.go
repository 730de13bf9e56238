package emulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
	"github.com/firetrail/firetrail/emulator/trail"
)

var (
	authKey   = Credentials{AccessKeyID: "AKIAAUTHTEST0000001", SecretAccessKey: "auth/test/secret/one"}
	authToken = Credentials{AccessKeyID: "ASIAAUTHTEST0000002", SecretAccessKey: "auth-test-secret-two", SessionToken: "session+token/=="}
)

// startAuth starts an emulator with WithAuth over HTTPS (so that the SDK
// sends aws-chunked uploads), on a clock that is the wall clock's now.
func startAuth(t *testing.T) (*Server, *trail.FakeClock) {
	t.Helper()
	tlsCfg, _, err := SelfSignedTLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	clock := trail.NewFakeClock(time.Now())
	return Start(t, WithClock(clock), WithTLS(tlsCfg), WithAuth(authKey, authToken), testLogger(t)), clock
}

func authConfig(srv *Server, c Credentials) aws.Config {
	cfg := srv.AWSConfig()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	cfg.RetryMaxAttempts = 1
	return cfg
}

func anonConfig(srv *Server) aws.Config {
	cfg := srv.AWSConfig()
	cfg.Credentials = aws.AnonymousCredentials{}
	cfg.RetryMaxAttempts = 1
	return cfg
}

// calls exercises one call of every service with cfg.
func authCalls(srv *Server, cfg aws.Config) map[string]func(ctx context.Context) error {
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	return map[string]func(ctx context.Context) error{
		"s3 put": func(ctx context.Context) error {
			_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("auth/a b+c.txt"), Body: bytes.NewReader(bytes.Repeat([]byte("x"), 200<<10))})
			return err
		},
		"s3 list": func(ctx context.Context) error {
			_, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String("auth/")})
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

func TestAuthSDK(t *testing.T) {
	srv, _ := startAuth(t)
	ctx := t.Context()
	for _, c := range []Credentials{authKey, authToken} {
		for name, call := range authCalls(srv, authConfig(srv, c)) {
			if err := call(ctx); err != nil {
				t.Errorf("%s signed by %s: %v", name, c.AccessKeyID, err)
			}
		}
	}
	s3c := s3.NewFromConfig(authConfig(srv, authKey), func(o *s3.Options) { o.UsePathStyle = true })
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("auth/a b+c.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if len(got) != 200<<10 {
		t.Errorf("GetObject: %d bytes, want %d", len(got), 200<<10)
	}

	wrong := authKey
	wrong.SecretAccessKey = "not-the-secret"
	unknown := Credentials{AccessKeyID: "AKIANOTKNOWN0000000", SecretAccessKey: "x"}
	badToken := authToken
	badToken.SessionToken = "other"
	want := map[string][4]string{ // wrong secret, unknown key, unsigned, bad token
		"s3 put":     {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken"},
		"s3 list":    {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied", "InvalidToken"},
		"cloudtrail": {"InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException", "UnrecognizedClientException"},
		"firehose":   {"InvalidSignatureException", "UnrecognizedClientException", "MissingAuthenticationTokenException", "UnrecognizedClientException"},
		"sqs":        {"SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken", "InvalidClientTokenId"},
		"sns":        {"SignatureDoesNotMatch", "InvalidClientTokenId", "MissingAuthenticationToken", "InvalidClientTokenId"},
	}
	for i, cfg := range []aws.Config{authConfig(srv, wrong), authConfig(srv, unknown), anonConfig(srv), authConfig(srv, badToken)} {
		for name, call := range authCalls(srv, cfg) {
			err := call(ctx)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != want[name][i] {
				t.Errorf("case %d, %s: %v, want %s", i, name, err, want[name][i])
			}
		}
	}
}

func TestAuthPresigned(t *testing.T) {
	srv, clock := startAuth(t)
	ctx := t.Context()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.caPool}}}
	ps := s3.NewPresignClient(s3.NewFromConfig(authConfig(srv, authKey), func(o *s3.Options) { o.UsePathStyle = true }))
	put, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("pre/sig ned.txt")}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("presigned body"))
	for k, vs := range put.SignedHeader {
		if k != "Host" {
			req.Header[k] = vs
		}
	}
	if code, body := do(t, hc, req); code != 200 {
		t.Fatalf("presigned PUT: %d %s", code, body)
	}
	get, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String("pre/sig ned.txt")}, s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodGet, get.URL, nil)
	if code, body := do(t, hc, req); code != 200 || body != "presigned body" {
		t.Fatalf("presigned GET: %d %s", code, body)
	}
	// A changed parameter breaks the signature.
	req, _ = http.NewRequest(http.MethodGet, strings.Replace(get.URL, "sig%20ned", "sig%20neD", 1), nil)
	checkS3Error(t, hc, req, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
	// Bad parameters.
	req, _ = http.NewRequest(http.MethodGet, strings.Replace(get.URL, "X-Amz-Expires=600", "X-Amz-Expires=604801", 1), nil)
	checkS3Error(t, hc, req, 400, "AuthorizationQueryParametersError", "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	// Eleven minutes later it has expired.
	clock.Set(clock.Now().Add(11 * time.Minute))
	req, _ = http.NewRequest(http.MethodGet, get.URL, nil)
	checkS3Error(t, hc, req, 403, "AccessDenied", "Request has expired")
}

func do(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func checkS3Error(t *testing.T, hc *http.Client, req *http.Request, status int, code, message string) {
	t.Helper()
	got, body := do(t, hc, req)
	var xe struct {
		Code, Message string
	}
	if err := xml.Unmarshal([]byte(body), &xe); err != nil || got != status || xe.Code != code || xe.Message != message {
		t.Errorf("%s %s: %d %s, want %d %s %q", req.Method, req.URL.Path, got, body, status, code, message)
	}
}

// signed returns a request signed by the SDK's signer at time at.
func signed(t *testing.T, c Credentials, method, url string, body []byte, hdr map[string]string, service string, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	hash := req.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
		if service == "s3" {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
	}
	err = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" }).SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, req, hash, service, "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestAuthShapes checks each service's error shape for skewed, tampered
// and unsigned requests, and the control endpoint.
func TestAuthShapes(t *testing.T) {
	srv, clock := startAuth(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.caPool}}}
	now := clock.Now()
	old := now.Add(-20 * time.Minute)
	jsonHdr := map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails"}
	queryHdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	snsBody := []byte("Action=ListTopics&Version=2010-03-31")

	jsonErr := func(req *http.Request, status int, code, msgPrefix string) {
		t.Helper()
		got, body := do(t, hc, req)
		var je struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal([]byte(body), &je); err != nil || got != status || je.Type != code || !strings.HasPrefix(je.Message, msgPrefix) {
			t.Errorf("%s: %d %s, want %d %s %q", req.Header.Get("X-Amz-Target")+req.URL.Path, got, body, status, code, msgPrefix)
		}
	}
	queryErr := func(req *http.Request, status int, code, msgPrefix string) {
		t.Helper()
		got, body := do(t, hc, req)
		var qe struct {
			Error struct{ Type, Code, Message string }
		}
		if err := xml.Unmarshal([]byte(body), &qe); err != nil || got != status || qe.Error.Code != code || !strings.HasPrefix(qe.Error.Message, msgPrefix) {
			t.Errorf("query: %d %s, want %d %s %q", got, body, status, code, msgPrefix)
		}
	}

	// Skewed.
	jsonErr(signed(t, authKey, "POST", srv.URL+"/", []byte("{}"), jsonHdr, "cloudtrail", old), 400, "InvalidSignatureException", "Signature expired: ")
	queryErr(signed(t, authKey, "POST", srv.URL+"/", snsBody, queryHdr, "sns", old), 403, "SignatureDoesNotMatch", "Signature expired: ")
	checkS3Error(t, hc, signed(t, authKey, "GET", srv.URL+"/"+srv.Bucket, nil, map[string]string{"X-Amz-Content-Sha256": sigv4.EmptySHA256}, "s3", old), 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	// Tampered bodies.
	req := signed(t, authKey, "POST", srv.URL+"/", []byte("{}"), jsonHdr, "cloudtrail", now)
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader(`{"x":1}`)), 7
	jsonErr(req, 400, "InvalidSignatureException", "The request signature we calculated does not match")
	req = signed(t, authKey, "POST", srv.URL+"/", snsBody, queryHdr, "sns", now)
	req.Body, req.ContentLength = io.NopCloser(strings.NewReader("Action=ListTopics&Version=2010-03-31&A=1")), int64(len(snsBody)+4)
	queryErr(req, 403, "SignatureDoesNotMatch", "The request signature we calculated does not match")
	req = signed(t, authKey, "PUT", srv.URL+"/"+srv.Bucket+"/k", []byte("good"), nil, "s3", now)
	req.Body = io.NopCloser(strings.NewReader("evil"))
	checkS3Error(t, hc, req, 400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	// Unsigned, and SigV4A.
	req, _ = http.NewRequest("GET", srv.URL+"/"+srv.Bucket, nil)
	checkS3Error(t, hc, req, 403, "AccessDenied", "Access Denied")
	req, _ = http.NewRequest("GET", srv.URL+"/"+srv.Bucket, nil)
	req.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential=AKIA/20250101/s3/aws4_request, SignedHeaders=host, Signature=30")
	checkS3Error(t, hc, req, 400, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	req, _ = http.NewRequest("POST", srv.URL+"/", bytes.NewReader([]byte("{}")))
	for k, v := range jsonHdr {
		req.Header.Set(k, v)
	}
	jsonErr(req, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")

	// Control: health is open, flush needs a signature.
	req, _ = http.NewRequest("GET", srv.URL+HealthPath, nil)
	if code, body := do(t, hc, req); code != 200 {
		t.Errorf("unsigned health: %d %s", code, body)
	}
	req, _ = http.NewRequest("POST", srv.URL+FlushPath, nil)
	jsonErr(req, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")
	if code, body := do(t, hc, signed(t, authKey, "POST", srv.URL+FlushPath, nil, nil, "firetrail", now)); code != 200 {
		t.Errorf("signed flush: %d %s", code, body)
	}
}

// TestAuthChunkSignatures uploads aws-chunked bodies signed chunk by
// chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER form), as
// the Java SDK v1 and others do, then tampers with one.
func TestAuthChunkSignatures(t *testing.T) {
	srv, clock := startAuth(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.caPool}}}
	now := clock.Now()
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80000 bytes: chunks of 64 KiB and the rest
	for _, tc := range []struct {
		name    string
		trailer bool
		tamper  string
		status  int
		code    string
	}{
		{"signed", false, "", 200, ""},
		{"signed trailer", true, "", 200, ""},
		{"tampered chunk", false, "data", 403, "SignatureDoesNotMatch"},
		{"tampered signature", false, "sig", 403, "SignatureDoesNotMatch"},
		{"tampered trailer", true, "trailer", 403, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mode := sigv4.StreamingPayload
			hdr := map[string]string{"X-Amz-Content-Sha256": mode, "Content-Encoding": "aws-chunked", "X-Amz-Decoded-Content-Length": fmt.Sprint(len(data))}
			if tc.trailer {
				mode = sigv4.StreamingPayloadTrailer
				hdr["X-Amz-Content-Sha256"] = mode
				hdr["X-Amz-Trailer"] = "x-amz-checksum-sha256"
			}
			key := "chunked/" + strings.ReplaceAll(tc.name, " ", "-")
			req := signed(t, authKey, "PUT", srv.URL+"/"+srv.Bucket+"/"+key, nil, hdr, "s3", now)
			seed := req.Header.Get("Authorization")
			seed = seed[strings.LastIndex(seed, "Signature=")+len("Signature="):]
			body := chunkedBody(t, now, seed, data, tc.trailer, tc.tamper)
			req.Body = io.NopCloser(bytes.NewReader(body))
			req.ContentLength = int64(len(body))
			if tc.status == 200 {
				if code, out := do(t, hc, req); code != 200 {
					t.Fatalf("PUT: %d %s", code, out)
				}
				s3c := s3.NewFromConfig(authConfig(srv, authKey), func(o *s3.Options) { o.UsePathStyle = true })
				out, err := s3c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if !bytes.Equal(got, data) {
					t.Errorf("stored %d bytes, want the %d sent", len(got), len(data))
				}
				return
			}
			checkS3Error(t, hc, req, tc.status, tc.code, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
		})
	}
}

// chunkedBody frames data as aws-chunked with chunk signatures chained
// from seed, and a signed checksum trailer when trailer is set.
func chunkedBody(t *testing.T, at time.Time, seed string, data []byte, trailer bool, tamper string) []byte {
	t.Helper()
	skey := sigv4.SigningKey(authKey.SecretAccessKey, at.UTC().Format("20060102"), "us-east-1", "s3")
	scope := at.UTC().Format("20060102") + "/us-east-1/s3/aws4_request"
	amzDate := at.UTC().Format(sigv4.TimeFormat)
	hmacHex := func(s string) string {
		return hex.EncodeToString(hmacSum(skey, s))
	}
	hashHex := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	prev := seed
	var b bytes.Buffer
	for off := 0; ; off += 64 << 10 {
		chunk := data[min(off, len(data)):min(off+64<<10, len(data))]
		sig := hmacHex("AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + sigv4.EmptySHA256 + "\n" + hashHex(chunk))
		prev = sig
		if tamper == "sig" && off > 0 {
			sig = strings.Repeat("0", 64)
		}
		sent := chunk
		if tamper == "data" && off > 0 && len(chunk) > 0 {
			sent = append([]byte("X"), chunk[1:]...)
		}
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(chunk), sig)
		if len(chunk) == 0 {
			break
		}
		b.Write(sent)
		b.WriteString("\r\n")
	}
	if trailer {
		sum := sha256.Sum256(data)
		cs := "x-amz-checksum-sha256:" + base64Std(sum[:])
		tsig := hmacHex("AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + hashHex([]byte(cs+"\n")))
		if tamper == "trailer" {
			tsig = strings.Repeat("1", 64)
		}
		b.WriteString(cs + "\r\nx-amz-trailer-signature:" + tsig + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func hmacSum(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
