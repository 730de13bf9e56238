package firehose

import (
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// The Firehose API's error table (REFERENCE.md §3.2, §3.8): 400 unless a
// server fault.

func errFirehoseNotFound(name, account string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "Firehose %s under account %s not found.", name, account)
}

func errFirehoseInUse(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceInUseException", format, args...)
}

func errInvalidArgument(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidArgumentException", format, args...)
}

func errLimitExceeded(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "LimitExceededException", format, args...)
}

func errConcurrentModification(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ConcurrentModificationException", format, args...)
}

func errInvalidKMSResource(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidKMSResourceException", format, args...)
}

// errNotActive refuses a change to a stream that is CREATING or DELETING.
func errNotActive(k streamKey, status types.DeliveryStreamStatus) *awsapi.Error {
	return errFirehoseInUse("Firehose %s under account %s is %s; it must be ACTIVE for this operation.", k.name, k.account, status)
}

// errValidation is the ValidationException of a request that breaks the
// API model's constraints (schemas.ValidateFirehoseRequest).
func errValidation(message string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "ValidationException", "%s", message)
}
