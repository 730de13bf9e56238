package schemas

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/firehose"
)

// fhOp is one Firehose operation and its SDK types.
type fhOp struct {
	name    string
	input   reflect.Type
	output  reflect.Type
	in, out *fhStruct
	// secrets is the tree of sensitive members of the rendered request.
	secrets *secretNode
}

// fhModel is every reflection plan of the Firehose renderer, built once.
type fhModel struct {
	ops    []*fhOp
	byName map[string]*fhOp
	byType map[reflect.Type]*fhOp // input and output struct types
	plans  map[reflect.Type]*fhStruct
}

// firehoseModel returns the process-wide, immutable Firehose plans.
var firehoseModel = sync.OnceValue(buildFirehoseModel)

// firehoseOperations pairs each action with its SDK input and output types.
func firehoseOperations() []*fhOp {
	return []*fhOp{
		{name: "CreateDeliveryStream", input: reflect.TypeFor[firehose.CreateDeliveryStreamInput](), output: reflect.TypeFor[firehose.CreateDeliveryStreamOutput]()},
		{name: "DeleteDeliveryStream", input: reflect.TypeFor[firehose.DeleteDeliveryStreamInput](), output: reflect.TypeFor[firehose.DeleteDeliveryStreamOutput]()},
		{name: "DescribeDeliveryStream", input: reflect.TypeFor[firehose.DescribeDeliveryStreamInput](), output: reflect.TypeFor[firehose.DescribeDeliveryStreamOutput]()},
		{name: "ListDeliveryStreams", input: reflect.TypeFor[firehose.ListDeliveryStreamsInput](), output: reflect.TypeFor[firehose.ListDeliveryStreamsOutput]()},
		{name: "ListTagsForDeliveryStream", input: reflect.TypeFor[firehose.ListTagsForDeliveryStreamInput](), output: reflect.TypeFor[firehose.ListTagsForDeliveryStreamOutput]()},
		{name: "PutRecord", input: reflect.TypeFor[firehose.PutRecordInput](), output: reflect.TypeFor[firehose.PutRecordOutput]()},
		{name: "PutRecordBatch", input: reflect.TypeFor[firehose.PutRecordBatchInput](), output: reflect.TypeFor[firehose.PutRecordBatchOutput]()},
		{name: "StartDeliveryStreamEncryption", input: reflect.TypeFor[firehose.StartDeliveryStreamEncryptionInput](), output: reflect.TypeFor[firehose.StartDeliveryStreamEncryptionOutput]()},
		{name: "StopDeliveryStreamEncryption", input: reflect.TypeFor[firehose.StopDeliveryStreamEncryptionInput](), output: reflect.TypeFor[firehose.StopDeliveryStreamEncryptionOutput]()},
		{name: "TagDeliveryStream", input: reflect.TypeFor[firehose.TagDeliveryStreamInput](), output: reflect.TypeFor[firehose.TagDeliveryStreamOutput]()},
		{name: "UntagDeliveryStream", input: reflect.TypeFor[firehose.UntagDeliveryStreamInput](), output: reflect.TypeFor[firehose.UntagDeliveryStreamOutput]()},
		{name: "UpdateDestination", input: reflect.TypeFor[firehose.UpdateDestinationInput](), output: reflect.TypeFor[firehose.UpdateDestinationOutput]()},
	}
}

// fhKind is how a member is encoded.
type fhKind uint8

const (
	fkSkip           fhKind = iota // unsupported or never rendered
	fkString                       // string kinds: enums
	fkPtrString                    // *string
	fkPtrInt                       // *int32, *int64, ...
	fkPtrBool                      // *bool
	fkPtrFloat                     // *float64
	fkPtrTime                      // *time.Time
	fkInt                          // int kinds (not used by the SDK today)
	fkBool                         // bool (not used by the SDK today)
	fkFloat                        // float kinds (not used by the SDK today)
	fkPtrStruct                    // *T
	fkStruct                       // T
	fkStringSlice                  // []string and []enum
	fkStructSlice                  // []T
	fkPtrStructSlice               // []*T
	fkStringMap                    // map[string]string
	fkBytes                        // []byte (record data): never rendered
)

// fhField is one member of a structure.
type fhField struct {
	index int
	// off is the member's offset in its structure: the encoder reads
	// members through it, without reflect (whose Field checks the name's
	// export bit on every call).
	off uintptr
	// size is the size of an int or float kind (pointed to, for the
	// pointer kinds), or of the element of a structure slice.
	size uintptr
	typ  reflect.Type // the member's Go type (maps are read with reflect)
	// An optional member is absent when the word at offset word of its
	// structure is zero: a pointer, map or slice that is nil (each holds
	// its pointer in its first word, nil exactly when the value is, as
	// reflect.Value.IsNil reads it), a string's length.
	optional bool
	word     uintptr
	name     string // Go field name = model member name
	key      string // `"lowerFirst":`
	kind     fhKind
	elem     *fhStruct // structure kinds
	redact   Redaction
}

