// Package awsmodel reads AWS API models, the JSON files named api-2.json
// that the AWS SDKs generate their clients from (the format of botocore's
// service-2.json), and checks response bodies against their shapes.
//
// The models come from the Go module github.com/aws/aws-sdk-go, which the
// firetrail go.mod pins as a tool so that `go mod download` fetches it;
// LoadService finds a service's model there.
package awsmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// SDKModule is the Go module that carries the models, under
// models/apis/<service>/<version>/api-2.json.
const SDKModule = "github.com/aws/aws-sdk-go"

// Shape types, the values of Shape.Type.
const (
	TypeStructure = "structure"
	TypeList      = "list"
	TypeMap       = "map"
	TypeString    = "string"
	TypeBlob      = "blob"
	TypeBoolean   = "boolean"
	TypeInteger   = "integer"
	TypeLong      = "long"
	TypeFloat     = "float"
	TypeDouble    = "double"
	TypeTimestamp = "timestamp"
	TypeDocument  = "document"
)

// Timestamp formats, the values of timestampFormat.
const (
	TimestampISO8601 = "iso8601"
	TimestampRFC822  = "rfc822"
	TimestampUnix    = "unixTimestamp"
)

// Model is one service's API model.
type Model struct {
	// Version is the format version of the file ("2.0").
	Version string `json:"version"`
	// Metadata describes the service and its protocol.
	Metadata Metadata `json:"metadata"`
	// Operations maps operation names to operations.
	Operations map[string]*Operation `json:"operations"`
	// Shapes maps shape names to shapes.
	Shapes map[string]*Shape `json:"shapes"`
}

// Metadata is the metadata block of a model.
type Metadata struct {
	APIVersion       string   `json:"apiVersion"`
	EndpointPrefix   string   `json:"endpointPrefix"`
	JSONVersion      string   `json:"jsonVersion"`
	Protocol         string   `json:"protocol"`
	Protocols        []string `json:"protocols"`
	ServiceFullName  string   `json:"serviceFullName"`
	ServiceID        string   `json:"serviceId"`
	SignatureVersion string   `json:"signatureVersion"`
	TargetPrefix     string   `json:"targetPrefix"`
	UID              string   `json:"uid"`
	XMLNamespace     string   `json:"xmlNamespace"`
}

// Operation is one API operation.
type Operation struct {
	Name string `json:"name"`
	HTTP HTTP   `json:"http"`
	// Input and Output are nil for an operation without one.
	Input  *ShapeRef   `json:"input"`
	Output *ShapeRef   `json:"output"`
	Errors []*ShapeRef `json:"errors"`
}

// HTTP is the HTTP binding of an operation.
type HTTP struct {
	Method       string `json:"method"`
	RequestURI   string `json:"requestUri"`
	ResponseCode int    `json:"responseCode"`
}

// XMLNamespace is the XML namespace of a shape or member.
type XMLNamespace struct {
	Prefix string `json:"prefix"`
	URI    string `json:"uri"`
}

