package main

// End-to-end tests of serve's SQS and SNS with real clients, in both of
// SQS's protocols: aws-sdk-go-v2 speaks AWS JSON 1.0, boto3 1.26 and
// awscli 2.9 the query protocol. S3 event notifications of the log bucket
// reach a queue, the trail's SNS topic reaches a subscribed queue (as an
// envelope, or raw), long polls wake, visibility timeouts end on the wall
// clock, a dead-letter queue takes a message received too often, errors
// come back as each protocol shapes them, message MD5s verify, and
// queues, topics, subscriptions, notification configurations and messages
// survive a restart on a --data-dir.

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator"
)

// TestE2EQueues runs every client against its own serve, in parallel
// subtests. The environment is set here, once, for all of them: the Go
// SDK reads AWS_CA_BUNDLE (client processes get clientEnv's).
func TestE2EQueues(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"gosdk/s3-events", testGoS3Events},
		{"gosdk/s3-topic", testGoS3EventsToTopic},
		{"gosdk/trail-topic", testGoTrailTopic},
		{"gosdk/long-poll", testGoLongPoll},
		{"gosdk/visibility", testGoVisibility},
		{"gosdk/redrive", testGoRedrive},
		{"gosdk/errors", testGoQueueErrors},
		{"gosdk/attributes", testGoMessageAttributes},
		{"gosdk/persistence", testGoQueuesPersistence},
		{"gosdk/stop-while-polling", testGoStopWhilePolling},
		{"boto3", testBoto3Queues},
		{"awscli/notifications", testAWSCLINotifications},
		{"awscli/polling", testAWSCLIPolling},
		{"awscli/messages", testAWSCLIMessages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t)
		})
	}
}

// queuesAccount is serve's account.
const queuesAccount = emulator.DefaultAccountID

// logPrefix is where the trail's log files (not its digests) are.
const logPrefix = "AWSLogs/" + queuesAccount + "/CloudTrail/"

// specialKey is an object key under logPrefix that S3 event notifications
// must URL-encode: a space, a plus, non-ASCII and an equals sign.
func specialKey(client string) string { return logPrefix + client + " e2e/a+b ü=c.json.gz" }

// queueMessage is a test message: a body that needs XML escaping (and a
// CR, which an XML parser turns into LF unless escaped) and one message
// attribute of each type, a custom one among them.
var queueMessage = struct {
	Body  string             `json:"body"`
	Attrs map[string]msgAttr `json:"attrs"`
}{
	Body: "body: <ü> & \"🙂\"\r\nline 2",
	Attrs: map[string]msgAttr{
		"greeting": {DataType: "String", StringValue: "hello, wörld"},
		"count":    {DataType: "Number", StringValue: "42.5"},
		"blob":     {DataType: "Binary", BinaryValue: []byte{0, 1, 2, 0xfe, 0xff}},
		"label":    {DataType: "String.custom", StringValue: "x"},
	},
}

// msgAttr is a message attribute as boto3 (with BinaryValue in base64, as
// the script prints it) and awscli print it.
type msgAttr struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// qMessage is a received message as boto3 and awscli print it; Go SDK
// messages are converted to it (fromSDK).
type qMessage struct {
	MessageID              string             `json:"MessageId"`
	ReceiptHandle          string             `json:"ReceiptHandle"`
	MD5OfBody              string             `json:"MD5OfBody"`
	Body                   string             `json:"Body"`
	MD5OfMessageAttributes string             `json:"MD5OfMessageAttributes"`
	Attributes             map[string]string  `json:"Attributes"`
	MessageAttributes      map[string]msgAttr `json:"MessageAttributes"`
}

func fromSDK(m sqstypes.Message) qMessage {
	q := qMessage{
		MessageID: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
		MD5OfBody: aws.ToString(m.MD5OfBody), Body: aws.ToString(m.Body),
		MD5OfMessageAttributes: aws.ToString(m.MD5OfMessageAttributes), Attributes: map[string]string{},
	}
	for k, v := range m.Attributes {
		q.Attributes[k] = v
	}
	if len(m.MessageAttributes) > 0 {
		q.MessageAttributes = map[string]msgAttr{}
		for k, v := range m.MessageAttributes {
			q.MessageAttributes[k] = msgAttr{DataType: aws.ToString(v.DataType), StringValue: aws.ToString(v.StringValue), BinaryValue: v.BinaryValue}
		}
	}
	return q
}

// fromSDKAll converts messages (for printing, too: the SDK's have pointers).
func fromSDKAll(msgs []sqstypes.Message) []qMessage {
	out := make([]qMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, fromSDK(m))
	}
	return out
}

func toSDKAttrs(attrs map[string]msgAttr) map[string]sqstypes.MessageAttributeValue {
	out := map[string]sqstypes.MessageAttributeValue{}
	for k, a := range attrs {
		v := sqstypes.MessageAttributeValue{DataType: aws.String(a.DataType), BinaryValue: a.BinaryValue}
		if a.BinaryValue == nil {
			v.StringValue = aws.String(a.StringValue)
		}
		out[k] = v
	}
	return out
}

