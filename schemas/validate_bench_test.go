package schemas

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/internal/cputime"
)

// benchNDJSON returns n Firehose records of about 1.5 KB, one per line: the
// CreateDeliveryStream record modernRecord and its Describe failure
// variant, alternating, with distinct eventIDs.
func benchNDJSON(tb testing.TB, n int) []byte {
	tb.Helper()
	describe := strings.NewReplacer(
		`"eventName":"CreateDeliveryStream"`, `"eventName":"DescribeDeliveryStream"`,
		`md/command#firehose.create-delivery-stream"`, `md/command#firehose.describe-delivery-stream","errorCode":"ResourceNotFoundException","errorMessage":"Firehose clickstream-to-s3 under account 111122223333 not found."`,
		`"readOnly":false`, `"readOnly":true`,
	).Replace(modernRecord)
	i := strings.Index(describe, `"requestParameters":`)
	j := strings.Index(describe, `"requestID":`)
	describe = describe[:i] + `"requestParameters":{"deliveryStreamName":"clickstream-to-s3"},"responseElements":null,` + describe[j:]
	var buf bytes.Buffer
	for k := range n {
		rec := modernRecord
		if k%2 == 1 {
			rec = describe
		}
		rec = strings.Replace(rec, "7d3b0e52-91a4-4c2f-8f57-3e9a0b6c1d28", fmt.Sprintf("7d3b0e52-91a4-4c2f-8f57-%012x", k), 1)
		buf.WriteString(rec)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkValidateNDJSON measures Validate on 1.5 KB Firehose records
// against a baseline of json.Unmarshal of the same bytes into any.
func BenchmarkValidateNDJSON(b *testing.B) {
	data := benchNDJSON(b, 1000)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	v := newValidator(b)
	for _, l := range lines[:2] {
		if p := v.Validate(l); len(p) != 0 {
			b.Fatalf("bench record invalid: %v", p)
		}
	}
	b.Logf("%d records, %d bytes, %.0f bytes/record", len(lines), len(data), float64(len(data))/float64(len(lines)))
	run := func(b *testing.B, f func([]byte)) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		cpu0 := cputime.Self()
		for b.Loop() {
			for _, l := range lines {
				f(l)
			}
		}
		records := float64(b.N * len(lines))
		b.ReportMetric(records/b.Elapsed().Seconds(), "records/s")
		// On a shared machine wall time includes waiting for a core; CPU
		// time (with -cpu 1) is what one core spends.
		if cpu := cputime.Self() - cpu0; cpu > 0 {
			b.ReportMetric(records/cpu.Seconds(), "records/cpu-s")
		}
	}
	b.Run("validate", func(b *testing.B) {
		run(b, func(l []byte) {
			if p := v.Validate(l); p != nil {
				b.Fatal(p)
			}
		})
	})
	b.Run("baseline=json.Unmarshal", func(b *testing.B) {
		run(b, func(l []byte) {
			var x any
			if err := json.Unmarshal(l, &x); err != nil {
				b.Fatal(err)
			}
		})
	})
}
