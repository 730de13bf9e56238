package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
)

// waitActive polls DescribeDeliveryStream until the stream is ACTIVE, as
// code against AWS must (streams start CREATING).
func waitActive(t *testing.T, fh *firehose.Client, name string) *types.DeliveryStreamDescription {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		out, err := fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeDeliveryStream %s: %v", name, err)
		}
		d := out.DeliveryStreamDescription
		if d.DeliveryStreamStatus == types.DeliveryStreamStatusActive {
			return d
		}
		if d.DeliveryStreamStatus != types.DeliveryStreamStatusCreating || time.Now().After(deadline) {
			t.Fatalf("stream %s is %s, want CREATING then ACTIVE", name, d.DeliveryStreamStatus)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestE2EGoSDKServices drives firetrail serve with aws-sdk-go-v2 the way
// consumer code does: GetTrailStatus and DescribeTrails deserialize, a
// stream of each destination type is described with every required member
// the code dereferences, bad input answers ValidationException, and put
// data lands after a flush.
func TestE2EGoSDKServices(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	srv := startServe(t, "--events", "20", "--seed", "9")
	cfg := goConfig(t, &srv.serveInfo)
	ct := cloudtrail.NewFromConfig(cfg)
	fh := firehose.NewFromConfig(cfg)

	trails, err := ct.DescribeTrails(t.Context(), &cloudtrail.DescribeTrailsInput{})
	if err != nil || len(trails.TrailList) != 1 {
		t.Fatalf("DescribeTrails = %v, %v", trails, err)
	}
	st, err := ct.GetTrailStatus(t.Context(), &cloudtrail.GetTrailStatusInput{Name: trails.TrailList[0].TrailARN})
	if err != nil {
		t.Fatalf("GetTrailStatus: %v", err)
	}
	if !aws.ToBool(st.IsLogging) || st.LatestDeliveryTime == nil || st.StartLoggingTime == nil {
		t.Errorf("GetTrailStatus = logging %v, delivery %v, start %v; want logging with both times", aws.ToBool(st.IsLogging), st.LatestDeliveryTime, st.StartLoggingTime)
	}
	if _, err := time.Parse(time.RFC3339, aws.ToString(st.LatestDeliveryAttemptTime)); err != nil {
		t.Errorf("LatestDeliveryAttemptTime %q is not ISO 8601: %v", aws.ToString(st.LatestDeliveryAttemptTime), err)
	}

	role := aws.String("arn:aws:iam::111122223333:role/firehose")
	s3conf := &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::e2e-backup"), RoleARN: role}
	streams := map[string]*firehose.CreateDeliveryStreamInput{
		"s3":       {S3DestinationConfiguration: s3conf},
		"extended": {ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::e2e-ext"), RoleARN: role}},
		"redshift": {RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
			ClusterJDBCURL: aws.String("jdbc:redshift://c.example.us-east-1.redshift.amazonaws.com:5439/db"), RoleARN: role,
			CopyCommand: &types.CopyCommand{DataTableName: aws.String("t")}, Username: aws.String("u"), Password: aws.String("secret-pw"),
			S3Configuration: &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::e2e-stage"), RoleARN: role},
		}},
		"opensearch": {AmazonopensearchserviceDestinationConfiguration: &types.AmazonopensearchserviceDestinationConfiguration{
			DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), RoleARN: role, S3Configuration: s3conf,
		}},
		"elasticsearch": {ElasticsearchDestinationConfiguration: &types.ElasticsearchDestinationConfiguration{
			DomainARN: aws.String("arn:aws:es:us-east-1:111122223333:domain/d"), IndexName: aws.String("i"), RoleARN: role, S3Configuration: s3conf,
		}},
		"splunk": {SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("https://splunk.example.com:8088"), HECEndpointType: types.HECEndpointTypeRaw, HECToken: aws.String("tok"), S3Configuration: s3conf,
		}},
		"http": {HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://collector.example.com/in"), AccessKey: aws.String("key")}, S3Configuration: s3conf,
		}},
	}
	for name, in := range streams {
		in.DeliveryStreamName = aws.String("e2e-" + name)
		if _, err := fh.CreateDeliveryStream(t.Context(), in); err != nil {
			t.Fatalf("CreateDeliveryStream %s: %v", name, err)
		}
	}
	for name := range streams {
		d := waitActive(t, fh, "e2e-"+name)
		if len(d.Destinations) != 1 || d.VersionId == nil || d.CreateTimestamp == nil || d.HasMoreDestinations == nil {
			t.Errorf("%s: description lacks required members: %+v", name, d)
			continue
		}
		dst := d.Destinations[0]
		var s3d *types.S3DestinationDescription
		switch {
		case dst.ExtendedS3DestinationDescription != nil:
			x := dst.ExtendedS3DestinationDescription
			_ = *x.BufferingHints.SizeInMBs + *x.BufferingHints.IntervalInSeconds
			if x.CompressionFormat == "" || x.EncryptionConfiguration == nil {
				t.Errorf("%s: extended S3 description without CompressionFormat or EncryptionConfiguration", name)
			}
		case dst.RedshiftDestinationDescription != nil:
			s3d = dst.RedshiftDestinationDescription.S3DestinationDescription
		case dst.AmazonopensearchserviceDestinationDescription != nil:
			s3d = dst.AmazonopensearchserviceDestinationDescription.S3DestinationDescription
		case dst.ElasticsearchDestinationDescription != nil:
			s3d = dst.ElasticsearchDestinationDescription.S3DestinationDescription
		case dst.SplunkDestinationDescription != nil:
			s3d = dst.SplunkDestinationDescription.S3DestinationDescription
		case dst.HttpEndpointDestinationDescription != nil:
			s3d = dst.HttpEndpointDestinationDescription.S3DestinationDescription
		default:
			t.Errorf("%s: no destination description", name)
			continue
		}
		if s3d != nil {
			// Consumer code dereferences these; on AWS they are always set.
			_ = *s3d.BufferingHints.SizeInMBs + *s3d.BufferingHints.IntervalInSeconds
			if s3d.CompressionFormat == "" || s3d.EncryptionConfiguration == nil {
				t.Errorf("%s: nested S3 description without CompressionFormat or EncryptionConfiguration", name)
			}
		}
	}

	// Bad input: the model's constraints, AWS's error code and message form.
	_, err = fh.CreateDeliveryStream(t.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("bad name!"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: role},
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" ||
		!strings.Contains(ae.ErrorMessage(), "Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+") {
		t.Errorf("CreateDeliveryStream(bad name!) = %v, want ValidationException in AWS's form", err)
	}

	// Put data lands in the destination bucket once delivered (flush).
	if _, err := fh.PutRecord(t.Context(), &firehose.PutRecordInput{DeliveryStreamName: aws.String("e2e-extended"), Record: &types.Record{Data: []byte("hello\n")}}); err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	if _, err := flush(t.Context(), srv.URL); err != nil {
		t.Fatal(err)
	}
	if objs := listObjects(t, goS3(t, &srv.serveInfo), "e2e-ext", ""); len(objs) != 1 {
		t.Errorf("objects in the destination bucket after a put and a flush: %v, want 1", objs)
	}
}

