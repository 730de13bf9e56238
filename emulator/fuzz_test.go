package emulator

import (
	"encoding/json"
	fhapi "github.com/firetrail/firetrail/emulator/internal/firehose"
	"testing"
	"time"
)

// fuzzAPI checks that any body to any of ops gets either a 200 or a 4xx
// JSON 1.1 error, never a panic or a 5xx.
func fuzzAPI(f *testing.F, prefix string, ops []string, seeds []string) {
	e := newTestEmulator(f)
	for i := range 20 {
		_ = e.Record(testRecord(i, e.Now().Add(-time.Duration(i)*time.Minute)))
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
	}
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		target := prefix + ops[int(op)%len(ops)]
		w := call(e, target, ctJSON, body)
		if w.Code == 200 {
			if !json.Valid(w.Body.Bytes()) {
				t.Fatalf("%s %q: 200 with invalid JSON %q", target, body, w.Body.String())
			}
			return
		}
		if w.Code < 400 || w.Code >= 500 {
			t.Fatalf("%s %q: status %d %s", target, body, w.Code, w.Body.String())
		}
		var eb struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &eb); err != nil || eb.Type == "" {
			t.Fatalf("%s %q: error body %q is not the JSON 1.1 shape", target, body, w.Body.String())
		}
	})
}

func FuzzCloudTrailAPI(f *testing.F) {
	fuzzAPI(f, ctLong, []string{"LookupEvents", "ListPublicKeys", "DescribeTrails", "GetTrailStatus", "Bogus"}, []string{
		`{}`, `{"MaxResults":3}`, `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateDeliveryStream"}]}`,
		`{"StartTime":1741079021.5,"EndTime":"1741079999"}`, `{"NextToken":"AAAA"}`, `{"trailNameList":["firetrail"]}`,
		`{"Name":"firetrail"}`, `[`, `null`, `{"MaxResults":1e400}`,
	})
}

func FuzzFirehoseAPI(f *testing.F) {
	fuzzAPI(f, fhapi.TargetPrefix, []string{"CreateDeliveryStream", "DeleteDeliveryStream", "DescribeDeliveryStream",
		"ListDeliveryStreams", "ListTagsForDeliveryStream", "PutRecord", "PutRecordBatch", "StartDeliveryStreamEncryption",
		"StopDeliveryStreamEncryption", "TagDeliveryStream", "UntagDeliveryStream", "UpdateDestination"}, []string{
		`{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::1:role/r"}}`,
		`{"DeliveryStreamName":"s"}`, `{"DeliveryStreamName":"s","Limit":0}`, `{}`,
		`{"DeliveryStreamName":"s","Record":{"Data":"aGVsbG8="}}`, `{"DeliveryStreamName":"s","Records":[{"Data":"eA=="}]}`,
		`{"DeliveryStreamName":"s","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`,
		`{"DeliveryStreamName":"s","Tags":[{"Key":"k","Value":"v"}]}`, `{"DeliveryStreamName":"s","TagKeys":["k"]}`,
		`{"DeliveryStreamName":"s","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"p/"}}`,
		`{"DeliveryStreamName":"s","RedshiftDestinationConfiguration":{"Password":"p"}}`,
	})
}
