package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	fhapi "github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/internal/awsmodel"
	"github.com/firetrail/firetrail/schemas"
)

// Firehose as AWS behaves (docs/firehose.md): validation by the API
// model, descriptions with defaults, the CREATING and DELETING statuses,
// and asynchronous, buffered delivery.

var fhRole = aws.String("arn:aws:iam::111122223333:role/firehose")

func fhS3(bucket string) *types.S3DestinationConfiguration {
	return &types.S3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::" + bucket)}
}

// fhDestination is a stream of one destination type: how it is created
// and the bucket its put data lands in ("" for nowhere).
type fhDestination struct {
	name  string
	in    firehose.CreateDeliveryStreamInput
	lands string
	// check dereferences what the Go SDK reads of the description.
	check func(d types.DestinationDescription) any
}

// fhDestinations returns a stream of every destination type, and, for
// those that back up to S3, one backing up all records.
func fhDestinations() []fhDestination {
	snowflakeKey := strings.Repeat("QUJD", 86) // 344 base64 characters
	return []fhDestination{
		{name: "s3", lands: "land-s3", in: firehose.CreateDeliveryStreamInput{S3DestinationConfiguration: fhS3("land-s3")},
			check: func(d types.DestinationDescription) any {
				x := d.S3DestinationDescription
				return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.CloudWatchLoggingOptions.Enabled, x.EncryptionConfiguration.NoEncryptionConfig,
					*d.ExtendedS3DestinationDescription.ProcessingConfiguration.Enabled}
			}},
		{name: "extended-s3", lands: "land-extended-s3", in: firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::land-extended-s3"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.ExtendedS3DestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled,
				len(x.ProcessingConfiguration.Processors), x.EncryptionConfiguration.NoEncryptionConfig, x.S3BackupMode, x.CompressionFormat}
		}},
		{name: "redshift", lands: "land-redshift", in: firehose.CreateDeliveryStreamInput{RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
			RoleARN: fhRole, ClusterJDBCURL: aws.String("jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/db"),
			CopyCommand: &types.CopyCommand{DataTableName: aws.String("t")}, Username: aws.String("admin"), Password: aws.String("s3cr3t-Passw0rd"),
			S3Configuration: fhS3("land-redshift"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.RedshiftDestinationDescription
			return []any{*x.Username, *x.RetryOptions.DurationInSeconds, x.S3BackupMode, *x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled,
				*x.S3DestinationDescription.BufferingHints.SizeInMBs, x.S3DestinationDescription.CompressionFormat, x.S3DestinationDescription.EncryptionConfiguration.NoEncryptionConfig}
		}},
		{name: "elasticsearch", in: firehose.CreateDeliveryStreamInput{ElasticsearchDestinationConfiguration: &types.ElasticsearchDestinationConfiguration{
			RoleARN: fhRole, DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), S3Configuration: fhS3("land-elasticsearch"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.ElasticsearchDestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.IndexRotationPeriod, x.S3BackupMode,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, *x.S3DestinationDescription.BufferingHints.IntervalInSeconds}
		}},
		{name: "elasticsearch-all", lands: "land-elasticsearch-all", in: firehose.CreateDeliveryStreamInput{ElasticsearchDestinationConfiguration: &types.ElasticsearchDestinationConfiguration{
			RoleARN: fhRole, DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), S3Configuration: fhS3("land-elasticsearch-all"),
			S3BackupMode: types.ElasticsearchS3BackupModeAllDocuments,
		}}},
		{name: "opensearch", in: firehose.CreateDeliveryStreamInput{AmazonopensearchserviceDestinationConfiguration: &types.AmazonopensearchserviceDestinationConfiguration{
			RoleARN: fhRole, DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), S3Configuration: fhS3("land-opensearch"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.AmazonopensearchserviceDestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.IndexRotationPeriod, x.S3BackupMode,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, *x.S3DestinationDescription.BufferingHints.SizeInMBs}
		}},
		{name: "opensearch-all", lands: "land-opensearch-all", in: firehose.CreateDeliveryStreamInput{AmazonopensearchserviceDestinationConfiguration: &types.AmazonopensearchserviceDestinationConfiguration{
			RoleARN: fhRole, DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), S3Configuration: fhS3("land-opensearch-all"),
			S3BackupMode: types.AmazonopensearchserviceS3BackupModeAllDocuments,
		}}},
		{name: "serverless", in: firehose.CreateDeliveryStreamInput{AmazonOpenSearchServerlessDestinationConfiguration: &types.AmazonOpenSearchServerlessDestinationConfiguration{
			RoleARN: fhRole, CollectionEndpoint: aws.String("https://c.us-east-1.aoss.amazonaws.com"), IndexName: aws.String("i"), S3Configuration: fhS3("land-serverless"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.AmazonOpenSearchServerlessDestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.S3BackupMode,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, x.S3DestinationDescription.CompressionFormat}
		}},
		{name: "serverless-all", lands: "land-serverless-all", in: firehose.CreateDeliveryStreamInput{AmazonOpenSearchServerlessDestinationConfiguration: &types.AmazonOpenSearchServerlessDestinationConfiguration{
			RoleARN: fhRole, CollectionEndpoint: aws.String("https://c.us-east-1.aoss.amazonaws.com"), IndexName: aws.String("i"), S3Configuration: fhS3("land-serverless-all"),
			S3BackupMode: types.AmazonOpenSearchServerlessS3BackupModeAllDocuments,
		}}},
		{name: "splunk", in: firehose.CreateDeliveryStreamInput{SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("https://splunk.example.com:8088"), HECEndpointType: types.HECEndpointTypeRaw, HECToken: aws.String("tok"), S3Configuration: fhS3("land-splunk"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.SplunkDestinationDescription
			return []any{*x.HECAcknowledgmentTimeoutInSeconds, *x.RetryOptions.DurationInSeconds, x.S3BackupMode, *x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, x.S3DestinationDescription.EncryptionConfiguration.NoEncryptionConfig}
		}},
		{name: "splunk-all", lands: "land-splunk-all", in: firehose.CreateDeliveryStreamInput{SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("https://splunk.example.com:8088"), HECEndpointType: types.HECEndpointTypeRaw, HECToken: aws.String("tok"), S3Configuration: fhS3("land-splunk-all"),
			S3BackupMode: types.SplunkS3BackupModeAllEvents,
		}}},
		{name: "http", in: firehose.CreateDeliveryStreamInput{HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://collector.example.com/in"), Name: aws.String("collector"), AccessKey: aws.String("hidden-access-key")},
			RoleARN:               fhRole, S3Configuration: fhS3("land-http"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.HttpEndpointDestinationDescription
			return []any{*x.EndpointConfiguration.Url, *x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.S3BackupMode,
				x.RequestConfiguration.ContentEncoding, *x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, *x.S3DestinationDescription.BufferingHints.SizeInMBs}
		}},
		{name: "http-all", lands: "land-http-all", in: firehose.CreateDeliveryStreamInput{HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://collector.example.com/in")},
			RoleARN:               fhRole, S3Configuration: fhS3("land-http-all"), S3BackupMode: types.HttpEndpointS3BackupModeAllData,
		}}},
		{name: "snowflake", in: firehose.CreateDeliveryStreamInput{SnowflakeDestinationConfiguration: &types.SnowflakeDestinationConfiguration{
			AccountUrl: aws.String("https://acct.us-east-1.snowflakecomputing.com"), Database: aws.String("db"), Schema: aws.String("sc"), Table: aws.String("t"),
			User: aws.String("u"), PrivateKey: aws.String(snowflakeKey), RoleARN: fhRole, S3Configuration: fhS3("land-snowflake"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.SnowflakeDestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.S3BackupMode, x.DataLoadingOption,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, x.S3DestinationDescription.CompressionFormat}
		}},
		{name: "snowflake-all", lands: "land-snowflake-all", in: firehose.CreateDeliveryStreamInput{SnowflakeDestinationConfiguration: &types.SnowflakeDestinationConfiguration{
			AccountUrl: aws.String("https://acct.us-east-1.snowflakecomputing.com"), Database: aws.String("db"), Schema: aws.String("sc"), Table: aws.String("t"),
			User: aws.String("u"), PrivateKey: aws.String(snowflakeKey), RoleARN: fhRole, S3Configuration: fhS3("land-snowflake-all"),
			S3BackupMode: types.SnowflakeS3BackupModeAllData,
		}}},
		{name: "iceberg", in: firehose.CreateDeliveryStreamInput{IcebergDestinationConfiguration: &types.IcebergDestinationConfiguration{
			RoleARN: fhRole, CatalogConfiguration: &types.CatalogConfiguration{CatalogARN: aws.String("arn:aws:glue:us-east-1:111122223333:catalog")}, S3Configuration: fhS3("land-iceberg"),
		}}, check: func(d types.DestinationDescription) any {
			x := d.IcebergDestinationDescription
			return []any{*x.BufferingHints.SizeInMBs, *x.BufferingHints.IntervalInSeconds, *x.RetryOptions.DurationInSeconds, x.S3BackupMode,
				*x.CloudWatchLoggingOptions.Enabled, *x.ProcessingConfiguration.Enabled, *x.S3DestinationDescription.BufferingHints.SizeInMBs}
		}},
		{name: "iceberg-all", lands: "land-iceberg-all", in: firehose.CreateDeliveryStreamInput{IcebergDestinationConfiguration: &types.IcebergDestinationConfiguration{
			RoleARN: fhRole, CatalogConfiguration: &types.CatalogConfiguration{CatalogARN: aws.String("arn:aws:glue:us-east-1:111122223333:catalog")}, S3Configuration: fhS3("land-iceberg-all"),
			S3BackupMode: types.IcebergS3BackupModeAllData,
		}}},
	}
}

