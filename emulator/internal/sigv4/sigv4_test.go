package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// readRequest parses a raw HTTP/1.1 request as a server sees it.
func readRequest(t testing.TB, raw string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	return r
}

func fixed(ts string) func() time.Time {
	t, err := time.Parse(TimeFormat, ts)
	if err != nil {
		panic(err)
	}
	return func() time.Time { return t }
}

func kindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return 0
}

// TestSuite checks requests of AWS's Signature Version 4 test suite
// (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html),
// scope AKIDEXAMPLE/20150830/us-east-1/service.
func TestSuite(t *testing.T) {
	v := Verifier{Keys: NewKeys(Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}), Now: fixed("20150830T123600Z")}
	const cred = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
	for _, tc := range []struct {
		name, reqLine, headers, signed, sig string
	}{
		{"get-vanilla", "GET /", "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"post-vanilla", "POST /", "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
		{"get-vanilla-query-order-key-case", "GET /?Param2=value2&Param1=value1", "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"post-header-value-case", "POST /", "My-Header1:VALUE1\r\n", "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
		{"get-header-value-trim", "GET /", "My-Header1: value1\r\nMy-Header2: \"a   b   c\"\r\n", "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
		{"get-header-key-duplicate", "GET /", "My-Header1:value2\r\nMy-Header1:value2\r\nMy-Header1:value1\r\n", "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
		{"get-unreserved", "GET /-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.reqLine + " HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n" + tc.headers +
				"Authorization: " + cred + "SignedHeaders=" + tc.signed + ", Signature=" + tc.sig + "\r\n\r\n"
			res, err := v.Verify(readRequest(t, raw), nil)
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					t.Fatalf("verify: %v\ncanonical request:\n%s", err, e.CanonicalRequest)
				}
				t.Fatal(err)
			}
			if res.AccessKeyID != "AKIDEXAMPLE" || res.Region != "us-east-1" || res.Service != "service" {
				t.Errorf("result %+v", res)
			}
			// One changed signature digit fails.
			bad := strings.Replace(raw, tc.sig, tc.sig[:63]+string("01"[tc.sig[63]&1^1]), 1)
			if _, err := v.Verify(readRequest(t, bad), nil); kindOf(err) != Mismatch {
				t.Errorf("altered signature: %v, want Mismatch", err)
			}
		})
	}
}

// The examples of S3's documentation: GET with a Range, a presigned URL
// and an aws-chunked upload with chunk signatures
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
var s3Example = Verifier{Keys: NewKeys(Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}), Now: fixed("20130524T000500Z")}

func TestS3Examples(t *testing.T) {
	get := "GET /test.txt HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\nRange: bytes=0-9\r\n" +
		"x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\nx-amz-date: 20130524T000000Z\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n\r\n"
	if _, err := s3Example.VerifyS3(readRequest(t, get)); err != nil {
		t.Errorf("GET example: %v", err)
	}
	if _, err := s3Example.VerifyS3(readRequest(t, strings.Replace(get, "bytes=0-9", "bytes=0-10", 1))); kindOf(err) != Mismatch {
		t.Errorf("GET example with another range: %v, want Mismatch", err)
	}

	presigned := "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n\r\n"
	res, err := s3Example.VerifyS3(readRequest(t, presigned))
	if err != nil {
		t.Fatalf("presigned example: %v", err)
	}
	if !res.Presigned || res.PayloadHash != UnsignedPayload {
		t.Errorf("presigned result %+v", res)
	}
	late := s3Example
	late.Now = fixed("20130525T000001Z")
	if _, err := late.VerifyS3(readRequest(t, presigned)); kindOf(err) != Expired {
		t.Errorf("presigned a day and a second later: %v, want Expired", err)
	}
	early := s3Example
	early.Now = fixed("20130523T234000Z")
	if _, err := early.VerifyS3(readRequest(t, presigned)); kindOf(err) != NotYetValid {
		t.Errorf("presigned 20 minutes early: %v, want NotYetValid", err)
	}
}

