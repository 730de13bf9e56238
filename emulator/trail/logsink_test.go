package trail_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// logSink is a trail.LogSink that checks what it is handed: raw is the
// log file's JSON, body compressed.
type logSink struct {
	t            *testing.T
	mu           sync.Mutex
	put, withRaw int
	records      int
}

func (s *logSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.put++
	return nil
}

func (s *logSink) PutLog(ctx context.Context, key string, body, raw []byte, meta map[string]string) error {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		s.t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		s.t.Errorf("%s: raw of %d bytes is not the file's %d bytes of JSON", key, len(raw), len(want))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withRaw++
	s.records += strings.Count(string(raw), `"eventVersion"`)
	return nil
}

// A LogSink is handed every log file's JSON with its compressed bytes,
// but for files the trail compressed in parts as they grew (over 8 blocks
// of JSON): those, and digests, come through Put.
func TestLogSinkGetsRawJSON(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		parts bool // a window's file grows past 8 blocks
	}{{"small files", 3000, false}, {"big files", 6000, true}} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &logSink{t: t}
			key, err := trail.GenerateSigningKey()
			must(t, err)
			tr, err := trail.New(trail.Config{Sink: sink, Bucket: "b-logs", ByEventTime: true, SigningKey: key})
			must(t, err)
			span := 2 * time.Hour
			if tc.parts {
				span = 10 * time.Minute
			}
			var recs []schemas.Record
			for i := range tc.n {
				rec := firehoseRecord(i, "111122223333", "eu-west-1", t0.Add(span*time.Duration(i)/time.Duration(tc.n)))
				recs = append(recs, rec)
			}
			for _, rec := range recs {
				must(t, tr.Add(rec))
			}
			must(t, tr.Close(t.Context()))
			st := tr.Stats()
			logsPut := sink.put - st.Digests
			if st.Digests == 0 || logsPut < 0 || sink.withRaw+logsPut != st.LogFiles {
				t.Fatalf("%d log files with their JSON, %d Puts; %d log files and %d digests delivered", sink.withRaw, sink.put, st.LogFiles, st.Digests)
			}
			if tc.parts != (logsPut > 0) {
				t.Errorf("%d log files through Put, want them only for files compressed in parts (%v)", logsPut, tc.parts)
			}
			if !tc.parts && sink.records != tc.n {
				t.Errorf("%d records in the JSON handed over, want %d", sink.records, tc.n)
			}
		})
	}
}
