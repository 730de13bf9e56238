package cloudtrail

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// Targets of the CloudTrail API (CloudTrail API model): clients send either
// form.
const (
	TargetLong  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
	TargetShort = "CloudTrail_20131101."
)

// Clock is the time source of the service.
type Clock interface{ Now() time.Time }

// Trail describes the one trail the service reports.
type Trail struct {
	Name, Bucket, HomeRegion, AccountID string
	// TopicName and TopicARN name its SNS topic ("" without one).
	TopicName, TopicARN string
}

// ARN returns the trail's ARN.
func (t Trail) ARN() string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":" + t.AccountID + ":trail/" + t.Name
}

// Status is what GetTrailStatus reports of delivery; zero times are
// "never".
type Status struct {
	StartLogging, LatestDelivery, LatestDeliveryAttempt time.Time
	LatestNotification, LatestNotificationAttempt       time.Time
	LatestDigest                                        time.Time
	LatestDeliveryError, LatestNotificationError        string
}

// Config is what a Service is built from.
type Config struct {
	// Store holds the events LookupEvents searches.
	Store *Store
	Clock Clock
	Trail Trail
	// PublicKeyDER and Fingerprint are the digest signing key's public
	// half, valid from KeyValidFrom; nil PublicKeyDER: no digests.
	PublicKeyDER []byte
	Fingerprint  string
	KeyValidFrom time.Time
	// Status reports delivery for GetTrailStatus.
	Status func() Status
	// Throttle reproduces CloudTrail's rate limits.
	Throttle bool
}

// Service is the CloudTrail API: LookupEvents over its Store,
// ListPublicKeys, DescribeTrails and GetTrailStatus of one trail. It is
// safe for concurrent use.
type Service struct {
	cfg      Config
	tokenKey [32]byte

	thMu     sync.Mutex
	throttle map[string]*tokenBucket
}

// New returns a Service; NextTokens are keyed by a random key of its own.
func New(cfg Config) (*Service, error) {
	s := &Service{cfg: cfg, throttle: map[string]*tokenBucket{}}
	if _, err := rand.Read(s.tokenKey[:]); err != nil {
		return nil, fmt.Errorf("cloudtrail: token key: %w", err)
	}
	return s, nil
}

// Op returns the operation named by an X-Amz-Target, if it is a
// CloudTrail target.
func Op(target string) (string, bool) {
	if op, ok := strings.CutPrefix(target, TargetLong); ok {
		return op, true
	}
	return strings.CutPrefix(target, TargetShort)
}

// operations maps each CloudTrail operation to its throttle class, the
// rate of that class (requests per second per account and region,
// CloudTrail's documented quotas) and its handler.
var operations = map[string]struct {
	class string
	rate  float64
	run   func(e *Service, cc *awsapi.Call, body []byte) ([]byte, error)
}{
	"LookupEvents":   {"LookupEvents", 2, (*Service).lookupEvents},
	"ListPublicKeys": {"cloudtrail", 10, func(e *Service, _ *awsapi.Call, body []byte) ([]byte, error) { return e.listPublicKeys(body) }},
	"DescribeTrails": {"cloudtrail", 10, (*Service).describeTrails},
	"GetTrailStatus": {"cloudtrail", 10, (*Service).getTrailStatus},
}

// Operations lists the operations the service implements.
func Operations() []string { return slices.Sorted(maps.Keys(operations)) }

// Handle runs operation op with the JSON request body and returns the
// JSON answer.
func (e *Service) Handle(cc *awsapi.Call, op string, body []byte) ([]byte, error) {
	o, ok := operations[op]
	if !ok {
		return nil, awsapi.UnknownOperation(TargetShort + op)
	}
	if e.throttled(cc, o.class, o.rate) {
		return nil, awsapi.Throttling()
	}
	return o.run(e, cc, body)
}

// lookupEventsInput is the LookupEvents request. Times are epoch seconds,
// fractions allowed, as the JSON 1.1 protocol writes timestamps.
type lookupEventsInput struct {
	LookupAttributes []struct {
		AttributeKey   *string
		AttributeValue *string
	}
	StartTime     *json.Number
	EndTime       *json.Number
	EventCategory *string
	MaxResults    *json.Number
	NextToken     *string
}

func parseEpoch(n *json.Number, member string) (float64, *awsapi.Error) {
	f, err := strconv.ParseFloat(string(*n), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, awsapi.Serialization("Invalid timestamp for member %s: %q", member, string(*n))
	}
	return f, nil
}

