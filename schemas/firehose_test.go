package schemas_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

func TestRenderFirehoseRequest(t *testing.T) {
	at := time.Date(2025, 3, 4, 21, 0, 12, 0, time.FixedZone("x", 3600))
	for _, tc := range []struct {
		name string
		in   any
		want string // "" means nil (null)
	}{
		{"list without parameters is null", &firehose.ListDeliveryStreamsInput{}, ""},
		{"nil input is null", (*firehose.DeleteDeliveryStreamInput)(nil), ""},
		{"value input", firehose.ListDeliveryStreamsInput{Limit: aws.Int32(10)}, `{"limit":10}`},
		{"enum and bool", &firehose.ListDeliveryStreamsInput{DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource},
			`{"deliveryStreamType":"KinesisStreamAsSource"}`},
		{"false bool is written", &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("s"), AllowForceDelete: aws.Bool(false)},
			`{"deliveryStreamName":"s","allowForceDelete":false}`},
		{"empty list is kept", &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("s"), TagKeys: []string{}},
			`{"deliveryStreamName":"s","tagKeys":[]}`},
		{"tags", &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("s"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v<&>\"")}, {Key: aws.String("only")}}},
			`{"deliveryStreamName":"s","tags":[{"key":"k","value":"v<&>\""},{"key":"only"}]}`},
		{"record data is never rendered", &firehose.PutRecordInput{DeliveryStreamName: aws.String("s"), Record: &types.Record{Data: []byte("payload")}},
			`{"deliveryStreamName":"s","record":{}}`},
		{"batch data is never rendered", &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("s"), Records: []types.Record{{Data: []byte("a")}, {Data: []byte("b")}}},
			`{"deliveryStreamName":"s","records":[{},{}]}`},
		{"encryption key names", &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("s"),
			DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeCustomerManagedCmk, KeyARN: aws.String("arn:aws:kms:eu-west-1:111122223333:key/k")}},
			`{"deliveryStreamName":"s","deliveryStreamEncryptionConfigurationInput":{"keyARN":"arn:aws:kms:eu-west-1:111122223333:key/k","keyType":"CUSTOMER_MANAGED_CMK"}}`},
		{"msk source, timestamp in UTC", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("s"), DeliveryStreamType: types.DeliveryStreamTypeMSKAsSource,
			MSKSourceConfiguration: &types.MSKSourceConfiguration{MSKClusterARN: aws.String("arn:c"), TopicName: aws.String("t"),
				AuthenticationConfiguration: &types.AuthenticationConfiguration{RoleARN: aws.String("arn:r"), Connectivity: types.ConnectivityPrivate}, ReadFromTimestamp: &at}},
			`{"deliveryStreamName":"s","deliveryStreamType":"MSKAsSource","mSKSourceConfiguration":{"mSKClusterARN":"arn:c","topicName":"t","authenticationConfiguration":{"roleARN":"arn:r","connectivity":"PRIVATE"},"readFromTimestamp":"Mar 4, 2025, 8:00:12 PM"}}`},
		{"splunk, model order, token redacted", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("s"),
			SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{HECToken: aws.String("tok"), HECEndpointType: types.HECEndpointTypeRaw, HECEndpoint: aws.String("https://h")}},
			`{"deliveryStreamName":"s","splunkDestinationConfiguration":{"hECEndpoint":"https://h","hECEndpointType":"Raw","hECToken":"HIDDEN_DUE_TO_SECURITY_REASONS"}}`},
		{"opensearch name and floats", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("s"),
			AmazonopensearchserviceDestinationConfiguration: &types.AmazonopensearchserviceDestinationConfiguration{IndexName: aws.String("i")},
			ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{DataFormatConversionConfiguration: &types.DataFormatConversionConfiguration{
				OutputFormatConfiguration: &types.OutputFormatConfiguration{Serializer: &types.Serializer{OrcSerDe: &types.OrcSerDe{BloomFilterFalsePositiveProbability: aws.Float64(0.0000001)}}}}}},
			`{"deliveryStreamName":"s","extendedS3DestinationConfiguration":{"dataFormatConversionConfiguration":{"outputFormatConfiguration":{"serializer":{"orcSerDe":{"bloomFilterFalsePositiveProbability":1e-7}}}}},"amazonopensearchserviceDestinationConfiguration":{"indexName":"i"}}`},
		{"http endpoint secrets", &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("s"),
			HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
				EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://u"), Name: aws.String("n"), AccessKey: aws.String("k")},
				RequestConfiguration: &types.HttpEndpointRequestConfiguration{ContentEncoding: types.ContentEncodingGzip,
					CommonAttributes: []types.HttpEndpointCommonAttribute{{AttributeName: aws.String("a"), AttributeValue: aws.String("b")}}}}},
			`{"deliveryStreamName":"s","httpEndpointDestinationConfiguration":{"endpointConfiguration":{"url":"HIDDEN_DUE_TO_SECURITY_REASONS","name":"n","accessKey":"HIDDEN_DUE_TO_SECURITY_REASONS"},"requestConfiguration":{"contentEncoding":"GZIP","commonAttributes":[{"attributeName":"HIDDEN_DUE_TO_SECURITY_REASONS","attributeValue":"HIDDEN_DUE_TO_SECURITY_REASONS"}]}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schemas.RenderFirehoseRequest(tc.in)
			if err != nil {
				t.Fatalf("RenderFirehoseRequest: %v", err)
			}
			if string(got) != tc.want {
				t.Errorf("RenderFirehoseRequest =\n%s\nwant\n%s", got, tc.want)
			}
			name, err := schemas.FirehoseEventName(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if again := schemas.RedactFirehoseRequestParameters(name, got); string(again) != tc.want {
				t.Errorf("RedactFirehoseRequestParameters(rendered) = %s", again)
			}
		})
	}
}

func TestRendererSettings(t *testing.T) {
	in := &firehose.UpdateDestinationInput{
		DeliveryStreamName: aws.String("s"), CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("d"),
		SplunkDestinationUpdate: &types.SplunkDestinationUpdate{HECToken: aws.String("hec-1234")},
	}
	for _, tc := range []struct {
		name string
		r    schemas.Renderer
		want string
	}{
		{"default", schemas.Renderer{}, `"hECToken":"HIDDEN_DUE_TO_SECURITY_REASONS"`},
		{"placeholder", schemas.Renderer{Placeholder: "***"}, `"hECToken":"***"`},
		{"show token", schemas.Renderer{ShowHECToken: true}, `"hECToken":"hec-1234"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.RenderRequest(in)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tc.want) {
				t.Errorf("RenderRequest = %s, want it to contain %s", got, tc.want)
			}
			if ptrs := tc.r.FindUnredactedSecrets("UpdateDestination", got); len(ptrs) != 0 {
				t.Errorf("FindUnredactedSecrets = %q, want none", ptrs)
			}
		})
	}
	// A record made with one placeholder is flagged by the default checker.
	got, _ := schemas.Renderer{Placeholder: "***"}.RenderRequest(in)
	if ptrs := schemas.FindUnredactedSecrets("UpdateDestination", got); !slices.Equal(ptrs, []string{"/splunkDestinationUpdate/hECToken"}) {
		t.Errorf("FindUnredactedSecrets = %q", ptrs)
	}
	at := time.Date(2025, 3, 4, 9, 0, 12, 0, time.UTC)
	msk := &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("s"), MSKSourceConfiguration: &types.MSKSourceConfiguration{ReadFromTimestamp: &at}}
	got, err := schemas.Renderer{TimeLayout: time.RFC3339}.RenderRequest(msk)
	if err != nil || !strings.Contains(string(got), `"readFromTimestamp":"2025-03-04T09:00:12Z"`) {
		t.Errorf("RenderRequest with RFC 3339 = %s, %v", got, err)
	}
}

func TestRenderFirehoseErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
	}{
		{"nil", nil},
		{"not firehose", &struct{ A int }{}},
		{"string", "CreateDeliveryStream"},
		{"output", &firehose.CreateDeliveryStreamOutput{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schemas.RenderFirehoseRequest(tc.in)
			if err == nil {
				t.Fatalf("RenderFirehoseRequest(%T) = %s, want an error", tc.in, got)
			}
			if tc.name != "output" && !errors.Is(err, schemas.ErrUnknownFirehoseAction) {
				t.Errorf("error %v does not wrap ErrUnknownFirehoseAction", err)
			}
			dst, err := schemas.AppendFirehoseRequest([]byte("keep"), tc.in)
			if err == nil || string(dst) != "keep" {
				t.Errorf("AppendFirehoseRequest = %q, %v; want dst unchanged and an error", dst, err)
			}
		})
	}
	if _, err := schemas.RenderFirehoseResponse(&firehose.CreateDeliveryStreamInput{}); err == nil {
		t.Error("RenderFirehoseResponse(input) gave no error")
	}
	if _, err := schemas.FirehoseEventName(42); !errors.Is(err, schemas.ErrUnknownFirehoseAction) {
		t.Errorf("FirehoseEventName(42) error = %v", err)
	}
	bad := &firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{DataFormatConversionConfiguration: &types.DataFormatConversionConfiguration{
		OutputFormatConfiguration: &types.OutputFormatConfiguration{Serializer: &types.Serializer{OrcSerDe: &types.OrcSerDe{BloomFilterFalsePositiveProbability: aws.Float64(nan())}}}}}}
	if got, err := schemas.RenderFirehoseRequest(bad); err == nil {
		t.Errorf("RenderFirehoseRequest(NaN) = %s, want an error", got)
	}
}

