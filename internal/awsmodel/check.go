package awsmodel

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Kind classifies a Problem.
type Kind int

// Kinds of Problem.
const (
	// Malformed: the body does not parse (not JSON, not XML), or the shape
	// to check against is not in the model.
	Malformed Kind = iota + 1
	// MissingRequired: a required member is absent (or JSON null).
	MissingRequired
	// WrongType: a value has the wrong JSON type or XML form, or a scalar
	// does not parse as its type (integer, boolean, timestamp, base64).
	WrongType
	// BadEnum: a string is not one of its shape's enum values.
	BadEnum
	// UnknownMember: the body has a member the model does not know. Newer
	// service versions add members, so callers may choose to accept these.
	UnknownMember
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Malformed:
		return "malformed"
	case MissingRequired:
		return "missing required member"
	case WrongType:
		return "wrong type"
	case BadEnum:
		return "value outside enum"
	case UnknownMember:
		return "unknown member"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Problem is one disagreement between a body and the model.
type Problem struct {
	// Path locates the value: member names joined by dots from the checked
	// shape, list elements as [i] (from 0), map entries as [key], such as
	// DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.BufferingHints;
	// "" is the whole body.
	Path    string
	Kind    Kind
	Message string
}

// String returns "path: message" ("(body)" for the empty path).
func (p Problem) String() string {
	path := p.Path
	if path == "" {
		path = "(body)"
	}
	return path + ": " + p.Message
}

// checker collects the problems of one body.
type checker struct {
	m *Model
	// timestamps is the protocol's default timestamp format.
	timestamps string
	probs      []Problem
}

func newChecker(m *Model, defaultTimestamps string) *checker {
	return &checker{m: m, timestamps: defaultTimestamps}
}

func (c *checker) add(path string, k Kind, format string, args ...any) {
	c.probs = append(c.probs, Problem{Path: path, Kind: k, Message: fmt.Sprintf(format, args...)})
}

// root returns the shape named name, or records a Malformed problem.
func (c *checker) root(name string) *Shape {
	s := c.m.Shapes[name]
	if s == nil {
		c.add("", Malformed, "the model has no shape %q", name)
	}
	return s
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func key(path, k string) string { return path + "[" + k + "]" }

// timestampFormat returns the format of a timestamp reached through ref.
func (c *checker) timestampFormat(ref *ShapeRef, s *Shape) string {
	switch {
	case ref != nil && ref.TimestampFormat != "":
		return ref.TimestampFormat
	case s.TimestampFormat != "":
		return s.TimestampFormat
	}
	return c.timestamps
}

// text checks a scalar given as text (a JSON string or XML character data)
// against shape s. Shapes whose JSON form is not a string (numbers,
// booleans, unix timestamps) are checked here only for XML.
func (c *checker) text(ref *ShapeRef, s *Shape, v, path string) {
	bad := func(what string) { c.add(path, WrongType, "%q is not %s", v, what) }
	switch s.Type {
	case TypeString:
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
			c.add(path, BadEnum, "%q is not one of %s", v, strings.Join(s.Enum, ", "))
		}
	case TypeBlob:
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			bad("base64")
		}
	case TypeBoolean:
		if v != "true" && v != "false" {
			bad("a boolean (true or false)")
		}
	case TypeInteger, TypeLong:
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			bad("an integer")
		}
	case TypeFloat, TypeDouble:
		if !isFloat(v) {
			bad("a number")
		}
	case TypeTimestamp:
		switch f := c.timestampFormat(ref, s); f {
		case TimestampUnix:
			if !isFloat(v) {
				bad("epoch seconds")
			}
		case TimestampRFC822:
			if _, err := time.Parse(time.RFC1123, v); err != nil {
				bad("an RFC 822 timestamp")
			}
		default:
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				bad("an ISO 8601 timestamp")
			}
		}
	}
}

// isFloat reports whether v is a decimal number or one of the special
// values AWS sends for doubles.
func isFloat(v string) bool {
	switch v {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

// bodyMembers returns the members of structure s that travel in the body.
func bodyMembers(s *Shape) []*Member {
	var out []*Member
	for i := range s.Members {
		if s.Members[i].Location == "" {
			out = append(out, &s.Members[i])
		}
	}
	return out
}
