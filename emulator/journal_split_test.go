package emulator

import (
	"bytes"
	"encoding/json"
	"testing"
)

// splitLogFileSeeds are log files as the trail writes them, and shapes
// splitLogFile must leave to encoding/json.
var splitLogFileSeeds = []string{
	`{"Records":[]}`,
	`{"Records":[{"a":1}]}`,
	`{"Records":[{"eventID":"x","s":"a \"}\" b \\","n":{"m":[1,{"k":"]"}]}},{"b":[]}]}`,
	`{"Records":[{"a":"\\\\"},{"b":"\\\""}]}`,
	`{"Records": [{"a":1}]}`,
	`{"Records":[{"a":1},]}`,
	`{"Records":[{"a":1}{"b":2}]}`,
	`{"Records":[1]}`,
	`{"Records":[{"a":"}]}`,
}

// splitLogFile returns exactly the records encoding/json finds, for every
// log file both read; what it declines, encoding/json still reads.
func FuzzSplitLogFile(f *testing.F) {
	for _, s := range splitLogFileSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		recs, ok := splitLogFile(raw)
		var lf struct {
			Records []json.RawMessage `json:"Records"`
		}
		if !ok || json.Unmarshal(raw, &lf) != nil {
			return
		}
		if len(recs) != len(lf.Records) {
			t.Fatalf("%q: %d records, encoding/json %d", raw, len(recs), len(lf.Records))
		}
		for i := range recs {
			if !bytes.Equal(recs[i], lf.Records[i]) {
				t.Fatalf("%q: record %d %q, encoding/json %q", raw, i, recs[i], lf.Records[i])
			}
		}
	})
}

// The trail's own files split; other shapes are declined.
func TestSplitLogFile(t *testing.T) {
	for i, s := range splitLogFileSeeds {
		recs, ok := splitLogFile([]byte(s))
		want := i < 4 // the trail's shape
		if ok != want {
			t.Errorf("%s: ok %v, want %v", s, ok, want)
		}
		if i == 2 && (len(recs) != 2 || string(recs[1]) != `{"b":[]}`) {
			t.Errorf("%s: records %q", s, recs)
		}
	}
}

// BenchmarkLogRecords reads the records of a log file of 200 Firehose
// call records (as s3Sink.Put does to note the journaled ones delivered):
// the split, and encoding/json as before.
func BenchmarkLogRecords(b *testing.B) {
	var raw []byte
	raw = append(raw, `{"Records":[`...)
	rec := []byte(`{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/u","accountId":"111122223333","accessKeyId":"AKIDEXAMPLE","userName":"u"},"eventTime":"2026-01-01T00:00:00Z","eventSource":"firehose.amazonaws.com","eventName":"DescribeDeliveryStream","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"aws-sdk-go-v2/1.41.0 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/firehose#1.41.0 m/E,g","requestParameters":{"deliveryStreamName":"bench \"quoted\" \\ name"},"responseElements":null,"requestID":"a1b2c3d4-5678-90ab-cdef-EXAMPLE11111","eventID":"a1b2c3d4-5678-90ab-cdef-EXAMPLE22222","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"127.0.0.1"}}`)
	for i := range 200 {
		if i > 0 {
			raw = append(raw, ',')
		}
		raw = append(raw, rec...)
	}
	raw = append(raw, `]}`...)
	b.Run("split", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if recs, ok := splitLogFile(raw); !ok || len(recs) != 200 {
				b.Fatal("not split")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			var lf struct {
				Records []json.RawMessage `json:"Records"`
			}
			if err := json.Unmarshal(raw, &lf); err != nil || len(lf.Records) != 200 {
				b.Fatal(err)
			}
		}
	})
}
