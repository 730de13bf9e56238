package schemas_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/schemas"
	"github.com/firetrail/firetrail/schemas/internal/constraintgen"
)

func TestValidateFirehoseRequest(t *testing.T) {
	data := func(n int) string { return base64.StdEncoding.EncodeToString(make([]byte, n)) }
	records := func(n int) string {
		return `[` + strings.TrimSuffix(strings.Repeat(`{"Data":"YQ=="},`, n), ",") + `]`
	}
	const s3 = `"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::b"`
	for _, tc := range []struct {
		name, op, body string
		want           string // "" for no error
	}{
		{"ok", "CreateDeliveryStream", `{"DeliveryStreamName":"s",` + s3 + `,"BufferingHints":{"SizeInMBs":5}}}`, ""},
		{"pattern", "DeleteDeliveryStream", `{"DeliveryStreamName":"bad name!"}`,
			"1 validation error detected: Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"value max", "CreateDeliveryStream", `{"DeliveryStreamName":"s",` + s3 + `,"BufferingHints":{"SizeInMBs":500}}}`,
			"1 validation error detected: Value '500' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"value min", "CreateDeliveryStream", `{"DeliveryStreamName":"s",` + s3 + `,"BufferingHints":{"SizeInMBs":0,"IntervalInSeconds":-1}}}`,
			"2 validation errors detected: Value '0' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '-1' at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"role arn", "CreateDeliveryStream", `{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"RoleARN":"notanarn","BucketARN":"arn:aws:s3:::b"}}`,
			"1 validation error detected: Value 'notanarn' at 'extendedS3DestinationConfiguration.roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*"},
		{"null", "PutRecordBatch", `{"DeliveryStreamName":null}`,
			"2 validation errors detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null; Value null at 'records' failed to satisfy constraint: Member must not be null"},
		{"length min", "DescribeDeliveryStream", `{"DeliveryStreamName":""}`,
			"2 validation errors detected: Value '' at 'deliveryStreamName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"length max", "DescribeDeliveryStream", `{"DeliveryStreamName":"` + strings.Repeat("a", 65) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'deliveryStreamName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"utf-16 length", "DescribeDeliveryStream", `{"DeliveryStreamName":"s","ExclusiveStartDestinationId":"` + strings.Repeat("𝄞", 51) + `"}`,
			"2 validation errors detected: Value '" + strings.Repeat("𝄞", 51) + "' at 'exclusiveStartDestinationId' failed to satisfy constraint: Member must have length less than or equal to 100; " +
				"Value '" + strings.Repeat("𝄞", 51) + "' at 'exclusiveStartDestinationId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-]+"},
		{"escaped", "DescribeDeliveryStream", `{"DeliveryStreamName":"a\u0020b"}`,
			"1 validation error detected: Value 'a b' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"enum", "CreateDeliveryStream", `{"DeliveryStreamName":"s","DeliveryStreamType":"Kafka"}`,
			"1 validation error detected: Value 'Kafka' at 'deliveryStreamType' failed to satisfy constraint: Member must satisfy enum value set: [DirectPut, KinesisStreamAsSource, MSKAsSource]"},
		{"list min", "PutRecordBatch", `{"DeliveryStreamName":"s","Records":[]}`,
			"1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list max", "PutRecordBatch", `{"DeliveryStreamName":"s","Records":` + records(501) + `}`,
			"1 validation error detected: Value '[" + strings.TrimSuffix(strings.Repeat("{Data: java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}, ", 501), ", ") + "]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"},
		{"records 500", "PutRecordBatch", `{"DeliveryStreamName":"s","Records":` + records(500) + `}`, ""},
		{"blob max", "PutRecord", `{"DeliveryStreamName":"s","Record":{"Data":"` + data(1024001) + `"}}`,
			"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"},
		{"blob ok", "PutRecord", `{"DeliveryStreamName":"s","Record":{"Data":"` + data(1024000) + `"}}`, ""},
		{"list element", "PutRecordBatch", `{"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{}]}`,
			"1 validation error detected: Value null at 'records.2.member.data' failed to satisfy constraint: Member must not be null"},
		{"tags", "TagDeliveryStream", `{"DeliveryStreamName":"s","Tags":[{"Key":"k","Value":"v"},{"Key":"","Value":"v"}]}`,
			"1 validation error detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag list values", "UntagDeliveryStream", `{"DeliveryStreamName":"s","TagKeys":[]}`,
			"1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"tag list max", "TagDeliveryStream", `{"DeliveryStreamName":"s","Tags":[` + strings.TrimSuffix(strings.Repeat(`{"Key":"k"},`, 51), ",") + `]}`,
			"1 validation error detected: Value '[" + strings.TrimSuffix(strings.Repeat("{Key: k}, ", 51), ", ") + "]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"string list", "UntagDeliveryStream", `{"DeliveryStreamName":"s","TagKeys":["a",""]}`,
			"1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"wrong types skipped", "CreateDeliveryStream", `{"DeliveryStreamName":"s",` + s3 + `,"BufferingHints":{"SizeInMBs":"500"}},"Tags":{}}`, ""},
		{"unknown members skipped", "ListDeliveryStreams", `{"Limit":10,"Whatever":[1,2]}`, ""},
		{"list limit", "ListDeliveryStreams", `{"Limit":10001}`,
			"1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"nested required", "StartDeliveryStreamEncryption", `{"DeliveryStreamName":"s","DeliveryStreamEncryptionConfigurationInput":{}}`,
			"1 validation error detected: Value null at 'deliveryStreamEncryptionConfigurationInput.keyType' failed to satisfy constraint: Member must not be null"},
		{"empty object", "StopDeliveryStreamEncryption", `{}`,
			"1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null"},
		{"update", "UpdateDestination", ` {"DeliveryStreamName":"s","CurrentDeliveryStreamVersionId":"x","DestinationId":"d"} `,
			"1 validation error detected: Value 'x' at 'currentDeliveryStreamVersionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"},
		{"tags list", "ListTagsForDeliveryStream", `{"DeliveryStreamName":"s","Limit":0}`,
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := schemas.ValidateFirehoseRequest(tc.op, []byte(tc.body))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("error %v, want nil", err)
				}
				return
			}
			var ve *schemas.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v (%T), want *ValidationError", err, err)
			}
			if ve.ErrorCode() != "ValidationException" {
				t.Errorf("ErrorCode() = %q", ve.ErrorCode())
			}
			if got := ve.ErrorMessage(); got != tc.want {
				t.Errorf("ErrorMessage()\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestValidateFirehoseRequestBadInput(t *testing.T) {
	if err := schemas.ValidateFirehoseRequest("Nope", []byte(`{}`)); !errors.Is(err, schemas.ErrUnknownFirehoseAction) {
		t.Errorf("unknown op: %v", err)
	}
	for _, body := range []string{``, `[]`, `{"DeliveryStreamName":"s"`, `{} {}`, `"s"`} {
		var ie *schemas.FirehoseInputError
		if err := schemas.ValidateFirehoseRequest("DeleteDeliveryStream", []byte(body)); !errors.As(err, &ie) || ie.ErrorCode() != "SerializationException" {
			t.Errorf("body %q: error %v, want *FirehoseInputError", body, err)
		}
	}
}

// TestFirehoseConstraintsFresh regenerates firehose_constraints_gen.go and
// compares it with the checked-in file.
func TestFirehoseConstraintsFresh(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skipf("constraintgen needs the go command to find the model: %v", err)
	}
	src, err := constraintgen.Generate()
	if err != nil {
		t.Fatalf("constraintgen.Generate: %v", err)
	}
	got, err := os.ReadFile(constraintgen.File)
	if err != nil || !bytes.Equal(got, src) {
		t.Errorf("stale: run go generate ./schemas (%s differs)", constraintgen.File)
	}
}

func FuzzValidateFirehoseRequest(f *testing.F) {
	for _, s := range []string{
		`{"DeliveryStreamName":"bad name!"}`,
		`{"DeliveryStreamName":"s","Records":[{"Data":"YQ=="},{},null]}`,
		`{"DeliveryStreamName":"s","Tags":[{"Key":"k","Value":"v"}],"ExtendedS3DestinationConfiguration":{"BufferingHints":{"SizeInMBs":500}}}`,
		`{"a":{"b":[1,2,{"c":null}]}}`, `[`, ``, `{"DeliveryStreamName":"\ud834\udd1e"}`,
	} {
		for _, op := range schemas.FirehoseActions {
			f.Add(op, []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		err := schemas.ValidateFirehoseRequest(op, body)
		var ve *schemas.ValidationError
		if errors.As(err, &ve) && (len(ve.Violations) == 0 || !strings.HasPrefix(ve.ErrorMessage(), "1 validation error detected: ") && len(ve.Violations) == 1) {
			t.Errorf("malformed ValidationError %v", ve)
		}
	})
}

func BenchmarkValidateFirehoseRequest(b *testing.B) {
	body := []byte(`{"DeliveryStreamName":"cloudtrail-events","DeliveryStreamType":"DirectPut",
"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/firehose-delivery",
"BucketARN":"arn:aws:s3:::my-log-bucket","Prefix":"logs/!{timestamp:yyyy/MM/dd}/","ErrorOutputPrefix":"errors/!{firehose:error-output-type}/",
"BufferingHints":{"SizeInMBs":64,"IntervalInSeconds":300},"CompressionFormat":"GZIP",
"EncryptionConfiguration":{"KMSEncryptionConfig":{"AWSKMSKeyARN":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
"CloudWatchLoggingOptions":{"Enabled":true,"LogGroupName":"/aws/kinesisfirehose/cloudtrail-events","LogStreamName":"DestinationDelivery"},
"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda","Parameters":[{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:123456789012:function:transform"},{"ParameterName":"BufferSizeInMBs","ParameterValue":"1"}]}]},
"S3BackupMode":"Enabled","S3BackupConfiguration":{"RoleARN":"arn:aws:iam::123456789012:role/firehose-delivery","BucketARN":"arn:aws:s3:::my-backup-bucket","CompressionFormat":"UNCOMPRESSED"},
"DynamicPartitioningConfiguration":{"Enabled":false},"FileExtension":".json.gz"},
"Tags":[{"Key":"team","Value":"security"},{"Key":"env","Value":"prod"}]}`)
	if err := schemas.ValidateFirehoseRequest("CreateDeliveryStream", body); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := schemas.ValidateFirehoseRequest("CreateDeliveryStream", body); err != nil {
			b.Fatal(err)
		}
	}
}