// boto3ServicesScript drives CloudTrail and Firehose with boto3 and prints
// a JSON summary; botocore's parsers reject members of the wrong type.
const boto3ServicesScript = `
import json, os, sys, time, urllib.request
import boto3, botocore

# botocore before 1.31 does not read AWS_ENDPOINT_URL.
url = os.environ['AWS_ENDPOINT_URL']
ct = boto3.client('cloudtrail', endpoint_url=url)
fh = boto3.client('firehose', endpoint_url=url)
out = {}
st = ct.get_trail_status(Name=ct.describe_trails()['trailList'][0]['TrailARN'])
out['status'] = {k: (v.isoformat() if hasattr(v, 'isoformat') else v) for k, v in st.items() if k != 'ResponseMetadata'}
fh.create_delivery_stream(DeliveryStreamName='boto3-ext', ExtendedS3DestinationConfiguration={
    'BucketARN': 'arn:aws:s3:::boto3-ext', 'RoleARN': 'arn:aws:iam::111122223333:role/r'})
statuses = []
for _ in range(200):
    d = fh.describe_delivery_stream(DeliveryStreamName='boto3-ext')['DeliveryStreamDescription']
    statuses.append(d['DeliveryStreamStatus'])
    if d['DeliveryStreamStatus'] == 'ACTIVE':
        break
    time.sleep(0.05)
out['statuses'] = sorted(set(statuses))
ext = d['Destinations'][0]['ExtendedS3DestinationDescription']
out['buffering'] = ext['BufferingHints']
out['compression'] = ext['CompressionFormat']
try:
    fh.create_delivery_stream(DeliveryStreamName='bad name!', ExtendedS3DestinationConfiguration={
        'BucketARN': 'arn:aws:s3:::b', 'RoleARN': 'arn:aws:iam::111122223333:role/r'})
    out['bad_name'] = 'accepted'
except botocore.exceptions.ClientError as e:
    out['bad_name'] = [e.response['Error']['Code'], e.response['Error']['Message']]
try:
    fh.create_delivery_stream(DeliveryStreamName='big', ExtendedS3DestinationConfiguration={
        'BucketARN': 'arn:aws:s3:::b', 'RoleARN': 'arn:aws:iam::111122223333:role/r',
        'BufferingHints': {'SizeInMBs': 500, 'IntervalInSeconds': 300}})
    out['big'] = 'accepted'
except botocore.exceptions.ClientError as e:
    out['big'] = [e.response['Error']['Code'], e.response['Error']['Message']]
fh.put_record(DeliveryStreamName='boto3-ext', Record={'Data': b'from boto3\n'})
req = urllib.request.Request(url + '/_firetrail/flush', method='POST')
out['flushed'] = json.load(urllib.request.urlopen(req))['keys']
s3 = boto3.client('s3', endpoint_url=url)
out['dest'] = [o['Key'] for o in s3.list_objects_v2(Bucket='boto3-ext').get('Contents', [])]
print(json.dumps(out))
`

