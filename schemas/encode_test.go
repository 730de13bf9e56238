package schemas

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// marshalStd is the encoding/json baseline: compact, HTML escaping off.
func marshalStd(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// seedRecords returns the five records of the AWS page example
// (testdata/seed_example.json).
func seedRecords(t testing.TB) ([]byte, []Record) {
	t.Helper()
	data, err := os.ReadFile("testdata/seed_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var lf LogFile
	if err := json.Unmarshal(data, &lf); err != nil {
		t.Fatalf("decode seed example: %v", err)
	}
	return data, lf.Records
}

func TestAppendJSONSeedRoundTrip(t *testing.T) {
	// The seed's envelope keys are in AWS's order, so decoding and
	// re-encoding each record must give back its exact bytes when the
	// members are compared as values, and the envelope key order exactly.
	data, recs := seedRecords(t)
	if len(recs) != 5 {
		t.Fatalf("seed example has %d records, want 5", len(recs))
	}
	var buf bytes.Buffer
	lw := NewLogFileWriter(&buf)
	for _, r := range recs {
		if err := lw.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Errorf("log file differs from testdata/seed_example.json:\n got %.400s\nwant %.400s", buf.Bytes(), data)
	}
}

func TestAppendJSONAbsentVersusNull(t *testing.T) {
	r := Record{EventVersion: "1.08", EventTime: time.Date(2025, 3, 4, 9, 3, 41, 0, time.UTC), EventName: "DescribeDeliveryStream"}
	got := string(r.AppendJSON(nil))
	for _, want := range []string{`"requestParameters":null`, `"responseElements":null`} {
		if !strings.Contains(got, want) {
			t.Errorf("AppendJSON = %s, want it to contain %s", got, want)
		}
	}
	for _, absent := range []string{"errorCode", "errorMessage", "readOnly", "managementEvent", "tlsDetails", "additionalEventData", "resources"} {
		if strings.Contains(got, absent) {
			t.Errorf("AppendJSON = %s, want no %s", got, absent)
		}
	}
	r.ReadOnly = BoolFalse
	r.SessionCredentialFromConsole = "true"
	got = string(r.AppendJSON(nil))
	if !strings.Contains(got, `"readOnly":false`) || !strings.Contains(got, `"sessionCredentialFromConsole":"true"`) {
		t.Errorf("AppendJSON = %s, want readOnly false and sessionCredentialFromConsole \"true\"", got)
	}
}

func TestAppendJSONEmptyObjectsKept(t *testing.T) {
	u := UserIdentity{Type: IdentityRoot, SessionContext: &SessionContext{SessionIssuer: &SessionIssuer{}, WebIDFederationData: &WebIDFederationData{}}}
	got := string(u.AppendJSON(nil))
	want := `{"type":"Root","sessionContext":{"sessionIssuer":{},"webIdFederationData":{}}}`
	if got != want {
		t.Errorf("AppendJSON = %s, want %s", got, want)
	}
}

// TestAppendJSONMatchesEncodingJSON is the property test: for many random
// records, AppendJSON equals encoding/json, and decode → encode is stable.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 5000
	if testing.Short() {
		n = 500
	}
	for i := range n {
		r := randomRecord(rng)
		got := r.AppendJSON(nil)
		want := marshalStd(t, &r)
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d: AppendJSON =\n%s\nencoding/json =\n%s", i, got, want)
		}
		// Invalid UTF-8 is written as \ufffd, which decodes to U+FFFD and
		// is then written raw, so the first decode → encode may change
		// bytes; from then on the encoding is a fixed point.
		once := reencode(t, got)
		if twice := reencode(t, once); !bytes.Equal(twice, once) {
			t.Fatalf("record %d: decode → encode changed bytes:\n got %s\nwant %s", i, twice, once)
		}
		if utf8.ValidString(r.UserIdentity.UserName+r.EventName+r.ErrorMessage+r.UserAgent) && !bytes.Equal(once, got) && validUTF8Record(&r) {
			t.Fatalf("record %d: decode → encode changed a valid record:\n got %s\nwant %s", i, once, got)
		}
	}
}

func reencode(t *testing.T, data []byte) []byte {
	t.Helper()
	var back Record
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return back.AppendJSON(nil)
}

