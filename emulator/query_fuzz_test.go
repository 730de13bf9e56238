package emulator

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/internal/fuzzhist"
)

const ctForm = "application/x-www-form-urlencoded"

// newFuzzRequest makes a request of method to path ("/p?q") with body; a
// non-empty auth is the Authorization header.
func newFuzzRequest(method, path, ctype, auth, body string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", strings.NewReader(body))
	r.Method = method
	r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
	r.RequestURI = path
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

// queryAnswer is either query-protocol document.
type queryAnswer struct {
	XMLName xml.Name
	Error   struct{ Type, Code, Message string }
	// RequestId is ErrorResponse's; successes have it in ResponseMetadata.
	RequestId        string
	ResponseMetadata struct{ RequestId string }
}

// FuzzQueryProtocol sends any form (URL query, form body or both) with
// any SigV4 Authorization header to the emulator. A request that is a
// query call by queryForm's rules and that queryRoute routes is answered in the query
// protocol's shape — <ActionResponse> with a 200, or <ErrorResponse> with
// a 4xx, a code and a request ID — and anything else reaches S3, never a
// 5xx.
func FuzzQueryProtocol(f *testing.F) {
	sqsAuth := "AWS4-HMAC-SHA256 Credential=AKIAFIRETRAILEXAMPLE/20250304/us-east-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
	snsAuth := strings.Replace(sqsAuth, "/sqs/", "/sns/", 1)
	for _, s := range []struct {
		post             bool
		path, auth, body string
	}{
		{true, "/", sqsAuth, "Action=CreateQueue&QueueName=q&Version=2012-11-05"},
		{true, "/123456789012/q", sqsAuth, "Action=SendMessage&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v"},
		{true, "/", sqsAuth, "Action=ReceiveMessage&QueueUrl=http%3A%2F%2Flocalhost%2F123456789012%2Fq&WaitTimeSeconds=0&MaxNumberOfMessages=10&AttributeName.1=All"},
		{true, "/", sqsAuth, "Action=ListQueues&MaxResults=1&NextToken=cTpx"},
		{true, "/", snsAuth, "Action=CreateTopic&Name=t&Version=2010-03-31"},
		{true, "/", snsAuth, "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3At&Message=m"},
		{true, "/", snsAuth, "Action=ListTopics&NextToken=YQ"},
		{false, "/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:t&Token=00", "", ""},
		{false, "/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:t:x", "", ""},
		{false, "/?Action=ListQueues&Version=2012-11-05", "", ""},
		{true, "/?Action=Bogus", "", "Version=2010-03-31"},
		{true, "/" + DefaultBucket, "", "key=a&x-amz-algorithm=AWS4-HMAC-SHA256"},
		{true, "/", "", "%zz"},
	} {
		f.Add(s.post, s.path, s.auth, s.body)
	}
	e := newTestEmulator(f)
	var hist fuzzhist.History // e is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, post bool, path, auth, body string) {
		defer hist.Report(t)
		if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, controlPrefix) || strings.ContainsAny(path, " \r\n\t#") || strings.ContainsAny(auth, "\r\n") {
			return
		}
		if v, err := url.ParseQuery(body); err == nil && v.Get("WaitTimeSeconds") != "" {
			return // no long polls in a fuzz run
		}
		if u, err := url.Parse(path); err == nil && u.Query().Get("WaitTimeSeconds") != "" {
			return
		}
		method := http.MethodGet
		if post {
			method = http.MethodPost
		}
		// What routing decides: queryForm's rules, then queryRoute.
		probe := newFuzzRequest(method, path, ctForm, auth, body)
		form, isQuery := expectQueryForm(probe, body)
		routed := false
		if isQuery {
			_, routed = e.queryRoute(probe, form)
		}
		w := httptest.NewRecorder()
		e.ServeHTTP(w, newFuzzRequest(method, path, ctForm, auth, body))
		s3NotImplemented := w.Code == http.StatusNotImplemented && strings.Contains(w.Body.String(), "<Code>NotImplemented</Code>")
		if (w.Code >= 500 && !s3NotImplemented) || w.Code < 200 {
			t.Fatalf("%s %q %q: status %d %s", method, path, body, w.Code, w.Body.String())
		}
		if w.Code/100 == 2 {
			hist.Add("%s %q auth %q %q", method, path, auth, body)
		}
		if !routed {
			return
		}
		var a queryAnswer
		if err := xml.Unmarshal(w.Body.Bytes(), &a); err != nil {
			t.Fatalf("%s %q %q: %d answer is not XML: %v\n%s", method, path, body, w.Code, err, w.Body)
		}
		switch {
		case w.Code == 200:
			if !strings.HasSuffix(a.XMLName.Local, "Response") || a.ResponseMetadata.RequestId == "" {
				t.Fatalf("%q: 200 answer not in the query shape: %s", body, w.Body)
			}
		case w.Code >= 400 && w.Code < 500:
			if a.XMLName.Local != "ErrorResponse" || a.Error.Code == "" || a.Error.Type == "" || a.RequestId == "" {
				t.Fatalf("%q: %d error not in the query shape: %s", body, w.Code, w.Body)
			}
		default:
			t.Fatalf("%q: routed query answered %d: %s", body, w.Code, w.Body)
		}
	})
}

