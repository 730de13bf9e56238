package awsmodel_test

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/firetrail/firetrail/internal/awsmodel"
)

// models caches the loaded services across tests.
var models sync.Map

func load(t *testing.T, name string) *awsmodel.Model {
	t.Helper()
	if m, ok := models.Load(name); ok {
		return m.(*awsmodel.Model)
	}
	m, err := awsmodel.LoadService(name)
	if err != nil {
		t.Fatalf("LoadService(%s): %v", name, err)
	}
	models.Store(name, m)
	return m
}

func TestLoadService(t *testing.T) {
	for _, tc := range []struct{ name, protocol, version string }{
		{"firehose", "json", "2015-08-04"},
		{"cloudtrail", "json", "2013-11-01"},
		{"s3", "rest-xml", "2006-03-01"},
		{"sqs", "json", "2012-11-05"},
		{"sns", "query", "2010-03-31"},
	} {
		m := load(t, tc.name)
		if m.Metadata.Protocol != tc.protocol || m.Metadata.APIVersion != tc.version {
			t.Errorf("%s: protocol %q version %q, want %q %q", tc.name, m.Metadata.Protocol, m.Metadata.APIVersion, tc.protocol, tc.version)
		}
	}
	if _, err := awsmodel.LoadService("../etc"); err == nil {
		t.Error("LoadService(../etc) succeeded")
	}
	if _, err := awsmodel.LoadService("nosuchservice"); err == nil {
		t.Error("LoadService(nosuchservice) succeeded")
	}
}

func TestShapes(t *testing.T) {
	fh := load(t, "firehose")
	s := fh.Shapes["DeliveryStreamDescription"]
	var names []string
	for _, m := range s.Members {
		names = append(names, m.Name)
	}
	if names[0] != "DeliveryStreamName" || names[len(names)-1] != "HasMoreDestinations" || !s.IsRequired("VersionId") || s.IsRequired("Source") {
		t.Errorf("DeliveryStreamDescription members %v required %v: model order or required lost", names, s.Required)
	}
	name := fh.Shapes["DeliveryStreamName"]
	if name.Type != awsmodel.TypeString || *name.Min != 1 || *name.Max != 64 || name.Pattern != "[a-zA-Z0-9_.-]+" {
		t.Errorf("DeliveryStreamName = %+v", name)
	}
	if d := fh.Shapes["Data"]; *d.Max != 1024000 || d.Type != awsmodel.TypeBlob {
		t.Errorf("Data = %+v", d)
	}
	if e := fh.Shapes["CompressionFormat"].Enum; !slices.Contains(e, "GZIP") {
		t.Errorf("CompressionFormat enum %v", e)
	}
	if op := fh.Operations["PutRecordBatch"]; op.Input.Shape != "PutRecordBatchInput" || op.HTTP.Method != "POST" {
		t.Errorf("PutRecordBatch = %+v", op)
	}
	s3 := load(t, "s3")
	if l := s3.Shapes["ObjectList"]; !l.Flattened || l.Member.Shape != "Object" {
		t.Errorf("ObjectList = %+v", l)
	}
	if m := s3.Shapes["ListObjectsV2Output"].MemberNamed("RequestCharged"); m.Location != "header" || m.LocationName != "x-amz-request-charged" {
		t.Errorf("RequestCharged = %+v", m)
	}
	if s3.Shapes["Buckets"].Member.LocationName != "Bucket" {
		t.Error("Buckets member locationName lost")
	}
}

func TestParseErrors(t *testing.T) {
	for _, body := range []string{
		`{`,
		`{"shapes":{}}`,
		`{"shapes":{"A":{"type":"structure","members":{"B":{"shape":"Missing"}}}}}`,
		`{"shapes":{"A":{"type":"structure","members":[1]}}}`,
		`{"shapes":{"A":{"type":"list","member":{"shape":"Nope"}}}}`,
	} {
		if _, err := awsmodel.Parse([]byte(body)); err == nil {
			t.Errorf("Parse(%s) succeeded", body)
		}
	}
}

