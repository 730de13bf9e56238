package sns

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
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
	// Account owns the topics of calls that name none (a nil Call);
	// default 000000000000.
	Account string
	// DeliverToQueue delivers a message to an SQS queue (sqs
	// subscriptions); without it sqs subscriptions are refused.
	DeliverToQueue func(ctx context.Context, queueARN, body string, attrs map[string]awsapi.MessageAttribute) error
	// QueueExists reports whether an SQS queue exists; Subscribe refuses
	// sqs endpoints it does not know. Nil accepts any queue ARN.
	QueueExists func(queueARN string) bool
	// Path is the state file: topics and subscriptions (their confirmed
	// state and attributes) survive restarts. "" keeps them in memory.
	Path string
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
	topics  []*Topic // in creation order
	byARN   map[string]*Topic
	byToken map[string]*subscriber
	seq     uint64
	closed  bool
}

// Topic is one SNS topic of a Service and its subscriptions.
type Topic struct {
	svc     *Service
	arn     string
	account string
	region  string
	name    string
	// guarded by svc.mu:
	subs    []*subscriber
	attrs   map[string]string // attributes set by CreateTopic and SetTopicAttributes
	tags    map[string]string
	deleted int64 // SubscriptionsDeleted
	gone    bool  // deleted by DeleteTopic
}

// Subscription describes one endpoint of a topic.
type Subscription struct {
	Endpoint  string
	ARN       string // SNS subscriptions only
	Protocol  string // http, https or sqs; "" for S3 event endpoints
	TopicARN  string
	S3Events  bool // true for S3 event endpoints
	Confirmed bool
	Delivered int64 // messages accepted (2xx)
	Failed    int64 // messages given up after retries
	Dropped   int64 // notices dropped: unconfirmed or queue full
}

type subscriber struct {
	topic    *Topic
	protocol string // http, https, sqs; "" for S3 events
	endpoint string
	owner    string
	arn      string
	token    string
	snsURL   string                    // SNSURL when subscribed: base of UnsubscribeURL
	certURL  string                    // SigningCertURL when subscribed
	s3       func(trail.Notice) []byte // the event body of an S3 event endpoint; nil for SNS
	loaded   bool                      // from the state file: SetURLs moves its URLs
	// guarded by svc.mu:
	attrs       map[string]string // RawMessageDelivery, FilterPolicy, ...
	filter      *filterPolicy
	authUnsub   bool // AuthenticateOnUnsubscribe
	authConfirm bool // ConfirmationWasAuthenticated
	confirmed   atomic.Bool
	queue       chan message
	done        chan struct{}
	delivered   atomic.Int64
	failed      atomic.Int64
	dropped     atomic.Int64
	pending     atomic.Int64 // messages queued or being sent (Shutdown)
}

// message is a prepared POST, or a publication to prepare.
type message struct {
	body    []byte
	header  http.Header
	pub     *publication
	at      time.Time
	id      string
	raw     bool   // RawMessageDelivery
	sigVer  string // the topic's SignatureVersion
	snsURL  string
	certURL string
}

// publication is one published message, as Publish and Notify give it.
type publication struct {
	subject   string
	message   string            // the default message
	protocols map[string]string // MessageStructure json: per-protocol messages
	attrs     map[string]awsapi.MessageAttribute
	notice    *trail.Notice // for S3 event endpoints; nil for Publish
}

// messageFor returns the message for a protocol.
func (p *publication) messageFor(protocol string) string {
	if m, ok := p.protocols[protocol]; ok {
		return m
	}
	return p.message
}

