// Package firehosegen generates, from the Firehose API model as the
// aws-sdk-go-v2 service/firehose module carries it, the files of package
// schemas that describe Firehose requests: the JSON Schemas of CloudTrail
// requestParameters and responseElements of every Firehose action
// (jsonschema/firehose/<Action>.request.json and .response.json) and the
// table of model member order used by the renderer (firehose_model_gen.go).
//
// The model facts come from three places: the Go types by reflection
// (structure, member names, types, enum values via Values()), the SDK's
// generated smithy schemas source (member order of the model, which the Go
// structs do not keep: they put required members first) and the SDK's doc
// comments ("This member is required."). Sensitive members come from
// schemas.FirehoseSensitiveMembers, the one redaction table.
//
// Generate is deterministic: the same SDK version gives the same bytes.
package firehosegen

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/firetrail/firetrail/schemas"
)

// SDKModule is the module whose model is rendered.
const SDKModule = "github.com/aws/aws-sdk-go-v2/service/firehose"

// SchemaDir is the directory, relative to package schemas, of the JSON Schemas.
const SchemaDir = "jsonschema/firehose"

// ModelFile is the generated Go file, relative to package schemas.
const ModelFile = "firehose_model_gen.go"

// schemaBaseID prefixes the $id of every generated schema.
const schemaBaseID = "https://github.com/firetrail/firetrail/schemas/jsonschema/firehose/"

type operation struct {
	name          string
	input, output reflect.Type
}

func operations() []operation {
	op := func(name string, in, out any) operation {
		return operation{name, reflect.TypeOf(in), reflect.TypeOf(out)}
	}
	return []operation{
		op("CreateDeliveryStream", firehose.CreateDeliveryStreamInput{}, firehose.CreateDeliveryStreamOutput{}),
		op("DeleteDeliveryStream", firehose.DeleteDeliveryStreamInput{}, firehose.DeleteDeliveryStreamOutput{}),
		op("DescribeDeliveryStream", firehose.DescribeDeliveryStreamInput{}, firehose.DescribeDeliveryStreamOutput{}),
		op("ListDeliveryStreams", firehose.ListDeliveryStreamsInput{}, firehose.ListDeliveryStreamsOutput{}),
		op("ListTagsForDeliveryStream", firehose.ListTagsForDeliveryStreamInput{}, firehose.ListTagsForDeliveryStreamOutput{}),
		op("PutRecord", firehose.PutRecordInput{}, firehose.PutRecordOutput{}),
		op("PutRecordBatch", firehose.PutRecordBatchInput{}, firehose.PutRecordBatchOutput{}),
		op("StartDeliveryStreamEncryption", firehose.StartDeliveryStreamEncryptionInput{}, firehose.StartDeliveryStreamEncryptionOutput{}),
		op("StopDeliveryStreamEncryption", firehose.StopDeliveryStreamEncryptionInput{}, firehose.StopDeliveryStreamEncryptionOutput{}),
		op("TagDeliveryStream", firehose.TagDeliveryStreamInput{}, firehose.TagDeliveryStreamOutput{}),
		op("UntagDeliveryStream", firehose.UntagDeliveryStreamInput{}, firehose.UntagDeliveryStreamOutput{}),
		op("UpdateDestination", firehose.UpdateDestinationInput{}, firehose.UpdateDestinationOutput{}),
	}
}

// model holds the facts read from the SDK source.
type model struct {
	version  string
	order    map[string][]string        // shape → members in model order
	required map[string]map[string]bool // Go type → required fields
	redact   map[[2]string]schemas.Redaction
}

