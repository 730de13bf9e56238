package sns

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// Config configures a Service.
type Config struct {
	// Region is the service's region; topic ARNs must name it. Required.
	Region string
	// SigningKey signs SNS envelopes. Required.
	SigningKey *rsa.PrivateKey
	// SignatureVersion is "1" (SHA1withRSA, the default) or "2"
	// (SHA256withRSA).
	SignatureVersion string
	// SNSURL is the base of SubscribeURL and UnsubscribeURL; requests to it
	// must reach Handler. Default https://sns.REGION.amazonaws.com/.
	SNSURL string
	// SigningCertURL goes in every envelope; default
	// https://sns.REGION.amazonaws.com/SimpleNotificationService-<md5 of the public key>.pem.
	// CertHandler serves a matching certificate.
	SigningCertURL string
	// Client sends the POSTs; default a client without redirects.
	Client *http.Client
	// Timeout bounds each POST; default 5s.
	Timeout time.Duration
	// Retries is how many times a failed POST is tried again; default 3,
	// negative for none.
	Retries int
	// Backoff is the pause before the first retry, doubling after each;
	// default 250ms.
	Backoff time.Duration
	// QueueSize is how many messages wait per endpoint before new ones are
	// dropped; default 1000.
	QueueSize int
	// Clock stamps envelopes; default trail.RealClock.
	Clock trail.Clock
	// Seed makes message IDs, tokens, subscription IDs and request IDs
	// reproducible.
	Seed int64
	// Logger receives delivery failures; default discards.
	Logger *slog.Logger
}

// Service is SNS in one region: its topics, their HTTP subscriptions, and
// the key that signs every envelope. It sends each topic's notices to its
// endpoints: SNS envelopes to subscribers (after the
// SubscriptionConfirmation handshake) and S3 event notification JSON to
// S3-event endpoints. Each endpoint has its own queue and goroutine, so
// Topic.Notify never blocks and a slow endpoint holds up no other. Notices
// for a subscription that is not confirmed yet are dropped, as SNS drops
// them; so are notices that find the queue full.
type Service struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	created  time.Time
	certOnce sync.Once
	cert     []byte
	certErr  error

	mu      sync.Mutex
	topics  []*Topic
	byToken map[string]*subscriber
	seq     uint64
	closed  bool
}

// Topic is one SNS topic of a Service and its subscriptions.
type Topic struct {
	svc     *Service
	arn     string
	account string
	subs    []*subscriber // guarded by svc.mu
}

// Subscription describes one endpoint of a topic.
type Subscription struct {
	Endpoint  string
	ARN       string // SNS subscriptions only
	S3Events  bool   // true for S3 event endpoints
	Confirmed bool
	Delivered int64 // messages accepted (2xx)
	Failed    int64 // messages given up after retries
	Dropped   int64 // notices dropped: unconfirmed or queue full
}

type subscriber struct {
	topic     *Topic
	endpoint  string
	arn       string
	token     string
	snsURL    string   // SNSURL when subscribed: base of UnsubscribeURL
	certURL   string   // SigningCertURL when subscribed
	s3        *S3Event // template of an S3 event endpoint; nil for SNS
	confirmed atomic.Bool
	queue     chan message
	done      chan struct{}
	delivered atomic.Int64
	failed    atomic.Int64
	dropped   atomic.Int64
	pending   atomic.Int64 // messages queued or being sent (Shutdown)
}

// message is a prepared POST, or a notice to prepare.
type message struct {
	body   []byte
	header http.Header
	notice *trail.Notice
	at     time.Time
	id     string
}

