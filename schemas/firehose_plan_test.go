package schemas

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// The encoder reads members through offsets (unsafe); these tests hold it
// to a reflect walk with encoding/json leaves, for every kind a plan
// knows, including those the SDK does not use today.

type planEnum string

type planLeaf struct {
	Name  *string
	Count *int32
	Kind  planEnum
}

// planKinds has a member of every kind.
type planKinds struct {
	Str      string
	Enum     planEnum
	PStr     *string
	PEnum    *planEnum
	P8       *int8
	P16      *int16
	P32      *int32
	P64      *int64
	PInt     *int
	I8       int8
	I32      int32
	I64      int64
	Int      int
	Bool     bool
	PBool    *bool
	F32      float32
	F64      float64
	PF32     *float32
	PF64     *float64
	Time     *time.Time
	Leaf     planLeaf
	PLeaf    *planLeaf
	Strs     []string
	Enums    []planEnum
	Leaves   []planLeaf
	PLeaves  []*planLeaf
	Map      map[string]string
	EnumMap  map[planEnum]planEnum
	Data     []byte
	Secret   *string
	Blank    *string
	HEC      *string
	private  int // never rendered
	Chan     chan int
	Recurse  *planKinds
	Recurses []planKinds
}

// planRedactions marks three members of planKinds sensitive.
var planRedactions = map[[2]string]Redaction{
	{"planKinds", "Secret"}: RedactPlaceholder,
	{"planKinds", "Blank"}:  RedactEmpty,
	{"planKinds", "HEC"}:    RedactHECToken,
}

func planOf[T any](t *testing.T) *fhStruct {
	t.Helper()
	m := &fhModel{plans: make(map[reflect.Type]*fhStruct)}
	return m.plan(reflect.TypeFor[T](), planRedactions)
}

// encodePlan encodes *v with plan p.
func encodePlan[T any](r Renderer, p *fhStruct, v *T) ([]byte, error) {
	e := fhEncoder{r: r}
	e.object(p, unsafe.Pointer(v))
	return e.buf, e.err
}

// reflectJSON is the oracle: the members of struct v in Go order, absent
// when nil or an empty string, []byte and unsupported kinds skipped,
// redacted members as r shows them, leaves as encoding/json writes them.
func reflectJSON(t *testing.T, r Renderer, v reflect.Value) string {
	t.Helper()
	var b strings.Builder
	b.WriteByte('{')
	first := true
	for i := range v.NumField() {
		sf := v.Type().Field(i)
		fv := v.Field(i)
		if !sf.IsExported() || fv.Kind() == reflect.Chan ||
			fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8 {
			continue
		}
		switch fv.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			if fv.IsNil() {
				continue
			}
		case reflect.String:
			if fv.Len() == 0 {
				continue
			}
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(`"` + lowerFirst(sf.Name) + `":`)
		if s, ok := r.redactedValue(planRedactions[[2]string{v.Type().Name(), sf.Name}]); ok {
			b.WriteString(stdJSON(t, s))
			continue
		}
		b.WriteString(reflectValue(t, r, fv))
	}
	b.WriteByte('}')
	return b.String()
}

