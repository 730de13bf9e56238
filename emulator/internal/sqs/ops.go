package sqs

import (
	"context"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

func (s *Service) createQueue(_ context.Context, cc *awsapi.Call, in *createQueueInput) (*queueURLOutput, error) {
	if in.QueueName == nil {
		return nil, errMissingParameter("QueueName")
	}
	k := queueKey{account: cc.Account, region: cc.Region, name: *in.QueueName}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Attributes first: a FIFO queue is refused for its FifoQueue
	// attribute (unknown here) before its name.
	attrs, err := checkAttrs(in.Attributes, func(d queueKey) bool { return s.queues[d] != nil })
	if err != nil {
		return nil, err
	}
	if !validQueueName(k.name) {
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if len(in.Tags) > maxTags {
		return nil, errInvalidParameterValue("Too many tags added for queue %s.", k.name)
	}
	if q := s.queues[k]; q != nil {
		for _, name := range slices.Sorted(maps.Keys(attrs)) {
			if v := attrs[name]; q.attrs[name] != v && (v != "" || q.attrs[name] != "") {
				return nil, errQueueNameExists(name)
			}
		}
		return &queueURLOutput{QueueUrl: queueURL(cc, k)}, nil
	}
	s.queues[k] = newQueue(k, attrs, in.Tags, s.clock.Now())
	s.changed()
	return &queueURLOutput{QueueUrl: queueURL(cc, k)}, nil
}

const maxTags = 50

func (s *Service) getQueueURL(_ context.Context, cc *awsapi.Call, in *getQueueURLInput) (*queueURLOutput, error) {
	if in.QueueName == nil {
		return nil, errMissingParameter("QueueName")
	}
	account := cc.Account
	if in.QueueOwnerAWSAccountId != "" {
		account = in.QueueOwnerAWSAccountId
	}
	k := queueKey{account: account, region: cc.Region, name: *in.QueueName}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.get(k); err != nil {
		return nil, err
	}
	return &queueURLOutput{QueueUrl: queueURL(cc, k)}, nil
}

func (s *Service) deleteQueue(_ context.Context, cc *awsapi.Call, in *queueInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	delete(s.queues, q.key)
	q.gone = true
	close(q.notify)
	q.notify = make(chan struct{})
	s.changed()
	return &emptyOutput{}, nil
}

func (s *Service) purgeQueue(_ context.Context, cc *awsapi.Call, in *queueInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !q.purged.IsZero() && now.Before(q.purged.Add(purgeInterval)) {
		return nil, errPurgeInProgress(queueURL(cc, q.key))
	}
	q.purged = now
	q.purge()
	s.changed()
	return &emptyOutput{}, nil
}

// queueAttrNames are the names GetQueueAttributes knows, in the order
// All lists them.
var queueAttrNames = []string{
	"QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
	"ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
	attrVisibilityTimeout, attrMaximumMessageSize, attrMessageRetentionPeriod, attrDelaySeconds,
	attrReceiveWait, attrPolicy, attrRedrivePolicy, attrRedriveAllowPolicy, attrKmsMasterKeyID,
	attrKmsReuse, attrSqsManagedSse,
}

func (s *Service) getQueueAttributes(_ context.Context, cc *awsapi.Call, in *getQueueAttributesInput) (*attributesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		switch {
		case n == "All":
			for _, a := range queueAttrNames {
				want[a] = true
			}
		case slices.Contains(queueAttrNames, n):
			want[n] = true
		case slices.Contains(fifoAttrs, n):
			// A standard queue has none.
		default:
			return nil, errInvalidAttributeName(n)
		}
	}
	if len(want) == 0 {
		return &attributesOutput{}, nil
	}
	now := s.clock.Now()
	q.expire(now)
	visible, inflight, delayed := q.counts(now)
	out := map[string]string{}
	for n := range want {
		switch n {
		case "QueueArn":
			out[n] = q.key.arn()
		case "ApproximateNumberOfMessages":
			out[n] = strconv.Itoa(visible)
		case "ApproximateNumberOfMessagesNotVisible":
			out[n] = strconv.Itoa(inflight)
		case "ApproximateNumberOfMessagesDelayed":
			out[n] = strconv.Itoa(delayed)
		case "CreatedTimestamp":
			out[n] = strconv.FormatInt(q.created.Unix(), 10)
		case "LastModifiedTimestamp":
			out[n] = strconv.FormatInt(q.modified.Unix(), 10)
		default:
			if v, ok := q.attrs[n]; ok {
				out[n] = v
			}
		}
	}
	return &attributesOutput{Attributes: out}, nil
}

func (s *Service) setQueueAttributes(_ context.Context, cc *awsapi.Call, in *setQueueAttributesInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Attributes) == 0 {
		return nil, errMissingParameter("Attributes")
	}
	attrs, err := checkAttrs(in.Attributes, func(d queueKey) bool { return s.queues[d] != nil })
	if err != nil {
		return nil, err
	}
	q.setAttrs(attrs)
	now := s.clock.Now()
	q.modified = now
	if q.waiters > 0 && q.hasVisible(now) {
		q.wake()
	}
	s.changed()
	return &emptyOutput{}, nil
}

