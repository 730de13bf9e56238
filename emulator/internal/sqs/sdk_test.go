package sqs

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
)

func TestSDKSendReceiveDelete(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	cq, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("orders"),
		Attributes: map[string]string{"VisibilityTimeout": "60"}, Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(cq.QueueUrl), h.queueURL("orders"); got != want {
		t.Fatalf("QueueUrl %q, want %q", got, want)
	}
	gu, err := c.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(gu.QueueUrl) != h.queueURL("orders") {
		t.Fatalf("GetQueueUrl %v %v", gu, err)
	}
	// The SDK checks MD5OfMessageBody.
	sent, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: cq.QueueUrl, MessageBody: aws.String("hello ✓"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"timestamp": {DataType: aws.String("Number"), StringValue: aws.String("1493147359900")},
		},
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-5759e988-bd862e3fe1be46a994272793")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// The vector AWS answers for this attribute (moto's SQS tests pin it).
	if got := aws.ToString(sent.MD5OfMessageAttributes); got != "235c5c510d26fb653d073faed50ae77c" {
		t.Errorf("MD5OfMessageAttributes %s", got)
	}
	if sent.MD5OfMessageSystemAttributes == nil {
		t.Error("no MD5OfMessageSystemAttributes")
	}
	rm, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rm.Messages) != 1 {
		t.Fatalf("%d messages", len(rm.Messages))
	}
	m := rm.Messages[0]
	if aws.ToString(m.Body) != "hello ✓" || aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) {
		t.Errorf("message %+v", m)
	}
	if aws.ToString(m.MD5OfMessageAttributes) != "235c5c510d26fb653d073faed50ae77c" ||
		aws.ToString(m.MessageAttributes["timestamp"].StringValue) != "1493147359900" {
		t.Errorf("attributes %+v %s", m.MessageAttributes, aws.ToString(m.MD5OfMessageAttributes))
	}
	sentAt := strconv.FormatInt(h.clock.Now().UnixMilli(), 10)
	for k, want := range map[string]string{"ApproximateReceiveCount": "1", "SentTimestamp": sentAt,
		"ApproximateFirstReceiveTimestamp": sentAt, "SenderId": testAccount,
		"AWSTraceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793"} {
		if got := m.Attributes[k]; got != want {
			t.Errorf("attribute %s = %q, want %q", k, got, want)
		}
	}
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: cq.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	ga, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: cq.QueueUrl,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0",
		"VisibilityTimeout": "60", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
		"QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders", "SqsManagedSseEnabled": "true"} {
		if got := ga.Attributes[k]; got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	tags, err := c.ListQueueTags(bg, &sqs.ListQueueTagsInput{QueueUrl: cq.QueueUrl})
	if err != nil || tags.Tags["team"] != "a" {
		t.Errorf("tags %v %v", tags, err)
	}
}

func TestSDKBatches(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	cq, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	var entries []types.SendMessageBatchRequestEntry
	for i := range 3 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("e" + strconv.Itoa(i)), MessageBody: aws.String("body " + strconv.Itoa(i))})
	}
	entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String("bad"), MessageBody: aws.String("x\x01y")})
	sb, err := c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	if len(sb.Successful) != 3 || len(sb.Failed) != 1 || aws.ToString(sb.Failed[0].Code) != "InvalidMessageContents" || !sb.Failed[0].SenderFault {
		t.Fatalf("batch %+v", sb)
	}
	rm, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(rm.Messages) != 3 {
		t.Fatalf("receive %v %v", rm, err)
	}
	cv, err := c.ChangeMessageVisibilityBatch(bg, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: cq.QueueUrl,
		Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
			{Id: aws.String("a"), ReceiptHandle: rm.Messages[0].ReceiptHandle, VisibilityTimeout: 0},
			{Id: aws.String("b"), ReceiptHandle: aws.String("garbage"), VisibilityTimeout: 10},
		}})
	if err != nil || len(cv.Successful) != 1 || len(cv.Failed) != 1 || aws.ToString(cv.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("change batch %+v %v", cv, err)
	}
	var del []types.DeleteMessageBatchRequestEntry
	for i, m := range rm.Messages[1:] {
		del = append(del, types.DeleteMessageBatchRequestEntry{Id: aws.String("d" + strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
	}
	db, err := c.DeleteMessageBatch(bg, &sqs.DeleteMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: del})
	if err != nil || len(db.Successful) != 2 {
		t.Fatalf("delete batch %+v %v", db, err)
	}
	// The message made visible again is the one left.
	rm2, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: cq.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(rm2.Messages) != 1 || aws.ToString(rm2.Messages[0].MessageId) != aws.ToString(rm.Messages[0].MessageId) {
		t.Fatalf("receive again %+v %v", rm2, err)
	}
	// Whole-request batch errors.
	_, err = c.SendMessageBatch(bg, &sqs.SendMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("x"), MessageBody: aws.String("1")}, {Id: aws.String("x"), MessageBody: aws.String("2")}}})
	var dup *types.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Errorf("duplicate ids: %v", err)
	}
	many := make([]types.DeleteMessageBatchRequestEntry, 11)
	for i := range many {
		many[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String("i" + strconv.Itoa(i)), ReceiptHandle: aws.String("h")}
	}
	_, err = c.DeleteMessageBatch(bg, &sqs.DeleteMessageBatchInput{QueueUrl: cq.QueueUrl, Entries: many})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Errorf("11 entries: %v", err)
	}
}

