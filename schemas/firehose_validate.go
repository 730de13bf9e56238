package schemas

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:generate go run ./internal/constraintgen/cmd/constraintgen

// ValidationError is the ValidationException AWS answers a Firehose request
// with when members break the constraints of the API model: a required
// member missing, a length or value out of bounds, a string not matching
// its pattern or outside its enum.
type ValidationError struct {
	// Action is the operation whose request was validated.
	Action string
	// Violations are the broken constraints, in the order of the model's
	// members, depth first.
	Violations []Violation
}

// Violation is one broken constraint.
type Violation struct {
	// Path locates the member: member names with the first letter lower
	// case, joined by dots; a list element is N.member, N counting from 1
	// ('tags.1.member.key'); a map entry is entry.N.key or entry.N.value.
	Path string
	// Null is set for a required member that is missing or null.
	Null bool
	// Value is the value as AWS's Java service prints it: strings as they
	// are, numbers plainly, lists as [a, b], structures as {Name: v, ...},
	// blobs as java.nio.HeapByteBuffer[pos=0 lim=N cap=N]; "" when Null.
	Value string
	// Constraint is the broken rule, such as "Member must not be null".
	Constraint string
}

// String renders v as in AWS's message:
// Value 'x' at 'path' failed to satisfy constraint: Member must ...
func (v Violation) String() string {
	value := "null"
	if !v.Null {
		value = "'" + v.Value + "'"
	}
	return "Value " + value + " at '" + v.Path + "' failed to satisfy constraint: " + v.Constraint
}

// Error returns the action and the message.
func (e *ValidationError) Error() string {
	return "validate firehose " + e.Action + " request: " + e.ErrorMessage()
}

// ErrorCode returns the AWS error code, ValidationException.
func (e *ValidationError) ErrorCode() string { return "ValidationException" }

// ErrorMessage returns AWS's message: "1 validation error detected: " or
// "N validation errors detected: " and the violations joined by "; ".
func (e *ValidationError) ErrorMessage() string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(e.Violations)))
	if len(e.Violations) == 1 {
		b.WriteString(" validation error detected: ")
	} else {
		b.WriteString(" validation errors detected: ")
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// ValidateFirehoseRequest checks the JSON 1.1 body of a request to the
// Firehose operation op (the part of X-Amz-Target after
// "Firehose_20150804.") against the constraints of the API model, as AWS
// does before running the operation, and returns nil or a
// *ValidationError listing every violation.
//
// Members are validated in the model's member order, depth first; for each
// value, bounds come before the pattern and the enum. Every violation is
// reported: no evidence was found that AWS caps the list. The constraints
// come from the generated table firehose_constraints_gen.go; patterns are
// the model's Java regular expressions run as RE2, matched against the
// whole value, and the few RE2 cannot express (lookaround) are not
// enforced. String lengths count UTF-16 code units, as Java does; blob
// lengths count decoded bytes.
//
// Values of the wrong JSON type and unknown members are not this
// function's concern (DecodeFirehoseInput reports the first, AWS ignores
// the second) and are skipped. A body that is not a JSON object gives
// DecodeFirehoseInput's *FirehoseInputError (SerializationException); an
// unknown op an error wrapping ErrUnknownFirehoseAction.
func ValidateFirehoseRequest(op string, body []byte) error {
	root := firehoseInputShape(op)
	if root < 0 {
		return fmt.Errorf("validate firehose request: %w %q", ErrUnknownFirehoseAction, op)
	}
	l := lexer{b: body}
	if l.kind() != kindObject || !l.skip() || l.peek() != 0 {
		if _, err := DecodeFirehoseInput(op, body); err != nil {
			return err
		}
		msg := "malformed JSON body"
		if l.err != nil {
			msg += ": " + l.err.msg
		}
		return &FirehoseInputError{Action: op, Reason: msg}
	}
	var path [128]byte
	v := fhValidator{re: firehosePatterns(), path: path[:0]}
	l = lexer{b: body}
	v.check(&l, int16(root))
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Action: op, Violations: v.errs}
}

// fhvKind is the type of a Firehose model shape.
type fhvKind uint8

const (
	fhvStruct fhvKind = iota
	fhvList
	fhvMap
	fhvString
	fhvBlob
	fhvBool
	fhvInt   // integer and long
	fhvFloat // float and double
	fhvTime
)

// fhvShape is a shape of the Firehose model with its constraints.
type fhvShape struct {
	name           string
	kind           fhvKind
	hasMin, hasMax bool
	// min and max bound lengths (string, blob, list, map) or values.
	min, max int64
	// pattern is the model's Java pattern; re2 its anchored RE2 form, ""
	// when RE2 cannot compile it.
	pattern, re2 string
	enum         []string
	// elem is the element shape of a list; key and value those of a map.
	elem, key, value int16
	members          []fhvMember
}

// fhvMember is a structure member: its model name, shape and whether it is
// required.
type fhvMember struct {
	name     string
	shape    int16
	required bool
}

