// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256):
// Authorization headers, presigned URLs and the chunk and trailer
// signatures of aws-chunked bodies
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
//
// A Verifier knows the secret of every accepted access key; it answers a
// *Result (who signed, when, and for aws-chunked bodies the seed of the
// chunk-signature chain) or an *Error whose Kind the caller maps to its
// service's error code. SigV4A (AWS4-ECDSA-P256-SHA256) and SigV2 are
// refused as Unsupported.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Algorithms and payload hashes.
const (
	Algorithm    = "AWS4-HMAC-SHA256"
	AlgorithmV4A = "AWS4-ECDSA-P256-SHA256"

	UnsignedPayload          = "UNSIGNED-PAYLOAD"
	StreamingPayload         = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
	StreamingECDSAPayload    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"
	StreamingECDSATrailer    = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"

	// EmptySHA256 is the hex SHA-256 of no bytes.
	EmptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

	// MaxSkew is how far a request's time may be from the verifier's
	// clock.
	MaxSkew = 15 * time.Minute
	// MaxExpires is the longest validity of a presigned URL (a week).
	MaxExpires = 7 * 24 * time.Hour

	// TimeFormat is the format of X-Amz-Date.
	TimeFormat = "20060102T150405Z"
	dateFormat = "20060102"
	terminator = "aws4_request"
)

// Credentials is one accepted key pair, and the session token requests
// signed with it must carry when set.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Verifier checks request signatures. Keys holds the accepted
// credentials by access key ID; Now is the clock requests' times are
// checked against (nil: the wall clock). A Verifier is a value: it is
// cheap to build per request and safe for concurrent use as long as Keys
// is not changed.
type Verifier struct {
	Keys map[string]Credentials
	Now  func() time.Time
}

// NewKeys indexes creds by access key ID (a later duplicate wins).
func NewKeys(creds ...Credentials) map[string]Credentials {
	m := make(map[string]Credentials, len(creds))
	for _, c := range creds {
		m[c.AccessKeyID] = c
	}
	return m
}

// Result describes a request whose signature verified.
type Result struct {
	AccessKeyID string
	Region      string
	Service     string
	// Time is the request's signing time (X-Amz-Date or Date).
	Time time.Time
	// Presigned is set for query-string authentication.
	Presigned bool
	// PayloadHash is the payload hash of the canonical request: a hex
	// SHA-256, UNSIGNED-PAYLOAD or a STREAMING-… value.
	PayloadHash string
	// Signature is the request's (seed) signature, lower-case hex.
	Signature string

	key   []byte
	scope string
}

// Chain returns the chunk-signature chain of an aws-chunked body signed
// with STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER), seeded by the
// request's signature; nil for other payload hashes (their chunks and
// trailers are not signed).
func (r *Result) Chain() *Chain {
	if r == nil || (r.PayloadHash != StreamingPayload && r.PayloadHash != StreamingPayloadTrailer) {
		return nil
	}
	return &Chain{key: r.key, amzDate: r.Time.UTC().Format(TimeFormat), scope: r.scope, prev: r.Signature, trailer: r.PayloadHash == StreamingPayloadTrailer}
}

func (v Verifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

// Signed reports whether r carries any SigV4 (or other AWS) authentication:
// an Authorization header or presigned query parameters.
func Signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature") ||
		q.Has("AWSAccessKeyId") || q.Has("Signature")
}

// VerifyS3 verifies r by S3's rules: the canonical URI is the path as sent
// (encoded once), the payload hash is x-amz-content-sha256 (required with
// an Authorization header; UNSIGNED-PAYLOAD when a presigned URL has
// none). A hex payload hash is not checked against the body here: the
// caller compares it once the body is read.
func (v Verifier) VerifyS3(r *http.Request) (*Result, error) {
	return v.verify(r, "", true)
}

// Verify verifies r by the rules of the other services: the canonical
// URI is the path encoded twice and the payload hash is body's SHA-256.
func (v Verifier) Verify(r *http.Request, body []byte) (*Result, error) {
	sum := sha256.Sum256(body)
	return v.verify(r, hex.EncodeToString(sum[:]), false)
}