// startFirehose starts an emulator on a virtual clock and its Firehose
// client.
func startFirehose(t *testing.T) (*Server, *firehose.Client) {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, testLogger(t))
	return emu, firehose.NewFromConfig(emu.AWSConfig())
}

// createAll creates every stream of ds and waits, on the virtual clock,
// until they are ACTIVE.
func createAll(t *testing.T, emu *Server, fh *firehose.Client, ds []fhDestination) {
	t.Helper()
	for _, d := range ds {
		in := d.in
		in.DeliveryStreamName = aws.String(d.name)
		if _, err := fh.CreateDeliveryStream(t.Context(), &in); err != nil {
			t.Fatalf("CreateDeliveryStream %s: %v", d.name, err)
		}
	}
	emu.Clock.Advance(fhapi.DefaultCreateDelay)
}

func TestFirehoseDescribeEveryDestinationAsModel(t *testing.T) {
	emu, fh := startFirehose(t)
	model, err := awsmodel.LoadService("firehose")
	if err != nil {
		t.Fatal(err)
	}
	ds := fhDestinations()
	createAll(t, emu, fh, ds)
	for _, d := range ds {
		t.Run(d.name, func(t *testing.T) {
			w := call(emu, fhapi.TargetPrefix+"DescribeDeliveryStream", ctJSON, `{"DeliveryStreamName":"`+d.name+`"}`)
			if w.Code != 200 {
				t.Fatalf("DescribeDeliveryStream: %d %s", w.Code, w.Body)
			}
			body := w.Body.Bytes()
			for _, p := range awsmodel.CheckJSON(model, "DescribeDeliveryStreamOutput", body) {
				if p.Kind != awsmodel.UnknownMember { // newer than the pinned model
					t.Errorf("against the model: %v", p)
				}
			}
			for _, secret := range []string{"s3cr3t-Passw0rd", "hidden-access-key", "QUJDQUJD", `"Password"`, `"AccessKey"`, `"PrivateKey"`} {
				if bytes.Contains(body, []byte(secret)) {
					t.Errorf("the description shows %s: %s", secret, body)
				}
			}
			if bytes.Contains(body, []byte("DataFormatConversionConfiguration")) {
				t.Errorf("the description has a DataFormatConversionConfiguration no one gave: %s", body)
			}
			out, err := fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(d.name)})
			if err != nil {
				t.Fatal(err)
			}
			desc := out.DeliveryStreamDescription
			if desc.DeliveryStreamStatus != types.DeliveryStreamStatusActive || len(desc.Destinations) != 1 {
				t.Fatalf("status %s, %d destinations", desc.DeliveryStreamStatus, len(desc.Destinations))
			}
			if d.check != nil {
				got, _ := json.Marshal(d.check(desc.Destinations[0])) // panics if a default is missing
				t.Logf("defaults: %s", got)
			}
		})
	}
	// The defaults, as AWS documents them, for the common types.
	out, err := fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("extended-s3")})
	if err != nil {
		t.Fatal(err)
	}
	x := out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription
	if *x.BufferingHints.SizeInMBs != 5 || *x.BufferingHints.IntervalInSeconds != 300 || x.CompressionFormat != types.CompressionFormatUncompressed ||
		x.EncryptionConfiguration.NoEncryptionConfig != types.NoEncryptionConfigNoEncryption || *x.CloudWatchLoggingOptions.Enabled ||
		x.S3BackupMode != types.S3BackupModeDisabled || *x.ProcessingConfiguration.Enabled || x.ProcessingConfiguration.Processors == nil ||
		x.DataFormatConversionConfiguration != nil {
		t.Errorf("ExtendedS3 defaults: %+v", x)
	}
	out, err = fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("redshift")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.DeliveryStreamDescription.Destinations[0].RedshiftDestinationDescription
	// The Username (sensitive in the model) is kept redacted, as
	// CloudTrail shows it: "" (secrets at rest, README).
	if r.Username == nil || *r.Username != "" || *r.RetryOptions.DurationInSeconds != 3600 || r.S3BackupMode != types.RedshiftS3BackupModeDisabled {
		t.Errorf("Redshift defaults: %+v", r)
	}
	// What is given is kept: a partial BufferingHints gets the other hint,
	// a KMS key no NoEncryptionConfig.
	if _, err := fh.CreateDeliveryStream(t.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("given"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::given"),
			BufferingHints:          &types.BufferingHints{SizeInMBs: aws.Int32(64)},
			EncryptionConfiguration: &types.EncryptionConfiguration{KMSEncryptionConfig: &types.KMSEncryptionConfig{AWSKMSKeyARN: aws.String("arn:aws:kms:us-east-1:111122223333:key/k")}},
			CompressionFormat:       types.CompressionFormatGzip,
		},
	}); err != nil {
		t.Fatal(err)
	}
	out, err = fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("given")})
	if err != nil {
		t.Fatal(err)
	}
	x = out.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription
	if *x.BufferingHints.SizeInMBs != 64 || *x.BufferingHints.IntervalInSeconds != 300 || x.CompressionFormat != types.CompressionFormatGzip ||
		x.EncryptionConfiguration.NoEncryptionConfig != "" || x.EncryptionConfiguration.KMSEncryptionConfig == nil {
		t.Errorf("given members: %+v", x)
	}
}

