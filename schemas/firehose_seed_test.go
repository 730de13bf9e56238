package schemas_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/google/go-cmp/cmp"

	"github.com/firetrail/firetrail/schemas"
)

// Credentials given to the seed's Redshift calls; they must never be written.
const (
	seedUsername = "seed-admin-user-7f3a"
	seedPassword = "Seed-Passw0rd!<&>\"secret"
)

func seedS3(bucket, prefix string) (types.CompressionFormat, *string, *string, *string, *types.BufferingHints, *types.EncryptionConfiguration) {
	return types.CompressionFormatGzip, aws.String(prefix), aws.String(bucket),
		aws.String("arn:aws:iam::111122223333:role/Firehose"),
		&types.BufferingHints{SizeInMBs: aws.Int32(3), IntervalInSeconds: aws.Int32(900)},
		&types.EncryptionConfiguration{KMSEncryptionConfig: &types.KMSEncryptionConfig{AWSKMSKeyARN: aws.String("arn:aws:kms:us-east-1:key")}}
}

// seedCalls returns the five API calls of the AWS example (the Amazon Data
// Firehose Developer Guide's example log file).
func seedCalls() []struct {
	in  any
	out any
} {
	cf, prefix, bucket, role, hints, enc := seedS3("arn:aws:s3:::firehose-cloudtrail-test-bucket", "prefix")
	create := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("TestRedshiftStream"),
		RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
			S3Configuration: &types.S3DestinationConfiguration{
				CompressionFormat: cf, Prefix: prefix, BucketARN: bucket, RoleARN: role,
				BufferingHints: hints, EncryptionConfiguration: enc,
			},
			ClusterJDBCURL: aws.String("jdbc:redshift://"),
			CopyCommand:    &types.CopyCommand{CopyOptions: aws.String("copyOptions"), DataTableName: aws.String("dataTable")},
			Password:       aws.String(seedPassword),
			Username:       aws.String(seedUsername),
			RoleARN:        aws.String("arn:aws:iam::111122223333:role/Firehose"),
		},
	}
	cf, prefix, bucket, role, hints, enc = seedS3("arn:aws:s3:::firehose-cloudtrail-test-bucket-update", "arn:aws:s3:::firehose-cloudtrail-test-bucket")
	update := &firehose.UpdateDestinationInput{
		DestinationId:                  aws.String("destinationId-000000000001"),
		DeliveryStreamName:             aws.String("TestRedshiftStream"),
		CurrentDeliveryStreamVersionId: aws.String("1"),
		RedshiftDestinationUpdate: &types.RedshiftDestinationUpdate{
			RoleARN:        aws.String("arn:aws:iam::111122223333:role/Firehose"),
			ClusterJDBCURL: aws.String("jdbc:redshift://"),
			Password:       aws.String(seedPassword),
			Username:       aws.String(seedUsername),
			CopyCommand:    &types.CopyCommand{CopyOptions: aws.String("copyOptions"), DataTableName: aws.String("dataTable")},
			S3Update: &types.S3DestinationUpdate{
				BucketARN: bucket, RoleARN: role, CompressionFormat: cf,
				BufferingHints: hints, EncryptionConfiguration: enc, Prefix: prefix,
			},
		},
	}
	return []struct {
		in  any
		out any
	}{
		{create, &firehose.CreateDeliveryStreamOutput{DeliveryStreamARN: aws.String("arn:aws:firehose:us-east-1:111122223333:deliverystream/TestRedshiftStream")}},
		{&firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("TestRedshiftStream")}, &firehose.DescribeDeliveryStreamOutput{}},
		{&firehose.ListDeliveryStreamsInput{Limit: aws.Int32(10)}, &firehose.ListDeliveryStreamsOutput{}},
		{update, &firehose.UpdateDestinationOutput{}},
		{&firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("TestRedshiftStream")}, &firehose.DeleteDeliveryStreamOutput{}},
	}
}

// seedRecords rebuilds the records of testdata/seed_example.json from SDK
// inputs and the envelope values of the AWS page.
func seedRecords(t testing.TB) []schemas.Record {
	t.Helper()
	envelope := []struct{ at, requestID, eventID string }{
		{"2016-02-24T18:08:22Z", "958abf6a-db21-11e5-bb88-91ae9617edf5", "875d2d68-476c-4ad5-bbc6-d02872cfc884"},
		{"2016-02-24T18:08:54Z", "aa6ea5ed-db21-11e5-bb88-91ae9617edf5", "d9b285d8-d690-4d5c-b9fe-d1ad5ab03f14"},
		{"2016-02-24T18:10:00Z", "d1bf7f86-db21-11e5-bb88-91ae9617edf5", "67f63c74-4335-48c0-9004-4ba35ce00128"},
		{"2016-02-24T18:10:09Z", "d549428d-db21-11e5-bb88-91ae9617edf5", "1cb21e0b-416a-415d-bbf9-769b152a6585"},
		{"2016-02-24T18:10:12Z", "d85968c1-db21-11e5-bb88-91ae9617edf5", "dd46bb98-b4e9-42ff-a6af-32d57e636ad1"},
	}
	var recs []schemas.Record
	for i, c := range seedCalls() {
		name, err := schemas.FirehoseEventName(c.in)
		if err != nil {
			t.Fatal(err)
		}
		rp, err := schemas.RenderFirehoseRequest(c.in)
		if err != nil {
			t.Fatalf("RenderFirehoseRequest(%s): %v", name, err)
		}
		re, err := schemas.RenderFirehoseResponse(c.out)
		if err != nil {
			t.Fatalf("RenderFirehoseResponse(%s): %v", name, err)
		}
		at, err := time.Parse(time.RFC3339, envelope[i].at)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, schemas.Record{
			EventVersion: "1.02",
			UserIdentity: schemas.UserIdentity{
				Type:        schemas.IdentityIAMUser,
				PrincipalID: "AKIAIOSFODNN7EXAMPLE",
				ARN:         "arn:aws:iam::111122223333:user/CloudTrail_Test_User",
				AccountID:   "111122223333",
				AccessKeyID: "AKIAI44QH8DHBEXAMPLE",
				UserName:    "CloudTrail_Test_User",
			},
			EventTime:          at,
			EventSource:        schemas.FirehoseEventSource,
			EventName:          name,
			AWSRegion:          "us-east-1",
			SourceIPAddress:    "127.0.0.1",
			UserAgent:          "aws-internal/3",
			RequestParameters:  rp,
			ResponseElements:   re,
			RequestID:          envelope[i].requestID,
			EventID:            envelope[i].eventID,
			EventType:          "AwsApiCall",
			RecipientAccountID: "111122223333",
		})
	}
	return recs
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %.80q: %v", b, err)
	}
	return v
}

