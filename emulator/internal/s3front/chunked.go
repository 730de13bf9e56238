package s3front

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// aws-chunked framing (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
//
//	hex-size[;chunk-signature=hex]\r\n
//	data\r\n
//	...
//	0[;chunk-signature=hex]\r\n
//	[name:value\r\n]...      trailers (x-amz-checksum-*, x-amz-trailer-signature)
//	\r\n
//
// The decoder is strict: every line ends in CRLF, sizes are 1 to 16 hex
// digits, every chunk but the last with data holds at least minChunkSize
// bytes (S3: InvalidChunkSizeError), the only chunk extension is chunk-signature with a hex value,
// trailer names are tokens and unique, and nothing follows the final CRLF.
// Chunk and trailer signatures are verified when the decoder has a Chain
// (Options.Auth and a STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) body);
// otherwise they are only checked to be hex.

const (
	maxChunkLine     = 1024 // longest chunk header or trailer line accepted
	maxTrailers      = 16
	maxSignatureHex  = 512
	chunkSignatureEq = "chunk-signature="
	// minChunkSize is the least data of a chunk that another chunk with
	// data follows (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
	minChunkSize = 8192
)

// awsChunkedDecoder decodes one aws-chunked body.
type awsChunkedDecoder struct {
	// MaxDecoded bounds the decoded size (EntityTooLarge beyond it).
	MaxDecoded int64
	// Declared is x-amz-decoded-content-length, or -1 when absent.
	Declared int64
	// Chain, when set, verifies each chunk's chunk-signature (required)
	// and, if it signs the trailer, x-amz-trailer-signature.
	Chain *sigv4.Chain
}

// decode reads the whole framed body from br and appends the payload to dst.
// It returns the payload and the trailers (lower-case names). Errors are
// *s3Error for bad input, or the reader's own error (timeouts and the like).
func (d awsChunkedDecoder) decode(br *bufio.Reader, dst []byte) ([]byte, map[string]string, error) {
	cr := d.reader(br)
	for {
		if len(dst) == cap(dst) {
			dst = grow(dst, 1)[:len(dst)]
		}
		n, err := cr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if errors.Is(err, io.EOF) {
			return dst, cr.trailers, nil
		}
		if err != nil {
			return dst, nil, err
		}
	}
}

// reader returns a reader of the payload framed in br: it reads one chunk
// at a time, never more than the caller asks for, and returns io.EOF once
// the final chunk, the trailers and the end of the body were read and
// verified; then trailers holds the trailers.
func (d awsChunkedDecoder) reader(br *bufio.Reader) *chunkedReader {
	limit := d.MaxDecoded
	if d.Declared >= 0 && d.Declared < limit {
		limit = d.Declared
	}
	cr := &chunkedReader{d: d, br: br, limit: limit}
	if d.Chain != nil {
		cr.h = sha256.New()
	}
	return cr
}

// chunkedReader decodes an aws-chunked body as it is read. A chunk's
// signature is verified once its last byte was read: a bad one fails that
// Read (and every later one), so the reader never reaches io.EOF.
type chunkedReader struct {
	d        awsChunkedDecoder
	br       *bufio.Reader
	limit    int64     // most payload bytes accepted
	n        int64     // payload bytes read
	left     uint64    // bytes of the current chunk still to read
	sig      string    // the current chunk's signature
	chunks   int       // chunk headers read
	prev     uint64    // the previous chunk's size
	h        hash.Hash // SHA-256 of the current chunk (with a Chain)
	trailers map[string]string
	err      error // sticky: io.EOF at the end, or the failure
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		if err := c.next(); err != nil {
			c.err = err
			return 0, err
		}
	}
	if len(p) == 0 {
		return 0, nil
	}
	n, err := c.br.Read(p[:min(uint64(len(p)), c.left)])
	c.left -= uint64(n)
	c.n += int64(n)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	if n == 0 && err != nil {
		c.err = readErr(err)
		return 0, c.err
	}
	if c.left == 0 {
		if err := c.endChunk(); err != nil {
			c.err = err
			return 0, err
		}
	}
	return n, nil
}

// next reads chunk headers until a chunk with data; at the final chunk it
// reads and verifies the trailers and the end, and returns io.EOF.
func (c *chunkedReader) next() error {
	line, err := readCRLFLine(c.br)
	if err != nil {
		return err
	}
	size, sig, err := parseChunkHeader(line)
	if err != nil {
		return err
	}
	if c.d.Chain != nil && sig == "" {
		return errBadChunk("chunk without chunk-signature in a signed payload")
	}
	if size == 0 {
		return c.end(sig)
	}
	c.chunks++
	if c.chunks > 1 && c.prev < minChunkSize {
		return errInvalidChunkSize(c.chunks, c.prev)
	}
	c.prev = size
	if size > uint64(c.limit-c.n) {
		if c.d.Declared >= 0 && c.d.Declared < c.d.MaxDecoded {
			return errDecodedLength()
		}
		return errEntityTooLarge()
	}
	c.left, c.sig = size, sig
	if c.h != nil {
		c.h.Reset()
	}
	return nil
}

