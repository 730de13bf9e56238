package schemas

import (
	"bytes"
	"slices"
	"strconv"
	"time"
)

// check runs the format and consistency checks on what the walker found and
// appends their problems to dst. Members the walker could not read as
// strings are left to the schema's problems.
func (v *Validator) check(info *recordInfo, dst []Problem) []Problem {
	if s := info.eventVersion; len(s) > 0 && !validEventVersion(s) {
		dst = append(dst, problem("/eventVersion", "unknown eventVersion %q (want 1.0, 1.01 … 1.09, 1.10 or 1.11)", s))
	}
	if s := info.eventTime; len(s) > 0 {
		if _, ok := parseEventTime(s); !ok {
			dst = append(dst, problem("/eventTime", "%q is not a UTC time in whole seconds (want 2006-01-02T15:04:05Z)", s))
		}
	}
	dst = checkIdentity(&info.identity, dst)
	for i := range info.resources {
		dst = checkResource(info, i, dst)
	}
	if s := info.eventID; len(s) > 0 && !isLowerUUID(s) {
		dst = append(dst, problem("/eventID", "%q is not a lowercase UUID (8-4-4-4-12 hex digits)", s))
	}
	if s := info.recipientAccountID; len(s) > 0 && !isAccountID(s) {
		dst = append(dst, problem("/recipientAccountId", "%q is not a 12-digit account ID", s))
	}
	if string(info.eventSource) == FirehoseEventSource {
		dst = v.checkFirehose(info, dst)
	}
	return dst
}

func checkIdentity(id *identityInfo, dst []Problem) []Problem {
	if s := id.accountID; len(s) > 0 && !isAccountID(s) && string(s) != "anonymous" {
		dst = append(dst, problem("/userIdentity/accountId", "%q is not a 12-digit account ID", s))
	}
	dst = checkARNAccount(id.arn, id.accountID, "/userIdentity/arn", "userIdentity.accountId", dst)
	switch k := id.accessKeyID; {
	case len(k) == 0:
	case !isAccessKeyID(k):
		dst = append(dst, problem("/userIdentity/accessKeyId", "%q is not a well-formed access key ID (AKIA or ASIA and 16 of A-Z, 0-9)", k))
	case bytes.HasPrefix(k, []byte("ASIA")) && !id.hasSessionContext && string(id.typ) != IdentityAWSAccount:
		// AWSAccount identities are callers of another account, whose
		// session details CloudTrail does not show.
		dst = append(dst, problem("/userIdentity/accessKeyId", "temporary access key (ASIA) without sessionContext"))
	case bytes.HasPrefix(k, []byte("AKIA")) && id.hasSessionContext:
		dst = append(dst, problem("/userIdentity/accessKeyId", "long-term access key (AKIA) with sessionContext"))
	}
	if s := id.issuerAccountID; len(s) > 0 && !isAccountID(s) {
		dst = append(dst, problem("/userIdentity/sessionContext/sessionIssuer/accountId", "%q is not a 12-digit account ID", s))
	}
	return checkARNAccount(id.issuerARN, id.issuerAccountID, "/userIdentity/sessionContext/sessionIssuer/arn", "sessionIssuer.accountId", dst)
}

// checkARNAccount checks that arn (when set) is well formed and names the
// account in accountID (when that is a valid account ID).
func checkARNAccount(arn, accountID []byte, ptr, what string, dst []Problem) []Problem {
	if len(arn) == 0 {
		return dst
	}
	a, reason := parseARN(arn)
	if reason != "" {
		return append(dst, problem(ptr, "%q is not a well-formed ARN: %s", arn, reason))
	}
	if len(a.account) > 0 && isAccountID(accountID) && !bytes.Equal(a.account, accountID) {
		dst = append(dst, problem(ptr, "account %s in ARN does not match %s %s", a.account, what, accountID))
	}
	return dst
}