var (
	topicARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sns:([a-z0-9-]+):([0-9]{12}):[A-Za-z0-9_-]{1,256}$`)
)

// New returns a Service without topics; Close stops it.
func New(cfg Config) (*Service, error) {
	if !schemas.ValidRegion(cfg.Region) {
		return nil, fmt.Errorf("sns: invalid region %q", cfg.Region)
	}
	if cfg.SigningKey == nil {
		return nil, errors.New("sns: signing key is required")
	}
	if cfg.SignatureVersion == "" {
		cfg.SignatureVersion = "1"
	}
	if cfg.SignatureVersion != "1" && cfg.SignatureVersion != "2" {
		return nil, fmt.Errorf("sns: signature version %q, want 1 or 2", cfg.SignatureVersion)
	}
	if cfg.SNSURL == "" {
		cfg.SNSURL = "https://sns." + cfg.Region + ".amazonaws.com/"
	}
	if !isHTTPURL(cfg.SNSURL) {
		return nil, fmt.Errorf("sns: invalid SNS URL %q", cfg.SNSURL)
	}
	if cfg.SigningCertURL == "" {
		cfg.SigningCertURL = "https://sns." + cfg.Region + ".amazonaws.com/SimpleNotificationService-" +
			trail.Fingerprint(trail.PublicKeyDER(&cfg.SigningKey.PublicKey)) + ".pem"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 3
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 250 * time.Millisecond
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if cfg.Clock == nil {
		cfg.Clock = trail.RealClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{
		cfg: cfg, ctx: ctx, cancel: cancel,
		byToken: make(map[string]*subscriber), created: cfg.Clock.Now(),
	}, nil
}

// CreateTopic returns the topic arn (arn:aws:sns:REGION:ACCOUNT:NAME, in
// the service's region), creating it if it does not exist yet.
func (svc *Service) CreateTopic(arn string) (*Topic, error) {
	m := topicARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, fmt.Errorf("sns: invalid topic ARN %q", arn)
	}
	if m[1] != svc.cfg.Region {
		return nil, fmt.Errorf("sns: topic ARN %q is not in region %s", arn, svc.cfg.Region)
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return nil, errors.New("sns: closed")
	}
	if t := svc.topic(arn); t != nil {
		return t, nil
	}
	t := &Topic{svc: svc, arn: arn, account: m[2]}
	svc.topics = append(svc.topics, t)
	return t, nil
}

// topic returns the topic arn, or nil. Called with svc.mu held.
func (svc *Service) topic(arn string) *Topic {
	for _, t := range svc.topics {
		if t.arn == arn {
			return t
		}
	}
	return nil
}

// ARN returns the topic's ARN.
func (t *Topic) ARN() string { return t.arn }

// id returns 32 bytes derived from the seed, a purpose and a counter.
// Called with svc.mu held.
func (svc *Service) id(purpose string) [32]byte {
	svc.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(svc.cfg.Seed))
	binary.BigEndian.PutUint64(b[8:], svc.seq)
	return sha256.Sum256(append([]byte("firetrail/sns/"+purpose+"\x00"), b[:]...))
}

// uuid formats the first 16 bytes of h as a version-4 UUID.
func uuid(h [32]byte) string {
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	s := hex.EncodeToString(h[:16])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// isHTTPURL reports whether s is an absolute http or https URL.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkEndpoint accepts absolute http and https URLs.
func checkEndpoint(endpoint string) error {
	if !isHTTPURL(endpoint) {
		return fmt.Errorf("sns: invalid endpoint %q: want an http or https URL", endpoint)
	}
	return nil
}

// Subscribe adds an SNS HTTP/HTTPS subscription to t and POSTs it a
// SubscriptionConfirmation. The subscription receives notices once its
// SubscribeURL has been visited (Handler). It returns the subscription
// ARN.
func (t *Topic) Subscribe(endpoint string) (string, error) {
	if err := checkEndpoint(endpoint); err != nil {
		return "", err
	}
	svc := t.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return "", errors.New("sns: closed")
	}
	tok := svc.id("token")
	tok2 := svc.id("token")
	s := &subscriber{
		topic:    t,
		endpoint: endpoint,
		arn:      t.arn + ":" + uuid(svc.id("subscription")),
		token:    hex.EncodeToString(tok[:]) + hex.EncodeToString(tok2[:]),
		snsURL:   svc.cfg.SNSURL,
		certURL:  svc.cfg.SigningCertURL,
	}
	conf := Envelope{
		Type:      TypeSubscriptionConfirmation,
		MessageID: uuid(svc.id("message")),
		Token:     s.token,
		TopicARN:  t.arn,
		Message: "You have chosen to subscribe to the topic " + t.arn +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL:     s.snsURL + "?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(t.arn) + "&Token=" + s.token,
		Timestamp:        svc.cfg.Clock.Now(),
		SignatureVersion: svc.cfg.SignatureVersion,
		SigningCertURL:   s.certURL,
	}
	if err := conf.Sign(svc.cfg.SigningKey); err != nil {
		return "", err
	}
	svc.start(s)
	svc.byToken[s.token] = s
	s.pending.Add(1)
	s.queue <- message{body: conf.JSON(), header: snsHeader(&conf, "")}
	return s.arn, nil
}

// SetURLs replaces SNSURL and SigningCertURL (an empty argument keeps the
// current value) for the subscriptions made from now on; earlier ones keep
// the URLs they were given. It is for a server that learns its own address
// after New, and must then route both URLs to Handler and CertHandler.
func (svc *Service) SetURLs(snsURL, signingCertURL string) error {
	for _, u := range []string{snsURL, signingCertURL} {
		if u != "" && !isHTTPURL(u) {
			return fmt.Errorf("sns: invalid URL %q", u)
		}
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if snsURL != "" {
		svc.cfg.SNSURL = snsURL
	}
	if signingCertURL != "" {
		svc.cfg.SigningCertURL = signingCertURL
	}
	return nil
}

// SubscribeS3Events adds to t an endpoint that receives S3 event
// notification JSON (REFERENCE.md §6.3) for every notice, without a
// handshake. event is the template of the notifications: Region
// (default the service's), ConfigurationID, PrincipalID, SourceIP and
// OwnerID are copied from it.
func (t *Topic) SubscribeS3Events(endpoint string, event S3Event) error {
	if err := checkEndpoint(endpoint); err != nil {
		return err
	}
	svc := t.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return errors.New("sns: closed")
	}
	if event.Region == "" {
		event.Region = svc.cfg.Region
	}
	s := &subscriber{topic: t, endpoint: endpoint, s3: &event}
	s.confirmed.Store(true)
	svc.start(s)
	return nil
}

// start registers s with its topic and runs its sender. Called with
// svc.mu held.
func (svc *Service) start(s *subscriber) {
	s.queue = make(chan message, svc.cfg.QueueSize)
	s.done = make(chan struct{})
	s.topic.subs = append(s.topic.subs, s)
	svc.wg.Add(1)
	go svc.send(s)
}

// snsHeader returns the headers SNS sends with an envelope.
func snsHeader(m *Envelope, subscriptionARN string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("User-Agent", "Amazon Simple Notification Service Agent")
	h.Set("x-amz-sns-message-type", m.Type)
	h.Set("x-amz-sns-message-id", m.MessageID)
	h.Set("x-amz-sns-topic-arn", m.TopicARN)
	if subscriptionARN != "" {
		h.Set("x-amz-sns-subscription-arn", subscriptionARN)
	}
	return h
}

// Notify queues nt for every endpoint of t. It never blocks: envelopes are
// built and signed by the endpoint's sender.
func (t *Topic) Notify(nt trail.Notice) {
	svc := t.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return
	}
	at := svc.cfg.Clock.Now()
	for _, s := range t.subs {
		if !s.confirmed.Load() {
			s.dropped.Add(1)
			continue
		}
		msg := message{notice: &nt, at: at}
		if s.s3 == nil {
			msg.id = uuid(svc.id("message"))
		}
		s.pending.Add(1)
		select {
		case s.queue <- msg:
		default:
			s.pending.Add(-1)
			s.dropped.Add(1)
		}
	}
}

// build makes the body and headers of a notice for s.
func (svc *Service) build(s *subscriber, msg message) (message, error) {
	nt := msg.notice
	if s.s3 != nil {
		e := *s.s3
		e.Bucket, e.Key, e.Size, e.ETag, e.EventTime = nt.Bucket, nt.Key, nt.Size, nt.MD5, nt.DeliveredAt
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return message{body: e.JSON(), header: h}, nil
	}
	env := Envelope{
		Type:             TypeNotification,
		MessageID:        msg.id,
		TopicARN:         s.topic.arn,
		Message:          CloudTrailMessage(nt.Bucket, nt.Key),
		Timestamp:        msg.at,
		SignatureVersion: svc.cfg.SignatureVersion,
		SigningCertURL:   s.certURL,
		UnsubscribeURL:   s.snsURL + "?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(s.arn),
	}
	if err := env.Sign(svc.cfg.SigningKey); err != nil {
		return message{}, err
	}
	return message{body: env.JSON(), header: snsHeader(&env, s.arn)}, nil
}

// send POSTs s's messages in order until the service closes or s is
// unsubscribed.
func (svc *Service) send(s *subscriber) {
	defer svc.wg.Done()
	for {
		select {
		case <-svc.ctx.Done():
			return
		case <-s.done:
			return
		case msg := <-s.queue:
			if msg.notice != nil {
				var err error
				if msg, err = svc.build(s, msg); err != nil {
					svc.cfg.Logger.Error("sns: build notification", "err", err)
					s.failed.Add(1)
					s.pending.Add(-1)
					continue
				}
			}
			if svc.post(s, msg) {
				s.delivered.Add(1)
			} else {
				s.failed.Add(1)
			}
			s.pending.Add(-1)
		}
	}
}

// post delivers one message with retries; it reports success.
func (svc *Service) post(s *subscriber, msg message) bool {
	pause := svc.cfg.Backoff
	for attempt := 0; ; attempt++ {
		err := svc.postOnce(s.endpoint, msg)
		if err == nil {
			return true
		}
		if attempt >= svc.cfg.Retries || svc.ctx.Err() != nil {
			svc.cfg.Logger.Warn("sns: notification failed", "endpoint", s.endpoint, "attempts", attempt+1, "err", err)
			return false
		}
		t := time.NewTimer(pause)
		select {
		case <-svc.ctx.Done():
			t.Stop()
			return false
		case <-s.done:
			t.Stop()
			return false
		case <-t.C:
		}
		pause *= 2
	}
}

func (svc *Service) postOnce(endpoint string, msg message) error {
	ctx, cancel := context.WithTimeout(svc.ctx, svc.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(msg.body))
	if err != nil {
		return fmt.Errorf("post %s: %w", endpoint, err)
	}
	req.Header = msg.header.Clone()
	resp, err := svc.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", endpoint, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("post %s: status %s", endpoint, resp.Status)
	}
	return nil
}

// Subscriptions lists the endpoints of t and their counters, in the order
// they were added.
func (t *Topic) Subscriptions() []Subscription {
	t.svc.mu.Lock()
	defer t.svc.mu.Unlock()
	return t.appendSubscriptions(make([]Subscription, 0, len(t.subs)))
}

// Subscriptions lists the endpoints of every topic, topic by topic in the
// order the topics were created.
func (svc *Service) Subscriptions() []Subscription {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	var out []Subscription
	for _, t := range svc.topics {
		out = t.appendSubscriptions(out)
	}
	return out
}

// appendSubscriptions appends t's endpoints to out. Called with svc.mu
// held.
func (t *Topic) appendSubscriptions(out []Subscription) []Subscription {
	for _, s := range t.subs {
		out = append(out, Subscription{
			Endpoint: s.endpoint, ARN: s.arn, S3Events: s.s3 != nil, Confirmed: s.confirmed.Load(),
			Delivered: s.delivered.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(),
		})
	}
	return out
}

// Close stops all senders; queued messages are dropped and a POST in
// flight is cancelled.
func (svc *Service) Close() error {
	svc.mu.Lock()
	svc.closed = true
	svc.mu.Unlock()
	svc.cancel()
	svc.wg.Wait()
	return nil
}

// Shutdown stops taking notices and subscriptions, waits until every
// queued message has been sent (or given up after its retries) or ctx is
// done, and then closes the service. It returns ctx's error if messages
// were left unsent.
func (svc *Service) Shutdown(ctx context.Context) error {
	svc.mu.Lock()
	svc.closed = true
	var subs []*subscriber
	for _, t := range svc.topics {
		subs = append(subs, t.subs...)
	}
	svc.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		busy := false
		if svc.ctx.Err() != nil { // closed already: queues were dropped
			subs = nil
		}
		for _, s := range subs {
			select {
			case <-s.done: // unsubscribed: its queue is dropped
			default:
				busy = busy || s.pending.Load() > 0
			}
		}
		if !busy {
			return svc.Close()
		}
		select {
		case <-ctx.Done():
			svc.Close()
			return fmt.Errorf("sns: shutdown: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

const xmlns = "http://sns.amazonaws.com/doc/2010-03-31/"

type confirmResponse struct {
	XMLName         xml.Name `xml:"ConfirmSubscriptionResponse"`
	XMLNS           string   `xml:"xmlns,attr"`
	SubscriptionArn string   `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	RequestID       string   `xml:"ResponseMetadata>RequestId"`
}