// firehosePatterns returns the compiled pattern of every shape of
// firehoseInputShapes (nil where it has none), compiled on first use.
var firehosePatterns = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(firehoseInputShapes))
	for i := range firehoseInputShapes {
		if re := firehoseInputShapes[i].re2; re != "" {
			out[i] = regexp.MustCompile(re) // the generator compiled it
		}
	}
	return out
})

// fhValidator collects the violations of one request. The body is known to
// be well-formed JSON when it runs.
type fhValidator struct {
	re   []*regexp.Regexp
	path []byte
	errs []Violation
}

// span is the extent of a value in the body.
type span struct{ start, end int }

func (v *fhValidator) push(name string) int {
	mark := len(v.path)
	if mark > 0 {
		v.path = append(v.path, '.')
	}
	if name != "" && 'A' <= name[0] && name[0] <= 'Z' {
		v.path = append(v.path, name[0]+'a'-'A')
		name = name[1:]
	}
	v.path = append(v.path, name...)
	return mark
}

func (v *fhValidator) pushIndex(i int, suffix string) int {
	mark := len(v.path)
	if mark > 0 {
		v.path = append(v.path, '.')
	}
	v.path = strconv.AppendInt(v.path, int64(i), 10)
	v.path = append(v.path, suffix...)
	return mark
}

func (v *fhValidator) violate(si int16, val []byte, constraint string) {
	x := Violation{Path: string(v.path), Constraint: constraint}
	if val == nil {
		x.Null = true
	} else {
		x.Value = renderJava(si, val)
	}
	v.errs = append(v.errs, x)
}

// bounds reports a length (or, with value set, a value) outside [min, max].
func (v *fhValidator) bounds(si int16, n int64, val []byte, what string) {
	s := &firehoseInputShapes[si]
	if s.hasMin && n < s.min {
		v.violate(si, val, "Member must have "+what+" greater than or equal to "+strconv.FormatInt(s.min, 10))
	}
	if s.hasMax && n > s.max {
		v.violate(si, val, "Member must have "+what+" less than or equal to "+strconv.FormatInt(s.max, 10))
	}
}

// check validates the value at the cursor against shape si and consumes it.
func (v *fhValidator) check(l *lexer, si int16) {
	s := &firehoseInputShapes[si]
	k := l.kind()
	start := l.i
	switch {
	case s.kind == fhvStruct && k == kindObject:
		v.object(l, s)
	case s.kind == fhvList && k == kindArray:
		n := int64(0)
		elems := l.i
		l.beginArray()
		for first := true; l.nextElem(&first); n++ {
			l.skip()
		}
		v.bounds(si, n, l.b[start:l.i], "length")
		end := l.i
		l.i = elems
		l.beginArray()
		for first, i := true, 1; l.nextElem(&first); i++ {
			if l.kind() == kindNull {
				l.skip()
				continue
			}
			mark := v.pushIndex(i, ".member")
			v.check(l, s.elem)
			v.path = v.path[:mark]
		}
		l.i = end
	case s.kind == fhvMap && k == kindObject:
		v.mapValue(l, si)
	case (s.kind == fhvString || s.kind == fhvBlob) && k == kindString:
		raw, esc, _ := l.str()
		val := l.b[start:l.i]
		if s.kind == fhvString {
			v.str(si, raw, esc, val)
		} else if n, ok := base64Len(raw); ok {
			v.bounds(si, int64(n), val, "length")
		}
	case s.kind == fhvInt && k == kindNumber && (s.hasMin || s.hasMax):
		l.number()
		if n, ok := parseInt(l.b[start:l.i]); ok {
			v.bounds(si, n, l.b[start:l.i], "value")
		}
	default: // no constraints, or the wrong type: DecodeFirehoseInput's concern
		l.skip()
	}
}

// at validates the value at sp of l's bytes against shape si, leaving l
// as it was.
func (v *fhValidator) at(l *lexer, sp span, si int16) {
	b, i, depth := l.b, l.i, l.depth
	l.b, l.i = b[:sp.end], sp.start
	v.check(l, si)
	l.b, l.i, l.depth = b, i, depth
}

// object validates a structure's members in model order.
func (v *fhValidator) object(l *lexer, s *fhvShape) {
	var buf [32]span
	var spans []span
	if len(s.members) > len(buf) {
		spans = make([]span, len(s.members))
	} else {
		spans = buf[:len(s.members)]
	}
	l.beginObject()
	for first := true; ; {
		key, esc, ok := l.nextKey(&first)
		if !ok {
			break
		}
		name := text(key, esc)
		l.ws()
		start := l.i
		null := l.kind() == kindNull
		l.skip()
		for i := range s.members {
			if s.members[i].name == string(name) {
				if null {
					spans[i] = span{}
				} else {
					spans[i] = span{start, l.i}
				}
				break
			}
		}
	}
	for i := range s.members {
		m := &s.members[i]
		mark := v.push(m.name)
		if sp := spans[i]; sp.end == 0 {
			if m.required {
				v.violate(m.shape, nil, "Member must not be null")
			}
		} else {
			v.at(l, sp, m.shape)
		}
		v.path = v.path[:mark]
	}
}

