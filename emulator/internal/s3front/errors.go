package s3front

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"

	"github.com/johannesboyne/gofakes3"
)

// s3Error is an S3 error answered by Front itself, rendered as S3's XML
// error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
type s3Error struct {
	Status  int
	Code    string
	Message string
	// Resource, when set, is reported in the <Resource> element.
	Resource string
	// extra are the elements particular to the code.
	extra []xmlElement
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
	return knownError(0, "IncompleteBody", "")
}

func errRequestTimeout() *s3Error {
	return knownError(0, "RequestTimeout", "")
}

func errEntityTooLarge() *s3Error {
	return knownError(0, "EntityTooLarge", "")
}

func errNotImplemented(what string) *s3Error {
	return newError(http.StatusNotImplemented, "NotImplemented", "A header or query you provided implies functionality that is not implemented: %s", what)
}

// errBadChunk reports malformed aws-chunked framing. S3 documents no code for
// it; InvalidRequest (400) is what we chose.
func errBadChunk(format string, args ...any) *s3Error {
	return newError(http.StatusBadRequest, "InvalidRequest", "Malformed aws-chunked encoding: "+format, args...)
}

// errInvalidChunkSize is S3's answer to an aws-chunked chunk smaller than
// minChunkSize followed by another with data: found reading the header of
// chunk number chunk (from 1), whose predecessor had size bytes.
func errInvalidChunkSize(chunk int, size uint64) *s3Error {
	e := newError(http.StatusBadRequest, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than %d bytes", minChunkSize)
	e.extra = []xmlElement{
		{XMLName: xml.Name{Local: "Chunk"}, Value: strconv.Itoa(chunk)},
		{XMLName: xml.Name{Local: "BadChunkSize"}, Value: strconv.FormatUint(size, 10)},
	}
	return e
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

// xmlError is S3's XML error document.
type xmlError struct {
	XMLName  xml.Name `xml:"Error"`
	Code     string
	Message  string
	Resource string `xml:",omitempty"`
	// Extra holds the elements particular to a code (Key, BucketName,
	// ArgumentName, ...), in order.
	Extra     []xmlElement `xml:",any"`
	RequestID string       `xml:"RequestId"`
	HostID    string       `xml:"HostId"`
}

// xmlElement is one text element of an error document.
type xmlElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// awsError is the status and message S3 answers with an error code.
type awsError struct {
	status  int
	message string
}

// awsErrors holds S3's status and wording for the error codes that Front or
// gofakes3 answer (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
// messages as S3 sends them).
var awsErrors = map[string]awsError{
	"AccessDenied":                            {http.StatusForbidden, "Access Denied"},
	"BadDigest":                               {http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."},
	"BucketAlreadyExists":                     {http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
	"BucketAlreadyOwnedByYou":                 {http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	"BucketNotEmpty":                          {http.StatusConflict, "The bucket you tried to delete is not empty"},
	"ConditionalRequestConflict":              {http.StatusConflict, "A conflicting conditional operation is currently in progress against this resource. Try again."},
	"EntityTooLarge":                          {http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size"},
	"EntityTooSmall":                          {http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	"IllegalVersioningConfigurationException": {http.StatusBadRequest, "The versioning configuration specified in the request is invalid."},
	"IncompleteBody":                          {http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	"InternalError":                           {http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	"InvalidArgument":                         {http.StatusBadRequest, "Invalid Argument"},
	"InvalidBucketName":                       {http.StatusBadRequest, "The specified bucket is not valid."},
	"InvalidDigest":                           {http.StatusBadRequest, "The Content-MD5 you specified is not valid."},
	"InvalidPart":                             {http.StatusBadRequest, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	"InvalidPartOrder":                        {http.StatusBadRequest, "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
	"InvalidRange":                            {http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"},
	"InvalidRequest":                          {http.StatusBadRequest, "Invalid Request"},
	"InvalidToken":                            {http.StatusBadRequest, "The provided token is malformed or otherwise invalid."},
	"InvalidURI":                              {http.StatusBadRequest, "Couldn't parse the specified URI."},
	"KeyTooLongError":                         {http.StatusBadRequest, "Your key is too long"},
	"MalformedPOSTRequest":                    {http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data."},
	"MalformedXML":                            {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"},
	"MetadataTooLarge":                        {http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size."},
	"MethodNotAllowed":                        {http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	"MissingContentLength":                    {http.StatusLengthRequired, "You must provide the Content-Length HTTP header."},
	"NoSuchBucket":                            {http.StatusNotFound, "The specified bucket does not exist"},
	"NoSuchKey":                               {http.StatusNotFound, "The specified key does not exist."},
	"NoSuchUpload":                            {http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
	"NoSuchVersion":                           {http.StatusNotFound, "The specified version does not exist."},
	"NotFound":                                {http.StatusNotFound, "Not Found"},
	"NotImplemented":                          {http.StatusNotImplemented, "A header you provided implies functionality that is not implemented."},
	"PreconditionFailed":                      {http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"},
	"RequestTimeTooSkewed":                    {http.StatusForbidden, "The difference between the request time and the current time is too large."},
	"RequestTimeout":                          {http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."},
	"ServiceUnavailable":                      {http.StatusServiceUnavailable, "Please reduce your request rate."},
	"TooManyBuckets":                          {http.StatusBadRequest, "You have attempted to create more buckets than allowed."},
}

// knownError returns the error S3 answers for code. status and msg are what
// gofakes3 (or a caller) chose: S3's status replaces status for a code in
// awsErrors, and S3's wording replaces a msg that is empty, the bare code,
// or gofakes3's canned text for it; a specific message is kept.
func knownError(status int, code, msg string) *s3Error {
	ae, ok := awsErrors[code]
	if ok {
		status = ae.status
		if msg == "" || msg == code || msg == gofakes3.ErrorCode(code).Message() {
			msg = ae.message
		}
	}
	if status < 400 {
		status = http.StatusInternalServerError
	}
	if msg == "" {
		msg = code
	}
	return &s3Error{Status: status, Code: code, Message: msg}
}

// codeForStatus is the code of an error response that carried none (a HEAD
// response, or a body that is not an S3 error document).
func codeForStatus(status int) string {
	switch status {
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusMethodNotAllowed:
		return "MethodNotAllowed"
	case http.StatusLengthRequired:
		return "MissingContentLength"
	case http.StatusPreconditionFailed:
		return "PreconditionFailed"
	case http.StatusRequestedRangeNotSatisfiable:
		return "InvalidRange"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	if status/100 == 4 {
		return "InvalidRequest"
	}
	return "InternalError"
}
