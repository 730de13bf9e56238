package firehose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhschemas "github.com/aws/aws-sdk-go-v2/service/firehose/schemas"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

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
	// stream named stream ("" for none); an error fails the call. With
	// JournalChanges, change is the stream's saved form after a call
	// that changed it (nil for other calls), to be made durable with the
	// record.
	Record func(rec *schemas.Record, stream string, change *Change) error
	// Path is the file the control plane is saved in ("" keeps it in
	// memory only); it is loaded by New. Without JournalChanges it is
	// saved after every change, before the call is recorded.
	Path string
	// JournalChanges makes Record the keeper of changes: each goes to it
	// with the record of the call that made it, and Path is written only
	// by Checkpoint (and Close), a checkpoint of which Restore applies
	// the changes made after it.
	JournalChanges bool
	Logger         *slog.Logger
	// CreateDelay is how long, by Clock, a new stream is CREATING before
	// it is ACTIVE, and a deleted one DELETING before it is gone: 0 means
	// DefaultCreateDelay, a negative delay none (ACTIVE and gone at once).
	CreateDelay time.Duration
}

// DefaultCreateDelay is the CreateDelay of a Config that sets none: long
// enough that code putting to a stream it has not seen ACTIVE fails, as it
// would on AWS (where creation takes seconds to minutes), and short enough
// that tests polling DescribeDeliveryStream do not wait.
const DefaultCreateDelay = 500 * time.Millisecond

// Service is the Firehose API: delivery streams per account and region,
// every call recorded as a CloudTrail event. It is safe for concurrent
// use.
type Service struct {
	clock   Clock
	ids     IDSource
	objects Objects
	record  func(rec *schemas.Record, stream string, change *Change) error
	log     *slog.Logger
	fh      *state
	out     *delivery
}

// New returns a Service with the control plane saved at cfg.Path, if any.
func New(cfg Config) (*Service, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.CreateDelay == 0:
		cfg.CreateDelay = DefaultCreateDelay
	case cfg.CreateDelay < 0:
		cfg.CreateDelay = 0
	}
	s := &Service{clock: cfg.Clock, ids: cfg.IDs, objects: cfg.Objects, record: cfg.Record, log: cfg.Logger,
		out: newDelivery(cfg.Objects, cfg.Logger)}
	if cfg.Path == "" {
		s.fh = newState()
	} else {
		var err error
		if s.fh, err = loadState(cfg.Path, cfg.Logger); err != nil {
			return nil, err
		}
		s.fh.journaled = cfg.JournalChanges
	}
	s.fh.delay = cfg.CreateDelay
	return s, nil
}

// Close writes every buffer (Flush) and saves what a failed save left
// unsaved.
func (e *Service) Close() error {
	ferr := e.Flush(context.Background())
	_, err := e.fh.checkpoint()
	return errors.Join(ferr, err)
}

// Flush writes the buffered records of every stream now, whatever their
// buffering hints. Writes that fail are kept and retried by the next Tick,
// Flush or call.
func (e *Service) Flush(ctx context.Context) error {
	return e.out.deliver(ctx, e.clock.Now().UTC(), true)
}

// Tick writes the buffers whose buffering interval has passed, and
// retries failed writes. Every call does the same at its end; Tick is for
// a ticker, so that data is delivered when no calls come.
func (e *Service) Tick(ctx context.Context) error {
	return e.out.deliver(ctx, e.clock.Now().UTC(), false)
}

// recordEventVersion is the eventVersion of recorded Firehose calls. AWS's
// current value for Firehose is unverified; 1.08 is what recent
// Kinesis-family samples in AWS's documentation carry.
const recordEventVersion = "1.08"

// maxBatchBytes is the most data one PutRecordBatch holds (4 MiB), a
// service limit the model does not state.
const maxBatchBytes = 4 << 20

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
	at := e.clock.Now().UTC()
	now := at.Truncate(time.Second)
	// Due buffers are written after the call, whatever its outcome; a
	// failed write fails no call.
	defer func() { _ = e.out.deliver(context.WithoutCancel(ctx), at, false) }()
	in, err := schemas.DecodeFirehoseInput(op, body)
	var out smithy.Serializable
	if err == nil {
		// The model's constraints, as AWS checks them before acting.
		err = schemas.ValidateFirehoseRequest(op, body)
	}
	var change *Change
	if err == nil {
		out, err = e.firehoseCall(ctx, cc, op, in, at)
		// A change is saved before the call is recorded and answered,
		// or journaled with its record.
		if !e.fh.journaled {
			e.fh.persist()
		} else if err == nil && changesStream(op) {
			change = e.fh.snapshot(streamKey{cc.Account, cc.Region, streamName(in)})
		}
	} else {
		err = firehoseDecodeError(err)
	}
	if rerr := e.recordCall(cc, op, in, out, err, now, change); rerr != nil {
		// Never a call without its record.
		e.log.Error("record firehose call", "op", op, "err", rerr)
		return nil, apiError(schemas.FirehoseNotRecorded(rerr))
	}
	if err != nil {
		return nil, err
	}
	return encodeFirehoseOutput(opSchema, outSchema, out)
}

