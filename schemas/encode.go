package schemas

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// AppendJSON appends the compact JSON encoding of r to dst and returns the
// extended buffer. Keys are written in the order AWS writes them (AWS's
// documented sample records); strings are escaped as encoding/json escapes
// them with HTML escaping off (`<`, `>` and `&` raw, as in real log files).
// Raw JSON members are compacted, not validated: callers put valid JSON
// there.
//
// AppendJSON does not allocate when dst has room. For every Record,
// AppendJSON(nil) equals json.Marshal with SetEscapeHTML(false).
func (r *Record) AppendJSON(dst []byte) []byte { return r.appendJSON(dst, nil) }

// appendJSON is AppendJSON, with the userIdentity from e if it is not nil.
func (r *Record) appendJSON(dst []byte, e *Encoder) []byte {
	dst = append(dst, `{"eventVersion":`...)
	dst = appendString(dst, r.EventVersion)
	dst = append(dst, `,"userIdentity":`...)
	if e != nil {
		dst = e.appendIdentity(dst, &r.UserIdentity)
	} else {
		dst = r.UserIdentity.AppendJSON(dst)
	}
	dst = append(dst, `,"eventTime":"`...)
	var days *dateMemo
	if e != nil {
		days = &e.days
	}
	dst = appendTime(dst, r.EventTime, days)
	dst = append(dst, `","eventSource":`...)
	dst = e.appendString(dst, r.EventSource)
	dst = append(dst, `,"eventName":`...)
	dst = e.appendString(dst, r.EventName)
	dst = append(dst, `,"awsRegion":`...)
	dst = appendString(dst, r.AWSRegion)
	dst = append(dst, `,"sourceIPAddress":`...)
	dst = appendString(dst, r.SourceIPAddress)
	if r.UserAgent != "" {
		dst = append(dst, `,"userAgent":`...)
		dst = e.appendString(dst, r.UserAgent)
	}
	dst = appendOptString(dst, `,"errorCode":`, r.ErrorCode)
	dst = appendOptString(dst, `,"errorMessage":`, r.ErrorMessage)
	dst = append(dst, `,"requestParameters":`...)
	dst = appendRawOrNull(dst, r.RequestParameters)
	dst = append(dst, `,"responseElements":`...)
	dst = appendRawOrNull(dst, r.ResponseElements)
	if len(r.AdditionalEventData) > 0 {
		dst = append(dst, `,"additionalEventData":`...)
		dst = appendCompact(dst, r.AdditionalEventData)
	}
	dst = appendOptString(dst, `,"requestID":`, r.RequestID)
	dst = appendOptString(dst, `,"eventID":`, r.EventID)
	dst = appendOptBool(dst, `,"readOnly":`, r.ReadOnly)
	if len(r.Resources) > 0 {
		dst = append(dst, `,"resources":[`...)
		for i := range r.Resources {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = r.Resources[i].appendJSON(dst)
		}
		dst = append(dst, ']')
	}
	dst = appendOptString(dst, `,"eventType":`, r.EventType)
	dst = appendOptString(dst, `,"apiVersion":`, r.APIVersion)
	dst = appendOptBool(dst, `,"managementEvent":`, r.ManagementEvent)
	dst = appendOptString(dst, `,"recipientAccountId":`, r.RecipientAccountID)
	if len(r.ServiceEventDetails) > 0 {
		dst = append(dst, `,"serviceEventDetails":`...)
		dst = appendCompact(dst, r.ServiceEventDetails)
	}
	dst = appendOptString(dst, `,"sharedEventID":`, r.SharedEventID)
	dst = appendOptString(dst, `,"vpcEndpointId":`, r.VPCEndpointID)
	dst = appendOptString(dst, `,"vpcEndpointAccountId":`, r.VPCEndpointAccountID)
	dst = appendOptString(dst, `,"eventCategory":`, r.EventCategory)
	if a := r.Addendum; a != nil {
		dst = append(dst, `,"addendum":`...)
		o := openObject(dst)
		o = o.str(`"reason":`, a.Reason)
		o = o.str(`"updatedFields":`, a.UpdatedFields)
		o = o.str(`"originalRequestID":`, a.OriginalRequestID)
		o = o.str(`"originalEventID":`, a.OriginalEventID)
		dst = o.close()
	}
	if t := r.TLSDetails; t != nil {
		dst = append(dst, `,"tlsDetails":`...)
		o := openObject(dst)
		o = o.str(`"tlsVersion":`, t.TLSVersion)
		if t.CipherSuite != "" {
			o = o.key(`"cipherSuite":`)
			o.buf = e.appendString(o.buf, t.CipherSuite)
		}
		if t.ClientProvidedHostHeader != "" {
			o = o.key(`"clientProvidedHostHeader":`)
			o.buf = e.appendString(o.buf, t.ClientProvidedHostHeader)
		}
		o = o.str(`"keyExchange":`, t.KeyExchange)
		dst = o.close()
	}
	dst = appendOptString(dst, `,"sessionCredentialFromConsole":`, r.SessionCredentialFromConsole)
	return append(dst, '}')
}

