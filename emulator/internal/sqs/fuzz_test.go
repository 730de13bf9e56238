package sqs

import (
	"errors"
	"net/url"
	"testing"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// checkFuzzError fails unless err is nil or an AWS-shaped 4xx.
func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	ae, ok := errors.AsType[*awsapi.Error](err)
	if !ok || ae.Status < 400 || ae.Status > 499 || ae.Code == "" || ae.Message == "" {
		t.Fatalf("not an AWS 4xx: %#v", err)
	}
}

// fuzzService returns a service with a queue "f" holding a message.
func fuzzService(t *testing.T) *Service {
	svc, err := New(Config{Clock: newFakeClock(), IDs: &seqIDs{}})
	if err != nil {
		t.Fatal(err)
	}
	cc := testCall()
	if _, err := svc.HandleJSON(bg, cc, "CreateQueue", []byte(`{"QueueName":"f"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.HandleJSON(bg, cc, "SendMessage", []byte(`{"QueueUrl":"/123456789012/f","MessageBody":"m"}`)); err != nil {
		t.Fatal(err)
	}
	return svc
}

func FuzzHandleJSON(f *testing.F) {
	for _, op := range Operations() {
		f.Add(op, `{"QueueUrl":"/123456789012/f","QueueName":"f","MessageBody":"x","Entries":[{"Id":"a","MessageBody":"b","ReceiptHandle":"c"}]}`)
	}
	f.Add("SetQueueAttributes", `{"QueueUrl":"/123456789012/f","Attributes":{"RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:f\",\"maxReceiveCount\":1e9}"}}`)
	f.Add("SendMessage", `{"QueueUrl":"/123456789012/f","MessageBody":"x","MessageAttributes":{"a":{"DataType":"Binary.x","BinaryValue":"AQI="}}}`)
	f.Add("ReceiveMessage", `{"QueueUrl":"/123456789012/f","MaxNumberOfMessages":10,"AttributeNames":["All"],"MessageAttributeNames":[".*"]}`)
	f.Add("ListQueues", `{"MaxResults":1,"NextToken":"!!"}`)
	f.Fuzz(func(t *testing.T, op, body string) {
		svc := fuzzService(t)
		_ = svc.Close() // long polls answer at once
		_, err := svc.HandleJSON(bg, testCall(), op, []byte(body))
		checkFuzzError(t, err)
	})
}

func FuzzHandleQuery(f *testing.F) {
	for _, op := range Operations() {
		f.Add("Action="+op+"&QueueName=f&MessageBody=x&AttributeName.1=All&Attribute.1.Name=DelaySeconds&Attribute.1.Value=1", "/123456789012/f")
	}
	f.Add("Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=v", "/123456789012/f")
	f.Add("Action=ReceiveMessage&QueueUrl=http%3A%2F%2Fx%2F123456789012%2Ff&WaitTimeSeconds=0&MaxNumberOfMessages=10", "/")
	f.Fuzz(func(t *testing.T, form, path string) {
		v, err := url.ParseQuery(form)
		if err != nil {
			return
		}
		if w := v.Get("WaitTimeSeconds"); w != "" && w != "0" {
			v.Set("WaitTimeSeconds", "0") // no real waiting in a fuzz run
		}
		svc := fuzzService(t)
		defer svc.Close()
		// A closed service answers long polls at once: the queue's
		// ReceiveMessageWaitTimeSeconds may be set by the input.
		_ = svc.Close()
		_, err = svc.HandleQuery(bg, testCall(), v.Get("Action"), path, v)
		checkFuzzError(t, err)
	})
}
