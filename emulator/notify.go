package emulator

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

// notifyQueue bounds the HTTP notifications waiting to be posted; more are
// dropped (and logged) rather than slowing delivery.
const notifyQueue = 4096

// notifier posts SNS envelopes (WithNotify) and S3 event notifications
// (WithS3Events) for delivered log files, in order, from one goroutine.
//
// Each SNS subscriber first gets a SubscriptionConfirmation whose
// SubscribeURL points back at the emulator (GET it to confirm, as with
// SNS); notifications are sent whether or not it is confirmed, so that
// simple test endpoints need not implement the handshake.
type notifier struct {
	e      *Emulator
	client *http.Client
	jobs   chan notifyJob
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	confirmOnce sync.Once
	mu          sync.Mutex
	baseURL     string
	confirmed   map[string]bool // subscription token → confirmed
}

type notifyJob struct {
	url     string
	body    []byte
	headers map[string]string
	confirm bool // build a SubscriptionConfirmation when sent
}

func newNotifier(e *Emulator) *notifier {
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{
		e:         e,
		client:    &http.Client{Timeout: 10 * time.Second},
		jobs:      make(chan notifyJob, notifyQueue),
		ctx:       ctx,
		cancel:    cancel,
		confirmed: map[string]bool{},
	}
	if len(e.opts.notifyURLs)+len(e.opts.s3EventURLs) > 0 {
		n.wg.Add(1)
		go n.run()
	}
	return n
}

// topicName and topicARN name the trail's SNS topic.
func (e *Emulator) topicName() string { return e.trailName + "-notices" }

func (e *Emulator) topicARN() string {
	return "arn:aws:sns:" + e.region + ":" + e.accountID + ":" + e.topicName()
}

func (e *Emulator) subscriptionARN(u string) string {
	return e.topicARN() + ":" + uuidFromString(u)
}

// uuidFromString derives a stable UUID-shaped string from s.
func uuidFromString(s string) string {
	h := hashEventID(s)
	g := hashEventID(s + "#")
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(g>>48)&0xfff, g&0xffffffffffff)
}

// setBaseURL tells the notifier where the emulator listens, for
// SubscribeURLs, and sends the subscription confirmations.
func (n *notifier) setBaseURL(u string) {
	n.mu.Lock()
	if n.baseURL == "" {
		n.baseURL = u
	}
	n.mu.Unlock()
	n.sendConfirmations()
}

func (n *notifier) sendConfirmations() {
	n.confirmOnce.Do(func() {
		for _, u := range n.e.opts.notifyURLs {
			n.push(notifyJob{url: u, confirm: true})
		}
	})
}

func (n *notifier) push(j notifyJob) {
	select {
	case n.jobs <- j:
	default:
		n.e.log.Warn("notification queue full: dropped", "url", j.url)
	}
}

// enqueue queues the notifications of one delivered log file.
func (n *notifier) enqueue(nt trail.Notice) {
	if len(n.e.opts.notifyURLs)+len(n.e.opts.s3EventURLs) == 0 {
		return
	}
	n.sendConfirmations()
	e := n.e
	if len(e.opts.notifyURLs) > 0 {
		m := trail.SNSMessage{
			Type:             trail.SNSNotification,
			MessageID:        e.ids.uuid(),
			TopicARN:         e.topicARN(),
			Message:          trail.CloudTrailMessage(nt.Bucket, nt.Key),
			Timestamp:        e.clock.Now(),
			SignatureVersion: "1",
			SigningCertURL:   "https://sns." + e.region + ".amazonaws.com/SimpleNotificationService-" + e.keyFingerprint + ".pem",
		}
		for _, u := range e.opts.notifyURLs {
			m.UnsubscribeURL = "https://sns." + e.region + ".amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(e.subscriptionARN(u))
			if err := m.Sign(e.key); err != nil {
				e.log.Warn("sign notification", "err", err)
				continue
			}
			n.push(notifyJob{url: u, body: m.JSON(), headers: map[string]string{
				"x-amz-sns-message-type":     trail.SNSNotification,
				"x-amz-sns-message-id":       m.MessageID,
				"x-amz-sns-topic-arn":        m.TopicARN,
				"x-amz-sns-subscription-arn": e.subscriptionARN(u),
				"Content-Type":               "text/plain; charset=UTF-8",
			}})
		}
	}
	if len(e.opts.s3EventURLs) > 0 {
		body := trail.S3Event{
			Region:    nt.Region,
			Bucket:    nt.Bucket,
			Key:       nt.Key,
			Size:      nt.Size,
			ETag:      nt.MD5,
			EventTime: nt.DeliveredAt,
		}.JSON()
		for _, u := range e.opts.s3EventURLs {
			n.push(notifyJob{url: u, body: body, headers: map[string]string{"Content-Type": "application/json"}})
		}
	}
}

