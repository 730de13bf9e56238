package emulator

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/sigv4"
)

// Credentials is a key pair WithAuth accepts: requests signed with
// AccessKeyID must be signed with SecretAccessKey, and carry
// SessionToken (X-Amz-Security-Token) when it is set.
type Credentials = sigv4.Credentials

// WithAuth makes the emulator verify the AWS Signature Version 4 of
// every request (AWS4-HMAC-SHA256 Authorization headers and presigned
// URLs; SigV4A and SigV2 are refused) against creds, by default the pair
// DefaultAccessKeyID / DefaultSecretAccessKey. Requests are checked with
// each service's rules and refused with its errors: S3's XML
// (AccessDenied for unsigned requests, InvalidAccessKeyId,
// SignatureDoesNotMatch, RequestTimeTooSkewed, "Request has expired"),
// the JSON services' (MissingAuthenticationTokenException,
// UnrecognizedClientException, InvalidSignatureException) and the query
// services' (MissingAuthenticationToken, InvalidClientTokenId,
// SignatureDoesNotMatch). A request time more than 15 minutes from the
// emulator's clock is refused. The chunk signatures of aws-chunked S3
// uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) are verified too.
//
// What stays open: GET HealthPath (for readiness probes), SNS's signing
// certificate and the unsigned SubscribeURL and UnsubscribeURL links of
// its messages (ConfirmSubscription, Unsubscribe), as on AWS. FlushPath
// needs a signature (any service name in its scope, e.g. "firetrail").
func WithAuth(creds ...Credentials) Option {
	if len(creds) == 0 {
		creds = []Credentials{{AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey}}
	}
	keys := sigv4.NewKeys(creds...)
	return func(s *settings) { s.auth = keys }
}

// LoadCredentials reads an AWS shared credentials file: every profile's
// aws_access_key_id and aws_secret_access_key (and aws_session_token)
// is a key pair for WithAuth.
func LoadCredentials(path string) ([]Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	defer f.Close()
	creds, err := sigv4.ParseCredentialsFile(f)
	if err != nil {
		return nil, fmt.Errorf("credentials %s: %w", path, err)
	}
	return creds, nil
}

// verifier is the signature verifier of WithAuth, nil without it.
func (e *Emulator) verifier() *sigv4.Verifier {
	if e.opts.auth == nil {
		return nil
	}
	return &sigv4.Verifier{Keys: e.opts.auth, Now: e.clock.Now}
}

// authenticate verifies a request of the JSON or query services (or the
// control endpoint) whose body is body. nil without WithAuth.
func (e *Emulator) authenticate(r *http.Request, body []byte) error {
	v := e.verifier()
	if v == nil {
		return nil
	}
	_, err := v.Verify(r, body)
	return err
}

// Messages of the JSON and query services' authentication errors.
const (
	msgInvalidToken = "The security token included in the request is invalid."
	msgSignature    = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)

// jsonAuthError is the answer of a JSON service to a failed
// verification. queryCompatible (SQS) adds the query protocol's code,
// sent as x-amzn-query-error.
func jsonAuthError(err error, queryCompatible bool) *awsapi.Error {
	ve, ok := errors.AsType[*sigv4.Error](err)
	if !ok {
		return awsapi.InternalFailure()
	}
	var ae *awsapi.Error
	switch ve.Kind {
	case sigv4.Missing:
		ae = awsapi.NewError(http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
	case sigv4.UnknownKey, sigv4.BadToken:
		ae = awsapi.NewError(http.StatusBadRequest, "UnrecognizedClientException", msgInvalidToken)
	case sigv4.Mismatch:
		ae = awsapi.NewError(http.StatusBadRequest, "InvalidSignatureException", msgSignature)
	case sigv4.Skewed, sigv4.Expired, sigv4.NotYetValid:
		ae = awsapi.NewError(http.StatusBadRequest, "InvalidSignatureException", "%s", ve.SkewMessage())
	default:
		ae = awsapi.NewError(http.StatusBadRequest, "IncompleteSignatureException", "%s", incompleteMessage(ve))
	}
	if queryCompatible {
		ae.QueryCode = queryAuthError(err).Code
	}
	return ae
}

// queryAuthError is the answer of a query service to a failed
// verification.
func queryAuthError(err error) *awsapi.Error {
	ve, ok := errors.AsType[*sigv4.Error](err)
	if !ok {
		return awsapi.InternalFailure()
	}
	switch ve.Kind {
	case sigv4.Missing:
		return awsapi.NewError(http.StatusForbidden, "MissingAuthenticationToken", "Request is missing Authentication Token")
	case sigv4.UnknownKey, sigv4.BadToken:
		return awsapi.NewError(http.StatusForbidden, "InvalidClientTokenId", msgInvalidToken)
	case sigv4.Mismatch:
		return awsapi.NewError(http.StatusForbidden, "SignatureDoesNotMatch", msgSignature)
	case sigv4.Skewed, sigv4.Expired, sigv4.NotYetValid:
		return awsapi.NewError(http.StatusForbidden, "SignatureDoesNotMatch", "%s", ve.SkewMessage())
	}
	return awsapi.NewError(http.StatusBadRequest, "IncompleteSignature", "%s", incompleteMessage(ve))
}

func incompleteMessage(ve *sigv4.Error) string {
	if ve.Message != "" {
		return ve.Message
	}
	return "The request signature does not conform to AWS standards."
}

// maxControlBody bounds the body of a control request read to verify
// its signature.
const maxControlBody = 1 << 20

// controlAuth verifies a control request (all but GET/HEAD of
// HealthPath); on failure it answers and returns false.
func (e *Emulator) controlAuth(w http.ResponseWriter, r *http.Request) bool {
	if e.opts.auth == nil || (r.URL.Path == HealthPath && (r.Method == http.MethodGet || r.Method == http.MethodHead)) {
		return true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		awsapi.WriteError(w, e.ids.UUID(), awsapi.NewError(http.StatusRequestEntityTooLarge, "SerializationException", "Request body is larger than %d bytes", maxControlBody))
		return false
	}
	if err := e.authenticate(r, body); err != nil {
		awsapi.WriteError(w, e.ids.UUID(), jsonAuthError(err, false))
		return false
	}
	return true
}
