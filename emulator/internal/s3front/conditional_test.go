package s3front

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// conditionOf returns the code and <Condition> of an error document.
func conditionOf(tb testing.TB, r *rawResponse) (code, condition string) {
	tb.Helper()
	var e struct{ Code, Condition, Header string }
	if err := xml.Unmarshal(r.body, &e); err != nil {
		tb.Fatalf("status %d: body is not S3 XML: %v: %q", r.StatusCode, err, r.body)
	}
	if e.Condition == "" {
		e.Condition = e.Header
	}
	return e.Code, e.Condition
}

// getRaw returns the body of bucket/key.
func getRaw(tb testing.TB, srv *httptest.Server, key string) []byte {
	tb.Helper()
	r := rawExchange(tb, srv, request(http.MethodGet, "/"+testBucket+"/"+key, nil, nil), false)
	if r.StatusCode != 200 {
		tb.Fatalf("GET %s: %d %s", key, r.StatusCode, r.body)
	}
	return r.body
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestConditionalPutRaw: PutObject with If-None-Match: * creates an object
// only where there is none, with If-Match: ETAG replaces only that version;
// a failed condition is S3's 412 (or 404 for If-Match without an object)
// and leaves the object as it was.
func TestConditionalPutRaw(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	put := func(key string, hdr [][2]string, body []byte) *rawResponse {
		return rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/"+key, hdr, body), false)
	}
	noneMatch := [][2]string{{"If-None-Match", "*"}}
	first, second := []byte("first writer"), []byte("second writer")

	if r := put("k", noneMatch, first); r.StatusCode != 200 {
		t.Fatalf("If-None-Match: * on a new key: %d %s", r.StatusCode, r.body)
	}
	r := put("k", noneMatch, second)
	if code, cond := conditionOf(t, r); r.StatusCode != 412 || code != "PreconditionFailed" || cond != "If-None-Match" {
		t.Errorf("If-None-Match: * on an existing key: %d %s (condition %q), want 412 PreconditionFailed, condition If-None-Match\n%s", r.StatusCode, code, cond, r.body)
	}
	if r.Header.Get("X-Amz-Request-Id") == "" {
		t.Errorf("412 without x-amz-request-id")
	}
	mustEqualBytes(t, "object after a failed If-None-Match", getRaw(t, srv, "k"), first)

	// If-Match: the current ETag (quoted or not) replaces; another fails.
	for _, etag := range []string{`"` + md5hex(first) + `"`, md5hex(second)} {
		if r := put("k", [][2]string{{"If-Match", etag}}, second); r.StatusCode != 200 {
			t.Fatalf("If-Match %s (the current ETag): %d %s", etag, r.StatusCode, r.body)
		}
		first, second = second, first
	}
	mustEqualBytes(t, "object after two If-Match writes", getRaw(t, srv, "k"), first)
	r = put("k", [][2]string{{"If-Match", `"` + md5hex([]byte("stale")) + `"`}}, second)
	if code, cond := conditionOf(t, r); r.StatusCode != 412 || code != "PreconditionFailed" || cond != "If-Match" {
		t.Errorf("If-Match with a stale ETag: %d %s (condition %q), want 412 PreconditionFailed, condition If-Match", r.StatusCode, code, cond)
	}
	mustEqualBytes(t, "object after a failed If-Match", getRaw(t, srv, "k"), first)
	r = put("missing", [][2]string{{"If-Match", `"` + md5hex(first) + `"`}}, second)
	if code := errorCode(t, r); r.StatusCode != 404 || code != "NoSuchKey" {
		t.Errorf("If-Match on a missing key: %d %s, want 404 NoSuchKey", r.StatusCode, code)
	}

	// Only the wildcard is a write condition.
	r = put("other", [][2]string{{"If-None-Match", `"` + md5hex(first) + `"`}}, first)
	if code, hdr := conditionOf(t, r); r.StatusCode != 501 || code != "NotImplemented" || hdr != "If-None-Match" {
		t.Errorf("If-None-Match: ETAG: %d %s (header %q), want 501 NotImplemented naming If-None-Match", r.StatusCode, code, hdr)
	}
	r = rawExchange(t, srv, request(http.MethodPut, "/no-such-bucket/k", noneMatch, first), false)
	if code := errorCode(t, r); r.StatusCode != 404 || code != "NoSuchBucket" {
		t.Errorf("If-None-Match into a missing bucket: %d %s, want 404 NoSuchBucket", r.StatusCode, code)
	}

	// Unconditional writes replace, as ever; after a delete the key is free.
	if r := put("k", nil, second); r.StatusCode != 200 {
		t.Fatalf("unconditional PUT: %d %s", r.StatusCode, r.body)
	}
	if r := rawExchange(t, srv, request(http.MethodDelete, "/"+testBucket+"/k", nil, nil), false); r.StatusCode != 204 {
		t.Fatalf("DELETE: %d %s", r.StatusCode, r.body)
	}
	if r := put("k", noneMatch, first); r.StatusCode != 200 {
		t.Errorf("If-None-Match: * after a delete: %d %s", r.StatusCode, r.body)
	}
}

// TestConditionalPutVersioned: in a versioned bucket a delete marker is no
// object: If-None-Match: * writes over it.
func TestConditionalPutVersioned(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	if w := do(f, http.MethodPut, "/"+testBucket+"?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); w.Code != 200 {
		t.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
	}
	put := func(body string) *rawResponse {
		return rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/v", [][2]string{{"If-None-Match", "*"}}, []byte(body)), false)
	}
	if r := put("one"); r.StatusCode != 200 {
		t.Fatalf("first write: %d %s", r.StatusCode, r.body)
	}
	if r := put("two"); r.StatusCode != 412 {
		t.Errorf("second write: %d %s, want 412", r.StatusCode, r.body)
	}
	if r := rawExchange(t, srv, request(http.MethodDelete, "/"+testBucket+"/v", nil, nil), false); r.StatusCode != 204 {
		t.Fatalf("DELETE: %d %s", r.StatusCode, r.body)
	}
	if r := put("three"); r.StatusCode != 200 {
		t.Errorf("write over a delete marker: %d %s, want 200", r.StatusCode, r.body)
	}
	mustEqualBytes(t, "object", getRaw(t, srv, "v"), []byte("three"))
}

// TestConditionalCompleteMultipart: CompleteMultipartUpload takes the
// same conditions.
func TestConditionalCompleteMultipart(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	part := randomBytes(5<<20, 1)
	noneMatch := [][2]string{{"If-None-Match", "*"}}
	if r := rawMultipart(t, srv, "mp", nil, [][]byte{part, []byte("tail")}, noneMatch); r.StatusCode != 200 {
		t.Fatalf("complete with If-None-Match: * on a new key: %d %s", r.StatusCode, r.body)
	}
	want := append(bytes.Clone(part), "tail"...)
	mustEqualBytes(t, "completed object", getRaw(t, srv, "mp"), want)
	r := rawMultipart(t, srv, "mp", nil, [][]byte{[]byte("other")}, noneMatch)
	if code, cond := conditionOf(t, r); r.StatusCode != 412 || code != "PreconditionFailed" || cond != "If-None-Match" {
		t.Errorf("complete with If-None-Match: * on an existing key: %d %s (condition %q), want 412 PreconditionFailed", r.StatusCode, code, cond)
	}
	mustEqualBytes(t, "object after a failed completion", getRaw(t, srv, "mp"), want)

	// If-Match with the multipart ETag ("MD5-N").
	head := rawExchange(t, srv, request(http.MethodHead, "/"+testBucket+"/mp", nil, nil), false)
	etag := head.Header.Get("ETag")
	if r := rawMultipart(t, srv, "mp", nil, [][]byte{[]byte("stale")}, [][2]string{{"If-Match", `"0123-1"`}}); r.StatusCode != 412 {
		t.Errorf("complete with a stale If-Match: %d %s, want 412", r.StatusCode, r.body)
	}
	if r := rawMultipart(t, srv, "mp", nil, [][]byte{[]byte("new")}, [][2]string{{"If-Match", etag}}); r.StatusCode != 200 {
		t.Errorf("complete with If-Match %s (the current ETag): %d %s", etag, r.StatusCode, r.body)
	}
	mustEqualBytes(t, "object after If-Match completion", getRaw(t, srv, "mp"), []byte("new"))
}

// TestConditionalPutSDK: aws-sdk-go-v2's IfNoneMatch and IfMatch, over
// plain HTTP and aws-chunked TLS; racing conditional writers: one wins, the
// others get 412 or 409 and the object is the winner's.
func TestConditionalPutSDK(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			f := newTestFront(t)
			srv := newServer(t, f, tr.tls)
			c := newClient(t, srv)
			ctx := t.Context()
			put := func(key string, body []byte, in func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
				p := &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key), Body: bytes.NewReader(body)}
				in(p)
				return c.PutObject(ctx, p)
			}
			ifNoneMatch := func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }
			out, err := put("sdk", []byte("one"), ifNoneMatch)
			if err != nil {
				t.Fatalf("PutObject IfNoneMatch * on a new key: %v", err)
			}
			_, err = put("sdk", []byte("two"), ifNoneMatch)
			var apiErr smithy.APIError
			var respErr *awshttp.ResponseError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "PreconditionFailed" || !errors.As(err, &respErr) || respErr.HTTPStatusCode() != 412 {
				t.Errorf("PutObject IfNoneMatch * on an existing key: %v, want 412 PreconditionFailed", err)
			}
			_, err = put("sdk", []byte("two"), func(p *s3.PutObjectInput) { p.IfMatch = aws.String(`"00000000000000000000000000000000"`) })
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "PreconditionFailed" {
				t.Errorf("PutObject IfMatch stale: %v, want PreconditionFailed", err)
			}
			got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("sdk")})
			if err != nil {
				t.Fatal(err)
			}
			mustEqualBytes(t, "object after failed conditional writes", readBody(t, got.Body), []byte("one"))
			if _, err := put("sdk", []byte("two"), func(p *s3.PutObjectInput) { p.IfMatch = out.ETag }); err != nil {
				t.Errorf("PutObject IfMatch %s (current): %v", aws.ToString(out.ETag), err)
			}

			const writers = 16
			var wg sync.WaitGroup
			errs := make([]error, writers)
			for i := range writers {
				wg.Go(func() {
					_, errs[i] = put("race", fmt.Appendf(nil, "writer %d", i), ifNoneMatch)
				})
			}
			wg.Wait()
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner >= 0:
					t.Errorf("writers %d and %d both created the object", winner, i)
				case err == nil:
					winner = i
				case !errors.As(err, &apiErr) || apiErr.ErrorCode() != "PreconditionFailed" && apiErr.ErrorCode() != "ConditionalRequestConflict":
					t.Errorf("writer %d: %v, want PreconditionFailed or ConditionalRequestConflict", i, err)
				}
			}
			if winner < 0 {
				t.Fatal("no writer created the object")
			}
			got, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("race")})
			if err != nil {
				t.Fatal(err)
			}
			mustEqualBytes(t, "raced object", readBody(t, got.Body), fmt.Appendf(nil, "writer %d", winner))
		})
	}
}

// TestConditionalConflict: a conditional write to a key another
// conditional write holds is 409 ConditionalRequestConflict.
func TestConditionalConflict(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	claim := writeClaim{f, testBucket, "busy"}
	writeClaims.Store(claim, struct{}{})
	r := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/busy", [][2]string{{"If-None-Match", "*"}}, []byte("x")), false)
	writeClaims.Delete(claim)
	if code := errorCode(t, r); r.StatusCode != 409 || code != "ConditionalRequestConflict" {
		t.Errorf("conditional write during another: %d %s, want 409 ConditionalRequestConflict", r.StatusCode, code)
	}
	// Without a condition the write goes ahead; the claim is gone after.
	if r := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/busy", [][2]string{{"If-None-Match", "*"}}, []byte("x")), false); r.StatusCode != 200 {
		t.Errorf("conditional write after the claim ended: %d %s", r.StatusCode, r.body)
	}
}
