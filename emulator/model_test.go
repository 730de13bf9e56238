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
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator"
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
	service string // "cloudtrail", "firehose" or "s3"
	op      string // the model's operation name
	variant string // "" or a name for a second call of op
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
	return cases
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
	ct *cloudtrail.Client
	fh *firehose.Client
	s3 *s3.Client
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
		ct: cloudtrail.NewFromConfig(cfg),
		fh: firehose.NewFromConfig(cfg),
		s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
	}
}

var (
	modelsOnce sync.Once
	models     map[string]*awsmodel.Model
	modelsErr  error
)

// loadModels loads the three models, with a synthetic shape for S3's
// error body (the model describes error codes, not the <Error> document).
func loadModels(t *testing.T) map[string]*awsmodel.Model {
	t.Helper()
	modelsOnce.Do(func() {
		models = map[string]*awsmodel.Model{}
		for _, name := range []string{"cloudtrail", "firehose", "s3"} {
			m, err := awsmodel.LoadService(name)
			if err != nil {
				modelsErr = err
				return
			}
			models[name] = m
		}
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
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	t.Cleanup(hook.Close)
	env := &modelEnv{
		emu:    emulator.Start(t, emulator.WithSeed(7), emulator.WithNotify(hook.URL+"/hook")),
		pre:    emulator.Start(t, emulator.WithSeed(3), emulator.WithEvents(120)),
		client: &http.Client{Timeout: 10 * time.Second},
	}
	for _, c := range modelCases(env) {
		t.Run(c.service+"/"+c.name(), func(t *testing.T) {
			a := send(t, env.client, c.send(t))
			if c.after != nil {
				defer c.after(t, a)
			}
			m := ms[c.service]
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
		if ct := a.header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
			t.Logf("note: Content-Type %q, want application/x-amz-json-1.1", ct)
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

// checkJSONError checks a JSON 1.1 error: __type names the code, and the
// body matches the exception's shape.
func checkJSONError(t *testing.T, m *awsmodel.Model, c modelCase, a *answer) []awsmodel.Problem {
	t.Helper()
	var v struct {
		Type string `json:"__type"`
	}
	if err := json.Unmarshal(a.body, &v); err != nil || v.Type != c.errCode {
		t.Errorf("error __type %q, want %s (%v)", v.Type, c.errCode, err)
	}
	if m.Shapes[c.errCode] == nil {
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
	return awsmodel.CheckJSON(m, c.errCode, a.body)
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

// TestModelCoverage fails if the emulator serves a CloudTrail or Firehose
// operation the table of TestAnswersMatchModels lacks: every operation of
// the two models is called, and those not answered UnknownOperationException
// are served.
func TestModelCoverage(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	ms := loadModels(t)
	inTable := map[string]bool{}
	for _, c := range modelCases(&modelEnv{}) {
		inTable[c.service+"."+c.op] = true
	}
	emu := emulator.Start(t, emulator.WithSeed(1))
	client := &http.Client{Timeout: 10 * time.Second}
	served := 0
	for _, svc := range []struct{ name, prefix string }{{"cloudtrail", ctPrefix}, {"firehose", fhPrefix}} {
		for _, op := range slices.Sorted(maps.Keys(ms[svc.name].Operations)) {
			a := send(t, client, jsonReq(emu.URL, svc.prefix+op, `{}`))
			var e struct {
				Type string `json:"__type"`
			}
			_ = json.Unmarshal(a.body, &e)
			if e.Type == "UnknownOperationException" {
				continue
			}
			served++
			if !inTable[svc.name+"."+op] {
				t.Errorf("the emulator serves %s %s (answered %d %s), but the table of TestAnswersMatchModels does not check it", svc.name, op, a.status, a.body)
			}
		}
	}
	t.Logf("%d CloudTrail and Firehose operations served", served)
	if served < 16 {
		t.Errorf("only %d CloudTrail and Firehose operations served, want 16 or more: is routing broken?", served)
	}
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
