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
)

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	// TopicARN is the SNS topic the notices come from,
	// arn:aws:sns:REGION:ACCOUNT:NAME. Required.
	TopicARN string
	// SigningKey signs SNS envelopes. Required.
	SigningKey *rsa.PrivateKey
	// SignatureVersion is "1" (SHA1withRSA, the default) or "2"
	// (SHA256withRSA).
	SignatureVersion string
	// SNSURL is the base of SubscribeURL and UnsubscribeURL; requests to it
	// must reach ConfirmHandler. Default https://sns.REGION.amazonaws.com/.
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
	// S3Event is the template of S3 event notifications: Region,
	// ConfigurationID, PrincipalID, SourceIP and OwnerID are copied from it.
	S3Event S3Event
	// Clock stamps envelopes; default RealClock.
	Clock trail.Clock
	// Seed makes message IDs, tokens and subscription IDs reproducible.
	Seed int64
	// Logger receives delivery failures; default discards.
	Logger *slog.Logger
}

// Notifier sends notices of delivered log files to HTTP endpoints: SNS
// envelopes to subscribers (after the SubscriptionConfirmation handshake)
// and S3 event notification JSON to S3-event endpoints. Each endpoint has
// its own queue and goroutine, so Notify never blocks and a slow endpoint
// holds up no other. Notices for a subscription that is not confirmed yet
// are dropped, as SNS drops them; so are notices that find the queue full.
type Notifier struct {
	cfg     NotifierConfig
	region  string
	account string
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	created  time.Time
	certOnce sync.Once
	cert     []byte
	certErr  error

	mu      sync.Mutex
	subs    []*subscriber
	byToken map[string]*subscriber
	seq     uint64
	closed  bool
}

// Subscription describes one endpoint of a Notifier.
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
	endpoint  string
	arn       string
	token     string
	snsURL    string // SNSURL when subscribed: base of UnsubscribeURL
	certURL   string // SigningCertURL when subscribed
	s3        bool
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

var topicARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sns:([a-z0-9-]+):([0-9]{12}):[A-Za-z0-9_-]{1,256}$`)

// NewNotifier returns a Notifier; Close stops it.
func NewNotifier(cfg NotifierConfig) (*Notifier, error) {
	m := topicARNPattern.FindStringSubmatch(cfg.TopicARN)
	if m == nil {
		return nil, fmt.Errorf("trail: notifier: invalid topic ARN %q", cfg.TopicARN)
	}
	if cfg.SigningKey == nil {
		return nil, errors.New("trail: notifier: signing key is required")
	}
	if cfg.SignatureVersion == "" {
		cfg.SignatureVersion = "1"
	}
	if cfg.SignatureVersion != "1" && cfg.SignatureVersion != "2" {
		return nil, fmt.Errorf("trail: notifier: signature version %q, want 1 or 2", cfg.SignatureVersion)
	}
	if cfg.SNSURL == "" {
		cfg.SNSURL = "https://sns." + m[1] + ".amazonaws.com/"
	}
	if u, err := url.Parse(cfg.SNSURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("trail: notifier: invalid SNS URL %q", cfg.SNSURL)
	}
	if cfg.SigningCertURL == "" {
		cfg.SigningCertURL = "https://sns." + m[1] + ".amazonaws.com/SimpleNotificationService-" +
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
	if cfg.S3Event.Region == "" {
		cfg.S3Event.Region = m[1]
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Notifier{
		cfg: cfg, region: m[1], account: m[2], ctx: ctx, cancel: cancel,
		byToken: make(map[string]*subscriber), created: cfg.Clock.Now(),
	}, nil
}

// id returns 32 bytes derived from the seed, a purpose and a counter.
// Called with n.mu held.
func (n *Notifier) id(purpose string) [32]byte {
	n.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(n.cfg.Seed))
	binary.BigEndian.PutUint64(b[8:], n.seq)
	return sha256.Sum256(append([]byte("firetrail/sns/"+purpose+"\x00"), b[:]...))
}

// uuid formats the first 16 bytes of h as a version-4 UUID.
func uuid(h [32]byte) string {
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	s := hex.EncodeToString(h[:16])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// checkEndpoint accepts absolute http and https URLs.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("trail: invalid endpoint %q: want an http or https URL", endpoint)
	}
	return nil
}

// Subscribe adds an SNS HTTP/HTTPS subscription and POSTs it a
// SubscriptionConfirmation. The subscription receives notices once its
// SubscribeURL has been visited (ConfirmHandler). It returns the
// subscription ARN.
func (n *Notifier) Subscribe(endpoint string) (string, error) {
	if err := checkEndpoint(endpoint); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return "", errors.New("trail: notifier closed")
	}
	tok := n.id("token")
	tok2 := n.id("token")
	s := &subscriber{
		endpoint: endpoint,
		arn:      n.cfg.TopicARN + ":" + uuid(n.id("subscription")),
		token:    hex.EncodeToString(tok[:]) + hex.EncodeToString(tok2[:]),
		snsURL:   n.cfg.SNSURL,
		certURL:  n.cfg.SigningCertURL,
	}
	conf := SNSMessage{
		Type:      SNSSubscriptionConfirmation,
		MessageID: uuid(n.id("message")),
		Token:     s.token,
		TopicARN:  n.cfg.TopicARN,
		Message: "You have chosen to subscribe to the topic " + n.cfg.TopicARN +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL:     s.snsURL + "?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(n.cfg.TopicARN) + "&Token=" + s.token,
		Timestamp:        n.cfg.Clock.Now(),
		SignatureVersion: n.cfg.SignatureVersion,
		SigningCertURL:   s.certURL,
	}
	if err := conf.Sign(n.cfg.SigningKey); err != nil {
		return "", err
	}
	n.start(s)
	n.byToken[s.token] = s
	s.pending.Add(1)
	s.queue <- message{body: conf.JSON(), header: n.snsHeader(&conf, "")}
	return s.arn, nil
}

// SetURLs replaces SNSURL and SigningCertURL (an empty argument keeps the
// current value) for the subscriptions made from now on; earlier ones keep
// the URLs they were given. It is for a server that learns its own address
// after NewNotifier, and must then route both URLs to ConfirmHandler and
// CertHandler.
func (n *Notifier) SetURLs(snsURL, signingCertURL string) error {
	for _, u := range []string{snsURL, signingCertURL} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("trail: notifier: invalid URL %q", u)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if snsURL != "" {
		n.cfg.SNSURL = snsURL
	}
	if signingCertURL != "" {
		n.cfg.SigningCertURL = signingCertURL
	}
	return nil
}

// SubscribeS3Events adds an endpoint that receives S3 event notification
// JSON (REFERENCE.md §6.3) for every delivered log file, without a
// handshake.
func (n *Notifier) SubscribeS3Events(endpoint string) error {
	if err := checkEndpoint(endpoint); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("trail: notifier closed")
	}
	s := &subscriber{endpoint: endpoint, s3: true}
	s.confirmed.Store(true)
	n.start(s)
	return nil
}

// start registers s and runs its sender. Called with n.mu held.
func (n *Notifier) start(s *subscriber) {
	s.queue = make(chan message, n.cfg.QueueSize)
	s.done = make(chan struct{})
	n.subs = append(n.subs, s)
	n.wg.Add(1)
	go n.send(s)
}

// snsHeader returns the headers SNS sends with an envelope.
func (n *Notifier) snsHeader(m *SNSMessage, subscriptionARN string) http.Header {
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

// Notify queues nt for every endpoint. It never blocks: envelopes are
// built and signed by the endpoint's sender.
func (n *Notifier) Notify(nt trail.Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	at := n.cfg.Clock.Now()
	for _, s := range n.subs {
		if !s.confirmed.Load() {
			s.dropped.Add(1)
			continue
		}
		msg := message{notice: &nt, at: at}
		if !s.s3 {
			msg.id = uuid(n.id("message"))
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
func (n *Notifier) build(s *subscriber, msg message) (message, error) {
	nt := msg.notice
	if s.s3 {
		e := n.cfg.S3Event
		e.Bucket, e.Key, e.Size, e.ETag, e.EventTime = nt.Bucket, nt.Key, nt.Size, nt.MD5, nt.DeliveredAt
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return message{body: e.JSON(), header: h}, nil
	}
	env := SNSMessage{
		Type:             SNSNotification,
		MessageID:        msg.id,
		TopicARN:         n.cfg.TopicARN,
		Message:          CloudTrailMessage(nt.Bucket, nt.Key),
		Timestamp:        msg.at,
		SignatureVersion: n.cfg.SignatureVersion,
		SigningCertURL:   s.certURL,
		UnsubscribeURL:   s.snsURL + "?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(s.arn),
	}
	if err := env.Sign(n.cfg.SigningKey); err != nil {
		return message{}, err
	}
	return message{body: env.JSON(), header: n.snsHeader(&env, s.arn)}, nil
}

// send POSTs s's messages in order until the notifier closes or s is
// unsubscribed.
func (n *Notifier) send(s *subscriber) {
	defer n.wg.Done()
	for {
		select {
		case <-n.ctx.Done():
			return
		case <-s.done:
			return
		case msg := <-s.queue:
			if msg.notice != nil {
				var err error
				if msg, err = n.build(s, msg); err != nil {
					n.cfg.Logger.Error("trail: build notification", "err", err)
					s.failed.Add(1)
					s.pending.Add(-1)
					continue
				}
			}
			if n.post(s, msg) {
				s.delivered.Add(1)
			} else {
				s.failed.Add(1)
			}
			s.pending.Add(-1)
		}
	}
}

// post delivers one message with retries; it reports success.
func (n *Notifier) post(s *subscriber, msg message) bool {
	pause := n.cfg.Backoff
	for attempt := 0; ; attempt++ {
		err := n.postOnce(s.endpoint, msg)
		if err == nil {
			return true
		}
		if attempt >= n.cfg.Retries || n.ctx.Err() != nil {
			n.cfg.Logger.Warn("trail: notification failed", "endpoint", s.endpoint, "attempts", attempt+1, "err", err)
			return false
		}
		t := time.NewTimer(pause)
		select {
		case <-n.ctx.Done():
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

func (n *Notifier) postOnce(endpoint string, msg message) error {
	ctx, cancel := context.WithTimeout(n.ctx, n.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(msg.body))
	if err != nil {
		return fmt.Errorf("post %s: %w", endpoint, err)
	}
	req.Header = msg.header.Clone()
	resp, err := n.cfg.Client.Do(req)
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

// Subscriptions lists the endpoints and their counters.
func (n *Notifier) Subscriptions() []Subscription {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Subscription, 0, len(n.subs))
	for _, s := range n.subs {
		out = append(out, Subscription{
			Endpoint: s.endpoint, ARN: s.arn, S3Events: s.s3, Confirmed: s.confirmed.Load(),
			Delivered: s.delivered.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(),
		})
	}
	return out
}

// Close stops all senders; queued messages are dropped and a POST in
// flight is cancelled.
func (n *Notifier) Close() error {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.cancel()
	n.wg.Wait()
	return nil
}

// Shutdown stops taking notices and subscriptions, waits until every
// queued message has been sent (or given up after its retries) or ctx is
// done, and then closes the notifier. It returns ctx's error if messages
// were left unsent.
func (n *Notifier) Shutdown(ctx context.Context) error {
	n.mu.Lock()
	n.closed = true
	subs := append([]*subscriber(nil), n.subs...)
	n.mu.Unlock()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		busy := false
		if n.ctx.Err() != nil { // closed already: queues were dropped
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
			return n.Close()
		}
		select {
		case <-ctx.Done():
			n.Close()
			return fmt.Errorf("trail: notifier shutdown: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

const snsXMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"

type snsConfirmResponse struct {
	XMLName         xml.Name `xml:"ConfirmSubscriptionResponse"`
	XMLNS           string   `xml:"xmlns,attr"`
	SubscriptionArn string   `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	RequestID       string   `xml:"ResponseMetadata>RequestId"`
}

