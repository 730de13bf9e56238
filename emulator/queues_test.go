package emulator

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestSetUpQueues: WithS3EventQueue and WithTopicQueue make the queues
// consumers point at; a delivered log file reaches both (after the S3
// test event in the first), the second in an SNS envelope.
func TestSetUpQueues(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, WithS3EventQueue("log-events"), WithTopicQueue("trail-notices"))
	if err := emu.Emulator.Record(testRecord(1, emu.Now())); err != nil {
		t.Fatal(err)
	}
	fr, err := emu.Emulator.FlushKeys()
	if err != nil || len(fr.Keys) == 0 {
		t.Fatalf("flush = %v, %v", fr, err)
	}
	sq := sqs.NewFromConfig(emu.AWSConfig())
	receive := func(name string, n int) []string {
		t.Helper()
		u := emu.URL + "/" + DefaultAccountID + "/" + name
		out, err := sq.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(u), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatalf("receive from %s: %v", name, err)
		}
		var bodies []string
		for _, m := range out.Messages {
			bodies = append(bodies, aws.ToString(m.Body))
		}
		if len(bodies) != n {
			t.Fatalf("%s holds %d messages, want %d: %q", name, len(bodies), n, bodies)
		}
		return bodies
	}
	ev := receive("log-events", 2)
	if !strings.Contains(ev[0], `"Event":"s3:TestEvent"`) || !strings.Contains(ev[1], `"eventName":"ObjectCreated:Put"`) ||
		!strings.Contains(ev[1], `"key":"`+strings.ReplaceAll(url.QueryEscape(fr.Keys[0]), "%2F", "/")+`"`) {
		t.Errorf("S3 event queue got %q, want the test event and the log file %s", ev, fr.Keys[0])
	}
	var env struct{ Type, TopicArn, Message string }
	if err := json.Unmarshal([]byte(receive("trail-notices", 1)[0]), &env); err != nil {
		t.Fatal(err)
	}
	var msg struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	if err := json.Unmarshal([]byte(env.Message), &msg); err != nil || env.Type != "Notification" || env.TopicArn != emu.Emulator.topicARN() ||
		msg.S3Bucket != emu.Bucket || len(msg.S3ObjectKey) != 1 || msg.S3ObjectKey[0] != fr.Keys[0] {
		t.Errorf("topic queue envelope %+v message %+v (%v), want CloudTrail's notice of %s", env, msg, err, fr.Keys[0])
	}
}