func TestFirehoseLifecycle(t *testing.T) {
	emu, fh := startFirehose(t)
	ctx := t.Context()
	name := aws.String("life")
	status := func() types.DeliveryStreamStatus {
		t.Helper()
		out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: name})
		if err != nil {
			t.Fatalf("DescribeDeliveryStream: %v", err)
		}
		return out.DeliveryStreamDescription.DeliveryStreamStatus
	}
	put := func() error {
		_, err := fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: name, Record: &types.Record{Data: []byte("x\n")}})
		return err
	}
	update := func() error {
		_, err := fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: name, CurrentDeliveryStreamVersionId: aws.String("1"),
			DestinationId: aws.String("destinationId-000000000001"), ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/")}})
		return err
	}
	del := func() error {
		_, err := fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: name})
		return err
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: name,
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::life")}}); err != nil {
		t.Fatal(err)
	}
	if s := status(); s != types.DeliveryStreamStatusCreating {
		t.Errorf("status after create = %s, want CREATING", s)
	}
	if err := put(); !isCode(err, "ResourceNotFoundException") {
		t.Errorf("PutRecord while CREATING: %v, want ResourceNotFoundException", err)
	}
	if err := update(); !isCode(err, "ResourceInUseException") {
		t.Errorf("UpdateDestination while CREATING: %v, want ResourceInUseException", err)
	}
	if err := del(); !isCode(err, "ResourceInUseException") {
		t.Errorf("DeleteDeliveryStream while CREATING: %v, want ResourceInUseException", err)
	}
	if _, err := fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: name, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
		t.Errorf("TagDeliveryStream while CREATING: %v", err)
	}
	emu.Clock.Advance(fhapi.DefaultCreateDelay - time.Millisecond)
	if s := status(); s != types.DeliveryStreamStatusCreating {
		t.Errorf("status just before the delay = %s, want CREATING", s)
	}
	emu.Clock.Advance(time.Millisecond)
	if s := status(); s != types.DeliveryStreamStatusActive {
		t.Errorf("status after the delay = %s, want ACTIVE", s)
	}
	if err := put(); err != nil {
		t.Errorf("PutRecord when ACTIVE: %v", err)
	}
	if err := update(); err != nil {
		t.Errorf("UpdateDestination when ACTIVE: %v", err)
	}
	if err := del(); err != nil {
		t.Fatalf("DeleteDeliveryStream: %v", err)
	}
	if s := status(); s != types.DeliveryStreamStatusDeleting {
		t.Errorf("status after delete = %s, want DELETING", s)
	}
	if err := del(); err != nil {
		t.Errorf("DeleteDeliveryStream of a DELETING stream: %v", err)
	}
	if err := update(); !isCode(err, "ResourceInUseException") {
		t.Errorf("UpdateDestination while DELETING: %v, want ResourceInUseException", err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: name,
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::life")}}); !isCode(err, "ResourceInUseException") {
		t.Errorf("CreateDeliveryStream of a DELETING name: %v, want ResourceInUseException", err)
	}
	list, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil || len(list.DeliveryStreamNames) != 1 {
		t.Errorf("ListDeliveryStreams while DELETING = %v, %v; want the stream", list, err)
	}
	emu.Clock.Advance(fhapi.DefaultCreateDelay)
	if _, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: name}); !isCode(err, "ResourceNotFoundException") {
		t.Errorf("DescribeDeliveryStream after the delay: %v, want ResourceNotFoundException", err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: name,
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::life")}}); err != nil {
		t.Errorf("CreateDeliveryStream again once gone: %v", err)
	}
}

