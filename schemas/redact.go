package schemas

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Redaction says how CloudTrail shows a sensitive Firehose request member.
type Redaction uint8

// The redactions of FirehoseSensitiveMembers.
const (
	// RedactNone shows the member in clear.
	RedactNone Redaction = iota
	// RedactEmpty shows the member as "" (Redshift credentials; the
	// Firehose guide says both are blanked to empty strings).
	RedactEmpty
	// RedactPlaceholder shows the member as Renderer.Placeholder
	// (default HIDDEN_DUE_TO_SECURITY_REASONS; AWS's value is unverified).
	RedactPlaceholder
	// RedactHECToken is RedactPlaceholder unless Renderer.ShowHECToken is
	// set: the model does not mark Splunk's HECToken sensitive, so AWS may
	// log it in clear (unverified).
	RedactHECToken
)

// String returns the name of the redaction.
func (r Redaction) String() string {
	switch r {
	case RedactNone:
		return "none"
	case RedactEmpty:
		return "empty"
	case RedactPlaceholder:
		return "placeholder"
	case RedactHECToken:
		return "hec-token"
	}
	return "Redaction(" + strconv.Itoa(int(r)) + ")"
}

// SensitiveMember is a request member of the Firehose API that CloudTrail
// does not show in clear.
type SensitiveMember struct {
	// Shape is the model name of the structure (= the aws-sdk-go-v2 type
	// name), Member the model name of the member (= the Go field name).
	Shape, Member string
	// Redaction is the value CloudTrail shows instead.
	Redaction Redaction
	// ModelSensitive reports whether the Firehose API model marks the
	// member's shape @sensitive.
	ModelSensitive bool
}

// FirehoseSensitiveMembers returns THE table of sensitive Firehose request
// members, the one every redaction path of firetrail
// uses: the renderer, RedactFirehoseRequestParameters,
// FindUnredactedSecrets and the generated JSON Schemas. A test checks that
// every member the SDK's model marks sensitive is in it. The result is a
// fresh slice.
func FirehoseSensitiveMembers() []SensitiveMember {
	return []SensitiveMember{
		// Redshift: blanked to "" (doc).
		{"RedshiftDestinationConfiguration", "Username", RedactEmpty, true},
		{"RedshiftDestinationConfiguration", "Password", RedactEmpty, true},
		{"RedshiftDestinationUpdate", "Username", RedactEmpty, true},
		{"RedshiftDestinationUpdate", "Password", RedactEmpty, true},
		// HTTP endpoint (unverified value).
		{"HttpEndpointConfiguration", "Url", RedactPlaceholder, true},
		{"HttpEndpointConfiguration", "AccessKey", RedactPlaceholder, true},
		{"HttpEndpointCommonAttribute", "AttributeName", RedactPlaceholder, true},
		{"HttpEndpointCommonAttribute", "AttributeValue", RedactPlaceholder, true},
		// Snowflake (unverified value).
		{"SnowflakeDestinationConfiguration", "AccountUrl", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "PrivateKey", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "KeyPassphrase", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "User", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "Database", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "Schema", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "Table", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "MetaDataColumnName", RedactPlaceholder, true},
		{"SnowflakeDestinationConfiguration", "ContentColumnName", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "AccountUrl", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "PrivateKey", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "KeyPassphrase", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "User", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "Database", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "Schema", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "Table", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "MetaDataColumnName", RedactPlaceholder, true},
		{"SnowflakeDestinationUpdate", "ContentColumnName", RedactPlaceholder, true},
		{"SnowflakeRoleConfiguration", "SnowflakeRole", RedactPlaceholder, true},
		{"SnowflakeVpcConfiguration", "PrivateLinkVpceId", RedactPlaceholder, true},
		// Splunk: not sensitive in the model; redacted by default.
		{"SplunkDestinationConfiguration", "HECToken", RedactHECToken, false},
		{"SplunkDestinationUpdate", "HECToken", RedactHECToken, false},
	}
}

// secretNode is a member of rendered requestParameters on the way to a
// sensitive member. A node applies to the member's value and, when that
// value is an array, to each of its elements.
type secretNode struct {
	redact  Redaction              // the member itself is sensitive
	members map[string]*secretNode // rendered member name → node
}

// secretTree returns the tree of the sensitive members under p, or nil when
// there are none. seen guards against recursive shapes.
func secretTree(p *fhStruct, seen map[*fhStruct]bool) *secretNode {
	if seen[p] {
		return nil
	}
	seen[p] = true
	defer delete(seen, p)
	var n *secretNode
	for i := range p.fields {
		f := &p.fields[i]
		var child *secretNode
		switch {
		case f.redact != RedactNone:
			child = &secretNode{redact: f.redact}
		case f.elem != nil:
			child = secretTree(f.elem, seen)
		}
		if child == nil {
			continue
		}
		if n == nil {
			n = &secretNode{members: make(map[string]*secretNode)}
		}
		n.members[lowerFirst(f.name)] = child
	}
	return n
}

// RedactRequestParameters is RedactFirehoseRequestParameters with r's settings.
func (r Renderer) RedactRequestParameters(eventName string, rp json.RawMessage) json.RawMessage {
	if !json.Valid(rp) {
		return nil
	}
	w := jsonRedactor{r: &r, src: rp, dst: make([]byte, 0, len(rp))}
	w.skipSpace()
	if bytes.HasPrefix(rp[w.pos:], []byte("null")) {
		return nil
	}
	var tree *secretNode
	if op := firehoseModel().byName[eventName]; op != nil {
		tree = op.secrets
	}
	w.value(tree)
	return w.dst
}

