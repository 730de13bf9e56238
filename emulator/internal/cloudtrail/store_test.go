package cloudtrail

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/firetrail/firetrail/schemas"
)

// settle sorts every posting list, so that benchmarks time queries only.
func (s *Store) settle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, pl := range s.postings {
		pl.sortTail(s.times)
	}
}

// refEvent is an event as the reference model of the store sees it.
type refEvent struct {
	seq  uint32
	rec  schemas.Record
	raw  []byte
	user string
	res  [][2]string
}

// refMatch reports whether ev matches q, times and cursor aside from q.
func refMatch(ev *refEvent, q lookupQuery) bool {
	if ev.rec.AWSRegion != q.region {
		return false
	}
	t := ev.rec.EventTime.Unix()
	if t < q.lo || t > q.hi || q.cursor && (t > q.curTime || t == q.curTime && ev.seq >= q.curSeq) {
		return false
	}
	r := &ev.rec
	switch q.kind {
	case attrNone:
		return true
	case attrEventID:
		return r.EventID == q.value
	case attrEventName:
		return r.EventName == q.value
	case attrReadOnly:
		return r.ReadOnly.Set() && strconv.FormatBool(r.ReadOnly.Value()) == q.value
	case attrUsername:
		return ev.user == q.value
	case attrEventSource:
		return r.EventSource == q.value
	case attrAccessKeyID:
		return r.UserIdentity.AccessKeyID == q.value
	case attrResourceType, attrResourceName:
		i := 0
		if q.kind == attrResourceName {
			i = 1
		}
		return slices.ContainsFunc(ev.res, func(p [2]string) bool { return p[i] == q.value })
	}
	return false
}

// refStore is a naive model of Store: a list scanned per query.
type refStore struct {
	events []refEvent
	seq    uint32
}

func (r *refStore) add(rec schemas.Record) {
	if !isManagement(&rec) {
		return
	}
	r.events = append(r.events, refEvent{seq: r.seq, rec: rec, raw: rec.AppendJSON(nil),
		user: lookupUsername(&rec.UserIdentity), res: lookupResources(&rec)})
	r.seq++
}

// lookup returns the matches of q, newest first, and whether there are
// more than q.limit.
func (r *refStore) lookup(q lookupQuery) ([]*refEvent, bool) {
	var out []*refEvent
	for i := range r.events {
		if refMatch(&r.events[i], q) {
			out = append(out, &r.events[i])
		}
	}
	slices.SortFunc(out, func(a, b *refEvent) int {
		if c := cmp.Compare(b.rec.EventTime.Unix(), a.rec.EventTime.Unix()); c != 0 {
			return c
		}
		return cmp.Compare(b.seq, a.seq)
	})
	if len(out) > q.limit {
		return out[:q.limit], true
	}
	return out, false
}

// lookupEvent is a LookupEvents Event as a client decodes it.
type lookupEvent struct {
	EventId, EventName, ReadOnly, AccessKeyId, EventSource, Username string
	EventTime                                                        int64
	Resources                                                        []struct{ ResourceType, ResourceName string }
	CloudTrailEvent                                                  string
}

// checkFragment fails t unless frag is the Event of ev.
func checkFragment(t *testing.T, frag []byte, ev *refEvent) {
	t.Helper()
	var got lookupEvent
	if err := json.Unmarshal(frag, &got); err != nil {
		t.Fatalf("fragment %q: %v", frag, err)
	}
	want := lookupEvent{EventId: ev.rec.EventID, EventName: ev.rec.EventName, AccessKeyId: ev.rec.UserIdentity.AccessKeyID,
		EventSource: ev.rec.EventSource, Username: ev.user, EventTime: ev.rec.EventTime.Unix(), CloudTrailEvent: string(ev.raw)}
	if ev.rec.ReadOnly.Set() {
		want.ReadOnly = strconv.FormatBool(ev.rec.ReadOnly.Value())
	}
	for _, r := range ev.res {
		want.Resources = append(want.Resources, struct{ ResourceType, ResourceName string }{r[0], r[1]})
	}
	if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("event %d (-want +got):\n%s", ev.seq, diff)
	}
}