// md5Hex is the hex MD5 of s (MD5OfMessageBody).
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is MD5OfMessageAttributes as SQS computes it: over the
// attributes sorted by name, each name, data type and value prefixed with
// its 4-byte big-endian length, with a transport byte (1 string, 2 binary)
// before the value.
func md5OfAttributes(attrs map[string]msgAttr) string {
	h := md5.New()
	put := func(b []byte) {
		_ = binary.Write(h, binary.BigEndian, uint32(len(b)))
		h.Write(b)
	}
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		put([]byte(name))
		put([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// checkSentMD5s checks the MD5s a send answered for queueMessage with
// attrs.
func checkSentMD5s(t *testing.T, who, md5Body, md5Attrs string, attrs map[string]msgAttr) {
	t.Helper()
	if md5Body != md5Hex(queueMessage.Body) || md5Attrs != md5OfAttributes(attrs) {
		t.Errorf("%s: send answered MD5OfMessageBody %q, MD5OfMessageAttributes %q; want %q, %q",
			who, md5Body, md5Attrs, md5Hex(queueMessage.Body), md5OfAttributes(attrs))
	}
}

// checkReceivedMessage checks a received queueMessage: its body, the
// attributes asked for (want) and both MD5s.
func checkReceivedMessage(t *testing.T, who string, m qMessage, want map[string]msgAttr) {
	t.Helper()
	if m.Body != queueMessage.Body {
		t.Errorf("%s: received body %q, want %q", who, m.Body, queueMessage.Body)
	}
	if m.MD5OfBody != md5Hex(m.Body) {
		t.Errorf("%s: MD5OfBody %q, want %q (MD5 of the body received)", who, m.MD5OfBody, md5Hex(m.Body))
	}
	if m.MD5OfMessageAttributes != md5OfAttributes(want) {
		t.Errorf("%s: MD5OfMessageAttributes %q, want %q (MD5 of %v)", who, m.MD5OfMessageAttributes, md5OfAttributes(want), slices.Sorted(maps.Keys(want)))
	}
	if !maps.EqualFunc(m.MessageAttributes, want, func(a, b msgAttr) bool {
		return a.DataType == b.DataType && a.StringValue == b.StringValue && string(a.BinaryValue) == string(b.BinaryValue)
	}) {
		t.Errorf("%s: received message attributes %+v, want %+v", who, m.MessageAttributes, want)
	}
}

// s3Event is an S3 event notification (Records) or S3's test event.
type s3Event struct {
	Records []struct {
		EventVersion string `json:"eventVersion"`
		EventSource  string `json:"eventSource"`
		AWSRegion    string `json:"awsRegion"`
		EventTime    string `json:"eventTime"`
		EventName    string `json:"eventName"`
		S3           struct {
			ConfigurationID string `json:"configurationId"`
			Bucket          struct {
				Name string `json:"name"`
				ARN  string `json:"arn"`
			} `json:"bucket"`
			Object struct {
				Key       string `json:"key"`
				Size      int64  `json:"size"`
				ETag      string `json:"eTag"`
				Sequencer string `json:"sequencer"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
	Service string `json:"Service"`
	Event   string `json:"Event"`
	Bucket  string `json:"Bucket"`
}

// checkTestEvent checks the s3:TestEvent S3 sends a new destination.
func checkTestEvent(t *testing.T, who, body, bucket string) {
	t.Helper()
	var ev s3Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil || ev.Service != "Amazon S3" || ev.Event != "s3:TestEvent" || ev.Bucket != bucket || ev.Records != nil {
		t.Errorf("%s: first message %s (%v), want s3:TestEvent of %s", who, body, err, bucket)
	}
}

// s3Object is an object as S3 event notifications describe it.
type s3Object struct {
	Key  string // decoded
	Size int64
	ETag string // unquoted
}

// checkObjectEvent checks an ObjectCreated:Put notification of bucket and
// returns the object it names, its key URL-decoded.
func checkObjectEvent(t *testing.T, who, body, bucket, region, configID string) s3Object {
	t.Helper()
	var ev s3Event
	if err := json.Unmarshal([]byte(body), &ev); err != nil || len(ev.Records) != 1 {
		t.Errorf("%s: message %s (%v), want an S3 event notification with one record", who, body, err)
		return s3Object{}
	}
	r := ev.Records[0]
	if r.EventVersion != "2.1" || r.EventSource != "aws:s3" || r.AWSRegion != region || r.EventName != "ObjectCreated:Put" ||
		r.S3.Bucket.Name != bucket || r.S3.Bucket.ARN != "arn:aws:s3:::"+bucket || r.S3.ConfigurationID != configID || r.S3.Object.Sequencer == "" {
		t.Errorf("%s: event %s, want eventVersion 2.1, aws:s3, %s, ObjectCreated:Put of bucket %s by configuration %q", who, body, region, bucket, configID)
	}
	if _, err := time.Parse(time.RFC3339Nano, r.EventTime); err != nil {
		t.Errorf("%s: eventTime %q: %v", who, r.EventTime, err)
	}
	key, err := url.QueryUnescape(r.S3.Object.Key)
	if err != nil {
		t.Errorf("%s: key %q is not URL-encoded: %v", who, r.S3.Object.Key, err)
	}
	// S3 form-encodes keys, slashes excepted.
	if want := strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"); r.S3.Object.Key != want {
		t.Errorf("%s: event key %q, want %q (%q URL-encoded)", who, r.S3.Object.Key, want, key)
	}
	if len(r.S3.Object.ETag) != 32 || strings.Contains(r.S3.Object.ETag, `"`) || r.S3.Object.Size <= 0 {
		t.Errorf("%s: event object size %d, eTag %q; want a size and an unquoted MD5", who, r.S3.Object.Size, r.S3.Object.ETag)
	}
	return s3Object{key, r.S3.Object.Size, r.S3.Object.ETag}
}

// trailMessage is CloudTrail's SNS message for a delivered log file.
type trailMessage struct {
	S3Bucket    string   `json:"s3Bucket"`
	S3ObjectKey []string `json:"s3ObjectKey"`
}

// checkTrailMessage decodes CloudTrail's message (nothing but s3Bucket and
// s3ObjectKey) of bucket and returns its keys.
func checkTrailMessage(t *testing.T, who, msg, bucket string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(msg))
	dec.DisallowUnknownFields()
	var m trailMessage
	if err := dec.Decode(&m); err != nil || m.S3Bucket != bucket || len(m.S3ObjectKey) == 0 {
		t.Errorf("%s: message %s (%v), want CloudTrail's {\"s3Bucket\":%q,\"s3ObjectKey\":[...]} alone", who, msg, err, bucket)
	}
	return m.S3ObjectKey
}

// checkEnvelope checks an SNS Notification envelope of topicARN carrying
// CloudTrail's message and returns the message's keys.
func checkEnvelope(t *testing.T, who, body, topicARN, bucket string) []string {
	t.Helper()
	var env map[string]string
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Errorf("%s: message body %s is not an SNS envelope: %v", who, body, err)
		return nil
	}
	if env["Type"] != "Notification" || env["TopicArn"] != topicARN || env["MessageId"] == "" || env["SignatureVersion"] != "1" ||
		env["Signature"] == "" || env["SigningCertURL"] == "" || env["UnsubscribeURL"] == "" {
		t.Errorf("%s: envelope %s, want a signed Notification of %s", who, body, topicARN)
	}
	if _, err := time.Parse(time.RFC3339Nano, env["Timestamp"]); err != nil {
		t.Errorf("%s: envelope Timestamp %q: %v", who, env["Timestamp"], err)
	}
	return checkTrailMessage(t, who, env["Message"], bucket)
}

// sameKeys reports (as a test error) whether got and want differ as sets.
func sameKeys(t *testing.T, who, what string, got, want []string) {
	t.Helper()
	g, w := slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
	if !slices.Equal(g, w) {
		t.Errorf("%s: %s name keys %q, want %q", who, what, g, w)
	}
}

// flushLogKeys flushes srv and returns the log file keys written (not
// digests), failing if there are none: the caller recorded a call.
func flushLogKeys(t *testing.T, srv *serveProc) []string {
	t.Helper()
	fr, err := flush(t.Context(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range fr.Keys {
		if checkLogKey(k) == nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		t.Fatalf("flush wrote %q: no log file, though a Firehose call was recorded", fr.Keys)
	}
	return keys
}

// qClients are aws-sdk-go-v2 clients of one serve.
type qClients struct {
	srv *serveProc
	sqs *sqs.Client
	sns *sns.Client
	s3  *s3.Client
	fh  *firehose.Client
	ct  *cloudtrail.Client
}

func newQClients(t *testing.T, srv *serveProc) *qClients {
	t.Helper()
	cfg := goConfig(t, &srv.serveInfo)
	return &qClients{srv: srv, sqs: sqs.NewFromConfig(cfg), sns: sns.NewFromConfig(cfg), s3: goS3(t, &srv.serveInfo),
		fh: firehose.NewFromConfig(cfg), ct: cloudtrail.NewFromConfig(cfg)}
}

// createQueue creates a queue and returns its URL and ARN.
func (c *qClients) createQueue(t *testing.T, name string, attrs map[string]string) (queueURL, arn string) {
	t.Helper()
	out, err := c.sqs.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	a, err := c.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes %s: %v", name, err)
	}
	arn = a.Attributes["QueueArn"]
	if want := "arn:aws:sqs:" + c.srv.Env["AWS_REGION"] + ":" + queuesAccount + ":" + name; arn != want {
		t.Errorf("QueueArn of %s = %q, want %q", name, arn, want)
	}
	return aws.ToString(out.QueueUrl), arn
}

// receive is one ReceiveMessage of up to 10 messages, waiting wait seconds.
func (c *qClients) receive(t *testing.T, queueURL string, wait int32, mod func(*sqs.ReceiveMessageInput)) []sqstypes.Message {
	t.Helper()
	in := &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: wait}
	if mod != nil {
		mod(in)
	}
	out, err := c.sqs.ReceiveMessage(t.Context(), in)
	if err != nil {
		t.Fatalf("ReceiveMessage %s: %v", queueURL, err)
	}
	return out.Messages
}

// drain receives and deletes messages until n have arrived or a 5-second
// long poll comes back empty.
func (c *qClients) drain(t *testing.T, queueURL string, n int, mod func(*sqs.ReceiveMessageInput)) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	for len(got) < n {
		msgs := c.receive(t, queueURL, 5, mod)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			c.deleteMessage(t, queueURL, aws.ToString(m.ReceiptHandle))
		}
		got = append(got, msgs...)
	}
	return got
}

func (c *qClients) deleteMessage(t *testing.T, queueURL, handle string) {
	t.Helper()
	if _, err := c.sqs.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String(handle)}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
}

// recordCall makes the trail record one Firehose call.
func (c *qClients) recordCall(t *testing.T) {
	t.Helper()
	if _, err := c.fh.ListDeliveryStreams(t.Context(), &firehose.ListDeliveryStreamsInput{}); err != nil {
		t.Fatalf("ListDeliveryStreams: %v", err)
	}
}

// logNotifications is the notification configuration of the tests: object
// creations of log files (not digests) to queueARN.
func logNotifications(queueARN string) *s3types.NotificationConfiguration {
	return &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
		Id:       aws.String("cloudtrail-logs"),
		QueueArn: aws.String(queueARN),
		Events:   []s3types.Event{"s3:ObjectCreated:*"},
		Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
			{Name: s3types.FilterRuleNamePrefix, Value: aws.String(logPrefix)},
			{Name: s3types.FilterRuleNameSuffix, Value: aws.String(".json.gz")},
		}}},
	}}}
}