// fhStruct is the plan of one structure shape.
type fhStruct struct {
	typ    reflect.Type
	fields []fhField // in model order
	// rendered are the fields the encoder writes when set: all but the
	// record data.
	rendered []fhField
}

var timeType = reflect.TypeFor[time.Time]()

func buildFirehoseModel() *fhModel {
	m := &fhModel{
		ops:    firehoseOperations(),
		byName: make(map[string]*fhOp),
		byType: make(map[reflect.Type]*fhOp),
		plans:  make(map[reflect.Type]*fhStruct),
	}
	redactions := make(map[[2]string]Redaction)
	for _, s := range FirehoseSensitiveMembers() {
		redactions[[2]string{s.Shape, s.Member}] = s.Redaction
	}
	for _, op := range m.ops {
		op.in = m.plan(op.input, redactions)
		op.out = m.plan(op.output, redactions)
		op.secrets = secretTree(op.in, make(map[*fhStruct]bool))
		m.byName[op.name] = op
		m.byType[op.input] = op
		m.byType[op.output] = op
	}
	return m
}

// plan returns the plan of struct type t, building it (and the plans of the
// structures it holds) on first use.
func (m *fhModel) plan(t reflect.Type, redactions map[[2]string]Redaction) *fhStruct {
	if p := m.plans[t]; p != nil {
		return p
	}
	p := &fhStruct{typ: t}
	m.plans[t] = p // before recursing, for recursive shapes
	order := firehoseMemberOrder(t.Name())
	rank := func(name string) int {
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order) // members the model table does not know go last, in Go order
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous || sf.Name == "ResultMetadata" {
			continue
		}
		f := fhField{
			index:  i,
			off:    sf.Offset,
			size:   valueSize(sf.Type),
			typ:    sf.Type,
			name:   sf.Name,
			key:    `"` + lowerFirst(sf.Name) + `":`,
			redact: redactions[[2]string{t.Name(), sf.Name}],
		}
		f.kind, f.elem = m.kindOf(sf.Type, redactions)
		if f.kind == fkSkip {
			continue
		}
		switch f.kind {
		case fkString:
			f.optional, f.word = true, f.off+unsafe.Sizeof(uintptr(0))
		case fkPtrString, fkPtrInt, fkPtrBool, fkPtrFloat, fkPtrTime, fkPtrStruct,
			fkStringSlice, fkStructSlice, fkPtrStructSlice, fkStringMap:
			f.optional, f.word = true, f.off
		}
		p.fields = append(p.fields, f)
	}
	slices.SortStableFunc(p.fields, func(a, b fhField) int { return rank(a.name) - rank(b.name) })
	for _, f := range p.fields {
		if f.kind != fkBytes {
			p.rendered = append(p.rendered, f)
		}
	}
	return p
}

// valueSize is the size of what the encoder loads for a member of type t:
// the value an int or float pointer points to, a structure slice's element,
// t itself otherwise.
func valueSize(t reflect.Type) uintptr {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice:
		return t.Elem().Size()
	}
	return t.Size()
}

func (m *fhModel) kindOf(t reflect.Type, redactions map[[2]string]Redaction) (fhKind, *fhStruct) {
	switch t.Kind() {
	case reflect.String:
		return fkString, nil
	case reflect.Bool:
		return fkBool, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fkInt, nil
	case reflect.Float32, reflect.Float64:
		return fkFloat, nil
	case reflect.Struct:
		return fkStruct, m.plan(t, redactions)
	case reflect.Pointer:
		e := t.Elem()
		switch {
		case e == timeType:
			return fkPtrTime, nil
		case e.Kind() == reflect.String:
			return fkPtrString, nil
		case e.Kind() == reflect.Bool:
			return fkPtrBool, nil
		case e.Kind() >= reflect.Int && e.Kind() <= reflect.Int64:
			return fkPtrInt, nil
		case e.Kind() == reflect.Float32 || e.Kind() == reflect.Float64:
			return fkPtrFloat, nil
		case e.Kind() == reflect.Struct:
			return fkPtrStruct, m.plan(e, redactions)
		}
	case reflect.Slice:
		e := t.Elem()
		switch {
		case e.Kind() == reflect.Uint8:
			return fkBytes, nil
		case e.Kind() == reflect.String:
			return fkStringSlice, nil
		case e.Kind() == reflect.Struct:
			return fkStructSlice, m.plan(e, redactions)
		case e.Kind() == reflect.Pointer && e.Elem().Kind() == reflect.Struct:
			return fkPtrStructSlice, m.plan(e.Elem(), redactions)
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.String {
			return fkStringMap, nil
		}
	}
	return fkSkip, nil
}

// lowerFirst lower-cases the first character of an ASCII member name and
// keeps the rest, as CloudTrail does: KMSEncryptionConfig becomes
// kMSEncryptionConfig.
func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// lookupFirehose finds the operation of x (an input or output, as a pointer
// or a value) and returns its struct type and value; the value is invalid
// for a nil pointer.
func lookupFirehose(x any) (*fhOp, reflect.Type, reflect.Value, error) {
	if x == nil {
		return nil, nil, reflect.Value{}, fmt.Errorf("render firehose <nil>: %w", ErrUnknownFirehoseAction)
	}
	v := reflect.ValueOf(x)
	t := v.Type()
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v.IsNil() {
			v = reflect.Value{}
		} else {
			v = v.Elem()
		}
	}
	op := firehoseModel().byType[t]
	if op == nil {
		return nil, nil, reflect.Value{}, fmt.Errorf("render firehose %T: %w", x, ErrUnknownFirehoseAction)
	}
	return op, t, v, nil
}

