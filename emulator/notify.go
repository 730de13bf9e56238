package emulator

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/s3front"
	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
)

// Subscription describes one endpoint of the trail's SNS topic
// (WithNotify, WithS3Events, or subscribed through the SNS API): its URL
// or queue ARN, the SNS subscription ARN and protocol (SNS subscriptions
// only), whether it is an S3 event endpoint, whether it has confirmed,
// and how many messages were delivered, given up after retries or
// dropped.
type Subscription = sns.Subscription

// notifier is the emulator's side of SNS: it runs the sns.Service (the
// SNS API on the emulator's port, HandleQuery), which always holds the
// trail's topic; every delivered log file publishes CloudTrail's message
// to that topic. WithNotify URLs are http(s) subscriptions of it, and
// WithS3Events URLs are S3 event endpoints of it. It routes the SNS
// requests that reach the emulator's port (SubscribeURL, UnsubscribeURL,
// SigningCertURL, query-protocol POSTs of SNS actions) to the service.
// Delivery, the handshake, signing and retries are all the sns package's.
//
// SubscribeURLs must point at the emulator, whose address is known only
// when it serves, so WithNotify subscribers are subscribed (and get their
// SubscriptionConfirmation) at the first Serve; until they confirm, as
// with SNS, their notices are dropped. S3 event endpoints need no
// handshake and get every log file from New on, preloaded ones included.
type notifier struct {
	sns      *sns.Service
	topic    *sns.Topic // the trail's topic
	log      *slog.Logger
	urls     []string // SNS subscribers, subscribed at the first Serve
	certPath string   // path of SigningCertURL on the emulator
	once     sync.Once
	queues   atomic.Pointer[queueSink]
}

// queueSink is what SNS needs of SQS for its sqs subscriptions; the
// emulator hands its SQS to the notifier with setQueues.
type queueSink interface {
	// DeliverToQueue sends a message to the queue queueARN.
	DeliverToQueue(ctx context.Context, queueARN, body string, attrs map[string]awsapi.MessageAttribute) error
	// QueueExists reports whether the queue queueARN exists.
	QueueExists(queueARN string) bool
}

// errNoQueues is DeliverToQueue's error before setQueues.
var errNoQueues = errors.New("sns: no SQS to deliver to")