func TestFirehosePutToSourcedStreams(t *testing.T) {
	emu, fh := startFirehose(t)
	ctx := t.Context()
	createAll(t, emu, fh, []fhDestination{
		{name: "from-kinesis", in: firehose.CreateDeliveryStreamInput{
			DeliveryStreamType:               types.DeliveryStreamTypeKinesisStreamAsSource,
			KinesisStreamSourceConfiguration: &types.KinesisStreamSourceConfiguration{KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:111122223333:stream/in"), RoleARN: fhRole},
			S3DestinationConfiguration:       fhS3("sourced"),
		}},
		{name: "from-msk", in: firehose.CreateDeliveryStreamInput{
			DeliveryStreamType: types.DeliveryStreamTypeMSKAsSource,
			MSKSourceConfiguration: &types.MSKSourceConfiguration{MSKClusterARN: aws.String("arn:aws:kafka:us-east-1:111122223333:cluster/c/1"), TopicName: aws.String("t"),
				AuthenticationConfiguration: &types.AuthenticationConfiguration{RoleARN: fhRole, Connectivity: types.ConnectivityPrivate}},
			S3DestinationConfiguration: fhS3("sourced"),
		}},
	})
	for name, typ := range map[string]string{"from-kinesis": "KinesisStreamAsSource", "from-msk": "MSKAsSource"} {
		want := "This operation is not permitted on " + typ + " delivery stream type."
		_, err := fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String(name), Record: &types.Record{Data: []byte("x")}})
		if !isCode(err, "InvalidArgumentException") || !strings.Contains(err.Error(), want) {
			t.Errorf("PutRecord to %s: %v, want InvalidArgumentException %q", name, err, want)
		}
		_, err = fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: []types.Record{{Data: []byte("x")}}})
		if !isCode(err, "InvalidArgumentException") || !strings.Contains(err.Error(), want) {
			t.Errorf("PutRecordBatch to %s: %v, want InvalidArgumentException %q", name, err, want)
		}
	}
}

