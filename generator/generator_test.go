package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/firetrail/firetrail/schemas"
)

// ndjson runs g and returns its records as ndjson.
func ndjson(t testing.TB, g *Generator) []byte {
	t.Helper()
	var buf []byte
	for rec := range g.Records() {
		buf = rec.AppendJSON(buf)
		buf = append(buf, '\n')
	}
	if err := g.Err(); err != nil {
		t.Fatalf("Records: %v", err)
	}
	return buf
}

func mustNew(t testing.TB, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return g
}

func lines(b []byte) [][]byte { return bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n")) }

func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 99, Events: 5000, Accounts: 2, Org: true, Scenario: ScenarioAll}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var sums [][32]byte
	for _, procs := range []int{1, 8, 8} {
		runtime.GOMAXPROCS(procs)
		sums = append(sums, sha256.Sum256(ndjson(t, mustNew(t, cfg))))
	}
	for i, s := range sums[1:] {
		if s != sums[0] {
			t.Errorf("run %d: sha256 %x, want %x", i+1, s, sums[0])
		}
	}
	// A generator replays the same records when ranged over again.
	g := mustNew(t, cfg)
	if a, b := ndjson(t, g), ndjson(t, g); !bytes.Equal(a, b) {
		t.Error("second range over Records differs from the first")
	}
	// Other seeds give other records.
	cfg.Seed = 100
	if sha256.Sum256(ndjson(t, mustNew(t, cfg))) == sums[0] {
		t.Error("seed 100 gives the bytes of seed 99")
	}
}

func TestSeedZeroReplays(t *testing.T) {
	a := ndjson(t, mustNew(t, Config{Events: 300}))
	b := ndjson(t, mustNew(t, Config{Seed: 0, Events: 300}))
	if !bytes.Equal(a, b) {
		t.Fatal("seed 0 does not replay")
	}
}

func TestShardsUnion(t *testing.T) {
	const events = 3001
	whole := lines(ndjson(t, mustNew(t, Config{Seed: 5, Events: events, Scenario: ScenarioAll})))
	if len(whole) != events {
		t.Fatalf("whole run has %d records, want %d", len(whole), events)
	}
	for _, n := range []int{2, 3, 7} {
		union := make([][]byte, 0, events)
		parts := make([][][]byte, n)
		var eventIDs []string
		for k := range n {
			g := mustNew(t, Config{Seed: 5, Events: events, Scenario: ScenarioAll, Shard: k, Shards: n})
			parts[k] = lines(ndjson(t, g))
			for _, inc := range g.Manifest().Incidents {
				eventIDs = append(eventIDs, inc.EventIDs...)
			}
		}
		// Shard k holds the records whose index is k mod n, in order.
		for i := range events {
			k := i % n
			if len(parts[k]) <= i/n {
				t.Fatalf("%d shards: shard %d ends early", n, k)
			}
			union = append(union, parts[k][i/n])
		}
		total := 0
		for _, p := range parts {
			total += len(p)
		}
		if total != events {
			t.Errorf("%d shards: %d records in all, want %d (parts overlap)", n, total, events)
		}
		for i := range whole {
			if !bytes.Equal(union[i], whole[i]) {
				t.Fatalf("%d shards: record %d differs from the whole run", n, i)
			}
		}
		g := mustNew(t, Config{Seed: 5, Events: events, Scenario: ScenarioAll})
		ndjson(t, g)
		var want []string
		for _, inc := range g.Manifest().Incidents {
			want = append(want, inc.EventIDs...)
		}
		slices.Sort(want)
		slices.Sort(eventIDs)
		if !slices.Equal(want, eventIDs) {
			t.Errorf("%d shards: manifests' eventIDs %v, want %v", n, eventIDs, want)
		}
	}
}

// pacedStats are the figures TestPacedWorld checks of a paced run.
type pacedStats struct {
	records, data int
	// burst is the most management calls (not data events) of one
	// operation that one account makes in one second.
	burst int
	// toData are the seconds from each successful CreateDeliveryStream to
	// the first data call its stream accepts.
	toData []int64
	// busiest is the most data calls one stream accepts in one second;
	// throttled the data calls refused as past a stream's quota; failed
	// and denied the data calls that failed, and were denied.
	busiest, throttled, failed, denied int
	first, last                        time.Time
	management                         int
	distinctTime                       int // distinct eventTimes
}

// streamOf returns "account region name" of the stream a record's call
// names (its request's deliveryStreamName).
func streamOf(t *testing.T, rec *schemas.Record) string {
	t.Helper()
	// The name leads the request: a whole decode of a PutRecordBatch's
	// records, at every data event, would be most of a long test's time.
	const lead = `{"deliveryStreamName":"`
	name, _, _ := strings.Cut(strings.TrimPrefix(string(rec.RequestParameters), lead), `"`)
	if !bytes.HasPrefix(rec.RequestParameters, []byte(lead)) || name == "" {
		t.Fatalf("%s requestParameters %s", rec.EventName, rec.RequestParameters)
	}
	return rec.RecipientAccountID + " " + rec.AWSRegion + " " + name
}