// Generate returns every generated file, keyed by its slash-separated path
// relative to the directory of package schemas. It runs `go list` to find
// the SDK source in the module cache.
func Generate() (map[string][]byte, error) {
	dir, version, err := sdkDir()
	if err != nil {
		return nil, err
	}
	m := &model{version: version, redact: make(map[[2]string]schemas.Redaction)}
	if m.order, err = parseOrder(filepath.Join(dir, "schemas", "schemas.go")); err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(dir, "api_op_*.go"))
	if err != nil {
		return nil, fmt.Errorf("list sdk operations: %w", err)
	}
	files = append(files, filepath.Join(dir, "types", "types.go"))
	if m.required, err = parseRequired(files); err != nil {
		return nil, err
	}
	for _, s := range schemas.FirehoseSensitiveMembers() {
		m.redact[[2]string{s.Shape, s.Member}] = s.Redaction
	}

	ops := operations()
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.name
	}
	if !slices.Equal(names, schemas.FirehoseActions) {
		return nil, fmt.Errorf("operations %q differ from schemas.FirehoseActions %q", names, schemas.FirehoseActions)
	}
	out := make(map[string][]byte)
	shapes := make(map[string]reflect.Type)
	for _, op := range ops {
		g := &schemaGen{m: m, defs: make(map[string]*obj)}
		req, err := g.request(op)
		if err != nil {
			return nil, err
		}
		out[SchemaDir+"/"+op.name+".request.json"] = req
		out[SchemaDir+"/"+op.name+".response.json"] = response(op)
		for name, t := range g.types {
			shapes[name] = t
		}
		for _, t := range []reflect.Type{op.input, op.output} {
			shapes[t.Name()] = t
		}
	}
	src, err := m.goFile(shapes)
	if err != nil {
		return nil, err
	}
	out[ModelFile] = src
	return out, nil
}

func sdkDir() (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}\n{{.Version}}", SDKModule)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list %s: %w: %s", SDKModule, err, strings.TrimSpace(stderr.String()))
	}
	dir, version, _ = strings.Cut(strings.TrimSpace(string(b)), "\n")
	if dir == "" {
		return "", "", fmt.Errorf("go list %s: module source not downloaded", SDKModule)
	}
	return dir, version, nil
}

var addMember = regexp.MustCompile(`^\s*\w+ = (\w+)\.AddMember\("([^"]+)",`)

// parseOrder reads the model member order of every shape from the SDK's
// smithy schemas source, whose init adds members in model order.
func parseOrder(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read model order: %w", err)
	}
	defer f.Close()
	order := make(map[string][]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := addMember.FindSubmatch(sc.Bytes()); m != nil {
			shape := string(m[1])
			order[shape] = append(order[shape], string(m[2]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read model order %s: %w", path, err)
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("read model order %s: no AddMember calls found", path)
	}
	return order, nil
}

// parseRequired reads which struct fields the SDK documents as required.
func parseRequired(files []string) (map[string]map[string]bool, error) {
	req := make(map[string]map[string]bool)
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse sdk source: %w", err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return false
			}
			for _, fld := range st.Fields.List {
				if !strings.Contains(fld.Doc.Text(), "This member is required.") {
					continue
				}
				for _, id := range fld.Names {
					if req[ts.Name.Name] == nil {
						req[ts.Name.Name] = make(map[string]bool)
					}
					req[ts.Name.Name][id.Name] = true
				}
			}
			return false
		})
	}
	return req, nil
}

// member is one exported, rendered field of a struct, in model order.
type member struct {
	field reflect.StructField
	name  string // model name = Go name
}

// members returns the members of struct t in model order.
func (m *model) members(t reflect.Type) ([]member, error) {
	order := m.order[t.Name()] // nil for shapes without members
	var ms []member
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Anonymous || f.Name == "ResultMetadata" {
			continue
		}
		if !slices.Contains(order, f.Name) {
			return nil, fmt.Errorf("shape %s: Go field %s is not a member of the model shape", t.Name(), f.Name)
		}
		ms = append(ms, member{field: f, name: f.Name})
	}
	slices.SortStableFunc(ms, func(a, b member) int {
		return slices.Index(order, a.name) - slices.Index(order, b.name)
	})
	return ms, nil
}

