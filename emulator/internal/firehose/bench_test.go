package firehose

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
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