// confirmation builds the SubscriptionConfirmation for subscriber u.
func (n *notifier) confirmation(u string) notifyJob {
	e := n.e
	n.mu.Lock()
	base := n.baseURL
	n.mu.Unlock()
	if base == "" {
		base = "http://127.0.0.1:4599"
	}
	token := uuidFromString("token/" + u)
	m := trail.SNSMessage{
		Type:             trail.SNSSubscriptionConfirmation,
		MessageID:        e.ids.uuid(),
		Token:            token,
		TopicARN:         e.topicARN(),
		Message:          "You have chosen to subscribe to the topic " + e.topicARN() + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL:     base + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(e.topicARN()) + "&Token=" + token,
		Timestamp:        e.clock.Now(),
		SignatureVersion: "1",
		SigningCertURL:   "https://sns." + e.region + ".amazonaws.com/SimpleNotificationService-" + e.keyFingerprint + ".pem",
	}
	if err := m.Sign(e.key); err != nil {
		e.log.Warn("sign subscription confirmation", "err", err)
	}
	return notifyJob{url: u, body: m.JSON(), headers: map[string]string{
		"x-amz-sns-message-type": trail.SNSSubscriptionConfirmation,
		"x-amz-sns-message-id":   m.MessageID,
		"x-amz-sns-topic-arn":    m.TopicARN,
		"Content-Type":           "text/plain; charset=UTF-8",
	}}
}

func (n *notifier) run() {
	defer n.wg.Done()
	for {
		select {
		case <-n.ctx.Done():
			return
		case j := <-n.jobs:
			n.post(j)
		}
	}
}

func (n *notifier) post(j notifyJob) {
	if j.confirm {
		j = n.confirmation(j.url)
	}
	req, err := http.NewRequestWithContext(n.ctx, http.MethodPost, j.url, bytes.NewReader(j.body))
	if err != nil {
		n.e.log.Warn("notification", "url", j.url, "err", err)
		return
	}
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	for k, v := range j.headers {
		req.Header[k] = []string{v}
	}
	resp, err := n.client.Do(req)
	if err != nil {
		n.e.log.Warn("notification", "url", j.url, "err", err)
		return
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		n.e.log.Warn("notification refused", "url", j.url, "status", resp.Status)
	}
}

// close posts what is queued (for up to five seconds) and stops.
func (n *notifier) close() {
	deadline := time.After(5 * time.Second)
drain:
	for {
		select {
		case j := <-n.jobs:
			if len(n.e.opts.notifyURLs)+len(n.e.opts.s3EventURLs) > 0 {
				n.post(j)
			}
		case <-deadline:
			break drain
		default:
			break drain
		}
	}
	n.cancel()
	n.wg.Wait()
}

// confirmSubscription answers the SubscribeURL of a confirmation.
func (e *Emulator) confirmSubscription(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("Token")
	e.notify.mu.Lock()
	e.notify.confirmed[token] = true
	e.notify.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>%s:%s</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`, e.topicARN(), token, e.ids.uuid())
}
