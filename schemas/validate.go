package schemas

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	jskind "github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFS holds the JSON Schemas: record.json, logfile.json and, once they
// are generated, firehose/<Action>.request.json and .response.json.
//
//go:embed jsonschema
var schemaFS embed.FS

// schemaBaseURL is the base URL under which the embedded schemas are
// registered with the compiler; record.json's $id lives under it.
const schemaBaseURL = "https://github.com/firetrail/firetrail/schemas/jsonschema/"

// Problem is one thing wrong with a record.
type Problem struct {
	// Pointer locates the offending value in the record (RFC 6901); "" is
	// the whole record.
	Pointer string
	// Message says what is wrong, in lowercase without a final period.
	Message string
	// Offset is the byte offset within the record of a syntax error or of
	// invalid UTF-8, and -1 for every other problem.
	Offset int
}

// String formats p as "/pointer: message", "offset N: message" for syntax
// problems, or the bare message for the whole record.
func (p Problem) String() string {
	switch {
	case p.Offset >= 0:
		return "offset " + strconv.Itoa(p.Offset) + ": " + p.Message
	case p.Pointer == "":
		return p.Message
	}
	return p.Pointer + ": " + p.Message
}

// msgMissing is the message of a required member that is absent.
const msgMissing = "missing required member"

func problem(pointer, format string, args ...any) Problem {
	return Problem{Pointer: pointer, Message: fmt.Sprintf(format, args...), Offset: -1}
}

// Validator checks CloudTrail records: their structure against the embedded
// JSON Schema (jsonschema/record.json), value formats, consistency between
// fields, and for Firehose records the requestParameters and
// responseElements against jsonschema/firehose/ and the redaction rules.
//
// A Validator is built once with NewValidator and is safe for concurrent
// use; it holds only compiled, read-only schemas.
type Validator struct {
	// recordMembers and identityMembers name the members the schema knows
	// at the top level and in userIdentity.
	recordMembers, identityMembers []string

	record   *jsonschema.Schema
	digest   *jsonschema.Schema
	request  map[string]*subSchema // by Firehose eventName
	response map[string]*subSchema
	secrets  func(eventName string, requestParameters []byte) []string
}

// subSchema is a Firehose request or response schema, compiled for the
// jsonschema package and, when it only uses keywords the fast path knows,
// for the fast path.
type subSchema struct {
	full *jsonschema.Schema
	fast *fastSchema // nil: always use full
}

// Option configures a Validator.
type Option func(*validatorConfig)

type validatorConfig struct {
	firehose fs.FS
	secrets  func(string, []byte) []string
}

// WithFirehoseSchemas makes the validator read the Firehose request and
// response schemas (<Action>.request.json, <Action>.response.json) from the
// root of fsys instead of the embedded jsonschema/firehose directory.
func WithFirehoseSchemas(fsys fs.FS) Option {
	return func(c *validatorConfig) { c.firehose = fsys }
}

// WithSecretFinder replaces FindUnredactedSecrets, the function that lists
// unredacted sensitive members of Firehose requestParameters.
func WithSecretFinder(find func(eventName string, requestParameters []byte) []string) Option {
	return func(c *validatorConfig) { c.secrets = find }
}

// NewValidator compiles the embedded schemas and returns a Validator.
func NewValidator(opts ...Option) (*Validator, error) {
	cfg := validatorConfig{secrets: FindUnredactedSecrets}
	if sub, err := fs.Sub(schemaFS, "jsonschema/firehose"); err == nil {
		cfg.firehose = sub
	}
	for _, o := range opts {
		o(&cfg)
	}
	c := jsonschema.NewCompiler()
	if err := addSchemas(c, schemaFS, "jsonschema", schemaBaseURL); err != nil {
		return nil, err
	}
	v := &Validator{
		request:  map[string]*subSchema{},
		response: map[string]*subSchema{},
		secrets:  cfg.secrets,
	}
	var err error
	if v.record, err = c.Compile(schemaBaseURL + "record.json"); err != nil {
		return nil, fmt.Errorf("compile record schema: %w", err)
	}
	if v.digest, err = c.Compile(schemaBaseURL + "digest.json"); err != nil {
		return nil, fmt.Errorf("compile digest schema: %w", err)
	}
	v.recordMembers = slices.Sorted(maps.Keys(v.record.Properties))
	v.identityMembers = jsonNames[UserIdentity]()
	if cfg.firehose == nil {
		return v, nil
	}
	const fhBase = schemaBaseURL + "firehose-override/"
	if err := addSchemas(c, cfg.firehose, ".", fhBase); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(cfg.firehose, ".")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read firehose schemas: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		var m map[string]*subSchema
		var action string
		switch {
		case strings.HasSuffix(name, ".request.json"):
			m, action = v.request, strings.TrimSuffix(name, ".request.json")
		case strings.HasSuffix(name, ".response.json"):
			m, action = v.response, strings.TrimSuffix(name, ".response.json")
		default:
			continue
		}
		sch, err := c.Compile(fhBase + name)
		if err != nil {
			return nil, fmt.Errorf("compile firehose schema %s: %w", name, err)
		}
		sub := &subSchema{full: sch}
		if b, err := fs.ReadFile(cfg.firehose, name); err == nil {
			if doc, err := unmarshalAny(b); err == nil {
				sub.fast, _ = compileFast(doc)
			}
		}
		m[action] = sub
	}
	return v, nil
}

