package s3front

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

const (
	testQueue = "arn:aws:sqs:us-east-1:111122223333:events"
	testTopic = "arn:aws:sns:us-east-1:111122223333:topic"
)

// message is one call of Options.Publish.
type message struct {
	arn  string
	body string
}

// sink records what a Front publishes.
type sink struct {
	mu   sync.Mutex
	msgs []message
}

func (s *sink) publish(_ context.Context, arn string, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, message{arn, string(body)})
	return nil
}

// take waits for f's deliveries and returns (and forgets) the messages.
func (s *sink) take(tb testing.TB, f *Front) []message {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.WaitNotifications(ctx); err != nil {
		tb.Fatalf("WaitNotifications: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs
	s.msgs = nil
	return m
}

// records decodes the object events among msgs, skipping test events.
func records(tb testing.TB, msgs []message) []eventRecord {
	tb.Helper()
	var out []eventRecord
	for _, m := range msgs {
		if strings.Contains(m.body, `"s3:TestEvent"`) {
			continue
		}
		var v struct{ Records []eventRecord }
		if err := json.Unmarshal([]byte(m.body), &v); err != nil || len(v.Records) != 1 {
			tb.Fatalf("event %s: %v (%d records)", m.body, err, len(v.Records))
		}
		v.Records[0].arn = m.arn
		out = append(out, v.Records[0])
	}
	return out
}

// eventRecord is the decoded record of an S3 event.
type eventRecord struct {
	arn          string
	EventVersion string
	EventSource  string
	AwsRegion    string
	EventTime    string
	EventName    string
	UserIdentity struct {
		PrincipalID string `json:"principalId"`
	}
	RequestParameters struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	}
	ResponseElements map[string]string
	S3               struct {
		S3SchemaVersion string
		ConfigurationID string `json:"configurationId"`
		Bucket          struct {
			Name          string
			OwnerIdentity struct {
				PrincipalID string `json:"principalId"`
			}
			Arn string
		}
		Object struct {
			Key       string
			Size      *int64
			ETag      *string `json:"eTag"`
			VersionID *string `json:"versionId"`
			Sequencer string
		}
	}
}

func newNotifyFront(tb testing.TB, opts Options) (*Front, *sink) {
	tb.Helper()
	s := &sink{}
	if opts.Backend == nil {
		opts.Backend = s3mem.New()
	}
	if opts.Publish == nil {
		opts.Publish = s.publish
	}
	opts.Logger = slog.New(slog.NewTextHandler(tb.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.CreateBucket(testBucket); err != nil {
		tb.Fatal(err)
	}
	return f, s
}

// do serves one request with f, without a network.
func do(f http.Handler, method, path string, body []byte, headers ...string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	r.RemoteAddr = "192.0.2.7:41234"
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	f.ServeHTTP(w, r)
	return w
}

func putNotification(tb testing.TB, f http.Handler, body string) {
	tb.Helper()
	if w := do(f, http.MethodPut, "/"+testBucket+"?notification", []byte(body)); w.Code != 200 {
		tb.Fatalf("PutBucketNotificationConfiguration: %d %s", w.Code, w.Body)
	}
}

func queueConfig(id, events, filter string) string {
	var b strings.Builder
	b.WriteString("<QueueConfiguration>")
	if id != "" {
		b.WriteString("<Id>" + id + "</Id>")
	}
	b.WriteString("<Queue>" + testQueue + "</Queue>")
	for e := range strings.SplitSeq(events, ",") {
		b.WriteString("<Event>" + e + "</Event>")
	}
	b.WriteString(filter)
	b.WriteString("</QueueConfiguration>")
	return b.String()
}

func filterXML(rules ...string) string {
	var b strings.Builder
	b.WriteString("<Filter><S3Key>")
	for i := 0; i+1 < len(rules); i += 2 {
		fmt.Fprintf(&b, "<FilterRule><Name>%s</Name><Value>%s</Value></FilterRule>", rules[i], rules[i+1])
	}
	b.WriteString("</S3Key></Filter>")
	return b.String()
}

func notificationXML(parts ...string) string {
	return `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(parts, "") + `</NotificationConfiguration>`
}

func getNotification(tb testing.TB, f http.Handler) (notificationConfiguration, string) {
	tb.Helper()
	w := do(f, http.MethodGet, "/"+testBucket+"?notification", nil)
	if w.Code != 200 {
		tb.Fatalf("GetBucketNotificationConfiguration: %d %s", w.Code, w.Body)
	}
	var c notificationConfiguration
	if err := xml.Unmarshal(w.Body.Bytes(), &c); err != nil {
		tb.Fatalf("GET ?notification: %v: %s", err, w.Body)
	}
	return c, w.Body.String()
}

func TestNotificationRoundTrip(t *testing.T) {
	f, _ := newNotifyFront(t, Options{})
	c, raw := getNotification(t, f)
	if len(c.Topics)+len(c.Queues) != 0 || c.EventBridge != nil || !strings.Contains(raw, `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Errorf("GET of a bucket never configured = %s", raw)
	}
	body := notificationXML(
		`<TopicConfiguration><Id>logs</Id><Topic>`+testTopic+`</Topic><Event>s3:ObjectCreated:*</Event>`+filterXML("prefix", "AWSLogs/", "Suffix", ".json.gz")+`</TopicConfiguration>`,
		queueConfig("", "s3:ObjectRemoved:*", ""),
		`<EventBridgeConfiguration/>`,
	)
	putNotification(t, f, body)
	c, raw = getNotification(t, f)
	if len(c.Topics) != 1 || len(c.Queues) != 1 || c.EventBridge == nil {
		t.Fatalf("GET = %s", raw)
	}
	top := c.Topics[0]
	if top.ID != "logs" || top.Topic != testTopic || !slices.Equal(top.Events, []string{"s3:ObjectCreated:*"}) ||
		top.Filter == nil || !slices.Equal(top.Filter.Rules, []filterRule{{"Prefix", "AWSLogs/"}, {"Suffix", ".json.gz"}}) {
		t.Errorf("topic configuration = %+v", top)
	}
	q := c.Queues[0]
	if q.ID == "" || q.Queue != testQueue || q.Filter != nil {
		t.Errorf("queue configuration = %+v (want a generated Id)", q)
	}
	for _, want := range []string{"<TopicConfiguration><Id>logs</Id><Topic>", "<Filter><S3Key><FilterRule><Name>Prefix</Name>", "<EventBridgeConfiguration></EventBridgeConfiguration>"} {
		if !strings.Contains(raw, want) {
			t.Errorf("GET body lacks %s: %s", want, raw)
		}
	}
	// The same configuration again keeps its ids.
	putNotification(t, f, body)
	// The empty configuration removes everything.
	putNotification(t, f, notificationXML())
	if c, raw := getNotification(t, f); len(c.Topics)+len(c.Queues) != 0 || c.EventBridge != nil {
		t.Errorf("GET after the empty configuration = %s", raw)
	}
	// Another bucket, an object, a missing bucket.
	if w := do(f, http.MethodGet, "/no-such-bucket?notification", nil); w.Code != 404 || !strings.Contains(w.Body.String(), "<Code>NoSuchBucket</Code>") {
		t.Errorf("GET ?notification of a missing bucket: %d %s", w.Code, w.Body)
	}
	if w := do(f, http.MethodPut, "/no-such-bucket?notification", []byte(body)); w.Code != 404 {
		t.Errorf("PUT ?notification of a missing bucket: %d %s", w.Code, w.Body)
	}
	if w := do(f, http.MethodDelete, "/"+testBucket+"?notification", nil); w.Code != 405 {
		t.Errorf("DELETE ?notification: %d %s", w.Code, w.Body)
	}
}

func TestNotificationValidation(t *testing.T) {
	f, _ := newNotifyFront(t, Options{Region: "us-east-1"})
	q := func(events, filter string) string { return notificationXML(queueConfig("", events, filter)) }
	cases := []struct {
		name, body   string
		status       int
		code, prefix string
	}{
		{"not XML", "<NotificationConfiguration", 400, "MalformedXML", "The XML you provided"},
		{"empty body", "", 400, "MalformedXML", ""},
		{"wrong root", "<Foo/>", 400, "MalformedXML", ""},
		{"no event", notificationXML("<QueueConfiguration><Queue>" + testQueue + "</Queue></QueueConfiguration>"), 400, "MalformedXML", ""},
		{"no queue", notificationXML("<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"), 400, "MalformedXML", ""},
		{"unknown event", q("s3:ObjectCreated:Bogus", ""), 400, "InvalidArgument", msgEventNotSupported},
		{"event without s3:", q("ObjectCreated:Put", ""), 400, "InvalidArgument", msgEventNotSupported},
		{"overlapping events", q("s3:ObjectCreated:*,s3:ObjectCreated:Put", ""), 400, "InvalidArgument", msgConfigsOverlap},
		{"wrong rule name", q("s3:ObjectCreated:*", filterXML("infix", "a")), 400, "InvalidArgument", msgFilterRuleName},
		{"two prefixes", q("s3:ObjectCreated:*", filterXML("prefix", "a", "prefix", "b")), 400, "InvalidArgument", "Cannot specify more than one prefix rule in a filter."},
		{"two suffixes", q("s3:ObjectCreated:*", filterXML("suffix", "a", "Suffix", "b")), 400, "InvalidArgument", "Cannot specify more than one suffix rule in a filter."},
		{"long value", q("s3:ObjectCreated:*", filterXML("prefix", strings.Repeat("a", 1025))), 400, "InvalidArgument", msgFilterValueTooLong},
		{"overlap without filters", notificationXML(queueConfig("a", "s3:ObjectCreated:*", ""), queueConfig("b", "s3:ObjectCreated:Put", "")), 400, "InvalidArgument", msgConfigsOverlap},
		{"overlapping prefixes", notificationXML(queueConfig("a", "s3:ObjectCreated:*", filterXML("prefix", "logs/")), queueConfig("b", "s3:ObjectCreated:Put", filterXML("prefix", "logs/2025/"))), 400, "InvalidArgument", msgAmbiguous},
		{"overlapping suffixes", notificationXML(queueConfig("a", "s3:ObjectCreated:*", filterXML("suffix", ".gz")), queueConfig("b", "s3:ObjectCreated:*", filterXML("suffix", ".json.gz"))), 400, "InvalidArgument", msgAmbiguous},
		{"duplicate ids", notificationXML(queueConfig("a", "s3:ObjectCreated:*", ""), queueConfig("a", "s3:ObjectRemoved:*", "")), 400, "InvalidArgument", msgDuplicateID},
		{"long id", notificationXML(queueConfig(strings.Repeat("i", 256), "s3:ObjectCreated:*", "")), 400, "InvalidArgument", msgIDTooLong},
		{"bad arn", notificationXML("<QueueConfiguration><Queue>queue</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"), 400, "InvalidArgument", msgBadARN},
		{"topic arn as queue", notificationXML("<QueueConfiguration><Queue>" + testTopic + "</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"), 400, "InvalidArgument", msgBadARN},
		{"fifo queue", notificationXML("<QueueConfiguration><Queue>" + testQueue + ".fifo</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"), 400, "InvalidArgument", msgFIFO},
		{"other region", notificationXML("<QueueConfiguration><Queue>arn:aws:sqs:eu-west-1:111122223333:q</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>"), 400, "InvalidArgument", msgWrongRegion},
		{"lambda", notificationXML("<CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:111122223333:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>"), 501, "NotImplemented", "A header or query you provided implies functionality that is not implemented: LambdaFunctionConfiguration"},
		// Accepted: disjoint filters, different event types, a prefix and a suffix.
		{"disjoint prefixes", notificationXML(queueConfig("a", "s3:ObjectCreated:*", filterXML("prefix", "a/")), queueConfig("b", "s3:ObjectCreated:*", filterXML("prefix", "b/"))), 200, "", ""},
		{"disjoint suffixes", notificationXML(queueConfig("a", "s3:ObjectCreated:*", filterXML("suffix", ".gz")), queueConfig("b", "s3:ObjectCreated:*", filterXML("suffix", ".json"))), 200, "", ""},
		{"created and removed", notificationXML(queueConfig("a", "s3:ObjectCreated:*", ""), queueConfig("b", "s3:ObjectRemoved:*", "")), 200, "", ""},
		{"prefix and suffix", q("s3:ObjectCreated:Put,s3:ObjectRemoved:Delete", filterXML("Prefix", "a/", "Suffix", ".gz")), 200, "", ""},
		{"other event types", q("s3:ObjectTagging:*,s3:LifecycleExpiration:Delete", ""), 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			putNotification(t, f, notificationXML()) // start empty
			w := do(f, http.MethodPut, "/"+testBucket+"?notification", []byte(c.body))
			if w.Code != c.status {
				t.Fatalf("status %d %s, want %d", w.Code, w.Body, c.status)
			}
			if c.status == 200 {
				return
			}
			var e xmlError
			if err := xml.Unmarshal(w.Body.Bytes(), &e); err != nil {
				t.Fatalf("error body %q: %v", w.Body, err)
			}
			if e.Code != c.code || !strings.HasPrefix(e.Message, c.prefix) || e.RequestID == "" || e.HostID == "" {
				t.Errorf("error = %+v, want %s %q…", e, c.code, c.prefix)
			}
			if got, raw := getNotification(t, f); len(got.Queues)+len(got.Topics) != 0 {
				t.Errorf("refused configuration stored: %s", raw)
			}
		})
	}
}

func TestNotificationCheckDestination(t *testing.T) {
	missing := "arn:aws:sqs:us-east-1:111122223333:missing"
	missingTopic := "arn:aws:sns:us-east-1:111122223333:gone"
	var checked []string
	f, s := newNotifyFront(t, Options{CheckDestination: func(arn string) error {
		checked = append(checked, arn)
		if arn == missing || arn == missingTopic {
			return errors.New("no such destination")
		}
		return nil
	}})
	body := notificationXML(
		`<TopicConfiguration><Topic>`+missingTopic+`</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>`,
		`<QueueConfiguration><Queue>`+missing+`</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`,
	)
	w := do(f, http.MethodPut, "/"+testBucket+"?notification", []byte(body))
	if w.Code != 400 {
		t.Fatalf("status %d %s", w.Code, w.Body)
	}
	for _, want := range []string{
		"<Code>InvalidArgument</Code><Message>Unable to validate the following destination configurations</Message>",
		"<ArgumentName1>" + missingTopic + "</ArgumentName1><ArgumentValue1>The destination topic does not exist</ArgumentValue1>",
		"<ArgumentName2>" + missing + "</ArgumentName2><ArgumentValue2>The destination queue does not exist</ArgumentValue2>",
		"<RequestId>", "<HostId>",
	} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("error lacks %s: %s", want, w.Body)
		}
	}
	if msgs := s.take(t, f); len(msgs) != 0 {
		t.Errorf("refused configuration sent %v", msgs)
	}
	// x-amz-skip-destination-validation: stored unchecked, no test event.
	checked = nil
	w = do(f, http.MethodPut, "/"+testBucket+"?notification", []byte(body), "X-Amz-Skip-Destination-Validation", "true")
	if w.Code != 200 || len(checked) != 0 {
		t.Errorf("skip validation: %d %s, checked %v", w.Code, w.Body, checked)
	}
	if msgs := s.take(t, f); len(msgs) != 0 {
		t.Errorf("skip validation sent %v", msgs)
	}
}