func checkResource(info *recordInfo, i int, dst []Problem) []Problem {
	r := &info.resources[i]
	base := "/resources/" + strconv.Itoa(i)
	if s := r.accountID; len(s) > 0 && !isAccountID(s) {
		dst = append(dst, problem(base+"/accountId", "%q is not a 12-digit account ID", s))
	}
	if len(r.arnPrefix) > 0 {
		if _, reason := parseARN(r.arnPrefix); reason != "" {
			dst = append(dst, problem(base+"/ARNPrefix", "%q is not a well-formed ARN: %s", r.arnPrefix, reason))
		}
	}
	if len(r.arn) == 0 {
		return dst
	}
	n := len(dst)
	dst = checkARNAccount(r.arn, r.accountID, base+"/ARN", "resource accountId", dst)
	if len(dst) == n && string(info.eventSource) == FirehoseEventSource {
		a, _ := parseARN(r.arn)
		if string(a.service) == "firehose" {
			dst = checkFirehoseARN(info, a, base+"/ARN", dst)
		}
	}
	return dst
}

// checkFirehoseARN checks that a Firehose ARN in a Firehose record is in the
// record's region and the recipient's account.
func checkFirehoseARN(info *recordInfo, a arnParts, ptr string, dst []Problem) []Problem {
	if len(info.awsRegion) > 0 && !bytes.Equal(a.region, info.awsRegion) {
		dst = append(dst, problem(ptr, "region %s in ARN does not match awsRegion %s", a.region, info.awsRegion))
	}
	if isAccountID(info.recipientAccountID) && !bytes.Equal(a.account, info.recipientAccountID) {
		dst = append(dst, problem(ptr, "account %s in ARN does not match recipientAccountId %s", a.account, info.recipientAccountID))
	}
	return dst
}

// checkFirehose runs the checks specific to firehose.amazonaws.com records.
func (v *Validator) checkFirehose(info *recordInfo, dst []Problem) []Problem {
	if info.has&hasSourceIPAddress == 0 {
		dst = append(dst, problem("/sourceIPAddress", "missing required member (every Firehose API call has a caller)"))
	}
	if info.has&hasRequestParameters == 0 {
		dst = append(dst, problem("/requestParameters", "missing required member (always written, null when empty)"))
	}
	if info.has&hasResponseElements == 0 {
		dst = append(dst, problem("/responseElements", "missing required member (always written, null when empty)"))
	}
	if want, known := firehoseReadOnly(info.eventName); known && info.readOnly.Set() && info.readOnly.Value() != want {
		dst = append(dst, problem("/readOnly", "%v for %s, want %v", info.readOnly.Value(), info.eventName, want))
	}
	name := string(info.eventName)
	if rp := info.requestParameters; rp != nil {
		if sch := v.request[name]; sch != nil && (sch.fast == nil || !sch.fast.valid(rp)) {
			n := len(dst)
			dst = validateSub(sch.full, rp, "/requestParameters", dst)
			if info.has&hasErrorCode != 0 {
				// A failed call's request may lack required members: that
				// can be why it failed (see the firehose schemas).
				kept := slices.DeleteFunc(dst[n:], func(p Problem) bool { return p.Message == msgMissing })
				dst = dst[:n+len(kept)]
			}
		}
		if v.secrets != nil {
			for _, p := range v.secrets(name, rp) {
				dst = append(dst, problem("/requestParameters"+p, "sensitive value not redacted"))
			}
		}
	}
	if re := info.responseElements; re != nil {
		if sch := v.response[name]; sch != nil && (sch.fast == nil || !sch.fast.valid(re)) {
			dst = validateSub(sch.full, re, "/responseElements", dst)
		}
		if arn := memberString(re, "deliveryStreamARN"); len(arn) > 0 {
			const ptr = "/responseElements/deliveryStreamARN"
			if a, reason := parseARN(arn); reason != "" {
				dst = append(dst, problem(ptr, "%q is not a well-formed ARN: %s", arn, reason))
			} else {
				dst = checkFirehoseARN(info, a, ptr, dst)
			}
		}
	}
	return dst
}

// firehoseReadOnly returns the readOnly of a Firehose action (Describe and
// List calls read, the others write); known is false for
// names that are not Firehose actions.
func firehoseReadOnly(eventName []byte) (readOnly, known bool) {
	switch string(eventName) {
	case "DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream":
		return true, true
	case "CreateDeliveryStream", "DeleteDeliveryStream", "UpdateDestination", "TagDeliveryStream", "UntagDeliveryStream",
		"StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption", "PutRecord", "PutRecordBatch":
		return false, true
	}
	return false, false
}