// storeTestRecord returns a varied record numbered i at t, drawing from
// rnd: two regions, empty and shared values, several resource shapes, data
// events, duplicate eventIDs.
func storeTestRecord(i int, t time.Time, rnd *rand.Rand) schemas.Record {
	rec := testRecord(i, t)
	rec.EventName = []string{"DescribeDeliveryStream", "ListDeliveryStreams", "CreateDeliveryStream", "PutRecord", "TagDeliveryStream"}[rnd.IntN(5)]
	if rnd.IntN(7) == 0 {
		rec.AWSRegion = "eu-west-1"
	}
	user := fmt.Sprintf("user%d", rnd.IntN(12))
	rec.UserIdentity.UserName, rec.UserIdentity.ARN = user, "arn:aws:iam::111122223333:user/"+user
	switch rnd.IntN(6) {
	case 0:
		rec.UserIdentity.AccessKeyID = ""
	case 1:
		rec.UserIdentity = schemas.UserIdentity{Type: schemas.IdentityAssumedRole, PrincipalID: "AROAEXAMPLE:sess" + strconv.Itoa(i%9),
			ARN: "arn:aws:sts::111122223333:assumed-role/r/sess" + strconv.Itoa(i%9), AccountID: "111122223333",
			AccessKeyID: fmt.Sprintf("ASIAEXAMPLE%09d", i)}
	}
	rec.ReadOnly = []schemas.OptBool{schemas.BoolTrue, schemas.BoolFalse, 0}[rnd.IntN(3)]
	switch rnd.IntN(5) {
	case 0:
		rec.RequestParameters = nil
	case 1:
		rec.Resources = []schemas.Resource{
			{Type: schemas.FirehoseResourceType, ARN: "arn:aws:firehose:us-east-1:111122223333:deliverystream/s" + strconv.Itoa(i%3)},
			{Type: schemas.FirehoseResourceType, ARN: "arn:aws:firehose:us-east-1:111122223333:deliverystream/s" + strconv.Itoa(i%4)},
			{Type: "AWS::IAM::Role", ARN: "arn:aws:iam::111122223333:role/r" + strconv.Itoa(i%2)},
		}
	default:
		rec.RequestParameters = json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":"stream-%d","pad":%q}`, rnd.IntN(6), strings.Repeat("x\"y", rnd.IntN(200))))
	}
	if rnd.IntN(50) == 0 {
		rec.EventCategory = "Data"
	}
	if rnd.IntN(40) == 0 {
		rec.EventID = "11111111-0000-4000-8000-000000000001" // a duplicate
	}
	return rec
}

// storeTestQueries returns queries over every key, with values present,
// absent and malformed.
func storeTestQueries(base time.Time) []lookupQuery {
	all := lookupQuery{lo: math.MinInt64, hi: math.MaxInt64}
	rng := lookupQuery{lo: base.Add(20 * time.Minute).Unix(), hi: base.Add(50 * time.Minute).Unix()}
	var qs []lookupQuery
	for _, r := range []lookupQuery{all, rng} {
		for _, kv := range []struct {
			kind  int
			value string
		}{
			{attrNone, ""},
			{attrEventID, "11111111-0000-4000-8000-000000000001"},
			{attrEventID, "11111111-0000-4000-8000-000000000040"},
			{attrEventID, "no-such-id"},
			{attrEventName, "CreateDeliveryStream"},
			{attrEventName, "PutRecord"},
			{attrEventName, "Nope"},
			{attrReadOnly, "true"},
			{attrReadOnly, "false"},
			{attrReadOnly, "TRUE"},
			{attrUsername, "user3"},
			{attrUsername, "sess4"},
			{attrResourceType, schemas.FirehoseResourceType},
			{attrResourceType, "AWS::IAM::Role"},
			{attrResourceName, "stream-2"},
			{attrResourceName, "arn:aws:firehose:us-east-1:111122223333:deliverystream/s1"},
			{attrEventSource, schemas.FirehoseEventSource},
			{attrEventSource, "s3.amazonaws.com"},
			{attrAccessKeyID, "AKIAEXAMPLE000000002"},
			{attrAccessKeyID, "ASIAEXAMPLE000000010"},
		} {
			for _, region := range []string{"us-east-1", "eu-west-1", "ap-south-1"} {
				q := r
				q.region, q.kind, q.value = region, kv.kind, kv.value
				qs = append(qs, q)
			}
		}
	}
	return qs
}

