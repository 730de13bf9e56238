package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/fuzzhist"
)

// startServer serves h on 127.0.0.1:0.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// post is one request a test endpoint received.
type post struct {
	header http.Header
	body   []byte
}

// endpoint records POSTs; fail makes the first fail requests answer 500.
type endpoint struct {
	mu    sync.Mutex
	fail  int
	posts chan post
}

func newEndpoint(fail int) *endpoint { return &endpoint{fail: fail, posts: make(chan post, 16)} }

func (e *endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e.mu.Lock()
	failing := e.fail > 0
	e.fail--
	e.mu.Unlock()
	if r.Method != http.MethodPost || failing {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	e.posts <- post{r.Header.Clone(), body}
}

func (e *endpoint) next(t *testing.T) post {
	t.Helper()
	select {
	case p := <-e.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("no POST arrived")
		return post{}
	}
}

// newTopic returns the topic arn:aws:sns:eu-west-1:111122223333:trail-notices
// of a new service, on a fake clock, closed when the test ends.
func newTopic(t *testing.T, snsURL string) (*sns.Service, *sns.Topic) {
	t.Helper()
	svc, err := sns.New(sns.Config{
		Region: "eu-west-1", SigningKey: testKey(t),
		SNSURL: snsURL, Clock: trail.NewFakeClock(t0), Seed: 1, Backoff: 10 * time.Millisecond, Timeout: 2 * time.Second,
	})
	must(t, err)
	t.Cleanup(func() { svc.Close() })
	topic, err := svc.CreateTopic("arn:aws:sns:eu-west-1:111122223333:trail-notices")
	must(t, err)
	return svc, topic
}

func TestNotifierHandshakeAndDelivery(t *testing.T) {
	key := testKey(t)
	var svc *sns.Service
	snsSrv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { svc.Handler().ServeHTTP(w, r) }))
	svc, n := newTopic(t, snsSrv.URL+"/")
	sub := newEndpoint(1) // the first POST (the confirmation) fails, its retry succeeds
	subSrv := startServer(t, sub)
	s3ep := newEndpoint(0)
	s3Srv := startServer(t, s3ep)

	arn, err := n.Subscribe(subSrv.URL + "/hook")
	must(t, err)
	must(t, n.SubscribeS3Events(s3Srv.URL, s3Event))
	notice := trail.Notice{Bucket: "example-trail-bucket", Key: sampleKey, Size: 1234, MD5: "0123456789abcdef0123456789abcdef", Records: 3, DeliveredAt: t0}

	// The confirmation arrives first; it was sent before any notice. The
	// endpoint's first answer is a 500, so it comes twice.
	conf := sub.next(t)
	if got := conf.header.Get("x-amz-sns-message-type"); got != "SubscriptionConfirmation" {
		t.Fatalf("first POST type %q, want SubscriptionConfirmation", got)
	}
	var env map[string]string
	must(t, json.Unmarshal(conf.body, &env))
	verifySNS(t, &key.PublicKey, env)
	if ct := conf.header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if env["TopicArn"] != "arn:aws:sns:eu-west-1:111122223333:trail-notices" || env["Token"] == "" || conf.header.Get("x-amz-sns-message-id") != env["MessageId"] {
		t.Errorf("confirmation envelope %v, headers %v", env, conf.header)
	}

	// Not yet confirmed: the notice is dropped for the SNS subscriber.
	n.Notify(notice)
	s3post := s3ep.next(t)
	var ev map[string]any
	must(t, json.Unmarshal(s3post.body, &ev))
	if !strings.Contains(string(s3post.body), `"eventName":"ObjectCreated:Put"`) {
		t.Errorf("S3 event: %s", s3post.body)
	}

	// Visit SubscribeURL, as a subscriber does.
	resp, err := http.Get(env["SubscribeURL"])
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<SubscriptionArn>"+arn+"</SubscriptionArn>") {
		t.Fatalf("ConfirmSubscription: %d %s", resp.StatusCode, body)
	}

	n.Notify(notice)
	p := sub.next(t)
	if got := p.header.Get("x-amz-sns-message-type"); got != "Notification" {
		t.Fatalf("POST type %q, want Notification", got)
	}
	if p.header.Get("x-amz-sns-subscription-arn") != arn || p.header.Get("x-amz-sns-topic-arn") == "" {
		t.Errorf("headers %v", p.header)
	}
	must(t, json.Unmarshal(p.body, &env))
	verifySNS(t, &key.PublicKey, env)
	if want := sns.CloudTrailMessage("example-trail-bucket", sampleKey); env["Message"] != want {
		t.Errorf("Message = %q, want %q", env["Message"], want)
	}
	if env["Timestamp"] != "2025-03-04T09:02:31.000Z" {
		t.Errorf("Timestamp = %q", env["Timestamp"])
	}
	s3ep.next(t)

	var st sns.Subscription
	for range 500 { // the counter moves after the endpoint answers
		for _, s := range n.Subscriptions() {
			if s.ARN == arn {
				st = s
			}
		}
		if st.Delivered == 2 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !st.Confirmed || st.Dropped != 1 || st.Delivered != 2 {
		t.Errorf("subscription stats %+v, want confirmed, 1 dropped, 2 delivered", st)
	}

	// Unsubscribe through UnsubscribeURL; later notices go nowhere.
	resp, err = http.Get(env["UnsubscribeURL"])
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("Unsubscribe: %d", resp.StatusCode)
	}
	if len(n.Subscriptions()) != 1 {
		t.Errorf("after unsubscribe: %d subscriptions, want 1", len(n.Subscriptions()))
	}
}

