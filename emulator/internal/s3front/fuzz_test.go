package s3front

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
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

// FuzzPutBucketNotification checks that any PUT ?notification body is
// answered without a panic: a success, or S3's XML error with a 4xx status
// (501 NotImplemented for Lambda destinations).
func FuzzPutBucketNotification(f *testing.F) {
	for _, s := range []string{
		notificationXML(),
		notificationXML(queueConfig("id", "s3:ObjectCreated:*,s3:ObjectRemoved:Delete", filterXML("prefix", "a/", "suffix", ".gz"))),
		notificationXML(`<TopicConfiguration><Topic>`+testTopic+`</Topic><Event>s3:ObjectCreated:Put</Event></TopicConfiguration>`, `<EventBridgeConfiguration/>`),
		notificationXML(queueConfig("a", "s3:ObjectCreated:*", ""), queueConfig("b", "s3:ObjectCreated:Put", filterXML("Prefix", "x"))),
		"<NotificationConfiguration><QueueConfiguration><Queue>arn:aws:sqs:us-east-1:1:q</Queue></QueueConfiguration>",
		"",
	} {
		f.Add([]byte(s))
	}
	front, _ := newNotifyFront(f, Options{CheckDestination: func(arn string) error {
		if strings.Contains(arn, "missing") {
			return errors.New("missing")
		}
		return nil
	}})
	f.Fuzz(func(t *testing.T, body []byte) {
		w := do(front, http.MethodPut, "/"+testBucket+"?notification", body)
		switch {
		case w.Code == 200:
			if _, raw := getNotification(t, front); !strings.Contains(raw, "<NotificationConfiguration") {
				t.Fatalf("GET after PUT: %s", raw)
			}
		case w.Code/100 == 4 || w.Code == 501:
			var e xmlError
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" || e.RequestID == "" || e.HostID == "" {
				t.Fatalf("status %d: not an S3 error document: %q (%v)", w.Code, w.Body, err)
			}
			if w.Code == 501 && e.Code != "NotImplemented" {
				t.Fatalf("501 with code %s", e.Code)
			}
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
	})
}