// validUTF8Record reports whether every string of r's encoding came from
// valid UTF-8, checked on the encoding/json output of r.
func validUTF8Record(r *Record) bool {
	data, _ := json.Marshal(r)
	return !bytes.Contains(data, []byte(`\ufffd`))
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("CreateDeliveryStream", "aws-cli/2 <&>", "\u2028\x00\xff", `{"a": [1, "b c"]}`)
	f.Fuzz(func(t *testing.T, name, ua, msg, raw string) {
		r := Record{EventVersion: "1.08", EventName: name, UserAgent: ua, ErrorMessage: msg,
			UserIdentity: UserIdentity{UserName: msg}}
		if json.Valid([]byte(raw)) {
			r.RequestParameters = json.RawMessage(raw)
		}
		got := r.AppendJSON(nil)
		if !json.Valid(got) {
			t.Fatalf("AppendJSON wrote invalid JSON: %q", got)
		}
		if want := marshalStd(t, &r); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON = %q, encoding/json = %q", got, want)
		}
		var e Encoder // the identity encoded, then remembered
		for range 2 {
			if enc := e.AppendRecord(nil, &r); !bytes.Equal(enc, got) {
				t.Fatalf("Encoder = %q, AppendJSON = %q", enc, got)
			}
		}
	})
}

const alphabet = "abcXYZ019 -_/:.\"\\<>&\n\t\r\b\f\x00\x1f\x7fé€\u2028\u2029😀\xff\xc3"

func randomString(rng *rand.Rand) string {
	if rng.Intn(3) == 0 {
		return ""
	}
	runes := []rune(alphabet)
	var b strings.Builder
	for range rng.Intn(12) {
		if rng.Intn(10) == 0 {
			b.WriteByte(byte(rng.Intn(256))) // raw bytes, often invalid UTF-8
			continue
		}
		b.WriteRune(runes[rng.Intn(len(runes))])
	}
	return b.String()
}

func randomRaw(rng *rand.Rand) json.RawMessage {
	switch rng.Intn(5) {
	case 0:
		return nil
	case 1:
		return json.RawMessage(`{ "deliveryStreamName" : "s\t1", "limit": 10, "tags":[ {"key":"a b","value":"<&>"} ] }`)
	case 2:
		return json.RawMessage(`{"deliveryStreamARN":"arn:aws:firehose:us-east-1:111122223333:deliverystream/x"}`)
	case 3:
		v := map[string]any{"s": randomString(rng), "n": rng.Intn(1000), "b": rng.Intn(2) == 0}
		data, _ := json.Marshal(v)
		return data
	}
	return json.RawMessage(`[ 1 , 2 ,"\" ]"]`)
}

func randomBool(rng *rand.Rand) OptBool { return OptBool(rng.Intn(3)) }