// checkLogNotifications checks that bucket's notification configuration is
// logNotifications(queueARN).
func (c *qClients) checkLogNotifications(t *testing.T, bucket, queueARN string) {
	t.Helper()
	got, err := c.s3.GetBucketNotificationConfiguration(t.Context(), &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("GetBucketNotificationConfiguration: %v", err)
	}
	if len(got.QueueConfigurations) != 1 || len(got.TopicConfigurations) != 0 {
		t.Fatalf("GetBucketNotificationConfiguration = %d queue and %d topic configurations, want 1 queue", len(got.QueueConfigurations), len(got.TopicConfigurations))
	}
	q := got.QueueConfigurations[0]
	var rules []string
	if q.Filter != nil && q.Filter.Key != nil {
		for _, r := range q.Filter.Key.FilterRules {
			rules = append(rules, string(r.Name)+"="+aws.ToString(r.Value))
		}
	}
	if aws.ToString(q.Id) != "cloudtrail-logs" || aws.ToString(q.QueueArn) != queueARN || !slices.Equal(q.Events, []s3types.Event{"s3:ObjectCreated:*"}) ||
		!slices.Equal(rules, []string{"Prefix=" + logPrefix, "Suffix=.json.gz"}) {
		t.Errorf("queue configuration = id %q, queue %q, events %q, rules %q; want what was put", aws.ToString(q.Id), aws.ToString(q.QueueArn), q.Events, rules)
	}
}

// testGoS3Events: S3 event notifications of the log bucket reach a queue:
// the test event first, then one event per object created under the
// filter, whose decoded key GetObject finds.
func testGoS3Events(t *testing.T) {
	const who = "aws-sdk-go-v2"
	srv := startServe(t)
	c := newQClients(t, srv)
	queueURL, queueARN := c.createQueue(t, "go-s3-events", nil)
	if _, err := c.s3.PutBucketNotificationConfiguration(t.Context(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(srv.Bucket), NotificationConfiguration: logNotifications(queueARN),
	}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	c.checkLogNotifications(t, srv.Bucket, queueARN)
	msgs := c.drain(t, queueURL, 1, nil)
	if len(msgs) != 1 {
		t.Fatalf("after PutBucketNotificationConfiguration the queue has %d messages, want the test event", len(msgs))
	}
	checkTestEvent(t, who, aws.ToString(msgs[0].Body), srv.Bucket)

	// Outside the filter: no event.
	for _, k := range []string{"AWSLogs/elsewhere.json.gz", logPrefix + "not-a-log.txt"} {
		if _, err := c.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatalf("PutObject %s: %v", k, err)
		}
	}
	special := specialKey("go")
	if _, err := c.s3.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(special), Body: strings.NewReader("not really gzip")}); err != nil {
		t.Fatalf("PutObject %s: %v", special, err)
	}
	c.recordCall(t)
	keys := flushLogKeys(t, srv)
	msgs = c.drain(t, queueURL, len(keys)+1, nil)
	var seen []string
	for _, m := range msgs {
		obj := checkObjectEvent(t, who, aws.ToString(m.Body), srv.Bucket, srv.Env["AWS_REGION"], "cloudtrail-logs")
		if obj.Key == "" {
			continue
		}
		out, err := c.s3.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(obj.Key)})
		if err != nil {
			t.Errorf("GetObject of the event's decoded key %q: %v", obj.Key, err)
			continue
		}
		data, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || int64(len(data)) != obj.Size || strings.Trim(aws.ToString(out.ETag), `"`) != obj.ETag {
			t.Errorf("GetObject %q = %d bytes, ETag %s (%v); the event said size %d, eTag %s", obj.Key, len(data), aws.ToString(out.ETag), err, obj.Size, obj.ETag)
		}
		seen = append(seen, obj.Key)
	}
	sameKeys(t, who, "the S3 events", seen, append(keys, special))
	if left := c.receive(t, queueURL, 0, nil); len(left) != 0 {
		t.Errorf("queue holds %d more messages, want none (first: %s)", len(left), aws.ToString(left[0].Body))
	}
}

// testGoS3EventsToTopic: a TopicConfiguration sends S3 event notifications
// to an SNS topic, published with S3's subject; a queue subscribed to the
// topic gets them in envelopes.
func testGoS3EventsToTopic(t *testing.T) {
	const who = "aws-sdk-go-v2 (via SNS)"
	srv := startServe(t)
	c := newQClients(t, srv)
	topic, err := c.sns.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("go-s3-topic")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	topicARN := aws.ToString(topic.TopicArn)
	queueURL, queueARN := c.createQueue(t, "go-s3-topic-queue", nil)
	if _, err := c.sns.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)}); err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if _, err := c.s3.PutBucketNotificationConfiguration(t.Context(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(srv.Bucket), NotificationConfiguration: &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
			Id: aws.String("to-topic"), TopicArn: topic.TopicArn, Events: []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String(logPrefix)},
			}}},
		}}},
	}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	message := func(m sqstypes.Message) string {
		t.Helper()
		var env map[string]string
		if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &env); err != nil || env["Type"] != "Notification" ||
			env["TopicArn"] != topicARN || env["Subject"] != "Amazon S3 Notification" {
			t.Errorf("%s: body %s (%v), want a Notification of %s with Subject \"Amazon S3 Notification\"", who, aws.ToString(m.Body), err, topicARN)
		}
		return env["Message"]
	}
	msgs := c.drain(t, queueURL, 1, nil)
	if len(msgs) != 1 {
		t.Fatalf("after PutBucketNotificationConfiguration the queue has %d messages, want the test event", len(msgs))
	}
	checkTestEvent(t, who, message(msgs[0]), srv.Bucket)
	c.recordCall(t)
	keys := flushLogKeys(t, srv)
	var seen []string
	for _, m := range c.drain(t, queueURL, len(keys), nil) {
		seen = append(seen, checkObjectEvent(t, who, message(m), srv.Bucket, srv.Env["AWS_REGION"], "to-topic").Key)
	}
	sameKeys(t, who, "the S3 events", seen, keys)
}

// testGoTrailTopic: a queue subscribed to the trail's topic gets an SNS
// envelope per log file, and CloudTrail's message alone with
// RawMessageDelivery.
func testGoTrailTopic(t *testing.T) {
	const who = "aws-sdk-go-v2"
	srv := startServe(t)
	c := newQClients(t, srv)
	trails, err := c.ct.DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) != 1 {
		t.Fatalf("DescribeTrails: %v, want the one trail", err)
	}
	topic := aws.ToString(trails.TrailList[0].SnsTopicARN)
	if want := "arn:aws:sns:" + srv.Env["AWS_REGION"] + ":" + queuesAccount + ":firetrail-notices"; topic != want {
		t.Fatalf("SnsTopicARN = %q, want %q", topic, want)
	}
	topics, err := c.sns.ListTopics(t.Context(), &sns.ListTopicsInput{})
	if err != nil {
		t.Fatalf("ListTopics: %v", err)
	}
	var arns []string
	for _, tp := range topics.Topics {
		arns = append(arns, aws.ToString(tp.TopicArn))
	}
	if !slices.Contains(arns, topic) {
		t.Errorf("ListTopics = %q, want the trail's topic among them", arns)
	}
	queueURL, queueARN := c.createQueue(t, "go-trail-notices", nil)
	sub, err := c.sns.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), topic+":") {
		t.Fatalf("Subscribe = %q, want a subscription ARN of the topic (sqs subscriptions need no confirmation)", aws.ToString(sub.SubscriptionArn))
	}

	c.recordCall(t)
	keys := flushLogKeys(t, srv)
	var got []string
	for _, m := range c.drain(t, queueURL, len(keys), nil) {
		got = append(got, checkEnvelope(t, who, aws.ToString(m.Body), topic, srv.Bucket)...)
	}
	sameKeys(t, who, "the envelopes' messages", got, keys)

	if _, err := c.sns.SetSubscriptionAttributes(t.Context(), &sns.SetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn,
		AttributeName: aws.String("RawMessageDelivery"), AttributeValue: aws.String("true")}); err != nil {
		t.Fatalf("SetSubscriptionAttributes RawMessageDelivery: %v", err)
	}
	c.recordCall(t)
	keys = flushLogKeys(t, srv)
	got = nil
	for _, m := range c.drain(t, queueURL, len(keys), nil) {
		got = append(got, checkTrailMessage(t, who+" (raw)", aws.ToString(m.Body), srv.Bucket)...)
	}
	sameKeys(t, who, "the raw messages", got, keys)
}

// testGoLongPoll: a long poll returns the message sent while it waits,
// and nothing at the end of a short wait.
func testGoLongPoll(t *testing.T) {
	srv := startServe(t)
	c := newQClients(t, srv)
	queueURL, _ := c.createQueue(t, "go-long-poll", nil)
	sent := make(chan error, 1)
	go func() {
		time.Sleep(time.Second) // let the receive start waiting; not an assertion
		_, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("wake up")})
		sent <- err
	}()
	start := time.Now()
	msgs := c.receive(t, queueURL, 5, nil)
	t.Logf("the 5-second long poll returned after %v", time.Since(start).Round(time.Millisecond))
	if err := <-sent; err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if len(msgs) != 1 || aws.ToString(msgs[0].Body) != "wake up" {
		t.Fatalf("long poll received %d messages, want the one sent while it waited", len(msgs))
	}
	c.deleteMessage(t, queueURL, aws.ToString(msgs[0].ReceiptHandle))
	if msgs := c.receive(t, queueURL, 1, nil); len(msgs) != 0 {
		t.Errorf("a 1-second long poll of an empty queue received %d messages", len(msgs))
	}
}