func nan() float64 { var z float64; return z / z }

func TestRenderFirehoseResponse(t *testing.T) {
	got, err := schemas.RenderFirehoseResponse(&firehose.CreateDeliveryStreamOutput{DeliveryStreamARN: aws.String("arn:aws:firehose:us-east-1:111122223333:deliverystream/s")})
	if want := `{"deliveryStreamARN":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s"}`; err != nil || string(got) != want {
		t.Errorf("RenderFirehoseResponse(create) = %s, %v; want %s", got, err, want)
	}
	for _, out := range []any{&firehose.DeleteDeliveryStreamOutput{}, &firehose.DescribeDeliveryStreamOutput{}, &firehose.PutRecordOutput{RecordId: aws.String("r")}, (*firehose.CreateDeliveryStreamOutput)(nil)} {
		if got, err := schemas.RenderFirehoseResponse(out); got != nil || err != nil {
			t.Errorf("RenderFirehoseResponse(%T) = %s, %v; want nil", out, got, err)
		}
	}
}

func TestFirehoseReadOnly(t *testing.T) {
	for _, a := range schemas.FirehoseActions {
		want := strings.HasPrefix(a, "Describe") || strings.HasPrefix(a, "List")
		if got := schemas.FirehoseReadOnly(a); got != want {
			t.Errorf("FirehoseReadOnly(%q) = %v, want %v", a, got, want)
		}
	}
	if schemas.FirehoseReadOnly("GetRecords") {
		t.Error("FirehoseReadOnly(unknown) = true")
	}
}