func randomRecord(rng *rand.Rand) Record {
	s := func() string { return randomString(rng) }
	r := Record{
		EventVersion:                 s(),
		EventTime:                    time.Unix(rng.Int63n(2e9), 0).UTC(),
		EventSource:                  s(),
		EventName:                    s(),
		AWSRegion:                    s(),
		SourceIPAddress:              s(),
		UserAgent:                    s(),
		ErrorCode:                    s(),
		ErrorMessage:                 s(),
		RequestParameters:            randomRaw(rng),
		ResponseElements:             randomRaw(rng),
		AdditionalEventData:          randomRaw(rng),
		RequestID:                    s(),
		EventID:                      s(),
		ReadOnly:                     randomBool(rng),
		EventType:                    s(),
		APIVersion:                   s(),
		ManagementEvent:              randomBool(rng),
		RecipientAccountID:           s(),
		ServiceEventDetails:          randomRaw(rng),
		SharedEventID:                s(),
		VPCEndpointID:                s(),
		VPCEndpointAccountID:         s(),
		EventCategory:                s(),
		SessionCredentialFromConsole: s(),
		UserIdentity: UserIdentity{
			Type: s(), PrincipalID: s(), ARN: s(), AccountID: s(), AccessKeyID: s(),
			UserName: s(), InvokedBy: s(), CredentialID: s(), IdentityProvider: s(),
		},
	}
	if rng.Intn(2) == 0 {
		r.EventTime = r.EventTime.Add(time.Duration(rng.Intn(1e9)))
	}
	if rng.Intn(2) == 0 {
		r.Resources = []Resource{{AccountID: s(), Type: s(), ARN: s()}, {ARN: s()}}
	}
	if rng.Intn(3) == 0 {
		r.Addendum = &Addendum{Reason: s(), UpdatedFields: s(), OriginalRequestID: s(), OriginalEventID: s()}
	}
	if rng.Intn(2) == 0 {
		r.TLSDetails = &TLSDetails{TLSVersion: s(), CipherSuite: s(), ClientProvidedHostHeader: s(), KeyExchange: s()}
	}
	if rng.Intn(2) == 0 {
		sc := &SessionContext{SourceIdentity: s(), EC2RoleDelivery: s(), AssumedRoot: s(), SignInSessionARN: s()}
		if rng.Intn(2) == 0 {
			sc.SessionIssuer = &SessionIssuer{Type: s(), PrincipalID: s(), ARN: s(), AccountID: s(), UserName: s()}
		}
		if rng.Intn(2) == 0 {
			sc.WebIDFederationData = &WebIDFederationData{FederatedProvider: s()}
			if rng.Intn(2) == 0 {
				sc.WebIDFederationData.Attributes = json.RawMessage(`{"aud": "x", "sub":"y"}`)
			}
		}
		if rng.Intn(2) == 0 {
			sc.Attributes = &SessionAttributes{CreationDate: s(), MFAAuthenticated: s()}
		}
		r.UserIdentity.SessionContext = sc
	}
	if rng.Intn(3) == 0 {
		r.UserIdentity.InvokedByDelegate = &InvokedByDelegate{AccountID: s()}
		r.UserIdentity.OnBehalfOf = &OnBehalfOf{UserID: s(), IdentityStoreARN: s()}
		r.UserIdentity.InScopeOf = &InScopeOf{SourceARN: s(), SourceAccount: s(), IssuerType: s(), CredentialsIssuedTo: s()}
	}
	return r
}

// BenchmarkAppendJSON encodes the seed's CreateDeliveryStream record with
// AppendJSON, with an Encoder (the identity remembered) and, as the
// baseline in the same run, with encoding/json.
func BenchmarkAppendJSON(b *testing.B) {
	_, recs := seedRecords(b)
	rec := recs[0]
	want := rec.AppendJSON(nil)
	b.Run("append", func(b *testing.B) {
		buf := make([]byte, 0, 2*len(want))
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			buf = rec.AppendJSON(buf[:0])
		}
	})
	b.Run("encoder", func(b *testing.B) {
		var e Encoder
		buf := make([]byte, 0, 2*len(want))
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			buf = e.AppendRecord(buf[:0], &rec)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(&rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// appendTime writes what AppendFormat(RFC3339Nano) writes: UTC whole
// seconds from 1970 to 9999 by its own path (every day's first and last
// second to 2110, leap days, random instants), the rest (before 1970,
// from 10000, fractions, other locations) through AppendFormat; the same
// with a date memo shared by every call (the day's last second takes its
// date from the memo, the instants out of order replace it).
func TestAppendTime(t *testing.T) {
	var memo dateMemo
	check := func(tm time.Time) {
		t.Helper()
		want := "x" + tm.Format(time.RFC3339Nano)
		if got := string(appendTime([]byte("x"), tm, nil)); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
		if got := string(appendTime([]byte("x"), tm, &memo)); got != want {
			t.Fatalf("appendTime(%v) with the memo of day %d = %s, want %s", tm, memo.day-1, got, want)
		}
	}
	for day := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() < 2110; day = day.AddDate(0, 0, 1) {
		check(day)
		check(day.Add(24*time.Hour - time.Second))
	}
	for _, tm := range []time.Time{
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2100, 2, 28, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 3, 4, 9, 0, 0, 1, time.UTC),
		time.Date(2025, 3, 4, 9, 0, 0, 500_000_000, time.UTC),
		time.Date(2025, 3, 4, 9, 0, 0, 0, time.FixedZone("x", 3600)),
		time.Date(2025, 3, 4, 9, 0, 0, 0, time.Local),
		{},
	} {
		check(tm)
	}
	r := rand.New(rand.NewSource(1))
	for range 100_000 {
		check(time.Unix(r.Int63n(maxFastTime+1000), 0).UTC())
	}
}
