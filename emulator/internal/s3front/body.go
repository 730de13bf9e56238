package s3front

import (
	"bufio"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// requestBody is a decoded and verified request body: read whole (data),
// or streamed to the backend (a bodyStream: data is nil, and the checksums
// it was hashed with are in sums once it was read to its end).
type requestBody struct {
	data []byte
	// alg is the checksum algorithm the client used (x-amz-sdk-checksum-algorithm,
	// a checksum header or trailer), or "" if it sent none.
	alg  checksumAlgorithm
	sums map[checksumAlgorithm][]byte
	// stream, for a streamed body: only the checksums in sums, size and
	// contentMD5 are known, once it was read to its end.
	stream     *bodyStream
	size       int64
	contentMD5 []byte // the MD5 of a streamed body (with Content-MD5 only)
}

// streamed reports whether the body streams to the backend.
func (b *requestBody) streamed() bool { return b.stream != nil }

// failure is why a streamed body was refused as the backend read it
// (nil for a body read whole, or one not read to its end).
func (b *requestBody) failure() error {
	if b == nil || b.stream == nil {
		return nil
	}
	return b.stream.failure()
}

// objectChecksum is the checksum S3 gives an object stored from the body:
// the client's algorithm, else CRC64NVME (a streamed body is hashed with
// both).
func (b *requestBody) objectChecksum() storedChecksum {
	ck := storedChecksum{alg: b.alg, ctype: checksumFullObject}
	if ck.alg == "" {
		ck.alg = algCRC64NVME
	}
	ck.value = base64.StdEncoding.EncodeToString(b.sum(ck.alg))
	return ck
}

// sum returns (and caches) the raw checksum of the body for a; nil for a
// streamed body that was not hashed with a.
func (b *requestBody) sum(a checksumAlgorithm) []byte {
	if s, ok := b.sums[a]; ok || b.streamed() {
		return s
	}
	if b.sums == nil {
		b.sums = make(map[checksumAlgorithm][]byte, 2)
	}
	s := a.sum(b.data)
	b.sums[a] = s
	return s
}

// md5 returns the body's MD5 (nil for a streamed body sent without
// Content-MD5).
func (b *requestBody) md5() []byte {
	if b.streamed() {
		return b.contentMD5
	}
	return md5Sum(b.data)
}

// length is the decoded body's size in bytes.
func (b *requestBody) length() int64 {
	if b.streamed() {
		return b.size
	}
	return int64(len(b.data))
}

// isAwsChunked reports whether the request body uses aws-chunked framing.
func isAwsChunked(h http.Header) bool {
	if strings.HasPrefix(h.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		return true
	}
	for _, v := range h.Values("Content-Encoding") {
		for c := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(c), "aws-chunked") {
				return true
			}
		}
	}
	return false
}

// readBody reads the whole body of r (decoding aws-chunked framing), bounded
// by MaxObjectSize, and verifies every checksum the client sent, and with
// chain (Options.Auth, a signed streaming payload) every chunk signature.
func (f *Front) readBody(rw *responseWriter, r *http.Request, checkHeaders bool, chain *sigv4.Chain) (*requestBody, error) {
	if r.Body == nil || r.Body == http.NoBody {
		r.Body = http.NoBody
	}
	src := &idleReader{r: r.Body, rc: http.NewResponseController(rw.ResponseWriter), timeout: f.idleTimeout}
	defer src.clear()
	body := &requestBody{}
	var trailers map[string]string
	if isAwsChunked(r.Header) {
		declared := int64(-1)
		if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, newError(http.StatusBadRequest, "InvalidArgument", "Invalid x-amz-decoded-content-length: %q", v)
			}
			if n > f.maxObjectSize {
				return nil, errEntityTooLarge()
			}
			declared = n
		}
		dst := make([]byte, 0, initialCap(declared))
		dec := awsChunkedDecoder{MaxDecoded: f.maxObjectSize, Declared: declared, Chain: chain}
		data, tr, err := dec.decode(bufio.NewReaderSize(src, 64<<10), dst)
		if err != nil {
			return nil, err
		}
		body.data, trailers = data, tr
	} else {
		if r.ContentLength > f.maxObjectSize {
			return nil, errEntityTooLarge()
		}
		data, err := readAllLimited(src, r.ContentLength, f.maxObjectSize)
		if err != nil {
			return nil, err
		}
		body.data = data
	}
	if err := verifyBody(r.Header, trailers, body, checkHeaders); err != nil {
		return nil, err
	}
	return body, nil
}

// initialCap is the buffer to start with for a body of n bytes (-1 unknown):
// a declared length is only a claim, so never trust more than 64 MiB of it.
func initialCap(n int64) int {
	switch {
	case n < 0:
		return 64 << 10
	case n > 64<<20:
		return 64 << 20
	}
	return int(n)
}

