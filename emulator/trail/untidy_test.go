package trail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
	"github.com/firetrail/firetrail/internal/scan"
	"github.com/firetrail/firetrail/schemas"
)

// untidyTree delivers n generated events of seed with untidy delivery at
// lateShare (nil: tidy) into a MemSink, signed.
func untidyTree(t *testing.T, seed int64, n int, u *trail.Untidy) *trail.MemSink {
	t.Helper()
	g, err := generator.New(generator.Config{Seed: seed, Events: n})
	must(t, err)
	tr, sink := newTrail(t, trail.Config{ByEventTime: true, Seed: seed, Untidy: u, SigningKey: loadKey(t, "digest-key.pem")})
	must(t, tr.AddAll(t.Context(), g.Records()))
	must(t, g.Err())
	must(t, tr.Close(t.Context()))
	if q := tr.Queued(); q != 0 {
		t.Errorf("%d records still queued after Close", q)
	}
	return sink
}

func newUntidy(seed uint64, late float64) *trail.Untidy {
	return &trail.Untidy{Rand: rand.New(rand.NewPCG(seed, 1)), LateShare: late}
}

// fileStats are the facts of the acceptance criteria of one tree.
type fileStats struct {
	records, files, multi, unordered, late10 int
	splitWindows                             int
	ids                                      map[string]bool
}

func treeStats(t *testing.T, sink *trail.MemSink) fileStats {
	t.Helper()
	st := fileStats{ids: map[string]bool{}}
	perStamp := map[string]int{}
	for _, o := range sink.Objects() {
		if !strings.Contains(o.Key, "/CloudTrail/") {
			continue
		}
		k, _, err := schemas.ParseLogKey(o.Key)
		must(t, err)
		perStamp[k.AccountID+k.Region+k.Stamp.String()]++
		var lf struct {
			Records []struct {
				EventID   string    `json:"eventID"`
				EventTime time.Time `json:"eventTime"`
			}
		}
		must(t, json.Unmarshal(gunzip(t, o.Body), &lf))
		st.files++
		if len(lf.Records) > 1 {
			st.multi++
			if !slices.IsSortedFunc(lf.Records, func(a, b struct {
				EventID   string    `json:"eventID"`
				EventTime time.Time `json:"eventTime"`
			}) int {
				return a.EventTime.Compare(b.EventTime)
			}) {
				st.unordered++
			}
		}
		for _, r := range lf.Records {
			st.records++
			if st.ids[r.EventID] {
				t.Errorf("eventID %s delivered twice", r.EventID)
			}
			st.ids[r.EventID] = true
			if k.Stamp.Sub(r.EventTime) > 10*time.Minute {
				st.late10++
			}
		}
	}
	for _, n := range perStamp {
		if n > 1 {
			st.splitWindows++
		}
	}
	return st
}

