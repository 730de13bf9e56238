package sns

import (
	"net/http"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// SNS's errors (the query codes of the model's awsQueryError traits).

// invalidParameter is InvalidParameter: "Invalid parameter: <what>".
func invalidParameter(what string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidParameter", "Invalid parameter: %s", what)
}

// invalidParameterValue is InvalidParameterValueException, whose query
// code is ParameterValueInvalid.
func invalidParameterValue(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ParameterValueInvalid", format, args...)
}

func topicNotFound() *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "NotFound", "Topic does not exist")
}

func subscriptionNotFound() *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "NotFound", "Subscription does not exist")
}

func resourceNotFound() *awsapi.Error {
	return awsapi.NewError(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
}

func authorizationError(cc *awsapi.Call, action, resource string) *awsapi.Error {
	who := "arn:aws:iam::" + cc.Account + ":root"
	if cc.Identity.ARN != "" {
		who = cc.Identity.ARN
	}
	return awsapi.NewError(http.StatusForbidden, "AuthorizationError", "User: %s is not authorized to perform: SNS:%s on resource: %s", who, action, resource)
}

func invalidAction(action string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidAction", "The action %s is not valid for this endpoint.", action)
}

func tagLimitExceeded() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
}

func emptyBatch() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "EmptyBatchRequest", "The batch request doesn't contain any entries.")
}

func tooManyEntries() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
}

func batchIDsNotDistinct() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
}

func invalidBatchEntryID() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.")
}

func batchTooLong() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "BatchRequestTooLong", "The length of all the messages put together is more than the limit.")
}

func errClosed() *awsapi.Error {
	return awsapi.NewError(http.StatusServiceUnavailable, "ServiceUnavailable", "The service is shutting down.")
}
