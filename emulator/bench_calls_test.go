package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

// BenchmarkFirehoseCallsSDK measures recorded Firehose control-plane
// calls (DescribeDeliveryStream) over loopback with aws-sdk-go-v2, beside
// the same client against a handler that answers the same bytes and does
// nothing else (the client and HTTP cost): the ratio is the emulator's
// share. calls/s = 1e9 / ns/op. Run alone (bench/run.sh).
func BenchmarkFirehoseCallsSDK(b *testing.B) {
	b.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(b)
	fh := firehose.NewFromConfig(emu.AWSConfig())
	if _, err := fh.CreateDeliveryStream(b.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("bench"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"),
		},
	}); err != nil {
		b.Fatal(err)
	}
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
		{"once", func(r *schemas.Record) error { return e.recordCall(r, "stream-1") }},
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
