package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/schemas"

	kgzip "github.com/klauspost/compress/gzip"
)

// scanBytes runs the file reader on content as if it were the file named
// path.
func scanBytes(t testing.TB, content []byte) ([]Problem, Summary) {
	t.Helper()
	var probs []Problem
	v := validator(t)
	col := &collector{batch: schemas.NewBatch(v), report: func(p Problem) { probs = append(probs, p) }}
	s := &scanner{v: v, out: &direct{v: v, c: col}}
	s.sum.Files++
	s.records(t.Context(), "f", bytes.NewReader(content))
	sum := s.sum
	sum.Problems = col.problems
	return probs, sum
}

func FuzzScan(f *testing.F) {
	recs := seedRecords(f)
	f.Add(seed(f))
	f.Add(gz(f, seed(f)))
	f.Add(bytes.Join(recs, []byte("\n")))
	f.Add(recs[0])
	f.Add([]byte(`{"Records":[1,"x",{}]}`))
	f.Add([]byte(`{"Records":[{"a":"\"}"}],"b":1}`))
	f.Add([]byte(`{ "Records" : [ ] } x`))
	f.Add([]byte(strings.Repeat("[", 100)))
	f.Fuzz(func(t *testing.T, content []byte) {
		probs, sum := scanBytes(t, content)
		for _, p := range probs {
			line := p.String()
			if strings.ContainsAny(line, "\n\r") {
				t.Errorf("problem spans lines: %q", line)
			}
			if p.Offset > int64(len(content)) && !isGzip(content) {
				t.Errorf("offset %d beyond %d bytes: %q", p.Offset, len(content), line)
			}
			if p.Record >= sum.Records {
				t.Errorf("record %d of %d: %q", p.Record, sum.Records, line)
			}
		}
		// A valid log file or NDJSON of objects must give one record per
		// element and no structural problem.
		var lf map[string]json.RawMessage
		var recs []json.RawMessage
		if json.Unmarshal(content, &lf) == nil && len(lf) == 1 && json.Unmarshal(lf["Records"], &recs) == nil && recs != nil &&
			bytes.HasPrefix(bytes.TrimLeft(content, " \t\r\n"), []byte(`{"Records"`)) {
			if sum.Records != len(recs) {
				t.Errorf("Records = %d, want %d", sum.Records, len(recs))
			}
			for _, p := range probs {
				if p.Record < 0 {
					t.Errorf("file problem in a valid log file: %s", p)
				}
			}
		}
	})
}

func TestRecordTooLarge(t *testing.T) {
	var probs []Problem
	v := validator(t)
	col := &collector{batch: schemas.NewBatch(v), report: func(p Problem) { probs = append(probs, p) }}
	s := &scanner{v: v, out: &direct{v: v, c: col}}
	s.rd.max = 1 << 10
	rec := seedRecords(t)[0]
	big := `{"Records":[` + string(rec) + `,{"x":"` + strings.Repeat("a", 300<<10) + `"}]}`
	s.records(t.Context(), "f", strings.NewReader(big))
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{fmt.Sprintf("f: byte %d, line 1: record larger than 1024 bytes (record 1 starts at byte %d)", 13+len(rec), 13+len(rec))}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems = %q, want %q", got, want)
	}
}

func isGzip(b []byte) bool { return len(b) > 1 && b[0] == 0x1f && b[1] == 0x8b }

// BenchmarkRun measures Run on a gzip-compressed log file of the seed's
// Firehose records (distinct eventIDs), against a baseline that only
// decompresses the same file.
func BenchmarkRun(b *testing.B) {
	recs := seedRecords(b)
	id := regexp.MustCompile(`"eventID":"[^"]*"`)
	var raw bytes.Buffer
	raw.WriteString(`{"Records":[`)
	const n = 2000
	for i := range n {
		if i > 0 {
			raw.WriteByte(',')
		}
		raw.Write(id.ReplaceAll(recs[i%len(recs)], []byte(fmt.Sprintf(`"eventID":"%08x-0000-4000-8000-%012x"`, i, i))))
	}
	raw.WriteString(`]}`)
	var zbuf bytes.Buffer
	zw := kgzip.NewWriter(&zbuf)
	zw.Write(raw.Bytes())
	zw.Close()
	path := filepath.Join(b.TempDir(), "log.json.gz")
	if err := os.WriteFile(path, zbuf.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	v := validator(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("scan/workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(raw.Len()))
			for b.Loop() {
				sum, err := Run(b.Context(), []string{path}, v, func(p Problem) { b.Fatal(p) }, Workers(workers))
				if err != nil || sum.Records != n {
					b.Fatal(err, sum)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
	b.Run("baseline=gunzip", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(raw.Len()))
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			zr, err := kgzip.NewReader(f)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, zr); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
	})
}