// goFile renders the model order table of the shapes.
func (m *model) goFile(shapes map[string]reflect.Type) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by firehosegen from %s %s; DO NOT EDIT.\n\n", SDKModule, m.version)
	b.WriteString("package schemas\n\n")
	b.WriteString("// firehoseMemberOrder returns the members of the Firehose API shape named\n")
	b.WriteString("// shape (the aws-sdk-go-v2 type name) in the order of the API model, or nil\n")
	b.WriteString("// for a shape it does not know. The Go structs put required members first.\n")
	b.WriteString("func firehoseMemberOrder(shape string) []string {\n\tswitch shape {\n")
	for _, name := range slices.Sorted(mapsKeys(shapes)) {
		ms, err := m.members(shapes[name])
		if err != nil {
			return nil, err
		}
		names := make([]string, len(ms))
		for i, mb := range ms {
			names[i] = fmt.Sprintf("%q", mb.name)
		}
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn []string{%s}\n", name, strings.Join(names, ", "))
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format %s: %w", ModelFile, err)
	}
	return src, nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// obj is a JSON object that keeps its key order.
type obj struct {
	keys []string
	vals []any
}

func (o *obj) set(k string, v any) *obj {
	if i := slices.Index(o.keys, k); i >= 0 {
		o.vals[i] = v
		return o
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// MarshalJSON writes the members in insertion order.
func (o *obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func pretty(o *obj) []byte {
	b, err := marshal(o)
	if err != nil {
		panic(err) // obj holds only strings, bools, slices and objs
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		panic(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// schemaGen builds the JSON Schema of one request.
type schemaGen struct {
	m     *model
	defs  map[string]*obj
	types map[string]reflect.Type
}

var timeType = reflect.TypeFor[time.Time]()

func (g *schemaGen) request(op operation) ([]byte, error) {
	g.types = make(map[string]reflect.Type)
	root, err := g.object(op.input)
	if err != nil {
		return nil, err
	}
	s := &obj{}
	s.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	s.set("$id", schemaBaseID+op.name+".request.json")
	s.set("title", "Firehose "+op.name+" requestParameters")
	desc := "CloudTrail requestParameters of the Amazon Data Firehose " + op.name +
		" call: the request with member names lower-cased at the first character only, as CloudTrail writes them," +
		" in model member order, sensitive members redacted. Unknown members are allowed, for members AWS adds later." +
		" Records of failed calls may lack required members."
	if op.name == "PutRecord" || op.name == "PutRecordBatch" {
		desc += " Record data is never rendered: data events carry no record bytes."
	}
	s.set("description", desc)
	if len(g.m.required[op.input.Name()]) == 0 {
		s.set("type", []string{"object", "null"})
		desc += " A request without parameters is null."
		s.set("description", desc)
	} else {
		s.set("type", "object")
	}
	for i, k := range root.keys {
		if k != "type" {
			s.set(k, root.vals[i])
		}
	}
	if len(g.defs) > 0 {
		defs := &obj{}
		for _, name := range slices.Sorted(mapsKeys(g.defs)) {
			defs.set(name, g.defs[name])
		}
		s.set("$defs", defs)
	}
	return pretty(s), nil
}

// object returns the schema of struct t (without $schema/$id), registering
// the structures it holds in defs.
func (g *schemaGen) object(t reflect.Type) (*obj, error) {
	ms, err := g.m.members(t)
	if err != nil {
		return nil, err
	}
	o := &obj{}
	o.set("type", "object")
	props := &obj{}
	var required []string
	for _, mb := range ms {
		p, err := g.property(t, mb)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		key := lowerFirst(mb.name)
		props.set(key, p)
		if g.m.required[t.Name()][mb.name] {
			required = append(required, key)
		}
	}
	o.set("properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	o.set("additionalProperties", true)
	return o, nil
}

func (g *schemaGen) ref(t reflect.Type) (*obj, error) {
	name := t.Name()
	if _, ok := g.defs[name]; !ok {
		g.defs[name] = nil // placeholder against recursion
		g.types[name] = t
		d, err := g.object(t)
		if err != nil {
			return nil, err
		}
		g.defs[name] = d
	}
	return (&obj{}).set("$ref", "#/$defs/"+name), nil
}

// property returns the schema of a member, or nil if it is never rendered.
func (g *schemaGen) property(parent reflect.Type, mb member) (*obj, error) {
	t := mb.field.Type
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var p *obj
	switch {
	case t == timeType:
		p = (&obj{}).set("type", []string{"string", "number"})
		p.set("description", "Timestamp. firetrail writes it as a string in UTC, by default in the Java date form \"Mar 4, 2025, 9:00:12 AM\"; AWS's form is unverified.")
	case t.Kind() == reflect.String:
		p = (&obj{}).set("type", "string")
		if vals := enumValues(t); vals != nil {
			p.set("enum", vals)
		}
	case t.Kind() == reflect.Bool:
		p = (&obj{}).set("type", "boolean")
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		p = (&obj{}).set("type", "integer")
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		p = (&obj{}).set("type", "number")
	case t.Kind() == reflect.Struct:
		return g.ref(t)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return nil, nil // record data: never rendered
	case t.Kind() == reflect.Slice:
		e := t.Elem()
		if e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		var items *obj
		switch e.Kind() {
		case reflect.String:
			items = (&obj{}).set("type", "string")
			if vals := enumValues(e); vals != nil {
				items.set("enum", vals)
			}
		case reflect.Struct:
			r, err := g.ref(e)
			if err != nil {
				return nil, err
			}
			items = r
		default:
			return nil, fmt.Errorf("shape %s member %s: unsupported list of %v", parent.Name(), mb.name, e)
		}
		p = (&obj{}).set("type", "array").set("items", items)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String:
		p = (&obj{}).set("type", "object").set("additionalProperties", (&obj{}).set("type", "string"))
	default:
		return nil, fmt.Errorf("shape %s member %s: unsupported type %v", parent.Name(), mb.name, mb.field.Type)
	}
	switch g.m.redact[[2]string{parent.Name(), mb.name}] {
	case schemas.RedactEmpty:
		p.set("description", "Sensitive: CloudTrail shows it as \"\" (Amazon Data Firehose Developer Guide).")
		p.set("x-firetrail-redaction", "empty")
	case schemas.RedactPlaceholder:
		p.set("description", "Sensitive: CloudTrail shows a placeholder, by default \""+schemas.DefaultRedactionPlaceholder+"\" (AWS's value unverified).")
		p.set("x-firetrail-redaction", "placeholder")
	case schemas.RedactHECToken:
		p.set("description", "Not sensitive in the model, but firetrail shows a placeholder by default, \""+schemas.DefaultRedactionPlaceholder+"\"; AWS may log it in clear (unverified).")
		p.set("x-firetrail-redaction", "hec-token")
	}
	return p, nil
}

// enumValues returns the known values of an SDK enum type, or nil for a
// plain string.
func enumValues(t reflect.Type) []string {
	if t.PkgPath() == "" {
		return nil
	}
	m, ok := t.MethodByName("Values")
	if !ok {
		return nil
	}
	out := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
	vals := make([]string, out.Len())
	for i := range vals {
		vals[i] = out.Index(i).String()
	}
	return vals
}

func response(op operation) []byte {
	s := &obj{}
	s.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	s.set("$id", schemaBaseID+op.name+".response.json")
	s.set("title", "Firehose "+op.name+" responseElements")
	if op.name == "CreateDeliveryStream" {
		s.set("description", "CloudTrail responseElements of CreateDeliveryStream: the new stream's ARN (as in the Amazon Data Firehose Developer Guide's example log file); null when the call failed.")
		s.set("type", []string{"object", "null"})
		arn := (&obj{}).set("type", "string").set("pattern", "^arn:aws[a-z-]*:firehose:[a-z0-9-]+:[0-9]{12}:deliverystream/[a-zA-Z0-9_.-]{1,64}$")
		s.set("properties", (&obj{}).set("deliveryStreamARN", arn))
		s.set("required", []string{"deliveryStreamARN"})
		s.set("additionalProperties", true)
		return pretty(s)
	}
	if op.name == "PutRecord" || op.name == "PutRecordBatch" {
		s.set("description", "CloudTrail responseElements of "+op.name+": always null (unverified).")
	} else {
		s.set("description", "CloudTrail responseElements of "+op.name+": always null, as CloudTrail writes it for read-only calls and empty responses.")
	}
	s.set("type", "null")
	return pretty(s)
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
