package firehose

import (
	"net/http"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/schemas"
)

// apiError answers e, an entry of the Firehose error table
// (schemas.FirehoseError, shared with the generator): HTTP 400, or 500 for
// a server fault.
func apiError(e schemas.FirehoseError) *awsapi.Error {
	status := http.StatusBadRequest
	if e.Fault() {
		status = http.StatusInternalServerError
	}
	return awsapi.NewError(status, e.Code, "%s", e.Message)
}

// errNotActive refuses a change to a stream that is CREATING or DELETING.
func errNotActive(k streamKey, status string) *awsapi.Error {
	return apiError(schemas.FirehoseNotActive(k.name, k.account, status))
}
