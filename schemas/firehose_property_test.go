package schemas_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/firetrail/firetrail/schemas"
)

// secretPrefix starts every value the filler puts in a sensitive member;
// other random strings never contain it.
const secretPrefix = "SECRET-"

// filler fills SDK inputs with random values.
type filler struct {
	r    *rand.Rand
	prob float64 // chance that an optional member is set
	sens map[[2]string]bool
	req  map[[2]string]bool // required members, from the generated schemas
	n    int
}

func newFiller(seed uint64, prob float64, req map[[2]string]bool) *filler {
	f := &filler{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), prob: prob, sens: make(map[[2]string]bool), req: req}
	for _, s := range schemas.FirehoseSensitiveMembers() {
		f.sens[[2]string{s.Shape, s.Member}] = true
	}
	return f
}

const textRunes = "abcdefghijklmnopqrstuvwxyz0123456789 -_/:.,=+*!?#@%\"\\<>&\n\t\x01\u00e9\u2028\u65e5\U0001F600"

func (f *filler) text() string {
	rs := []rune(textRunes)
	var b strings.Builder
	for range f.r.IntN(12) + 1 {
		b.WriteRune(rs[f.r.IntN(len(rs))])
	}
	return b.String()
}

func (f *filler) set() bool { return f.r.Float64() < f.prob }

func (f *filler) fillStruct(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if !f.req[[2]string{t.Name(), lowerFirst(sf.Name)}] && !f.set() {
			continue
		}
		f.fill(v.Field(i), f.sens[[2]string{t.Name(), sf.Name}])
	}
}