// AppendJSON appends the compact JSON encoding of u to dst.
func (u *UserIdentity) AppendJSON(dst []byte) []byte {
	o := openObject(dst)
	o = o.str(`"type":`, u.Type)
	o = o.str(`"principalId":`, u.PrincipalID)
	o = o.str(`"arn":`, u.ARN)
	o = o.str(`"accountId":`, u.AccountID)
	o = o.str(`"accessKeyId":`, u.AccessKeyID)
	o = o.str(`"userName":`, u.UserName)
	if s := u.SessionContext; s != nil {
		o = o.key(`"sessionContext":`)
		o.buf = s.appendJSON(o.buf)
	}
	o = o.str(`"invokedBy":`, u.InvokedBy)
	if d := u.InvokedByDelegate; d != nil {
		o = o.key(`"invokedByDelegate":`)
		p := openObject(o.buf)
		p = p.str(`"accountId":`, d.AccountID)
		o.buf = p.close()
	}
	if b := u.OnBehalfOf; b != nil {
		o = o.key(`"onBehalfOf":`)
		p := openObject(o.buf)
		p = p.str(`"userId":`, b.UserID)
		p = p.str(`"identityStoreArn":`, b.IdentityStoreARN)
		o.buf = p.close()
	}
	if s := u.InScopeOf; s != nil {
		o = o.key(`"inScopeOf":`)
		p := openObject(o.buf)
		p = p.str(`"sourceArn":`, s.SourceARN)
		p = p.str(`"sourceAccount":`, s.SourceAccount)
		p = p.str(`"issuerType":`, s.IssuerType)
		p = p.str(`"credentialsIssuedTo":`, s.CredentialsIssuedTo)
		o.buf = p.close()
	}
	o = o.str(`"credentialId":`, u.CredentialID)
	o = o.str(`"identityProvider":`, u.IdentityProvider)
	return o.close()
}

func (s *SessionContext) appendJSON(dst []byte) []byte {
	o := openObject(dst)
	if i := s.SessionIssuer; i != nil {
		o = o.key(`"sessionIssuer":`)
		p := openObject(o.buf)
		p = p.str(`"type":`, i.Type)
		p = p.str(`"principalId":`, i.PrincipalID)
		p = p.str(`"arn":`, i.ARN)
		p = p.str(`"accountId":`, i.AccountID)
		p = p.str(`"userName":`, i.UserName)
		o.buf = p.close()
	}
	if w := s.WebIDFederationData; w != nil {
		o = o.key(`"webIdFederationData":`)
		p := openObject(o.buf)
		p = p.str(`"federatedProvider":`, w.FederatedProvider)
		if len(w.Attributes) > 0 {
			p = p.key(`"attributes":`)
			p.buf = appendCompact(p.buf, w.Attributes)
		}
		o.buf = p.close()
	}
	if a := s.Attributes; a != nil {
		o = o.key(`"attributes":`)
		p := openObject(o.buf)
		p = p.str(`"creationDate":`, a.CreationDate)
		p = p.str(`"mfaAuthenticated":`, a.MFAAuthenticated)
		o.buf = p.close()
	}
	o = o.str(`"sourceIdentity":`, s.SourceIdentity)
	o = o.str(`"ec2RoleDelivery":`, s.EC2RoleDelivery)
	o = o.str(`"assumedRoot":`, s.AssumedRoot)
	o = o.str(`"signInSessionArn":`, s.SignInSessionARN)
	return o.close()
}

func (r *Resource) appendJSON(dst []byte) []byte {
	o := openObject(dst)
	o = o.str(`"accountId":`, r.AccountID)
	o = o.str(`"type":`, r.Type)
	o = o.str(`"ARN":`, r.ARN)
	return o.close()
}

// object writes a JSON object whose members are all optional.
type object struct {
	buf   []byte
	empty bool
}

