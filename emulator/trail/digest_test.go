package trail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/firetrail/firetrail/emulator/trail"
)

// jsonKeys returns the top-level keys of a JSON object in order.
func jsonKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		must(t, err)
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		must(t, dec.Decode(&skip))
	}
	return keys
}

var digestKeyPattern = regexp.MustCompile(`^AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/04/111122223333_CloudTrail-Digest_eu-west-1_mytrail_us-east-2_20250304T\d{6}Z\.json\.gz$`)

func TestDigestFormatAndEmptyHours(t *testing.T) {
	key := loadKey(t, "digest-key.pem")
	clock := trail.NewFakeClock(t0) // 09:02:31
	cfg := trail.Config{Clock: clock, SigningKey: key, TrailName: "mytrail", HomeRegion: "us-east-2"}
	// The trail's own digest offset: its windows start at HH:22:49.
	first := time.Date(2025, 3, 4, 8, 22, 49, 0, time.UTC)
	if off := cfg.DigestOffset(); off != first.Sub(first.Truncate(time.Hour)) {
		t.Fatalf("DigestOffset = %v, want %v", off, first.Sub(first.Truncate(time.Hour)))
	}
	tr, sink := newTrail(t, cfg)
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	for range 3 * 12 {
		clock.Advance(5 * time.Minute)
		must(t, tr.Tick(t.Context()))
	}
	digests := digestKeys(sink)
	if len(digests) != 3 {
		t.Fatalf("got %d digests after 3 h, want 3: %q", len(digests), digests)
	}
	wantOrder := []string{"awsAccountId", "digestStartTime", "digestEndTime", "digestS3Bucket", "digestS3Object",
		"digestPublicKeyFingerprint", "digestSignatureAlgorithm", "newestEventTime", "oldestEventTime",
		"previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue",
		"previousDigestHashAlgorithm", "previousDigestSignature", "logFiles"}
	fp := trail.Fingerprint(trail.PublicKeyDER(&key.PublicKey))
	for i, k := range digests {
		if !digestKeyPattern.MatchString(k) {
			t.Errorf("digest key %q does not match the layout", k)
		}
		o, _ := sink.Get(k)
		raw := gunzip(t, o.Body)
		if diff := cmp.Diff(wantOrder, jsonKeys(t, raw)); diff != "" {
			t.Errorf("digest %d key order (-want +got):\n%s", i, diff)
		}
		if !bytes.Contains(raw, []byte(`"digestS3Object":"AWSLogs\/111122223333\/CloudTrail-Digest\/`)) {
			t.Errorf("digest %d does not escape / as \\/: %.200s", i, raw)
		}
		var d map[string]any
		must(t, json.Unmarshal(raw, &d))
		start := first.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05Z")
		end := first.Add(time.Duration(i+1) * time.Hour).Format("2006-01-02T15:04:05Z")
		if d["digestStartTime"] != start || d["digestEndTime"] != end {
			t.Errorf("digest %d window %v–%v, want %s–%s", i, d["digestStartTime"], d["digestEndTime"], start, end)
		}
		if !strings.HasSuffix(k, "_"+strings.NewReplacer("-", "", ":", "").Replace(end)+".json.gz") {
			t.Errorf("digest key %q not stamped with end time %s", k, end)
		}
		if d["digestPublicKeyFingerprint"] != fp || d["digestSignatureAlgorithm"] != "SHA256withRSA" {
			t.Errorf("digest %d fingerprint/algorithm = %v/%v", i, d["digestPublicKeyFingerprint"], d["digestSignatureAlgorithm"])
		}
		if o.Meta["signature-algorithm"] != "SHA256withRSA" || len(o.Meta["signature"]) != 512 {
			t.Errorf("digest %d metadata %v, want SHA256withRSA and a 512-hex signature", i, o.Meta)
		}
		files := d["logFiles"].([]any)
		switch i {
		case 0:
			if d["previousDigestS3Object"] != nil || d["previousDigestSignature"] != nil || d["previousDigestHashAlgorithm"] != nil {
				t.Errorf("first digest has previous fields: %v", d)
			}
			if len(files) != 1 || d["oldestEventTime"] != "2025-03-04T09:02:31Z" {
				t.Errorf("first digest lists %d files, oldest %v; want 1 and 09:02:31", len(files), d["oldestEventTime"])
			}
		default:
			if files == nil || len(files) != 0 || d["newestEventTime"] != nil || d["oldestEventTime"] != nil {
				t.Errorf("empty hour digest %d: logFiles=%v newest=%v oldest=%v, want [] null null", i, d["logFiles"], d["newestEventTime"], d["oldestEventTime"])
			}
			if !bytes.Contains(raw, []byte(`"logFiles":[]`)) {
				t.Errorf("empty hour digest %d lacks \"logFiles\":[]", i)
			}
			if d["previousDigestS3Object"] != digests[i-1] || d["previousDigestHashAlgorithm"] != "SHA-256" {
				t.Errorf("digest %d previous = %v, want %s", i, d["previousDigestS3Object"], digests[i-1])
			}
		}
	}
	rep := newVerifier(sink, "example-trail-bucket", &key.PublicKey).verifyChain(digests[2])
	if len(rep.problems) > 0 || rep.digests != 3 {
		t.Errorf("verifier: %d digests, problems %q", rep.digests, rep.problems)
	}
}