func TestFirehoseSeedExample(t *testing.T) {
	fixture, err := os.ReadFile("testdata/seed_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Records []struct {
			RequestParameters json.RawMessage `json:"requestParameters"`
			ResponseElements  json.RawMessage `json:"responseElements"`
		}
	}
	if err := json.Unmarshal(fixture, &want); err != nil {
		t.Fatal(err)
	}
	recs := seedRecords(t)
	if len(recs) != len(want.Records) {
		t.Fatalf("rebuilt %d records, fixture has %d", len(recs), len(want.Records))
	}
	for i, rec := range recs {
		t.Run(rec.EventName, func(t *testing.T) {
			wantRP := decodeJSON(t, want.Records[i].RequestParameters)
			gotRP := decodeJSON(t, orNull(rec.RequestParameters))
			if diff := cmp.Diff(wantRP, gotRP); diff != "" {
				t.Errorf("requestParameters (-want +got):\n%s", diff)
			}
			wantRE := decodeJSON(t, want.Records[i].ResponseElements)
			gotRE := decodeJSON(t, orNull(rec.ResponseElements))
			if diff := cmp.Diff(wantRE, gotRE); diff != "" {
				t.Errorf("responseElements (-want +got):\n%s", diff)
			}
		})
	}

	var buf bytes.Buffer
	lw := schemas.NewLogFileWriter(&buf)
	for _, rec := range recs {
		if err := lw.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(decodeJSON(t, fixture), decodeJSON(t, buf.Bytes())); diff != "" {
		t.Errorf("log file (-want +got):\n%s", diff)
	}
	for _, secret := range []string{seedUsername, seedPassword, "Seed-Passw0rd", "seed-admin"} {
		if bytes.Contains(buf.Bytes(), []byte(secret)) {
			t.Errorf("log file contains the secret %q", secret)
		}
	}
	for i, rec := range recs {
		if ptrs := schemas.FindUnredactedSecrets(rec.EventName, rec.RequestParameters); len(ptrs) > 0 {
			t.Errorf("record %d (%s): FindUnredactedSecrets = %q, want none", i, rec.EventName, ptrs)
		}
	}
}

// TestFirehoseSeedCreateBytes pins the bytes of the seed's Redshift create:
// model member order, not the order of AWS's sample (see
// RenderFirehoseRequest).
func TestFirehoseSeedCreateBytes(t *testing.T) {
	got, err := schemas.RenderFirehoseRequest(seedCalls()[0].in)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"deliveryStreamName":"TestRedshiftStream","redshiftDestinationConfiguration":{` +
		`"roleARN":"arn:aws:iam::111122223333:role/Firehose","clusterJDBCURL":"jdbc:redshift://",` +
		`"copyCommand":{"dataTableName":"dataTable","copyOptions":"copyOptions"},"username":"","password":"",` +
		`"s3Configuration":{"roleARN":"arn:aws:iam::111122223333:role/Firehose","bucketARN":"arn:aws:s3:::firehose-cloudtrail-test-bucket",` +
		`"prefix":"prefix","bufferingHints":{"sizeInMBs":3,"intervalInSeconds":900},"compressionFormat":"GZIP",` +
		`"encryptionConfiguration":{"kMSEncryptionConfig":{"aWSKMSKeyARN":"arn:aws:kms:us-east-1:key"}}}}}`
	if string(got) != want {
		t.Errorf("RenderFirehoseRequest(seed create) =\n%s\nwant\n%s", got, want)
	}
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}

func BenchmarkRenderCreateDeliveryStream(b *testing.B) {
	in := seedCalls()[0].in
	want, err := schemas.RenderFirehoseRequest(in)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("AppendFirehoseRequest", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			buf, err = schemas.AppendFirehoseRequest(buf[:0], in)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RenderFirehoseRequest", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			if _, err := schemas.RenderFirehoseRequest(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Baseline: encoding/json of the same input (PascalCase names, no
	// redaction) does comparable work.
	b.Run("baseline-encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			if _, err := json.Marshal(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RedactFirehoseRequestParameters", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(want)))
		for b.Loop() {
			schemas.RedactFirehoseRequestParameters("CreateDeliveryStream", want)
		}
	})
}