// mapValue validates a map's size, then its keys and values.
func (v *fhValidator) mapValue(l *lexer, si int16) {
	s := &firehoseInputShapes[si]
	start := l.i
	l.skip()
	val := l.b[start:l.i]
	sub := lexer{b: val}
	sub.beginObject()
	n := int64(0)
	for first := true; ; n++ {
		if _, _, ok := sub.nextKey(&first); !ok {
			break
		}
		sub.skip()
	}
	v.bounds(si, n, val, "length")
	sub = lexer{b: val}
	sub.beginObject()
	for first, i := true, int64(1); ; i++ {
		key, esc, ok := sub.nextKey(&first)
		if !ok {
			break
		}
		mark := v.push("entry")
		v.path = strconv.AppendInt(append(v.path, '.'), i, 10)
		km := v.push("key")
		if firehoseInputShapes[s.key].kind == fhvString {
			off := cap(val) - cap(key) // key aliases val
			v.str(s.key, key, esc, val[off-1:off+len(key)+1])
		}
		v.path = v.path[:km]
		v.push("value")
		v.check(&sub, s.value)
		v.path = v.path[:mark]
	}
}

// str validates a string of shape si: raw is its contents between the
// quotes, val the whole JSON string.
func (v *fhValidator) str(si int16, raw []byte, esc bool, val []byte) {
	s := &firehoseInputShapes[si]
	str := text(raw, esc)
	v.bounds(si, int64(utf16Len(str)), val, "length")
	if re := v.re[si]; re != nil && !re.Match(str) {
		v.violate(si, val, "Member must satisfy regular expression pattern: "+s.pattern)
	}
	if len(s.enum) > 0 && !inEnum(s.enum, str) {
		v.violate(si, val, "Member must satisfy enum value set: ["+strings.Join(s.enum, ", ")+"]")
	}
}

func inEnum(enum []string, s []byte) bool {
	for _, e := range enum {
		if e == string(s) {
			return true
		}
	}
	return false
}

// utf16Len returns the length of s in UTF-16 code units, Java's
// String.length(); each invalid byte counts one, as Java's decoder
// replaces it with U+FFFD.
func utf16Len(s []byte) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// base64Len returns the decoded length of standard base64 text, and false
// if its length or padding is not base64's.
func base64Len(raw []byte) (int, bool) {
	if len(raw)%4 != 0 {
		return 0, false
	}
	n := len(raw) / 4 * 3
	if len(raw) > 0 && raw[len(raw)-1] == '=' {
		n--
		if raw[len(raw)-2] == '=' {
			n--
		}
	}
	return n, true
}

// parseInt parses a JSON number that is an integer in int64's range.
func parseInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 {
		return 0, false // longer numbers are beyond every bound of the model
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// renderJava prints the JSON value val of shape si as AWS's Java service
// does in messages. It runs only for violations.
func renderJava(si int16, val []byte) string {
	var b strings.Builder
	l := lexer{b: val}
	writeJava(&b, &l, si)
	return b.String()
}

func writeJava(b *strings.Builder, l *lexer, si int16) {
	s := &firehoseInputShapes[si]
	start := l.i
	switch k := l.kind(); {
	case k == kindString:
		raw, esc, _ := l.str()
		if s.kind == fhvBlob {
			n, ok := base64Len(raw)
			if !ok {
				n = len(raw)
			}
			fmt.Fprintf(b, "java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]", n, n)
			return
		}
		b.Write(text(raw, esc))
	case k == kindArray && s.kind == fhvList:
		b.WriteByte('[')
		l.beginArray()
		for first := true; l.nextElem(&first); {
			if !first && b.Len() > 1 {
				b.WriteString(", ")
			}
			writeJava(b, l, s.elem)
		}
		b.WriteByte(']')
	case k == kindObject && s.kind == fhvStruct:
		b.WriteByte('{')
		l.beginObject()
		n := 0
		for first := true; ; {
			key, esc, ok := l.nextKey(&first)
			if !ok {
				break
			}
			name := text(key, esc)
			shape := int16(-1)
			for i := range s.members {
				if s.members[i].name == string(name) {
					shape = s.members[i].shape
				}
			}
			if shape < 0 || l.kind() == kindNull {
				l.skip()
				continue
			}
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			b.Write(name)
			b.WriteString(": ")
			writeJava(b, l, shape)
		}
		b.WriteByte('}')
	case k == kindObject && s.kind == fhvMap:
		b.WriteByte('{')
		l.beginObject()
		for first := true; ; {
			key, esc, ok := l.nextKey(&first)
			if !ok {
				break
			}
			if b.Len() > 1 {
				b.WriteString(", ")
			}
			b.Write(text(key, esc))
			b.WriteByte('=')
			writeJava(b, l, s.value)
		}
		b.WriteByte('}')
	default:
		l.skip()
		b.Write(l.b[start:l.i])
	}
}
