package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// HandleJSON serves one AWS JSON 1.0 call: op is the X-Amz-Target after
// TargetPrefix, body the request JSON. It returns the JSON answer or an
// *awsapi.Error whose Code is "com.amazonaws.sqs#<Shape>" and whose
// QueryCode is the legacy code of the query protocol.
func (s *Service) HandleJSON(ctx context.Context, cc *awsapi.Call, op string, body []byte) ([]byte, error) {
	switch op {
	case "CreateQueue":
		return runJSON(ctx, cc, body, s.createQueue)
	case "GetQueueUrl":
		return runJSON(ctx, cc, body, s.getQueueURL)
	case "DeleteQueue":
		return runJSON(ctx, cc, body, s.deleteQueue)
	case "PurgeQueue":
		return runJSON(ctx, cc, body, s.purgeQueue)
	case "GetQueueAttributes":
		return runJSON(ctx, cc, body, s.getQueueAttributes)
	case "SetQueueAttributes":
		return runJSON(ctx, cc, body, s.setQueueAttributes)
	case "ListQueues":
		return runJSON(ctx, cc, body, s.listQueues)
	case "ListDeadLetterSourceQueues":
		return runJSON(ctx, cc, body, s.listDeadLetterSourceQueues)
	case "TagQueue":
		return runJSON(ctx, cc, body, s.tagQueue)
	case "UntagQueue":
		return runJSON(ctx, cc, body, s.untagQueue)
	case "ListQueueTags":
		return runJSON(ctx, cc, body, s.listQueueTags)
	case "SendMessage":
		return runJSON(ctx, cc, body, s.sendMessage)
	case "SendMessageBatch":
		return runJSON(ctx, cc, body, s.sendMessageBatch)
	case "ReceiveMessage":
		return runJSON(ctx, cc, body, s.receiveMessage)
	case "DeleteMessage":
		return runJSON(ctx, cc, body, s.deleteMessage)
	case "DeleteMessageBatch":
		return runJSON(ctx, cc, body, s.deleteMessageBatch)
	case "ChangeMessageVisibility":
		return runJSON(ctx, cc, body, s.changeMessageVisibility)
	case "ChangeMessageVisibilityBatch":
		return runJSON(ctx, cc, body, s.changeMessageVisibilityBatch)
	}
	return nil, awsapi.UnknownOperation(TargetPrefix + op)
}

// runJSON decodes a JSON input, runs op and encodes its output.
func runJSON[I, O any](ctx context.Context, cc *awsapi.Call, body []byte, op func(context.Context, *awsapi.Call, *I) (O, error)) ([]byte, error) {
	in := new(I)
	if err := awsapi.DecodeBody(body, in); err != nil {
		return nil, err
	}
	out, err := op(ctx, cc, in)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode sqs output: %w", err)
	}
	return b, nil
}