func pacedRun(t *testing.T, cfg Config) pacedStats {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var st pacedStats
	perSecond := map[string]int{}
	created := map[string]int64{}
	puts := map[string]int{}
	var prev time.Time
	for rec := range g.Records() {
		st.records++
		if st.first.IsZero() {
			st.first = rec.EventTime
		}
		if !rec.EventTime.Equal(prev) {
			st.distinctTime++
			prev = rec.EventTime
		}
		st.last = rec.EventTime
		data := rec.EventName == "PutRecord" || rec.EventName == "PutRecordBatch"
		if data {
			st.data++
		} else {
			st.management++
			k := fmt.Sprint(rec.RecipientAccountID, rec.EventName, rec.EventTime.Unix())
			perSecond[k]++
			st.burst = max(st.burst, perSecond[k])
		}
		if slow := schemas.FirehoseSlowDown(); data && rec.ErrorCode == slow.Code && rec.ErrorMessage == slow.Message {
			st.throttled++
		}
		if data && rec.ErrorCode != "" {
			st.failed++
			if rec.ErrorCode == schemas.FirehoseAccessDenied {
				st.denied++
			}
		}
		if rec.ErrorCode != "" || !data && rec.EventName != "CreateDeliveryStream" {
			continue
		}
		k := streamOf(t, &rec)
		if data {
			ks := fmt.Sprint(k, " ", rec.EventTime.Unix())
			puts[ks]++
			st.busiest = max(st.busiest, puts[ks])
		}
		if !data {
			created[k] = rec.EventTime.Unix()
		} else if c, ok := created[k]; ok {
			st.toData = append(st.toData, rec.EventTime.Unix()-c)
			delete(created, k)
		}
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestPacedWorld: paced, the world runs at the pace of the records' time.
// At 20,000 records a second an account's management calls keep a
// working day's pace (a few a minute, no operation more than a few times
// a second) and its producers' data events
// fill the rate; a new stream takes data 20 to 60 seconds after its
// create, not milliseconds. Without data events the world is hurried into
// the records' time instead, and RateMax puts every record at Start with
// the world at its own pace. (The generator used to hurry the world at
// every rate: 15% data events, hundreds of CreateDeliveryStream a second.)
func TestPacedWorld(t *testing.T) {
	start := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	events := 1_200_000 // a minute at 20,000/s
	if testing.Short() {
		events = 300_000
	}
	st := pacedRun(t, Config{Seed: 1, Events: events, Rate: 20000, Accounts: 3, Start: start})
	span := st.last.Sub(st.first).Seconds() + 1
	if share := float64(st.data) / float64(st.records); share < 0.99 || st.burst > 8 || float64(st.management)/span > 3 {
		t.Errorf("rate 20000, 3 accounts: %.4f of the records data events, %d management calls in %.0f s, up to %d of one operation an account makes in a second; want over 0.99, at most 3 a second, at most 8",
			share, st.management, span, st.burst)
	}
	// Producers fail as the data plane fails calls (ErrorShare), never
	// with denials at random.
	if fail := float64(st.failed) / float64(st.data); st.denied != 0 || fail < 0.02 || fail > 0.06 {
		t.Errorf("rate 20000: %d of %d data calls denied, %.3f failed; want none denied, about 0.04 failed", st.denied, st.data, fail)
	}
	// Enough production streams that none nears its quota of requests
	// (2,000 a second in the default regions).
	if st.busiest > 1500 {
		t.Errorf("rate 20000, 3 accounts: up to %d data calls a second accepted on one stream, want at most 1500", st.busiest)
	}
	st = pacedRun(t, Config{Seed: 1, Events: events, Rate: 20000, Accounts: 1, Start: start})
	if st.busiest > 1500 {
		t.Errorf("rate 20000, 1 account: up to %d data calls a second accepted on one stream, want at most 1500", st.busiest)
	}

	// Slow enough to see streams come up: 20 records a second for 2.8
	// hours of records.
	st = pacedRun(t, Config{Seed: 2, Events: 200_000, Rate: 20, Start: start})
	if len(st.toData) < 10 || slices.Min(st.toData) < 20 || st.burst > 8 {
		t.Errorf("rate 20: create to first accepted data call %v s (want 10 or more, each at least 20 s), up to %d of one operation in a second (want at most 8)", st.toData, st.burst)
	}
	if share := float64(st.data) / float64(st.records); share < 0.9 || share > 0.995 {
		t.Errorf("rate 20: %.4f of the records data events, want 0.9 to 0.995", share)
	}

	// With no stream to put to at first, the world runs ahead until it
	// has created one, then data events fill from there.
	st = pacedRun(t, Config{Seed: 3, Events: 50_000, Rate: 20000, EmptyWorld: true, Start: start})
	// Its first stream takes the whole rate: past 2,000 calls a second
	// AWS refuses them.
	if share := float64(st.data) / float64(st.records); st.records != 50_000 || share < 0.9 || st.busiest > 2000 || st.throttled == 0 {
		t.Errorf("rate 20000, no streams at first: %d records, %.3f data events, up to %d accepted on a stream in a second, %d refused; want 50000, over 0.9, at most its quota of 2000, some refused",
			st.records, share, st.busiest, st.throttled)
	}

	st = pacedRun(t, Config{Seed: 1, Events: 100_000, Rate: 20000, DataEventShare: -1, Start: start})
	if st.data != 0 || st.burst < 100 {
		t.Errorf("rate 20000 without data events: %d data events, up to %d calls of one operation a second; want none, a hurried world", st.data, st.burst)
	}

	st = pacedRun(t, Config{Seed: 1, Events: 20_000, Rate: RateMax, Start: start})
	if share := float64(st.data) / float64(st.records); st.distinctTime != 1 || !st.first.Equal(start) || share < 0.1 || share > 0.2 {
		t.Errorf("RateMax: %d distinct eventTimes from %v, %.3f data events; want every record at %v, about 0.15 data events", st.distinctTime, st.first, share, start)
	}
}

// TestPaced: with Config.Rate, record i happens at Start + ⌊i/Rate⌋, and
// the world's records do not depend on Start, so shards started at
// different instants still split one run.
func TestPaced(t *testing.T) {
	const events, rate = 4001, 150
	starts := []time.Time{
		time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 6, 3, 17, 41, 0, time.UTC), // a Sunday night
	}
	cfg := Config{Seed: 12, Events: events, Rate: rate, Scenario: ScenarioAll}
	var runs [][]decoded
	for _, start := range starts {
		cfg.Start = start
		recs := decodeAll(t, ndjson(t, mustNew(t, cfg)))
		for i, d := range recs {
			if want := start.Add(time.Duration(i/rate) * time.Second); !d.EventTime.Equal(want) {
				t.Fatalf("start %v: record %d at %v, want %v", start, i, d.EventTime, want)
			}
		}
		runs = append(runs, recs)
	}
	for i := range runs[0] {
		a, b := runs[0][i], runs[1][i]
		if a.EventID != b.EventID || a.EventName != b.EventName || a.UserIdentity.ARN != b.UserIdentity.ARN || !bytes.Equal(a.RequestParameters, b.RequestParameters) {
			t.Fatalf("record %d differs between starts: %s %s vs %s %s", i, a.EventID, a.EventName, b.EventID, b.EventName)
		}
	}
	// Sessions last by the written time: the run's 27 seconds renew none,
	// so a role has one session for each principal that uses it (two at
	// most in this world; about 40 on the working-week timeline, where the
	// same number of records spans eight hours).
	perRole := map[string]map[string]bool{}
	for _, d := range runs[0] {
		if sc := d.UserIdentity.SessionContext; sc != nil && sc.SessionIssuer != nil {
			if perRole[sc.SessionIssuer.ARN] == nil {
				perRole[sc.SessionIssuer.ARN] = map[string]bool{}
			}
			perRole[sc.SessionIssuer.ARN][d.UserIdentity.AccessKeyID] = true
		}
	}
	if len(perRole) == 0 {
		t.Error("no record signed by a role's session")
	}
	for role, keys := range perRole {
		if len(keys) > 2 {
			t.Errorf("%s: %d sessions in %v of records", role, len(keys), runs[0][len(runs[0])-1].EventTime.Sub(starts[0]))
		}
	}
	// Three shards, each started a second after the one before.
	whole := map[string]bool{}
	for _, d := range runs[0] {
		whole[d.EventID] = true
	}
	union := map[string]bool{}
	for k := range 3 {
		cfg.Start, cfg.Shard, cfg.Shards = starts[0].Add(time.Duration(k)*time.Second), k, 3
		for _, d := range decodeAll(t, ndjson(t, mustNew(t, cfg))) {
			union[d.EventID] = true
		}
	}
	if !maps.Equal(whole, union) {
		t.Errorf("three shards started a second apart: %d eventIDs, %d of the whole run's %d", len(union), countIn(union, whole), len(whole))
	}
	// A rate too slow for the calendar stops at its end.
	recs := decodeAll(t, ndjson(t, mustNew(t, Config{Events: 3, Rate: 1e-300})))
	if last := recs[2].EventTime; last.Format(time.RFC3339) != "9999-12-31T23:59:59Z" {
		t.Errorf("rate 1e-300: third record at %v, want the last second of 9999", last)
	}
}

// countIn counts the keys of a that are in b.
func countIn(a, b map[string]bool) int {
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return n
}

// decoded is a record decoded with encoding/json for checks.
type decoded struct {
	schemas.Record
	raw []byte
}

func decodeAll(t testing.TB, b []byte) []decoded {
	t.Helper()
	var out []decoded
	for i, l := range lines(b) {
		var d decoded
		if err := json.Unmarshal(l, &d.Record); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		d.raw = l
		out = append(out, d)
	}
	return out
}

// destinationOf returns the destination member of a Create's
// requestParameters.
func destinationOf(req []byte) string {
	var m map[string]json.RawMessage
	json.Unmarshal(req, &m)
	for k := range m {
		if strings.HasSuffix(k, "DestinationConfiguration") {
			return strings.TrimSuffix(k, "DestinationConfiguration")
		}
	}
	return ""
}

func TestDistribution(t *testing.T) {
	events := 100_000
	if testing.Short() {
		events = 30_000
	}
	tests := []struct {
		name     string
		cfg      Config
		allCodes bool // every error code must occur
	}{
		{"defaults", Config{Seed: 1, Events: events, Accounts: 3}, true},
		{"mostly reads, many errors", Config{Seed: 2, Events: events, Accounts: 2, ReadOnlyShare: 0.85, ErrorShare: 0.10, DataEventShare: 0.05}, true},
		{"more writes, few errors", Config{Seed: 3, Events: events, ReadOnlyShare: 0.5, ErrorShare: 0.015, DataEventShare: 0.25, Org: true}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustNew(t, tc.cfg)
			cfg := g.Config()
			names, idTypes, codes, dests := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
			reads, errs, datas, n := 0, 0, 0, 0
			for rec := range g.Records() {
				n++
				names[rec.EventName]++
				idTypes[rec.UserIdentity.Type]++
				if rec.ErrorCode != "" {
					codes[rec.ErrorCode]++
					errs++
				}
				if rec.ReadOnly.Value() {
					reads++
				}
				if rec.EventCategory == "Data" {
					datas++
				}
				if rec.EventName == "CreateDeliveryStream" {
					dests[destinationOf(rec.RequestParameters)]++
				}
			}
			if err := g.Err(); err != nil {
				t.Fatal(err)
			}
			missing := func(what string, want []string, got map[string]int) {
				t.Helper()
				for _, w := range want {
					if got[w] == 0 {
						t.Errorf("no %s %s in %d records (got %v)", what, w, n, got)
					}
				}
			}
			missing("action", Actions(), names)
			missing("identity type", IdentityTypes(cfg.Identities), idTypes)
			if tc.allCodes {
				missing("error code", ErrorCodes(), codes)
			}
			missing("destination", []string{"s3", "extendedS3", "redshift", "elasticsearch", "amazonopensearchservice",
				"amazonOpenSearchServerless", "splunk", "httpEndpoint", "snowflake", "iceberg"}, dests)
			share := func(what string, got int, want float64) {
				t.Helper()
				if s := float64(got) / float64(n); s < want-0.02 || s > want+0.02 {
					t.Errorf("%s share %.4f, want %.2f ± 0.02", what, s, want)
				}
			}
			share("read-only", reads, cfg.ReadOnlyShare)
			share("error", errs, cfg.ErrorShare)
			share("data event", datas, cfg.DataEventShare)
		})
	}
}

