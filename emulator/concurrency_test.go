package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
)

// TestConcurrentClients runs 64 SDK clients making 500 mixed calls each
// (S3 PutObject, GetObject and ListObjectsV2; Firehose create, describe,
// list, tag and put; CloudTrail LookupEvents and DescribeTrails) against
// one emulator while another goroutine flushes now and then. At the end,
// after a last flush, the log files hold the record of every Firehose
// call exactly once, by request ID (PutRecord and PutRecordBatch data
// events included; failed calls too), nothing else, and no event ID twice.
// With -short (as for a -race run) it runs 16 clients × 100 calls. It runs
// in memory and with a data directory (every record journaled before its
// answer).
func TestConcurrentClients(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testConcurrentClients(t) })
	t.Run("datadir", func(t *testing.T) { testConcurrentClients(t, WithDataDir(t.TempDir())) })
}

func testConcurrentClients(t *testing.T, opts ...Option) {
	clients, calls := 64, 500
	if testing.Short() {
		clients, calls = 16, 100
	}
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, append([]Option{testLogger(t), WithSeed(7), WithFirehoseCreateDelay(-1)}, opts...)...)
	cfg := emu.AWSConfig()
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 2*clients, 2*clients
	})
	// S3 and CloudTrail calls are not recorded: the SDK's own retries
	// stay on for them. A retried Firehose call would be recorded twice:
	// no retries hide a failure.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ct := cloudtrail.NewFromConfig(cfg)
	fh := firehose.NewFromConfig(cfg, func(o *firehose.Options) { o.RetryMaxAttempts = 1 })
	ctx := t.Context()
	const bucket = "concurrency"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}

	// Request IDs of every Firehose call, by client.
	fhIDs := make([][]string, clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			var streams []string
			var keys []string
			fail := func(op string, err error) {
				errs <- fmt.Errorf("client %d: %s: %w", c, op, err)
			}
			// firehoseCall notes the request ID of a Firehose call: every
			// answer has one, success or AWS error.
			firehoseCall := func(op string, md middleware.Metadata, err error, errOK bool) bool {
				id, _ := awsmiddleware.GetRequestIDMetadata(md)
				if err != nil {
					var re *awshttp.ResponseError
					if !errors.As(err, &re) || !errOK && !lostToClientRace(err) {
						fail(op, err)
						return false
					}
					id = re.ServiceRequestID()
				}
				if id == "" {
					fail(op, errors.New("no request ID"))
					return false
				}
				fhIDs[c] = append(fhIDs[c], id)
				return true
			}
			stream := func() string {
				if len(streams) == 0 {
					return fmt.Sprintf("c%d-none", c) // ResourceNotFoundException, recorded too
				}
				return streams[rng.IntN(len(streams))]
			}
			for i := range calls {
				switch op := rng.IntN(11); op {
				case 0:
					key := fmt.Sprintf("c%d/k%d", c, i)
					if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
						fail("PutObject", err)
						return
					}
					keys = append(keys, key)
				case 1:
					if len(keys) == 0 {
						continue
					}
					key := keys[rng.IntN(len(keys))]
					out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
					if err != nil {
						fail("GetObject", err)
						return
					}
					b, err := io.ReadAll(out.Body)
					out.Body.Close()
					if err != nil || string(b) != key {
						fail("GetObject "+key, fmt.Errorf("body %q, %v", b, err))
						return
					}
				case 2:
					out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(fmt.Sprintf("c%d/", c))})
					if err != nil {
						fail("ListObjectsV2", err)
						return
					}
					if n := len(out.Contents); n != min(len(keys), 1000) {
						fail("ListObjectsV2", fmt.Errorf("%d keys, want %d", n, len(keys)))
						return
					}
				case 3:
					if len(streams) >= 3 {
						out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(stream())})
						if !firehoseCall("DescribeDeliveryStream", metadataOf(out, func(o *firehose.DescribeDeliveryStreamOutput) middleware.Metadata { return o.ResultMetadata }), err, false) {
							return
						}
						continue
					}
					name := fmt.Sprintf("c%d-s%d", c, len(streams))
					out, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
						DeliveryStreamName: aws.String(name),
						ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
							BucketARN: aws.String("arn:aws:s3:::concurrency-dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/firehose"),
							Prefix: aws.String(name + "/"),
						},
					})
					if !firehoseCall("CreateDeliveryStream", metadataOf(out, func(o *firehose.CreateDeliveryStreamOutput) middleware.Metadata { return o.ResultMetadata }), err, false) {
						return
					}
					streams = append(streams, name)
				case 4:
					out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(stream())})
					if !firehoseCall("DescribeDeliveryStream", metadataOf(out, func(o *firehose.DescribeDeliveryStreamOutput) middleware.Metadata { return o.ResultMetadata }), err, len(streams) == 0) {
						return
					}
				case 5:
					out, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(10)})
					if !firehoseCall("ListDeliveryStreams", metadataOf(out, func(o *firehose.ListDeliveryStreamsOutput) middleware.Metadata { return o.ResultMetadata }), err, false) {
						return
					}
				case 6:
					out, err := fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String(stream()),
						Tags: []types.Tag{{Key: aws.String(fmt.Sprintf("k%d", rng.IntN(5))), Value: aws.String(fmt.Sprint(i))}}})
					if !firehoseCall("TagDeliveryStream", metadataOf(out, func(o *firehose.TagDeliveryStreamOutput) middleware.Metadata { return o.ResultMetadata }), err, len(streams) == 0) {
						return
					}
				case 7:
					out, err := fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String(stream()), Record: &types.Record{Data: fmt.Appendf(nil, "%d %d\n", c, i)}})
					if !firehoseCall("PutRecord", metadataOf(out, func(o *firehose.PutRecordOutput) middleware.Metadata { return o.ResultMetadata }), err, len(streams) == 0) {
						return
					}
				case 8:
					out, err := fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(stream()), Records: []types.Record{
						{Data: fmt.Appendf(nil, "%d %d a\n", c, i)}, {Data: fmt.Appendf(nil, "%d %d b\n", c, i)}}})
					if !firehoseCall("PutRecordBatch", metadataOf(out, func(o *firehose.PutRecordBatchOutput) middleware.Metadata { return o.ResultMetadata }), err, len(streams) == 0) {
						return
					}
				case 9:
					if _, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(5)}); err != nil {
						fail("LookupEvents", err)
						return
					}
				case 10:
					out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
					if err != nil || len(out.TrailList) != 1 {
						fail("DescribeTrails", fmt.Errorf("%v trails, %w", out, err))
						return
					}
				}
			}
		})
	}
	// Deliveries run while the calls are made.
	done := make(chan struct{})
	var flushWG sync.WaitGroup
	flushWG.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if err := emu.Emulator.Flush(); err != nil {
				errs <- fmt.Errorf("flush: %w", err)
				return
			}
		}
	})
	start := time.Now()
	wg.Wait()
	close(done)
	flushWG.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	emu.Flush()

	want := map[string]bool{}
	for _, ids := range fhIDs {
		for _, id := range ids {
			if want[id] {
				t.Fatalf("request ID %s answered twice", id)
			}
			want[id] = true
		}
	}
	_, recs := logFileRecords(t, emu.S3Client(), emu.Bucket)
	seenReq, seenEv := map[string]bool{}, map[string]bool{}
	data := 0
	for _, raw := range recs {
		var rec struct {
			EventID, RequestID, EventName, EventSource, EventCategory string
			ManagementEvent                                           bool
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			t.Fatal(err)
		}
		if seenEv[rec.EventID] {
			t.Errorf("eventID %s (%s) twice in the log files", rec.EventID, rec.EventName)
		}
		seenEv[rec.EventID] = true
		if !want[rec.RequestID] {
			t.Errorf("record %s %s with request ID %q of no Firehose call", rec.EventSource, rec.EventName, rec.RequestID)
			continue
		}
		if seenReq[rec.RequestID] {
			t.Errorf("request ID %s (%s) twice in the log files", rec.RequestID, rec.EventName)
		}
		seenReq[rec.RequestID] = true
		if !rec.ManagementEvent {
			data++
		}
	}
	for id := range want {
		if !seenReq[id] {
			t.Errorf("Firehose call %s not in the log files", id)
		}
	}
	if data == 0 {
		t.Errorf("no data events in the log files")
	}
	t.Logf("%d clients × %d calls in %v (%.0f calls/s): %d Firehose records (%d data events) in the log files",
		clients, calls, elapsed.Round(time.Millisecond), float64(clients*calls)/elapsed.Seconds(), len(recs), data)
}

// metadataOf returns the result metadata of out, which may be nil.
func metadataOf[O any](out *O, md func(*O) middleware.Metadata) middleware.Metadata {
	if out == nil {
		return middleware.Metadata{}
	}
	return md(out)
}

// lostToClientRace reports whether the SDK lost an answer it was reading
// to a race inside the client (aws-sdk-go-v2 issue 2737): net/http's
// write loop closes the connection on a late error of its own after the
// answer's headers arrived, so reading the body fails on a connection
// closed at this end (net.ErrClosed; the SDK retries it by default). The
// headers carry the request ID: the emulator answered and recorded the
// call. A connection the emulator closed fails differently (EOF, reset).
func lostToClientRace(err error) bool { return errors.Is(err, net.ErrClosed) }
