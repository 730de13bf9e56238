package schemas

import (
	"encoding/json"
	"fmt"
	"time"
)

// Record is one CloudTrail record. Fields are declared in the order AWS
// writes them (AWS's documented sample records); AppendJSON and encoding/json
// (with HTML escaping off) produce the same bytes for it.
//
// Absent and null are distinct: RequestParameters and ResponseElements are
// always written (nil is written as null); every other optional field is
// omitted when it holds its zero value.
type Record struct {
	EventVersion      string          `json:"eventVersion"`
	UserIdentity      UserIdentity    `json:"userIdentity"`
	EventTime         time.Time       `json:"eventTime"`
	EventSource       string          `json:"eventSource"`
	EventName         string          `json:"eventName"`
	AWSRegion         string          `json:"awsRegion"`
	SourceIPAddress   string          `json:"sourceIPAddress"`
	UserAgent         string          `json:"userAgent,omitempty"`
	ErrorCode         string          `json:"errorCode,omitempty"`
	ErrorMessage      string          `json:"errorMessage,omitempty"`
	RequestParameters json.RawMessage `json:"requestParameters"`
	ResponseElements  json.RawMessage `json:"responseElements"`
	// AdditionalEventData is omitted when nil.
	AdditionalEventData json.RawMessage `json:"additionalEventData,omitempty"`
	RequestID           string          `json:"requestID,omitempty"`
	EventID             string          `json:"eventID,omitempty"`
	// ReadOnly is omitted when unset (records before eventVersion 1.01).
	ReadOnly             OptBool         `json:"readOnly,omitempty"`
	Resources            []Resource      `json:"resources,omitempty"`
	EventType            string          `json:"eventType,omitempty"`
	APIVersion           string          `json:"apiVersion,omitempty"`
	ManagementEvent      OptBool         `json:"managementEvent,omitempty"`
	RecipientAccountID   string          `json:"recipientAccountId,omitempty"`
	ServiceEventDetails  json.RawMessage `json:"serviceEventDetails,omitempty"`
	SharedEventID        string          `json:"sharedEventID,omitempty"`
	VPCEndpointID        string          `json:"vpcEndpointId,omitempty"`
	VPCEndpointAccountID string          `json:"vpcEndpointAccountId,omitempty"`
	EventCategory        string          `json:"eventCategory,omitempty"`
	Addendum             *Addendum       `json:"addendum,omitempty"`
	TLSDetails           *TLSDetails     `json:"tlsDetails,omitempty"`
	// SessionCredentialFromConsole is the string "true" when set; AWS writes
	// it as a string, not a boolean.
	SessionCredentialFromConsole string `json:"sessionCredentialFromConsole,omitempty"`
}

// DataEvent reports whether r is a data event (eventCategory "Data", or
// managementEvent false), such as Firehose's PutRecord and PutRecordBatch:
// a trail logs it only with a data-event selector, and LookupEvents never
// shows it.
func (r *Record) DataEvent() bool {
	return r.EventCategory == "Data" || r.ManagementEvent == BoolFalse
}

// Resource is one element of a record's resources array.
type Resource struct {
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type,omitempty"`
	ARN       string `json:"ARN,omitempty"`
}

// Addendum explains why a record was delivered late or updated.
type Addendum struct {
	Reason            string `json:"reason,omitempty"`
	UpdatedFields     string `json:"updatedFields,omitempty"`
	OriginalRequestID string `json:"originalRequestID,omitempty"`
	OriginalEventID   string `json:"originalEventID,omitempty"`
}

// TLSDetails describes the TLS connection of the call.
type TLSDetails struct {
	TLSVersion               string `json:"tlsVersion,omitempty"`
	CipherSuite              string `json:"cipherSuite,omitempty"`
	ClientProvidedHostHeader string `json:"clientProvidedHostHeader,omitempty"`
	KeyExchange              string `json:"keyExchange,omitempty"`
}

// Identity types a userIdentity.type can hold (AWS CloudTrail User Guide,
// userIdentity element).
const (
	IdentityRoot               = "Root"
	IdentityIAMUser            = "IAMUser"
	IdentityAssumedRole        = "AssumedRole"
	IdentityRole               = "Role"
	IdentityFederatedUser      = "FederatedUser"
	IdentityDirectory          = "Directory"
	IdentityAWSAccount         = "AWSAccount"
	IdentityAWSService         = "AWSService"
	IdentityIdentityCenterUser = "IdentityCenterUser"
	IdentityUnknown            = "Unknown"
	IdentitySAMLUser           = "SAMLUser"
	IdentityWebIdentityUser    = "WebIdentityUser"
)

