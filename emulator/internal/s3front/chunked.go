package s3front

import (
	"bufio"
	"bytes"
	"errors"
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
// digits, the only chunk extension is chunk-signature with a hex value,
// trailer names are tokens and unique, and nothing follows the final CRLF.
// Chunk and trailer signatures are verified when the decoder has a Chain
// (Options.Auth and a STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER) body);
// otherwise they are only checked to be hex.

const (
	maxChunkLine     = 1024 // longest chunk header or trailer line accepted
	maxTrailers      = 16
	maxSignatureHex  = 512
	chunkSignatureEq = "chunk-signature="
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
	limit := d.MaxDecoded
	if d.Declared >= 0 && d.Declared < limit {
		limit = d.Declared
	}
	for {
		line, err := readCRLFLine(br)
		if err != nil {
			return dst, nil, err
		}
		size, sig, err := parseChunkHeader(line)
		if err != nil {
			return dst, nil, err
		}
		if d.Chain != nil && sig == "" {
			return dst, nil, errBadChunk("chunk without chunk-signature in a signed payload")
		}
		if size == 0 {
			if d.Chain != nil {
				if err := d.Chain.Next(sig, nil); err != nil {
					return dst, nil, authError(err)
				}
			}
			break
		}
		if size > uint64(limit-int64(len(dst))) {
			if d.Declared >= 0 && d.Declared < d.MaxDecoded {
				return dst, nil, errDecodedLength()
			}
			return dst, nil, errEntityTooLarge()
		}
		n := len(dst)
		dst = grow(dst, int(size))
		if _, err := io.ReadFull(br, dst[n:n+int(size)]); err != nil {
			return dst[:n], nil, readErr(err)
		}
		var crlf [2]byte
		if _, err := io.ReadFull(br, crlf[:]); err != nil {
			return dst, nil, readErr(err)
		}
		if crlf != [2]byte{'\r', '\n'} {
			return dst, nil, errBadChunk("chunk data not followed by CRLF")
		}
		if d.Chain != nil {
			if err := d.Chain.Next(sig, dst[n:]); err != nil {
				return dst, nil, authError(err)
			}
		}
	}
	trailers, err := readTrailers(br)
	if err != nil {
		return dst, nil, err
	}
	if d.Chain != nil && d.Chain.SignsTrailer() {
		sig, ok := trailers["x-amz-trailer-signature"]
		if !ok {
			return dst, nil, errMalformedTrailer()
		}
		if err := d.Chain.Trailer(sig, trailers); err != nil {
			return dst, nil, authError(err)
		}
	}
	if _, err := br.ReadByte(); err == nil {
		return dst, nil, errBadChunk("data after the final chunk")
	} else if !errors.Is(err, io.EOF) {
		return dst, nil, err
	}
	if d.Declared >= 0 && int64(len(dst)) != d.Declared {
		return dst, nil, errDecodedLength()
	}
	return dst, trailers, nil
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
