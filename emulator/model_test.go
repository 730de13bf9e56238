package emulator_test

// TestAnswersMatchModels: "answers exact to the models". Every operation
// the emulator serves is driven over real HTTP with a raw request, and the
// exact bytes of its answer are walked against the AWS SDK model
// (internal/awsmodel): required members present, member types, enum values,
// no members the model does not know. The same bytes are then replayed to
// an aws-sdk-go-v2 client, the strictest reader, which must deserialize
// them without error.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator"
	snsinternal "github.com/firetrail/firetrail/emulator/internal/sns"
	sqsinternal "github.com/firetrail/firetrail/emulator/internal/sqs"
	"github.com/firetrail/firetrail/internal/awsmodel"
)

// modelUnknownAllowed lists the unknown-member problems the test accepts,
// keyed "<service>.<case>:<path>" with list indices written "[]"; the value
// is the reason. Everything else the models report fails the test.
var modelUnknownAllowed = map[string]string{
	// JSON 1.1 errors carry the error code in __type, a member of the
	// protocol (awsJson1_1), not of any exception shape.
	"*.*:__type": "JSON 1.1 error code, a protocol member outside the exception shapes",
	// CloudTrail's exception shapes have no members, yet CloudTrail's
	// errors carry a message, which the protocol reads (smithy awsjson
	// and botocore take "message" or "Message" from any error).
	"cloudtrail.*:message": "CloudTrail exception shapes model no members; the message is read by the protocol",
}

// modelCase is one operation (or one variant of it) of the table.
type modelCase struct {
	service string // "cloudtrail", "firehose", "s3", "sqs" or "sns"
	op      string // the model's operation name
	variant string // "" or a name for a second call of op
	// protocol is "query" for an SQS call in the query protocol (its
	// model is JSON 1.0); "" is the model's protocol.
	protocol string
	// errShape is the exception shape of an SQS error, whose JSON __type
	// is "com.amazonaws.sqs#<errShape>" while errCode is the legacy query
	// code the SDK reports (from x-amzn-query-error) and the query
	// protocol answers.
	errShape string
	// status is the expected HTTP status (0: the model's, default 200).
	status int
	// errCode, if set, makes the case an error answer: the body is checked
	// against the error's shape and the SDK must return this code.
	errCode string
	// send returns the raw request.
	send func(t *testing.T) *http.Request
	// sdk deserializes the answer through an aws-sdk-go-v2 client whose
	// transport replays it; nil: no SDK check.
	sdk func(ctx context.Context, c *replayClients) error
	// after inspects the answer (and keeps what later cases need).
	after func(t *testing.T, a *answer)
}

func (c modelCase) name() string {
	if c.variant == "" {
		return c.op
	}
	return c.op + "/" + c.variant
}

// answer is one captured HTTP response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// modelEnv is what the cases run against.
type modelEnv struct {
	emu, pre *emulator.Server // pre: WithEvents history
	client   *http.Client

	// State handed from case to case.
	nextToken, uploadID, abortID, etag, continuation string
	destID, versionID                                string

	// SQS and SNS.
	queueURL, dlqURL, queryQueueURL string
	handles, queryHandles           []string
	topicARN, sqsSubARN, httpSubARN string
	// confirmations receives the SubscriptionConfirmation envelopes
	// posted to hookPath.
	confirmations chan map[string]string
	hookURL       string
}

const (
	modelBucket = "model-bucket" // Firehose's destination
	s3Bucket    = "model-s3-bucket"
	ctPrefix    = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	fhPrefix    = "Firehose_20150804."
)

func jsonReq(url, target, body string) *http.Request {
	r, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	r.Header.Set("X-Amz-Target", target)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return r
}

// s3Req builds a path-style S3 request; header pairs follow the body.
func (env *modelEnv) s3Req(method, path, body string, hdr ...string) func(*testing.T) *http.Request {
	return func(t *testing.T) *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r, err := http.NewRequest(method, env.emu.URL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		return r
	}
}

