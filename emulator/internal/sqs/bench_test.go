package sqs

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/firetrail/firetrail/internal/cputime"
)

// BenchmarkSDKSendReceiveDelete is one message's round trip through the
// Go SDK over loopback: SendMessage, ReceiveMessage, DeleteMessage.
func BenchmarkSDKSendReceiveDelete(b *testing.B) {
	h := newHarness(b, "")
	c := h.client()
	out, err := c.CreateQueue(bg, &sqs.CreateQueueInput{QueueName: aws.String("bench")})
	if err != nil {
		b.Fatal(err)
	}
	q := out.QueueUrl
	body := aws.String(strings.Repeat("x", 256))
	b.SetBytes(int64(len(*body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.SendMessage(bg, &sqs.SendMessageInput{QueueUrl: q, MessageBody: body}); err != nil {
			b.Fatal(err)
		}
		rm, err := c.ReceiveMessage(bg, &sqs.ReceiveMessageInput{QueueUrl: q})
		if err != nil || len(rm.Messages) != 1 {
			b.Fatal(rm, err)
		}
		if _, err := c.DeleteMessage(bg, &sqs.DeleteMessageInput{QueueUrl: q, ReceiptHandle: rm.Messages[0].ReceiptHandle}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdleLongPolls measures what 1,000 long polls waiting on empty
// queues cost: goroutines per poll, and process CPU time per second of
// waiting while the emulator's ticker calls Tick every 100 ms (ten times
// its real rate). Each iteration is 100 ms of waiting.
func BenchmarkIdleLongPolls(b *testing.B) {
	const polls, queues = 1000, 10
	svc, err := New(Config{Clock: newFakeClock(), IDs: &seqIDs{}})
	if err != nil {
		b.Fatal(err)
	}
	cc := testCall()
	for i := range queues {
		if _, err := svc.HandleJSON(bg, cc, "CreateQueue", fmt.Appendf(nil, `{"QueueName":"idle%d"}`, i)); err != nil {
			b.Fatal(err)
		}
	}
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{}, polls)
	for i := range polls {
		body := fmt.Appendf(nil, `{"QueueUrl":"/123456789012/idle%d","WaitTimeSeconds":20}`, i%queues)
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil { // a client polling again after each 20 s wait
				if _, err := svc.HandleJSON(ctx, cc, "ReceiveMessage", body); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	waitFor(func() bool {
		svc.mu.Lock()
		defer svc.mu.Unlock()
		n := 0
		for _, q := range svc.queues {
			n += q.waiters
		}
		return n == polls
	})
	goroutines := runtime.NumGoroutine() - before
	cpu0 := cputime.Self()
	start := time.Now()
	b.ResetTimer()
	for b.Loop() {
		time.Sleep(100 * time.Millisecond)
		svc.Tick()
	}
	b.StopTimer()
	if cpu1 := cputime.Self(); cpu0 > 0 {
		b.ReportMetric(float64(cpu1-cpu0)/time.Since(start).Seconds()/1e6, "cpu-ms/s")
	}
	b.ReportMetric(float64(goroutines)/polls, "goroutines/poll")
	cancel()
	for range polls {
		<-done
	}
	_ = svc.Close()
}
