package s3front

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
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

func TestNotificationOverHTTP(t *testing.T) {
	// The sub-resource is no longer refused as NotImplemented.
	f := newTestFront(t)
	srv := newServer(t, f, false)
	resp := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"?notification", nil, nil), false)
	if resp.StatusCode != 200 || !strings.Contains(string(resp.body), "NotificationConfiguration") || resp.Header.Get("Content-Type") != "application/xml" {
		t.Errorf("GET ?notification: %d %s", resp.StatusCode, resp.body)
	}
}
