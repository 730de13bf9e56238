package emulator

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/trail"
)

// hook is an HTTP endpoint that records the POSTs it gets; status, if
// set, picks each answer's status code.
type hook struct {
	URL    string
	posts  chan hookPost
	mu     sync.Mutex
	n      int
	status func(n int) int // n counts requests from 1
}

type hookPost struct {
	header http.Header
	body   []byte
}

// newHook serves a hook on 127.0.0.1:0 until the test ends.
func newHook(t *testing.T, status func(n int) int) *hook {
	t.Helper()
	h := &hook{posts: make(chan hookPost, 64), status: status}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	h.URL = srv.URL
	return h
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.n++
	n := h.n
	h.mu.Unlock()
	code := http.StatusOK
	if h.status != nil {
		code = h.status(n)
	}
	if code == http.StatusOK && r.Method == http.MethodPost {
		h.posts <- hookPost{r.Header.Clone(), body}
	}
	w.WriteHeader(code)
}

func (h *hook) requests() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// next returns the next POST, failing the test after 10 seconds.
func (h *hook) next(t *testing.T) hookPost {
	t.Helper()
	select {
	case p := <-h.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no POST arrived")
		return hookPost{}
	}
}

// none fails the test if a POST arrives within d.
func (h *hook) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case p := <-h.posts:
		t.Fatalf("unexpected POST: %s %s", p.header.Get("x-amz-sns-message-type"), p.body)
	case <-time.After(d):
	}
}

// envelope decodes an SNS envelope body.
func envelope(t *testing.T, p hookPost) map[string]string {
	t.Helper()
	var env map[string]string
	if err := json.Unmarshal(p.body, &env); err != nil {
		t.Fatalf("envelope %s: %v", p.body, err)
	}
	return env
}

// verifyEnvelope checks an envelope's SignatureVersion 1 signature with
// the certificate its SigningCertURL serves, computing the string to sign
// as the Amazon SNS Developer Guide describes it.
func verifyEnvelope(t *testing.T, c *http.Client, emuURL string, env map[string]string) {
	t.Helper()
	if env["SignatureVersion"] != "1" {
		t.Fatalf("SignatureVersion = %q, want 1", env["SignatureVersion"])
	}
	if !strings.HasPrefix(env["SigningCertURL"], emuURL+"/") {
		t.Fatalf("SigningCertURL %q is not served by the emulator at %s", env["SigningCertURL"], emuURL)
	}
	resp, err := c.Get(env["SigningCertURL"])
	if err != nil {
		t.Fatalf("GET SigningCertURL: %v", err)
	}
	certPEM, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	block, _ := pem.Decode(certPEM)
	if resp.StatusCode != http.StatusOK || block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("GET SigningCertURL = %d %q, want a PEM certificate", resp.StatusCode, certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse signing certificate: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("signing certificate key is %T, want RSA", cert.PublicKey)
	}
	var fields []string
	switch env["Type"] {
	case "Notification":
		fields = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	case "SubscriptionConfirmation":
		fields = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	default:
		t.Fatalf("envelope type %q", env["Type"])
	}
	var sts strings.Builder
	for _, f := range fields {
		v, ok := env[f]
		if !ok && f == "Subject" {
			continue
		}
		sts.WriteString(f + "\n" + v + "\n")
	}
	sig, err := base64.StdEncoding.DecodeString(env["Signature"])
	if err != nil {
		t.Fatalf("Signature: %v", err)
	}
	sum := sha1.Sum([]byte(sts.String()))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig); err != nil {
		t.Fatalf("%s signature does not verify: %v", env["Type"], err)
	}
}

