package firehose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhschemas "github.com/aws/aws-sdk-go-v2/service/firehose/schemas"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/schemas"
)

// TargetPrefix starts the X-Amz-Target of every Firehose call.
const TargetPrefix = "Firehose_20150804."

// Clock is the time source of the service.
type Clock interface{ Now() time.Time }

// IDSource makes the random parts of record IDs and object keys.
type IDSource interface {
	// UUID returns a random (version 4) UUID in lower case.
	UUID() string
}

// Objects is where destination data goes: the emulator's S3.
type Objects interface {
	// CreateBucket creates bucket; it is not an error if it exists.
	CreateBucket(bucket string) error
	// PutObject stores body as bucket/key.
	PutObject(ctx context.Context, bucket, key string, meta map[string]string, body []byte) error
}

// Config is what a Service is built from.
type Config struct {
	Clock   Clock
	IDs     IDSource
	Objects Objects
	// Record keeps the CloudTrail record of a call on the delivery
	// stream named stream ("" for none); an error fails the call.
	Record func(rec *schemas.Record, stream string) error
	// Path is the file the control plane is saved in on every change
	// ("" keeps it in memory only); it is loaded by New.
	Path   string
	Logger *slog.Logger
}

// Service is the Firehose API: delivery streams per account and region,
// every call recorded as a CloudTrail event. It is safe for concurrent
// use.
type Service struct {
	clock   Clock
	ids     IDSource
	objects Objects
	record  func(rec *schemas.Record, stream string) error
	log     *slog.Logger
	fh      *state
}

// New returns a Service with the control plane saved at cfg.Path, if any.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{clock: cfg.Clock, ids: cfg.IDs, objects: cfg.Objects, record: cfg.Record, log: cfg.Logger}
	if cfg.Path == "" {
		s.fh = newState()
		return s, nil
	}
	var err error
	if s.fh, err = loadState(cfg.Path, cfg.Logger); err != nil {
		return nil, err
	}
	return s, nil
}

// Close saves what a failed save left unsaved.
func (e *Service) Close() error { return e.fh.flush() }

// recordEventVersion is the eventVersion of recorded Firehose calls
// (REFERENCE.md §1.3).
const recordEventVersion = "1.08"

// maxRecordSize is the largest Firehose record (1,000 KiB).
const maxRecordSize = 1000 << 10

// firehoseOps maps each action to its operation and output schemas.
func firehoseSchemas(op string) (opSchema, outSchema *smithy.Schema, ok bool) {
	switch op {
	case "CreateDeliveryStream":
		return fhschemas.CreateDeliveryStream, fhschemas.CreateDeliveryStreamOutput, true
	case "DeleteDeliveryStream":
		return fhschemas.DeleteDeliveryStream, fhschemas.DeleteDeliveryStreamOutput, true
	case "DescribeDeliveryStream":
		return fhschemas.DescribeDeliveryStream, fhschemas.DescribeDeliveryStreamOutput, true
	case "ListDeliveryStreams":
		return fhschemas.ListDeliveryStreams, fhschemas.ListDeliveryStreamsOutput, true
	case "ListTagsForDeliveryStream":
		return fhschemas.ListTagsForDeliveryStream, fhschemas.ListTagsForDeliveryStreamOutput, true
	case "PutRecord":
		return fhschemas.PutRecord, fhschemas.PutRecordOutput, true
	case "PutRecordBatch":
		return fhschemas.PutRecordBatch, fhschemas.PutRecordBatchOutput, true
	case "StartDeliveryStreamEncryption":
		return fhschemas.StartDeliveryStreamEncryption, fhschemas.StartDeliveryStreamEncryptionOutput, true
	case "StopDeliveryStreamEncryption":
		return fhschemas.StopDeliveryStreamEncryption, fhschemas.StopDeliveryStreamEncryptionOutput, true
	case "TagDeliveryStream":
		return fhschemas.TagDeliveryStream, fhschemas.TagDeliveryStreamOutput, true
	case "UntagDeliveryStream":
		return fhschemas.UntagDeliveryStream, fhschemas.UntagDeliveryStreamOutput, true
	case "UpdateDestination":
		return fhschemas.UpdateDestination, fhschemas.UpdateDestinationOutput, true
	}
	return nil, nil, false
}

// encodeFirehoseOutput writes out in the JSON 1.1 wire form, with the
// SDK's own serializer, so that every client reads it as AWS's.
func encodeFirehoseOutput(opSchema, outSchema *smithy.Schema, out smithy.Serializable) ([]byte, error) {
	p := awsjson.New11(fhschemas.Firehose_20150804)
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	if err := p.SerializeRequest(context.Background(), smithy.NewOperationSchema(opSchema, outSchema, outSchema), out, req); err != nil {
		return nil, fmt.Errorf("encode firehose output: %w", err)
	}
	s := req.GetStream()
	if s == nil {
		return []byte("{}"), nil
	}
	return io.ReadAll(s)
}