// endChunk reads the CRLF after a chunk's data and verifies its signature.
func (c *chunkedReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		return readErr(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return errBadChunk("chunk data not followed by CRLF")
	}
	if c.d.Chain != nil {
		var sum [sha256.Size]byte
		c.h.Sum(sum[:0])
		if err := c.d.Chain.NextSum(c.sig, sum); err != nil {
			return authError(err)
		}
	}
	return nil
}

// end verifies the final chunk (signature sig), reads the trailers and
// checks that nothing follows; io.EOF when all is well.
func (c *chunkedReader) end(sig string) error {
	if c.d.Chain != nil {
		if err := c.d.Chain.Next(sig, nil); err != nil {
			return authError(err)
		}
	}
	trailers, err := readTrailers(c.br)
	if err != nil {
		return err
	}
	if c.d.Chain != nil && c.d.Chain.SignsTrailer() {
		sig, ok := trailers["x-amz-trailer-signature"]
		if !ok {
			return errMalformedTrailer()
		}
		if err := c.d.Chain.Trailer(sig, trailers); err != nil {
			return authError(err)
		}
	}
	if _, err := c.br.ReadByte(); err == nil {
		return errBadChunk("data after the final chunk")
	} else if !errors.Is(err, io.EOF) {
		return err
	}
	if c.d.Declared >= 0 && c.n != c.d.Declared {
		return errDecodedLength()
	}
	c.trailers = trailers
	return io.EOF
}

// errDecodedLength reports a payload whose size differs from
// x-amz-decoded-content-length.
func errDecodedLength() *s3Error {
	e := errIncompleteBody()
	e.Message = "The decoded payload length does not match x-amz-decoded-content-length."
	return e
}

// grow extends dst by n bytes, reallocating geometrically.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	c := max(2*cap(dst), len(dst)+n, 64<<10)
	nd := make([]byte, len(dst)+n, c)
	copy(nd, dst)
	return nd
}

// readErr maps a short read to IncompleteBody and passes other errors on.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errIncompleteBody()
	}
	return err
}

// readCRLFLine returns the next line without its CRLF.
func readCRLFLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return nil, errBadChunk("line too long")
	case err != nil:
		return nil, readErr(err)
	}
	if len(line) > maxChunkLine {
		return nil, errBadChunk("line too long")
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errBadChunk("line not terminated by CRLF")
	}
	return line[:len(line)-2], nil
}

// parseChunkHeader parses "hex-size[;chunk-signature=hex]" and returns
// the size and the signature ("" if none).
func parseChunkHeader(line []byte) (uint64, string, error) {
	sizePart, ext, hasExt := bytes.Cut(line, []byte{';'})
	if len(sizePart) == 0 || len(sizePart) > 16 {
		return 0, "", errBadChunk("invalid chunk size %q", truncate(sizePart))
	}
	if !isHex(sizePart) {
		return 0, "", errBadChunk("invalid chunk size %q", truncate(sizePart))
	}
	size, err := strconv.ParseUint(string(sizePart), 16, 64)
	if err != nil {
		return 0, "", errBadChunk("invalid chunk size %q", truncate(sizePart))
	}
	if !hasExt {
		return size, "", nil
	}
	sig, ok := bytes.CutPrefix(ext, []byte(chunkSignatureEq))
	if !ok || len(sig) == 0 || len(sig) > maxSignatureHex {
		return 0, "", errBadChunk("invalid chunk extension")
	}
	if !isHex(sig) {
		return 0, "", errBadChunk("invalid chunk signature")
	}
	return size, string(sig), nil
}

// isHex reports whether b is all hex digits (either case).
func isHex(b []byte) bool {
	return bytes.IndexFunc(b, func(r rune) bool {
		return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f' || 'A' <= r && r <= 'F')
	}) < 0
}

// readTrailers reads "name:value" lines up to the empty line.
func readTrailers(br *bufio.Reader) (map[string]string, error) {
	var trailers map[string]string
	for {
		line, err := readCRLFLine(br)
		if err != nil {
			if _, ok := errors.AsType[*s3Error](err); ok && len(trailers) > 0 {
				return nil, errMalformedTrailer()
			}
			return nil, err
		}
		if len(line) == 0 {
			return trailers, nil
		}
		name, value, ok := bytes.Cut(line, []byte{':'})
		if !ok || len(name) == 0 || !isToken(name) || len(trailers) >= maxTrailers {
			return nil, errMalformedTrailer()
		}
		key := strings.ToLower(string(name))
		if trailers == nil {
			trailers = make(map[string]string, 2)
		}
		if _, dup := trailers[key]; dup {
			return nil, errMalformedTrailer()
		}
		trailers[key] = strings.TrimSpace(string(value))
	}
}

func isToken(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func truncate(b []byte) string {
	if len(b) > 32 {
		b = b[:32]
	}
	return string(b)
}
