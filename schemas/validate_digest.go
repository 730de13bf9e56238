package schemas

import (
	"path"
	"strconv"
	"time"
	"unicode/utf8"
)

// ValidateDigest checks a CloudTrail digest file, given uncompressed, against
// jsonschema/digest.json, its value formats, and, when key is not nil, the
// key it was found at: account, end time and object name (CloudTrail User
// Guide, digest files). It does not verify signatures or hashes.
func (v *Validator) ValidateDigest(key *LogKey, digest []byte) []Problem {
	if !utf8.Valid(digest) {
		return []Problem{{Message: "invalid UTF-8", Offset: invalidUTF8At(digest)}}
	}
	l := lexer{b: digest}
	if l.skip() {
		l.ws()
		if l.i < len(digest) {
			l.fail(l.i, "invalid character %s after top-level value", quoteChar(digest[l.i]))
		}
	}
	if l.err != nil {
		return []Problem{{Message: l.err.msg, Offset: l.err.off}}
	}
	doc, err := unmarshalAny(digest)
	if err != nil {
		return []Problem{problem("", "%v", err)}
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return []Problem{problem("", "digest is %s, want a JSON object", jsonKind(doc))}
	}
	probs := appendSchemaProblems(nil, "", v.digest.Validate(doc))
	str := func(name string) (string, bool) {
		s, ok := m[name].(string)
		return s, ok
	}
	times := map[string]time.Time{}
	for _, name := range []string{"digestStartTime", "digestEndTime", "newestEventTime", "oldestEventTime"} {
		if s, ok := str(name); ok {
			t, ok := parseEventTime([]byte(s))
			if !ok {
				probs = append(probs, problem("/"+name, "%q is not a UTC time in whole seconds (want 2006-01-02T15:04:05Z)", s))
				continue
			}
			times[name] = t
		}
	}
	start, okStart := times["digestStartTime"]
	end, okEnd := times["digestEndTime"]
	if okStart && okEnd && !start.Before(end) {
		probs = append(probs, problem("/digestEndTime", "digestEndTime %s is not after digestStartTime %s", end.Format(time.RFC3339), start.Format(time.RFC3339)))
	}
	if s, ok := str("awsAccountId"); ok {
		switch {
		case !isAccountID([]byte(s)):
			probs = append(probs, problem("/awsAccountId", "%q is not a 12-digit account ID", s))
		case key != nil && s != key.AccountID:
			probs = append(probs, problem("/awsAccountId", "%s does not match account %s of the file key", s, key.AccountID))
		}
	}
	if s, ok := str("digestPublicKeyFingerprint"); ok && !isLowerHex(s, 32) {
		probs = append(probs, problem("/digestPublicKeyFingerprint", "%q is not 32 lowercase hex digits (MD5 of the public key)", s))
	}
	if s, ok := str("previousDigestHashValue"); ok && !isLowerHex(s, 64) {
		probs = append(probs, problem("/previousDigestHashValue", "%q is not 64 lowercase hex digits (SHA-256)", s))
	}
	if files, ok := m["logFiles"].([]any); ok {
		for i, f := range files {
			lf, _ := f.(map[string]any)
			if h, ok := lf["hashValue"].(string); ok && !isLowerHex(h, 64) {
				probs = append(probs, problem("/logFiles/"+strconv.Itoa(i)+"/hashValue", "%q is not 64 lowercase hex digits (SHA-256)", h))
			}
		}
	}
	if key == nil {
		return probs
	}
	if okEnd && !end.Equal(key.Stamp) {
		probs = append(probs, problem("/digestEndTime", "%s does not match the file stamp %s", end.Format(time.RFC3339), key.Stamp.Format("20060102T150405Z")))
	}
	if s, ok := str("digestS3Object"); ok && key.File != "" && path.Base(s) != key.File {
		probs = append(probs, problem("/digestS3Object", "%q does not name this file, %s", s, key.File))
	}
	return probs
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
