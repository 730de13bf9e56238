package sns_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/sns"
)

// sdkClient returns an SNS client of the SDK talking to svc through
// HandleQuery and the awsapi query writers, as the emulator serves it.
func sdkClient(t *testing.T, svc *sns.Service) *awssns.Client {
	t.Helper()
	t.Setenv("AWS_CA_BUNDLE", "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			awsapi.WriteQueryError(w, "req", sns.XMLNS, awsapi.NewError(400, "MalformedQueryString", "bad form"))
			return
		}
		if v := r.Form.Get("Version"); v != sns.Version {
			t.Errorf("Version = %q", v)
		}
		action := r.Form.Get("Action")
		out, err := svc.HandleQuery(r.Context(), caller, action, r.Form)
		if err != nil {
			awsapi.WriteQueryError(w, "req", sns.XMLNS, awsapi.AsError(err))
			return
		}
		awsapi.WriteQuery(w, "req", sns.XMLNS, action, out)
	}))
	t.Cleanup(srv.Close)
	return awssns.New(awssns.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	})
}

func TestSDK(t *testing.T) {
	svc, q := newQueryService(t, "")
	c := sdkClient(t, svc)
	ctx := t.Context()

	ct, err := c.CreateTopic(ctx, &awssns.CreateTopicInput{
		Name:       aws.String("a"),
		Attributes: map[string]string{"DisplayName": "Ay"},
		Tags:       []types.Tag{{Key: aws.String("team"), Value: aws.String("x")}},
	})
	must(t, err)
	if aws.ToString(ct.TopicArn) != topicA {
		t.Fatalf("TopicArn = %s", aws.ToString(ct.TopicArn))
	}
	lt, err := c.ListTopics(ctx, &awssns.ListTopicsInput{})
	must(t, err)
	if len(lt.Topics) != 1 || aws.ToString(lt.Topics[0].TopicArn) != topicA || lt.NextToken != nil {
		t.Errorf("ListTopics = %+v", lt)
	}
	ga, err := c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: ct.TopicArn})
	must(t, err)
	if ga.Attributes["DisplayName"] != "Ay" || ga.Attributes["Owner"] != acct || ga.Attributes["TopicArn"] != topicA {
		t.Errorf("GetTopicAttributes = %v", ga.Attributes)
	}
	_, err = c.SetTopicAttributes(ctx, &awssns.SetTopicAttributesInput{TopicArn: ct.TopicArn, AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("Bee")})
	must(t, err)

	sub, err := c.Subscribe(ctx, &awssns.SubscribeInput{
		TopicArn: ct.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN),
		Attributes:            map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["a","b"]}`},
		ReturnSubscriptionArn: true,
	})
	must(t, err)
	sa, err := c.GetSubscriptionAttributes(ctx, &awssns.GetSubscriptionAttributesInput{SubscriptionArn: sub.SubscriptionArn})
	must(t, err)
	if sa.Attributes["RawMessageDelivery"] != "true" || sa.Attributes["Protocol"] != "sqs" || sa.Attributes["PendingConfirmation"] != "false" {
		t.Errorf("GetSubscriptionAttributes = %v", sa.Attributes)
	}
	ls, err := c.ListSubscriptionsByTopic(ctx, &awssns.ListSubscriptionsByTopicInput{TopicArn: ct.TopicArn})
	must(t, err)
	if len(ls.Subscriptions) != 1 || aws.ToString(ls.Subscriptions[0].SubscriptionArn) != aws.ToString(sub.SubscriptionArn) {
		t.Errorf("ListSubscriptionsByTopic = %+v", ls.Subscriptions)
	}

	pub, err := c.Publish(ctx, &awssns.PublishInput{
		TopicArn: ct.TopicArn, Message: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind": {DataType: aws.String("String"), StringValue: aws.String("a")},
			"bin":  {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}},
		},
	})
	must(t, err)
	got := q.take()
	if aws.ToString(pub.MessageId) == "" || len(got) != 1 || got[0].body != "hello" || got[0].attrs["kind"].StringValue != "a" || string(got[0].attrs["bin"].BinaryValue) != "\x01\x02" {
		t.Errorf("Publish = %v, deliveries %+v", aws.ToString(pub.MessageId), got)
	}
	_, err = c.Publish(ctx, &awssns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("filtered out"),
		MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("z")}}})
	must(t, err)
	if got := q.take(); len(got) != 0 {
		t.Errorf("filtered message delivered: %v", got)
	}

	pb, err := c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: ct.TopicArn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("1"), Message: aws.String("m1"), MessageAttributes: map[string]types.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String("b")}}},
		{Id: aws.String("2"), Message: aws.String("m2")},
	}})
	must(t, err)
	if len(pb.Successful) != 2 || len(pb.Failed) != 0 {
		t.Errorf("PublishBatch = %+v", pb)
	}
	if got := q.take(); len(got) != 1 || got[0].body != "m1" {
		t.Errorf("PublishBatch deliveries %+v", got)
	}

	_, err = c.TagResource(ctx, &awssns.TagResourceInput{ResourceArn: ct.TopicArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
	must(t, err)
	_, err = c.UntagResource(ctx, &awssns.UntagResourceInput{ResourceArn: ct.TopicArn, TagKeys: []string{"team"}})
	must(t, err)
	tags, err := c.ListTagsForResource(ctx, &awssns.ListTagsForResourceInput{ResourceArn: ct.TopicArn})
	must(t, err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("ListTagsForResource = %+v", tags.Tags)
	}

	all, err := c.ListSubscriptions(ctx, &awssns.ListSubscriptionsInput{})
	must(t, err)
	if len(all.Subscriptions) != 1 || aws.ToString(all.Subscriptions[0].Owner) != acct {
		t.Errorf("ListSubscriptions = %+v", all.Subscriptions)
	}
	_, err = c.Unsubscribe(ctx, &awssns.UnsubscribeInput{SubscriptionArn: sub.SubscriptionArn})
	must(t, err)

	// Errors come back as the SDK's typed errors.
	_, err = c.GetTopicAttributes(ctx, &awssns.GetTopicAttributesInput{TopicArn: aws.String(topicA + "x")})
	if _, ok := errors.AsType[*types.NotFoundException](err); !ok {
		t.Errorf("GetTopicAttributes of an unknown topic: %v", err)
	}
	_, err = c.CreateTopic(ctx, &awssns.CreateTopicInput{Name: aws.String("bad name")})
	if _, ok := errors.AsType[*types.InvalidParameterException](err); !ok {
		t.Errorf("CreateTopic with a bad name: %v", err)
	}
	_, err = c.Publish(ctx, &awssns.PublishInput{TopicArn: ct.TopicArn, Message: aws.String("m"),
		MessageAttributes: map[string]types.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("x")}}})
	if _, ok := errors.AsType[*types.InvalidParameterValueException](err); !ok {
		t.Errorf("Publish with a bad number: %v", err)
	}
	_, err = c.PublishBatch(ctx, &awssns.PublishBatchInput{TopicArn: ct.TopicArn, PublishBatchRequestEntries: []types.PublishBatchRequestEntry{
		{Id: aws.String("x"), Message: aws.String("m")}, {Id: aws.String("x"), Message: aws.String("m")},
	}})
	if _, ok := errors.AsType[*types.BatchEntryIdsNotDistinctException](err); !ok {
		t.Errorf("PublishBatch with the same Ids: %v", err)
	}

	_, err = c.DeleteTopic(ctx, &awssns.DeleteTopicInput{TopicArn: ct.TopicArn})
	must(t, err)
	lt, err = c.ListTopics(ctx, &awssns.ListTopicsInput{})
	must(t, err)
	if len(lt.Topics) != 0 {
		t.Errorf("ListTopics after DeleteTopic = %+v", lt.Topics)
	}
	if !strings.HasPrefix(aws.ToString(sub.SubscriptionArn), topicA+":") {
		t.Errorf("SubscriptionArn = %s", aws.ToString(sub.SubscriptionArn))
	}
}
