package sns

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// Version is the SNS API version of the query protocol.
const Version = "2010-03-31"

// XMLNS is the namespace of SNS's XML answers.
const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"

// Limits of SNS.
const (
	maxMessage   = 256 << 10 // Publish, and a PublishBatch in total
	maxBatch     = 10
	maxTags      = 50
	pageSize     = 100
	maxSubject   = 100
	maxAttrName  = 256
	pendingARN   = "PendingConfirmation"  // ListSubscriptions
	pendingReply = "pending confirmation" // Subscribe
)

// The names and ARNs SNS accepts. Lengths are checked apart (nameOK): a
// counted repetition such as {1,256} compiles to a program with a state
// for each count: compiling these took 17M instructions (cachegrind) at
// every start of every firetrail command, more than a quarter of a short
// `firetrail generate`.
var queueARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:([A-Za-z0-9_-]+)(\.fifo)?$`)

// Length limits of nameOK's names.
const (
	maxTopicName = 256
	maxBatchID   = 80
	maxQueueName = 80
)

// nameOK reports whether s is 1 to max letters, digits, '_' and '-', or
// also '.' with dots.
func nameOK(s string, max int, dots bool) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		case c == '.' && dots:
		default:
			return false
		}
	}
	return true
}

// queueARNOK reports whether arn is an SQS queue ARN.
func queueARNOK(arn string) bool {
	m := queueARNPattern.FindStringSubmatch(arn)
	return m != nil && len(m[1]) <= maxQueueName
}

type handler func(svc *Service, ctx context.Context, cc *awsapi.Call, form url.Values) ([]byte, error)

var actions = map[string]handler{
	"CreateTopic":               (*Service).createTopic,
	"DeleteTopic":               (*Service).deleteTopic,
	"ListTopics":                (*Service).listTopics,
	"GetTopicAttributes":        (*Service).getTopicAttributes,
	"SetTopicAttributes":        (*Service).setTopicAttributes,
	"Subscribe":                 (*Service).subscribeAction,
	"ConfirmSubscription":       (*Service).confirmSubscription,
	"Unsubscribe":               (*Service).unsubscribeAction,
	"ListSubscriptions":         (*Service).listSubscriptions,
	"ListSubscriptionsByTopic":  (*Service).listSubscriptionsByTopic,
	"GetSubscriptionAttributes": (*Service).getSubscriptionAttributes,
	"SetSubscriptionAttributes": (*Service).setSubscriptionAttributes,
	"Publish":                   (*Service).publishAction,
	"PublishBatch":              (*Service).publishBatch,
	"TagResource":               (*Service).tagResource,
	"UntagResource":             (*Service).untagResource,
	"ListTagsForResource":       (*Service).listTagsForResource,
}

// Actions lists the query-protocol actions HandleQuery serves, sorted.
func Actions() []string { return slices.Sorted(maps.Keys(actions)) }

// HandleQuery serves one query-protocol call: action with form holding all
// its parameters. It returns the inner XML of <actionResult> (nil when the
// action has none) or an *awsapi.Error, to be written with
// awsapi.WriteQuery or WriteQueryError in XMLNS. cc names the caller's
// account and region (the owner and region of the topics it creates and
// lists); a nil cc is an unauthenticated caller in the service's account
// and region, as a SubscribeURL or UnsubscribeURL visit is.
func (svc *Service) HandleQuery(ctx context.Context, cc *awsapi.Call, action string, form url.Values) (out []byte, err error) {
	h, ok := actions[action]
	if !ok {
		if action == "" {
			return nil, awsapi.NewError(http.StatusBadRequest, "MissingAction", "Missing Action")
		}
		return nil, invalidAction(action)
	}
	if form == nil {
		form = url.Values{}
	}
	return h(svc, ctx, cc, form)
}

// caller returns the account and region of cc.
func (svc *Service) caller(cc *awsapi.Call) (account, region string) {
	account, region = svc.cfg.Account, svc.cfg.Region
	if cc != nil {
		if cc.Account != "" {
			account = cc.Account
		}
		if cc.Region != "" {
			region = cc.Region
		}
	}
	return account, region
}

// authenticated reports whether cc is a signed call: one with an access
// key.
func authenticated(cc *awsapi.Call) bool {
	return cc != nil && cc.Identity.AccessKeyID != ""
}

// authorize refuses a call from another account on a topic whose policy
// is the default one (which grants only the owner). Called with svc.mu held.
func authorize(cc *awsapi.Call, t *Topic, action string) error {
	if cc == nil || cc.Account == "" || cc.Account == t.account || t.attrs["Policy"] != "" {
		return nil
	}
	return authorizationError(cc, action, t.arn)
}

// lookupTopic returns the topic a parameter names. Called with svc.mu
// held.
func (svc *Service) lookupTopic(param, arn string) (*Topic, error) {
	if !topicARNOK(arn) {
		return nil, invalidParameter(param)
	}
	t := svc.topic(arn)
	if t == nil {
		return nil, topicNotFound()
	}
	return t, nil
}

// xmlWriter builds result XML.
type xmlWriter struct{ bytes.Buffer }

func (w *xmlWriter) elem(name, value string) {
	w.WriteString("<" + name + ">")
	xml.EscapeText(w, []byte(value))
	w.WriteString("</" + name + ">")
}

func (w *xmlWriter) attributes(m map[string]string) {
	w.WriteString("<Attributes>")
	for _, k := range slices.Sorted(maps.Keys(m)) {
		w.WriteString("<entry>")
		w.elem("key", k)
		w.elem("value", m[k])
		w.WriteString("</entry>")
	}
	w.WriteString("</Attributes>")
}

// entries reads a map parameter: prefix.entry.N.<key>, prefix.entry.N.<value>.
func entries(form url.Values, prefix, key, value string) map[string]string {
	var out map[string]string
	p := prefix + ".entry."
	for k := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		n, field, ok := strings.Cut(rest, ".")
		if !ok || field != key {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[form.Get(k)] = form.Get(p + n + "." + value)
	}
	return out
}

// members reads a list parameter prefix.member.N (with suffix, if any),
// in N's order.
func members(form url.Values, prefix, suffix string) []string {
	type item struct {
		n int
		v string
	}
	var items []item
	p := prefix + ".member."
	for k := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		if suffix != "" {
			if rest, ok = strings.CutSuffix(rest, "."+suffix); !ok {
				continue
			}
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			continue
		}
		items = append(items, item{n, form.Get(k)})
	}
	slices.SortFunc(items, func(a, b item) int { return a.n - b.n })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

// tagsParam reads Tags.member.N.Key/Value.
func tagsParam(form url.Values) (map[string]string, error) {
	keys := members(form, "Tags", "Key")
	if len(keys) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for k := range form {
		rest, ok := strings.CutPrefix(k, "Tags.member.")
		if !ok {
			continue
		}
		n, ok := strings.CutSuffix(rest, ".Key")
		if !ok {
			continue
		}
		key, value := form.Get(k), form.Get("Tags.member."+n+".Value")
		if key == "" || utf8.RuneCountInString(key) > 128 || utf8.RuneCountInString(value) > 256 || strings.HasPrefix(key, "aws:") {
			return nil, invalidParameter("Tags Reason: invalid tag key or value")
		}
		out[key] = value
	}
	if len(out) > maxTags {
		return nil, tagLimitExceeded()
	}
	return out, nil
}

// pageToken encodes and decodes the NextToken of a listing: the last ARN
// of the page.
func page(arns []string, token string) ([]string, string, error) {
	start := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(b) == 0 {
			return nil, "", invalidParameter("NextToken")
		}
		last := string(b)
		start, _ = slices.BinarySearch(arns, last)
		if start < len(arns) && arns[start] == last {
			start++
		}
	}
	end := min(start+pageSize, len(arns))
	next := ""
	if end < len(arns) {
		next = base64.RawURLEncoding.EncodeToString([]byte(arns[end-1]))
	}
	return arns[start:end], next, nil
}

// topic attributes that SetTopicAttributes and CreateTopic take.
var topicAttributes = map[string]bool{
	"DisplayName": true, "Policy": true, "DeliveryPolicy": true, "KmsMasterKeyId": true,
	"SignatureVersion": true, "TracingConfig": true, "ArchivePolicy": true, "DataProtectionPolicy": true,
}

func init() {
	for _, p := range []string{"HTTP", "Application", "Lambda", "SQS", "Firehose"} {
		for _, s := range []string{"SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn"} {
			topicAttributes[p+s] = true
		}
	}
}

// checkTopicAttribute validates a topic attribute.
func checkTopicAttribute(name, value string) error {
	if !topicAttributes[name] {
		return invalidParameter("AttributeName")
	}
	switch name {
	case "SignatureVersion":
		if value != "1" && value != "2" {
			return invalidParameter("SignatureVersion")
		}
	case "TracingConfig":
		if value != "PassThrough" && value != "Active" {
			return invalidParameter("TracingConfig")
		}
	case "Policy", "DeliveryPolicy", "ArchivePolicy", "DataProtectionPolicy":
		if value != "" && !json.Valid([]byte(value)) {
			return invalidParameter(name + ": failed to parse JSON")
		}
	case "DisplayName":
		if utf8.RuneCountInString(value) > 100 {
			return invalidParameter("DisplayName")
		}
	}
	return nil
}

func (svc *Service) createTopic(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	name := form.Get("Name")
	attrs := entries(form, "Attributes", "key", "value")
	if strings.HasSuffix(name, ".fifo") || strings.EqualFold(attrs["FifoTopic"], "true") {
		return nil, invalidParameter("Topic Name Reason: FIFO topics are not supported by firetrail")
	}
	if !nameOK(name, maxTopicName, false) {
		return nil, invalidParameter("Topic Name")
	}
	delete(attrs, "FifoTopic")
	for k, v := range attrs {
		if err := checkTopicAttribute(k, v); err != nil {
			return nil, err
		}
	}
	tags, err := tagsParam(form)
	if err != nil {
		return nil, err
	}
	account, region := svc.caller(cc)
	arn := "arn:aws:sns:" + region + ":" + account + ":" + name
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return nil, errClosed()
	}
	if t := svc.topic(arn); t != nil {
		for k, v := range attrs {
			if t.attrs[k] != v {
				return nil, invalidParameter("Attributes Reason: Topic already exists with different attributes")
			}
		}
		if tags != nil && !maps.Equal(tags, t.tags) {
			return nil, invalidParameter("Tags Reason: Topic already exists with different tags")
		}
	} else {
		t := svc.addTopic(arn, region, account, name)
		maps.Copy(t.attrs, attrs)
		maps.Copy(t.tags, tags)
		svc.save()
	}
	var w xmlWriter
	w.elem("TopicArn", arn)
	return w.Bytes(), nil
}

func (svc *Service) deleteTopic(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	arn := form.Get("TopicArn")
	if !topicARNOK(arn) {
		return nil, invalidParameter("TopicArn")
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t := svc.topic(arn)
	if t == nil { // DeleteTopic is idempotent
		return nil, nil
	}
	if err := authorize(cc, t, "DeleteTopic"); err != nil {
		return nil, err
	}
	svc.deleteTopicLocked(t)
	svc.save()
	return nil, nil
}

// deleteTopicLocked removes t and its subscriptions. Called with svc.mu
// held.
func (svc *Service) deleteTopicLocked(t *Topic) {
	for _, s := range slices.Clone(t.subs) {
		svc.remove(s)
	}
	t.gone = true
	delete(svc.byARN, t.arn)
	svc.topics = slices.DeleteFunc(svc.topics, func(x *Topic) bool { return x == t })
}

func (svc *Service) listTopics(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	account, region := svc.caller(cc)
	svc.mu.Lock()
	var arns []string
	for _, t := range svc.topics {
		if t.account == account && t.region == region {
			arns = append(arns, t.arn)
		}
	}
	svc.mu.Unlock()
	slices.Sort(arns)
	arns, next, err := page(arns, form.Get("NextToken"))
	if err != nil {
		return nil, err
	}
	var w xmlWriter
	w.WriteString("<Topics>")
	for _, a := range arns {
		w.WriteString("<member>")
		w.elem("TopicArn", a)
		w.WriteString("</member>")
	}
	w.WriteString("</Topics>")
	if next != "" {
		w.elem("NextToken", next)
	}
	return w.Bytes(), nil
}

// defaultPolicy is the policy of a new topic.
func defaultPolicy(t *Topic) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"` +
		t.arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"` + t.account + `"}}}]}`
}

// defaultDeliveryPolicy is EffectiveDeliveryPolicy without a DeliveryPolicy.
const defaultDeliveryPolicy = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`