// addSchemas registers every .json file under dir of fsys with c at base +
// its path relative to dir.
func addSchemas(c *jsonschema.Compiler, fsys fs.FS, dir, base string) error {
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return fmt.Errorf("read schemas: %w", err)
		}
		if d.IsDir() && p == "jsonschema/firehose" && fsys == fs.FS(schemaFS) {
			return fs.SkipDir // registered from validatorConfig.firehose
		}
		if d.IsDir() || path.Ext(p) != ".json" {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read schema %s: %w", p, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("parse schema %s: %w", p, err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		if err := c.AddResource(base+rel, doc); err != nil {
			return fmt.Errorf("add schema %s: %w", p, err)
		}
		return nil
	})
}

// Validate checks one record, the raw JSON bytes of one element of a log
// file's Records array, and returns its problems, nil when there are none.
// Problems come in a fixed order: a syntax problem alone; otherwise a
// duplicate member name, structure (sorted by pointer), then formats and
// consistency in document order.
func (v *Validator) Validate(record []byte) []Problem {
	var info recordInfo
	return v.validate(record, &info, nil)
}

// validate checks record, fills info and appends the problems to dst.
func (v *Validator) validate(record []byte, info *recordInfo, dst []Problem) []Problem {
	if !utf8.Valid(record) {
		return append(dst, Problem{Message: "invalid UTF-8", Offset: invalidUTF8At(record)})
	}
	if serr := walkRecord(record, info); serr != nil {
		return append(dst, Problem{Message: serr.msg, Offset: serr.off})
	}
	info.parsed = true
	if info.duplicate != "" {
		dst = append(dst, problem(info.duplicate, "duplicate member (parsers disagree on which value counts)"))
	}
	if !info.clean {
		doc, err := unmarshalAny(record)
		if err != nil {
			// Unreachable: the walker accepted the grammar.
			return append(dst, Problem{Message: err.Error(), Offset: 0})
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			return append(dst, problem("", "record is %s, want a JSON object", jsonKind(doc)))
		}
		dst = appendSchemaProblems(dst, "", v.record.Validate(doc))
		dst = appendMisspelt(dst, "", obj, v.recordMembers)
		if id, ok := obj["userIdentity"].(map[string]any); ok {
			dst = appendMisspelt(dst, "/userIdentity", id, v.identityMembers)
		}
	}
	return v.check(info, dst)
}

// invalidUTF8At returns the offset of the first byte of b that is not part
// of valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "a number"
}

// appendSchemaProblems turns a JSON Schema validation error into Problems,
// one per failing leaf, with pointers prefixed by prefix, sorted.
func appendSchemaProblems(dst []Problem, prefix string, err error) []Problem {
	var verr *jsonschema.ValidationError
	if err == nil || !errors.As(err, &verr) {
		if err != nil {
			dst = append(dst, problem(prefix, "%v", err))
		}
		return dst
	}
	p := message.NewPrinter(language.English)
	start := len(dst)
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		ptr := prefix + pointer(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *jskind.Required:
			for _, m := range k.Missing {
				dst = append(dst, problem(ptr+"/"+escapePointer(m), msgMissing))
			}
		case *jskind.AdditionalProperties:
			for _, m := range k.Properties {
				dst = append(dst, problem(ptr+"/"+escapePointer(m), "unknown member"))
			}
		case *jskind.MinLength:
			if k.Got == 0 {
				dst = append(dst, problem(ptr, "must not be empty"))
			} else {
				dst = append(dst, problem(ptr, "%s", k.LocalizedString(p)))
			}
		case *jskind.Enum:
			dst = append(dst, problem(ptr, "got %s, want one of %s", display(k.Got), displayList(k.Want)))
		case *jskind.Const:
			dst = append(dst, problem(ptr, "got %s, want %s", display(k.Got), display(k.Want)))
		case *jskind.Type:
			dst = append(dst, problem(ptr, "wrong type: got %s, want %s", k.Got, strings.Join(k.Want, " or ")))
		default:
			dst = append(dst, problem(ptr, "%s", e.ErrorKind.LocalizedString(p)))
		}
	}
	walk(verr)
	added := dst[start:]
	slices.SortFunc(added, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.Pointer, b.Pointer), strings.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(dst, func(a, b Problem) bool { return a == b })
}

// pointer renders a JSON Schema instance location as an RFC 6901 pointer.
func pointer(loc []string) string {
	var sb strings.Builder
	for _, s := range loc {
		sb.WriteByte('/')
		sb.WriteString(escapePointer(s))
	}
	return sb.String()
}

// escapePointer escapes one RFC 6901 reference token.
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// unmarshalAny decodes raw into the value form jsonschema validates
// (numbers as json.Number).
func unmarshalAny(raw []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(raw))
}

// display renders a JSON value in a problem message.
func display(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 64 {
		return string(b[:61]) + "..."
	}
	return string(b)
}

func displayList(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = display(v)
	}
	return strings.Join(s, ", ")
}

// appendMisspelt reports members of obj that are not known but equal a
// known name in all but letter case. AWS adds members to records without
// notice, so the schema accepts unknown members (a real record of tomorrow
// must pass); `readonly` beside `readOnly` is a typo all the same.
func appendMisspelt(dst []Problem, ptr string, obj map[string]any, known []string) []Problem {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if slices.Contains(known, k) {
			continue
		}
		for _, name := range known {
			if strings.EqualFold(k, name) {
				dst = append(dst, problem(ptr+"/"+escapePointer(k), "unknown member (did you mean %s?)", name))
				break
			}
		}
	}
	return dst
}

// jsonNames returns the JSON member names of struct type T's fields.
func jsonNames[T any]() []string {
	t := reflect.TypeFor[T]()
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}
