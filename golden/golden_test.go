package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/schemas"
)

// TestSets regenerates every fixture set and compares it byte for byte with
// testdata; go test ./golden -update rewrites them.
func TestSets(t *testing.T) {
	for _, s := range Sets() {
		t.Run(s.Name, func(t *testing.T) {
			files, err := s.Build(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			AssertFiles(t, files, filepath.Join("testdata", s.Name))
		})
	}
}

// TestSetsDeterministic builds every set twice, at GOMAXPROCS 1 and 8.
func TestSetsDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, s := range Sets() {
		runtime.GOMAXPROCS(1)
		a, err := s.Build(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		runtime.GOMAXPROCS(8)
		b, err := s.Build(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for name := range a {
			if !bytes.Equal(a[name], b[name]) {
				t.Errorf("set %s: %s differs between runs", s.Name, name)
			}
		}
	}
}

func TestSeedExampleIsAWSBytes(t *testing.T) {
	want, err := os.ReadFile("../schemas/testdata/seed_example.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := Sets()[0].Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got := files["seed_example.json"]
	if !bytes.Equal(got, bytes.TrimSuffix(want, []byte("\n"))) {
		t.Errorf("seed example differs from schemas/testdata/seed_example.json (-want +got):\n%s", Diff(want, got))
	}
}

// TestSeedRequestsRender checks that the renderer, given the SDK inputs of
// the seed's calls, gives the seed's requestParameters as JSON values.
func TestSeedRequestsRender(t *testing.T) {
	s3 := func(bucket, prefix string) (*string, *string, *types.BufferingHints, *types.EncryptionConfiguration) {
		return aws.String("arn:aws:s3:::" + bucket), aws.String(prefix),
			&types.BufferingHints{SizeInMBs: aws.Int32(3), IntervalInSeconds: aws.Int32(900)},
			&types.EncryptionConfiguration{KMSEncryptionConfig: &types.KMSEncryptionConfig{AWSKMSKeyARN: aws.String("arn:aws:kms:us-east-1:key")}}
	}
	role := aws.String("arn:aws:iam::111122223333:role/Firehose")
	copyCmd := &types.CopyCommand{DataTableName: aws.String("dataTable"), CopyOptions: aws.String("copyOptions")}
	cb, cp, ch, ce := s3("firehose-cloudtrail-test-bucket", "prefix")
	ub, up, uh, ue := s3("firehose-cloudtrail-test-bucket-update", "arn:aws:s3:::firehose-cloudtrail-test-bucket")
	inputs := []any{
		&firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("TestRedshiftStream"),
			RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
				RoleARN: role, ClusterJDBCURL: aws.String("jdbc:redshift://"), CopyCommand: copyCmd,
				Username: aws.String("firehose_user"), Password: aws.String("s3cr3t-Passw0rd"),
				S3Configuration: &types.S3DestinationConfiguration{RoleARN: role, BucketARN: cb, Prefix: cp,
					BufferingHints: ch, CompressionFormat: types.CompressionFormatGzip, EncryptionConfiguration: ce}}},
		&firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("TestRedshiftStream")},
		&firehose.ListDeliveryStreamsInput{Limit: aws.Int32(10)},
		&firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("TestRedshiftStream"),
			CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
			RedshiftDestinationUpdate: &types.RedshiftDestinationUpdate{
				RoleARN: role, ClusterJDBCURL: aws.String("jdbc:redshift://"), CopyCommand: copyCmd,
				Username: aws.String("firehose_user"), Password: aws.String("s3cr3t-Passw0rd"),
				S3Update: &types.S3DestinationUpdate{RoleARN: role, BucketARN: ub, Prefix: up,
					BufferingHints: uh, CompressionFormat: types.CompressionFormatGzip, EncryptionConfiguration: ue}}},
		&firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("TestRedshiftStream")},
	}
	for i, rec := range SeedExample() {
		got, err := schemas.RenderFirehoseRequest(inputs[i])
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got, []byte("s3cr3t")) || bytes.Contains(got, []byte("firehose_user")) {
			t.Errorf("%s: secret rendered: %s", rec.EventName, got)
		}
		var a, b any
		json.Unmarshal(got, &a)
		json.Unmarshal(rec.RequestParameters, &b)
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: RenderFirehoseRequest = %s, want the value of %s", rec.EventName, got, rec.RequestParameters)
		}
	}
}