// problems renders problems as "kind path: message" lines for comparison.
func problems(ps []awsmodel.Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Kind.String()+" "+p.String())
	}
	return out
}

func check(t *testing.T, got []awsmodel.Problem, want ...string) {
	t.Helper()
	g := problems(got)
	if len(g) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d:\n%s", strings.Join(g, "\n"), len(want), strings.Join(want, "\n"))
	}
	for i := range g {
		if !strings.HasPrefix(g[i], want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, g[i], want[i])
		}
	}
}

const describeOK = `{"DeliveryStreamDescription":{
 "DeliveryStreamName":"s","DeliveryStreamARN":"arn:aws:firehose:us-east-1:123456789012:deliverystream/s",
 "DeliveryStreamStatus":"ACTIVE","DeliveryStreamType":"DirectPut","VersionId":"1",
 "CreateTimestamp":1.7e9,"HasMoreDestinations":false,
 "Destinations":[{"DestinationId":"destinationId-000000000001",
  "ExtendedS3DestinationDescription":{"RoleARN":"arn:aws:iam::123456789012:role/r","BucketARN":"arn:aws:s3:::b",
   "BufferingHints":{"SizeInMBs":5,"IntervalInSeconds":300},"CompressionFormat":"GZIP",
   "EncryptionConfiguration":{"NoEncryptionConfig":"NoEncryption"}}}]}}`

func TestCheckJSONFirehose(t *testing.T) {
	fh := load(t, "firehose")
	check(t, awsmodel.CheckJSON(fh, "DescribeDeliveryStreamOutput", []byte(describeOK)))
	bad := strings.NewReplacer(
		`"SizeInMBs":5`, `"SizeInMBs":"5"`,
		`"GZIP"`, `"LZMA"`,
		`"VersionId":"1",`, ``,
		`"CreateTimestamp":1.7e9`, `"CreateTimestamp":"2025-01-01T00:00:00Z","Extra":1`,
		`"HasMoreDestinations":false`, `"HasMoreDestinations":"false"`,
	).Replace(describeOK)
	const p = "DeliveryStreamDescription."
	const d = p + "Destinations[0].ExtendedS3DestinationDescription."
	check(t, awsmodel.CheckJSON(fh, "DescribeDeliveryStreamOutput", []byte(bad)),
		"missing required member "+p+"VersionId: ",
		"wrong type "+p+"CreateTimestamp: want a number (epoch seconds), got a string",
		"wrong type "+d+"BufferingHints.SizeInMBs: want a number, got a string",
		"value outside enum "+d+"CompressionFormat: \"LZMA\" is not one of UNCOMPRESSED, GZIP",
		"wrong type "+p+"HasMoreDestinations: want a boolean, got a string",
		"unknown member "+p+"Extra: member Extra is not in shape DeliveryStreamDescription",
	)
	check(t, awsmodel.CheckJSON(fh, "DescribeDeliveryStreamOutput", []byte(`{"DeliveryStreamDescription":[]}`)),
		"wrong type DeliveryStreamDescription: want an object, got a list")
	check(t, awsmodel.CheckJSON(fh, "DescribeDeliveryStreamOutput", []byte(`{} x`)), "malformed (body): not JSON")
	check(t, awsmodel.CheckJSON(fh, "NoSuchShape", []byte(`{}`)), "malformed (body): the model has no shape")
	check(t, awsmodel.CheckJSON(fh, "PutRecordBatchOutput", []byte(`{"FailedPutCount":1.5,"Encrypted":true,"RequestResponses":[{"RecordId":"x"},{"ErrorCode":7}]}`)),
		"wrong type FailedPutCount: 1.5 is not an integer",
		"wrong type RequestResponses[1].ErrorCode: want a string, got a number",
	)
	check(t, awsmodel.CheckJSON(fh, "ListTagsForDeliveryStreamOutput", []byte(`{"Tags":[{"Key":"k"}],"HasMoreTags":false}`)))
	check(t, awsmodel.CheckJSON(fh, "ListTagsForDeliveryStreamOutput", []byte(`{"Tags":[{"Value":"v"}]}`)),
		"missing required member Tags[0].Key",
		"missing required member HasMoreTags")
}

