package sqs

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// queueKey names a queue: queues are per account and region.
type queueKey struct{ account, region, name string }

// arn returns the queue's ARN.
func (k queueKey) arn() string { return "arn:aws:sqs:" + k.region + ":" + k.account + ":" + k.name }

// parseARN returns the key of an SQS queue ARN.
func parseARN(arn string) (queueKey, bool) {
	p := strings.Split(arn, ":")
	if len(p) != 6 || p[0] != "arn" || p[2] != "sqs" || p[3] == "" || p[4] == "" || !validQueueName(p[5]) {
		return queueKey{}, false
	}
	return queueKey{account: p[4], region: p[3], name: p[5]}, true
}

// validQueueName is the name rule of standard queues: 1 to 80 of
// [A-Za-z0-9_-].
func validQueueName(name string) bool {
	if len(name) < 1 || len(name) > 80 {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// queue is one standard queue. Every field is guarded by Service.mu.
type queue struct {
	key      queueKey
	created  time.Time
	modified time.Time
	// attrs holds the settable attributes, defaults filled, as
	// GetQueueAttributes shows them; the fields below are parsed from it.
	attrs map[string]string
	tags  map[string]string

	visibility, retention, delay, wait, maxSize int // seconds; bytes
	dlq                                         *queueKey
	maxReceives                                 int

	// msgs holds the messages in send order, deleted ones (dead) until
	// compaction; byID the live ones.
	msgs []*message
	byID map[string]*message
	dead int
	// nextExpiry is the earliest time a message's retention may end; zero
	// forces a scan.
	nextExpiry time.Time
	purged     time.Time // the last PurgeQueue, for PurgeQueueInProgress

	// notify is closed (and replaced) to wake the long polls waiting on
	// the queue; waiters counts them.
	notify  chan struct{}
	waiters int
	gone    bool // deleted: waiting polls answer empty
}

// message is one message in a queue.
type message struct {
	id        string
	body      string
	md5Body   string
	md5Attrs  string
	md5System string
	attrs     map[string]awsapi.MessageAttribute
	system    map[string]awsapi.MessageAttribute // AWSTraceHeader
	senderID  string
	dlqSource string // DeadLetterQueueSourceArn once redriven
	sent      time.Time
	// visibleAt is when the message can be received: the end of its
	// delay, then of its visibility timeout.
	visibleAt    time.Time
	receives     int
	firstReceive time.Time
	// receipt is the nonce of the latest receipt handle ("" before the
	// first receive).
	receipt string
	deleted bool
}

// Queue attribute names.
const (
	attrVisibilityTimeout      = "VisibilityTimeout"
	attrMaximumMessageSize     = "MaximumMessageSize"
	attrMessageRetentionPeriod = "MessageRetentionPeriod"
	attrDelaySeconds           = "DelaySeconds"
	attrReceiveWait            = "ReceiveMessageWaitTimeSeconds"
	attrPolicy                 = "Policy"
	attrRedrivePolicy          = "RedrivePolicy"
	attrRedriveAllowPolicy     = "RedriveAllowPolicy"
	attrKmsMasterKeyID         = "KmsMasterKeyId"
	attrKmsReuse               = "KmsDataKeyReusePeriodSeconds"
	attrSqsManagedSse          = "SqsManagedSseEnabled"
)

// Limits of the service.
const (
	maxMessageSize     = 1 << 20 // MaximumMessageSize's upper bound and default (1 MiB)
	maxBatchEntries    = 10
	maxMessageAttrs    = 10
	maxReceiveWait     = 20
	maxVisibility      = 43200
	maxDelay           = 900
	defaultRetention   = 345600
	defaultVisibility  = 30
	purgeInterval      = 60 * time.Second
	maxListQueues      = 1000
	maxRedriveReceives = 1000
)

// intRanges are the integer attributes and their ranges.
var intRanges = map[string][2]int{
	attrVisibilityTimeout:      {0, maxVisibility},
	attrMaximumMessageSize:     {1024, maxMessageSize},
	attrMessageRetentionPeriod: {60, 1209600},
	attrDelaySeconds:           {0, maxDelay},
	attrReceiveWait:            {0, maxReceiveWait},
	attrKmsReuse:               {60, 86400},
}

// fifoAttrs are the attributes of FIFO queues: GetQueueAttributes of a
// standard queue shows none of them; setting them is refused.
var fifoAttrs = []string{"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}

// defaultAttrs returns the settable attributes of a new queue.
func defaultAttrs() map[string]string {
	return map[string]string{
		attrVisibilityTimeout:      strconv.Itoa(defaultVisibility),
		attrMaximumMessageSize:     strconv.Itoa(maxMessageSize),
		attrMessageRetentionPeriod: strconv.Itoa(defaultRetention),
		attrDelaySeconds:           "0",
		attrReceiveWait:            "0",
		attrSqsManagedSse:          "true",
	}
}

// redrivePolicy is a queue's RedrivePolicy.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// checkAttrs validates attributes to set and returns them in canonical
// form; exists tells whether a dead-letter target exists. A "" value of
// an optional attribute removes it.
func checkAttrs(in map[string]string, exists func(queueKey) bool) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for name, v := range in {
		if r, ok := intRanges[name]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < r[0] || n > r[1] {
				return nil, errInvalidAttributeValue(name)
			}
			out[name] = strconv.Itoa(n)
			continue
		}
		switch name {
		case attrSqsManagedSse:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, errInvalidAttributeValue(name)
			}
			out[name] = strconv.FormatBool(b)
		case attrPolicy, attrRedriveAllowPolicy:
			if v != "" && !json.Valid([]byte(v)) {
				return nil, errInvalidAttributeValue(name)
			}
			out[name] = v
		case attrKmsMasterKeyID:
			out[name] = v
		case attrRedrivePolicy:
			if v == "" {
				out[name] = ""
				continue
			}
			rp, err := parseRedrive(v, exists)
			if err != nil {
				return nil, err
			}
			b, _ := json.Marshal(rp)
			out[name] = string(b)
		default:
			return nil, errInvalidAttributeName(name)
		}
	}
	return out, nil
}