// confirm visits a confirmation's SubscribeURL and returns the
// subscription ARN.
func confirm(t *testing.T, c *http.Client, emuURL string, env map[string]string) string {
	t.Helper()
	if !strings.HasPrefix(env["SubscribeURL"], emuURL+"/?Action=ConfirmSubscription&") {
		t.Fatalf("SubscribeURL %q does not point at the emulator at %s", env["SubscribeURL"], emuURL)
	}
	resp, err := c.Get(env["SubscribeURL"])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var out struct {
		ARN string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(body, &out) != nil || out.ARN == "" {
		t.Fatalf("GET SubscribeURL = %d %s", resp.StatusCode, body)
	}
	return out.ARN
}

// deliverOne records one event and flushes it into a log file.
func deliverOne(t *testing.T, emu *Server, i int) trail.Notice {
	t.Helper()
	emu.Record(testRecord(i, emu.Now()))
	emu.Flush()
	select {
	case n := <-emu.Notifications():
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no notice on Notifications()")
		return trail.Notice{}
	}
}

func TestNotifySNS(t *testing.T) {
	sub := newHook(t, nil)
	emu := Start(t, WithNotify(sub.URL+"/hook"), testLogger(t))
	topic := "arn:aws:sns:" + emu.Region() + ":" + emu.AccountID() + ":firetrail-notices"

	conf := sub.next(t)
	env := envelope(t, conf)
	if env["Type"] != "SubscriptionConfirmation" || env["TopicArn"] != topic || env["Token"] == "" {
		t.Fatalf("first POST %s, want a SubscriptionConfirmation for %s", conf.body, topic)
	}
	for h, want := range map[string]string{
		"x-amz-sns-message-type": "SubscriptionConfirmation",
		"x-amz-sns-message-id":   env["MessageId"],
		"x-amz-sns-topic-arn":    topic,
		"Content-Type":           "text/plain; charset=UTF-8",
	} {
		if got := conf.header.Get(h); got != want {
			t.Errorf("confirmation header %s = %q, want %q", h, got, want)
		}
	}
	verifyEnvelope(t, http.DefaultClient, emu.URL, env)
	subARN := confirm(t, http.DefaultClient, emu.URL, env)
	if !strings.HasPrefix(subARN, topic+":") {
		t.Errorf("subscription ARN %q not under %s", subARN, topic)
	}

	c := emu.S3Client()
	var unsubscribeURL string
	for i := range 2 {
		nt := deliverOne(t, emu, i)
		p := sub.next(t)
		env := envelope(t, p)
		if env["Type"] != "Notification" {
			t.Fatalf("POST %s, want a Notification", p.body)
		}
		for h, want := range map[string]string{
			"x-amz-sns-message-type":     "Notification",
			"x-amz-sns-message-id":       env["MessageId"],
			"x-amz-sns-topic-arn":        topic,
			"x-amz-sns-subscription-arn": subARN,
			"Content-Type":               "text/plain; charset=UTF-8",
			"User-Agent":                 "Amazon Simple Notification Service Agent",
		} {
			if got := p.header.Get(h); got != want {
				t.Errorf("notification header %s = %q, want %q", h, got, want)
			}
		}
		if !strings.Contains(string(p.body), "\"Type\" : \"Notification\"") {
			t.Errorf("envelope not in SNS's pretty form: %s", p.body)
		}
		if _, ok := env["Subject"]; ok {
			t.Errorf("CloudTrail notification has a Subject: %s", p.body)
		}
		if env["Timestamp"] != emu.Now().UTC().Format("2006-01-02T15:04:05.000Z") {
			t.Errorf("Timestamp = %q, want the emulator clock's %v", env["Timestamp"], emu.Now())
		}
		if !strings.HasPrefix(env["UnsubscribeURL"], emu.URL+"/?Action=Unsubscribe&SubscriptionArn=") {
			t.Errorf("UnsubscribeURL = %q", env["UnsubscribeURL"])
		}
		verifyEnvelope(t, http.DefaultClient, emu.URL, env)
		unsubscribeURL = env["UnsubscribeURL"]
		var msg struct {
			Bucket string   `json:"s3Bucket"`
			Keys   []string `json:"s3ObjectKey"`
		}
		if err := json.Unmarshal([]byte(env["Message"]), &msg); err != nil {
			t.Fatalf("Message %q: %v", env["Message"], err)
		}
		if msg.Bucket != emu.Bucket || len(msg.Keys) != 1 || msg.Keys[0] != nt.Key || !isLogFileKey(nt.Key) {
			t.Fatalf("Message = %q, want bucket %s and log file %s", env["Message"], emu.Bucket, nt.Key)
		}
		if _, err := c.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(msg.Bucket), Key: aws.String(msg.Keys[0])}); err != nil {
			t.Errorf("HeadObject of notified key %s: %v", msg.Keys[0], err)
		}
	}

	// Digests are delivered on the hour, without notifications.
	emu.Advance(time.Hour)
	if len(digestKeys(t, emu)) == 0 {
		t.Fatal("no digest after an hour")
	}
	sub.none(t, 200*time.Millisecond)

	// UnsubscribeURL ends the subscription.
	if got := emu.Subscriptions(); len(got) != 1 || !got[0].Confirmed || got[0].ARN != subARN {
		t.Errorf("Subscriptions() = %+v, want the confirmed %s", got, subARN)
	}
	resp, err := http.Get(unsubscribeURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET UnsubscribeURL = %d", resp.StatusCode)
	}
	deliverOne(t, emu, 5)
	sub.none(t, 200*time.Millisecond)
}