func TestStateRestoreContinuesChain(t *testing.T) {
	key := loadKey(t, "digest-key.pem")
	clock := trail.NewFakeClock(t0)
	sink := new(trail.MemSink)
	cfg := trail.Config{Sink: sink, Bucket: "example-trail-bucket", Clock: clock, SigningKey: key}
	tr, err := trail.New(cfg)
	must(t, err)
	addEvery7Minutes(t, tr, clock, 0, 30)
	must(t, tr.Flush(t.Context()))
	state, err := tr.State()
	must(t, err)
	// Restart: a new Trail from the saved state, same sink.
	cfg.State = state
	tr2, err := trail.New(cfg)
	must(t, err)
	addEvery7Minutes(t, tr2, clock, 100, 30)
	must(t, tr2.Close(t.Context()))
	digests := digestKeys(sink)
	rep := newVerifier(sink, "example-trail-bucket", &key.PublicKey).verifyChain(digests[len(digests)-1])
	if len(rep.problems) > 0 {
		t.Errorf("problems: %q", rep.problems)
	}
	if rep.digests != len(digests) || rep.logFiles != len(logKeys(sink)) {
		t.Errorf("chain covers %d/%d digests and %d/%d log files", rep.digests, len(digests), rep.logFiles, len(logKeys(sink)))
	}
}

// TestDigestOffset: each trail's digest windows have their own offset from
// the hour (minutes and seconds, from its seed and names), and a restart
// keeps the offset its State was saved with, even under another seed.
func TestDigestOffset(t *testing.T) {
	offsets := map[time.Duration]bool{}
	for seed := range int64(20) {
		for _, name := range []string{"", "management", "org-trail"} {
			off := trail.Config{Seed: seed, TrailName: name}.DigestOffset()
			if off < 0 || off >= time.Hour || off%time.Second != 0 {
				t.Fatalf("seed %d trail %q: offset %v, want whole seconds below an hour", seed, name, off)
			}
			offsets[off] = true
		}
	}
	if len(offsets) < 55 {
		t.Errorf("60 trails share %d offsets, want them almost all different", len(offsets))
	}
	if (trail.Config{}).DigestOffset() != (trail.Config{TrailName: trail.DefaultTrailName, HomeRegion: trail.DefaultHomeRegion}).DigestOffset() {
		t.Error("empty names and default names give different offsets")
	}

	key := loadKey(t, "digest-key.pem")
	clock := trail.NewFakeClock(time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)) // on the hour
	sink := new(trail.MemSink)
	cfg := trail.Config{Sink: sink, Bucket: "example-trail-bucket", Clock: clock, SigningKey: key, Seed: 1}
	tr, err := trail.New(cfg)
	must(t, err)
	// Every digest ends at the offset, from before and after a restart.
	wantEnd := func(k string) {
		t.Helper()
		stamp := k[len(k)-len("20250304T150405Z.json.gz") : len(k)-len(".json.gz")]
		end, err := time.Parse("20060102T150405Z", stamp)
		must(t, err)
		if got := end.Sub(end.Truncate(time.Hour)); got != cfg.DigestOffset() {
			t.Errorf("digest %s: offset %v, want %v", k, got, cfg.DigestOffset())
		}
	}
	addEvery7Minutes(t, tr, clock, 0, 20)
	must(t, tr.Flush(t.Context()))
	before := len(digestKeys(sink))
	if before == 0 {
		t.Fatal("no digest before the restart")
	}
	state, err := tr.State()
	must(t, err)
	restarted := cfg
	restarted.State, restarted.Seed = state, 2
	if restarted.DigestOffset() == cfg.DigestOffset() {
		t.Fatal("seeds 1 and 2 share an offset; pick another")
	}
	tr2, err := trail.New(restarted)
	must(t, err)
	addEvery7Minutes(t, tr2, clock, 100, 20)
	must(t, tr2.Close(t.Context()))
	digests := digestKeys(sink)
	if len(digests) <= before {
		t.Fatal("no digest after the restart")
	}
	for _, k := range digests[:len(digests)-1] { // the last ends at Close
		wantEnd(k)
	}
	rep := newVerifier(sink, "example-trail-bucket", &key.PublicKey).verifyChain(digests[len(digests)-1])
	if len(rep.problems) > 0 || rep.digests != len(digests) {
		t.Errorf("chain of %d/%d digests: %q", rep.digests, len(digests), rep.problems)
	}
}

