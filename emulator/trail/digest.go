package trail

import (
	"bytes"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/schemas"
)

// digestTimeFormat is the format of every time in a digest file.
const digestTimeFormat = "2006-01-02T15:04:05Z"

// makeDigest writes the digest of s for the window ending at end, signs it
// and advances the chain. Called with t.mu held.
func (t *Trail) makeDigest(s *stream, end time.Time) *object {
	c := &s.chain
	t.settle(c)
	key := t.digestKey(s.id.account, s.id.region, end)
	var files []LogFileEntry
	kept := c.pending[:0]
	for _, e := range c.pending {
		if e.Delivered.Before(end) {
			files = append(files, e)
		} else {
			kept = append(kept, e)
		}
	}
	clear(c.pending[len(kept):])
	c.pending = kept

	body := t.appendDigestJSON(nil, s, c, c.start, end, key, files)
	sum := sha256.Sum256(body)
	hashHex := hex.EncodeToString(sum[:])
	sig := signDigest(t.cfg.SigningKey, StringToSign(end, t.cfg.Bucket, key, hashHex, c.prevSig))

	buf := t.bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	gz := t.gzPool.Get().(*gzip.Writer)
	gz.Reset(buf)
	gz.Write(body) // writes into a bytes.Buffer cannot fail
	gz.Close()
	t.gzPool.Put(gz)

	c.prevBucket, c.prevKey, c.prevSig, c.prevHash = t.cfg.Bucket, key, sig, hashHex
	c.start = end
	return &object{
		key: key,
		buf: buf,
		meta: map[string]string{
			"signature":           sig,
			"signature-algorithm": SignatureAlgorithm,
		},
		digest: end,
	}
}