func TestFirehoseValidation(t *testing.T) {
	emu, fh := startFirehose(t)
	ctx := t.Context()
	const want = "1 validation error detected: Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	_, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("bad name!"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::b")}})
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != want {
		t.Fatalf("CreateDeliveryStream with a bad name: %v, want ValidationException %q", err, want)
	}
	w := call(emu, fhapi.TargetPrefix+"DescribeDeliveryStream", ctJSON, `{"DeliveryStreamName":"s","Limit":0}`)
	if w.Code != 400 || checkErrorShape(t, w) != "ValidationException" {
		t.Errorf("Describe with Limit 0: %d %s, want 400 ValidationException", w.Code, w.Body)
	}
	// Nothing was created, and the failed call is recorded as such.
	list, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil || len(list.DeliveryStreamNames) != 0 {
		t.Errorf("ListDeliveryStreams = %v, %v; want none", list, err)
	}
	evs := lookupAll(t, cloudtrail.NewFromConfig(emu.AWSConfig()), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateDeliveryStream")}}})
	if len(evs) != 1 {
		t.Fatalf("%d CreateDeliveryStream events, want 1", len(evs))
	}
	var rec schemas.Record
	if err := json.Unmarshal([]byte(aws.ToString(evs[0].CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.ErrorCode != "ValidationException" || rec.ErrorMessage != want || !strings.Contains(string(rec.RequestParameters), "bad name!") {
		t.Errorf("recorded: errorCode %q errorMessage %q requestParameters %s", rec.ErrorCode, rec.ErrorMessage, rec.RequestParameters)
	}

	// A batch over 4 MiB is the service's InvalidArgumentException.
	createAll(t, emu, fh, []fhDestination{{name: "big", in: firehose.CreateDeliveryStreamInput{S3DestinationConfiguration: fhS3("big")}}})
	recs := make([]types.Record, 5)
	for i := range recs {
		recs[i].Data = make([]byte, 1000<<10)
	}
	if _, err := fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("big"), Records: recs}); !isCode(err, "InvalidArgumentException") {
		t.Errorf("PutRecordBatch of 5,000 KiB: %v, want InvalidArgumentException", err)
	}
}

// objectsOf returns the keys and bodies of the objects in bucket, none if
// there is no such bucket.
func objectsOf(t *testing.T, emu *Server, bucket string) map[string][]byte {
	t.Helper()
	c := emu.S3Client()
	list, err := c.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if isCode(err, "NoSuchBucket") {
		return nil
	}
	if err != nil {
		t.Fatalf("ListObjectsV2 %s: %v", bucket, err)
	}
	out := map[string][]byte{}
	for _, o := range list.Contents {
		get, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(get.Body)
		get.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[aws.ToString(o.Key)] = b
	}
	return out
}

func TestFirehoseWhereDataLands(t *testing.T) {
	emu, fh := startFirehose(t)
	ds := fhDestinations()
	createAll(t, emu, fh, ds)
	for _, d := range ds {
		if _, err := fh.PutRecord(t.Context(), &firehose.PutRecordInput{DeliveryStreamName: aws.String(d.name), Record: &types.Record{Data: []byte(d.name + "\n")}}); err != nil {
			t.Fatalf("PutRecord %s: %v", d.name, err)
		}
	}
	if err := emu.fh.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		t.Run(d.name, func(t *testing.T) {
			bucket := "land-" + d.name
			objs := objectsOf(t, emu, bucket)
			if d.lands == "" {
				if len(objs) != 0 {
					t.Errorf("bucket %s holds %v, want nothing", bucket, objs)
				}
				return
			}
			if len(objs) != 1 {
				t.Fatalf("bucket %s holds %d objects, want 1", bucket, len(objs))
			}
			for k, b := range objs {
				if !strings.HasPrefix(k, "2025/03/04/09/"+d.name+"-1-2025-03-04-09-00-00-") || string(b) != d.name+"\n" {
					t.Errorf("object %s = %q", k, b)
				}
			}
		})
	}
}

