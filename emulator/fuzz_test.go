package emulator

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	fhapi "github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/internal/fuzzhist"
)

// fuzzAPI checks that any body to any of ops gets either a 200 or a 4xx
// JSON 1.1 error, never a panic or a 5xx.
func fuzzAPI(f *testing.F, prefix string, ops []string, seeds []string) {
	e := newTestEmulator(f)
	for i := range 20 {
		_ = e.Record(testRecord(i, e.Now().Add(-time.Duration(i)*time.Minute)))
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	var hist fuzzhist.History // e is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		defer hist.Report(t)
		target := prefix + ops[int(op)%len(ops)]
		w := call(e, target, ctJSON, body)
		if w.Code == 200 {
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %q: 200 with invalid JSON %q", target, body, w.Body.String())
			}
			hist.Add("%s %q", target, body)
			return
		}
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", target, body, w.Code, w.Body.String())
		}
		var eb struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Type == "" {
			t.Fatalf("%s %q: error body %q is not the JSON 1.1 shape", target, body, w.Body.String())
		}
	})
}

func FuzzCloudTrailAPI(f *testing.F) {
	fuzzAPI(f, ctLong, []string{"LookupEvents", "ListPublicKeys", "DescribeTrails", "GetTrailStatus", "Bogus"}, []string{
		`{}`, `{"MaxResults":3}`, `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateDeliveryStream"}]}`,
		`{"StartTime":1741079021.5,"EndTime":"1741079999"}`, `{"NextToken":"AAAA"}`, `{"trailNameList":["firetrail"]}`,
		`{"Name":"firetrail"}`, `[`, `null`, `{"MaxResults":1e400}`,
	})
}

func FuzzFirehoseAPI(f *testing.F) {
	fuzzAPI(f, fhapi.TargetPrefix, []string{"CreateDeliveryStream", "DeleteDeliveryStream", "DescribeDeliveryStream",
		"ListDeliveryStreams", "ListTagsForDeliveryStream", "PutRecord", "PutRecordBatch", "StartDeliveryStreamEncryption",
		"StopDeliveryStreamEncryption", "TagDeliveryStream", "UntagDeliveryStream", "UpdateDestination"}, []string{
		`{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::1:role/r"}}`,
		`{"DeliveryStreamName":"s"}`, `{"DeliveryStreamName":"s","Limit":0}`, `{}`,
		`{"DeliveryStreamName":"s","Record":{"Data":"aGVsbG8="}}`, `{"DeliveryStreamName":"s","Records":[{"Data":"eA=="}]}`,
		`{"DeliveryStreamName":"s","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`,
		`{"DeliveryStreamName":"s","Tags":[{"Key":"k","Value":"v"}]}`, `{"DeliveryStreamName":"s","TagKeys":["k"]}`,
		`{"DeliveryStreamName":"s","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"p/"}}`,
		`{"DeliveryStreamName":"s","RedshiftDestinationConfiguration":{"Password":"p"}}`,
	})
}

// FuzzServeHTTP sends any method, path, X-Amz-Target, Content-Type and
// body through the routing table: every answer is a success or a 4xx in
// the shape of the protocol the request was routed to (JSON with __type
// for X-Amz-Target and the control endpoint, S3's XML Error otherwise),
// never a panic or a 5xx — but S3's own 501 NotImplemented, which S3
// answers for features it does not have (here: sub-resources the embedded
// S3 does not serve).
func FuzzServeHTTP(f *testing.F) {
	e := newTestEmulator(f)
	for _, s := range []struct{ method, path, target, ctype, body string }{
		{"POST", "/", "Firehose_20150804.ListDeliveryStreams", ctJSON, `{}`},
		{"POST", "/", "CloudTrail_20131101.GetTrailStatus", ctJSON, `{"Name":"firetrail"}`},
		{"POST", "/", "AmazonSQS.ListQueues", "application/x-amz-json-1.0", `{}`},
		{"GET", "/", "Firehose_20150804.ListDeliveryStreams", "text/plain", `{}`},
		{"POST", "/_firetrail/flush", "", "", ""},
		{"GET", "/_firetrail/health", "", "", ""},
		{"DELETE", "/_firetrail/x", "", "", ""},
		{"GET", "/" + DefaultBucket + "?list-type=2", "", "", ""},
		{"PUT", "/" + DefaultBucket + "/k", "", "text/plain", "x"},
		{"GET", "/" + DefaultBucket + "/missing", "", "", ""},
		{"POST", "/" + DefaultBucket + "?delete", "", "application/xml", "<Delete/>"},
	} {
		f.Add(s.method, s.path, s.target, s.ctype, s.body)
	}
	var hist fuzzhist.History // e is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, method, path, target, ctype, body string) {
		defer hist.Report(t)
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
		r.Method = method
		r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
		r.RequestURI = path
		if target != "" {
			r.Header.Set("X-Amz-Target", target)
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		s3NotImplemented := w.Code == http.StatusNotImplemented && target == "" && strings.Contains(w.Body.String(), "<Code>NotImplemented</Code>")
		if (w.Code >= 500 && !s3NotImplemented) || w.Code < 200 {
			t.Fatalf("%s %q target %q: status %d %s", method, path, target, w.Code, w.Body.String())
		}
		if w.Code/100 == 2 {
			hist.Add("%s %q target %q content-type %q %q", method, path, target, ctype, body)
		}
		if w.Code < 400 || method == http.MethodHead {
			return
		}
		if target != "" || strings.HasPrefix(r.URL.Path, controlPrefix) {
			var eb struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Type == "" {
				t.Fatalf("%s %q target %q: %d error body %q is not JSON with __type", method, path, target, w.Code, w.Body.String())
			}
			return
		}
		if r.URL.Path == e.notify.certPath || r.Header.Get("X-Amz-Target") != "" {
			return
		}
		var xe struct {
			Code, Message, RequestId string
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &xe); err != nil || xe.Code == "" || xe.RequestId == "" {
			t.Fatalf("%s %q: %d error body %q is not S3's XML Error", method, path, w.Code, w.Body.String())
		}
	})
}

// validMethod reports whether m is an HTTP token a client can send.
func validMethod(m string) bool {
	if m == "" || len(m) > 16 {
		return false
	}
	for _, c := range []byte(m) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
