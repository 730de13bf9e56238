package schemas

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// MaxDepth is the deepest nesting of JSON arrays and objects the validator
// accepts; deeper input is reported as a problem instead of being decoded
// (encoding/json stops at the same depth).
const MaxDepth = 10000

// syntaxError is the first JSON syntax error found in a record.
type syntaxError struct {
	off int
	msg string
}

// lexer is a zero-allocation JSON reader over one record's bytes. It checks
// the grammar of RFC 8259 as it goes; the first error stops it (every method
// then returns false) and is kept in err. UTF-8 validity is checked once,
// before lexing, by the caller.
type lexer struct {
	b     []byte
	i     int
	depth int
	err   *syntaxError
}

func (l *lexer) fail(off int, format string, args ...any) bool {
	if l.err == nil {
		l.err = &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
	}
	return false
}

func (l *lexer) ws() {
	for l.i < len(l.b) {
		switch l.b[l.i] {
		case ' ', '\t', '\n', '\r':
			l.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, 0 at the end.
func (l *lexer) peek() byte {
	l.ws()
	if l.i >= len(l.b) {
		return 0
	}
	return l.b[l.i]
}

func (l *lexer) unexpected(what string) bool {
	if l.i >= len(l.b) {
		return l.fail(l.i, "unexpected end of JSON %s", what)
	}
	return l.fail(l.i, "invalid character %s %s", quoteChar(l.b[l.i]), what)
}

// quoteChar quotes c the way encoding/json's syntax errors do.
func quoteChar(c byte) string {
	switch {
	case c == '\'':
		return `'\''`
	case c == '"':
		return `'"'`
	case c >= 0x80:
		return fmt.Sprintf("byte 0x%02x", c)
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// str reads a string token at the cursor and returns its raw contents
// (between the quotes) and whether it holds escapes.
func (l *lexer) str() (raw []byte, esc, ok bool) {
	if l.peek() != '"' {
		return nil, false, l.unexpected("looking for beginning of string")
	}
	start := l.i + 1
	for i := start; i < len(l.b); i++ {
		switch c := l.b[i]; {
		case c == '"':
			l.i = i + 1
			return l.b[start:i], esc, true
		case c == '\\':
			esc = true
			i++
			if i >= len(l.b) {
				break
			}
			switch l.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for k := 1; k <= 4; k++ {
					if i+k >= len(l.b) {
						l.i = len(l.b)
						return nil, false, l.fail(len(l.b), "unexpected end of JSON input in string escape code")
					}
					if !isHex(l.b[i+k]) {
						l.i = i + k
						return nil, false, l.fail(i+k, "invalid character %s in \\u hexadecimal character escape", quoteChar(l.b[i+k]))
					}
				}
				i += 4
			default:
				return nil, false, l.fail(i, "invalid character %s in string escape code", quoteChar(l.b[i]))
			}
		case c < 0x20:
			return nil, false, l.fail(i, "invalid character %s in string literal", quoteChar(c))
		}
	}
	l.i = len(l.b)
	return nil, false, l.fail(len(l.b), "unexpected end of JSON input in string literal")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// text returns the string value of a string token's raw contents.
func text(raw []byte, esc bool) []byte {
	if !esc {
		return raw
	}
	q := make([]byte, 0, len(raw)+2)
	q = append(append(append(q, '"'), raw...), '"')
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return raw // unreachable: the lexer checked the escapes
	}
	return []byte(s)
}

// beginObject consumes '{'.
func (l *lexer) beginObject() bool {
	if l.peek() != '{' {
		return l.unexpected("looking for beginning of object")
	}
	return l.push()
}

func (l *lexer) push() bool {
	l.depth++
	if l.depth > MaxDepth {
		return l.fail(l.i, "exceeded max depth %d", MaxDepth)
	}
	l.i++
	return true
}

// nextKey reads the next member name of the object being read and the colon
// after it. It returns ok false at the closing brace (consumed) or on error;
// *first tracks the comma.
func (l *lexer) nextKey(first *bool) (key []byte, esc, ok bool) {
	c := l.peek()
	if c == '}' {
		l.i++
		l.depth--
		return nil, false, false
	}
	if !*first {
		if c != ',' {
			return nil, false, l.unexpected("after object key:value pair")
		}
		l.i++
		if l.peek() != '"' {
			return nil, false, l.unexpected("looking for beginning of object key string")
		}
	} else if c != '"' {
		return nil, false, l.unexpected("looking for beginning of object key string")
	}
	*first = false
	key, esc, ok = l.str()
	if !ok {
		return nil, false, false
	}
	if l.peek() != ':' {
		return nil, false, l.unexpected("after object key")
	}
	l.i++
	return key, esc, true
}

// beginArray consumes '['.
func (l *lexer) beginArray() bool {
	if l.peek() != '[' {
		return l.unexpected("looking for beginning of array")
	}
	return l.push()
}

// nextElem reports whether another array element follows (and consumes the
// comma before it); false at the closing bracket (consumed) or on error.
func (l *lexer) nextElem(first *bool) bool {
	c := l.peek()
	if c == ']' {
		l.i++
		l.depth--
		return false
	}
	if !*first {
		if c != ',' {
			return l.unexpected("after array element")
		}
		l.i++
	}
	*first = false
	return true
}

// skip reads and discards one value of any kind.
func (l *lexer) skip() bool {
	switch c := l.peek(); {
	case c == '{':
		if !l.beginObject() {
			return false
		}
		first := true
		for {
			_, _, ok := l.nextKey(&first)
			if !ok {
				return l.err == nil
			}
			if !l.skip() {
				return false
			}
		}
	case c == '[':
		if !l.beginArray() {
			return false
		}
		first := true
		for l.nextElem(&first) {
			if !l.skip() {
				return false
			}
		}
		return l.err == nil
	case c == '"':
		_, _, ok := l.str()
		return ok
	case c == 't':
		return l.literal("true")
	case c == 'f':
		return l.literal("false")
	case c == 'n':
		return l.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return l.number()
	default:
		return l.unexpected("looking for beginning of value")
	}
}

func (l *lexer) literal(want string) bool {
	for k := 0; k < len(want); k++ {
		if l.i+k >= len(l.b) {
			l.i = len(l.b)
			return l.fail(l.i, "unexpected end of JSON input in literal %s", want)
		}
		if l.b[l.i+k] != want[k] {
			l.i += k
			return l.fail(l.i, "invalid character %s in literal %s (expecting %s)", quoteChar(l.b[l.i]), want, quoteChar(want[k]))
		}
	}
	l.i += len(want)
	return true
}

func (l *lexer) number() bool {
	b, i := l.b, l.i
	digits := func() bool {
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > s
	}
	bad := func(what string) bool {
		l.i = i
		return l.unexpected(what)
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		digits()
	default:
		return bad("in numeric literal")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return bad("after decimal point in numeric literal")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return bad("in exponent of numeric literal")
		}
	}
	l.i = i
	return true
}

// kind classifies the value at the cursor by its first byte.
type kind uint8

const (
	kindNone kind = iota
	kindObject
	kindArray
	kindString
	kindBool
	kindNull
	kindNumber
)

func (l *lexer) kind() kind {
	switch c := l.peek(); {
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == '"':
		return kindString
	case c == 't' || c == 'f':
		return kindBool
	case c == 'n':
		return kindNull
	case c == '-' || '0' <= c && c <= '9':
		return kindNumber
	}
	return kindNone
}
