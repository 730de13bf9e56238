package sns_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/fuzzhist"
	"github.com/firetrail/firetrail/schemas"
)

const (
	acct     = "111122223333"
	queueARN = "arn:aws:sqs:eu-west-1:111122223333:q1"
	topicA   = "arn:aws:sns:eu-west-1:111122223333:a"
)

// caller is a signed call of acct in eu-west-1.
var caller = &awsapi.Call{Account: acct, Region: "eu-west-1", Identity: schemas.UserIdentity{AccessKeyID: "AKIAFIRETRAILTEST"}}

// delivery is one message a fake queue got.
type delivery struct {
	queue, body string
	attrs       map[string]awsapi.MessageAttribute
}

// queues is a fake SQS.
type queues struct {
	mu  sync.Mutex
	got []delivery
}

func (q *queues) deliver(_ context.Context, arn, body string, attrs map[string]awsapi.MessageAttribute) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if strings.HasSuffix(arn, ":broken") {
		return errors.New("broken queue")
	}
	q.got = append(q.got, delivery{arn, body, attrs})
	return nil
}

func (q *queues) take() []delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.got
	q.got = nil
	return out
}

// newQueryService returns a service with a fake SQS that knows the queues
// q1, q2 and broken.
func newQueryService(t testing.TB, path string) (*sns.Service, *queues) {
	t.Helper()
	q := &queues{}
	svc, err := sns.New(sns.Config{
		Region: "eu-west-1", Account: acct, SigningKey: testKey(t), Clock: trail.NewFakeClock(t0), Seed: 1,
		Backoff: 10 * time.Millisecond, Path: path,
		DeliverToQueue: q.deliver,
		QueueExists: func(arn string) bool {
			return strings.HasPrefix(arn, "arn:aws:sqs:eu-west-1:111122223333:") && !strings.HasSuffix(arn, ":gone")
		},
	})
	must(t, err)
	t.Cleanup(func() { svc.Close() })
	return svc, q
}

// query calls HandleQuery with a raw form.
func query(t testing.TB, svc *sns.Service, action, form string) (string, *awsapi.Error) {
	t.Helper()
	v, err := url.ParseQuery(form)
	must(t, err)
	out, err := svc.HandleQuery(t.Context(), caller, action, v)
	if err != nil {
		ae, ok := err.(*awsapi.Error)
		if !ok {
			t.Fatalf("%s: error %T %v, want *awsapi.Error", action, err, err)
		}
		return "", ae
	}
	return string(out), nil
}

// mustQuery fails the test on an error.
func mustQuery(t testing.TB, svc *sns.Service, action, form string) string {
	t.Helper()
	out, err := query(t, svc, action, form)
	if err != nil {
		t.Fatalf("%s %s: %v", action, form, err)
	}
	return out
}

// between returns the text between the first open and close in s.
func between(s, open, close string) string {
	_, rest, _ := strings.Cut(s, open)
	v, _, _ := strings.Cut(rest, close)
	return v
}

