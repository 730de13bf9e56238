package emulator

import (
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// BenchmarkJournalCalls measures recorded Firehose calls
// (DescribeDeliveryStream) over loopback with aws-sdk-go-v2, without a data
// directory ("memory") and with one ("datadir": each call's record is
// journaled and fsynced before the answer), delivering every 200ms meanwhile
// (so the journal's entries are also deleted). "clients32" runs 32
// concurrent clients (the journal shares one commit among the calls that
// wait for it); "clients1" one client, which waits for a whole commit each
// call. The datadir/memory ratio of ns/op is the journal's cost. calls/s =
// 1e9 / ns/op. Run alone:
//
//	go test ./emulator -run '^$' -bench BenchmarkJournalCalls -count 5
func BenchmarkJournalCalls(b *testing.B) {
	b.Setenv("AWS_CA_BUNDLE", "")
	for _, clients := range []int{32, 1} {
		for _, dataDir := range []bool{false, true} {
			name := "memory"
			if dataDir {
				name = "datadir"
			}
			b.Run(name+"/clients"+strconv.Itoa(clients), func(b *testing.B) {
				var opts []Option
				if dataDir {
					opts = append(opts, WithDataDir(b.TempDir()))
				}
				emu := Start(b, opts...)
				fh := firehose.NewFromConfig(emu.AWSConfig())
				if _, err := fh.CreateDeliveryStream(b.Context(), &firehose.CreateDeliveryStreamInput{
					DeliveryStreamName: aws.String("bench"),
					ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
						BucketARN: aws.String("arn:aws:s3:::dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"),
					},
				}); err != nil {
					b.Fatal(err)
				}
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					t := time.NewTicker(200 * time.Millisecond)
					defer t.Stop()
					for {
						select {
						case <-stop:
							return
						case <-t.C:
							if err := emu.Emulator.Flush(); err != nil {
								b.Error(err)
								return
							}
						}
					}
				})
				defer func() { close(stop); wg.Wait() }()
				in := &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("bench")}
				b.ReportAllocs()
				if clients == 1 {
					for b.Loop() {
						if _, err := fh.DescribeDeliveryStream(b.Context(), in); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					// A client (and connection pool) each, as separate
					// processes would have.
					fh := firehose.NewFromConfig(emu.AWSConfig())
					for pb.Next() {
						if _, err := fh.DescribeDeliveryStream(b.Context(), in); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