// testGoVisibility: a message received and not deleted comes back when its
// visibility timeout ends, received twice.
func testGoVisibility(t *testing.T) {
	srv := startServe(t)
	c := newQClients(t, srv)
	queueURL, _ := c.createQueue(t, "go-visibility", nil)
	sent, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("come back")})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	count := func(in *sqs.ReceiveMessageInput) {
		in.MessageSystemAttributeNames = []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}
	}
	first := c.receive(t, queueURL, 0, func(in *sqs.ReceiveMessageInput) { count(in); in.VisibilityTimeout = 1 })
	if len(first) != 1 || aws.ToString(first[0].MessageId) != aws.ToString(sent.MessageId) || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v, want message %s received once", fromSDKAll(first), aws.ToString(sent.MessageId))
	}
	// Not deleted: back once the 1-second timeout ends (serve's clock is
	// the wall clock), within this long poll.
	second := c.receive(t, queueURL, 10, count)
	if len(second) != 1 || aws.ToString(second[0].MessageId) != aws.ToString(sent.MessageId) || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive = %+v, want message %s with ApproximateReceiveCount 2", fromSDKAll(second), aws.ToString(sent.MessageId))
	}
	if aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Errorf("both receives answered receipt handle %s, want a new one", aws.ToString(first[0].ReceiptHandle))
	}
	c.deleteMessage(t, queueURL, aws.ToString(second[0].ReceiptHandle))
}

// testGoRedrive: a message received maxReceiveCount times moves to the
// dead-letter queue on the next receive.
func testGoRedrive(t *testing.T) {
	srv := startServe(t)
	c := newQClients(t, srv)
	dlqURL, dlqARN := c.createQueue(t, "go-dlq", nil)
	policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": dlqARN, "maxReceiveCount": 1})
	srcURL, srcARN := c.createQueue(t, "go-redriven", map[string]string{"RedrivePolicy": string(policy)})
	attrs, err := c.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(srcURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameRedrivePolicy}})
	if err != nil {
		t.Fatalf("GetQueueAttributes RedrivePolicy: %v", err)
	}
	var rp struct {
		Target string `json:"deadLetterTargetArn"`
		Max    int    `json:"maxReceiveCount"`
	}
	if err := json.Unmarshal([]byte(attrs.Attributes["RedrivePolicy"]), &rp); err != nil || rp.Target != dlqARN || rp.Max != 1 {
		t.Errorf("RedrivePolicy = %q (%v), want target %s, maxReceiveCount 1", attrs.Attributes["RedrivePolicy"], err, dlqARN)
	}
	sent, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(srcURL), MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if first := c.receive(t, srcURL, 0, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 1 }); len(first) != 1 {
		t.Fatalf("first receive got %d messages, want 1", len(first))
	}
	// The timeout ends during this wait; the message, received once
	// already, goes to the dead-letter queue instead of coming back.
	if second := c.receive(t, srcURL, 3, nil); len(second) != 0 {
		t.Errorf("second receive got %s, want nothing: the message is the dead-letter queue's", aws.ToString(second[0].Body))
	}
	dead := c.receive(t, dlqURL, 5, func(in *sqs.ReceiveMessageInput) {
		in.MessageSystemAttributeNames = []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}
	})
	if len(dead) != 1 || aws.ToString(dead[0].MessageId) != aws.ToString(sent.MessageId) || aws.ToString(dead[0].Body) != "poison" ||
		dead[0].Attributes["DeadLetterQueueSourceArn"] != srcARN {
		t.Errorf("dead-letter queue received %+v, want message %s with DeadLetterQueueSourceArn %s", fromSDKAll(dead), aws.ToString(sent.MessageId), srcARN)
	}
	sources, err := c.sqs.ListDeadLetterSourceQueues(t.Context(), &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlqURL)})
	if err != nil {
		t.Fatalf("ListDeadLetterSourceQueues: %v", err)
	}
	if !slices.Equal(sources.QueueUrls, []string{srcURL}) {
		t.Errorf("ListDeadLetterSourceQueues = %q, want [%s]", sources.QueueUrls, srcURL)
	}
}

// apiCode is the error code of err ("" if it is no API error).
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// testGoQueueErrors: SQS's errors as typed errors of the JSON protocol,
// S3's and SNS's as their codes.
func testGoQueueErrors(t *testing.T) {
	srv := startServe(t)
	c := newQClients(t, srv)
	ctx := t.Context()
	queueURL, queueARN := c.createQueue(t, "go-errors", nil)
	missingURL := queueURL[:strings.LastIndex(queueURL, "/")+1] + "go-no-such-queue"

	_, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("go-no-such-queue")})
	if _, ok := errors.AsType[*sqstypes.QueueDoesNotExist](err); !ok {
		t.Errorf("GetQueueUrl of a missing queue = %v (code %q), want QueueDoesNotExist", err, apiCode(err))
	}
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(missingURL), MessageBody: aws.String("x")})
	if _, ok := errors.AsType[*sqstypes.QueueDoesNotExist](err); !ok {
		t.Errorf("SendMessage to a missing queue = %v (code %q), want QueueDoesNotExist", err, apiCode(err))
	}
	_, err = c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: aws.String("not-a-receipt-handle")})
	if _, ok := errors.AsType[*sqstypes.ReceiptHandleIsInvalid](err); !ok {
		t.Errorf("DeleteMessage with a bad receipt handle = %v (code %q), want ReceiptHandleIsInvalid", err, apiCode(err))
	}
	var entries []sqstypes.SendMessageBatchRequestEntry
	for i := range 11 {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String("m" + strconv.Itoa(i)), MessageBody: aws.String("x")})
	}
	_, err = c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
	if _, ok := errors.AsType[*sqstypes.TooManyEntriesInBatchRequest](err); !ok {
		t.Errorf("SendMessageBatch of 11 = %v (code %q), want TooManyEntriesInBatchRequest", err, apiCode(err))
	}

	if _, err := c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		Attributes: map[string]string{"MaximumMessageSize": "1024"}}); err != nil {
		t.Fatalf("SetQueueAttributes MaximumMessageSize: %v", err)
	}
	_, err = c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(strings.Repeat("x", 2048))})
	if code := apiCode(err); code != "InvalidParameterValue" {
		t.Errorf("SendMessage of 2 KiB to a queue of 1 KiB messages = %v (code %q), want InvalidParameterValue", err, code)
	}
	if _, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(strings.Repeat("x", 1024))}); err != nil {
		t.Errorf("SendMessage of exactly MaximumMessageSize (1024 bytes): %v, want it accepted", err)
	}

	for name, cfg := range map[string]*s3types.NotificationConfiguration{
		"unknown event": {QueueConfigurations: []s3types.QueueConfiguration{{QueueArn: aws.String(queueARN), Events: []s3types.Event{"s3:ObjectCreated:Bogus"}}}},
		"missing queue": {QueueConfigurations: []s3types.QueueConfiguration{{QueueArn: aws.String(strings.TrimSuffix(queueARN, "go-errors") + "go-no-such-queue"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}},
	} {
		_, err := c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(srv.Bucket), NotificationConfiguration: cfg})
		if code := apiCode(err); code != "InvalidArgument" {
			t.Errorf("PutBucketNotificationConfiguration (%s) = %v (code %q), want InvalidArgument", name, err, code)
		}
	}
	// The SDK writes only well-formed XML: a signed request of its own.
	status, code := putRawNotification(t, srv, "<NotificationConfiguration><QueueConfiguration><Queue>")
	if status != http.StatusBadRequest || code != "MalformedXML" {
		t.Errorf("PUT ?notification with malformed XML = %d %s, want 400 MalformedXML", status, code)
	}

	topicARN := strings.Replace(strings.TrimSuffix(queueARN, "go-errors")+"go-no-such-topic", ":sqs:", ":sns:", 1)
	_, err = c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topicARN), Message: aws.String("x")})
	if _, ok := errors.AsType[*snstypes.NotFoundException](err); !ok {
		t.Errorf("Publish to a missing topic = %v (code %q), want NotFound", err, apiCode(err))
	}
	_, err = c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topicARN), Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN)})
	if _, ok := errors.AsType[*snstypes.NotFoundException](err); !ok {
		t.Errorf("Subscribe to a missing topic = %v (code %q), want NotFound", err, apiCode(err))
	}
}