// lookupEvents implements LookupEvents (CloudTrail API model, LookupEvents).
func (e *Service) lookupEvents(cc *awsapi.Call, body []byte) ([]byte, error) {
	var in lookupEventsInput
	if err := awsapi.DecodeBody(body, &in); err != nil {
		return nil, err
	}
	q := lookupQuery{region: cc.Region, limit: 50, hi: math.MaxInt64}
	if len(in.LookupAttributes) > 1 {
		return nil, errInvalidLookupAttributes("You cannot specify more than one lookup attribute.")
	}
	if len(in.LookupAttributes) == 1 {
		a := in.LookupAttributes[0]
		if a.AttributeKey == nil {
			return nil, errInvalidLookupAttributes("AttributeKey is required.")
		}
		kind, ok := lookupAttributeKind(*a.AttributeKey)
		if !ok {
			return nil, errInvalidLookupAttributes("Invalid AttributeKey %q: valid keys are EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource and AccessKeyId (case-sensitive).", *a.AttributeKey)
		}
		if a.AttributeValue == nil || *a.AttributeValue == "" {
			return nil, errInvalidLookupAttributes("AttributeValue is required and must not be empty.")
		}
		if attributeValueLen(*a.AttributeValue) > 2000 {
			return nil, errInvalidLookupAttributes("AttributeValue is longer than 2000 characters.")
		}
		q.kind, q.value = kind, *a.AttributeValue
	}
	var start, end float64 = math.Inf(-1), math.Inf(1)
	if in.StartTime != nil {
		f, err := parseEpoch(in.StartTime, "StartTime")
		if err != nil {
			return nil, err
		}
		start = f
	}
	if in.EndTime != nil {
		f, err := parseEpoch(in.EndTime, "EndTime")
		if err != nil {
			return nil, err
		}
		end = f
	}
	if end < start {
		return nil, errInvalidTimeRange("The start time (%s) must be before the end time (%s).", formatEpoch(start), formatEpoch(end))
	}
	if in.MaxResults != nil {
		n, err := strconv.ParseInt(string(*in.MaxResults), 10, 64)
		if err != nil {
			if _, ferr := strconv.ParseFloat(string(*in.MaxResults), 64); ferr == nil {
				return nil, errInvalidMaxResults()
			}
			return nil, awsapi.Serialization("Invalid value for member MaxResults: %q", string(*in.MaxResults))
		}
		if n < 1 || n > 50 {
			return nil, errInvalidMaxResults()
		}
		q.limit = int(n)
	}
	if in.EventCategory != nil {
		if *in.EventCategory != "insight" {
			return nil, errInvalidEventCategory(*in.EventCategory)
		}
		// No Insights events are ever stored: an empty answer.
		return []byte(`{"Events":[]}`), nil
	}
	// Only the last 90 days, by the emulator clock.
	floor := float64(e.cfg.Clock.Now().Add(-RetentionWindow).Unix())
	q.lo = int64(math.Ceil(max(start, floor)))
	if !math.IsInf(end, 1) {
		q.hi = int64(math.Floor(end))
	}
	ph := lookupParamsHash(cc.Region, in)
	if in.NextToken != nil {
		t, seq, ok := e.decodeToken(*in.NextToken, ph)
		if !ok {
			return nil, errInvalidNextToken()
		}
		q.cursor, q.curTime, q.curSeq = true, t, seq
	}
	page, err := e.cfg.Store.lookup(q)
	if err != nil {
		return nil, err
	}
	n := 0
	for _, f := range page.frags {
		n += len(f) + 1
	}
	out := make([]byte, 0, n+128)
	out = append(out, `{"Events":[`...)
	for i, f := range page.frags {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, f...)
	}
	out = append(out, ']')
	if page.more {
		out = append(out, `,"NextToken":"`...)
		out = append(out, e.encodeToken(ph, page.lastTime, page.lastSeq)...)
		out = append(out, '"')
	}
	return append(out, '}'), nil
}

// attributeValueLen counts characters as LookupEvents does: "_", space,
// "," and "\n" count double (CloudTrail API model, LookupEvents).
func attributeValueLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		switch r {
		case '_', ' ', ',', '\n':
			n++
		}
	}
	return n
}