func TestCheckJSONCloudTrail(t *testing.T) {
	ct := load(t, "cloudtrail")
	check(t, awsmodel.CheckJSON(ct, "LookupEventsResponse", []byte(`{"Events":[{"EventId":"e","EventTime":1700000000,"Resources":[{"ResourceType":"t","ResourceName":"n"}]}],"NextToken":"n"}`)))
	check(t, awsmodel.CheckJSON(ct, "LookupEventsResponse", []byte(`{"Events":[{"EventTime":"2024-01-01T00:00:00Z","Resources":{}}]}`)),
		"wrong type Events[0].EventTime: want a number (epoch seconds), got a string",
		"wrong type Events[0].Resources: want a list, got an object")
	check(t, awsmodel.CheckJSON(ct, "DescribeTrailsResponse", []byte(`{"trailList":[{"Name":"t","IsMultiRegionTrail":true,"HomeRegion":"us-east-1"}]}`)))
	check(t, awsmodel.CheckJSON(ct, "DescribeTrailsResponse", []byte(`{"TrailList":[]}`)),
		"unknown member TrailList")
}

const listObjectsOK = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
 <Name>b</Name><Prefix>AWSLogs/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
 <Contents><Key>a.json.gz</Key><LastModified>2025-03-04T09:00:12.000Z</LastModified><ETag>"e"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>
 <Contents><Key>b.json.gz</Key><LastModified>2025-03-04T09:05:12Z</LastModified><Size>20</Size><ChecksumAlgorithm>CRC32</ChecksumAlgorithm></Contents>
 <CommonPrefixes><Prefix>AWSLogs/x/</Prefix></CommonPrefixes>
</ListBucketResult>`

func TestCheckXMLS3(t *testing.T) {
	s3 := load(t, "s3")
	check(t, awsmodel.CheckXML(s3, "ListObjectsV2Output", []byte(listObjectsOK)))
	bad := strings.NewReplacer(
		"<KeyCount>2</KeyCount>", "<KeyCount>two</KeyCount><Bogus/>",
		"<IsTruncated>false</IsTruncated>", "<IsTruncated>False</IsTruncated>",
		"2025-03-04T09:05:12Z", "Tue, 04 Mar 2025 09:05:12 GMT",
		"<StorageClass>STANDARD</StorageClass>", "<StorageClass>COLD</StorageClass>",
		"<Size>20</Size>", "<Size><n>20</n></Size>",
	).Replace(listObjectsOK)
	check(t, awsmodel.CheckXML(s3, "ListObjectsV2Output", []byte(bad)),
		`wrong type IsTruncated: "False" is not a boolean`,
		`value outside enum Contents[0].StorageClass: "COLD" is not one of`,
		`wrong type Contents[1].LastModified: "Tue, 04 Mar 2025 09:05:12 GMT" is not an ISO 8601 timestamp`,
		`wrong type Contents[1].Size: want text, got element <n>`,
		`wrong type KeyCount: "two" is not an integer`,
		`unknown member Bogus: element <Bogus> is not a member of shape ListObjectsV2Output`,
	)
	check(t, awsmodel.CheckXML(s3, "ListBucketsOutput", []byte(`<ListAllMyBucketsResult><Owner><ID>i</ID></Owner><Buckets><Bucket><Name>b</Name><CreationDate>2025-01-01T00:00:00.000Z</CreationDate></Bucket><Bucket><Name>c</Name></Bucket></Buckets></ListAllMyBucketsResult>`)))
	check(t, awsmodel.CheckXML(s3, "ListBucketsOutput", []byte(`<ListAllMyBucketsResult><Buckets><Bucket><Name>b</Name></Bucket><member/></Buckets><Owner/><Owner/></ListAllMyBucketsResult>`)),
		"unknown member Buckets.member: element <member> in a list of <Bucket>",
		"wrong type Owner: element <Owner> repeated 2 times")
	check(t, awsmodel.CheckXML(s3, "GetBucketTaggingOutput", []byte(`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`)))
	check(t, awsmodel.CheckXML(s3, "GetBucketTaggingOutput", []byte(`<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>`)),
		"missing required member TagSet[0].Value")
	check(t, awsmodel.CheckXML(s3, "GetBucketTaggingOutput", []byte(`<Tagging></Tagging>`)),
		"missing required member TagSet")
	check(t, awsmodel.CheckXML(s3, "GetBucketTaggingOutput", []byte(`<Tagging>`)), "malformed (body): not XML")
	// GetBucketEncryptionOutput's body is its payload member.
	const enc = `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	check(t, awsmodel.CheckXML(s3, "GetBucketEncryptionOutput", []byte(enc)))
	check(t, awsmodel.CheckXML(s3, "GetBucketEncryptionOutput", []byte(strings.ReplaceAll(enc, "ServerSideEncryptionConfiguration>", "Encryption>"))),
		"wrong type (body): root element is <Encryption>, want <ServerSideEncryptionConfiguration>")
	check(t, awsmodel.CheckXML(s3, "GetBucketPolicyOutput", []byte(`{}`)), "malformed (body): the payload of shape GetBucketPolicyOutput is a raw string")
}

