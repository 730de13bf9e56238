package scan

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/firetrail/firetrail/schemas"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// sharedValidator is built once: compiling the schemas takes a while.
var sharedValidator = sync.OnceValues(func() (*schemas.Validator, error) { return schemas.NewValidator() })

func validator(t testing.TB) *schemas.Validator {
	t.Helper()
	v, err := sharedValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// run scans paths with one worker and with several, checks that both give
// the same output, and returns the problem lines and the summary.
func run(t *testing.T, paths ...string) ([]string, Summary) {
	t.Helper()
	var lines []string
	var sum Summary
	for i, workers := range []int{1, 3} {
		var got []string
		s, err := Run(t.Context(), paths, validator(t), func(p Problem) { got = append(got, p.String()) }, Workers(workers))
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		if s.Problems != len(got) {
			t.Errorf("Summary.Problems = %d, reported %d", s.Problems, len(got))
		}
		if i == 0 {
			lines, sum = got, s
			continue
		}
		if diff := cmp.Diff(lines, got); diff != "" {
			t.Errorf("%d workers vs 1 (-1 +%d):\n%s", workers, workers, diff)
		}
		if s != sum {
			t.Errorf("Summary with %d workers = %+v, with 1 = %+v", workers, s, sum)
		}
	}
	return lines, sum
}

// TestManyRecordsParallel crosses several chunks, with problems spread
// over them, and a cancelled context.
func TestManyRecordsParallel(t *testing.T) {
	recs := seedRecords(t)
	var b bytes.Buffer
	for i := range 3000 {
		r := strings.Replace(string(recs[i%len(recs)]), `"eventID":"`, fmt.Sprintf(`"eventID":"%08x-`, i), 1)
		if i%700 == 3 {
			r = strings.Replace(r, `"awsRegion":"us-east-1"`, `"awsRegion":""`, 1)
		}
		b.WriteString(r)
		b.WriteByte('\n')
	}
	p := write(t, t.TempDir(), "many.ndjson", b.Bytes())
	lines, sum := run(t, p)
	if sum.Records != 3000 {
		t.Errorf("Records = %d, want 3000", sum.Records)
	}
	// Each record has a malformed eventID (the prefix makes it too long)
	// and every 700th an empty awsRegion.
	if len(lines) != 3000+5 {
		t.Errorf("%d problems, want %d", len(lines), 3005)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, []string{p}, validator(t), func(Problem) {}, Workers(2)); err == nil {
		t.Error("Run with a cancelled context: no error")
	}
}

func seed(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../../schemas/testdata/seed_example.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// seedRecords returns the seed's records, one compact JSON object each.
func seedRecords(t testing.TB) [][]byte {
	t.Helper()
	s := seed(t)
	s = bytes.TrimPrefix(s, []byte(`{"Records":[`))
	s = bytes.TrimSuffix(bytes.TrimSpace(s), []byte(`]}`))
	parts := bytes.Split(s, []byte(`},{"eventVersion"`))
	for i := range parts {
		if i > 0 {
			parts[i] = append([]byte(`{"eventVersion"`), parts[i]...)
		}
		if i < len(parts)-1 {
			parts[i] = append(parts[i], '}')
		}
	}
	return parts
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func write(t testing.TB, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSeedForms(t *testing.T) {
	recs := seedRecords(t)
	if len(recs) != 5 {
		t.Fatalf("seed has %d records, want 5", len(recs))
	}
	ndjson := append(bytes.Join(recs, []byte("\n")), '\n')
	pretty := bytes.ReplaceAll(recs[0], []byte(`,"`), []byte(",\n  \""))
	tests := []struct {
		name    string
		content []byte
		records int
	}{
		{"log.json", seed(t), 5},
		{"log.json.gz", gz(t, seed(t)), 5},
		{"records.ndjson", ndjson, 5},
		{"records.ndjson.gz", gz(t, ndjson), 5},
		{"one.json", recs[0], 1},
		{"pretty.json", pretty, 1},
		{"crlf.ndjson", bytes.ReplaceAll(ndjson, []byte("\n"), []byte("\r\n")), 5},
		{"empty-log.json", []byte(`{"Records":[]}`), 0},
		{"spaced-log.json", []byte("{ \"Records\" :\n[\n" + string(bytes.Join(recs, []byte(",\n"))) + "\n] }\n"), 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, t.TempDir(), tc.name, tc.content)
			lines, sum := run(t, p)
			if len(lines) != 0 {
				t.Errorf("problems: %q", lines)
			}
			if sum.Records != tc.records || sum.Files != 1 {
				t.Errorf("Summary = %+v, want %d records in 1 file", sum, tc.records)
			}
		})
	}
}

// TestStdin: with Stdin, "-" reads the reader as one file (a gzipped log
// file, NDJSON), with one worker or several; problems name "-"; without
// Stdin, "-" is a file name.
func TestStdin(t *testing.T) {
	recs := seedRecords(t)
	ndjson := append(bytes.Join(recs, []byte("\n")), '\n')
	for _, tc := range []struct {
		name    string
		content []byte
	}{{"gzipped log file", gz(t, seed(t))}, {"ndjson", ndjson}} {
		for _, workers := range []int{1, 3} {
			var got []string
			sum, err := Run(t.Context(), []string{"-"}, validator(t), func(p Problem) { got = append(got, p.String()) },
				Workers(workers), Stdin(bytes.NewReader(tc.content)))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 || sum.Records != 5 || sum.Files != 1 {
				t.Errorf("%s, %d workers: %+v, problems %q", tc.name, workers, sum, got)
			}
		}
	}
	bad := bytes.Replace(recs[1], []byte(`"eventTime":"`), []byte(`"eventTime":"x`), 1)
	var got []string
	if _, err := Run(t.Context(), []string{"-"}, validator(t), func(p Problem) { got = append(got, p.String()) }, Stdin(bytes.NewReader(bad))); err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !strings.HasPrefix(got[0], "-:0: ") {
		t.Errorf("problems %q, want them named -:0", got)
	}
	lines, _ := run(t, "-")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "-: cannot read") {
		t.Errorf("without Stdin: %q, want - read as a file name", lines)
	}
}

// TestBadInput checks that each kind of bad input gives exactly the
// expected lines and that the next file is still read.
func TestBadInput(t *testing.T) {
	recs := seedRecords(t)
	log := seed(t)
	badRecord := strings.Replace(string(recs[1]), `"eventSource":"firehose.amazonaws.com"`, `"eventSource":""`, 1)
	badRecord = strings.Replace(badRecord, "d9b285d8-", "aaaaaaaa-", 1) // a fresh eventID
	deep := `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}"
	tests := []struct {
		name    string
		content []byte
		want    []string // %s is the file's path
	}{
		{"empty.json", []byte{}, []string{"%s: empty file"}},
		{"blank.json", []byte("\n \n"), []string{"%s: no records: file holds only whitespace"}},
		{"text.json", []byte("hello\n"), []string{"%s: byte 0, line 1: not JSON: invalid character 'h' at start of input"}},
		{"array.json", []byte("[" + string(recs[0]) + "]"), []string{`%s: byte 0, line 1: top-level array: want a record, NDJSON records or {"Records":[…]}`}},
		{"truncated.json.gz", gz(t, log)[:len(gz(t, log))/2], []string{"%s: truncated gzip stream after 861 bytes of content"}},
		{"truncated-log.json", log[:len(log)-100], []string{"%s: byte 4662, line 1: unexpected end of input inside a record (truncated file?) (record 4 starts at byte 4067)"}},
		{"no-close.json", log[:len(log)-2], []string{"%s: byte 4760, line 1: unexpected end of input in Records array (truncated file?)"}},
		{"garbage-after.json", append(append([]byte{}, log...), "xyz"...), []string{"%s: byte 4762, line 1: data after the end of the log file"}},
		{"extra-member.json", append(append([]byte{}, log[:len(log)-1]...), `,"x":1}`...), []string{`%s: byte 4761, line 1: log file has members after Records; want only {"Records":[…]}`}},
		{"syntax.ndjson", []byte(string(recs[0]) + "\n" + `{"eventVersion":"1.02",}` + "\n" + string(recs[2]) + "\n"), []string{"%s:1: byte 1363, line 2: invalid character '}' looking for beginning of object key string"}},
		{"truncated-line.ndjson", []byte(string(recs[0]) + "\n" + string(recs[2][:40]) + "\n" + string(recs[3]) + "\n" + strings.Replace(string(recs[4]), `"awsRegion":"us-east-1"`, `"awsRegion":""`, 1) + "\n"), []string{
			"%s:1: byte 1380, line 2: unexpected end of JSON input in string literal",
			"%s:3: /awsRegion: must not be empty",
		}},
		{"utf8.ndjson", []byte(strings.Replace(string(recs[0]), "CloudTrail_Test_User", "Cloud\xffTrail", 1) + "\n"), []string{"%s:0: byte 136, line 1: invalid UTF-8"}},
		{"deep.json", []byte(deep), []string{"%s: byte 10004, line 1: nesting deeper than 10000 (record 0 starts at byte 0)"}},
		{"wrong-type.json", []byte(`{"Records":[1,` + string(recs[0]) + `,"x"]}`), []string{"%s:0: record is a number, want a JSON object", "%s:2: record is a string, want a JSON object"}},
		{"bad-record.ndjson", []byte(string(recs[0]) + "\n" + strings.Replace(string(recs[3]), `"sourceIPAddress":"127.0.0.1"`, `"sourceIPAddress":""`, 1) + "\n"), []string{"%s:1: /sourceIPAddress: must not be empty"}},
		{"records-null.json", []byte(`{"Records": null}`), []string{"%s: byte 12, line 1: Records is not an array"}},
		{"nul.json", []byte("\x00"), []string{"%s: byte 0, line 1: not JSON: invalid character byte 0x00 at start of input"}},
		{"gzip-garbage.json.gz", append(gz(t, log), "junk after the gzip member"...), []string{"%s: bad gzip data after 4762 bytes of content"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			bad := write(t, dir, tc.name, tc.content)
			next := write(t, dir, "next.ndjson", []byte(badRecord+"\n"))
			lines, sum := run(t, bad, next)
			var want []string
			for _, w := range tc.want {
				want = append(want, strings.ReplaceAll(w, "%s", bad))
			}
			want = append(want, next+":0: /eventSource: must not be empty")
			if diff := cmp.Diff(want, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
				for _, l := range lines {
					t.Logf("got %s", strings.ReplaceAll(l, bad, "%s"))
				}
			}
			if sum.Files != 2 {
				t.Errorf("Summary.Files = %d, want 2", sum.Files)
			}
		})
	}
}

func TestMissingPath(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	next := write(t, dir, "next.json", seedRecords(t)[0])
	lines, sum := run(t, missing, next)
	want := []string{missing + ": cannot read: no such file or directory"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if sum.Records != 1 {
		t.Errorf("Summary.Records = %d, want 1", sum.Records)
	}
}

func TestTree(t *testing.T) {
	recs := seedRecords(t)
	log := seed(t)
	dir := t.TempDir()
	const base = "trail/AWSLogs/111122223333/CloudTrail/us-east-1/2016/02/24/"
	write(t, dir, base+"111122223333_CloudTrail_us-east-1_20160224T1815Z_abcdefABCDEF0123.json.gz", gz(t, log))
	// Same records again: every eventID is a duplicate; the stamp is
	// before the records.
	write(t, dir, base+"111122223333_CloudTrail_us-east-1_20160224T1800Z_zzzzzzzzzzzzzzzz.json.gz", gz(t, []byte(`{"Records":[`+string(recs[0])+`]}`)))
	// File name disagrees with the path.
	write(t, dir, base+"111122223333_CloudTrail_eu-west-1_20160224T1815Z_abcdefABCDEF0124.json.gz", gz(t, []byte(`{"Records":[]}`)))
	// Records in the wrong region folder.
	write(t, dir, "trail/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2016/02/25/111122223333_CloudTrail_eu-west-1_20160225T0005Z_abcdefABCDEF0125.json.gz",
		gz(t, []byte(`{"Records":[`+strings.Replace(string(recs[1]), "d9b285d8", "e9b285d8", 1)+`]}`)))
	const digestKey = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2016/02/24/111122223333_CloudTrail-Digest_us-east-1_my_trail_us-east-1_20160224T181531Z.json.gz"
	digest := `{"awsAccountId":"111122223333","digestStartTime":"2016-02-24T17:15:31Z","digestEndTime":"2016-02-24T18:15:31Z","digestS3Bucket":"b","digestS3Object":"` + digestKey + `","digestPublicKeyFingerprint":"0ab1c2d3e4f5061728394a5b6c7d8e9f","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[]}`
	write(t, dir, "trail/"+digestKey, gz(t, []byte(digest)))
	badDigest := strings.Replace(strings.Replace(digest, "T181531Z", "T191531Z", 1), "24T18:15:31Z", "24T19:15:32Z", 1)
	write(t, dir, "trail/"+strings.Replace(digestKey, "T181531Z", "T191531Z", 1), gz(t, []byte(badDigest)))
	write(t, dir, "trail/README.txt", []byte("ignored"))
	write(t, dir, "trail/ground-truth.json", []byte(`{"scenario":"all"}`))
	write(t, dir, "trail/.hidden/x.json", []byte("ignored"))

	lines, sum := run(t, filepath.Join(dir, "trail"))
	p := func(name string) string { return filepath.Join(dir, "trail", filepath.FromSlash(name)) }
	want := []string{
		p("AWSLogs/111122223333/CloudTrail/us-east-1/2016/02/24/111122223333_CloudTrail_eu-west-1_20160224T1815Z_abcdefABCDEF0124.json.gz") + ": key AWSLogs/111122223333/CloudTrail/us-east-1/2016/02/24/111122223333_CloudTrail_eu-west-1_20160224T1815Z_abcdefABCDEF0124.json.gz: file name region eu-west-1 does not match path region us-east-1",
		p(base[len("trail/"):]+"111122223333_CloudTrail_us-east-1_20160224T1800Z_zzzzzzzzzzzzzzzz.json.gz") + ":0: /eventTime: 2016-02-24T18:08:22Z is after the file stamp 20160224T1800Z",
		p(base[len("trail/"):]+"111122223333_CloudTrail_us-east-1_20160224T1815Z_abcdefABCDEF0123.json.gz") + ":0: /eventID: duplicate eventID 875d2d68-476c-4ad5-bbc6-d02872cfc884, first seen in " + p(base[len("trail/"):]+"111122223333_CloudTrail_us-east-1_20160224T1800Z_zzzzzzzzzzzzzzzz.json.gz") + " record 0",
		p(strings.Replace(digestKey, "T181531Z", "T191531Z", 1)) + ": /digestEndTime: 2016-02-24T19:15:32Z does not match the file stamp 20160224T191531Z",
		p("AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2016/02/25/111122223333_CloudTrail_eu-west-1_20160225T0005Z_abcdefABCDEF0125.json.gz") + ":0: /awsRegion: us-east-1 does not match region eu-west-1 of the file key",
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	wantSum := Summary{Files: 4, Records: 7, Problems: 5, Digests: 2, Skipped: 2}
	if diff := cmp.Diff(wantSum, sum, cmpopts.EquateComparable()); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
}

func TestUnreadableFileInTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "a.json")); err != nil {
		t.Skip("no symlinks:", err)
	}
	write(t, dir, "b.json", seedRecords(t)[0])
	lines, sum := run(t, dir)
	want := []string{filepath.Join(dir, "a.json") + ": cannot read: no such file or directory"}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if sum.Files != 1 || sum.Records != 1 {
		t.Errorf("Summary = %+v, want 1 file, 1 record", sum)
	}
}