// checkAllPages pages through q on s and ref with page size limit and
// fails t on any difference.
func checkAllPages(t *testing.T, s *Store, ref *refStore, q lookupQuery, limit int) {
	t.Helper()
	q.limit = limit
	for pageNo := 0; ; pageNo++ {
		got, err := s.lookup(q)
		if err != nil {
			t.Fatalf("lookup %+v: %v", q, err)
		}
		want, more := ref.lookup(q)
		if len(got.frags) != len(want) || got.more != more {
			t.Fatalf("query %+v page %d: got %d events (more %v), want %d (more %v)", q, pageNo, len(got.frags), got.more, len(want), more)
		}
		for i, f := range got.frags {
			checkFragment(t, f, want[i])
		}
		if !more {
			return
		}
		last := want[len(want)-1]
		if got.lastTime != last.rec.EventTime.Unix() || got.lastSeq != last.seq {
			t.Fatalf("query %+v page %d: cursor (%d, %d), want (%d, %d)", q, pageNo, got.lastTime, got.lastSeq, last.rec.EventTime.Unix(), last.seq)
		}
		q.cursor, q.curTime, q.curSeq = true, got.lastTime, got.lastSeq
	}
}

// TestEventStoreMatchesModel compares every kind of query, paged, with a
// naive model, over stores small (raw, no dictionary yet) and large
// (dictionary and compressed blocks), filled in order, shuffled or with
// late events, with queries between the additions.
func TestEventStoreMatchesModel(t *testing.T) {
	base := DefaultStartTime.Add(-24 * time.Hour)
	tests := []struct {
		name  string
		n     int
		order string // "in", "shuffled", "late"
	}{
		{"empty", 0, "in"},
		{"small in order", 40, "in"},
		{"small shuffled", 40, "shuffled"},
		{"large in order", 1500, "in"},
		{"large shuffled", 1500, "shuffled"},
		{"large with late events", 1500, "late"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(uint64(tc.n), uint64(len(tc.order))))
			s := NewStore()
			ref := &refStore{}
			qs := storeTestQueries(base)
			for i := range tc.n {
				at := base.Add(time.Duration(i) * 3 * time.Second) // several events a second apart share a second
				switch {
				case tc.order == "shuffled":
					at = base.Add(time.Duration(rnd.IntN(tc.n*3)) * time.Second)
				case tc.order == "late" && rnd.IntN(10) == 0:
					at = at.Add(-time.Duration(rnd.IntN(600)) * time.Second)
				}
				rec := storeTestRecord(i, at, rnd)
				if err := s.Add(&rec, rec.AppendJSON(nil)); err != nil {
					t.Fatal(err)
				}
				ref.add(rec)
				if i%300 == 299 { // queries between additions: lists sorted, then grown
					checkAllPages(t, s, ref, qs[rnd.IntN(len(qs))], 50)
				}
			}
			if s.Len() != len(ref.events) {
				t.Fatalf("len() = %d, want %d", s.Len(), len(ref.events))
			}
			for _, q := range qs {
				checkAllPages(t, s, ref, q, 50)
			}
			for _, q := range qs[:6] {
				checkAllPages(t, s, ref, q, 7)
			}
		})
	}
}

// TestEventStoreFragment pins the bytes of one Event fragment.
func TestEventStoreFragment(t *testing.T) {
	s := NewStore()
	rec := testRecord(1, time.Unix(1741079021, 0))
	rec.UserAgent = "a\"b"
	raw := []byte(`{"eventID":"x","userAgent":"a\"b"}`)
	if err := s.Add(&rec, raw); err != nil {
		t.Fatal(err)
	}
	page, err := s.lookup(lookupQuery{region: "us-east-1", kind: attrResourceName, value: "stream-1", hi: math.MaxInt64, limit: 50})
	if err != nil || len(page.frags) != 1 {
		t.Fatalf("lookup = %d events, %v", len(page.frags), err)
	}
	want := `{"EventId":"11111111-0000-4000-8000-000000000001","EventName":"CreateDeliveryStream","ReadOnly":"false",` +
		`"AccessKeyId":"AKIAEXAMPLE000000001","EventTime":1741079021,"EventSource":"firehose.amazonaws.com","Username":"user1",` +
		`"Resources":[{"ResourceType":"AWS::KinesisFirehose::DeliveryStream","ResourceName":"stream-1"}],` +
		`"CloudTrailEvent":"{\"eventID\":\"x\",\"userAgent\":\"a\\\"b\"}"}`
	if got := string(page.frags[0]); got != want {
		t.Errorf("fragment:\n got %s\nwant %s", got, want)
	}
}