// readAllLimited reads r to EOF. n is the declared length (-1 unknown);
// more than limit bytes is EntityTooLarge, fewer than n IncompleteBody.
func readAllLimited(r io.Reader, n, limit int64) ([]byte, error) {
	buf := make([]byte, 0, initialCap(n))
	for {
		if len(buf) == cap(buf) {
			buf = grow(buf, 1)[:len(buf)]
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if int64(len(buf)) > limit {
			return nil, errEntityTooLarge()
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, readErr(err)
		}
	}
	if n >= 0 && int64(len(buf)) != n {
		return nil, errIncompleteBody()
	}
	return buf, nil
}

// verifyBody checks the flexible checksums (headers and trailers),
// Content-MD5 and a hex x-amz-content-sha256 against the decoded body, and
// records the client's checksum algorithm.
func verifyBody(h http.Header, trailers map[string]string, body *requestBody, checkHeaders bool) error {
	// Trailers announced in x-amz-trailer must arrive (S3: MalformedTrailerError),
	// unless the same value came as a header.
	for _, v := range h.Values("X-Amz-Trailer") {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if _, ok := trailers[name]; !ok && h.Get(name) == "" {
				return errMalformedTrailer()
			}
		}
	}
	for name := range trailers {
		if strings.HasPrefix(name, checksumHeaderPrefix) {
			if _, ok := parseAlgorithm(strings.TrimPrefix(name, checksumHeaderPrefix)); !ok {
				return errNotImplemented("checksum trailer " + name)
			}
		}
	}
	for k := range h {
		if !checkHeaders {
			break
		}
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, checksumHeaderPrefix) {
			continue
		}
		switch suffix := strings.TrimPrefix(lk, checksumHeaderPrefix); suffix {
		case "algorithm", "type", "mode":
		default:
			if _, ok := parseAlgorithm(suffix); !ok {
				return errNotImplemented("checksum header " + lk)
			}
		}
	}

	var sdkAlg checksumAlgorithm
	if v := h.Get("X-Amz-Sdk-Checksum-Algorithm"); v != "" {
		a, ok := parseAlgorithm(v)
		if !ok {
			return newError(http.StatusBadRequest, "InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		sdkAlg = a
	}
	for _, a := range checksumAlgorithms {
		name := a.headerName()
		hv, inHeader := h[http.CanonicalHeaderKey(name)]
		tv, inTrailer := trailers[name]
		for _, src := range []struct {
			v        string
			present  bool
			trailing bool
		}{{first(hv), inHeader && checkHeaders, false}, {tv, inTrailer, true}} {
			if !src.present {
				continue
			}
			want, ok := decodeChecksum(a, src.v)
			if !ok {
				return errInvalidChecksumValue(name, src.trailing)
			}
			got := body.sum(a)
			if got == nil {
				// A streamed body is hashed with the algorithms its
				// headers name; a checksum trailer x-amz-trailer did not
				// announce was not expected.
				return errMalformedTrailer()
			}
			if subtle.ConstantTimeCompare(want, got) != 1 {
				return errBadDigest(string(a))
			}
			if body.alg == "" || a == sdkAlg {
				body.alg = a
			}
		}
	}
	if checkHeaders && sdkAlg != "" && body.alg != sdkAlg {
		return newError(http.StatusBadRequest, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}

	if vs, ok := h["Content-Md5"]; ok {
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(vs[0]))
		if err != nil || len(want) != 16 {
			return newError(http.StatusBadRequest, "InvalidDigest", "The Content-MD5 you specified was invalid.")
		}
		if subtle.ConstantTimeCompare(want, body.md5()) != 1 {
			return newError(http.StatusBadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.")
		}
	}
	if v := h.Get("X-Amz-Content-Sha256"); len(v) == 64 {
		want, err := hex.DecodeString(v)
		if err == nil && subtle.ConstantTimeCompare(want, body.sum(algSHA256)) != 1 {
			return newError(http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	}
	return nil
}

// idleReader fails a body read that stalls longer than timeout, so a client
// that declares more bytes than it sends cannot hold a request open forever.
// Deadlines are wall-clock network deadlines, not emulated time.
type idleReader struct {
	r       io.Reader
	rc      *http.ResponseController
	timeout time.Duration
	set     bool
	last    time.Time
}

func (r *idleReader) Read(p []byte) (int, error) {
	if r.timeout > 0 {
		now := time.Now()
		// Re-arm at most a few times per timeout; SetReadDeadline is not free.
		if !r.set || now.Sub(r.last) > r.timeout/8 {
			if err := r.rc.SetReadDeadline(now.Add(r.timeout)); err == nil {
				r.set = true
			}
			r.last = now
		}
	}
	return r.r.Read(p)
}

// clear removes the deadline, which would otherwise also end the server's
// background read and cancel the request context mid-response.
func (r *idleReader) clear() {
	if r.set {
		_ = r.rc.SetReadDeadline(time.Time{})
	}
}

// isTimeout reports whether err is a read timeout.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}