// appendDigestJSON appends the digest file's JSON: compact, fields in the
// order of AWS's sample (CloudTrail User Guide, digest file structure), "/"
// escaped as "\/" as in real digest files.
func (t *Trail) appendDigestJSON(b []byte, s *stream, c *chain, start, end time.Time, key string, files []LogFileEntry) []byte {
	var newest, oldest time.Time
	for _, f := range files {
		if f.Newest.After(newest) {
			newest = f.Newest
		}
		if oldest.IsZero() || (!f.Oldest.IsZero() && f.Oldest.Before(oldest)) {
			oldest = f.Oldest
		}
	}
	b = append(b, `{"awsAccountId":`...)
	b = appendDigestString(b, s.id.account)
	b = append(b, `,"digestStartTime":`...)
	b = appendDigestTime(b, start)
	b = append(b, `,"digestEndTime":`...)
	b = appendDigestTime(b, end)
	b = append(b, `,"digestS3Bucket":`...)
	b = appendDigestString(b, t.cfg.Bucket)
	b = append(b, `,"digestS3Object":`...)
	b = appendDigestString(b, key)
	b = append(b, `,"digestPublicKeyFingerprint":`...)
	b = appendDigestString(b, t.fingerprint)
	b = append(b, `,"digestSignatureAlgorithm":`...)
	b = appendDigestString(b, SignatureAlgorithm)
	b = append(b, `,"newestEventTime":`...)
	b = appendDigestTime(b, newest)
	b = append(b, `,"oldestEventTime":`...)
	b = appendDigestTime(b, oldest)
	b = append(b, `,"previousDigestS3Bucket":`...)
	b = appendDigestOpt(b, c.prevBucket)
	b = append(b, `,"previousDigestS3Object":`...)
	b = appendDigestOpt(b, c.prevKey)
	b = append(b, `,"previousDigestHashValue":`...)
	b = appendDigestOpt(b, c.prevHash)
	b = append(b, `,"previousDigestHashAlgorithm":`...)
	if c.prevKey == "" {
		b = append(b, "null"...)
	} else {
		b = appendDigestString(b, HashAlgorithm)
	}
	b = append(b, `,"previousDigestSignature":`...)
	b = appendDigestOpt(b, c.prevSig)
	b = append(b, `,"logFiles":[`...)
	for i, f := range files {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"s3Bucket":`...)
		b = appendDigestString(b, f.Bucket)
		b = append(b, `,"s3Object":`...)
		b = appendDigestString(b, f.Key)
		b = append(b, `,"hashValue":`...)
		b = appendDigestString(b, f.Hash)
		b = append(b, `,"hashAlgorithm":`...)
		b = appendDigestString(b, HashAlgorithm)
		b = append(b, `,"newestEventTime":`...)
		b = appendDigestTime(b, f.Newest)
		b = append(b, `,"oldestEventTime":`...)
		b = appendDigestTime(b, f.Oldest)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendDigestString appends s as a JSON string with "/" escaped as "\/".
func appendDigestString(b []byte, s string) []byte {
	start := len(b)
	b = schemas.AppendString(b, s)
	if bytes.IndexByte(b[start:], '/') < 0 {
		return b
	}
	esc := bytes.ReplaceAll(b[start:], []byte("/"), []byte(`\/`))
	return append(b[:start], esc...)
}

// appendDigestOpt appends s, or null when s is empty.
func appendDigestOpt(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return appendDigestString(b, s)
}

// appendDigestTime appends t in UTC to the second, or null when t is zero.
func appendDigestTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, digestTimeFormat)
	return append(b, '"')
}

// StringToSign returns the string a digest signature covers (CloudTrail User
// Guide, custom validation): digestEndTime, bucket/key, hex SHA-256 of the
// uncompressed digest and the previous digest's signature (or "null"), joined
// with newlines.
func StringToSign(end time.Time, bucket, key, hashHex, prevSig string) string {
	if prevSig == "" {
		prevSig = "null"
	}
	return end.UTC().Format(digestTimeFormat) + "\n" + bucket + "/" + key + "\n" + hashHex + "\n" + prevSig
}

// signDigest signs s with SHA256withRSA (PKCS#1 v1.5) and returns lowercase
// hex.
func signDigest(key *rsa.PrivateKey, s string) string {
	sum := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		// Only a key too small for SHA-256 fails; New rejects those.
		panic(fmt.Sprintf("trail: sign digest: %v", err))
	}
	return hex.EncodeToString(sig)
}

// PublicKeyDER returns the DER encoding of key as a PKCS#1 RSAPublicKey,
// the form ListPublicKeys returns in Value (CloudTrail API model,
// ListPublicKeys).
func PublicKeyDER(key *rsa.PublicKey) []byte {
	return x509.MarshalPKCS1PublicKey(key)
}

// Fingerprint returns the fingerprint CloudTrail gives a public key: the
// lowercase hex MD5 of its PKCS#1 DER bytes, which matches every sample key
// and fingerprint pair in AWS's documentation.
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// LoadSigningKey parses a PEM-encoded RSA private key, PKCS#1 ("RSA PRIVATE
// KEY") or PKCS#8 ("PRIVATE KEY"), of at least 2048 bits.
func LoadSigningKey(pemBytes []byte) (*rsa.PrivateKey, error) {
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("trail: load signing key: no RSA private key PEM block")
		}
		var key *rsa.PrivateKey
		switch block.Type {
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("trail: load signing key: %w", err)
			}
			key = k
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("trail: load signing key: %w", err)
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				return nil, fmt.Errorf("trail: load signing key: %T is not an RSA key", k)
			}
			key = rk
		default:
			continue
		}
		if n := key.N.BitLen(); n < 2048 {
			return nil, fmt.Errorf("trail: load signing key: %d-bit key, want at least 2048 bits", n)
		}
		return key, nil
	}
}

// GenerateSigningKey returns a new random 2048-bit RSA key, as CloudTrail
// uses. Keys are never reproducible (Go ignores custom random sources for
// RSA key generation); save one with MarshalSigningKey and load it with
// LoadSigningKey to keep digests stable.
func GenerateSigningKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("trail: generate signing key: %w", err)
	}
	return key, nil
}

// MarshalSigningKey returns key as a PKCS#8 "PRIVATE KEY" PEM block.
func MarshalSigningKey(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("trail: marshal signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