// firehoseDecodeError turns a DecodeFirehoseInput or
// ValidateFirehoseRequest error into an AWS error.
func firehoseDecodeError(err error) error {
	if ve, ok := errors.AsType[*schemas.ValidationError](err); ok {
		return apiError(schemas.FirehoseValidationError(ve.ErrorMessage()))
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return awsapi.NewError(400, ae.ErrorCode(), "%s", ae.ErrorMessage())
	}
	return awsapi.Serialization("%v", err)
}

// firehoseCall runs a decoded and validated call at now.
func (e *Service) firehoseCall(ctx context.Context, cc *awsapi.Call, op string, in any, now time.Time) (smithy.Serializable, error) {
	key := func(name *string) streamKey {
		return streamKey{cc.Account, cc.Region, aws.ToString(name)}
	}
	fh := e.fh
	switch in := in.(type) {
	case *firehose.CreateDeliveryStreamInput:
		return fh.create(key(in.DeliveryStreamName), in, now)
	case *firehose.DeleteDeliveryStreamInput:
		return &firehose.DeleteDeliveryStreamOutput{}, fh.delete(key(in.DeliveryStreamName), now)
	case *firehose.DescribeDeliveryStreamInput:
		return fh.describe(key(in.DeliveryStreamName), now)
	case *firehose.ListDeliveryStreamsInput:
		return fh.list(cc.Account, cc.Region, in, now)
	case *firehose.ListTagsForDeliveryStreamInput:
		return fh.listTags(key(in.DeliveryStreamName), in, now)
	case *firehose.TagDeliveryStreamInput:
		return &firehose.TagDeliveryStreamOutput{}, fh.tag(key(in.DeliveryStreamName), in, now)
	case *firehose.UntagDeliveryStreamInput:
		return &firehose.UntagDeliveryStreamOutput{}, fh.untag(key(in.DeliveryStreamName), in, now)
	case *firehose.StartDeliveryStreamEncryptionInput:
		return &firehose.StartDeliveryStreamEncryptionOutput{}, fh.startEncryption(key(in.DeliveryStreamName), in, now)
	case *firehose.StopDeliveryStreamEncryptionInput:
		return &firehose.StopDeliveryStreamEncryptionOutput{}, fh.stopEncryption(key(in.DeliveryStreamName), now)
	case *firehose.UpdateDestinationInput:
		return &firehose.UpdateDestinationOutput{}, fh.updateDestination(key(in.DeliveryStreamName), in, now)
	case *firehose.PutRecordInput:
		ids, enc, err := e.putRecords(key(in.DeliveryStreamName), [][]byte{in.Record.Data}, now)
		if err != nil {
			return nil, err
		}
		return &firehose.PutRecordOutput{RecordId: aws.String(ids[0]), Encrypted: aws.Bool(enc)}, nil
	case *firehose.PutRecordBatchInput:
		data := make([][]byte, len(in.Records))
		for i, r := range in.Records {
			data[i] = r.Data
		}
		ids, enc, err := e.putRecords(key(in.DeliveryStreamName), data, now)
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

// putRecords takes records for stream k at now and buffers them for
// where the stream's data lands (describe.go's landing), if anywhere.
// The model bounds each record and the count; the 4 MiB total of a batch
// is the service's rule.
func (e *Service) putRecords(k streamKey, data [][]byte, now time.Time) ([]string, bool, error) {
	total := 0
	for _, d := range data {
		total += len(d)
	}
	if total > maxBatchBytes {
		return nil, false, apiError(schemas.FirehoseRequestTooLarge(total))
	}
	t, err := e.fh.putTarget(k, now)
	if err != nil {
		return nil, false, err
	}
	ids := make([]string, len(data))
	for i := range ids {
		ids[i] = strings.ReplaceAll(e.ids.UUID()+e.ids.UUID(), "-", "")
	}
	if t.bucket != "" {
		e.out.add(k, t, data, now, e.ids.UUID)
	}
	return ids, t.encrypted, nil
}

// recordCall records one Firehose call as a CloudTrail event, the
// way the generator renders them (schemas.RenderFirehoseRequest and
// RenderFirehoseResponse): PutRecord and PutRecordBatch as data events.
func (e *Service) recordCall(cc *awsapi.Call, op string, in any, out smithy.Serializable, callErr error, now time.Time, change *Change) error {
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
	return e.record(&rec, name, change)
}

// changesStream reports whether action op changes the delivery stream it
// names when it succeeds: every action but the reads and the data calls.
func changesStream(op string) bool {
	return !schemas.FirehoseReadOnly(op) && op != "PutRecord" && op != "PutRecordBatch"
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
