package s3front

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// rawMultipart uploads parts with bare requests and completes the upload.
func rawMultipart(t *testing.T, srv *httptest.Server, key string, createHdr [][2]string, parts [][]byte, completeHdr [][2]string) *rawResponse {
	t.Helper()
	resp := rawExchange(t, srv, request(http.MethodPost, "/"+testBucket+"/"+key+"?uploads", createHdr, nil), false)
	if resp.StatusCode != 200 {
		t.Fatalf("CreateMultipartUpload: %d %s", resp.StatusCode, resp.body)
	}
	var init struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(resp.body, &init); err != nil || init.UploadID == "" {
		t.Fatalf("CreateMultipartUpload body %s: %v", resp.body, err)
	}
	var complete strings.Builder
	complete.WriteString("<CompleteMultipartUpload>")
	for i, p := range parts {
		r := rawExchange(t, srv, request(http.MethodPut, fmt.Sprintf("/%s/%s?partNumber=%d&uploadId=%s", testBucket, key, i+1, init.UploadID), nil, p), false)
		if r.StatusCode != 200 {
			t.Fatalf("UploadPart %d: %d %s", i+1, r.StatusCode, r.body)
		}
		fmt.Fprintf(&complete, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, r.Header.Get("ETag"))
	}
	complete.WriteString("</CompleteMultipartUpload>")
	return rawExchange(t, srv, request(http.MethodPost, "/"+testBucket+"/"+key+"?uploadId="+init.UploadID, completeHdr, []byte(complete.String())), false)
}

func TestRawMultipartChecksums(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	parts := [][]byte{randomBytes(300_000, 1), randomBytes(300_000, 2), randomBytes(1000, 3)}
	var whole []byte
	for _, p := range parts {
		whole = append(whole, p...)
	}
	get := func(key string) *rawResponse {
		return rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"/"+key, [][2]string{{"X-Amz-Checksum-Mode", "ENABLED"}}, nil), false)
	}

	t.Run("default full-object CRC64NVME", func(t *testing.T) {
		resp := rawMultipart(t, srv, "default", nil, parts, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("Complete: %d %s", resp.StatusCode, resp.body)
		}
		g := get("default")
		mustEqualBytes(t, "GET", g.body, whole)
		if got, want := g.Header.Get("X-Amz-Checksum-Crc64nvme"), b64(algCRC64NVME.sum(whole)); got != want || g.Header.Get("X-Amz-Checksum-Type") != "FULL_OBJECT" {
			t.Errorf("checksum %q (%s), want %q FULL_OBJECT", got, g.Header.Get("X-Amz-Checksum-Type"), want)
		}
		if etag := g.Header.Get("ETag"); !strings.HasSuffix(etag, `-3"`) {
			t.Errorf("ETag %s, want a multipart ETag", etag)
		}
	})
	t.Run("full-object CRC32 verified", func(t *testing.T) {
		create := [][2]string{{"X-Amz-Checksum-Algorithm", "CRC32"}, {"X-Amz-Checksum-Type", "FULL_OBJECT"}}
		resp := rawMultipart(t, srv, "full-ok", create, parts, [][2]string{{"X-Amz-Checksum-Crc32", b64(algCRC32.sum(whole))}})
		if resp.StatusCode != 200 {
			t.Fatalf("Complete: %d %s", resp.StatusCode, resp.body)
		}
		if !strings.Contains(string(resp.body), "<ChecksumCRC32>"+b64(algCRC32.sum(whole))+"</ChecksumCRC32>") {
			t.Errorf("Complete body lacks the checksum: %s", resp.body)
		}
		if got := get("full-ok").Header.Get("X-Amz-Checksum-Crc32"); got != b64(algCRC32.sum(whole)) {
			t.Errorf("GET checksum %q", got)
		}
		resp = rawMultipart(t, srv, "full-bad", create, parts, [][2]string{{"X-Amz-Checksum-Crc32", b64([]byte{1, 2, 3, 4})}})
		if resp.StatusCode != 400 || errorCode(t, resp) != "BadDigest" {
			t.Errorf("Complete with a wrong full-object checksum: %d %s", resp.StatusCode, resp.body)
		}
		if g := get("full-bad"); g.StatusCode != 404 {
			t.Errorf("GET after refused Complete: %d", g.StatusCode)
		}
	})
	t.Run("composite CRC32C", func(t *testing.T) {
		resp := rawMultipart(t, srv, "comp", [][2]string{{"X-Amz-Checksum-Algorithm", "CRC32C"}}, parts, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("Complete: %d %s", resp.StatusCode, resp.body)
		}
		var cat []byte
		for _, p := range parts {
			cat = append(cat, algCRC32C.sum(p)...)
		}
		want := b64(algCRC32C.sum(cat)) + "-3"
		g := get("comp")
		if got := g.Header.Get("X-Amz-Checksum-Crc32c"); got != want || g.Header.Get("X-Amz-Checksum-Type") != "COMPOSITE" {
			t.Errorf("checksum %q, want %q", got, want)
		}
		mustEqualBytes(t, "GET", g.body, whole)
	})
	t.Run("invalid combination", func(t *testing.T) {
		resp := rawExchange(t, srv, request(http.MethodPost, "/"+testBucket+"/x?uploads", [][2]string{{"X-Amz-Checksum-Algorithm", "SHA256"}, {"X-Amz-Checksum-Type", "FULL_OBJECT"}}, nil), false)
		if resp.StatusCode != 400 {
			t.Errorf("SHA256 FULL_OBJECT: %d", resp.StatusCode)
		}
	})
}