// putRawNotification PUTs body as the log bucket's notification
// configuration in a request signed as the SDK signs, and returns the
// status and S3 error code.
func putRawNotification(t *testing.T, srv *serveProc, body string) (int, string) {
	t.Helper()
	cfg := goConfig(t, &srv.serveInfo)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, srv.URL+"/"+srv.Bucket+"?notification=", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256Hex([]byte(body))
	req.Header.Set("X-Amz-Content-Sha256", sum)
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, sum, "s3", cfg.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Code string `xml:"Code"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(raw, &e); err != nil {
		t.Errorf("PUT ?notification answered %d %q: %v", resp.StatusCode, raw, err)
	}
	return resp.StatusCode, e.Code
}

// testGoMessageAttributes: message attributes of every type go through
// SendMessage and SendMessageBatch and come back with MD5s that verify
// (the SDK checks the body's; the test the attributes').
func testGoMessageAttributes(t *testing.T) {
	const who = "aws-sdk-go-v2"
	srv := startServe(t)
	c := newQClients(t, srv)
	queueURL, _ := c.createQueue(t, "go-attributes", nil)
	attrs := queueMessage.Attrs
	sent, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL),
		MessageBody: aws.String(queueMessage.Body), MessageAttributes: toSDKAttrs(attrs)})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	checkSentMD5s(t, who+" SendMessage", aws.ToString(sent.MD5OfMessageBody), aws.ToString(sent.MD5OfMessageAttributes), attrs)
	batch, err := c.sqs.SendMessageBatch(t.Context(), &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("one"), MessageBody: aws.String(queueMessage.Body), MessageAttributes: toSDKAttrs(attrs)},
	}})
	if err != nil || len(batch.Successful) != 1 {
		t.Fatalf("SendMessageBatch = %+v, %v", batch, err)
	}
	checkSentMD5s(t, who+" SendMessageBatch", aws.ToString(batch.Successful[0].MD5OfMessageBody), aws.ToString(batch.Successful[0].MD5OfMessageAttributes), attrs)
	msgs := c.drain(t, queueURL, 2, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = []string{"All"} })
	if len(msgs) != 2 {
		t.Fatalf("received %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		checkReceivedMessage(t, who, fromSDK(m), attrs)
	}

	// Some attributes by name: the MD5 covers those returned.
	if _, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL),
		MessageBody: aws.String(queueMessage.Body), MessageAttributes: toSDKAttrs(attrs)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	msgs = c.drain(t, queueURL, 1, func(in *sqs.ReceiveMessageInput) { in.MessageAttributeNames = []string{"count", "blob"} })
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	checkReceivedMessage(t, who+" (count, blob)", fromSDK(msgs[0]), map[string]msgAttr{"count": attrs["count"], "blob": attrs["blob"]})
}

// testGoQueuesPersistence: with --data-dir, a queue, a topic with an sqs
// subscription, the bucket's notification configuration and an undeleted
// message are all there after a restart, and work.
func testGoQueuesPersistence(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, "--data-dir", dir)
	c := newQClients(t, srv)
	queueURL, _ := c.createQueue(t, "go-kept", map[string]string{"VisibilityTimeout": "45"})
	eventsURL, eventsARN := c.createQueue(t, "go-kept-events", nil)
	subURL, subARN := c.createQueue(t, "go-kept-sub", nil)
	topic, err := c.sns.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String("go-kept-topic")})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	sub, err := c.sns.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String(subARN), ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	if _, err := c.s3.PutBucketNotificationConfiguration(t.Context(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(srv.Bucket), NotificationConfiguration: logNotifications(eventsARN),
	}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	sent, err := c.sqs.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String("left behind"),
		MessageAttributes: toSDKAttrs(queueMessage.Attrs)})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	// Received once, not deleted: in flight for a second.
	if got := c.receive(t, queueURL, 0, func(in *sqs.ReceiveMessageInput) { in.VisibilityTimeout = 1 }); len(got) != 1 {
		t.Fatalf("receive before the restart got %d messages, want 1", len(got))
	}
	srv.stop(t)

	srv = startServe(t, "--data-dir", dir)
	c = newQClients(t, srv)
	got, err := c.sqs.GetQueueUrl(t.Context(), &sqs.GetQueueUrlInput{QueueName: aws.String("go-kept")})
	if err != nil {
		t.Fatalf("GetQueueUrl after a restart: %v", err)
	}
	queueURL = aws.ToString(got.QueueUrl)
	attrs, err := c.sqs.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: got.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatalf("GetQueueAttributes after a restart: %v", err)
	}
	if attrs.Attributes["VisibilityTimeout"] != "45" {
		t.Errorf("queue attributes after a restart = %v, want VisibilityTimeout 45", attrs.Attributes)
	}
	msgs := c.drain(t, queueURL, 1, func(in *sqs.ReceiveMessageInput) {
		in.MessageAttributeNames = []string{"All"}
		in.MessageSystemAttributeNames = []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameApproximateReceiveCount}
	})
	if len(msgs) != 1 || aws.ToString(msgs[0].MessageId) != aws.ToString(sent.MessageId) || aws.ToString(msgs[0].Body) != "left behind" {
		t.Fatalf("after a restart the queue gave %+v, want message %s", fromSDKAll(msgs), aws.ToString(sent.MessageId))
	}
	if n := msgs[0].Attributes["ApproximateReceiveCount"]; n != "2" {
		t.Errorf("after a restart the message's ApproximateReceiveCount is %q, want 2 (received once before)", n)
	}
	if m := fromSDK(msgs[0]); m.MD5OfMessageAttributes != md5OfAttributes(queueMessage.Attrs) || len(m.MessageAttributes) != len(queueMessage.Attrs) {
		t.Errorf("message attributes after a restart: %+v (MD5 %s), want %+v", m.MessageAttributes, m.MD5OfMessageAttributes, queueMessage.Attrs)
	}

	subs, err := c.sns.ListSubscriptionsByTopic(t.Context(), &sns.ListSubscriptionsByTopicInput{TopicArn: topic.TopicArn})
	if err != nil {
		t.Fatalf("ListSubscriptionsByTopic after a restart: %v", err)
	}
	var subsGot []string
	for _, s := range subs.Subscriptions {
		subsGot = append(subsGot, aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint)+" "+aws.ToString(s.SubscriptionArn))
	}
	if want := "sqs " + subARN + " " + aws.ToString(sub.SubscriptionArn); !slices.Equal(subsGot, []string{want}) {
		t.Fatalf("ListSubscriptionsByTopic after a restart = %q, want [%s]", subsGot, want)
	}
	if _, err := c.sns.Publish(t.Context(), &sns.PublishInput{TopicArn: topic.TopicArn, Message: aws.String("after the restart")}); err != nil {
		t.Fatalf("Publish after a restart: %v", err)
	}
	msgs = c.drain(t, subURL, 1, nil)
	var env map[string]string
	if len(msgs) != 1 || json.Unmarshal([]byte(aws.ToString(msgs[0].Body)), &env) != nil ||
		env["Type"] != "Notification" || env["TopicArn"] != aws.ToString(topic.TopicArn) || env["Message"] != "after the restart" {
		t.Errorf("subscribed queue after Publish: %+v, want the message's envelope", fromSDKAll(msgs))
	}

	c.checkLogNotifications(t, srv.Bucket, eventsARN)
	if msgs := c.drain(t, eventsURL, 1, nil); len(msgs) != 1 {
		t.Errorf("notification queue after a restart: %d messages, want the test event sent before it", len(msgs))
	} else {
		checkTestEvent(t, "aws-sdk-go-v2", aws.ToString(msgs[0].Body), srv.Bucket)
	}
	c.recordCall(t)
	keys := flushLogKeys(t, srv)
	var seen []string
	for _, m := range c.drain(t, eventsURL, len(keys), nil) {
		seen = append(seen, checkObjectEvent(t, "aws-sdk-go-v2", aws.ToString(m.Body), srv.Bucket, srv.Env["AWS_REGION"], "cloudtrail-logs").Key)
	}
	sameKeys(t, "aws-sdk-go-v2", "the S3 events after a restart", seen, keys)
}

// testGoStopWhilePolling: serve stops (exit 0, as startServe's stop
// checks) while a long poll waits; the poll answers, empty.
func testGoStopWhilePolling(t *testing.T) {
	srv := startServe(t)
	c := newQClients(t, srv)
	queueURL, _ := c.createQueue(t, "go-stop", nil)
	type result struct {
		msgs []sqstypes.Message
		err  error
	}
	done := make(chan result, 1)
	go func() {
		out, err := c.sqs.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 20})
		r := result{err: err}
		if out != nil {
			r.msgs = out.Messages
		}
		done <- r
	}()
	time.Sleep(500 * time.Millisecond) // let the poll start waiting; not an assertion
	start := time.Now()
	srv.stop(t)
	t.Logf("serve stopped in %v with a 20-second long poll waiting", time.Since(start).Round(time.Millisecond))
	select {
	case r := <-done:
		if r.err != nil || len(r.msgs) != 0 {
			t.Errorf("the long poll pending at stop answered %d messages, %v; want none, no error", len(r.msgs), r.err)
		}
	case <-time.After(e2eTimeout):
		t.Fatal("the long poll pending at stop never answered")
	}
}

// runBoto3Section runs one section of testdata/e2e/queues_boto3.py against
// its own serve and decodes what it printed into out.
func runBoto3Section(t *testing.T, python, section string, out any) *serveProc {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "e2e", "queues_boto3.py"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := json.Marshal(queueMessage)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServe(t)
	stdout, stderr, err := execClient(t.Context(), clientEnv(t, &srv.serveInfo, pathStyleConfig), t.TempDir(), python,
		script, section, srv.Bucket, queuesAccount, string(msg))
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", script, section, err, stderr)
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("%s %s printed %q: %v", script, section, stdout, err)
	}
	return srv
}

// testBoto3Queues runs each section of the boto3 script (the query
// protocol) with the checks of the Go SDK's tests.
func testBoto3Queues(t *testing.T) {
	python, version := findPython(t)
	t.Logf("python: %s: boto3/botocore %s", python, version)
	const who = "boto3"
	t.Run("s3-events", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Config   []map[string]any `json:"config"`
			QueueARN string           `json:"queueArn"`
			Test     []string         `json:"test"`
			Special  string           `json:"special"`
			Flushed  []string         `json:"flushed"`
			Events   []struct {
				Body string `json:"body"`
				Key  string `json:"key"`
				Size int64  `json:"size"`
				ETag string `json:"etag"`
			} `json:"events"`
			After []string `json:"after"`
		}
		srv := runBoto3Section(t, python, "s3events", &out)
		if len(out.Config) != 1 || out.Config[0]["QueueArn"] != out.QueueARN {
			t.Errorf("get_bucket_notification_configuration = %v, want the queue configuration put", out.Config)
		}
		if len(out.Test) != 1 {
			t.Fatalf("messages after the configuration: %q, want the test event", out.Test)
		}
		checkTestEvent(t, who, out.Test[0], srv.Bucket)
		if len(out.Flushed) == 0 {
			t.Fatal("the flush wrote no log file")
		}
		var seen []string
		for _, e := range out.Events {
			obj := checkObjectEvent(t, who, e.Body, srv.Bucket, srv.Env["AWS_REGION"], "cloudtrail-logs")
			if obj.Key != e.Key || obj.Size != e.Size || obj.ETag != strings.Trim(e.ETag, `"`) {
				t.Errorf("%s: event names %+v; get_object of unquote_plus(key) found %q, %d bytes, ETag %s", who, obj, e.Key, e.Size, e.ETag)
			}
			seen = append(seen, e.Key)
		}
		sameKeys(t, who, "the S3 events", seen, append(out.Flushed, out.Special))
		if len(out.After) != 0 {
			t.Errorf("messages left: %q", out.After)
		}
	})
	t.Run("trail-topic", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Topic      string            `json:"topic"`
			Flushed    []string          `json:"flushed"`
			Envelopes  []string          `json:"envelopes"`
			SubAttrs   map[string]string `json:"subAttrs"`
			FlushedRaw []string          `json:"flushedRaw"`
			Raw        []string          `json:"raw"`
		}
		srv := runBoto3Section(t, python, "trailtopic", &out)
		if !strings.HasSuffix(out.Topic, ":"+queuesAccount+":firetrail-notices") {
			t.Errorf("describe_trails SnsTopicARN = %q", out.Topic)
		}
		var got []string
		for _, b := range out.Envelopes {
			got = append(got, checkEnvelope(t, who, b, out.Topic, srv.Bucket)...)
		}
		sameKeys(t, who, "the envelopes' messages", got, out.Flushed)
		if out.SubAttrs["RawMessageDelivery"] != "true" || out.SubAttrs["Protocol"] != "sqs" || out.SubAttrs["PendingConfirmation"] != "false" {
			t.Errorf("get_subscription_attributes = %v", out.SubAttrs)
		}
		got = nil
		for _, b := range out.Raw {
			got = append(got, checkTrailMessage(t, who+" (raw)", b, srv.Bucket)...)
		}
		sameKeys(t, who, "the raw messages", got, out.FlushedRaw)
	})
	t.Run("long-poll", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Got     []string `json:"got"`
			Seconds float64  `json:"seconds"`
			Empty   []string `json:"empty"`
		}
		runBoto3Section(t, python, "longpoll", &out)
		t.Logf("the 5-second long poll returned after %.3fs", out.Seconds)
		if !slices.Equal(out.Got, []string{"wake up"}) {
			t.Errorf("long poll received %q, want the message sent while it waited", out.Got)
		}
		if len(out.Empty) != 0 {
			t.Errorf("a 1-second long poll of an empty queue received %q", out.Empty)
		}
	})
	t.Run("visibility", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Sent   string     `json:"sent"`
			First  []qMessage `json:"first"`
			Second []qMessage `json:"second"`
		}
		runBoto3Section(t, python, "visibility", &out)
		if len(out.First) != 1 || out.First[0].MessageID != out.Sent || out.First[0].Attributes["ApproximateReceiveCount"] != "1" {
			t.Errorf("first receive = %+v, want message %s received once", out.First, out.Sent)
		}
		if len(out.Second) != 1 || out.Second[0].MessageID != out.Sent || out.Second[0].Attributes["ApproximateReceiveCount"] != "2" {
			t.Errorf("second receive = %+v, want message %s with ApproximateReceiveCount 2", out.Second, out.Sent)
		}
	})
	t.Run("redrive", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Sent     string     `json:"sent"`
			QueueURL string     `json:"queueUrl"`
			QueueARN string     `json:"queueArn"`
			First    []qMessage `json:"first"`
			Second   []qMessage `json:"second"`
			Dead     []qMessage `json:"dead"`
			Sources  []string   `json:"sources"`
		}
		runBoto3Section(t, python, "redrive", &out)
		if len(out.First) != 1 || len(out.Second) != 0 {
			t.Errorf("receives of the source queue got %d, then %d messages; want 1, then none", len(out.First), len(out.Second))
		}
		if len(out.Dead) != 1 || out.Dead[0].MessageID != out.Sent || out.Dead[0].Body != "poison" || out.Dead[0].Attributes["DeadLetterQueueSourceArn"] != out.QueueARN {
			t.Errorf("dead-letter queue received %+v, want message %s from %s", out.Dead, out.Sent, out.QueueARN)
		}
		if !slices.Equal(out.Sources, []string{out.QueueURL}) {
			t.Errorf("list_dead_letter_source_queues = %q, want [%s]", out.Sources, out.QueueURL)
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		var out map[string][2]string
		runBoto3Section(t, python, "errors", &out)
		for name, want := range map[string]string{
			"getQueueUrl":  "AWS.SimpleQueueService.NonExistentQueue",
			"sendMissing":  "AWS.SimpleQueueService.NonExistentQueue",
			"badHandle":    "ReceiptHandleIsInvalid",
			"batch11":      "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
			"tooBig":       "InvalidParameterValue",
			"badEvent":     "InvalidArgument",
			"missingQueue": "InvalidArgument",
			"missingTopic": "NotFound",
		} {
			if got := out[name]; got[0] != want || got[1] == "" {
				t.Errorf("%s: %s = ClientError %q, want code %s with a message", who, name, got, want)
			}
		}
	})
	t.Run("batches", func(t *testing.T) {
		t.Parallel()
		type entry struct {
			ID          string `json:"Id"`
			SenderFault bool   `json:"SenderFault"`
			Code        string `json:"Code"`
			Message     string `json:"Message"`
		}
		type answer struct {
			Successful []entry `json:"Successful"`
			Failed     []entry `json:"Failed"`
		}
		var out struct {
			Send   answer            `json:"send"`
			Change answer            `json:"change"`
			Delete answer            `json:"delete"`
			Left   map[string]string `json:"left"`
		}
		runBoto3Section(t, python, "batches", &out)
		ids := func(es []entry) []string {
			var s []string
			for _, e := range es {
				s = append(s, e.ID)
			}
			return slices.Sorted(slices.Values(s))
		}
		for _, c := range []struct {
			op      string
			a       answer
			ok      []string
			badID   string
			badCode string
		}{
			{"send_message_batch", out.Send, []string{"a", "b"}, "c", "InvalidParameterValue"},
			{"change_message_visibility_batch", out.Change, []string{"m0", "m1"}, "bad", "ReceiptHandleIsInvalid"},
			{"delete_message_batch", out.Delete, []string{"m0", "m1"}, "bad", "ReceiptHandleIsInvalid"},
		} {
			if got := ids(c.a.Successful); !slices.Equal(got, c.ok) {
				t.Errorf("%s: %s Successful ids %q, want %q", who, c.op, got, c.ok)
			}
			if len(c.a.Failed) != 1 || c.a.Failed[0].ID != c.badID || !c.a.Failed[0].SenderFault || c.a.Failed[0].Code != c.badCode || c.a.Failed[0].Message == "" {
				t.Errorf("%s: %s Failed %+v, want entry %s failed by the sender with %s", who, c.op, c.a.Failed, c.badID, c.badCode)
			}
		}
		if out.Left["ApproximateNumberOfMessages"] != "0" || out.Left["ApproximateNumberOfMessagesNotVisible"] != "0" {
			t.Errorf("%s: queue after delete_message_batch: %v, want empty", who, out.Left)
		}
	})
	t.Run("attributes", func(t *testing.T) {
		t.Parallel()
		var out struct {
			Sent struct {
				MD5OfMessageBody       string
				MD5OfMessageAttributes string
			} `json:"sent"`
			Batch []struct {
				MD5OfMessageBody       string
				MD5OfMessageAttributes string
			} `json:"batch"`
			Failed   []any      `json:"failed"`
			Received []qMessage `json:"received"`
		}
		runBoto3Section(t, python, "attributes", &out)
		checkSentMD5s(t, who+" send_message", out.Sent.MD5OfMessageBody, out.Sent.MD5OfMessageAttributes, queueMessage.Attrs)
		if len(out.Batch) != 1 || len(out.Failed) != 0 {
			t.Fatalf("send_message_batch: successful %v, failed %v", out.Batch, out.Failed)
		}
		checkSentMD5s(t, who+" send_message_batch", out.Batch[0].MD5OfMessageBody, out.Batch[0].MD5OfMessageAttributes, queueMessage.Attrs)
		if len(out.Received) != 2 {
			t.Fatalf("received %d messages, want 2", len(out.Received))
		}
		for _, m := range out.Received {
			checkReceivedMessage(t, who, m, queueMessage.Attrs)
		}
	})
}