func openObject(dst []byte) object { return object{buf: append(dst, '{'), empty: true} }

func (o object) key(k string) object {
	if !o.empty {
		o.buf = append(o.buf, ',')
	}
	o.empty = false
	o.buf = append(o.buf, k...)
	return o
}

// str writes k and v unless v is empty.
func (o object) str(k, v string) object {
	if v == "" {
		return o
	}
	o = o.key(k)
	o.buf = appendString(o.buf, v)
	return o
}

func (o object) close() []byte { return append(o.buf, '}') }

func appendOptString(dst []byte, key, v string) []byte {
	if v == "" {
		return dst
	}
	dst = append(dst, key...)
	return appendString(dst, v)
}

func appendOptBool(dst []byte, key string, b OptBool) []byte {
	switch b {
	case BoolTrue:
		dst = append(dst, key...)
		return append(dst, "true"...)
	case BoolFalse:
		dst = append(dst, key...)
		return append(dst, "false"...)
	}
	return dst
}

func appendRawOrNull(dst []byte, raw json.RawMessage) []byte {
	if len(raw) == 0 {
		return append(dst, "null"...)
	}
	return appendCompact(dst, raw)
}

// appendTime writes t as encoding/json does (RFC 3339 with nanoseconds
// only when present), without the quotes. A UTC time on a whole second
// from 1970 to 9999 (every eventTime CloudTrail writes) is written here
// from its Unix seconds, its date taken from memo when memo (if not nil)
// holds its day, and kept there; any other time by AppendFormat.
func appendTime(dst []byte, t time.Time, memo *dateMemo) []byte {
	sec := t.Unix()
	if sec < 0 || sec >= maxFastTime || t.Nanosecond() != 0 || t.Location() != time.UTC {
		return t.AppendFormat(dst, time.RFC3339Nano)
	}
	day, rem := sec/86400, sec%86400
	var b [20]byte // 2006-01-02T15:04:05Z
	if memo != nil && memo.day == day+1 {
		copy(b[:11], memo.date[:])
	} else {
		y, m, d := civilDate(day)
		put2(b[0:], y/100)
		put2(b[2:], y%100)
		b[4] = '-'
		put2(b[5:], m)
		b[7] = '-'
		put2(b[8:], d)
		b[10] = 'T'
		if memo != nil {
			memo.day = day + 1
			copy(memo.date[:], b[:11])
		}
	}
	put2(b[11:], rem/3600)
	b[13] = ':'
	put2(b[14:], rem/60%60)
	b[16] = ':'
	put2(b[17:], rem%60)
	b[19] = 'Z'
	return append(dst, b[:]...)
}

// dateMemo is the date part of appendTime's last day, "2006-01-02T":
// records come roughly in time order, and working out the date was half
// the work of writing an eventTime.
type dateMemo struct {
	day  int64 // the day since 1970-01-01, plus one (0: none yet)
	date [11]byte
}

// maxFastTime is 10000-01-01T00:00:00Z in Unix seconds: appendTime writes
// four-digit years.
const maxFastTime = 253402300800