// parseRedrive reads a RedrivePolicy as AWS does: maxReceiveCount may be
// a number or a string.
func parseRedrive(v string, exists func(queueKey) bool) (redrivePolicy, error) {
	var raw map[string]any
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return redrivePolicy{}, errInvalidParam(attrRedrivePolicy, v, "Redrive policy is not a valid JSON map.")
	}
	arn, _ := raw["deadLetterTargetArn"].(string)
	if arn == "" {
		return redrivePolicy{}, errInvalidParam(attrRedrivePolicy, v, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	var n int
	switch m := raw["maxReceiveCount"].(type) {
	case float64:
		n = int(m)
		if float64(n) != m {
			n = -1
		}
	case string:
		var err error
		if n, err = strconv.Atoi(m); err != nil {
			n = -1
		}
	case nil:
		return redrivePolicy{}, errInvalidParam(attrRedrivePolicy, v, "Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	default:
		n = -1
	}
	if n < 1 || n > maxRedriveReceives {
		return redrivePolicy{}, errInvalidParam(attrRedrivePolicy, v, "Invalid value for maxReceiveCount: "+rawString(raw["maxReceiveCount"])+", valid values are from 1 to 1000 both inclusive.")
	}
	k, ok := parseARN(arn)
	if !ok || !exists(k) {
		return redrivePolicy{}, errInvalidParam(attrRedrivePolicy, v, "Dead letter target does not exist.")
	}
	return redrivePolicy{DeadLetterTargetArn: arn, MaxReceiveCount: n}, nil
}

func rawString(v any) string {
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// setAttrs applies canonical attributes (checkAttrs) to q.
func (q *queue) setAttrs(attrs map[string]string) {
	for name, v := range attrs {
		if v == "" {
			delete(q.attrs, name)
			continue
		}
		if name == attrMessageRetentionPeriod {
			q.nextExpiry = time.Time{}
		}
		q.attrs[name] = v
	}
	q.parse()
}

// parse fills the parsed fields from q.attrs.
func (q *queue) parse() {
	num := func(name string, def int) int {
		if n, err := strconv.Atoi(q.attrs[name]); err == nil {
			return n
		}
		return def
	}
	q.visibility = num(attrVisibilityTimeout, defaultVisibility)
	q.retention = num(attrMessageRetentionPeriod, defaultRetention)
	q.delay = num(attrDelaySeconds, 0)
	q.wait = num(attrReceiveWait, 0)
	q.maxSize = num(attrMaximumMessageSize, maxMessageSize)
	q.dlq, q.maxReceives = nil, 0
	if v := q.attrs[attrRedrivePolicy]; v != "" {
		var rp redrivePolicy
		if json.Unmarshal([]byte(v), &rp) == nil {
			if k, ok := parseARN(rp.DeadLetterTargetArn); ok {
				q.dlq, q.maxReceives = &k, rp.MaxReceiveCount
			}
		}
	}
}

// newQueue returns an empty queue with attrs (canonical) over the
// defaults.
func newQueue(k queueKey, attrs, tags map[string]string, now time.Time) *queue {
	q := &queue{key: k, created: now, modified: now, attrs: defaultAttrs(), tags: map[string]string{},
		byID: map[string]*message{}, notify: make(chan struct{})}
	maps.Copy(q.tags, tags)
	q.setAttrs(attrs)
	return q
}

// wake wakes the long polls waiting on q, if any.
func (q *queue) wake() {
	if q.waiters > 0 {
		close(q.notify)
		q.notify = make(chan struct{})
	}
}

// add appends m to q.
func (q *queue) add(m *message) {
	q.msgs = append(q.msgs, m)
	q.byID[m.id] = m
	exp := m.sent.Add(time.Duration(q.retention) * time.Second)
	if q.nextExpiry.IsZero() || exp.Before(q.nextExpiry) {
		q.nextExpiry = exp
	}
}

// remove deletes m from q.
func (q *queue) remove(m *message) {
	if m.deleted {
		return
	}
	m.deleted = true
	delete(q.byID, m.id)
	q.dead++
}

// compact drops deleted messages from q.msgs once they are most of it;
// never call it while ranging over q.msgs.
func (q *queue) compact() {
	if q.dead > 32 && q.dead > len(q.msgs)/2 {
		live := q.msgs[:0]
		for _, m := range q.msgs {
			if !m.deleted {
				live = append(live, m)
			}
		}
		clear(q.msgs[len(live):])
		q.msgs, q.dead = live, 0
	}
}

// expire drops the messages whose retention period has passed at now.
func (q *queue) expire(now time.Time) {
	if len(q.msgs) == 0 || !q.nextExpiry.IsZero() && now.Before(q.nextExpiry) {
		return
	}
	ret := time.Duration(q.retention) * time.Second
	q.nextExpiry = time.Time{}
	for _, m := range q.msgs {
		if m.deleted {
			continue
		}
		exp := m.sent.Add(ret)
		if !now.Before(exp) {
			q.remove(m)
			continue
		}
		if q.nextExpiry.IsZero() || exp.Before(q.nextExpiry) {
			q.nextExpiry = exp
		}
	}
	q.compact()
}

// counts returns ApproximateNumberOfMessages, …NotVisible and …Delayed
// at now.
func (q *queue) counts(now time.Time) (visible, inflight, delayed int) {
	for _, m := range q.msgs {
		switch {
		case m.deleted:
		case !now.Before(m.visibleAt):
			visible++
		case m.receives > 0:
			inflight++
		default:
			delayed++
		}
	}
	return
}

// hasVisible reports whether a message can be received at now.
func (q *queue) hasVisible(now time.Time) bool {
	for _, m := range q.msgs {
		if !m.deleted && !now.Before(m.visibleAt) {
			return true
		}
	}
	return false
}

// purge deletes every message.
func (q *queue) purge() {
	for _, m := range q.msgs {
		m.deleted = true
	}
	q.msgs, q.byID, q.dead, q.nextExpiry = nil, map[string]*message{}, 0, time.Time{}
}