// RenderRequest is RenderFirehoseRequest with r's settings.
func (r Renderer) RenderRequest(input any) (json.RawMessage, error) {
	b, err := r.AppendRequest(make([]byte, 0, 1024), input)
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return b, nil
}

// AppendRequest is AppendFirehoseRequest with r's settings.
func (r Renderer) AppendRequest(dst []byte, input any) ([]byte, error) {
	op, t, v, err := lookupFirehose(input)
	if err != nil {
		return dst, err
	}
	if t != op.input {
		return dst, fmt.Errorf("render firehose request: %T is an output, not an input", input)
	}
	if !v.IsValid() {
		return append(dst, "null"...), nil
	}
	start := len(dst)
	e := fhEncoder{r: r, buf: dst}
	e.object(op.in, addressOf(input, v))
	runtime.KeepAlive(input)
	if e.err != nil {
		return dst, fmt.Errorf("render %s request: %w", op.name, e.err)
	}
	if len(e.buf)-start == 2 { // {}: a request without parameters is logged as null
		return append(e.buf[:start], "null"...), nil
	}
	return e.buf, nil
}

// RenderResponse is RenderFirehoseResponse with r's settings. Only
// CreateDeliveryStream has responseElements ({"deliveryStreamARN":…}, as in
// the Amazon Data Firehose Developer Guide's example log file); every other
// output renders as nil (null).
func (r Renderer) RenderResponse(output any) (json.RawMessage, error) {
	op, t, v, err := lookupFirehose(output)
	if err != nil {
		return nil, err
	}
	if t != op.output {
		return nil, fmt.Errorf("render firehose response: %T is an input, not an output", output)
	}
	if op.name != "CreateDeliveryStream" || !v.IsValid() {
		return nil, nil
	}
	e := fhEncoder{r: r}
	e.object(op.out, addressOf(output, v))
	runtime.KeepAlive(output)
	if e.err != nil {
		return nil, fmt.Errorf("render %s response: %w", op.name, e.err)
	}
	return e.buf, nil
}

func (r *Renderer) placeholder() string {
	if r.Placeholder == "" {
		return DefaultRedactionPlaceholder
	}
	return r.Placeholder
}

// redactedValue returns the value a member redacted with how is shown as,
// and false when r shows it in clear.
func (r *Renderer) redactedValue(how Redaction) (string, bool) {
	switch how {
	case RedactEmpty:
		return "", true
	case RedactPlaceholder:
		return r.placeholder(), true
	case RedactHECToken:
		if r.ShowHECToken {
			return "", false
		}
		return r.placeholder(), true
	}
	return "", false
}

// fhEncoder appends the CloudTrail JSON of SDK values. It reads them
// through the plans' offsets and sizes: a structure is the address of its
// first byte, which the caller keeps alive.
type fhEncoder struct {
	r   Renderer
	buf []byte
	err error
}

// addressOf returns the address of the structure held by v, the value
// lookupFirehose returned for x: x's own pointer, or a copy of a structure
// passed by value.
func addressOf(x any, v reflect.Value) unsafe.Pointer {
	if v.CanAddr() { // x is a pointer
		return v.Addr().UnsafePointer()
	}
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	return c.UnsafePointer()
}

// deref returns the pointer stored at p.
func deref(p unsafe.Pointer) unsafe.Pointer { return *(*unsafe.Pointer)(p) }