func TestNoDataEventsNoErrors(t *testing.T) {
	g := mustNew(t, Config{Seed: 4, Events: 20000, DataEventShare: -1, ErrorShare: -1})
	errs := 0
	for rec := range g.Records() {
		if rec.EventCategory != "Management" || !rec.ManagementEvent.Value() {
			t.Fatalf("%s: eventCategory %q managementEvent %v with data events off", rec.EventName, rec.EventCategory, rec.ManagementEvent)
		}
		if rec.ErrorCode != "" {
			errs++
		}
	}
	// Only the world's own state fails calls (describe after delete, ...).
	if s := float64(errs) / 20000; s > 0.02 {
		t.Errorf("error share %.4f with injected errors off, want ≤ 0.02", s)
	}
}

// TestConsistency checks the world's rules on every record of a run, on
// the working-week timeline and paced as load sends records.
func TestConsistency(t *testing.T) {
	cfg := Config{Seed: 11, Events: 30000, Accounts: 3, Regions: []string{"us-east-1", "eu-central-1"}, Scenario: ScenarioAll}
	t.Run("working week", func(t *testing.T) { checkConsistency(t, cfg) })
	// Before the instant the paced world runs from (DefaultStart).
	cfg.Rate, cfg.Start = 2000, time.Date(2024, 6, 30, 23, 59, 58, 0, time.UTC)
	t.Run("paced", func(t *testing.T) { checkConsistency(t, cfg) })
}

