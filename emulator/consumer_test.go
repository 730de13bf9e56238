package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/firetrail/firetrail/emulator"
	"github.com/firetrail/firetrail/emulator/internal/testrec"
	"github.com/firetrail/firetrail/schemas"
)

// TestConsumerLoopExactlyOnce consumes the trail's log files the way
// Filebeat's aws-s3 input does: S3 event notifications of the log bucket
// go to an SQS queue; 4 workers long-poll it, get each object, parse it,
// extend the message's visibility while busy, and delete the message.
// Over 10,000 delivered log files every file is processed exactly once and
// the queue is empty at the end. The virtual clock moves a delivery
// interval (1 s) per file, 2.8 hours in all: the visibility timeout (12 h)
// outlasts it, so a message comes back only if a worker fails.
func TestConsumerLoopExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 log files: not in -short")
	}
	t.Setenv("AWS_CA_BUNDLE", "")
	const files, workers = 10000, 4
	emu := emulator.Start(t, emulator.WithSeed(3), emulator.WithDeliveryInterval(time.Second))
	cfg := emu.AWSConfig()
	sq := sqs.NewFromConfig(cfg)
	s3c := emu.S3Client()
	ctx := t.Context()

	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("cloudtrail-logs"),
		Attributes: map[string]string{"VisibilityTimeout": "43200"}})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(emu.Bucket),
		NotificationConfiguration: &s3types.NotificationConfiguration{QueueConfigurations: []s3types.QueueConfiguration{{
			QueueArn: aws.String(attrs.Attributes["QueueArn"]),
			Events:   []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String("AWSLogs/111122223333/CloudTrail/")}, // not the digests
				{Name: s3types.FilterRuleNameSuffix, Value: aws.String(".json.gz")},
			}}},
		}}},
	}); err != nil {
		t.Fatal(err)
	}

	// The producer: one record per delivery window, so one log file each.
	produced := make(chan error, 1)
	go func() {
		for i := range files {
			rec := testrec.Record(i, emu.Now())
			if err := emu.Emulator.Record(rec); err != nil {
				produced <- err
				return
			}
			if err := emu.Emulator.Advance(time.Second); err != nil {
				produced <- err
				return
			}
		}
		produced <- nil
	}()

	var mu sync.Mutex
	seen := map[string]int{} // key → times processed
	records := 0
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl,
					MaxNumberOfMessages: 5, WaitTimeSeconds: 1})
				if err != nil {
					errs <- err
					return
				}
				for _, m := range out.Messages {
					keys, err := eventKeys(aws.ToString(m.Body))
					if err != nil {
						errs <- err
						return
					}
					for _, k := range keys {
						// Busy: keep the message invisible, as Filebeat does at half its timeout.
						if _, err := sq.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: q.QueueUrl,
							ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43200}); err != nil {
							errs <- err
							return
						}
						n, err := countRecords(t, s3c, emu.Bucket, k)
						if err != nil {
							errs <- err
							return
						}
						mu.Lock()
						seen[k]++
						records += n
						mu.Unlock()
					}
					if _, err := sq.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	if err := <-produced; err != nil {
		t.Fatal(err)
	}
	if err := emu.Emulator.Flush(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		mu.Lock()
		n := len(seen)
		mu.Unlock()
		if n >= files || time.Now().After(deadline) {
			break
		}
		select {
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if len(seen) != files || records != files {
		t.Errorf("processed %d files holding %d records, want %d of each", len(seen), records, files)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s processed %d times", k, n)
		}
	}
	a, err := sq.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Attributes["ApproximateNumberOfMessages"] != "0" || a.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("queue at the end: %v visible, %v in flight; want empty", a.Attributes["ApproximateNumberOfMessages"], a.Attributes["ApproximateNumberOfMessagesNotVisible"])
	}
}

// eventKeys returns the object keys of an S3 event notification (none for
// s3:TestEvent), URL-decoded as consumers must.
func eventKeys(body string) ([]string, error) {
	var ev struct {
		Event   string
		Records []struct {
			S3 struct {
				Object struct{ Key string } `json:"object"`
			} `json:"s3"`
		}
	}
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, fmt.Errorf("message body %q: %w", body, err)
	}
	var keys []string
	for _, r := range ev.Records {
		k, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// countRecords gets a log file and returns how many records it holds.
func countRecords(t *testing.T, c *s3.Client, bucket, key string) (int, error) {
	obj, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return 0, fmt.Errorf("get %s: %w", key, err)
	}
	defer obj.Body.Close()
	raw, err := io.ReadAll(obj.Body)
	if err != nil {
		return 0, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	var lf struct{ Records []schemas.Record }
	if err := json.NewDecoder(zr).Decode(&lf); err != nil {
		return 0, fmt.Errorf("%s: %w", key, err)
	}
	return len(lf.Records), nil
}
