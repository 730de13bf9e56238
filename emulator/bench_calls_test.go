package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/firetrail/firetrail/schemas"
)

// createBenchStream creates the delivery stream "bench" of the Firehose
// benchmarks.
func createBenchStream(b *testing.B, fh *firehose.Client) {
	b.Helper()
	if _, err := fh.CreateDeliveryStream(b.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("bench"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"),
		},
	}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFirehoseCallsSDK measures recorded Firehose control-plane
// calls (DescribeDeliveryStream) over loopback with aws-sdk-go-v2, beside
// the same client against a handler that answers the same bytes and does
// nothing else (the client and HTTP cost): the ratio is the emulator's
// share. calls/s = 1e9 / ns/op. Run alone (bench/run.sh).
func BenchmarkFirehoseCallsSDK(b *testing.B) {
	b.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(b)
	createBenchStream(b, firehose.NewFromConfig(emu.AWSConfig()))
	// The no-op handler answers what the emulator answers.
	canned := call(emu.Emulator, "Firehose_20150804.DescribeDeliveryStream", "application/x-amz-json-1.1", `{"DeliveryStreamName":"bench"}`).Body.Bytes()
	if !json.Valid(canned) {
		b.Fatalf("describe answer %s", canned)
	}
	noop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000")
		_, _ = w.Write(canned)
	}))
	b.Cleanup(noop.Close)
	for _, tc := range []struct{ name, url string }{{"noop", noop.URL}, {"emulator", emu.URL}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := emu.AWSConfig()
			cfg.BaseEndpoint = aws.String(tc.url)
			c := firehose.NewFromConfig(cfg)
			in := &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("bench")}
			b.ReportAllocs()
			b.SetBytes(int64(len(canned)))
			for b.Loop() {
				if _, err := c.DescribeDeliveryStream(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecordCall measures keeping the record of one Firehose call:
// "twice" is how it was done before (the trail and LookupEvents each
// encoded it, and LookupEvents parsed requestParameters back for the
// stream name); "once" is recordCall (one encoding shared, the stream
// name passed along).
func BenchmarkRecordCall(b *testing.B) {
	e := newTestEmulator(b)
	rec := testRecord(1, e.Now())
	rec.EventName = "DescribeDeliveryStream"
	raw := rec.AppendJSON(nil)
	for _, tc := range []struct {
		name string
		keep func(*schemas.Record) error
	}{
		{"twice", func(r *schemas.Record) error {
			if err := e.trail.Add(*r); err != nil {
				return err
			}
			return e.store.Add(r, nil)
		}},
		{"once", func(r *schemas.Record) error { return e.recordCall(r, "stream-1", nil) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			i := 0
			for b.Loop() {
				r := rec
				i++
				r.EventID = e.ids.UUID()
				if err := tc.keep(&r); err != nil {
					b.Fatal(err)
				}
				if i%10000 == 0 {
					b.StopTimer()
					if err := e.Flush(); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			}
		})
	}
}

// BenchmarkSQSMessagesSDK measures SQS through the routing table with
// aws-sdk-go-v2 over loopback: per message, "single" sends, receives and
// deletes it with one call each (3 calls a message); "batch10" uses
// SendMessageBatch, ReceiveMessage of 10 and DeleteMessageBatch (0.3
// calls a message), as busy consumers do. msgs/s = 1e9 / ns/op;
// BenchmarkFirehoseCallsSDK/noop gives the client's own cost of a call.
func BenchmarkSQSMessagesSDK(b *testing.B) {
	b.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(b)
	c := sqs.NewFromConfig(emu.AWSConfig())
	ctx := b.Context()
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	body := aws.String(strings.Repeat("x", 256))
	b.Run("single", func(b *testing.B) {
		b.SetBytes(int64(len(*body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: body}); err != nil {
				b.Fatal(err)
			}
			rm, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl})
			if err != nil || len(rm.Messages) != 1 {
				b.Fatal(rm, err)
			}
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: rm.Messages[0].ReceiptHandle}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("batch10", func(b *testing.B) {
		b.SetBytes(int64(len(*body)))
		b.ReportAllocs()
		entries := make([]sqstypes.SendMessageBatchRequestEntry, 10)
		for i := range entries {
			entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: body}
		}
		n := 0
		for b.Loop() {
			if n%10 == 0 {
				if _, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries}); err != nil {
					b.Fatal(err)
				}
				rm, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, MaxNumberOfMessages: 10})
				if err != nil || len(rm.Messages) != 10 {
					b.Fatal(len(rm.Messages), err)
				}
				del := make([]sqstypes.DeleteMessageBatchRequestEntry, len(rm.Messages))
				for i, m := range rm.Messages {
					del[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
				}
				if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: q.QueueUrl, Entries: del}); err != nil {
					b.Fatal(err)
				}
			}
			n++
		}
	})
}
