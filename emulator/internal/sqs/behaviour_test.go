package sqs

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// mustQueue creates queue name with attrs and returns its URL.
func mustQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) *string {
	t.Helper()
	out, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return out.QueueUrl
}

func mustSend(t *testing.T, c *sqs.Client, q *string, body string) {
	t.Helper()
	if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String(body)}); err != nil {
		t.Fatal(err)
	}
}

func receive(t *testing.T, c *sqs.Client, q *string) []types.Message {
	t.Helper()
	out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func attrs(t *testing.T, c *sqs.Client, q *string) map[string]string {
	t.Helper()
	out, err := c.GetQueueAttributes(bg, &sqs.GetQueueAttributesInput{QueueUrl: q, AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes
}

func TestVisibilityTimeout(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	q := mustQueue(t, c, "v", map[string]string{"VisibilityTimeout": "30"})
	mustSend(t, c, q, "one")
	first := receive(t, c, q)
	if len(first) != 1 || first[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive %+v", first)
	}
	if a := attrs(t, c, q); a["ApproximateNumberOfMessagesNotVisible"] != "1" || a["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("in flight: %v", a)
	}
	if got := receive(t, c, q); len(got) != 0 {
		t.Fatalf("received an invisible message: %+v", got)
	}
	h.clock.Advance(29 * time.Second)
	if got := receive(t, c, q); len(got) != 0 {
		t.Fatalf("visible before its timeout: %+v", got)
	}
	h.clock.Advance(time.Second)
	second := receive(t, c, q)
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" ||
		aws.ToString(second[0].ReceiptHandle) == aws.ToString(first[0].ReceiptHandle) {
		t.Fatalf("second receive %+v", second)
	}
	if second[0].Attributes["ApproximateFirstReceiveTimestamp"] != first[0].Attributes["ApproximateFirstReceiveTimestamp"] {
		t.Error("ApproximateFirstReceiveTimestamp moved")
	}
	// A stale handle: ChangeMessageVisibility refuses it, DeleteMessage
	// succeeds without deleting.
	_, err := c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: q, ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 0})
	if err == nil {
		t.Error("ChangeMessageVisibility with a stale handle succeeded")
	}
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: first[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, c, q); a["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Errorf("a stale handle deleted the message: %v", a)
	}
	// Per-call visibility timeout, then ChangeMessageVisibility to 0.
	h.clock.Advance(30 * time.Second)
	third, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, VisibilityTimeout: 5})
	if err != nil || len(third.Messages) != 1 {
		t.Fatalf("third receive %v %v", third, err)
	}
	h.clock.Advance(5 * time.Second)
	_, err = c.ChangeMessageVisibility(bg, &sqs.ChangeMessageVisibilityInput{QueueUrl: q, ReceiptHandle: third.Messages[0].ReceiptHandle, VisibilityTimeout: 10})
	var notInflight *types.MessageNotInflight
	if !asErr(err, &notInflight) {
		t.Errorf("change visibility of a message no longer in flight: %v", err)
	}
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: third.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if a := attrs(t, c, q); a["ApproximateNumberOfMessagesNotVisible"] != "0" || a["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("after delete: %v", a)
	}
	// Deleting again is no error.
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: third.Messages[0].ReceiptHandle}); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	dlq := mustQueue(t, c, "dlq", nil)
	dlqARN := attrs(t, c, dlq)["QueueArn"]
	q := mustQueue(t, c, "src", map[string]string{"VisibilityTimeout": "10",
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"2"}`, dlqARN)})
	if got := attrs(t, c, q)["RedrivePolicy"]; got != fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":2}`, dlqARN) {
		t.Errorf("RedrivePolicy %s", got)
	}
	mustSend(t, c, q, "poison")
	for i := range 2 {
		if got := receive(t, c, q); len(got) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(got))
		}
		h.clock.Advance(10 * time.Second)
	}
	if got := receive(t, c, q); len(got) != 0 {
		t.Fatalf("received past maxReceiveCount: %+v", got)
	}
	moved := receive(t, c, dlq)
	if len(moved) != 1 || aws.ToString(moved[0].Body) != "poison" || moved[0].Attributes["DeadLetterQueueSourceArn"] != "arn:aws:sqs:us-east-1:123456789012:src" {
		t.Fatalf("dead-letter queue %+v", moved)
	}
	src, err := c.ListDeadLetterSourceQueues(bg, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: dlq})
	if err != nil || len(src.QueueUrls) != 1 || src.QueueUrls[0] != aws.ToString(q) {
		t.Errorf("ListDeadLetterSourceQueues %v %v", src, err)
	}
	_, err = c.SetQueueAttributes(bg, &sqs.SetQueueAttributesInput{QueueUrl: q,
		Attributes: map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:none","maxReceiveCount":1}`}})
	if err == nil {
		t.Error("a redrive policy to a missing queue was accepted")
	}
}

func TestRetentionAndDelay(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	q := mustQueue(t, c, "r", map[string]string{"MessageRetentionPeriod": "60", "DelaySeconds": "10"})
	mustSend(t, c, q, "delayed by the queue")
	if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("now"), DelaySeconds: 0}); err != nil {
		t.Fatal(err)
	}
	// DelaySeconds 0 from the SDK is "not set": the queue's delay holds.
	if a := attrs(t, c, q); a["ApproximateNumberOfMessagesDelayed"] != "2" {
		t.Errorf("delayed: %v", a)
	}
	h.clock.Advance(10 * time.Second)
	if a := attrs(t, c, q); a["ApproximateNumberOfMessages"] != "2" || a["ApproximateNumberOfMessagesDelayed"] != "0" {
		t.Errorf("after the delay: %v", a)
	}
	h.clock.Advance(50 * time.Second)
	h.svc.Tick()
	if a := attrs(t, c, q); a["ApproximateNumberOfMessages"] != "0" {
		t.Errorf("after retention: %v", a)
	}
	if got := receive(t, c, q); len(got) != 0 {
		t.Errorf("received expired messages: %+v", got)
	}
}