// TestUntidyAcceptance is issue 11's acceptance of untidy delivery on a
// 30,000-event tree: at least 20% of the multi-record files out of
// eventTime order, at least 0.1% of the records in a file stamped more
// than 10 minutes after their eventTime, windows of several files, every
// record once, digest chains that verify, and `firetrail validate`'s
// checks (internal/scan) passing on the tree written by a DirSink.
func TestUntidyAcceptance(t *testing.T) {
	const n = 30000
	sink := untidyTree(t, 5, n, newUntidy(5, trail.DefaultLateShare))
	st := treeStats(t, sink)
	t.Logf("%d records in %d files (%d multi-record, %d out of eventTime order), %d more than 10 min before their stamp, %d windows of several files",
		st.records, st.files, st.multi, st.unordered, st.late10, st.splitWindows)
	if st.records != n {
		t.Errorf("%d records delivered, want %d", st.records, n)
	}
	if st.unordered*5 < st.multi {
		t.Errorf("%d of %d multi-record files out of eventTime order, want at least 20%%", st.unordered, st.multi)
	}
	if st.late10*1000 < n {
		t.Errorf("%d records more than 10 minutes before their file's stamp, want at least 0.1%% of %d", st.late10, n)
	}
	if st.splitWindows == 0 {
		t.Error("no window of several files")
	}

	key := loadKey(t, "digest-key.pem")
	v := newVerifier(sink, "example-trail-bucket", &key.PublicKey)
	var covered []string
	for _, h := range newestDigests(sink) {
		rep := v.verifyChain(h)
		if len(rep.problems) > 0 {
			t.Errorf("chain %s:\n%s", h, strings.Join(rep.problems, "\n"))
		}
		covered = append(covered, rep.logKeys...)
	}
	if len(covered) != st.files {
		t.Errorf("digests list %d log files, %d were delivered", len(covered), st.files)
	}

	// The same tree on disk passes `firetrail validate`.
	dir := t.TempDir()
	ds := trail.NewTreeSink(dir, 0)
	for _, o := range sink.Objects() {
		must(t, ds.Put(t.Context(), o.Key, o.Body, o.Meta))
	}
	must(t, ds.Close())
	val, err := schemas.NewValidator()
	must(t, err)
	var problems []string
	sum, err := scan.Run(context.Background(), []string{dir}, val, func(p scan.Problem) {
		if len(problems) < 10 {
			problems = append(problems, p.String())
		}
	})
	must(t, err)
	if sum.Problems > 0 || sum.Records != n || sum.Digests == 0 {
		t.Errorf("validate: %d problems in %d records, %d digests:\n%s", sum.Problems, sum.Records, sum.Digests, strings.Join(problems, "\n"))
	}
}

// TestUntidyDeterministic: the same records, Config and Rand seed give the
// same bytes; another Rand seed other bytes.
func TestUntidyDeterministic(t *testing.T) {
	a := untidyTree(t, 3, 3000, newUntidy(9, 0.01))
	b := untidyTree(t, 3, 3000, newUntidy(9, 0.01))
	c := untidyTree(t, 3, 3000, newUntidy(10, 0.01))
	same := func(x, y *trail.MemSink) bool {
		ox, oy := x.Objects(), y.Objects()
		if len(ox) != len(oy) {
			return false
		}
		for i := range ox {
			if ox[i].Key != oy[i].Key || !bytes.Equal(ox[i].Body, oy[i].Body) {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("two runs of one seed differ")
	}
	if same(a, c) {
		t.Error("two Rand seeds give the same tree")
	}
}

// TestUntidyNoLateness: LateShare 0 keeps every record within minutes of
// its file's stamp (jitter only), still out of order; without Untidy every
// file is in eventTime order.
func TestUntidyNoLateness(t *testing.T) {
	st := treeStats(t, untidyTree(t, 4, 5000, newUntidy(4, 0)))
	if st.late10 != 0 {
		t.Errorf("LateShare 0: %d records more than 10 minutes before their stamp", st.late10)
	}
	if st.unordered == 0 {
		t.Error("LateShare 0: no file out of eventTime order")
	}
	st = treeStats(t, untidyTree(t, 4, 5000, nil))
	if st.unordered != 0 || st.splitWindows != 0 {
		t.Errorf("tidy: %d files out of order, %d windows of several files", st.unordered, st.splitWindows)
	}
	if st.records != 5000 {
		t.Errorf("tidy: %d records", st.records)
	}
}

// TestUntidyConfig: bad Untidy settings are refused; without ByEventTime
// Untidy is ignored.
func TestUntidyConfig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, u := range []trail.Untidy{
		{},
		{Rand: r, LateShare: -0.1},
		{Rand: r, LateShare: 1.5},
		{Rand: r, SplitShare: 2},
		{Rand: r, Jitter: time.Hour},
	} {
		_, err := trail.New(trail.Config{Sink: new(trail.MemSink), Bucket: "b-logs", ByEventTime: true, Untidy: &u})
		if err == nil {
			t.Errorf("Untidy %+v accepted", u)
		}
	}
	tr, sink := newTrail(t, trail.Config{Clock: trail.NewFakeClock(t0), Untidy: &trail.Untidy{}})
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	must(t, tr.Close(t.Context()))
	if len(logKeys(sink)) != 1 {
		t.Errorf("clock trail with Untidy: %d log files, want 1", len(logKeys(sink)))
	}
}
