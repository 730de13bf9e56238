package s3front

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/firetrail/firetrail/emulator/internal/sns"
)

func TestSDKBucketNotificationConfiguration(t *testing.T) {
	f, s := newNotifyFront(t, Options{})
	srv := newServer(t, f, true)
	c := newClient(t, srv)
	ctx := t.Context()

	empty, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(testBucket)})
	if err != nil {
		t.Fatalf("GetBucketNotificationConfiguration (none): %v", err)
	}
	if len(empty.QueueConfigurations)+len(empty.TopicConfigurations)+len(empty.LambdaFunctionConfigurations) != 0 || empty.EventBridgeConfiguration != nil {
		t.Errorf("empty configuration = %+v", empty)
	}

	in := &types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{{
			Id: aws.String("logs"), QueueArn: aws.String(testQueue),
			Events: []types.Event{types.EventS3ObjectCreated, types.EventS3ObjectRemovedDelete},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
				{Name: types.FilterRuleNamePrefix, Value: aws.String("AWSLogs/")},
				{Name: types.FilterRuleNameSuffix, Value: aws.String(".json.gz")},
			}}},
		}},
		TopicConfigurations: []types.TopicConfiguration{{
			TopicArn: aws.String(testTopic), Events: []types.Event{types.EventS3ObjectCreated},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{
				{Name: types.FilterRuleNamePrefix, Value: aws.String("other/")},
			}}},
		}},
	}
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(testBucket), NotificationConfiguration: in}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	if msgs := s.take(t, f); len(msgs) != 2 {
		t.Errorf("test events: %v", msgs)
	}
	out, err := c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(testBucket)})
	if err != nil {
		t.Fatalf("GetBucketNotificationConfiguration: %v", err)
	}
	if len(out.QueueConfigurations) != 1 || len(out.TopicConfigurations) != 1 {
		t.Fatalf("GET = %+v", out)
	}
	q := out.QueueConfigurations[0]
	if aws.ToString(q.Id) != "logs" || aws.ToString(q.QueueArn) != testQueue || len(q.Events) != 2 || q.Events[1] != types.EventS3ObjectRemovedDelete ||
		q.Filter == nil || len(q.Filter.Key.FilterRules) != 2 || q.Filter.Key.FilterRules[0].Name != "Prefix" || aws.ToString(q.Filter.Key.FilterRules[1].Value) != ".json.gz" {
		t.Errorf("queue configuration = %+v", q)
	}
	if tc := out.TopicConfigurations[0]; aws.ToString(tc.Id) == "" || aws.ToString(tc.TopicArn) != testTopic {
		t.Errorf("topic configuration = %+v (want a generated Id)", tc)
	}

	// An SDK PUT makes an event.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("AWSLogs/x.json.gz"), Body: bytes.NewReader([]byte("data"))}); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, s.take(t, f)); len(recs) != 1 || recs[0].arn != testQueue || recs[0].UserIdentity.PrincipalID != "AWS:AKIDEXAMPLE" {
		t.Errorf("events = %+v", recs)
	}

	// Validation errors reach the SDK as S3 API errors.
	_, err = c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(testBucket), NotificationConfiguration: &types.NotificationConfiguration{
		QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String(testQueue), Events: []types.Event{"s3:Bogus"}}},
	}})
	if !isCode(err, "InvalidArgument") || !strings.Contains(err.Error(), msgEventNotSupported) {
		t.Errorf("bad event: %v", err)
	}

	// The empty configuration.
	if _, err := c.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String(testBucket), NotificationConfiguration: &types.NotificationConfiguration{}}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration (empty): %v", err)
	}
	out, err = c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(testBucket)})
	if err != nil || len(out.QueueConfigurations)+len(out.TopicConfigurations) != 0 {
		t.Errorf("after the empty configuration: %+v, %v", out, err)
	}
}

// TestEventMatchesSNSEncoder: Event and sns.S3Event (the trail's
// WithS3Events endpoints) write the same JSON for an ObjectCreated:Put.
func TestEventMatchesSNSEncoder(t *testing.T) {
	t0 := time.Date(2025, 3, 4, 9, 6, 10, 875_000_000, time.UTC)
	full := Event{
		Region: "eu-west-1", Bucket: "example-trail-bucket",
		Key:  "ct logs/AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/a=b.json.gz",
		Size: 18394, ETag: "0123456789abcdef0123456789abcdef",
		EventTime: t0, Sequencer: "0067C6C3E2A1B2C3D4",
		RequestID: "8J4M2QW7E1EXAMPL", HostID: "host", ConfigurationID: "ct-logs",
		PrincipalID: "AWS:AROARKQZ7EXAMPLE3CT7P:regionalDeliverySession", SourceIP: "203.0.113.77", OwnerID: "A1EXAMPLEOWNER",
	}
	same := sns.S3Event{
		Region: full.Region, Bucket: full.Bucket, Key: full.Key, Size: full.Size, ETag: full.ETag,
		EventTime: t0, Sequencer: full.Sequencer, RequestID: full.RequestID, HostID: full.HostID,
		ConfigurationID: full.ConfigurationID, PrincipalID: full.PrincipalID, SourceIP: full.SourceIP, OwnerID: full.OwnerID,
	}
	if diff := cmp.Diff(string(same.JSON()), string(full.JSON())); diff != "" {
		t.Errorf("Event.JSON differs from sns.S3Event.JSON (-sns +s3front):\n%s", diff)
	}
	defaults := Event{Region: "us-east-1", Bucket: "b", Key: "k", Size: 1, ETag: "e", EventTime: t0}
	snsDefaults := sns.S3Event{Region: "us-east-1", Bucket: "b", Key: "k", Size: 1, ETag: "e", EventTime: t0}
	if diff := cmp.Diff(string(snsDefaults.JSON()), string(defaults.JSON())); diff != "" {
		t.Errorf("defaults differ (-sns +s3front):\n%s", diff)
	}
	if got := EventKey("a b/c+d~e*f"); got != sns.S3EventKey("a b/c+d~e*f") {
		t.Errorf("EventKey = %q, sns %q", got, sns.S3EventKey("a b/c+d~e*f"))
	}
	// A removal has no size or eTag; a version is written before the sequencer.
	rm := Event{Name: "ObjectRemoved:DeleteMarkerCreated", Bucket: "b", Key: "k", VersionID: "v1", Sequencer: "00AB", EventTime: t0}
	var v map[string]any
	if err := json.Unmarshal(rm.JSON(), &v); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(rm.JSON()), `"object":{"key":"k","versionId":"v1","sequencer":"00AB"}}}]}`) {
		t.Errorf("removal event = %s", rm.JSON())
	}
}

func TestNotificationOverHTTP(t *testing.T) {
	// The sub-resource is no longer refused as NotImplemented.
	f := newTestFront(t)
	srv := newServer(t, f, false)
	resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"?notification", nil, nil), false)
	if resp.StatusCode != 200 || !strings.Contains(string(resp.body), "NotificationConfiguration") || resp.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("GET ?notification: %d %s", resp.StatusCode, resp.body)
	}
}
