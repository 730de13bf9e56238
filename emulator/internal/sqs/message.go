package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// md5Hex returns the hex MD5 of s (MD5OfMessageBody).
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes returns MD5OfMessageAttributes as SQS computes it: the
// attributes in order of name, each as length-prefixed (4 bytes, big
// endian) name and data type, a transport byte (1 string, 2 binary) and
// the length-prefixed value. "" for no attributes.
func md5OfAttributes(attrs map[string]awsapi.MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range attrs {
			if !yield(n) {
				return
			}
		}
	})
	h := md5.New()
	var n [4]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, name := range names {
		a := attrs[name]
		put([]byte(name))
		put([]byte(a.DataType))
		if isBinary(a.DataType) {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// isBinary reports whether a data type is Binary (or Binary.custom).
func isBinary(dataType string) bool { return baseType(dataType) == "Binary" }

// baseType returns String, Number or Binary of "Type.custom".
func baseType(dataType string) string {
	if i := strings.IndexByte(dataType, '.'); i >= 0 {
		return dataType[:i]
	}
	return dataType
}

// validBody reports whether s holds only the characters SQS accepts:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validBody(s string) bool {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return false
			}
		case r == 0x9 || r == 0xA || r == 0xD:
		case r < 0x20, r > 0xD7FF && r < 0xE000, r == 0xFFFE, r == 0xFFFF:
			return false
		}
	}
	return true
}

// validAttrName is the rule of message attribute names: up to 256 of
// [A-Za-z0-9_.-], no leading or trailing '.', no "..", not starting
// with AWS. or Amazon. (any case).
func validAttrName(name string) bool {
	if name == "" || len(name) > 256 || name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return false
	}
	l := strings.ToLower(name)
	if strings.HasPrefix(l, "aws.") || strings.HasPrefix(l, "amazon.") {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// convertAttrs checks message attributes as SQS does and returns them in
// the shared form with their size in bytes (names, types and values).
func convertAttrs(in map[string]attrValue) (map[string]awsapi.MessageAttribute, int, error) {
	if len(in) == 0 {
		return nil, 0, nil
	}
	if len(in) > maxMessageAttrs {
		return nil, 0, errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [%d].", len(in), maxMessageAttrs)
	}
	out := make(map[string]awsapi.MessageAttribute, len(in))
	size := 0
	for name, v := range in {
		if !validAttrName(name) {
			return nil, 0, errInvalidParameterValue("Message attribute name '%s' is invalid.", name)
		}
		if v.DataType == "" {
			return nil, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", name)
		}
		a := awsapi.MessageAttribute{DataType: v.DataType}
		switch baseType(v.DataType) {
		case "String", "Number":
			if v.StringValue == nil || *v.StringValue == "" {
				return nil, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, baseType(v.DataType))
			}
			if !validBody(*v.StringValue) {
				return nil, 0, errInvalidParameterValue("The message attribute '%s' contains invalid characters.", name)
			}
			if baseType(v.DataType) == "Number" {
				if _, err := strconv.ParseFloat(*v.StringValue, 64); err != nil {
					return nil, 0, errInvalidParameterValue("Can't cast the value of message (user) attribute '%s' to a number.", name)
				}
			}
			a.StringValue = *v.StringValue
			size += len(a.StringValue)
		case "Binary":
			if len(v.BinaryValue) == 0 {
				return nil, 0, errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			a.BinaryValue = v.BinaryValue
			size += len(a.BinaryValue)
		default:
			return nil, 0, errInvalidParameterValue("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
		if len(v.DataType) > 256 {
			return nil, 0, errInvalidParameterValue("Message attribute type of '%s' is too long.", name)
		}
		size += len(name) + len(v.DataType)
		out[name] = a
	}
	return out, size, nil
}

// convertSystemAttrs checks the system attributes of a send: only
// AWSTraceHeader, a String.
func convertSystemAttrs(in map[string]attrValue) (map[string]awsapi.MessageAttribute, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := map[string]awsapi.MessageAttribute{}
	for name, v := range in {
		if name != "AWSTraceHeader" {
			return nil, errInvalidParameterValue("Message system attribute name '%s' is invalid.", name)
		}
		if v.DataType != "String" || v.StringValue == nil || *v.StringValue == "" {
			return nil, errInvalidParameterValue("The message system attribute '%s' must contain a non-empty String value.", name)
		}
		out[name] = awsapi.MessageAttribute{DataType: "String", StringValue: *v.StringValue}
	}
	return out, nil
}

// wireAttrs returns attributes in the wire form.
func wireAttrs(attrs map[string]awsapi.MessageAttribute) map[string]attrValue {
	out := make(map[string]attrValue, len(attrs))
	for n, a := range attrs {
		v := attrValue{DataType: a.DataType}
		if isBinary(a.DataType) {
			v.BinaryValue = a.BinaryValue
		} else {
			s := a.StringValue
			v.StringValue = &s
		}
		out[n] = v
	}
	return out
}

// selectAttrs returns the attributes named by MessageAttributeNames
// ("All", ".*", names, and prefixes "name.*").
func selectAttrs(attrs map[string]awsapi.MessageAttribute, names []string) map[string]awsapi.MessageAttribute {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]awsapi.MessageAttribute{}
	for _, want := range names {
		switch {
		case want == "All" || want == ".*":
			return attrs
		case strings.HasSuffix(want, ".*"):
			p := strings.TrimSuffix(want, "*")
			for n, a := range attrs {
				if strings.HasPrefix(n, p) {
					out[n] = a
				}
			}
		default:
			if a, ok := attrs[want]; ok {
				out[want] = a
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
