package firehose

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// How DescribeDeliveryStream shows a destination: as AWS does, with the
// defaults of every member the configuration left out filled in, so that
// code dereferencing what AWS always returns never meets a nil.

// fill lists members set where a description lacks them. A fill value
// describes a nested object: made if missing, then filled member by
// member (so a partial BufferingHints gets the other hint). An ifSet
// value fills a nested object only if it is there. Any other value,
// including a map[string]any, is the whole member, set only if missing
// (an EncryptionConfiguration with a KMS key gets no NoEncryptionConfig).
type fill map[string]any

// ifSet is a fill for an optional nested object.
type ifSet fill

// apply fills m by f.
func (f fill) apply(m map[string]any) {
	for k, def := range f {
		cur, ok := m[k].(map[string]any)
		switch d := def.(type) {
		case fill:
			if !ok {
				if !absent(m[k]) {
					continue // not an object: leave it to the decoder
				}
				cur = map[string]any{}
				m[k] = cur
			}
			d.apply(cur)
		case ifSet:
			if ok {
				fill(d).apply(cur)
			}
		default:
			if absent(m[k]) {
				m[k] = def
			}
		}
	}
}

// absent reports a member a description does not have: JSON null (a nil
// pointer) or "" (an unset enum).
func absent(v any) bool { return v == nil || v == "" }

// with returns f and more in one fill.
func (f fill) with(more fill) fill {
	out := fill{}
	for k, v := range f {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// hints are buffering hints: size in MB and interval in seconds.
func hints(sizeMB, seconds int) fill {
	return fill{"SizeInMBs": sizeMB, "IntervalInSeconds": seconds}
}

// retry is a RetryOptions of d seconds.
func retry(d int) fill { return fill{"DurationInSeconds": d} }

// s3Defaults fill an S3DestinationDescription, alone or nested.
var s3Defaults = fill{
	"BufferingHints":           hints(5, 300),
	"CompressionFormat":        string(types.CompressionFormatUncompressed),
	"EncryptionConfiguration":  map[string]any{"NoEncryptionConfig": string(types.NoEncryptionConfigNoEncryption)},
	"CloudWatchLoggingOptions": fill{"Enabled": false},
}

// common are the members every destination but the legacy S3 one has: no
// logging, no processing, and the S3 description of its backup bucket.
var common = fill{
	"CloudWatchLoggingOptions": fill{"Enabled": false},
	"ProcessingConfiguration":  fill{"Enabled": false, "Processors": []any{}},
	"S3DestinationDescription": ifSet(s3Defaults),
}

// destinationDefaults are the defaults of each member of a
// DestinationDescription, from the Firehose developer guide and the API
// reference.
var destinationDefaults = fill{
	"S3DestinationDescription": ifSet(s3Defaults),
	"ExtendedS3DestinationDescription": ifSet(s3Defaults.with(fill{
		"S3BackupMode":            string(types.S3BackupModeDisabled),
		"ProcessingConfiguration": common["ProcessingConfiguration"],
		"S3BackupDescription":     ifSet(s3Defaults),
	})),
	"RedshiftDestinationDescription": ifSet(common.with(fill{
		"RetryOptions":        retry(3600),
		"S3BackupMode":        string(types.RedshiftS3BackupModeDisabled),
		"S3BackupDescription": ifSet(s3Defaults),
	})),
	"ElasticsearchDestinationDescription": ifSet(common.with(fill{
		"BufferingHints":      hints(5, 300),
		"RetryOptions":        retry(300),
		"IndexRotationPeriod": string(types.ElasticsearchIndexRotationPeriodOneDay),
		"S3BackupMode":        string(types.ElasticsearchS3BackupModeFailedDocumentsOnly),
	})),
	"AmazonopensearchserviceDestinationDescription": ifSet(common.with(fill{
		"BufferingHints":      hints(5, 300),
		"RetryOptions":        retry(300),
		"IndexRotationPeriod": string(types.AmazonopensearchserviceIndexRotationPeriodOneDay),
		"S3BackupMode":        string(types.AmazonopensearchserviceS3BackupModeFailedDocumentsOnly),
	})),
	"AmazonOpenSearchServerlessDestinationDescription": ifSet(common.with(fill{
		"BufferingHints": hints(5, 300),
		"RetryOptions":   retry(300),
		"S3BackupMode":   string(types.AmazonOpenSearchServerlessS3BackupModeFailedDocumentsOnly),
	})),
	"SplunkDestinationDescription": ifSet(common.with(fill{
		"BufferingHints":                    hints(5, 60),
		"HECAcknowledgmentTimeoutInSeconds": 180,
		"RetryOptions":                      retry(3600),
		"S3BackupMode":                      string(types.SplunkS3BackupModeFailedEventsOnly),
	})),
	"HttpEndpointDestinationDescription": ifSet(common.with(fill{
		"BufferingHints":       hints(5, 300),
		"RetryOptions":         retry(300),
		"RequestConfiguration": fill{"ContentEncoding": string(types.ContentEncodingNone)},
		"S3BackupMode":         string(types.HttpEndpointS3BackupModeFailedDataOnly),
	})),
	"SnowflakeDestinationDescription": ifSet(common.with(fill{
		"BufferingHints":    hints(1, 0),
		"RetryOptions":      retry(60),
		"DataLoadingOption": string(types.SnowflakeDataLoadingOptionJsonMapping),
		"S3BackupMode":      string(types.SnowflakeS3BackupModeFailedDataOnly),
	})),
	"IcebergDestinationDescription": ifSet(common.with(fill{
		"BufferingHints": hints(5, 300),
		"RetryOptions":   retry(300),
		"S3BackupMode":   string(types.IcebergS3BackupModeFailedDataOnly),
	})),
}

// withDefaults returns d as DescribeDeliveryStream shows it.
func withDefaults(d types.DestinationDescription) (types.DestinationDescription, error) {
	m, err := toMap(d)
	if err != nil {
		return d, err
	}
	destinationDefaults.apply(m)
	var out types.DestinationDescription
	if err := fromMap(m, &out); err != nil {
		return d, fmt.Errorf("fill destination defaults: %w", err)
	}
	return out, nil
}

// s3Target is where put data of a stream lands: an S3 bucket, with the
// buffering and compression of the S3 description it is taken from.
type s3Target struct {
	bucket, prefix string
	gzip           bool
	sizeBytes      int           // write when the buffer holds this much
	interval       time.Duration // or when its first record is this old
	version        int64
	encrypted      bool
}

func (t s3Target) String() string { return fmt.Sprintf("s3://%s/%s", t.bucket, t.prefix) }

// landing returns where put data lands for destination d (with defaults
// filled): the bucket of an S3 destination, the intermediate bucket of a
// Redshift one, and for the others their S3 backup bucket when they back
// up all records (otherwise nowhere: bucket "").
func landing(d types.DestinationDescription) s3Target {
	var s3 *types.S3DestinationDescription
	switch {
	case d.ExtendedS3DestinationDescription != nil:
		x := d.ExtendedS3DestinationDescription
		return bucketTarget(x.BucketARN, x.Prefix, x.CompressionFormat, x.BufferingHints)
	case d.S3DestinationDescription != nil:
		s3 = d.S3DestinationDescription
	case d.RedshiftDestinationDescription != nil:
		s3 = d.RedshiftDestinationDescription.S3DestinationDescription
	case d.ElasticsearchDestinationDescription != nil:
		x := d.ElasticsearchDestinationDescription
		s3 = backup(x.S3BackupMode == types.ElasticsearchS3BackupModeAllDocuments, x.S3DestinationDescription)
	case d.AmazonopensearchserviceDestinationDescription != nil:
		x := d.AmazonopensearchserviceDestinationDescription
		s3 = backup(x.S3BackupMode == types.AmazonopensearchserviceS3BackupModeAllDocuments, x.S3DestinationDescription)
	case d.AmazonOpenSearchServerlessDestinationDescription != nil:
		x := d.AmazonOpenSearchServerlessDestinationDescription
		s3 = backup(x.S3BackupMode == types.AmazonOpenSearchServerlessS3BackupModeAllDocuments, x.S3DestinationDescription)
	case d.SplunkDestinationDescription != nil:
		x := d.SplunkDestinationDescription
		s3 = backup(x.S3BackupMode == types.SplunkS3BackupModeAllEvents, x.S3DestinationDescription)
	case d.HttpEndpointDestinationDescription != nil:
		x := d.HttpEndpointDestinationDescription
		s3 = backup(x.S3BackupMode == types.HttpEndpointS3BackupModeAllData, x.S3DestinationDescription)
	case d.SnowflakeDestinationDescription != nil:
		x := d.SnowflakeDestinationDescription
		s3 = backup(x.S3BackupMode == types.SnowflakeS3BackupModeAllData, x.S3DestinationDescription)
	case d.IcebergDestinationDescription != nil:
		x := d.IcebergDestinationDescription
		s3 = backup(x.S3BackupMode == types.IcebergS3BackupModeAllData, x.S3DestinationDescription)
	}
	if s3 == nil {
		return s3Target{}
	}
	return bucketTarget(s3.BucketARN, s3.Prefix, s3.CompressionFormat, s3.BufferingHints)
}

// backup returns s3 if all records are backed up there, else nil.
func backup(all bool, s3 *types.S3DestinationDescription) *types.S3DestinationDescription {
	if all {
		return s3
	}
	return nil
}

func bucketTarget(bucketARN, prefix *string, cf types.CompressionFormat, h *types.BufferingHints) s3Target {
	t := s3Target{prefix: aws.ToString(prefix), gzip: cf == types.CompressionFormatGzip}
	// arn:PARTITION:s3:::BUCKET
	if _, b, ok := strings.Cut(aws.ToString(bucketARN), ":s3:::"); ok && strings.HasPrefix(aws.ToString(bucketARN), "arn:") {
		t.bucket = b
	}
	if h != nil {
		t.sizeBytes = int(aws.ToInt32(h.SizeInMBs)) << 20
		t.interval = time.Duration(aws.ToInt32(h.IntervalInSeconds)) * time.Second
	}
	return t
}