type snsUnsubscribeResponse struct {
	XMLName   xml.Name `xml:"UnsubscribeResponse"`
	XMLNS     string   `xml:"xmlns,attr"`
	RequestID string   `xml:"ResponseMetadata>RequestId"`
}

type snsErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	XMLNS     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// ConfirmHandler answers the SNS actions that SubscribeURL and
// UnsubscribeURL name (GET query or POST form): ConfirmSubscription with
// TopicArn and Token confirms a subscription; Unsubscribe with
// SubscriptionArn removes one. Replies are SNS's XML; unknown actions,
// tokens and ARNs get SNS's XML errors.
func (n *Notifier) ConfirmHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		reqID := uuid(n.id("request"))
		n.mu.Unlock()
		fail := func(status int, code, msg string) {
			writeXML(w, status, snsErrorResponse{XMLNS: snsXMLNS, Type: "Sender", Code: code, Message: msg, RequestID: reqID})
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
			if topic != n.cfg.TopicARN {
				fail(http.StatusNotFound, "NotFound", "Topic does not exist")
				return
			}
			n.mu.Lock()
			s := n.byToken[token]
			n.mu.Unlock()
			if s == nil || token == "" {
				fail(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: Token")
				return
			}
			s.confirmed.Store(true)
			writeXML(w, http.StatusOK, snsConfirmResponse{XMLNS: snsXMLNS, SubscriptionArn: s.arn, RequestID: reqID})
		case "Unsubscribe":
			arn := r.Form.Get("SubscriptionArn")
			if !n.unsubscribe(arn) {
				fail(http.StatusNotFound, "NotFound", "Subscription does not exist")
				return
			}
			writeXML(w, http.StatusOK, snsUnsubscribeResponse{XMLNS: snsXMLNS, RequestID: reqID})
		case "":
			fail(http.StatusBadRequest, "MissingAction", "no Action parameter")
		default:
			fail(http.StatusBadRequest, "InvalidAction", "action "+action+" is not valid for this endpoint")
		}
	})
}

// unsubscribe removes the subscription with arn and reports whether it
// existed.
func (n *Notifier) unsubscribe(arn string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i, s := range n.subs {
		if s.arn != "" && s.arn == arn {
			close(s.done)
			delete(n.byToken, s.token)
			n.subs = append(n.subs[:i], n.subs[i+1:]...)
			return true
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

var _ func(trail.Notice) = (*Notifier)(nil).Notify
