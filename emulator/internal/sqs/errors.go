package sqs

import (
	"net/http"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// The SQS error table. Code is the JSON 1.0 __type
// ("com.amazonaws.sqs#<Shape>"); QueryCode the query protocol's code,
// which JSON answers also carry in x-amzn-query-error (SQS is
// awsQueryCompatible). The query codes are the model's awsQueryError
// traits (botocore's service-2.json); the common errors
// (InvalidParameterValue, MissingParameter, InvalidAction) are in no model.

// sqsError returns an error whose JSON code is shape and whose query code
// is queryCode.
func sqsError(shape, queryCode, format string, args ...any) *awsapi.Error {
	e := awsapi.NewError(http.StatusBadRequest, "com.amazonaws.sqs#"+shape, format, args...)
	e.QueryCode = queryCode
	return e
}

func errQueueDoesNotExist() *awsapi.Error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func errQueueNameExists(attr string) *awsapi.Error {
	return sqsError("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute %s", attr)
}

func errInvalidParameterValue(format string, args ...any) *awsapi.Error {
	return sqsError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

// errInvalidParam is AWS's InvalidParameterValue of one parameter.
func errInvalidParam(name string, value any, reason string) *awsapi.Error {
	return errInvalidParameterValue("Value %v for parameter %s is invalid. Reason: %s", value, name, reason)
}

func errMissingParameter(name string) *awsapi.Error {
	return sqsError("MissingParameter", "MissingParameter", "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) *awsapi.Error {
	return sqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(name string) *awsapi.Error {
	return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func errReceiptHandleIsInvalid(handle string) *awsapi.Error {
	return sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

func errMessageNotInflight() *awsapi.Error {
	return sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight.")
}

func errInvalidMessageContents() *awsapi.Error {
	return sqsError("InvalidMessageContents", "InvalidMessageContents", "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")
}

func errTooManyEntries(n int) *awsapi.Error {
	return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are %d. You have sent %d.", maxBatchEntries, n)
}

func errEmptyBatch(entry string) *awsapi.Error {
	return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one %s in the request.", entry)
}

func errBatchIDsNotDistinct(id string) *awsapi.Error {
	return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
}

func errInvalidBatchEntryID() *awsapi.Error {
	return sqsError("InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.")
}

func errBatchRequestTooLong(n int) *awsapi.Error {
	return sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than %d bytes. You have sent %d bytes.", maxMessageSize, n)
}

func errPurgeInProgress(name string) *awsapi.Error {
	return sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", "Only one PurgeQueue operation on %s is allowed every 60 seconds.", name)
}

func errInvalidAddress(addr string) *awsapi.Error {
	return sqsError("InvalidAddress", "InvalidAddress", "The address %s is not valid for this endpoint.", addr)
}

// errInvalidAction answers a query Action SQS does not serve.
func errInvalidAction(action string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this endpoint.", action)
}