func TestSDKErrors(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	_, err := c.GetQueueUrl(bg, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var nf *types.QueueDoesNotExist
	if !errors.As(err, &nf) {
		t.Fatalf("GetQueueUrl of a missing queue: %v", err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AWS.SimpleQueueService.NonExistentQueue" || ae.ErrorMessage() != "The specified queue does not exist." {
		t.Errorf("error %v", err)
	}
	if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"DelaySeconds": "5"}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"DelaySeconds": "6"}})
	var exists *types.QueueNameExists
	if !errors.As(err, &exists) {
		t.Errorf("CreateQueue with other attributes: %v", err)
	}
	if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("q"), Attributes: map[string]string{"DelaySeconds": "5"}}); err != nil {
		t.Errorf("CreateQueue again: %v", err)
	}
	_, err = c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("f.fifo"), Attributes: map[string]string{"FifoQueue": "true"}})
	var badName *types.InvalidAttributeName
	if !errors.As(err, &badName) {
		t.Errorf("FIFO queue: %v", err)
	}
	q := aws.String(h.queueURL("q"))
	_, err = c.SetQueueAttributes(bg, &sqs.SetQueueAttributesInput{QueueUrl: q, Attributes: map[string]string{"VisibilityTimeout": "43201"}})
	var badValue *types.InvalidAttributeValue
	if !errors.As(err, &badValue) {
		t.Errorf("VisibilityTimeout 43201: %v", err)
	}
	_, err = c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: aws.String("garbage")})
	var badHandle *types.ReceiptHandleIsInvalid
	if !errors.As(err, &badHandle) {
		t.Errorf("garbage handle: %v", err)
	}
	_, err = c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, MaxNumberOfMessages: 11})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("MaxNumberOfMessages 11: %v", err)
	}
	big := make([]byte, maxMessageSize+1)
	for i := range big {
		big[i] = 'a'
	}
	_, err = c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String(string(big))})
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("body over 1 MiB: %v", err)
	}
	_, err = c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("\uFFFF")})
	var contents *types.InvalidMessageContents
	if !errors.As(err, &contents) {
		t.Errorf("invalid characters: %v", err)
	}
	if _, err := c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: q}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: q})
	var purging *types.PurgeQueueInProgress
	if !errors.As(err, &purging) {
		t.Errorf("second purge: %v", err)
	}
	h.clock.Advance(time.Minute)
	if _, err := c.PurgeQueue(bg, &sqs.PurgeQueueInput{QueueUrl: q}); err != nil {
		t.Errorf("purge a minute later: %v", err)
	}
	if _, err := c.DeleteQueue(bg, &sqs.DeleteQueueInput{QueueUrl: q}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("x")})
	if !errors.As(err, &nf) {
		t.Errorf("send to deleted queue: %v", err)
	}
}

func TestSDKListQueues(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	for _, n := range []string{"a1", "a2", "a3", "b1"} {
		if _, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	p := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("a"), MaxResults: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out.QueueUrls...)
	}
	if len(got) != 3 || got[0] != h.queueURL("a1") || got[2] != h.queueURL("a3") {
		t.Errorf("ListQueues %v", got)
	}
}
