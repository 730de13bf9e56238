package emulator

import (
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// benchStore fills a store with n varied management records spread over
// 60 days and returns it with the heap it costs beyond its compressed
// bytes, per event.
func benchStore(b *testing.B, n int) (*eventStore, float64, float64) {
	b.Helper()
	ops := []string{"DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream", "CreateDeliveryStream",
		"UpdateDestination", "DeleteDeliveryStream", "TagDeliveryStream", "UntagDeliveryStream",
		"StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption"}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := newEventStore()
	if err != nil {
		b.Fatal(err)
	}
	start := DefaultStartTime.Add(-60 * 24 * time.Hour)
	step := 60 * 24 * time.Hour / time.Duration(n)
	raw := 0
	for i := range n {
		rec := testRecord(i, start.Add(time.Duration(i)*step))
		rec.EventName = ops[i*7%len(ops)]
		user := fmt.Sprintf("user%03d", i*13%200)
		rec.UserIdentity.UserName = user
		rec.UserIdentity.ARN = "arn:aws:iam::111122223333:user/" + user
		rec.UserIdentity.AccessKeyID = fmt.Sprintf("AKIAEXAMPLE%09d", i*13%200)
		rec.RequestParameters = json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":"stream-%04d","limit":10}`, i*31%1000))
		rec.EventID = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*2654435761)
		rec.RequestID = fmt.Sprintf("%08x-1111-4000-8000-%012x", i, i*40503)
		j := rec.AppendJSON(nil)
		raw += len(j)
		if err := s.add(&rec, j); err != nil {
			b.Fatal(err)
		}
	}
	s.mu.Lock()
	s.seal()
	s.sortLocked()
	s.mu.Unlock()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	comp := s.compressedBytes()
	perEvent := (float64(after.HeapAlloc) - float64(before.HeapAlloc) - float64(comp)) / float64(n)
	return s, perEvent, float64(comp) / float64(n)
}

// BenchmarkLookupEvents pages through a store of 1,000,000 events: the
// unfiltered newest page is the baseline; filtered pages scan a column.
// Reports p99 latency per page and index memory per event (heap beyond the
// compressed fragments).
func BenchmarkLookupEvents(b *testing.B) {
	const n = 1_000_000
	s, perEvent, compPerEvent := benchStore(b, n)
	defer s.close()
	lo := DefaultStartTime.Add(-90 * 24 * time.Hour).Unix()
	cases := []struct {
		name string
		q    lookupQuery
	}{
		{"unfiltered", lookupQuery{}},
		{"EventName", lookupQuery{kind: attrEventName, value: "UpdateDestination"}},
		{"Username", lookupQuery{kind: attrUsername, value: "user042"}},
		{"ResourceName", lookupQuery{kind: attrResourceName, value: "stream-0777"}},
		{"EventId", lookupQuery{kind: attrEventID, value: fmt.Sprintf("%08x-0000-4000-8000-%012x", 123456, 123456*2654435761)}},
		{"ReadOnly+range", lookupQuery{kind: attrReadOnly, value: "false", hi: DefaultStartTime.Add(-30 * 24 * time.Hour).Unix()}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			q := tc.q
			q.region, q.limit, q.lo = "us-east-1", 50, lo
			if q.hi == 0 {
				q.hi = 1 << 62
			}
			var lat []time.Duration
			var bytes int
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Walk pages like a paginator; start over after 20.
				t0 := time.Now()
				page, err := s.lookup(q)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				bytes = 0
				for _, f := range page.frags {
					bytes += len(f)
				}
				i++
				if page.more && i%20 != 0 {
					q.cursor, q.curTime, q.curSeq = true, page.lastTime, page.lastSeq
				} else {
					q.cursor = false
				}
			}
			b.SetBytes(int64(bytes))
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(perEvent, "index-B/event")
			b.ReportMetric(compPerEvent, "compressed-B/event")
		})
	}
}