func checkConsistency(t *testing.T, cfg Config) {
	recs := decodeAll(t, ndjson(t, mustNew(t, cfg)))
	seen := map[string]bool{}
	sessions := map[string]string{} // access key → session creation date
	var prev time.Time
	created := map[string]time.Time{} // stream ARN → create time in this run
	version := map[string]int{}       // stream ARN → last successful update's version
	for i, d := range recs {
		r := &d.Record
		where := fmt.Sprintf("record %d (%s)", i, r.EventName)
		if r.EventTime.Before(prev) {
			t.Fatalf("%s: eventTime %v before %v", where, r.EventTime, prev)
		}
		prev = r.EventTime
		if seen[r.EventID] {
			t.Fatalf("%s: eventID %s repeats", where, r.EventID)
		}
		seen[r.EventID] = true
		if !uuidV4(r.EventID) || !uuidV4(r.RequestID) {
			t.Errorf("%s: eventID %q requestID %q not v4 UUIDs", where, r.EventID, r.RequestID)
		}
		id := &r.UserIdentity
		switch {
		case strings.HasPrefix(id.AccessKeyID, "ASIA") != (id.SessionContext != nil):
			t.Errorf("%s: accessKeyId %q with sessionContext %v", where, id.AccessKeyID, id.SessionContext != nil)
		case id.AccessKeyID != "" && len(id.AccessKeyID) != 20:
			t.Errorf("%s: accessKeyId %q not 20 characters", where, id.AccessKeyID)
		}
		if sc := id.SessionContext; sc != nil && sc.Attributes != nil {
			// A session is created before its first call, lasts at most
			// 1.5 × 12 hours and keeps its creation date.
			cd := sc.Attributes.CreationDate
			if c, err := time.Parse(time.RFC3339, cd); err != nil || c.After(r.EventTime) || r.EventTime.Sub(c) > 18*time.Hour {
				t.Errorf("%s: session created %q, for a call at %v", where, cd, r.EventTime)
			}
			if was, ok := sessions[id.AccessKeyID]; ok && was != cd {
				t.Errorf("%s: session %s created %s, earlier %s", where, id.AccessKeyID, cd, was)
			}
			sessions[id.AccessKeyID] = cd
		}
		if id.ARN != "" && !strings.Contains(id.ARN, "::"+id.AccountID+":") {
			t.Errorf("%s: arn %s not in account %s", where, id.ARN, id.AccountID)
		}
		if id.Type != "AWSAccount" && id.Type != "AWSService" && id.AccountID != r.RecipientAccountID {
			t.Errorf("%s: %s of account %s in records of %s", where, id.Type, id.AccountID, r.RecipientAccountID)
		}
		proxied := id.InvokedBy != "" || r.UserAgent == "AWS Internal"
		if proxied == (r.TLSDetails != nil) {
			t.Errorf("%s: userAgent %q invokedBy %q with tlsDetails %v", where, r.UserAgent, id.InvokedBy, r.TLSDetails)
		}
		if r.TLSDetails != nil && r.TLSDetails.ClientProvidedHostHeader != "firehose."+r.AWSRegion+".amazonaws.com" {
			t.Errorf("%s: host header %q in %s", where, r.TLSDetails.ClientProvidedHostHeader, r.AWSRegion)
		}
		if id.InvokedBy != "" && r.SourceIPAddress != id.InvokedBy {
			t.Errorf("%s: invokedBy %s from %s", where, id.InvokedBy, r.SourceIPAddress)
		}
		if string(r.ResponseElements) == "null" {
			r.ResponseElements = nil
		}
		if r.ErrorCode != "" && r.ResponseElements != nil {
			t.Errorf("%s: error %s with responseElements %s", where, r.ErrorCode, r.ResponseElements)
		}
		if r.ErrorCode != "" && r.ErrorMessage == "" {
			t.Errorf("%s: error %s without a message", where, r.ErrorCode)
		}
		if (r.ErrorCode == "" && r.EventName == "CreateDeliveryStream") != (r.ResponseElements != nil) {
			t.Errorf("%s: responseElements %s with errorCode %q", where, r.ResponseElements, r.ErrorCode)
		}
		if r.ReadOnly.Value() != slices.Contains([]string{"DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream"}, r.EventName) {
			t.Errorf("%s: readOnly %v", where, r.ReadOnly.Value())
		}
		if ro := schemas.FirehoseReadOnly(r.EventName); ro != r.ReadOnly.Value() {
			t.Errorf("%s: readOnly %v, schemas says %v", where, r.ReadOnly.Value(), ro)
		}
		if r.ErrorCode == ErrResourceNotFound && !strings.HasSuffix(r.ErrorMessage, " under account "+r.RecipientAccountID+" not found.") {
			t.Errorf("%s: message %q", where, r.ErrorMessage)
		}
		if r.ErrorCode == ErrAccessDenied && !strings.HasPrefix(r.ErrorMessage, "User: "+id.ARN+" is not authorized to perform: firehose:"+r.EventName+" on resource: arn:aws:firehose:"+r.AWSRegion+":"+r.RecipientAccountID+":deliverystream/") {
			t.Errorf("%s: message %q", where, r.ErrorMessage)
		}
		var req struct {
			Name    string `json:"deliveryStreamName"`
			Version string `json:"currentDeliveryStreamVersionId"`
		}
		json.Unmarshal(r.RequestParameters, &req)
		if req.Name == "" {
			continue
		}
		arn := "arn:aws:firehose:" + r.AWSRegion + ":" + r.RecipientAccountID + ":deliverystream/" + req.Name
		if r.EventName == "CreateDeliveryStream" && r.ErrorCode == "" {
			if want := `{"deliveryStreamARN":"` + arn + `"}`; string(r.ResponseElements) != want {
				t.Errorf("%s: responseElements %s, want %s", where, r.ResponseElements, want)
			}
			created[arn] = r.EventTime
			delete(version, arn)
		}
		if c, ok := created[arn]; ok && r.ErrorCode == "" && r.EventTime.Before(c) {
			t.Errorf("%s: %s succeeds before its creation at %v", where, req.Name, c)
		}
		if r.Resources != nil && (len(r.Resources) != 1 || r.Resources[0].ARN != arn) {
			t.Errorf("%s: resources %v, want %s", where, r.Resources, arn)
		}
		if r.EventName == "UpdateDestination" && r.ErrorCode == "" {
			var v int
			fmt.Sscan(req.Version, &v)
			if last, ok := version[arn]; ok && v != last+1 {
				t.Errorf("%s: version %d after %d", where, v, last)
			}
			version[arn] = v
		}
	}
}