// queueCLI runs awscli against one serve.
type queueCLI struct {
	*awscli
	srv *serveProc
}

func newQueueCLI(t *testing.T) *queueCLI {
	t.Helper()
	bin, version := findAWSCLI(t)
	t.Logf("awscli: %s: %s", bin, version)
	srv := startServe(t)
	return &queueCLI{&awscli{bin: bin, env: clientEnv(t, &srv.serveInfo, pathStyleConfig), url: srv.URL, temp: t.TempDir()}, srv}
}

// json runs aws --output json and decodes what it printed into out (if
// not nil).
func (c *queueCLI) json(t *testing.T, out any, args ...string) {
	t.Helper()
	stdout := c.run(t, append([]string{"--output", "json"}, args...)...)
	if out == nil || len(strings.TrimSpace(string(stdout))) == 0 {
		return
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("aws %s printed %q: %v", strings.Join(args, " "), stdout, err)
	}
}

// fails runs aws, which must fail naming code ("(code)" on stderr).
func (c *queueCLI) fails(t *testing.T, code string, args ...string) {
	t.Helper()
	_, stderr, err := c.try(t, nil, args...)
	if err == nil || !strings.Contains(string(stderr), "("+code+")") {
		t.Errorf("aws %s = %v, stderr %q; want an error naming %s", strings.Join(args, " "), err, stderr, code)
	}
}