func TestChunkExample(t *testing.T) {
	raw := "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\nHost: s3.amazonaws.com\r\nx-amz-date: 20130524T000000Z\r\n" +
		"x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n" +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\nContent-Encoding: aws-chunked\r\nx-amz-decoded-content-length: 66560\r\nContent-Length: 66824\r\n\r\n"
	res, err := s3Example.VerifyS3(readRequest(t, raw))
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	chunks := []struct {
		n   int
		sig string
	}{
		{65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"},
		{1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"},
		{0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"},
	}
	c := res.Chain()
	if c == nil {
		t.Fatal("no chain for STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	}
	for i, ch := range chunks {
		if err := c.Next(ch.sig, bytes.Repeat([]byte{'a'}, ch.n)); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	// A changed byte breaks the chain.
	c = res.Chain()
	data := bytes.Repeat([]byte{'a'}, 65536)
	data[100] = 'b'
	if err := c.Next(chunks[0].sig, data); kindOf(err) != Mismatch {
		t.Errorf("tampered chunk: %v, want Mismatch", err)
	}
	// Chunks out of order break it too.
	c = res.Chain()
	if err := c.Next(chunks[1].sig, data[:1024]); kindOf(err) != Mismatch {
		t.Errorf("reordered chunk: %v, want Mismatch", err)
	}
}

// sdkRequest signs a request with aws-sdk-go-v2's signer and returns it
// as a server reads it.
func sdkRequest(t testing.TB, method, rawURL string, body []byte, hdr http.Header, service string, at time.Time, s3, presign bool, creds aws.Credentials) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	hash := hex.EncodeToString(sha256Sum(body))
	if s3 {
		if v := req.Header.Get("X-Amz-Content-Sha256"); v != "" {
			hash = v
		} else if presign {
			hash = UnsignedPayload
		} else {
			req.Header.Set("X-Amz-Content-Sha256", hash)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
	if presign {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", "900")
		req.URL.RawQuery = q.Encode()
		u, signed, err := signer.PresignHTTP(context.Background(), creds, req, hash, service, "eu-west-1", at)
		if err != nil {
			t.Fatal(err)
		}
		req, err = http.NewRequest(method, u, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range signed {
			if k != "Host" && k != "Content-Length" {
				req.Header[k] = vs
			}
		}
	} else if err := signer.SignHTTP(context.Background(), creds, req, hash, service, "eu-west-1", at); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return readRequest(t, buf.String())
}

func TestSDKSigned(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	creds := aws.Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "secret/with+chars"}
	tokenCreds := aws.Credentials{AccessKeyID: "ASIATEST", SecretAccessKey: "s2", SessionToken: "tok=="}
	v := Verifier{Keys: NewKeys(
		Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey},
		Credentials{AccessKeyID: tokenCreds.AccessKeyID, SecretAccessKey: tokenCreds.SecretAccessKey, SessionToken: tokenCreds.SessionToken},
	), Now: func() time.Time { return now.Add(3 * time.Minute) }}
	s3h := http.Header{"Range": {"bytes=1-2"}, "X-Amz-Meta-A": {"  x   y "}}
	for _, tc := range []struct {
		name, method, url string
		body              []byte
		hdr               http.Header
		s3, presign       bool
	}{
		{"json", "POST", "http://127.0.0.1:4599/", []byte(`{"a":1}`), http.Header{"X-Amz-Target": {"CloudTrail_20131101.LookupEvents"}, "Content-Type": {"application/x-amz-json-1.1"}}, false, false},
		{"query form", "POST", "http://localhost:4599/111122223333/q", []byte("Action=SendMessage&MessageBody=a+b%21"), http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}, false, false},
		{"query get", "GET", "http://localhost:4599/?Action=ListTopics&Version=2010-03-31&X=a%20b", nil, nil, false, false},
		{"s3 key", "GET", "http://127.0.0.1:4599/bucket/a%20b%2Bc/%C3%BC~%21%27%28%29.txt?x-id=GetObject&prefix=a%20b", nil, s3h, true, false},
		{"s3 put", "PUT", "http://127.0.0.1:4599/bucket/k", []byte("hello"), nil, true, false},
		{"s3 unsigned payload", "PUT", "http://127.0.0.1:4599/bucket/k", []byte("hello"), http.Header{"X-Amz-Content-Sha256": {UnsignedPayload}}, true, false},
		{"s3 presigned get", "GET", "http://127.0.0.1:4599/bucket/dir/a%20b.txt?versionId=3", nil, nil, true, true},
		{"s3 presigned put", "PUT", "http://127.0.0.1:4599/bucket/up", []byte("data"), http.Header{"Content-Type": {"text/plain"}}, true, true},
		// aws-sdk-go-v2 also trims Unicode spaces at a value's ends.
		{"unicode spaces", "POST", "http://127.0.0.1:4599/", []byte(`{}`), http.Header{"X-Amz-Meta-U": {"\u00a0a  b\u0085"}, "X-Amz-Meta-N": {"\u0085"}}, false, false},
		{"s3 unicode spaces", "PUT", "http://127.0.0.1:4599/bucket/k", []byte("x"), http.Header{"X-Amz-Meta-U": {"\u2003a\u00a0"}}, true, false},
	} {
		for _, c := range []aws.Credentials{creds, tokenCreds} {
			t.Run(tc.name+"/"+c.AccessKeyID, func(t *testing.T) {
				service := "sqs"
				if tc.s3 {
					service = "s3"
				}
				r := sdkRequest(t, tc.method, tc.url, tc.body, tc.hdr, service, now, tc.s3, tc.presign, c)
				verify := func(r *http.Request) (*Result, error) {
					if tc.s3 {
						return v.VerifyS3(r)
					}
					return v.Verify(r, tc.body)
				}
				res, err := verify(r)
				if err != nil {
					var e *Error
					errors.As(err, &e)
					t.Fatalf("verify: %v\n%s", err, e.CanonicalRequest)
				}
				if res.AccessKeyID != c.AccessKeyID || res.Region != "eu-west-1" || res.Service != service || res.Presigned != tc.presign {
					t.Errorf("result %+v", res)
				}
				wrong := c
				wrong.SecretAccessKey += "x"
				if _, err := verify(sdkRequest(t, tc.method, tc.url, tc.body, tc.hdr, service, now, tc.s3, tc.presign, wrong)); kindOf(err) != Mismatch {
					t.Errorf("wrong secret: %v, want Mismatch", err)
				}
				unknown := c
				unknown.AccessKeyID = "AKIAUNKNOWN"
				if _, err := verify(sdkRequest(t, tc.method, tc.url, tc.body, tc.hdr, service, now, tc.s3, tc.presign, unknown)); kindOf(err) != UnknownKey {
					t.Errorf("unknown key: %v, want UnknownKey", err)
				}
				old := now.Add(-20 * time.Minute)
				if tc.presign {
					old = now.Add(-16 * time.Minute) // X-Amz-Expires is 900
				}
				want := Skewed
				if tc.presign {
					want = Expired
				}
				if _, err := verify(sdkRequest(t, tc.method, tc.url, tc.body, tc.hdr, service, old, tc.s3, tc.presign, c)); kindOf(err) != want {
					t.Errorf("signed at %v: %v, want kind %d", old, err, want)
				}
				if !tc.s3 && len(tc.body) > 0 {
					if _, err := v.Verify(r, append(tc.body, ' ')); kindOf(err) != Mismatch {
						t.Errorf("tampered body: %v, want Mismatch", err)
					}
				}
				if c.SessionToken != "" {
					r2 := r.Clone(context.Background())
					if tc.presign {
						q := r2.URL.Query()
						q.Set("X-Amz-Security-Token", "other")
						r2.URL.RawQuery = q.Encode()
					} else {
						r2.Header.Set("X-Amz-Security-Token", "other")
					}
					if _, err := verify(r2); kindOf(err) != BadToken {
						t.Errorf("other session token: %v, want BadToken", err)
					}
				}
			})
		}
	}
}

func TestRefusals(t *testing.T) {
	v := Verifier{Keys: NewKeys(Credentials{AccessKeyID: "AK", SecretAccessKey: "S"}), Now: fixed("20260301T100000Z")}
	for _, tc := range []struct {
		name, raw string
		want      Kind
	}{
		{"unsigned", "GET /b/k HTTP/1.1\r\nHost: h\r\n\r\n", Missing},
		{"sigv2 header", "GET /b/k HTTP/1.1\r\nHost: h\r\nAuthorization: AWS AK:c2ln\r\n\r\n", Unsupported},
		{"sigv2 query", "GET /b/k?AWSAccessKeyId=AK&Signature=x&Expires=1 HTTP/1.1\r\nHost: h\r\n\r\n", Unsupported},
		{"sigv4a", "GET /b/k HTTP/1.1\r\nHost: h\r\nAuthorization: AWS4-ECDSA-P256-SHA256 Credential=AK/20260301/s3/aws4_request, SignedHeaders=host, Signature=3045\r\n\r\n", Unsupported},
		{"no signature", "GET /b/k HTTP/1.1\r\nHost: h\r\nX-Amz-Date: 20260301T100000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws4_request, SignedHeaders=host\r\n\r\n", Malformed},
		{"no date", "GET /b/k HTTP/1.1\r\nHost: h\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + "\r\n\r\n", Malformed},
		{"date not scope's", "GET /b/k HTTP/1.1\r\nHost: h\r\nX-Amz-Date: 20260302T100000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + "\r\n\r\n", Malformed},
		{"no payload hash", "GET /b/k HTTP/1.1\r\nHost: h\r\nX-Amz-Date: 20260301T100000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64) + "\r\n\r\n", Malformed},
		{"both", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256 HTTP/1.1\r\nHost: h\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AK/20260301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n", Ambiguous},
		{"presign incomplete", "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20260301%2Fus-east-1%2Fs3%2Faws4_request HTTP/1.1\r\nHost: h\r\n\r\n", BadQuery},
		{"presign algorithm", "GET /b/k?" + presignQuery("X-Amz-Algorithm", "HMAC") + " HTTP/1.1\r\nHost: h\r\n\r\n", BadQuery},
		{"presign expires", "GET /b/k?" + presignQuery("X-Amz-Expires", "604801") + " HTTP/1.1\r\nHost: h\r\n\r\n", BadQuery},
		{"presign credential", "GET /b/k?" + presignQuery("X-Amz-Credential", "AK/2026/us-east-1") + " HTTP/1.1\r\nHost: h\r\n\r\n", BadQuery},
		{"presign unknown key", "GET /b/k?" + presignQuery("X-Amz-Credential", "NOPE/20260301/us-east-1/s3/aws4_request") + " HTTP/1.1\r\nHost: h\r\n\r\n", UnknownKey},
		{"presign mismatch", "GET /b/k?" + presignQuery("", "") + " HTTP/1.1\r\nHost: h\r\n\r\n", Mismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.VerifyS3(readRequest(t, tc.raw))
			if kindOf(err) != tc.want {
				t.Errorf("got %v (kind %d), want kind %d", err, kindOf(err), tc.want)
			}
		})
	}
}

func presignQuery(name, value string) string {
	q := url.Values{
		"X-Amz-Algorithm":     {Algorithm},
		"X-Amz-Credential":    {"AK/20260301/us-east-1/s3/aws4_request"},
		"X-Amz-Date":          {"20260301T100000Z"},
		"X-Amz-Expires":       {"60"},
		"X-Amz-SignedHeaders": {"host"},
		"X-Amz-Signature":     {strings.Repeat("ab", 32)},
	}
	if name != "" {
		q.Set(name, value)
	}
	return q.Encode()
}

func TestSkewMessage(t *testing.T) {
	e := &Error{Kind: Skewed, RequestTime: time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), ServerTime: time.Date(2013, 5, 24, 0, 20, 0, 0, time.UTC)}
	if got, want := e.SkewMessage(), "Signature expired: 20130524T000000Z is now earlier than 20130524T000500Z (20130524T002000Z - 15 min.)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseCredentialsFile(t *testing.T) {
	got, err := ParseCredentialsFile(strings.NewReader("\uFEFF# comment\n[default]\naws_access_key_id = AK1\naws_secret_access_key=S1\n\n[other]\n; c\nAWS_ACCESS_KEY_ID=AK2\naws_secret_access_key = S2/x=\naws_session_token = T2\nregion = eu-west-1\n[settings-only]\nregion=us-east-1\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Credentials{{"AK1", "S1", ""}, {"AK2", "S2/x=", "T2"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "[a]\nregion=x\n", "aws_access_key_id=x\n", "[a]\naws_access_key_id=x\n", "[a\n", "[a]\nnovalue\n"} {
		if _, err := ParseCredentialsFile(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// botocore signs a header value with every run of whitespace made one
// space (' '.join(value.split())): a value with a tab inside verifies
// when signed that way, as when signed by SigV4's rule, and not with
// another secret.
func TestBotocoreHeaderTrim(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	v := Verifier{Keys: NewKeys(Credentials{AccessKeyID: "AKIATEST", SecretAccessKey: "s"}), Now: func() time.Time { return now }}
	body := []byte(`{}`)
	sign := func(secret, metaSigned string) *http.Request {
		r := httptest.NewRequest("POST", "http://127.0.0.1:4599/", bytes.NewReader(body))
		r.Header.Set("X-Amz-Date", now.Format(TimeFormat))
		r.Header.Set("X-Amz-Meta-T", "a\t\tb c")
		hash := hex.EncodeToString(sha256Sum(body))
		creq := "POST\n/\n\nhost:127.0.0.1:4599\nx-amz-date:" + now.Format(TimeFormat) + "\nx-amz-meta-t:" + metaSigned + "\n\nhost;x-amz-date;x-amz-meta-t\n" + hash
		scope := "20260301/eu-west-1/sqs/aws4_request"
		sig := hex.EncodeToString(hmacSHA256(SigningKey(secret, "20260301", "eu-west-1", "sqs"), StringToSign(now.Format(TimeFormat), scope, creq)))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIATEST/"+scope+", SignedHeaders=host;x-amz-date;x-amz-meta-t, Signature="+sig)
		return r
	}
	for _, signed := range []string{"a b c", "a\t\tb c"} { // botocore's, SigV4's
		if _, err := v.Verify(sign("s", signed), body); err != nil {
			t.Errorf("signed with x-amz-meta-t:%q: %v", signed, err)
		}
		if _, err := v.Verify(sign("other", signed), body); kindOf(err) != Mismatch {
			t.Errorf("signed with x-amz-meta-t:%q and another secret: %v, want Mismatch", signed, err)
		}
	}
	if _, err := v.Verify(sign("s", "a b  c"), body); kindOf(err) != Mismatch {
		t.Errorf("signed with a value no client makes: %v, want Mismatch", err)
	}
}
