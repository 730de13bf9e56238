package schemas

import (
	"regexp"
	"strings"
)

// fastSchema is a JSON Schema compiled for the validator's fast path: it
// checks raw JSON bytes with the lexer, without decoding, and answers only
// valid or not. It understands the keywords the generated Firehose schemas
// use (type, properties, required, additionalProperties, items, enum of
// strings, pattern, local $ref into $defs, and annotations); a schema with
// any other keyword is not compiled and always takes the slow path.
//
// Like the record walker it may be stricter than the JSON Schema, never
// looser: when it says invalid, the jsonschema package decides and explains.
type fastSchema struct {
	types     uint8 // bit set of fast* types; 0 allows every type
	props     map[string]*fastSchema
	required  []string
	addl      *fastSchema // nil: any additional member is allowed
	addlFalse bool        // additionalProperties: false
	items     *fastSchema
	enum      []string
	hasEnum   bool
	pattern   *regexp.Regexp
	ref       *fastSchema
	refName   string
}

// Type bits of fastSchema.types.
const (
	fastObject uint8 = 1 << iota
	fastArray
	fastString
	fastNumber
	fastInteger
	fastBoolean
	fastNull
)

// compileFast compiles the schema document doc (as decoded by
// jsonschema.UnmarshalJSON). ok is false when doc uses a keyword it does not
// understand.
func compileFast(doc any) (s *fastSchema, ok bool) {
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, false
	}
	defs := map[string]*fastSchema{}
	var refs []*fastSchema
	var compile func(m any) (*fastSchema, bool)
	compile = func(m any) (*fastSchema, bool) {
		if b, isBool := m.(bool); isBool {
			if b {
				return &fastSchema{}, true
			}
			return nil, false
		}
		obj, isObj := m.(map[string]any)
		if !isObj {
			return nil, false
		}
		s := &fastSchema{}
		for k, v := range obj {
			switch k {
			case "$schema", "$id", "$comment", "title", "description", "examples", "default", "$defs":
			case "type":
				bits, ok := fastTypes(v)
				if !ok {
					return nil, false
				}
				s.types = bits
			case "properties":
				props, isObj := v.(map[string]any)
				if !isObj {
					return nil, false
				}
				s.props = make(map[string]*fastSchema, len(props))
				for name, ps := range props {
					c, ok := compile(ps)
					if !ok {
						return nil, false
					}
					s.props[name] = c
				}
			case "required":
				list, isList := v.([]any)
				if !isList {
					return nil, false
				}
				for _, r := range list {
					name, isStr := r.(string)
					if !isStr {
						return nil, false
					}
					s.required = append(s.required, name)
				}
			case "additionalProperties":
				if b, isBool := v.(bool); isBool {
					s.addlFalse = !b
					continue
				}
				c, ok := compile(v)
				if !ok {
					return nil, false
				}
				s.addl = c
			case "items":
				c, ok := compile(v)
				if !ok {
					return nil, false
				}
				s.items = c
			case "enum":
				list, isList := v.([]any)
				if !isList {
					return nil, false
				}
				s.hasEnum = true
				for _, e := range list {
					str, isStr := e.(string)
					if !isStr {
						return nil, false
					}
					s.enum = append(s.enum, str)
				}
			case "pattern":
				str, isStr := v.(string)
				if !isStr {
					return nil, false
				}
				re, err := regexp.Compile(str)
				if err != nil {
					return nil, false
				}
				s.pattern = re
			case "$ref":
				str, isStr := v.(string)
				if !isStr || !strings.HasPrefix(str, "#/$defs/") || strings.ContainsAny(str[len("#/$defs/"):], "/~%") {
					return nil, false
				}
				s.refName = str[len("#/$defs/"):]
				refs = append(refs, s)
			default:
				if strings.HasPrefix(k, "x-") {
					continue // extension annotations, ignored by JSON Schema
				}
				return nil, false
			}
		}
		return s, true
	}
	if d, has := root["$defs"]; has {
		dm, isObj := d.(map[string]any)
		if !isObj {
			return nil, false
		}
		for name, ds := range dm {
			c, ok := compile(ds)
			if !ok {
				return nil, false
			}
			defs[name] = c
		}
	}
	s, ok = compile(root)
	if !ok {
		return nil, false
	}
	for _, r := range refs {
		if r.ref = defs[r.refName]; r.ref == nil {
			return nil, false
		}
	}
	return s, true
}