const listTopicsOK = `<?xml version="1.0" encoding="UTF-8"?>
<ListTopicsResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
 <ListTopicsResult>
  <Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:a</TopicArn></member><member><TopicArn>arn:aws:sns:us-east-1:123456789012:b</TopicArn></member></Topics>
  <NextToken>t</NextToken>
 </ListTopicsResult>
 <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
</ListTopicsResponse>`

func TestCheckQuerySNS(t *testing.T) {
	sns := load(t, "sns")
	check(t, awsmodel.CheckQuery(sns, "ListTopics", []byte(listTopicsOK)))
	bad := strings.NewReplacer(
		`xmlns="http://sns.amazonaws.com/doc/2010-03-31/"`, `xmlns="http://sqs.amazonaws.com/"`,
		`<member><TopicArn>arn:aws:sns:us-east-1:123456789012:b</TopicArn></member>`, `<Topic><TopicArn>b</TopicArn></Topic>`,
		`<RequestId>r-1</RequestId>`, `<RequestId></RequestId><Extra/>`,
	).Replace(listTopicsOK)
	check(t, awsmodel.CheckQuery(sns, "ListTopics", []byte(bad)),
		`wrong type (body): namespace "http://sqs.amazonaws.com/"`,
		"unknown member Topics.Topic: element <Topic> in a list of <member>",
		"missing required member ResponseMetadata.RequestId: <RequestId> is empty",
		"unknown member ResponseMetadata.Extra")
	// The result element is required, even of an empty output.
	check(t, awsmodel.CheckQuery(sns, "TagResource", []byte(`<TagResourceResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></TagResourceResponse>`)),
		"missing required member TagResourceResult: the result element <TagResourceResult> is missing")
	check(t, awsmodel.CheckQuery(sns, "TagResource", []byte(`<TagResourceResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><TagResourceResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></TagResourceResponse>`)))
	// An operation without output has none.
	check(t, awsmodel.CheckQuery(sns, "DeleteTopic", []byte(`<DeleteTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><DeleteTopicResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteTopicResponse>`)),
		"unknown member DeleteTopicResult")
	check(t, awsmodel.CheckQuery(sns, "GetTopicAttributes", []byte(`<GetTopicAttributesResult xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Attributes><entry><key>Owner</key><value>1</value></entry><entry><key>Policy</key></entry></Attributes></GetTopicAttributesResult>`)),
		"wrong type (body): root element is <GetTopicAttributesResult>, want <GetTopicAttributesResponse>",
		"unknown member Attributes",
		"missing required member GetTopicAttributesResult",
		"missing required member ResponseMetadata")
	check(t, awsmodel.CheckQuery(sns, "GetTopicAttributes", []byte(`<GetTopicAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetTopicAttributesResult><Attributes><entry><key>Owner</key><value>1</value></entry><entry><key>Policy</key></entry></Attributes></GetTopicAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetTopicAttributesResponse>`)),
		"missing required member Attributes[Policy]: map entry without <value>")
	check(t, awsmodel.CheckQuery(sns, "NoSuchOp", []byte(`<x/>`)), "malformed (body): the model has no operation")
	if s := sns.ExceptionWithCode("NotFound"); s == nil || s.Name != "NotFoundException" || s.Error.HTTPStatusCode != 404 || !s.Error.SenderFault {
		t.Errorf("ExceptionWithCode(NotFound) = %+v", s)
	}
	if s := sns.ExceptionWithCode("InternalError"); s == nil || s.Error.SenderFault {
		t.Errorf("ExceptionWithCode(InternalError) = %+v", s)
	}
	if s := sns.ExceptionWithCode("NotFoundException"); s != nil {
		t.Errorf("ExceptionWithCode(NotFoundException) = %s: the code is NotFound", s.Name)
	}
}

