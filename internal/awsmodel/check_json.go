package awsmodel

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"
)

// CheckJSON checks a JSON response body (JSON 1.0/1.1 and REST-JSON
// protocols) against the shape named shapeName, typically an operation's
// output, and returns the problems found, nil if none.
//
// It reports required members that are missing or null, values of the
// wrong JSON type (timestamps are epoch-seconds numbers unless a
// timestampFormat says otherwise, blobs base64 strings, integers integral
// numbers), strings outside their enum, and members the model does not know
// (kind UnknownMember, which callers may filter). Members bound to headers,
// the URI or the status code are not expected in the body. Length, range
// and pattern constraints are not checked.
func CheckJSON(m *Model, shapeName string, body []byte) []Problem {
	c := newChecker(m, TimestampUnix)
	s := c.root(shapeName)
	if s == nil {
		return c.probs
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		c.add("", Malformed, "not JSON: %v", err)
		return c.probs
	}
	if _, err := dec.Token(); err != io.EOF {
		c.add("", Malformed, "not JSON: data after the top-level value")
		return c.probs
	}
	c.json(nil, s, v, "")
	return c.probs
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "?"
}

// json checks value v reached through ref (nil at the root) against s.
func (c *checker) json(ref *ShapeRef, s *Shape, v any, path string) {
	want := func(what string) { c.add(path, WrongType, "want %s, got %s", what, jsonType(v)) }
	switch s.Type {
	case TypeStructure:
		obj, ok := v.(map[string]any)
		if !ok {
			want("an object")
			return
		}
		known := make(map[string]bool, len(s.Members))
		for _, mb := range bodyMembers(s) {
			name := mb.Name
			if mb.LocationName != "" {
				name = mb.LocationName
			}
			known[name] = true
			x := obj[name]
			if x == nil {
				if s.IsRequired(mb.Name) {
					c.add(join(path, name), MissingRequired, "required member %s is missing", name)
				}
				continue
			}
			c.json(&mb.ShapeRef, c.m.Shapes[mb.Shape], x, join(path, name))
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if !known[k] {
				c.add(join(path, k), UnknownMember, "member %s is not in shape %s", k, s.Name)
			}
		}
	case TypeList:
		arr, ok := v.([]any)
		if !ok {
			want("a list")
			return
		}
		for i, x := range arr {
			if x != nil {
				c.json(s.Member, c.m.Shapes[s.Member.Shape], x, index(path, i))
			}
		}
	case TypeMap:
		obj, ok := v.(map[string]any)
		if !ok {
			want("an object")
			return
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			c.text(s.Key, c.m.Shapes[s.Key.Shape], k, key(path, k))
			if x := obj[k]; x != nil {
				c.json(s.Value, c.m.Shapes[s.Value.Shape], x, key(path, k))
			}
		}
	case TypeDocument:
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			want("a boolean")
		}
	case TypeInteger, TypeLong:
		n, ok := v.(json.Number)
		if !ok {
			want("a number")
		} else if _, err := strconv.ParseInt(string(n), 10, 64); err != nil {
			c.add(path, WrongType, "%s is not an integer", n)
		}
	case TypeFloat, TypeDouble:
		if _, ok := v.(json.Number); ok {
			return
		}
		switch v {
		case "NaN", "Infinity", "-Infinity": // non-finite doubles are strings
		default:
			want("a number")
		}
	case TypeTimestamp:
		if c.timestampFormat(ref, s) == TimestampUnix {
			if _, ok := v.(json.Number); !ok {
				want("a number (epoch seconds)")
			}
			return
		}
		if str, ok := v.(string); ok {
			c.text(ref, s, str, path)
		} else {
			want("a string")
		}
	default: // string, blob
		str, ok := v.(string)
		if !ok {
			want("a string")
			return
		}
		c.text(ref, s, str, path)
	}
}