func (v Verifier) verify(r *http.Request, bodyHash string, s3 bool) (*Result, error) {
	a, err := parseRequest(r)
	if err != nil {
		return nil, err
	}
	creds, ok := v.Keys[a.akid]
	if !ok {
		return nil, &Error{Kind: UnknownKey, AccessKeyID: a.akid}
	}
	now := v.now().UTC()
	if a.presigned {
		if a.t.Sub(now) > MaxSkew {
			return nil, &Error{Kind: NotYetValid, AccessKeyID: a.akid, RequestTime: a.t, ServerTime: now}
		}
		if now.After(a.t.Add(a.expires)) {
			return nil, &Error{Kind: Expired, AccessKeyID: a.akid, RequestTime: a.t, ServerTime: now, Expires: a.expires}
		}
	} else if d := now.Sub(a.t); d > MaxSkew || d < -MaxSkew {
		return nil, &Error{Kind: Skewed, AccessKeyID: a.akid, RequestTime: a.t, ServerTime: now}
	}
	if creds.SessionToken != "" && subtle.ConstantTimeCompare([]byte(a.token), []byte(creds.SessionToken)) != 1 {
		return nil, &Error{Kind: BadToken, AccessKeyID: a.akid}
	}
	payload := bodyHash
	if s3 {
		payload = r.Header.Get("X-Amz-Content-Sha256")
		if payload == "" {
			if !a.presigned {
				return nil, &Error{Kind: Malformed, Message: "Missing required header for this request: x-amz-content-sha256", AccessKeyID: a.akid, missingPayloadHash: true}
			}
			payload = UnsignedPayload
		}
		switch payload {
		case StreamingECDSAPayload, StreamingECDSATrailer:
			return nil, &Error{Kind: Unsupported, Message: "x-amz-content-sha256 " + payload + " needs SigV4A, which is not supported", AccessKeyID: a.akid}
		}
	}
	key := SigningKey(creds.SecretAccessKey, a.date, a.region, a.service)
	scope := a.date + "/" + a.region + "/" + a.service + "/" + terminator
	amzDate := a.t.Format(TimeFormat)
	query := canonicalQuery(r.URL.RawQuery, a.presigned)
	signed := strings.Join(a.signedHeaders, ";")
	var first string
	var firstCreq string
	for uri, headers := range canonicalForms(r, s3, a.signedHeaders) {
		creq := r.Method + "\n" + uri + "\n" + query + "\n" + headers + "\n" + signed + "\n" + payload
		sts := StringToSign(amzDate, scope, creq)
		sig := hex.EncodeToString(hmacSHA256(key, sts))
		if subtle.ConstantTimeCompare([]byte(sig), []byte(strings.ToLower(a.signature))) == 1 {
			return &Result{
				AccessKeyID: a.akid, Region: a.region, Service: a.service, Time: a.t,
				Presigned: a.presigned, PayloadHash: payload, Signature: sig,
				key: key, scope: scope,
			}, nil
		}
		if first == "" {
			first, firstCreq = sts, creq
		}
	}
	return nil, &Error{Kind: Mismatch, AccessKeyID: a.akid, StringToSign: first, CanonicalRequest: firstCreq, SignatureProvided: a.signature}
}

// StringToSign returns the string to sign of a canonical request.
func StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives the signing key of a secret for a date (YYYYMMDD),
// region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}

// canonicalURIs returns the canonical URIs a client may have signed, the
// most likely first. S3 signs the path as sent (the SDKs encode keys by
// SigV4's rules); other services the path as sent, encoded once more.
// The alternatives cover clients that sent a path in another encoding
// than the one they signed.
func canonicalURIs(r *http.Request, s3 bool) []string {
	raw := rawPath(r)
	norm := URIEncode(r.URL.Path, false)
	if norm == "" {
		norm = "/"
	}
	var out []string
	if s3 {
		out = []string{raw, norm}
	} else {
		out = []string{URIEncode(raw, false), raw, URIEncode(norm, false)}
	}
	return slices.Compact(out)
}

// rawPath is the request path as it came on the wire.
func rawPath(r *http.Request) string {
	p := r.RequestURI
	if p == "" || !strings.HasPrefix(p, "/") {
		p = r.URL.EscapedPath()
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		p = "/"
	}
	return p
}