type unsubscribeResponse struct {
	XMLName   xml.Name `xml:"UnsubscribeResponse"`
	XMLNS     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	XMLNS     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// Handler answers the SNS query-protocol actions that SubscribeURL and
// UnsubscribeURL name (GET query or POST form): ConfirmSubscription with
// TopicArn and Token confirms a subscription; Unsubscribe with
// SubscriptionArn removes one. Replies are SNS's XML; other actions,
// unknown topics, tokens and ARNs get SNS's XML errors.
func (svc *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.mu.Lock()
		reqID := uuid(svc.id("request"))
		svc.mu.Unlock()
		fail := func(status int, code, msg string) {
			writeXML(w, status, errorResponse{XMLNS: xmlns, Type: "Sender", Code: code, Message: msg, RequestID: reqID})
		}
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			fail(http.StatusMethodNotAllowed, "InvalidAction", "method "+r.Method+" not allowed")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			fail(http.StatusBadRequest, "MalformedQueryString", "cannot parse request")
			return
		}
		switch action := r.Form.Get("Action"); action {
		case "ConfirmSubscription":
			topic, token := r.Form.Get("TopicArn"), r.Form.Get("Token")
			svc.mu.Lock()
			t := svc.topic(topic)
			s := svc.byToken[token]
			svc.mu.Unlock()
			if t == nil {
				fail(http.StatusNotFound, "NotFound", "Topic does not exist")
				return
			}
			if s == nil || s.topic != t || token == "" {
				fail(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: Token")
				return
			}
			s.confirmed.Store(true)
			writeXML(w, http.StatusOK, confirmResponse{XMLNS: xmlns, SubscriptionArn: s.arn, RequestID: reqID})
		case "Unsubscribe":
			arn := r.Form.Get("SubscriptionArn")
			if !svc.unsubscribe(arn) {
				fail(http.StatusNotFound, "NotFound", "Subscription does not exist")
				return
			}
			writeXML(w, http.StatusOK, unsubscribeResponse{XMLNS: xmlns, RequestID: reqID})
		case "":
			fail(http.StatusBadRequest, "MissingAction", "no Action parameter")
		default:
			fail(http.StatusBadRequest, "InvalidAction", "action "+action+" is not valid for this endpoint")
		}
	})
}

// unsubscribe removes the subscription with arn and reports whether it
// existed.
func (svc *Service) unsubscribe(arn string) bool {
	if arn == "" {
		return false
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	for _, t := range svc.topics {
		for i, s := range t.subs {
			if s.arn == arn {
				close(s.done)
				delete(svc.byToken, s.token)
				t.subs = append(t.subs[:i], t.subs[i+1:]...)
				return true
			}
		}
	}
	return false
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	w.Write(b)
}

var _ func(trail.Notice) = (*Topic)(nil).Notify
