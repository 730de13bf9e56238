package emulator

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/atomicfile"
)

// crash stops e as kill -9 would leave it: nothing pending is delivered,
// no state is saved; the data directory's files are only released.
func crash(t *testing.T, e *Emulator) {
	t.Helper()
	e.mu.Lock()
	e.closed = true
	close(e.done)
	e.mu.Unlock()
	e.wg.Wait()
	if e.notify != nil {
		e.notify.close()
	}
	if err := e.journal.close(); err != nil {
		t.Fatal(err)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	e.journal, e.db = nil, nil
}

// bucketContents returns the eventIDs of every log file in e's bucket
// (with repeats), the log file keys, and the log files the digests list
// (with repeats).
func bucketContents(t testing.TB, e *Emulator) (ids, logs, digested []string) {
	t.Helper()
	keys, err := e.listKeys("AWSLogs/")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		switch {
		case isLogFileKey(k):
			logs = append(logs, k)
			recs, err := e.readLogFile(k)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				var rec struct{ EventID string }
				if err := json.Unmarshal(r, &rec); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, rec.EventID)
			}
		case strings.Contains(k, "/CloudTrail-Digest/"):
			l, err := e.digestLogKeys(k)
			if err != nil {
				t.Fatal(err)
			}
			digested = append(digested, l...)
			raw, err := e.readGzipObject(k)
			if err != nil {
				t.Fatal(err)
			}
			var d struct {
				Previous string `json:"previousDigestS3Object"`
			}
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatal(err)
			}
			if d.Previous != "" && !slices.Contains(keys, d.Previous) {
				t.Errorf("digest %s follows digest %s, which is not in the bucket", k, d.Previous)
			}
		}
	}
	return ids, logs, digested
}

// checkOnce checks that want are exactly the eventIDs delivered, each
// once, and with digests that every log file is in exactly one digest.
func checkOnce(t *testing.T, e *Emulator, want map[string]bool, digests bool) {
	t.Helper()
	ids, logs, digested := bucketContents(t, e)
	seen := map[string]int{}
	for _, id := range ids {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("eventID %s delivered more than once", id)
		}
		if !want[id] {
			t.Errorf("eventID %s delivered, never recorded", id)
		}
	}
	for id := range want {
		if seen[id] == 0 {
			t.Errorf("recorded eventID %s never delivered", id)
		}
	}
	inDigest := map[string]int{}
	for _, k := range digested {
		inDigest[k]++
		if !slices.Contains(logs, k) {
			t.Errorf("a digest names log file %s, which is not in the bucket", k)
		}
	}
	for _, k := range logs {
		if digests && inDigest[k] != 1 {
			t.Errorf("log file %s is in %d digests, want 1", k, inDigest[k])
		}
	}
	if n := e.store.Len(); n != len(want) {
		t.Errorf("LookupEvents holds %d events, want %d", n, len(want))
	}
}

// storeFails advances e's clock by d and ticks with every S3 store
// failing.
func storeFails(t *testing.T, e *Emulator, d time.Duration) {
	t.Helper()
	e.fake.Advance(d)
	if err := e.db.Close(); err != nil { // the bucket's bolt file
		t.Fatal(err)
	}
	e.tick()
	if st := e.trail.Stats(); st.PendingDeliveries == 0 {
		t.Fatal("no delivery failed")
	}
}

