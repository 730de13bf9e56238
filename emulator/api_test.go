package emulator

import (
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/emulator/trail"
)

// newTestEmulator returns an Emulator on a virtual clock, for handler tests.
func newTestEmulator(t testing.TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := New(append([]Option{WithClock(trail.NewFakeClock(DefaultStartTime))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// call sends a raw JSON 1.1 request to the handler.
func call(e http.Handler, target, contentType, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return w
}

const (
	ctLong  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	ctShort = "CloudTrail_20131101."
	ctJSON  = "application/x-amz-json-1.1"
)

// checkErrorShape checks the JSON 1.1 error shape and returns its code.
func checkErrorShape(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", w.Body.String(), err)
	}
	if body.Type == "" || body.Message == "" {
		t.Errorf("error body %s lacks __type or message", w.Body.String())
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != body.Type {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, body.Type)
	}
	if w.Header().Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId header")
	}
	return body.Type
}

func TestCloudTrailErrors(t *testing.T) {
	e := newTestEmulator(t)
	e.Record(testRecord(1, e.Now()))
	tests := []struct {
		name, target, ct, body, code string
		status                       int
	}{
		{"MaxResults 0", ctLong + "LookupEvents", ctJSON, `{"MaxResults":0}`, "InvalidMaxResultsException", 400},
		{"MaxResults 51", ctShort + "LookupEvents", ctJSON, `{"MaxResults":51}`, "InvalidMaxResultsException", 400},
		{"MaxResults fraction", ctShort + "LookupEvents", ctJSON, `{"MaxResults":1.5}`, "InvalidMaxResultsException", 400},
		{"bad NextToken", ctLong + "LookupEvents", ctJSON, `{"NextToken":"bogus"}`, "InvalidNextTokenException", 400},
		{"EndTime before StartTime", ctLong + "LookupEvents", ctJSON, `{"StartTime":1741079021.5,"EndTime":1741079020}`, "InvalidTimeRangeException", 400},
		{"unknown attribute key", ctLong + "LookupEvents", ctJSON, `{"LookupAttributes":[{"AttributeKey":"eventName","AttributeValue":"x"}]}`, "InvalidLookupAttributesException", 400},
		{"two attributes", ctLong + "LookupEvents", ctJSON, `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"x"},{"AttributeKey":"Username","AttributeValue":"y"}]}`, "InvalidLookupAttributesException", 400},
		{"empty attribute value", ctLong + "LookupEvents", ctJSON, `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":""}]}`, "InvalidLookupAttributesException", 400},
		{"bad category", ctLong + "LookupEvents", ctJSON, `{"EventCategory":"data"}`, "InvalidEventCategoryException", 400},
		{"malformed JSON", ctLong + "LookupEvents", ctJSON, `{"MaxResults":`, "SerializationException", 400},
		{"wrong member type", ctLong + "LookupEvents", ctJSON, `{"LookupAttributes":"x"}`, "SerializationException", 400},
		{"bad time", ctLong + "LookupEvents", ctJSON, `{"StartTime":"yesterday"}`, "SerializationException", 400},
		{"wrong content type", ctLong + "LookupEvents", "text/plain", `{}`, "SerializationException", 400},
		{"unknown CloudTrail op", ctLong + "CreateTrail", ctJSON, `{}`, "UnknownOperationException", 400},
		{"unknown target", "DynamoDB_20120810.GetItem", ctJSON, `{}`, "UnknownOperationException", 400},
		{"unknown Firehose op", "Firehose_20150804.Bogus", ctJSON, `{}`, "UnknownOperationException", 400},
		{"unknown trail", ctLong + "GetTrailStatus", ctJSON, `{"Name":"other"}`, "TrailNotFoundException", 400},
		{"ListPublicKeys range", ctLong + "ListPublicKeys", ctJSON, `{"StartTime":10,"EndTime":5}`, "InvalidTimeRangeException", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := call(e, tc.target, tc.ct, tc.body)
			if w.Code != tc.status {
				t.Errorf("status = %d, want %d (%s)", w.Code, tc.status, w.Body.String())
			}
			if got := checkErrorShape(t, w); got != tc.code {
				t.Errorf("__type = %q, want %q", got, tc.code)
			}
		})
	}
}

func TestLookupEventsNextTokenNeedsSameParameters(t *testing.T) {
	e := newTestEmulator(t)
	for i := range 5 {
		e.Record(testRecord(i, e.Now().Add(-time.Duration(i)*time.Minute)))
	}
	w := call(e, ctShort+"LookupEvents", ctJSON, `{"MaxResults":2}`)
	var page struct {
		Events    []json.RawMessage
		NextToken string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || page.NextToken == "" || len(page.Events) != 2 {
		t.Fatalf("first page = %s, want 2 events and a NextToken", w.Body.String())
	}
	w = call(e, ctShort+"LookupEvents", ctJSON, `{"MaxResults":2,"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateDeliveryStream"}],"NextToken":"`+page.NextToken+`"}`)
	if got := checkErrorShape(t, w); got != "InvalidNextTokenException" {
		t.Errorf("NextToken with other parameters: __type = %q, want InvalidNextTokenException", got)
	}
	w = call(e, ctShort+"LookupEvents", ctJSON, `{"MaxResults":3,"NextToken":"`+page.NextToken+`"}`)
	if w.Code != 200 {
		t.Errorf("NextToken with the same parameters: %d %s", w.Code, w.Body.String())
	}
}

func TestDescribeTrailsAndStatus(t *testing.T) {
	e := newTestEmulator(t)
	w := call(e, ctLong+"DescribeTrails", ctJSON, `{"trailNameList":[],"includeShadowTrails":true}`)
	var dt struct {
		TrailList []struct {
			Name, S3BucketName, TrailARN, HomeRegion string
			LogFileValidationEnabled                 bool
		} `json:"trailList"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &dt); err != nil || len(dt.TrailList) != 1 {
		t.Fatalf("DescribeTrails = %s", w.Body.String())
	}
	tr := dt.TrailList[0]
	if tr.S3BucketName != DefaultBucket || !tr.LogFileValidationEnabled || tr.TrailARN != "arn:aws:cloudtrail:us-east-1:111122223333:trail/firetrail" {
		t.Errorf("trail = %+v", tr)
	}
	w = call(e, ctShort+"GetTrailStatus", ctJSON, `{"Name":"`+tr.TrailARN+`"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"IsLogging":true`) {
		t.Errorf("GetTrailStatus = %d %s", w.Code, w.Body.String())
	}
}

func TestListPublicKeysVerifiesDigest(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, testLogger(t))
	emu.Record(testRecord(1, emu.Now()))
	emu.Advance(2 * time.Hour)

	out, err := cloudtrail.NewFromConfig(emu.AWSConfig()).ListPublicKeys(t.Context(), &cloudtrail.ListPublicKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PublicKeyList) != 1 {
		t.Fatalf("%d public keys, want 1", len(out.PublicKeyList))
	}
	k := out.PublicKeyList[0]
	sum := md5.Sum(k.Value)
	if got := hex.EncodeToString(sum[:]); got != aws.ToString(k.Fingerprint) {
		t.Errorf("Fingerprint = %s, want MD5 of the DER %s", aws.ToString(k.Fingerprint), got)
	}
	pub, err := x509.ParsePKCS1PublicKey(k.Value)
	if err != nil {
		t.Fatalf("Value is not a DER PKCS#1 public key: %v", err)
	}

	c := emu.S3Client()
	list, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(emu.Bucket), Prefix: aws.String("AWSLogs/111122223333/CloudTrail-Digest/")})
	if err != nil || len(list.Contents) == 0 {
		t.Fatalf("no digests: %v", err)
	}
	key := aws.ToString(list.Contents[0].Key)
	obj, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	raw := gunzipBody(t, obj.Body)
	var d struct {
		DigestEndTime              string  `json:"digestEndTime"`
		DigestPublicKeyFingerprint string  `json:"digestPublicKeyFingerprint"`
		PreviousDigestSignature    *string `json:"previousDigestSignature"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if d.DigestPublicKeyFingerprint != aws.ToString(k.Fingerprint) {
		t.Errorf("digest fingerprint %s, ListPublicKeys %s", d.DigestPublicKeyFingerprint, aws.ToString(k.Fingerprint))
	}
	h := sha256.Sum256(raw)
	prev := "null"
	if d.PreviousDigestSignature != nil {
		prev = *d.PreviousDigestSignature
	}
	toSign := d.DigestEndTime + "\n" + emu.Bucket + "/" + key + "\n" + hex.EncodeToString(h[:]) + "\n" + prev
	sig, err := hex.DecodeString(obj.Metadata["signature"])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(toSign))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("digest signature does not verify with the listed key: %v", err)
	}
}

func gunzipBody(t *testing.T, r io.ReadCloser) []byte {
	t.Helper()
	defer r.Close()
	zr, err := gzipNewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
