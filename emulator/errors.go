package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// apiError is the one AWS error type at the HTTP edge of the JSON 1.1 APIs
// (CloudTrail and Firehose). Each API has its own table of constructors
// (cloudtrail_errors.go, firehose_errors.go).
type apiError struct {
	Code    string
	Message string
	Status  int
}

// Error implements error.
func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code, as smithy-go's APIError does.
func (e *apiError) ErrorCode() string { return e.Code }

// ErrorMessage returns the AWS error message.
func (e *apiError) ErrorMessage() string { return e.Message }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// Errors shared by both JSON 1.1 APIs (common AWS errors).
func errUnknownOperation(target string) *apiError {
	return newAPIError(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", target)
}

func errSerialization(format string, args ...any) *apiError {
	return newAPIError(http.StatusBadRequest, "SerializationException", format, args...)
}

func errInternalFailure() *apiError {
	return newAPIError(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
}

func errThrottling() *apiError {
	return newAPIError(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
}

// asAPIError returns err as an *apiError; anything else becomes an
// InternalFailure (its detail is for the log only).
func asAPIError(err error) *apiError {
	if ae, ok := errors.AsType[*apiError](err); ok {
		return ae
	}
	return errInternalFailure()
}

// writeJSON writes a JSON 1.1 success response.
func writeJSON(w http.ResponseWriter, reqID string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// writeAPIError writes e in the JSON 1.1 error shape:
// {"__type":"Code","message":"…"} plus X-Amzn-ErrorType (REFERENCE.md §7.1).
func writeAPIError(w http.ResponseWriter, reqID string, e *apiError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.1")
	h.Set("x-amzn-RequestId", reqID)
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// checkJSONRequest checks method and content type of a JSON 1.1 request.
func checkJSONRequest(r *http.Request) *apiError {
	if r.Method != http.MethodPost {
		return errSerialization("JSON 1.1 requests must use POST, not %s", r.Method)
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json":
		return nil
	}
	return errSerialization("Unsupported Content-Type %q: expected application/x-amz-json-1.1", ct)
}

// decodeBody decodes a JSON 1.1 request body into v: an empty body means {}.
func decodeBody(body []byte, v any) *apiError {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errSerialization("Unexpected value for member %s: %s", te.Field, te.Value)
		}
		return errSerialization("Malformed JSON request body: %v", err)
	}
	return nil
}
