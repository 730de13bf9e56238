package firehose

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/generator"
	"github.com/firetrail/firetrail/schemas"
)

// TestErrorsAsGenerated: the emulator answers the situations the
// generator writes failures for with the same code and message: both take
// them from the error table of schemas. Failed records of a generated
// world (in the emulator's account and region) are replayed against the
// emulator, and its answer must be the record's errorCode and
// errorMessage.
func TestErrorsAsGenerated(t *testing.T) {
	g, err := generator.New(generator.Config{Seed: 3, Events: 40_000, AccountIDs: []string{"111122223333"}, Regions: []string{"us-east-1"}, ErrorShare: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	// The first failed record of each situation.
	situations := map[string]schemas.Record{}
	for rec := range g.Records() {
		var key string
		switch {
		case rec.ErrorCode == schemas.FirehoseResourceNotFound && rec.EventName == "DescribeDeliveryStream":
			key = "not found"
		case rec.ErrorCode == schemas.FirehoseResourceInUse && rec.EventName == "CreateDeliveryStream":
			key = "already exists"
		case rec.ErrorCode == schemas.FirehoseResourceInUse && rec.EventName == "UpdateDestination":
			key = "not active"
		case rec.ErrorCode == schemas.FirehoseConcurrentModification:
			key = "version"
		case rec.ErrorCode == schemas.FirehoseInvalidArgument && rec.EventName == "StartDeliveryStreamEncryption" && strings.HasPrefix(rec.ErrorMessage, "Server-side"):
			key = "source type"
		default:
			continue
		}
		if _, ok := situations[key]; !ok {
			situations[key] = rec
		}
	}
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"not found", "already exists", "not active", "version", "source type"} {
		rec, ok := situations[key]
		if !ok {
			t.Errorf("no generated failure of situation %q", key)
			continue
		}
		t.Run(key, func(t *testing.T) {
			var req struct {
				Name    string `json:"deliveryStreamName"`
				Version string `json:"currentDeliveryStreamVersionId"`
			}
			if err := json.Unmarshal(rec.RequestParameters, &req); err != nil {
				t.Fatal(err)
			}
			cfg := Config{CreateDelay: -1}
			if key == "not active" {
				cfg.CreateDelay = 0 // the default: CREATING for a while
			}
			s, _, _ := testService(t, cfg)
			var got *schemas.Record
			s.record = func(r *schemas.Record, _ string, _ *Change) error { got = r; return nil }
			name := strconv.Quote(req.Name)
			create := `{"DeliveryStreamName":` + name + `,"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::111122223333:role/r","BucketARN":"arn:aws:s3:::b"}}`
			update := func(version string) string {
				return `{"DeliveryStreamName":` + name + `,"CurrentDeliveryStreamVersionId":"` + version + `","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"p/"}}`
			}
			mustDo := func(op, body string) {
				t.Helper()
				if err := do(t, s, op, body); err != nil {
					t.Fatalf("%s: %v", op, err)
				}
			}
			var op, body string
			switch key {
			case "not found":
				op, body = "DescribeDeliveryStream", `{"DeliveryStreamName":`+name+`}`
			case "already exists":
				mustDo("CreateDeliveryStream", create)
				op, body = "CreateDeliveryStream", create
			case "not active":
				mustDo("CreateDeliveryStream", create)
				op, body = "UpdateDestination", update(req.Version)
			case "version":
				// The stream at the version the generated message names.
				current := strings.TrimSuffix(strings.SplitN(rec.ErrorMessage, "current version id: ", 2)[1], " and specified version id: "+req.Version+" do not match")
				mustDo("CreateDeliveryStream", create)
				for v := 1; strconv.Itoa(v) != current; v++ {
					if v > 1000 {
						t.Fatalf("current version %q in %q", current, rec.ErrorMessage)
					}
					mustDo("UpdateDestination", update(strconv.Itoa(v)))
				}
				op, body = "UpdateDestination", update(req.Version)
			case "source type":
				typ := strings.TrimSuffix(strings.TrimPrefix(rec.ErrorMessage, "Server-side encryption is not supported for delivery streams of type "), ".")
				source := map[string]string{
					"KinesisStreamAsSource": `,"KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:111122223333:stream/k","RoleARN":"arn:aws:iam::111122223333:role/r"}`,
					"MSKAsSource":           `,"MSKSourceConfiguration":{"MSKClusterARN":"arn:aws:kafka:us-east-1:111122223333:cluster/c/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0-1","TopicName":"t","AuthenticationConfiguration":{"RoleARN":"arn:aws:iam::111122223333:role/r","Connectivity":"PRIVATE"}}`,
				}[typ]
				if source == "" {
					t.Skipf("stream type %s", typ)
				}
				mustDo("CreateDeliveryStream", strings.Replace(create, `,"ExtendedS3`, `,"DeliveryStreamType":"`+typ+`"`+source+`,"ExtendedS3`, 1))
				op, body = "StartDeliveryStreamEncryption", `{"DeliveryStreamName":`+name+`}`
			}
			err := do(t, s, op, body)
			ae, ok := err.(*awsapi.Error)
			if !ok {
				t.Fatalf("%s answered %v", op, err)
			}
			if ae.Code != rec.ErrorCode || ae.Message != rec.ErrorMessage {
				t.Errorf("emulator answers %s: %q\ngenerator writes %s: %q", ae.Code, ae.Message, rec.ErrorCode, rec.ErrorMessage)
			}
			if got == nil || got.ErrorCode != rec.ErrorCode || got.ErrorMessage != rec.ErrorMessage {
				t.Errorf("emulator records %+v", got)
			}
		})
	}
}