func uuidV4(s string) bool {
	if len(s) != 36 || s[14] != '4' || !strings.ContainsRune("89ab", rune(s[19])) {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !strings.ContainsRune(hexDigits, c) {
			return false
		}
	}
	return true
}

func TestWorkingDay(t *testing.T) {
	g := mustNew(t, Config{Seed: 8, Events: 20000})
	var day, night int
	for rec := range g.Records() {
		h := rec.EventTime.Hour()
		switch {
		case rec.EventTime.Weekday() == time.Saturday || rec.EventTime.Weekday() == time.Sunday:
		case h >= 9 && h < 17:
			day++
		case h < 5:
			night++
		}
	}
	// 8 working hours against 5 night hours: per hour, days are far busier.
	if float64(day)/8 < 4*float64(night)/5 {
		t.Errorf("%d records in working hours, %d at night: no working-day rhythm", day, night)
	}
}

// TestSecretsNeverAppear collects every secret the world holds (Redshift
// passwords, Splunk HEC tokens, HTTP endpoint access keys, Snowflake keys)
// and looks for them in the output.
func TestSecretsNeverAppear(t *testing.T) {
	g := mustNew(t, Config{Seed: 21, Events: 10000, Accounts: 2, EmptyWorld: true})
	var secrets []string
	g.onSecret = func(s string) { secrets = append(secrets, s) }
	out := ndjson(t, g)
	if len(secrets) < 20 {
		t.Fatalf("only %d secrets in the world", len(secrets))
	}
	// Secrets can only travel in the requests of writes that carry a
	// destination; look for every secret there, and for some everywhere.
	var writes []byte
	for i, l := range lines(out) {
		var r schemas.Record
		if err := json.Unmarshal(l, &r); err != nil {
			t.Fatal(err)
		}
		if r.EventName == "CreateDeliveryStream" || r.EventName == "UpdateDestination" {
			writes = append(writes, l...)
		}
		if ptrs := schemas.FindUnredactedSecrets(r.EventName, r.RequestParameters); len(ptrs) > 0 {
			t.Errorf("record %d (%s): unredacted %v", i, r.EventName, ptrs)
		}
	}
	for i, s := range secrets {
		if bytes.Contains(writes, []byte(s)) || i%16 == 0 && bytes.Contains(out, []byte(s)) {
			t.Errorf("secret %q appears in the output", s)
		}
	}
}

