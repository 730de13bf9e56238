package emulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/schemas"
)

func TestFirehoseAPIRecorded(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, testLogger(t), WithSeed(5))
	ctx := t.Context()
	fh := firehose.NewFromConfig(emu.AWSConfig())
	name := aws.String("clicks")

	created, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: name,
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::clicks-raw"),
			RoleARN:   aws.String("arn:aws:iam::111122223333:role/firehose"),
			Prefix:    aws.String("raw/"),
		},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	})
	if err != nil {
		t.Fatalf("CreateDeliveryStream: %v", err)
	}
	if got, want := aws.ToString(created.DeliveryStreamARN), "arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks"; got != want {
		t.Errorf("DeliveryStreamARN = %s, want %s", got, want)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: name, ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::x"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")}}); !isCode(err, "ResourceInUseException") {
		t.Errorf("duplicate create: %v, want ResourceInUseException", err)
	}
	// A stream is CREATING for a moment (firehose.DefaultCreateDelay).
	emu.Clock.Advance(time.Second)
	desc, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: name})
	if err != nil {
		t.Fatalf("DescribeDeliveryStream: %v", err)
	}
	d := desc.DeliveryStreamDescription
	if d.DeliveryStreamStatus != types.DeliveryStreamStatusActive || aws.ToString(d.VersionId) != "1" || len(d.Destinations) != 1 ||
		aws.ToString(d.Destinations[0].DestinationId) != "destinationId-000000000001" ||
		aws.ToString(d.Destinations[0].ExtendedS3DestinationDescription.Prefix) != "raw/" {
		t.Errorf("description = %+v", d)
	}
	if _, err := fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{
		DeliveryStreamName: name, CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: d.Destinations[0].DestinationId,
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/")},
	}); err != nil {
		t.Fatalf("UpdateDestination: %v", err)
	}
	if _, err := fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{
		DeliveryStreamName: name, CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: d.Destinations[0].DestinationId,
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v3/")},
	}); !isCode(err, "ConcurrentModificationException") {
		t.Errorf("stale version: %v, want ConcurrentModificationException", err)
	}
	if _, err := fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: name, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatalf("TagDeliveryStream: %v", err)
	}
	tags, err := fh.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: name})
	if err != nil || len(tags.Tags) != 2 {
		t.Fatalf("ListTagsForDeliveryStream = %+v, %v; want 2 tags", tags, err)
	}
	if _, err := fh.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: name, TagKeys: []string{"env"}}); err != nil {
		t.Fatalf("UntagDeliveryStream: %v", err)
	}
	if _, err := fh.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: name, DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk}}); err != nil {
		t.Fatalf("StartDeliveryStreamEncryption: %v", err)
	}
	put, err := fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: name, Record: &types.Record{Data: []byte("hello\n")}})
	if err != nil || aws.ToString(put.RecordId) == "" || !aws.ToBool(put.Encrypted) {
		t.Fatalf("PutRecord = %+v, %v", put, err)
	}
	if _, err := fh.StopDeliveryStreamEncryption(ctx, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: name}); err != nil {
		t.Fatalf("StopDeliveryStreamEncryption: %v", err)
	}
	list, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil || len(list.DeliveryStreamNames) != 1 {
		t.Fatalf("ListDeliveryStreams = %+v, %v", list, err)
	}
	if _, err := fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: name}); err != nil {
		t.Fatalf("DeleteDeliveryStream: %v", err)
	}
	// DELETING for a moment, then gone; five minutes on, the buffering
	// interval of the put has passed, and the next call writes it.
	emu.Clock.Advance(5 * time.Minute)
	_, err = fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: name})
	if !isCode(err, "ResourceNotFoundException") || !strings.Contains(err.Error(), "Firehose clicks under account 111122223333 not found.") {
		t.Errorf("describe after delete: %v", err)
	}

	// PutRecord data went to the destination bucket once its buffering
	// interval had passed.
	objs, err := emu.S3Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("clicks-raw")})
	if err != nil || len(objs.Contents) != 1 || !strings.HasPrefix(aws.ToString(objs.Contents[0].Key), "v2/2025/03/04/09/clicks-2-") {
		t.Fatalf("destination objects = %+v, %v", objs, err)
	}

	// Every management call is in LookupEvents, the data event is not.
	ct := cloudtrail.NewFromConfig(emu.AWSConfig())
	evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("firehose.amazonaws.com")}}})
	var names []string
	for _, ev := range evs {
		names = append(names, aws.ToString(ev.EventName))
		if aws.ToString(ev.Username) != DefaultUserName {
			t.Errorf("Username = %q, want %q", aws.ToString(ev.Username), DefaultUserName)
		}
	}
	if len(names) != 13 || strings.Contains(strings.Join(names, ","), "PutRecord") {
		t.Errorf("recorded management events = %v, want 13 without PutRecord", names)
	}
	var failed schemas.Record
	for _, ev := range evs {
		var rec schemas.Record
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.ErrorCode == "ResourceNotFoundException" {
			failed = rec
		}
		if rec.SourceIPAddress != "127.0.0.1" || !strings.HasPrefix(rec.UserAgent, "aws-sdk-go-v2/") || rec.UserIdentity.AccessKeyID != DefaultAccessKeyID {
			t.Errorf("record %s: sourceIPAddress %q userAgent %q accessKeyId %q", rec.EventName, rec.SourceIPAddress, rec.UserAgent, rec.UserIdentity.AccessKeyID)
		}
	}
	if failed.ErrorMessage != "Firehose clicks under account 111122223333 not found." || string(failed.RequestParameters) != `{"deliveryStreamName":"clicks"}` {
		t.Errorf("failed describe record: errorMessage %q requestParameters %s", failed.ErrorMessage, failed.RequestParameters)
	}

	// And in the log files after Flush, with the data events.
	emu.Flush()
	_, recs := logFileRecords(t, emu.S3Client(), emu.Bucket)
	if len(recs) != 14 {
		t.Errorf("%d records in log files, want 14", len(recs))
	}
}

func isCode(err error, code string) bool {
	var ae interface{ ErrorCode() string }
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// TestUnknownRegionFallsBack: a SigV4 scope whose region is no AWS region
// ("local-1", as some harnesses sign with) is served in the emulator's
// region, and the call's record is kept there (it used to be dropped: the
// API and the trail checked regions by different rules).
func TestUnknownRegionFallsBack(t *testing.T) {
	e := newTestEmulator(t)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
	r.Header.Set("X-Amz-Target", "Firehose_20150804.ListDeliveryStreams")
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+DefaultAccessKeyID+"/20250304/local-1/firehose/aws4_request, SignedHeaders=host, Signature=00")
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("ListDeliveryStreams signed for local-1 = %d %s", w.Code, w.Body)
	}
	if n := e.store.Len(); n != 1 {
		t.Fatalf("%d events stored after the call, want 1", n)
	}
	fr, err := e.FlushKeys()
	if err != nil {
		t.Fatal(err)
	}
	if len(fr.Keys) != 1 || !strings.Contains(fr.Keys[0], "/CloudTrail/"+DefaultRegion+"/") {
		t.Errorf("flushed %q, want one log file in %s", fr.Keys, DefaultRegion)
	}
}