func (c *queueCLI) createQueue(t *testing.T, name string, attrs map[string]string) (queueURL, arn string) {
	t.Helper()
	args := []string{"sqs", "create-queue", "--queue-name", name}
	if attrs != nil {
		b, _ := json.Marshal(attrs)
		args = append(args, "--attributes", string(b))
	}
	var out struct{ QueueUrl string }
	c.json(t, &out, args...)
	var a struct{ Attributes map[string]string }
	c.json(t, &a, "sqs", "get-queue-attributes", "--queue-url", out.QueueUrl, "--attribute-names", "QueueArn")
	return out.QueueUrl, a.Attributes["QueueArn"]
}

// receive runs sqs receive-message for up to 10 messages.
func (c *queueCLI) receive(t *testing.T, queueURL string, wait int, extra ...string) []qMessage {
	t.Helper()
	var out struct{ Messages []qMessage }
	c.json(t, &out, append([]string{"sqs", "receive-message", "--queue-url", queueURL, "--max-number-of-messages", "10",
		"--wait-time-seconds", strconv.Itoa(wait)}, extra...)...)
	return out.Messages
}

// drain receives and deletes until n messages have arrived or a 5-second
// long poll is empty.
func (c *queueCLI) drain(t *testing.T, queueURL string, n int, extra ...string) []qMessage {
	t.Helper()
	var got []qMessage
	for len(got) < n {
		msgs := c.receive(t, queueURL, 5, extra...)
		if len(msgs) == 0 {
			break
		}
		for _, m := range msgs {
			c.json(t, nil, "sqs", "delete-message", "--queue-url", queueURL, "--receipt-handle", m.ReceiptHandle)
		}
		got = append(got, msgs...)
	}
	return got
}