// Handle runs Firehose action op with the JSON request body, records the
// call and returns the JSON answer.
func (e *Service) Handle(ctx context.Context, cc *awsapi.Call, op string, body []byte) ([]byte, error) {
	opSchema, outSchema, ok := firehoseSchemas(op)
	if !ok {
		return nil, awsapi.UnknownOperation(TargetPrefix + op)
	}
	now := e.clock.Now().UTC().Truncate(time.Second)
	in, err := schemas.DecodeFirehoseInput(op, body)
	var out smithy.Serializable
	if err == nil {
		out, err = e.firehoseCall(ctx, cc, op, in, now)
	} else {
		err = firehoseDecodeError(err)
	}
	if rerr := e.recordCall(cc, op, in, out, err, now); rerr != nil {
		// Never a call without its record.
		e.log.Error("record firehose call", "op", op, "err", rerr)
		return nil, awsapi.NewError(http.StatusInternalServerError, "ServiceUnavailableException", "The call could not be recorded: %v", rerr)
	}
	if err != nil {
		return nil, err
	}
	return encodeFirehoseOutput(opSchema, outSchema, out)
}

// firehoseDecodeError turns a DecodeFirehoseInput error into an AWS error.
func firehoseDecodeError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return awsapi.NewError(400, ae.ErrorCode(), "%s", ae.ErrorMessage())
	}
	return awsapi.Serialization("%v", err)
}

func (e *Service) firehoseCall(ctx context.Context, cc *awsapi.Call, op string, in any, now time.Time) (smithy.Serializable, error) {
	key := func(name *string) streamKey {
		return streamKey{cc.Account, cc.Region, aws.ToString(name)}
	}
	fh := e.fh
	switch in := in.(type) {
	case *firehose.CreateDeliveryStreamInput:
		return fh.create(key(in.DeliveryStreamName), in, now)
	case *firehose.DeleteDeliveryStreamInput:
		return &firehose.DeleteDeliveryStreamOutput{}, fh.delete(key(in.DeliveryStreamName))
	case *firehose.DescribeDeliveryStreamInput:
		if in.Limit != nil && (*in.Limit < 1 || *in.Limit > 10000) {
			return nil, errInvalidArgument("Limit must be between 1 and 10000.")
		}
		return fh.describe(key(in.DeliveryStreamName))
	case *firehose.ListDeliveryStreamsInput:
		return fh.list(cc.Account, cc.Region, in)
	case *firehose.ListTagsForDeliveryStreamInput:
		return fh.listTags(key(in.DeliveryStreamName), in)
	case *firehose.TagDeliveryStreamInput:
		return &firehose.TagDeliveryStreamOutput{}, fh.tag(key(in.DeliveryStreamName), in)
	case *firehose.UntagDeliveryStreamInput:
		return &firehose.UntagDeliveryStreamOutput{}, fh.untag(key(in.DeliveryStreamName), in)
	case *firehose.StartDeliveryStreamEncryptionInput:
		return &firehose.StartDeliveryStreamEncryptionOutput{}, fh.startEncryption(key(in.DeliveryStreamName), in, now)
	case *firehose.StopDeliveryStreamEncryptionInput:
		return &firehose.StopDeliveryStreamEncryptionOutput{}, fh.stopEncryption(key(in.DeliveryStreamName), now)
	case *firehose.UpdateDestinationInput:
		return &firehose.UpdateDestinationOutput{}, fh.updateDestination(key(in.DeliveryStreamName), in, now)
	case *firehose.PutRecordInput:
		if in.Record == nil || in.Record.Data == nil {
			return nil, errInvalidArgument("Record.Data is required.")
		}
		ids, enc, err := e.putRecords(ctx, key(in.DeliveryStreamName), [][]byte{in.Record.Data}, now)
		if err != nil {
			return nil, err
		}
		return &firehose.PutRecordOutput{RecordId: aws.String(ids[0]), Encrypted: aws.Bool(enc)}, nil
	case *firehose.PutRecordBatchInput:
		if len(in.Records) == 0 || len(in.Records) > 500 {
			return nil, errInvalidArgument("Records must hold 1 to 500 records, not %d.", len(in.Records))
		}
		data := make([][]byte, len(in.Records))
		for i, r := range in.Records {
			if r.Data == nil {
				return nil, errInvalidArgument("Records[%d].Data is required.", i)
			}
			data[i] = r.Data
		}
		ids, enc, err := e.putRecords(ctx, key(in.DeliveryStreamName), data, now)
		if err != nil {
			return nil, err
		}
		resp := make([]types.PutRecordBatchResponseEntry, len(ids))
		for i, id := range ids {
			resp[i].RecordId = aws.String(id)
		}
		return &firehose.PutRecordBatchOutput{FailedPutCount: aws.Int32(0), RequestResponses: resp, Encrypted: aws.Bool(enc)}, nil
	}
	return nil, awsapi.UnknownOperation(TargetPrefix + op)
}