func reflectValue(t *testing.T, r Renderer, fv reflect.Value) string {
	t.Helper()
	switch {
	case fv.Kind() == reflect.Pointer && fv.Type().Elem() == timeType:
		layout := r.TimeLayout
		if layout == "" {
			layout = DefaultFirehoseTimeLayout
		}
		return stdJSON(t, fv.Interface().(*time.Time).UTC().Format(layout))
	case fv.Kind() == reflect.Pointer:
		if fv.IsNil() {
			return "null"
		}
		return reflectValue(t, r, fv.Elem())
	case fv.Kind() == reflect.Struct:
		return reflectJSON(t, r, fv)
	case fv.Kind() == reflect.Slice:
		parts := make([]string, fv.Len())
		for i := range parts {
			parts[i] = reflectValue(t, r, fv.Index(i))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return stdJSON(t, fv.Interface()) // maps: keys sorted
}

// stdJSON is encoding/json without HTML escaping.
func stdJSON(t *testing.T, v any) string {
	t.Helper()
	return strings.TrimSuffix(string(marshalStd(t, v)), "\n")
}

// planFiller fills values at random, leaving members unset with
// probability absent.
type planFiller struct {
	r      *rand.Rand
	absent float64
	depth  int
}

func (f *planFiller) str() string {
	const alphabet = "abcXYZ019 -_/:.\"\\<>&\n\t\x00\x1f\x7fé€\u2028😀\xff"
	rs := []rune(alphabet)
	n := f.r.IntN(12)
	var b strings.Builder
	for range n {
		if f.r.IntN(8) == 0 {
			b.WriteString("\xff")
			continue
		}
		b.WriteRune(rs[f.r.IntN(len(rs))])
	}
	return b.String()
}

func (f *planFiller) float(bits int) float64 {
	switch f.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return math.Ldexp(f.r.Float64(), -f.r.IntN(60)) // below 1e-6 at times
	case 2:
		return -math.Ldexp(f.r.Float64(), f.r.IntN(90)) // above 1e21 at times
	case 3:
		if bits == 32 {
			return float64(math.MaxFloat32)
		}
		return math.MaxFloat64
	}
	return (f.r.Float64() - 0.5) * 1000
}

func (f *planFiller) fill(v reflect.Value) {
	for i := range v.NumField() {
		fv := v.Field(i)
		if !v.Type().Field(i).IsExported() || f.r.Float64() < f.absent {
			continue
		}
		f.value(fv)
	}
}

func (f *planFiller) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := v.Type().Bits()
		x := int64(f.r.Uint64()) >> (64 - bits) // full range of the size
		if f.r.IntN(3) == 0 {
			x = int64(f.r.IntN(100)) - 50
		}
		v.SetInt(x)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.float(v.Type().Bits()))
	case reflect.Pointer:
		if v.Type().Elem() == timeType {
			tm := time.Unix(f.r.Int64N(4e9), f.r.Int64N(1e9)).In(time.FixedZone("x", 3600))
			v.Set(reflect.ValueOf(&tm))
			return
		}
		if v.Type().Elem().Kind() == reflect.Struct && f.depth > 2 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.value(v.Elem())
	case reflect.Struct:
		f.depth++
		f.fill(v)
		f.depth--
	case reflect.Slice:
		n := f.r.IntN(4)
		if v.Type().Elem().Kind() == reflect.Struct && f.depth > 2 {
			n = 0
		}
		s := reflect.MakeSlice(v.Type(), n, n) // empty, not nil: []
		for i := range n {
			if v.Type().Elem().Kind() == reflect.Pointer && f.r.IntN(4) == 0 {
				continue // a nil element: null
			}
			f.value(s.Index(i))
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range f.r.IntN(4) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			k.SetString(f.str())
			e.SetString(f.str())
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	}
}