// TestE2EBoto3Services runs Debian's boto3 against firetrail serve:
// GetTrailStatus parses, a new stream goes CREATING → ACTIVE with its
// defaults described, bad input answers ValidationException, and a put
// lands in the destination bucket after POST /_firetrail/flush.
func TestE2EBoto3Services(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	python, version := findPython(t)
	t.Logf("python: %s: boto3/botocore %s", python, version)
	dir := t.TempDir()
	script := filepath.Join(dir, "services.py")
	if err := os.WriteFile(script, []byte(boto3ServicesScript), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, "--events", "20", "--seed", "4")
	stdout, stderr, err := execClient(t.Context(), clientEnv(t, &srv.serveInfo, pathStyleConfig), dir, python, script)
	if err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s", script, err, stderr)
	}
	var got struct {
		Status    map[string]any `json:"status"`
		Statuses  []string       `json:"statuses"`
		Buffering map[string]int `json:"buffering"`
		Compress  string         `json:"compression"`
		BadName   []string       `json:"bad_name"`
		Big       []string       `json:"big"`
		Flushed   []string       `json:"flushed"`
		Dest      []string       `json:"dest"`
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("script output %q: %v", stdout, err)
	}
	if got.Status["IsLogging"] != true || got.Status["LatestDeliveryAttemptTime"] == nil {
		t.Errorf("get_trail_status = %v", got.Status)
	}
	if strings.Join(got.Statuses, ",") != "ACTIVE,CREATING" {
		t.Errorf("statuses seen while polling = %v, want CREATING then ACTIVE", got.Statuses)
	}
	if got.Buffering["SizeInMBs"] != 5 || got.Buffering["IntervalInSeconds"] != 300 || got.Compress != "UNCOMPRESSED" {
		t.Errorf("described defaults = %v %q, want 5 MiB / 300 s, UNCOMPRESSED", got.Buffering, got.Compress)
	}
	if len(got.BadName) != 2 || got.BadName[0] != "ValidationException" || !strings.Contains(got.BadName[1], "at 'deliveryStreamName' failed to satisfy constraint") {
		t.Errorf("bad name = %q, want ValidationException", got.BadName)
	}
	if len(got.Big) != 2 || got.Big[0] != "ValidationException" || !strings.Contains(got.Big[1], "Value '500' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128") {
		t.Errorf("SizeInMBs 500 = %q, want ValidationException", got.Big)
	}
	if len(got.Flushed) == 0 || len(got.Dest) != 1 {
		t.Errorf("flushed %q, destination objects %q; want log files and one object", got.Flushed, got.Dest)
	}
}

// TestE2EAWSCLIServices runs Debian's awscli v2: get-trail-status and
// describe-delivery-stream print, and a bad stream name fails with
// ValidationException.
func TestE2EAWSCLIServices(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	bin, version := findAWSCLI(t)
	t.Logf("awscli: %s: %s", bin, version)
	srv := startServe(t, "--events", "20", "--seed", "6")
	env := clientEnv(t, &srv.serveInfo, pathStyleConfig)
	dir := t.TempDir()
	aws := func(args ...string) ([]byte, []byte, error) {
		return execClient(t.Context(), env, dir, bin, append([]string{"--endpoint-url", srv.URL, "--output", "json"}, args...)...)
	}
	out, stderr, err := aws("cloudtrail", "get-trail-status", "--name", "firetrail")
	if err != nil {
		t.Fatalf("get-trail-status: %v\n%s", err, stderr)
	}
	var st map[string]any
	if err := json.Unmarshal(out, &st); err != nil || st["IsLogging"] != true {
		t.Errorf("get-trail-status printed %s (%v)", out, err)
	}
	if _, stderr, err := aws("firehose", "create-delivery-stream", "--delivery-stream-name", "cli-ext",
		"--extended-s3-destination-configuration", "BucketARN=arn:aws:s3:::cli-ext,RoleARN=arn:aws:iam::111122223333:role/r"); err != nil {
		t.Fatalf("create-delivery-stream: %v\n%s", err, stderr)
	}
	out, stderr, err = aws("firehose", "describe-delivery-stream", "--delivery-stream-name", "cli-ext")
	if err != nil {
		t.Fatalf("describe-delivery-stream: %v\n%s", err, stderr)
	}
	if !strings.Contains(string(out), `"SizeInMBs": 5`) || !strings.Contains(string(out), `"CompressionFormat": "UNCOMPRESSED"`) {
		t.Errorf("describe-delivery-stream printed %s, want the default buffering hints and compression", out)
	}
	_, stderr, err = aws("firehose", "create-delivery-stream", "--delivery-stream-name", "bad name!",
		"--extended-s3-destination-configuration", "BucketARN=arn:aws:s3:::b,RoleARN=arn:aws:iam::111122223333:role/r")
	if err == nil || !strings.Contains(string(stderr), "(ValidationException)") || !strings.Contains(string(stderr), "failed to satisfy constraint") {
		t.Errorf("create-delivery-stream 'bad name!' = %v, stderr %s; want ValidationException", err, stderr)
	}
}