func TestNotificationTestEvent(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	putNotification(t, f, notificationXML(
		`<TopicConfiguration><Topic>`+testTopic+`</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>`,
		queueConfig("a", "s3:ObjectCreated:Put", filterXML("prefix", "a/")),
		queueConfig("b", "s3:ObjectCreated:Put", filterXML("prefix", "b/")),
	))
	msgs := s.take(t, f)
	if len(msgs) != 2 || msgs[0].arn != testTopic || msgs[1].arn != testQueue {
		t.Fatalf("test events = %v, want one per destination", msgs)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(msgs[0].body), &v); err != nil {
		t.Fatal(err)
	}
	if v["Service"] != "Amazon S3" || v["Event"] != "s3:TestEvent" || v["Bucket"] != testBucket || v["RequestId"] == "" || v["HostId"] == "" {
		t.Errorf("test event = %s", msgs[0].body)
	}
	if _, err := time.Parse(eventTimeFormat, v["Time"]); err != nil {
		t.Errorf("test event Time %q: %v", v["Time"], err)
	}
	if !strings.HasPrefix(msgs[0].body, `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"`) {
		t.Errorf("test event key order: %s", msgs[0].body)
	}
	// The empty configuration sends nothing.
	putNotification(t, f, notificationXML())
	if msgs := s.take(t, f); len(msgs) != 0 {
		t.Errorf("empty configuration sent %v", msgs)
	}
}