func asErr[T error](err error, target *T) bool {
	return err != nil && errorsAs(err, target)
}

func TestLongPoll(t *testing.T) {
	h := newHarness(t, "")
	c := h.client()
	q := mustQueue(t, c, "lp", nil)

	// A send wakes a waiting poll.
	got := make(chan []types.Message, 1)
	go func() {
		out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out.Messages
	}()
	waitFor(func() bool { return h.waiters("lp") == 1 })
	mustSend(t, c, q, "wake up")
	if m := <-got; len(m) != 1 || aws.ToString(m[0].Body) != "wake up" {
		t.Fatalf("long poll answered %+v", m)
	}

	// A delayed message wakes it when Tick sees the clock pass its delay.
	go func() {
		out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, WaitTimeSeconds: 20})
		if err != nil {
			t.Error(err)
		}
		got <- out.Messages
	}()
	waitFor(func() bool { return h.waiters("lp") == 1 })
	if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("later"), DelaySeconds: 5}); err != nil {
		t.Fatal(err)
	}
	h.svc.Tick() // nothing visible yet
	if h.waiters("lp") != 1 {
		t.Fatal("Tick woke the poll before the delay ended")
	}
	h.clock.Advance(5 * time.Second)
	h.svc.Tick()
	if m := <-got; len(m) != 1 || aws.ToString(m[0].Body) != "later" {
		t.Fatalf("long poll answered %+v", m)
	}

	// The wait ends empty (the queue's ReceiveMessageWaitTimeSeconds).
	if _, err := c.SetQueueAttributes(bg, &sqs.SetQueueAttributesInput{QueueUrl: q, Attributes: map[string]string{"ReceiveMessageWaitTimeSeconds": "1"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("after the wait: %v %v", out, err)
	}
}

func TestLongPollCancelAndClose(t *testing.T) {
	h := newHarness(t, "")
	cc := testCall()
	if _, err := h.svc.HandleJSON(bg, cc, "CreateQueue", []byte(`{"QueueName":"lp"}`)); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"QueueUrl":"/123456789012/lp","WaitTimeSeconds":20}`)
	ctx, cancel := context.WithCancel(bg)
	done := make(chan string, 2)
	go func() {
		b, err := h.svc.HandleJSON(ctx, cc, "ReceiveMessage", body)
		done <- fmt.Sprintf("%s %v", b, err)
	}()
	waitFor(func() bool { return h.waiters("lp") == 1 })
	cancel()
	if got := <-done; got != "{} <nil>" {
		t.Errorf("cancelled poll answered %s", got)
	}
	go func() {
		b, err := h.svc.HandleJSON(bg, cc, "ReceiveMessage", body)
		done <- fmt.Sprintf("%s %v", b, err)
	}()
	waitFor(func() bool { return h.waiters("lp") == 1 })
	if err := h.svc.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != "{} <nil>" {
		t.Errorf("poll at Close answered %s", got)
	}
	// Deleting the queue ends a poll with QueueDoesNotExist.
	h2 := newHarness(t, "")
	if _, err := h2.svc.HandleJSON(bg, cc, "CreateQueue", []byte(`{"QueueName":"lp"}`)); err != nil {
		t.Fatal(err)
	}
	go func() {
		b, err := h2.svc.HandleJSON(bg, cc, "ReceiveMessage", body)
		done <- fmt.Sprintf("%s %v", b, err)
	}()
	waitFor(func() bool { return h2.waiters("lp") == 1 })
	if _, err := h2.svc.HandleJSON(bg, cc, "DeleteQueue", []byte(`{"QueueUrl":"/123456789012/lp"}`)); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got != " com.amazonaws.sqs#QueueDoesNotExist: The specified queue does not exist." {
		t.Errorf("poll on a deleted queue answered %s", got)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	h := newHarness(t, path)
	c := h.client()
	q := mustQueue(t, c, "keep", map[string]string{"VisibilityTimeout": "100"})
	if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: aws.String("kept"),
		MessageAttributes: map[string]types.MessageAttributeValue{"b": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2, 3}}}}); err != nil {
		t.Fatal(err)
	}
	mustSend(t, c, q, "in flight")
	mustSend(t, c, q, "deleted")
	all := receive(t, c, q)
	if len(all) != 3 {
		t.Fatalf("%d messages", len(all))
	}
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: all[2].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.Close(); err != nil {
		t.Fatal(err)
	}

	svc, err := New(Config{Clock: h.clock, IDs: &seqIDs{}, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	h.svc = svc // the harness serves the reloaded service
	if a := attrs(t, c, q); a["VisibilityTimeout"] != "100" || a["ApproximateNumberOfMessagesNotVisible"] != "2" {
		t.Fatalf("reloaded attributes %v", a)
	}
	// The receipt handle of before the restart still works.
	if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: all[1].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(100 * time.Second)
	out, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q, MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("after restart %v %v", out, err)
	}
	m := out.Messages[0]
	if aws.ToString(m.Body) != "kept" || m.Attributes["ApproximateReceiveCount"] != "2" || string(m.MessageAttributes["b"].BinaryValue) != "\x01\x02\x03" {
		t.Errorf("reloaded message %+v", m)
	}
}

func TestSaveDebounced(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	h := newHarness(t, path)
	cc := testCall()
	for i := range 50 {
		if _, err := h.svc.HandleJSON(bg, cc, "CreateQueue", fmt.Appendf(nil, `{"QueueName":"q%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	// Saved without Close, once SaveDelay has passed.
	waitFor(func() bool {
		svc, err := New(Config{Clock: h.clock, IDs: &seqIDs{}, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return svc.QueueExists("arn:aws:sqs:us-east-1:123456789012:q49")
	})
}
