package trail_test

import (
	"bytes"
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
	clock := trail.NewFakeClock(t0) // 09:02:31: the trail's digest offset
	tr, sink := newTrail(t, trail.Config{Clock: clock, SigningKey: key, TrailName: "mytrail", HomeRegion: "us-east-2"})
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
		start := t0.Add(time.Duration(i) * time.Hour).Format("2006-01-02T15:04:05Z")
		end := t0.Add(time.Duration(i+1) * time.Hour).Format("2006-01-02T15:04:05Z")
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
	for i := range 30 {
		must(t, tr.Add(firehoseRecord(i, "111122223333", "eu-west-1", clock.Now())))
		clock.Advance(7 * time.Minute)
		must(t, tr.Tick(t.Context()))
	}
	must(t, tr.Flush(t.Context()))
	state, err := tr.State()
	must(t, err)
	// Restart: a new Trail from the saved state, same sink.
	cfg.State = state
	tr2, err := trail.New(cfg)
	must(t, err)
	for i := range 30 {
		must(t, tr2.Add(firehoseRecord(100+i, "111122223333", "eu-west-1", clock.Now())))
		clock.Advance(7 * time.Minute)
		must(t, tr2.Tick(t.Context()))
	}
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
