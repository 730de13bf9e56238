package s3front

import (
	"bufio"
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BenchmarkGetObject5MiB reads a 5 MiB object with the Go SDK over loopback
// HTTP; the SDK validates the CRC32 checksum returned with it.
func BenchmarkGetObject5MiB(b *testing.B) {
	f := newTestFront(b)
	srv := newServer(b, f, false)
	c := newClient(b, srv)
	want := randomBytes(5<<20, 1)
	ctx := b.Context()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("bench"), Body: bytes.NewReader(want)}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, len(want))
	b.ReportAllocs()
	b.SetBytes(int64(len(want)))
	for b.Loop() {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(testBucket), Key: aws.String("bench")})
		if err != nil {
			b.Fatal(err)
		}
		w := bytes.NewBuffer(buf[:0])
		n, err := io.Copy(w, out.Body)
		out.Body.Close()
		if err != nil || n != int64(len(want)) {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}

// BenchmarkDecodeAwsChunked decodes a 5 MiB body in 64 KiB chunks with a
// CRC32 trailer, as the Go SDK sends it over HTTPS, and verifies it.
func BenchmarkDecodeAwsChunked(b *testing.B) {
	data := randomBytes(5<<20, 2)
	raw := awsChunked(data, chunkOpts{trailers: [][2]string{{"x-amz-checksum-crc32", b64(algCRC32.sum(data))}}})
	dst := make([]byte, 0, len(data))
	br := bufio.NewReaderSize(nil, 64<<10)
	rd := bytes.NewReader(raw)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		rd.Reset(raw)
		br.Reset(rd)
		out, trailers, err := awsChunkedDecoder{MaxDecoded: 1 << 30, Declared: int64(len(data))}.decode(br, dst[:0])
		if err != nil {
			b.Fatal(err)
		}
		if err := verifyBody(nil, trailers, &requestBody{data: out}, true); err != nil {
			b.Fatal(err)
		}
	}
}