func formatEpoch(f float64) string {
	if math.IsInf(f, 0) {
		return "unset"
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Format(time.RFC3339)
}

// lookupParamsHash identifies the parameters a NextToken is valid with:
// region, attribute, time range and category (not MaxResults, which
// paginators may change between pages).
func lookupParamsHash(region string, in lookupEventsInput) uint64 {
	h := fnv.New64a()
	w := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	w(region)
	for _, a := range in.LookupAttributes {
		if a.AttributeKey != nil {
			w(*a.AttributeKey)
		}
		if a.AttributeValue != nil {
			w(*a.AttributeValue)
		}
	}
	for _, n := range []*json.Number{in.StartTime, in.EndTime} {
		if n == nil {
			w("-")
			continue
		}
		f, _ := strconv.ParseFloat(string(*n), 64)
		w(strconv.FormatFloat(f, 'g', -1, 64))
	}
	if in.EventCategory != nil {
		w(*in.EventCategory)
	}
	return h.Sum64()
}

// NextToken layout: params hash (8), eventTime (8), sequence (4), then
// the first 12 bytes of an HMAC-SHA256 over those, keyed per emulator.
const tokenLen = 8 + 8 + 4 + 12

func (e *Service) encodeToken(params uint64, t int64, seq uint32) string {
	var b [tokenLen]byte
	binary.BigEndian.PutUint64(b[0:], params)
	binary.BigEndian.PutUint64(b[8:], uint64(t))
	binary.BigEndian.PutUint32(b[16:], seq)
	m := hmac.New(sha256.New, e.tokenKey[:])
	m.Write(b[:20])
	copy(b[20:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (e *Service) decodeToken(tok string, params uint64) (t int64, seq uint32, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenLen {
		return 0, 0, false
	}
	m := hmac.New(sha256.New, e.tokenKey[:])
	m.Write(b[:20])
	if !hmac.Equal(m.Sum(nil)[:12], b[20:]) || binary.BigEndian.Uint64(b[0:]) != params {
		return 0, 0, false
	}
	return int64(binary.BigEndian.Uint64(b[8:])), binary.BigEndian.Uint32(b[16:]), true
}

// listPublicKeys implements ListPublicKeys (CloudTrail API model): the one
// signing key, whatever the time range asked.
func (e *Service) listPublicKeys(body []byte) ([]byte, error) {
	var in struct {
		StartTime *json.Number
		EndTime   *json.Number
		NextToken *string
	}
	if err := awsapi.DecodeBody(body, &in); err != nil {
		return nil, err
	}
	var start, end float64 = math.Inf(-1), math.Inf(1)
	var err *awsapi.Error
	if in.StartTime != nil {
		if start, err = parseEpoch(in.StartTime, "StartTime"); err != nil {
			return nil, err
		}
	}
	if in.EndTime != nil {
		if end, err = parseEpoch(in.EndTime, "EndTime"); err != nil {
			return nil, err
		}
	}
	if end < start {
		return nil, errInvalidTimeRange("The start time must be before the end time.")
	}
	if in.NextToken != nil && *in.NextToken != "" {
		return nil, awsapi.NewError(400, "InvalidTokenException", "Reserved for future use.")
	}
	if e.cfg.PublicKeyDER == nil {
		return []byte(`{"PublicKeyList":[]}`), nil
	}
	now := e.cfg.Clock.Now()
	validFrom := e.cfg.KeyValidFrom
	if now.Before(validFrom) {
		validFrom = now
	}
	validFrom = validFrom.Truncate(time.Hour)
	validTo := now.Add(30 * 24 * time.Hour).Truncate(time.Hour)
	out := []byte(`{"PublicKeyList":[{"Value":"`)
	out = base64.StdEncoding.AppendEncode(out, e.cfg.PublicKeyDER)
	out = append(out, `","ValidityStartTime":`...)
	out = strconv.AppendInt(out, validFrom.Unix(), 10)
	out = append(out, `,"ValidityEndTime":`...)
	out = strconv.AppendInt(out, validTo.Unix(), 10)
	out = append(out, `,"Fingerprint":"`...)
	out = append(out, e.cfg.Fingerprint...)
	return append(out, `"}]}`...), nil
}

// matchesTrail reports whether name names the emulator's trail, by name or ARN.
func (e *Service) matchesTrail(name string) bool {
	return name == e.cfg.Trail.Name || name == e.cfg.Trail.ARN()
}

// describeTrails implements DescribeTrails (CloudTrail API model): wire
// members are lower-case.
func (e *Service) describeTrails(cc *awsapi.Call, body []byte) ([]byte, error) {
	var in struct {
		TrailNameList       []string `json:"trailNameList"`
		IncludeShadowTrails *bool    `json:"includeShadowTrails"`
	}
	if err := awsapi.DecodeBody(body, &in); err != nil {
		return nil, err
	}
	include := len(in.TrailNameList) == 0
	for _, n := range in.TrailNameList {
		if e.matchesTrail(n) {
			include = true
		}
	}
	// A multi-region trail shows in every region; its home region's copy
	// is the original, the others are shadows.
	if cc.Region != e.cfg.Trail.HomeRegion && in.IncludeShadowTrails != nil && !*in.IncludeShadowTrails {
		include = false
	}
	if !include {
		return []byte(`{"trailList":[]}`), nil
	}
	type trail struct {
		Name                       string
		S3BucketName               string
		SnsTopicName               string `json:",omitempty"`
		SnsTopicARN                string `json:",omitempty"`
		IncludeGlobalServiceEvents bool
		IsMultiRegionTrail         bool
		HomeRegion                 string
		TrailARN                   string
		LogFileValidationEnabled   bool
		HasCustomEventSelectors    bool
		HasInsightSelectors        bool
		IsOrganizationTrail        bool
	}
	t := trail{
		Name:                       e.cfg.Trail.Name,
		S3BucketName:               e.cfg.Trail.Bucket,
		IncludeGlobalServiceEvents: true,
		IsMultiRegionTrail:         true,
		HomeRegion:                 e.cfg.Trail.HomeRegion,
		TrailARN:                   e.cfg.Trail.ARN(),
		LogFileValidationEnabled:   e.cfg.PublicKeyDER != nil,
	}
	t.SnsTopicName = e.cfg.Trail.TopicName
	t.SnsTopicARN = e.cfg.Trail.TopicARN
	out, err := json.Marshal(struct {
		TrailList []trail `json:"trailList"`
	}{[]trail{t}})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getTrailStatus implements GetTrailStatus with every
// member of the model: Date members as epoch seconds, the string-typed
// attempt and succeeded times as ISO 8601 text ("2016-01-28T23:02:24Z"),
// members for events that never happened left out, as AWS does.
func (e *Service) getTrailStatus(cc *awsapi.Call, body []byte) ([]byte, error) {
	var in struct{ Name *string }
	if err := awsapi.DecodeBody(body, &in); err != nil {
		return nil, err
	}
	if in.Name == nil || *in.Name == "" {
		return nil, errInvalidTrailName("Name is required.")
	}
	if !e.matchesTrail(*in.Name) {
		return nil, errTrailNotFound(*in.Name, cc.Account)
	}
	var st Status
	if e.cfg.Status != nil {
		st = e.cfg.Status()
	}
	out := []byte(`{"IsLogging":true`)
	str := func(name, v string) {
		if v == "" {
			return
		}
		out = append(out, `,"`...)
		out = append(out, name...)
		out = append(out, `":`...)
		b, _ := json.Marshal(v)
		out = append(out, b...)
	}
	date := func(name string, t time.Time) {
		if t.IsZero() {
			return
		}
		out = append(out, `,"`...)
		out = append(out, name...)
		out = append(out, `":`...)
		out = strconv.AppendInt(out, t.Unix(), 10)
	}
	text := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02T15:04:05Z")
	}
	str("LatestDeliveryError", st.LatestDeliveryError)
	str("LatestNotificationError", st.LatestNotificationError)
	date("LatestDeliveryTime", st.LatestDelivery)
	date("LatestNotificationTime", st.LatestNotification)
	date("StartLoggingTime", st.StartLogging)
	date("LatestDigestDeliveryTime", st.LatestDigest)
	str("LatestDeliveryAttemptTime", text(st.LatestDeliveryAttempt))
	str("LatestNotificationAttemptTime", text(st.LatestNotificationAttempt))
	if !st.LatestNotificationAttempt.IsZero() {
		str("LatestNotificationAttemptSucceeded", text(st.LatestNotification))
	}
	if !st.LatestDeliveryAttempt.IsZero() {
		str("LatestDeliveryAttemptSucceeded", text(st.LatestDelivery))
	}
	str("TimeLoggingStarted", text(st.StartLogging))
	return append(out, '}'), nil
}
