package awsapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is the one AWS error type at the HTTP edge of the JSON and query
// APIs (CloudTrail, Firehose, SQS, SNS). Each service package has its own
// table of constructors (its errors.go).
type Error struct {
	// Code is the error code of the JSON protocols' __type, e.g.
	// "ResourceNotFoundException" or SQS's "com.amazonaws.sqs#QueueDoesNotExist"
	// (clients drop what comes before '#').
	Code    string
	Message string
	Status  int
	// QueryCode is the code of the query protocol when it differs from
	// Code (SQS: "AWS.SimpleQueueService.NonExistentQueue"). JSON 1.0
	// answers of a query-compatible service send it in the
	// x-amzn-query-error header, so that SDKs report the legacy code.
	QueryCode string
}

// Error implements error.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code, as smithy-go's APIError does.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage returns the AWS error message.
func (e *Error) ErrorMessage() string { return e.Message }

// NewError returns an error with an AWS code and a formatted message.
func NewError(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// UnknownOperation is the answer to an X-Amz-Target no service knows.
func UnknownOperation(target string) *Error {
	return NewError(http.StatusBadRequest, "UnknownOperationException", "Unknown operation %s", target)
}

// Serialization is the answer to a body that cannot be read as the
// operation's input.
func Serialization(format string, args ...any) *Error {
	return NewError(http.StatusBadRequest, "SerializationException", format, args...)
}

// InternalFailure is the answer to a server fault; its detail is only
// logged.
func InternalFailure() *Error {
	return NewError(http.StatusInternalServerError, "InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
}

// Throttling is the answer to a call over its rate limit.
func Throttling() *Error {
	return NewError(http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
}

// AsError returns err as an *Error; anything else becomes an
// InternalFailure (its detail is for the log only).
func AsError(err error) *Error {
	if ae, ok := errors.AsType[*Error](err); ok {
		return ae
	}
	return InternalFailure()
}

// Content types of the AWS JSON protocols.
const (
	JSON10 = "application/x-amz-json-1.0"
	JSON11 = "application/x-amz-json-1.1"
)

// WriteJSON writes a JSON 1.1 success response.
func WriteJSON(w http.ResponseWriter, reqID string, body []byte) {
	WriteJSONAs(w, reqID, JSON11, body)
}

// WriteJSONAs writes a success response of the JSON protocol whose
// content type is contentType (JSON10 or JSON11).
func WriteJSONAs(w http.ResponseWriter, reqID, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("x-amzn-RequestId", reqID)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// WriteError writes e in the JSON 1.1 error shape:
// {"__type":"Code","message":"…"} plus X-Amzn-ErrorType.
func WriteError(w http.ResponseWriter, reqID string, e *Error) {
	WriteErrorAs(w, reqID, JSON11, e)
}

// WriteErrorAs writes e in the error shape of the JSON protocol whose
// content type is contentType; with a QueryCode, also the
// x-amzn-query-error header ("Code;Sender" or "Code;Receiver").
func WriteErrorAs(w http.ResponseWriter, reqID, contentType string, e *Error) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("x-amzn-RequestId", reqID)
	h.Set("X-Amzn-ErrorType", e.Code)
	if e.QueryCode != "" {
		h.Set("x-amzn-query-error", e.QueryCode+";"+e.faultType())
	}
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// faultType is the query protocol's Type of e: who is at fault.
func (e *Error) faultType() string {
	if e.Status >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// CheckJSONRequest checks method and content type of a JSON 1.1 request.
func CheckJSONRequest(r *http.Request) *Error {
	if r.Method != http.MethodPost {
		return Serialization("JSON 1.1 requests must use POST, not %s", r.Method)
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	switch strings.TrimSpace(strings.ToLower(ct)) {
	case "application/x-amz-json-1.1", "application/x-amz-json-1.0", "application/json":
		return nil
	}
	return Serialization("Unsupported Content-Type %q: expected application/x-amz-json-1.1", ct)
}

// DecodeBody decodes a JSON 1.1 request body into v: an empty body means {}.
func DecodeBody(body []byte, v any) *Error {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Serialization("Unexpected value for member %s: %s", te.Field, te.Value)
		}
		return Serialization("Malformed JSON request body: %v", err)
	}
	return nil
}
