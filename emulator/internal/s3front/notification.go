package s3front

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/firetrail/firetrail/internal/atomicfile"
)

// notificationConfiguration is the body of Put/GetBucketNotificationConfiguration
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html)
// and, validated and normalized, what is stored for a bucket.
type notificationConfiguration struct {
	XMLName xml.Name             `xml:"NotificationConfiguration" json:"-"`
	Xmlns   string               `xml:"xmlns,attr,omitempty" json:"-"`
	Topics  []notificationTarget `xml:"TopicConfiguration" json:"topics,omitempty"`
	Queues  []notificationTarget `xml:"QueueConfiguration" json:"queues,omitempty"`
	// Lambda function destinations are refused (NotImplemented): the
	// emulator runs no functions.
	Lambdas []struct {
		Inner string `xml:",innerxml"`
	} `xml:"CloudFunctionConfiguration" json:"-"`
	// EventBridge is accepted, kept and answered on GET; nothing is sent
	// for it.
	EventBridge *struct{} `xml:"EventBridgeConfiguration" json:"eventBridge,omitempty"`
}

// notificationTarget is one TopicConfiguration or QueueConfiguration.
type notificationTarget struct {
	ID     string              `xml:"Id,omitempty" json:"id"`
	Topic  string              `xml:"Topic,omitempty" json:"topic,omitempty"`
	Queue  string              `xml:"Queue,omitempty" json:"queue,omitempty"`
	Events []string            `xml:"Event" json:"events"`
	Filter *notificationFilter `xml:"Filter,omitempty" json:"filter,omitempty"`
}

type notificationFilter struct {
	Rules []filterRule `xml:"S3Key>FilterRule" json:"rules"`
}

type filterRule struct {
	Name  string `xml:"Name" json:"name"`
	Value string `xml:"Value" json:"value"`
}

func (t *notificationTarget) arn() string { return t.Topic + t.Queue }

// prefixSuffix returns the key prefix and suffix t's filter requires
// (values URL-decoded, as S3 asks them to be written).
func (t *notificationTarget) prefixSuffix() (prefix, suffix string) {
	if t.Filter == nil {
		return "", ""
	}
	for _, r := range t.Filter.Rules {
		v, err := url.QueryUnescape(r.Value)
		if err != nil {
			v = r.Value
		}
		if r.Name == "Prefix" {
			prefix = v
		} else {
			suffix = v
		}
	}
	return prefix, suffix
}

// matches reports whether an event named name ("ObjectCreated:Put") for key
// is one t asks for.
func (t *notificationTarget) matches(name, key string) bool {
	for _, e := range t.Events {
		if eventIncludes(e, "s3:"+name) {
			prefix, suffix := t.prefixSuffix()
			return strings.HasPrefix(key, prefix) && strings.HasSuffix(key, suffix)
		}
	}
	return false
}

// eventIncludes reports whether the event type pattern (s3:ObjectCreated:*)
// covers event.
func eventIncludes(pattern, event string) bool {
	if pattern == event {
		return true
	}
	p, ok := strings.CutSuffix(pattern, "*")
	return ok && strings.HasPrefix(event, p)
}

// notificationEvents are the event types S3 accepts in a configuration
// (the model's Event enum). Only ObjectCreated and ObjectRemoved events
// happen here.
var notificationEvents = map[string]bool{
	"s3:ReducedRedundancyLostObject":                   true,
	"s3:ObjectCreated:*":                               true,
	"s3:ObjectCreated:Put":                             true,
	"s3:ObjectCreated:Post":                            true,
	"s3:ObjectCreated:Copy":                            true,
	"s3:ObjectCreated:CompleteMultipartUpload":         true,
	"s3:ObjectRemoved:*":                               true,
	"s3:ObjectRemoved:Delete":                          true,
	"s3:ObjectRemoved:DeleteMarkerCreated":             true,
	"s3:ObjectRestore:*":                               true,
	"s3:ObjectRestore:Post":                            true,
	"s3:ObjectRestore:Completed":                       true,
	"s3:ObjectRestore:Delete":                          true,
	"s3:Replication:*":                                 true,
	"s3:Replication:OperationFailedReplication":        true,
	"s3:Replication:OperationNotTracked":               true,
	"s3:Replication:OperationMissedThreshold":          true,
	"s3:Replication:OperationReplicatedAfterThreshold": true,
	"s3:LifecycleTransition":                           true,
	"s3:IntelligentTiering":                            true,
	"s3:ObjectAcl:Put":                                 true,
	"s3:LifecycleExpiration:*":                         true,
	"s3:LifecycleExpiration:Delete":                    true,
	"s3:LifecycleExpiration:DeleteMarkerCreated":       true,
	"s3:ObjectTagging:*":                               true,
	"s3:ObjectTagging:Put":                             true,
	"s3:ObjectTagging:Delete":                          true,
}

// S3's messages for configurations it refuses (InvalidArgument).
const (
	msgEventNotSupported  = "The event is not supported for notifications"
	msgConfigsOverlap     = "Configurations overlap. Configurations on the same bucket cannot share a common event type."
	msgAmbiguous          = "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type."
	msgFilterRuleName     = "filter rule name must be either prefix or suffix"
	msgDuplicateID        = "Same ID used for multiple configurations. IDs must be unique."
	msgIDTooLong          = "ID length exceeded allowed limit of 255"
	msgFilterValueTooLong = "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation"
	msgBadARN             = "The ARN could not be parsed"
	msgFIFO               = "FIFO SQS queues are not supported."
	msgWrongRegion        = "The notification destination service region is not valid for the bucket location constraint"
	msgUnvalidated        = "Unable to validate the following destination configurations"
)

func errInvalidNotification(msg string) *s3Error {
	return newError(http.StatusBadRequest, "InvalidArgument", "%s", msg)
}

// parseNotificationConfiguration decodes and validates a
// PutBucketNotificationConfiguration body, filling generated ids and
// normalizing filter rule names. Destinations are checked by the caller.
func (f *Front) parseNotificationConfiguration(data []byte) (*notificationConfiguration, error) {
	var in notificationConfiguration
	if err := xml.Unmarshal(data, &in); err != nil {
		return nil, knownError(0, "MalformedXML", "")
	}
	if len(in.Lambdas) > 0 {
		return nil, errNotImplemented("LambdaFunctionConfiguration (CloudFunctionConfiguration): the emulator runs no Lambda functions")
	}
	out := &notificationConfiguration{EventBridge: in.EventBridge}
	ids := make(map[string]bool)
	var all []*notificationTarget
	for kind, list := range [][]notificationTarget{in.Topics, in.Queues} {
		for _, t := range list {
			arn := t.Topic
			if kind == 1 {
				arn = t.Queue
			}
			if arn == "" || t.Topic != "" && t.Queue != "" || len(t.Events) == 0 {
				return nil, knownError(0, "MalformedXML", "")
			}
			if err := f.checkARN(arn, kind == 1); err != nil {
				return nil, err
			}
			if utf8.RuneCountInString(t.ID) > 255 {
				return nil, errInvalidNotification(msgIDTooLong)
			}
			for i, e := range t.Events {
				if !notificationEvents[e] {
					return nil, errInvalidNotification(msgEventNotSupported)
				}
				for _, prev := range t.Events[:i] {
					if eventIncludes(e, prev) || eventIncludes(prev, e) {
						return nil, errInvalidNotification(msgConfigsOverlap)
					}
				}
			}
			nt := notificationTarget{ID: t.ID, Topic: t.Topic, Queue: t.Queue, Events: t.Events}
			if t.Filter != nil && len(t.Filter.Rules) > 0 {
				nt.Filter = &notificationFilter{}
				var seen [2]bool
				for _, r := range t.Filter.Rules {
					i := 0
					switch {
					case strings.EqualFold(r.Name, "prefix"):
						r.Name = "Prefix"
					case strings.EqualFold(r.Name, "suffix"):
						r.Name, i = "Suffix", 1
					default:
						return nil, errInvalidNotification(msgFilterRuleName)
					}
					if seen[i] {
						return nil, errInvalidNotification("Cannot specify more than one " + strings.ToLower(r.Name) + " rule in a filter.")
					}
					seen[i] = true
					if len(r.Value) > 1024 {
						return nil, errInvalidNotification(msgFilterValueTooLong)
					}
					nt.Filter.Rules = append(nt.Filter.Rules, r)
				}
			}
			if nt.ID == "" {
				id, err := generatedID()
				if err != nil {
					return nil, err
				}
				nt.ID = id
			}
			if ids[nt.ID] {
				return nil, errInvalidNotification(msgDuplicateID)
			}
			ids[nt.ID] = true
			if kind == 0 {
				out.Topics = append(out.Topics, nt)
			} else {
				out.Queues = append(out.Queues, nt)
			}
		}
	}
	for i := range out.Topics {
		all = append(all, &out.Topics[i])
	}
	for i := range out.Queues {
		all = append(all, &out.Queues[i])
	}
	for i, t := range all {
		for _, prev := range all[:i] {
			if !eventsOverlap(t.Events, prev.Events) {
				continue
			}
			p1, s1 := t.prefixSuffix()
			p2, s2 := prev.prefixSuffix()
			if (strings.HasPrefix(p1, p2) || strings.HasPrefix(p2, p1)) && (strings.HasSuffix(s1, s2) || strings.HasSuffix(s2, s1)) {
				if t.Filter == nil && prev.Filter == nil {
					return nil, errInvalidNotification(msgConfigsOverlap)
				}
				return nil, errInvalidNotification(msgAmbiguous)
			}
		}
	}
	return out, nil
}

func eventsOverlap(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if eventIncludes(x, y) || eventIncludes(y, x) {
				return true
			}
		}
	}
	return false
}