// goldenRecords returns every record stored in the set's golden files.
func goldenRecords(t *testing.T, set string) [][]byte {
	t.Helper()
	var recs [][]byte
	files, err := readTree(filepath.Join("testdata", set))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		switch {
		case strings.HasSuffix(name, ".ndjson"):
			recs = append(recs, bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))...)
		case strings.HasSuffix(name, ".json") && name != "ground-truth.json":
			var lf struct{ Records []json.RawMessage }
			if err := json.Unmarshal(b, &lf); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, r := range lf.Records {
				recs = append(recs, r)
			}
		}
	}
	if len(recs) == 0 {
		t.Fatalf("set %s: no records", set)
	}
	return recs
}

// TestRoundTrip: every golden record survives decode → encode unchanged and
// passes the validator.
func TestRoundTrip(t *testing.T) {
	v, err := schemas.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Sets() {
		for i, raw := range goldenRecords(t, s.Name) {
			var r schemas.Record
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("%s record %d: %v", s.Name, i, err)
			}
			if got := r.AppendJSON(nil); !bytes.Equal(got, raw) {
				t.Errorf("%s record %d: re-encoded (-want +got):\n%s", s.Name, i, Diff(raw, got))
			}
			if ps := v.Validate(raw); len(ps) > 0 && s.Name != "seed-example" {
				t.Errorf("%s record %d: %v", s.Name, i, ps)
			}
		}
	}
}

func TestSetContents(t *testing.T) {
	count := func(set string, field func(schemas.Record) string) map[string]int {
		m := map[string]int{}
		for _, raw := range goldenRecords(t, set) {
			var r schemas.Record
			json.Unmarshal(raw, &r)
			if k := field(r); k != "" {
				m[k]++
			}
		}
		return m
	}
	idTypes := count("mixed-identities", func(r schemas.Record) string { return r.UserIdentity.Type })
	codes := count("mixed-identities", func(r schemas.Record) string { return r.ErrorCode })
	if len(idTypes) < 6 || len(codes) < 3 {
		t.Errorf("mixed-identities: identity types %v, error codes %v", idTypes, codes)
	}
	dests := count("organization", func(r schemas.Record) string {
		if r.EventName != "CreateDeliveryStream" || r.ErrorCode != "" {
			return ""
		}
		var m map[string]json.RawMessage
		json.Unmarshal(r.RequestParameters, &m)
		for k := range m {
			if d, ok := strings.CutSuffix(k, "DestinationConfiguration"); ok {
				return d
			}
		}
		return ""
	})
	accounts := count("organization", func(r schemas.Record) string { return r.RecipientAccountID })
	if len(dests) != 10 || len(accounts) != 3 {
		t.Errorf("organization: destinations %v, accounts %v", dests, accounts)
	}
	sums, err := os.ReadFile("testdata/organization/" + ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sums, []byte("  AWSLogs/o-")) || !bytes.Contains(sums, []byte(".json.gz\n")) {
		t.Errorf("organization manifest lacks organization log files:\n%s", sums)
	}
}

// fakeTB records what a helper reports.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	fatal  bool
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) Logf(string, ...any) {}
func (f *fakeTB) Name() string        { return "TestConsumer/sub" }
func (f *fakeTB) Errorf(s string, a ...any) {
	f.mu.Lock()
	f.errors = append(f.errors, fmt.Sprintf(s, a...))
	f.mu.Unlock()
}
func (f *fakeTB) Fatalf(s string, a ...any) {
	f.Errorf(s, a...)
	f.fatal = true
	runtime.Goexit()
}

// run calls fn with a fakeTB in its own goroutine (Fatalf exits it).
func run(t *testing.T, fn func(tb testing.TB)) *fakeTB {
	f := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f
}

func setUpdate(t *testing.T, on bool) {
	t.Helper()
	old := flag.Lookup("update").Value.String()
	flag.Set("update", fmt.Sprint(on))
	t.Cleanup(func() { flag.Set("update", old) })
}