// civilDate returns the year, month and day of a day counted from
// 1970-01-01, for days >= 0 (Howard Hinnant's civil_from_days: eras of
// 400 years starting on March 1).
func civilDate(days int64) (y, m, d int64) {
	z := days + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// put2 writes v (0 to 99) as two decimal digits.
func put2(b []byte, v int64) { b[0], b[1] = byte('0'+v/10), byte('0'+v%10) }

// appendCompact appends JSON src with insignificant whitespace removed.
// Runs of eight bytes that hold nothing of interest are skipped a word at a
// time, so already-compact JSON costs little more than a copy.
func appendCompact(dst, src []byte) []byte {
	if !hasWhitespace(src) {
		return append(dst, src...)
	}
	inString := false
	start := 0
	for i := 0; i < len(src); i++ {
		if inString {
			for i+8 <= len(src) && !hasStringSpecial(load64(src, i)) {
				i += 8
			}
			if i >= len(src) {
				break
			}
			switch src[i] {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		for i+8 <= len(src) && !hasStructuralSpecial(load64(src, i)) {
			i += 8
		}
		if i >= len(src) {
			break
		}
		switch src[i] {
		case '"':
			inString = true
		case ' ', '\t', '\n', '\r':
			dst = append(dst, src[start:i]...)
			start = i + 1
		}
	}
	return append(dst, src[start:]...)
}

// hasWhitespace reports whether src holds a byte ≤ ' ' anywhere. Valid JSON
// with none is compact; renderers write compact JSON, so this is the path
// taken in practice.
func hasWhitespace(src []byte) bool {
	i := 0
	for ; i+32 <= len(src); i += 32 { // four words, one branch
		if lessMask(load64(src, i), 0x21)|lessMask(load64(src, i+8), 0x21)|
			lessMask(load64(src, i+16), 0x21)|lessMask(load64(src, i+24), 0x21) != 0 {
			return true
		}
	}
	for ; i+8 <= len(src); i += 8 {
		if hasLess(load64(src, i), 0x21) {
			return true
		}
	}
	for ; i < len(src); i++ {
		if src[i] <= ' ' {
			return true
		}
	}
	return false
}

// SWAR helpers: each tells whether any byte of the little-endian word x
// is of interest (exact for existence, which is all the callers need).
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

func load64[T ~string | ~[]byte](s T, i int) uint64 {
	s = s[i : i+8] // one bounds check: the constant indexes below need none
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func load32(s string, i int) uint32 {
	s = s[i : i+4]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

func hasZero(x uint64) bool { return (x-lsb)&^x&msb != 0 }

func hasByte(x uint64, b byte) bool { return hasZero(x ^ (lsb * uint64(b))) }

// hasLess reports a byte < n (n ≤ 128).
func hasLess(x uint64, n byte) bool { return lessMask(x, n) != 0 }

// lessMask is hasLess as a mask: nonzero when a byte of x is < n.
func lessMask(x uint64, n byte) uint64 { return (x - lsb*uint64(n)) &^ x & msb }

// hasStringSpecial: a byte that needs escaping or a look (", \\, control,
// non-ASCII).
func hasStringSpecial(x uint64) bool { return specialBytes(x) != 0 }

// specialBytes has the high bit of each byte of x that hasStringSpecial
// reports set (and maybe of bytes above one it reports). It is hasLess(x,
// 0x20) | hasByte(x, '"') | hasByte(x, '\\') | x&msb as masks, with the &^x
// terms left out: they only clear the high bit of bytes at or above 0x80,
// which the last term reports anyway. (A byte's subtraction borrows from
// the next only when the byte is reported itself.)
func specialBytes(x uint64) uint64 {
	return ((x - lsb*0x20) | ((x ^ (lsb * '"')) - lsb) | ((x ^ (lsb * '\\')) - lsb) | x) & msb
}

// hasStructuralSpecial: a quote or whitespace (or any control byte).
func hasStructuralSpecial(x uint64) bool {
	return hasLess(x, 0x21) || hasByte(x, '"')
}

const hexDigits = "0123456789abcdef"

// safe[b] is true for ASCII bytes written unescaped (HTML escaping off).
var safe = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

// appendString appends s as a JSON string, escaped exactly as encoding/json
// escapes it with SetEscapeHTML(false): invalid UTF-8 becomes \ufffd and
// U+2028/U+2029 are escaped.
func appendString(dst []byte, s string) []byte {
	if plain(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendEscaped(dst, s)
}

// plain reports whether every byte of s is ASCII written as it is: the
// case of nearly every string of a record, checked a word at a time (the
// last word overlapping the one before it).
func plain(s string) bool {
	n := len(s)
	switch {
	case n >= 8:
		m := specialBytes(load64(s, n-8))
		i := 0
		for ; i+32 <= n; i += 32 { // four words, one bounds check
			w := s[i : i+32]
			m |= specialBytes(load64(w, 0)) | specialBytes(load64(w, 8)) |
				specialBytes(load64(w, 16)) | specialBytes(load64(w, 24))
		}
		for ; i+8 <= n; i += 8 {
			m |= specialBytes(load64(s, i))
		}
		return m == 0
	case n >= 4: // two overlapping halves of a word
		return specialBytes(uint64(load32(s, 0))|uint64(load32(s, n-4))<<32) == 0
	}
	for i := 0; i < n; i++ {
		if b := s[i]; b >= utf8.RuneSelf || !safe[b] {
			return false
		}
	}
	return true
}

// appendEscaped is appendString for a string with bytes to escape or to
// check as UTF-8.
func appendEscaped(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i+8 <= len(s) && !hasStringSpecial(load64(s, i)) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(dst, s[start:]...), '"')
}

// AppendString appends s to dst as a JSON string escaped the way AppendJSON
// escapes strings. Renderers of raw members use it so that every byte
// firetrail writes is escaped one way.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }
