package generator

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/schemas"
)

// Destination is a Firehose destination type.
type Destination uint8

// The destination types of Firehose (the Firehose API model).
const (
	DestS3 Destination = iota
	DestExtendedS3
	DestRedshift
	DestElasticsearch
	DestOpenSearch
	DestOpenSearchServerless
	DestSplunk
	DestHTTPEndpoint
	DestSnowflake
	DestIceberg
	numDestinations
)

var destNames = [numDestinations]string{
	"S3", "ExtendedS3", "Redshift", "Elasticsearch", "AmazonOpenSearchService",
	"AmazonOpenSearchServerless", "Splunk", "HttpEndpoint", "Snowflake", "Iceberg",
}

// String returns the destination's name.
func (d Destination) String() string {
	if d < numDestinations {
		return destNames[d]
	}
	return "Destination(" + strconv.Itoa(int(d)) + ")"
}

// Destinations lists every destination type.
func Destinations() []Destination {
	ds := make([]Destination, numDestinations)
	for i := range ds {
		ds[i] = Destination(i)
	}
	return ds
}

// stream is one delivery stream of the world.
type stream struct {
	name    string
	arn     string
	rs      *regionState
	typ     types.DeliveryStreamType
	dest    Destination
	version int   // currentDeliveryStreamVersionId
	created int64 // unix seconds of the successful create
	active  int64 // when it left CREATING
	live    bool
	gone    bool // deleted
	enc     bool
	tags    int // tag count (keys tag-0 … are not tracked; only counts matter)
	// encCalls are the encryption calls s took in the last 24 hours of
	// written time (outUnix): AWS takes schemas.FirehoseEncryptionCalls.
	encCalls schemas.EncryptionCallLog
	// pinned: a production stream of a paced run (provision), which the
	// world never deletes by itself.
	pinned bool
	// putSec and puts: the written second of the stream's last data call
	// and how many it took in that second (putQuota).
	putSec int64
	puts   int

	bucket  string // destination bucket (S3-like destinations)
	roleARN string
	secrets []string // secrets the world holds for it (tests)
	// conf is the current destination: the *types.…DestinationConfiguration
	// of the create with every successful UpdateDestination applied.
	conf any

	nameReq    []byte // {"deliveryStreamName":…}
	createReq  []byte
	createResp []byte
	putReq     []byte
	batchHead  []byte     // PutRecordBatch request up to its records
	batches    [18][]byte // PutRecordBatch requests of 0…16 and 500 records, made when first used
	resources  []schemas.Resource

	// strs and ints: the current arrays str and i32 carve from.
	strs []string
	ints []int32
}

// takePut counts a data call to s in the written second now and reports
// whether s takes it: at most quota calls a second.
func (s *stream) takePut(now int64, quota int) bool {
	if now != s.putSec {
		s.putSec, s.puts = now, 0
	}
	if s.puts >= quota {
		return false
	}
	s.puts++
	return true
}

// str returns a pointer to a string holding v for a member of s's
// configuration (as aws.String). The members are carved from small arrays
// of s's own, an allocation every few members instead of one each; they
// are never written through.
func (s *stream) str(v string) *string {
	if len(s.strs) == cap(s.strs) {
		s.strs = make([]string, 0, 16)
	}
	s.strs = append(s.strs, v)
	return &s.strs[len(s.strs)-1]
}

// i32 is str for an int32 (as aws.Int32).
func (s *stream) i32(v int32) *int32 {
	if len(s.ints) == cap(s.ints) {
		s.ints = make([]int32, 0, 16)
	}
	s.ints = append(s.ints, v)
	return &s.ints[len(s.ints)-1]
}

// maxBatch is the most records a PutRecordBatch holds.
const maxBatch = 500

// batchRecords is the records of a full batch as rendered (each record's
// data is not written) and the end of the request: the records of a batch
// of n are its last 3n+1 bytes.
var batchRecords = strings.Repeat("{},", maxBatch-1) + "{}]}"

// batchSize draws the record count of a PutRecordBatch: mostly small
// batches, sizes up to hundreds, and a share of full 500-record batches
// (producers flushing a full buffer).
func batchSize(r *rand.Rand) int {
	switch x := r.Intn(100); {
	case x < 8:
		return maxBatch
	case x < 50:
		return 1 + r.Intn(10)
	}
	return min(1+int(r.ExpFloat64()*60), maxBatch-1)
}

// batchRequest returns the PutRecordBatch request of n records to s. The
// common sizes (a few records, a full batch) are made once per stream;
// the long tail of sizes, rarely repeated on one stream, each time.
func (s *stream) batchRequest(sl *slab, n int) []byte {
	slot := -1
	switch {
	case n < len(s.batches)-1:
		slot = n
	case n == maxBatch:
		slot = len(s.batches) - 1
	}
	size := len(s.batchHead) + 3*n + 1
	switch {
	case slot < 0:
		return sl.keep(s.appendBatch(sl.room(size), n))
	case s.batches[slot] == nil:
		// Kept as long as s lives: an allocation of its own, not a slice
		// of a shared chunk that it would keep alive.
		s.batches[slot] = s.appendBatch(make([]byte, 0, size), n)
	}
	return s.batches[slot]
}

// appendBatch appends the PutRecordBatch request of n records to s to b.
func (s *stream) appendBatch(b []byte, n int) []byte {
	b = append(b, s.batchHead...)
	return append(b, batchRecords[len(batchRecords)-3*n-1:]...)
}

// nameRequest appends the hand-written rendering of an input holding only
// DeliveryStreamName to b; tests check it against RenderFirehoseRequest.
func nameRequest(b []byte, name string) []byte {
	b = append(b, `{"deliveryStreamName":`...)
	b = schemas.AppendString(b, name)
	return append(b, '}')
}

// createResponse appends the hand-written rendering of
// CreateDeliveryStream's output to b; tests check it against
// RenderFirehoseResponse.
func createResponse(b []byte, arn string) []byte {
	b = append(b, `{"deliveryStreamARN":`...)
	b = schemas.AppendString(b, arn)
	return append(b, '}')
}

var streamWords = [...]string{"clickstream", "orders", "audit", "metrics", "vpc-flow", "waf-logs",
	"cdc", "telemetry", "events", "payments", "iot", "app-logs", "billing", "sessions", "search", "ads"}
var envWords = [...]string{"prod", "staging", "dev"}

// newStreamName returns a stream name not live in rs.
func (w *sim) newStreamName(rs *regionState, d Destination) string {
	r := w.r
	suffix := strings.ToLower(strings.TrimPrefix(destNames[d], "Amazon"))
	for i := 0; ; i++ {
		name := streamWords[r.Intn(len(streamWords))] + "-" + envWords[r.Intn(len(envWords))] + "-to-" + suffix
		if i > 0 || r.Intn(3) == 0 {
			name += "-" + strconv.Itoa(r.Intn(100))
		}
		if rs.find(name) == nil {
			return name
		}
	}
}

// streamSource is the part of a stream name before "-to-": the data it
// carries (orders, clickstream …).
func streamSource(name string) string {
	before, _, _ := strings.Cut(name, "-to-")
	return before
}

func (rs *regionState) find(name string) *stream {
	for _, s := range rs.live {
		if s.name == name {
			return s
		}
	}
	return nil
}

// newStream builds a stream (not yet live) of destination d in rs and
// renders its requests.
func (w *sim) newStream(rs *regionState, d Destination, name string) (*stream, error) {
	r := w.r
	acct := rs.acct.id
	s := &stream{name: name, rs: rs, dest: d, version: 1,
		arn: "arn:aws:firehose:" + rs.name + ":" + acct + ":deliverystream/" + name}
	s.typ = types.DeliveryStreamTypeDirectPut
	switch x := r.Intn(10); {
	case d == DestIceberg && x < 3:
		s.typ = types.DeliveryStreamTypeDatabaseAsSource
	case x == 7 || x == 8:
		s.typ = types.DeliveryStreamTypeKinesisStreamAsSource
	case x == 9 && d != DestIceberg:
		s.typ = types.DeliveryStreamTypeMSKAsSource
	}
	s.roleARN = "arn:aws:iam::" + acct + ":role/firehose-" + name + "-role"
	s.bucket = rs.acct.alias + "-" + streamSource(name) + "-" + rs.name
	in := w.createInput(s)
	var err error
	if s.createReq, err = w.renderRequest(in); err != nil {
		return nil, fmt.Errorf("render CreateDeliveryStream of %s: %w", name, err)
	}
	s.createResp = w.bytes.keep(createResponse(w.bytes.room(len(`{"deliveryStreamARN":""}`)+len(s.arn)), s.arn))
	// The requests s keeps for its life share one allocation of their own:
	// slices of a shared chunk would keep the whole chunk alive as long as
	// s lives (createReq and createResp are dropped once the create is
	// emitted).
	nameLen := len(`{"deliveryStreamName":""}`) + len(name)
	b := make([]byte, 0, nameLen+w.tpl.put.size(name)+w.tpl.batch.size(name))
	b = nameRequest(b, name)
	i := len(b)
	b = w.tpl.put.fill(b, name)
	j := len(b)
	b = w.tpl.batch.fill(b, name) // a batch of one record
	s.nameReq, s.putReq = b[:i:i], b[i:j:j]
	one := b[j:]
	last := batchRecords[len(batchRecords)-4:] // one record and the end
	if !bytes.HasSuffix(one, []byte(last)) {
		return nil, fmt.Errorf("render PutRecordBatch of %s: %s does not end with %s", name, one, last)
	}
	s.batchHead = one[:len(one)-len(last)]
	s.resources = []schemas.Resource{{AccountID: acct, Type: schemas.FirehoseResourceType, ARN: s.arn}}
	return s, nil
}

func putRecordInput(name string) *firehose.PutRecordInput {
	return &firehose.PutRecordInput{DeliveryStreamName: aws.String(name),
		Record: &types.Record{Data: []byte(`{"ts":1,"msg":"x"}` + "\n")}}
}

func putRecordBatchInput(name string, n int) *firehose.PutRecordBatchInput {
	in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: make([]types.Record, n)}
	for i := range in.Records {
		in.Records[i].Data = []byte(`{"ts":` + strconv.Itoa(i) + "}\n")
	}
	return in
}

func (w *sim) bufferingHints(s *stream) *types.BufferingHints {
	sizes := [...]int32{1, 5, 64, 128}
	ints := [...]int32{60, 300, 900}
	return &types.BufferingHints{SizeInMBs: s.i32(sizes[w.r.Intn(len(sizes))]), IntervalInSeconds: s.i32(ints[w.r.Intn(len(ints))])}
}

func (w *sim) cloudWatch(s *stream) *types.CloudWatchLoggingOptions {
	if w.r.Intn(2) == 0 {
		return nil
	}
	return &types.CloudWatchLoggingOptions{Enabled: aws.Bool(true),
		LogGroupName: s.str("/aws/kinesisfirehose/" + s.name), LogStreamName: s.str("DestinationDelivery")}
}

func (w *sim) kmsKeyARN(s *stream) string {
	return "arn:aws:kms:" + s.rs.name + ":" + s.rs.acct.id + ":key/" + w.ids.uuid()
}

// s3Backup is the S3 configuration that non-S3 destinations take for
// backup or failed data.
func (w *sim) s3Backup(s *stream) *types.S3DestinationConfiguration {
	c := &types.S3DestinationConfiguration{
		BucketARN:         s.str("arn:aws:s3:::" + s.bucket + "-backup"),
		RoleARN:           s.str(s.roleARN),
		Prefix:            s.str("failed/"),
		BufferingHints:    w.bufferingHints(s),
		CompressionFormat: types.CompressionFormatGzip,
	}
	if w.r.Intn(3) == 0 {
		c.EncryptionConfiguration = &types.EncryptionConfiguration{KMSEncryptionConfig: &types.KMSEncryptionConfig{AWSKMSKeyARN: s.str(w.kmsKeyARN(s))}}
	}
	return c
}

func (w *sim) processing(s *stream) *types.ProcessingConfiguration {
	if w.r.Intn(3) != 0 {
		return nil
	}
	fn := "arn:aws:lambda:" + s.rs.name + ":" + s.rs.acct.id + ":function:" + streamSource(s.name) + "-transform:$LATEST"
	return &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{
		Type: types.ProcessorTypeLambda,
		Parameters: []types.ProcessorParameter{
			{ParameterName: types.ProcessorParameterNameLambdaArn, ParameterValue: s.str(fn)},
			{ParameterName: types.ProcessorParameterNameBufferSizeInMb, ParameterValue: s.str("1")},
		},
	}}}
}

