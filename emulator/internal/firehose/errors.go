package firehose

import (
	"net/http"

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
