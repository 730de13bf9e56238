package cloudtrail

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// fuzzService is a service over a store of 50 events, a minute apart
// before DefaultStartTime.
func fuzzService(tb testing.TB) *Service {
	st := NewStore()
	for i := range 50 {
		rec := testRecord(i, DefaultStartTime.Add(-time.Duration(i)*time.Minute))
		if err := st.Add(&rec, rec.AppendJSON(nil)); err != nil {
			tb.Fatal(err)
		}
	}
	s, err := New(Config{Store: st, Clock: fixedClock{DefaultStartTime}, Trail: Trail{
		Name: "firetrail", Bucket: "b", HomeRegion: "us-east-1", AccountID: "111122223333",
	}, PublicKeyDER: []byte{1, 2, 3}, Fingerprint: "00", KeyValidFrom: DefaultStartTime.Add(-time.Hour)})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func fuzzCall() *awsapi.Call {
	return &awsapi.Call{RequestID: "r", Region: "us-east-1", Account: "111122223333"}
}

// checkAWS4xx fails unless err is an AWS error with a 4xx status.
func checkAWS4xx(t *testing.T, what string, err error) {
	t.Helper()
	ae, ok := errors.AsType[*awsapi.Error](err)
	if !ok || ae.Status < 400 || ae.Status > 499 || ae.Code == "" || ae.Message == "" {
		t.Fatalf("%s: %#v is not an AWS 4xx", what, err)
	}
}

// FuzzHandle sends any JSON body to any CloudTrail operation: a 4xx AWS
// error or valid JSON. A NextToken answered by LookupEvents or
// ListPublicKeys is accepted with the same parameters.
func FuzzHandle(f *testing.F) {
	ops := append(Operations(), "Bogus")
	for _, s := range []string{
		`{}`, `{"MaxResults":3}`, `{"MaxResults":2,"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateDeliveryStream"}]}`,
		`{"LookupAttributes":[{"AttributeKey":"ReadOnly","AttributeValue":"true"}],"MaxResults":1}`,
		`{"StartTime":1741079021.5,"EndTime":"1741079999"}`, `{"NextToken":"AAAA"}`, `{"trailNameList":["firetrail"],"includeShadowTrails":false}`,
		`{"Name":"firetrail"}`, `{"Name":"arn:aws:cloudtrail:us-east-1:111122223333:trail/firetrail"}`, `[`, `null`, `{"MaxResults":1e400}`,
		`{"EventCategory":"insight"}`, `{"StartTime":0,"EndTime":1}`,
	} {
		for i := range ops {
			f.Add(uint8(i), s)
		}
	}
	svc := fuzzService(f)
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		name := ops[int(op)%len(ops)]
		out, err := svc.Handle(fuzzCall(), name, []byte(body))
		if err != nil {
			checkAWS4xx(t, name+" "+body, err)
			return
		}
		var page struct{ NextToken string }
		if err := json.Unmarshal(out, &page); err != nil {
			t.Fatalf("%s %s: answer %q is not JSON: %v", name, body, out, err)
		}
		if page.NextToken == "" {
			return
		}
		var in map[string]any
		if json.Unmarshal([]byte(body), &in) != nil || in == nil {
			in = map[string]any{}
		}
		in["NextToken"] = page.NextToken
		next, _ := json.Marshal(in)
		if _, err := svc.Handle(fuzzCall(), name, next); err != nil {
			t.Fatalf("%s %s: its own NextToken refused: %v", name, next, err)
		}
	})
}

// FuzzNextToken checks that no string but a token the service made for
// the same parameters decodes, and that decode(encode(x)) is x.
func FuzzNextToken(f *testing.F) {
	svc := fuzzService(f)
	f.Add(svc.encodeToken(1, 1741079021, 7), uint64(1), int64(1741079021), uint32(7))
	f.Add("AAAA", uint64(0), int64(0), uint32(0))
	f.Add("", uint64(2), int64(-1), uint32(1<<31))
	f.Fuzz(func(t *testing.T, tok string, params uint64, at int64, seq uint32) {
		if gt, gseq, ok := svc.decodeToken(tok, params); ok {
			// Only a token made here decodes: re-encoding gives one that
			// decodes to the same position.
			again := svc.encodeToken(params, gt, gseq)
			if len(again) != len(tok) || again[:len(again)-1] != tok[:len(tok)-1] {
				t.Fatalf("token %q accepted but this service makes %q for it", tok, again)
			}
			if t2, s2, ok := svc.decodeToken(again, params); !ok || t2 != gt || s2 != gseq {
				t.Fatalf("token %q decodes to %d/%d, its re-encoding %q does not", tok, gt, gseq, again)
			}
		}
		enc := svc.encodeToken(params, at, seq)
		gt, gseq, ok := svc.decodeToken(enc, params)
		if !ok || gt != at || gseq != seq {
			t.Fatalf("decode(encode(%d,%d,%d)) = %d,%d,%v", params, at, seq, gt, gseq, ok)
		}
		if _, _, ok := svc.decodeToken(enc, params+1); ok {
			t.Fatalf("token for params %d accepted for %d", params, params+1)
		}
	})
}