// digestKeys lists the digest files in the bucket.
func digestKeys(t *testing.T, emu *Server) []string {
	t.Helper()
	out, err := emu.S3Client().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(emu.Bucket), Prefix: aws.String("AWSLogs/")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		if strings.Contains(aws.ToString(o.Key), "/CloudTrail-Digest/") {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func TestNotifyS3Events(t *testing.T) {
	ep := newHook(t, nil)
	emu := Start(t, WithS3Events(ep.URL), testLogger(t))
	nt := deliverOne(t, emu, 0)
	p := ep.next(t)
	if ct := p.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var ev struct {
		Records []struct {
			EventName string
			AWSRegion string `json:"awsRegion"`
			S3        struct {
				Bucket struct{ Name string }
				Object struct {
					Key  string
					Size int64
					ETag string
				}
			}
		}
	}
	if err := json.Unmarshal(p.body, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("S3 event %s: %v", p.body, err)
	}
	r := ev.Records[0]
	key, err := url.QueryUnescape(r.S3.Object.Key)
	if err != nil {
		t.Fatal(err)
	}
	head, err := emu.S3Client().HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HeadObject of the event's key %s: %v", key, err)
	}
	if r.EventName != "ObjectCreated:Put" || r.AWSRegion != emu.Region() || r.S3.Bucket.Name != emu.Bucket || key != nt.Key {
		t.Errorf("event %s, want ObjectCreated:Put of %s/%s in %s", p.body, emu.Bucket, nt.Key, emu.Region())
	}
	if r.S3.Object.Size != aws.ToInt64(head.ContentLength) || `"`+r.S3.Object.ETag+`"` != aws.ToString(head.ETag) {
		t.Errorf("event size %d eTag %s, object has %d %s", r.S3.Object.Size, r.S3.Object.ETag, aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
	}
}

func TestNotifyUnconfirmedGetsNothing(t *testing.T) {
	sub := newHook(t, nil)
	emu := Start(t, WithNotify(sub.URL), testLogger(t))
	if env := envelope(t, sub.next(t)); env["Type"] != "SubscriptionConfirmation" {
		t.Fatalf("first POST is a %s", env["Type"])
	}
	deliverOne(t, emu, 0)
	deliverOne(t, emu, 1)
	sub.none(t, 300*time.Millisecond)
	if got := emu.Subscriptions(); len(got) != 1 || got[0].Confirmed || got[0].Dropped != 2 {
		t.Errorf("Subscriptions() = %+v, want one unconfirmed with 2 dropped", got)
	}
}

func TestNotifyRetries(t *testing.T) {
	// The first answer to each message is a 500; SNS-style retries follow.
	ep := newHook(t, func(n int) int {
		if n%2 == 1 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	emu := Start(t, WithS3Events(ep.URL), testLogger(t))
	nt := deliverOne(t, emu, 0)
	p := ep.next(t)
	if !strings.Contains(string(p.body), `"eTag":"`+nt.MD5+`"`) {
		t.Errorf("retried event %s, want eTag %s", p.body, nt.MD5)
	}
	if n := ep.requests(); n != 2 {
		t.Errorf("endpoint got %d requests, want 2 (a 500, then the retry)", n)
	}
	for range 200 { // the counter moves after the answer is read
		if s := emu.Subscriptions(); len(s) == 1 && s[0].Delivered == 1 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("Subscriptions() = %+v, want 1 delivered", emu.Subscriptions())
}

func TestNotifySlowSubscriberNeverBlocks(t *testing.T) {
	release := make(chan struct{})
	hit := make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hit <- struct{}{}:
		default:
		}
		select { // hang until the notifier gives up or the test ends
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(slow.Close)
	fast := newHook(t, nil)
	emu := Start(t, WithNotify(slow.URL), WithS3Events(slow.URL), WithS3Events(fast.URL), testLogger(t))
	t.Cleanup(func() { close(release) }) // before Close, which waits for the queues
	// The slow endpoint is stuck in its confirmation.
	select {
	case <-hit:
	case <-time.After(10 * time.Second):
		t.Fatal("the slow endpoint got no request")
	}

	start := time.Now()
	for i := range 20 {
		emu.Record(testRecord(i, emu.Now()))
		emu.Flush()
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("20 deliveries took %v with a hanging subscriber", d)
	}
	for range 20 { // the other endpoint is served meanwhile
		fast.next(t)
	}
}

func TestNotifyFilesDeliveredAtClose(t *testing.T) {
	ep := newHook(t, nil)
	emu := Start(t, WithS3Events(ep.URL), testLogger(t))
	emu.Record(testRecord(0, emu.Now()))
	if err := emu.Close(); err != nil { // delivers the pending record
		t.Fatal(err)
	}
	select {
	case p := <-ep.posts:
		if !strings.Contains(string(p.body), `"eventName":"ObjectCreated:Put"`) {
			t.Errorf("POST at close: %s", p.body)
		}
	default:
		t.Error("the log file delivered by Close was not notified before Close returned")
	}
}

func TestNotifyRouting(t *testing.T) {
	// Without notification endpoints the trail's topic has no endpoints.
	emu := Start(t, testLogger(t))
	resp, err := http.Get(emu.URL + "/?Action=ConfirmSubscription&Token=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if emu.Subscriptions() != nil {
		t.Errorf("Subscriptions() = %v without endpoints", emu.Subscriptions())
	}

	sub := newHook(t, nil)
	emu = Start(t, WithNotify(sub.URL), testLogger(t))
	sub.next(t)
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		want                            string
	}{
		{"bad token", "GET", "/?Action=ConfirmSubscription&Token=nope&TopicArn=" + url.QueryEscape(emu.topicARN()), "", "", 400, "<Code>InvalidParameter</Code>"},
		{"unknown subscription", "GET", "/?Action=Unsubscribe&SubscriptionArn=x", "", "", 404, "<Code>NotFound</Code>"},
		{"form post", "POST", "/", "application/x-www-form-urlencoded", "Action=Publish", 400, "<Code>InvalidParameter</Code>"},
		{"sns api", "POST", "/", "application/x-www-form-urlencoded", "Action=GetTopicAttributes&TopicArn=" + url.QueryEscape(emu.topicARN()), 200, "<key>SubscriptionsPending</key><value>1</value>"},
		{"query GET is SNS's", "GET", "/?Action=Publish", "", "", 400, "<Code>InvalidParameter</Code>"},
		{"sqs query", "POST", "/", "application/x-www-form-urlencoded", "Action=ListQueues&Version=2012-11-05", 200, "<ListQueuesResult"},
		{"malformed sqs form", "POST", "/", "application/x-www-form-urlencoded", "Action=SendMessage&Version=2012-11-05&QueueUrl=%zz", 400, `<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>MalformedQueryString</Code>`},
		{"unknown action is S3", "GET", "/?Action=Bogus", "", "", 200, "<ListAllMyBucketsResult"},
		{"wrong certificate", "GET", "/SimpleNotificationService-00.pem", "", "", 404, "<Code>NoSuchBucket</Code>"},
		{"certificate", "GET", emu.notify.certPath, "", "", 200, "-----BEGIN CERTIFICATE-----"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, emu.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Errorf("%s %s = %d %s, want %d with %s", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.want)
			}
		})
	}
}

func TestLoopbackBase(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://0.0.0.0:4599", "http://127.0.0.1:4599"},
		{"https://[::]:4599", "https://127.0.0.1:4599"},
		{"http://127.0.0.1:4599", "http://127.0.0.1:4599"},
		{"http://example.com:80", "http://example.com:80"},
		{"garbage", "garbage"},
	}
	for _, tc := range tests {
		if got := loopbackBase(tc.in); got != tc.want {
			t.Errorf("loopbackBase(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// fakeQueues is a queueSink that records deliveries.
type fakeQueues struct {
	mu  sync.Mutex
	got []string
}

func (q *fakeQueues) DeliverToQueue(_ context.Context, queueARN, body string, _ map[string]awsapi.MessageAttribute) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.got = append(q.got, queueARN+" "+body)
	return nil
}

func (q *fakeQueues) QueueExists(queueARN string) bool {
	return strings.HasSuffix(queueARN, ":trail-q")
}

func (q *fakeQueues) take() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.got
	q.got = nil
	return out
}

// snsCall POSTs one SNS query-protocol call to the emulator.
func snsCall(t *testing.T, emu *Server, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.Post(emu.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(body)
}

func TestNotifySQSSubscription(t *testing.T) {
	dir := t.TempDir()
	sub := newHook(t, nil)
	emu := Start(t, WithNotify(sub.URL), WithDataDir(dir), testLogger(t))
	q := &fakeQueues{}
	emu.notify.setQueues(q)
	if emu.notify.svc() == nil || !emu.notify.svc().TopicExists(emu.topicARN()) {
		t.Fatal("no trail topic")
	}
	queue := "arn:aws:sqs:" + emu.Region() + ":" + emu.AccountID() + ":trail-q"
	code, body := snsCall(t, emu, url.Values{"Action": {"Subscribe"}, "TopicArn": {emu.topicARN()}, "Protocol": {"sqs"}, "Endpoint": {queue}})
	if code != 200 || !strings.Contains(body, "<SubscriptionArn>"+emu.topicARN()+":") {
		t.Fatalf("Subscribe = %d %s", code, body)
	}
	confirm(t, http.DefaultClient, emu.URL, envelope(t, sub.next(t)))

	nt := deliverOne(t, emu, 0)
	got := q.take()
	if len(got) != 1 || !strings.HasPrefix(got[0], queue+" {\n  \"Type\" : \"Notification\"") {
		t.Fatalf("queue deliveries %q", got)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(got[0], queue+" ")), &env); err != nil {
		t.Fatal(err)
	}
	want := `{"s3Bucket":` + strconv.Quote(emu.Bucket) + `,"s3ObjectKey":[` + strconv.Quote(nt.Key) + `]}`
	if env["Message"] != want || env["TopicArn"] != emu.topicARN() {
		t.Errorf("queue envelope %v, want Message %s", env, want)
	}
	verifyEnvelope(t, http.DefaultClient, emu.URL, env)
	// The HTTP subscriber got the same message, with the same MessageId.
	if h := envelope(t, sub.next(t)); h["Message"] != want || h["MessageId"] != env["MessageId"] {
		t.Errorf("HTTP envelope %v", h)
	}
	if n := len(emu.Subscriptions()); n != 2 {
		t.Errorf("%d subscriptions, want 2", n)
	}

	// The subscriptions survive a restart; WithNotify does not subscribe
	// its URL twice.
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	emu2 := Start(t, WithNotify(sub.URL), WithDataDir(dir), testLogger(t))
	code, body = snsCall(t, emu2, url.Values{"Action": {"ListSubscriptionsByTopic"}, "TopicArn": {emu2.topicARN()}})
	if code != 200 || strings.Count(body, "<member>") != 2 || strings.Contains(body, "PendingConfirmation") {
		t.Errorf("after restart: %d %s", code, body)
	}
	sub.none(t, 200*time.Millisecond) // no second confirmation
}
