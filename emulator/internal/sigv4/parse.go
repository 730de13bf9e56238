package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// authInfo is what a request's Authorization header or presigned query
// parameters say.
type authInfo struct {
	akid, date, region, service string
	signedHeaders               []string
	signature                   string
	t                           time.Time
	presigned                   bool
	expires                     time.Duration
	token                       string
}

// Header is a parsed Authorization header.
type Header struct {
	Credential    string
	SignedHeaders []string
	Signature     string
}

// ParseAuthorization parses an "AWS4-HMAC-SHA256 Credential=…,
// SignedHeaders=…, Signature=…" header. Errors are *Error.
func ParseAuthorization(h string) (Header, error) {
	alg, rest, _ := strings.Cut(strings.TrimSpace(h), " ")
	switch alg {
	case Algorithm:
	case AlgorithmV4A:
		return Header{}, &Error{Kind: Unsupported, Message: "SigV4A (" + AlgorithmV4A + ") is not supported; sign with " + Algorithm}
	case "AWS":
		return Header{}, &Error{Kind: Unsupported, Message: "Signature Version 2 is not supported; sign with " + Algorithm}
	default:
		return Header{}, &Error{Kind: Malformed, Message: "Unsupported authorization type"}
	}
	var hd Header
	seen := map[string]bool{}
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || seen[k] {
			return Header{}, &Error{Kind: Malformed, Message: "Authorization header has a malformed component " + quoteShort(part)}
		}
		seen[k] = true
		switch k {
		case "Credential":
			hd.Credential = v
		case "SignedHeaders":
			hd.SignedHeaders = strings.Split(v, ";")
		case "Signature":
			hd.Signature = v
		default:
			return Header{}, &Error{Kind: Malformed, Message: "Authorization header has an unknown component " + quoteShort(k)}
		}
	}
	for _, need := range []string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[need] {
			return Header{}, &Error{Kind: Malformed, Message: "Authorization header requires '" + need + "' parameter."}
		}
	}
	return hd, nil
}

func quoteShort(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strconv.Quote(s)
}

// Scope is a parsed credential: access key and credential scope.
type Scope struct {
	AccessKeyID, Date, Region, Service string
}

// ParseCredential parses "AKID/YYYYMMDD/region/service/aws4_request".
func ParseCredential(c string) (Scope, bool) {
	parts := strings.Split(c, "/")
	if len(parts) != 5 || parts[4] != terminator || parts[0] == "" || parts[2] == "" || parts[3] == "" {
		return Scope{}, false
	}
	if _, err := time.Parse(dateFormat, parts[1]); err != nil {
		return Scope{}, false
	}
	return Scope{parts[0], parts[1], parts[2], parts[3]}, true
}

// validSignedHeaders checks a SignedHeaders list: lower-case names,
// host among them, no duplicates.
func validSignedHeaders(names []string) bool {
	if len(names) == 0 || !slices.Contains(names, "host") {
		return false
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if n == "" || seen[n] || n != strings.ToLower(n) || strings.ContainsAny(n, " \t:") {
			return false
		}
		seen[n] = true
	}
	return true
}

