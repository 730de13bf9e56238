package s3front

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// eventTimeFormat is the format of eventTime and of a test event's Time:
// UTC with milliseconds.
const eventTimeFormat = "2006-01-02T15:04:05.000Z"

// Defaults of Event fields left empty.
const (
	// DefaultEventPrincipalID is the writer of the trail's own objects
	// (Front.PutObject), as CloudTrail appears in S3 events.
	DefaultEventPrincipalID = "AWS:AROAFIRETRAILEXAMPLE:regionalDeliverySession"
	// DefaultEventSourceIP is the source address of the trail's own writes.
	DefaultEventSourceIP = "203.0.113.10"
	// DefaultEventOwnerID is the bucket owner's principal.
	DefaultEventOwnerID = "A1FIRETRAILOWNER"
	// DefaultEventConfigurationID names the configuration of an event built
	// without one.
	DefaultEventConfigurationID = "cloudtrail-logs"
)

// Event is one S3 event notification
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
// It is the one encoder of S3 event JSON in firetrail: Front uses it for
// bucket notification configurations, and the emulator for the S3 event
// endpoints of the trail's topic (WithS3Events).
type Event struct {
	Region    string
	Name      string // eventName without "s3:", e.g. "ObjectCreated:Put"; default ObjectCreated:Put
	EventTime time.Time
	Bucket    string
	Key       string // raw key; JSON URL-encodes it (EventKey)
	// Size and ETag (hex, without quotes) describe a created object; they
	// are left out of ObjectRemoved events, as S3 does.
	Size      int64
	ETag      string
	VersionID string // left out when empty (unversioned bucket)
	Sequencer string // default: derived from EventTime

	PrincipalID     string // default DefaultEventPrincipalID
	SourceIP        string // default DefaultEventSourceIP
	RequestID       string // default: from the sequencer
	HostID          string // default "firetrail/" + RequestID
	ConfigurationID string // default DefaultEventConfigurationID
	OwnerID         string // bucket owner's principal; default DefaultEventOwnerID
}

// EventKey URL-encodes an object key as S3 event notifications do: form
// encoding (spaces become "+") with "/" kept.
func EventKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// sequencer formats n as an S3 event sequencer: hex, fixed width, so that
// later events of a key compare greater as strings.
func sequencer(n uint64) string {
	return fmt.Sprintf("00%016X", n)
}

// JSON returns the notification {"Records":[{…}]}, compact, keys in the
// order S3 writes them.
func (e Event) JSON() []byte {
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	seq := e.Sequencer
	if seq == "" {
		seq = sequencer(uint64(e.EventTime.UnixNano()))
	}
	reqID := e.RequestID
	if reqID == "" {
		reqID = strings.ToUpper(seq[max(0, len(seq)-16):])
	}
	name := or(e.Name, "ObjectCreated:Put")
	str := schemas.AppendString
	b := make([]byte, 0, 640+len(e.Key)*3)
	b = append(b, `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":`...)
	b = str(b, e.Region)
	b = append(b, `,"eventTime":`...)
	b = str(b, e.EventTime.UTC().Format(eventTimeFormat))
	b = append(b, `,"eventName":`...)
	b = str(b, name)
	b = append(b, `,"userIdentity":{"principalId":`...)
	b = str(b, or(e.PrincipalID, DefaultEventPrincipalID))
	b = append(b, `},"requestParameters":{"sourceIPAddress":`...)
	b = str(b, or(e.SourceIP, DefaultEventSourceIP))
	b = append(b, `},"responseElements":{"x-amz-request-id":`...)
	b = str(b, reqID)
	b = append(b, `,"x-amz-id-2":`...)
	b = str(b, or(e.HostID, "firetrail/"+reqID))
	b = append(b, `},"s3":{"s3SchemaVersion":"1.0","configurationId":`...)
	b = str(b, or(e.ConfigurationID, DefaultEventConfigurationID))
	b = append(b, `,"bucket":{"name":`...)
	b = str(b, e.Bucket)
	b = append(b, `,"ownerIdentity":{"principalId":`...)
	b = str(b, or(e.OwnerID, DefaultEventOwnerID))
	b = append(b, `},"arn":`...)
	b = str(b, "arn:aws:s3:::"+e.Bucket)
	b = append(b, `},"object":{"key":`...)
	b = str(b, EventKey(e.Key))
	if !strings.HasPrefix(name, "ObjectRemoved:") {
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, e.Size, 10)
		b = append(b, `,"eTag":`...)
		b = str(b, e.ETag)
	}
	if e.VersionID != "" {
		b = append(b, `,"versionId":`...)
		b = str(b, e.VersionID)
	}
	b = append(b, `,"sequencer":`...)
	b = str(b, seq)
	return append(b, "}}}]}"...)
}

// TestEvent is the message S3 sends each destination of a notification
// configuration when the configuration is set.
type TestEvent struct {
	Time      time.Time
	Bucket    string
	RequestID string
	HostID    string
}

// JSON returns {"Service":"Amazon S3","Event":"s3:TestEvent",…}, compact.
func (e TestEvent) JSON() []byte {
	str := schemas.AppendString
	b := append([]byte(nil), `{"Service":"Amazon S3","Event":"s3:TestEvent","Time":`...)
	b = str(b, e.Time.UTC().Format(eventTimeFormat))
	b = append(b, `,"Bucket":`...)
	b = str(b, e.Bucket)
	b = append(b, `,"RequestId":`...)
	b = str(b, e.RequestID)
	b = append(b, `,"HostId":`...)
	b = str(b, e.HostID)
	return append(b, '}')
}