func TestCheckQuerySQS(t *testing.T) {
	// SQS's model is JSON now: no resultWrapper, no XML names; flattened
	// lists repeat their member's locationName where one is set.
	sqs := load(t, "sqs")
	if w, derived := awsmodel.ResultWrapper(sqs.Operations["ListQueues"]); w != "ListQueuesResult" || !derived {
		t.Errorf("ResultWrapper(ListQueues) = %q %v, want derived ListQueuesResult", w, derived)
	}
	if w, _ := awsmodel.ResultWrapper(sqs.Operations["DeleteQueue"]); w != "" {
		t.Errorf("ResultWrapper(DeleteQueue) = %q, want none", w)
	}
	const body = `<ListQueuesResponse><ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2</QueueUrl></ListQueuesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListQueuesResponse>`
	check(t, awsmodel.CheckQuery(sqs, "ListQueues", []byte(body)),
		"unknown member QueueUrl", "unknown member QueueUrl")
	sqs.Shapes["QueueUrlList"].Member.LocationName = "QueueUrl"
	defer func() { sqs.Shapes["QueueUrlList"].Member.LocationName = "" }()
	check(t, awsmodel.CheckQuery(sqs, "ListQueues", []byte(body)))
	// A required flattened list may be empty: no element at all.
	check(t, awsmodel.CheckQuery(sqs, "ListDeadLetterSourceQueues", []byte(`<ListDeadLetterSourceQueuesResponse><ListDeadLetterSourceQueuesResult/><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListDeadLetterSourceQueuesResponse>`)))
	check(t, awsmodel.CheckQuery(sqs, "ListQueues", []byte(strings.ReplaceAll(body, "ResponseMetadata", "Metadata"))),
		"unknown member Metadata", "missing required member ResponseMetadata")
}

func TestCheckQueryError(t *testing.T) {
	sns := load(t, "sns")
	const ok = `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message><Detail/></Error><RequestId>r</RequestId></ErrorResponse>`
	code, probs := awsmodel.CheckQueryError(sns, []byte(ok))
	check(t, probs)
	if code != "NotFound" {
		t.Errorf("code %q", code)
	}
	code, probs = awsmodel.CheckQueryError(nil, []byte(`<ErrorResponse><Error><Type>Client</Type><Code>X</Code><Code>Y</Code><Extra/></Error><RequestId>a</RequestId><RequestId>b</RequestId></ErrorResponse>`))
	check(t, probs,
		"wrong type RequestId: element <RequestId> repeated 2 times",
		"wrong type Error.Code: element <Code> repeated",
		"unknown member Error.Extra",
		"missing required member Error.Message",
		`value outside enum Error.Type: "Client" is not one of Sender, Receiver`)
	if code != "Y" {
		t.Errorf("code %q, want the last", code)
	}
	_, probs = awsmodel.CheckQueryError(sns, []byte(`<Response><Errors><Error><Code>X</Code></Error></Errors></Response>`))
	check(t, probs,
		"wrong type (body): root element is <Response>, want <ErrorResponse>",
		"missing required member (body): the root element declares no namespace",
		"unknown member Errors",
		"missing required member RequestId",
		"missing required member Error")
}
