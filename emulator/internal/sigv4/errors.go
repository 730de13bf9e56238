package sigv4

import (
	"fmt"
	"time"
)

// Kind classifies why a request was not authenticated; each service
// answers its own code for it.
type Kind int

// Kinds of Error.
const (
	// Missing: no Authorization header and no presigned parameters.
	Missing Kind = iota + 1
	// Malformed: an Authorization header (or its dates) that cannot be
	// parsed, or a request S3 requires more of (x-amz-content-sha256).
	Malformed
	// BadQuery: presigned parameters missing or invalid.
	BadQuery
	// Ambiguous: both an Authorization header and presigned parameters.
	Ambiguous
	// Unsupported: SigV2 or SigV4A.
	Unsupported
	// UnknownKey: the access key is not among the accepted ones.
	UnknownKey
	// BadToken: the session token is missing or not the key's.
	BadToken
	// Mismatch: the signature (or a chunk's) is not the one computed.
	Mismatch
	// Skewed: the request time is more than MaxSkew from the clock.
	Skewed
	// Expired: a presigned URL past X-Amz-Date + X-Amz-Expires.
	Expired
	// NotYetValid: a presigned URL whose X-Amz-Date is more than MaxSkew
	// ahead of the clock.
	NotYetValid
)

// Error is a failed verification.
type Error struct {
	Kind    Kind
	Message string // detail for Malformed, BadQuery, Ambiguous, Unsupported
	// AccessKeyID is the key the request claimed, if it got that far.
	AccessKeyID string
	// Mismatch: what was computed and what was sent (S3 reports them).
	StringToSign, CanonicalRequest, SignatureProvided string
	// Skewed, Expired, NotYetValid: the request's time and the clock's.
	RequestTime, ServerTime time.Time
	// Expired: X-Amz-Expires.
	Expires time.Duration

	missingPayloadHash bool
}

// MissingPayloadHash reports an S3 request without x-amz-content-sha256.
func (e *Error) MissingPayloadHash() bool { return e.missingPayloadHash }

func (e *Error) Error() string {
	switch e.Kind {
	case Missing:
		return "sigv4: request is not signed"
	case UnknownKey:
		return fmt.Sprintf("sigv4: unknown access key %q", e.AccessKeyID)
	case BadToken:
		return "sigv4: invalid session token"
	case Mismatch:
		return "sigv4: signature does not match"
	case Skewed:
		return fmt.Sprintf("sigv4: request time %s too far from %s", e.RequestTime.Format(TimeFormat), e.ServerTime.Format(TimeFormat))
	case Expired:
		return "sigv4: presigned URL has expired"
	case NotYetValid:
		return "sigv4: presigned URL is not valid yet"
	}
	return "sigv4: " + e.Message
}

// SkewMessage is the message of the JSON and query services for a
// Skewed (or Expired, NotYetValid) error: "Signature expired: … is now
// earlier than … (… - 15 min.)" or "Signature not yet current: … is
// still later than … (… + 15 min.)".
func (e *Error) SkewMessage() string {
	req, now := e.RequestTime.UTC(), e.ServerTime.UTC()
	switch {
	case e.Kind == Expired:
		return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)", req.Add(e.Expires).Format(TimeFormat), now.Format(TimeFormat), now.Format(TimeFormat), minutes(0))
	case req.After(now):
		return fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)", req.Format(TimeFormat), now.Add(MaxSkew).Format(TimeFormat), now.Format(TimeFormat), minutes(MaxSkew))
	}
	return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)", req.Format(TimeFormat), now.Add(-MaxSkew).Format(TimeFormat), now.Format(TimeFormat), minutes(MaxSkew))
}

func minutes(d time.Duration) string { return fmt.Sprintf("%d min", int(d/time.Minute)) }