func TestNotifierNeverBlocks(t *testing.T) {
	block := make(chan struct{})
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer close(block)
	svc, err := sns.New(sns.Config{
		Region: "eu-west-1", SigningKey: testKey(t),
		QueueSize: 2, Retries: -1, Timeout: time.Minute,
	})
	must(t, err)
	defer svc.Close()
	n, err := svc.CreateTopic("arn:aws:sns:eu-west-1:111122223333:t")
	must(t, err)
	must(t, n.SubscribeS3Events(srv.URL, s3Event))
	done := make(chan struct{})
	go func() {
		for range 100 {
			n.Notify(trail.Notice{Bucket: "b", Key: "k"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Notify blocked on a stuck endpoint")
	}
	if s := n.Subscriptions()[0]; s.Dropped < 90 {
		t.Errorf("dropped %d of 100 notices with a queue of 2 and a stuck endpoint", s.Dropped)
	}
}

func TestConfirmHandlerErrors(t *testing.T) {
	svc, n := newTopic(t, "")
	h := svc.Handler()
	tests := []struct {
		name, method, query string
		status              int
		code                string
	}{
		{"no action", "GET", "", 400, "MissingAction"},
		{"unknown action", "GET", "Action=Publish", 400, "InvalidAction"},
		{"bad token", "GET", "Action=ConfirmSubscription&TopicArn=" + url.QueryEscape("arn:aws:sns:eu-west-1:111122223333:trail-notices") + "&Token=nope", 400, "InvalidParameter"},
		{"wrong topic", "GET", "Action=ConfirmSubscription&TopicArn=x&Token=nope", 404, "NotFound"},
		{"unknown subscription", "GET", "Action=Unsubscribe&SubscriptionArn=x", 404, "NotFound"},
		{"bad method", "DELETE", "Action=Unsubscribe", 405, "InvalidAction"},
		{"bad query", "GET", "Action=%zz", 400, "MalformedQueryString"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/?"+tc.query, nil))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), "<Code>"+tc.code+"</Code>") {
				t.Errorf("%s %q = %d %s, want %d with %s", tc.method, tc.query, rec.Code, rec.Body, tc.status, tc.code)
			}
		})
	}
	if _, err := n.Subscribe("ftp://x"); err == nil {
		t.Error("Subscribe(ftp://x) succeeded")
	}
	if err := n.SubscribeS3Events("not a url", s3Event); err == nil {
		t.Error("SubscribeS3Events(not a url) succeeded")
	}
	for _, cfg := range []sns.Config{
		{Region: "eu-west-1"},
		{SigningKey: testKey(t)},
		{Region: "eu-west-1", SigningKey: testKey(t), SignatureVersion: "9"},
	} {
		if _, err := sns.New(cfg); err == nil {
			t.Errorf("New(%q, key %v, version %q) succeeded", cfg.Region, cfg.SigningKey != nil, cfg.SignatureVersion)
		}
	}
	for _, arn := range []string{"topic", "arn:aws:sns:us-east-1:111122223333:t"} {
		if _, err := svc.CreateTopic(arn); err == nil {
			t.Errorf("CreateTopic(%q) in eu-west-1 succeeded", arn)
		}
	}
}

func FuzzHandler(f *testing.F) {
	f.Add("GET", "Action=ConfirmSubscription&TopicArn=arn:aws:sns:eu-west-1:111122223333:trail-notices&Token=00")
	f.Add("POST", "Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:111122223333:trail-notices:x")
	f.Add("GET", "%%%")
	key := testKey(f)
	svc, err := sns.New(sns.Config{Region: "eu-west-1", SigningKey: key})
	if err != nil {
		f.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.CreateTopic("arn:aws:sns:eu-west-1:111122223333:trail-notices"); err != nil {
		f.Fatal(err)
	}
	h := svc.Handler()
	var hist fuzzhist.History // svc is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, method, query string) {
		defer hist.Report(t)
		if method != "GET" && method != "POST" {
			method = "GET"
		}
		req := httptest.NewRequest(method, "/", strings.NewReader(query))
		req.URL.RawQuery = query
		if method == "POST" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 && !strings.Contains(rec.Body.String(), "<ErrorResponse") {
			t.Errorf("status %d without an SNS error body: %s", rec.Code, rec.Body)
		}
		if rec.Code == 200 {
			hist.Add("%s %q", method, query)
		}
	})
}