// loadInt reads the signed integer of size bytes at p.
func loadInt(p unsafe.Pointer, size uintptr) int64 {
	switch size {
	case 1:
		return int64(*(*int8)(p))
	case 2:
		return int64(*(*int16)(p))
	case 4:
		return int64(*(*int32)(p))
	}
	return *(*int64)(p)
}

// sliceOf is the layout of a slice.
type sliceOf struct {
	data     unsafe.Pointer
	len, cap int
}

func (e *fhEncoder) object(p *fhStruct, base unsafe.Pointer) {
	e.buf = append(e.buf, '{')
	first := true
	for i := range p.rendered {
		f := &p.rendered[i]
		if f.optional && *(*uintptr)(unsafe.Add(base, f.word)) == 0 {
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = append(e.buf, f.key...)
		if f.redact != RedactNone {
			if s, ok := e.r.redactedValue(f.redact); ok {
				e.buf = appendString(e.buf, s)
				continue
			}
		}
		e.value(f, unsafe.Add(base, f.off))
	}
	e.buf = append(e.buf, '}')
}

// value appends member f, stored at fp.
func (e *fhEncoder) value(f *fhField, fp unsafe.Pointer) {
	switch f.kind {
	case fkString:
		e.buf = appendString(e.buf, *(*string)(fp))
	case fkPtrString:
		e.buf = appendString(e.buf, *(*string)(deref(fp)))
	case fkPtrInt:
		e.buf = strconv.AppendInt(e.buf, loadInt(deref(fp), f.size), 10)
	case fkInt:
		e.buf = strconv.AppendInt(e.buf, loadInt(fp, f.size), 10)
	case fkPtrBool:
		e.buf = strconv.AppendBool(e.buf, *(*bool)(deref(fp)))
	case fkBool:
		e.buf = strconv.AppendBool(e.buf, *(*bool)(fp))
	case fkPtrFloat:
		e.float(deref(fp), f.size)
	case fkFloat:
		e.float(fp, f.size)
	case fkPtrTime:
		layout := e.r.TimeLayout
		if layout == "" {
			layout = DefaultFirehoseTimeLayout
		}
		e.buf = appendString(e.buf, (*time.Time)(deref(fp)).UTC().Format(layout))
	case fkPtrStruct:
		e.object(f.elem, deref(fp))
	case fkStruct:
		e.object(f.elem, fp)
	case fkStringSlice: // []string or []enum: the same layout
		e.buf = append(e.buf, '[')
		for i, s := range *(*[]string)(fp) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.buf = appendString(e.buf, s)
		}
		e.buf = append(e.buf, ']')
	case fkStructSlice:
		s := (*sliceOf)(fp)
		e.buf = append(e.buf, '[')
		for i := range s.len {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.object(f.elem, unsafe.Add(s.data, uintptr(i)*f.size))
		}
		e.buf = append(e.buf, ']')
	case fkPtrStructSlice:
		e.buf = append(e.buf, '[')
		for i, p := range *(*[]unsafe.Pointer)(fp) {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if p == nil {
				e.buf = append(e.buf, "null"...)
				continue
			}
			e.object(f.elem, p)
		}
		e.buf = append(e.buf, ']')
	case fkStringMap:
		e.stringMap(reflect.NewAt(f.typ, fp).Elem())
	}
}

// stringMap appends a map of string kinds, its keys sorted.
func (e *fhEncoder) stringMap(fv reflect.Value) {
	keys := make([]string, 0, fv.Len())
	for _, k := range fv.MapKeys() {
		keys = append(keys, k.String())
	}
	slices.Sort(keys)
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendString(e.buf, k)
		e.buf = append(e.buf, ':')
		e.buf = appendString(e.buf, fv.MapIndex(reflect.ValueOf(k).Convert(fv.Type().Key())).String())
	}
	e.buf = append(e.buf, '}')
}

// float appends the float of size bytes at p as encoding/json does
// (float32 with 32-bit precision).
func (e *fhEncoder) float(p unsafe.Pointer, size uintptr) {
	// Read only size bytes: a float32 may end its allocation.
	var f float64
	bits := 64
	if size == 4 {
		f, bits = float64(*(*float32)(p)), 32
	} else {
		f = *(*float64)(p)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if e.err == nil {
			e.err = fmt.Errorf("unsupported number %v", f)
		}
		e.buf = append(e.buf, '0')
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) ||
		bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	e.buf = strconv.AppendFloat(e.buf, f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(e.buf)
		if n >= 4 && e.buf[n-4] == 'e' && e.buf[n-3] == '-' && e.buf[n-2] == '0' {
			e.buf[n-2] = e.buf[n-1]
			e.buf = e.buf[:n-1]
		}
	}
}
