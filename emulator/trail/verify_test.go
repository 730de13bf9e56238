package trail_test

// An independent digest verifier, written from the steps of `aws cloudtrail
// validate-logs` (aws-cli's CloudTrail validation code) without using the
// signer's code: it
// decodes digests with encoding/json, recomputes the string to sign, checks
// the RSA signature with the public key found by fingerprint, hashes every
// log file and walks the previousDigest links back to the chain's start.

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

// objectStore is what the verifier reads: S3 GetObject, body and metadata.
type objectStore interface {
	Get(key string) (trail.Object, bool)
}

// verifier checks digest chains in one bucket.
type verifier struct {
	store  objectStore
	bucket string
	keys   map[string]*rsa.PublicKey // by fingerprint
}

func newVerifier(store objectStore, bucket string, pubs ...*rsa.PublicKey) *verifier {
	v := &verifier{store: store, bucket: bucket, keys: map[string]*rsa.PublicKey{}}
	for _, p := range pubs {
		der := x509.MarshalPKCS1PublicKey(p)
		sum := md5.Sum(der)
		v.keys[hex.EncodeToString(sum[:])] = p
	}
	return v
}

// chainReport is the result of walking one chain.
type chainReport struct {
	digests  int
	logFiles int
	logKeys  []string
	problems []string
}

func stdGunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// verifyChain walks from the digest at newest back to the chain start.
func (v *verifier) verifyChain(newest string) chainReport {
	var rep chainReport
	bad := func(format string, args ...any) {
		rep.problems = append(rep.problems, fmt.Sprintf(format, args...))
	}
	key := newest
	var next map[string]any // the digest that pointed at key
	var nextPrevHash string
	for key != "" {
		obj, ok := v.store.Get(key)
		if !ok {
			bad("Digest file\ts3://%s/%s\tINVALID: not found", v.bucket, key)
			return rep
		}
		raw, err := stdGunzip(obj.Body)
		if err != nil {
			bad("Digest file\ts3://%s/%s\tINVALID: invalid format", v.bucket, key)
			return rep
		}
		var d map[string]any
		if err := json.Unmarshal(raw, &d); err != nil {
			bad("Digest file\ts3://%s/%s\tINVALID: invalid format", v.bucket, key)
			return rep
		}
		for _, k := range []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"} {
			if _, ok := d[k]; !ok {
				bad("Digest file\ts3://%s/%s\tINVALID: invalid format (no %s)", v.bucket, key, k)
				return rep
			}
		}
		if d["digestS3Bucket"] != v.bucket || d["digestS3Object"] != key {
			bad("Digest file\ts3://%s/%s\tINVALID: has been moved from its original location", v.bucket, key)
			return rep
		}
		fp, _ := d["digestPublicKeyFingerprint"].(string)
		pub := v.keys[fp]
		if pub == nil {
			bad("Digest file\ts3://%s/%s\tINVALID: public key not found for fingerprint %s", v.bucket, key, fp)
			return rep
		}
		sum := sha256.Sum256(raw)
		hashHex := hex.EncodeToString(sum[:])
		prevSig := "null"
		if s, ok := d["previousDigestSignature"].(string); ok {
			prevSig = s
		}
		toSign := d["digestEndTime"].(string) + "\n" + v.bucket + "/" + key + "\n" + hashHex + "\n" + prevSig
		sig, err := hex.DecodeString(obj.Meta["signature"])
		signed := sha256.Sum256([]byte(toSign))
		if err != nil || obj.Meta["signature-algorithm"] != "SHA256withRSA" ||
			rsa.VerifyPKCS1v15(pub, crypto.SHA256, signed[:], sig) != nil {
			bad("Digest file\ts3://%s/%s\tINVALID: signature verification failed", v.bucket, key)
			return rep
		}
		// The newer digest must point at exactly these bytes and signature.
		if next != nil {
			if nextPrevHash != hashHex || next["previousDigestSignature"] != obj.Meta["signature"] {
				bad("Digest file\ts3://%s/%s\tINVALID: chain link hash or signature mismatch", v.bucket, key)
				return rep
			}
			if next["digestStartTime"] != d["digestEndTime"] {
				bad("Digest file\ts3://%s/%s\tINVALID: gap before %v", v.bucket, key, next["digestStartTime"])
			}
		}
		rep.digests++
		files, _ := d["logFiles"].([]any)
		for _, f := range files {
			lf := f.(map[string]any)
			lk, _ := lf["s3Object"].(string)
			rep.logKeys = append(rep.logKeys, lk)
			lo, ok := v.store.Get(lk)
			if !ok || lf["s3Bucket"] != v.bucket {
				bad("Log file\ts3://%s/%s\tINVALID: not found", v.bucket, lk)
				continue
			}
			body, err := stdGunzip(lo.Body)
			s := sha256.Sum256(body)
			if err != nil || lf["hashAlgorithm"] != "SHA-256" || lf["hashValue"] != hex.EncodeToString(s[:]) {
				bad("Log file\ts3://%s/%s\tINVALID: hash value doesn't match", v.bucket, lk)
				continue
			}
			rep.logFiles++
		}
		next = d
		nextPrevHash, _ = d["previousDigestHashValue"].(string)
		prev, _ := d["previousDigestS3Object"].(string)
		if prev != "" && d["previousDigestS3Bucket"] != v.bucket {
			bad("Digest file\ts3://%s/%s\tINVALID: previous digest in another bucket", v.bucket, key)
			return rep
		}
		if prev == "" {
			for _, k := range []string{"previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue", "previousDigestHashAlgorithm", "previousDigestSignature"} {
				if d[k] != nil {
					bad("Digest file\ts3://%s/%s\tINVALID: chain start with non-null %s", v.bucket, key, k)
				}
			}
		}
		key = prev
	}
	return rep
}

