package cloudtrail

import (
	"net/http"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// The CloudTrail API's errors (CloudTrail API model): all 400,
// with no members beyond the message.

func errInvalidLookupAttributes(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidLookupAttributesException", format, args...)
}

func errInvalidTimeRange(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidTimeRangeException", format, args...)
}

func errInvalidMaxResults() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidMaxResultsException", "MaxResults must be an integer between 1 and 50.")
}

func errInvalidNextToken() *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidNextTokenException", "Invalid NextToken: it must come from an earlier response to a request with the same parameters.")
}

func errInvalidEventCategory(v string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidEventCategoryException", "Invalid EventCategory %q: the only valid value is insight.", v)
}

func errTrailNotFound(name, account string) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "TrailNotFoundException", "Unknown trail: %s for the user: %s", name, account)
}

func errInvalidTrailName(format string, args ...any) *awsapi.Error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidTrailNameException", format, args...)
}
