package s3front

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"net/http"
	"testing"
)

// chunkedSeeds are valid aws-chunked bodies in the shapes clients send.
func chunkedSeeds() [][]byte {
	data := randomBytes(300, 77)
	return [][]byte{
		awsChunked(data, chunkOpts{chunk: 128, trailers: [][2]string{{"x-amz-checksum-crc32", b64(algCRC32.sum(data))}}}),
		awsChunked(data, chunkOpts{chunk: 99, signed: true}),
		awsChunked(data, chunkOpts{chunk: 200, signed: true, trailers: [][2]string{{"x-amz-checksum-sha256", b64(algSHA256.sum(data))}, {"x-amz-trailer-signature", "00ff"}}}),
		awsChunked(nil, chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc64nvme", b64(algCRC64NVME.sum(nil))}}}),
		awsChunked([]byte("hello"), chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc32c", b64(algCRC32C.sum([]byte("hello")))}}}),
		awsChunked([]byte("hello"), chunkOpts{trailers: [][2]string{{"x-amz-checksum-sha1", b64(algSHA1.sum([]byte("hello")))}}}),
		[]byte("0\r\n\r\n"),
	}
}

// FuzzAwsChunked checks that the decoder never panics and that whatever it
// accepts, together with the trailer verification, is consistent: every
// checksum trailer of an accepted body matches the decoded bytes.
func FuzzAwsChunked(f *testing.F) {
	for _, s := range chunkedSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dec := awsChunkedDecoder{MaxDecoded: 1 << 20, Declared: -1}
		data, trailers, err := dec.decode(bufio.NewReaderSize(bytes.NewReader(raw), 4096), nil)
		if err != nil {
			if _, ok := err.(*s3Error); !ok {
				t.Fatalf("decode error %T %v is not an S3 error", err, err)
			}
			return
		}
		if len(data) > len(raw) {
			t.Fatalf("decoded %d bytes from %d", len(data), len(raw))
		}
		body := &requestBody{data: data}
		if err := verifyBody(http.Header{}, trailers, body, true); err != nil {
			if _, ok := err.(*s3Error); !ok {
				t.Fatalf("verify error %T %v is not an S3 error", err, err)
			}
			return
		}
		for _, a := range checksumAlgorithms {
			v, ok := trailers[a.headerName()]
			if !ok {
				continue
			}
			want, err := base64.StdEncoding.DecodeString(v)
			if err != nil || !bytes.Equal(want, a.sum(data)) {
				t.Fatalf("accepted body whose %s trailer %q does not match", a, v)
			}
		}
		// Decoding again with the length now known must agree.
		dec.Declared = int64(len(data))
		again, _, err := dec.decode(bufio.NewReader(bytes.NewReader(raw)), nil)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("decode with declared length: %v", err)
		}
	})
}