func TestNotifierSetURLs(t *testing.T) {
	svc, n := newTopic(t, "")
	sub := newEndpoint(0)
	subSrv := startServer(t, sub)
	if err := svc.SetURLs("ftp://x/", ""); err == nil {
		t.Error("SetURLs(ftp://x/) succeeded")
	}
	must(t, svc.SetURLs("http://127.0.0.1:9/", "http://127.0.0.1:9/cert.pem"))
	_, err := n.Subscribe(subSrv.URL)
	must(t, err)
	var env map[string]string
	must(t, json.Unmarshal(sub.next(t).body, &env))
	if !strings.HasPrefix(env["SubscribeURL"], "http://127.0.0.1:9/?Action=ConfirmSubscription&") || env["SigningCertURL"] != "http://127.0.0.1:9/cert.pem" {
		t.Errorf("SubscribeURL %q, SigningCertURL %q, want them under http://127.0.0.1:9/", env["SubscribeURL"], env["SigningCertURL"])
	}
}

func TestNotifierShutdown(t *testing.T) {
	svc, n := newTopic(t, "")
	ep := newEndpoint(1) // the first POST fails: Shutdown waits for the retry
	must(t, n.SubscribeS3Events(startServer(t, ep).URL, s3Event))
	for range 3 {
		n.Notify(trail.Notice{Bucket: "b", Key: "k"})
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	must(t, svc.Shutdown(ctx))
	if got := len(ep.posts); got != 3 {
		t.Errorf("%d notices delivered before Shutdown returned, want 3", got)
	}
	n.Notify(trail.Notice{Bucket: "b", Key: "k"})
	if s := n.Subscriptions()[0]; s.Delivered != 3 {
		t.Errorf("after Shutdown: %+v, want 3 delivered", s)
	}

	// A stuck endpoint holds Shutdown up only until ctx is done.
	block := make(chan struct{})
	defer close(block)
	stuck := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	svc2, n2 := newTopic(t, "")
	must(t, n2.SubscribeS3Events(stuck.URL, s3Event))
	n2.Notify(trail.Notice{Bucket: "b", Key: "k"})
	ctx2, cancel2 := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if err := svc2.Shutdown(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a stuck endpoint = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Shutdown took %v past its deadline", d)
	}
}

// s3Event stands in for the emulator's S3 event encoder (the S3 front's).
func s3Event(nt trail.Notice) []byte {
	return []byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"` + nt.Bucket + `"},"object":{"key":"` + nt.Key + `"}}}]}`)
}