func TestJournalCrashRecovery(t *testing.T) {
	// How far the run got before the crash.
	for _, tc := range []struct {
		name  string
		crash func(t *testing.T, e *Emulator)
	}{
		{"before delivery", func(*testing.T, *Emulator) {}},
		{"after a delivery", func(t *testing.T, e *Emulator) {
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
		}},
		// The files are stored, the trail state not saved: the restarted
		// trail would not know them.
		{"between store and state", func(t *testing.T, e *Emulator) {
			if err := e.trail.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
		// The state is saved, the journal entries not yet deleted.
		{"between state and journal", func(t *testing.T, e *Emulator) {
			if err := e.trail.Flush(t.Context()); err != nil {
				t.Fatal(err)
			}
			b, err := e.trail.State()
			if err != nil {
				t.Fatal(err)
			}
			if err := atomicfile.WriteDurable(e.statePath(), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		// A log file could not be stored (it stays queued), and a tick
		// came: after the restart no digest may name it, nor follow a
		// digest queued after it (the first digest is due at 09:05:30).
		{"store failed", func(t *testing.T, e *Emulator) { storeFails(t, e, 5*time.Minute+20*time.Second) }},
		{"store failed before a digest", func(t *testing.T, e *Emulator) { storeFails(t, e, 10*time.Minute) }},
		// A digest stored after the state was saved.
		{"digest between store and state", func(t *testing.T, e *Emulator) {
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			e.fake.Advance(2 * time.Hour)
			if err := e.trail.Tick(t.Context()); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			open, dir, clock := dataDirOpener(t)
			want := map[string]bool{}
			record := func(e *Emulator, n int) {
				t.Helper()
				var wg sync.WaitGroup
				for range n {
					rec := testRecord(len(want), clock.Now())
					want[rec.EventID] = true
					wg.Go(func() {
						if err := e.Record(rec); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
			}
			e := open()
			record(e, 40)
			tc.crash(t, e)
			record(e, 20)
			crash(t, e)

			e = open() // recovers
			record(e, 5)
			crash(t, e)

			e = open() // recovers again, nothing twice
			defer e.Close()
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			checkOnce(t, e, want, false)
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			// Everything delivered: the journal is empty.
			j, entries, _, err := openJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 0 {
				t.Errorf("journal holds %d entries after Close, want 0", len(entries))
			}
			if err := j.close(); err != nil {
				t.Fatal(err)
			}
			e = open()
			defer e.Close()
			checkOnce(t, e, want, true) // final digests written at Close
		})
	}
}

// Firehose calls answered are in the journal before the answer.
func TestJournalBeforeAnswer(t *testing.T) {
	dir := t.TempDir()
	e, err := New(WithClock(trail.NewFakeClock(DefaultStartTime)), WithDataDir(dir), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	w := call(e, "Firehose_20150804.ListDeliveryStreams", "application/x-amz-json-1.1", `{}`)
	if w.Code != 200 {
		t.Fatalf("ListDeliveryStreams: %d %s", w.Code, w.Body)
	}
	reqID := w.Header().Get("x-amzn-RequestId")
	if n := liveEntries(e.journal); n != 1 {
		t.Fatalf("journal holds %d live entries after one call, want 1", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, journalName(e.journal.seg)))
	if err != nil {
		t.Fatal(err)
	}
	found := strings.Contains(string(b), reqID)
	if !found {
		t.Errorf("no journal entry holds request %s", reqID)
	}
}

// Once their log files are stored and the trail state saved (Flush), the
// entries of delivered records leave the journal: in a small log file and
// in one big enough that the trail compressed it in parts while it grew
// (which the sink learns of by the records' hashes, not by reading the
// file back).
func TestJournalPrunedAfterDelivery(t *testing.T) {
	for _, calls := range []int{20, 1500} {
		t.Run(strconv.Itoa(calls)+" calls", func(t *testing.T) {
			e, err := New(WithClock(trail.NewFakeClock(DefaultStartTime)), WithDataDir(t.TempDir()), testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			live := func() int { return liveEntries(e.journal) }
			for range calls {
				if w := call(e, "Firehose_20150804.ListDeliveryStreams", "application/x-amz-json-1.1", `{}`); w.Code != 200 {
					t.Fatalf("ListDeliveryStreams: %d %s", w.Code, w.Body)
				}
			}
			if n := live(); n != calls {
				t.Fatalf("%d live entries after %d calls", n, calls)
			}
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			_, logs, _ := bucketContents(t, e)
			if n := live(); n != 0 {
				t.Fatalf("%d live entries after the flush delivered %d log files", n, len(logs))
			}
		})
	}
}

// liveEntries returns how many of j's entries are not known delivered.
func liveEntries(j *journal) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.nlive
}

// Without a data directory there is no journal.
func TestNoJournalInMemory(t *testing.T) {
	e := newTestEmulator(t)
	if e.journal != nil {
		t.Fatal("journal without a data dir")
	}
}

func TestPreloadOnce(t *testing.T) {
	dir := t.TempDir()
	clock := trail.NewFakeClock(DefaultStartTime)
	open := func(events int, seed int64) (*Emulator, error) {
		return New(WithClock(clock), WithDataDir(dir), WithEvents(events), WithSeed(seed), testLogger(t))
	}
	e, err := open(300, 7)
	if err != nil {
		t.Fatal(err)
	}
	ids, _, _ := bucketContents(t, e)
	n := e.store.Len()
	if len(ids) != 300 {
		t.Fatalf("%d records delivered, want 300", len(ids))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// The same flags: nothing again.
	e, err = open(300, 7)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _, _ := bucketContents(t, e); len(ids) != 300 {
		t.Errorf("after a restart with the same flags: %d records delivered, want 300", len(ids))
	}
	if m := e.store.Len(); m != n {
		t.Errorf("LookupEvents after restart: %d events, want %d", m, n)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Without --events: the preload stays.
	e, err = open(0, 7)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Other flags: an error saying what to do.
	for _, f := range []struct {
		events int
		seed   int64
	}{{301, 7}, {300, 8}} {
		_, err := open(f.events, f.seed)
		if err == nil || !strings.Contains(err.Error(), "already holds a preload") || !strings.Contains(err.Error(), "--events 300 --seed 7") {
			t.Errorf("events %d seed %d: err = %v, want the preload held", f.events, f.seed, err)
		}
	}
	// An interrupted preload.
	p := filepath.Join(dir, preloadFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), `"complete": true`, `"complete": false`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := open(300, 7); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("interrupted preload: err = %v", err)
	}
}

// A frame cut short by a crash ends a journal file; the entries before it
// stay, deletions apply, and files with no entries left are removed.
func TestJournalFiles(t *testing.T) { eachJournalMode(t, testJournalFiles) }

// journalModes are the journal's ways of writing: direct writes (where
// the file system allows them) through native AIO (where the kernel has
// it) or pwrite(2), and buffered writes and datasync.
var journalModes = []journalMode{
	{name: "direct"},
	{name: "direct-pwrite", noAIO: true},
	{name: "buffered", buffered: true},
}

// journalMode is a way of writing: the values of journalBuffered and
// journalNoAIO.
type journalMode struct {
	name            string
	buffered, noAIO bool
}

// useJournalMode sets journalBuffered and journalNoAIO until tb ends.
func useJournalMode(tb testing.TB, m journalMode) {
	oldBuffered, oldNoAIO := journalBuffered, journalNoAIO
	journalBuffered, journalNoAIO = m.buffered, m.noAIO
	tb.Cleanup(func() { journalBuffered, journalNoAIO = oldBuffered, oldNoAIO })
}

// openModeJournal opens a journal in a new directory of tb, written in
// mode m, and closes it when tb ends.
func openModeJournal(tb testing.TB, m journalMode) *journal {
	tb.Helper()
	useJournalMode(tb, m)
	j, _, _, err := openJournal(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { j.close() })
	return j
}

// eachJournalMode runs test in each of journalModes.
func eachJournalMode(t *testing.T, test func(t *testing.T)) {
	for _, m := range journalModes {
		t.Run(m.name, func(t *testing.T) {
			useJournalMode(t, m)
			test(t)
		})
	}
}

func testJournalFiles(t *testing.T) {
	dir := t.TempDir()
	j, entries, run, err := openJournal(dir)
	if err != nil || len(entries) != 0 || run != 0 {
		t.Fatalf("new journal: %v entries, run %d, err %v", entries, run, err)
	}
	var keys []uint64
	for i := range 5 {
		k, err := j.add([]byte(`{"n":`+string(rune('0'+i))+`}`), nil)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := j.remove(keys[1:2]); err != nil {
		t.Fatal(err)
	}
	end := j.size
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	// The frames are followed by zeros (records overwrite them).
	b, err := os.ReadFile(filepath.Join(dir, journalName(0)))
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) < end+journalZeroAhead/4 || strings.Trim(string(b[end:]), "\x00") != "" {
		t.Fatalf("journal file: %d bytes, frames end at %d, then not %d+ zero bytes", len(b), end, journalZeroAhead/4)
	}
	// A crash in the middle of a frame, over the zeros.
	f, err := os.OpenFile(filepath.Join(dir, journalName(0)), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	frame := appendFrame(nil, []byte("P12345678{\"torn\":1}"))
	if _, err := f.WriteAt(frame[:len(frame)-3], end); err != nil {
		t.Fatal(err)
	}
	f.Close()

	j, entries, run, err = openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, string(e.raw))
	}
	if want := `{"n":0} {"n":2} {"n":3} {"n":4}`; strings.Join(got, " ") != want || run != 1 {
		t.Fatalf("reopened: entries %q, run %d; want %s, run 1", got, run, want)
	}
	var ks []uint64
	for _, e := range entries {
		ks = append(ks, e.key)
	}
	if err := j.remove(ks); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, journalName(0))); !os.IsNotExist(err) {
		t.Errorf("journal file 0 with no entries left: stat err %v, want removed", err)
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	j, entries, run, err = openJournal(dir)
	if err != nil || len(entries) != 0 || run != 2 {
		t.Fatalf("third open: %d entries, run %d, err %v; want 0, run 2", len(entries), run, err)
	}
	j.close()
}

// Concurrent adds, some committing their batch themselves and some left
// to the commit loop, with close coming in the middle: every add that
// returned a key is in the journal when it is opened again, with that
// key, and none hangs.
func TestJournalConcurrentAddClose(t *testing.T) { eachJournalMode(t, testJournalConcurrentAddClose) }

func testJournalConcurrentAddClose(t *testing.T) {
	dir := t.TempDir()
	j, _, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		got  = map[uint64]string{}
		wg   sync.WaitGroup
		stop = make(chan struct{})
	)
	for g := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				raw := fmt.Sprintf(`{"g":%d,"i":%d}`, g, i)
				k, err := j.add([]byte(raw), nil)
				if err != nil {
					if !strings.Contains(err.Error(), "closed") {
						t.Error(err)
					}
					return
				}
				mu.Lock()
				if prev, dup := got[k]; dup {
					t.Errorf("key %x for %s and %s", k, prev, raw)
				}
				got[k] = raw
				mu.Unlock()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if c, r := j.commits.Load(), j.committed.Load(); c == 0 || r != int64(len(got)) {
		t.Errorf("%d commits of %d records, %d adds returned", c, r, len(got))
	}
	j2, entries, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.close()
	if len(entries) != len(got) {
		t.Fatalf("reopened: %d entries, %d adds returned", len(entries), len(got))
	}
	for _, e := range entries {
		if got[e.key] != string(e.raw) {
			t.Fatalf("entry %x is %s, the add returned it for %q", e.key, e.raw, got[e.key])
		}
	}
}

// Records of every size, from a few bytes to several blocks, committed
// one by one and in batches, with deletions between them and a new file
// after a restart: the journal holds exactly the records not deleted, and
// the file's frames end where its zeros begin.
func TestJournalRecordSizes(t *testing.T) { eachJournalMode(t, testJournalRecordSizes) }

func testJournalRecordSizes(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(3))
	want := map[uint64]string{}
	for round := range 3 {
		j, entries, _, err := openJournal(dir)
		if err != nil {
			t.Fatal(err)
		}
		if j.direct {
			t.Logf("round %d: direct writes", round)
		}
		if len(entries) != len(want) {
			t.Fatalf("round %d: %d entries, want %d", round, len(entries), len(want))
		}
		for _, e := range entries {
			if want[e.key] != string(e.raw) {
				t.Fatalf("round %d: entry %x = %.40q, want %.40q", round, e.key, e.raw, want[e.key])
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for g := range 4 {
			sizes := make([]int, 60)
			for i := range sizes {
				sizes[i] = 1 + rng.Intn([]int{100, 5000, 20000}[i%3])
			}
			wg.Go(func() {
				for i, n := range sizes {
					raw := fmt.Sprintf(`{"g":%d,"i":%d,"p":"%s"}`, g, i, strings.Repeat("x", n))
					k, err := j.add([]byte(raw), nil)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					want[k] = raw
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		var gone []uint64
		for k := range want {
			if rng.Intn(3) == 0 {
				gone = append(gone, k)
			}
		}
		if err := j.remove(gone); err != nil {
			t.Fatal(err)
		}
		for _, k := range gone {
			delete(want, k)
		}
		if err := j.close(); err != nil {
			t.Fatal(err)
		}
	}
}