func TestKeyHelpers(t *testing.T) {
	key := loadKey(t, "digest-key.pem")
	der := trail.PublicKeyDER(&key.PublicKey)
	if len(der) != 270 {
		t.Errorf("PKCS#1 DER of a 2048-bit key: %d bytes, want 270", len(der))
	}
	if fp := trail.Fingerprint(der); !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(fp) {
		t.Errorf("Fingerprint = %q, want 32 lowercase hex", fp)
	}
	pemOut, err := trail.MarshalSigningKey(key)
	must(t, err)
	back, err := trail.LoadSigningKey(pemOut)
	must(t, err)
	if !back.Equal(key) {
		t.Error("LoadSigningKey(MarshalSigningKey(k)) != k")
	}
	bad := []struct{ name, pem, want string }{
		{"empty", "", "no RSA private key"},
		{"garbage", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "load signing key"},
		{"certificate only", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no RSA private key"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := trail.LoadSigningKey([]byte(tc.pem)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadSigningKey = %v, want error containing %q", err, tc.want)
			}
		})
	}
	// Known answer: AWS's sample string to sign shape.
	got := trail.StringToSign(time.Date(2015, 8, 17, 15, 1, 31, 0, time.UTC), "b", "k.json.gz", "ab", "")
	if want := "2015-08-17T15:01:31Z\nb/k.json.gz\nab\nnull"; got != want {
		t.Errorf("StringToSign = %q, want %q", got, want)
	}
}

func TestLongGapSkipsEmptyHours(t *testing.T) {
	key := loadKey(t, "digest-key.pem")
	tr, sink := newTrail(t, trail.Config{ByEventTime: true, SigningKey: key})
	must(t, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	must(t, tr.Tick(t.Context()))
	// 400 days later: not 9,600 empty digests, a gap in the chain.
	must(t, tr.Add(firehoseRecord(2, "111122223333", "eu-west-1", t0.Add(400*24*time.Hour))))
	must(t, tr.Close(t.Context()))
	n := len(digestKeys(sink))
	if n > 31*24+3 {
		t.Errorf("%d digests over a 400-day gap, want at most %d", n, 31*24+3)
	}
	if got := len(logKeys(sink)); got != 2 {
		t.Errorf("%d log files, want 2", got)
	}
	// Every log file is still in a digest.
	listed := map[string]bool{}
	for _, k := range digestKeys(sink) {
		o, _ := sink.Get(k)
		var d struct{ LogFiles []struct{ S3Object string } }
		must(t, json.Unmarshal(gunzip(t, o.Body), &d))
		for _, f := range d.LogFiles {
			listed[f.S3Object] = true
		}
	}
	for _, k := range logKeys(sink) {
		if !listed[k] {
			t.Errorf("log file %s in no digest", k)
		}
	}
	// Absurd eventTimes are refused rather than spun on.
	if err := tr.Add(firehoseRecord(3, "111122223333", "eu-west-1", time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC))); err == nil {
		t.Error("Add with eventTime in the year 9000 succeeded")
	}
}

func FuzzRestoreState(f *testing.F) {
	key := loadKey(f, "digest-key.pem")
	clock := trail.NewFakeClock(t0)
	tr, _ := newTrail(f, trail.Config{Clock: clock, SigningKey: key})
	must(f, tr.Add(firehoseRecord(1, "111122223333", "eu-west-1", t0)))
	clock.Advance(2 * time.Hour)
	must(f, tr.Tick(f.Context()))
	st, err := tr.State()
	must(f, err)
	f.Add(st)
	f.Add([]byte(`{"version":1,"watermark":"9999-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"version":1,"chains":[{"account":"111122223333","region":"eu-west-1","start":"0001-01-01T00:00:01Z"}]}`))
	f.Fuzz(func(t *testing.T, state []byte) {
		clock := trail.NewFakeClock(t0.Add(3 * time.Hour))
		tr, err := trail.New(trail.Config{Sink: new(trail.MemSink), Bucket: "b-logs", Clock: clock, SigningKey: key, State: state})
		if err != nil {
			return
		}
		_ = tr.Add(firehoseRecord(2, "111122223333", "eu-west-1", clock.Now()))
		clock.Advance(2 * time.Hour)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := tr.Close(ctx); err != nil {
			t.Fatalf("Close after restoring %q: %v", state, err)
		}
	})
}

func FuzzLoadSigningKey(f *testing.F) {
	f.Add([]byte("-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := trail.LoadSigningKey(b)
		if err == nil && k.N.BitLen() < 2048 {
			t.Errorf("accepted a %d-bit key", k.N.BitLen())
		}
	})
}

// addEvery7Minutes adds n records (firehoseRecord from index first) to tr,
// one every 7 minutes of clock, ticking after each.
func addEvery7Minutes(t *testing.T, tr *trail.Trail, clock *trail.FakeClock, first, n int) {
	t.Helper()
	for i := range n {
		must(t, tr.Add(firehoseRecord(first+i, "111122223333", "eu-west-1", clock.Now())))
		clock.Advance(7 * time.Minute)
		must(t, tr.Tick(t.Context()))
	}
}