// expectQueryForm is what queryForm answers for r, a form POST when its
// method is POST: the URL's parameters and the body's, when there is an
// Action.
func expectQueryForm(r *http.Request, body string) (url.Values, bool) {
	form := r.URL.Query()
	if r.Method == http.MethodPost {
		if len(body) > maxJSONBody {
			return nil, false
		}
		fv, err := url.ParseQuery(body)
		if err != nil || fv.Get("Action") == "" {
			return nil, false
		}
		for k, v := range fv {
			form[k] = append(form[k], v...)
		}
	}
	return form, form.Get("Action") != ""
}

// FuzzSigV4Scope reads the credential scope of any Authorization header
// and presigned query: never a panic, and the parts it returns are the
// ones of the scope (no "/" inside them) unless the scope has fewer.
func FuzzSigV4Scope(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAFIRETRAILEXAMPLE/20250304/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00", "")
	f.Add("AWS4-HMAC-SHA256 Credential=ASIAX/20250304/eu-west-1,", "")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAFIRETRAILEXAMPLE%2F20250304%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00")
	f.Add("Credential=", "X-Amz-Credential=%2F%2F%2F")
	f.Add("AWS AKIA:sig", "")
	e := newTestEmulator(f)
	f.Fuzz(func(t *testing.T, auth, query string) {
		if strings.ContainsAny(auth, "\r\n") {
			return
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL.RawQuery = query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		akid, region, service := sigV4ScopeService(r)
		if strings.Contains(region, "/") || strings.Contains(service, "/") {
			t.Fatalf("scope parts %q %q %q", akid, region, service)
		}
		if a2, r2 := sigV4Scope(r); a2 != akid || r2 != region {
			t.Fatalf("sigV4Scope %q %q, sigV4ScopeService %q %q", a2, r2, akid, region)
		}
		id := e.identityFor(akid)
		if id.account == "" || id.ui.Type == "" {
			t.Fatalf("identity of %q: %+v", akid, id)
		}
	})
}

// FuzzControl sends any method, path, query and body to the control
// endpoint: a 200 with JSON, or a 4xx with the JSON error shape.
func FuzzControl(f *testing.F) {
	for _, s := range []struct{ method, path, body string }{
		{"POST", FlushPath, ""},
		{"GET", HealthPath, ""},
		{"HEAD", HealthPath, ""},
		{"GET", FlushPath, "{}"},
		{"PUT", HealthPath + "?x=1", "{}"},
		{"DELETE", controlPrefix + "x", ""},
		{"POST", controlPrefix, "%%%"},
	} {
		f.Add(s.method, s.path, s.body)
	}
	e := newTestEmulator(f)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !validMethod(method) || strings.ContainsAny(path, " \r\n\t#") {
			return
		}
		path = controlPrefix + strings.TrimPrefix(path, controlPrefix)
		r := newFuzzRequest(method, path, "application/json", "", body)
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if method == http.MethodHead {
			if w.Code != 200 && w.Code != http.StatusMethodNotAllowed && w.Code != http.StatusNotFound {
				t.Fatalf("HEAD %q: %d", path, w.Code)
			}
			return
		}
		switch {
		case w.Code == 200:
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %q: 200 with %q", method, path, w.Body)
			}
		case w.Code >= 400 && w.Code < 500:
			var eb struct {
				Type    string `json:"__type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Type == "" || eb.Message == "" {
				t.Fatalf("%s %q: %d error %q is not JSON with __type", method, path, w.Code, w.Body)
			}
		default:
			t.Fatalf("%s %q: status %d %s", method, path, w.Code, w.Body)
		}
		if rid := w.Header().Get("x-amzn-RequestId"); rid == "" {
			t.Fatalf("%s %q: no request ID", method, path)
		}
	})
}
