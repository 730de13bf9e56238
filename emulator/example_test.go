package emulator_test

import (
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/emulator"
	"github.com/firetrail/firetrail/schemas"
)

// TestREADMEExample is the example of README.md, "Use it from a Go test":
// keep the two in step.
func TestREADMEExample(t *testing.T) {
	emu := emulator.Start(t, emulator.WithSeed(1), emulator.WithEvents(200))
	ctx := t.Context()

	// The code under test calls Firehose; the emulator records the call.
	fh := firehose.NewFromConfig(emu.AWSConfig())
	_, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("orders"),
		RedshiftDestinationConfiguration: &fhtypes.RedshiftDestinationConfiguration{
			RoleARN:        aws.String("arn:aws:iam::111122223333:role/firehose"),
			ClusterJDBCURL: aws.String("jdbc:redshift://example:5439/db"),
			CopyCommand:    &fhtypes.CopyCommand{DataTableName: aws.String("orders")},
			Username:       aws.String("admin"),
			Password:       aws.String("s3cr3t-Passw0rd"),
			S3Configuration: &fhtypes.S3DestinationConfiguration{
				RoleARN:   aws.String("arn:aws:iam::111122223333:role/firehose"),
				BucketARN: aws.String("arn:aws:s3:::orders-staging"),
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	emu.Flush() // deliver everything pending now

	// The consumer reads log files from S3 ...
	s3c := emu.S3Client()
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(emu.Bucket), Prefix: aws.String("AWSLogs/")})
	if err != nil {
		t.Fatal(err)
	}
	var records, creates int
	for _, obj := range list.Contents {
		if !strings.HasSuffix(*obj.Key, ".json.gz") || strings.Contains(*obj.Key, "CloudTrail-Digest") {
			continue
		}
		get, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: obj.Key})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(get.Body)
		if err != nil {
			t.Fatal(err)
		}
		var lf schemas.LogFile
		if err := json.NewDecoder(zr).Decode(&lf); err != nil {
			t.Fatalf("%s: %v", *obj.Key, err)
		}
		get.Body.Close()
		for _, r := range lf.Records {
			records++
			if r.EventName == "CreateDeliveryStream" && strings.Contains(string(r.RequestParameters), `"deliveryStreamName":"orders"`) {
				creates++
				if strings.Contains(string(r.RequestParameters), "s3cr3t") {
					t.Errorf("the Redshift password reached the log file: %s", r.RequestParameters)
				}
			}
		}
	}
	if records < 200 || creates != 1 {
		t.Errorf("log files hold %d records with %d creates of orders, want ≥ 200 and 1", records, creates)
	}

	// ... or asks LookupEvents.
	ct := cloudtrail.NewFromConfig(emu.AWSConfig())
	out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{
			AttributeKey:   cttypes.LookupAttributeKeyResourceName,
			AttributeValue: aws.String("orders"),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || aws.ToString(out.Events[0].EventName) != "CreateDeliveryStream" {
		t.Fatalf("LookupEvents(ResourceName=orders) = %d events, want the one CreateDeliveryStream", len(out.Events))
	}
}
