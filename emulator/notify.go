package emulator

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
)

// Subscription describes one notification endpoint of the emulator
// (WithNotify, WithS3Events): its URL, the SNS subscription ARN (SNS
// subscribers only), whether it is an S3 event endpoint, whether it has
// confirmed, and how many messages were delivered, given up after retries
// or dropped.
type Subscription = sns.Subscription

// notifier is the emulator's side of notifications (WithNotify,
// WithS3Events): it names the trail's SNS topic, runs an sns.Service
// holding that topic and routes the SNS requests that reach the
// emulator's port (SubscribeURL, UnsubscribeURL, SigningCertURL) to it.
// Delivery, the handshake, signing and retries are all the sns package's.
//
// SubscribeURLs must point at the emulator, whose address is known only
// when it serves, so SNS subscribers are subscribed (and get their
// SubscriptionConfirmation) at the first Serve; until they confirm, as
// with SNS, their notices are dropped. S3 event endpoints need no
// handshake and get every log file from New on, preloaded ones included.
type notifier struct {
	svc      *sns.Service // nil without notification endpoints
	topic    *sns.Topic   // the trail's topic, in svc
	log      *slog.Logger
	urls     []string // SNS subscribers, subscribed at the first Serve
	certPath string   // path of SigningCertURL on the emulator
	once     sync.Once
}

// newNotifier starts e's notifier; it is idle (and costs nothing) without
// notification endpoints.
func newNotifier(e *Emulator) (*notifier, error) {
	nf := &notifier{
		log:      e.log,
		urls:     e.opts.notifyURLs,
		certPath: "/SimpleNotificationService-" + e.keyFingerprint + ".pem",
	}
	if len(e.opts.notifyURLs)+len(e.opts.s3EventURLs) == 0 {
		return nf, nil
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
	svc, err := sns.New(sns.Config{
		Region:     e.region,
		SigningKey: e.key,
		Clock:      e.clock,
		Seed:       seed,
		Logger:     e.log.With("component", "sns"),
	})
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	topic, err := svc.CreateTopic(e.topicARN())
	if err == nil {
		for _, u := range e.opts.s3EventURLs {
			if err = topic.SubscribeS3Events(u, sns.S3Event{Region: e.region}); err != nil {
				break
			}
		}
	}
	if err != nil {
		svc.Close()
		return nil, fmt.Errorf("notifications: %w", err)
	}
	nf.svc, nf.topic = svc, topic
	return nf, nil
}

// topicName and topicARN name the trail's SNS topic.
func (e *Emulator) topicName() string { return e.trailName + "-notices" }

func (e *Emulator) topicARN() string {
	return "arn:aws:sns:" + e.region + ":" + e.accountID + ":" + e.topicName()
}

// setBaseURL tells the notifier where the emulator listens (scheme://host:port)
// and, the first time, subscribes the SNS endpoints: their confirmations
// carry a SubscribeURL and SigningCertURL under base. An unspecified host
// (0.0.0.0, [::]) becomes 127.0.0.1.
func (nf *notifier) setBaseURL(base string) {
	if nf.svc == nil {
		return
	}
	nf.once.Do(func() {
		base = loopbackBase(base)
		if err := nf.svc.SetURLs(base+"/", base+nf.certPath); err != nil {
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

// enqueue hands the notice of one delivered log file to the notifier; it
// never blocks.
func (nf *notifier) enqueue(nt trail.Notice) {
	if nf.svc != nil {
		nf.topic.Notify(nt)
	}
}

// route returns the handler of an SNS request that reached the emulator's
// port, or nil for anything else: ConfirmSubscription and Unsubscribe on
// "/" (GET query or POST form, as SubscribeURL, UnsubscribeURL and SNS
// clients send them), and GET of the signing certificate. Neither is a
// valid S3 request: "/" with an SNS Action is no S3 operation, and the
// certificate's name is no valid bucket name.
func (nf *notifier) route(r *http.Request) http.Handler {
	if nf.svc == nil {
		return nil
	}
	switch {
	case r.URL.Path == nf.certPath && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return nf.svc.CertHandler()
	case r.URL.Path == "/" && r.Method == http.MethodGet:
		switch r.URL.Query().Get("Action") {
		case "ConfirmSubscription", "Unsubscribe":
			return nf.svc.Handler()
		}
	case r.URL.Path == "/" && r.Method == http.MethodPost &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		return nf.svc.Handler()
	}
	return nil
}

// Subscriptions lists the notification endpoints (WithNotify,
// WithS3Events) with their state and delivery counters; nil without any.
// SNS subscribers appear once the emulator serves.
func (e *Emulator) Subscriptions() []Subscription {
	if e.notify == nil || e.notify.svc == nil {
		return nil
	}
	return e.notify.topic.Subscriptions()
}

// notifyShutdown bounds how long Close waits for queued notifications.
const notifyShutdown = 5 * time.Second

// close stops the notifier after sending what is queued (the notices of
// the files Close delivered, too), waiting at most notifyShutdown; then
// what is left is dropped and a POST in flight cancelled. It may be called
// more than once.
func (nf *notifier) close() {
	if nf.svc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), notifyShutdown)
	defer cancel()
	if err := nf.svc.Shutdown(ctx); err != nil {
		nf.log.Warn("notifications left unsent at close", "err", err)
	}
}
