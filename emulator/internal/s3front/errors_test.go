package s3front

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestRawErrorDocuments sends requests that fail, in the front or in
// gofakes3, and checks that each answer is S3's error document: a 4xx or
// 5xx status, Code, Message, RequestId and HostId in the body, the same ids
// in x-amz-request-id and x-amz-id-2, and S3's status and wording for the
// codes clients look at.
func TestRawErrorDocuments(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	small, err := New(Options{Backend: s3mem.New(), MaxObjectSize: 10, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := small.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	smallSrv := newServer(t, small, false)
	b := "/" + testBucket
	rawExchange(t, srv, request(http.MethodPut, b+"/obj", nil, []byte("0123456789")), false)
	create := rawExchange(t, srv, request(http.MethodPost, b+"/mp?uploads", nil, nil), false)
	var created struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(create.body, &created); err != nil || created.UploadID == "" {
		t.Fatalf("CreateMultipartUpload: %d %s", create.StatusCode, create.body)
	}
	complete := []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>")
	skewed := time.Now().Add(-time.Hour).UTC().Format("20060102T150405Z")

	cases := []struct {
		name, method, path string
		hdr                [][2]string
		body               []byte
		small              bool // sent to the Front with a 10-byte limit
		status             int
		code, message      string // message "" : any non-empty
		elems              []string
	}{
		{name: "NoSuchKey", method: "GET", path: b + "/missing", status: 404, code: "NoSuchKey", message: "The specified key does not exist.", elems: []string{"<Key>missing</Key>"}},
		{name: "NoSuchKey tagging", method: "GET", path: b + "/missing?tagging", status: 404, code: "NoSuchKey", message: "The specified key does not exist."},
		{name: "NoSuchBucket object", method: "GET", path: "/no-such-bucket/k", status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist", elems: []string{"<BucketName>no-such-bucket</BucketName>"}},
		{name: "NoSuchBucket list", method: "GET", path: "/no-such-bucket", status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist"},
		{name: "NoSuchBucket acl", method: "GET", path: "/no-such-bucket?acl", status: 404, code: "NoSuchBucket", message: "The specified bucket does not exist"},
		{name: "KeyTooLongError", method: "PUT", path: b + "/" + strings.Repeat("k", 1025), body: []byte("x"), status: 400, code: "KeyTooLongError", message: "Your key is too long"},
		{name: "InvalidArgument", method: "PUT", path: b + "/a/../b", body: []byte("x"), status: 400, code: "InvalidArgument"},
		{name: "MethodNotAllowed object", method: "PATCH", path: b + "/obj", status: 405, code: "MethodNotAllowed", message: "The specified method is not allowed against this resource.", elems: []string{"<Method>PATCH</Method>", "<ResourceType>OBJECT</ResourceType>"}},
		{name: "MethodNotAllowed tagging", method: "POST", path: b + "/obj?tagging", body: []byte{}, status: 405, code: "MethodNotAllowed", elems: []string{"<Method>POST</Method>"}},
		{name: "MethodNotAllowed root", method: "DELETE", path: "/", status: 405, code: "MethodNotAllowed"},
		{name: "EntityTooLarge", method: "PUT", path: b + "/big", body: make([]byte, 11), small: true, status: 400, code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed size"},
		{name: "NoSuchUpload parts", method: "GET", path: b + "/mp?uploadId=bogus", status: 404, code: "NoSuchUpload", message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
		{name: "NoSuchUpload complete", method: "POST", path: b + "/mp?uploadId=bogus", body: complete, status: 404, code: "NoSuchUpload", message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
		{name: "NoSuchUpload part", method: "PUT", path: b + "/mp?uploadId=bogus&partNumber=1", body: []byte("x"), status: 404, code: "NoSuchUpload"},
		{name: "InvalidPart", method: "POST", path: b + "/mp?uploadId=" + created.UploadID, body: complete, status: 400, code: "InvalidPart"},
		{name: "InvalidPart number", method: "PUT", path: b + "/mp?uploadId=" + created.UploadID + "&partNumber=0", body: []byte("x"), status: 400, code: "InvalidArgument"},
		{name: "InvalidRange", method: "GET", path: b + "/obj", hdr: [][2]string{{"Range", "bytes=100-200"}}, status: 416, code: "InvalidRange", message: "The requested range is not satisfiable"},
		{name: "NotImplemented", method: "PUT", path: b + "?lifecycle", body: []byte("<x/>"), status: 501, code: "NotImplemented"},
		{name: "InvalidDigest", method: "PUT", path: b + "/d", hdr: [][2]string{{"Content-MD5", "abc"}}, body: []byte("x"), status: 400, code: "InvalidDigest"},
		{name: "BadDigest", method: "PUT", path: b + "/d", hdr: [][2]string{{"X-Amz-Checksum-Crc32", "AAAAAA=="}}, body: []byte("x"), status: 400, code: "BadDigest"},
		{name: "BucketNotEmpty", method: "DELETE", path: b, status: 409, code: "BucketNotEmpty", message: "The bucket you tried to delete is not empty"},
		{name: "InvalidBucketName", method: "PUT", path: "/Bad_Bucket!", status: 400, code: "InvalidBucketName"},
		{name: "MalformedXML", method: "PUT", path: b + "/obj?tagging", body: []byte("not xml"), status: 400, code: "MalformedXML"},
		{name: "MalformedACLError", method: "PUT", path: b + "/obj?acl", body: []byte("not xml"), status: 400, code: "MalformedACLError"},
		{name: "RequestTimeTooSkewed", method: "GET", path: b + "/obj", hdr: [][2]string{{"X-Amz-Date", skewed}}, status: 403, code: "RequestTimeTooSkewed"},
		{name: "IncompleteBody", method: "PUT", path: b + "/short", hdr: [][2]string{{"Content-Length", "5"}, {"X-Amz-Decoded-Content-Length", "3"}, {"Content-Encoding", "aws-chunked"}}, body: []byte("0\r\n\r\n"), status: 400, code: "IncompleteBody"},
		{name: "PreconditionFailed", method: "PUT", path: b + "/obj", hdr: [][2]string{{"If-None-Match", "*"}}, body: []byte("x"), status: 412, code: "PreconditionFailed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := srv
			if c.small {
				s = smallSrv
			}
			resp := rawExchange(t, s, request(c.method, c.path, c.hdr, c.body), false)
			e := checkErrorDocument(t, resp)
			if resp.StatusCode != c.status || e.Code != c.code {
				t.Errorf("status %d code %s, want %d %s: %s", resp.StatusCode, e.Code, c.status, c.code, resp.body)
			}
			if c.message != "" && e.Message != c.message {
				t.Errorf("message %q, want %q", e.Message, c.message)
			}
			for _, el := range c.elems {
				if !strings.Contains(string(resp.body), el) {
					t.Errorf("no %s in %s", el, resp.body)
				}
			}
		})
	}

	// HEAD: no body, but the status and the request id headers.
	for _, p := range []string{b + "/missing", "/no-such-bucket/k", "/no-such-bucket"} {
		resp := rawExchange(t, srv, request(http.MethodHead, p, nil, nil), false)
		if resp.StatusCode != 404 || resp.Header.Get("X-Amz-Request-Id") == "" || resp.Header.Get("X-Amz-Id-2") == "" || len(resp.body) != 0 {
			t.Errorf("HEAD %s: status %d, request id %q, id-2 %q, %d body bytes", p, resp.StatusCode, resp.Header.Get("X-Amz-Request-Id"), resp.Header.Get("X-Amz-Id-2"), len(resp.body))
		}
	}
}

// checkErrorDocument checks that resp is an S3 error: 4xx or 5xx, an XML
// body with Code, Message, RequestId and HostId, and the ids in headers.
func checkErrorDocument(tb testing.TB, resp *rawResponse) xmlError {
	tb.Helper()
	var e xmlError
	if err := xml.Unmarshal(resp.body, &e); err != nil {
		tb.Fatalf("status %d: body is not an S3 error document: %v: %q", resp.StatusCode, err, resp.body)
	}
	if resp.StatusCode < 400 || resp.StatusCode > 599 {
		tb.Errorf("status %d, want 4xx or 5xx", resp.StatusCode)
	}
	for name, v := range map[string]string{"Code": e.Code, "Message": e.Message, "RequestId": e.RequestID, "HostId": e.HostID} {
		if v == "" {
			tb.Errorf("no %s: %s", name, resp.body)
		}
	}
	if got := resp.Header.Get("X-Amz-Request-Id"); got != e.RequestID {
		tb.Errorf("x-amz-request-id %q, RequestId %q", got, e.RequestID)
	}
	if got := resp.Header.Get("X-Amz-Id-2"); got != e.HostID {
		tb.Errorf("x-amz-id-2 %q, HostId %q", got, e.HostID)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		tb.Errorf("Content-Type %q", ct)
	}
	return e
}