func (svc *Service) getTopicAttributes(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.lookupTopic("TopicArn", form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	if err := authorize(cc, t, "GetTopicAttributes"); err != nil {
		return nil, err
	}
	var confirmed, pending int
	for _, s := range t.subs {
		switch {
		case s.s3 != nil:
		case s.confirmed.Load():
			confirmed++
		default:
			pending++
		}
	}
	m := map[string]string{
		"TopicArn":                t.arn,
		"Owner":                   t.account,
		"DisplayName":             "",
		"Policy":                  defaultPolicy(t),
		"SubscriptionsConfirmed":  strconv.Itoa(confirmed),
		"SubscriptionsPending":    strconv.Itoa(pending),
		"SubscriptionsDeleted":    strconv.FormatInt(t.deleted, 10),
		"EffectiveDeliveryPolicy": defaultDeliveryPolicy,
	}
	for k, v := range t.attrs {
		if v != "" || k == "DisplayName" {
			m[k] = v
		}
	}
	if dp := t.attrs["DeliveryPolicy"]; dp != "" {
		m["EffectiveDeliveryPolicy"] = dp
	}
	var w xmlWriter
	w.attributes(m)
	return w.Bytes(), nil
}

func (svc *Service) setTopicAttributes(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	name, value := form.Get("AttributeName"), form.Get("AttributeValue")
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.lookupTopic("TopicArn", form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	if err := authorize(cc, t, "SetTopicAttributes"); err != nil {
		return nil, err
	}
	if name == "FifoTopic" || name == "ContentBasedDeduplication" {
		return nil, invalidParameter("AttributeName")
	}
	if err := checkTopicAttribute(name, value); err != nil {
		return nil, err
	}
	if value == "" {
		delete(t.attrs, name)
	} else {
		t.attrs[name] = value
	}
	svc.save()
	return nil, nil
}

// checkEndpointFor validates a Subscribe's protocol and endpoint.
func (svc *Service) checkEndpointFor(protocol, endpoint string) error {
	switch protocol {
	case "http", "https":
		if !strings.HasPrefix(strings.ToLower(endpoint), protocol+"://") || !isHTTPURL(endpoint) {
			return invalidParameter("Endpoint Reason: An " + protocol + " endpoint must be an " + protocol + ":// URL")
		}
	case "sqs":
		if svc.cfg.DeliverToQueue == nil {
			return invalidParameter("Protocol Reason: sqs subscriptions need the emulator's SQS")
		}
		if !queueARNOK(endpoint) {
			return invalidParameter("SQS endpoint ARN")
		}
		if svc.cfg.QueueExists != nil && !svc.cfg.QueueExists(endpoint) {
			return invalidParameter("SQS endpoint ARN Reason: the queue does not exist")
		}
	case "email", "email-json", "sms", "lambda", "application", "firehose":
		return invalidParameter("Protocol Reason: firetrail's SNS delivers to http, https and sqs endpoints, not " + protocol)
	default:
		return invalidParameter("Amazon SNS does not support this protocol string: " + protocol)
	}
	return nil
}

func (svc *Service) subscribeAction(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	protocol, endpoint := form.Get("Protocol"), form.Get("Endpoint")
	attrs := entries(form, "Attributes", "key", "value")
	if _, ok := form["Protocol"]; !ok {
		return nil, invalidParameter("Protocol")
	}
	if err := svc.checkEndpointFor(protocol, endpoint); err != nil {
		return nil, err
	}
	account, _ := svc.caller(cc)
	svc.mu.Lock()
	defer svc.mu.Unlock()
	if svc.closed {
		return nil, errClosed()
	}
	t, err := svc.lookupTopic("TopicArn", form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	if err := authorize(cc, t, "Subscribe"); err != nil {
		return nil, err
	}
	s, err := svc.subscribe(t, protocol, endpoint, account, attrs)
	if err != nil {
		return nil, err
	}
	svc.save()
	arn := s.arn
	if !s.confirmed.Load() && !strings.EqualFold(form.Get("ReturnSubscriptionArn"), "true") {
		arn = pendingReply
	}
	var w xmlWriter
	w.elem("SubscriptionArn", arn)
	return w.Bytes(), nil
}

func (svc *Service) confirmSubscription(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	token := form.Get("Token")
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t := svc.topic(form.Get("TopicArn"))
	if t == nil {
		return nil, topicNotFound()
	}
	s := svc.byToken[token]
	if s == nil || s.topic != t || token == "" {
		return nil, invalidParameter("Token")
	}
	if !s.confirmed.Load() {
		s.confirmed.Store(true)
		s.authConfirm = authenticated(cc)
	}
	if strings.EqualFold(form.Get("AuthenticateOnUnsubscribe"), "true") && authenticated(cc) {
		s.authUnsub = true
	}
	svc.save()
	var w xmlWriter
	w.elem("SubscriptionArn", s.arn)
	return w.Bytes(), nil
}

func (svc *Service) unsubscribeAction(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	s := svc.subscription(form.Get("SubscriptionArn"))
	if s == nil {
		return nil, subscriptionNotFound()
	}
	if s.authUnsub && !authenticated(cc) {
		return nil, awsapi.NewError(http.StatusForbidden, "AuthorizationError", "Unsubscribe of %s requires authentication", s.arn)
	}
	if authenticated(cc) && cc.Account != "" && cc.Account != s.owner && cc.Account != s.topic.account {
		return nil, authorizationError(cc, "Unsubscribe", s.arn)
	}
	svc.unsubscribe(s.arn)
	svc.save()
	return nil, nil
}

// writeSubscriptions writes a page of subscriptions.
func writeSubscriptions(subs []*subscriber, next string) []byte {
	var w xmlWriter
	w.WriteString("<Subscriptions>")
	for _, s := range subs {
		arn := s.arn
		if !s.confirmed.Load() {
			arn = pendingARN
		}
		w.WriteString("<member>")
		w.elem("Owner", s.owner)
		w.elem("Endpoint", s.endpoint)
		w.elem("Protocol", s.protocol)
		w.elem("SubscriptionArn", arn)
		w.elem("TopicArn", s.topic.arn)
		w.WriteString("</member>")
	}
	w.WriteString("</Subscriptions>")
	if next != "" {
		w.elem("NextToken", next)
	}
	return w.Bytes()
}

// pageSubscriptions sorts subs by ARN and returns the page token names.
func pageSubscriptions(subs []*subscriber, token string) ([]byte, error) {
	slices.SortFunc(subs, func(a, b *subscriber) int { return strings.Compare(a.arn, b.arn) })
	arns := make([]string, len(subs))
	for i, s := range subs {
		arns[i] = s.arn
	}
	pg, next, err := page(arns, token)
	if err != nil {
		return nil, err
	}
	start := 0
	if len(pg) > 0 {
		start, _ = slices.BinarySearch(arns, pg[0])
	}
	return writeSubscriptions(subs[start:start+len(pg)], next), nil
}

func (svc *Service) listSubscriptions(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	account, region := svc.caller(cc)
	svc.mu.Lock()
	defer svc.mu.Unlock()
	var subs []*subscriber
	for _, t := range svc.topics {
		if t.region != region {
			continue
		}
		for _, s := range t.subs {
			if s.s3 == nil && s.owner == account {
				subs = append(subs, s)
			}
		}
	}
	return pageSubscriptions(subs, form.Get("NextToken"))
}

func (svc *Service) listSubscriptionsByTopic(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.lookupTopic("TopicArn", form.Get("TopicArn"))
	if err != nil {
		return nil, err
	}
	if err := authorize(cc, t, "ListSubscriptionsByTopic"); err != nil {
		return nil, err
	}
	var subs []*subscriber
	for _, s := range t.subs {
		if s.s3 == nil {
			subs = append(subs, s)
		}
	}
	return pageSubscriptions(subs, form.Get("NextToken"))
}

func (svc *Service) getSubscriptionAttributes(_ context.Context, _ *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	s := svc.subscription(form.Get("SubscriptionArn"))
	if s == nil {
		return nil, subscriptionNotFound()
	}
	m := map[string]string{
		"SubscriptionArn":              s.arn,
		"TopicArn":                     s.topic.arn,
		"Owner":                        s.owner,
		"Protocol":                     s.protocol,
		"Endpoint":                     s.endpoint,
		"PendingConfirmation":          strconv.FormatBool(!s.confirmed.Load()),
		"ConfirmationWasAuthenticated": strconv.FormatBool(s.authConfirm),
		"RawMessageDelivery":           "false",
	}
	maps.Copy(m, s.attrs)
	if m["FilterPolicy"] != "" && m["FilterPolicyScope"] == "" {
		m["FilterPolicyScope"] = "MessageAttributes"
	}
	if s.protocol == "http" || s.protocol == "https" {
		m["EffectiveDeliveryPolicy"] = defaultDeliveryPolicy
		if dp := s.attrs["DeliveryPolicy"]; dp != "" {
			m["EffectiveDeliveryPolicy"] = dp
		}
	}
	var w xmlWriter
	w.attributes(m)
	return w.Bytes(), nil
}

func (svc *Service) setSubscriptionAttributes(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	s := svc.subscription(form.Get("SubscriptionArn"))
	if s == nil {
		return nil, subscriptionNotFound()
	}
	if err := s.setAttribute(form.Get("AttributeName"), form.Get("AttributeValue")); err != nil {
		return nil, err
	}
	svc.save()
	return nil, nil
}

// setAttribute sets one subscription attribute. Called with svc.mu held
// (or on a subscription not yet shared).
func (s *subscriber) setAttribute(name, value string) error {
	switch name {
	case "RawMessageDelivery":
		v := strings.ToLower(value)
		if v != "true" && v != "false" {
			return invalidParameter("Attributes Reason: RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.")
		}
		s.attrs[name] = v
	case "FilterPolicy":
		if value == "" {
			delete(s.attrs, name)
			s.filter = nil
			return nil
		}
		fp, err := parseFilterPolicy(value, s.attrs["FilterPolicyScope"])
		if err != nil {
			return err
		}
		s.attrs[name], s.filter = value, fp
	case "FilterPolicyScope":
		if value != "MessageAttributes" && value != "MessageBody" {
			return invalidParameter("Attributes Reason: FilterPolicyScope: Invalid value [" + value + "]. Please use either MessageBody or MessageAttributes")
		}
		if p := s.attrs["FilterPolicy"]; p != "" {
			fp, err := parseFilterPolicy(p, value)
			if err != nil {
				return err
			}
			s.filter = fp
		}
		s.attrs[name] = value
	case "DeliveryPolicy", "RedrivePolicy":
		if value == "" {
			delete(s.attrs, name)
			return nil
		}
		if !json.Valid([]byte(value)) {
			return invalidParameter(name + ": failed to parse JSON")
		}
		s.attrs[name] = value
	default:
		return invalidParameter("AttributeName")
	}
	return nil
}

// setAttributes sets a Subscribe's attributes, the scope before the
// filter policy.
func (s *subscriber) setAttributes(attrs map[string]string) error {
	keys := slices.Sorted(maps.Keys(attrs))
	slices.SortStableFunc(keys, func(a, b string) int {
		if a == "FilterPolicyScope" {
			return -1
		}
		if b == "FilterPolicyScope" {
			return 1
		}
		return 0
	})
	for _, k := range keys {
		if err := s.setAttribute(k, attrs[k]); err != nil {
			return err
		}
	}
	return nil
}

// messageAttributes reads prefix.entry.N.Name/Value.DataType/Value.StringValue/Value.BinaryValue.
func messageAttributes(form url.Values, prefix string) (map[string]awsapi.MessageAttribute, int, error) {
	var out map[string]awsapi.MessageAttribute
	size := 0
	p := prefix + ".entry."
	for k := range form {
		rest, ok := strings.CutPrefix(k, p)
		if !ok {
			continue
		}
		n, ok := strings.CutSuffix(rest, ".Name")
		if !ok || strings.Contains(n, ".") {
			continue
		}
		name := form.Get(k)
		if !nameOK(name, maxAttrName, true) || strings.Contains(name, "..") || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") {
			return nil, 0, invalidParameterValue("The message attribute name '%s' is invalid.", name)
		}
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
			return nil, 0, invalidParameterValue("The message attribute name '%s' is reserved.", name)
		}
		a := awsapi.MessageAttribute{DataType: form.Get(p + n + ".Value.DataType"), StringValue: form.Get(p + n + ".Value.StringValue")}
		base, _, _ := strings.Cut(a.DataType, ".")
		switch {
		case a.DataType == "":
			return nil, 0, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", name)
		case base == "Binary":
			b, err := base64.StdEncoding.DecodeString(form.Get(p + n + ".Value.BinaryValue"))
			if err != nil {
				return nil, 0, invalidParameterValue("The message attribute '%s' has an invalid binary value.", name)
			}
			if len(b) == 0 {
				return nil, 0, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
			a.BinaryValue, a.StringValue = b, ""
		case base == "String" || base == "Number":
			if a.StringValue == "" {
				return nil, 0, invalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(strings.TrimSpace(a.StringValue), 64); err != nil {
					return nil, 0, invalidParameterValue("Could not cast message attribute '%s' value to number.", name)
				}
			}
			if strings.HasPrefix(a.DataType, "String.Array") {
				var arr []any
				if json.Unmarshal([]byte(a.StringValue), &arr) != nil {
					return nil, 0, invalidParameterValue("The message attribute '%s' with type 'String.Array' has an invalid value.", name)
				}
			}
		default:
			return nil, 0, invalidParameterValue("The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		if out == nil {
			out = map[string]awsapi.MessageAttribute{}
		}
		out[name] = a
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return out, size, nil
}

// parsePublication reads the message parameters of Publish (prefix "")
// or a PublishBatch entry (prefix "PublishBatchRequestEntries.member.N.").
func parsePublication(form url.Values, prefix string) (*publication, int, error) {
	_, hasMsg := form[prefix+"Message"]
	msg := form.Get(prefix + "Message")
	if !hasMsg || msg == "" {
		return nil, 0, invalidParameter("Empty message")
	}
	p := &publication{message: msg}
	if sub, ok := form[prefix+"Subject"]; ok {
		s := sub[0]
		if s == "" || utf8.RuneCountInString(s) > maxSubject || strings.ContainsAny(s, "\r\n") {
			return nil, 0, invalidParameter("Subject")
		}
		p.subject = s
	}
	switch ms := form.Get(prefix + "MessageStructure"); ms {
	case "":
	case "json":
		var per map[string]any
		if json.Unmarshal([]byte(msg), &per) != nil || per == nil {
			return nil, 0, invalidParameter("Message Structure - JSON message body failed to parse")
		}
		def, ok := per["default"].(string)
		if !ok {
			return nil, 0, invalidParameter("Message Structure - No default entry in JSON message body")
		}
		p.message = def
		p.protocols = map[string]string{}
		for k, v := range per {
			if s, ok := v.(string); ok && k != "default" {
				p.protocols[k] = s
			}
		}
	default:
		return nil, 0, invalidParameter("MessageStructure")
	}
	for _, f := range []string{"MessageGroupId", "MessageDeduplicationId"} {
		if _, ok := form[prefix+f]; ok {
			return nil, 0, invalidParameter(f + " Reason: The request includes " + f + " parameter that is not valid for this topic type")
		}
	}
	attrs, size, err := messageAttributes(form, prefix+"MessageAttributes")
	if err != nil {
		return nil, 0, err
	}
	p.attrs = attrs
	size += len(msg)
	if size > maxMessage {
		return nil, 0, invalidParameter("Message too long")
	}
	return p, size, nil
}

// publishTarget returns the topic Publish names (TopicArn or TargetArn).
// Called with svc.mu held.
func (svc *Service) publishTarget(cc *awsapi.Call, form url.Values) (*Topic, error) {
	topic, target := form.Get("TopicArn"), form.Get("TargetArn")
	if form.Get("PhoneNumber") != "" {
		return nil, invalidParameter("PhoneNumber Reason: firetrail's SNS does not send SMS")
	}
	param := "TopicArn"
	switch {
	case topic != "" && target != "":
		return nil, invalidParameter("TopicArn or TargetArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified")
	case topic == "" && target == "":
		return nil, invalidParameter("TopicArn or TargetArn Reason: no value for required parameter")
	case target != "":
		topic, param = target, "TargetArn"
	}
	t, err := svc.lookupTopic(param, topic)
	if err != nil {
		return nil, err
	}
	if err := authorize(cc, t, "Publish"); err != nil {
		return nil, err
	}
	return t, nil
}

func (svc *Service) publishAction(ctx context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	t, err := svc.publishTarget(cc, form)
	svc.mu.Unlock()
	if err != nil {
		return nil, err
	}
	p, _, err := parsePublication(form, "")
	if err != nil {
		return nil, err
	}
	id, err := svc.publish(ctx, t, p)
	if err != nil {
		return nil, err
	}
	var w xmlWriter
	w.elem("MessageId", id)
	return w.Bytes(), nil
}

func (svc *Service) publishBatch(ctx context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	t, err := svc.lookupTopic("TopicArn", form.Get("TopicArn"))
	if err == nil {
		err = authorize(cc, t, "Publish")
	}
	svc.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ids := members(form, "PublishBatchRequestEntries", "Id")
	// the entries' indices, in order
	var idx []string
	for k := range form {
		rest, ok := strings.CutPrefix(k, "PublishBatchRequestEntries.member.")
		if !ok {
			continue
		}
		if n, ok := strings.CutSuffix(rest, ".Id"); ok && !strings.Contains(n, ".") {
			idx = append(idx, n)
		}
	}
	slices.SortFunc(idx, func(a, b string) int {
		x, _ := strconv.Atoi(a)
		y, _ := strconv.Atoi(b)
		return x - y
	})
	switch {
	case len(ids) == 0:
		return nil, emptyBatch()
	case len(ids) > maxBatch:
		return nil, tooManyEntries()
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !nameOK(id, maxBatchID, false) {
			return nil, invalidBatchEntryID()
		}
		if seen[id] {
			return nil, batchIDsNotDistinct()
		}
		seen[id] = true
	}
	type entry struct {
		id  string
		pub *publication
		err *awsapi.Error
	}
	var list []entry
	total := 0
	for _, n := range idx {
		prefix := "PublishBatchRequestEntries.member." + n + "."
		p, size, err := parsePublication(form, prefix)
		total += size
		e := entry{id: form.Get(prefix + "Id"), pub: p}
		if err != nil {
			e.err = awsapi.AsError(err)
		}
		list = append(list, e)
	}
	if total > maxMessage {
		return nil, batchTooLong()
	}
	var ok, failed xmlWriter
	for _, e := range list {
		if e.err == nil {
			mid, err := svc.publish(ctx, t, e.pub)
			if err != nil {
				e.err = awsapi.AsError(err)
			} else {
				ok.WriteString("<member>")
				ok.elem("Id", e.id)
				ok.elem("MessageId", mid)
				ok.WriteString("</member>")
				continue
			}
		}
		failed.WriteString("<member>")
		failed.elem("Id", e.id)
		failed.elem("Code", e.err.Code)
		failed.elem("Message", e.err.Message)
		failed.elem("SenderFault", strconv.FormatBool(e.err.Status < 500))
		failed.WriteString("</member>")
	}
	var w xmlWriter
	w.WriteString("<Successful>")
	w.Write(ok.Bytes())
	w.WriteString("</Successful><Failed>")
	w.Write(failed.Bytes())
	w.WriteString("</Failed>")
	return w.Bytes(), nil
}

// tagTarget returns the topic ResourceArn names. Called with svc.mu held.
func (svc *Service) tagTarget(cc *awsapi.Call, form url.Values, action string) (*Topic, error) {
	arn := form.Get("ResourceArn")
	if !topicARNOK(arn) {
		return nil, invalidParameter("ResourceArn")
	}
	t := svc.topic(arn)
	if t == nil {
		return nil, resourceNotFound()
	}
	if err := authorize(cc, t, action); err != nil {
		return nil, err
	}
	return t, nil
}

func (svc *Service) tagResource(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	tags, err := tagsParam(form)
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, invalidParameter("Tags")
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.tagTarget(cc, form, "TagResource")
	if err != nil {
		return nil, err
	}
	merged := maps.Clone(t.tags)
	maps.Copy(merged, tags)
	if len(merged) > maxTags {
		return nil, tagLimitExceeded()
	}
	t.tags = merged
	svc.save()
	return []byte{}, nil // an empty TagResourceResult, as AWS writes it
}

func (svc *Service) untagResource(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	keys := members(form, "TagKeys", "")
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.tagTarget(cc, form, "UntagResource")
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		delete(t.tags, k)
	}
	svc.save()
	return []byte{}, nil // an empty UntagResourceResult
}

func (svc *Service) listTagsForResource(_ context.Context, cc *awsapi.Call, form url.Values) ([]byte, error) {
	svc.mu.Lock()
	defer svc.mu.Unlock()
	t, err := svc.tagTarget(cc, form, "ListTagsForResource")
	if err != nil {
		return nil, err
	}
	var w xmlWriter
	w.WriteString("<Tags>")
	for _, k := range slices.Sorted(maps.Keys(t.tags)) {
		w.WriteString("<member>")
		w.elem("Key", k)
		w.elem("Value", t.tags[k])
		w.WriteString("</member>")
	}
	w.WriteString("</Tags>")
	return w.Bytes(), nil
}
