package emulator

import (
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/cputime"
)

// BenchmarkJournalCalls measures recorded Firehose calls
// (DescribeDeliveryStream) over loopback with aws-sdk-go-v2, without a data
// directory ("memory") and with one ("datadir": each call's record is
// journaled and fsynced before the answer), delivering every 200ms meanwhile
// (so the journal's entries are also deleted). "clientsN" runs N
// concurrent clients (the journal shares one commit among the calls that
// wait for it); "clients1" one client, which waits for a whole commit each
// call. The datadir/memory ratio of ns/op is the journal's cost. calls/s =
// 1e9 / ns/op; recs/commit is the mean number of records per journal sync;
// cpu-ns/op the process's CPU time per call.
// Run alone (bench/journal.sh runs it and prints the medians and ratios):
//
//	go test ./emulator -run '^$' -bench BenchmarkJournalCalls -benchtime 20000x -count 5
func BenchmarkJournalCalls(b *testing.B) { runJournalBenchmarks(b, describeCall) }

// BenchmarkJournalChanges is BenchmarkJournalCalls with TagDeliveryStream
// (one tag set again and again): a call that changes the stream, so with a
// data directory the stream's new state is journaled with its record, and
// the Firehose state checkpointed at each Flush.
//
//	go test ./emulator -run '^$' -bench BenchmarkJournalChanges -benchtime 20000x -count 5
func BenchmarkJournalChanges(b *testing.B) { runJournalBenchmarks(b, tagCall) }

// runJournalBenchmarks runs benchJournalCalls of call at 1, 8, 32 and 64
// clients, each in memory and with a data directory.
func runJournalBenchmarks(b *testing.B, call func(context.Context, *firehose.Client) error) {
	b.Setenv("AWS_CA_BUNDLE", "")
	for _, clients := range []int{1, 8, 32, 64} {
		for _, dataDir := range []bool{false, true} {
			name := "memory"
			if dataDir {
				name = "datadir"
			}
			b.Run(name+"/clients"+strconv.Itoa(clients), func(b *testing.B) { benchJournalCalls(b, clients, dataDir, call) })
		}
	}
}

// describeCall and tagCall are the calls of the benchmarks, on stream "bench".
func describeCall(ctx context.Context, fh *firehose.Client) error {
	_, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("bench")})
	return err
}

func tagCall(ctx context.Context, fh *firehose.Client) error {
	_, err := fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{
		DeliveryStreamName: aws.String("bench"),
		Tags:               []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}},
	})
	return err
}

// benchJournalCalls makes call from clients concurrent clients, with or
// without a data directory.
func benchJournalCalls(b *testing.B, clients int, dataDir bool, call func(context.Context, *firehose.Client) error) {
	var opts []Option
	if dataDir {
		opts = append(opts, WithDataDir(b.TempDir()))
	}
	emu := Start(b, opts...)
	fh := firehose.NewFromConfig(emu.AWSConfig())
	createBenchStream(b, fh)
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
	b.ReportAllocs()
	// CPU time per call (client and server: one process). On a
	// shared machine it varies less than ns/op; when the calls
	// keep every core busy, the ratio of ns/op follows it.
	c0 := cputime.Self()
	defer func() {
		if c := cputime.Self() - c0; c > 0 {
			b.ReportMetric(float64(c)/float64(b.N), "cpu-ns/op")
		}
	}()
	if j := emu.Emulator.journal; j != nil {
		c0, r0 := j.commits.Load(), j.committed.Load()
		defer func() {
			if c := j.commits.Load() - c0; c > 0 {
				b.ReportMetric(float64(j.committed.Load()-r0)/float64(c), "recs/commit")
			}
		}()
	}
	if clients == 1 {
		for b.Loop() {
			if err := call(b.Context(), fh); err != nil {
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
			if err := call(b.Context(), fh); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkJournalFlush measures Flush with a data directory delivering
// one window's log file of 10,000 journaled calls' records (the trail
// compresses a file that big in parts while it grows): the file's
// compression and storing, the state's saving and the journal's pruning
// of the delivered records, which it finds by the hashes the trail hands
// the sink. MB/s is of the records' JSON. The calls themselves are made
// with the timer stopped.
//
//	go test ./emulator -run '^$' -bench BenchmarkJournalFlush -benchtime 10x -count 5
func BenchmarkJournalFlush(b *testing.B) {
	const calls = 10_000
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e, err := New(WithClock(trail.NewFakeClock(DefaultStartTime)), WithDataDir(b.TempDir()), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			b.Fatal(err)
		}
		for range calls {
			if w := call(e, "Firehose_20150804.ListDeliveryStreams", "application/x-amz-json-1.1", `{}`); w.Code != 200 {
				b.Fatalf("ListDeliveryStreams: %d %s", w.Code, w.Body)
			}
		}
		b.StartTimer()
		if err := e.Flush(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if i == 0 {
			_, logs, _ := bucketContents(b, e)
			var n int64
			for _, k := range logs {
				recs, err := e.readLogFile(k)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					n += int64(len(r))
				}
			}
			b.SetBytes(n)
		}
		if live := liveEntries(e.journal); live != 0 {
			b.Fatalf("%d journal entries left after the flush", live)
		}
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