// HandleQuery serves one query-protocol call: action is the Action
// parameter, form every form and URL parameter, path the request's URL
// path (the queue URL's path /ACCOUNT/NAME when the client posts to the
// queue URL instead of passing QueueUrl). It returns the inner XML of
// <ActionResult> (nil for actions without a result element) or an
// *awsapi.Error.
func (s *Service) HandleQuery(ctx context.Context, cc *awsapi.Call, action, path string, form url.Values) ([]byte, error) {
	f := queryForm{form}
	queueURL := form.Get("QueueUrl")
	if queueURL == "" && path != "" && path != "/" {
		queueURL = path
	}
	switch action {
	case "CreateQueue":
		in := &createQueueInput{QueueName: f.str("QueueName"), Attributes: f.pairs("Attribute", "Name", "Value"), Tags: f.pairs("Tag", "Key", "Value")}
		return runQuery(ctx, cc, in, s.createQueue, xmlQueueURL)
	case "GetQueueUrl":
		in := &getQueueURLInput{QueueName: f.str("QueueName"), QueueOwnerAWSAccountId: form.Get("QueueOwnerAWSAccountId")}
		return runQuery(ctx, cc, in, s.getQueueURL, xmlQueueURL)
	case "DeleteQueue":
		return runQuery(ctx, cc, &queueInput{QueueUrl: queueURL}, s.deleteQueue, xmlNone)
	case "PurgeQueue":
		return runQuery(ctx, cc, &queueInput{QueueUrl: queueURL}, s.purgeQueue, xmlNone)
	case "GetQueueAttributes":
		in := &getQueueAttributesInput{QueueUrl: queueURL, AttributeNames: f.list("AttributeName")}
		return runQuery(ctx, cc, in, s.getQueueAttributes, xmlAttributes)
	case "SetQueueAttributes":
		in := &setQueueAttributesInput{QueueUrl: queueURL, Attributes: f.pairs("Attribute", "Name", "Value")}
		return runQuery(ctx, cc, in, s.setQueueAttributes, xmlNone)
	case "ListQueues":
		max, err := f.int("MaxResults")
		if err != nil {
			return nil, err
		}
		in := &listQueuesInput{QueueNamePrefix: form.Get("QueueNamePrefix"), MaxResults: max, NextToken: form.Get("NextToken")}
		return runQuery(ctx, cc, in, s.listQueues, xmlQueueURLs)
	case "ListDeadLetterSourceQueues":
		max, err := f.int("MaxResults")
		if err != nil {
			return nil, err
		}
		in := &listDeadLetterSourceQueuesInput{QueueUrl: queueURL, MaxResults: max, NextToken: form.Get("NextToken")}
		return runQuery(ctx, cc, in, s.listDeadLetterSourceQueues, xmlDLSources)
	case "TagQueue":
		in := &tagQueueInput{QueueUrl: queueURL, Tags: f.pairs("Tag", "Key", "Value")}
		return runQuery(ctx, cc, in, s.tagQueue, xmlNone)
	case "UntagQueue":
		in := &untagQueueInput{QueueUrl: queueURL, TagKeys: f.list("TagKey")}
		return runQuery(ctx, cc, in, s.untagQueue, xmlNone)
	case "ListQueueTags":
		return runQuery(ctx, cc, &queueInput{QueueUrl: queueURL}, s.listQueueTags, xmlTags)
	case "SendMessage":
		delay, err := f.int("DelaySeconds")
		if err != nil {
			return nil, err
		}
		attrs, err := f.msgAttrs("MessageAttribute")
		if err != nil {
			return nil, err
		}
		system, err := f.msgAttrs("MessageSystemAttribute")
		if err != nil {
			return nil, err
		}
		in := &sendMessageInput{QueueUrl: queueURL, MessageBody: f.str("MessageBody"), DelaySeconds: delay,
			MessageAttributes: attrs, MessageSystemAttributes: system,
			MessageDeduplicationId: form.Get("MessageDeduplicationId"), MessageGroupId: form.Get("MessageGroupId")}
		return runQuery(ctx, cc, in, s.sendMessage, xmlSendMessage)
	case "SendMessageBatch":
		in := &sendMessageBatchInput{QueueUrl: queueURL}
		for _, p := range f.entries("SendMessageBatchRequestEntry") {
			e := queryForm{p}
			delay, err := e.int("DelaySeconds")
			if err != nil {
				return nil, err
			}
			attrs, err := e.msgAttrs("MessageAttribute")
			if err != nil {
				return nil, err
			}
			system, err := e.msgAttrs("MessageSystemAttribute")
			if err != nil {
				return nil, err
			}
			in.Entries = append(in.Entries, sendBatchEntry{Id: p.Get("Id"), MessageBody: e.str("MessageBody"), DelaySeconds: delay,
				MessageAttributes: attrs, MessageSystemAttributes: system,
				MessageDeduplicationId: p.Get("MessageDeduplicationId"), MessageGroupId: p.Get("MessageGroupId")})
		}
		return runQuery(ctx, cc, in, s.sendMessageBatch, xmlSendMessageBatch)
	case "ReceiveMessage":
		in := &receiveMessageInput{QueueUrl: queueURL, AttributeNames: f.list("AttributeName"),
			MessageSystemAttributeNames: f.list("MessageSystemAttributeName"), MessageAttributeNames: f.list("MessageAttributeName"),
			ReceiveRequestAttemptId: form.Get("ReceiveRequestAttemptId")}
		var err error
		for name, p := range map[string]**int64{"MaxNumberOfMessages": &in.MaxNumberOfMessages, "VisibilityTimeout": &in.VisibilityTimeout, "WaitTimeSeconds": &in.WaitTimeSeconds} {
			if *p, err = f.int(name); err != nil {
				return nil, err
			}
		}
		return runQuery(ctx, cc, in, s.receiveMessage, xmlReceiveMessage)
	case "DeleteMessage":
		in := &deleteMessageInput{QueueUrl: queueURL, ReceiptHandle: f.str("ReceiptHandle")}
		return runQuery(ctx, cc, in, s.deleteMessage, xmlNone)
	case "DeleteMessageBatch":
		in := &deleteMessageBatchInput{QueueUrl: queueURL}
		for _, p := range f.entries("DeleteMessageBatchRequestEntry") {
			in.Entries = append(in.Entries, deleteBatchEntry{Id: p.Get("Id"), ReceiptHandle: queryForm{p}.str("ReceiptHandle")})
		}
		return runQuery(ctx, cc, in, s.deleteMessageBatch, xmlBatch("DeleteMessageBatchResultEntry"))
	case "ChangeMessageVisibility":
		vt, err := f.int("VisibilityTimeout")
		if err != nil {
			return nil, err
		}
		in := &changeVisibilityInput{QueueUrl: queueURL, ReceiptHandle: f.str("ReceiptHandle"), VisibilityTimeout: vt}
		return runQuery(ctx, cc, in, s.changeMessageVisibility, xmlNone)
	case "ChangeMessageVisibilityBatch":
		in := &changeVisibilityBatchInput{QueueUrl: queueURL}
		for _, p := range f.entries("ChangeMessageVisibilityBatchRequestEntry") {
			e := queryForm{p}
			vt, err := e.int("VisibilityTimeout")
			if err != nil {
				return nil, err
			}
			in.Entries = append(in.Entries, changeVisibilityEntry{Id: p.Get("Id"), ReceiptHandle: e.str("ReceiptHandle"), VisibilityTimeout: vt})
		}
		return runQuery(ctx, cc, in, s.changeMessageVisibilityBatch, xmlBatch("ChangeMessageVisibilityBatchResultEntry"))
	}
	if action == "" {
		return nil, errMissingParameter("Action")
	}
	return nil, errInvalidAction(action)
}

// runQuery runs op on a decoded query input and writes its output as XML.
func runQuery[I, O any](ctx context.Context, cc *awsapi.Call, in *I, op func(context.Context, *awsapi.Call, *I) (O, error), write func(*xmlWriter, O)) ([]byte, error) {
	out, err := op(ctx, cc, in)
	if err != nil {
		return nil, err
	}
	w := &xmlWriter{}
	write(w, out)
	return w.result(), nil
}
