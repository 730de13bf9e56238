package sns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// Filter policies (SetSubscriptionAttributes FilterPolicy): a JSON object
// whose keys name message attributes (FilterPolicyScope MessageAttributes,
// the default) or properties of a JSON message body (MessageBody, where
// nested objects descend into the body). Every key must match (AND); a key
// matches when any of its conditions matches any of the value's elements
// (OR). Conditions: a string, number, true, false or null literal (exact
// match), {"prefix":s}, {"suffix":s}, {"equals-ignore-case":s},
// {"anything-but":literal|[literals]|{"prefix":s}|{"suffix":s}},
// {"numeric":[op,n(,op,n)]} with op one of = < <= > >=, and
// {"exists":bool}. "$or", {"cidr":…} and {"wildcard":…} are not supported
// and are refused.

// filterPolicy is a parsed filter policy.
type filterPolicy struct {
	body bool           // scope MessageBody
	root map[string]any // key → []condition or (body scope) nested map
}

// condition is one parsed condition of a key.
type condition struct {
	kind string // "str", "num", "bool", "null", "prefix", "suffix", "ignorecase", "anything-but", "numeric", "exists"
	s    string
	n    float64
	b    bool
	not  []condition // anything-but
	ops  []string    // numeric
	nums []float64   // numeric
}

// value is one element of a message attribute or body property.
type value struct {
	kind string // "str", "num", "bool", "null"
	s    string
	n    float64
	b    bool
}

func policyError(format string, args ...any) *awsapi.Error {
	return invalidParameter("FilterPolicy: " + fmt.Sprintf(format, args...))
}

// parseFilterPolicy parses policy for scope ("" or MessageAttributes, or
// MessageBody).
func parseFilterPolicy(policy, scope string) (*filterPolicy, error) {
	var root map[string]any
	d := json.NewDecoder(strings.NewReader(policy))
	d.UseNumber()
	if err := d.Decode(&root); err != nil || root == nil {
		return nil, policyError("failed to parse JSON")
	}
	fp := &filterPolicy{body: scope == "MessageBody", root: map[string]any{}}
	n := 0
	if err := fp.parse(root, fp.root, 0, &n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, policyError("filter policy can not be empty")
	}
	if n > 150 {
		return nil, policyError("filter policy is too complex")
	}
	return fp, nil
}

func (fp *filterPolicy) parse(in, out map[string]any, depth int, n *int) error {
	if depth > 5 {
		return policyError("filter policy is too deep")
	}
	for k, v := range in {
		if k == "$or" {
			return policyError("$or is not supported by firetrail")
		}
		switch v := v.(type) {
		case []any:
			if len(v) == 0 {
				return policyError("Empty arrays are not allowed")
			}
			var cs []condition
			for _, c := range v {
				pc, err := parseCondition(c)
				if err != nil {
					return err
				}
				cs = append(cs, pc)
				*n++
			}
			out[k] = cs
		case map[string]any:
			if !fp.body {
				return policyError("Filter policy scope MessageAttributes does not support nested filter policy")
			}
			sub := map[string]any{}
			if err := fp.parse(v, sub, depth+1, n); err != nil {
				return err
			}
			out[k] = sub
		default:
			return policyError("Match value must be String, number, true, false, or null")
		}
	}
	return nil
}

func literal(v any) (condition, bool) {
	switch v := v.(type) {
	case string:
		return condition{kind: "str", s: v}, true
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return condition{}, false
		}
		return condition{kind: "num", n: f}, true
	case bool:
		return condition{kind: "bool", b: v}, true
	case nil:
		return condition{kind: "null"}, true
	}
	return condition{}, false
}

func parseCondition(v any) (condition, error) {
	if c, ok := literal(v); ok {
		return c, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return condition{}, policyError("Match value must be String, number, true, false, or null")
	}
	for op, arg := range m {
		switch op {
		case "prefix", "suffix", "equals-ignore-case":
			s, ok := arg.(string)
			if !ok {
				return condition{}, policyError("%s match pattern must be a string", op)
			}
			kind := op
			if op == "equals-ignore-case" {
				kind = "ignorecase"
			}
			return condition{kind: kind, s: s}, nil
		case "exists":
			b, ok := arg.(bool)
			if !ok {
				return condition{}, policyError("exists match pattern must be either true or false.")
			}
			return condition{kind: "exists", b: b}, nil
		case "anything-but":
			c := condition{kind: "anything-but"}
			switch a := arg.(type) {
			case []any:
				if len(a) == 0 {
					return condition{}, policyError("Empty arrays are not allowed")
				}
				for _, x := range a {
					l, ok := literal(x)
					if !ok || l.kind == "bool" || l.kind == "null" {
						return condition{}, policyError("Inside anything but list, start|null|boolean is not supported.")
					}
					c.not = append(c.not, l)
				}
			case map[string]any:
				inner, err := parseCondition(a)
				if err != nil || (inner.kind != "prefix" && inner.kind != "suffix") {
					return condition{}, policyError("Unsupported anything-but pattern")
				}
				c.not = []condition{inner}
			default:
				l, ok := literal(a)
				if !ok || l.kind == "bool" || l.kind == "null" {
					return condition{}, policyError("Unsupported anything-but pattern")
				}
				c.not = []condition{l}
			}
			return c, nil
		case "numeric":
			a, ok := arg.([]any)
			if !ok || (len(a) != 2 && len(a) != 4) {
				return condition{}, policyError("Value of numeric must be an array.")
			}
			c := condition{kind: "numeric"}
			for i := 0; i < len(a); i += 2 {
				o, ok := a[i].(string)
				num, ok2 := a[i+1].(json.Number)
				if !ok || !ok2 {
					return condition{}, policyError("Unrecognized numeric range operator")
				}
				switch o {
				case "=", "<", "<=", ">", ">=":
				default:
					return condition{}, policyError("Unrecognized numeric range operator: %s", o)
				}
				f, err := num.Float64()
				if err != nil {
					return condition{}, policyError("Value of numeric must be a number")
				}
				c.ops, c.nums = append(c.ops, o), append(c.nums, f)
			}
			return c, nil
		default:
			return condition{}, policyError("Unrecognized match type %s", op)
		}
	}
	return condition{}, nil
}

