package schemas

import (
	"encoding/json"
	"errors"
)

// errNotYet marks the contract stubs that the Firehose renderer replaces.
var errNotYet = errors.New("schemas: firehose rendering not implemented yet")

// FirehoseEventSource is the eventSource of every Firehose record.
const FirehoseEventSource = "firehose.amazonaws.com"

// FirehoseEventName returns the CloudTrail eventName for a Firehose API
// input (for example *firehose.CreateDeliveryStreamInput → "CreateDeliveryStream").
func FirehoseEventName(input any) (string, error) { return "", errNotYet }

// RenderFirehoseRequest renders a Firehose API input (a pointer to one of the
// aws-sdk-go-v2 service/firehose *Input types) as CloudTrail requestParameters,
// with member names re-cased (REFERENCE.md §3.4) and every sensitive member
// redacted (§3.5). A nil result means the record's requestParameters is null.
func RenderFirehoseRequest(input any) (json.RawMessage, error) { return nil, errNotYet }

// RenderFirehoseResponse renders a Firehose API output as CloudTrail
// responseElements; nil means null (every action but CreateDeliveryStream).
func RenderFirehoseResponse(output any) (json.RawMessage, error) { return nil, errNotYet }

// DecodeFirehoseInput decodes the JSON 1.1 wire body of the Firehose action
// named action (the part of X-Amz-Target after "Firehose_20150804.") into the
// aws-sdk-go-v2 input type of that action.
func DecodeFirehoseInput(action string, body []byte) (any, error) { return nil, errNotYet }

// FindUnredactedSecrets returns JSON pointers (RFC 6901, relative to
// requestParameters) of sensitive members of a Firehose eventName's
// requestParameters that do not hold the value AWS redacts them to.
func FindUnredactedSecrets(eventName string, requestParameters []byte) []string { return nil }