func TestNotificationEventMatching(t *testing.T) {
	type op struct {
		name string // event name produced
		key  string
	}
	ops := []op{
		{"ObjectCreated:Put", "logs/a.json.gz"},
		{"ObjectCreated:Post", "logs/b.json"},
		{"ObjectCreated:Copy", "other/c.json.gz"},
		{"ObjectCreated:CompleteMultipartUpload", "logs/d.bin"},
		{"ObjectRemoved:Delete", "logs/a.json.gz"},
		{"ObjectRemoved:DeleteMarkerCreated", "x.json.gz"},
	}
	cases := []struct {
		events string
		filter []string
		want   []int // indexes of ops that match
	}{
		{"s3:ObjectCreated:*", nil, []int{0, 1, 2, 3}},
		{"s3:ObjectCreated:Put", nil, []int{0}},
		{"s3:ObjectCreated:Post", nil, []int{1}},
		{"s3:ObjectCreated:Copy", nil, []int{2}},
		{"s3:ObjectCreated:CompleteMultipartUpload", nil, []int{3}},
		{"s3:ObjectRemoved:*", nil, []int{4, 5}},
		{"s3:ObjectRemoved:Delete", nil, []int{4}},
		{"s3:ObjectRemoved:DeleteMarkerCreated", nil, []int{5}},
		{"s3:ObjectCreated:Put,s3:ObjectRemoved:Delete", nil, []int{0, 4}},
		{"s3:ObjectTagging:*", nil, nil},
		{"s3:ObjectCreated:*", []string{"prefix", "logs/"}, []int{0, 1, 3}},
		{"s3:ObjectCreated:*", []string{"suffix", ".json.gz"}, []int{0, 2}},
		{"s3:ObjectCreated:*,s3:ObjectRemoved:*", []string{"prefix", "logs/", "suffix", ".gz"}, []int{0, 4}},
		{"s3:ObjectCreated:*", []string{"prefix", "LOGS/"}, nil}, // case-sensitive
		{"s3:ObjectRemoved:*", []string{"prefix", "", "suffix", ""}, []int{4, 5}},
	}
	for _, c := range cases {
		t.Run(c.events+strings.Join(c.filter, "="), func(t *testing.T) {
			filter := ""
			if c.filter != nil {
				filter = filterXML(c.filter...)
			}
			f, _ := newNotifyFront(t, Options{})
			parsed, err := f.parseNotificationConfiguration([]byte(notificationXML(queueConfig("id", c.events, filter))))
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for i, o := range ops {
				if parsed.Queues[0].matches(o.name, o.key) {
					got = append(got, i)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("matching ops = %v, want %v", got, c.want)
			}
		})
	}
}

// configureAll gives testBucket one queue configuration for every object
// event and drops the test event.
func configureAll(tb testing.TB, f *Front, s *sink, filter string) {
	tb.Helper()
	putNotification(tb, f, notificationXML(queueConfig("all", "s3:ObjectCreated:*,s3:ObjectRemoved:*", filter)))
	s.take(tb, f)
}

func TestNotificationEvents(t *testing.T) {
	f, s := newNotifyFront(t, Options{Region: "eu-west-1", CheckDestination: func(string) error { return nil }})
	putNotification(t, f, notificationXML(`<QueueConfiguration><Id>all</Id><Queue>arn:aws:sqs:eu-west-1:111122223333:q</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event></QueueConfiguration>`))
	s.take(t, f)
	base := "/" + testBucket + "/"
	auth := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00"

	// PUT, with a key that needs encoding.
	key := "dir/a b+c(1)=é.txt"
	w := do(f, http.MethodPut, base+strings.ReplaceAll(key, " ", "%20"), []byte("hello"), "Authorization", auth)
	if w.Code != 200 {
		t.Fatalf("PUT: %d %s", w.Code, w.Body)
	}
	reqID := w.Header().Get("X-Amz-Request-Id")
	recs := records(t, s.take(t, f))
	if len(recs) != 1 {
		t.Fatalf("PUT: %d events", len(recs))
	}
	r := recs[0]
	if r.arn != "arn:aws:sqs:eu-west-1:111122223333:q" || r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AwsRegion != "eu-west-1" ||
		r.EventName != "ObjectCreated:Put" || r.UserIdentity.PrincipalID != "AWS:AKIDEXAMPLE" || r.RequestParameters.SourceIPAddress != "192.0.2.7" ||
		r.ResponseElements["x-amz-request-id"] != reqID || r.ResponseElements["x-amz-id-2"] != w.Header().Get("X-Amz-Id-2") ||
		r.S3.S3SchemaVersion != "1.0" || r.S3.ConfigurationID != "all" || r.S3.Bucket.Name != testBucket ||
		r.S3.Bucket.Arn != "arn:aws:s3:::"+testBucket || r.S3.Bucket.OwnerIdentity.PrincipalID != DefaultEventOwnerID {
		t.Errorf("PUT event = %+v", r)
	}
	if want := "dir/a+b%2Bc%281%29%3D%C3%A9.txt"; r.S3.Object.Key != want {
		t.Errorf("key = %q, want %q", r.S3.Object.Key, want)
	}
	if r.S3.Object.Size == nil || *r.S3.Object.Size != 5 || r.S3.Object.ETag == nil || *r.S3.Object.ETag != "5d41402abc4b2a76b9719d911017c592" || r.S3.Object.VersionID != nil {
		t.Errorf("PUT object = %+v", r.S3.Object)
	}
	if _, err := time.Parse(eventTimeFormat, r.EventTime); err != nil {
		t.Errorf("eventTime %q: %v", r.EventTime, err)
	}

	// Copy.
	w = do(f, http.MethodPut, base+"copy", nil, "X-Amz-Copy-Source", "/"+testBucket+"/dir/a%20b%2Bc%281%29%3D%C3%A9.txt")
	if w.Code != 200 {
		t.Fatalf("copy: %d %s", w.Code, w.Body)
	}
	recs = records(t, s.take(t, f))
	if len(recs) != 1 || recs[0].EventName != "ObjectCreated:Copy" || recs[0].S3.Object.Key != "copy" || *recs[0].S3.Object.Size != 5 || *recs[0].S3.Object.ETag != "5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("copy events = %+v", recs)
	}

	// Browser POST.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	_ = mw.WriteField("key", "posted.txt")
	fw, _ := mw.CreateFormFile("file", "posted.txt")
	_, _ = fw.Write([]byte("posted!"))
	_ = mw.Close()
	w = do(f, http.MethodPost, "/"+testBucket, form.Bytes(), "Content-Type", mw.FormDataContentType())
	if w.Code/100 != 2 {
		t.Fatalf("POST: %d %s", w.Code, w.Body)
	}
	recs = records(t, s.take(t, f))
	if len(recs) != 1 || recs[0].EventName != "ObjectCreated:Post" || recs[0].S3.Object.Key != "posted.txt" || *recs[0].S3.Object.Size != 7 {
		t.Errorf("POST events = %+v", recs)
	}

	// Delete: an object, then a key that does not exist.
	if w := do(f, http.MethodDelete, base+"copy", nil); w.Code != 204 {
		t.Fatalf("DELETE: %d %s", w.Code, w.Body)
	}
	if w := do(f, http.MethodDelete, base+"never-there", nil); w.Code != 204 {
		t.Fatalf("DELETE: %d %s", w.Code, w.Body)
	}
	recs = records(t, s.take(t, f))
	if len(recs) != 1 || recs[0].EventName != "ObjectRemoved:Delete" || recs[0].S3.Object.Key != "copy" || recs[0].S3.Object.Size != nil || recs[0].S3.Object.ETag != nil {
		t.Errorf("DELETE events = %+v", recs)
	}

	// DeleteObjects (quiet, and with a key that does not exist).
	del := `<Delete><Quiet>true</Quiet><Object><Key>posted.txt</Key></Object><Object><Key>missing</Key></Object><Object><Key>` + "dir/a b+c(1)=é.txt" + `</Key></Object></Delete>`
	if w := do(f, http.MethodPost, "/"+testBucket+"?delete", []byte(del)); w.Code != 200 {
		t.Fatalf("DeleteObjects: %d %s", w.Code, w.Body)
	}
	recs = records(t, s.take(t, f))
	if len(recs) != 2 || recs[0].S3.Object.Key != "posted.txt" || recs[1].S3.Object.Key != "dir/a+b%2Bc%281%29%3D%C3%A9.txt" || recs[1].EventName != "ObjectRemoved:Delete" {
		t.Errorf("DeleteObjects events = %+v", recs)
	}
}