// createInput builds the CreateDeliveryStream input of s, recording the
// secrets it carries.
func (w *sim) createInput(s *stream) *firehose.CreateDeliveryStreamInput {
	r, f := w.r, w.fake
	acct, region := s.rs.acct.id, s.rs.name
	in := &firehose.CreateDeliveryStreamInput{DeliveryStreamName: s.str(s.name), DeliveryStreamType: s.typ}
	switch s.typ {
	case types.DeliveryStreamTypeDirectPut:
		if r.Intn(3) == 0 {
			in.DirectPutSourceConfiguration = &types.DirectPutSourceConfiguration{ThroughputHintInMBs: s.i32(int32(1 + r.Intn(20)))}
		}
	case types.DeliveryStreamTypeKinesisStreamAsSource:
		in.KinesisStreamSourceConfiguration = &types.KinesisStreamSourceConfiguration{
			KinesisStreamARN: s.str("arn:aws:kinesis:" + region + ":" + acct + ":stream/" + streamSource(s.name)),
			RoleARN:          s.str(s.roleARN)}
	case types.DeliveryStreamTypeMSKAsSource:
		in.MSKSourceConfiguration = &types.MSKSourceConfiguration{
			MSKClusterARN: s.str("arn:aws:kafka:" + region + ":" + acct + ":cluster/" + s.rs.acct.alias + "-msk/" + w.ids.uuid() + "-1"),
			TopicName:     s.str(streamSource(s.name)),
			AuthenticationConfiguration: &types.AuthenticationConfiguration{
				RoleARN: s.str(s.roleARN), Connectivity: types.ConnectivityPrivate}}
	case types.DeliveryStreamTypeDatabaseAsSource:
		secret := "arn:aws:secretsmanager:" + region + ":" + acct + ":secret:" + s.name + "-db-" + alnumLower(r, 6)
		in.DatabaseSourceConfiguration = &types.DatabaseSourceConfiguration{
			Type:                   types.DatabaseTypeMySQL,
			Endpoint:               s.str(s.rs.acct.alias + "-db." + alnumLower(r, 12) + "." + region + ".rds.amazonaws.com"),
			Port:                   s.i32(3306),
			SSLMode:                types.SSLModeEnabled,
			Databases:              &types.DatabaseList{Include: []string{"shop"}},
			Tables:                 &types.DatabaseTableList{Include: []string{"shop.orders", "shop.customers"}},
			SnapshotWatermarkTable: s.str("shop.firehose_watermark"),
			DatabaseSourceAuthenticationConfiguration: &types.DatabaseSourceAuthenticationConfiguration{
				SecretsManagerConfiguration: &types.SecretsManagerConfiguration{Enabled: aws.Bool(true), SecretARN: s.str(secret), RoleARN: s.str(s.roleARN)}},
			DatabaseSourceVPCConfiguration: &types.DatabaseSourceVPCConfiguration{
				VpcEndpointServiceName: s.str("com.amazonaws.vpce." + region + ".vpce-svc-" + hexString(r, 17))},
		}
	}
	if s.typ == types.DeliveryStreamTypeDirectPut && r.Intn(4) == 0 {
		s.enc = true
		in.DeliveryStreamEncryptionConfigurationInput = &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk}
	}
	if r.Intn(2) == 0 {
		in.Tags = []types.Tag{{Key: s.str("team"), Value: s.str(slug(f.BuzzWord()))}, {Key: s.str("env"), Value: s.str(envOf(s.name))}}
		s.tags = 2
	}
	bucketARN := s.str("arn:aws:s3:::" + s.bucket)
	switch s.dest {
	case DestS3:
		in.S3DestinationConfiguration = &types.S3DestinationConfiguration{
			BucketARN: bucketARN, RoleARN: s.str(s.roleARN), Prefix: s.str("raw/"),
			BufferingHints: w.bufferingHints(s), CompressionFormat: types.CompressionFormatGzip,
			CloudWatchLoggingOptions: w.cloudWatch(s)}
	case DestExtendedS3:
		c := &types.ExtendedS3DestinationConfiguration{
			BucketARN: bucketARN, RoleARN: s.str(s.roleARN),
			Prefix:            s.str("data/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"),
			ErrorOutputPrefix: s.str("errors/!{firehose:error-output-type}/"),
			BufferingHints:    w.bufferingHints(s), CompressionFormat: types.CompressionFormatGzip,
			CloudWatchLoggingOptions: w.cloudWatch(s), ProcessingConfiguration: w.processing(s),
			S3BackupMode: types.S3BackupModeDisabled,
		}
		if r.Intn(3) == 0 {
			c.EncryptionConfiguration = &types.EncryptionConfiguration{KMSEncryptionConfig: &types.KMSEncryptionConfig{AWSKMSKeyARN: s.str(w.kmsKeyARN(s))}}
		}
		if r.Intn(4) == 0 {
			c.DynamicPartitioningConfiguration = &types.DynamicPartitioningConfiguration{Enabled: aws.Bool(true)}
			c.BufferingHints.SizeInMBs = s.i32(64)
		}
		in.ExtendedS3DestinationConfiguration = c
	case DestRedshift:
		pw := f.Password(true, true, true, true, false, 20)
		user := "firehose_" + slug(f.FirstName())
		s.secrets = append(s.secrets, pw)
		in.RedshiftDestinationConfiguration = &types.RedshiftDestinationConfiguration{
			RoleARN:        s.str(s.roleARN),
			ClusterJDBCURL: s.str("jdbc:redshift://" + s.rs.acct.alias + "-dw." + alnumLower(r, 12) + "." + region + ".redshift.amazonaws.com:5439/analytics"),
			CopyCommand: &types.CopyCommand{DataTableName: s.str(strings.ReplaceAll(streamSource(s.name), "-", "_")),
				CopyOptions: s.str("json 'auto' gzip")},
			Username:                 s.str(user),
			Password:                 s.str(pw),
			S3Configuration:          w.s3Backup(s),
			RetryOptions:             &types.RedshiftRetryOptions{DurationInSeconds: s.i32(3600)},
			CloudWatchLoggingOptions: w.cloudWatch(s),
		}
	case DestElasticsearch:
		in.ElasticsearchDestinationConfiguration = &types.ElasticsearchDestinationConfiguration{
			RoleARN: s.str(s.roleARN), DomainARN: s.str("arn:aws:es:" + region + ":" + acct + ":domain/" + s.rs.acct.alias + "-logs"),
			IndexName: s.str(streamSource(s.name)), TypeName: s.str("_doc"),
			IndexRotationPeriod: types.ElasticsearchIndexRotationPeriodOneDay,
			RetryOptions:        &types.ElasticsearchRetryOptions{DurationInSeconds: s.i32(300)},
			S3BackupMode:        types.ElasticsearchS3BackupModeFailedDocumentsOnly,
			S3Configuration:     w.s3Backup(s),
		}
	case DestOpenSearch:
		in.AmazonopensearchserviceDestinationConfiguration = &types.AmazonopensearchserviceDestinationConfiguration{
			RoleARN: s.str(s.roleARN), DomainARN: s.str("arn:aws:es:" + region + ":" + acct + ":domain/" + s.rs.acct.alias + "-search"),
			IndexName:               s.str(streamSource(s.name)),
			IndexRotationPeriod:     types.AmazonopensearchserviceIndexRotationPeriodOneWeek,
			S3BackupMode:            types.AmazonopensearchserviceS3BackupModeFailedDocumentsOnly,
			S3Configuration:         w.s3Backup(s),
			ProcessingConfiguration: w.processing(s),
		}
	case DestOpenSearchServerless:
		in.AmazonOpenSearchServerlessDestinationConfiguration = &types.AmazonOpenSearchServerlessDestinationConfiguration{
			RoleARN:            s.str(s.roleARN),
			CollectionEndpoint: s.str("https://" + alnumLower(r, 20) + "." + region + ".aoss.amazonaws.com"),
			IndexName:          s.str(streamSource(s.name)),
			S3BackupMode:       types.AmazonOpenSearchServerlessS3BackupModeFailedDocumentsOnly,
			S3Configuration:    w.s3Backup(s),
		}
	case DestSplunk:
		token := strings.ToUpper(w.ids.uuid())
		s.secrets = append(s.secrets, token)
		in.SplunkDestinationConfiguration = &types.SplunkDestinationConfiguration{
			HECEndpoint:                       s.str("https://http-inputs-" + s.rs.acct.alias + ".splunkcloud.com:443"),
			HECEndpointType:                   types.HECEndpointTypeEvent,
			HECToken:                          s.str(token),
			HECAcknowledgmentTimeoutInSeconds: s.i32(180),
			RetryOptions:                      &types.SplunkRetryOptions{DurationInSeconds: s.i32(300)},
			S3BackupMode:                      types.SplunkS3BackupModeFailedEventsOnly,
			S3Configuration:                   w.s3Backup(s),
		}
	case DestHTTPEndpoint:
		key := hexString(r, 40)
		s.secrets = append(s.secrets, key)
		in.HttpEndpointDestinationConfiguration = &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{
				Url:       s.str("https://ingest." + strings.ToLower(f.DomainName()) + "/v1/firehose/" + alnumLower(r, 8)),
				Name:      s.str(f.Company() + " ingest"),
				AccessKey: s.str(key)},
			RequestConfiguration: &types.HttpEndpointRequestConfiguration{ContentEncoding: types.ContentEncodingGzip,
				CommonAttributes: []types.HttpEndpointCommonAttribute{{AttributeName: s.str("env"), AttributeValue: s.str(envOf(s.name))}}},
			BufferingHints:  &types.HttpEndpointBufferingHints{SizeInMBs: s.i32(1), IntervalInSeconds: s.i32(60)},
			RoleARN:         s.str(s.roleARN),
			RetryOptions:    &types.HttpEndpointRetryOptions{DurationInSeconds: s.i32(300)},
			S3BackupMode:    types.HttpEndpointS3BackupModeFailedDataOnly,
			S3Configuration: w.s3Backup(s),
		}
	case DestSnowflake:
		keyBytes := make([]byte, 96)
		for i := range keyBytes {
			keyBytes[i] = byte(r.Intn(256))
		}
		pk := "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" + base64.StdEncoding.EncodeToString(keyBytes)
		pass := f.Password(true, true, true, false, false, 16)
		s.secrets = append(s.secrets, pk, pass)
		in.SnowflakeDestinationConfiguration = &types.SnowflakeDestinationConfiguration{
			AccountUrl:                 s.str("https://" + alnumLower(r, 7) + "-" + alnumLower(r, 7) + ".snowflakecomputing.com"),
			PrivateKey:                 s.str(pk),
			KeyPassphrase:              s.str(pass),
			User:                       s.str("FIREHOSE_" + strings.ToUpper(slug(f.LastName()))),
			Database:                   s.str("ANALYTICS"),
			Schema:                     s.str("RAW"),
			Table:                      s.str(strings.ToUpper(strings.ReplaceAll(streamSource(s.name), "-", "_"))),
			RoleARN:                    s.str(s.roleARN),
			DataLoadingOption:          types.SnowflakeDataLoadingOptionJsonMapping,
			SnowflakeRoleConfiguration: &types.SnowflakeRoleConfiguration{Enabled: aws.Bool(true), SnowflakeRole: s.str("FIREHOSE_LOADER")},
			S3BackupMode:               types.SnowflakeS3BackupModeFailedDataOnly,
			S3Configuration:            w.s3Backup(s),
			RetryOptions:               &types.SnowflakeRetryOptions{DurationInSeconds: s.i32(60)},
		}
	case DestIceberg:
		in.IcebergDestinationConfiguration = &types.IcebergDestinationConfiguration{
			RoleARN: s.str(s.roleARN),
			CatalogConfiguration: &types.CatalogConfiguration{
				CatalogARN:        s.str("arn:aws:glue:" + region + ":" + acct + ":catalog"),
				WarehouseLocation: s.str("s3://" + s.bucket + "/warehouse/")},
			DestinationTableConfigurationList: []types.DestinationTableConfiguration{{
				DestinationDatabaseName: s.str("lake"),
				DestinationTableName:    s.str(strings.ReplaceAll(streamSource(s.name), "-", "_")),
			}},
			BufferingHints:  w.bufferingHints(s),
			S3BackupMode:    types.IcebergS3BackupModeFailedDataOnly,
			S3Configuration: w.s3Backup(s),
			RetryOptions:    &types.RetryOptions{DurationInSeconds: s.i32(300)},
		}
	}
	s.conf = destinationConf(in)
	return in
}

func envOf(name string) string {
	for _, e := range envWords {
		if strings.Contains(name, "-"+e+"-") {
			return e
		}
	}
	return "prod"
}