// newestDigests returns the last digest key of each chain in sink.
func newestDigests(sink *trail.MemSink) []string {
	last := map[string]string{}
	for _, k := range digestKeys(sink) {
		i := strings.Index(k, "/CloudTrail-Digest/")
		region := strings.SplitN(k[i+len("/CloudTrail-Digest/"):], "/", 2)[0]
		last[k[:i]+region] = k
	}
	var out []string
	for _, k := range last {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// signedTrail delivers 3.5 hours of records for two streams with digests.
func signedTrail(t *testing.T) (*trail.MemSink, *rsa.PrivateKey) {
	t.Helper()
	key := loadKey(t, "digest-key.pem")
	recs := stream(400, 3*time.Hour+30*time.Minute)
	tr, sink := newTrail(t, trail.Config{ByEventTime: true, SigningKey: key, Prefix: "team-a", DeliveryDelay: time.Minute})
	must(t, tr.AddAll(t.Context(), slices.Values(recs)))
	must(t, tr.Close(t.Context()))
	return sink, key
}

func TestVerifierAcceptsChains(t *testing.T) {
	sink, key := signedTrail(t)
	v := newVerifier(sink, "example-trail-bucket", &key.PublicKey)
	heads := newestDigests(sink)
	if len(heads) != 6 {
		t.Fatalf("got %d chains, want 6", len(heads))
	}
	var covered []string
	for _, h := range heads {
		rep := v.verifyChain(h)
		if len(rep.problems) > 0 {
			t.Errorf("chain %s:\n%s", h, strings.Join(rep.problems, "\n"))
		}
		if rep.digests < 3 {
			t.Errorf("chain %s has %d digests, want at least 3", h, rep.digests)
		}
		covered = append(covered, rep.logKeys...)
	}
	slices.Sort(covered)
	all := logKeys(sink)
	slices.Sort(all)
	if !slices.Equal(covered, all) {
		t.Errorf("digests list %d log files, %d were delivered (each must be listed once)", len(covered), len(all))
	}
}

// regzip replaces the object at key with gzip(edit(gunzip(body))).
func regzip(t *testing.T, sink *trail.MemSink, key string, edit func([]byte) []byte) {
	t.Helper()
	o, ok := sink.Get(key)
	if !ok {
		t.Fatalf("no object %s", key)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(edit(gunzip(t, o.Body)))
	zw.Close()
	must(t, sink.Put(t.Context(), key, buf.Bytes(), o.Meta))
}

func TestVerifierRejectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, sink *trail.MemSink, digests []string)
		want   string
	}{
		{"log file edited", func(t *testing.T, sink *trail.MemSink, digests []string) {
			regzip(t, sink, logKeys(sink)[0], func(b []byte) []byte {
				return bytes.Replace(b, []byte("CreateDeliveryStream"), []byte("DeleteDeliveryStream"), 1)
			})
		}, "hash value doesn't match"},
		{"digest edited", func(t *testing.T, sink *trail.MemSink, digests []string) {
			regzip(t, sink, digests[1], func(b []byte) []byte {
				return bytes.Replace(b, []byte(`"oldestEventTime":"2025`), []byte(`"oldestEventTime":"2024`), 1)
			})
		}, "signature verification failed"},
		{"digest removed", func(t *testing.T, sink *trail.MemSink, digests []string) {
			must(t, sink.Put(t.Context(), digests[1]+".moved", nil, nil))
			o, _ := sink.Get(digests[1])
			// Replace the middle digest by its predecessor's bytes.
			prev, _ := sink.Get(digests[0])
			must(t, sink.Put(t.Context(), digests[1], prev.Body, o.Meta))
		}, "moved from its original location"},
		{"link signature swapped", func(t *testing.T, sink *trail.MemSink, digests []string) {
			o, _ := sink.Get(digests[0])
			other, _ := sink.Get(digests[1])
			meta := map[string]string{"signature": other.Meta["signature"], "signature-algorithm": "SHA256withRSA"}
			must(t, sink.Put(t.Context(), digests[0], o.Body, meta))
		}, "signature verification failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sink, key := signedTrail(t)
			head := newestDigests(sink)[0]
			var chainKeys []string
			prefix := head[:strings.LastIndex(head, "/CloudTrail-Digest/")]
			for _, k := range digestKeys(sink) {
				if strings.HasPrefix(k, prefix) && strings.Contains(k, "_eu-west-1_") {
					chainKeys = append(chainKeys, k)
				}
			}
			tc.tamper(t, sink, chainKeys)
			rep := newVerifier(sink, "example-trail-bucket", &key.PublicKey).verifyChain(head)
			if !strings.Contains(strings.Join(rep.problems, "\n"), tc.want) {
				t.Errorf("problems = %q, want one saying %q", rep.problems, tc.want)
			}
		})
	}
}

