package s3front

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"
)

// A PutObject or UploadPart body that fails verification at its end
// (checksums, x-amz-content-sha256, chunk sizes, lengths) is answered with
// S3's error, and the backend stores nothing: the object there was before
// stays, and in a versioned bucket no version is added; with the memory
// backend and the bolt one (the emulator's data directory).
func TestStreamedBodyRefusedStoresNothing(t *testing.T) {
	data := randomBytes(300_000, 7)
	other := randomBytes(300_000, 8)
	crcTrailer := func(v []byte) [][2]string { return [][2]string{{"x-amz-checksum-crc32", b64(algCRC32.sum(v))}} }
	chunked := func(body []byte, declared int, extra ...[2]string) ([][2]string, []byte) {
		h := [][2]string{
			{"X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, {"Content-Encoding", "aws-chunked"},
			{"X-Amz-Decoded-Content-Length", fmt.Sprint(declared)},
		}
		return append(h, extra...), body
	}
	type tc struct {
		name     string
		header   [][2]string
		body     []byte
		code     string
		extraXML map[string]string // elements of the error document
	}
	var cases []tc
	add := func(name, code string, h [][2]string, body []byte, extra map[string]string) {
		cases = append(cases, tc{name, h, body, code, extra})
	}
	add("Content-MD5", "BadDigest", [][2]string{{"Content-MD5", b64(md5Sum(other))}}, data, nil)
	add("x-amz-checksum-crc32 header", "BadDigest", [][2]string{{"X-Amz-Checksum-Crc32", b64(algCRC32.sum(other))}}, data, nil)
	add("x-amz-checksum-sha256 header", "BadDigest", [][2]string{{"X-Amz-Checksum-Sha256", b64(algSHA256.sum(other))}}, data, nil)
	add("x-amz-content-sha256", "XAmzContentSHA256Mismatch", [][2]string{{"X-Amz-Content-Sha256", hex.EncodeToString(algSHA256.sum(other))}}, data, nil)
	h, b := chunked(awsChunked(data, chunkOpts{trailers: crcTrailer(other)}), len(data), [2]string{"X-Amz-Trailer", "x-amz-checksum-crc32"})
	add("aws-chunked trailer", "BadDigest", h, b, nil)
	h, b = chunked(awsChunked(data, chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc64nvme", b64(algCRC64NVME.sum(other))}}}), len(data))
	add("aws-chunked unannounced trailer", "BadDigest", h, b, nil)
	h, b = chunked(awsChunked(data, chunkOpts{chunk: 100_000, trailers: crcTrailer(data)}), len(data), [2]string{"X-Amz-Trailer", "x-amz-checksum-crc32"})
	h2, b2 := chunked(awsChunked(data, chunkOpts{chunk: 5000, trailers: crcTrailer(data)}), len(data), [2]string{"X-Amz-Trailer", "x-amz-checksum-crc32"})
	add("aws-chunked small chunk", "InvalidChunkSizeError", h2, b2, map[string]string{"Chunk": "2", "BadChunkSize": "5000"})
	h3, b3 := chunked(b, len(data)+1, [2]string{"X-Amz-Trailer", "x-amz-checksum-crc32"})
	add("aws-chunked decoded length", "IncompleteBody", h3, b3, nil)
	h4, b4 := chunked(bytes.Replace(b, []byte("\r\n0\r\n"), []byte("\r\nz\r\n"), 1), len(data), [2]string{"X-Amz-Trailer", "x-amz-checksum-crc32"})
	add("aws-chunked bad final chunk", "InvalidRequest", h4, b4, nil)

	for _, store := range []string{"s3mem", "s3mem-versioned", "s3bolt"} {
		versioned := store == "s3mem-versioned"
		f := newTestFront(t)
		if store == "s3bolt" {
			db, err := bolt.Open(filepath.Join(t.TempDir(), "s3.bolt"), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if f, err = New(Options{Backend: s3bolt.New(db)}); err != nil {
				t.Fatal(err)
			}
			if err := f.CreateBucket(testBucket); err != nil {
				t.Fatal(err)
			}
		}
		srv := newServer(t, f, false)
		if versioned {
			if w := do(f, http.MethodPut, "/"+testBucket+"?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); w.Code != 200 {
				t.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
			}
		}
		for i, c := range cases {
			t.Run(store+"/"+c.name, func(t *testing.T) {
				key := fmt.Sprintf("/%s/refused-%d", testBucket, i)
				old := []byte("the object before")
				if resp := rawExchange(t, srv, request(http.MethodPut, key, nil, old), false); resp.StatusCode != 200 {
					t.Fatalf("first PUT: %d %s", resp.StatusCode, resp.body)
				}
				resp := rawExchange(t, srv, request(http.MethodPut, key, c.header, c.body), false)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("PUT status %d, want 400; %s", resp.StatusCode, resp.body)
				}
				if code := errorCode(t, resp); code != c.code {
					t.Errorf("PUT error code %s, want %s", code, c.code)
				}
				for name, want := range c.extraXML {
					if got := xmlElementText(t, resp.body, name); got != want {
						t.Errorf("error element %s = %q, want %q", name, got, want)
					}
				}
				get := rawExchange(t, srv, request(http.MethodGet, key, nil, nil), false)
				if get.StatusCode != 200 {
					t.Fatalf("GET after the refused PUT: %d %s", get.StatusCode, get.body)
				}
				mustEqualBytes(t, "object after the refused PUT", get.body, old)
				if versioned {
					list := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"?versions&prefix="+strings.TrimPrefix(key, "/"+testBucket+"/"), nil, nil), false)
					if n := bytes.Count(list.body, []byte("<Version>")); n != 1 {
						t.Errorf("%d versions after the refused PUT, want 1: %s", n, list.body)
					}
				}
			})
		}
		// The same body, well formed, is stored.
		key := "/" + testBucket + "/accepted"
		if resp := rawExchange(t, srv, request(http.MethodPut, key, h, b), false); resp.StatusCode != 200 {
			t.Fatalf("well-formed aws-chunked PUT: %d %s", resp.StatusCode, resp.body)
		}
		get := rawExchange(t, srv, request(http.MethodGet, key, [][2]string{{"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
		mustEqualBytes(t, "accepted object", get.body, data)
		if v := get.Header.Get("X-Amz-Checksum-Crc32"); v != b64(algCRC32.sum(data)) {
			t.Errorf("stored checksum %q, want the trailer's CRC32", v)
		}
	}
}

// An UploadPart body that fails verification leaves no part.
func TestStreamedPartRefused(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	key := "/" + testBucket + "/mp"
	resp := rawExchange(t, srv, request(http.MethodPost, key+"?uploads", nil, nil), false)
	var out struct{ UploadId string }
	if err := xml.Unmarshal(resp.body, &out); err != nil || out.UploadId == "" {
		t.Fatalf("CreateMultipartUpload: %d %s", resp.StatusCode, resp.body)
	}
	data := randomBytes(100_000, 3)
	part := key + "?partNumber=1&uploadId=" + out.UploadId
	resp = rawExchange(t, srv, request(http.MethodPut, part, [][2]string{{"Content-MD5", b64(md5Sum(data[1:]))}}, data), false)
	if resp.StatusCode != 400 || errorCode(t, resp) != "BadDigest" {
		t.Fatalf("UploadPart with a wrong Content-MD5: %d %s", resp.StatusCode, resp.body)
	}
	list := rawExchange(t, srv, request(http.MethodGet, key+"?uploadId="+out.UploadId, nil, nil), false)
	if bytes.Contains(list.body, []byte("<Part>")) {
		t.Fatalf("ListParts after the refused part: %s", list.body)
	}
	resp = rawExchange(t, srv, request(http.MethodPut, part, [][2]string{{"Content-MD5", b64(md5Sum(data))}}, data), false)
	if resp.StatusCode != 200 {
		t.Fatalf("UploadPart: %d %s", resp.StatusCode, resp.body)
	}
	if etag := strings.Trim(resp.Header.Get("Etag"), `"`); etag != hex.EncodeToString(md5Sum(data)) {
		t.Errorf("part ETag %s", etag)
	}
}

// xmlElementText returns the text of the first element name in doc.
func xmlElementText(tb testing.TB, doc []byte, name string) string {
	tb.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				tb.Fatal(err)
			}
			return s
		}
	}
}

// discardBackend keeps objects' metadata but not their data, reading
// each PutObject's input to its end as a backend that writes to disk
// would: with it, what a PUT allocates is the front's own doing.
type discardBackend struct{ gofakes3.Backend }

func (d discardBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	n, err := io.Copy(io.Discard, input)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	if n != size {
		return gofakes3.PutObjectResult{}, gofakes3.ErrIncompleteBody
	}
	return d.Backend.PutObject(bucket, key, meta, bytes.NewReader(nil), 0, cond)
}

// patternReader yields n bytes of a repeating pattern without holding them.
type patternReader struct{ n, off int64 }

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	b = b[:min(int64(len(b)), p.n-p.off)]
	for i := range b {
		b[i] = byte((p.off + int64(i)) * 31 >> 3)
	}
	p.off += int64(len(b))
	return len(b), nil
}

// allocatedDuring returns the bytes allocated (by the whole process: the
// client too) while fn ran.
func allocatedDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A PUT's body streams to the backend: a 256 MiB PutObject (with
// Content-MD5, so that it is verified at its end) allocates a small
// fraction of its size over a backend that does not keep the data, and
// about one body's worth over gofakes3's memory backend (which holds the
// object: that copy is the object itself).
func TestStreamedPutMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("256 MiB upload")
	}
	const size = 256 << 20
	sum := md5.New()
	if _, err := io.Copy(sum, &patternReader{n: size}); err != nil {
		t.Fatal(err)
	}
	contentMD5 := b64(sum.Sum(nil))
	for _, c := range []struct {
		name    string
		backend gofakes3.Backend
		limit   uint64
	}{
		{"discard", discardBackend{s3mem.New()}, size / 16},
		{"s3mem", s3mem.New(), size + size/4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := New(Options{Backend: c.backend})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.CreateBucket(testBucket); err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, f, false)
			var resp *http.Response
			alloc := allocatedDuring(func() {
				req, err := http.NewRequest(http.MethodPut, srv.URL+"/"+testBucket+"/big", &patternReader{n: size})
				if err != nil {
					t.Fatal(err)
				}
				req.ContentLength = size
				req.Header.Set("Content-MD5", contentMD5)
				if resp, err = srv.Client().Do(req); err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			})
			if resp.StatusCode != 200 {
				t.Fatalf("PUT: %d", resp.StatusCode)
			}
			t.Logf("%s: a %d MiB PUT allocated %.1f MiB", c.name, size>>20, float64(alloc)/(1<<20))
			if alloc > c.limit {
				t.Errorf("a %d MiB PUT allocated %d MiB, want at most %d MiB", size>>20, alloc>>20, c.limit>>20)
			}
		})
	}
}

// BenchmarkStreamedPut measures a 64 MiB PutObject over loopback (memory
// backend that keeps no data: B/op is the front's and the client's
// allocation per PUT, a small fraction of the 64 MiB).
func BenchmarkStreamedPut(b *testing.B) {
	const size = 64 << 20
	f, err := New(Options{Backend: discardBackend{s3mem.New()}})
	if err != nil {
		b.Fatal(err)
	}
	if err := f.CreateBucket(testBucket); err != nil {
		b.Fatal(err)
	}
	srv := newServer(b, f, false)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPut, srv.URL+"/"+testBucket+"/big", &patternReader{n: size})
		if err != nil {
			b.Fatal(err)
		}
		req.ContentLength = size
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("PUT: %d", resp.StatusCode)
		}
	}
}