// TestHandWrittenRequests checks the requests appended by hand against the
// renderer.
func TestHandWrittenRequests(t *testing.T) {
	for _, name := range []string{"a", "orders-prod-to-s3", "x.y_z-1", `q"uote\<&>`} {
		for _, in := range []any{
			&firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)},
			&firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String(name)},
			&firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String(name)},
			&firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String(name)},
		} {
			want, err := schemas.RenderFirehoseRequest(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := nameRequest(nil, name); !bytes.Equal(got, want) {
				t.Errorf("nameRequest(%q) = %s, want %s (%T)", name, got, want, in)
			}
		}
		arn := "arn:aws:firehose:us-east-1:111122223333:deliverystream/" + name
		want, err := schemas.RenderFirehoseResponse(&firehose.CreateDeliveryStreamOutput{DeliveryStreamARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if got := createResponse(nil, arn); !bytes.Equal(got, want) {
			t.Errorf("createResponse(%q) = %s, want %s", arn, got, want)
		}
	}
}

func TestEventVersions(t *testing.T) {
	tests := []struct {
		version                                string
		managementEvent, eventCategory, tlsAny bool
	}{
		{"1.02", false, false, false},
		{"1.05", false, false, false},
		{"1.06", true, false, false},
		{"1.07", true, true, false},
		{"1.08", true, true, true},
		{"1.11", true, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			var tls bool
			for rec := range mustNew(t, Config{Seed: 1, Events: 500, EventVersion: tc.version}).Records() {
				if rec.EventVersion != tc.version {
					t.Fatalf("eventVersion %q", rec.EventVersion)
				}
				if rec.ManagementEvent.Set() != tc.managementEvent || (rec.EventCategory != "") != tc.eventCategory {
					t.Fatalf("managementEvent %v eventCategory %q at %s", rec.ManagementEvent, rec.EventCategory, tc.version)
				}
				tls = tls || rec.TLSDetails != nil
			}
			if tls != tc.tlsAny {
				t.Errorf("tlsDetails present %v at %s", tls, tc.version)
			}
		})
	}
}