// pageToken and unpageToken make the opaque NextToken of list calls: the
// last name of the page.
func pageToken(last string) string { return base64.RawURLEncoding.EncodeToString([]byte("q:" + last)) }

func unpageToken(tok string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), "q:") {
		return "", false
	}
	return string(b[2:]), true
}

// page returns the page of sorted names after NextToken, up to
// MaxResults (1 to 1000; without it, the first 1000 and no token).
func page(names []string, maxResults *int64, token string) ([]string, string, error) {
	slices.Sort(names)
	if token != "" {
		after, ok := unpageToken(token)
		if !ok {
			return nil, "", errInvalidParameterValue("Invalid NextToken value.")
		}
		i, _ := slices.BinarySearch(names, after)
		if i < len(names) && names[i] == after {
			i++
		}
		names = names[i:]
	}
	if maxResults == nil {
		if len(names) > maxListQueues {
			names = names[:maxListQueues]
		}
		return names, "", nil
	}
	if *maxResults < 1 || *maxResults > maxListQueues {
		return nil, "", errInvalidParam("MaxResults", *maxResults, "MaxResults must be an integer between 1 and 1000.")
	}
	if n := int(*maxResults); len(names) > n {
		return names[:n], pageToken(names[n-1]), nil
	}
	return names, "", nil
}

func (s *Service) listQueues(_ context.Context, cc *awsapi.Call, in *listQueuesInput) (*listQueuesOutput, error) {
	s.mu.Lock()
	var names []string
	for k := range s.queues {
		if k.account == cc.Account && k.region == cc.Region && strings.HasPrefix(k.name, in.QueueNamePrefix) {
			names = append(names, k.name)
		}
	}
	s.mu.Unlock()
	names, next, err := page(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &listQueuesOutput{NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, queueURL(cc, queueKey{cc.Account, cc.Region, n}))
	}
	return out, nil
}

