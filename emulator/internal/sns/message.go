package sns

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/schemas"
)

// SNS message types.
const (
	TypeNotification             = "Notification"
	TypeSubscriptionConfirmation = "SubscriptionConfirmation"
)

// timeFormat is the format of SNS envelope timestamps: UTC with ms.
const timeFormat = "2006-01-02T15:04:05.000Z"

// Envelope is an SNS message as POSTed to HTTP/HTTPS subscribers
// (Amazon SNS Developer Guide, HTTP/S notification JSON format). Empty
// optional fields (Subject, Token, SubscribeURL,
// UnsubscribeURL) are left out of the JSON where SNS leaves them out.
type Envelope struct {
	Type             string
	MessageID        string
	Token            string // SubscriptionConfirmation only
	TopicARN         string
	Subject          string // Notification only, if set
	Message          string
	SubscribeURL     string // SubscriptionConfirmation only
	Timestamp        time.Time
	SignatureVersion string // "1" (SHA1withRSA) or "2" (SHA256withRSA)
	Signature        string // base64
	SigningCertURL   string
	UnsubscribeURL   string // Notification only
	// MessageAttributes of a Notification, written after UnsubscribeURL
	// (names sorted) when there are any; not signed.
	MessageAttributes map[string]awsapi.MessageAttribute
}

// CloudTrailMessage returns the Message CloudTrail publishes for delivered
// log files (CloudTrail User Guide, SNS notifications):
// {"s3Bucket":…,"s3ObjectKey":[…]}, compact.
func CloudTrailMessage(bucket string, keys ...string) string {
	b := append([]byte(nil), `{"s3Bucket":`...)
	b = schemas.AppendString(b, bucket)
	b = append(b, `,"s3ObjectKey":[`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = schemas.AppendString(b, k)
	}
	return string(append(b, "]}"...))
}

// StringToSign returns the text the envelope's signature covers: for each
// signed field in alphabetical order, name, newline, value, newline. A
// Notification signs Message, MessageId, Subject (if set), Timestamp,
// TopicArn and Type; a SubscriptionConfirmation signs Message, MessageId,
// SubscribeURL, Timestamp, Token, TopicArn and Type.
func (m *Envelope) StringToSign() string {
	var b strings.Builder
	add := func(name, value string) {
		b.WriteString(name)
		b.WriteByte('\n')
		b.WriteString(value)
		b.WriteByte('\n')
	}
	ts := m.Timestamp.UTC().Format(timeFormat)
	add("Message", m.Message)
	add("MessageId", m.MessageID)
	if m.Type == TypeNotification {
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
	} else {
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", ts)
	if m.Type != TypeNotification {
		add("Token", m.Token)
	}
	add("TopicArn", m.TopicARN)
	add("Type", m.Type)
	return b.String()
}

// Sign sets Signature: SignatureVersion "1" (the default, set when empty)
// signs StringToSign with SHA1withRSA, "2" with SHA256withRSA, both
// PKCS#1 v1.5, base64-encoded.
func (m *Envelope) Sign(key *rsa.PrivateKey) error {
	if key == nil {
		return errors.New("sns: sign message: nil key")
	}
	if m.SignatureVersion == "" {
		m.SignatureVersion = "1"
	}
	var (
		h   crypto.Hash
		sum []byte
	)
	switch m.SignatureVersion {
	case "1":
		s := sha1.Sum([]byte(m.StringToSign()))
		h, sum = crypto.SHA1, s[:]
	case "2":
		s := sha256.Sum256([]byte(m.StringToSign()))
		h, sum = crypto.SHA256, s[:]
	default:
		return fmt.Errorf("sns: sign message: unknown signature version %q", m.SignatureVersion)
	}
	sig, err := rsa.SignPKCS1v15(nil, key, h, sum)
	if err != nil {
		return fmt.Errorf("sns: sign message: %w", err)
	}
	m.Signature = base64.StdEncoding.EncodeToString(sig)
	return nil
}

// JSON returns the envelope as SNS writes it: pretty-printed with two-space
// indents and " : " between names and values, fields in SNS's order.
func (m *Envelope) JSON() []byte {
	b := append([]byte(nil), "{\n"...)
	first := true
	add := func(name, value string) {
		if !first {
			b = append(b, ",\n"...)
		}
		first = false
		b = append(b, "  "...)
		b = schemas.AppendString(b, name)
		b = append(b, " : "...)
		b = schemas.AppendString(b, value)
	}
	ts := m.Timestamp.UTC().Format(timeFormat)
	add("Type", m.Type)
	add("MessageId", m.MessageID)
	if m.Type == TypeNotification {
		add("TopicArn", m.TopicARN)
		if m.Subject != "" {
			add("Subject", m.Subject)
		}
		add("Message", m.Message)
	} else {
		add("Token", m.Token)
		add("TopicArn", m.TopicARN)
		add("Message", m.Message)
		add("SubscribeURL", m.SubscribeURL)
	}
	add("Timestamp", ts)
	add("SignatureVersion", m.SignatureVersion)
	add("Signature", m.Signature)
	add("SigningCertURL", m.SigningCertURL)
	if m.Type == TypeNotification {
		add("UnsubscribeURL", m.UnsubscribeURL)
		if len(m.MessageAttributes) > 0 {
			b = append(b, ",\n  \"MessageAttributes\" : {"...)
			for i, name := range slices.Sorted(maps.Keys(m.MessageAttributes)) {
				if i > 0 {
					b = append(b, ',')
				}
				a := m.MessageAttributes[name]
				b = append(b, "\n    "...)
				b = schemas.AppendString(b, name)
				b = append(b, ` : {"Type":`...)
				b = schemas.AppendString(b, a.DataType)
				b = append(b, `,"Value":`...)
				b = schemas.AppendString(b, attributeValue(a))
				b = append(b, '}')
			}
			b = append(b, "\n  }"...)
		}
	}
	return append(b, "\n}"...)
}

// attributeValue is the Value of a message attribute in an envelope: the
// string, or the base64 of a binary value.
func attributeValue(a awsapi.MessageAttribute) string {
	if strings.HasPrefix(a.DataType, "Binary") {
		return base64.StdEncoding.EncodeToString(a.BinaryValue)
	}
	return a.StringValue
}
