package emulator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/s3front"
	"github.com/firetrail/firetrail/emulator/internal/sqs"
	"github.com/firetrail/firetrail/schemas"
)

// queues is the emulator's SQS as the SNS service's queueSink.
type queues struct{ svc *sqs.Service }

// DeliverToQueue sends an SNS delivery to the queue queueARN.
func (q queues) DeliverToQueue(ctx context.Context, queueARN, body string, attrs map[string]awsapi.MessageAttribute) error {
	return q.svc.Deliver(ctx, queueARN, body, attrs)
}

// QueueExists reports whether the queue queueARN exists.
func (q queues) QueueExists(queueARN string) bool { return q.svc.QueueExists(queueARN) }

// s3NotificationSubject is the Subject S3 gives the event notifications it
// publishes to SNS topics.
const s3NotificationSubject = "Amazon S3 Notification"

// publishEvent is the S3 front's Publish: an S3 event notification (or
// s3:TestEvent) for a bucket's QueueConfiguration goes to SQS as the
// message body; for a TopicConfiguration it is published to SNS.
func (e *Emulator) publishEvent(ctx context.Context, destinationARN string, body []byte) error {
	switch arnService(destinationARN) {
	case "sqs":
		return e.sqs.Deliver(ctx, destinationARN, string(body), nil)
	case "sns":
		_, err := e.notify.svc().Publish(ctx, destinationARN, s3NotificationSubject, string(body), nil)
		return err
	}
	return fmt.Errorf("emulator: S3 event destination %q is neither an SQS queue nor an SNS topic", destinationARN)
}

// The reasons S3 gives for destinations it cannot validate; the S3 front
// puts them in its InvalidArgument answer, so they are S3's words.
var (
	errNoQueue       = errors.New("The destination queue does not exist")           //lint:ignore ST1005 S3's wording
	errNoTopic       = errors.New("The destination topic does not exist")           //lint:ignore ST1005 S3's wording
	errNotQueueTopic = errors.New("The destination is neither a queue nor a topic") //lint:ignore ST1005 S3's wording
)

// checkDestination is the S3 front's CheckDestination: a notification
// configuration may name only queues and topics that exist.
func (e *Emulator) checkDestination(arn string) error {
	switch arnService(arn) {
	case "sqs":
		if e.sqs.QueueExists(arn) {
			return nil
		}
		return errNoQueue
	case "sns":
		if e.notify.svc().TopicExists(arn) {
			return nil
		}
		return errNoTopic
	}
	return errNotQueueTopic
}

// arnService is the service part of an ARN ("" if it is none).
func arnService(arn string) string {
	a, err := schemas.ParseARN(arn)
	if err != nil {
		return ""
	}
	return a.Service
}

// notificationWait bounds how long a flush waits for S3 event
// notifications to be handed to SQS and SNS.
const notificationWait = 30 * time.Second

// waitNotifications waits until the S3 event notifications queued so far
// are delivered to their queues and topics.
func (e *Emulator) waitNotifications() {
	ctx, cancel := context.WithTimeout(context.Background(), notificationWait)
	defer cancel()
	if err := e.s3.WaitNotifications(ctx); err != nil {
		e.log.Warn("S3 event notifications still queued", "err", err)
	}
}

// eventQueueConfigID is the Id of the notification configuration that
// WithS3EventQueue puts on the trail's bucket.
const eventQueueConfigID = "firetrail-log-files"

// setUpQueues creates the queues of WithS3EventQueue and WithTopicQueue,
// the bucket notification configuration of the one and the topic
// subscription of the other. A restart on a data directory finds them.
func (e *Emulator) setUpQueues() error {
	var queueConfigs []string
	for _, name := range e.opts.eventQueues {
		arn, err := e.sqs.CreateQueue(e.accountID, e.region, name, nil)
		if err != nil {
			return fmt.Errorf("queue %s: %w", name, err)
		}
		queueConfigs = append(queueConfigs, fmt.Sprintf(`<QueueConfiguration><Id>%s-%d</Id><Queue>%s</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>AWSLogs/</Value></FilterRule></S3Key></Filter></QueueConfiguration>`,
			eventQueueConfigID, len(queueConfigs)+1, arn))
	}
	if len(queueConfigs) > 0 {
		body := `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + strings.Join(queueConfigs, "") + `</NotificationConfiguration>`
		// Through the S3 front door, as a client's PUT: validated, saved,
		// and a test event sent.
		r, err := http.NewRequest(http.MethodPut, "/"+e.bucket+"?notification", strings.NewReader(body))
		if err != nil {
			return err
		}
		r.Header.Set("Content-Type", "application/xml")
		r.RequestURI = r.URL.RequestURI()
		w := &bufferedResponse{header: http.Header{}}
		e.s3.ServeHTTP(w, s3front.Trusted(r)) // no client signature (WithAuth)
		if w.status != http.StatusOK {
			return fmt.Errorf("bucket notification configuration: %d %s", w.status, w.body.String())
		}
	}
	for _, name := range e.opts.topicQueues {
		arn, err := e.sqs.CreateQueue(e.accountID, e.region, name, nil)
		if err != nil {
			return fmt.Errorf("queue %s: %w", name, err)
		}
		form := url.Values{"TopicArn": {e.topicARN()}, "Protocol": {"sqs"}, "Endpoint": {arn}}
		if _, err := e.notify.svc().HandleQuery(context.Background(), nil, "Subscribe", form); err != nil {
			return fmt.Errorf("subscribe queue %s to %s: %w", name, e.topicARN(), err)
		}
	}
	return nil
}

// bufferedResponse is an http.ResponseWriter that keeps the answer of a
// request the emulator makes to itself.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}