func (s *Service) listDeadLetterSourceQueues(_ context.Context, cc *awsapi.Call, in *listDeadLetterSourceQueuesInput) (*dlSourcesOutput, error) {
	s.mu.Lock()
	q, err := s.lookup(cc, in.QueueUrl)
	var names []string
	if err == nil {
		for _, src := range s.queues {
			if src.dlq != nil && *src.dlq == q.key && src.key.account == q.key.account {
				names = append(names, src.key.name)
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	names, next, err := page(names, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &dlSourcesOutput{QueueUrls: []string{}, NextToken: next}
	for _, n := range names {
		out.QueueUrls = append(out.QueueUrls, queueURL(cc, queueKey{q.key.account, q.key.region, n}))
	}
	return out, nil
}

func (s *Service) tagQueue(_ context.Context, cc *awsapi.Call, in *tagQueueInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, errMissingParameter("Tags")
	}
	n := len(q.tags)
	for k := range in.Tags {
		if _, ok := q.tags[k]; !ok {
			n++
		}
	}
	if n > maxTags {
		return nil, errInvalidParameterValue("Too many tags added for queue %s.", q.key.name)
	}
	maps.Copy(q.tags, in.Tags)
	s.changed()
	return &emptyOutput{}, nil
}

func (s *Service) untagQueue(_ context.Context, cc *awsapi.Call, in *untagQueueInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(in.TagKeys) == 0 {
		return nil, errMissingParameter("TagKeys")
	}
	for _, k := range in.TagKeys {
		delete(q.tags, k)
	}
	s.changed()
	return &emptyOutput{}, nil
}

func (s *Service) listQueueTags(_ context.Context, cc *awsapi.Call, in *queueInput) (*tagsOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if len(q.tags) == 0 {
		return &tagsOutput{}, nil
	}
	return &tagsOutput{Tags: maps.Clone(q.tags)}, nil
}

// sendInput is one message to send: a SendMessage or a batch entry.
type sendInput struct {
	body          *string
	delay         *int64
	attrs, system map[string]attrValue
	dedupID       string
	senderID      string
	attrSize      int
}

// checkSend validates a message that does not depend on its queue.
func checkSend(in *sendInput) (attrs, system map[string]awsapi.MessageAttribute, err error) {
	if in.body == nil || *in.body == "" {
		return nil, nil, errMissingParameter("MessageBody")
	}
	if !validBody(*in.body) {
		return nil, nil, errInvalidMessageContents()
	}
	if in.delay != nil && (*in.delay < 0 || *in.delay > maxDelay) {
		return nil, nil, errInvalidParam("DelaySeconds", *in.delay, "DelaySeconds must be >= 0 and <= 900.")
	}
	if in.dedupID != "" {
		return nil, nil, errInvalidParameterValue("The request include parameter that is not valid for this queue type")
	}
	if attrs, in.attrSize, err = convertAttrs(in.attrs); err != nil {
		return nil, nil, err
	}
	if system, err = convertSystemAttrs(in.system); err != nil {
		return nil, nil, err
	}
	return attrs, system, nil
}

// send puts a checked message in q at now; s.mu is held.
func (s *Service) send(q *queue, in *sendInput, attrs, system map[string]awsapi.MessageAttribute, now time.Time) (*message, error) {
	if size := len(*in.body) + in.attrSize; size > q.maxSize {
		return nil, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", q.maxSize)
	}
	delay := q.delay
	if in.delay != nil {
		delay = int(*in.delay)
	}
	m := &message{id: s.ids.UUID(), body: *in.body, md5Body: md5Hex(*in.body), attrs: attrs, system: system,
		senderID: in.senderID, sent: now, visibleAt: now.Add(time.Duration(delay) * time.Second)}
	m.md5Attrs = md5OfAttributes(attrs)
	m.md5System = md5OfAttributes(system)
	q.add(m)
	if delay == 0 {
		q.wake()
	}
	s.changed()
	return m, nil
}

// senderID is the SenderId of a caller's messages: its principal ID, else
// its account.
func senderID(cc *awsapi.Call) string {
	if id := cc.Identity.PrincipalID; id != "" {
		if i := strings.IndexByte(id, ':'); i > 0 {
			return id[:i]
		}
		return id
	}
	return cc.Account
}

func (s *Service) sendMessage(_ context.Context, cc *awsapi.Call, in *sendMessageInput) (*sendMessageOutput, error) {
	k, err := resolve(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	si := &sendInput{body: in.MessageBody, delay: in.DelaySeconds, attrs: in.MessageAttributes,
		system: in.MessageSystemAttributes, dedupID: in.MessageDeduplicationId, senderID: senderID(cc)}
	attrs, system, err := checkSend(si)
	s.mu.Lock()
	defer s.mu.Unlock()
	q, qerr := s.get(k)
	if qerr != nil {
		return nil, qerr
	}
	if err != nil {
		return nil, err
	}
	m, err := s.send(q, si, attrs, system, s.clock.Now())
	if err != nil {
		return nil, err
	}
	return &sendMessageOutput{MessageId: m.id, MD5OfMessageBody: m.md5Body, MD5OfMessageAttributes: m.md5Attrs,
		MD5OfMessageSystemAttributes: m.md5System}, nil
}

// validBatchID is the rule of batch entry IDs.
func validBatchID(id string) bool { return validQueueName(id) }

// checkBatch checks the entry IDs of a batch: 1 to 10, distinct, valid.
func checkBatch(ids []string, entry string) error {
	switch {
	case len(ids) == 0:
		return errEmptyBatch(entry)
	case len(ids) > maxBatchEntries:
		return errTooManyEntries(len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !validBatchID(id) {
			return errInvalidBatchEntryID()
		}
		if seen[id] {
			return errBatchIDsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

// entryError is the BatchResultErrorEntry of a failed entry.
func entryError(id string, err error) batchError {
	ae := awsapi.AsError(err)
	code := ae.QueryCode
	if code == "" {
		code = ae.Code
	}
	return batchError{Id: id, SenderFault: ae.Status < 500, Code: code, Message: ae.Message}
}

func (s *Service) sendMessageBatch(_ context.Context, cc *awsapi.Call, in *sendMessageBatchInput) (*sendMessageBatchOutput, error) {
	k, err := resolve(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids, "SendMessageBatchRequestEntry"); err != nil {
		return nil, err
	}
	// Every entry is checked first: the batch's size (bodies and
	// attributes) is bounded as one message's.
	type checked struct {
		in            *sendInput
		attrs, system map[string]awsapi.MessageAttribute
		err           error
	}
	entries := make([]checked, len(in.Entries))
	size := 0
	for i, e := range in.Entries {
		si := &sendInput{body: e.MessageBody, delay: e.DelaySeconds, attrs: e.MessageAttributes,
			system: e.MessageSystemAttributes, dedupID: e.MessageDeduplicationId, senderID: senderID(cc)}
		attrs, system, err := checkSend(si)
		entries[i] = checked{si, attrs, system, err}
		if err == nil {
			size += len(*si.body) + si.attrSize
		}
	}
	if size > maxMessageSize {
		return nil, errBatchRequestTooLong(size)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.get(k)
	if err != nil {
		return nil, err
	}
	out := &sendMessageBatchOutput{Successful: []sendBatchResult{}, Failed: []batchError{}}
	now := s.clock.Now()
	for i, e := range in.Entries {
		c := entries[i]
		var m *message
		err := c.err
		if err == nil {
			m, err = s.send(q, c.in, c.attrs, c.system, now)
		}
		if err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, sendBatchResult{Id: e.Id, MessageId: m.id, MD5OfMessageBody: m.md5Body,
			MD5OfMessageAttributes: m.md5Attrs, MD5OfMessageSystemAttributes: m.md5System})
	}
	return out, nil
}

// systemAttrNames are the message system attributes ReceiveMessage can
// return.
var systemAttrNames = []string{
	"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
	"AWSTraceHeader", "DeadLetterQueueSourceArn",
}

// receiveOptions is a checked ReceiveMessage.
type receiveOptions struct {
	max        int
	visibility *int
	wait       *int
	system     map[string]bool
	attrNames  []string
}

func checkReceive(in *receiveMessageInput) (*receiveOptions, error) {
	o := &receiveOptions{max: 1, system: map[string]bool{}, attrNames: in.MessageAttributeNames}
	if in.MaxNumberOfMessages != nil {
		if n := *in.MaxNumberOfMessages; n < 1 || n > maxBatchEntries {
			return nil, errInvalidParam("MaxNumberOfMessages", n, "Must be between 1 and 10, if provided.")
		}
		o.max = int(*in.MaxNumberOfMessages)
	}
	if in.VisibilityTimeout != nil {
		if n := *in.VisibilityTimeout; n < 0 || n > maxVisibility {
			return nil, errInvalidParam("VisibilityTimeout", n, "Must be >= 0 and <= 43200, if provided.")
		}
		v := int(*in.VisibilityTimeout)
		o.visibility = &v
	}
	if in.WaitTimeSeconds != nil {
		if n := *in.WaitTimeSeconds; n < 0 || n > maxReceiveWait {
			return nil, errInvalidParam("WaitTimeSeconds", n, "Must be >= 0 and <= 20, if provided.")
		}
		v := int(*in.WaitTimeSeconds)
		o.wait = &v
	}
	for _, n := range slices.Concat(in.AttributeNames, in.MessageSystemAttributeNames) {
		if n == "All" {
			for _, a := range systemAttrNames {
				o.system[a] = true
			}
		} else if slices.Contains(systemAttrNames, n) {
			o.system[n] = true
		}
		// Other names (queue attributes, FIFO ones) select nothing.
	}
	return o, nil
}

func (s *Service) receiveMessage(ctx context.Context, cc *awsapi.Call, in *receiveMessageInput) (*receiveMessageOutput, error) {
	k, err := resolve(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	o, err := checkReceive(in)
	if err != nil {
		return nil, err
	}
	var timer *time.Timer
	for {
		s.mu.Lock()
		q, err := s.get(k)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		now := s.clock.Now()
		got := s.take(q, o, now)
		wait := q.wait
		if o.wait != nil {
			wait = *o.wait
		}
		if len(got) > 0 || wait == 0 || s.closed {
			s.mu.Unlock()
			return &receiveMessageOutput{Messages: got}, nil
		}
		if timer == nil {
			// The one wall-clock wait: a virtual clock never moves by itself.
			timer = time.NewTimer(time.Duration(wait) * time.Second)
			defer timer.Stop()
		}
		ch := q.notify
		q.waiters++
		s.mu.Unlock()
		over := false
		select {
		case <-ch:
		case <-ctx.Done():
			over = true
		case <-timer.C:
			over = true
		case <-s.done:
			over = true
		}
		s.mu.Lock()
		q.waiters--
		s.mu.Unlock()
		if over {
			return &receiveMessageOutput{}, nil
		}
	}
}

// take receives up to o.max visible messages of q at now, moving those
// received maxReceiveCount times to the dead-letter queue; s.mu is held.
func (s *Service) take(q *queue, o *receiveOptions, now time.Time) []messageOutput {
	q.expire(now)
	vis := q.visibility
	if o.visibility != nil {
		vis = *o.visibility
	}
	var out []messageOutput
	for _, m := range q.msgs {
		if len(out) == o.max {
			break
		}
		if m.deleted || now.Before(m.visibleAt) {
			continue
		}
		if q.dlq != nil && m.receives >= q.maxReceives {
			if d := s.queues[*q.dlq]; d != nil && d != q {
				q.remove(m)
				moved := *m
				moved.deleted, moved.receipt, moved.visibleAt, moved.dlqSource = false, "", now, q.key.arn()
				d.add(&moved)
				d.wake()
				s.changed()
				continue
			}
		}
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.receipt = s.ids.UUID()
		m.visibleAt = now.Add(time.Duration(vis) * time.Second)
		out = append(out, s.output(q, m, o))
	}
	q.compact()
	if len(out) > 0 {
		s.changed()
	}
	return out
}

// output returns what a receive shows of m.
func (s *Service) output(q *queue, m *message, o *receiveOptions) messageOutput {
	mo := messageOutput{MessageId: m.id, ReceiptHandle: receiptHandle(q.key, m.id, m.receipt), MD5OfBody: m.md5Body, Body: m.body}
	if len(o.system) > 0 {
		a := map[string]string{}
		ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
		for n := range o.system {
			switch n {
			case "SenderId":
				if m.senderID != "" {
					a[n] = m.senderID
				}
			case "SentTimestamp":
				a[n] = ms(m.sent)
			case "ApproximateReceiveCount":
				a[n] = strconv.Itoa(m.receives)
			case "ApproximateFirstReceiveTimestamp":
				a[n] = ms(m.firstReceive)
			case "AWSTraceHeader":
				if t, ok := m.system[n]; ok {
					a[n] = t.StringValue
				}
			case "DeadLetterQueueSourceArn":
				if m.dlqSource != "" {
					a[n] = m.dlqSource
				}
			}
		}
		if len(a) > 0 {
			mo.Attributes = a
		}
	}
	if sel := selectAttrs(m.attrs, o.attrNames); len(sel) > 0 {
		mo.MessageAttributes = wireAttrs(sel)
		mo.MD5OfMessageAttributes = md5OfAttributes(sel)
	}
	return mo
}

// findReceipt returns the message a receipt handle of q names and
// whether the handle is its latest; nil if the message is gone.
func findReceipt(q *queue, handle *string) (*message, bool, error) {
	if handle == nil || *handle == "" {
		return nil, false, errMissingParameter("ReceiptHandle")
	}
	id, nonce, err := parseReceipt(q.key, *handle)
	if err != nil {
		return nil, false, err
	}
	m := q.byID[id]
	if m == nil {
		return nil, false, nil
	}
	return m, m.receipt == nonce, nil
}

// deleteOne deletes the message of a receipt handle. As on AWS, a handle
// of a message already deleted succeeds; so does one that a later receive
// has replaced, but it leaves the message (AWS: "the request succeeds,
// but the message might not be deleted"). s.mu is held.
func (s *Service) deleteOne(q *queue, handle *string) error {
	m, latest, err := findReceipt(q, handle)
	if err != nil {
		return err
	}
	if m != nil && latest {
		q.remove(m)
		q.compact()
		s.changed()
	}
	return nil
}

func (s *Service) deleteMessage(_ context.Context, cc *awsapi.Call, in *deleteMessageInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.deleteOne(q, in.ReceiptHandle); err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *Service) deleteMessageBatch(_ context.Context, cc *awsapi.Call, in *deleteMessageBatchInput) (*batchOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return runBatch(in.Entries, "DeleteMessageBatchRequestEntry", func(e deleteBatchEntry) string { return e.Id },
		func(e deleteBatchEntry) error { return s.deleteOne(q, e.ReceiptHandle) })
}

// runBatch checks a batch's entry ids and runs one on every entry:
// entries that fail are listed in Failed, the others in Successful.
// entry names the entries in errors.
func runBatch[E any](entries []E, entry string, id func(E) string, one func(E) error) (*batchOutput, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = id(e)
	}
	if err := checkBatch(ids, entry); err != nil {
		return nil, err
	}
	out := &batchOutput{Successful: []batchResult{}, Failed: []batchError{}}
	for i, e := range entries {
		id := ids[i]
		if err := one(e); err != nil {
			out.Failed = append(out.Failed, entryError(id, err))
			continue
		}
		out.Successful = append(out.Successful, batchResult{Id: id})
	}
	return out, nil
}

// changeOne sets the visibility timeout of the message of a receipt
// handle to timeout seconds from now: the message must be in flight under
// that handle. s.mu is held.
func (s *Service) changeOne(q *queue, handle *string, timeout *int64, now time.Time) error {
	if timeout == nil {
		return errMissingParameter("VisibilityTimeout")
	}
	if *timeout < 0 || *timeout > maxVisibility {
		return errInvalidParam("VisibilityTimeout", *timeout, "VisibilityTimeout must be an integer between 0 and 43200")
	}
	m, latest, err := findReceipt(q, handle)
	if err != nil {
		return err
	}
	if m == nil || !latest {
		return errInvalidParam("ReceiptHandle", *handle, "Message does not exist or is not available for visibility timeout change.")
	}
	if !now.Before(m.visibleAt) {
		return errMessageNotInflight()
	}
	m.visibleAt = now.Add(time.Duration(*timeout) * time.Second)
	if *timeout == 0 {
		q.wake()
	}
	s.changed()
	return nil
}

func (s *Service) changeMessageVisibility(_ context.Context, cc *awsapi.Call, in *changeVisibilityInput) (*emptyOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if err := s.changeOne(q, in.ReceiptHandle, in.VisibilityTimeout, s.clock.Now()); err != nil {
		return nil, err
	}
	return &emptyOutput{}, nil
}

func (s *Service) changeMessageVisibilityBatch(_ context.Context, cc *awsapi.Call, in *changeVisibilityBatchInput) (*batchOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(cc, in.QueueUrl)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	return runBatch(in.Entries, "ChangeMessageVisibilityBatchRequestEntry", func(e changeVisibilityEntry) string { return e.Id },
		func(e changeVisibilityEntry) error { return s.changeOne(q, e.ReceiptHandle, e.VisibilityTimeout, now) })
}
