package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkDeliverNotify measures one delivered log file (Record + Flush)
// without notification endpoints (the baseline) and with a confirmed SNS
// subscriber and an S3 event endpoint. Notify only queues: signing and
// POSTs run on the notifier's goroutines, which the benchmark waits for
// at the end so their CPU time is in the run.
func BenchmarkDeliverNotify(b *testing.B) {
	for _, tc := range []struct {
		name   string
		notify bool
	}{{"none", false}, {"sns+s3events", true}} {
		b.Run(tc.name, func(b *testing.B) {
			var got atomic.Int64
			var confirmation atomic.Value
			ep := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Header.Get("x-amz-sns-message-type") == "SubscriptionConfirmation" {
					confirmation.Store(body)
					return
				}
				got.Add(1)
			}))
			defer ep.Close()
			opts := []Option{}
			if tc.notify {
				opts = append(opts, WithNotify(ep.URL), WithS3Events(ep.URL))
			}
			emu := Start(b, opts...)
			if tc.notify {
				for confirmation.Load() == nil {
					time.Sleep(time.Millisecond)
				}
				var env map[string]string
				if err := json.Unmarshal(confirmation.Load().([]byte), &env); err != nil {
					b.Fatal(err)
				}
				resp, err := http.Get(env["SubscribeURL"])
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
			emu.Record(testRecord(0, emu.Now()))
			emu.Flush()
			nt := <-emu.Notifications()
			b.SetBytes(nt.Size)
			b.ReportAllocs()
			// Every 256 files the queues (1000 deep) are drained, so that
			// no notice is dropped and all the sending is in the run.
			drain := func(files int) {
				if !tc.notify {
					return
				}
				deadline := time.Now().Add(30 * time.Second)
				for got.Load() < 2*int64(files) {
					if time.Now().After(deadline) {
						b.Fatalf("%d of %d notices arrived", got.Load(), 2*files)
					}
					time.Sleep(100 * time.Microsecond)
				}
			}
			i := 0
			for b.Loop() {
				i++
				emu.Record(testRecord(i, emu.Now()))
				emu.Flush()
				<-emu.Notifications()
				if i%256 == 0 {
					drain(i + 1)
				}
			}
			drain(i + 1)
		})
	}
}