// testAWSCLINotifications: S3 event notifications and the trail's topic,
// through awscli.
func testAWSCLINotifications(t *testing.T) {
	const who = "awscli"
	c := newQueueCLI(t)
	srv := c.srv
	queueURL, queueARN := c.createQueue(t, "cli-s3-events", nil)
	cfg, _ := json.Marshal(map[string]any{"QueueConfigurations": []any{map[string]any{
		"Id": "cloudtrail-logs", "QueueArn": queueARN, "Events": []string{"s3:ObjectCreated:*"},
		"Filter": map[string]any{"Key": map[string]any{"FilterRules": []any{
			map[string]string{"Name": "prefix", "Value": logPrefix}, map[string]string{"Name": "suffix", "Value": ".json.gz"},
		}}},
	}}})
	c.json(t, nil, "s3api", "put-bucket-notification-configuration", "--bucket", srv.Bucket, "--notification-configuration", string(cfg))
	msgs := c.drain(t, queueURL, 1)
	if len(msgs) != 1 {
		t.Fatalf("after put-bucket-notification-configuration the queue has %d messages, want the test event", len(msgs))
	}
	checkTestEvent(t, who, msgs[0].Body, srv.Bucket)

	special := specialKey("cli")
	file := filepath.Join(c.temp, "special")
	if err := os.WriteFile(file, []byte("not really gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	c.json(t, nil, "s3api", "put-object", "--bucket", srv.Bucket, "--key", special, "--body", file)
	c.json(t, nil, "firehose", "list-delivery-streams")
	keys := flushLogKeys(t, srv)
	var seen []string
	for i, m := range c.drain(t, queueURL, len(keys)+1) {
		obj := checkObjectEvent(t, who, m.Body, srv.Bucket, srv.Env["AWS_REGION"], "cloudtrail-logs")
		var got struct {
			ContentLength int64
			ETag          string
		}
		c.json(t, &got, "s3api", "get-object", "--bucket", srv.Bucket, "--key", obj.Key, filepath.Join(c.temp, "got"+strconv.Itoa(i)))
		if got.ContentLength != obj.Size || strings.Trim(got.ETag, `"`) != obj.ETag {
			t.Errorf("get-object %q = %d bytes, ETag %s; the event said %d, %s", obj.Key, got.ContentLength, got.ETag, obj.Size, obj.ETag)
		}
		seen = append(seen, obj.Key)
	}
	sameKeys(t, who, "the S3 events", seen, append(keys, special))

	var trails struct {
		TrailList []struct{ SnsTopicARN string }
	}
	c.json(t, &trails, "cloudtrail", "describe-trails")
	if len(trails.TrailList) != 1 || !strings.HasSuffix(trails.TrailList[0].SnsTopicARN, ":firetrail-notices") {
		t.Fatalf("describe-trails = %+v, want the trail with its topic", trails)
	}
	topic := trails.TrailList[0].SnsTopicARN
	noticesURL, noticesARN := c.createQueue(t, "cli-trail-notices", nil)
	var sub struct{ SubscriptionArn string }
	c.json(t, &sub, "sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs", "--notification-endpoint", noticesARN, "--return-subscription-arn")
	if !strings.HasPrefix(sub.SubscriptionArn, topic+":") {
		t.Fatalf("sns subscribe = %q, want a subscription ARN of %s", sub.SubscriptionArn, topic)
	}
	c.json(t, nil, "firehose", "list-delivery-streams")
	keys = flushLogKeys(t, srv)
	var got []string
	for _, m := range c.drain(t, noticesURL, len(keys)) {
		got = append(got, checkEnvelope(t, who, m.Body, topic, srv.Bucket)...)
	}
	sameKeys(t, who, "the envelopes' messages", got, keys)
	c.json(t, nil, "sns", "set-subscription-attributes", "--subscription-arn", sub.SubscriptionArn,
		"--attribute-name", "RawMessageDelivery", "--attribute-value", "true")
	c.json(t, nil, "firehose", "list-delivery-streams")
	keys = flushLogKeys(t, srv)
	got = nil
	for _, m := range c.drain(t, noticesURL, len(keys)) {
		got = append(got, checkTrailMessage(t, who+" (raw)", m.Body, srv.Bucket)...)
	}
	sameKeys(t, who, "the raw messages", got, keys)
}

// testAWSCLIPolling: a long poll woken by a send from another process,
// visibility timeouts and redrive, through awscli.
func testAWSCLIPolling(t *testing.T) {
	c := newQueueCLI(t)
	queueURL, _ := c.createQueue(t, "cli-long-poll", nil)
	type result struct {
		msgs    []qMessage
		took    time.Duration
		out     []byte
		err     error
		errText []byte
	}
	done := make(chan result, 1)
	go func() {
		start := time.Now()
		out, stderr, err := c.try(t, nil, "--output", "json", "sqs", "receive-message", "--queue-url", queueURL, "--wait-time-seconds", "5")
		r := result{took: time.Since(start), out: out, err: err, errText: stderr}
		var m struct{ Messages []qMessage }
		if err == nil && len(strings.TrimSpace(string(out))) > 0 {
			r.err = json.Unmarshal(out, &m)
		}
		r.msgs = m.Messages
		done <- r
	}()
	time.Sleep(1500 * time.Millisecond) // let the receiving process start; not an assertion
	c.json(t, nil, "sqs", "send-message", "--queue-url", queueURL, "--message-body", "wake up")
	r := <-done
	if r.err != nil {
		t.Fatalf("receive-message: %v\n%s", r.err, r.errText)
	}
	t.Logf("the receive-message process with a 5-second long poll took %v", r.took.Round(time.Millisecond))
	if len(r.msgs) != 1 || r.msgs[0].Body != "wake up" {
		t.Fatalf("long poll received %+v, want the message sent by the other process", r.msgs)
	}
	c.json(t, nil, "sqs", "delete-message", "--queue-url", queueURL, "--receipt-handle", r.msgs[0].ReceiptHandle)
	if msgs := c.receive(t, queueURL, 1); len(msgs) != 0 {
		t.Errorf("a 1-second long poll of an empty queue received %+v", msgs)
	}

	// Visibility: not deleted, back when the timeout ends.
	var sent struct{ MessageId string }
	c.json(t, &sent, "sqs", "send-message", "--queue-url", queueURL, "--message-body", "come back")
	first := c.receive(t, queueURL, 0, "--visibility-timeout", "1", "--attribute-names", "ApproximateReceiveCount")
	second := c.receive(t, queueURL, 10, "--attribute-names", "ApproximateReceiveCount")
	if len(first) != 1 || first[0].MessageID != sent.MessageId || first[0].Attributes["ApproximateReceiveCount"] != "1" ||
		len(second) != 1 || second[0].MessageID != sent.MessageId || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("receives = %+v, then %+v; want message %s received once, then again with ApproximateReceiveCount 2", first, second, sent.MessageId)
	}

	// Redrive after one receive.
	dlqURL, dlqARN := c.createQueue(t, "cli-dlq", nil)
	policy, _ := json.Marshal(map[string]string{"deadLetterTargetArn": dlqARN, "maxReceiveCount": "1"})
	srcURL, srcARN := c.createQueue(t, "cli-redriven", map[string]string{"RedrivePolicy": string(policy)})
	c.json(t, &sent, "sqs", "send-message", "--queue-url", srcURL, "--message-body", "poison")
	if got := c.receive(t, srcURL, 0, "--visibility-timeout", "1"); len(got) != 1 {
		t.Fatalf("first receive got %d messages, want 1", len(got))
	}
	if got := c.receive(t, srcURL, 3); len(got) != 0 {
		t.Errorf("second receive got %+v, want nothing: the message is the dead-letter queue's", got)
	}
	dead := c.receive(t, dlqURL, 5, "--attribute-names", "All")
	if len(dead) != 1 || dead[0].MessageID != sent.MessageId || dead[0].Attributes["DeadLetterQueueSourceArn"] != srcARN {
		t.Errorf("dead-letter queue received %+v, want message %s from %s", dead, sent.MessageId, srcARN)
	}
	var sources struct {
		QueueUrls []string `json:"queueUrls"`
	}
	c.json(t, &sources, "sqs", "list-dead-letter-source-queues", "--queue-url", dlqURL)
	if !slices.Equal(sources.QueueUrls, []string{srcURL}) {
		t.Errorf("list-dead-letter-source-queues = %q, want [%s]", sources.QueueUrls, srcURL)
	}
}

// testAWSCLIMessages: message attributes and MD5s, and errors, through
// awscli (which checks no MD5s: the test does).
func testAWSCLIMessages(t *testing.T) {
	const who = "awscli"
	c := newQueueCLI(t)
	queueURL, queueARN := c.createQueue(t, "cli-messages", nil)
	attrs, _ := json.Marshal(queueMessage.Attrs) // BinaryValue in base64, as awscli v2 reads blobs
	var sent struct{ MD5OfMessageBody, MD5OfMessageAttributes string }
	c.json(t, &sent, "sqs", "send-message", "--queue-url", queueURL, "--message-body", queueMessage.Body, "--message-attributes", string(attrs))
	checkSentMD5s(t, who+" send-message", sent.MD5OfMessageBody, sent.MD5OfMessageAttributes, queueMessage.Attrs)
	entries, _ := json.Marshal([]any{map[string]any{"Id": "one", "MessageBody": queueMessage.Body, "MessageAttributes": queueMessage.Attrs}})
	var batch struct {
		Successful []struct{ MD5OfMessageBody, MD5OfMessageAttributes string }
		Failed     []any
	}
	c.json(t, &batch, "sqs", "send-message-batch", "--queue-url", queueURL, "--entries", string(entries))
	if len(batch.Successful) != 1 || len(batch.Failed) != 0 {
		t.Fatalf("send-message-batch = %+v", batch)
	}
	checkSentMD5s(t, who+" send-message-batch", batch.Successful[0].MD5OfMessageBody, batch.Successful[0].MD5OfMessageAttributes, queueMessage.Attrs)
	msgs := c.drain(t, queueURL, 2, "--message-attribute-names", "All")
	if len(msgs) != 2 {
		t.Fatalf("received %d messages, want 2", len(msgs))
	}
	for _, m := range msgs {
		checkReceivedMessage(t, who, m, queueMessage.Attrs)
	}

	c.fails(t, "AWS.SimpleQueueService.NonExistentQueue", "sqs", "get-queue-url", "--queue-name", "cli-no-such-queue")
	c.fails(t, "AWS.SimpleQueueService.NonExistentQueue", "sqs", "send-message", "--queue-url",
		queueURL[:strings.LastIndex(queueURL, "/")+1]+"cli-no-such-queue", "--message-body", "x")
	c.fails(t, "ReceiptHandleIsInvalid", "sqs", "delete-message", "--queue-url", queueURL, "--receipt-handle", "not-a-receipt-handle")
	var eleven []map[string]string
	for i := range 11 {
		eleven = append(eleven, map[string]string{"Id": "m" + strconv.Itoa(i), "MessageBody": "x"})
	}
	b, _ := json.Marshal(eleven)
	c.fails(t, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "sqs", "send-message-batch", "--queue-url", queueURL, "--entries", string(b))
	c.json(t, nil, "sqs", "set-queue-attributes", "--queue-url", queueURL, "--attributes", "MaximumMessageSize=1024")
	c.fails(t, "InvalidParameterValue", "sqs", "send-message", "--queue-url", queueURL, "--message-body", strings.Repeat("x", 2048))
	bad, _ := json.Marshal(map[string]any{"QueueConfigurations": []any{map[string]any{"QueueArn": queueARN, "Events": []string{"s3:ObjectCreated:Bogus"}}}})
	c.fails(t, "InvalidArgument", "s3api", "put-bucket-notification-configuration", "--bucket", c.srv.Bucket, "--notification-configuration", string(bad))
	c.fails(t, "NotFound", "sns", "publish", "--topic-arn", strings.Replace(queueARN, ":sqs:", ":sns:", 1), "--message", "x")
}