func TestVerifierRejectsBrokenLink(t *testing.T) {
	sink, key := signedTrail(t)
	head := newestDigests(sink)[0]
	v := newVerifier(sink, "example-trail-bucket", &key.PublicKey)
	// Lose the digest the head points at.
	o, _ := sink.Get(head)
	var d map[string]any
	must(t, json.Unmarshal(gunzip(t, o.Body), &d))
	prev := d["previousDigestS3Object"].(string)
	lost := &missing{MemSink: sink, key: prev}
	v.store = lost
	rep := v.verifyChain(head)
	if !strings.Contains(strings.Join(rep.problems, "\n"), "not found") {
		t.Errorf("problems = %q, want the lost digest not found", rep.problems)
	}
	// Unknown key: a digest signed by another key.
	v = newVerifier(sink, "example-trail-bucket", &loadKey(t, "sns-key.pem").PublicKey)
	if rep := v.verifyChain(head); !strings.Contains(strings.Join(rep.problems, "\n"), "public key not found") {
		t.Errorf("problems = %q, want public key not found", rep.problems)
	}
}

// missing hides one key of a MemSink.
type missing struct {
	*trail.MemSink
	key string
}

func (m *missing) Get(key string) (trail.Object, bool) {
	if key == m.key {
		return trail.Object{}, false
	}
	return m.MemSink.Get(key)
}