func TestNotificationMultipart(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	configureAll(t, f, s, "")
	srv := newServer(t, f, false)
	part := randomBytes(5<<20, 1)
	key := "big/object.bin"
	if resp := rawMultipart(t, srv, key, nil, [][]byte{part, []byte("tail")}, nil); resp.StatusCode != 200 {
		t.Fatalf("CompleteMultipartUpload: %d %s", resp.StatusCode, resp.body)
	}
	recs := records(t, s.take(t, f))
	if len(recs) != 1 || recs[0].EventName != "ObjectCreated:CompleteMultipartUpload" || recs[0].S3.Object.Key != key ||
		*recs[0].S3.Object.Size != int64(len(part)+4) || !strings.HasSuffix(*recs[0].S3.Object.ETag, "-2") || strings.Contains(*recs[0].S3.Object.ETag, `"`) {
		t.Errorf("multipart events = %+v", recs)
	}
}

func TestNotificationTrailWrites(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	putNotification(t, f, notificationXML(
		`<TopicConfiguration><Id>ct</Id><Topic>`+testTopic+`</Topic><Event>s3:ObjectCreated:Put</Event>`+filterXML("prefix", "AWSLogs/", "suffix", ".json.gz")+`</TopicConfiguration>`,
	))
	s.take(t, f)
	ctx := t.Context()
	keys := []string{
		"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04/111122223333_CloudTrail_us-east-1_20250304T0905Z_a.json.gz",
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2025/03/04/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20250304T0905Z.json.gz",
		"AWSLogs/111122223333/CloudTrail/us-east-1/2025/03/04/111122223333_CloudTrail_us-east-1_20250304T0910Z_b.json.gz",
		"other/file.txt",
	}
	for _, k := range keys {
		if err := f.PutObject(ctx, testBucket, k, map[string]string{"signature": "x"}, []byte("gz:"+k)); err != nil {
			t.Fatal(err)
		}
	}
	recs := records(t, s.take(t, f))
	if len(recs) != 3 {
		t.Fatalf("%d events, want 3 (filtered)", len(recs))
	}
	for i, r := range recs {
		if r.arn != testTopic || r.S3.Object.Key != keys[i] || r.UserIdentity.PrincipalID != DefaultEventPrincipalID ||
			r.RequestParameters.SourceIPAddress != DefaultEventSourceIP || r.S3.ConfigurationID != "ct" || r.AwsRegion != "us-east-1" ||
			*r.S3.Object.Size != int64(len("gz:"+keys[i])) {
			t.Errorf("event %d = %+v", i, r)
		}
		if i > 0 && r.S3.Object.Sequencer <= recs[i-1].S3.Object.Sequencer {
			t.Errorf("sequencer %s after %s", r.S3.Object.Sequencer, recs[i-1].S3.Object.Sequencer)
		}
	}
}

