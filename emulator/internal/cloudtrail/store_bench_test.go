package cloudtrail

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// benchRareEvery spaces the rare events of benchStore: 40 in 1,000,000.
const benchRareEvery = 25_000

// benchEventID is the eventID of event i of benchStore.
func benchEventID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i*2654435761)
}

// benchStore fills a store with n varied management records spread over
// 60 days, one in ten in another region and one in benchRareEvery with rare
// values (user, access key, event name, resources). It returns the store,
// the heap it costs beyond its compressed bytes per event, the compressed
// bytes per event and the add time per event.
func benchStore(b *testing.B, n int) (s *Store, perEvent, compPerEvent float64, addTime time.Duration) {
	b.Helper()
	ops := []string{"DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream", "CreateDeliveryStream",
		"UpdateDestination", "DeleteDeliveryStream", "TagDeliveryStream", "UntagDeliveryStream",
		"StopDeliveryStreamEncryption"}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s = NewStore()
	start := DefaultStartTime.Add(-60 * 24 * time.Hour)
	step := 60 * 24 * time.Hour / time.Duration(n)
	var spent time.Duration
	for i := range n {
		rec := testRecord(i, start.Add(time.Duration(i)*step))
		rec.EventName = ops[i*7%len(ops)]
		user := fmt.Sprintf("user%03d", i*13%200)
		key := fmt.Sprintf("AKIAEXAMPLE%09d", i*13%200)
		stream := fmt.Sprintf("stream-%04d", i*31%1000)
		if i%10 == 3 {
			rec.AWSRegion = "eu-west-1"
		}
		if i%benchRareEvery == 7 {
			rec.EventName, user, key, stream = "StartDeliveryStreamEncryption", "rare-user", "AKIARAREEXAMPLE00001", "rare-stream"
			rec.Resources = []schemas.Resource{{Type: "AWS::IAM::Role", ARN: "arn:aws:iam::111122223333:role/rare-role"}}
		}
		rec.UserIdentity.UserName = user
		rec.UserIdentity.ARN = "arn:aws:iam::111122223333:user/" + user
		rec.UserIdentity.AccessKeyID = key
		rec.RequestParameters = json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":%q,"limit":10}`, stream))
		rec.EventID = benchEventID(i)
		rec.RequestID = fmt.Sprintf("%08x-1111-4000-8000-%012x", i, i*40503)
		j := rec.AppendJSON(nil)
		t0 := time.Now()
		if err := s.Add(&rec, j); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(t0)
	}
	s.settle()
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	comp := s.compressedBytes()
	perEvent = (float64(after.HeapAlloc) - float64(before.HeapAlloc) - float64(comp)) / float64(n)
	return s, perEvent, float64(comp) / float64(n), spent / time.Duration(n)
}

// BenchmarkLookupEvents pages through a store of 1,000,000 events with
// every attribute key, common and rare values, with and without a time
// range; the unfiltered newest page is the baseline. Reports p50 and p99
// latency per page, the heap per event beyond the compressed fragments,
// the compressed bytes and the add time per event.
func BenchmarkLookupEvents(b *testing.B) {
	const n = 1_000_000
	s, perEvent, compPerEvent, addTime := benchStore(b, n)
	day := func(d int) int64 { return DefaultStartTime.Add(time.Duration(d) * 24 * time.Hour).Unix() }
	lo := day(-90)
	// A two-day window a month back, holding one or two rare events, one
	// of them event 20*benchRareEvery+7.
	rlo, rhi := day(-31), day(-29)
	rareID := benchEventID(20*benchRareEvery + 7)
	cases := []struct {
		name  string
		kind  int
		value string
		rng   bool
	}{
		{"unfiltered", attrNone, "", false},
		{"unfiltered+range", attrNone, "", true},
		{"EventId", attrEventID, benchEventID(123456), false},
		{"EventId+range", attrEventID, rareID, true},
		{"EventName", attrEventName, "UpdateDestination", false},
		{"EventName+range", attrEventName, "UpdateDestination", true},
		{"EventName-rare", attrEventName, "StartDeliveryStreamEncryption", false},
		{"ReadOnly", attrReadOnly, "true", false},
		{"ReadOnly+range", attrReadOnly, "false", true},
		{"Username", attrUsername, "user042", false},
		{"Username+range", attrUsername, "user042", true},
		{"Username-rare", attrUsername, "rare-user", false},
		{"Username-rare+range", attrUsername, "rare-user", true},
		{"ResourceType", attrResourceType, schemas.FirehoseResourceType, false},
		{"ResourceType-rare", attrResourceType, "AWS::IAM::Role", false},
		{"ResourceName", attrResourceName, "stream-0777", false},
		{"ResourceName-rare", attrResourceName, "arn:aws:iam::111122223333:role/rare-role", false},
		{"ResourceName-rare+range", attrResourceName, "arn:aws:iam::111122223333:role/rare-role", true},
		{"EventSource", attrEventSource, schemas.FirehoseEventSource, false},
		{"EventSource+range", attrEventSource, schemas.FirehoseEventSource, true},
		{"AccessKeyId", attrAccessKeyID, "AKIAEXAMPLE000000042", false},
		{"AccessKeyId-rare", attrAccessKeyID, "AKIARAREEXAMPLE00001", false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			q := lookupQuery{region: "us-east-1", kind: tc.kind, value: tc.value, limit: 50, lo: lo, hi: 1 << 62}
			if tc.rng {
				q.lo, q.hi = rlo, rhi
			}
			// Wall time suffers from a busy machine; the thread's CPU time
			// far less.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var lat, cpu []time.Duration
			var bytes, events int
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				// Walk pages like a paginator; start over after 20.
				c0, _ := threadCPU()
				t0 := time.Now()
				page, err := s.lookup(q)
				lat = append(lat, time.Since(t0))
				if c1, ok := threadCPU(); ok {
					cpu = append(cpu, c1-c0)
				}
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range page.frags {
					bytes += len(f)
				}
				events += len(page.frags)
				i++
				if page.more && i%20 != 0 {
					q.cursor, q.curTime, q.curSeq = true, page.lastTime, page.lastSeq
				} else {
					q.cursor = false
				}
			}
			if events == 0 {
				b.Fatalf("%s: no events", tc.name)
			}
			b.SetBytes(int64(bytes / len(lat)))
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			if len(cpu) > 0 {
				slices.Sort(cpu)
				b.ReportMetric(float64(cpu[len(cpu)*99/100].Microseconds())/1000, "p99-cpu-ms")
			}
			b.ReportMetric(float64(events)/float64(len(lat)), "events/page")
			b.ReportMetric(perEvent, "index-B/event")
			b.ReportMetric(compPerEvent, "compressed-B/event")
			b.ReportMetric(float64(addTime.Nanoseconds())/1000, "add-µs/event")
		})
	}
}