// IdentityTypes lists every userIdentity type CloudTrail documents.
var IdentityTypes = []string{
	IdentityRoot, IdentityIAMUser, IdentityAssumedRole, IdentityRole,
	IdentityFederatedUser, IdentityDirectory, IdentityAWSAccount,
	IdentityAWSService, IdentityIdentityCenterUser, IdentityUnknown,
	IdentitySAMLUser, IdentityWebIdentityUser,
}

// UserIdentity is a record's userIdentity element. Fields are in the order
// AWS writes them; empty fields are omitted.
type UserIdentity struct {
	Type              string             `json:"type,omitempty"`
	PrincipalID       string             `json:"principalId,omitempty"`
	ARN               string             `json:"arn,omitempty"`
	AccountID         string             `json:"accountId,omitempty"`
	AccessKeyID       string             `json:"accessKeyId,omitempty"`
	UserName          string             `json:"userName,omitempty"`
	SessionContext    *SessionContext    `json:"sessionContext,omitempty"`
	InvokedBy         string             `json:"invokedBy,omitempty"`
	InvokedByDelegate *InvokedByDelegate `json:"invokedByDelegate,omitempty"`
	OnBehalfOf        *OnBehalfOf        `json:"onBehalfOf,omitempty"`
	InScopeOf         *InScopeOf         `json:"inScopeOf,omitempty"`
	CredentialID      string             `json:"credentialId,omitempty"`
	IdentityProvider  string             `json:"identityProvider,omitempty"`
}

// SessionContext describes the temporary credentials of the caller.
type SessionContext struct {
	SessionIssuer *SessionIssuer `json:"sessionIssuer,omitempty"`
	// WebIDFederationData is written as {} when non-nil and empty, as AWS does.
	WebIDFederationData *WebIDFederationData `json:"webIdFederationData,omitempty"`
	Attributes          *SessionAttributes   `json:"attributes,omitempty"`
	SourceIdentity      string               `json:"sourceIdentity,omitempty"`
	EC2RoleDelivery     string               `json:"ec2RoleDelivery,omitempty"`
	AssumedRoot         string               `json:"assumedRoot,omitempty"`
	SignInSessionARN    string               `json:"signInSessionArn,omitempty"`
}

// SessionIssuer is the principal that issued temporary credentials. A
// non-nil empty issuer is written as {} (root console sessions).
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// WebIDFederationData names the identity provider of a web-identity session.
type WebIDFederationData struct {
	FederatedProvider string `json:"federatedProvider,omitempty"`
	// Attributes is a JSON object of provider claims, kept verbatim.
	Attributes json.RawMessage `json:"attributes,omitempty"`
}

// SessionAttributes are the creation date and MFA flag of a session; both are
// strings in CloudTrail ("2025-03-04T09:00:12Z", "false").
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated,omitempty"`
}

// InvokedByDelegate names the product provider with delegated access.
type InvokedByDelegate struct {
	AccountID string `json:"accountId,omitempty"`
}

// OnBehalfOf names the Identity Center user a call was made for.
type OnBehalfOf struct {
	UserID           string `json:"userId,omitempty"`
	IdentityStoreARN string `json:"identityStoreArn,omitempty"`
}

// InScopeOf describes the resource that credentials were issued to.
type InScopeOf struct {
	SourceARN           string `json:"sourceArn,omitempty"`
	SourceAccount       string `json:"sourceAccount,omitempty"`
	IssuerType          string `json:"issuerType,omitempty"`
	CredentialsIssuedTo string `json:"credentialsIssuedTo,omitempty"`
}

// OptBool is a JSON boolean that can be absent: the zero value is omitted
// (with omitempty), BoolFalse and BoolTrue encode as false and true.
type OptBool uint8

// The values of an OptBool.
const (
	BoolUnset OptBool = iota
	BoolFalse
	BoolTrue
)

// Bool returns the OptBool holding b.
func Bool(b bool) OptBool {
	if b {
		return BoolTrue
	}
	return BoolFalse
}

// Set reports whether b holds a value.
func (b OptBool) Set() bool { return b != BoolUnset }

// Value returns the boolean b holds (false when unset).
func (b OptBool) Value() bool { return b == BoolTrue }

// MarshalJSON writes true or false; an unset OptBool writes null, but
// records omit it before it gets here.
func (b OptBool) MarshalJSON() ([]byte, error) {
	switch b {
	case BoolTrue:
		return []byte("true"), nil
	case BoolFalse:
		return []byte("false"), nil
	}
	return []byte("null"), nil
}

// UnmarshalJSON reads true, false or null.
func (b *OptBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true":
		*b = BoolTrue
	case "false":
		*b = BoolFalse
	case "null":
		*b = BoolUnset
	default:
		return fmt.Errorf("schemas: cannot unmarshal %.20q into a boolean", data)
	}
	return nil
}
