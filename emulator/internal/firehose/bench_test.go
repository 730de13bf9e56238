package firehose

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// BenchmarkFirehoseChange measures a control-plane change (tagging one of
// 100 streams) in memory (the baseline) and saved to a data directory.
func BenchmarkFirehoseChange(b *testing.B) {
	for _, tc := range []struct {
		name string
		save bool
	}{{"memory", false}, {"data-dir", true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newState()
			if tc.save {
				s.path = filepath.Join(b.TempDir(), StateFile)
			}
			for i := range 100 {
				name := "stream-" + strconv.Itoa(i)
				k := streamKey{account: "111122223333", region: "us-east-1", name: name}
				if _, err := s.create(k, &firehose.CreateDeliveryStreamInput{
					DeliveryStreamName: aws.String(name),
					ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
						BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"), Prefix: aws.String("p/"),
					},
				}, DefaultStartTime); err != nil {
					b.Fatal(err)
				}
			}
			s.mu.Lock()
			enc, _ := s.encode()
			s.mu.Unlock()
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			k := streamKey{account: "111122223333", region: "us-east-1", name: "stream-7"}
			in := &firehose.TagDeliveryStreamInput{Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}
			for b.Loop() {
				if err := s.tag(k, in, DefaultStartTime); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutRecord measures a PutRecord call end to end in the service
// (decode, model validation, buffering, the record), to a stream whose
// buffer is written every 5 MB.
func BenchmarkPutRecord(b *testing.B) {
	s, err := New(Config{Clock: trail.NewFakeClock(DefaultStartTime), IDs: &seqIDs{}, Objects: &memObjects{objects: map[string]string{}},
		Record: func(*schemas.Record, string, *Change) error { return nil }, CreateDelay: -1})
	if err != nil {
		b.Fatal(err)
	}
	cc := &awsapi.Call{Account: "111122223333", Region: "us-east-1", RequestID: "r"}
	if _, err := s.Handle(b.Context(), cc, "CreateDeliveryStream", []byte(createExt)); err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"DeliveryStreamName":"s","Record":{"Data":"` + strings.Repeat("QUJD", 256) + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Handle(b.Context(), cc, "PutRecord", body); err != nil {
			b.Fatal(err)
		}
	}
}
