package s3front

import (
	"bufio"
	"crypto/md5"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// bodyStream is a PutObject or UploadPart body on its way to the backend:
// decoded (aws-chunked) and hashed as the backend reads it, never held
// whole here. At its end it is verified as readBody verifies a body read
// whole (verifyBody: Content-MD5, x-amz-checksum-* headers and trailers,
// a hex x-amz-content-sha256; chunk signatures as each chunk ends): a
// mismatch, like a short, oversized, stalled or badly framed body, is the
// error of that last Read instead of io.EOF. gofakes3's backends read
// the whole input before they store anything, so a failed body stores no
// object and leaves the one there was.
type bodyStream struct {
	body         *requestBody
	header       http.Header
	checkHeaders bool
	src          io.Reader      // the payload
	chunked      *chunkedReader // src for an aws-chunked body
	idle         *idleReader
	hashes       []streamHash
	md5          hash.Hash // with Content-MD5 only
	declared     int64     // the payload's length
	eof          bool      // src ended; verify at the next Read
	err          error     // sticky: io.EOF once verified, or the failure
	// onEnd, when set, runs once the body verified, before the backend
	// sees io.EOF (putObject stores the object's checksum with it).
	onEnd func()
}

type streamHash struct {
	alg checksumAlgorithm
	h   hash.Hash
}

// openBody prepares r's body to be streamed (see bodyStream), hashed with
// every algorithm its headers name (all of them for a trailing checksum
// x-amz-trailer does not announce) and with extra. It returns nil (and no
// error) when the payload's length is not declared (no Content-Length, or
// aws-chunked without x-amz-decoded-content-length): the backend needs it
// up front, so such a body is read whole (readBody).
func (f *Front) openBody(rw *responseWriter, r *http.Request, chain *sigv4.Chain, extra ...checksumAlgorithm) (*bodyStream, error) {
	if r.Body == nil || r.Body == http.NoBody {
		r.Body = http.NoBody
	}
	chunked := isAwsChunked(r.Header)
	declared := r.ContentLength
	if chunked {
		v := r.Header.Get("X-Amz-Decoded-Content-Length")
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return nil, newError(http.StatusBadRequest, "InvalidArgument", "Invalid x-amz-decoded-content-length: %q", v)
		}
		declared = n
	}
	if declared < 0 {
		return nil, nil
	}
	if declared > f.maxObjectSize {
		return nil, errEntityTooLarge()
	}
	s := &bodyStream{
		body:         &requestBody{sums: map[checksumAlgorithm][]byte{}},
		header:       r.Header,
		checkHeaders: true,
		declared:     declared,
		idle:         &idleReader{r: r.Body, rc: http.NewResponseController(rw.ResponseWriter), timeout: f.idleTimeout},
	}
	s.body.stream = s
	s.src = io.LimitReader(s.idle, declared+1) // one more: a body longer than declared is refused
	if chunked {
		dec := awsChunkedDecoder{MaxDecoded: f.maxObjectSize, Declared: declared, Chain: chain}
		s.chunked = dec.reader(bufio.NewReaderSize(s.idle, 64<<10))
		s.src = s.chunked
	}
	algs, declaredAlg := streamAlgorithms(r.Header)
	s.body.alg = declaredAlg
	if chunked && len(r.Header.Values("X-Amz-Trailer")) == 0 && strings.HasSuffix(r.Header.Get("X-Amz-Content-Sha256"), "-TRAILER") {
		// A trailing checksum nothing announced (SDKs announce theirs):
		// any algorithm may come.
		algs = checksumAlgorithms[:]
	}
	for _, a := range append(algs, extra...) {
		if a != "" && !s.hashedWith(a) {
			s.hashes = append(s.hashes, streamHash{alg: a, h: a.newHash()})
		}
	}
	if _, ok := r.Header["Content-Md5"]; ok {
		s.md5 = md5.New()
	}
	if v := r.Header.Get("X-Amz-Content-Sha256"); len(v) == 64 && !s.hashedWith(algSHA256) {
		s.hashes = append(s.hashes, streamHash{alg: algSHA256, h: algSHA256.newHash()})
	}
	return s, nil
}

// hashedWith reports whether s is hashed with a.
func (s *bodyStream) hashedWith(a checksumAlgorithm) bool {
	for _, h := range s.hashes {
		if h.alg == a {
			return true
		}
	}
	return false
}

// streamAlgorithms returns the checksum algorithms h names (x-amz-checksum-*
// headers, checksum trailers announced in x-amz-trailer,
// x-amz-sdk-checksum-algorithm) and the one the client uses, chosen as
// verifyBody chooses it.
func streamAlgorithms(h http.Header) (algs []checksumAlgorithm, client checksumAlgorithm) {
	announced := map[string]bool{}
	for _, v := range h.Values("X-Amz-Trailer") {
		for name := range strings.SplitSeq(v, ",") {
			announced[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	sdk, _ := parseAlgorithm(h.Get("X-Amz-Sdk-Checksum-Algorithm"))
	for _, a := range checksumAlgorithms {
		_, inHeader := h[http.CanonicalHeaderKey(a.headerName())]
		if !inHeader && !announced[a.headerName()] && a != sdk {
			continue
		}
		algs = append(algs, a)
		if (inHeader || announced[a.headerName()]) && (client == "" || a == sdk) {
			client = a
		}
	}
	return algs, client
}

func (s *bodyStream) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.eof {
		return 0, s.finish()
	}
	n, err := s.src.Read(p)
	if n > 0 {
		s.body.size += int64(n)
		if s.body.size > s.declared {
			if s.chunked == nil {
				return 0, s.fail(errIncompleteBody())
			}
			return 0, s.fail(errDecodedLength())
		}
		for _, h := range s.hashes {
			h.h.Write(p[:n])
		}
		if s.md5 != nil {
			s.md5.Write(p[:n])
		}
	}
	switch {
	case err == nil:
		return n, nil
	case !errors.Is(err, io.EOF):
		return 0, s.fail(readErr(err))
	case n > 0:
		s.eof = true // verify at the next Read: these bytes are not the end yet
		return n, nil
	}
	return 0, s.finish()
}

// fail makes err the answer of every later Read.
func (s *bodyStream) fail(err error) error {
	s.err = err
	return err
}

// finish verifies the whole body: io.EOF, or why it is refused.
func (s *bodyStream) finish() error {
	if s.body.size != s.declared {
		if s.chunked != nil {
			return s.fail(errDecodedLength())
		}
		return s.fail(errIncompleteBody())
	}
	for _, h := range s.hashes {
		s.body.sums[h.alg] = h.h.Sum(nil)
	}
	if s.md5 != nil {
		s.body.contentMD5 = s.md5.Sum(nil)
	}
	var trailers map[string]string
	if s.chunked != nil {
		trailers = s.chunked.trailers
	}
	s.body.alg = "" // verifyBody chooses it from what arrived
	if err := verifyBody(s.header, trailers, s.body, s.checkHeaders); err != nil {
		return s.fail(err)
	}
	if s.onEnd != nil {
		s.onEnd()
	}
	return s.fail(io.EOF)
}

// failure is why the body was refused, or nil (also when it was not read
// to its end).
func (s *bodyStream) failure() error {
	if s.err == nil || errors.Is(s.err, io.EOF) {
		return nil
	}
	return s.err
}

// close ends the body's read deadline.
func (s *bodyStream) close() { s.idle.clear() }