func contentMD5(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// modelCases is the table, in the order the cases run: each may depend on
// the state the earlier ones left. Building it runs nothing, so
// TestModelCoverage reads its operations from a zero env.
func modelCases(env *modelEnv) []modelCase {
	fh := func(op, body string) func(*testing.T) *http.Request {
		return func(*testing.T) *http.Request { return jsonReq(env.emu.URL, fhPrefix+op, body) }
	}
	ctOn := func(srv func() *emulator.Server, op, body string) func(*testing.T) *http.Request {
		return func(*testing.T) *http.Request { return jsonReq(srv().URL, ctPrefix+op, body) }
	}
	main := func() *emulator.Server { return env.emu }
	pre := func() *emulator.Server { return env.pre }
	trailARN := "arn:aws:cloudtrail:us-east-1:111122223333:trail/firetrail"
	role := "arn:aws:iam::111122223333:role/firehose"
	b := "/" + s3Bucket
	obj := b + "/dir/obj.txt"

	cases := []modelCase{
		// CloudTrail before any delivery.
		{service: "cloudtrail", op: "GetTrailStatus", variant: "BeforeDelivery",
			send: ctOn(main, "GetTrailStatus", `{"Name":"firetrail"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("firetrail")})
				return err
			},
			after: func(t *testing.T, a *answer) {
				m := checkTrailStatusTimes(t, a.body)
				for _, k := range []string{"IsLogging", "StartLoggingTime", "TimeLoggingStarted"} {
					if _, ok := m[k]; !ok {
						t.Errorf("GetTrailStatus before delivery lacks %s: %s", k, a.body)
					}
				}
				for _, k := range []string{"LatestDeliveryTime", "LatestDeliveryAttemptTime", "LatestDeliveryAttemptSucceeded", "LatestNotificationTime", "LatestDigestDeliveryTime"} {
					if _, ok := m[k]; ok {
						t.Errorf("GetTrailStatus before any delivery has %s: %s", k, a.body)
					}
				}
			}},
		{service: "cloudtrail", op: "GetTrailStatus", variant: "TrailNotFound", errCode: "TrailNotFoundException", status: 400,
			send: ctOn(main, "GetTrailStatus", `{"Name":"nosuchtrail"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("nosuchtrail")})
				return err
			}},
		{service: "cloudtrail", op: "DescribeTrails",
			send: ctOn(main, "DescribeTrails", `{}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
				if err == nil && (len(out.TrailList) != 1 || aws.ToString(out.TrailList[0].SnsTopicARN) == "") {
					err = fmt.Errorf("DescribeTrails with WithNotify: %d trails, want 1 with SnsTopicARN", len(out.TrailList))
				}
				return err
			}},
		{service: "cloudtrail", op: "DescribeTrails", variant: "ByARN",
			send: ctOn(main, "DescribeTrails", `{"trailNameList":["`+trailARN+`"],"includeShadowTrails":false}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{trailARN}})
				return err
			}},
		{service: "cloudtrail", op: "DescribeTrails", variant: "Serialization", errCode: "SerializationException", status: 400,
			send: ctOn(main, "DescribeTrails", `{"trailNameList":"x"}`)},
		{service: "cloudtrail", op: "ListPublicKeys",
			send: ctOn(main, "ListPublicKeys", `{}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{})
				if err == nil && (len(out.PublicKeyList) != 1 || out.PublicKeyList[0].ValidityStartTime == nil) {
					err = fmt.Errorf("ListPublicKeys = %+v, want one key with times", out.PublicKeyList)
				}
				return err
			}},
		{service: "cloudtrail", op: "ListPublicKeys", variant: "InvalidTimeRange", errCode: "InvalidTimeRangeException", status: 400,
			send: ctOn(main, "ListPublicKeys", `{"StartTime":10,"EndTime":5}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(time.Unix(10, 0)), EndTime: aws.Time(time.Unix(5, 0))})
				return err
			}},

		// Firehose: every operation, several destination types.
		{service: "firehose", op: "CreateDeliveryStream", variant: "ExtendedS3",
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-ext","DeliveryStreamType":"DirectPut",
				"ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`","Prefix":"fh/",
				"ErrorOutputPrefix":"err/","CompressionFormat":"GZIP","BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":60},
				"CloudWatchLoggingOptions":{"Enabled":true,"LogGroupName":"g","LogStreamName":"s"},
				"ProcessingConfiguration":{"Enabled":false},"S3BackupMode":"Disabled"},
				"DeliveryStreamEncryptionConfigurationInput":{"KeyType":"AWS_OWNED_CMK"},
				"Tags":[{"Key":"team","Value":"data"}]}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("model-ext")})
				return err
			}},
		{service: "firehose", op: "CreateDeliveryStream", variant: "S3",
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-s3",
				"S3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`","Prefix":"legacy/"}}`)},
		{service: "firehose", op: "CreateDeliveryStream", variant: "HttpEndpoint",
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-http",
				"HttpEndpointDestinationConfiguration":{"EndpointConfiguration":{"Url":"https://example.com/ingest","Name":"ex","AccessKey":"secret"},
				"RequestConfiguration":{"ContentEncoding":"GZIP","CommonAttributes":[{"AttributeName":"a","AttributeValue":"b"}]},
				"RoleARN":"`+role+`","S3BackupMode":"FailedDataOnly",
				"S3Configuration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`"}}}`)},
		{service: "firehose", op: "CreateDeliveryStream", variant: "KinesisSourceSplunk",
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-splunk","DeliveryStreamType":"KinesisStreamAsSource",
				"KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:111122223333:stream/src","RoleARN":"`+role+`"},
				"SplunkDestinationConfiguration":{"HECEndpoint":"https://splunk.example.com:8088","HECEndpointType":"Raw","HECToken":"tok",
				"S3Configuration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`"}}}`)},
		{service: "firehose", op: "CreateDeliveryStream", variant: "Redshift",
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-redshift",
				"RedshiftDestinationConfiguration":{"RoleARN":"`+role+`","ClusterJDBCURL":"jdbc:redshift://c.example.com:5439/db",
				"CopyCommand":{"DataTableName":"t"},"Username":"u","Password":"password1",
				"S3Configuration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`"}}}`)},
		{service: "firehose", op: "CreateDeliveryStream", variant: "ResourceInUse", errCode: "ResourceInUseException", status: 400,
			send: fh("CreateDeliveryStream", `{"DeliveryStreamName":"model-s3",
				"S3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::`+modelBucket+`","RoleARN":"`+role+`"}}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("model-s3")})
				return err
			}},
	}
	cases = append(cases, modelCase{service: "firehose", op: "DescribeDeliveryStream", variant: "Creating",
		send: fh("DescribeDeliveryStream", `{"DeliveryStreamName":"model-ext"}`)})
	for _, name := range []string{"model-ext", "model-s3", "model-http", "model-splunk", "model-redshift"} {
		cases = append(cases, modelCase{service: "firehose", op: "DescribeDeliveryStream", variant: name,
			send: func(t *testing.T) *http.Request {
				if name == "model-ext" {
					env.emu.Advance(time.Second) // CREATING streams become ACTIVE
				}
				return jsonReq(env.emu.URL, fhPrefix+"DescribeDeliveryStream", `{"DeliveryStreamName":"`+name+`"}`)
			},
			after: func(t *testing.T, a *answer) {
				if name != "model-ext" {
					return
				}
				var v struct {
					DeliveryStreamDescription struct {
						VersionId    string
						Destinations []struct{ DestinationId string }
					}
				}
				if err := json.Unmarshal(a.body, &v); err != nil || len(v.DeliveryStreamDescription.Destinations) != 1 {
					t.Fatalf("DescribeDeliveryStream %s: %v %s", name, err, a.body)
				}
				d := v.DeliveryStreamDescription
				env.destID, env.versionID = d.Destinations[0].DestinationId, d.VersionId
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
				return err
			}})
	}
	cases = append(cases, []modelCase{
		{service: "firehose", op: "DescribeDeliveryStream", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("DescribeDeliveryStream", `{"DeliveryStreamName":"nosuchstream"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("nosuchstream")})
				return err
			}},
		{service: "firehose", op: "ListDeliveryStreams",
			send: fh("ListDeliveryStreams", `{"Limit":2}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(2)})
				if err == nil && (len(out.DeliveryStreamNames) != 2 || !aws.ToBool(out.HasMoreDeliveryStreams)) {
					err = fmt.Errorf("ListDeliveryStreams(Limit 2) = %v more %v, want 2 and more", out.DeliveryStreamNames, aws.ToBool(out.HasMoreDeliveryStreams))
				}
				return err
			}},
		{service: "firehose", op: "ListDeliveryStreams", variant: "KinesisSource",
			send: fh("ListDeliveryStreams", `{"DeliveryStreamType":"KinesisStreamAsSource","ExclusiveStartDeliveryStreamName":"a"}`)},
		{service: "firehose", op: "ListDeliveryStreams", variant: "InvalidLimit", errCode: "ValidationException", status: 400,
			send: fh("ListDeliveryStreams", `{"Limit":0}`)},
		{service: "firehose", op: "TagDeliveryStream",
			send: fh("TagDeliveryStream", `{"DeliveryStreamName":"model-ext","Tags":[{"Key":"env","Value":"dev"},{"Key":"empty"}]}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("model-ext"), Tags: []fhtypes.Tag{{Key: aws.String("env")}}})
				return err
			}},
		{service: "firehose", op: "TagDeliveryStream", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("TagDeliveryStream", `{"DeliveryStreamName":"nosuchstream","Tags":[{"Key":"env","Value":"dev"}]}`)},
		{service: "firehose", op: "ListTagsForDeliveryStream",
			send: fh("ListTagsForDeliveryStream", `{"DeliveryStreamName":"model-ext"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.fh.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("model-ext")})
				if err == nil && len(out.Tags) != 3 {
					err = fmt.Errorf("ListTagsForDeliveryStream: %d tags, want 3", len(out.Tags))
				}
				return err
			}},
		{service: "firehose", op: "ListTagsForDeliveryStream", variant: "Limit",
			send: fh("ListTagsForDeliveryStream", `{"DeliveryStreamName":"model-ext","Limit":1,"ExclusiveStartTagKey":"empty"}`)},
		{service: "firehose", op: "ListTagsForDeliveryStream", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("ListTagsForDeliveryStream", `{"DeliveryStreamName":"nosuchstream"}`)},
		{service: "firehose", op: "UntagDeliveryStream",
			send: fh("UntagDeliveryStream", `{"DeliveryStreamName":"model-ext","TagKeys":["empty"]}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("model-ext"), TagKeys: []string{"empty"}})
				return err
			}},
		{service: "firehose", op: "UntagDeliveryStream", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("UntagDeliveryStream", `{"DeliveryStreamName":"nosuchstream","TagKeys":["x"]}`)},
		{service: "firehose", op: "StopDeliveryStreamEncryption",
			send: fh("StopDeliveryStreamEncryption", `{"DeliveryStreamName":"model-ext"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.StopDeliveryStreamEncryption(ctx, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("model-ext")})
				return err
			}},
		{service: "firehose", op: "StopDeliveryStreamEncryption", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("StopDeliveryStreamEncryption", `{"DeliveryStreamName":"nosuchstream"}`)},
		{service: "firehose", op: "StartDeliveryStreamEncryption",
			send: fh("StartDeliveryStreamEncryption", `{"DeliveryStreamName":"model-ext","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK","KeyARN":"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("model-ext")})
				return err
			}},
		{service: "firehose", op: "StartDeliveryStreamEncryption", variant: "Bad", errCode: "InvalidKMSResourceException", status: 400,
			send: fh("StartDeliveryStreamEncryption", `{"DeliveryStreamName":"model-ext","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`)},
		{service: "firehose", op: "DescribeDeliveryStream", variant: "Encrypted",
			send: fh("DescribeDeliveryStream", `{"DeliveryStreamName":"model-ext","Limit":1}`)},
		{service: "firehose", op: "UpdateDestination",
			send: func(t *testing.T) *http.Request {
				return jsonReq(env.emu.URL, fhPrefix+"UpdateDestination", `{"DeliveryStreamName":"model-ext","CurrentDeliveryStreamVersionId":"`+env.versionID+`",
					"DestinationId":"`+env.destID+`","ExtendedS3DestinationUpdate":{"Prefix":"fh2/","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0}}}`)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("model-ext"), CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("d")})
				return err
			}},
		{service: "firehose", op: "UpdateDestination", variant: "ConcurrentModif", errCode: "ConcurrentModificationException", status: 400,
			send: func(t *testing.T) *http.Request {
				return jsonReq(env.emu.URL, fhPrefix+"UpdateDestination", `{"DeliveryStreamName":"model-ext","CurrentDeliveryStreamVersionId":"`+env.versionID+`",
					"DestinationId":"`+env.destID+`","ExtendedS3DestinationUpdate":{"Prefix":"fh3/"}}`)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("model-ext"), CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("d")})
				return err
			}},
		{service: "firehose", op: "DescribeDeliveryStream", variant: "Updated",
			send: fh("DescribeDeliveryStream", `{"DeliveryStreamName":"model-ext"}`)},
		{service: "firehose", op: "PutRecord",
			send: fh("PutRecord", `{"DeliveryStreamName":"model-ext","Record":{"Data":"`+base64.StdEncoding.EncodeToString([]byte("hello\n"))+`"}}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("model-ext"), Record: &fhtypes.Record{Data: []byte("x")}})
				if err == nil && aws.ToString(out.RecordId) == "" {
					err = errors.New("PutRecord: no RecordId")
				}
				return err
			}},
		{service: "firehose", op: "PutRecord", variant: "InvalidArgumentTooLarge", errCode: "ValidationException", status: 400,
			send: fh("PutRecord", `{"DeliveryStreamName":"model-ext","Record":{"Data":"`+base64.StdEncoding.EncodeToString(make([]byte, 1000<<10+1))+`"}}`)},
		{service: "firehose", op: "PutRecordBatch",
			send: fh("PutRecordBatch", `{"DeliveryStreamName":"model-ext","Records":[{"Data":"YQo="},{"Data":"Ygo="}]}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("model-ext"), Records: []fhtypes.Record{{Data: []byte("x")}}})
				if err == nil && (len(out.RequestResponses) != 2 || out.FailedPutCount == nil) {
					err = fmt.Errorf("PutRecordBatch: %d responses, FailedPutCount %v", len(out.RequestResponses), out.FailedPutCount)
				}
				return err
			}},
		{service: "firehose", op: "PutRecordBatch", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("PutRecordBatch", `{"DeliveryStreamName":"nosuchstream","Records":[{"Data":"YQo="}]}`)},
		{service: "firehose", op: "DeleteDeliveryStream",
			send: fh("DeleteDeliveryStream", `{"DeliveryStreamName":"model-redshift"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("model-redshift")})
				return err
			}},
		{service: "firehose", op: "DeleteDeliveryStream", variant: "NotFound", errCode: "ResourceNotFoundException", status: 400,
			send: fh("DeleteDeliveryStream", `{"DeliveryStreamName":"nosuchstream"}`)},
		{service: "firehose", op: "DescribeDeliveryStream", variant: "Deleting",
			send: fh("DescribeDeliveryStream", `{"DeliveryStreamName":"model-redshift"}`)},

		// S3.
		{service: "s3", op: "CreateBucket", send: env.s3Req("PUT", b, ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(s3Bucket)})
				return err
			}},
		{service: "s3", op: "HeadBucket", send: env.s3Req("HEAD", b, ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s3Bucket)})
				return err
			}},
		{service: "s3", op: "ListBuckets", send: env.s3Req("GET", "/", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListBuckets(ctx, &s3.ListBucketsInput{})
				if err == nil && len(out.Buckets) < 2 {
					err = fmt.Errorf("ListBuckets: %d buckets, want 2 or more", len(out.Buckets))
				}
				return err
			}},
		{service: "s3", op: "PutObject", send: env.s3Req("PUT", obj, "hello model\n", "Content-Type", "text/plain", "X-Amz-Meta-Color", "blue", "Content-MD5", contentMD5("hello model\n")),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt"), Body: strings.NewReader("x")})
				return err
			}},
		{service: "s3", op: "PutObject", variant: "Second", send: env.s3Req("PUT", b+"/dir/sub/two.txt", "two\n")},
		{service: "s3", op: "PutObject", variant: "Third", send: env.s3Req("PUT", b+"/top.txt", "three\n")},
		{service: "s3", op: "HeadObject", send: env.s3Req("HEAD", obj, ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt")})
				if err == nil && (aws.ToInt64(out.ContentLength) != 12 || out.LastModified == nil || out.Metadata["color"] != "blue") {
					err = fmt.Errorf("HeadObject = length %d modified %v meta %v", aws.ToInt64(out.ContentLength), out.LastModified, out.Metadata)
				}
				return err
			}},
		{service: "s3", op: "HeadObject", variant: "NotFound", status: 404, send: env.s3Req("HEAD", b+"/nope", "")},
		{service: "s3", op: "GetObject", send: env.s3Req("GET", obj, ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt")})
				if err != nil {
					return err
				}
				defer out.Body.Close()
				body, err := io.ReadAll(out.Body)
				if err == nil && string(body) != "hello model\n" {
					err = fmt.Errorf("GetObject body %q", body)
				}
				return err
			}},
		{service: "s3", op: "GetObject", variant: "Range", status: 206, send: env.s3Req("GET", obj, "", "Range", "bytes=0-4"),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt"), Range: aws.String("bytes=0-4")})
				if err == nil {
					out.Body.Close()
					if aws.ToString(out.ContentRange) == "" {
						err = errors.New("ranged GetObject without Content-Range")
					}
				}
				return err
			}},
		{service: "s3", op: "GetObject", variant: "NoSuchKey", errCode: "NoSuchKey", status: 404, send: env.s3Req("GET", b+"/nope", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("nope")})
				return err
			}},
		{service: "s3", op: "GetObject", variant: "NoSuchBucket", errCode: "NoSuchBucket", status: 404, send: env.s3Req("GET", "/no-such-bucket/k", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
				return err
			}},
		{service: "s3", op: "CopyObject", send: env.s3Req("PUT", b+"/copy.txt", "", "X-Amz-Copy-Source", obj),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("copy.txt"), CopySource: aws.String(s3Bucket + "/dir/obj.txt")})
				if err == nil && (out.CopyObjectResult == nil || out.CopyObjectResult.LastModified == nil || aws.ToString(out.CopyObjectResult.ETag) == "") {
					err = fmt.Errorf("CopyObject result %+v", out.CopyObjectResult)
				}
				return err
			}},
		{service: "s3", op: "ListObjects", send: env.s3Req("GET", b+"?prefix=dir/&delimiter=/", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(s3Bucket)})
				if err == nil && (len(out.Contents) != 1 || len(out.CommonPrefixes) != 1) {
					err = fmt.Errorf("ListObjects prefix dir/ delimiter /: %d objects %d prefixes, want 1 and 1", len(out.Contents), len(out.CommonPrefixes))
				}
				return err
			}},
		{service: "s3", op: "ListObjects", variant: "Marker", send: env.s3Req("GET", b+"?max-keys=1&marker=copy.txt", "")},
		{service: "s3", op: "ListObjectsV2", send: env.s3Req("GET", b+"?list-type=2&max-keys=2&fetch-owner=true", ""),
			after: func(t *testing.T, a *answer) {
				var v struct{ NextContinuationToken string }
				_ = xmlUnmarshal(a.body, &v)
				if v.NextContinuationToken == "" {
					t.Errorf("ListObjectsV2 max-keys=2 of 4 objects: no NextContinuationToken: %s", a.body)
				}
				env.continuation = v.NextContinuationToken
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s3Bucket)})
				if err == nil && (len(out.Contents) != 2 || !aws.ToBool(out.IsTruncated) || aws.ToInt32(out.KeyCount) != 2) {
					err = fmt.Errorf("ListObjectsV2: %d objects truncated %v KeyCount %d", len(out.Contents), aws.ToBool(out.IsTruncated), aws.ToInt32(out.KeyCount))
				}
				return err
			}},
		{service: "s3", op: "ListObjectsV2", variant: "Continuation",
			send: func(t *testing.T) *http.Request {
				return env.s3Req("GET", b+"?list-type=2&max-keys=2&continuation-token="+url.QueryEscape(env.continuation), "")(t)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s3Bucket), ContinuationToken: aws.String("x")})
				return err
			}},
		{service: "s3", op: "ListObjectsV2", variant: "PrefixDelimiter", send: env.s3Req("GET", b+"?list-type=2&prefix=dir/&delimiter=/&encoding-type=url&start-after=a", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s3Bucket), Prefix: aws.String("dir/"), Delimiter: aws.String("/")})
				if err == nil && (len(out.Contents) != 1 || len(out.CommonPrefixes) != 1) {
					err = fmt.Errorf("ListObjectsV2 prefix dir/ delimiter /: %d objects %d prefixes", len(out.Contents), len(out.CommonPrefixes))
				}
				return err
			}},
		{service: "s3", op: "ListObjectsV2", variant: "NoSuchBucket", errCode: "NoSuchBucket", status: 404, send: env.s3Req("GET", "/no-such-bucket?list-type=2", "")},
		{service: "s3", op: "PutObjectTagging",
			send: env.s3Req("PUT", obj+"?tagging", `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`, "Content-MD5", contentMD5(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`)),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}})
				return err
			}},
		{service: "s3", op: "GetObjectTagging", send: env.s3Req("GET", obj+"?tagging", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(s3Bucket), Key: aws.String("dir/obj.txt")})
				if err == nil && len(out.TagSet) != 1 {
					err = fmt.Errorf("GetObjectTagging: %d tags, want 1", len(out.TagSet))
				}
				return err
			}},
		{service: "s3", op: "CreateMultipartUpload", send: env.s3Req("POST", b+"/mp.bin?uploads", "", "Content-Type", "application/octet-stream"),
			after: func(t *testing.T, a *answer) {
				var v struct{ UploadId string }
				_ = xmlUnmarshal(a.body, &v)
				env.uploadID = v.UploadId
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(s3Bucket), Key: aws.String("mp.bin")})
				if err == nil && aws.ToString(out.UploadId) == "" {
					err = errors.New("CreateMultipartUpload: no UploadId")
				}
				return err
			}},
		{service: "s3", op: "CreateMultipartUpload", variant: "ToAbort", send: env.s3Req("POST", b+"/abort.bin?uploads", ""),
			after: func(t *testing.T, a *answer) {
				var v struct{ UploadId string }
				_ = xmlUnmarshal(a.body, &v)
				env.abortID = v.UploadId
			}},
		{service: "s3", op: "UploadPart",
			send: func(t *testing.T) *http.Request {
				return env.s3Req("PUT", b+"/mp.bin?partNumber=1&uploadId="+url.QueryEscape(env.uploadID), "part one\n")(t)
			},
			after: func(t *testing.T, a *answer) { env.etag = a.header.Get("ETag") },
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(s3Bucket), Key: aws.String("mp.bin"), UploadId: aws.String("u"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
				if err == nil && aws.ToString(out.ETag) == "" {
					err = errors.New("UploadPart: no ETag")
				}
				return err
			}},
		{service: "s3", op: "ListMultipartUploads", send: env.s3Req("GET", b+"?uploads", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(s3Bucket)})
				if err == nil && len(out.Uploads) != 2 {
					err = fmt.Errorf("ListMultipartUploads: %d uploads, want 2", len(out.Uploads))
				}
				return err
			}},
		{service: "s3", op: "ListMultipartUploads", variant: "PrefixDelimiter", send: env.s3Req("GET", b+"?uploads&prefix=mp&delimiter=/&max-uploads=1", "")},
		{service: "s3", op: "ListParts",
			send: func(t *testing.T) *http.Request {
				return env.s3Req("GET", b+"/mp.bin?uploadId="+url.QueryEscape(env.uploadID), "")(t)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(s3Bucket), Key: aws.String("mp.bin"), UploadId: aws.String("u")})
				if err == nil && len(out.Parts) != 1 {
					err = fmt.Errorf("ListParts: %d parts, want 1", len(out.Parts))
				}
				return err
			}},
		{service: "s3", op: "CompleteMultipartUpload",
			send: func(t *testing.T) *http.Request {
				body := `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>` + env.etag + `</ETag></Part></CompleteMultipartUpload>`
				return env.s3Req("POST", b+"/mp.bin?uploadId="+url.QueryEscape(env.uploadID), body)(t)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(s3Bucket), Key: aws.String("mp.bin"), UploadId: aws.String("u")})
				if err == nil && aws.ToString(out.ETag) == "" {
					err = errors.New("CompleteMultipartUpload: no ETag")
				}
				return err
			}},
		{service: "s3", op: "AbortMultipartUpload", status: 204,
			send: func(t *testing.T) *http.Request {
				return env.s3Req("DELETE", b+"/abort.bin?uploadId="+url.QueryEscape(env.abortID), "")(t)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(s3Bucket), Key: aws.String("abort.bin"), UploadId: aws.String("u")})
				return err
			}},
		{service: "s3", op: "ListParts", variant: "NoSuchUpload", errCode: "NoSuchUpload", status: 404,
			send: func(t *testing.T) *http.Request {
				return env.s3Req("GET", b+"/abort.bin?uploadId="+url.QueryEscape(env.abortID), "")(t)
			}},
		{service: "s3", op: "GetBucketLocation", send: env.s3Req("GET", b+"?location", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(s3Bucket)})
				return err
			}},
		{service: "s3", op: "GetBucketVersioning", send: env.s3Req("GET", b+"?versioning", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(s3Bucket)})
				return err
			}},
		{service: "s3", op: "ListObjectVersions", send: env.s3Req("GET", b+"?versions", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s3Bucket)})
				if err == nil && len(out.Versions) == 0 {
					err = errors.New("ListObjectVersions: no versions")
				}
				return err
			}},
		{service: "s3", op: "GetBucketEncryption", send: env.s3Req("GET", b+"?encryption", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(s3Bucket)})
				return err
			}},
		{service: "s3", op: "DeleteObject", status: 204, send: env.s3Req("DELETE", b+"/copy.txt", ""),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s3Bucket), Key: aws.String("copy.txt")})
				return err
			}},
		{service: "s3", op: "DeleteObjects",
			send: func(t *testing.T) *http.Request {
				body := `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>top.txt</Key></Object><Object><Key>never-there.txt</Key></Object></Delete>`
				return env.s3Req("POST", b+"?delete", body, "Content-MD5", contentMD5(body))(t)
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(s3Bucket), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("top.txt")}}}})
				if err == nil && len(out.Deleted) != 2 {
					err = fmt.Errorf("DeleteObjects: %d deleted, want 2", len(out.Deleted))
				}
				return err
			}},

		// CloudTrail with events recorded (the Firehose calls above and a
		// generated history) and after deliveries.
		{service: "cloudtrail", op: "LookupEvents", variant: "Recorded",
			send: ctOn(main, "LookupEvents", `{"MaxResults":50}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
				if err == nil && len(out.Events) < 20 {
					err = fmt.Errorf("LookupEvents: %d events, want the Firehose calls", len(out.Events))
				}
				return err
			}},
		{service: "cloudtrail", op: "LookupEvents", variant: "Preloaded",
			send: ctOn(pre, "LookupEvents", `{"MaxResults":50}`),
			after: func(t *testing.T, a *answer) {
				var v struct{ NextToken string }
				_ = json.Unmarshal(a.body, &v)
				if v.NextToken == "" {
					t.Errorf("LookupEvents of 120 preloaded events, MaxResults 50: no NextToken")
				}
				env.nextToken = v.NextToken
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
				if err == nil && (len(out.Events) != 50 || out.Events[0].EventTime == nil) {
					err = fmt.Errorf("LookupEvents: %d events, want 50 with times", len(out.Events))
				}
				return err
			}},
		{service: "cloudtrail", op: "LookupEvents", variant: "NextToken",
			send: func(t *testing.T) *http.Request {
				return jsonReq(env.pre.URL, ctPrefix+"LookupEvents", `{"MaxResults":50,"NextToken":"`+env.nextToken+`"}`)
			}},
		{service: "cloudtrail", op: "LookupEvents", variant: "ByResource",
			send: ctOn(main, "LookupEvents", `{"LookupAttributes":[{"AttributeKey":"ResourceName","AttributeValue":"model-ext"}],"StartTime":0,"EndTime":4102444800}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{})
				if err == nil && (len(out.Events) == 0 || len(out.Events[0].Resources) == 0) {
					err = errors.New("LookupEvents by ResourceName: no events with Resources")
				}
				return err
			}},
		{service: "cloudtrail", op: "LookupEvents", variant: "Insight",
			send: ctOn(main, "LookupEvents", `{"EventCategory":"insight"}`)},
		{service: "cloudtrail", op: "LookupEvents", variant: "InvalidMaxResults", errCode: "InvalidMaxResultsException", status: 400,
			send: ctOn(main, "LookupEvents", `{"MaxResults":51}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
				return err
			}},
		{service: "cloudtrail", op: "LookupEvents", variant: "InvalidLookupAttrs", errCode: "InvalidLookupAttributesException", status: 400,
			send: ctOn(main, "LookupEvents", `{"LookupAttributes":[{"AttributeKey":"eventName","AttributeValue":"x"}]}`)},
		{service: "cloudtrail", op: "GetTrailStatus", variant: "AfterDelivery",
			send: func(t *testing.T) *http.Request {
				env.emu.Flush()
				env.emu.Advance(2 * time.Hour) // a digest too
				return jsonReq(env.emu.URL, ctPrefix+"GetTrailStatus", `{"Name":"`+trailARN+`"}`)
			},
			after: func(t *testing.T, a *answer) {
				m := checkTrailStatusTimes(t, a.body)
				for _, k := range []string{"IsLogging", "LatestDeliveryTime", "StartLoggingTime", "LatestDigestDeliveryTime",
					"LatestDeliveryAttemptTime", "LatestDeliveryAttemptSucceeded", "TimeLoggingStarted",
					"LatestNotificationTime", "LatestNotificationAttemptTime", "LatestNotificationAttemptSucceeded"} {
					if _, ok := m[k]; !ok {
						t.Errorf("GetTrailStatus after delivery with WithNotify lacks %s: %s", k, a.body)
					}
				}
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(trailARN)})
				if err == nil && (out.LatestDeliveryTime == nil || aws.ToString(out.LatestDeliveryAttemptTime) == "" || !aws.ToBool(out.IsLogging)) {
					err = fmt.Errorf("GetTrailStatus after delivery = %+v", out)
				}
				return err
			}},
	}...)
	return append(cases, queueCases(env)...)
}

// checkTrailStatusTimes checks GetTrailStatus's string-typed times: ISO
// 8601 UTC to the second ("2016-01-28T23:02:24Z"), and each the same
// instant as its Date twin. It returns the decoded body.
func checkTrailStatusTimes(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("GetTrailStatus: %v", err)
	}
	iso := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	twins := map[string]string{
		"LatestDeliveryAttemptTime":          "",
		"LatestNotificationAttemptTime":      "",
		"LatestDeliveryAttemptSucceeded":     "LatestDeliveryTime",
		"LatestNotificationAttemptSucceeded": "LatestNotificationTime",
		"TimeLoggingStarted":                 "StartLoggingTime",
		"TimeLoggingStopped":                 "StopLoggingTime",
	}
	for k, twin := range twins {
		v, ok := m[k]
		if !ok {
			continue
		}
		s, _ := v.(string)
		if !iso.MatchString(s) {
			t.Errorf("GetTrailStatus %s = %v, want ISO 8601 text like 2016-01-28T23:02:24Z", k, v)
			continue
		}
		if twin == "" {
			continue
		}
		at, _ := time.Parse(time.RFC3339, s)
		n, ok := m[twin].(json.Number)
		if !ok {
			t.Errorf("GetTrailStatus has %s but no %s", k, twin)
			continue
		}
		if f, _ := n.Float64(); int64(f) != at.Unix() {
			t.Errorf("GetTrailStatus %s %s is not %s %s", k, s, twin, n)
		}
	}
	return m
}

// replayClients are SDK clients whose transport answers every request with
// one captured answer.
type replayClients struct {
	ct  *cloudtrail.Client
	fh  *firehose.Client
	s3  *s3.Client
	sqs *sqs.Client
	sns *sns.Client
}

type replayTransport struct{ a *answer }

func (r replayTransport) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		Status:        strconv.Itoa(r.a.status) + " " + http.StatusText(r.a.status),
		StatusCode:    r.a.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        r.a.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(r.a.body)),
		ContentLength: int64(len(r.a.body)),
		Request:       req,
	}, nil
}

func newReplayClients(emu *emulator.Server, a *answer) *replayClients {
	cfg := emu.AWSConfig()
	cfg.HTTPClient = replayTransport{a}
	cfg.RetryMaxAttempts = 1
	return &replayClients{
		ct:  cloudtrail.NewFromConfig(cfg),
		fh:  firehose.NewFromConfig(cfg),
		s3:  s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sqs: sqs.NewFromConfig(cfg),
		sns: sns.NewFromConfig(cfg),
	}
}

var (
	modelsOnce sync.Once
	models     map[string]*awsmodel.Model
	modelsErr  error
)

// loadModels loads the models, SQS's also as sqsQuery, with a synthetic shape for S3's
// error body (the model describes error codes, not the <Error> document).
func loadModels(t *testing.T) map[string]*awsmodel.Model {
	t.Helper()
	modelsOnce.Do(func() {
		models = map[string]*awsmodel.Model{}
		for _, name := range []string{"cloudtrail", "firehose", "s3", "sqs", "sns"} {
			m, err := awsmodel.LoadService(name)
			if err != nil {
				modelsErr = err
				return
			}
			models[name] = m
		}
		// A second copy of SQS's model, given back the XML names of its
		// query protocol days (sqsQueryNames).
		m, err := awsmodel.LoadService("sqs")
		if err != nil {
			modelsErr = err
			return
		}
		if modelsErr = sqsQueryModel(m); modelsErr != nil {
			return
		}
		models[sqsQuery] = m
		str := func(n string) awsmodel.Member {
			return awsmodel.Member{Name: n, ShapeRef: awsmodel.ShapeRef{Shape: "Code"}}
		}
		// S3's error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
		// Code, Message, RequestId and HostId always, then
		// error-specific detail elements.
		models["s3"].Shapes[s3ErrorShape] = &awsmodel.Shape{
			Name: s3ErrorShape, Type: awsmodel.TypeStructure, LocationName: "Error",
			Members:  awsmodel.Members{str("Code"), str("Message"), str("RequestId"), str("HostId"), str("Resource"), str("Key"), str("BucketName"), str("UploadId"), str("ArgumentName"), str("ArgumentValue"), str("Method"), str("ResourceType")},
			Required: []string{"Code", "Message", "RequestId", "HostId"},
		}
	})
	if modelsErr != nil {
		t.Fatalf("load models (go mod download fetches %s): %v", awsmodel.SDKModule, modelsErr)
	}
	return models
}

const s3ErrorShape = "FiretrailS3Error"

var indexRE = regexp.MustCompile(`\[\d+\]`)

func TestAnswersMatchModels(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	ms := loadModels(t)
	confirmations := make(chan map[string]string, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != hookPath || r.Header.Get("x-amz-sns-message-type") != "SubscriptionConfirmation" {
			return
		}
		var env map[string]string
		if json.Unmarshal(body, &env) == nil {
			select {
			case confirmations <- env:
			default:
			}
		}
	}))
	t.Cleanup(hook.Close)
	env := &modelEnv{
		emu:           emulator.Start(t, emulator.WithSeed(7), emulator.WithNotify(hook.URL+"/hook")),
		pre:           emulator.Start(t, emulator.WithSeed(3), emulator.WithEvents(120)),
		client:        &http.Client{Timeout: 10 * time.Second},
		confirmations: confirmations,
		hookURL:       hook.URL + hookPath,
	}
	for _, c := range modelCases(env) {
		t.Run(c.service+"/"+c.name(), func(t *testing.T) {
			a := send(t, env.client, c.send(t))
			if c.after != nil {
				defer c.after(t, a)
			}
			m := ms[c.service]
			if c.protocol == "query" {
				m = ms[sqsQuery]
			}
			op := m.Operations[c.op]
			if op == nil {
				t.Fatalf("the %s model has no operation %s", c.service, c.op)
			}
			want := c.status
			if want == 0 {
				want = http.StatusOK
			}
			if a.status != want {
				t.Fatalf("status %d, want %d: %s", a.status, want, a.body)
			}
			checkAnswer(t, m, c, op, a)
			if c.sdk != nil {
				err := c.sdk(t.Context(), newReplayClients(env.emu, a))
				switch {
				case c.errCode == "" && err != nil:
					t.Errorf("the SDK does not read the answer: %v\n%s", err, a.body)
				case c.errCode != "":
					var ae smithy.APIError
					if !errors.As(err, &ae) {
						t.Errorf("the SDK returned %v, want API error %s", err, c.errCode)
					} else if ae.ErrorCode() != c.errCode || ae.ErrorMessage() == "" {
						t.Errorf("the SDK read error %q %q, want %s with a message", ae.ErrorCode(), ae.ErrorMessage(), c.errCode)
					}
				}
			}
		})
	}
}

func send(t *testing.T, c *http.Client, r *http.Request) *answer {
	t.Helper()
	resp, err := c.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.Method, r.URL, err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}
}

// checkAnswer walks the answer against the model.
func checkAnswer(t *testing.T, m *awsmodel.Model, c modelCase, op *awsmodel.Operation, a *answer) {
	t.Helper()
	var probs []awsmodel.Problem
	switch {
	case c.service == "sns" || c.protocol == "query":
		probs = checkQueryAnswer(t, m, c, a)
	case c.service == "s3" && c.errCode != "":
		probs = awsmodel.CheckXML(m, s3ErrorShape, a.body)
		checkS3ErrorCode(t, a.body, c.errCode)
	case c.service == "s3" && a.status >= 300:
		// An error without a body (HEAD): nothing but the status.
		if len(a.body) != 0 {
			t.Errorf("HEAD error with a body: %s", a.body)
		}
	case c.errCode != "":
		probs = checkJSONError(t, m, c, a)
	case c.service == "s3":
		probs = checkS3Answer(t, m, op, a)
	default:
		if op.Output == nil {
			if s := strings.TrimSpace(string(a.body)); s != "{}" && s != "" {
				t.Errorf("operation without output answered %s", a.body)
			}
			break
		}
		probs = awsmodel.CheckJSON(m, op.Output.Shape, a.body)
		if ct, want := a.header.Get("Content-Type"), "application/x-amz-json-"+m.Metadata.JSONVersion; ct != want {
			t.Errorf("Content-Type %q, want %s", ct, want)
		}
	}
	for _, p := range probs {
		if p.Kind == awsmodel.UnknownMember {
			if unknownAllowed(c.service, c.name(), p.Path) {
				continue
			}
		}
		t.Errorf("%s: %s", p.Kind, p)
	}
	if t.Failed() && len(a.body) < 4000 {
		t.Logf("answer %d: %s", a.status, a.body)
	}
}

// unknownAllowed reports whether modelUnknownAllowed accepts an unknown
// member at path of the answer of case name of service.
func unknownAllowed(service, name, path string) bool {
	path = indexRE.ReplaceAllString(path, "[]")
	for _, k := range []string{service + "." + name, service + ".*", "*.*"} {
		if _, ok := modelUnknownAllowed[k+":"+path]; ok {
			return true
		}
	}
	return false
}

// checkJSONError checks a JSON 1.1 or 1.0 error: __type names the code
// (SQS's: com.amazonaws.sqs#<errShape>, with the query code in
// x-amzn-query-error), and the body matches the exception's shape.
func checkJSONError(t *testing.T, m *awsmodel.Model, c modelCase, a *answer) []awsmodel.Problem {
	t.Helper()
	var v struct {
		Type string `json:"__type"`
	}
	shape, wantType := c.errCode, c.errCode
	if c.service == "sqs" {
		shape, wantType = c.errShape, "com.amazonaws.sqs#"+c.errShape
		if h, want := a.header.Get("x-amzn-query-error"), c.errCode+";Sender"; h != want {
			t.Errorf("x-amzn-query-error %q, want %q", h, want)
		}
	}
	if err := json.Unmarshal(a.body, &v); err != nil || v.Type != wantType {
		t.Errorf("error __type %q, want %s (%v)", v.Type, wantType, err)
	}
	if ct, want := a.header.Get("Content-Type"), "application/x-amz-json-"+m.Metadata.JSONVersion; ct != want {
		t.Errorf("Content-Type %q, want %s", ct, want)
	}
	if s := m.Shapes[shape]; s != nil && s.Exception {
		checkModeledError(t, m, c, s, a.status, a.status < 500)
	}
	if m.Shapes[shape] == nil || !m.Shapes[shape].Exception {
		// A protocol error (SerializationException, ValidationException)
		// has no shape in the model: only __type and message.
		var e map[string]any
		_ = json.Unmarshal(a.body, &e)
		for k := range e {
			if k != "__type" && k != "message" && k != "Message" {
				t.Errorf("protocol error with member %s", k)
			}
		}
		if e["message"] == nil && e["Message"] == nil {
			t.Error("protocol error without message")
		}
		return nil
	}
	return awsmodel.CheckJSON(m, shape, a.body)
}

func checkS3ErrorCode(t *testing.T, body []byte, code string) {
	t.Helper()
	var e struct{ Code string }
	if err := xmlUnmarshal(body, &e); err != nil || e.Code != code {
		t.Errorf("S3 error Code %q, want %s (%v)", e.Code, code, err)
	}
}

// checkS3Answer checks an S3 answer's headers bound to output members,
// and its XML body where the output has one.
func checkS3Answer(t *testing.T, m *awsmodel.Model, op *awsmodel.Operation, a *answer) []awsmodel.Problem {
	t.Helper()
	if op.Output == nil {
		return nil
	}
	out := m.Shapes[op.Output.Shape]
	checkS3Headers(t, m, out, a.header)
	if op.Name == "GetBucketLocation" {
		// The SDKs special-case this answer: the root element itself,
		// <LocationConstraint>, holds the value.
		root, err := xmlRoot(a.body)
		if err != nil || root.name != "LocationConstraint" {
			t.Errorf("GetBucketLocation root %q, want <LocationConstraint> (%v)", root.name, err)
		}
		if enum := m.Shapes["BucketLocationConstraint"].Enum; root.text != "" && !slices.Contains(enum, root.text) {
			t.Errorf("GetBucketLocation %q is not one of %v", root.text, enum)
		}
		return nil
	}
	hasBody := false
	for _, mb := range out.Members {
		if mb.Location == "" {
			hasBody = true
		}
	}
	if out.Payload != "" {
		if ps := m.Shapes[out.MemberNamed(out.Payload).Shape]; ps.Type != awsmodel.TypeStructure {
			return nil // a raw payload (GetObject): the object's bytes
		}
	}
	if !hasBody {
		if len(bytes.TrimSpace(a.body)) != 0 {
			t.Errorf("%s has no body members, but the answer has a body: %s", op.Name, a.body)
		}
		return nil
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		// Not in the model, and no SDK minds: a note, not a failure.
		t.Logf("note: Content-Type %q, S3 sends application/xml", ct)
	}
	return awsmodel.CheckXML(m, op.Output.Shape, a.body)
}

// checkS3Headers checks the response headers that output members are
// bound to: integers, booleans, timestamps (RFC 822 unless the model says
// otherwise) and enums; a required header member must be present.
func checkS3Headers(t *testing.T, m *awsmodel.Model, out *awsmodel.Shape, h http.Header) {
	t.Helper()
	for _, mb := range out.Members {
		if mb.Location != "header" {
			continue
		}
		v := h.Get(mb.LocationName)
		if v == "" {
			if out.IsRequired(mb.Name) {
				t.Errorf("header %s (%s) is required but missing", mb.LocationName, mb.Name)
			}
			continue
		}
		s := m.Shapes[mb.Shape]
		bad := func(what string) { t.Errorf("header %s (%s) = %q, not %s", mb.LocationName, mb.Name, v, what) }
		switch s.Type {
		case awsmodel.TypeInteger, awsmodel.TypeLong:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				bad("an integer")
			}
		case awsmodel.TypeBoolean:
			if v != "true" && v != "false" {
				bad("a boolean")
			}
		case awsmodel.TypeTimestamp:
			f := mb.TimestampFormat
			if f == "" {
				f = s.TimestampFormat
			}
			switch f {
			case awsmodel.TimestampISO8601:
				if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
					bad("an ISO 8601 timestamp")
				}
			case awsmodel.TimestampUnix:
				if _, err := strconv.ParseFloat(v, 64); err != nil {
					bad("epoch seconds")
				}
			default:
				if _, err := time.Parse(time.RFC1123, v); err != nil {
					bad("an RFC 822 timestamp (" + time.RFC1123 + ")")
				}
			}
		case awsmodel.TypeString:
			if len(s.Enum) > 0 && !slices.Contains(s.Enum, v) {
				bad("one of " + strings.Join(s.Enum, ", "))
			}
		}
	}
}

// TestModelCoverage fails if the emulator serves an operation the table of
// TestAnswersMatchModels lacks: every operation of the CloudTrail,
// Firehose and SQS models is called through their JSON protocols, every
// operation of SNS's through the query protocol, and those not refused as
// unknown (UnknownOperationException, InvalidAction) are served. It also
// holds the routing lists (sqs.Operations, sns.Actions) to the models and
// the table.
func TestModelCoverage(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	ms := loadModels(t)
	inTable := map[string]bool{}
	for _, c := range modelCases(&modelEnv{}) {
		inTable[c.service+"."+c.op] = true
		if c.protocol == "query" {
			inTable[c.service+"."+c.op+"/query"] = true
		}
	}
	emu := emulator.Start(t, emulator.WithSeed(1))
	client := &http.Client{Timeout: 10 * time.Second}
	served := map[string]int{}
	for _, svc := range []struct{ name, prefix string }{{"cloudtrail", ctPrefix}, {"firehose", fhPrefix}, {"sqs", sqsinternal.TargetPrefix}, {"sns", ""}} {
		for _, op := range slices.Sorted(maps.Keys(ms[svc.name].Operations)) {
			var a *answer
			var code string
			if svc.name == "sns" {
				a = send(t, client, queryReq(emu.URL+"/", snsinternal.Version, op))
				code, _ = awsmodel.CheckQueryError(nil, a.body)
			} else {
				r := jsonReq(emu.URL, svc.prefix+op, `{}`)
				if svc.name == "sqs" {
					r.Header.Set("Content-Type", "application/x-amz-json-1.0")
				}
				a = send(t, client, r)
				var e struct {
					Type string `json:"__type"`
				}
				_ = json.Unmarshal(a.body, &e)
				code = e.Type
			}
			if code == "UnknownOperationException" || code == "InvalidAction" {
				continue
			}
			served[svc.name]++
			if !inTable[svc.name+"."+op] {
				t.Errorf("the emulator serves %s %s (answered %d %s), but the table of TestAnswersMatchModels does not check it", svc.name, op, a.status, a.body)
			}
		}
	}
	t.Logf("operations served: %v", served)
	for svc, min := range map[string]int{"cloudtrail": 4, "firehose": 12, "sqs": 18, "sns": 17} {
		if served[svc] < min {
			t.Errorf("only %d %s operations served, want %d or more: is routing broken?", served[svc], svc, min)
		}
	}
	// The routing lists name model operations, each in the table.
	for svc, ops := range map[string][]string{"sqs": sqsinternal.Operations(), "sns": snsinternal.Actions()} {
		for _, op := range ops {
			if ms[svc].Operations[op] == nil {
				t.Errorf("%s routes %s, which its model lacks", svc, op)
			}
			if !inTable[svc+"."+op] {
				t.Errorf("%s routes %s, but the table of TestAnswersMatchModels does not check it", svc, op)
			}
		}
	}
	// The query protocol of SQS: a representative set.
	for _, op := range sqsQueryCovered {
		if !inTable["sqs."+op+"/query"] {
			t.Errorf("the table checks no SQS %s through the query protocol", op)
		}
	}
}

// sqsQueryCovered are the SQS operations the table must also check
// through the query protocol.
var sqsQueryCovered = []string{
	"CreateQueue", "GetQueueUrl", "GetQueueAttributes", "SendMessage", "SendMessageBatch",
	"ReceiveMessage", "DeleteMessageBatch", "ListQueues",
}

// xmlUnmarshal decodes an XML body, namespace or not.
func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

// xmlRoot returns the name and text of a document's root element.
func xmlRoot(b []byte) (struct{ name, text string }, error) {
	var v struct {
		XMLName xml.Name
		Text    string `xml:",chardata"`
	}
	err := xml.Unmarshal(b, &v)
	return struct{ name, text string }{v.XMLName.Local, v.Text}, err
}

// SQS and SNS.

const (
	// sqsQuery keys the SQS model with its query-protocol XML names.
	sqsQuery = "sqs-query"
	// hookPath is where the HTTP subscription of the SNS cases points.
	hookPath = "/sns-subscriber"
	// sqsQueryNamespace is the namespace of SQS's query answers, which
	// the model's metadata lost with the query protocol.
	sqsQueryNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"
)

// sqsQueryNames are the XML names of SQS's query protocol that the model
// of aws-sdk-go v1.55.8 no longer carries: that model is JSON 1.0
// (protocol "json", awsQueryCompatible), and keeps the "flattened" of its
// lists and maps but not their element names, nor the resultWrapper of the
// outputs (derived as "<Op>Result" by awsmodel.ResultWrapper). The names
// are those of the query-protocol model SQS had until 2023 (aws-sdk-go
// v1.44, botocore 1.29) and of the SQS API reference's query examples:
// a list of queue URLs is <QueueUrl> repeated, queue and message
// attributes <Attribute><Name/><Value/></Attribute>, and so on. Keys are
// "Shape.Member" (the member's element name) or "Map.key"/"Map.value".
var sqsQueryNames = map[string]string{
	"ListQueuesResult.QueueUrls":                    "QueueUrl",
	"ListDeadLetterSourceQueuesResult.queueUrls":    "QueueUrl",
	"GetQueueAttributesResult.Attributes":           "Attribute",
	"ListQueueTagsResult.Tags":                      "Tag",
	"ReceiveMessageResult.Messages":                 "Message",
	"Message.Attributes":                            "Attribute",
	"Message.MessageAttributes":                     "MessageAttribute",
	"MessageAttributeValue.StringListValues":        "StringListValue",
	"MessageAttributeValue.BinaryListValues":        "BinaryListValue",
	"SendMessageBatchResult.Successful":             "SendMessageBatchResultEntry",
	"SendMessageBatchResult.Failed":                 "BatchResultErrorEntry",
	"DeleteMessageBatchResult.Successful":           "DeleteMessageBatchResultEntry",
	"DeleteMessageBatchResult.Failed":               "BatchResultErrorEntry",
	"ChangeMessageVisibilityBatchResult.Successful": "ChangeMessageVisibilityBatchResultEntry",
	"ChangeMessageVisibilityBatchResult.Failed":     "BatchResultErrorEntry",
	"QueueAttributeMap.key":                         "Name",
	"QueueAttributeMap.value":                       "Value",
	"MessageSystemAttributeMap.key":                 "Name",
	"MessageSystemAttributeMap.value":               "Value",
	"MessageBodyAttributeMap.key":                   "Name",
	"MessageBodyAttributeMap.value":                 "Value",
	"TagMap.key":                                    "Key",
	"TagMap.value":                                  "Value",
}

// sqsQueryModel gives m, a copy of SQS's model, the names of
// sqsQueryNames and the namespace of the query protocol. Every list and
// map named must be flattened already: the model kept that much.
func sqsQueryModel(m *awsmodel.Model) error {
	m.Metadata.XMLNamespace = sqsQueryNamespace
	for k, name := range sqsQueryNames {
		shape, member, _ := strings.Cut(k, ".")
		s := m.Shapes[shape]
		if s == nil {
			return fmt.Errorf("sqsQueryNames: the sqs model has no shape %s", shape)
		}
		switch {
		case s.Type == awsmodel.TypeMap && member == "key":
			s.Key.LocationName = name
		case s.Type == awsmodel.TypeMap && member == "value":
			s.Value.LocationName = name
		default:
			mb := s.MemberNamed(member)
			if mb == nil {
				return fmt.Errorf("sqsQueryNames: the sqs model has no member %s", k)
			}
			if ms := m.Shapes[mb.Shape]; !mb.Flattened && !ms.Flattened {
				return fmt.Errorf("sqsQueryNames: %s (%s) is not flattened", k, mb.Shape)
			}
			mb.LocationName = name
		}
	}
	return nil
}

// sqsReq is a JSON 1.0 call of SQS.
func sqsReq(base, op, body string) *http.Request {
	r := jsonReq(base, sqsinternal.TargetPrefix+op, body)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	return r
}

// queryReq is a query-protocol call posted to u (the endpoint or a queue
// URL), kv the parameters after Action and Version.
func queryReq(u, version, action string, kv ...string) *http.Request {
	form := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(kv); i += 2 {
		form.Add(kv[i], kv[i+1])
	}
	r, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		panic(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

// checkQueryAnswer checks a query-protocol answer: the result against the
// operation's output, or the error document and its code.
func checkQueryAnswer(t *testing.T, m *awsmodel.Model, c modelCase, a *answer) []awsmodel.Problem {
	t.Helper()
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
		t.Errorf("Content-Type %q, want text/xml", ct)
	}
	if a.header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId header")
	}
	if c.errCode != "" {
		code, probs := awsmodel.CheckQueryError(m, a.body)
		if code != c.errCode {
			t.Errorf("error Code %q, want %s", code, c.errCode)
		}
		sender := slices.Equal(xmlTexts(a.body, "Type"), []string{"Sender"})
		shape := m.ExceptionWithCode(code)
		if c.protocol == "query" && c.errShape != "" {
			shape = m.Shapes[c.errShape]
		}
		checkModeledError(t, m, c, shape, a.status, sender)
		return probs
	}
	return awsmodel.CheckQuery(m, c.op, a.body)
}

// checkModeledError checks an error answer of case c against shape, the
// model's exception of its code (nil: a common error, such as
// MissingParameter, that no model lists): the operation must list the
// exception among its errors, and where the model binds it (the error
// trait, which SNS's model has and the JSON model of SQS lost), the
// status and fault must be the model's.
func checkModeledError(t *testing.T, m *awsmodel.Model, c modelCase, shape *awsmodel.Shape, status int, sender bool) {
	t.Helper()
	if shape == nil {
		return
	}
	op := m.Operations[c.op]
	if !slices.ContainsFunc(op.Errors, func(r *awsmodel.ShapeRef) bool { return r.Shape == shape.Name }) {
		t.Errorf("error %s is not one of the errors the model lists for %s", shape.Name, c.op)
	}
	if e := shape.Error; e != nil {
		if e.HTTPStatusCode != 0 && status != e.HTTPStatusCode {
			t.Errorf("error %s with status %d, the model's is %d", shape.Name, status, e.HTTPStatusCode)
		}
		if sender != e.SenderFault {
			t.Errorf("error %s: sender fault %v, the model's %v", shape.Name, sender, e.SenderFault)
		}
	}
}

// xmlTexts returns the text of every element named name, in order.
func xmlTexts(body []byte, name string) []string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var out []string
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var s string
			if dec.DecodeElement(&s, &se) == nil {
				out = append(out, s)
			}
		}
	}
}

// jsonField decodes the answer's top-level member name into v.
func jsonField(t *testing.T, body []byte, name string, v any) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m[name] == nil {
		t.Fatalf("answer has no %s (%v): %s", name, err, body)
	}
	if err := json.Unmarshal(m[name], v); err != nil {
		t.Fatalf("answer's %s: %v", name, err)
	}
}

// sqsMessage is what the SQS cases send with attributes: the SDK's
// checksum validation of the replay compares the MD5s of the answer with
// those of these inputs.
var (
	sqsBody  = "hello queue <&>"
	sqsAttrs = map[string]sqstypes.MessageAttributeValue{
		"color": {DataType: aws.String("String"), StringValue: aws.String("blue")},
		"n":     {DataType: aws.String("Number"), StringValue: aws.String("7")},
		"blob":  {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
	}
	sqsAttrsJSON = `{"color":{"DataType":"String","StringValue":"blue"},"n":{"DataType":"Number","StringValue":"7"},"blob":{"DataType":"Binary","BinaryValue":"AAEC"}}`
	sqsAttrsForm = []string{
		"MessageAttribute.1.Name", "color", "MessageAttribute.1.Value.DataType", "String", "MessageAttribute.1.Value.StringValue", "blue",
		"MessageAttribute.2.Name", "n", "MessageAttribute.2.Value.DataType", "Number", "MessageAttribute.2.Value.StringValue", "7",
		"MessageAttribute.3.Name", "blob", "MessageAttribute.3.Value.DataType", "Binary", "MessageAttribute.3.Value.BinaryValue", "AAEC",
	}
	traceHeader = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
)

// queueCases are the SQS and SNS cases: every SQS operation through JSON
// 1.0, a representative set also through the query protocol, and every
// SNS action.
func queueCases(env *modelEnv) []modelCase {
	acct, region := emulator.DefaultAccountID, emulator.DefaultRegion
	dlqARN := "arn:aws:sqs:" + region + ":" + acct + ":model-dlq"
	q := func(op string, body func() string) func(*testing.T) *http.Request {
		return func(*testing.T) *http.Request { return sqsReq(env.emu.URL, op, body()) }
	}
	onQueue := func(op, rest string) func(*testing.T) *http.Request {
		return q(op, func() string { return `{"QueueUrl":"` + env.queueURL + `"` + rest + `}` })
	}
	fixed := func(s string) func() string { return func() string { return s } }
	queueURLAfter := func(p *string) func(*testing.T, *answer) {
		return func(t *testing.T, a *answer) { jsonField(t, a.body, "QueueUrl", p) }
	}
	sqsQ := func(action string, kv func() []string) func(*testing.T) *http.Request {
		return func(*testing.T) *http.Request {
			return queryReq(env.emu.URL+"/", sqsinternal.Version, action, kv()...)
		}
	}
	onQueryQueue := func(action string, kv ...string) func(*testing.T) *http.Request {
		return sqsQ(action, func() []string { return append([]string{"QueueUrl", env.queryQueueURL}, kv...) })
	}
	snsQ := func(action string, kv func() []string) func(*testing.T) *http.Request {
		return func(*testing.T) *http.Request {
			return queryReq(env.emu.URL+"/", snsinternal.Version, action, kv()...)
		}
	}
	kv := func(s ...string) func() []string { return func() []string { return s } }
	u := aws.String("http://queue.invalid/" + acct + "/model-q") // replay: any URL
	sqsErr := func(op, variant, shape, code string, send func(*testing.T) *http.Request, sdk func(context.Context, *replayClients) error) modelCase {
		return modelCase{service: "sqs", op: op, variant: variant, errShape: shape, errCode: code, status: 400, send: send, sdk: sdk}
	}

	return []modelCase{
		// SQS, JSON 1.0.
		{service: "sqs", op: "CreateQueue", variant: "DeadLetter",
			send:  q("CreateQueue", fixed(`{"QueueName":"model-dlq"}`)),
			after: queueURLAfter(&env.dlqURL)},
		{service: "sqs", op: "CreateQueue",
			send: q("CreateQueue", fixed(`{"QueueName":"model-q","Attributes":{"VisibilityTimeout":"30","MessageRetentionPeriod":"86400",
				"RedrivePolicy":"{\"deadLetterTargetArn\":\"`+dlqARN+`\",\"maxReceiveCount\":\"5\"}"},"tags":{"team":"data"}}`)),
			after: queueURLAfter(&env.queueURL),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("model-q")})
				if err == nil && !strings.HasSuffix(aws.ToString(out.QueueUrl), "/"+acct+"/model-q") {
					err = fmt.Errorf("CreateQueue QueueUrl %q", aws.ToString(out.QueueUrl))
				}
				return err
			}},
		sqsErr("CreateQueue", "NameExists", "QueueNameExists", "QueueAlreadyExists",
			q("CreateQueue", fixed(`{"QueueName":"model-q","Attributes":{"VisibilityTimeout":"31"}}`)),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("model-q")})
				return err
			}),
		sqsErr("CreateQueue", "MissingName", "MissingParameter", "MissingParameter",
			q("CreateQueue", fixed(`{}`)), nil),
		{service: "sqs", op: "GetQueueUrl",
			send: q("GetQueueUrl", fixed(`{"QueueName":"model-q","QueueOwnerAWSAccountId":"`+acct+`"}`)),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("model-q")})
				return err
			}},
		sqsErr("GetQueueUrl", "NonExistent", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
			q("GetQueueUrl", fixed(`{"QueueName":"no-such-queue"}`)),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("no-such-queue")})
				var qe *sqstypes.QueueDoesNotExist
				if !errors.As(err, &qe) {
					return fmt.Errorf("GetQueueUrl of no queue: %T %v, want *types.QueueDoesNotExist", err, err)
				}
				return err
			}),
		{service: "sqs", op: "GetQueueAttributes",
			send: onQueue("GetQueueAttributes", `,"AttributeNames":["All"]`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u})
				if err == nil && (out.Attributes["QueueArn"] == "" || out.Attributes["RedrivePolicy"] == "") {
					err = fmt.Errorf("GetQueueAttributes All = %v", out.Attributes)
				}
				return err
			}},
		sqsErr("GetQueueAttributes", "InvalidAttributeName", "InvalidAttributeName", "InvalidAttributeName",
			onQueue("GetQueueAttributes", `,"AttributeNames":["Bogus"]`), nil),
		{service: "sqs", op: "SetQueueAttributes",
			send: onQueue("SetQueueAttributes", `,"Attributes":{"DelaySeconds":"0","ReceiveMessageWaitTimeSeconds":"0"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: u, Attributes: map[string]string{"DelaySeconds": "0"}})
				return err
			}},
		{service: "sqs", op: "ListQueues",
			send: q("ListQueues", fixed(`{"QueueNamePrefix":"model","MaxResults":1}`)),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ListQueues(ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("model"), MaxResults: aws.Int32(1)})
				if err == nil && (len(out.QueueUrls) != 1 || out.NextToken == nil) {
					err = fmt.Errorf("ListQueues(MaxResults 1) = %v, next %v", out.QueueUrls, out.NextToken)
				}
				return err
			}},
		{service: "sqs", op: "ListQueues", variant: "None",
			send: q("ListQueues", fixed(`{"QueueNamePrefix":"nothing-here"}`)),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.ListQueues(ctx, &sqs.ListQueuesInput{})
				return err
			}},
		{service: "sqs", op: "ListDeadLetterSourceQueues",
			send: q("ListDeadLetterSourceQueues", func() string { return `{"QueueUrl":"` + env.dlqURL + `"}` }),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: u})
				if err == nil && len(out.QueueUrls) != 1 {
					err = fmt.Errorf("ListDeadLetterSourceQueues = %v, want model-q", out.QueueUrls)
				}
				return err
			}},
		{service: "sqs", op: "ListDeadLetterSourceQueues", variant: "None",
			send: onQueue("ListDeadLetterSourceQueues", `,"MaxResults":5`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: u})
				if err == nil && (out.QueueUrls == nil || len(out.QueueUrls) != 0) {
					err = fmt.Errorf("ListDeadLetterSourceQueues of no sources = %#v, want an empty list", out.QueueUrls)
				}
				return err
			}},
		{service: "sqs", op: "TagQueue",
			send: onQueue("TagQueue", `,"Tags":{"env":"dev","owner":"me"}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: u, Tags: map[string]string{"env": "dev"}})
				return err
			}},
		{service: "sqs", op: "UntagQueue",
			send: onQueue("UntagQueue", `,"TagKeys":["owner"]`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: u, TagKeys: []string{"owner"}})
				return err
			}},
		{service: "sqs", op: "ListQueueTags",
			send: onQueue("ListQueueTags", ``),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: u})
				if err == nil && (out.Tags["team"] != "data" || out.Tags["env"] != "dev" || len(out.Tags) != 2) {
					err = fmt.Errorf("ListQueueTags = %v", out.Tags)
				}
				return err
			}},
		{service: "sqs", op: "SendMessage",
			send: onQueue("SendMessage", `,"MessageBody":"`+sqsBody+`","MessageAttributes":`+sqsAttrsJSON+
				`,"MessageSystemAttributes":{"AWSTraceHeader":{"DataType":"String","StringValue":"`+traceHeader+`"}}`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: u, MessageBody: aws.String(sqsBody), MessageAttributes: sqsAttrs})
				if err == nil && (out.MD5OfMessageSystemAttributes == nil || out.MessageId == nil) {
					err = fmt.Errorf("SendMessage with a system attribute: no MD5OfMessageSystemAttributes or MessageId")
				}
				return err
			}},
		{service: "sqs", op: "SendMessage", variant: "Plain",
			send: onQueue("SendMessage", `,"MessageBody":"plain","DelaySeconds":0`),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: u, MessageBody: aws.String("plain")})
				return err
			}},
		sqsErr("SendMessage", "MissingBody", "MissingParameter", "MissingParameter",
			onQueue("SendMessage", ``),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: u, MessageBody: aws.String("x")})
				return err
			}),
		sqsErr("SendMessage", "InvalidDelay", "InvalidParameterValue", "InvalidParameterValue",
			onQueue("SendMessage", `,"MessageBody":"x","DelaySeconds":1000`), nil),
		{service: "sqs", op: "SendMessageBatch",
			send: onQueue("SendMessageBatch", `,"Entries":[{"Id":"a","MessageBody":"`+sqsBody+`","MessageAttributes":`+sqsAttrsJSON+`},
				{"Id":"b","MessageBody":"two"},{"Id":"bad","MessageBody":"x","DelaySeconds":1000}]`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: u, Entries: []sqstypes.SendMessageBatchRequestEntry{
					{Id: aws.String("a"), MessageBody: aws.String(sqsBody), MessageAttributes: sqsAttrs},
					{Id: aws.String("b"), MessageBody: aws.String("two")},
					{Id: aws.String("bad"), MessageBody: aws.String("x"), DelaySeconds: 1000},
				}})
				if err == nil && (len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Code) == "" || !out.Failed[0].SenderFault) {
					err = fmt.Errorf("SendMessageBatch = %d successful, failed %+v", len(out.Successful), out.Failed)
				}
				return err
			}},
		sqsErr("SendMessageBatch", "Empty", "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest",
			onQueue("SendMessageBatch", `,"Entries":[]`),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: u, Entries: []sqstypes.SendMessageBatchRequestEntry{}})
				var e *sqstypes.EmptyBatchRequest
				if !errors.As(err, &e) {
					return fmt.Errorf("empty batch: %T %v, want *types.EmptyBatchRequest", err, err)
				}
				return err
			}),
		{service: "sqs", op: "ReceiveMessage",
			send: onQueue("ReceiveMessage", `,"MaxNumberOfMessages":10,"WaitTimeSeconds":0,"VisibilityTimeout":60,
				"MessageSystemAttributeNames":["All"],"MessageAttributeNames":["All"]`),
			after: func(t *testing.T, a *answer) {
				var ms []struct{ ReceiptHandle string }
				jsonField(t, a.body, "Messages", &ms)
				if len(ms) != 4 {
					t.Fatalf("ReceiveMessage: %d messages, want the 4 sent: %s", len(ms), a.body)
				}
				env.handles = nil
				for _, m := range ms {
					env.handles = append(env.handles, m.ReceiptHandle)
				}
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u, MessageAttributeNames: []string{"All"}})
				if err == nil && (len(out.Messages) != 4 || out.Messages[0].Attributes["AWSTraceHeader"] != traceHeader ||
					out.Messages[0].Attributes["SentTimestamp"] == "" || aws.ToString(out.Messages[0].MessageAttributes["color"].StringValue) != "blue" ||
					!bytes.Equal(out.Messages[0].MessageAttributes["blob"].BinaryValue, []byte{0, 1, 2})) {
					err = fmt.Errorf("ReceiveMessage = %+v", out.Messages)
				}
				return err
			}},
		{service: "sqs", op: "ReceiveMessage", variant: "Empty",
			send: onQueue("ReceiveMessage", `,"WaitTimeSeconds":0`),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: u})
				if err == nil && len(out.Messages) != 0 {
					err = fmt.Errorf("ReceiveMessage of an empty queue: %d messages", len(out.Messages))
				}
				return err
			}},
		{service: "sqs", op: "ChangeMessageVisibility",
			send: q("ChangeMessageVisibility", func() string {
				return `{"QueueUrl":"` + env.queueURL + `","ReceiptHandle":"` + env.handles[0] + `","VisibilityTimeout":120}`
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: u, ReceiptHandle: aws.String("h"), VisibilityTimeout: 120})
				return err
			}},
		sqsErr("ChangeMessageVisibility", "InvalidHandle", "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
			onQueue("ChangeMessageVisibility", `,"ReceiptHandle":"bogus","VisibilityTimeout":1`),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: u, ReceiptHandle: aws.String("bogus")})
				return err
			}),
		{service: "sqs", op: "ChangeMessageVisibilityBatch",
			send: q("ChangeMessageVisibilityBatch", func() string {
				return `{"QueueUrl":"` + env.queueURL + `","Entries":[{"Id":"one","ReceiptHandle":"` + env.handles[1] + `","VisibilityTimeout":90},
					{"Id":"two","ReceiptHandle":"bogus","VisibilityTimeout":90}]}`
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: u, Entries: []sqstypes.ChangeMessageVisibilityBatchRequestEntry{{Id: aws.String("one"), ReceiptHandle: aws.String("h")}}})
				if err == nil && (len(out.Successful) != 1 || len(out.Failed) != 1) {
					err = fmt.Errorf("ChangeMessageVisibilityBatch = %+v %+v", out.Successful, out.Failed)
				}
				return err
			}},
		{service: "sqs", op: "DeleteMessage",
			send: q("DeleteMessage", func() string {
				return `{"QueueUrl":"` + env.queueURL + `","ReceiptHandle":"` + env.handles[0] + `"}`
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: u, ReceiptHandle: aws.String("h")})
				return err
			}},
		sqsErr("DeleteMessage", "InvalidHandle", "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
			onQueue("DeleteMessage", `,"ReceiptHandle":"bogus"`),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: u, ReceiptHandle: aws.String("bogus")})
				var e *sqstypes.ReceiptHandleIsInvalid
				if !errors.As(err, &e) {
					return fmt.Errorf("DeleteMessage(bogus): %T %v, want *types.ReceiptHandleIsInvalid", err, err)
				}
				return err
			}),
		{service: "sqs", op: "DeleteMessageBatch",
			send: q("DeleteMessageBatch", func() string {
				return `{"QueueUrl":"` + env.queueURL + `","Entries":[{"Id":"one","ReceiptHandle":"` + env.handles[1] + `"},
					{"Id":"two","ReceiptHandle":"` + env.handles[2] + `"},{"Id":"bad","ReceiptHandle":"bogus"}]}`
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sqs.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: u, Entries: []sqstypes.DeleteMessageBatchRequestEntry{{Id: aws.String("one"), ReceiptHandle: aws.String("h")}}})
				if err == nil && (len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "bad") {
					err = fmt.Errorf("DeleteMessageBatch = %+v %+v", out.Successful, out.Failed)
				}
				return err
			}},
		sqsErr("DeleteMessageBatch", "IdsNotDistinct", "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
			onQueue("DeleteMessageBatch", `,"Entries":[{"Id":"x","ReceiptHandle":"a"},{"Id":"x","ReceiptHandle":"b"}]`), nil),
		sqsErr("ChangeMessageVisibilityBatch", "TooManyEntries", "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
			q("ChangeMessageVisibilityBatch", func() string {
				var es []string
				for i := range 11 {
					es = append(es, fmt.Sprintf(`{"Id":"e%d","ReceiptHandle":"h","VisibilityTimeout":1}`, i))
				}
				return `{"QueueUrl":"` + env.queueURL + `","Entries":[` + strings.Join(es, ",") + `]}`
			}), nil),
		sqsErr("TagQueue", "NoQueue", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
			q("TagQueue", fixed(`{"QueueUrl":"http://127.0.0.1/`+acct+`/no-such-queue","Tags":{"a":"b"}}`)), nil),
		sqsErr("ReceiveMessage", "InvalidWait", "InvalidParameterValue", "InvalidParameterValue",
			onQueue("ReceiveMessage", `,"WaitTimeSeconds":21`), nil),
		{service: "sqs", op: "PurgeQueue",
			send: onQueue("PurgeQueue", ``),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: u})
				return err
			}},
		sqsErr("PurgeQueue", "InProgress", "PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
			onQueue("PurgeQueue", ``),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: u})
				return err
			}),
		{service: "sqs", op: "DeleteQueue",
			send: onQueue("DeleteQueue", ``),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: u})
				return err
			}},
		sqsErr("GetQueueAttributes", "Deleted", "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue",
			onQueue("GetQueueAttributes", `,"AttributeNames":["All"]`),
			func(ctx context.Context, c *replayClients) error {
				_, err := c.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: u})
				return err
			}),

		// SQS, query protocol.
		{service: "sqs", protocol: "query", op: "CreateQueue", variant: "Query",
			send: sqsQ("CreateQueue", kv("QueueName", "model-query", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "40",
				"Tag.1.Key", "team", "Tag.1.Value", "data")),
			after: func(t *testing.T, a *answer) {
				if us := xmlTexts(a.body, "QueueUrl"); len(us) == 1 {
					env.queryQueueURL = us[0]
				}
			}},
		{service: "sqs", protocol: "query", op: "CreateQueue", variant: "QueryNameExists", errShape: "QueueNameExists", errCode: "QueueAlreadyExists", status: 400,
			send: sqsQ("CreateQueue", kv("QueueName", "model-query", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "41"))},
		{service: "sqs", protocol: "query", op: "GetQueueUrl", variant: "Query",
			send: sqsQ("GetQueueUrl", kv("QueueName", "model-query"))},
		{service: "sqs", protocol: "query", op: "GetQueueUrl", variant: "QueryNonExistent", errShape: "QueueDoesNotExist", errCode: "AWS.SimpleQueueService.NonExistentQueue", status: 400,
			send: sqsQ("GetQueueUrl", kv("QueueName", "no-such-queue"))},
		{service: "sqs", protocol: "query", op: "GetQueueAttributes", variant: "Query",
			send: onQueryQueue("GetQueueAttributes", "AttributeName.1", "All"),
			after: func(t *testing.T, a *answer) {
				if names := xmlTexts(a.body, "Name"); !slices.Contains(names, "QueueArn") || !slices.Contains(names, "VisibilityTimeout") {
					t.Errorf("GetQueueAttributes All names %v", names)
				}
			}},
		{service: "sqs", protocol: "query", op: "GetQueueAttributes", variant: "QueryInvalidName", errShape: "InvalidAttributeName", errCode: "InvalidAttributeName", status: 400,
			send: onQueryQueue("GetQueueAttributes", "AttributeName.1", "Bogus")},
		{service: "sqs", protocol: "query", op: "ListQueues", variant: "Query",
			send: sqsQ("ListQueues", kv("QueueNamePrefix", "model", "MaxResults", "1")),
			after: func(t *testing.T, a *answer) {
				if len(xmlTexts(a.body, "QueueUrl")) != 1 || len(xmlTexts(a.body, "NextToken")) != 1 {
					t.Errorf("ListQueues MaxResults 1: want one QueueUrl and a NextToken")
				}
			}},
		{service: "sqs", protocol: "query", op: "ListQueueTags", variant: "Query",
			send: onQueryQueue("ListQueueTags")},
		{service: "sqs", protocol: "query", op: "SendMessage", variant: "Query",
			send: onQueryQueue("SendMessage", append([]string{"MessageBody", sqsBody,
				"MessageSystemAttribute.1.Name", "AWSTraceHeader", "MessageSystemAttribute.1.Value.DataType", "String",
				"MessageSystemAttribute.1.Value.StringValue", traceHeader}, sqsAttrsForm...)...)},
		{service: "sqs", protocol: "query", op: "SendMessage", variant: "QueryMissingBody", errCode: "MissingParameter", status: 400,
			send: onQueryQueue("SendMessage")},
		{service: "sqs", protocol: "query", op: "SendMessageBatch", variant: "Query",
			send: onQueryQueue("SendMessageBatch",
				"SendMessageBatchRequestEntry.1.Id", "a", "SendMessageBatchRequestEntry.1.MessageBody", "one",
				"SendMessageBatchRequestEntry.1.MessageAttribute.1.Name", "color",
				"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType", "String",
				"SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue", "red",
				"SendMessageBatchRequestEntry.2.Id", "b", "SendMessageBatchRequestEntry.2.MessageBody", "two",
				"SendMessageBatchRequestEntry.3.Id", "bad", "SendMessageBatchRequestEntry.3.MessageBody", "x",
				"SendMessageBatchRequestEntry.3.DelaySeconds", "1000")},
		{service: "sqs", protocol: "query", op: "ReceiveMessage", variant: "Query",
			send: onQueryQueue("ReceiveMessage", "MaxNumberOfMessages", "10", "WaitTimeSeconds", "0",
				"MessageSystemAttributeName.1", "All", "MessageAttributeName.1", "All"),
			after: func(t *testing.T, a *answer) {
				env.queryHandles = xmlTexts(a.body, "ReceiptHandle")
				if len(env.queryHandles) != 3 {
					t.Fatalf("ReceiveMessage: %d messages, want the 3 sent", len(env.queryHandles))
				}
			}},
		{service: "sqs", protocol: "query", op: "DeleteMessageBatch", variant: "Query",
			send: func(t *testing.T) *http.Request {
				return onQueryQueue("DeleteMessageBatch",
					"DeleteMessageBatchRequestEntry.1.Id", "one", "DeleteMessageBatchRequestEntry.1.ReceiptHandle", env.queryHandles[0],
					"DeleteMessageBatchRequestEntry.2.Id", "two", "DeleteMessageBatchRequestEntry.2.ReceiptHandle", "bogus")(t)
			}},
		{service: "sqs", protocol: "query", op: "ChangeMessageVisibilityBatch", variant: "Query",
			send: func(t *testing.T) *http.Request {
				return onQueryQueue("ChangeMessageVisibilityBatch",
					"ChangeMessageVisibilityBatchRequestEntry.1.Id", "one", "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", env.queryHandles[1],
					"ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout", "5",
					"ChangeMessageVisibilityBatchRequestEntry.2.Id", "two", "ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle", "bogus",
					"ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout", "5")(t)
			}},
		{service: "sqs", protocol: "query", op: "ListDeadLetterSourceQueues", variant: "QueryNoSources",
			send: sqsQ("ListDeadLetterSourceQueues", func() []string { return []string{"QueueUrl", env.dlqURL} })},
		{service: "sqs", protocol: "query", op: "PurgeQueue", variant: "Query",
			send: onQueryQueue("PurgeQueue")},
		{service: "sqs", protocol: "query", op: "PurgeQueue", variant: "QueryInProgress", errShape: "PurgeQueueInProgress",
			errCode: "AWS.SimpleQueueService.PurgeQueueInProgress", status: 400,
			send: onQueryQueue("PurgeQueue")},
		{service: "sqs", protocol: "query", op: "DeleteQueue", variant: "Query",
			send: onQueryQueue("DeleteQueue")},

		// SNS, query protocol.
		{service: "sns", op: "CreateTopic",
			send: snsQ("CreateTopic", kv("Name", "model-topic", "Attributes.entry.1.key", "DisplayName", "Attributes.entry.1.value", "Model",
				"Tags.member.1.Key", "team", "Tags.member.1.Value", "data")),
			after: func(t *testing.T, a *answer) {
				if arns := xmlTexts(a.body, "TopicArn"); len(arns) == 1 {
					env.topicARN = arns[0]
				}
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("model-topic")})
				if err == nil && !strings.HasSuffix(aws.ToString(out.TopicArn), ":model-topic") {
					err = fmt.Errorf("CreateTopic TopicArn %q", aws.ToString(out.TopicArn))
				}
				return err
			}},
		{service: "sns", op: "CreateTopic", variant: "InvalidName", errCode: "InvalidParameter", status: 400,
			send: snsQ("CreateTopic", kv("Name", "bad name!")),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("bad name!")})
				var e *snstypes.InvalidParameterException
				if !errors.As(err, &e) {
					return fmt.Errorf("CreateTopic(bad name): %T %v, want *types.InvalidParameterException", err, err)
				}
				return err
			}},
		{service: "sns", op: "ListTopics",
			send: snsQ("ListTopics", kv()),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.ListTopics(ctx, &sns.ListTopicsInput{})
				if err == nil && len(out.Topics) != 2 {
					err = fmt.Errorf("ListTopics = %d topics, want the trail's and model-topic", len(out.Topics))
				}
				return err
			}},
		{service: "sns", op: "GetTopicAttributes",
			send: snsQ("GetTopicAttributes", func() []string { return []string{"TopicArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("t")})
				if err == nil && (out.Attributes["DisplayName"] != "Model" || out.Attributes["TopicArn"] == "") {
					err = fmt.Errorf("GetTopicAttributes = %v", out.Attributes)
				}
				return err
			}},
		{service: "sns", op: "GetTopicAttributes", variant: "NotFound", errCode: "NotFound", status: 404,
			send: snsQ("GetTopicAttributes", kv("TopicArn", "arn:aws:sns:"+region+":"+acct+":no-such-topic")),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String("t")})
				var e *snstypes.NotFoundException
				if !errors.As(err, &e) {
					return fmt.Errorf("GetTopicAttributes(no topic): %T %v, want *types.NotFoundException", err, err)
				}
				return err
			}},
		{service: "sns", op: "SetTopicAttributes",
			send: snsQ("SetTopicAttributes", func() []string {
				return []string{"TopicArn", env.topicARN, "AttributeName", "DisplayName", "AttributeValue", "Model 2"}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String("t"), AttributeName: aws.String("DisplayName")})
				return err
			}},
		{service: "sns", op: "Subscribe",
			send: snsQ("Subscribe", func() []string {
				return []string{"TopicArn", env.topicARN, "Protocol", "sqs", "Endpoint", dlqARN, "ReturnSubscriptionArn", "true",
					"Attributes.entry.1.key", "RawMessageDelivery", "Attributes.entry.1.value", "true"}
			}),
			after: func(t *testing.T, a *answer) {
				if arns := xmlTexts(a.body, "SubscriptionArn"); len(arns) == 1 {
					env.sqsSubARN = arns[0]
				}
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("t"), Protocol: aws.String("sqs")})
				if err == nil && !strings.HasPrefix(aws.ToString(out.SubscriptionArn), "arn:aws:sns:") {
					err = fmt.Errorf("Subscribe SubscriptionArn %q", aws.ToString(out.SubscriptionArn))
				}
				return err
			}},
		{service: "sns", op: "Subscribe", variant: "HTTPPending",
			send: snsQ("Subscribe", func() []string {
				return []string{"TopicArn", env.topicARN, "Protocol", "http", "Endpoint", env.hookURL}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String("t"), Protocol: aws.String("http")})
				if err == nil && aws.ToString(out.SubscriptionArn) != "pending confirmation" {
					err = fmt.Errorf("Subscribe http SubscriptionArn %q, want pending confirmation", aws.ToString(out.SubscriptionArn))
				}
				return err
			}},
		{service: "sns", op: "Subscribe", variant: "BadProtocol", errCode: "InvalidParameter", status: 400,
			send: snsQ("Subscribe", func() []string {
				return []string{"TopicArn", env.topicARN, "Protocol", "carrier-pigeon", "Endpoint", "x"}
			})},
		{service: "sns", op: "ConfirmSubscription",
			send: func(t *testing.T) *http.Request {
				var token string
				select {
				case c := <-env.confirmations:
					token = c["Token"]
				case <-time.After(5 * time.Second):
					t.Fatal("no SubscriptionConfirmation reached the HTTP subscriber")
				}
				return snsQ("ConfirmSubscription", kv("TopicArn", env.topicARN, "Token", token))(t)
			},
			after: func(t *testing.T, a *answer) {
				if arns := xmlTexts(a.body, "SubscriptionArn"); len(arns) == 1 {
					env.httpSubARN = arns[0]
				}
			},
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String("t"), Token: aws.String("x")})
				return err
			}},
		{service: "sns", op: "ConfirmSubscription", variant: "BadToken", errCode: "InvalidParameter", status: 400,
			send: snsQ("ConfirmSubscription", func() []string { return []string{"TopicArn", env.topicARN, "Token", "nope"} })},
		{service: "sns", op: "GetSubscriptionAttributes",
			send: snsQ("GetSubscriptionAttributes", func() []string { return []string{"SubscriptionArn", env.sqsSubARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String("s")})
				if err == nil && (out.Attributes["RawMessageDelivery"] != "true" || out.Attributes["Protocol"] != "sqs") {
					err = fmt.Errorf("GetSubscriptionAttributes = %v", out.Attributes)
				}
				return err
			}},
		{service: "sns", op: "GetSubscriptionAttributes", variant: "NotFound", errCode: "NotFound", status: 404,
			send: snsQ("GetSubscriptionAttributes", kv("SubscriptionArn", "arn:aws:sns:"+region+":"+acct+":model-topic:00000000-0000-0000-0000-000000000000"))},
		{service: "sns", op: "SetSubscriptionAttributes",
			send: snsQ("SetSubscriptionAttributes", func() []string {
				return []string{"SubscriptionArn", env.sqsSubARN, "AttributeName", "FilterPolicy", "AttributeValue", `{"color":["blue"]}`}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String("s"), AttributeName: aws.String("FilterPolicy")})
				return err
			}},
		{service: "sns", op: "ListSubscriptions",
			send: snsQ("ListSubscriptions", kv()),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
				if err == nil && len(out.Subscriptions) != 3 {
					err = fmt.Errorf("ListSubscriptions = %d, want the trail's and model-topic's two", len(out.Subscriptions))
				}
				return err
			}},
		{service: "sns", op: "ListSubscriptionsByTopic",
			send: snsQ("ListSubscriptionsByTopic", func() []string { return []string{"TopicArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String("t")})
				if err == nil && (len(out.Subscriptions) != 2 || aws.ToString(out.Subscriptions[0].Owner) == "") {
					err = fmt.Errorf("ListSubscriptionsByTopic = %+v", out.Subscriptions)
				}
				return err
			}},
		{service: "sns", op: "Publish",
			send: snsQ("Publish", func() []string {
				return []string{"TopicArn", env.topicARN, "Message", "hello topic", "Subject", "s",
					"MessageAttributes.entry.1.Name", "color", "MessageAttributes.entry.1.Value.DataType", "String",
					"MessageAttributes.entry.1.Value.StringValue", "blue"}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("t"), Message: aws.String("m")})
				if err == nil && aws.ToString(out.MessageId) == "" {
					err = errors.New("Publish: no MessageId")
				}
				return err
			}},
		{service: "sns", op: "Publish", variant: "NoMessage", errCode: "InvalidParameter", status: 400,
			send: snsQ("Publish", func() []string { return []string{"TopicArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.Publish(ctx, &sns.PublishInput{TopicArn: aws.String("t"), Message: aws.String("")})
				return err
			}},
		{service: "sns", op: "PublishBatch",
			send: snsQ("PublishBatch", func() []string {
				return []string{"TopicArn", env.topicARN,
					"PublishBatchRequestEntries.member.1.Id", "a", "PublishBatchRequestEntries.member.1.Message", "one",
					"PublishBatchRequestEntries.member.2.Id", "b", "PublishBatchRequestEntries.member.2.Message", "two",
					"PublishBatchRequestEntries.member.3.Id", "bad"}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String("t"), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{{Id: aws.String("a"), Message: aws.String("one")}}})
				if err == nil && (len(out.Successful) != 2 || len(out.Failed) != 1 || !out.Failed[0].SenderFault) {
					err = fmt.Errorf("PublishBatch = %+v %+v", out.Successful, out.Failed)
				}
				return err
			}},
		{service: "sns", op: "TagResource",
			send: snsQ("TagResource", func() []string {
				return []string{"ResourceArn", env.topicARN, "Tags.member.1.Key", "env", "Tags.member.1.Value", "dev",
					"Tags.member.2.Key", "owner", "Tags.member.2.Value", "me"}
			}),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String("t"), Tags: []snstypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}})
				return err
			}},
		{service: "sns", op: "UntagResource",
			send: snsQ("UntagResource", func() []string { return []string{"ResourceArn", env.topicARN, "TagKeys.member.1", "owner"} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String("t"), TagKeys: []string{"owner"}})
				return err
			}},
		{service: "sns", op: "ListTagsForResource",
			send: snsQ("ListTagsForResource", func() []string { return []string{"ResourceArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				out, err := c.sns.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String("t")})
				if err == nil && len(out.Tags) != 2 {
					err = fmt.Errorf("ListTagsForResource = %+v, want team and env", out.Tags)
				}
				return err
			}},
		{service: "sns", op: "PublishBatch", variant: "Empty", errCode: "EmptyBatchRequest", status: 400,
			send: snsQ("PublishBatch", func() []string { return []string{"TopicArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String("t"), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{}})
				var e *snstypes.EmptyBatchRequestException
				if !errors.As(err, &e) {
					return fmt.Errorf("PublishBatch(no entries): %T %v, want *types.EmptyBatchRequestException", err, err)
				}
				return err
			}},
		{service: "sns", op: "PublishBatch", variant: "IdsNotDistinct", errCode: "BatchEntryIdsNotDistinct", status: 400,
			send: snsQ("PublishBatch", func() []string {
				return []string{"TopicArn", env.topicARN,
					"PublishBatchRequestEntries.member.1.Id", "a", "PublishBatchRequestEntries.member.1.Message", "one",
					"PublishBatchRequestEntries.member.2.Id", "a", "PublishBatchRequestEntries.member.2.Message", "two"}
			})},
		{service: "sns", op: "TagResource", variant: "NoTopic", errCode: "ResourceNotFound", status: 404,
			send: snsQ("TagResource", kv("ResourceArn", "arn:aws:sns:"+region+":"+acct+":no-such-topic", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v")),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String("t"), Tags: []snstypes.Tag{}})
				var e *snstypes.ResourceNotFoundException
				if !errors.As(err, &e) {
					return fmt.Errorf("TagResource(no topic): %T %v, want *types.ResourceNotFoundException", err, err)
				}
				return err
			}},
		{service: "sns", op: "ListTagsForResource", variant: "NoTopic", errCode: "ResourceNotFound", status: 404,
			send: snsQ("ListTagsForResource", kv("ResourceArn", "arn:aws:sns:"+region+":"+acct+":no-such-topic"))},
		{service: "sns", op: "SetSubscriptionAttributes", variant: "BadName", errCode: "InvalidParameter", status: 400,
			send: snsQ("SetSubscriptionAttributes", func() []string {
				return []string{"SubscriptionArn", env.sqsSubARN, "AttributeName", "Bogus", "AttributeValue", "x"}
			})},
		{service: "sns", op: "SetTopicAttributes", variant: "NoTopic", errCode: "NotFound", status: 404,
			send: snsQ("SetTopicAttributes", kv("TopicArn", "arn:aws:sns:"+region+":"+acct+":no-such-topic", "AttributeName", "DisplayName", "AttributeValue", "x"))},
		{service: "sns", op: "DeleteTopic", variant: "BadARN", errCode: "InvalidParameter", status: 400,
			send: snsQ("DeleteTopic", kv("TopicArn", "not-an-arn"))},
		{service: "sns", op: "Unsubscribe",
			send: snsQ("Unsubscribe", func() []string { return []string{"SubscriptionArn", env.httpSubARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("s")})
				return err
			}},
		{service: "sns", op: "Unsubscribe", variant: "NotFound", errCode: "NotFound", status: 404,
			send: snsQ("Unsubscribe", func() []string { return []string{"SubscriptionArn", env.httpSubARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String("s")})
				return err
			}},
		{service: "sns", op: "DeleteTopic",
			send: snsQ("DeleteTopic", func() []string { return []string{"TopicArn", env.topicARN} }),
			sdk: func(ctx context.Context, c *replayClients) error {
				_, err := c.sns.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String("t")})
				return err
			}},
	}
}

// TestSQSQueryNames holds sqsQueryModel to the query answers of the SQS
// API reference: they pass, and the same answers in the names of the JSON
// model (QueueUrls, Messages, Attributes) do not.
func TestSQSQueryNames(t *testing.T) {
	m := loadModels(t)[sqsQuery]
	const receive = `<ReceiveMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">
 <ReceiveMessageResult>
  <Message>
   <MessageId>5fea7756-0ea4-451a-a703-a558b933e274</MessageId>
   <ReceiptHandle>MbZj6wDWli+JvwwJaBV+3dcjk2YW2vA3+STFFljTM8tJJg6HRG6PYSasuWXPJB+Cw</ReceiptHandle>
   <MD5OfBody>fafb00f5732ab283681e124bf8747ed1</MD5OfBody>
   <Body>This is a test message</Body>
   <Attribute><Name>SenderId</Name><Value>195004372649</Value></Attribute>
   <Attribute><Name>SentTimestamp</Name><Value>1238099229000</Value></Attribute>
   <MessageAttribute><Name>tags</Name><Value><StringListValue>a</StringListValue><StringListValue>b</StringListValue><DataType>String.list</DataType></Value></MessageAttribute>
  </Message>
 </ReceiveMessageResult>
 <ResponseMetadata><RequestId>b6633655-283d-45b4-aee4-4e84e0ae6afa</RequestId></ResponseMetadata>
</ReceiveMessageResponse>`
	if ps := awsmodel.CheckQuery(m, "ReceiveMessage", []byte(receive)); len(ps) != 0 {
		t.Errorf("the API reference's ReceiveMessage answer: %v", ps)
	}
	jsonNamed := strings.NewReplacer("<Message>", "<Messages>", "</Message>", "</Messages>",
		"<Attribute>", "<Attributes>", "</Attribute>", "</Attributes>").Replace(receive)
	if ps := awsmodel.CheckQuery(m, "ReceiveMessage", []byte(jsonNamed)); len(ps) == 0 {
		t.Error("ReceiveMessage with <Messages> and <Attributes> passes")
	}
	const attrs = `<GetQueueAttributesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><GetQueueAttributesResult>
 <Attribute><Name>VisibilityTimeout</Name><Value>30</Value></Attribute><Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>
 </GetQueueAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetQueueAttributesResponse>`
	if ps := awsmodel.CheckQuery(m, "GetQueueAttributes", []byte(attrs)); len(ps) != 0 {
		t.Errorf("the API reference's GetQueueAttributes answer: %v", ps)
	}
	if ps := awsmodel.CheckQuery(m, "GetQueueAttributes", []byte(strings.ReplaceAll(attrs, "<Attribute><Name>DelaySeconds</Name>", "<Attribute><Name>Delay</Name>"))); len(ps) != 1 || ps[0].Kind != awsmodel.BadEnum {
		t.Errorf("GetQueueAttributes with attribute Delay: %v, want one value outside enum", ps)
	}
	const batch = `<SendMessageBatchResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageBatchResult>
 <SendMessageBatchResultEntry><Id>a</Id><MessageId>m</MessageId><MD5OfMessageBody>x</MD5OfMessageBody></SendMessageBatchResultEntry>
 <BatchResultErrorEntry><Id>b</Id><Code>c</Code><SenderFault>true</SenderFault></BatchResultErrorEntry>
 </SendMessageBatchResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendMessageBatchResponse>`
	if ps := awsmodel.CheckQuery(m, "SendMessageBatch", []byte(batch)); len(ps) != 0 {
		t.Errorf("SendMessageBatch answer: %v", ps)
	}
	if ps := awsmodel.CheckQuery(m, "SendMessageBatch", []byte(strings.ReplaceAll(batch, "<SenderFault>true</SenderFault>", ""))); len(ps) != 1 || ps[0].Kind != awsmodel.MissingRequired {
		t.Errorf("SendMessageBatch failure without SenderFault: %v, want it missing", ps)
	}
}