// URIEncode encodes s by SigV4's rules: every byte but the unreserved
// characters (A-Z a-z 0-9 - _ . ~) as %XX, upper-case; '/' too when
// encodeSlash.
func URIEncode(s string, encodeSlash bool) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

// canonicalQuery returns the canonical query string of rawQuery: every
// parameter (but X-Amz-Signature of a presigned URL) decoded, encoded by
// SigV4's rules and sorted by name, then value.
func canonicalQuery(rawQuery string, presigned bool) string {
	if rawQuery == "" {
		return ""
	}
	type kv struct{ k, v string }
	var ps []kv
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		ps = append(ps, kv{URIEncode(k, true), URIEncode(v, true)})
	}
	slices.SortFunc(ps, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// unescapeQuery decodes a query component as a form does ('+' is a
// space); a malformed escape is kept as sent.
func unescapeQuery(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			n, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(n))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// canonicalForms yields the canonical URIs and header blocks a client may
// have signed, the most likely first: each of canonicalURIs with the
// headers trimmed as SigV4 states it, then, when a signed header's value
// holds bytes other than printable ASCII and spaces, with the headers
// trimmed as the SDKs do it (headerTrims).
func canonicalForms(r *http.Request, s3 bool, names []string) func(yield func(uri, headers string) bool) {
	return func(yield func(uri, headers string) bool) {
		uris := canonicalURIs(r, s3)
		forms := []string{canonicalHeaders(r, names, trimAll)}
		if unusualHeaderValues(r, names) {
			for _, trim := range headerTrims[1:] {
				if h := canonicalHeaders(r, names, trim); !slices.Contains(forms, h) {
					forms = append(forms, h)
				}
			}
		}
		for _, h := range forms {
			for _, uri := range uris {
				if !yield(uri, h) {
					return
				}
			}
		}
	}
}

// headerTrims are the ways clients clean a signed header's value: SigV4's
// Trimall (trimAll); aws-sdk-go-v2's, which then also trims every Unicode
// space at the ends (strings.TrimSpace: tabs, vertical tabs, form feeds,
// U+0085, U+00A0, ...); and botocore's, which makes every run of Python's
// whitespace one space and trims the ends (' '.join(value.split())).
var headerTrims = []func(string) string{
	trimAll,
	func(v string) string { return strings.TrimSpace(trimAll(v)) },
	func(v string) string { return strings.Join(strings.FieldsFunc(v, pythonSpace), " ") },
}

// pythonSpace reports whether Python's str.split() splits at r: Unicode
// spaces, and the information separators U+001C to U+001F.
func pythonSpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// unusualHeaderValues reports whether a value of a signed header holds a
// byte other than printable ASCII and spaces: only then can the SDKs'
// trimming differ from SigV4's.
func unusualHeaderValues(r *http.Request, names []string) bool {
	for _, name := range names {
		for _, v := range r.Header.Values(name) {
			for i := 0; i < len(v); i++ {
				if v[i] < ' ' || v[i] > '~' {
					return true
				}
			}
		}
	}
	return false
}

// canonicalHeaders returns "name:value\n" for each signed header, values
// cleaned by trim, repeated headers joined by ','.
func canonicalHeaders(r *http.Request, names []string, trim func(string) string) string {
	var b strings.Builder
	for _, name := range names {
		var vals []string
		switch name {
		case "host":
			vals = []string{r.Host}
		case "content-length":
			vals = r.Header.Values("Content-Length")
			if len(vals) == 0 && r.ContentLength >= 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		case "transfer-encoding":
			vals = r.Header.Values("Transfer-Encoding")
			if len(vals) == 0 {
				vals = r.TransferEncoding
			}
		default:
			vals = r.Header.Values(name)
		}
		b.WriteString(name)
		b.WriteByte(':')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(trim(v))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// trimAll is SigV4's Trimall, as AWS states it and aws-sdk-go-v2's signer
// does it: leading and trailing spaces removed, runs of spaces collapsed
// into one; tabs are kept as sent (the server has already trimmed the
// value's ends of spaces and tabs).
func trimAll(v string) string {
	v = strings.Trim(v, " ")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