// BenchmarkEventStoreAdd adds 20,000 records to a fresh store per
// iteration (the cost of rebuilding history and of Record).
func BenchmarkEventStoreAdd(b *testing.B) {
	const n = 20_000
	recs := make([]schemas.Record, n)
	raws := make([][]byte, n)
	size := 0
	for i := range recs {
		recs[i] = testRecord(i, DefaultStartTime.Add(time.Duration(i)*time.Second))
		raws[i] = recs[i].AppendJSON(nil)
		size += len(raws[i])
	}
	b.ReportAllocs()
	b.SetBytes(int64(size))
	for b.Loop() {
		s := NewStore()
		for i := range recs {
			if err := s.Add(&recs[i], raws[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1000, "µs/event")
}

// BenchmarkEventStoreMemoryUnique measures the heap per event beyond the
// compressed fragments in the worst case of the index: every event with
// its own access key, user name and stream (one posting list each).
func BenchmarkEventStoreMemoryUnique(b *testing.B) {
	const n = 200_000
	b.ReportAllocs()
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		s := NewStore()
		for i := range n {
			rec := testRecord(i, DefaultStartTime.Add(time.Duration(i)*time.Second))
			user := fmt.Sprintf("session-%07d", i)
			rec.UserIdentity = schemas.UserIdentity{Type: schemas.IdentityAssumedRole, PrincipalID: "AROAEXAMPLE:" + user,
				ARN: "arn:aws:sts::111122223333:assumed-role/r/" + user, AccountID: "111122223333",
				AccessKeyID: fmt.Sprintf("ASIAEXAMPLE%09d", i)}
			rec.RequestParameters = json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":"stream-%07d"}`, i))
			if err := s.Add(&rec, nil); err != nil {
				b.Fatal(err)
			}
		}
		s.settle()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		comp := s.compressedBytes()
		b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc)-float64(comp))/n, "index-B/event")
		b.ReportMetric(float64(comp)/n, "compressed-B/event")
	}
}

// BenchmarkLookupAfterShuffledLoad times the first unfiltered and the
// first filtered page after 200,000 events were added in random time
// order (as when history is rebuilt from log files): they pay for sorting.
func BenchmarkLookupAfterShuffledLoad(b *testing.B) {
	const n = 200_000
	recs := make([]schemas.Record, n)
	raws := make([][]byte, n)
	for i := range recs {
		at := DefaultStartTime.Add(-time.Duration(i*7919%n) * 10 * time.Second)
		recs[i] = testRecord(i, at)
		raws[i] = recs[i].AppendJSON(nil)
	}
	var first, second time.Duration
	for b.Loop() {
		b.StopTimer()
		s := NewStore()
		for i := range recs {
			if err := s.Add(&recs[i], raws[i]); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := s.lookup(lookupQuery{region: "us-east-1", limit: 50, hi: math.MaxInt64}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := s.lookup(lookupQuery{region: "us-east-1", kind: attrUsername, value: "user1", limit: 50, hi: math.MaxInt64}); err != nil {
			b.Fatal(err)
		}
		first, second = first+t1.Sub(t0), second+time.Since(t1)
	}
	b.ReportMetric(float64(first.Microseconds())/1000/float64(b.N), "first-ms")
	b.ReportMetric(float64(second.Microseconds())/1000/float64(b.N), "filtered-ms")
}
