package schemas

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"time"
)

// FirehoseInputError reports a Firehose request body that is not valid JSON
// or whose members have the wrong JSON types. Servers answer it with
// ErrorCode (SerializationException) and ErrorMessage, HTTP 400.
type FirehoseInputError struct {
	// Action is the operation whose body was decoded.
	Action string
	// Pointer is the JSON pointer (RFC 6901, wire member names) of the bad
	// value; "" is the whole body.
	Pointer string
	// Reason says what is wrong, in lower case.
	Reason string
}

// Error returns the action, the pointer and the reason.
func (e *FirehoseInputError) Error() string {
	return "decode firehose " + e.Action + " request: " + e.ErrorMessage()
}

// ErrorCode returns the AWS error code of the failure.
func (e *FirehoseInputError) ErrorCode() string { return "SerializationException" }

// ErrorMessage returns the message to show the client.
func (e *FirehoseInputError) ErrorMessage() string {
	if e.Pointer == "" {
		return e.Reason
	}
	return e.Reason + " at " + e.Pointer
}

// DecodeFirehoseInput decodes the JSON 1.1 wire body of the Firehose action
// named action (the part of X-Amz-Target after "Firehose_20150804.") into a
// pointer to the aws-sdk-go-v2 input type of that action.
//
// Member names are matched exactly (PascalCase, as in the model); unknown
// members and null values are ignored; timestamps are epoch seconds
// (fractions allowed); blobs are standard base64. An unknown action gives an
// error wrapping ErrUnknownFirehoseAction; a body that is not a JSON object
// or has a value of the wrong type gives a *FirehoseInputError. Missing
// required members are not checked here.
func DecodeFirehoseInput(action string, body []byte) (any, error) {
	op := firehoseModel().byName[action]
	if op == nil {
		return nil, fmt.Errorf("decode firehose request: %w %q", ErrUnknownFirehoseAction, action)
	}
	fail := func(ptr, format string, args ...any) error {
		return &FirehoseInputError{Action: action, Pointer: ptr, Reason: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fail("", "malformed JSON body: %s", jsonErrorText(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("", "malformed JSON body: data after the top-level value")
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fail("", "the body must be a JSON object, not %s", jsonTypeName(doc))
	}
	v := reflect.New(op.input)
	d := fhDecoder{action: action}
	if err := d.object(op.in, m, v.Elem(), ""); err != nil {
		return nil, err
	}
	return v.Interface(), nil
}

func jsonErrorText(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s (offset %d)", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) {
		return "empty body"
	}
	return err.Error()
}

func jsonTypeName(v any) string {
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
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

type fhDecoder struct{ action string }

func (d *fhDecoder) fail(ptr, format string, args ...any) error {
	return &FirehoseInputError{Action: d.action, Pointer: ptr, Reason: fmt.Sprintf(format, args...)}
}

func (d *fhDecoder) object(p *fhStruct, m map[string]any, v reflect.Value, ptr string) error {
	for i := range p.fields {
		f := &p.fields[i]
		x, ok := m[f.name]
		if !ok || x == nil {
			continue
		}
		if err := d.member(f, x, v.Field(f.index), ptr+"/"+escapePointerToken(f.name)); err != nil {
			return err
		}
	}
	return nil
}

func (d *fhDecoder) member(f *fhField, x any, fv reflect.Value, ptr string) error {
	want := func(what string) error {
		return d.fail(ptr, "expected %s for %s, got %s", what, f.name, jsonTypeName(x))
	}
	switch f.kind {
	case fkString, fkPtrString:
		s, ok := x.(string)
		if !ok {
			return want("a string")
		}
		setPtr(fv, f.kind == fkPtrString).SetString(s)
	case fkPtrBool, fkBool:
		b, ok := x.(bool)
		if !ok {
			return want("a boolean")
		}
		setPtr(fv, f.kind == fkPtrBool).SetBool(b)
	case fkPtrInt, fkInt:
		n, ok := x.(json.Number)
		if !ok {
			return want("an integer")
		}
		target := fv.Type()
		if f.kind == fkPtrInt {
			target = target.Elem()
		}
		i, err := strconv.ParseInt(string(n), 10, target.Bits())
		if err != nil {
			return d.fail(ptr, "%s is not an integer of %d bits", n, target.Bits())
		}
		setPtr(fv, f.kind == fkPtrInt).SetInt(i)
	case fkPtrFloat, fkFloat:
		n, ok := x.(json.Number)
		if !ok {
			return want("a number")
		}
		g, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(g, 0) {
			return d.fail(ptr, "%s is out of range", n)
		}
		setPtr(fv, f.kind == fkPtrFloat).SetFloat(g)
	case fkPtrTime:
		n, ok := x.(json.Number)
		if !ok {
			return want("a timestamp in epoch seconds")
		}
		g, err := strconv.ParseFloat(string(n), 64)
		if err != nil || math.IsInf(g, 0) || math.Abs(g) > 1e12 {
			return d.fail(ptr, "%s is not a valid epoch-seconds timestamp", n)
		}
		sec, frac := math.Modf(g)
		t := time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
		fv.Set(reflect.ValueOf(&t))
	case fkBytes:
		s, ok := x.(string)
		if !ok {
			return want("a base64 string")
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return d.fail(ptr, "invalid base64 for %s: %v", f.name, err)
		}
		fv.SetBytes(b)
	case fkPtrStruct, fkStruct:
		m, ok := x.(map[string]any)
		if !ok {
			return want("an object")
		}
		return d.object(f.elem, m, setPtr(fv, f.kind == fkPtrStruct), ptr)
	case fkStringSlice:
		a, ok := x.([]any)
		if !ok {
			return want("an array")
		}
		s := reflect.MakeSlice(fv.Type(), len(a), len(a))
		for i, e := range a {
			str, ok := e.(string)
			if !ok {
				return d.fail(ptr+"/"+strconv.Itoa(i), "expected a string in %s, got %s", f.name, jsonTypeName(e))
			}
			s.Index(i).SetString(str)
		}
		fv.Set(s)
	case fkStructSlice, fkPtrStructSlice:
		a, ok := x.([]any)
		if !ok {
			return want("an array")
		}
		s := reflect.MakeSlice(fv.Type(), len(a), len(a))
		for i, e := range a {
			eptr := ptr + "/" + strconv.Itoa(i)
			m, ok := e.(map[string]any)
			if !ok {
				if e == nil && f.kind == fkPtrStructSlice {
					continue
				}
				return d.fail(eptr, "expected an object in %s, got %s", f.name, jsonTypeName(e))
			}
			if err := d.object(f.elem, m, setPtr(s.Index(i), f.kind == fkPtrStructSlice), eptr); err != nil {
				return err
			}
		}
		fv.Set(s)
	case fkStringMap:
		m, ok := x.(map[string]any)
		if !ok {
			return want("an object")
		}
		mv := reflect.MakeMapWithSize(fv.Type(), len(m))
		for k, e := range m {
			str, ok := e.(string)
			if !ok {
				return d.fail(ptr+"/"+escapePointerToken(k), "expected a string in %s, got %s", f.name, jsonTypeName(e))
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(fv.Type().Key()), reflect.ValueOf(str).Convert(fv.Type().Elem()))
		}
		fv.Set(mv)
	}
	return nil
}

// setPtr returns fv, or, when ptr is set, a newly allocated value that fv
// now points to.
func setPtr(fv reflect.Value, ptr bool) reflect.Value {
	if !ptr {
		return fv
	}
	n := reflect.New(fv.Type().Elem())
	fv.Set(n)
	return n.Elem()
}
