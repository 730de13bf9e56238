package s3front

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/firetrail/firetrail/internal/fuzzhist"
)

// checkS3Answer fails unless w is a success or S3's XML error document
// with a 4xx status (or 501 NotImplemented), never a 5xx or a panic.
func checkS3Answer(t *testing.T, what string, code int, body []byte) {
	t.Helper()
	switch {
	case code/100 == 2:
	case code/100 == 4 || code == http.StatusNotImplemented:
		var e xmlError
		if err := xml.Unmarshal(body, &e); err != nil || e.Code == "" || e.Message == "" || e.RequestID == "" {
			t.Fatalf("%s: status %d: not an S3 error document: %q (%v)", what, code, body, err)
		}
		if code == http.StatusNotImplemented && e.Code != "NotImplemented" {
			t.Fatalf("%s: 501 with code %s", what, e.Code)
		}
	default:
		t.Fatalf("%s: status %d: %s", what, code, body)
	}
}

// s3XMLTargets are the S3 requests with an XML body: method and path
// (%s is the bucket). The body of each is fuzzed.
var s3XMLTargets = []struct{ method, path string }{
	{http.MethodPut, "/%s?tagging"},
	{http.MethodPut, "/%s/obj?tagging"},
	{http.MethodPut, "/%s?acl"},
	{http.MethodPut, "/%s/obj?acl"},
	{http.MethodPut, "/%s?encryption"},
	{http.MethodPut, "/%s?versioning"},
	{http.MethodPost, "/%s?delete"},
	{http.MethodPost, "/%s/mpu?uploadId="}, // CompleteMultipartUpload: the upload is made per input
}

