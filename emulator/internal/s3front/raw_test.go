package s3front

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"hash/crc64"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
)

// chunkOpts describes an aws-chunked body to build.
type chunkOpts struct {
	chunk    int                 // payload bytes per chunk
	signed   bool                // add ;chunk-signature=
	trailers [][2]string         // trailer lines, in order
	mutate   func([]byte) []byte // applied to the framed body
}

// awsChunked frames data the way SDKs do.
func awsChunked(data []byte, o chunkOpts) []byte {
	if o.chunk <= 0 {
		o.chunk = 64 << 10
	}
	sig := ";chunk-signature=" + strings.Repeat("ab", 32)
	var b bytes.Buffer
	for off := 0; off < len(data); off += o.chunk {
		end := min(off+o.chunk, len(data))
		fmt.Fprintf(&b, "%x", end-off)
		if o.signed {
			b.WriteString(sig)
		}
		b.WriteString("\r\n")
		b.Write(data[off:end])
		b.WriteString("\r\n")
	}
	b.WriteString("0")
	if o.signed {
		b.WriteString(sig)
	}
	b.WriteString("\r\n")
	for _, t := range o.trailers {
		b.WriteString(t[0] + ":" + t[1] + "\r\n")
	}
	b.WriteString("\r\n")
	out := b.Bytes()
	if o.mutate != nil {
		out = o.mutate(out)
	}
	return out
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// request renders a raw HTTP/1.1 request; Content-Length is added unless
// headers set it or use Transfer-Encoding.
func request(method, path string, headers [][2]string, body []byte) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", method, path)
	hasLen := false
	for _, h := range headers {
		if strings.EqualFold(h[0], "Content-Length") || strings.EqualFold(h[0], "Transfer-Encoding") {
			hasLen = true
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if !hasLen && (body != nil || method == http.MethodPut) {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.String()
}

func errorCode(tb testing.TB, r *rawResponse) string {
	tb.Helper()
	var e struct{ Code string }
	if err := xml.Unmarshal(r.body, &e); err != nil {
		tb.Fatalf("status %d: body is not S3 XML: %v: %q", r.StatusCode, err, r.body)
	}
	return e.Code
}

func TestRawAwsChunked(t *testing.T) {
	data := randomBytes(200_000, 42)
	crc32v := b64(algCRC32.sum(data))
	type tc struct {
		name       string
		sha        string
		opts       chunkOpts
		extra      [][2]string
		declared   int // -1 omit
		wantStatus int
		wantCode   string
		checksum   [2]string // expected stored checksum header on GET
	}
	streaming := "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	signed := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	signedTrailer := "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	crcTrailer := [][2]string{{"x-amz-checksum-crc32", crc32v}}
	trailerHdr := [][2]string{{"X-Amz-Trailer", "x-amz-checksum-crc32"}}
	cases := []tc{
		{name: "signed", sha: signed, opts: chunkOpts{signed: true, chunk: 8192}, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Crc64nvme", b64(algCRC64NVME.sum(data))}},
		{name: "unsigned trailer crc32", sha: streaming, opts: chunkOpts{trailers: crcTrailer}, extra: trailerHdr, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Crc32", crc32v}},
		{name: "unsigned trailer 8 KiB chunks", sha: streaming, opts: chunkOpts{chunk: 8192, trailers: crcTrailer}, extra: trailerHdr, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Crc32", crc32v}},
		{name: "chunk under 8 KiB not last", sha: streaming, opts: chunkOpts{chunk: 8191, trailers: crcTrailer}, extra: trailerHdr, wantStatus: 400, wantCode: "InvalidChunkSizeError"},
		{name: "signed trailer crc32c", sha: signedTrailer, opts: chunkOpts{signed: true, trailers: [][2]string{{"x-amz-checksum-crc32c", b64(algCRC32C.sum(data))}, {"x-amz-trailer-signature", strings.Repeat("cd", 32)}}},
			extra: [][2]string{{"X-Amz-Trailer", "x-amz-checksum-crc32c"}}, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Crc32c", b64(algCRC32C.sum(data))}},
		{name: "trailer sha256", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-sha256", b64(algSHA256.sum(data))}}}, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Sha256", b64(algSHA256.sum(data))}},
		{name: "trailer sha1", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-sha1", b64(algSHA1.sum(data))}}}, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Sha1", b64(algSHA1.sum(data))}},
		{name: "trailer crc64nvme", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc64nvme", b64(algCRC64NVME.sum(data))}}}, wantStatus: 200, checksum: [2]string{"X-Amz-Checksum-Crc64nvme", b64(algCRC64NVME.sum(data))}},
		{name: "content-encoding only", sha: "UNSIGNED-PAYLOAD", extra: [][2]string{{"Content-Encoding", "aws-chunked"}}, wantStatus: 200},
		{name: "bad trailer checksum", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc32", b64([]byte{1, 2, 3, 4})}}}, extra: trailerHdr, wantStatus: 400, wantCode: "BadDigest"},
		{name: "invalid trailer checksum", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc32", "!!"}}}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "announced trailer missing", sha: streaming, extra: trailerHdr, wantStatus: 400, wantCode: "MalformedTrailerError"},
		{name: "malformed trailer line", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"bad name", "x"}}}, wantStatus: 400, wantCode: "MalformedTrailerError"},
		{name: "unknown checksum trailer", sha: streaming, opts: chunkOpts{trailers: [][2]string{{"x-amz-checksum-xxhash64", "AAAAAAAAAAA="}}}, wantStatus: 501, wantCode: "NotImplemented"},
		{name: "truncated in data", sha: signed, opts: chunkOpts{signed: true, mutate: func(b []byte) []byte { return b[:1000] }}, declared: -1, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "truncated before final chunk", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("0\r\n"))] }}, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "no final CRLF", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte { return b[:len(b)-2] }}, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "bad hex size", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte { return append([]byte("1zz\r\n"), b[bytes.IndexByte(b, '\n')+1:]...) }}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "size too large", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte {
			return append([]byte("ffffffffffffffff\r\n"), b[bytes.IndexByte(b, '\n')+1:]...)
		}}, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "LF without CR", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte { return bytes.Replace(b, []byte("\r\n"), []byte("\n"), 1) }}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "data not followed by CRLF", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte {
			i := bytes.IndexByte(b, '\n') + 1 + 64<<10
			b[i] = 'x'
			return b
		}}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "bad chunk extension", sha: signed, opts: chunkOpts{mutate: func(b []byte) []byte { return bytes.Replace(b, []byte("\r\n"), []byte(";foo=bar\r\n"), 1) }}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "garbage after final chunk", sha: streaming, opts: chunkOpts{mutate: func(b []byte) []byte { return append(b, "junk"...) }}, wantStatus: 400, wantCode: "InvalidRequest"},
		{name: "declared length too small", sha: streaming, declared: len(data) - 1, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "declared length too large", sha: streaming, declared: len(data) + 1, wantStatus: 400, wantCode: "IncompleteBody"},
		{name: "declared length not a number", sha: streaming, declared: -2, wantStatus: 400, wantCode: "InvalidArgument"},
	}
	for _, tls := range []bool{false, true} {
		f := newTestFront(t)
		srv := newServer(t, f, tls)
		for i, c := range cases {
			t.Run(fmt.Sprintf("tls=%v/%s", tls, c.name), func(t *testing.T) {
				key := fmt.Sprintf("/%s/chunked-%d", testBucket, i)
				body := awsChunked(data, c.opts)
				hdr := [][2]string{{"X-Amz-Content-Sha256", c.sha}, {"Content-Encoding", "aws-chunked"}}
				switch c.declared {
				case 0:
					hdr = append(hdr, [2]string{"X-Amz-Decoded-Content-Length", fmt.Sprint(len(data))})
				case -1:
				case -2:
					hdr = append(hdr, [2]string{"X-Amz-Decoded-Content-Length", "12a"})
				default:
					hdr = append(hdr, [2]string{"X-Amz-Decoded-Content-Length", fmt.Sprint(c.declared)})
				}
				if c.name == "content-encoding only" {
					hdr = c.extra
				} else {
					hdr = append(hdr, c.extra...)
				}
				resp := rawExchange(t, srv, request(http.MethodPut, key, hdr, body), false)
				if resp.StatusCode != c.wantStatus {
					t.Fatalf("PUT status = %d, want %d; body %s", resp.StatusCode, c.wantStatus, resp.body)
				}
				get := rawExchange(t, srv, request(http.MethodGet, key, [][2]string{{"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
				if c.wantStatus != 200 {
					if code := errorCode(t, resp); code != c.wantCode {
						t.Errorf("PUT error code = %s, want %s", code, c.wantCode)
					}
					if get.StatusCode != http.StatusNotFound {
						t.Errorf("GET after refused PUT: status %d, want 404 (nothing stored)", get.StatusCode)
					}
					return
				}
				if get.StatusCode != 200 {
					t.Fatalf("GET status %d: %s", get.StatusCode, get.body)
				}
				mustEqualBytes(t, "GET", get.body, data)
				if c.checksum[0] != "" && get.Header.Get(c.checksum[0]) != c.checksum[1] {
					t.Errorf("GET %s = %q, want %q", c.checksum[0], get.Header.Get(c.checksum[0]), c.checksum[1])
				}
				if ce := get.Header.Get("Content-Encoding"); ce != "" {
					t.Errorf("GET Content-Encoding = %q, want none", ce)
				}
			})
		}
	}
}

func TestRawHeaderChecksums(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	data := []byte("the quick brown fox")
	sha := algSHA256.sum(data)
	cases := []struct {
		name     string
		hdr      [][2]string
		wantCode string
	}{
		{"crc32 ok", [][2]string{{"X-Amz-Checksum-Crc32", b64(algCRC32.sum(data))}}, ""},
		{"crc32 mismatch", [][2]string{{"X-Amz-Checksum-Crc32", b64([]byte{0, 0, 0, 0})}}, "BadDigest"},
		{"crc32c mismatch", [][2]string{{"X-Amz-Checksum-Crc32c", b64([]byte{0, 0, 0, 0})}}, "BadDigest"},
		{"crc64nvme mismatch", [][2]string{{"X-Amz-Checksum-Crc64nvme", b64(make([]byte, 8))}}, "BadDigest"},
		{"sha1 mismatch", [][2]string{{"X-Amz-Checksum-Sha1", b64(make([]byte, 20))}}, "BadDigest"},
		{"sha256 mismatch", [][2]string{{"X-Amz-Checksum-Sha256", b64(make([]byte, 32))}}, "BadDigest"},
		{"checksum wrong length", [][2]string{{"X-Amz-Checksum-Sha256", b64(make([]byte, 31))}}, "InvalidRequest"},
		{"unknown algorithm", [][2]string{{"X-Amz-Checksum-Md5", b64(make([]byte, 16))}}, "NotImplemented"},
		{"sdk algorithm without value", [][2]string{{"X-Amz-Sdk-Checksum-Algorithm", "CRC32"}}, "InvalidRequest"},
		{"content-md5 ok", [][2]string{{"Content-MD5", b64(md5Sum(data))}}, ""},
		{"content-md5 mismatch", [][2]string{{"Content-MD5", b64(make([]byte, 16))}}, "BadDigest"},
		{"content-md5 invalid", [][2]string{{"Content-MD5", "abc"}}, "InvalidDigest"},
		{"content-sha256 ok", [][2]string{{"X-Amz-Content-Sha256", fmt.Sprintf("%x", sha)}}, ""},
		{"content-sha256 mismatch", [][2]string{{"X-Amz-Content-Sha256", strings.Repeat("0", 64)}}, "XAmzContentSHA256Mismatch"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := fmt.Sprintf("/%s/h%d", testBucket, i)
			resp := rawExchange(t, srv, request(http.MethodPut, key, c.hdr, data), false)
			get := rawExchange(t, srv, request(http.MethodGet, key, nil, nil), false)
			if c.wantCode == "" {
				if resp.StatusCode != 200 || get.StatusCode != 200 {
					t.Fatalf("PUT %d, GET %d, want 200: %s", resp.StatusCode, get.StatusCode, resp.body)
				}
				mustEqualBytes(t, "GET", get.body, data)
				return
			}
			if resp.StatusCode/100 != 4 && resp.StatusCode != 501 {
				t.Fatalf("PUT status %d, want an error", resp.StatusCode)
			}
			if code := errorCode(t, resp); code != c.wantCode {
				t.Errorf("PUT error code = %s, want %s", code, c.wantCode)
			}
			if get.StatusCode != 404 {
				t.Errorf("GET after refused PUT: status %d, want 404", get.StatusCode)
			}
		})
	}
}

func TestRawBodyLengths(t *testing.T) {
	f := newTestFront(t)
	f.idleTimeout = 300 * time.Millisecond
	srv := newServer(t, f, false)

	t.Run("huge declared length, short body", func(t *testing.T) {
		req := request(http.MethodPut, "/"+testBucket+"/huge", [][2]string{{"Content-Length", fmt.Sprint(1 << 30)}}, []byte("0123456789"))
		resp := rawExchange(t, srv, req, true)
		if resp.StatusCode/100 != 4 {
			t.Fatalf("status %d, want 4xx", resp.StatusCode)
		}
		if code := errorCode(t, resp); code != "IncompleteBody" {
			t.Errorf("code %s, want IncompleteBody", code)
		}
	})
	t.Run("huge declared length, stalled client", func(t *testing.T) {
		start := time.Now()
		req := request(http.MethodPut, "/"+testBucket+"/stalled", [][2]string{{"Content-Length", fmt.Sprint(1 << 30)}}, []byte("0123456789"))
		resp := rawExchange(t, srv, req, false)
		if resp.StatusCode/100 != 4 {
			t.Fatalf("status %d, want 4xx", resp.StatusCode)
		}
		if code := errorCode(t, resp); code != "RequestTimeout" {
			t.Errorf("code %s, want RequestTimeout", code)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("too large", func(t *testing.T) {
		small, err := New(Options{Backend: f.backend.(*versionedBackend).backend.Backend, MaxObjectSize: 100})
		if err != nil {
			t.Fatal(err)
		}
		srv := newServer(t, small, false)
		resp := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/big", nil, make([]byte, 101)), false)
		if code := errorCode(t, resp); resp.StatusCode != 400 || code != "EntityTooLarge" {
			t.Errorf("status %d code %s, want 400 EntityTooLarge", resp.StatusCode, code)
		}
		chunked := "PUT /" + testBucket + "/big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n" + strings.Repeat("a", 101) + "\r\n0\r\n\r\n"
		resp = rawExchange(t, srv, chunked, false)
		if code := errorCode(t, resp); resp.StatusCode != 400 || code != "EntityTooLarge" {
			t.Errorf("unknown length: status %d code %s, want 400 EntityTooLarge", resp.StatusCode, code)
		}
	})
	t.Run("unknown length (Transfer-Encoding: chunked)", func(t *testing.T) {
		data := randomBytes(100_000, 9)
		var b bytes.Buffer
		for off := 0; off < len(data); off += 30000 {
			end := min(off+30000, len(data))
			fmt.Fprintf(&b, "%x\r\n", end-off)
			b.Write(data[off:end])
			b.WriteString("\r\n")
		}
		b.WriteString("0\r\n\r\n")
		req := "PUT /" + testBucket + "/te HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n" + b.String()
		if resp := rawExchange(t, srv, req, false); resp.StatusCode != 200 {
			t.Fatalf("PUT status %d: %s", resp.StatusCode, resp.body)
		}
		get := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/te", nil, nil), false)
		mustEqualBytes(t, "GET", get.body, data)
	})
}

func TestRawPathTraversal(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	for _, p := range []string{
		"/" + testBucket + "/../etc/passwd",
		"/" + testBucket + "/a/%2e%2e/%2E%2E/b",
		"/" + testBucket + "/..%2f..%2fx",
		"/" + testBucket + "/a/./b",
		"/" + testBucket + "/a\\..\\b",
		"/../" + testBucket + "/x",
	} {
		for _, method := range []string{http.MethodPut, http.MethodGet} {
			var body []byte
			if method == http.MethodPut {
				body = []byte("x")
			}
			resp := rawExchange(t, srv, request(method, p, nil, body), false)
			if resp.StatusCode != 400 {
				t.Errorf("%s %s: status %d, want 400", method, p, resp.StatusCode)
				continue
			}
			if code := errorCode(t, resp); code != "InvalidArgument" {
				t.Errorf("%s %s: code %s", method, p, code)
			}
		}
	}
}

func TestRawSubresources(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	data := []byte("original bytes")
	if resp := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/obj", nil, data), false); resp.StatusCode != 200 {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	xmlBody := []byte("<X><Y>z</Y></X>")
	for _, c := range []struct{ method, path string }{
		{http.MethodPut, "/" + testBucket + "?lifecycle"},
		{http.MethodGet, "/" + testBucket + "?lifecycle"},
		{http.MethodPut, "/" + testBucket + "?website"},
		{http.MethodPut, "/" + testBucket + "?policy"},
		{http.MethodPut, "/" + testBucket + "?cors"},
		{http.MethodPut, "/" + testBucket + "/obj?retention"},
		{http.MethodPut, "/" + testBucket + "/obj?legal-hold"},
		{http.MethodPost, "/" + testBucket + "/obj?restore"},
		{http.MethodPut, "/" + testBucket + "/obj?some-new-subresource"},
		{http.MethodPut, "/" + testBucket + "?tagging"},
	} {
		resp := rawExchange(t, srv, request(c.method, c.path, nil, xmlBody), false)
		if resp.StatusCode != 501 || errorCode(t, resp) != "NotImplemented" {
			t.Errorf("%s %s: status %d %s, want 501 NotImplemented", c.method, c.path, resp.StatusCode, resp.body)
		}
	}
	// ACL and tagging on the object never change it.
	for _, c := range []struct {
		path string
		body string
	}{
		{"/" + testBucket + "/obj?acl", ""},
		{"/" + testBucket + "/obj?acl", `<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>`},
		{"/" + testBucket + "/obj?tagging", `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
	} {
		resp := rawExchange(t, srv, request(http.MethodPut, c.path, [][2]string{{"X-Amz-Acl", "private"}}, []byte(c.body)), false)
		if resp.StatusCode != 200 {
			t.Errorf("PUT %s: status %d %s", c.path, resp.StatusCode, resp.body)
		}
	}
	for _, bad := range []string{"<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>", "not xml", "<Tagging><TagSet>" + strings.Repeat("<Tag><Key>k</Key><Value>v</Value></Tag>", 2) + "</TagSet></Tagging>"} {
		resp := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/obj?tagging", nil, []byte(bad)), false)
		if resp.StatusCode != 400 {
			t.Errorf("PUT tagging %q: status %d, want 400", bad, resp.StatusCode)
		}
	}
	get := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/obj", nil, nil), false)
	mustEqualBytes(t, "GET after sub-resource requests", get.body, data)
	if get.Header.Get("X-Amz-Tagging-Count") != "1" {
		t.Errorf("x-amz-tagging-count = %q, want 1", get.Header.Get("X-Amz-Tagging-Count"))
	}
	for _, p := range []string{"/" + testBucket + "/missing?tagging", "/" + testBucket + "/missing?acl"} {
		if resp := rawExchange(t, srv, request(http.MethodGet, p, nil, nil), false); resp.StatusCode != 404 || errorCode(t, resp) != "NoSuchKey" {
			t.Errorf("GET %s: status %d %s, want 404 NoSuchKey", p, resp.StatusCode, resp.body)
		}
	}
	if resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"?acl", nil, nil), false); resp.StatusCode != 200 || !bytes.Contains(resp.body, []byte("FULL_CONTROL")) {
		t.Errorf("GetBucketAcl: %d %s", resp.StatusCode, resp.body)
	}
}

func TestRawRanges(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	data := randomBytes(1000, 1)
	rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/r", nil, data), false)
	rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/empty", nil, []byte{}), false)
	for _, c := range []struct {
		rng         string
		status      int
		start, end  int
		contentRang string
	}{
		{"bytes=0-9", 206, 0, 9, "bytes 0-9/1000"},
		{"bytes=990-", 206, 990, 999, "bytes 990-999/1000"},
		{"bytes=-10", 206, 990, 999, "bytes 990-999/1000"},
		{"bytes=-5000", 206, 0, 999, "bytes 0-999/1000"},
		{"bytes=100-5000", 206, 100, 999, "bytes 100-999/1000"},
		{"bytes=1000-", 416, 0, 0, ""},
		{"bytes=5000-6000", 416, 0, 0, ""},
	} {
		resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/r", [][2]string{{"Range", c.rng}, {"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.rng, resp.StatusCode, c.status)
			continue
		}
		if c.status == 416 {
			if code := errorCode(t, resp); code != "InvalidRange" {
				t.Errorf("%s: code %s, want InvalidRange", c.rng, code)
			}
			continue
		}
		mustEqualBytes(t, c.rng, resp.body, data[c.start:c.end+1])
		if resp.Header.Get("Content-Range") != c.contentRang || resp.ContentLength != int64(c.end-c.start+1) {
			t.Errorf("%s: Content-Range %q Content-Length %d", c.rng, resp.Header.Get("Content-Range"), resp.ContentLength)
		}
		for name := range resp.Header {
			if strings.HasPrefix(name, "X-Amz-Checksum") {
				t.Errorf("%s: ranged response has %s", c.rng, name)
			}
		}
		head := rawExchange(t, srv, request(http.MethodHead, "/"+testBucket+"/r", [][2]string{{"Range", c.rng}, {"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
		if head.StatusCode != 206 || head.Header.Get("X-Amz-Checksum-Crc64nvme") != "" {
			t.Errorf("HEAD %s: status %d, checksum %q", c.rng, head.StatusCode, head.Header.Get("X-Amz-Checksum-Crc64nvme"))
		}
	}
	if resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/empty", [][2]string{{"Range", "bytes=0-"}}, nil), false); resp.StatusCode != 416 {
		t.Errorf("range on empty object: status %d, want 416", resp.StatusCode)
	}
}

func TestCRC64NVMECheckValue(t *testing.T) {
	// CRC-64/NVME check value (reveng catalogue): crc("123456789").
	if got := crc64.Checksum([]byte("123456789"), crc64.MakeTable(crc64NVME)); got != 0xae8b14860a799888 {
		t.Errorf("crc64nvme(123456789) = %#x, want 0xae8b14860a799888", got)
	}
}

func TestBoltRestartKeepsChecksumAndMetadata(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s3.db")
	open := func() (*Front, func()) {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		f, err := New(Options{Backend: s3bolt.New(db)})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.CreateBucket(testBucket); err != nil {
			t.Fatal(err)
		}
		return f, func() { db.Close() }
	}
	data := []byte("digest bytes")
	f1, close1 := open()
	if err := f1.PutObject(t.Context(), testBucket, "d", map[string]string{"signature": "abcd"}, data); err != nil {
		t.Fatal(err)
	}
	// Overwrite once without metadata, then again with: only the last PUT counts.
	if err := f1.PutObject(t.Context(), testBucket, "d", nil, data); err != nil {
		t.Fatal(err)
	}
	if err := f1.PutObject(t.Context(), testBucket, "d", map[string]string{"signature-algorithm": "SHA256withRSA"}, data); err != nil {
		t.Fatal(err)
	}
	close1()
	f2, close2 := open()
	defer close2()
	srv := newServer(t, f2, false)
	get := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/d", [][2]string{{"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
	mustEqualBytes(t, "GET after restart", get.body, data)
	if got, want := get.Header.Get("X-Amz-Checksum-Crc32"), b64(algCRC32.sum(data)); got != want {
		t.Errorf("checksum after restart = %q, want %q", got, want)
	}
	if !get.names["x-amz-meta-signature-algorithm"] || get.names["x-amz-meta-signature"] {
		t.Errorf("metadata after restart: %v", get.names)
	}
}

// panicBackend panics on every object read.
type panicBackend struct{ *s3mem.Backend }

func (panicBackend) GetObject(string, string, *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	panic("boom")
}

func TestPanicBecomesInternalError(t *testing.T) {
	f, err := New(Options{Backend: panicBackend{s3mem.New()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, f, false)
	rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/k", nil, []byte("x")), false)
	resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/k", nil, nil), false)
	if resp.StatusCode != 500 || errorCode(t, resp) != "InternalError" {
		t.Errorf("GET with a panicking backend: %d %s, want 500 InternalError", resp.StatusCode, resp.body)
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := New(Options{}); err == nil {
		t.Error("New without a backend: no error")
	}
	if _, err := New(Options{Backend: s3mem.New(), MaxObjectSize: -1}); err == nil {
		t.Error("New with a negative size: no error")
	}
	f := newTestFront(t)
	if err := f.CreateBucket("Bad_Bucket!"); err == nil {
		t.Error("CreateBucket with an invalid name: no error")
	}
}
