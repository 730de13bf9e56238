package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/emulator"
	"github.com/firetrail/firetrail/internal/cputime"
)

// benchLoadEvents is one op of BenchmarkLoadMax.
const benchLoadEvents = 500_000

// BenchmarkLoadMax measures one op = firetrail load --rate max of 500,000
// events (generation, eventTime stamping, delivery into gzip log files,
// conditional PUTs through aws-sdk-go-v2) into:
//
//   - embedded: the emulator's S3, in this process (its CPU counts too);
//   - discard: an HTTP server that reads each PUT and answers 200, the
//     least a store can cost.
//
// It reports events/s (wall) and events/cpu-s (getrusage of the whole
// process). Per core:
//
//	go test ./cmd/firetrail -run '^$' -bench LoadMax -cpu 1 -benchtime 1x -count 5
//
// and beside it delivery alone: go test ./emulator/trail -run '^$' -bench 'Deliver$' -cpu 1
func BenchmarkLoadMax(b *testing.B) {
	setLoadEnv(b, "AKIDEXAMPLE", "secret")

	load := func(b *testing.B, endpoint, bucket string) {
		b.ReportAllocs()
		cpu0 := cputime.Self()
		for b.Loop() {
			var stdout, stderr bytes.Buffer
			argv := []string{"load", "--endpoint", endpoint, "--bucket", bucket, "--rate", "max",
				"--events", strconv.Itoa(benchLoadEvents), "--seed", "1", "--progress", "0"}
			if code := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr); code != 0 {
				b.Fatalf("load: exit %d\n%s%s", code, &stdout, &stderr)
			}
		}
		ev := float64(benchLoadEvents * b.N)
		b.ReportMetric(ev/b.Elapsed().Seconds(), "events/s")
		if cpu := (cputime.Self() - cpu0).Seconds(); cpu > 0 {
			b.ReportMetric(ev/cpu, "events/cpu-s")
		}
		b.ReportMetric(0, "ns/op")
	}
	b.Run("embedded", func(b *testing.B) {
		srv := emulator.Start(b)
		load(b, srv.URL, srv.Bucket)
	})
	b.Run("discard", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		b.Cleanup(srv.Close)
		load(b, srv.URL, "bench-bucket")
	})
}
