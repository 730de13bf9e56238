package emulator

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/google/go-cmp/cmp"

	fhapi "github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/emulator/trail"
)

// describeJSON describes stream name and returns the description as JSON
// (the SDK's types hold unexported fields that cmp cannot see through).
func describeJSON(t *testing.T, fh *firehose.Client, name string) string {
	t.Helper()
	out, err := fh.DescribeDeliveryStream(t.Context(), &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeDeliveryStream %s: %v", name, err)
	}
	b, err := json.MarshalIndent(out.DeliveryStreamDescription, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tagsOf(t *testing.T, fh *firehose.Client, name string) map[string]string {
	t.Helper()
	out, err := fh.ListTagsForDeliveryStream(t.Context(), &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListTagsForDeliveryStream %s: %v", name, err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags {
		m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return m
}

func TestFirehoseStateSurvivesRestart(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	dir := t.TempDir()
	clock := trail.NewFakeClock(DefaultStartTime)
	start := func() *Server {
		t.Helper()
		return Start(t, WithDataDir(dir), WithClock(clock), testLogger(t))
	}
	emu := start()
	fh := firehose.NewFromConfig(emu.AWSConfig())
	ctx := t.Context()
	role := aws.String("arn:aws:iam::111122223333:role/firehose")
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::clicks-raw"), RoleARN: role, Prefix: aws.String("raw/"),
			CompressionFormat: types.CompressionFormatGzip,
			BufferingHints:    &types.BufferingHints{IntervalInSeconds: aws.Int32(60), SizeInMBs: aws.Int32(5)},
		},
		DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk},
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	}); err != nil {
		t.Fatalf("CreateDeliveryStream clicks: %v", err)
	}
	clock.Advance(time.Minute)
	if _, err := fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{
		DeliveryStreamName: aws.String("clicks"), CurrentDeliveryStreamVersionId: aws.String("1"),
		DestinationId:               aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/")},
	}); err != nil {
		t.Fatalf("UpdateDestination: %v", err)
	}
	if _, err := fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{
		DeliveryStreamName: aws.String("clicks"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}},
	}); err != nil {
		t.Fatalf("TagDeliveryStream: %v", err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("from-kinesis"),
		DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &types.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:111122223333:stream/in"), RoleARN: role,
		},
		S3DestinationConfiguration: &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::legacy"), RoleARN: role},
	}); err != nil {
		t.Fatalf("CreateDeliveryStream from-kinesis: %v", err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("doomed"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::x"), RoleARN: role},
	}); err != nil {
		t.Fatalf("CreateDeliveryStream doomed: %v", err)
	}
	clock.Advance(time.Second) // a CREATING stream cannot be deleted
	if _, err := fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("doomed")}); err != nil {
		t.Fatalf("DeleteDeliveryStream: %v", err)
	}
	before := map[string]string{"clicks": describeJSON(t, fh, "clicks"), "from-kinesis": describeJSON(t, fh, "from-kinesis")}
	tagsBefore := tagsOf(t, fh, "clicks")
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) > 0 {
		t.Errorf("temporary files left in the data dir: %v", tmp)
	}

	emu = start()
	fh = firehose.NewFromConfig(emu.AWSConfig())
	for name, want := range before {
		if diff := cmp.Diff(want, describeJSON(t, fh, name)); diff != "" {
			t.Errorf("DescribeDeliveryStream %s after restart (-want +got):\n%s", name, diff)
		}
	}
	if !strings.Contains(before["clicks"], `"VersionId": "2"`) || !strings.Contains(before["clicks"], `"Status": "ENABLED"`) {
		t.Errorf("clicks before restart lacks version 2 or encryption: %s", before["clicks"])
	}
	if diff := cmp.Diff(tagsBefore, tagsOf(t, fh, "clicks")); diff != "" {
		t.Errorf("tags after restart (-want +got):\n%s", diff)
	}
	list, err := fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"clicks", "from-kinesis"}, list.DeliveryStreamNames); diff != "" {
		t.Errorf("ListDeliveryStreams after restart (-want +got):\n%s", diff)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::x"), RoleARN: role},
	}); !isCode(err, "ResourceInUseException") {
		t.Errorf("duplicate create after restart: %v, want ResourceInUseException", err)
	}
	// The version chain goes on: version 2 is current.
	if _, err := fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{
		DeliveryStreamName: aws.String("clicks"), CurrentDeliveryStreamVersionId: aws.String("2"),
		DestinationId:               aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v3/")},
	}); err != nil {
		t.Errorf("UpdateDestination from version 2 after restart: %v", err)
	}
}