func TestAssert(t *testing.T) {
	setUpdate(t, false)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.golden")

	// Missing golden: fatal, with the command and the actual bytes.
	f := run(t, func(tb testing.TB) { Assert(tb, []byte("a\nb\n"), path) })
	if !f.fatal || !strings.Contains(f.errors[0], "go test -run '^TestConsumer$' -update") {
		t.Errorf("missing golden: fatal %v, %q", f.fatal, f.errors)
	}
	// -update writes it.
	setUpdate(t, true)
	f = run(t, func(tb testing.TB) { Assert(tb, []byte("a\nb\n"), path) })
	if len(f.errors) > 0 {
		t.Errorf("update: %q", f.errors)
	}
	flag.Set("update", "false")
	if b, _ := os.ReadFile(path); string(b) != "a\nb\n" {
		t.Errorf("update wrote %q", b)
	}
	// Equal: passes and removes the stale .actual.
	f = run(t, func(tb testing.TB) { Assert(tb, []byte("a\nb\n"), path) })
	if len(f.errors) > 0 {
		t.Errorf("equal: %q", f.errors)
	}
	if _, err := os.Stat(path + ".actual"); err == nil {
		t.Error("stale .actual left behind")
	}
	// Different: fails with a diff and writes .actual.
	f = run(t, func(tb testing.TB) { Assert(tb, []byte("a\nc\n"), path) })
	if f.fatal || len(f.errors) != 1 || !strings.Contains(f.errors[0], "-2: b\n+2: c") || !strings.Contains(f.errors[0], "-update") {
		t.Errorf("different: fatal %v, %q", f.fatal, f.errors)
	}
	if b, _ := os.ReadFile(path + ".actual"); string(b) != "a\nc\n" {
		t.Errorf(".actual holds %q", b)
	}
}

func TestAssertDir(t *testing.T) {
	src := t.TempDir()
	golden := filepath.Join(t.TempDir(), "tree")
	files, _ := Sets()[0].Build(t.Context())
	writeTree(src, map[string][]byte{"a/plain.txt": []byte("hello\n"), "seed.json": files["seed_example.json"]})
	setUpdate(t, true)
	if f := run(t, func(tb testing.TB) { AssertDir(tb, src, golden) }); len(f.errors) > 0 {
		t.Fatalf("update: %q", f.errors)
	}
	flag.Set("update", "false")
	if f := run(t, func(tb testing.TB) { AssertDir(tb, src, golden) }); len(f.errors) > 0 {
		t.Fatalf("equal: %q", f.errors)
	}
	os.WriteFile(filepath.Join(src, "a/plain.txt"), []byte("bye\n"), 0o644)
	os.WriteFile(filepath.Join(src, "new.txt"), []byte("x"), 0o644)
	f := run(t, func(tb testing.TB) { AssertDir(tb, src, golden) })
	if len(f.errors) != 1 {
		t.Fatalf("changed tree: %q", f.errors)
	}
	for _, want := range []string{"differs: a/plain.txt", "unexpected: new.txt", "differs: " + ManifestName, "-1: hello", "+1: bye"} {
		if !strings.Contains(f.errors[0], want) {
			t.Errorf("report lacks %q:\n%s", want, f.errors[0])
		}
	}
	if _, err := os.Stat(filepath.Join(golden+".actual", "new.txt")); err != nil {
		t.Errorf("actual tree not written: %v", err)
	}
}

func TestGoldenFormGzip(t *testing.T) {
	files, err := Sets()[2].Build(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	form, err := GoldenForm(files)
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if base, ok := strings.CutSuffix(name, ".json.gz"); ok {
			if b := form[base+".json"]; !bytes.HasPrefix(b, []byte(`{"Records":[`)) {
				t.Errorf("%s not decompressed: %.40q", name, b)
			}
		}
	}
	if _, err := GoldenForm(map[string][]byte{"bad.gz": []byte("not gzip")}); err == nil {
		t.Error("GoldenForm accepted a bad .gz")
	}
	lines := strings.Split(strings.TrimSpace(string(form[ManifestName])), "\n")
	if len(lines) != len(files) || !slices.IsSortedFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) }) {
		t.Errorf("manifest has %d lines for %d files", len(lines), len(files))
	}
}

func TestDiffLongLine(t *testing.T) {
	a := bytes.Repeat([]byte("x"), 1000)
	b := bytes.Clone(a)
	b[500] = 'y'
	d := Diff(a, b)
	if !strings.Contains(d, "(byte 500)") || len(d) > 500 {
		t.Errorf("Diff of long lines = %q", d)
	}
}