func (f *filler) fill(v reflect.Value, secret bool) {
	t := v.Type()
	switch {
	case t == reflect.TypeFor[*time.Time]():
		at := time.Unix(f.r.Int64N(4e9), 0).UTC()
		v.Set(reflect.ValueOf(&at))
	case t.Kind() == reflect.Pointer:
		n := reflect.New(t.Elem())
		f.fill(n.Elem(), secret)
		v.Set(n)
	case t.Kind() == reflect.String:
		switch {
		case secret:
			f.n++
			v.SetString(fmt.Sprintf("%s%d-%s", secretPrefix, f.n, f.text()))
		case t.PkgPath() != "":
			vals := reflect.Zero(t).MethodByName("Values").Call(nil)[0]
			v.Set(vals.Index(f.r.IntN(vals.Len())))
		default:
			v.SetString(f.text())
		}
	case t.Kind() == reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		v.SetInt(f.r.Int64N(200000) - 1000)
	case t.Kind() == reflect.Float64:
		x := []float64{0, 0.25, f.r.NormFloat64(), 1e-9 * f.r.Float64(), 1e22, -3.5e-7, math.MaxFloat64}[f.r.IntN(7)]
		v.SetFloat(x)
	case t.Kind() == reflect.Struct:
		f.fillStruct(v)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		b := make([]byte, f.r.IntN(20)+1)
		for i := range b {
			b[i] = byte(f.r.IntN(256))
		}
		v.SetBytes(b)
	case t.Kind() == reflect.Slice:
		n := f.r.IntN(3)
		if f.prob == 1 {
			n++
		}
		s := reflect.MakeSlice(t, n, n)
		for i := range n {
			f.fill(s.Index(i), secret)
		}
		v.Set(s)
	case t.Kind() == reflect.Map:
		m := reflect.MakeMap(t)
		for range f.r.IntN(3) {
			m.SetMapIndex(reflect.ValueOf(f.text()), reflect.ValueOf(f.text()))
		}
		v.Set(m)
	default:
		panic(fmt.Sprintf("filler: unsupported %v", t))
	}
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// requiredMembers reads the required members of every shape (Go type name,
// rendered member name) from the checked-in request schemas.
func requiredMembers(t testing.TB) map[[2]string]bool {
	t.Helper()
	req := make(map[[2]string]bool)
	for _, a := range schemas.FirehoseActions {
		b, err := os.ReadFile(filepath.Join("jsonschema", "firehose", a+".request.json"))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Required []string
			Defs     map[string]struct{ Required []string } `json:"$defs"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		for _, m := range doc.Required {
			req[[2]string{a + "Input", m}] = true
		}
		for shape, d := range doc.Defs {
			for _, m := range d.Required {
				req[[2]string{shape, m}] = true
			}
		}
	}
	return req
}

// newInput returns a new zero input of every action.
func newInput(t testing.TB, action string) reflect.Value {
	t.Helper()
	c := &firehose.Client{}
	m, ok := reflect.TypeOf(c).MethodByName(action)
	if !ok {
		t.Fatalf("firehose.Client has no method %s", action)
	}
	return reflect.New(m.Type.In(2).Elem())
}

// keepOnly sets to nil every field of in whose name ends with suffix,
// except keep.
func keepOnly(in reflect.Value, suffix, keep string) {
	t := in.Elem().Type()
	for i := range t.NumField() {
		if name := t.Field(i).Name; strings.HasSuffix(name, suffix) && name != keep {
			in.Elem().Field(i).SetZero()
		}
	}
}

func fieldsEnding(t reflect.Type, suffix string) []string {
	var out []string
	for i := range t.NumField() {
		if name := t.Field(i).Name; strings.HasSuffix(name, suffix) {
			out = append(out, name)
		}
	}
	return out
}

// compileFirehoseSchemas compiles the checked-in request and response
// schemas of every action.
func compileFirehoseSchemas(t testing.TB) (req, resp map[string]*jsonschema.Schema) {
	t.Helper()
	c := jsonschema.NewCompiler()
	req, resp = make(map[string]*jsonschema.Schema), make(map[string]*jsonschema.Schema)
	ids := make(map[string]string)
	for _, a := range schemas.FirehoseActions {
		for _, kind := range []string{"request", "response"} {
			path := filepath.Join("jsonschema", "firehose", a+"."+kind+".json")
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			id := doc.(map[string]any)["$id"].(string)
			if err := c.AddResource(id, doc); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ids[a+"."+kind] = id
		}
	}
	for _, a := range schemas.FirehoseActions {
		var err error
		if req[a], err = c.Compile(ids[a+".request"]); err != nil {
			t.Fatalf("compile %s request schema: %v", a, err)
		}
		if resp[a], err = c.Compile(ids[a+".response"]); err != nil {
			t.Fatalf("compile %s response schema: %v", a, err)
		}
	}
	return req, resp
}

func validateJSON(t *testing.T, s *jsonschema.Schema, b []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("output does not validate: %v\n%s", err, b)
	}
}

// checkRendered renders in and checks the invariants every rendering has.
func checkRendered(t *testing.T, action string, in any, schema *jsonschema.Schema) {
	t.Helper()
	out, err := schemas.RenderFirehoseRequest(in)
	if err != nil {
		t.Fatalf("RenderFirehoseRequest(%s): %v", action, err)
	}
	doc := out
	if doc == nil {
		doc = []byte("null")
	}
	if !json.Valid(doc) {
		t.Fatalf("RenderFirehoseRequest(%s) is not valid JSON:\n%s", action, doc)
	}
	validateJSON(t, schema, doc)
	if bytes.Contains(doc, []byte(secretPrefix)) {
		t.Errorf("RenderFirehoseRequest(%s) leaks a secret:\n%s", action, doc)
	}
	if ptrs := schemas.FindUnredactedSecrets(action, doc); len(ptrs) > 0 {
		t.Errorf("FindUnredactedSecrets(%s) = %q on rendered output", action, ptrs)
	}
	if again := schemas.RedactFirehoseRequestParameters(action, out); !bytes.Equal(again, out) {
		t.Errorf("RedactFirehoseRequestParameters changed rendered output:\n%s\n%s", out, again)
	}
	appended, err := schemas.AppendFirehoseRequest([]byte("prefix"), in)
	if err != nil || string(appended) != "prefix"+string(doc) {
		t.Errorf("AppendFirehoseRequest = %q, %v; want prefix + %s", appended, err, doc)
	}
}

// TestFirehoseRenderProperties renders randomly filled inputs of every
// action, every destination and every source type.
func TestFirehoseRenderProperties(t *testing.T) {
	reqSchemas, _ := compileFirehoseSchemas(t)
	req := requiredMembers(t)
	seed := uint64(1)
	for _, action := range schemas.FirehoseActions {
		t.Run(action, func(t *testing.T) {
			for i := range 40 {
				seed++
				in := newInput(t, action)
				newFiller(seed, []float64{0, 0.3, 0.7, 1}[i%4], req).fillStruct(in.Elem())
				checkRendered(t, action, in.Interface(), reqSchemas[action])
			}
		})
	}
	create := newInput(t, "CreateDeliveryStream").Elem().Type()
	update := newInput(t, "UpdateDestination").Elem().Type()
	sources := fieldsEnding(create, "SourceConfiguration")
	if len(sources) != 4 {
		t.Errorf("source types %q, want 4", sources)
	}
	for _, tc := range []struct {
		action, suffix string
		dests          []string
	}{
		{"CreateDeliveryStream", "DestinationConfiguration", fieldsEnding(create, "DestinationConfiguration")},
		{"UpdateDestination", "DestinationUpdate", fieldsEnding(update, "DestinationUpdate")},
	} {
		if len(tc.dests) != 10 {
			t.Errorf("%s destination types %q, want 10", tc.action, tc.dests)
		}
		for _, dest := range tc.dests {
			t.Run(tc.action+"/"+dest, func(t *testing.T) {
				for i := range 16 {
					seed++
					in := newInput(t, tc.action)
					f := newFiller(seed, []float64{0.3, 0.7, 1, 1}[i%4], req)
					f.fillStruct(in.Elem())
					keepOnly(in, tc.suffix, dest)
					keepOnly(in, "SourceConfiguration", sources[i%len(sources)])
					if d := in.Elem().FieldByName(dest); d.IsNil() {
						f.fill(d, false)
					}
					if src := in.Elem().FieldByName(sources[i%len(sources)]); src.IsValid() && src.IsNil() && i%2 == 0 {
						f.fill(src, false)
					}
					checkRendered(t, tc.action, in.Interface(), reqSchemas[tc.action])
				}
			})
		}
	}
}

func TestFirehoseResponseSchemas(t *testing.T) {
	_, respSchemas := compileFirehoseSchemas(t)
	for _, action := range schemas.FirehoseActions {
		c := &firehose.Client{}
		m, _ := reflect.TypeOf(c).MethodByName(action)
		out := reflect.New(m.Type.Out(0).Elem())
		if action == "CreateDeliveryStream" {
			out.Elem().FieldByName("DeliveryStreamARN").Set(reflect.ValueOf(aws.String("arn:aws:firehose:eu-west-1:111122223333:deliverystream/x.y-z_1")))
		}
		re, err := schemas.RenderFirehoseResponse(out.Interface())
		if err != nil {
			t.Fatalf("RenderFirehoseResponse(%s): %v", action, err)
		}
		if (re != nil) != (action == "CreateDeliveryStream") {
			t.Errorf("RenderFirehoseResponse(%s) = %s", action, re)
		}
		if re == nil {
			re = []byte("null")
		}
		validateJSON(t, respSchemas[action], re)
	}
}

// captureClient records the body of one request and answers {}.
type captureClient struct {
	target string
	body   []byte
}

func (c *captureClient) Do(req *http.Request) (*http.Response, error) {
	c.target = req.Header.Get("X-Amz-Target")
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	c.body = b
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
		Body:       io.NopCloser(strings.NewReader("{}")),
		Request:    req,
	}, nil
}

// TestDecodeFirehoseInputSDKWire sends randomly filled inputs through the
// real aws-sdk-go-v2 client and decodes the wire bodies it writes.
func TestDecodeFirehoseInputSDKWire(t *testing.T) {
	cc := &captureClient{}
	client := firehose.New(firehose.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", ""),
		HTTPClient:  cc,
	})
	ignoreUnexported := cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && !token.IsExported(sf.Name())
	}, cmp.Ignore())
	req := requiredMembers(t)
	for i, action := range schemas.FirehoseActions {
		t.Run(action, func(t *testing.T) {
			for j := range 5 {
				in := newInput(t, action)
				newFiller(uint64(1000+10*i+j), 1, req).fillStruct(in.Elem())
				res := reflect.ValueOf(client).MethodByName(action).Call([]reflect.Value{reflect.ValueOf(context.Background()), in})
				if err, _ := res[1].Interface().(error); err != nil {
					t.Fatalf("SDK %s: %v", action, err)
				}
				if want := "Firehose_20150804." + action; cc.target != want {
					t.Errorf("X-Amz-Target %q, want %q", cc.target, want)
				}
				got, err := schemas.DecodeFirehoseInput(action, cc.body)
				if err != nil {
					t.Fatalf("DecodeFirehoseInput(%s, %s): %v", action, cc.body, err)
				}
				if diff := cmp.Diff(in.Interface(), got, ignoreUnexported); diff != "" {
					t.Errorf("DecodeFirehoseInput(%s) (-sent +decoded):\n%s\nwire: %s", action, diff, cc.body)
				}
			}
		})
	}
}
