package schemas

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds returns the records of testdata: the seed, the page example and
// the corpus.
func fuzzSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	for _, r := range logRecords(t, readFile(t, "testdata/seed_example.json")) {
		seeds = append(seeds, r)
	}
	for _, r := range logRecords(t, pageExample(t)) {
		seeds = append(seeds, r)
	}
	files, _ := filepath.Glob("testdata/records/*.json")
	for _, f := range files {
		seeds = append(seeds, readFile(t, f))
	}
	return append(seeds, []byte(modernRecord))
}

// checkInvariants asserts what must hold for any input: well-formed
// problems, syntax problems exactly for invalid JSON, and a walker and fast
// schemas never looser than the JSON Schemas.
func checkInvariants(t *testing.T, v *Validator, b []byte) {
	t.Helper()
	var info recordInfo
	probs := v.validate(b, &info, nil)
	for _, p := range probs {
		if p.Message == "" || strings.ContainsAny(p.Message, "\n\r") {
			t.Errorf("bad message %q", p.Message)
		}
		if p.Pointer != "" && p.Pointer[0] != '/' {
			t.Errorf("bad pointer %q", p.Pointer)
		}
		if p.Offset < -1 || p.Offset > len(b) {
			t.Errorf("offset %d out of range 0..%d", p.Offset, len(b))
		}
	}
	syntaxBad := len(probs) == 1 && probs[0].Offset >= 0
	valid := json.Valid(b) && utf8.Valid(b)
	if valid == syntaxBad {
		t.Fatalf("json.Valid = %v but problems = %v", valid, probs)
	}
	if !valid {
		return
	}
	if info.clean {
		doc, err := unmarshalAny(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.record.Validate(doc); err != nil {
			t.Errorf("walker says clean, record.json says: %v", err)
		}
	}
	if string(info.eventSource) != FirehoseEventSource {
		return
	}
	for _, part := range []struct {
		raw     []byte
		schemas map[string]*subSchema
	}{{info.requestParameters, v.request}, {info.responseElements, v.response}} {
		sch := part.schemas[string(info.eventName)]
		if part.raw == nil || sch == nil || sch.fast == nil || !sch.fast.valid(part.raw) {
			continue
		}
		sub, _ := unmarshalAny(part.raw)
		if err := sch.full.Validate(sub); err != nil {
			t.Errorf("fast schema says valid, JSON Schema says: %v", err)
		}
	}
}

// TestWalkerAgreesWithSchema mutates every member of the seed records in
// the ways that matter to the schema and checks the invariants.
func TestWalkerAgreesWithSchema(t *testing.T) {
	v := newValidator(t)
	replacements := []string{`null`, `1`, `true`, `""`, `{}`, `[{}]`, `"AwsServiceEvent"`, `"AwsCloudTrailInsight"`, `"1.0"`, `"1.01"`}
	seeds := fuzzSeeds(t)
	if testing.Short() {
		seeds = seeds[len(seeds)-3:]
	}
	for _, seed := range seeds {
		checkInvariants(t, v, seed)
		// Replace each string value, one at a time.
		for i := 0; i < len(seed); i++ {
			if seed[i] != ':' {
				continue
			}
			l := lexer{b: seed, i: i + 1}
			start := i + 1
			for start < len(seed) && seed[start] == ' ' {
				start++
			}
			if !l.skip() {
				continue
			}
			for _, r := range replacements {
				mut := append(append(append([]byte{}, seed[:start]...), r...), seed[l.i:]...)
				checkInvariants(t, v, mut)
			}
			// And delete the member.
			k := bytes.LastIndexByte(seed[:i], '"')
			k = bytes.LastIndexByte(seed[:k], '"')
			if k > 0 && (seed[k-1] == ',' || seed[k-1] == '{') {
				end := l.i
				if end < len(seed) && seed[end] == ',' {
					end++
				}
				checkInvariants(t, v, append(append([]byte{}, seed[:k]...), seed[end:]...))
			}
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`))
	f.Add([]byte("{\"eventVersion\":\"1.0\xff\"}"))
	f.Add([]byte(`"\u12"`))
	f.Add([]byte(`{"eventVersion":"1.0","userIdentity":{"type":"IAMUser","accountId":"111122223333"},"userIdentity":{"invokedBy":"x"},"eventTime":"2014-01-01T00:00:00Z","eventSource":"s","eventName":"n","awsRegion":"r"}`))
	v := newValidator(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		checkInvariants(t, v, b)
	})
}

func TestLexerMatchesEncodingJSON(t *testing.T) {
	inputs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `01`, `1.`, `1.e5`, `1e`, `1e+`, `-`, `--1`, `1.5e-10`, `true`, `tru`, `nul`, `null `,
		`{"a":1,}`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":}`, `{,}`, `{"a":1 "b":2}`, `"\x"`, `"\u00e9"`, `"\u00g9"`, "\"\x01\"",
		`"\/\b\f\n\r\t\\\""`, `[1 2]`, `{"a":[{"b":[]}]}`, ` {} `, `{} {}`, `[`, `{"a":"b`, `{"a`,
	}
	for _, in := range inputs {
		l := lexer{b: []byte(in)}
		ok := l.skip()
		if ok {
			l.ws()
			ok = l.i == len(in)
		}
		if want := json.Valid([]byte(in)); ok != want {
			t.Errorf("lexer accepts %q = %v, encoding/json says %v", in, ok, want)
		}
	}
}
