package schemas

import (
	"fmt"
	"time"
)

// The Firehose error table: the error codes of the Firehose API and one
// constructor per situation, giving the code and AWS's message. The
// generator writes these into errorCode/errorMessage and the emulator
// answers them, so both word the same situation the same way.
//
// Wording sources: "Firehose NAME under account ACCOUNT
// not found." is observed in real answers. The already-exists, version
// mismatch and quota messages follow the wording AWS's answers have been
// reported with (and that moto reproduces); the not-ACTIVE wording, the
// throttling code and the AccessDenied code in CloudTrail are unverified
// choices named as such below.

// Firehose error codes.
const (
	FirehoseResourceNotFound       = "ResourceNotFoundException"
	FirehoseResourceInUse          = "ResourceInUseException"
	FirehoseInvalidArgument        = "InvalidArgumentException"
	FirehoseLimitExceeded          = "LimitExceededException"
	FirehoseConcurrentModification = "ConcurrentModificationException"
	FirehoseInvalidKMSResource     = "InvalidKMSResourceException"
	FirehoseServiceUnavailable     = "ServiceUnavailableException"
	FirehoseValidation             = "ValidationException"
	// FirehoseAccessDenied is what CloudTrail writes for an IAM denial of
	// a Firehose call; the API answers AccessDeniedException (unverified
	// for Firehose: chosen as CloudTrail writes it for Kinesis).
	FirehoseAccessDenied = "AccessDenied"
	// FirehoseThrottling is written for throttled calls with "Rate
	// exceeded" (the code is unverified).
	FirehoseThrottling = "ThrottlingException"
)

// FirehoseError is one Firehose error: its code and message.
type FirehoseError struct {
	Code    string
	Message string
}

// Error returns "Code: Message".
func (e FirehoseError) Error() string { return e.Code + ": " + e.Message }

// Fault reports whether the error is a server fault (HTTP 5xx) rather
// than a client error (400).
func (e FirehoseError) Fault() bool { return e.Code == FirehoseServiceUnavailable }

func fhErr(code, format string, args ...any) FirehoseError {
	return FirehoseError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FirehoseNotFound: the stream does not exist (observed wording).
func FirehoseNotFound(name, account string) FirehoseError {
	return FirehoseError{FirehoseResourceNotFound, "Firehose " + name + " under account " + account + " not found."}
}

// FirehoseAlreadyExists: CreateDeliveryStream of a name that is taken.
func FirehoseAlreadyExists(name, account string) FirehoseError {
	return FirehoseError{FirehoseResourceInUse, "Firehose " + name + " under accountId " + account + " already exists"}
}

// FirehoseNotActive: a change to a stream that is CREATING or DELETING
// (status); the wording is unverified.
func FirehoseNotActive(name, account, status string) FirehoseError {
	return FirehoseError{FirehoseResourceInUse, "Firehose " + name + " under account " + account + " is in " + status + " state; the operation requires ACTIVE."}
}

// FirehoseVersionMismatch: UpdateDestination with a
// currentDeliveryStreamVersionId that is not the stream's.
func FirehoseVersionMismatch(name string, current, given string) FirehoseError {
	return FirehoseError{FirehoseConcurrentModification, "Cannot update firehose: " + name + " since the current version id: " + current + " and specified version id: " + given + " do not match"}
}

// FirehoseWrongSourceType: data or encryption on a stream whose source is
// not DirectPut (typ is the stream's DeliveryStreamType).
func FirehoseWrongSourceType(typ string) FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "This operation is not permitted on " + typ + " delivery stream type."}
}

// FirehoseStreamQuota: CreateDeliveryStream beyond the account's quota of
// streams per region.
func FirehoseStreamQuota(quota int) FirehoseError {
	return fhErr(FirehoseLimitExceeded, "You have already consumed your firehose quota of %d hoses.", quota)
}

// FirehoseTooManyTags: tags beyond the 50 a stream can hold.
func FirehoseTooManyTags(limit, would int) FirehoseError {
	return fhErr(FirehoseLimitExceeded, "A delivery stream can have at most %d tags; it would have %d.", limit, would)
}

// FirehoseTagRate: the tagging operations' own rate limit.
func FirehoseTagRate() FirehoseError {
	return FirehoseError{FirehoseLimitExceeded, "Rate exceeded for TagDeliveryStream, ListTagsForDeliveryStream or UntagDeliveryStream."}
}

// FirehoseEncryptionCalls is how many StartDeliveryStreamEncryption and
// StopDeliveryStreamEncryption calls, together, a stream takes in 24 hours
// (the API reference of both operations: "a combined limit of 25 calls
// per Firehose stream per 24 hours"); the next is FirehoseStreamLimit.
const FirehoseEncryptionCalls = 25

// EncryptionCallLog is the times of a stream's encryption calls in the
// last 24 hours, oldest first: what FirehoseEncryptionCalls limits. The
// generator and the emulator keep one per stream.
type EncryptionCallLog []time.Time

// Recent forgets the calls made 24 hours or more before now and returns
// how many are left.
func (l *EncryptionCallLog) Recent(now time.Time) int {
	from := now.Add(-24 * time.Hour)
	old := 0
	for old < len(*l) && !(*l)[old].After(from) {
		old++
	}
	*l = (*l)[:copy(*l, (*l)[old:])]
	return len(*l)
}

// Add notes a call made at now, the latest so far.
func (l *EncryptionCallLog) Add(now time.Time) { *l = append(*l, now) }

// FirehoseStreamLimit: a per-stream limit was exceeded, such as
// FirehoseEncryptionCalls.
func FirehoseStreamLimit(name, account string) FirehoseError {
	return FirehoseError{FirehoseLimitExceeded, "Limit exceeded for Firehose " + name + " under account " + account + "."}
}