func TestRedactFirehoseRequestParameters(t *testing.T) {
	const h = `"HIDDEN_DUE_TO_SECURITY_REASONS"`
	for _, tc := range []struct {
		name, event, in, want string
		found                 []string // FindUnredactedSecrets on in
	}{
		{"redshift", "CreateDeliveryStream",
			`{"deliveryStreamName":"s","redshiftDestinationConfiguration":{"username":"admin","password":"p@ss","roleARN":"r"}}`,
			`{"deliveryStreamName":"s","redshiftDestinationConfiguration":{"username":"","password":"","roleARN":"r"}}`,
			[]string{"/redshiftDestinationConfiguration/username", "/redshiftDestinationConfiguration/password"}},
		{"already redacted", "UpdateDestination",
			`{"redshiftDestinationUpdate":{"username":"","password":""}}`,
			`{"redshiftDestinationUpdate":{"username":"","password":""}}`, nil},
		{"whitespace is compacted, bytes kept", "CreateDeliveryStream",
			"{ \"deliveryStreamName\" : \"a\\u0041\\n\" ,\n \"tags\": [ {\"key\":1e3} ] }",
			`{"deliveryStreamName":"a\u0041\n","tags":[{"key":1e3}]}`, nil},
		{"arrays of attributes", "CreateDeliveryStream",
			`{"httpEndpointDestinationConfiguration":{"requestConfiguration":{"commonAttributes":[{"attributeName":"a","attributeValue":"b"},{"attributeName":` + h + `}]}}}`,
			`{"httpEndpointDestinationConfiguration":{"requestConfiguration":{"commonAttributes":[{"attributeName":` + h + `,"attributeValue":` + h + `},{"attributeName":` + h + `}]}}}`,
			[]string{"/httpEndpointDestinationConfiguration/requestConfiguration/commonAttributes/0/attributeName", "/httpEndpointDestinationConfiguration/requestConfiguration/commonAttributes/0/attributeValue"}},
		{"non-string secret replaced whole", "CreateDeliveryStream",
			`{"snowflakeDestinationConfiguration":{"privateKey":{"pem":"x"},"user":["u"],"snowflakeRoleConfiguration":{"enabled":true,"snowflakeRole":7}}}`,
			`{"snowflakeDestinationConfiguration":{"privateKey":` + h + `,"user":` + h + `,"snowflakeRoleConfiguration":{"enabled":true,"snowflakeRole":` + h + `}}}`,
			[]string{"/snowflakeDestinationConfiguration/privateKey", "/snowflakeDestinationConfiguration/user", "/snowflakeDestinationConfiguration/snowflakeRoleConfiguration/snowflakeRole"}},
		{"escaped key still matched", "UpdateDestination",
			`{"splunkDestinationUpdate":{"h\u0045CToken":"tok"}}`,
			`{"splunkDestinationUpdate":{"h\u0045CToken":` + h + `}}`,
			[]string{"/splunkDestinationUpdate/hECToken"}},
		{"duplicate keys both redacted", "CreateDeliveryStream",
			`{"redshiftDestinationConfiguration":{"password":"a","password":"b"}}`,
			`{"redshiftDestinationConfiguration":{"password":"","password":""}}`,
			[]string{"/redshiftDestinationConfiguration/password", "/redshiftDestinationConfiguration/password"}},
		{"secret-named member elsewhere is kept", "CreateDeliveryStream",
			`{"password":"x","s3DestinationConfiguration":{"password":"y"}}`,
			`{"password":"x","s3DestinationConfiguration":{"password":"y"}}`, nil},
		{"unknown event is compacted only", "GetRecords", `{"password": "x"}`, `{"password":"x"}`, nil},
		{"null", "CreateDeliveryStream", ` null `, ``, nil},
		{"invalid JSON", "CreateDeliveryStream", `{"redshiftDestinationConfiguration":{"password":"x"`, ``, []string{""}},
		{"empty", "CreateDeliveryStream", ``, ``, []string{""}},
		{"not an object", "CreateDeliveryStream", `["password"]`, `["password"]`, nil},
		{"numbers out of float64's range kept as written", "CreateDeliveryStream",
			`{"redshiftDestinationConfiguration":{"password":"p","retryOptions":{"durationInSeconds":1e700}},"n":-0.0e-999}`,
			`{"redshiftDestinationConfiguration":{"password":"","retryOptions":{"durationInSeconds":1e700}},"n":-0.0e-999}`,
			[]string{"/redshiftDestinationConfiguration/password"}},
		{"a bare number", "CreateDeliveryStream", `1e700`, `1e700`, nil},
		{"member of wrong type", "CreateDeliveryStream", `{"redshiftDestinationConfiguration":"password"}`, `{"redshiftDestinationConfiguration":"password"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := schemas.RedactFirehoseRequestParameters(tc.event, json.RawMessage(tc.in))
			if string(got) != tc.want {
				t.Errorf("RedactFirehoseRequestParameters =\n%s\nwant\n%s", got, tc.want)
			}
			if again := schemas.RedactFirehoseRequestParameters(tc.event, got); string(again) != string(got) {
				t.Errorf("redacting twice = %s, want %s", again, got)
			}
			if found := schemas.FindUnredactedSecrets(tc.event, []byte(tc.in)); !slices.Equal(found, tc.found) {
				t.Errorf("FindUnredactedSecrets(in) = %q, want %q", found, tc.found)
			}
			if got != nil {
				if found := schemas.FindUnredactedSecrets(tc.event, got); len(found) != 0 {
					t.Errorf("FindUnredactedSecrets(redacted) = %q, want none", found)
				}
			}
		})
	}
}

func TestFirehoseSensitiveMembers(t *testing.T) {
	a, b := schemas.FirehoseSensitiveMembers(), schemas.FirehoseSensitiveMembers()
	a[0].Member = "changed"
	if b[0].Member == "changed" {
		t.Error("FirehoseSensitiveMembers shares its table")
	}
	for _, s := range b {
		if s.Redaction == schemas.RedactNone {
			t.Errorf("%s.%s has no redaction", s.Shape, s.Member)
		}
		if strings.HasPrefix(s.Shape, "Redshift") != (s.Redaction == schemas.RedactEmpty) {
			t.Errorf("%s.%s redaction %v; only Redshift credentials are blanked to \"\"", s.Shape, s.Member, s.Redaction)
		}
	}
}

func TestDecodeFirehoseInput(t *testing.T) {
	got, err := schemas.DecodeFirehoseInput("CreateDeliveryStream", []byte(`{"DeliveryStreamName":"s","Unknown":{"x":[1]},"DeliveryStreamType":null,
		"MSKSourceConfiguration":{"ReadFromTimestamp":1741078812.5,"MSKClusterARN":"c"},
		"ExtendedS3DestinationConfiguration":{"DataFormatConversionConfiguration":{"InputFormatConfiguration":{"Deserializer":{"OpenXJsonSerDe":{"ColumnToJsonKeyMappings":{"a":"b"}}}}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	in := got.(*firehose.CreateDeliveryStreamInput)
	if aws.ToString(in.DeliveryStreamName) != "s" || in.DeliveryStreamType != "" {
		t.Errorf("decoded %+v", in)
	}
	if ts := in.MSKSourceConfiguration.ReadFromTimestamp; ts == nil || !ts.Equal(time.UnixMilli(1741078812500)) {
		t.Errorf("ReadFromTimestamp = %v", ts)
	}
	if m := in.ExtendedS3DestinationConfiguration.DataFormatConversionConfiguration.InputFormatConfiguration.Deserializer.OpenXJsonSerDe.ColumnToJsonKeyMappings; m["a"] != "b" {
		t.Errorf("ColumnToJsonKeyMappings = %v", m)
	}
	got, err = schemas.DecodeFirehoseInput("PutRecord", []byte(`{"DeliveryStreamName":"s","Record":{"Data":"aGVsbG8="}}`))
	if err != nil || string(got.(*firehose.PutRecordInput).Record.Data) != "hello" {
		t.Errorf("DecodeFirehoseInput(PutRecord) = %+v, %v", got, err)
	}
	// Member names are matched exactly, as the model spells them.
	got, err = schemas.DecodeFirehoseInput("ListDeliveryStreams", []byte(`{"limit":10}`))
	if err != nil || got.(*firehose.ListDeliveryStreamsInput).Limit != nil {
		t.Errorf("lower-case member decoded: %+v, %v", got, err)
	}
}

func TestDecodeFirehoseInputErrors(t *testing.T) {
	for _, tc := range []struct {
		name, action, body string
		want               string // in ErrorMessage
	}{
		{"empty body", "ListDeliveryStreams", ``, "malformed JSON body: empty body"},
		{"truncated", "ListDeliveryStreams", `{"Limit":`, "malformed JSON body"},
		{"trailing data", "ListDeliveryStreams", `{} {}`, "data after the top-level value"},
		{"array body", "ListDeliveryStreams", `[]`, "the body must be a JSON object, not an array"},
		{"null body", "ListDeliveryStreams", `null`, "the body must be a JSON object, not null"},
		{"string for int", "ListDeliveryStreams", `{"Limit":"10"}`, "expected an integer for Limit, got a string at /Limit"},
		{"fraction for int", "ListDeliveryStreams", `{"Limit":1.5}`, "1.5 is not an integer of 32 bits at /Limit"},
		{"int overflow", "ListDeliveryStreams", `{"Limit":4294967296}`, "not an integer of 32 bits"},
		{"number for string", "DeleteDeliveryStream", `{"DeliveryStreamName":5}`, "expected a string for DeliveryStreamName, got a number"},
		{"string for bool", "DeleteDeliveryStream", `{"AllowForceDelete":"true"}`, "expected a boolean for AllowForceDelete"},
		{"object for list", "UntagDeliveryStream", `{"TagKeys":{}}`, "expected an array for TagKeys, got an object"},
		{"number in list", "UntagDeliveryStream", `{"TagKeys":["a",1]}`, "expected a string in TagKeys, got a number at /TagKeys/1"},
		{"string for struct", "TagDeliveryStream", `{"Tags":["k"]}`, "expected an object in Tags, got a string at /Tags/0"},
		{"nested pointer", "CreateDeliveryStream", `{"S3DestinationConfiguration":{"BufferingHints":{"SizeInMBs":true}}}`,
			"expected an integer for SizeInMBs, got a boolean at /S3DestinationConfiguration/BufferingHints/SizeInMBs"},
		{"bad base64", "PutRecord", `{"Record":{"Data":"!!"}}`, "invalid base64 for Data"},
		{"timestamp string", "CreateDeliveryStream", `{"MSKSourceConfiguration":{"ReadFromTimestamp":"2025-03-04T09:00:12Z"}}`, "expected a timestamp in epoch seconds"},
		{"timestamp huge", "CreateDeliveryStream", `{"MSKSourceConfiguration":{"ReadFromTimestamp":1e300}}`, "not a valid epoch-seconds timestamp"},
		{"map value", "CreateDeliveryStream", `{"ExtendedS3DestinationConfiguration":{"DataFormatConversionConfiguration":{"InputFormatConfiguration":{"Deserializer":{"OpenXJsonSerDe":{"ColumnToJsonKeyMappings":{"a/b":1}}}}}}}`,
			"at /ExtendedS3DestinationConfiguration/DataFormatConversionConfiguration/InputFormatConfiguration/Deserializer/OpenXJsonSerDe/ColumnToJsonKeyMappings/a~1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := schemas.DecodeFirehoseInput(tc.action, []byte(tc.body))
			if err == nil {
				t.Fatalf("DecodeFirehoseInput(%q) = %+v, want an error", tc.body, got)
			}
			var ie *schemas.FirehoseInputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not a *FirehoseInputError", err)
			}
			if ie.ErrorCode() != "SerializationException" || !strings.Contains(ie.ErrorMessage(), tc.want) {
				t.Errorf("error %s: %q, want it to contain %q", ie.ErrorCode(), ie.ErrorMessage(), tc.want)
			}
			if !strings.HasPrefix(err.Error(), "decode firehose "+tc.action+" request: ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
	_, err := schemas.DecodeFirehoseInput("GetRecords", []byte(`{}`))
	if !errors.Is(err, schemas.ErrUnknownFirehoseAction) || !strings.Contains(err.Error(), `"GetRecords"`) {
		t.Errorf("unknown action error = %v", err)
	}
}