// checkARN checks the form of a destination ARN:
// arn:PARTITION:sqs|sns:REGION:ACCOUNT:NAME, in the Front's region if it
// has one.
func (f *Front) checkARN(arn string, queue bool) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[3] == "" || len(parts[4]) != 12 || parts[5] == "" {
		return errInvalidNotification(msgBadARN)
	}
	if _, err := strconv.ParseUint(parts[4], 10, 64); err != nil {
		return errInvalidNotification(msgBadARN)
	}
	service := "sns"
	if queue {
		service = "sqs"
	}
	if parts[2] != service {
		return errInvalidNotification(msgBadARN)
	}
	if queue && strings.HasSuffix(parts[5], ".fifo") {
		return errInvalidNotification(msgFIFO)
	}
	if f.region != "" && parts[3] != f.region {
		return errInvalidNotification(msgWrongRegion)
	}
	return nil
}

// checkDestinations asks Options.CheckDestination about every destination
// of c, and answers S3's InvalidArgument naming those refused.
func (f *Front) checkDestinations(c *notificationConfiguration) error {
	if f.checkDestination == nil {
		return nil
	}
	var extra []xmlElement
	seen := make(map[string]bool)
	n := 0
	check := func(list []notificationTarget, what string) {
		for _, t := range list {
			arn := t.arn()
			if seen[arn] {
				continue
			}
			seen[arn] = true
			if err := f.checkDestination(arn); err != nil {
				n++
				f.log.Debug("s3front: notification destination refused", "arn", arn, "err", err)
				extra = append(extra,
					xmlElement{XMLName: xml.Name{Local: "ArgumentName" + strconv.Itoa(n)}, Value: arn},
					xmlElement{XMLName: xml.Name{Local: "ArgumentValue" + strconv.Itoa(n)}, Value: "The destination " + what + " does not exist"})
			}
		}
	}
	check(c.Topics, "topic")
	check(c.Queues, "queue")
	if n == 0 {
		return nil
	}
	e := errInvalidNotification(msgUnvalidated)
	e.extra = extra
	return e
}

// generatedID returns an id like the ones S3 gives configurations sent
// without one: a random UUID, base64-encoded.
func generatedID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	u := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	return base64.StdEncoding.EncodeToString([]byte(u)), nil
}

// serveNotification implements Get/PutBucketNotificationConfiguration.
func (f *Front) serveNotification(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if key != "" {
		return errNotImplemented("?notification on an object")
	}
	if err := f.checkBucket(bucket); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		f.mu.Lock()
		c := f.notifications[bucket]
		f.mu.Unlock()
		out := notificationConfiguration{Xmlns: s3Xmlns}
		if c != nil {
			out.Topics, out.Queues, out.EventBridge = c.Topics, c.Queues, c.EventBridge
		}
		return writeXML(rw, out)
	case http.MethodPut:
		var data []byte
		if body != nil {
			data = body.data
		}
		c, err := f.parseNotificationConfiguration(data)
		if err != nil {
			return err
		}
		skip := strings.EqualFold(r.Header.Get("X-Amz-Skip-Destination-Validation"), "true")
		if !skip {
			if err := f.checkDestinations(c); err != nil {
				return err
			}
		}
		f.mu.Lock()
		if len(c.Topics)+len(c.Queues) == 0 && c.EventBridge == nil {
			delete(f.notifications, bucket)
		} else {
			f.notifications[bucket] = c
		}
		err = f.saveNotificationsLocked()
		f.mu.Unlock()
		if err != nil {
			f.log.Error("s3front: save notification configurations", "path", f.notificationPath, "err", err)
			return knownError(0, "InternalError", "")
		}
		if !skip {
			f.sendTestEvents(bucket, c, rw.requestID)
		}
		rw.WriteHeader(http.StatusOK)
		return nil
	}
	return knownError(0, "MethodNotAllowed", "")
}

// dropNotifications forgets the configuration of a deleted bucket.
func (f *Front) dropNotifications(bucket string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.notifications[bucket]; !ok {
		return
	}
	delete(f.notifications, bucket)
	if err := f.saveNotificationsLocked(); err != nil {
		f.log.Error("s3front: save notification configurations", "path", f.notificationPath, "err", err)
	}
}

// notificationFile is the content of Options.NotificationPath.
type notificationFile struct {
	Buckets map[string]*notificationConfiguration `json:"buckets"`
}

// loadNotifications reads Options.NotificationPath; a missing file is no
// configuration.
func (f *Front) loadNotifications() error {
	if f.notificationPath == "" {
		return nil
	}
	data, err := os.ReadFile(f.notificationPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var nf notificationFile
	if err := json.Unmarshal(data, &nf); err != nil {
		return fmt.Errorf("%s: %w", f.notificationPath, err)
	}
	for b, c := range nf.Buckets {
		if c != nil {
			f.notifications[b] = c
		}
	}
	return nil
}

// saveNotificationsLocked writes every configuration to
// Options.NotificationPath (atomically: a temporary file renamed over
// it). Called with f.mu held.
func (f *Front) saveNotificationsLocked() error {
	if f.notificationPath == "" {
		return nil
	}
	data, err := json.MarshalIndent(notificationFile{Buckets: f.notifications}, "", "  ")
	if err != nil {
		return err
	}
	// Private to its owner, as every file of the data directory.
	return atomicfile.WriteDurable(f.notificationPath, append(data, '\n'), 0o600)
}