func TestScenarios(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc, func(t *testing.T) {
			g := mustNew(t, Config{Seed: 6, Events: 4000, Scenario: sc})
			byID := map[string]schemas.Record{}
			for rec := range g.Records() {
				byID[rec.EventID] = rec
			}
			m := g.Manifest()
			if m.Scenario != sc || m.Config.Seed != 6 {
				t.Errorf("manifest scenario %q config %+v", m.Scenario, m.Config)
			}
			want := map[string]bool{}
			for _, inc := range m.Incidents {
				want[inc.Label] = true
				if len(inc.EventIDs) == 0 {
					t.Errorf("incident %s: no eventIDs", inc.Label)
				}
				names := map[string]bool{}
				for _, id := range inc.EventIDs {
					rec, ok := byID[id]
					if !ok {
						t.Fatalf("incident %s: eventID %s not in the output", inc.Label, id)
					}
					names[rec.EventName] = true
					if inc.Label == ScenarioAccessDeniedBurst && rec.ErrorCode != ErrAccessDenied {
						t.Errorf("burst record %s: errorCode %q", rec.EventName, rec.ErrorCode)
					}
					if inc.Label != ScenarioAccessDeniedBurst && rec.ErrorCode != "" {
						t.Errorf("incident %s record %s failed: %s", inc.Label, rec.EventName, rec.ErrorCode)
					}
				}
				key := map[string]string{
					ScenarioUnfamiliarDelete:  "DeleteDeliveryStream",
					ScenarioEncryptionStopped: "StopDeliveryStreamEncryption",
					ScenarioExfilDestination:  "UpdateDestination",
					ScenarioAccessDeniedBurst: "ListDeliveryStreams",
				}[inc.Label]
				if !names[key] {
					t.Errorf("incident %s: no %s among %v", inc.Label, key, slices.Sorted(maps.Keys(names)))
				}
			}
			if sc != ScenarioAll && !want[sc] || sc == ScenarioAll && len(want) != 4 {
				t.Errorf("incidents %v for scenario %s", want, sc)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative events", Config{Events: -1}, "events -1"},
		{"bad region", Config{Regions: []string{"mars-1"}}, `region "mars-1"`},
		{"duplicate region", Config{Regions: []string{"us-east-1", "us-east-1"}}, "listed twice"},
		{"bad shard", Config{Shard: 3, Shards: 2}, "shard 3/2"},
		{"negative shard", Config{Shard: -1, Shards: 2}, "shard -1/2"},
		{"unknown scenario", Config{Scenario: "heist"}, `scenario "heist"`},
		{"bad event version", Config{EventVersion: "2.0"}, `event version "2.0"`},
		{"bad org id", Config{OrgID: "org-1"}, `org id "org-1"`},
		{"too many accounts", Config{Accounts: 5000}, "accounts 5000"},
		{"error share", Config{ErrorShare: 0.9}, "error share"},
		{"shares overflow", Config{ReadOnlyShare: 0.9, DataEventShare: 0.2}, "read-only share"},
		{"NaN share", Config{ErrorShare: math.NaN()}, "error share NaN: not a number"},
		{"negative rate", Config{Rate: -1}, "rate -1"},
		{"NaN rate", Config{Rate: math.NaN()}, "rate NaN"},
		{"infinite rate", Config{Rate: math.Inf(1)}, "rate +Inf"},
		{"start too early", Config{Start: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}, "start 1969-12-31T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%+v) = %v, want an error containing %q", tc.cfg, err, tc.want)
			}
		})
	}
}

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		k, n int
		ok   bool
	}{
		{"0/1", 0, 1, true}, {"2/3", 2, 3, true}, {"3/2", 0, 0, false}, {"1/0", 0, 0, false},
		{"-1/2", 0, 0, false}, {"1", 0, 0, false}, {"a/b", 0, 0, false}, {"", 0, 0, false}, {"1/2/3", 0, 0, false},
	}
	for _, tc := range tests {
		k, n, err := ParseShard(tc.in)
		if (err == nil) != tc.ok || k != tc.k || n != tc.n {
			t.Errorf("ParseShard(%q) = %d, %d, %v", tc.in, k, n, err)
		}
	}
}

func TestEarlyStop(t *testing.T) {
	g := mustNew(t, Config{Seed: 1, Events: 1000})
	n := 0
	for range g.Records() {
		if n++; n == 10 {
			break
		}
	}
	if n != 10 || g.Err() != nil {
		t.Errorf("stopped after %d, err %v", n, g.Err())
	}
}

func TestStartAndOrg(t *testing.T) {
	start := time.Date(2024, 12, 31, 23, 59, 30, 0, time.UTC)
	g := mustNew(t, Config{Seed: 3, Events: 50, Start: start, Accounts: 3, OrgID: "o-abcdefghij"})
	if g.OrgID() != "o-abcdefghij" || len(g.AccountIDs()) != 3 {
		t.Errorf("OrgID %q accounts %v", g.OrgID(), g.AccountIDs())
	}
	first := true
	for rec := range g.Records() {
		if first && rec.EventTime.Before(start) {
			t.Errorf("first record at %v, before start %v", rec.EventTime, start)
		}
		first = false
		if !slices.Contains(g.AccountIDs(), rec.RecipientAccountID) {
			t.Errorf("recipient %s not an account of the world", rec.RecipientAccountID)
		}
	}
	if g2 := mustNew(t, Config{Seed: 3, Org: true}); !schemas.ValidOrgID(g2.OrgID()) {
		t.Errorf("generated org id %q", g2.OrgID())
	}
}

// TestTemplates checks every filled template against rendering the input
// with the name.
func TestTemplates(t *testing.T) {
	w := seed1Sim(t)
	all := append([]*nameTemplate{w.tpl.put, w.tpl.batch, w.tpl.startAWS}, w.tpl.tag...)
	all = append(all, w.tpl.untag...)
	for _, tpl := range all {
		for _, name := range []string{"a", "orders-prod-to-s3", "x.y_z-1", `q"uote\<&>é`} {
			want, err := schemas.RenderFirehoseRequest(tpl.build(name))
			if err != nil {
				t.Fatal(err)
			}
			if got := tpl.fill(nil, name); !bytes.Equal(got, want) {
				t.Errorf("fill(%q) = %s, want %s", name, got, want)
			}
		}
	}
	if _, err := newNameTemplate(func(string) any { return &firehose.ListDeliveryStreamsInput{} }); err == nil {
		t.Error("newNameTemplate accepted an input without the name")
	}
}