// FindUnredactedSecrets is the package function FindUnredactedSecrets with
// r's settings (the placeholder and ShowHECToken).
func (r Renderer) FindUnredactedSecrets(eventName string, requestParameters []byte) []string {
	op := firehoseModel().byName[eventName]
	if op == nil || op.secrets == nil {
		return nil // no sensitive members: nothing to check
	}
	if !json.Valid(requestParameters) {
		return []string{""}
	}
	w := jsonRedactor{r: &r, src: requestParameters, find: true}
	w.value(op.secrets)
	return w.found
}

// jsonRedactor walks one valid JSON value along a secret tree. In redact
// mode it copies the value compactly to dst, replacing sensitive values; in
// find mode it records the pointers of sensitive values that are not
// redacted.
type jsonRedactor struct {
	r     *Renderer
	src   []byte
	pos   int
	dst   []byte
	find  bool
	path  []string // escaped pointer tokens of the current value
	found []string
}

func (w *jsonRedactor) skipSpace() {
	for w.pos < len(w.src) {
		switch w.src[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// value handles the value at pos, which n describes (nil: nothing sensitive
// below).
func (w *jsonRedactor) value(n *secretNode) {
	w.skipSpace()
	start := w.pos
	if n == nil || n.members == nil {
		w.skipValue()
		if !w.find {
			w.dst = appendCompact(w.dst, w.src[start:w.pos])
		}
		return
	}
	switch w.src[w.pos] {
	case '{':
		w.object(n)
	case '[':
		w.array(n)
	default:
		w.skipValue()
		if !w.find {
			w.dst = append(w.dst, w.src[start:w.pos]...)
		}
	}
}

func (w *jsonRedactor) object(n *secretNode) {
	w.pos++ // {
	if !w.find {
		w.dst = append(w.dst, '{')
	}
	for first := true; ; first = false {
		w.skipSpace()
		if w.src[w.pos] == '}' {
			w.pos++
			break
		}
		if w.src[w.pos] == ',' {
			w.pos++
			w.skipSpace()
		}
		ks := w.pos
		w.skipString()
		rawKey := w.src[ks:w.pos]
		w.skipSpace()
		w.pos++ // :
		if !w.find {
			if !first {
				w.dst = append(w.dst, ',')
			}
			w.dst = append(w.dst, rawKey...)
			w.dst = append(w.dst, ':')
		}
		var child *secretNode
		if bytes.IndexByte(rawKey, '\\') < 0 {
			child = n.members[string(rawKey[1:len(rawKey)-1])]
		} else {
			child = n.members[decodeKey(rawKey)]
		}
		if w.find {
			w.path = append(w.path, escapePointerToken(decodeKey(rawKey)))
		}
		if child != nil && child.redact != RedactNone {
			w.leaf(child.redact)
		} else {
			w.value(child)
		}
		if w.find {
			w.path = w.path[:len(w.path)-1]
		}
	}
	if !w.find {
		w.dst = append(w.dst, '}')
	}
}

func (w *jsonRedactor) array(n *secretNode) {
	w.pos++ // [
	if !w.find {
		w.dst = append(w.dst, '[')
	}
	for i := 0; ; i++ {
		w.skipSpace()
		if w.src[w.pos] == ']' {
			w.pos++
			break
		}
		if w.src[w.pos] == ',' {
			w.pos++
			if !w.find {
				w.dst = append(w.dst, ',')
			}
		}
		if w.find {
			w.path = append(w.path, strconv.Itoa(i))
		}
		w.value(n)
		if w.find {
			w.path = w.path[:len(w.path)-1]
		}
	}
	if !w.find {
		w.dst = append(w.dst, ']')
	}
}

// leaf handles the value of a sensitive member.
func (w *jsonRedactor) leaf(how Redaction) {
	w.skipSpace()
	start := w.pos
	w.skipValue()
	want, hide := w.r.redactedValue(how)
	if !w.find {
		if hide {
			w.dst = appendString(w.dst, want)
		} else {
			w.dst = appendCompact(w.dst, w.src[start:w.pos])
		}
		return
	}
	if !hide {
		return
	}
	var got string
	if err := json.Unmarshal(w.src[start:w.pos], &got); err != nil || got != want {
		w.found = append(w.found, "/"+strings.Join(w.path, "/"))
	}
}

// skipValue moves pos past the valid JSON value at pos.
func (w *jsonRedactor) skipValue() {
	w.skipSpace()
	switch w.src[w.pos] {
	case '"':
		w.skipString()
	case '{', '[':
		depth := 0
		for w.pos < len(w.src) {
			switch w.src[w.pos] {
			case '"':
				w.skipString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			w.pos++
			if depth == 0 {
				return
			}
		}
	default: // number, true, false, null
		for w.pos < len(w.src) {
			switch w.src[w.pos] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
			w.pos++
		}
	}
}

// skipString moves pos past the JSON string at pos.
func (w *jsonRedactor) skipString() {
	w.pos++ // opening quote
	for w.pos < len(w.src) {
		switch w.src[w.pos] {
		case '\\':
			w.pos += 2
			continue
		case '"':
			w.pos++
			return
		}
		w.pos++
	}
}

// decodeKey returns the string a raw JSON string (with quotes) holds.
func decodeKey(raw []byte) string {
	if len(raw) >= 2 && !strings.ContainsRune(string(raw), '\\') {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // raw is a valid JSON string
	return s
}

// escapePointerToken escapes a member name for a JSON pointer (RFC 6901).
func escapePointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