// fillStore adds n test records past the dictionary, in time order.
func fillStore(t *testing.T, s *Store, n int) {
	t.Helper()
	for i := range n {
		rec := testRecord(i, DefaultStartTime.Add(time.Duration(i)*time.Second))
		if err := s.Add(&rec, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEventStoreCorrupt shows damaged storage yields errors, not panics.
func TestEventStoreCorrupt(t *testing.T) {
	tests := []struct {
		name    string
		damage  func(s *Store)
		wantErr string
	}{
		{"compressed bytes", func(s *Store) {
			b := s.blocks[1]
			for i := b.off + 2; i < b.off+b.n; i++ { // past the length
				s.chunks[b.chunk][i] ^= 0x5a
			}
		}, "decode block"},
		{"block location", func(s *Store) { s.blocks[1].n = 1 << 30 }, "outside its chunk"},
		{"fragment location", func(s *Store) { s.locs[len(s.locs)-1].n = 1 << 30 }, "outside block"},
		{"compressed length", func(s *Store) { s.chunks[0][s.blocks[1].off] ^= 0x40 }, "bad length"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			fillStore(t, s, 400)
			if len(s.chunks) == 0 || len(s.open) == 0 {
				t.Fatalf("store has %d chunks, open block %d bytes: want both", len(s.chunks), len(s.open))
			}
			tc.damage(s)
			_, err := s.lookup(lookupQuery{region: "us-east-1", hi: math.MaxInt64, limit: 50, lo: math.MinInt64,
				cursor: true, curTime: math.MaxInt64})
			if err == nil {
				// The damage may lie below the newest page: page on.
				q := lookupQuery{region: "us-east-1", hi: math.MaxInt64, lo: math.MinInt64, limit: 50}
				for err == nil {
					var p lookupPage
					p, err = s.lookup(q)
					if err == nil && !p.more {
						break
					}
					q.cursor, q.curTime, q.curSeq = true, p.lastTime, p.lastSeq
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("lookup error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

// TestEventStoreConcurrent adds late events while querying (run with
// -race).
func TestEventStoreConcurrent(t *testing.T) {
	s := NewStore()
	fillStore(t, s, 300)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 300 {
				rec := testRecord(1000*(w+1)+i, DefaultStartTime.Add(time.Duration(i%50)*time.Second))
				if err := s.Add(&rec, nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for i := range 100 {
				q := lookupQuery{region: "us-east-1", kind: []int{attrNone, attrUsername, attrEventID}[i%3], limit: 50, hi: math.MaxInt64}
				q.value = []string{"", "user1", "11111111-0000-4000-8000-000000000005"}[i%3]
				if _, err := s.lookup(q); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	page, err := s.lookup(lookupQuery{region: "us-east-1", kind: attrUsername, value: "user2", limit: 50, hi: math.MaxInt64})
	if err != nil || len(page.frags) != 50 || !page.more {
		t.Fatalf("lookup after concurrent adds = %d events (more %v), %v", len(page.frags), page.more, err)
	}
}

// TestEventStoreLargeRecord stores records far larger than a block, before
// and after the dictionary exists, and reads them back whole.
func TestEventStoreLargeRecord(t *testing.T) {
	s := NewStore()
	ref := &refStore{}
	for i := range 300 {
		rec := testRecord(i, DefaultStartTime.Add(time.Duration(i)*time.Second))
		if i == 3 || i == 250 {
			rec.RequestParameters = json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":"big","blob":%q}`, strings.Repeat("0123456789abcdef\"", 40_000)))
		}
		if err := s.Add(&rec, nil); err != nil {
			t.Fatal(err)
		}
		ref.add(rec)
	}
	q := lookupQuery{region: "us-east-1", kind: attrResourceName, value: "big", lo: math.MinInt64, hi: math.MaxInt64}
	checkAllPages(t, s, ref, q, 50)
	q.kind, q.value = attrNone, ""
	checkAllPages(t, s, ref, q, 50)
}