func TestFhEncoderKinds(t *testing.T) {
	p := planOf[planKinds](t)
	renderers := []Renderer{{}, {Placeholder: "X", ShowHECToken: true, TimeLayout: time.RFC3339Nano}}
	for seed := range uint64(400) {
		var v planKinds
		f := planFiller{r: rand.New(rand.NewPCG(seed, 7)), absent: []float64{0, 0.3, 0.7}[seed%3]}
		f.fill(reflect.ValueOf(&v).Elem())
		r := renderers[seed%2]
		got, err := encodePlan(r, p, &v)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if want := reflectJSON(t, r, reflect.ValueOf(v)); string(got) != want {
			t.Fatalf("seed %d:\n got %s\nwant %s", seed, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("seed %d: not JSON: %s", seed, got)
		}
	}
}

// TestFhEncoderFixed pins one value of every kind.
func TestFhEncoderFixed(t *testing.T) {
	tm := time.Date(2025, 3, 4, 21, 0, 12, 0, time.FixedZone("x", 12*3600))
	v := planKinds{
		Str: `a"b`, Enum: "E1", PStr: aws.String(""), PEnum: ptr(planEnum("E2")),
		P8: ptr(int8(-128)), P16: ptr(int16(-32768)), P32: ptr(int32(math.MinInt32)), P64: ptr(int64(math.MaxInt64)), PInt: ptr(-1),
		I8: 127, I32: -7, I64: math.MinInt64, Int: 42,
		Bool: false, PBool: aws.Bool(true),
		F32: 0.1, F64: 1e21, PF32: ptr(float32(1e-7)), PF64: ptr(1e-7),
		Time:    &tm,
		Leaf:    planLeaf{Kind: "K"},
		PLeaf:   &planLeaf{Name: aws.String("n"), Count: aws.Int32(3)},
		Strs:    []string{"x", "<y>"},
		Enums:   []planEnum{},
		Leaves:  []planLeaf{{}, {Count: aws.Int32(0)}},
		PLeaves: []*planLeaf{nil, {Kind: "P"}},
		Map:     map[string]string{"b": "2", "a": "1"},
		EnumMap: map[planEnum]planEnum{},
		Data:    []byte("never"),
		Secret:  aws.String("s"), Blank: aws.String("b"), HEC: aws.String("h"),
		private:  9, // not rendered
		Chan:     make(chan int),
		Recurse:  &planKinds{Int: 1},
		Recurses: []planKinds{{Str: "r"}},
	}
	const want = `{"str":"a\"b","enum":"E1","pStr":"","pEnum":"E2",` +
		`"p8":-128,"p16":-32768,"p32":-2147483648,"p64":9223372036854775807,"pInt":-1,` +
		`"i8":127,"i32":-7,"i64":-9223372036854775808,"int":42,"bool":false,"pBool":true,` +
		`"f32":0.1,"f64":1e+21,"pF32":1e-7,"pF64":1e-7,"time":"Mar 4, 2025, 9:00:12 AM",` +
		`"leaf":{"kind":"K"},"pLeaf":{"name":"n","count":3},"strs":["x","<y>"],"enums":[],` +
		`"leaves":[{},{"count":0}],"pLeaves":[null,{"kind":"P"}],"map":{"a":"1","b":"2"},"enumMap":{},` +
		`"secret":"HIDDEN_DUE_TO_SECURITY_REASONS","blank":"","hEC":"HIDDEN_DUE_TO_SECURITY_REASONS",` +
		`"recurse":{"i8":0,"i32":0,"i64":0,"int":1,"bool":false,"f32":0,"f64":0,"leaf":{}},` +
		`"recurses":[{"str":"r","i8":0,"i32":0,"i64":0,"int":0,"bool":false,"f32":0,"f64":0,"leaf":{}}]}`
	got, err := encodePlan(Renderer{}, planOf[planKinds](t), &v)
	if err != nil || string(got) != want {
		t.Errorf("got %s, %v\nwant %s", got, err, want)
	}
	if oracle := reflectJSON(t, Renderer{}, reflect.ValueOf(v)); oracle != want {
		t.Errorf("oracle %s\nwant   %s", oracle, want)
	}
}

func ptr[T any](x T) *T { return &x }

func TestFhEncoderBadFloat(t *testing.T) {
	p := planOf[planKinds](t)
	for _, v := range []planKinds{
		{PF64: ptr(math.NaN())}, {F64: math.Inf(1)}, {PF32: ptr(float32(math.Inf(-1)))},
	} {
		if _, err := encodePlan(Renderer{}, p, &v); err == nil || !strings.Contains(err.Error(), "unsupported number") {
			t.Errorf("%+v: err %v, want unsupported number", v, err)
		}
	}
}

// TestRenderFirehoseByValue renders an input passed by value as by
// pointer (the encoder reads a copy).
func TestRenderFirehoseByValue(t *testing.T) {
	in := firehose.UpdateDestinationInput{
		DeliveryStreamName:             aws.String("s"),
		CurrentDeliveryStreamVersionId: aws.String("1"),
		DestinationId:                  aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{
			BufferingHints:    &types.BufferingHints{IntervalInSeconds: aws.Int32(60), SizeInMBs: aws.Int32(5)},
			CompressionFormat: types.CompressionFormatGzip,
			ProcessingConfiguration: &types.ProcessingConfiguration{
				Enabled: aws.Bool(true),
				Processors: []types.Processor{{Type: types.ProcessorTypeLambda, Parameters: []types.ProcessorParameter{
					{ParameterName: types.ProcessorParameterNameLambdaArn, ParameterValue: aws.String("arn:aws:lambda:us-east-1:111122223333:function:f")},
				}}},
			},
		},
		HttpEndpointDestinationUpdate: &types.HttpEndpointDestinationUpdate{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://x"), AccessKey: aws.String("secret")},
		},
	}
	byPtr, err := RenderFirehoseRequest(&in)
	if err != nil {
		t.Fatal(err)
	}
	byValue, err := RenderFirehoseRequest(in)
	if err != nil || !bytes.Equal(byValue, byPtr) {
		t.Errorf("by value %s, %v\nby pointer %s", byValue, err, byPtr)
	}
	for _, want := range []string{`"processors":[{"type":"Lambda","parameters":[{"parameterName":"LambdaArn",`, `"intervalInSeconds":60`, `"accessKey":"HIDDEN_DUE_TO_SECURITY_REASONS"`} {
		if !bytes.Contains(byPtr, []byte(want)) {
			t.Errorf("%s lacks %s", byPtr, want)
		}
	}
}