// topicARNPattern is a topic ARN; its name's length is checked apart
// (parseTopicARN).
var topicARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sns:([a-z0-9-]+):([0-9]{12}):([A-Za-z0-9_-]+)$`)

// parseTopicARN returns the region, account and name of a topic ARN, and
// whether arn is one.
func parseTopicARN(arn string) (region, account, name string, ok bool) {
	m := topicARNPattern.FindStringSubmatch(arn)
	if m == nil || len(m[3]) > maxTopicName {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// topicARNOK reports whether arn is a topic ARN.
func topicARNOK(arn string) bool {
	_, _, _, ok := parseTopicARN(arn)
	return ok
}

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
	if cfg.Account == "" {
		cfg.Account = "000000000000"
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc := &Service{
		cfg: cfg, ctx: ctx, cancel: cancel,
		byARN: make(map[string]*Topic), byToken: make(map[string]*subscriber), created: cfg.Clock.Now(),
	}
	if err := svc.load(); err != nil {
		cancel()
		return nil, err
	}
	return svc, nil
}

// CreateTopic returns the topic arn (arn:aws:sns:REGION:ACCOUNT:NAME, in
// the service's region), creating it if it does not exist yet.
func (svc *Service) CreateTopic(arn string) (*Topic, error) {
	region, account, name, ok := parseTopicARN(arn)
	if !ok {
		return nil, fmt.Errorf("sns: invalid topic ARN %q", arn)
	}
	if region != svc.cfg.Region {
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
	t := svc.addTopic(arn, region, account, name)
	svc.save()
	return t, nil
}

// addTopic adds a topic. Called with svc.mu held.
func (svc *Service) addTopic(arn, region, account, name string) *Topic {
	t := &Topic{svc: svc, arn: arn, region: region, account: account, name: name, attrs: map[string]string{}, tags: map[string]string{}}
	svc.topics = append(svc.topics, t)
	svc.byARN[arn] = t
	return t
}

// topic returns the topic arn, or nil. Called with svc.mu held.
func (svc *Service) topic(arn string) *Topic {
	return svc.byARN[arn]
}

// TopicExists reports whether the topic arn exists.
func (svc *Service) TopicExists(arn string) bool {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	return svc.topic(arn) != nil
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
// ARN. Subscribing an endpoint again returns the same subscription (and,
// if it is still pending, sends a new confirmation).
func (t *Topic) Subscribe(endpoint string) (string, error) {
	if err := checkEndpoint(endpoint); err != nil {
		return "", err
	}
	protocol, _, _ := strings.Cut(endpoint, ":")
	svc := t.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return "", errors.New("sns: closed")
	}
	s, err := svc.subscribe(t.live(), strings.ToLower(protocol), endpoint, t.account, nil)
	if err != nil {
		return "", err
	}
	return s.arn, nil
}

// live returns the topic of t's ARN now: t, or the topic created again
// after t was deleted, or nil. Called with svc.mu held.
func (t *Topic) live() *Topic {
	if !t.gone {
		return t
	}
	return t.svc.topic(t.arn)
}

// subscribe returns the subscription of endpoint to t, adding it if it does
// not exist: an http/https one gets a SubscriptionConfirmation, an sqs one
// is confirmed at once. Called with svc.mu held.
func (svc *Service) subscribe(t *Topic, protocol, endpoint, owner string, attrs map[string]string) (*subscriber, error) {
	if t == nil {
		return nil, topicNotFound()
	}
	for _, s := range t.subs {
		if s.s3 == nil && s.protocol == protocol && s.endpoint == endpoint {
			for k, v := range attrs {
				if s.attrs[k] != v {
					return nil, invalidParameter("Attributes Reason: Subscription already exists with different attributes")
				}
			}
			if !s.confirmed.Load() {
				if err := svc.sendConfirmation(s); err != nil {
					return nil, err
				}
			}
			return s, nil
		}
	}
	s := &subscriber{
		topic:    t,
		protocol: protocol,
		endpoint: endpoint,
		owner:    owner,
		arn:      t.arn + ":" + uuid(svc.id("subscription")),
		snsURL:   svc.cfg.SNSURL,
		certURL:  svc.cfg.SigningCertURL,
		attrs:    map[string]string{},
	}
	if err := s.setAttributes(attrs); err != nil {
		return nil, err
	}
	if protocol == "sqs" {
		s.confirmed.Store(true)
		s.authConfirm = true
		svc.start(s)
		return s, nil
	}
	tok := svc.id("token")
	tok2 := svc.id("token")
	s.token = hex.EncodeToString(tok[:]) + hex.EncodeToString(tok2[:])
	svc.start(s)
	svc.byToken[s.token] = s
	if err := svc.sendConfirmation(s); err != nil {
		return nil, err
	}
	return s, nil
}

// sendConfirmation queues a SubscriptionConfirmation for s. Called with
// svc.mu held.
func (svc *Service) sendConfirmation(s *subscriber) error {
	t := s.topic
	conf := Envelope{
		Type:      TypeSubscriptionConfirmation,
		MessageID: uuid(svc.id("message")),
		Token:     s.token,
		TopicARN:  t.arn,
		Message: "You have chosen to subscribe to the topic " + t.arn +
			".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL:     s.snsURL + "?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(t.arn) + "&Token=" + s.token,
		Timestamp:        svc.cfg.Clock.Now(),
		SignatureVersion: t.signatureVersion(),
		SigningCertURL:   s.certURL,
	}
	if err := conf.Sign(svc.cfg.SigningKey); err != nil {
		return err
	}
	s.pending.Add(1)
	select {
	case s.queue <- message{body: conf.JSON(), header: snsHeader(&conf, "")}:
	default:
		s.pending.Add(-1)
		s.dropped.Add(1)
	}
	return nil
}

// signatureVersion is the topic's SignatureVersion attribute, or the
// service's. Called with svc.mu held.
func (t *Topic) signatureVersion() string {
	if v := t.attrs["SignatureVersion"]; v != "" {
		return v
	}
	return t.svc.cfg.SignatureVersion
}

// SetURLs replaces SNSURL and SigningCertURL (an empty argument keeps the
// current value) for the subscriptions made from now on; earlier ones keep
// the URLs they were given, except those loaded from the state file,
// which take the new ones. It is for a server that learns its own address
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
	for _, t := range svc.topics {
		for _, s := range t.subs {
			if s.loaded {
				s.snsURL, s.certURL = svc.cfg.SNSURL, svc.cfg.SigningCertURL
			}
		}
	}
	return nil
}

// SubscribeS3Events adds to t an endpoint that receives, without a
// handshake, an S3 event notification for every notice: the JSON body
// event makes of it (the emulator's comes from the S3 front, which owns
// the S3 event encoding).
func (t *Topic) SubscribeS3Events(endpoint string, event func(trail.Notice) []byte) error {
	if err := checkEndpoint(endpoint); err != nil {
		return err
	}
	svc := t.svc
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return errors.New("sns: closed")
	}
	if event == nil {
		return errors.New("sns: S3 event endpoint without an event encoder")
	}
	s := &subscriber{topic: t, endpoint: endpoint, s3: event}
	s.confirmed.Store(true)
	svc.start(s)
	return nil
}

// start registers s with its topic and runs its sender (sqs
// subscriptions have none: Publish delivers to them). Called with svc.mu
// held.
func (svc *Service) start(s *subscriber) {
	s.done = make(chan struct{})
	s.topic.subs = append(s.topic.subs, s)
	if s.protocol == "sqs" {
		return
	}
	s.queue = make(chan message, svc.cfg.QueueSize)
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

// Notify publishes CloudTrail's message for nt (CloudTrailMessage) to t,
// as Publish does, and hands nt to its S3 event endpoints. It never
// blocks on HTTP endpoints: their envelopes are built and signed by each
// endpoint's sender; sqs subscriptions get theirs before it returns.
func (t *Topic) Notify(nt trail.Notice) {
	svc := t.svc
	svc.mu.Lock()
	live := t.live()
	svc.mu.Unlock()
	if live == nil {
		return
	}
	_, _ = svc.publish(svc.ctx, live, &publication{message: CloudTrailMessage(nt.Bucket, nt.Key), notice: &nt})
}

// Publish publishes a message to a topic as the Publish action does and
// returns its MessageId.
func (svc *Service) Publish(ctx context.Context, topicARN, subject, msg string, attrs map[string]awsapi.MessageAttribute) (string, error) {
	svc.mu.Lock()
	t := svc.topic(topicARN)
	svc.mu.Unlock()
	if t == nil {
		return "", topicNotFound()
	}
	return svc.publish(ctx, t, &publication{subject: subject, message: msg, attrs: attrs})
}

// sqsDelivery is a message for an sqs subscription, delivered after
// svc.mu is released.
type sqsDelivery struct {
	s   *subscriber
	msg message
}

// publish delivers p to t's subscriptions: it queues it for HTTP
// endpoints (dropping it for those not confirmed, or whose filter policy
// it does not pass) and S3 event endpoints (notices only), and delivers it
// to sqs subscriptions. It returns the MessageId.
func (svc *Service) publish(ctx context.Context, t *Topic, p *publication) (string, error) {
	svc.mu.Lock()
	if svc.closed {
		svc.mu.Unlock()
		return "", errClosed()
	}
	id := uuid(svc.id("message"))
	at := svc.cfg.Clock.Now()
	sigVer := t.signatureVersion()
	var direct []sqsDelivery
	for _, s := range t.subs {
		if s.s3 != nil {
			if p.notice == nil {
				continue
			}
			s.enqueue(message{pub: p, at: at})
			continue
		}
		if !s.confirmed.Load() {
			s.dropped.Add(1)
			continue
		}
		if s.filter != nil {
			pass := false
			if s.filter.body {
				pass = s.filter.matchBody(p.messageFor(s.protocol))
			} else {
				pass = s.filter.matchAttributes(p.attrs)
			}
			if !pass {
				continue
			}
		}
		msg := message{pub: p, at: at, id: id, raw: s.attrs["RawMessageDelivery"] == "true", sigVer: sigVer, snsURL: s.snsURL, certURL: s.certURL}
		if s.protocol == "sqs" {
			direct = append(direct, sqsDelivery{s, msg})
			continue
		}
		s.enqueue(msg)
	}
	svc.mu.Unlock()
	for _, d := range direct {
		svc.deliverSQS(ctx, d.s, d.msg)
	}
	return id, nil
}

// enqueue queues msg for s's sender, dropping it if the queue is full.
func (s *subscriber) enqueue(msg message) {
	s.pending.Add(1)
	select {
	case s.queue <- msg:
	default:
		s.pending.Add(-1)
		s.dropped.Add(1)
	}
}

// deliverSQS delivers msg to s's queue: the envelope JSON, or with
// RawMessageDelivery the message alone with its attributes as the SQS
// message's.
func (svc *Service) deliverSQS(ctx context.Context, s *subscriber, msg message) {
	if svc.cfg.DeliverToQueue == nil {
		s.failed.Add(1)
		return
	}
	var err error
	if msg.raw {
		err = svc.cfg.DeliverToQueue(ctx, s.endpoint, msg.pub.messageFor("sqs"), msg.pub.attrs)
	} else {
		env := svc.envelope(s, msg)
		if err = env.Sign(svc.cfg.SigningKey); err == nil {
			err = svc.cfg.DeliverToQueue(ctx, s.endpoint, string(env.JSON()), nil)
		}
	}
	if err != nil {
		svc.cfg.Logger.Warn("sns: delivery to queue failed", "queue", s.endpoint, "err", err)
		s.failed.Add(1)
		return
	}
	s.delivered.Add(1)
}

// envelope returns the unsigned Notification of msg for s.
func (svc *Service) envelope(s *subscriber, msg message) Envelope {
	return Envelope{
		Type:              TypeNotification,
		MessageID:         msg.id,
		TopicARN:          s.topic.arn,
		Subject:           msg.pub.subject,
		Message:           msg.pub.messageFor(s.protocol),
		Timestamp:         msg.at,
		SignatureVersion:  msg.sigVer,
		SigningCertURL:    msg.certURL,
		UnsubscribeURL:    msg.snsURL + "?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(s.arn),
		MessageAttributes: msg.pub.attrs,
	}
}

// build makes the body and headers of a publication for s.
func (svc *Service) build(s *subscriber, msg message) (message, error) {
	if s.s3 != nil {
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		return message{body: s.s3(*msg.pub.notice), header: h}, nil
	}
	env := svc.envelope(s, msg)
	if msg.raw {
		h := snsHeader(&env, s.arn)
		h.Set("x-amz-sns-rawdelivery", "true")
		return message{body: []byte(env.Message), header: h}, nil
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
			if msg.pub != nil {
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
			Endpoint: s.endpoint, ARN: s.arn, Protocol: s.protocol, TopicARN: t.arn, S3Events: s.s3 != nil, Confirmed: s.confirmed.Load(),
			Delivered: s.delivered.Load(), Failed: s.failed.Load(), Dropped: s.dropped.Load(),
		})
	}
	return out
}

// Close stops all senders; queued messages are dropped and a POST in
// flight is cancelled.
func (svc *Service) Close() error {
	svc.mu.Lock()
	if !svc.closed {
		svc.closed = true
		svc.save()
	}
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
	if !svc.closed {
		svc.closed = true
		svc.save()
	}
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

// Handler answers the SNS query-protocol actions that SubscribeURL and
// UnsubscribeURL name (GET query or POST form), as HandleQuery does for an
// unauthenticated caller: ConfirmSubscription with TopicArn and Token
// confirms a subscription; Unsubscribe with SubscriptionArn removes one.
// Other actions get InvalidAction.
func (svc *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		svc.mu.Lock()
		reqID := uuid(svc.id("request"))
		svc.mu.Unlock()
		fail := func(e *awsapi.Error) { awsapi.WriteQueryError(w, reqID, XMLNS, e) }
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			fail(awsapi.NewError(http.StatusMethodNotAllowed, "InvalidAction", "method %s not allowed", r.Method))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			fail(awsapi.NewError(http.StatusBadRequest, "MalformedQueryString", "cannot parse request"))
			return
		}
		switch action := r.Form.Get("Action"); action {
		case "ConfirmSubscription", "Unsubscribe":
			out, err := svc.HandleQuery(r.Context(), nil, action, r.Form)
			if err != nil {
				fail(awsapi.AsError(err))
				return
			}
			awsapi.WriteQuery(w, reqID, XMLNS, action, out)
		case "":
			fail(awsapi.NewError(http.StatusBadRequest, "MissingAction", "no Action parameter"))
		default:
			fail(invalidAction(action))
		}
	})
}

// unsubscribe removes the subscription with arn and reports whether it
// existed. Called with svc.mu held.
func (svc *Service) unsubscribe(arn string) bool {
	s := svc.subscription(arn)
	if s == nil {
		return false
	}
	svc.remove(s)
	s.topic.deleted++
	return true
}

// remove stops s and takes it off its topic. Called with svc.mu held.
func (svc *Service) remove(s *subscriber) {
	close(s.done)
	delete(svc.byToken, s.token)
	t := s.topic
	t.subs = slices.DeleteFunc(t.subs, func(x *subscriber) bool { return x == s })
}

// subscription returns the subscription arn, or nil. Called with svc.mu
// held.
func (svc *Service) subscription(arn string) *subscriber {
	if arn == "" {
		return nil
	}
	topic, _, ok := cutLast(arn, ':')
	if !ok {
		return nil
	}
	t := svc.topic(topic)
	if t == nil {
		return nil
	}
	for _, s := range t.subs {
		if s.arn == arn {
			return s
		}
	}
	return nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s string, sep byte) (string, string, bool) {
	i := strings.LastIndexByte(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

var _ func(trail.Notice) = (*Topic)(nil).Notify