// newNotifier starts e's notifier: the SNS service, its state in the data
// directory (sns-state.json) if there is one, and the trail's topic.
func newNotifier(e *Emulator) (*notifier, error) {
	nf := &notifier{
		log:      e.log,
		urls:     e.opts.notifyURLs,
		certPath: "/SimpleNotificationService-" + e.keyFingerprint + ".pem",
	}
	// Message IDs repeat for a seed; without WithSeed they must not repeat
	// across restarts, or subscribers that drop duplicate MessageIds (SNS
	// delivers at least once) would drop new notices.
	seed := e.opts.seed
	if !e.opts.seedSet {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("notifications: seed: %w", err)
		}
		seed = int64(binary.LittleEndian.Uint64(b[:]))
	}
	path := ""
	if e.opts.dataDir != "" {
		path = filepath.Join(e.opts.dataDir, "sns-state.json")
	}
	svc, err := sns.New(sns.Config{
		Region:     e.region,
		Account:    e.accountID,
		SigningKey: e.key,
		Clock:      e.clock,
		Seed:       seed,
		Logger:     e.log.With("component", "sns"),
		Path:       path,
		DeliverToQueue: func(ctx context.Context, queueARN, body string, attrs map[string]awsapi.MessageAttribute) error {
			q := nf.queues.Load()
			if q == nil {
				return errNoQueues
			}
			return (*q).DeliverToQueue(ctx, queueARN, body, attrs)
		},
		QueueExists: func(queueARN string) bool {
			q := nf.queues.Load()
			return q != nil && (*q).QueueExists(queueARN)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	topic, err := svc.CreateTopic(e.topicARN())
	if err == nil {
		for _, u := range e.opts.s3EventURLs {
			if err = topic.SubscribeS3Events(u, e.s3Event); err != nil {
				break
			}
		}
	}
	if err != nil {
		svc.Close()
		return nil, fmt.Errorf("notifications: %w", err)
	}
	nf.sns, nf.topic = svc, topic
	return nf, nil
}

// svc returns the SNS service, for the routes of the SNS API.
func (nf *notifier) svc() *sns.Service { return nf.sns }

// setQueues hands the notifier the SQS its sqs subscriptions deliver to.
func (nf *notifier) setQueues(q queueSink) {
	if q == nil {
		nf.queues.Store(nil)
		return
	}
	nf.queues.Store(&q)
}

// topicName and topicARN name the trail's SNS topic.
func (e *Emulator) topicName() string { return e.trailName + "-notices" }

// TopicARN returns the ARN of the trail's SNS topic, to which every
// delivered log file publishes CloudTrail's notification.
func (e *Emulator) TopicARN() string { return e.topicARN() }

func (e *Emulator) topicARN() string {
	return "arn:aws:sns:" + e.region + ":" + e.accountID + ":" + e.topicName()
}

// setBaseURL tells the notifier where the emulator listens (scheme://host:port)
// and, the first time, subscribes the SNS endpoints: their confirmations
// carry a SubscribeURL and SigningCertURL under base. An unspecified host
// (0.0.0.0, [::]) becomes 127.0.0.1.
func (nf *notifier) setBaseURL(base string) {
	nf.once.Do(func() {
		base = loopbackBase(base)
		if err := nf.sns.SetURLs(base+"/", base+nf.certPath); err != nil {
			nf.log.Warn("notifications: set SNS URLs", "err", err)
			return
		}
		for _, u := range nf.urls {
			if _, err := nf.topic.Subscribe(u); err != nil {
				nf.log.Warn("notifications: subscribe", "url", u, "err", err)
			}
		}
	})
}

// loopbackBase replaces an unspecified listening host in base by 127.0.0.1.
func loopbackBase(base string) string {
	scheme, hostport, ok := strings.Cut(base, "://")
	if !ok {
		return base
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return base
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return scheme + "://" + net.JoinHostPort("127.0.0.1", port)
	}
	return base
}

// enqueue publishes the notice of one delivered log file to the trail's
// topic; it never blocks on HTTP endpoints.
func (nf *notifier) enqueue(nt trail.Notice) {
	nf.topic.Notify(nt)
}

// route returns the handler of the signing certificate (SigningCertURL)
// on the emulator's port, or nil for anything else. Its name is no valid
// bucket name, so it never shadows S3. The SNS API itself, and the
// SubscribeURL and UnsubscribeURL links, are query-protocol calls that the
// routing table sends to the SNS service (routes.go).
func (nf *notifier) route(r *http.Request) http.Handler {
	if r.URL.Path == nf.certPath && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		return nf.sns.CertHandler()
	}
	return nil
}

// s3Event is the S3 event notification of a delivered log file, as the S3
// front encodes them, for the S3 event endpoints of the trail's topic.
func (e *Emulator) s3Event(nt trail.Notice) []byte {
	return s3front.Event{Region: e.region, Bucket: nt.Bucket, Key: nt.Key, Size: nt.Size, ETag: nt.MD5, EventTime: nt.DeliveredAt}.JSON()
}

// Subscriptions lists the endpoints of the trail's topic (WithNotify,
// WithS3Events, and subscriptions made through the SNS API) with their
// state and delivery counters; nil without any. WithNotify subscribers
// appear once the emulator serves.
func (e *Emulator) Subscriptions() []Subscription {
	if e.notify == nil {
		return nil
	}
	if s := e.notify.topic.Subscriptions(); len(s) > 0 {
		return s
	}
	return nil
}

// notifyShutdown bounds how long Close waits for queued notifications.
const notifyShutdown = 5 * time.Second

// close stops the notifier after sending what is queued (the notices of
// the files Close delivered, too), waiting at most notifyShutdown; then
// what is left is dropped and a POST in flight cancelled. It may be called
// more than once.
func (nf *notifier) close() {
	ctx, cancel := context.WithTimeout(context.Background(), notifyShutdown)
	defer cancel()
	if err := nf.sns.Shutdown(ctx); err != nil {
		nf.log.Warn("notifications left unsent at close", "err", err)
	}
}
