package awsapi

import "github.com/firetrail/firetrail/schemas"

// Call is what a handler knows of a request beyond its body.
type Call struct {
	// RequestID is the x-amzn-RequestId of the answer and the requestID
	// of the call's CloudTrail record.
	RequestID string
	// Region is the region of the SigV4 credential scope, or the
	// emulator's when the scope names none that schemas.ValidRegion
	// accepts.
	Region string
	// Account is the caller's account: the owner of what the call touches.
	Account string
	// Identity is the userIdentity of the call's CloudTrail record.
	Identity schemas.UserIdentity
	// SourceIP and UserAgent are the sourceIPAddress and userAgent of the
	// record.
	SourceIP, UserAgent string
	// TLS describes the connection; nil over plain HTTP.
	TLS *TLSInfo
	// Host is the Host header the client sent.
	Host string
	// Anonymous is set for a request without SigV4 credentials: Identity
	// is then the emulator's default caller.
	Anonymous bool
}

// TLSInfo is the tlsDetails of a call over TLS.
type TLSInfo struct {
	Version, CipherSuite string
}

// TLSDetails returns the tlsDetails element of the call's record, or nil
// over plain HTTP. defaultHost stands in for a missing Host header.
func (c *Call) TLSDetails(defaultHost string) *schemas.TLSDetails {
	if c.TLS == nil {
		return nil
	}
	host := c.Host
	if host == "" {
		host = defaultHost
	}
	return &schemas.TLSDetails{TLSVersion: c.TLS.Version, CipherSuite: c.TLS.CipherSuite, ClientProvidedHostHeader: host}
}

// BaseURL is the scheme and host the client called, as it sent them
// (http://127.0.0.1:4599): the base of the URLs an answer hands back, such
// as SQS queue URLs.
func (c *Call) BaseURL() string {
	scheme := "http"
	if c.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Host
}

// MessageAttribute is a message attribute of SQS and SNS: a DataType
// ("String", "Number", "Binary", optionally with a ".custom" suffix) and
// a string or binary value.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}