func TestPutUUID(t *testing.T) {
	var u [36]byte
	putUUID(u[:], 0x0123456789abcdef, 0xfedcba9876543210)
	if got, want := string(u[:]), "01234567-89ab-4def-bedc-ba9876543210"; got != want {
		t.Errorf("putUUID = %s, want %s", got, want)
	}
}

// TestSlab: carved slices are capped, never overlap, and survive what is
// carved after them; a slice that outgrew its room leaves the chunk as it
// was.
func TestSlab(t *testing.T) {
	var sl slab
	var kept [][]byte
	var want []string
	for i := range 3000 {
		n := 1 + i%97
		room := n
		if i%10 == 0 {
			room = n / 2 // outgrows its room when the chunk has less than n left
		}
		b := sl.room(room)
		if len(b) != 0 || cap(b) < room {
			t.Fatalf("room(%d): len %d cap %d", room, len(b), cap(b))
		}
		for j := range n {
			b = append(b, byte(i+j))
		}
		b = sl.keep(b)
		if len(b) != n || cap(b) != n {
			t.Fatalf("keep: len %d cap %d, want %d", len(b), cap(b), n)
		}
		kept = append(kept, b)
		want = append(want, string(b))
	}
	// A slice that outgrows the rest of the chunk: the next room starts
	// where it would have.
	b := sl.room(1)
	before := &b[:1][0]
	b = sl.keep(append(b, make([]byte, cap(b)+1)...))
	kept, want = append(kept, b), append(want, string(b))
	if next := sl.room(1); &next[:1][0] != before {
		t.Error("a slice that outgrew its room took the chunk's free space")
	}
	for i, b := range kept {
		if string(b) != want[i] {
			t.Fatalf("slice %d overwritten", i)
		}
	}
}

func TestHex8(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	for i := range 10000 {
		v := r.Uint32()
		switch i {
		case 0:
			v = 0
		case 1:
			v = 0xffffffff
		case 2:
			v = 0x9a9a9a9a
		}
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], hex8(v))
		if got, want := string(b[:]), fmt.Sprintf("%08x", v); got != want {
			t.Fatalf("hex8(%#x) = %s, want %s", v, got, want)
		}
	}
}

func TestPrefetch(t *testing.T) {
	g := mustNew(t, Config{Seed: 12, Events: 3000})
	want := ndjson(t, g)
	var got []byte
	for rec := range Prefetch(g.Records(), 3) {
		got = rec.AppendJSON(got)
		got = append(got, '\n')
	}
	if !bytes.Equal(got, want) || g.Err() != nil {
		t.Fatalf("Prefetch changed the records (err %v)", g.Err())
	}
	// Stopping early stops the producer.
	n := 0
	for range Prefetch(g.Records(), 1) {
		if n++; n == 700 {
			break
		}
	}
	if n != 700 {
		t.Errorf("stopped after %d", n)
	}
	for range Prefetch(func(func(schemas.Record) bool) {}, 2) {
		t.Fatal("record from an empty sequence")
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"24/7 Hour": "24-7-hour", "Acme, Inc.": "acme-inc", "--x--": "x", "Élan": "lan"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRecordsMayBeKept checks the ownership promise of Records: records
// kept past their iteration (strings, raw members, pointed-to identities)
// still encode to the bytes they had when yielded.
func TestRecordsMayBeKept(t *testing.T) {
	g := mustNew(t, Config{Seed: 31, Events: 20000, Accounts: 2, Scenario: ScenarioAll})
	var kept []schemas.Record
	var streamed []byte
	for rec := range g.Records() {
		kept = append(kept, rec)
		streamed = rec.AppendJSON(streamed)
		streamed = append(streamed, '\n')
	}
	var later []byte
	for i := range kept {
		later = kept[i].AppendJSON(later)
		later = append(later, '\n')
	}
	if !bytes.Equal(later, streamed) {
		t.Fatal("records kept after their iteration changed")
	}
}

func TestAccountIDsReplaceOnlyTheIDs(t *testing.T) {
	base := Config{Seed: 9, Events: 300}
	given := base
	given.AccountIDs = []string{"123456789012"}
	gb, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	gg, err := New(given)
	if err != nil {
		t.Fatal(err)
	}
	old := gb.AccountIDs()[0]
	var nb, ng int
	for rec := range gg.Records() {
		ng++
		if rec.RecipientAccountID != "123456789012" {
			t.Fatalf("record %d: recipientAccountId %s, want the given 123456789012", ng, rec.RecipientAccountID)
		}
	}
	for rec := range gb.Records() {
		nb++
		if rec.RecipientAccountID != old {
			t.Fatalf("record %d: recipientAccountId %s, want %s", nb, rec.RecipientAccountID, old)
		}
	}
	if nb != ng {
		t.Errorf("%d records with given account ids, %d without; want the same world", ng, nb)
	}
	for _, bad := range [][]string{{"12345"}, {"123456789012", "123456789012"}, {"12345678901x"}} {
		c := base
		c.AccountIDs = bad
		if _, err := New(c); err == nil {
			t.Errorf("New(AccountIDs: %q) succeeded, want an error", bad)
		}
	}
}

// seed1Sim returns a world of Config{Seed: 1} with its defaults.
func seed1Sim(tb testing.TB) *sim {
	tb.Helper()
	cfg, _ := Config{Seed: 1}.withDefaults()
	w, err := newSim(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}