func TestHandleQueryActions(t *testing.T) {
	svc, _ := newQueryService(t, "")
	e := url.QueryEscape
	mustQuery(t, svc, "CreateTopic", "Name=a&Tags.member.1.Key=team&Tags.member.1.Value=x")
	subARN := between(mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=sqs&Endpoint="+e(queueARN)), "<SubscriptionArn>", "<")
	tests := []struct {
		name, action, form string
		code               string // error code, or
		status             int
		want               string // substring of the result
	}{
		{"create", "CreateTopic", "Name=b", "", 0, "<TopicArn>arn:aws:sns:eu-west-1:111122223333:b</TopicArn>"},
		{"create again", "CreateTopic", "Name=a", "", 0, "<TopicArn>" + topicA + "</TopicArn>"},
		{"create other attrs", "CreateTopic", "Name=a&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=zz", "InvalidParameter", 400, ""},
		{"create other tags", "CreateTopic", "Name=a&Tags.member.1.Key=team&Tags.member.1.Value=y", "InvalidParameter", 400, ""},
		{"create bad name", "CreateTopic", "Name=a.b", "InvalidParameter", 400, ""},
		{"create empty name", "CreateTopic", "", "InvalidParameter", 400, ""},
		{"create fifo", "CreateTopic", "Name=f.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true", "InvalidParameter", 400, ""},
		{"create bad attribute", "CreateTopic", "Name=c&Attributes.entry.1.key=Nope&Attributes.entry.1.value=1", "InvalidParameter", 400, ""},
		{"create with attributes", "CreateTopic", "Name=d&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Dee", "", 0, ":d</TopicArn>"},
		{"list", "ListTopics", "", "", 0, "<Topics><member><TopicArn>" + topicA + "</TopicArn></member>"},
		{"list bad token", "ListTopics", "NextToken=%21%21", "InvalidParameter", 400, ""},
		{"attributes", "GetTopicAttributes", "TopicArn=" + e(topicA), "", 0, "<entry><key>SubscriptionsConfirmed</key><value>1</value></entry>"},
		{"attributes policy", "GetTopicAttributes", "TopicArn=" + e(topicA), "", 0, `&#34;AWS:SourceOwner&#34;:&#34;111122223333&#34;`},
		{"attributes unknown", "GetTopicAttributes", "TopicArn=" + e(topicA+"x"), "NotFound", 404, ""},
		{"attributes bad arn", "GetTopicAttributes", "TopicArn=nope", "InvalidParameter", 400, ""},
		{"set display name", "SetTopicAttributes", "TopicArn=" + e(topicA) + "&AttributeName=DisplayName&AttributeValue=Hi", "", 0, ""},
		{"set unknown", "SetTopicAttributes", "TopicArn=" + e(topicA) + "&AttributeName=Bogus&AttributeValue=1", "InvalidParameter", 400, ""},
		{"set bad policy", "SetTopicAttributes", "TopicArn=" + e(topicA) + "&AttributeName=Policy&AttributeValue=%7B", "InvalidParameter", 400, ""},
		{"subscribe sqs again", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=sqs&Endpoint=" + e(queueARN), "", 0, "<SubscriptionArn>" + subARN + "</SubscriptionArn>"},
		{"subscribe http pending", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=http&Endpoint=" + e("http://127.0.0.1:9/x"), "", 0, "<SubscriptionArn>pending confirmation</SubscriptionArn>"},
		{"subscribe http arn", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=https&Endpoint=" + e("https://127.0.0.1:9/y") + "&ReturnSubscriptionArn=true", "", 0, "<SubscriptionArn>" + topicA + ":"},
		{"subscribe http as https", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=https&Endpoint=" + e("http://127.0.0.1:9/x"), "InvalidParameter", 400, ""},
		{"subscribe email", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=email&Endpoint=a@example.com", "InvalidParameter", 400, ""},
		{"subscribe bogus protocol", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=carrier-pigeon&Endpoint=x", "InvalidParameter", 400, ""},
		{"subscribe bad queue arn", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=sqs&Endpoint=q1", "InvalidParameter", 400, ""},
		{"subscribe missing queue", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=sqs&Endpoint=" + e("arn:aws:sqs:eu-west-1:111122223333:gone"), "InvalidParameter", 400, ""},
		{"subscribe unknown topic", "Subscribe", "TopicArn=" + e(topicA+"x") + "&Protocol=sqs&Endpoint=" + e(queueARN), "NotFound", 404, ""},
		{"subscribe bad filter", "Subscribe", "TopicArn=" + e(topicA) + "&Protocol=sqs&Endpoint=" + e("arn:aws:sqs:eu-west-1:111122223333:q2") + "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%5B%5D", "InvalidParameter", 400, ""},
		{"confirm bad token", "ConfirmSubscription", "TopicArn=" + e(topicA) + "&Token=00", "InvalidParameter", 400, ""},
		{"confirm unknown topic", "ConfirmSubscription", "TopicArn=x&Token=00", "NotFound", 404, ""},
		{"list subscriptions", "ListSubscriptions", "", "", 0, "<member><Owner>111122223333</Owner><Endpoint>" + queueARN + "</Endpoint><Protocol>sqs</Protocol><SubscriptionArn>" + subARN + "</SubscriptionArn><TopicArn>" + topicA + "</TopicArn></member>"},
		{"list subscriptions pending", "ListSubscriptionsByTopic", "TopicArn=" + e(topicA), "", 0, "<SubscriptionArn>PendingConfirmation</SubscriptionArn>"},
		{"list by unknown topic", "ListSubscriptionsByTopic", "TopicArn=" + e(topicA+"x"), "NotFound", 404, ""},
		{"subscription attributes", "GetSubscriptionAttributes", "SubscriptionArn=" + e(subARN), "", 0, "<entry><key>RawMessageDelivery</key><value>false</value></entry>"},
		{"subscription attributes unknown", "GetSubscriptionAttributes", "SubscriptionArn=" + e(topicA+":nope"), "NotFound", 404, ""},
		{"set raw", "SetSubscriptionAttributes", "SubscriptionArn=" + e(subARN) + "&AttributeName=RawMessageDelivery&AttributeValue=true", "", 0, ""},
		{"set raw bad", "SetSubscriptionAttributes", "SubscriptionArn=" + e(subARN) + "&AttributeName=RawMessageDelivery&AttributeValue=maybe", "InvalidParameter", 400, ""},
		{"set scope bad", "SetSubscriptionAttributes", "SubscriptionArn=" + e(subARN) + "&AttributeName=FilterPolicyScope&AttributeValue=Body", "InvalidParameter", 400, ""},
		{"set unknown attribute", "SetSubscriptionAttributes", "SubscriptionArn=" + e(subARN) + "&AttributeName=Color&AttributeValue=red", "InvalidParameter", 400, ""},
		{"publish", "Publish", "TopicArn=" + e(topicA) + "&Message=hi", "", 0, "<MessageId>"},
		{"publish target", "Publish", "TargetArn=" + e(topicA) + "&Message=hi&Subject=S", "", 0, "<MessageId>"},
		{"publish both", "Publish", "TopicArn=" + e(topicA) + "&TargetArn=" + e(topicA) + "&Message=hi", "InvalidParameter", 400, ""},
		{"publish none", "Publish", "Message=hi", "InvalidParameter", 400, ""},
		{"publish empty", "Publish", "TopicArn=" + e(topicA) + "&Message=", "InvalidParameter", 400, ""},
		{"publish unknown topic", "Publish", "TopicArn=" + e(topicA+"x") + "&Message=hi", "NotFound", 404, ""},
		{"publish bad subject", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&Subject=a%0Ab", "InvalidParameter", 400, ""},
		{"publish too long", "Publish", "TopicArn=" + e(topicA) + "&Message=" + strings.Repeat("x", 256<<10+1), "InvalidParameter", 400, ""},
		{"publish bad structure", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageStructure=json", "InvalidParameter", 400, ""},
		{"publish no default", "Publish", "TopicArn=" + e(topicA) + "&Message=" + e(`{"sqs":"x"}`) + "&MessageStructure=json", "InvalidParameter", 400, ""},
		{"publish group id", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageGroupId=g", "InvalidParameter", 400, ""},
		{"publish bad attribute type", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Text&MessageAttributes.entry.1.Value.StringValue=x", "ParameterValueInvalid", 400, ""},
		{"publish empty attribute", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String", "ParameterValueInvalid", 400, ""},
		{"publish bad number", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=x", "ParameterValueInvalid", 400, ""},
		{"publish batch", "PublishBatch", "TopicArn=" + e(topicA) + "&PublishBatchRequestEntries.member.1.Id=one&PublishBatchRequestEntries.member.1.Message=m1&PublishBatchRequestEntries.member.2.Id=two&PublishBatchRequestEntries.member.2.Message=", "", 0, "<Failed><member><Id>two</Id><Code>InvalidParameter</Code>"},
		{"publish batch empty", "PublishBatch", "TopicArn=" + e(topicA), "EmptyBatchRequest", 400, ""},
		{"publish batch same ids", "PublishBatch", "TopicArn=" + e(topicA) + "&PublishBatchRequestEntries.member.1.Id=x&PublishBatchRequestEntries.member.1.Message=m&PublishBatchRequestEntries.member.2.Id=x&PublishBatchRequestEntries.member.2.Message=m", "BatchEntryIdsNotDistinct", 400, ""},
		{"publish batch bad id", "PublishBatch", "TopicArn=" + e(topicA) + "&PublishBatchRequestEntries.member.1.Id=a%20b&PublishBatchRequestEntries.member.1.Message=m", "InvalidBatchEntryId", 400, ""},
		{"tag", "TagResource", "ResourceArn=" + e(topicA) + "&Tags.member.1.Key=env&Tags.member.1.Value=dev", "", 0, ""},
		{"list tags", "ListTagsForResource", "ResourceArn=" + e(topicA), "", 0, "<Tags><member><Key>env</Key><Value>dev</Value></member><member><Key>team</Key><Value>x</Value></member></Tags>"},
		{"untag", "UntagResource", "ResourceArn=" + e(topicA) + "&TagKeys.member.1=env", "", 0, ""},
		{"tags unknown", "ListTagsForResource", "ResourceArn=" + e(topicA+"x"), "ResourceNotFound", 404, ""},
		{"tags bad arn", "TagResource", "ResourceArn=x&Tags.member.1.Key=a&Tags.member.1.Value=b", "InvalidParameter", 400, ""},
		{"unsubscribe unknown", "Unsubscribe", "SubscriptionArn=" + e(topicA+":nope"), "NotFound", 404, ""},
		{"delete unknown", "DeleteTopic", "TopicArn=" + e(topicA+"x"), "", 0, ""},
		{"delete bad arn", "DeleteTopic", "TopicArn=x", "InvalidParameter", 400, ""},
		// Length limits, at the limit and one past it.
		{"topic name 256", "CreateTopic", "Name=" + strings.Repeat("n", 256), "", 0, "<TopicArn>arn:aws:sns:"},
		{"topic name 257", "CreateTopic", "Name=" + strings.Repeat("n", 257), "InvalidParameter", 400, ""},
		{"topic arn name 256", "Publish", "TopicArn=" + e("arn:aws:sns:eu-west-1:111122223333:"+strings.Repeat("m", 256)) + "&Message=hi", "NotFound", 404, ""},
		{"topic arn name 257", "Publish", "TopicArn=" + e("arn:aws:sns:eu-west-1:111122223333:"+strings.Repeat("m", 257)) + "&Message=hi", "InvalidParameter", 400, ""},
		{"batch id 80", "PublishBatch", "TopicArn=" + e(topicA) + "&PublishBatchRequestEntries.member.1.Id=" + strings.Repeat("i", 80) + "&PublishBatchRequestEntries.member.1.Message=m", "", 0, "<Successful><member><Id>" + strings.Repeat("i", 80) + "</Id>"},
		{"batch id 81", "PublishBatch", "TopicArn=" + e(topicA) + "&PublishBatchRequestEntries.member.1.Id=" + strings.Repeat("i", 81) + "&PublishBatchRequestEntries.member.1.Message=m", "InvalidBatchEntryId", 400, ""},
		{"attribute name 256", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageAttributes.entry.1.Name=a." + strings.Repeat("b", 254) + "&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=x", "", 0, "<MessageId>"},
		{"attribute name 257", "Publish", "TopicArn=" + e(topicA) + "&Message=hi&MessageAttributes.entry.1.Name=a." + strings.Repeat("b", 255) + "&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=x", "ParameterValueInvalid", 400, ""},
		{"unknown action", "Frobnicate", "", "InvalidAction", 400, ""},
		{"no action", "", "", "MissingAction", 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := query(t, svc, tc.action, tc.form)
			switch {
			case tc.code != "" && (err == nil || err.Code != tc.code || err.Status != tc.status):
				t.Errorf("%s %s = %q, %v; want %s %d", tc.action, tc.form, out, err, tc.code, tc.status)
			case tc.code == "" && err != nil:
				t.Errorf("%s %s: %v", tc.action, tc.form, err)
			case !strings.Contains(out, tc.want):
				t.Errorf("%s %s = %s, want it to contain %s", tc.action, tc.form, out, tc.want)
			}
		})
	}

	// The later state of what the table did.
	if out := mustQuery(t, svc, "GetTopicAttributes", "TopicArn="+e(topicA)); !strings.Contains(out, "<key>DisplayName</key><value>Hi</value>") || !strings.Contains(out, "<key>SubscriptionsPending</key><value>2</value>") {
		t.Errorf("GetTopicAttributes = %s", out)
	}
	if out := mustQuery(t, svc, "ListTagsForResource", "ResourceArn="+e(topicA)); strings.Contains(out, "env") {
		t.Errorf("tags after UntagResource: %s", out)
	}
	mustQuery(t, svc, "Unsubscribe", "SubscriptionArn="+e(subARN))
	if out := mustQuery(t, svc, "GetTopicAttributes", "TopicArn="+e(topicA)); !strings.Contains(out, "<key>SubscriptionsDeleted</key><value>1</value>") {
		t.Errorf("after Unsubscribe: %s", out)
	}
	mustQuery(t, svc, "DeleteTopic", "TopicArn="+e(topicA))
	if svc.TopicExists(topicA) {
		t.Error("topic exists after DeleteTopic")
	}
	if _, err := query(t, svc, "GetTopicAttributes", "TopicArn="+e(topicA)); err == nil || err.Code != "NotFound" {
		t.Errorf("GetTopicAttributes after DeleteTopic: %v", err)
	}

	// Another account sees none of this account's topics, and may not
	// touch them while their policy is the default one.
	other := &awsapi.Call{Account: "444455556666", Region: "eu-west-1", Identity: schemas.UserIdentity{AccessKeyID: "AKIAOTHER"}}
	out, err := svc.HandleQuery(t.Context(), other, "ListTopics", url.Values{})
	if err != nil || strings.Contains(string(out), "<member>") {
		t.Errorf("ListTopics of another account = %s, %v", out, err)
	}
	_, err = svc.HandleQuery(t.Context(), other, "Publish", url.Values{"TopicArn": {"arn:aws:sns:eu-west-1:111122223333:b"}, "Message": {"x"}})
	if ae, ok := err.(*awsapi.Error); !ok || ae.Code != "AuthorizationError" || ae.Status != 403 {
		t.Errorf("Publish from another account: %v", err)
	}
	if acts := sns.Actions(); len(acts) != 17 || acts[0] != "ConfirmSubscription" {
		t.Errorf("Actions() = %v", acts)
	}
}

func TestListTopicsPages(t *testing.T) {
	svc, _ := newQueryService(t, "")
	for i := range 250 {
		mustQuery(t, svc, "CreateTopic", "Name=t"+strings.Repeat("x", i%3)+string(rune('a'+i%26))+"-"+itoa(i))
	}
	seen := map[string]bool{}
	token := ""
	pages := 0
	for {
		out := mustQuery(t, svc, "ListTopics", "NextToken="+url.QueryEscape(token))
		pages++
		for _, m := range strings.Split(out, "<TopicArn>")[1:] {
			arn, _, _ := strings.Cut(m, "<")
			if seen[arn] {
				t.Fatalf("%s listed twice", arn)
			}
			seen[arn] = true
		}
		token = between(out, "<NextToken>", "</NextToken>")
		if token == "" {
			break
		}
	}
	if len(seen) != 250 || pages != 3 {
		t.Errorf("%d topics in %d pages, want 250 in 3", len(seen), pages)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestPublishToSQS(t *testing.T) {
	svc, q := newQueryService(t, "")
	key := testKey(t)
	e := url.QueryEscape
	mustQuery(t, svc, "CreateTopic", "Name=a")
	env := between(mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=sqs&Endpoint="+e(queueARN)), "<SubscriptionArn>", "<")
	q2 := "arn:aws:sqs:eu-west-1:111122223333:q2"
	raw := between(mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=sqs&Endpoint="+e(q2)+
		"&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true"), "<SubscriptionArn>", "<")
	if !strings.HasPrefix(env, topicA+":") || !strings.HasPrefix(raw, topicA+":") {
		t.Fatalf("sqs subscriptions %q %q are not confirmed at once", env, raw)
	}
	out := mustQuery(t, svc, "Publish", "TopicArn="+e(topicA)+"&Message=hello&Subject=Greeting"+
		"&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=red"+
		"&MessageAttributes.entry.2.Name=blob&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AAEC")
	id := between(out, "<MessageId>", "<")
	got := q.take()
	if len(got) != 2 {
		t.Fatalf("%d deliveries, want 2", len(got))
	}
	for _, d := range got {
		switch d.queue {
		case queueARN:
			want := `{
  "Type" : "Notification",
  "MessageId" : "` + id + `",
  "TopicArn" : "` + topicA + `",
  "Subject" : "Greeting",
  "Message" : "hello",
  "Timestamp" : "2025-03-04T09:02:31.000Z",
  "SignatureVersion" : "1",
  "Signature" : "SIG",
  "SigningCertURL" : "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-`
			var m map[string]any
			must(t, json.Unmarshal([]byte(d.body), &m))
			sig, _ := m["Signature"].(string)
			if !strings.HasPrefix(d.body, strings.Replace(want, "SIG", sig, 1)) {
				t.Errorf("envelope\n%s\nwant it to start\n%s", d.body, want)
			}
			if !strings.HasSuffix(d.body, `,
  "MessageAttributes" : {
    "blob" : {"Type":"Binary","Value":"AAEC"},
    "color" : {"Type":"String","Value":"red"}
  }
}`) {
				t.Errorf("envelope attributes:\n%s", d.body)
			}
			if d.attrs != nil {
				t.Errorf("envelope delivery has SQS attributes %v", d.attrs)
			}
			fields := map[string]string{}
			for k, v := range m {
				if s, ok := v.(string); ok {
					fields[k] = s
				}
			}
			verifySNS(t, &key.PublicKey, fields)
			if !strings.HasSuffix(fields["UnsubscribeURL"], "?Action=Unsubscribe&SubscriptionArn="+url.QueryEscape(env)) {
				t.Errorf("UnsubscribeURL = %q", fields["UnsubscribeURL"])
			}
		case q2:
			if d.body != "hello" || d.attrs["color"].StringValue != "red" || string(d.attrs["blob"].BinaryValue) != "\x00\x01\x02" {
				t.Errorf("raw delivery %q %v", d.body, d.attrs)
			}
		default:
			t.Errorf("delivery to %s", d.queue)
		}
	}

	// MessageStructure json picks the sqs message.
	mustQuery(t, svc, "Publish", "TopicArn="+e(topicA)+"&MessageStructure=json&Message="+e(`{"default":"d","sqs":"for queues","http":"h"}`))
	for _, d := range q.take() {
		if d.queue == q2 && d.body != "for queues" {
			t.Errorf("raw json-structured delivery %q", d.body)
		}
		if d.queue == queueARN && !strings.Contains(d.body, `"Message" : "for queues"`) {
			t.Errorf("json-structured envelope %s", d.body)
		}
	}

	// Publish (Go) and Topic.Notify go the same way.
	if _, err := svc.Publish(t.Context(), topicA, "", "direct", nil); err != nil {
		t.Fatal(err)
	}
	if got := q.take(); len(got) != 2 || got[1].body != "direct" && got[0].body != "direct" {
		t.Errorf("Publish deliveries %v", got)
	}
	topic, err := svc.CreateTopic(topicA)
	must(t, err)
	topic.Notify(trail.Notice{Bucket: "bkt", Key: "k1"})
	for _, d := range q.take() {
		if d.queue == q2 && d.body != sns.CloudTrailMessage("bkt", "k1") {
			t.Errorf("notice delivered raw as %q", d.body)
		}
	}
	if _, err := svc.Publish(t.Context(), topicA+"x", "", "m", nil); err == nil {
		t.Error("Publish to an unknown topic succeeded")
	}

	// A failing queue counts as failed, and holds up no other.
	mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=sqs&Endpoint="+e("arn:aws:sqs:eu-west-1:111122223333:broken"))
	mustQuery(t, svc, "Publish", "TopicArn="+e(topicA)+"&Message=m")
	if got := q.take(); len(got) != 2 {
		t.Errorf("%d deliveries with a broken queue, want 2", len(got))
	}
	for _, s := range svc.Subscriptions() {
		if strings.HasSuffix(s.Endpoint, ":broken") && s.Failed != 1 {
			t.Errorf("broken queue: %+v", s)
		}
	}
}

func TestFilterPolicy(t *testing.T) {
	attr := func(name, typ, value string) string {
		return "&MessageAttributes.entry.1.Name=" + name + "&MessageAttributes.entry.1.Value.DataType=" + typ + "&MessageAttributes.entry.1.Value.StringValue=" + url.QueryEscape(value)
	}
	tests := []struct {
		name, policy, scope string
		publish             string // form after Message
		want                bool
	}{
		{"exact", `{"color":["red","blue"]}`, "", attr("color", "String", "red"), true},
		{"exact miss", `{"color":["red","blue"]}`, "", attr("color", "String", "green"), false},
		{"absent", `{"color":["red"]}`, "", "", false},
		{"prefix", `{"color":[{"prefix":"re"}]}`, "", attr("color", "String", "reddish"), true},
		{"suffix", `{"color":[{"suffix":"ish"}]}`, "", attr("color", "String", "reddish"), true},
		{"ignore case", `{"color":[{"equals-ignore-case":"RED"}]}`, "", attr("color", "String", "red"), true},
		{"anything-but", `{"color":[{"anything-but":["red"]}]}`, "", attr("color", "String", "blue"), true},
		{"anything-but miss", `{"color":[{"anything-but":"red"}]}`, "", attr("color", "String", "red"), false},
		{"anything-but absent", `{"color":[{"anything-but":"red"}]}`, "", "", false},
		{"anything-but prefix", `{"color":[{"anything-but":{"prefix":"re"}}]}`, "", attr("color", "String", "red"), false},
		{"numeric", `{"n":[{"numeric":[">",0,"<=",5]}]}`, "", attr("n", "Number", "5"), true},
		{"numeric miss", `{"n":[{"numeric":[">",0,"<=",5]}]}`, "", attr("n", "Number", "5.5"), false},
		{"numeric exact", `{"n":[3]}`, "", attr("n", "Number", "3.0"), true},
		{"number not string", `{"n":[3]}`, "", attr("n", "String", "3"), false},
		{"exists", `{"color":[{"exists":true}]}`, "", attr("color", "String", "x"), true},
		{"not exists", `{"color":[{"exists":false}]}`, "", "", true},
		{"array", `{"tags":["b"]}`, "", attr("tags", "String.Array", `["a","b"]`), true},
		{"array miss", `{"tags":["c"]}`, "", attr("tags", "String.Array", `["a","b"]`), false},
		{"body", `{"order":{"kind":["big"]}}`, "MessageBody", "", true},
		{"body miss", `{"order":{"kind":["small"]}}`, "MessageBody", "", false},
		{"body numeric", `{"order":{"n":[{"numeric":[">=",2]}]}}`, "MessageBody", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc, q := newQueryService(t, "")
			e := url.QueryEscape
			mustQuery(t, svc, "CreateTopic", "Name=a")
			form := "TopicArn=" + e(topicA) + "&Protocol=sqs&Endpoint=" + e(queueARN) + "&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=" + e(tc.policy)
			if tc.scope != "" {
				form += "&Attributes.entry.2.key=FilterPolicyScope&Attributes.entry.2.value=" + tc.scope
			}
			sub := between(mustQuery(t, svc, "Subscribe", form), "<SubscriptionArn>", "<")
			mustQuery(t, svc, "Publish", "TopicArn="+e(topicA)+"&Message="+e(`{"order":{"kind":"big","n":2}}`)+tc.publish)
			if got := len(q.take()) == 1; got != tc.want {
				t.Errorf("policy %s with %q: delivered %v, want %v", tc.policy, tc.publish, got, tc.want)
			}
			out := mustQuery(t, svc, "GetSubscriptionAttributes", "SubscriptionArn="+e(sub))
			scope := tc.scope
			if scope == "" {
				scope = "MessageAttributes"
			}
			if !strings.Contains(out, "<key>FilterPolicyScope</key><value>"+scope+"</value>") {
				t.Errorf("attributes %s", out)
			}
		})
	}
	svc, _ := newQueryService(t, "")
	mustQuery(t, svc, "CreateTopic", "Name=a")
	sub := between(mustQuery(t, svc, "Subscribe", "TopicArn="+url.QueryEscape(topicA)+"&Protocol=sqs&Endpoint="+url.QueryEscape(queueARN)), "<SubscriptionArn>", "<")
	for _, bad := range []string{`[]`, `{"a":"b"}`, `{"a":[]}`, `{"a":[{"wildcard":"x*"}]}`, `{"a":{"b":["c"]}}`, `{"a":[{"numeric":["~",1]}]}`, `{`} {
		if _, err := query(t, svc, "SetSubscriptionAttributes", "SubscriptionArn="+url.QueryEscape(sub)+"&AttributeName=FilterPolicy&AttributeValue="+url.QueryEscape(bad)); err == nil || err.Code != "InvalidParameter" {
			t.Errorf("FilterPolicy %s: %v, want InvalidParameter", bad, err)
		}
	}
}

func TestConfirmThroughHandleQuery(t *testing.T) {
	ep := newEndpoint(0)
	srv := startServer(t, ep)
	svc, _ := newQueryService(t, "")
	e := url.QueryEscape
	mustQuery(t, svc, "CreateTopic", "Name=a")
	mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=http&Endpoint="+e(srv.URL+"/h"))
	var conf map[string]string
	must(t, json.Unmarshal(ep.next(t).body, &conf))
	u, err := url.Parse(conf["SubscribeURL"])
	must(t, err)
	if !strings.HasPrefix(conf["SubscribeURL"], "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&") {
		t.Errorf("SubscribeURL %s", conf["SubscribeURL"])
	}
	qv := u.Query()
	qv.Set("AuthenticateOnUnsubscribe", "true")
	out := mustQuery(t, svc, "ConfirmSubscription", qv.Encode())
	sub := between(out, "<SubscriptionArn>", "<")
	attrs := mustQuery(t, svc, "GetSubscriptionAttributes", "SubscriptionArn="+e(sub))
	if !strings.Contains(attrs, "<key>PendingConfirmation</key><value>false</value>") || !strings.Contains(attrs, "<key>ConfirmationWasAuthenticated</key><value>true</value>") {
		t.Errorf("attributes after confirming: %s", attrs)
	}
	// Raw delivery to HTTP: the message alone.
	mustQuery(t, svc, "SetSubscriptionAttributes", "SubscriptionArn="+e(sub)+"&AttributeName=RawMessageDelivery&AttributeValue=true")
	mustQuery(t, svc, "Publish", "TopicArn="+e(topicA)+"&Message=plain")
	p := ep.next(t)
	if string(p.body) != "plain" || p.header.Get("x-amz-sns-rawdelivery") != "true" || p.header.Get("x-amz-sns-subscription-arn") != sub {
		t.Errorf("raw HTTP delivery %q %v", p.body, p.header)
	}
	// AuthenticateOnUnsubscribe: the unsigned UnsubscribeURL is refused.
	if _, err := svc.HandleQuery(t.Context(), nil, "Unsubscribe", url.Values{"SubscriptionArn": {sub}}); err == nil || err.(*awsapi.Error).Code != "AuthorizationError" {
		t.Errorf("unauthenticated Unsubscribe: %v", err)
	}
	mustQuery(t, svc, "Unsubscribe", "SubscriptionArn="+e(sub))
}

func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sns.json")
	e := url.QueryEscape
	svc, _ := newQueryService(t, path)
	mustQuery(t, svc, "CreateTopic", "Name=a&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Ay&Tags.member.1.Key=k&Tags.member.1.Value=v")
	sub := between(mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=sqs&Endpoint="+e(queueARN)+
		"&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true&Attributes.entry.2.key=FilterPolicy&Attributes.entry.2.value="+e(`{"x":["y"]}`)), "<SubscriptionArn>", "<")
	pending := between(mustQuery(t, svc, "Subscribe", "TopicArn="+e(topicA)+"&Protocol=http&Endpoint="+e("http://127.0.0.1:9/")+"&ReturnSubscriptionArn=true"), "<SubscriptionArn>", "<")
	before := mustQuery(t, svc, "GetSubscriptionAttributes", "SubscriptionArn="+e(sub))
	topicBefore := mustQuery(t, svc, "GetTopicAttributes", "TopicArn="+e(topicA))
	must(t, svc.Close())

	svc2, q := newQueryService(t, path)
	if got := mustQuery(t, svc2, "GetSubscriptionAttributes", "SubscriptionArn="+e(sub)); got != before {
		t.Errorf("subscription after restart\n%s\nwant\n%s", got, before)
	}
	if got := mustQuery(t, svc2, "GetTopicAttributes", "TopicArn="+e(topicA)); got != topicBefore {
		t.Errorf("topic after restart\n%s\nwant\n%s", got, topicBefore)
	}
	if got := mustQuery(t, svc2, "ListTagsForResource", "ResourceArn="+e(topicA)); !strings.Contains(got, "<Key>k</Key><Value>v</Value>") {
		t.Errorf("tags after restart: %s", got)
	}
	if got := mustQuery(t, svc2, "ListSubscriptionsByTopic", "TopicArn="+e(topicA)); !strings.Contains(got, "PendingConfirmation") || !strings.Contains(got, sub) {
		t.Errorf("subscriptions after restart: %s", got)
	}
	mustQuery(t, svc2, "Publish", "TopicArn="+e(topicA)+"&Message=m&MessageAttributes.entry.1.Name=x&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=y")
	if got := q.take(); len(got) != 1 || got[0].body != "m" {
		t.Errorf("deliveries after restart: %v", got)
	}
	if _, err := query(t, svc2, "GetSubscriptionAttributes", "SubscriptionArn="+e(pending)); err != nil {
		t.Errorf("pending subscription after restart: %v", err)
	}
}

func FuzzHandleQuery(f *testing.F) {
	f.Add("CreateTopic", "Name=a&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=x")
	f.Add("Publish", "TopicArn=arn:aws:sns:eu-west-1:111122223333:a&Message=hi&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Number&MessageAttributes.entry.1.Value.StringValue=1")
	f.Add("Subscribe", "TopicArn=arn:aws:sns:eu-west-1:111122223333:a&Protocol=sqs&Endpoint=arn:aws:sqs:eu-west-1:111122223333:q1&Attributes.entry.1.key=FilterPolicy&Attributes.entry.1.value=%7B%22a%22%3A%5B%7B%22numeric%22%3A%5B%22%3E%22%2C1%5D%7D%5D%7D")
	f.Add("PublishBatch", "TopicArn=arn:aws:sns:eu-west-1:111122223333:a&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m")
	f.Add("SetSubscriptionAttributes", "AttributeName=FilterPolicy&AttributeValue=%7B%7D")
	f.Add("ListTopics", "NextToken=YQ")
	svc, _ := newQueryService(f, "")
	if _, err := svc.HandleQuery(context.Background(), caller, "CreateTopic", url.Values{"Name": {"a"}}); err != nil {
		f.Fatal(err)
	}
	var hist fuzzhist.History // svc is shared by a worker's inputs
	f.Fuzz(func(t *testing.T, action, form string) {
		defer hist.Report(t)
		v, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		_, err = svc.HandleQuery(context.Background(), caller, action, v)
		if err == nil {
			hist.Add("%s %q", action, form)
			return
		}
		ae, ok := err.(*awsapi.Error)
		if !ok || ae.Status < 400 || ae.Status >= 500 || ae.Code == "" || ae.Message == "" {
			t.Errorf("%s %s: %#v, want an AWS 4xx", action, form, err)
		}
	})
}

var _ = http.StatusOK
