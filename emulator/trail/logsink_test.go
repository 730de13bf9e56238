package trail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
)

// logSink is a trail.LogSink that checks what it is handed: a digest
// (recordDigest) of each record of the compressed log file, in order.
type logSink struct {
	t       *testing.T
	mu      sync.Mutex
	put     int // calls of Put
	logs    int // calls of PutLog
	records int // digests handed to PutLog
}

func (s *logSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put++
	return nil
}

func (s *logSink) PutLog(ctx context.Context, key string, body []byte, digests []uint64, meta map[string]string) error {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	var lf struct{ Records []json.RawMessage }
	if err := json.NewDecoder(zr).Decode(&lf); err != nil {
		s.t.Fatal(err)
	}
	if len(digests) != len(lf.Records) {
		s.t.Errorf("%s: %d digests for %d records", key, len(digests), len(lf.Records))
	} else {
		for i, r := range lf.Records {
			if digests[i] != recordDigest(r) {
				s.t.Errorf("%s: digest %d is %x, the record's is %x", key, i, digests[i], recordDigest(r))
				break
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs++
	s.records += len(digests)
	return nil
}

// recordDigest is the tests' Config.RecordDigest.
func recordDigest(rec []byte) uint64 {
	h := fnv.New64a()
	h.Write(rec)
	return h.Sum64()
}

// With Config.RecordDigest, a LogSink is handed every log file with the
// digest of each of its records, files the trail compressed in parts as
// they grew (over 8 blocks of JSON) included; digest files come through
// Put. Without it, everything comes through Put.
func TestLogSinkGetsDigests(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		span    time.Duration
		digest  func([]byte) uint64
		maxSize int64         // split windows into files of at most this
		untidy  *trail.Untidy // records out of order, late, windows in two files
	}{
		{name: "small files", n: 3000, span: 2 * time.Hour, digest: recordDigest},
		{name: "big files", n: 6000, span: 10 * time.Minute, digest: recordDigest},
		{name: "split for size", n: 6000, span: 10 * time.Minute, digest: recordDigest, maxSize: 100_000},
		{name: "untidy", n: 3000, span: 2 * time.Hour, digest: recordDigest,
			untidy: &trail.Untidy{Rand: rand.New(rand.NewPCG(5, 5)), LateShare: 0.1, SplitShare: 0.5}},
		{name: "no RecordDigest", n: 3000, span: 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &logSink{t: t}
			key, err := trail.GenerateSigningKey()
			must(t, err)
			tr, err := trail.New(trail.Config{Sink: sink, Bucket: "b-logs", ByEventTime: true, SigningKey: key,
				RecordDigest: tc.digest, MaxFileSize: tc.maxSize, Untidy: tc.untidy})
			must(t, err)
			for i := range tc.n {
				must(t, tr.Add(firehoseRecord(i, "111122223333", "eu-west-1", t0.Add(tc.span*time.Duration(i)/time.Duration(tc.n)))))
			}
			must(t, tr.Close(t.Context()))
			st := tr.Stats()
			if tc.digest == nil {
				if sink.logs != 0 || sink.put != st.LogFiles+st.Digests {
					t.Fatalf("no RecordDigest: %d PutLogs and %d Puts; want none and %d", sink.logs, sink.put, st.LogFiles+st.Digests)
				}
				return
			}
			if st.Digests == 0 || sink.put != st.Digests || sink.logs != st.LogFiles {
				t.Fatalf("%d PutLogs and %d Puts; %d log files and %d digests delivered", sink.logs, sink.put, st.LogFiles, st.Digests)
			}
			if tc.maxSize > 0 && st.LogFiles < 6 {
				t.Errorf("%d log files of 2 windows at most %d bytes each: not split for size", st.LogFiles, tc.maxSize)
			}
			if sink.records != tc.n {
				t.Errorf("%d digests handed over, want %d", sink.records, tc.n)
			}
			// Big files hold far more than the 8 blocks of JSON after
			// which the trail compresses a file in parts; small ones less.
			if big := tc.span < time.Hour && tc.maxSize == 0; big != (tc.n/st.LogFiles > 1000) {
				t.Errorf("%d records in %d files: not the size of file the case is about", tc.n, st.LogFiles)
			}
		})
	}
}