// matchAttributes reports whether attrs pass the policy (attributes scope).
func (fp *filterPolicy) matchAttributes(attrs map[string]awsapi.MessageAttribute) bool {
	for k, v := range fp.root {
		cs := v.([]condition)
		a, ok := attrs[k]
		var vals []value
		if ok {
			vals = attributeValues(a)
		}
		if !matchKey(cs, ok, vals) {
			return false
		}
	}
	return true
}

// matchBody reports whether a JSON message body passes the policy.
func (fp *filterPolicy) matchBody(message string) bool {
	d := json.NewDecoder(strings.NewReader(message))
	d.UseNumber()
	var body map[string]any
	if d.Decode(&body) != nil {
		return false
	}
	return matchObject(fp.root, body)
}

func matchObject(policy, obj map[string]any) bool {
	for k, p := range policy {
		v, present := obj[k]
		switch p := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchObject(p, sub) {
				return false
			}
		case []condition:
			var vals []value
			if arr, ok := v.([]any); ok {
				for _, x := range arr {
					vals = append(vals, jsonValue(x))
				}
			} else if present {
				vals = []value{jsonValue(v)}
			}
			if !matchKey(p, present, vals) {
				return false
			}
		}
	}
	return true
}

func jsonValue(v any) value {
	switch v := v.(type) {
	case string:
		return value{kind: "str", s: v}
	case json.Number:
		f, _ := v.Float64()
		return value{kind: "num", n: f}
	case bool:
		return value{kind: "bool", b: v}
	case nil:
		return value{kind: "null"}
	}
	return value{kind: "object"}
}

// attributeValues returns the elements of a message attribute: a String's
// string, a Number's number, a String.Array's elements; none of a Binary.
func attributeValues(a awsapi.MessageAttribute) []value {
	switch {
	case strings.HasPrefix(a.DataType, "String.Array"):
		d := json.NewDecoder(bytes.NewReader([]byte(a.StringValue)))
		d.UseNumber()
		var arr []any
		if d.Decode(&arr) != nil {
			return nil
		}
		out := make([]value, 0, len(arr))
		for _, x := range arr {
			out = append(out, jsonValue(x))
		}
		return out
	case strings.HasPrefix(a.DataType, "Number"):
		f, err := strconv.ParseFloat(strings.TrimSpace(a.StringValue), 64)
		if err != nil {
			return nil
		}
		return []value{{kind: "num", n: f}}
	case strings.HasPrefix(a.DataType, "String"):
		return []value{{kind: "str", s: a.StringValue}}
	}
	return nil
}

// matchKey reports whether any condition matches: exists against
// presence, the others against any element.
func matchKey(cs []condition, present bool, vals []value) bool {
	for _, c := range cs {
		if c.kind == "exists" {
			if c.b == present {
				return true
			}
			continue
		}
		for _, v := range vals {
			if c.match(v) {
				return true
			}
		}
	}
	return false
}

func (c condition) match(v value) bool {
	switch c.kind {
	case "str":
		return v.kind == "str" && v.s == c.s
	case "num":
		return v.kind == "num" && v.n == c.n
	case "bool":
		return v.kind == "bool" && v.b == c.b
	case "null":
		return v.kind == "null"
	case "prefix":
		return v.kind == "str" && strings.HasPrefix(v.s, c.s)
	case "suffix":
		return v.kind == "str" && strings.HasSuffix(v.s, c.s)
	case "ignorecase":
		return v.kind == "str" && strings.EqualFold(v.s, c.s)
	case "anything-but":
		if v.kind != "str" && v.kind != "num" {
			return false
		}
		for _, n := range c.not {
			if n.match(v) {
				return false
			}
		}
		return true
	case "numeric":
		if v.kind != "num" {
			return false
		}
		for i, o := range c.ops {
			n := c.nums[i]
			ok := false
			switch o {
			case "=":
				ok = v.n == n
			case "<":
				ok = v.n < n
			case "<=":
				ok = v.n <= n
			case ">":
				ok = v.n > n
			case ">=":
				ok = v.n >= n
			}
			if !ok {
				return false
			}
		}
		return true
	}
	return false
}
