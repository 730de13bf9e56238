package emulator

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthRequired sends requests with any Authorization header,
// X-Amz-Date and presigned query parameters, none of them signed with the
// secret, to an emulator with WithAuth. Nothing succeeds but what stays
// open (GET or HEAD of HealthPath, SNS's certificate and its unsigned
// ConfirmSubscription and Unsubscribe links); every refusal is a 4xx in
// the shape of the protocol the request was for, never a 5xx or a panic.
func FuzzAuthRequired(f *testing.F) {
	sig := "AWS4-HMAC-SHA256 Credential=" + DefaultAccessKeyID + "/20250304/us-east-1/%s/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0f", 32)
	cred := url.QueryEscape(DefaultAccessKeyID + "/20250304/us-east-1/s3/aws4_request")
	presigned := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + cred + "&X-Amz-Date=20250304T090000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("0f", 32)
	for _, s := range []struct{ method, path, target, auth, date, body string }{
		{"POST", "/", "Firehose_20150804.ListDeliveryStreams", strings.Replace(sig, "%s", "firehose", 1), "20250304T090000Z", `{}`},
		{"POST", "/", "CloudTrail_20131101.LookupEvents", strings.Replace(sig, "%s", "cloudtrail", 1), "20250304T090000Z", `{}`},
		{"POST", "/", "AmazonSQS.ListQueues", strings.Replace(sig, "%s", "sqs", 1), "20250304T090000Z", `{}`},
		{"POST", "/", "", strings.Replace(sig, "%s", "sqs", 1), "20250304T090000Z", "Action=ListQueues&Version=2012-11-05"},
		{"POST", "/", "", strings.Replace(sig, "%s", "sns", 1), "20990304T090000Z", "Action=ListTopics&Version=2010-03-31"},
		{"GET", "/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=00", "", "", "", ""},
		{"GET", "/" + DefaultBucket + "?list-type=2", "", strings.Replace(sig, "%s", "s3", 1), "20250304T090000Z", ""},
		{"PUT", "/" + DefaultBucket + "/k", "", "", "", "x"},
		{"GET", "/" + DefaultBucket + "/k?" + presigned, "", "", "", ""},
		{"POST", FlushPath, "", "", "", ""},
		{"GET", HealthPath, "", "", "", ""},
		{"POST", "/", "Firehose_20150804.ListDeliveryStreams", "AWS AKIA:c2ln", "", `{}`},
		{"POST", "/", "Firehose_20150804.ListDeliveryStreams", "AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d/e", "", `{}`},
	} {
		f.Add(s.method, s.path, s.target, s.auth, s.date, s.body)
	}
	e := newTestEmulator(f, WithAuth())
	f.Fuzz(func(t *testing.T, method, path, target, auth, date, body string) {
		if !validMethod(method) || !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\t#") ||
			strings.ContainsAny(target+auth+date, "\r\n") {
			return
		}
		if v, err := url.ParseQuery(body); err == nil && v.Get("WaitTimeSeconds") != "" {
			return
		}
		ctype := ""
		switch {
		case strings.HasPrefix(target, "AmazonSQS."):
			ctype = "application/x-amz-json-1.0"
		case target != "":
			ctype = ctJSON
		case strings.HasPrefix(body, "Action="):
			ctype = ctForm
		}
		r := newFuzzRequest(method, path, ctype, auth, body)
		if target != "" {
			r.Header.Set("X-Amz-Target", target)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		s3NotImplemented := w.Code == http.StatusNotImplemented && target == "" && strings.Contains(w.Body.String(), "<Code>NotImplemented</Code>")
		if (w.Code >= 500 && !s3NotImplemented) || w.Code < 200 {
			t.Fatalf("%s %q target %q auth %q: status %d %s", method, path, target, auth, w.Code, w.Body)
		}
		if w.Code < 300 {
			form, _ := expectQueryForm(r, body)
			open := (r.URL.Path == HealthPath && (method == http.MethodGet || method == http.MethodHead)) ||
				r.URL.Path == e.notify.certPath ||
				(target == "" && (form.Get("Action") == "ConfirmSubscription" || form.Get("Action") == "Unsubscribe"))
			if !open {
				t.Fatalf("unsigned %s %q target %q auth %q date %q body %q: %d %s", method, path, target, auth, date, body, w.Code, w.Body)
			}
			return
		}
		if w.Code < 400 || method == http.MethodHead || w.Body.Len() == 0 {
			return
		}
		if target != "" || strings.HasPrefix(r.URL.Path, controlPrefix) {
			var eb struct {
				Type string `json:"__type"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Type == "" {
				t.Fatalf("%s %q target %q: %d error %q is not JSON with __type", method, path, target, w.Code, w.Body)
			}
			return
		}
		var xe struct {
			XMLName xml.Name
			Code    string
			Error   struct{ Code string }
		}
		if err := xml.Unmarshal(w.Body.Bytes(), &xe); err != nil || xe.Code+xe.Error.Code == "" {
			t.Fatalf("%s %q: %d error %q is neither S3's nor the query protocol's", method, path, w.Code, w.Body)
		}
	})
}