func TestNotificationSequencer(t *testing.T) {
	// A frozen clock: sequencers still increase.
	t0 := time.Date(2025, 3, 4, 9, 6, 10, 875_000_000, time.UTC)
	f, s := newNotifyFront(t, Options{TimeSource: fixedClock{t0}})
	configureAll(t, f, s, "")
	for i := range 20 {
		key := "same-key"
		if i%3 == 0 {
			key = fmt.Sprintf("k%d", i)
		}
		if err := f.PutObject(t.Context(), testBucket, key, nil, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	recs := records(t, s.take(t, f))
	if len(recs) != 20 {
		t.Fatalf("%d events", len(recs))
	}
	for i, r := range recs {
		if r.EventTime != "2025-03-04T09:06:10.875Z" {
			t.Errorf("eventTime = %s", r.EventTime)
		}
		if len(r.S3.Object.Sequencer) != 18 {
			t.Errorf("sequencer %q", r.S3.Object.Sequencer)
		}
		if i > 0 && r.S3.Object.Sequencer <= recs[i-1].S3.Object.Sequencer {
			t.Errorf("sequencer %s after %s", r.S3.Object.Sequencer, recs[i-1].S3.Object.Sequencer)
		}
	}
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                  { return c.t }
func (c fixedClock) Since(t time.Time) time.Duration { return c.t.Sub(t) }

func TestNotificationVersioned(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	if w := do(f, http.MethodPut, "/"+testBucket+"?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); w.Code != 200 {
		t.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
	}
	configureAll(t, f, s, "")
	w := do(f, http.MethodPut, "/"+testBucket+"/v", []byte("one"))
	version := w.Header().Get("X-Amz-Version-Id")
	if w.Code != 200 || version == "" {
		t.Fatalf("PUT: %d %s (version %q)", w.Code, w.Body, version)
	}
	w = do(f, http.MethodDelete, "/"+testBucket+"/v", nil)
	marker := w.Header().Get("X-Amz-Version-Id")
	if w.Code != 204 {
		t.Fatalf("DELETE: %d %s", w.Code, w.Body)
	}
	if w := do(f, http.MethodDelete, "/"+testBucket+"/v?versionId="+version, nil); w.Code != 204 {
		t.Fatalf("DELETE version: %d %s", w.Code, w.Body)
	}
	recs := records(t, s.take(t, f))
	if len(recs) != 3 {
		t.Fatalf("events = %+v", recs)
	}
	if recs[0].EventName != "ObjectCreated:Put" || recs[0].S3.Object.VersionID == nil || *recs[0].S3.Object.VersionID != version {
		t.Errorf("PUT event = %+v", recs[0].S3.Object)
	}
	if recs[1].EventName != "ObjectRemoved:DeleteMarkerCreated" || (marker != "" && (recs[1].S3.Object.VersionID == nil || *recs[1].S3.Object.VersionID != marker)) {
		t.Errorf("DELETE event = %s %+v (marker %q)", recs[1].EventName, recs[1].S3.Object, marker)
	}
	if recs[2].EventName != "ObjectRemoved:Delete" || recs[2].S3.Object.VersionID == nil || *recs[2].S3.Object.VersionID != version {
		t.Errorf("DELETE version event = %s %+v", recs[2].EventName, recs[2].S3.Object)
	}
}

func TestNotificationPublishFailure(t *testing.T) {
	var mu sync.Mutex
	var got []string
	calls := 0
	f, _ := newNotifyFront(t, Options{Publish: func(_ context.Context, arn string, body []byte) error {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 2 {
			return errors.New("queue gone")
		}
		if calls == 3 {
			panic("boom")
		}
		got = append(got, string(body))
		return nil
	}})
	putNotification(t, f, notificationXML(queueConfig("all", "s3:ObjectCreated:*", "")))
	for _, k := range []string{"a", "b", "c", "d"} {
		if w := do(f, http.MethodPut, "/"+testBucket+"/"+k, []byte(k)); w.Code != 200 {
			t.Fatalf("PUT %s: %d", k, w.Code)
		}
	}
	if err := f.WaitNotifications(t.Context()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if calls != 5 || len(got) != 3 || !strings.Contains(got[1], `"key":"c"`) || !strings.Contains(got[2], `"key":"d"`) {
		t.Errorf("calls %d, delivered %v", calls, got)
	}
}

// Notifications are delivered in the order of the puts, and a put does
// not wait for delivery: the consumer is held until every put returned.
func TestNotificationOrder(t *testing.T) {
	var mu sync.Mutex
	var keys []string
	release := make(chan struct{})
	f, _ := newNotifyFront(t, Options{Publish: func(ctx context.Context, _ string, body []byte) error {
		select {
		case <-release: // a consumer that takes no message before the puts end
		case <-ctx.Done():
			return ctx.Err()
		}
		var v struct{ Records []eventRecord }
		_ = json.Unmarshal(body, &v)
		mu.Lock()
		defer mu.Unlock()
		if len(v.Records) == 1 {
			keys = append(keys, v.Records[0].S3.Object.Key)
		}
		return nil
	}})
	putNotification(t, f, notificationXML(queueConfig("all", "s3:ObjectCreated:*", "")))
	var want []string
	puts := make(chan error, 1)
	go func() {
		for i := range 30 {
			k := fmt.Sprintf("k%02d", i)
			want = append(want, k)
			if err := f.PutObject(t.Context(), testBucket, k, nil, []byte(k)); err != nil {
				puts <- err
				return
			}
		}
		puts <- nil
	}()
	select {
	case err := <-puts:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Minute):
		t.Fatal("PutObject waits for the notification's delivery (the consumer is held)")
	}
	close(release)
	if err := f.WaitNotifications(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("delivered %v, want %v", keys, want)
	}
}

func TestNotificationPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notifications.json")
	backend := s3mem.New()
	f, _ := newNotifyFront(t, Options{Backend: backend, NotificationPath: path})
	putNotification(t, f, notificationXML(queueConfig("", "s3:ObjectCreated:*", filterXML("prefix", "a/"))))
	before, raw := getNotification(t, f)

	f2, s2 := newNotifyFront(t, Options{Backend: backend, NotificationPath: path})
	after, raw2 := getNotification(t, f2)
	if raw != raw2 || len(after.Queues) != 1 || after.Queues[0].ID != before.Queues[0].ID {
		t.Errorf("after restart GET = %s, want %s", raw2, raw)
	}
	if err := f2.PutObject(t.Context(), testBucket, "a/x", nil, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, s2.take(t, f2)); len(recs) != 1 {
		t.Errorf("after restart: %d events", len(recs))
	}
	// Deleting the bucket forgets its configuration, also on disk.
	if err := f2.PutObject(t.Context(), testBucket, "a/x", nil, nil); err != nil {
		t.Fatal(err)
	}
	do(f2, http.MethodDelete, "/"+testBucket+"/a/x", nil)
	if w := do(f2, http.MethodDelete, "/"+testBucket, nil); w.Code != 204 {
		t.Fatalf("DeleteBucket: %d %s", w.Code, w.Body)
	}
	f3, _ := newNotifyFront(t, Options{Backend: backend, NotificationPath: path})
	if c, raw := getNotification(t, f3); len(c.Queues) != 0 {
		t.Errorf("configuration of a deleted bucket survived: %s", raw)
	}
	// A corrupt file is an error from New.
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{Backend: backend, NotificationPath: bad}); err == nil {
		t.Error("New with a corrupt notification file succeeded")
	}
}

func TestNotificationDeleteObjectsVersioned(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	if w := do(f, http.MethodPut, "/"+testBucket+"?versioning", []byte(`<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>`)); w.Code != 200 {
		t.Fatalf("PutBucketVersioning: %d %s", w.Code, w.Body)
	}
	v1 := do(f, http.MethodPut, "/"+testBucket+"/a", []byte("a")).Header().Get("X-Amz-Version-Id")
	do(f, http.MethodPut, "/"+testBucket+"/b", []byte("b"))
	configureAll(t, f, s, filterXML("suffix", "a", "prefix", ""))
	del := `<Delete><Object><Key>a</Key><VersionId>` + v1 + `</VersionId></Object><Object><Key>b</Key></Object><Object><Key>zza</Key></Object></Delete>`
	if w := do(f, http.MethodPost, "/"+testBucket+"?delete", []byte(del)); w.Code != 200 || !strings.Contains(w.Body.String(), "<Deleted>") {
		t.Fatalf("DeleteObjects: %d %s", w.Code, w.Body)
	}
	recs := records(t, s.take(t, f))
	if len(recs) != 2 || recs[0].EventName != "ObjectRemoved:Delete" || recs[0].S3.Object.VersionID == nil || *recs[0].S3.Object.VersionID != v1 ||
		recs[1].EventName != "ObjectRemoved:DeleteMarkerCreated" || recs[1].S3.Object.Key != "zza" {
		t.Errorf("events = %+v (b is filtered out by the suffix)", recs)
	}
}

func TestNotificationWithoutPublish(t *testing.T) {
	f := newTestFront(t) // no Publish: configurations are kept, nothing is sent
	putNotification(t, f, notificationXML(queueConfig("q", "s3:ObjectCreated:*", "")))
	if c, raw := getNotification(t, f); len(c.Queues) != 1 {
		t.Errorf("GET = %s", raw)
	}
	if err := f.PutObject(t.Context(), testBucket, "k", nil, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := f.WaitNotifications(t.Context()); err != nil {
		t.Fatal(err)
	}
}