func fastTypes(v any) (uint8, bool) {
	one := func(name any) (uint8, bool) {
		switch name {
		case "object":
			return fastObject, true
		case "array":
			return fastArray, true
		case "string":
			return fastString, true
		case "number":
			return fastNumber, true
		case "integer":
			return fastInteger, true
		case "boolean":
			return fastBoolean, true
		case "null":
			return fastNull, true
		}
		return 0, false
	}
	if list, isList := v.([]any); isList {
		var bits uint8
		for _, n := range list {
			b, ok := one(n)
			if !ok {
				return 0, false
			}
			bits |= b
		}
		return bits, len(list) > 0
	}
	return one(v)
}

// valid reports whether the raw JSON value raw certainly satisfies s.
func (s *fastSchema) valid(raw []byte) bool {
	l := lexer{b: raw}
	if !s.value(&l) || l.err != nil {
		return false
	}
	l.ws()
	return l.i == len(raw)
}

// value checks the value at the lexer's cursor against s and consumes it.
func (s *fastSchema) value(l *lexer) bool {
	for s.ref != nil && s.types == 0 && s.props == nil && s.required == nil && s.addl == nil &&
		!s.addlFalse && s.items == nil && !s.hasEnum && s.pattern == nil {
		s = s.ref // a bare $ref
	}
	if s.ref != nil {
		// $ref with sibling keywords: check both on the same bytes.
		start, depth := l.i, l.depth
		if !s.ref.value(l) {
			return false
		}
		end := l.i
		l.i, l.depth = start, depth
		own := *s
		own.ref = nil
		if !own.value(l) {
			return false
		}
		return l.i == end
	}
	k := l.kind()
	if s.types != 0 {
		var bit uint8
		switch k {
		case kindObject:
			bit = fastObject
		case kindArray:
			bit = fastArray
		case kindString:
			bit = fastString
		case kindBool:
			bit = fastBoolean
		case kindNull:
			bit = fastNull
		case kindNumber:
			bit = fastNumber
			if s.types&fastNumber == 0 && s.types&fastInteger != 0 && l.isIntegerToken() {
				bit = fastInteger
			}
		}
		if s.types&bit == 0 {
			return false
		}
	}
	switch k {
	case kindObject:
		return s.object(l)
	case kindArray:
		if s.items == nil {
			return l.skip()
		}
		l.beginArray()
		first := true
		for l.nextElem(&first) {
			if !s.items.value(l) {
				return false
			}
		}
		return l.err == nil
	case kindString:
		raw, esc, ok := l.str()
		if !ok {
			return false
		}
		if !s.hasEnum && s.pattern == nil {
			return true
		}
		str := text(raw, esc)
		if s.hasEnum && !s.inEnum(str) {
			return false
		}
		return s.pattern == nil || s.pattern.Match(str)
	}
	if s.hasEnum {
		return false // only string enums are compiled
	}
	return l.skip()
}

func (s *fastSchema) inEnum(str []byte) bool {
	for _, e := range s.enum {
		if string(str) == e {
			return true
		}
	}
	return false
}

func (s *fastSchema) object(l *lexer) bool {
	if s.hasEnum {
		return false
	}
	l.beginObject()
	var seen uint64
	if len(s.required) > 64 {
		return false
	}
	first := true
	for {
		key, esc, ok := l.nextKey(&first)
		if !ok {
			break
		}
		if esc {
			return false // rare; let the schema decide
		}
		for i, r := range s.required {
			if string(key) == r {
				seen |= 1 << i
			}
		}
		sub, known := s.props[string(key)]
		switch {
		case known:
		case s.addlFalse:
			return false
		case s.addl != nil:
			sub = s.addl
		default:
			if !l.skip() {
				return false
			}
			continue
		}
		if !sub.value(l) {
			return false
		}
	}
	if l.err != nil {
		return false
	}
	return seen == 1<<len(s.required)-1
}

// isIntegerToken reports whether the number at the cursor has neither a
// fraction nor an exponent.
func (l *lexer) isIntegerToken() bool {
	for i := l.i; i < len(l.b); i++ {
		switch c := l.b[i]; {
		case c == '.' || c == 'e' || c == 'E':
			return false
		case c == '-' || '0' <= c && c <= '9':
		default:
			return true
		}
	}
	return true
}
