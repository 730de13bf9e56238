package sqs

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"maps"
	"slices"
	"strconv"
	"strings"

	"net/url"
)

// queryForm reads the query protocol's flattened parameters: lists as
// Name.1, Name.2…; maps as Name.N.Key/Name.N.Value; structures as
// Name.N.Member.
type queryForm struct{ url.Values }

// str returns a parameter, nil if absent.
func (f queryForm) str(name string) *string {
	if v, ok := f.Values[name]; ok && len(v) > 0 {
		return &v[0]
	}
	return nil
}

// int returns an integer parameter, nil if absent.
func (f queryForm) int(name string) (*int64, error) {
	v := f.str(name)
	if v == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
	if err != nil {
		return nil, errInvalidParam(name, *v, "Value must be an integer.")
	}
	return &n, nil
}

// indices returns the sorted N of every parameter prefix.N[.…].
func (f queryForm) indices(prefix string) []int {
	seen := map[int]bool{}
	p := prefix + "."
	for k := range f.Values {
		if !strings.HasPrefix(k, p) {
			continue
		}
		rest := k[len(p):]
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			rest = rest[:i]
		}
		if n, err := strconv.Atoi(rest); err == nil && n > 0 {
			seen[n] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// list returns the list prefix.1, prefix.2….
func (f queryForm) list(prefix string) []string {
	var out []string
	for _, n := range f.indices(prefix) {
		if v := f.Get(prefix + "." + strconv.Itoa(n)); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// pairs returns the map prefix.N.key → prefix.N.value.
func (f queryForm) pairs(prefix, key, value string) map[string]string {
	var out map[string]string
	for _, n := range f.indices(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		k := f.Get(p + key)
		if k == "" {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = f.Get(p + value)
	}
	return out
}

// entries returns the members of each structure prefix.N, keyed by the
// rest of their names.
func (f queryForm) entries(prefix string) []url.Values {
	var out []url.Values
	for _, n := range f.indices(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		e := url.Values{}
		for k, v := range f.Values {
			if strings.HasPrefix(k, p) {
				e[k[len(p):]] = v
			}
		}
		out = append(out, e)
	}
	return out
}

// msgAttrs returns the message attributes prefix.N.Name and
// prefix.N.Value.{DataType,StringValue,BinaryValue}.
func (f queryForm) msgAttrs(prefix string) (map[string]attrValue, error) {
	var out map[string]attrValue
	for _, n := range f.indices(prefix) {
		p := prefix + "." + strconv.Itoa(n) + "."
		name := f.Get(p + "Name")
		if name == "" {
			return nil, errInvalidParameterValue("The request must contain non-empty message attribute name.")
		}
		v := attrValue{DataType: f.Get(p + "Value.DataType"), StringValue: f.str(p + "Value.StringValue")}
		if b := f.str(p + "Value.BinaryValue"); b != nil {
			dec, err := base64.StdEncoding.DecodeString(*b)
			if err != nil {
				return nil, errInvalidParameterValue("The message attribute '%s' has an invalid binary value: it must be base64.", name)
			}
			v.BinaryValue = dec
		}
		if out == nil {
			out = map[string]attrValue{}
		}
		out[name] = v
	}
	return out, nil
}

// xmlWriter builds the inner XML of an <ActionResult>.
type xmlWriter struct {
	b    bytes.Buffer
	none bool // the action has no result element
}

func (w *xmlWriter) elem(name, value string) {
	w.b.WriteString("<" + name + ">")
	_ = xml.EscapeText(&w.b, []byte(value))
	w.b.WriteString("</" + name + ">")
}

func (w *xmlWriter) open(name string)  { w.b.WriteString("<" + name + ">") }
func (w *xmlWriter) close(name string) { w.b.WriteString("</" + name + ">") }

// nameValue writes <tag><Name>n</Name><Value>v</Value></tag> for each
// entry of m, in order of name.
func (w *xmlWriter) nameValue(tag, key, value string, m map[string]string) {
	for _, n := range slices.Sorted(maps.Keys(m)) {
		w.open(tag)
		w.elem(key, n)
		w.elem(value, m[n])
		w.close(tag)
	}
}

func (w *xmlWriter) result() []byte {
	if w.none {
		return nil
	}
	return append([]byte{}, w.b.Bytes()...)
}

func xmlNone(w *xmlWriter, _ *emptyOutput) { w.none = true }

func xmlQueueURL(w *xmlWriter, o *queueURLOutput) { w.elem("QueueUrl", o.QueueUrl) }

func xmlQueueURLs(w *xmlWriter, o *listQueuesOutput) {
	for _, u := range o.QueueUrls {
		w.elem("QueueUrl", u)
	}
	if o.NextToken != "" {
		w.elem("NextToken", o.NextToken)
	}
}

func xmlDLSources(w *xmlWriter, o *dlSourcesOutput) {
	xmlQueueURLs(w, &listQueuesOutput{QueueUrls: o.QueueUrls, NextToken: o.NextToken})
}

func xmlAttributes(w *xmlWriter, o *attributesOutput) {
	w.nameValue("Attribute", "Name", "Value", o.Attributes)
}

func xmlTags(w *xmlWriter, o *tagsOutput) { w.nameValue("Tag", "Key", "Value", o.Tags) }

func xmlSendMessage(w *xmlWriter, o *sendMessageOutput) {
	w.elem("MD5OfMessageBody", o.MD5OfMessageBody)
	if o.MD5OfMessageAttributes != "" {
		w.elem("MD5OfMessageAttributes", o.MD5OfMessageAttributes)
	}
	if o.MD5OfMessageSystemAttributes != "" {
		w.elem("MD5OfMessageSystemAttributes", o.MD5OfMessageSystemAttributes)
	}
	w.elem("MessageId", o.MessageId)
}

func (w *xmlWriter) batchErrors(failed []batchError) {
	for _, f := range failed {
		w.open("BatchResultErrorEntry")
		w.elem("Id", f.Id)
		w.elem("Code", f.Code)
		w.elem("Message", f.Message)
		w.elem("SenderFault", strconv.FormatBool(f.SenderFault))
		w.close("BatchResultErrorEntry")
	}
}

func xmlSendMessageBatch(w *xmlWriter, o *sendMessageBatchOutput) {
	for _, r := range o.Successful {
		w.open("SendMessageBatchResultEntry")
		w.elem("Id", r.Id)
		w.elem("MessageId", r.MessageId)
		w.elem("MD5OfMessageBody", r.MD5OfMessageBody)
		if r.MD5OfMessageAttributes != "" {
			w.elem("MD5OfMessageAttributes", r.MD5OfMessageAttributes)
		}
		if r.MD5OfMessageSystemAttributes != "" {
			w.elem("MD5OfMessageSystemAttributes", r.MD5OfMessageSystemAttributes)
		}
		w.close("SendMessageBatchResultEntry")
	}
	w.batchErrors(o.Failed)
}

// xmlBatch writes DeleteMessageBatch and ChangeMessageVisibilityBatch
// results, whose entries are tag.
func xmlBatch(tag string) func(*xmlWriter, *batchOutput) {
	return func(w *xmlWriter, o *batchOutput) {
		for _, r := range o.Successful {
			w.open(tag)
			w.elem("Id", r.Id)
			w.close(tag)
		}
		w.batchErrors(o.Failed)
	}
}

func xmlReceiveMessage(w *xmlWriter, o *receiveMessageOutput) {
	for _, m := range o.Messages {
		w.open("Message")
		w.elem("MessageId", m.MessageId)
		w.elem("ReceiptHandle", m.ReceiptHandle)
		w.elem("MD5OfBody", m.MD5OfBody)
		w.elem("Body", m.Body)
		w.nameValue("Attribute", "Name", "Value", m.Attributes)
		if m.MD5OfMessageAttributes != "" {
			w.elem("MD5OfMessageAttributes", m.MD5OfMessageAttributes)
		}
		for _, n := range slices.Sorted(maps.Keys(m.MessageAttributes)) {
			a := m.MessageAttributes[n]
			w.open("MessageAttribute")
			w.elem("Name", n)
			w.open("Value")
			if a.StringValue != nil {
				w.elem("StringValue", *a.StringValue)
			}
			if a.BinaryValue != nil {
				w.elem("BinaryValue", base64.StdEncoding.EncodeToString(a.BinaryValue))
			}
			w.elem("DataType", a.DataType)
			w.close("Value")
			w.close("MessageAttribute")
		}
		w.close("Message")
	}
}