// FirehoseThrottled: the API's rate limit (code unverified).
func FirehoseThrottled() FirehoseError { return FirehoseError{FirehoseThrottling, "Rate exceeded"} }

// FirehoseSlowDown: the data plane is overloaded (a server fault).
func FirehoseSlowDown() FirehoseError { return FirehoseError{FirehoseServiceUnavailable, "Slow down."} }

// FirehoseNotRecorded: the emulator could not record the call (a server
// fault of the emulator itself).
func FirehoseNotRecorded(err error) FirehoseError {
	return fhErr(FirehoseServiceUnavailable, "The call could not be recorded: %v", err)
}

// FirehoseKeyDisabled: the KMS key cannot be used.
func FirehoseKeyDisabled(keyARN string) FirehoseError {
	return FirehoseError{FirehoseInvalidKMSResource, "Firehose is unable to use the KMS key " + keyARN + " because the key is disabled."}
}

// FirehoseKeyNotKMS: KeyType CUSTOMER_MANAGED_CMK without a KMS key ARN.
func FirehoseKeyNotKMS() FirehoseError {
	return FirehoseError{FirehoseInvalidKMSResource, "KeyARN must be the ARN of a KMS key when KeyType is CUSTOMER_MANAGED_CMK."}
}

// FirehoseKeyWithAWSOwned: KeyARN given with KeyType AWS_OWNED_CMK.
func FirehoseKeyWithAWSOwned() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "KeyARN must not be set when KeyType is AWS_OWNED_CMK."}
}

// FirehoseEncryptionNotDirectPut: server-side encryption asked for a
// stream whose source is not DirectPut (typ).
func FirehoseEncryptionNotDirectPut(typ string) FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Server-side encryption is not supported for delivery streams of type " + typ + "."}
}

// FirehoseSourceRequired: a DeliveryStreamType without the source
// configuration it needs (member, typ).
func FirehoseSourceRequired(member, typ string) FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, member + " is required for DeliveryStreamType " + typ + "."}
}

// FirehoseDestinationCount: not exactly one destination configuration
// (what "configuration" or "update") in a request.
func FirehoseDestinationCount(what string, n int) FirehoseError {
	return fhErr(FirehoseInvalidArgument, "Exactly one destination %s is required, %d given.", what, n)
}

// FirehoseInvalidDestination: a destination configuration or update
// (what) that cannot be applied.
func FirehoseInvalidDestination(what string, err error) FirehoseError {
	return fhErr(FirehoseInvalidArgument, "Invalid destination %s: %v", what, err)
}

// FirehoseDestinationNotFound: UpdateDestination names a destination id
// the stream does not have.
func FirehoseDestinationNotFound(destinationID, name string) FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Destination " + destinationID + " not found in Firehose " + name + "."}
}

// FirehoseDestinationTypeChange: UpdateDestination that changes the
// destination type.
func FirehoseDestinationTypeChange() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Updates of the destination type are not supported. Create a new Firehose stream instead."}
}

// FirehoseRequestTooLarge: PutRecordBatch records over the 4 MiB a request
// can hold.
func FirehoseRequestTooLarge(total int) FirehoseError {
	return fhErr(FirehoseInvalidArgument, "Records hold %d bytes, more than the 4 MiB a request can hold.", total)
}

// FirehoseRecordTooLarge: one record over the 1,000 KiB limit.
func FirehoseRecordTooLarge() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Record size exceeds the maximum of 1000 KiB."}
}

// FirehoseDynamicPartitioningBuffer: dynamic partitioning with a buffer
// below 64 MiB.
func FirehoseDynamicPartitioningBuffer() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "BufferingHints.SizeInMBs must be at least 64 when dynamic partitioning is enabled."}
}

// FirehoseReservedTagKey: a tag key with the reserved prefix aws:.
func FirehoseReservedTagKey() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Tag keys must not start with the reserved prefix aws:."}
}

// FirehoseTagKeyCount: UntagDeliveryStream with too few or too many keys.
func FirehoseTagKeyCount() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "TagKeys must contain between 1 and 50 keys."}
}

// FirehoseInvalidArgumentOther is the generic InvalidArgumentException.
func FirehoseInvalidArgumentOther() FirehoseError {
	return FirehoseError{FirehoseInvalidArgument, "Invalid argument."}
}

// FirehoseValidationError is the ValidationException of a request that
// breaks the API model's constraints; message is AWS's (see
// ValidateFirehoseRequest).
func FirehoseValidationError(message string) FirehoseError {
	return FirehoseError{FirehoseValidation, message}
}

// Policy kinds of FirehoseAccessDeniedMessage.
const (
	DenyNoAllow  = iota // no identity-based policy allows the action
	DenyIdentity        // an explicit deny in an identity-based policy
	DenySCP             // an explicit deny in a service control policy
)

// FirehoseDenied is an IAM denial of action (e.g. "DeleteDeliveryStream")
// by callerARN on resource, in IAM's message forms;
// scpARN names the policy of a DenySCP.
func FirehoseDenied(callerARN, action, resource string, kind int, scpARN string) FirehoseError {
	head := "User: " + callerARN + " is not authorized to perform: firehose:" + action + " on resource: " + resource
	switch kind {
	case DenySCP:
		return FirehoseError{FirehoseAccessDenied, head + " with an explicit deny in a service control policy: " + scpARN}
	case DenyIdentity:
		return FirehoseError{FirehoseAccessDenied, head + " with an explicit deny in an identity-based policy"}
	}
	return FirehoseError{FirehoseAccessDenied, head + " because no identity-based policy allows the firehose:" + action + " action"}
}
