package sqs

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/schemas"
)

// TargetPrefix starts the X-Amz-Target of every JSON 1.0 SQS call.
const TargetPrefix = "AmazonSQS."

// Version is the Version parameter of query-protocol SQS calls.
const Version = "2012-11-05"

// XMLNS is the namespace of query-protocol answers.
const XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/"

// Clock is the time source of message logic (delays, visibility,
// retention, timestamps).
type Clock interface{ Now() time.Time }

// IDSource makes message IDs and the nonces of receipt handles.
type IDSource interface {
	// UUID returns a random (version 4) UUID in lower case.
	UUID() string
}

// Config is what a Service is built from.
type Config struct {
	Clock Clock
	IDs   IDSource
	// Path is the file queues and their undeleted messages are saved in
	// ("" keeps them in memory only); it is loaded by New. Saving is
	// debounced (save.go): a crash loses at most the last SaveDelay of
	// changes; Close saves everything.
	Path   string
	Logger *slog.Logger
}

// Service is the SQS API: standard queues per account and region. It is
// safe for concurrent use.
type Service struct {
	clock Clock
	ids   IDSource
	log   *slog.Logger

	mu     sync.Mutex
	queues map[queueKey]*queue
	closed bool
	done   chan struct{} // closed by Close: long polls answer empty

	saver saver
}

// New returns a Service with the queues saved at cfg.Path, if any.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{clock: cfg.Clock, ids: cfg.IDs, log: cfg.Logger, queues: map[queueKey]*queue{}, done: make(chan struct{})}
	s.saver.path = cfg.Path
	if cfg.Path != "" {
		if err := s.load(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Close wakes every long poll (they answer empty) and saves the state.
// Calls after Close still work, but long polls no longer wait.
func (s *Service) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
	s.mu.Unlock()
	return s.flush()
}

// Tick drops messages past their retention period, and wakes the long
// polls of queues where a message has become visible by Clock (a delay
// or visibility timeout ended). The emulator calls it every second and
// after a virtual clock moves. Moving messages to a dead-letter queue
// happens when a receive finds them, as on AWS.
func (s *Service) Tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, q := range s.queues {
		n := len(q.msgs) - q.dead
		q.expire(now)
		if len(q.msgs)-q.dead != n {
			s.changed()
		}
		if q.waiters > 0 && q.hasVisible(now) {
			q.wake()
		}
	}
}

// Operations returns the operations the service implements, in both
// protocols.
func Operations() []string {
	return []string{
		"ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "CreateQueue", "DeleteMessage",
		"DeleteMessageBatch", "DeleteQueue", "GetQueueAttributes", "GetQueueUrl",
		"ListDeadLetterSourceQueues", "ListQueueTags", "ListQueues", "PurgeQueue", "ReceiveMessage",
		"SendMessage", "SendMessageBatch", "SetQueueAttributes", "TagQueue", "UntagQueue",
	}
}

// QueueExists reports whether the queue named by an ARN exists.
func (s *Service) QueueExists(queueARN string) bool {
	k, ok := parseARN(queueARN)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queues[k] != nil
}

// Deliver puts a message in the queue named by an ARN, as SNS
// subscriptions and S3 event notifications do; the queue's DelaySeconds
// applies. It fails with QueueDoesNotExist if there is no such queue.
func (s *Service) Deliver(_ context.Context, queueARN, body string, attrs map[string]awsapi.MessageAttribute) error {
	k, ok := parseARN(queueARN)
	if !ok {
		return errQueueDoesNotExist()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[k]
	if q == nil {
		return errQueueDoesNotExist()
	}
	now := s.clock.Now()
	m := &message{id: s.ids.UUID(), body: body, md5Body: md5Hex(body), sent: now, senderID: k.account,
		visibleAt: now.Add(time.Duration(q.delay) * time.Second)}
	if len(attrs) > 0 {
		m.attrs = attrs
		m.md5Attrs = md5OfAttributes(attrs)
	}
	q.add(m)
	q.wake()
	s.changed()
	return nil
}

// queueURL returns the URL of queue k as the caller sees it.
func queueURL(cc *awsapi.Call, k queueKey) string {
	return cc.BaseURL() + "/" + k.account + "/" + k.name
}

// resolve returns the key of the queue a QueueUrl names, by its path
// (/ACCOUNT/NAME), whatever its host.
func resolve(cc *awsapi.Call, queueURL string) (queueKey, error) {
	if queueURL == "" {
		return queueKey{}, errMissingParameter("QueueUrl")
	}
	path := queueURL
	if strings.Contains(queueURL, "://") {
		u, err := url.Parse(queueURL)
		if err != nil {
			return queueKey{}, errInvalidAddress(queueURL)
		}
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) != 2 || !schemas.ValidAccountID(parts[0]) {
		return queueKey{}, errInvalidAddress(queueURL)
	}
	if !validQueueName(parts[1]) {
		return queueKey{}, errQueueDoesNotExist()
	}
	return queueKey{account: parts[0], region: cc.Region, name: parts[1]}, nil
}

// get returns the queue k; s.mu is held.
func (s *Service) get(k queueKey) (*queue, error) {
	q := s.queues[k]
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// lookup resolves a QueueUrl and returns its queue; s.mu is held.
func (s *Service) lookup(cc *awsapi.Call, queueURL string) (*queue, error) {
	k, err := resolve(cc, queueURL)
	if err != nil {
		return nil, err
	}
	return s.get(k)
}

// Receipt handles are opaque to clients: base64 of the queue's ARN, the
// message ID and the nonce of one receive, so that each receive makes a
// new one.
const receiptPrefix = "frsqs1"

func receiptHandle(k queueKey, msgID, nonce string) string {
	return base64.StdEncoding.EncodeToString([]byte(receiptPrefix + "\x00" + k.arn() + "\x00" + msgID + "\x00" + nonce))
}

// parseReceipt returns what a receipt handle names, or
// ReceiptHandleIsInvalid for one this service did not make for queue k.
func parseReceipt(k queueKey, handle string) (msgID, nonce string, err error) {
	b, derr := base64.StdEncoding.DecodeString(handle)
	p := strings.Split(string(b), "\x00")
	if derr != nil || len(p) != 4 || p[0] != receiptPrefix || p[1] != k.arn() || p[2] == "" || p[3] == "" {
		return "", "", errReceiptHandleIsInvalid(handle)
	}
	return p[2], p[3], nil
}

// CreateQueue creates the queue name of account in region with attrs, or
// finds it, as the CreateQueue action does (an existing queue with other
// attributes is an error). It is for the emulator's own setup (serve
// --queue) and returns the queue's ARN.
func (s *Service) CreateQueue(account, region, name string, attrs map[string]string) (string, error) {
	cc := &awsapi.Call{Account: account, Region: region}
	if _, err := s.createQueue(context.Background(), cc, &createQueueInput{QueueName: &name, Attributes: attrs}); err != nil {
		return "", err
	}
	return queueKey{account: account, region: region, name: name}.arn(), nil
}