// FuzzS3XMLBodies sends any body as the XML of PutBucketTagging,
// PutObjectTagging, PutBucketAcl, PutObjectAcl, PutBucketEncryption,
// PutBucketVersioning, DeleteObjects (to a bucket with and without
// notifications) and CompleteMultipartUpload. Every answer is a success
// or S3's XML error with a 4xx (501 for what S3 itself does not
// implement here). What tagging and encryption accept reads back, and the
// document read back is accepted again and reads back the same.
func FuzzS3XMLBodies(f *testing.F) {
	seeds := []struct {
		target uint8
		body   string
	}{
		{0, `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag><Tag><Key>c d</Key><Value></Value></Tag></TagSet></Tagging>`},
		{1, `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`},
		{1, `<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k</Key><Value>w</Value></Tag></TagSet></Tagging>`},
		{2, `<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>`},
		{3, `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`},
		{4, `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`},
		{4, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:aws:kms:us-east-1:111122223333:key/k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`},
		{5, `<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`},
		{5, `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>`},
		{6, `<Delete><Quiet>true</Quiet><Object><Key>obj</Key></Object><Object><Key>missing</Key></Object><Object><Key>dir/a b+c(1)=é.txt</Key></Object></Delete>`},
		{6 + 8, `<Delete><Object><Key>obj</Key><VersionId>null</VersionId></Object><Object><Key>zza</Key></Object></Delete>`},
		{7, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`},
		{7, `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>ETAG</ETag></Part></CompleteMultipartUpload>`},
		{7, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>ETAG</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><PartNumber>1</PartNumber><ETag>ETAG</ETag></Part></CompleteMultipartUpload>`},
		{0, ``},
		{6, `<Delete>`},
	}
	for _, s := range seeds {
		f.Add(s.target, []byte(s.body))
	}
	front, _ := newNotifyFront(f, Options{})
	const notified = "notified-bucket"
	if err := front.CreateBucket(notified); err != nil {
		f.Fatal(err)
	}
	if w := do(front, http.MethodPut, "/"+notified+"?notification", []byte(notificationXML(queueConfig("q", "s3:ObjectRemoved:*", "")))); w.Code != 200 {
		f.Fatalf("notification: %d %s", w.Code, w.Body)
	}
	for _, b := range []string{testBucket, notified} {
		if w := do(front, http.MethodPut, "/"+b+"/obj", []byte("data")); w.Code != 200 {
			f.Fatalf("PutObject: %d %s", w.Code, w.Body)
		}
	}
	var hist fuzzhist.History // the front is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, target uint8, body []byte) {
		defer hist.Report(t)
		tg := s3XMLTargets[int(target)%len(s3XMLTargets)]
		bucket := testBucket
		if target/uint8(len(s3XMLTargets))%2 == 1 {
			bucket = notified
		}
		path := fmt.Sprintf(tg.path, bucket)
		if strings.HasSuffix(path, "uploadId=") {
			id, etag := startUpload(t, front, bucket)
			path += url.QueryEscape(id)
			body = bytes.ReplaceAll(body, []byte("ETAG"), []byte(etag))
		}
		w := do(front, tg.method, path, body)
		checkS3Answer(t, tg.method+" "+path, w.Code, w.Body.Bytes())
		if w.Code/100 == 2 {
			hist.Add("%s %s %q", tg.method, path, body)
		}
		if w.Code != 200 || tg.method != http.MethodPut {
			return
		}
		sub := path[strings.IndexByte(path, '?'):]
		if sub != "?tagging" && sub != "?encryption" {
			return
		}
		// Read back, write what was read, read again: the same document.
		get := do(front, http.MethodGet, path, nil)
		if get.Code != 200 {
			t.Fatalf("GET %s after PUT: %d %s", path, get.Code, get.Body)
		}
		if put := do(front, http.MethodPut, path, get.Body.Bytes()); put.Code != 200 {
			t.Fatalf("PUT %s of its own GET %q: %d %s", path, get.Body, put.Code, put.Body)
		}
		again := do(front, http.MethodGet, path, nil)
		if !bytes.Equal(again.Body.Bytes(), get.Body.Bytes()) {
			t.Fatalf("GET %s changed on a round trip:\n%s\n%s", path, get.Body, again.Body)
		}
		if sub == "?tagging" {
			var tg tagging
			if err := xml.Unmarshal(get.Body.Bytes(), &tg); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			if err := validateTags(tg.TagSet); err != nil {
				t.Fatalf("stored tags %v are invalid: %v", tg.TagSet, err)
			}
		}
	})
}

// startUpload creates a multipart upload of bucket/mpu with one part and
// returns its ID and the part's ETag.
func startUpload(t *testing.T, front http.Handler, bucket string) (string, string) {
	w := do(front, http.MethodPost, "/"+bucket+"/mpu?uploads", nil)
	if w.Code != 200 {
		t.Fatalf("CreateMultipartUpload: %d %s", w.Code, w.Body)
	}
	var out struct{ UploadId string }
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil || out.UploadId == "" {
		t.Fatalf("CreateMultipartUpload answer %s: %v", w.Body, err)
	}
	w = do(front, http.MethodPut, "/"+bucket+"/mpu?partNumber=1&uploadId="+url.QueryEscape(out.UploadId), []byte("part one"))
	if w.Code != 200 {
		t.Fatalf("UploadPart: %d %s", w.Code, w.Body)
	}
	return out.UploadId, w.Header().Get("ETag")
}

// FuzzS3ChunkedPut sends any body as an aws-chunked PutObject, with and
// without x-amz-decoded-content-length and a trailer: a 4xx S3 error or a
// success whose stored object has the decoded length.
func FuzzS3ChunkedPut(f *testing.F) {
	for i, s := range chunkedSeeds() {
		f.Add(uint8(i), s)
	}
	f.Add(uint8(255), []byte("5\r\nhello\r\n0\r\n\r\n"))
	front := newTestFront(f)
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		dec := awsChunkedDecoder{MaxDecoded: 1 << 20, Declared: -1}
		data, _, derr := dec.decode(bufio.NewReader(bytes.NewReader(body)), nil)
		headers := []string{"Content-Encoding", "aws-chunked", "X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}
		if mode&1 == 0 && derr == nil {
			headers = append(headers, "X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
		}
		if mode&2 != 0 {
			headers = append(headers, "X-Amz-Trailer", "x-amz-checksum-crc32")
		}
		w := do(front, http.MethodPut, "/"+testBucket+"/chunked", body, headers...)
		checkS3Answer(t, "PUT aws-chunked", w.Code, w.Body.Bytes())
		if w.Code != 200 {
			return
		}
		if derr != nil {
			t.Fatalf("front accepted a body the decoder refuses (%v)", derr)
		}
		get := do(front, http.MethodGet, "/"+testBucket+"/chunked", nil)
		if get.Code != 200 || !bytes.Equal(get.Body.Bytes(), data) {
			t.Fatalf("GET after an aws-chunked PUT: %d, %d bytes, want %d", get.Code, get.Body.Len(), len(data))
		}
	})
}

// FuzzTaggingHeader parses any x-amz-tagging header: an S3 error, or tags
// that are valid and encode to a header parsing to the same tags.
func FuzzTaggingHeader(f *testing.F) {
	for _, s := range []string{"a=b", "k1=v1&k2=v2", "a=&b", "a=1&a=2", "%zz", "Project=x%20y&Cost+Center=1%2B1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tags, err := parseTaggingHeader(v)
		if err != nil {
			if _, ok := err.(*s3Error); !ok {
				t.Fatalf("%q: error %T %v is not an S3 error", v, err, err)
			}
			return
		}
		q := url.Values{}
		for _, tg := range tags {
			q.Add(tg.Key, tg.Value)
		}
		again, err := parseTaggingHeader(q.Encode())
		if err != nil {
			t.Fatalf("%q: re-encoded %q refused: %v", v, q.Encode(), err)
		}
		sortTags := func(s []tag) []tag {
			s = slices.Clone(s)
			slices.SortFunc(s, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
			return s
		}
		if !slices.Equal(sortTags(tags), sortTags(again)) {
			t.Fatalf("%q: %v, after a round trip %v", v, tags, again)
		}
	})
}

// FuzzLoadNotifications reads any saved notification file
// (Options.NotificationPath): New refuses it with an error, or loads it,
// and what it saves loads again and saves the same.
func FuzzLoadNotifications(f *testing.F) {
	f.Add([]byte(`{"buckets":{"test-bucket":{"QueueConfigurations":[{"Id":"q","Queue":"arn:aws:sqs:us-east-1:111122223333:q","Events":["s3:ObjectCreated:*"]}]}}}`))
	f.Add([]byte(`{"buckets":{"b":null,"c":{}}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	// A configuration as the front saves it.
	seedDir := f.TempDir()
	seedPath := filepath.Join(seedDir, "notifications.json")
	sf, _ := newNotifyFront(f, Options{NotificationPath: seedPath})
	if w := do(sf, http.MethodPut, "/"+testBucket+"?notification", []byte(notificationXML(
		`<TopicConfiguration><Id>logs</Id><Topic>`+testTopic+`</Topic><Event>s3:ObjectCreated:*</Event>`+filterXML("prefix", "AWSLogs/", "Suffix", ".json.gz")+`</TopicConfiguration>`,
		queueConfig("", "s3:ObjectRemoved:*", ""), `<EventBridgeConfiguration/>`))); w.Code != 200 {
		f.Fatalf("notification: %d %s", w.Code, w.Body)
	}
	if b, err := os.ReadFile(seedPath); err == nil {
		f.Add(b)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "n.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		fr, err := New(Options{Backend: s3mem.New(), NotificationPath: path})
		if err != nil {
			return
		}
		save := func(fr *Front, to string) []byte {
			fr.mu.Lock()
			fr.notificationPath = to
			err := fr.saveNotificationsLocked()
			fr.mu.Unlock()
			if err != nil {
				t.Fatalf("save: %v", err)
			}
			out, err := os.ReadFile(to)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		enc := save(fr, filepath.Join(dir, "1.json"))
		if !json.Valid(enc) {
			t.Fatalf("saved invalid JSON %q", enc)
		}
		fr2, err := New(Options{Backend: s3mem.New(), NotificationPath: filepath.Join(dir, "1.json")})
		if err != nil {
			t.Fatalf("load(save(load(%q))): %v", b, err)
		}
		if enc2 := save(fr2, filepath.Join(dir, "2.json")); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the file:\n%s\n%s", enc, enc2)
		}
	})
}