func TestFirehoseBuffering(t *testing.T) {
	emu, fh := startFirehose(t)
	ctx := t.Context()
	createAll(t, emu, fh, []fhDestination{
		{name: "buffered", in: firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::buffered"), Prefix: aws.String("p/"),
			BufferingHints: &types.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(60)},
		}}},
		{name: "zipped", in: firehose.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			RoleARN: fhRole, BucketARN: aws.String("arn:aws:s3:::zipped"), CompressionFormat: types.CompressionFormatGzip,
		}}},
	})
	put := func(name string, data ...string) {
		t.Helper()
		recs := make([]types.Record, len(data))
		for i, d := range data {
			recs[i].Data = []byte(d)
		}
		if _, err := fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: recs}); err != nil {
			t.Fatalf("PutRecordBatch %s: %v", name, err)
		}
	}
	anyCall := func() {
		t.Helper()
		if _, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{}); err != nil {
			t.Fatal(err)
		}
	}
	put("buffered", "a\n", "b\n")
	put("buffered", "c\n")
	if objs := objectsOf(t, emu, "buffered"); len(objs) != 0 {
		t.Fatalf("written before the buffering hints are met: %v", objs)
	}
	emu.Clock.Advance(59 * time.Second)
	anyCall()
	if objs := objectsOf(t, emu, "buffered"); len(objs) != 0 {
		t.Fatalf("written before the interval: %v", objs)
	}
	emu.Clock.Advance(time.Second)
	anyCall()
	objs := objectsOf(t, emu, "buffered")
	if len(objs) != 1 {
		t.Fatalf("%d objects once the interval passed, want 1", len(objs))
	}
	for k, b := range objs {
		if !strings.HasPrefix(k, "p/2025/03/04/09/buffered-1-2025-03-04-09-00-00-") || string(b) != "a\nb\nc\n" {
			t.Errorf("object %s = %q, want the three records, keyed by the first's arrival", k, b)
		}
	}
	// SizeInMBs reached: written by the put itself.
	big := strings.Repeat("x", 600<<10)
	put("buffered", big, big)
	if objs := objectsOf(t, emu, "buffered"); len(objs) != 2 {
		t.Errorf("%d objects after 1.2 MB with SizeInMBs 1, want 2", len(objs))
	}
	// GZIP, and Flush writes whatever is buffered.
	put("zipped", "z\n")
	if err := emu.fh.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	objs = objectsOf(t, emu, "zipped")
	if len(objs) != 1 {
		t.Fatalf("%d objects after Flush, want 1", len(objs))
	}
	for k, b := range objs {
		zr, err := gzipNewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if !strings.HasSuffix(k, ".gz") || err != nil || string(plain) != "z\n" {
			t.Errorf("object %s = %q, %v", k, plain, err)
		}
	}
}
