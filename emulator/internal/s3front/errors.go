package s3front

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// s3Error is an S3 error answered by Front itself, rendered as S3's XML
// error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
type s3Error struct {
	Status  int
	Code    string
	Message string
	// Resource, when set, is reported in the <Resource> element.
	Resource string
}

func (e *s3Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the S3 error code, as gofakes3.Error does.
func (e *s3Error) ErrorCode() string { return e.Code }

// ErrorMessage returns the S3 error message.
func (e *s3Error) ErrorMessage() string { return e.Message }

func newError(status int, code, format string, args ...any) *s3Error {
	return &s3Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Errors used in several places. Codes and messages follow S3; where S3 is
// vague (framing errors inside aws-chunked bodies) the choice is noted.
func errIncompleteBody() *s3Error {
	return newError(http.StatusBadRequest, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
}

func errRequestTimeout() *s3Error {
	return newError(http.StatusBadRequest, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

func errEntityTooLarge() *s3Error {
	return newError(http.StatusBadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
}

func errNotImplemented(what string) *s3Error {
	return newError(http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented: %s", what)
}

// errBadChunk reports malformed aws-chunked framing. S3 documents no code for
// it; InvalidRequest (400) is what we chose.
func errBadChunk(format string, args ...any) *s3Error {
	return newError(http.StatusBadRequest, "InvalidRequest", "Malformed aws-chunked encoding: "+format, args...)
}

func errMalformedTrailer() *s3Error {
	return newError(http.StatusBadRequest, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.")
}

// errBadDigest is S3's answer to a checksum that does not match the body.
func errBadDigest(what string) *s3Error {
	return newError(http.StatusBadRequest, "BadDigest", "The %s you specified did not match the calculated checksum.", what)
}

func errInvalidChecksumValue(header string, trailing bool) *s3Error {
	where := "header"
	if trailing {
		where = "trailing header"
	}
	return newError(http.StatusBadRequest, "InvalidRequest", "Value for %s %s is invalid.", header, where)
}

type xmlError struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Resource  string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// writeError renders e as S3 XML (no body for HEAD).
func writeError(w http.ResponseWriter, r *http.Request, e *s3Error, requestID string) {
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	body, err := xml.Marshal(xmlError{Code: e.Code, Message: e.Message, Resource: e.Resource, RequestID: requestID, HostID: hostID(requestID)})
	if err != nil {
		body = []byte("<Error><Code>InternalError</Code></Error>")
	}
	h.Set("Content-Length", fmt.Sprint(len(xml.Header)+len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
