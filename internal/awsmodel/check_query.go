package awsmodel

import "strings"

// ResultWrapper returns the name of the element that wraps the output of
// operation op in a query-protocol answer: the resultWrapper of its output
// reference, or, when the model gives none (a service whose model moved
// to a JSON protocol but still answers the query protocol, as SQS does),
// the name the query protocol has always used, "<Op>Result"; derived
// reports the second case. An operation without output has no wrapper
// ("", false).
func ResultWrapper(op *Operation) (name string, derived bool) {
	if op == nil || op.Output == nil {
		return "", false
	}
	if op.Output.ResultWrapper != "" {
		return op.Output.ResultWrapper, false
	}
	return op.Name + "Result", true
}

// CheckQuery checks a query-protocol (awsQuery) answer of the operation
// named opName:
//
//	<OpResponse xmlns="…">
//	  <OpResult>…the output shape's members…</OpResult>
//	  <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata>
//	</OpResponse>
//
// The result element (see ResultWrapper) is required when the operation has
// an output, even an empty one (botocore looks it up by name and fails
// without it), and unexpected when it has none. Its members are checked as
// CheckXML checks a body: lists are wrapped in <member> elements unless
// flattened, maps in <entry><key/><value/></entry> (both named by the
// model's locationNames where it gives them). Where the model's metadata
// names an XML namespace, the root element must declare it.
func CheckQuery(m *Model, opName string, body []byte) []Problem {
	c := newChecker(m, TimestampISO8601)
	op := m.Operations[opName]
	if op == nil {
		c.add("", Malformed, "the model has no operation %q", opName)
		return c.probs
	}
	var out *Shape
	if op.Output != nil {
		if out = c.root(op.Output.Shape); out == nil {
			return c.probs
		}
	}
	root, err := parseXML(body)
	if err != nil {
		c.add("", Malformed, "not XML: %v", err)
		return c.probs
	}
	if want := opName + "Response"; root.name != want {
		c.add("", WrongType, "root element is <%s>, want <%s>", root.name, want)
	}
	c.namespace(root)
	wrapper, _ := ResultWrapper(op)
	var result, meta *xnode
	for _, k := range root.kids {
		switch {
		case k.name == "ResponseMetadata" && meta == nil:
			meta = k
		case k.name == wrapper && wrapper != "" && result == nil:
			result = k
		case k.name == "ResponseMetadata" || k.name == wrapper:
			c.add(k.name, WrongType, "element <%s> repeated", k.name)
		default:
			c.add(k.name, UnknownMember, "element <%s> is not part of a %sResponse", k.name, opName)
		}
	}
	if wrapper != "" {
		if result == nil {
			c.add(wrapper, MissingRequired, "the result element <%s> is missing", wrapper)
		} else {
			c.xml(nil, out, result, "")
		}
	}
	c.requestID(meta, "ResponseMetadata.RequestId")
	return c.probs
}

// namespace checks the root's xmlns against the model's.
func (c *checker) namespace(root *xnode) {
	want := c.m.Metadata.XMLNamespace
	if want == "" {
		return
	}
	for _, a := range root.attrs {
		if a.Name.Space == "" && a.Name.Local == "xmlns" {
			if a.Value != want {
				c.add("", WrongType, "namespace %q, want %q", a.Value, want)
			}
			return
		}
	}
	c.add("", MissingRequired, "the root element declares no namespace, want %q", want)
}

// requestID checks that parent holds exactly one non-empty <RequestId>
// and nothing else.
func (c *checker) requestID(parent *xnode, path string) {
	parentPath, _, _ := strings.Cut(path, ".")
	if parent == nil {
		c.add(parentPath, MissingRequired, "element <%s> is missing", parentPath)
		return
	}
	n := 0
	for _, k := range parent.kids {
		if k.name != "RequestId" {
			c.add(join(parentPath, k.name), UnknownMember, "element <%s> in <%s>", k.name, parent.name)
			continue
		}
		if n++; n == 1 && strings.TrimSpace(k.text.String()) == "" {
			c.add(path, MissingRequired, "<RequestId> is empty")
		}
	}
	switch {
	case n == 0:
		c.add(path, MissingRequired, "element <RequestId> is missing")
	case n > 1:
		c.add(path, WrongType, "element <RequestId> repeated %d times", n)
	}
}

// CheckQueryError checks a query-protocol error answer:
//
//	<ErrorResponse xmlns="…">
//	  <Error><Type>Sender|Receiver</Type><Code>…</Code><Message>…</Message><Detail/></Error>
//	  <RequestId>…</RequestId>
//	</ErrorResponse>
//
// (Detail optional, Message required by this check as every AWS error has
// one), and returns the error code with the problems found. m gives the
// namespace to expect (nil: any).
func CheckQueryError(m *Model, body []byte) (code string, probs []Problem) {
	if m == nil {
		m = &Model{}
	}
	c := newChecker(m, TimestampISO8601)
	root, err := parseXML(body)
	if err != nil {
		c.add("", Malformed, "not XML: %v", err)
		return "", c.probs
	}
	if root.name != "ErrorResponse" {
		c.add("", WrongType, "root element is <%s>, want <ErrorResponse>", root.name)
	}
	c.namespace(root)
	var errNode *xnode
	var ids []*xnode
	for _, k := range root.kids {
		switch {
		case k.name == "Error" && errNode == nil:
			errNode = k
		case k.name == "RequestId":
			ids = append(ids, k)
		default:
			c.add(k.name, UnknownMember, "element <%s> in <ErrorResponse>", k.name)
		}
	}
	c.requestID(&xnode{name: "ErrorResponse", kids: ids}, "RequestId")
	if errNode == nil {
		c.add("Error", MissingRequired, "element <Error> is missing")
		return "", c.probs
	}
	seen := map[string]string{}
	for _, k := range errNode.kids {
		switch k.name {
		case "Type", "Code", "Message", "Detail":
			if _, dup := seen[k.name]; dup {
				c.add(join("Error", k.name), WrongType, "element <%s> repeated", k.name)
			}
			if len(k.kids) > 0 && k.name != "Detail" {
				c.add(join("Error", k.name), WrongType, "want text, got element <%s>", k.kids[0].name)
			}
			seen[k.name] = strings.TrimSpace(k.text.String())
		default:
			c.add(join("Error", k.name), UnknownMember, "element <%s> in <Error>", k.name)
		}
	}
	for _, name := range []string{"Type", "Code", "Message"} {
		if seen[name] == "" {
			c.add(join("Error", name), MissingRequired, "element <%s> is missing or empty", name)
		}
	}
	if t, ok := seen["Type"]; ok && t != "" && t != "Sender" && t != "Receiver" {
		c.add("Error.Type", BadEnum, "%q is not one of Sender, Receiver", t)
	}
	return seen["Code"], c.probs
}
