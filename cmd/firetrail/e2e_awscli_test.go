package main

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
)

// awscli runs the real awscli against one firetrail serve.
type awscli struct {
	bin  string
	env  []string
	url  string
	temp string
}

// run runs aws with --endpoint-url (awscli before 2.13 ignores
// AWS_ENDPOINT_URL) and fails the test on a non-zero exit.
func (c *awscli) run(t *testing.T, args ...string) []byte {
	t.Helper()
	out, errOut, err := c.try(t, nil, args...)
	if err != nil {
		t.Fatalf("aws %s: %v\nstderr:\n%s\nstdout:\n%.2000s", strings.Join(args, " "), err, errOut, out)
	}
	return out
}

// try runs aws with extra environment and returns what it printed.
func (c *awscli) try(t *testing.T, extraEnv []string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	argv := append([]string{"--endpoint-url", c.url}, args...)
	return execClient(t.Context(), append(slices.Clip(c.env), extraEnv...), c.temp, c.bin, argv...)
}

// upAndBack copies data up to s3://bucket/key with `aws s3 cp` and back
// down again, and checks that the bytes survived.
func (c *awscli) upAndBack(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	dir := t.TempDir()
	src, back := filepath.Join(dir, "up.bin"), filepath.Join(dir, "back.bin")
	if err := os.WriteFile(src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "s3://" + bucket + "/" + key
	c.run(t, "s3", "cp", "--no-progress", src, url)
	c.run(t, "s3", "cp", "--no-progress", url, back)
	got, err := os.ReadFile(back)
	if err != nil {
		t.Fatal(err)
	}
	if sha256Hex(got) != sha256Hex(data) {
		t.Errorf("s3 cp %s up and back: sha256 %s (%d bytes), want %s (%d bytes)", url, sha256Hex(got), len(got), sha256Hex(data), len(data))
	}
}

// cliEvent is one event of `aws cloudtrail lookup-events` output.
type cliEvent struct {
	EventID         string `json:"EventId"`
	EventName       string
	ReadOnly        string
	AccessKeyID     string `json:"AccessKeyId"`
	EventTime       string
	EventSource     string
	Username        string
	Resources       []struct{ ResourceType, ResourceName string }
	CloudTrailEvent string
}

type cliLookup struct {
	Events    []cliEvent
	NextToken string
}

func (c *awscli) lookup(t *testing.T, args ...string) cliLookup {
	t.Helper()
	out := c.run(t, append([]string{"cloudtrail", "lookup-events", "--output", "json"}, args...)...)
	var res cliLookup
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("lookup-events %s: decode output: %v\n%.2000s", strings.Join(args, " "), err, out)
	}
	return res
}

func eventIDs(evs []cliEvent) []string {
	ids := make([]string, len(evs))
	for i, e := range evs {
		ids[i] = e.EventID
	}
	return ids
}

func eventTime(t *testing.T, e cliEvent) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, e.EventTime)
	if err != nil {
		t.Fatalf("event %s: EventTime %q: %v", e.EventID, e.EventTime, err)
	}
	return at
}

