package generator

import "github.com/firetrail/firetrail/schemas"

// action is a Firehose API action.
type action uint8

const (
	actCreate action = iota
	actDelete
	actDescribe
	actList
	actListTags
	actTag
	actUntag
	actStartEnc
	actStopEnc
	actUpdate
	actPutRecord
	actPutRecordBatch
	numActions
)

var actionNames = [numActions]string{
	"CreateDeliveryStream", "DeleteDeliveryStream", "DescribeDeliveryStream", "ListDeliveryStreams",
	"ListTagsForDeliveryStream", "TagDeliveryStream", "UntagDeliveryStream",
	"StartDeliveryStreamEncryption", "StopDeliveryStreamEncryption", "UpdateDestination",
	"PutRecord", "PutRecordBatch",
}

// actionCLI is the AWS CLI command of each action (md/command#firehose.…).
var actionCLI = [numActions]string{
	"create-delivery-stream", "delete-delivery-stream", "describe-delivery-stream", "list-delivery-streams",
	"list-tags-for-delivery-stream", "tag-delivery-stream", "untag-delivery-stream",
	"start-delivery-stream-encryption", "stop-delivery-stream-encryption", "update-destination",
	"put-record", "put-record-batch",
}

func (a action) readOnly() bool {
	return a == actDescribe || a == actList || a == actListTags
}

func (a action) data() bool { return a == actPutRecord || a == actPutRecordBatch }

// Actions lists the eventName of every Firehose action the generator
// emits: the ten management actions CloudTrail logs (Amazon Data Firehose
// Developer Guide) and the two data actions, PutRecord and PutRecordBatch.
func Actions() []string { return append([]string(nil), actionNames[:]...) }

// Error codes the generator writes, from the error
// table of schemas that the emulator answers from too.
const (
	ErrResourceNotFound       = schemas.FirehoseResourceNotFound
	ErrResourceInUse          = schemas.FirehoseResourceInUse
	ErrInvalidArgument        = schemas.FirehoseInvalidArgument
	ErrLimitExceeded          = schemas.FirehoseLimitExceeded
	ErrConcurrentModification = schemas.FirehoseConcurrentModification
	ErrInvalidKMSResource     = schemas.FirehoseInvalidKMSResource
	ErrServiceUnavailable     = schemas.FirehoseServiceUnavailable
	// ErrAccessDenied is what CloudTrail writes for an IAM denial of a
	// Firehose call (see schemas.FirehoseAccessDenied).
	ErrAccessDenied = schemas.FirehoseAccessDenied
	// ErrThrottling is written for throttled calls with "Rate exceeded"
	// (see schemas.FirehoseThrottling).
	ErrThrottling = schemas.FirehoseThrottling
)

// ErrorCodes lists every errorCode the generator writes.
func ErrorCodes() []string {
	return []string{ErrResourceNotFound, ErrResourceInUse, ErrInvalidArgument, ErrLimitExceeded,
		ErrConcurrentModification, ErrInvalidKMSResource, ErrServiceUnavailable, ErrAccessDenied, ErrThrottling}
}

// IdentityTypes lists the userIdentity types the generator writes with
// the identity set identities (IdentitiesDefault or IdentitiesAll); ""
// stands for AWS's internal callers, whose userIdentity has no type
// (accountId and invokedBy "AWS Internal" only).
//
// The default set is the callers, of the userIdentity types CloudTrail
// documents, that can reach Firehose: Firehose has no resource policies, so
// no principal of another account calls it directly, and Identity Center
// users call it through AWSReservedSSO_* role sessions (AssumedRole).
// IdentitiesAll adds AWSAccount, IdentityCenterUser and Role identities, for
// testing parsers on types Firehose records do not have.
func IdentityTypes(identities string) []string {
	ts := []string{"Root", "IAMUser", "AssumedRole", "FederatedUser", "AWSService", ""}
	if identities == IdentitiesAll {
		ts = append(ts, "AWSAccount", "IdentityCenterUser", "Role")
	}
	return ts
}
