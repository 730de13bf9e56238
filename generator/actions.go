package generator

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
// emits: the ten management actions CloudTrail logs and the two data
// actions (REFERENCE.md §3.2, §3.3).
func Actions() []string { return append([]string(nil), actionNames[:]...) }

// Error codes the generator writes (REFERENCE.md §3.8).
const (
	ErrResourceNotFound       = "ResourceNotFoundException"
	ErrResourceInUse          = "ResourceInUseException"
	ErrInvalidArgument        = "InvalidArgumentException"
	ErrLimitExceeded          = "LimitExceededException"
	ErrConcurrentModification = "ConcurrentModificationException"
	ErrInvalidKMSResource     = "InvalidKMSResourceException"
	ErrServiceUnavailable     = "ServiceUnavailableException"
	// ErrAccessDenied is what CloudTrail writes for an IAM denial of a
	// Firehose call; the API returns AccessDeniedException (REFERENCE.md
	// §3.8, unverified for Firehose: chosen as for Kinesis).
	ErrAccessDenied = "AccessDenied"
	// ErrThrottling is written for throttled calls with "Rate exceeded"
	// (REFERENCE.md §3.8: code unverified).
	ErrThrottling = "ThrottlingException"
)

// ErrorCodes lists every errorCode the generator writes.
func ErrorCodes() []string {
	return []string{ErrResourceNotFound, ErrResourceInUse, ErrInvalidArgument, ErrLimitExceeded,
		ErrConcurrentModification, ErrInvalidKMSResource, ErrServiceUnavailable, ErrAccessDenied, ErrThrottling}
}

// IdentityTypes lists the userIdentity types the generator writes: every
// type that can call Firehose (REFERENCE.md §2.1; SAMLUser and
// WebIdentityUser appear only on STS records, Directory and Unknown not for
// Firehose).
func IdentityTypes() []string {
	return []string{"Root", "IAMUser", "AssumedRole", "Role", "FederatedUser", "AWSAccount", "AWSService", "IdentityCenterUser"}
}
