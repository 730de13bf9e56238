package awsmodel

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// CheckXML checks a REST-XML response body (S3) against the shape named
// shapeName, typically an operation's output, and returns the problems
// found, nil if none.
//
// The root element's name is checked only where the model gives one: the
// shape's locationName or, for an output whose payload member is a
// structure, that member's name (a raw string or blob payload is not XML
// and gives a Malformed problem). Output shapes such as ListObjectsV2Output have none, while
// S3 names the root ListBucketResult. Members are elements named by
// their locationName or member name; lists are wrapped (elements named by
// the list member's locationName, default "member") unless flattened, when
// each element repeats the list member's locationName or else the member's
// name; maps are entry/key/value.
// Timestamps are ISO 8601 unless a timestampFormat says otherwise, booleans
// true or false, integers decimal, blobs base64. Problem kinds are those of
// CheckJSON; members bound to headers, the URI or the status code are not
// expected in the body.
func CheckXML(m *Model, shapeName string, body []byte) []Problem {
	c := newChecker(m, TimestampISO8601)
	s := c.root(shapeName)
	if s == nil {
		return c.probs
	}
	var ref *ShapeRef
	want := s.LocationName
	if s.Payload != "" {
		pm := s.MemberNamed(s.Payload)
		if pm == nil {
			c.add("", Malformed, "shape %s has no payload member %s", s.Name, s.Payload)
			return c.probs
		}
		ref, s = &pm.ShapeRef, c.m.Shapes[pm.Shape]
		if s.Type != TypeStructure {
			c.add("", Malformed, "the payload of shape %s is a raw %s, not XML", shapeName, s.Type)
			return c.probs
		}
		want = nameOr(pm.LocationName, nameOr(s.LocationName, pm.Name))
	}
	root, err := parseXML(body)
	if err != nil {
		c.add("", Malformed, "not XML: %v", err)
		return c.probs
	}
	if want != "" && root.name != want {
		c.add("", WrongType, "root element is <%s>, want <%s>", root.name, want)
	}
	c.xml(ref, s, root, "")
	return c.probs
}

// xnode is an XML element.
type xnode struct {
	name  string // local name
	attrs []xml.Attr
	kids  []*xnode
	text  strings.Builder
}

// parseXML reads the document's root element.
func parseXML(body []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name.Local, attrs: t.Attr}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, n)
			} else if root != nil {
				return nil, errors.New("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

func nameOr(name, def string) string {
	if name != "" {
		return name
	}
	return def
}

// xml checks element n reached through ref (nil at the root) against s.
func (c *checker) xml(ref *ShapeRef, s *Shape, n *xnode, path string) {
	switch s.Type {
	case TypeStructure:
		c.xmlStruct(s, n, path)
	case TypeList:
		elem := nameOr(s.Member.LocationName, "member")
		i := 0
		for _, k := range n.kids {
			if k.name != elem {
				c.add(join(path, k.name), UnknownMember, "element <%s> in a list of <%s>", k.name, elem)
				continue
			}
			c.xml(s.Member, c.m.Shapes[s.Member.Shape], k, index(path, i))
			i++
		}
	case TypeMap:
		for _, k := range n.kids {
			if k.name != "entry" {
				c.add(join(path, k.name), UnknownMember, "element <%s> in a map, want <entry>", k.name)
				continue
			}
			c.xmlEntry(s, k, path)
		}
	default:
		if len(n.kids) > 0 {
			c.add(path, WrongType, "want text, got element <%s>", n.kids[0].name)
			return
		}
		c.text(ref, s, n.text.String(), path)
	}
}

// xmlEntry checks one map entry: key and value elements.
func (c *checker) xmlEntry(s *Shape, n *xnode, path string) {
	kn, vn := nameOr(s.Key.LocationName, "key"), nameOr(s.Value.LocationName, "value")
	var k, v *xnode
	for _, x := range n.kids {
		switch x.name {
		case kn:
			k = x
		case vn:
			v = x
		default:
			c.add(join(path, x.name), UnknownMember, "element <%s> in a map entry", x.name)
		}
	}
	if k == nil {
		c.add(path, MissingRequired, "map entry without <%s>", kn)
		return
	}
	p := key(path, k.text.String())
	c.xml(s.Key, c.m.Shapes[s.Key.Shape], k, p)
	if v == nil {
		c.add(p, MissingRequired, "map entry without <%s>", vn)
		return
	}
	c.xml(s.Value, c.m.Shapes[s.Value.Shape], v, p)
}

func (c *checker) xmlStruct(s *Shape, n *xnode, path string) {
	used := make([]bool, len(n.kids))
	for _, mb := range bodyMembers(s) {
		name := nameOr(mb.LocationName, mb.Name)
		ms := c.m.Shapes[mb.Shape]
		if ms.Type == TypeList && (mb.Flattened || ms.Flattened) && ms.Member.LocationName != "" {
			// A flattened list repeats its member's name, as botocore
			// reads it (the query protocol's SQS: <QueueUrl>…).
			name = ms.Member.LocationName
		}
		p := join(path, name)
		if mb.XMLAttribute {
			c.xmlAttr(s, mb, ms, n, p)
			continue
		}
		var found []*xnode
		for i, k := range n.kids {
			if k.name == name {
				found = append(found, k)
				used[i] = true
			}
		}
		flat := (ms.Type == TypeList || ms.Type == TypeMap) && (mb.Flattened || ms.Flattened)
		if len(found) == 0 {
			// An empty flattened list or map has no element at all: a
			// required one may be empty.
			if s.IsRequired(mb.Name) && !flat {
				c.add(p, MissingRequired, "required element <%s> is missing", name)
			}
			continue
		}
		if flat {
			for i, k := range found {
				if ms.Type == TypeMap {
					c.xmlEntry(ms, k, p)
				} else {
					c.xml(ms.Member, c.m.Shapes[ms.Member.Shape], k, index(p, i))
				}
			}
			continue
		}
		if len(found) > 1 {
			c.add(p, WrongType, "element <%s> repeated %d times", name, len(found))
		}
		c.xml(&mb.ShapeRef, ms, found[0], p)
	}
	for i, k := range n.kids {
		if !used[i] {
			c.add(join(path, k.name), UnknownMember, "element <%s> is not a member of shape %s", k.name, s.Name)
		}
	}
}

// xmlAttr checks a member serialized as an attribute ("xsi:type").
func (c *checker) xmlAttr(s *Shape, mb *Member, ms *Shape, n *xnode, path string) {
	local := mb.LocationName
	if _, after, ok := strings.Cut(local, ":"); ok {
		local = after
	}
	for _, a := range n.attrs {
		if a.Name.Local == nameOr(local, mb.Name) {
			c.text(&mb.ShapeRef, ms, a.Value, path)
			return
		}
	}
	if s.IsRequired(mb.Name) {
		c.add(path, MissingRequired, "required attribute %s is missing", nameOr(mb.LocationName, mb.Name))
	}
}