// putRecords delivers data to the stream's S3 destination as one object
// under the Firehose-style prefix YYYY/MM/DD/HH/ (no buffering). Streams
// with other destinations accept and drop the data.
func (e *Service) putRecords(ctx context.Context, k streamKey, data [][]byte, now time.Time) ([]string, bool, error) {
	total := 0
	for i, d := range data {
		if len(d) > maxRecordSize {
			return nil, false, errInvalidArgument("Record %d is %d bytes, more than %d.", i, len(d), maxRecordSize)
		}
		total += len(d)
	}
	if total > 4<<20 {
		return nil, false, errInvalidArgument("Records hold %d bytes, more than 4 MiB.", total)
	}
	t, err := e.fh.target(k)
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, len(data))
	for i := range ids {
		ids[i] = strings.ReplaceAll(e.ids.UUID()+e.ids.UUID(), "-", "")
	}
	if t.bucket == "" {
		return ids, t.encrypted, nil
	}
	body := bytes.Join(data, nil)
	objKey := t.prefix + now.Format("2006/01/02/15/") + fmt.Sprintf("%s-%d-%s-%s", k.name, t.version, now.Format("2006-01-02-15-04-05"), e.ids.UUID())
	if t.gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body, objKey = buf.Bytes(), objKey+".gz"
	}
	if err := e.objects.CreateBucket(t.bucket); err != nil {
		return nil, false, errInvalidArgument("Cannot deliver to %s: %v", t, err)
	}
	if err := e.objects.PutObject(ctx, t.bucket, objKey, nil, body); err != nil {
		return nil, false, awsapi.NewError(500, "ServiceUnavailableException", "Cannot deliver to %s: %v", t, err)
	}
	return ids, t.encrypted, nil
}

// recordCall records one Firehose call as a CloudTrail event, the
// way the generator renders them (schemas.RenderFirehoseRequest and
// RenderFirehoseResponse): PutRecord and PutRecordBatch as data events.
func (e *Service) recordCall(cc *awsapi.Call, op string, in any, out smithy.Serializable, callErr error, now time.Time) error {
	data := op == "PutRecord" || op == "PutRecordBatch"
	rec := schemas.Record{
		EventVersion:       recordEventVersion,
		UserIdentity:       cc.Identity,
		EventTime:          now,
		EventSource:        schemas.FirehoseEventSource,
		EventName:          op,
		AWSRegion:          cc.Region,
		SourceIPAddress:    cc.SourceIP,
		UserAgent:          cc.UserAgent,
		RequestID:          cc.RequestID,
		EventID:            e.ids.UUID(),
		ReadOnly:           schemas.Bool(schemas.FirehoseReadOnly(op)),
		EventType:          "AwsApiCall",
		ManagementEvent:    schemas.Bool(!data),
		RecipientAccountID: cc.Account,
		EventCategory:      "Management",
	}
	if data {
		rec.EventCategory = "Data"
	}
	if in != nil {
		rp, err := schemas.RenderFirehoseRequest(in)
		if err != nil {
			return err
		}
		rec.RequestParameters = rp
	}
	if callErr != nil {
		ae := awsapi.AsError(callErr)
		rec.ErrorCode, rec.ErrorMessage = ae.Code, ae.Message
	} else if out != nil {
		re, err := schemas.RenderFirehoseResponse(out)
		if err != nil {
			return err
		}
		rec.ResponseElements = re
	}
	name := streamName(in)
	if data {
		rec.Resources = []schemas.Resource{{
			AccountID: cc.Account,
			Type:      schemas.FirehoseResourceType,
			ARN:       "arn:aws:firehose:" + cc.Region + ":" + cc.Account + ":deliverystream/" + name,
		}}
	}
	rec.TLSDetails = cc.TLSDetails("firehose." + cc.Region + ".amazonaws.com")
	return e.record(&rec, name)
}

// streamName returns the DeliveryStreamName of an input, "" if it has none.
func streamName(in any) string {
	var p *string
	switch in := in.(type) {
	case *firehose.CreateDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.DeleteDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.DescribeDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.ListTagsForDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.TagDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.UntagDeliveryStreamInput:
		p = in.DeliveryStreamName
	case *firehose.StartDeliveryStreamEncryptionInput:
		p = in.DeliveryStreamName
	case *firehose.StopDeliveryStreamEncryptionInput:
		p = in.DeliveryStreamName
	case *firehose.UpdateDestinationInput:
		p = in.DeliveryStreamName
	case *firehose.PutRecordInput:
		p = in.DeliveryStreamName
	case *firehose.PutRecordBatchInput:
		p = in.DeliveryStreamName
	}
	return aws.ToString(p)
}