// ShapeRef refers to a shape: an operation's input or output, a structure
// member, or the member, key or value of a list or map. Its fields override
// or add to those of the target shape.
type ShapeRef struct {
	// Shape is the name of the target shape.
	Shape string `json:"shape"`
	// Location is where a member travels outside the body: "header",
	// "headers", "uri", "querystring" or "statusCode"; "" for the body.
	Location string `json:"location"`
	// LocationName is the wire name (header, query key, XML element).
	LocationName string `json:"locationName"`
	// Flattened marks a list or map member serialized without a wrapper
	// element (XML protocols).
	Flattened bool `json:"flattened"`
	// XMLAttribute marks a member serialized as an XML attribute.
	XMLAttribute bool          `json:"xmlAttribute"`
	XMLNamespace *XMLNamespace `json:"xmlNamespace"`
	// TimestampFormat overrides the shape's and the protocol's format.
	TimestampFormat string `json:"timestampFormat"`
	// ResultWrapper names the wrapper element of a query-protocol output.
	ResultWrapper    string `json:"resultWrapper"`
	JSONValue        bool   `json:"jsonvalue"`
	Streaming        bool   `json:"streaming"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	Deprecated       bool   `json:"deprecated"`
}

// Member is a named member of a structure.
type Member struct {
	// Name is the member name of the model.
	Name string
	ShapeRef
}

// Members are a structure's members in the order of the model file.
type Members []Member

// UnmarshalJSON reads a members object keeping the file's order.
func (ms *Members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return errors.New("awsmodel: members is not a JSON object")
	}
	*ms = nil
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("awsmodel: members: %w", err)
		}
		m := Member{Name: t.(string)} // object keys are strings
		if err := dec.Decode(&m.ShapeRef); err != nil {
			return fmt.Errorf("awsmodel: member %s: %w", m.Name, err)
		}
		*ms = append(*ms, m)
	}
	return nil
}

// Shape is a named type of the model.
type Shape struct {
	// Name is the shape's key in Model.Shapes.
	Name string `json:"-"`
	// Type is one of the Type constants.
	Type string `json:"type"`
	// Members are the members of a structure, in model order.
	Members Members `json:"members"`
	// Required names the required members of a structure.
	Required []string `json:"required"`
	// Min and Max bound the length of a string, blob, list or map and the
	// value of a number; nil when the model sets no bound.
	Min *float64 `json:"min"`
	Max *float64 `json:"max"`
	// Pattern is a Java regular expression a string must match entirely.
	Pattern string `json:"pattern"`
	// Enum lists the values of an enumerated string.
	Enum []string `json:"enum"`
	// Member is the element of a list; Key and Value the entries of a map.
	Member *ShapeRef `json:"member"`
	Key    *ShapeRef `json:"key"`
	Value  *ShapeRef `json:"value"`
	// Flattened marks a list or map serialized without wrapper (XML).
	Flattened bool `json:"flattened"`
	// LocationName is the XML element name of a structure.
	LocationName    string        `json:"locationName"`
	XMLNamespace    *XMLNamespace `json:"xmlNamespace"`
	TimestampFormat string        `json:"timestampFormat"`
	// Payload names the member that is the whole body (REST protocols).
	Payload   string `json:"payload"`
	Sensitive bool   `json:"sensitive"`
	Exception bool   `json:"exception"`
	// Error is an exception's wire binding in the query protocols (and
	// JSON protocols compatible with them); nil where the model gives
	// none.
	Error     *ErrorTrait `json:"error"`
	Fault     bool        `json:"fault"`
	Streaming bool        `json:"streaming"`
	Document  bool        `json:"document"`
	Union     bool        `json:"union"`
	Event     bool        `json:"event"`
}

// ErrorTrait is the "error" of an exception shape.
type ErrorTrait struct {
	// Code is the error code of the query protocol (<Code>).
	Code string `json:"code"`
	// HTTPStatusCode is the status of the answer.
	HTTPStatusCode int `json:"httpStatusCode"`
	// SenderFault marks a client error (<Type>Sender</Type>); false is
	// Receiver.
	SenderFault bool `json:"senderFault"`
}

// ExceptionWithCode returns the exception shape whose query-protocol
// error code is code (its error trait's code, else its name), or nil.
func (m *Model) ExceptionWithCode(code string) *Shape {
	for _, name := range slices.Sorted(maps.Keys(m.Shapes)) {
		s := m.Shapes[name]
		if !s.Exception {
			continue
		}
		if (s.Error != nil && s.Error.Code == code) || (s.Error == nil || s.Error.Code == "") && name == code {
			return s
		}
	}
	return nil
}

// IsRequired reports whether the structure's member name is required.
func (s *Shape) IsRequired(name string) bool { return slices.Contains(s.Required, name) }

// MemberNamed returns the structure's member called name, or nil.
func (s *Shape) MemberNamed(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// Parse reads a model from the bytes of an api-2.json file and checks that
// every shape reference names a shape of the model.
func Parse(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("awsmodel: %w", err)
	}
	if len(m.Shapes) == 0 {
		return nil, errors.New("awsmodel: model has no shapes")
	}
	check := func(where string, r *ShapeRef) error {
		if r != nil && m.Shapes[r.Shape] == nil {
			return fmt.Errorf("awsmodel: %s refers to unknown shape %q", where, r.Shape)
		}
		return nil
	}
	for name, s := range m.Shapes {
		if s == nil {
			return nil, fmt.Errorf("awsmodel: shape %s is null", name)
		}
		s.Name = name
		for i := range s.Members {
			if err := check("member "+name+"."+s.Members[i].Name, &s.Members[i].ShapeRef); err != nil {
				return nil, err
			}
		}
		for _, r := range []*ShapeRef{s.Member, s.Key, s.Value} {
			if err := check("shape "+name, r); err != nil {
				return nil, err
			}
		}
	}
	for name, op := range m.Operations {
		for _, r := range []*ShapeRef{op.Input, op.Output} {
			if err := check("operation "+name, r); err != nil {
				return nil, err
			}
		}
	}
	return &m, nil
}

// Load reads the model file at path.
func Load(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("awsmodel: %w", err)
	}
	m, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return m, nil
}

// LoadService reads the model of the service named name (the directory name
// under models/apis, such as "firehose" or "s3") from the pinned SDKModule;
// with several API versions it takes the newest.
func LoadService(name string) (*Model, error) {
	path, err := ServicePath(name)
	if err != nil {
		return nil, err
	}
	return Load(path)
}

// ServicePath returns the path of the api-2.json of the service named name
// in the module cache copy of SDKModule.
func ServicePath(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return "", fmt.Errorf("awsmodel: bad service name %q", name)
	}
	dir, err := ModuleDir()
	if err != nil {
		return "", err
	}
	files, err := filepath.Glob(filepath.Join(dir, "models", "apis", name, "*", "api-2.json"))
	if err != nil {
		return "", fmt.Errorf("awsmodel: %w", err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("awsmodel: no model of service %q in %s", name, dir)
	}
	slices.Sort(files) // versions are dates: the last is the newest
	return files[len(files)-1], nil
}

// ModuleDir returns the directory of SDKModule in the module cache, as the
// go command reports it for the main module of the current directory. On a
// fresh module cache (a plain `go test ./...` downloads only the modules
// that packages import, not a tool's) it downloads the module first.
func ModuleDir() (string, error) {
	dir, err := goList()
	if err == nil && dir != "" {
		return dir, nil
	}
	out, derr := exec.Command("go", "mod", "download", SDKModule).CombinedOutput()
	if derr != nil {
		return "", fmt.Errorf("awsmodel: module %s is not downloaded, and go mod download failed: %v: %s", SDKModule, derr, strings.TrimSpace(string(out)))
	}
	if dir, err = goList(); err != nil {
		return "", err
	}
	if dir == "" {
		return "", fmt.Errorf("awsmodel: module %s is not downloaded (run go mod download)", SDKModule)
	}
	return dir, nil
}

// goList asks the go command where SDKModule is ("" if not downloaded).
func goList() (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", SDKModule)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("awsmodel: go list -m %s: %w: %s", SDKModule, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}