func TestFirehoseStateBadFile(t *testing.T) {
	valid := `{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":1}]}`
	tests := []struct{ name, body, want string }{
		{"not json", "{", "unexpected end of JSON input"},
		{"wrong version", `{"version":7}`, "format version 7, want 1"},
		{"bad account", strings.Replace(valid, `"111122223333"`, `"12"`, 1), `invalid account "12"`},
		{"bad region", strings.Replace(valid, `"us-east-1"`, `"US EAST"`, 1), `invalid region "US EAST"`},
		{"bad name", strings.Replace(valid, `"name":"s"`, `"name":"a b"`, 1), `invalid name "a b"`},
		{"bad type", strings.Replace(valid, `"DirectPut"`, `"Carrier"`, 1), `invalid type "Carrier"`},
		{"bad version", strings.Replace(valid, `"version":1}`, `"version":0}`, 1), "invalid version 0"},
		{"duplicate", strings.Replace(valid, `}]}`, `},`+valid[strings.Index(valid, "[")+1:], 1), "saved twice"},
		{"wrong field type", `{"version":1,"streams":[{"tags":"x"}]}`, "cannot unmarshal"},
		{"too many encryption calls", strings.Replace(valid, `"version":1}`, `"version":1,"encryptionCalls":[`+strings.Repeat(`"2025-03-03T00:00:00Z",`, 25)+`"2025-03-03T00:00:00Z"]}`, 1), "26 encryption calls, at most 25"},
		{"encryption calls out of order", strings.Replace(valid, `"version":1}`, `"version":1,"encryptionCalls":["2025-03-03T00:00:01Z","2025-03-03T00:00:00Z"]}`, 1), "encryption calls not in time order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, fhapi.StateFile), []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			e, err := New(WithDataDir(dir), WithClock(trail.NewFakeClock(DefaultStartTime)))
			if err == nil {
				e.Close()
				t.Fatalf("New with firehose state %s succeeded", tc.body)
			}
			if !strings.Contains(err.Error(), "load firehose state") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want one about the firehose state with %q", err, tc.want)
			}
		})
	}
}

// TestFirehoseEncryptionCallLimit: a stream takes 25 encryption calls
// (StartDeliveryStreamEncryption and StopDeliveryStreamEncryption together)
// in 24 hours, as the API reference of both says; the 26th is a
// LimitExceededException that changes nothing, is not counted, and is
// still refused after a restart. Once the first call is 24 hours old, one
// more is taken.
func TestFirehoseEncryptionCallLimit(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	dir := t.TempDir()
	clock := trail.NewFakeClock(DefaultStartTime)
	start := func() (*Server, *firehose.Client) {
		t.Helper()
		emu := Start(t, WithDataDir(dir), WithClock(clock), testLogger(t))
		return emu, firehose.NewFromConfig(emu.AWSConfig())
	}
	emu, fh := start()
	ctx := t.Context()
	name := aws.String("clicks")
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 name,
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::clicks-raw"), RoleARN: aws.String("arn:aws:iam::111122223333:role/firehose")},
	}); err != nil {
		t.Fatalf("CreateDeliveryStream: %v", err)
	}
	clock.Advance(time.Minute)
	call := func(i int) error {
		if i%2 == 0 {
			_, err := fh.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: name})
			return err
		}
		_, err := fh.StopDeliveryStreamEncryption(ctx, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: name})
		return err
	}
	first := clock.Now()
	for i := range 25 {
		if err := call(i); err != nil {
			t.Fatalf("encryption call %d: %v", i+1, err)
		}
		clock.Advance(time.Minute)
	}
	// The 25th call (a start) left encryption on.
	refused := func(when string) {
		t.Helper()
		for _, i := range []int{1, 0} { // a stop, then a start
			err := call(i)
			var lim *types.LimitExceededException
			if !errors.As(err, &lim) || aws.ToString(lim.Message) != "Limit exceeded for Firehose clicks under account 111122223333." {
				t.Fatalf("%s: encryption call = %v, want LimitExceededException", when, err)
			}
		}
		if d := describeJSON(t, fh, "clicks"); !strings.Contains(d, `"Status": "ENABLED"`) {
			t.Errorf("%s: a refused call changed the encryption: %s", when, d)
		}
	}
	refused("26th call")
	if err := emu.Close(); err != nil {
		t.Fatal(err)
	}
	_, fh = start()
	refused("after a restart")

	// The first call leaves the 24 hours: one call more, then refused
	// again (the refused calls did not count).
	clock.Set(first.Add(24*time.Hour + time.Second))
	if err := call(1); err != nil {
		t.Fatalf("a call once the first is 24 hours old: %v", err)
	}
	var lim *types.LimitExceededException
	if err := call(0); !errors.As(err, &lim) {
		t.Errorf("the next call: %v, want LimitExceededException", err)
	}
}