// parseRequest finds r's authentication: header or presigned query.
func parseRequest(r *http.Request) (authInfo, error) {
	h := r.Header.Get("Authorization")
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if q == nil {
		q = url.Values{}
	}
	presign := q.Has("X-Amz-Algorithm") || q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature")
	switch {
	case h != "" && presign:
		return authInfo{}, &Error{Kind: Ambiguous, Message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"}
	case h != "":
		return parseHeaderAuth(r, h)
	case presign:
		return parsePresigned(q)
	case q.Has("AWSAccessKeyId") || q.Has("Signature"):
		return authInfo{}, &Error{Kind: Unsupported, Message: "Signature Version 2 is not supported; sign with " + Algorithm}
	}
	return authInfo{}, &Error{Kind: Missing}
}

func parseHeaderAuth(r *http.Request, h string) (authInfo, error) {
	hd, err := ParseAuthorization(h)
	if err != nil {
		return authInfo{}, err
	}
	sc, ok := ParseCredential(hd.Credential)
	if !ok {
		return authInfo{}, &Error{Kind: Malformed, Message: "Credential should be scoped to a valid region, service and date: " + quoteShort(hd.Credential), AccessKeyID: strings.Split(hd.Credential, "/")[0]}
	}
	if !validSignedHeaders(hd.SignedHeaders) {
		return authInfo{}, &Error{Kind: Malformed, Message: "SignedHeaders must list host and be lower-case, ';'-separated header names", AccessKeyID: sc.AccessKeyID}
	}
	if !isHexString(hd.Signature) || len(hd.Signature) != 64 {
		return authInfo{}, &Error{Kind: Malformed, Message: "Signature must be 64 hex digits", AccessKeyID: sc.AccessKeyID}
	}
	var t time.Time
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		if t, err = time.Parse(TimeFormat, v); err != nil {
			return authInfo{}, &Error{Kind: Malformed, Message: "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", AccessKeyID: sc.AccessKeyID}
		}
	} else if v := r.Header.Get("Date"); v != "" {
		if t, err = http.ParseTime(v); err != nil {
			return authInfo{}, &Error{Kind: Malformed, Message: "Date header is not a valid HTTP date", AccessKeyID: sc.AccessKeyID}
		}
	} else {
		return authInfo{}, &Error{Kind: Malformed, Message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", AccessKeyID: sc.AccessKeyID}
	}
	t = t.UTC()
	if t.Format(dateFormat) != sc.Date {
		return authInfo{}, &Error{Kind: Malformed, Message: "Invalid credential date. Date is not the same as X-Amz-Date.", AccessKeyID: sc.AccessKeyID}
	}
	return authInfo{
		akid: sc.AccessKeyID, date: sc.Date, region: sc.Region, service: sc.Service,
		signedHeaders: hd.SignedHeaders, signature: hd.Signature, t: t,
		token: r.Header.Get("X-Amz-Security-Token"),
	}, nil
}

// ParsePresigned parses the query parameters of a presigned URL. Errors
// are *Error.
func ParsePresigned(q url.Values) (Scope, error) {
	a, err := parsePresigned(q)
	if err != nil {
		return Scope{}, err
	}
	return Scope{a.akid, a.date, a.region, a.service}, nil
}

func parsePresigned(q url.Values) (authInfo, error) {
	bad := func(msg string) (authInfo, error) { return authInfo{}, &Error{Kind: BadQuery, Message: msg} }
	for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
		if len(q[p]) != 1 {
			return bad("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
		}
	}
	switch alg := q.Get("X-Amz-Algorithm"); alg {
	case Algorithm:
	case AlgorithmV4A:
		return authInfo{}, &Error{Kind: Unsupported, Message: "SigV4A (" + AlgorithmV4A + ") is not supported; sign with " + Algorithm}
	default:
		return bad("X-Amz-Algorithm only supports \"" + Algorithm + "\"")
	}
	sc, ok := ParseCredential(q.Get("X-Amz-Credential"))
	if !ok {
		return bad("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
	}
	t, err := time.Parse(TimeFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return bad("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
	}
	if t.Format(dateFormat) != sc.Date {
		return bad("Invalid credential date \"" + sc.Date + "\". This date is not the same as X-Amz-Date: \"" + t.Format(dateFormat) + "\".")
	}
	n, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
	switch {
	case err != nil || n < 0:
		return bad("X-Amz-Expires should be a number")
	case n > int64(MaxExpires/time.Second):
		return bad("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	if !validSignedHeaders(signed) {
		return bad("X-Amz-SignedHeaders must list host and be lower-case, ';'-separated header names")
	}
	sig := q.Get("X-Amz-Signature")
	if len(sig) != 64 || !isHexString(sig) {
		return bad("X-Amz-Signature must be 64 hex digits")
	}
	return authInfo{
		akid: sc.AccessKeyID, date: sc.Date, region: sc.Region, service: sc.Service,
		signedHeaders: signed, signature: sig, t: t, presigned: true,
		expires: time.Duration(n) * time.Second, token: q.Get("X-Amz-Security-Token"),
	}, nil
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return false
		}
	}
	return true
}
