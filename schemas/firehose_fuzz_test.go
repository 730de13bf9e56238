package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/firetrail/firetrail/schemas"
)

// checkRedaction checks the invariants of redacting rp for event.
func checkRedaction(t *testing.T, event string, rp []byte) {
	t.Helper()
	once := schemas.RedactFirehoseRequestParameters(event, rp)
	if once == nil {
		return
	}
	if !json.Valid(once) {
		t.Fatalf("RedactFirehoseRequestParameters(%s, %q) = %q: not JSON", event, rp, once)
	}
	if twice := schemas.RedactFirehoseRequestParameters(event, once); !bytes.Equal(once, twice) {
		t.Fatalf("redaction not idempotent:\n%s\n%s", once, twice)
	}
	if found := schemas.FindUnredactedSecrets(event, once); len(found) > 0 {
		t.Fatalf("FindUnredactedSecrets after redaction = %q\n%s", found, once)
	}
	// Valid JSON need not decode: a number such as 1e700 is out of
	// float64's range. Redaction keeps such literals as they are, so
	// whatever decoded before decodes after.
	var a, b any
	if json.Unmarshal(rp, &a) == nil && json.Unmarshal(once, &b) != nil {
		t.Fatalf("RedactFirehoseRequestParameters(%s, %q) = %q: decodes no more", event, rp, once)
	}
}

func seedFixtureParams(f *testing.F) [][]byte {
	f.Helper()
	b, err := os.ReadFile("testdata/seed_example.json")
	if err != nil {
		f.Fatal(err)
	}
	var lf struct {
		Records []struct {
			EventName         string          `json:"eventName"`
			RequestParameters json.RawMessage `json:"requestParameters"`
		}
	}
	if err := json.Unmarshal(b, &lf); err != nil {
		f.Fatal(err)
	}
	var out [][]byte
	for _, r := range lf.Records {
		out = append(out, r.RequestParameters)
	}
	return out
}

func FuzzRedactFirehoseRequestParameters(f *testing.F) {
	for _, rp := range seedFixtureParams(f) {
		f.Add(uint8(0), rp)
		f.Add(uint8(11), rp)
	}
	f.Add(uint8(0), []byte(`{"httpEndpointDestinationConfiguration":{"requestConfiguration":{"commonAttributes":[{"attributeName":"a"},[{"attributeValue":1}]]}}}`))
	f.Add(uint8(0), []byte(`{"snowflakeDestinationConfiguration":{"user":{"a":["b",{"c":"\u0000"}]}}}`))
	f.Add(uint8(11), []byte(`{"splunkDestinationUpdate" : { "hECToken" : "x" } } `))
	f.Fuzz(func(t *testing.T, action uint8, rp []byte) {
		checkRedaction(t, schemas.FirehoseActions[int(action)%len(schemas.FirehoseActions)], rp)
	})
}

func FuzzDecodeFirehoseInput(f *testing.F) {
	for _, body := range []string{
		`{"DeliveryStreamName":"s","RedshiftDestinationConfiguration":{"Username":"u","Password":"p","S3Configuration":{"BucketARN":"b","RoleARN":"r","BufferingHints":{"SizeInMBs":3}}}}`,
		`{"Limit":10,"DeliveryStreamType":"DirectPut"}`,
		`{"DeliveryStreamName":"s","Records":[{"Data":"aGk="},{"Data":""}]}`,
		`{"MSKSourceConfiguration":{"ReadFromTimestamp":1.7e9},"HttpEndpointDestinationConfiguration":{"RequestConfiguration":{"CommonAttributes":[{"AttributeName":"n","AttributeValue":"v"}]}}}`,
		`{"ExtendedS3DestinationConfiguration":{"DataFormatConversionConfiguration":{"OutputFormatConfiguration":{"Serializer":{"OrcSerDe":{"BloomFilterFalsePositiveProbability":1e-300}}}}}}`,
		`{"Tags":[null,{"Key":"k"}]}`,
		`[`, `{"Limit":1e99}`,
	} {
		for i := range schemas.FirehoseActions {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, action uint8, body []byte) {
		name := schemas.FirehoseActions[int(action)%len(schemas.FirehoseActions)]
		in, err := schemas.DecodeFirehoseInput(name, body)
		if err != nil {
			if _, ok := err.(*schemas.FirehoseInputError); !ok {
				t.Fatalf("DecodeFirehoseInput error %T: %v", err, err)
			}
			return
		}
		got, err := schemas.FirehoseEventName(in)
		if err != nil || got != name {
			t.Fatalf("FirehoseEventName(decoded) = %q, %v; want %q", got, err, name)
		}
		rp, err := schemas.RenderFirehoseRequest(in)
		if err != nil {
			t.Fatalf("RenderFirehoseRequest(decoded %s): %v", body, err)
		}
		if rp == nil {
			return
		}
		if !json.Valid(rp) {
			t.Fatalf("rendered %q is not JSON", rp)
		}
		if found := schemas.FindUnredactedSecrets(name, rp); len(found) > 0 {
			t.Fatalf("rendered request has unredacted secrets %q:\n%s", found, rp)
		}
		if again := schemas.RedactFirehoseRequestParameters(name, rp); !bytes.Equal(again, rp) {
			t.Fatalf("redacting rendered output changed it:\n%s\n%s", rp, again)
		}
	})
}

// FuzzRenderFirehose renders inputs filled from a fuzzed seed and checks
// that no secret put in them comes out.
func FuzzRenderFirehose(f *testing.F) {
	for i := range schemas.FirehoseActions {
		f.Add(uint8(i), uint64(i), uint8(128))
		f.Add(uint8(i), uint64(i+100), uint8(255))
	}
	req := requiredMembers(f)
	f.Fuzz(func(t *testing.T, action uint8, seed uint64, prob uint8) {
		name := schemas.FirehoseActions[int(action)%len(schemas.FirehoseActions)]
		in := newInput(t, name)
		newFiller(seed, float64(prob)/255, req).fillStruct(in.Elem())
		rp, err := schemas.RenderFirehoseRequest(in.Interface())
		if err != nil {
			t.Fatalf("RenderFirehoseRequest: %v", err)
		}
		if rp == nil {
			return
		}
		if !json.Valid(rp) || bytes.Contains(rp, []byte(secretPrefix)) {
			t.Fatalf("bad rendering:\n%s", rp)
		}
		checkRedaction(t, name, rp)
	})
}