// validateSub validates the raw JSON value raw (an object or null) against
// sch and appends the problems with pointers under prefix.
func validateSub(sch interface{ Validate(any) error }, raw []byte, prefix string, dst []Problem) []Problem {
	doc, err := unmarshalAny(raw)
	if err != nil {
		return append(dst, problem(prefix, "%v", err))
	}
	return appendSchemaProblems(dst, prefix, sch.Validate(doc))
}

// memberString returns the string member name of the JSON object obj, or
// nil.
func memberString(obj []byte, name string) []byte {
	l := lexer{b: obj}
	if l.kind() != kindObject {
		return nil
	}
	l.beginObject()
	first := true
	for {
		key, esc, ok := l.nextKey(&first)
		if !ok {
			return nil
		}
		if !esc && string(key) == name && l.kind() == kindString {
			raw, esc, _ := l.str()
			return text(raw, esc)
		}
		if !l.skip() {
			return nil
		}
	}
}

// validEventVersion reports whether s is one of the eventVersions AWS has
// written: 1.0, 1.01 … 1.09, 1.10, 1.11 (AWS CloudTrail User Guide,
// CloudTrail record contents).
func validEventVersion(s []byte) bool {
	switch string(s) {
	case "1.0", "1.01", "1.02", "1.03", "1.04", "1.05", "1.06", "1.07", "1.08", "1.09", "1.10", "1.11":
		return true
	}
	return false
}

// parseEventTime parses the only time format CloudTrail writes,
// 2006-01-02T15:04:05Z, strictly (UTC, whole seconds, valid date).
func parseEventTime(s []byte) (time.Time, bool) {
	if len(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z' {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range s[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d { // 31 April and the like
		return time.Time{}, false
	}
	return t, true
}

// isLowerUUID reports whether s is 8-4-4-4-12 lowercase hex.
func isLowerUUID(s []byte) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// isAccountID reports whether s is 12 decimal digits.
func isAccountID(s []byte) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isAccessKeyID reports whether s is AKIA or ASIA followed by 16 upper-case
// letters or digits (IAM User Guide, IAM identifiers). Other key types are
// accepted as they come: only AKIA and ASIA keys are checked.
func isAccessKeyID(s []byte) bool {
	if !bytes.HasPrefix(s, []byte("AKIA")) && !bytes.HasPrefix(s, []byte("ASIA")) {
		return true
	}
	if len(s) != 20 {
		return false
	}
	for _, c := range s[4:] {
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// arnParts are the fields of an ARN, aliasing its bytes.
type arnParts struct {
	partition, service, region, account, resource []byte
}

// parseARN splits arn:partition:service:region:account:resource and returns
// a reason when s is not well formed. Region and account may be empty (S3,
// IAM); the account is 12 digits or "aws" (AWS-managed resources).
func parseARN(s []byte) (arnParts, string) {
	var a arnParts
	if !bytes.HasPrefix(s, []byte("arn:")) {
		return a, `does not start with "arn:"`
	}
	rest := s[4:]
	var f [4][]byte
	for i := range f {
		j := bytes.IndexByte(rest, ':')
		if j < 0 {
			return a, "want 6 colon-separated fields"
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	a.partition, a.service, a.region, a.account, a.resource = f[0], f[1], f[2], f[3], rest
	switch {
	case string(a.partition) != "aws" && !(bytes.HasPrefix(a.partition, []byte("aws-")) && isLowerWord(a.partition)):
		return a, "unknown partition " + strconv.Quote(string(a.partition))
	case len(a.service) == 0 || !isLowerWord(a.service):
		return a, "bad service " + strconv.Quote(string(a.service))
	case len(a.region) > 0 && !isLowerWord(a.region):
		return a, "bad region " + strconv.Quote(string(a.region))
	case len(a.account) > 0 && !isAccountID(a.account) && string(a.account) != "aws":
		return a, "bad account " + strconv.Quote(string(a.account))
	case len(a.resource) == 0:
		return a, "empty resource"
	}
	return a, ""
}

// isLowerWord reports whether s is made of a-z, 0-9 and '-'.
func isLowerWord(s []byte) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
