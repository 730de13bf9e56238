package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

//go:generate go run ./internal/firehosegen/cmd/firehosegen

// FirehoseEventSource is the eventSource of every Firehose record.
const FirehoseEventSource = "firehose.amazonaws.com"

// FirehoseResourceType is the resource type of a delivery stream, in a
// record's resources and in LookupEvents' Resources.
const FirehoseResourceType = "AWS::KinesisFirehose::DeliveryStream"

// FirehoseActions lists the 12 operations of the Firehose API model
// (2015-08-04), in the order of the model's operation list.
var FirehoseActions = []string{
	"CreateDeliveryStream",
	"DeleteDeliveryStream",
	"DescribeDeliveryStream",
	"ListDeliveryStreams",
	"ListTagsForDeliveryStream",
	"PutRecord",
	"PutRecordBatch",
	"StartDeliveryStreamEncryption",
	"StopDeliveryStreamEncryption",
	"TagDeliveryStream",
	"UntagDeliveryStream",
	"UpdateDestination",
}

// FirehoseManagementActions lists the 10 operations that AWS's Firehose guide
// says CloudTrail logs as management events; PutRecord and
// PutRecordBatch are data events, logged only when data events are enabled.
var FirehoseManagementActions = []string{
	"CreateDeliveryStream",
	"DeleteDeliveryStream",
	"DescribeDeliveryStream",
	"ListDeliveryStreams",
	"ListTagsForDeliveryStream",
	"StartDeliveryStreamEncryption",
	"StopDeliveryStreamEncryption",
	"TagDeliveryStream",
	"UntagDeliveryStream",
	"UpdateDestination",
}

// FirehoseReadOnly reports whether the Firehose action is read-only
// (CloudTrail readOnly true): the Describe and List operations. It is false
// for unknown actions.
func FirehoseReadOnly(action string) bool {
	switch action {
	case "DescribeDeliveryStream", "ListDeliveryStreams", "ListTagsForDeliveryStream":
		return true
	}
	return false
}

// ErrUnknownFirehoseAction is wrapped by the errors of functions given an
// action name or a value that is not one of the 12 Firehose operations.
var ErrUnknownFirehoseAction = errors.New("unknown firehose action")

// DefaultRedactionPlaceholder is the value CloudTrail shows in place of most
// sensitive members: the placeholder of other services' records, unverified
// for Firehose. Redshift credentials are shown as "" instead.
const DefaultRedactionPlaceholder = "HIDDEN_DUE_TO_SECURITY_REASONS"

// DefaultFirehoseTimeLayout is the layout of timestamps in requestParameters
// (only MSKSourceConfiguration.ReadFromTimestamp has one): the date form that
// CloudTrail shows for Java-based services, in UTC, e.g.
// "Mar 4, 2025, 9:00:12 AM". The Firehose form is unverified; set
// Renderer.TimeLayout to choose another.
const DefaultFirehoseTimeLayout = "Jan 2, 2006, 3:04:05 PM"

// Renderer renders Firehose API calls as CloudTrail requestParameters and
// responseElements. The zero value renders as AWS does by default (as far as
// AWS's documentation and published records show); a Renderer is a plain
// value, safe to copy and to use concurrently. The package-level functions
// use the zero Renderer.
//
// Reflection plans for the SDK types are built once per process and shared.
type Renderer struct {
	// Placeholder replaces the sensitive members that AWS does not blank to
	// "" (HTTP endpoint, Snowflake, Splunk HEC token). Empty means
	// DefaultRedactionPlaceholder.
	Placeholder string
	// ShowHECToken renders Splunk's hECToken in clear. The model does not
	// mark it sensitive, so AWS may log it (unverified);
	// firetrail redacts it by default so that a token given to it never
	// appears in its output.
	ShowHECToken bool
	// TimeLayout is the time.Layout of timestamp members, written in UTC as
	// JSON strings. Empty means DefaultFirehoseTimeLayout.
	TimeLayout string
}

// FirehoseEventName returns the CloudTrail eventName for a Firehose API
// input (for example *firehose.CreateDeliveryStreamInput → "CreateDeliveryStream").
// It accepts inputs and outputs, as pointers or values.
func FirehoseEventName(input any) (string, error) {
	m := firehoseModel()
	t := reflect.TypeOf(input)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if op := m.byType[t]; op != nil {
		return op.name, nil
	}
	return "", fmt.Errorf("firehose event name of %v: %w", t, ErrUnknownFirehoseAction)
}

// RenderFirehoseRequest renders a Firehose API input (a pointer to one of the
// aws-sdk-go-v2 service/firehose *Input types) as CloudTrail
// requestParameters, with member names re-cased as CloudTrail does (first
// character lower-cased) and every sensitive member redacted. A nil result
// means the record's requestParameters is null: a nil input, or one with no
// member set.
//
// The output is compact JSON, strings escaped as AppendString escapes them.
// Unset members (nil pointers, nil slices and maps, empty enums) are
// omitted; empty non-nil lists are written as []. Enums are their strings,
// numbers and booleans are JSON numbers and booleans, map keys are sorted,
// timestamps are strings (Renderer.TimeLayout) and blobs (record data) are
// never written: data events carry no record bytes.
//
// Members are written in the order of the API model (firehose_model_gen.go,
// generated from the SDK's smithy schemas; the Go structs put required
// members first, so their field order is not the model's). AWS's 2016
// sample follows no rule: its Create puts s3Configuration first and roleARN
// last while its Update puts roleARN first and s3Update last, and both write
// password before username. No single order reproduces it, so tests compare
// requestParameters as decoded JSON values.
func RenderFirehoseRequest(input any) (json.RawMessage, error) {
	return Renderer{}.RenderRequest(input)
}

// AppendFirehoseRequest appends the requestParameters of a Firehose API input
// to dst as RenderFirehoseRequest renders them, writing null when the request
// has no parameters. On error it returns dst unchanged.
func AppendFirehoseRequest(dst []byte, input any) ([]byte, error) {
	return Renderer{}.AppendRequest(dst, input)
}

// RenderFirehoseResponse renders a Firehose API output as CloudTrail
// responseElements; nil means null (every action but CreateDeliveryStream).
func RenderFirehoseResponse(output any) (json.RawMessage, error) {
	return Renderer{}.RenderResponse(output)
}

// RedactFirehoseRequestParameters returns requestParameters already rendered
// for the Firehose eventName with every sensitive member set to the value AWS
// redacts it to, compacted. Members are matched by their rendered names,
// also inside arrays; everything else is copied byte for byte. Redacting
// twice changes nothing. Invalid JSON, null and an empty input yield nil
// (null): bytes that cannot be checked are never passed through.
func RedactFirehoseRequestParameters(eventName string, rp json.RawMessage) json.RawMessage {
	return Renderer{}.RedactRequestParameters(eventName, rp)
}

// FindUnredactedSecrets returns JSON pointers (RFC 6901, relative to
// requestParameters) of sensitive members of a Firehose eventName's
// requestParameters that do not hold the value AWS redacts them to.
// Only CreateDeliveryStream and UpdateDestination have sensitive members;
// for them, invalid JSON is reported as the pointer "" (the whole
// document). Other and unknown events give nil.
func FindUnredactedSecrets(eventName string, requestParameters []byte) []string {
	return Renderer{}.FindUnredactedSecrets(eventName, requestParameters)
}