// TestE2EAWSCLI drives firetrail serve with Debian's awscli v2: s3 ls, cp,
// sync; cloudtrail lookup-events with every lookup attribute, a time range,
// --max-results and pagination; list-public-keys; and validate-logs, AWS's
// own digest chain validator, which must accept the chain and catch
// tampering.
func TestE2EAWSCLI(t *testing.T) {
	t.Parallel()
	bin, version := findAWSCLI(t)
	t.Logf("awscli: %s: %s", bin, version)

	// Three runs that stop (each stop delivers and writes final digests,
	// chained across restarts; the preload is delivered by the first only),
	// then one that serves the data directory. A final digest ends at the
	// next whole second, and a chain does not get two digests for one
	// second: each run stops in a later second.
	dataDir := t.TempDir()
	for range 3 {
		started := time.Now()
		p := startServe(t, "--data-dir", dataDir, "--events", "150", "--seed", "21")
		time.Sleep(time.Until(started.Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
		p.stop(t)
	}
	srv := startServe(t, "--data-dir", dataDir)
	cli := &awscli{bin: bin, env: clientEnv(t, &srv.serveInfo, pathStyleConfig), url: srv.URL, temp: t.TempDir()}
	s3c := goS3(t, &srv.serveInfo)
	bucket := srv.Bucket
	region := srv.Env["AWS_REGION"]

	objects := listObjects(t, s3c, bucket, "")
	logs := readLogFiles(t, s3c, bucket, "")
	if len(logs) < 3 {
		t.Fatalf("%d log files in s3://%s, want at least 3: %v", len(logs), bucket, objects)
	}

	t.Run("s3 ls", func(t *testing.T) {
		out := cli.run(t, "s3", "ls", "s3://"+bucket, "--recursive")
		got := map[string]int64{}
		for line := range strings.Lines(string(out)) {
			f := strings.Fields(line)
			if len(f) != 4 {
				t.Errorf("s3 ls line %q: want date, time, size, key", line)
				continue
			}
			size, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				t.Errorf("s3 ls line %q: size: %v", line, err)
			}
			got[f[3]] = size
		}
		if diff := cmp.Diff(objects, got); diff != "" {
			t.Errorf("s3 ls --recursive differs from ListObjectsV2 (-want +got):\n%s", diff)
		}
		nLogs, nDigests := 0, 0
		for key := range got {
			switch {
			case strings.Contains(key, "/CloudTrail-Digest/"):
				if !digestKeyRE.MatchString(key) {
					t.Errorf("digest key %q does not have the CloudTrail layout", key)
				}
				nDigests++
			case strings.Contains(key, "/CloudTrail/"):
				if err := checkLogKey(key); err != nil {
					t.Error(err)
				}
				nLogs++
			default:
				t.Errorf("unexpected object %q", key)
			}
		}
		if nLogs != len(logs) || nDigests < 3 {
			t.Errorf("s3 ls: %d log files and %d digests, want %d and at least 3", nLogs, nDigests, len(logs))
		}
	})

	t.Run("s3 cp", func(t *testing.T) {
		key := slices.Sorted(maps.Keys(logs))[0]
		dst := filepath.Join(t.TempDir(), "log.json.gz")
		cli.run(t, "s3", "cp", "--no-progress", "s3://"+bucket+"/"+key, dst)
		b, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := parseLogFile(b)
		if err != nil {
			t.Fatalf("downloaded %s: %v", key, err)
		}
		if len(recs) == 0 || len(recs) != len(logs[key]) {
			t.Errorf("downloaded %s holds %d records, want %d (> 0)", key, len(recs), len(logs[key]))
		}
		if want := getObject(t, s3c, bucket, key); !bytes.Equal(b, want) {
			t.Errorf("s3 cp of %s: %d bytes (sha256 %s), GetObject: %d bytes (sha256 %s)", key, len(b), sha256Hex(b), len(want), sha256Hex(want))
		}

		// Up and back: a small file, and one above the awscli's 8 MiB
		// multipart threshold.
		for _, size := range []int{1000, 9<<20 + 123} {
			data := randomData(size, uint64(size))
			key := fmt.Sprintf("e2e/awscli/up-%d.bin", size)
			cli.upAndBack(t, bucket, key, data)
			if stored := getObject(t, s3c, bucket, key); sha256Hex(stored) != sha256Hex(data) {
				t.Errorf("s3://%s/%s as stored: sha256 %s (%d bytes), want %s", bucket, key, sha256Hex(stored), len(stored), sha256Hex(data))
			}
		}
	})

	t.Run("s3 sync", func(t *testing.T) {
		dir := t.TempDir()
		cli.run(t, "s3", "sync", "--no-progress", "s3://"+bucket, dir)
		want := listObjects(t, s3c, bucket, "")
		got := map[string]int64{}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			key := filepath.ToSlash(rel)
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			got[key] = int64(len(b))
			if _, ok := want[key]; ok {
				if obj := getObject(t, s3c, bucket, key); !bytes.Equal(b, obj) {
					t.Errorf("synced %s: sha256 %s, GetObject: %s", key, sha256Hex(b), sha256Hex(obj))
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("s3 sync: files differ from the bucket listing (-want +got):\n%s", diff)
		}
		// Sizes and LastModified agree with the files now: nothing to do.
		if out := cli.run(t, "s3", "sync", "--no-progress", "s3://"+bucket, dir); len(out) != 0 {
			t.Errorf("second s3 sync down copied again:\n%s", out)
		}

		// Up: a directory tree into a prefix, then nothing left to do.
		up := t.TempDir()
		files := map[string][]byte{"a.txt": []byte("a\n"), "sub/b.bin": randomData(70000, 3), "sub/deeper/c": {}}
		for name, b := range files {
			p := filepath.Join(up, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cli.run(t, "s3", "sync", "--no-progress", up, "s3://"+bucket+"/e2e/sync-up")
		for name, b := range files {
			if got := getObject(t, s3c, bucket, "e2e/sync-up/"+name); !bytes.Equal(got, b) {
				t.Errorf("s3 sync up %s: %d bytes stored, want %d", name, len(got), len(b))
			}
		}
		if out := cli.run(t, "s3", "sync", "--no-progress", up, "s3://"+bucket+"/e2e/sync-up"); len(out) != 0 {
			t.Errorf("second s3 sync up copied again:\n%s", out)
		}
	})

	// Everything LookupEvents may show: the management events of the
	// emulator's region in the delivered files, across the restarts.
	wantIDs := map[string]bool{}
	for _, recs := range logs {
		for _, r := range recs {
			if r.AWSRegion == region && r.isManagement() {
				wantIDs[r.EventID] = true
			}
		}
	}
	all := cli.lookup(t)
	t.Run("lookup-events all", func(t *testing.T) {
		if all.NextToken != "" {
			t.Errorf("auto-paginated lookup-events left NextToken %q", all.NextToken)
		}
		got := map[string]bool{}
		for i, e := range all.Events {
			if got[e.EventID] {
				t.Errorf("event %s listed twice", e.EventID)
			}
			got[e.EventID] = true
			var rec logRecord
			if err := json.Unmarshal([]byte(e.CloudTrailEvent), &rec); err != nil {
				t.Errorf("event %s: CloudTrailEvent: %v", e.EventID, err)
			} else if rec.EventID != e.EventID || rec.EventName != e.EventName {
				t.Errorf("event %s %s: CloudTrailEvent has %s %s", e.EventID, e.EventName, rec.EventID, rec.EventName)
			}
			if i > 0 && eventTime(t, e).After(eventTime(t, all.Events[i-1])) {
				t.Errorf("events %d and %d not newest first: %s then %s", i-1, i, all.Events[i-1].EventTime, e.EventTime)
			}
		}
		if len(wantIDs) == 0 {
			t.Fatal("no management events in the log files")
		}
		if diff := cmp.Diff(wantIDs, got); diff != "" {
			t.Errorf("lookup-events event IDs differ from the management events of %s in the log files (-want +got):\n%s", region, diff)
		}
	})
	if len(all.Events) < 100 {
		t.Fatalf("lookup-events: %d events, want at least 100 to test filters and paging", len(all.Events))
	}

	// Read-only CloudTrail calls, in parallel.
	t.Run("cloudtrail", func(t *testing.T) {
		t.Run("lookup-events attributes", func(t *testing.T) {
			t.Parallel()
			pick := all.Events[len(all.Events)/2]
			var withResource cliEvent
			for _, e := range all.Events {
				if len(e.Resources) > 0 {
					withResource = e
					break
				}
			}
			if withResource.EventID == "" {
				t.Fatal("no event has Resources: cannot test ResourceName")
			}
			tests := []struct {
				key, value string
				match      func(cliEvent) bool
			}{
				{"EventName", pick.EventName, func(e cliEvent) bool { return e.EventName == pick.EventName }},
				{"Username", pick.Username, func(e cliEvent) bool { return e.Username == pick.Username }},
				{"EventSource", "firehose.amazonaws.com", func(e cliEvent) bool { return e.EventSource == "firehose.amazonaws.com" }},
				{"ReadOnly", "false", func(e cliEvent) bool { return e.ReadOnly == "false" }},
				{"AccessKeyId", pick.AccessKeyID, func(e cliEvent) bool { return e.AccessKeyID == pick.AccessKeyID }},
				{"EventId", pick.EventID, func(e cliEvent) bool { return e.EventID == pick.EventID }},
				{"ResourceName", withResource.Resources[0].ResourceName, func(e cliEvent) bool {
					return slices.ContainsFunc(e.Resources, func(r struct{ ResourceType, ResourceName string }) bool {
						return r.ResourceName == withResource.Resources[0].ResourceName
					})
				}},
			}
			for _, tc := range tests {
				t.Run(tc.key, func(t *testing.T) {
					t.Parallel()
					if tc.value == "" {
						t.Fatalf("picked event %s has no %s", pick.EventID, tc.key)
					}
					var want []string
					for _, e := range all.Events {
						if tc.match(e) {
							want = append(want, e.EventID)
						}
					}
					got := cli.lookup(t, "--lookup-attributes", "AttributeKey="+tc.key+",AttributeValue="+tc.value)
					if diff := cmp.Diff(want, eventIDs(got.Events)); diff != "" {
						t.Errorf("lookup-events %s=%s (-want +got):\n%s", tc.key, tc.value, diff)
					}
				})
			}
		})

		// A range inside the history, bounded by two events' times (both ends
		// are inclusive).
		n := len(all.Events)
		endAt, startAt := eventTime(t, all.Events[n/3]), eventTime(t, all.Events[n/2])
		var inRange []string
		for _, e := range all.Events {
			if at := eventTime(t, e); !at.Before(startAt) && !at.After(endAt) {
				inRange = append(inRange, e.EventID)
			}
		}
		rangeArgs := []string{"--start-time", startAt.Format(time.RFC3339), "--end-time", endAt.Format(time.RFC3339)}

		t.Run("lookup-events time range", func(t *testing.T) {
			t.Parallel()
			got := cli.lookup(t, rangeArgs...)
			if diff := cmp.Diff(inRange, eventIDs(got.Events)); diff != "" {
				t.Errorf("lookup-events %s (-want +got):\n%s", strings.Join(rangeArgs, " "), diff)
			}
		})

		t.Run("lookup-events max-results", func(t *testing.T) {
			t.Parallel()
			// --max-results alone turns the awscli's pagination off: one page
			// and the API's NextToken, which --next-token continues.
			first := cli.lookup(t, append(slices.Clip(rangeArgs), "--max-results", "7")...)
			if diff := cmp.Diff(inRange[:7], eventIDs(first.Events)); diff != "" {
				t.Errorf("lookup-events --max-results 7 (-want +got):\n%s", diff)
			}
			if first.NextToken == "" {
				t.Fatalf("lookup-events --max-results 7 of %d events: no NextToken", len(inRange))
			}
			got := eventIDs(first.Events)
			for tok := first.NextToken; tok != ""; {
				page := cli.lookup(t, append(slices.Clip(rangeArgs), "--max-results", "50", "--next-token", tok)...)
				got = append(got, eventIDs(page.Events)...)
				tok = page.NextToken
				if len(got) > len(inRange) {
					t.Fatalf("--next-token pages: %d events, more than the %d in range", len(got), len(inRange))
				}
			}
			if diff := cmp.Diff(inRange, got); diff != "" {
				t.Errorf("lookup-events pages by --max-results/--next-token (-want +got):\n%s", diff)
			}
			// The API's limits reach the user as the documented error.
			_, errOut, err := cli.try(t, nil, "cloudtrail", "lookup-events", "--max-results", "51")
			if err == nil || !strings.Contains(string(errOut), "InvalidMaxResultsException") {
				t.Errorf("lookup-events --max-results 51: err %v, stderr %q; want InvalidMaxResultsException", err, errOut)
			}
		})

		t.Run("lookup-events pagination", func(t *testing.T) {
			t.Parallel()
			const maxItems = 25
			var got []string
			args := append(slices.Clip(rangeArgs), "--page-size", "10", "--max-items", strconv.Itoa(maxItems))
			pages := 0
			for tok := ""; ; {
				a := args
				if tok != "" {
					a = append(slices.Clip(args), "--starting-token", tok)
				}
				page := cli.lookup(t, a...)
				pages++
				if len(page.Events) > maxItems {
					t.Errorf("page %d: %d events, more than --max-items %d", pages, len(page.Events), maxItems)
				}
				got = append(got, eventIDs(page.Events)...)
				if page.NextToken == "" {
					break
				}
				if len(got) > len(inRange) || pages > len(inRange) {
					t.Fatalf("pagination does not end: %d events after %d pages, %d in range", len(got), pages, len(inRange))
				}
				tok = page.NextToken
			}
			if want := (len(inRange) + maxItems - 1) / maxItems; pages != want {
				t.Errorf("%d events in pages of --max-items %d: %d pages, want %d", len(inRange), maxItems, pages, want)
			}
			if diff := cmp.Diff(inRange, got); diff != "" {
				t.Errorf("all pages of --page-size/--max-items/--starting-token differ from one call (-want +got):\n%s", diff)
			}
		})

		t.Run("list-public-keys", func(t *testing.T) {
			t.Parallel()
			out := cli.run(t, "cloudtrail", "list-public-keys", "--output", "json")
			var res struct {
				PublicKeyList []struct {
					Value, Fingerprint                 string
					ValidityStartTime, ValidityEndTime string
				}
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("list-public-keys: %v\n%s", err, out)
			}
			fingerprints := map[string]bool{}
			if len(res.PublicKeyList) == 0 {
				t.Fatalf("list-public-keys: no keys:\n%s", out)
			}
			for _, k := range res.PublicKeyList {
				der, err := base64.StdEncoding.DecodeString(k.Value)
				if err != nil {
					t.Errorf("key %s: Value: %v", k.Fingerprint, err)
					continue
				}
				if _, err := x509.ParsePKCS1PublicKey(der); err != nil {
					t.Errorf("key %s: Value is not a DER PKCS#1 RSA public key: %v", k.Fingerprint, err)
				}
				sum := md5.Sum(der)
				if want := hex.EncodeToString(sum[:]); k.Fingerprint != want {
					t.Errorf("key Fingerprint %q, want MD5 of the DER %q", k.Fingerprint, want)
				}
				fingerprints[k.Fingerprint] = true
			}
			// The digests name that key.
			for key := range objects {
				if !digestKeyRE.MatchString(key) {
					continue
				}
				d := readDigest(t, getObject(t, s3c, bucket, key))
				if !fingerprints[d.Fingerprint] {
					t.Errorf("digest %s: digestPublicKeyFingerprint %q is not one of list-public-keys %v", key, d.Fingerprint, fingerprints)
				}
			}
		})

	})

	t.Run("validate-logs", func(t *testing.T) {
		testValidateLogs(t, cli, srv, s3c, objects)
	})
}

// digestFile is the part of a digest file the tests read.
type digestFile struct {
	Fingerprint    string `json:"digestPublicKeyFingerprint"`
	Object         string `json:"digestS3Object"`
	PreviousObject string `json:"previousDigestS3Object"`
	EndTime        string `json:"digestEndTime"`
	LogFiles       []struct {
		S3Object string `json:"s3Object"`
	} `json:"logFiles"`
}

func readDigest(t *testing.T, gz []byte) digestFile {
	t.Helper()
	raw, err := gunzip(gz)
	if err != nil {
		t.Fatalf("digest: %v", err)
	}
	var d digestFile
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("digest: %v", err)
	}
	return d
}

func gunzip(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	return b, nil
}

func regzip(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// testValidateLogs runs `aws cloudtrail validate-logs` on the account with
// the longest digest chain: all digests and log files valid; then a
// tampered log file and a tampered digest are each reported INVALID with
// exit status 1.
//
// validate-logs makes its S3 clients from a region alone, so --endpoint-url
// does not reach them (aws-cli's CloudTrail validation code): they follow
// AWS_ENDPOINT_URL_S3 from awscli 2.13 on; for older ones (Debian 12 has 2.9)
// the plugin in testdata/e2e/awscli_plugins does the same. Path-style
// addressing comes from the config file.
func testValidateLogs(t *testing.T, base *awscli, srv *serveProc, s3c *s3.Client, objects map[string]int64) {
	plugins, err := filepath.Abs("testdata/e2e/awscli_plugins")
	if err != nil {
		t.Fatal(err)
	}
	cli := *base
	cli.env = clientEnv(t, &srv.serveInfo, pathStyleConfig+
		"[plugins]\ncli_legacy_plugin_path = "+plugins+"\nfiretrail_s3_endpoint = firetrail_s3_endpoint\n")
	// botocore picks a client's proxy for the endpoint it was made with
	// (s3.amazonaws.com here, before the plugin's rewrite): the proxy trap
	// of clientEnv would catch the rewritten requests too.
	cli.env = slices.DeleteFunc(cli.env, func(kv string) bool {
		return strings.HasPrefix(kv, "HTTP_PROXY=") || strings.HasPrefix(kv, "HTTPS_PROXY=")
	})
	extra := []string{"AWS_ENDPOINT_URL_S3=" + srv.URL}

	var trails struct {
		TrailList []struct{ TrailARN, S3BucketName string }
	}
	if err := json.Unmarshal(cli.run(t, "cloudtrail", "describe-trails", "--output", "json"), &trails); err != nil {
		t.Fatalf("describe-trails: %v", err)
	}
	if len(trails.TrailList) != 1 || trails.TrailList[0].S3BucketName != srv.Bucket {
		t.Fatalf("describe-trails: %+v, want one trail delivering to %s", trails.TrailList, srv.Bucket)
	}
	arn := trails.TrailList[0].TrailARN

	// The account with the most digests (in the CLI's region).
	region := srv.Env["AWS_REGION"]
	digests := map[string][]string{}
	for key := range objects {
		if m := digestKeyRE.FindStringSubmatch(key); m != nil && m[2] == region {
			digests[m[1]] = append(digests[m[1]], key)
		}
	}
	account := ""
	for a, keys := range digests {
		if len(keys) > len(digests[account]) || (len(keys) == len(digests[account]) && a < account) {
			account = a
		}
	}
	if !strings.Contains(arn, ":"+account+":trail/") {
		t.Errorf("the digest chain is in account %s, not the trail's (%s): generated activity should be the trail owner's", account, arn)
	}
	chain := digests[account]
	sort.Strings(chain)
	if len(chain) < 3 {
		t.Fatalf("longest digest chain (account %q) has %d digests, want at least 3: %v", account, len(chain), digests)
	}
	var logKeys []string
	for _, key := range chain {
		d := readDigest(t, getObject(t, s3c, srv.Bucket, key))
		for _, l := range d.LogFiles {
			logKeys = append(logKeys, l.S3Object)
		}
	}
	if len(logKeys) == 0 {
		t.Fatalf("the digests of account %s list no log files", account)
	}

	validate := func() (string, error) {
		t.Helper()
		// The preloaded history is moved by whole weeks to end before
		// now, so it may start up to a week (plus its own span) ago.
		start := time.Now().UTC().Add(-8 * 24 * time.Hour).Format(time.RFC3339)
		out, errOut, err := cli.try(t, extra, "cloudtrail", "validate-logs", "--trail-arn", arn,
			"--account-id", account, "--start-time", start, "--verbose")
		t.Logf("aws cloudtrail validate-logs: %v\n%s%s", err, out, errOut)
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("validate-logs: %v\n%s", err, errOut)
		}
		// Valid lines go to stdout, INVALID ones to stderr.
		return string(out) + string(errOut), err
	}

	out, err := validate()
	if err != nil {
		t.Fatalf("validate-logs of an untouched bucket: %v", err)
	}
	for _, want := range []string{
		fmt.Sprintf("%d/%d digest files valid", len(chain), len(chain)),
		fmt.Sprintf("%d/%d log files valid", len(logKeys), len(logKeys)),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("validate-logs output lacks %q", want)
		}
	}
	if strings.Contains(out, "INVALID") {
		t.Errorf("validate-logs reports something INVALID")
	}

	// A log file changed after delivery.
	logKey := logKeys[0]
	raw, err := gunzip(getObject(t, s3c, srv.Bucket, logKey))
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), "tampered.json.gz")
	if err := os.WriteFile(tampered, regzip(t, bytes.Replace(raw, []byte(`"eventName":"`), []byte(`"eventName":"X`), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	cli.run(t, "s3", "cp", "--no-progress", tampered, "s3://"+srv.Bucket+"/"+logKey)
	out, err = validate()
	if err == nil {
		t.Errorf("validate-logs accepted a tampered log file")
	}
	if want := regexp.MustCompile(`Log file\s+s3://` + regexp.QuoteMeta(srv.Bucket+"/"+logKey) + `\s+INVALID: hash value doesn't match`); !want.MatchString(out) {
		t.Errorf("validate-logs output lacks %q", want)
	}

	// A digest in the middle of the chain changed after delivery: its
	// signature no longer matches.
	mid := chain[len(chain)/2]
	raw, err = gunzip(getObject(t, s3c, srv.Bucket, mid))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tampered, regzip(t, append(raw, ' ')), 0o644); err != nil {
		t.Fatal(err)
	}
	cli.run(t, "s3", "cp", "--no-progress", tampered, "s3://"+srv.Bucket+"/"+mid)
	out, err = validate()
	if err == nil {
		t.Errorf("validate-logs accepted a tampered digest")
	}
	if want := regexp.MustCompile(`Digest file\s+s3://` + regexp.QuoteMeta(srv.Bucket+"/"+mid) + `\s+INVALID: signature verification failed`); !want.MatchString(out) {
		t.Errorf("validate-logs output lacks %q", want)
	}
}

// TestE2EAWSCLITLS checks the awscli against serve --tls, trusting the CA
// file serve printed (AWS_CA_BUNDLE for this process only): a multipart
// upload and its download round-trip, and the CloudTrail API answers.
func TestE2EAWSCLITLS(t *testing.T) {
	t.Parallel()
	bin, version := findAWSCLI(t)
	t.Logf("awscli: %s: %s", bin, version)
	srv := startServe(t, "--tls", "--data-dir", t.TempDir(), "--events", "30", "--seed", "41")
	if !strings.HasPrefix(srv.URL, "https://") || srv.CAFile() == "" {
		t.Fatalf("serve --tls: endpoint %s, CA file %q", srv.URL, srv.CAFile())
	}
	cli := &awscli{bin: bin, env: clientEnv(t, &srv.serveInfo, pathStyleConfig), url: srv.URL, temp: t.TempDir()}

	cli.upAndBack(t, srv.Bucket, "e2e/awscli-tls/up.bin", randomData(9<<20+5, 41))
	res := cli.lookup(t, "--max-results", "3")
	if len(res.Events) != 3 || res.NextToken == "" {
		t.Errorf("lookup-events --max-results 3 over TLS: %d events, NextToken %q; want 3 and a token", len(res.Events), res.NextToken)
	}

	// The awscli lines serve prints work as printed, with its export lines
	// as the whole AWS environment and no config file.
	t.Run("banner commands", func(t *testing.T) {
		home := t.TempDir()
		env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
			"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
		for k, v := range srv.Env {
			env = append(env, k+"="+v)
		}
		var lines []string
		for _, l := range srv.Lines {
			if strings.HasPrefix(l, "aws ") {
				lines = append(lines, l)
			}
		}
		if len(lines) != 2 {
			t.Fatalf("serve printed %d awscli lines, want 2: %q", len(lines), srv.Lines)
		}
		for _, l := range lines {
			args := strings.Fields(l)[1:]
			out, errOut, err := execClient(t.Context(), env, home, bin, args...)
			if err != nil {
				t.Errorf("%s: %v\n%s", l, err, errOut)
				continue
			}
			switch {
			case strings.Contains(l, " s3 ls "):
				logs := 0
				for line := range strings.Lines(string(out)) {
					if f := strings.Fields(line); len(f) == 4 && checkLogKey(f[3]) == nil {
						logs++
					}
				}
				if logs == 0 {
					t.Errorf("%s: no log file listed:\n%s", l, out)
				}
			case strings.Contains(l, "lookup-events"):
				var res cliLookup
				if err := json.Unmarshal(out, &res); err != nil || len(res.Events) != 5 {
					t.Errorf("%s: %d events (%v), want 5:\n%.1000s", l, len(res.Events), err, out)
				}
			default:
				t.Errorf("unexpected awscli line %q", l)
			}
		}
	})
}
