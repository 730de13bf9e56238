package sqs

// The inputs and outputs of the operations, in the JSON 1.0 wire form
// (the query protocol decodes into the same inputs, query.go, and writes
// the same outputs as XML).

// attrValue is a MessageAttributeValue (and MessageSystemAttributeValue).
type attrValue struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

type createQueueInput struct {
	QueueName  *string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

type queueURLOutput struct {
	QueueUrl string //nolint:revive // the wire name
}

type getQueueURLInput struct {
	QueueName              *string
	QueueOwnerAWSAccountId string //nolint:revive // the wire name
}

type queueInput struct {
	QueueUrl string //nolint:revive // the wire name
}

type getQueueAttributesInput struct {
	QueueUrl       string //nolint:revive // the wire name
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

type setQueueAttributesInput struct {
	QueueUrl   string //nolint:revive // the wire name
	Attributes map[string]string
}

type listQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *int64
	NextToken       string
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken string   `json:",omitempty"`
}

type tagQueueInput struct {
	QueueUrl string //nolint:revive // the wire name
	Tags     map[string]string
}

type untagQueueInput struct {
	QueueUrl string //nolint:revive // the wire name
	TagKeys  []string
}

type tagsOutput struct {
	Tags map[string]string `json:",omitempty"`
}

type sendMessageInput struct {
	QueueUrl                string //nolint:revive // the wire name
	MessageBody             *string
	DelaySeconds            *int64
	MessageAttributes       map[string]attrValue
	MessageSystemAttributes map[string]attrValue
	MessageDeduplicationId  string //nolint:revive // the wire name
	MessageGroupId          string //nolint:revive // the wire name
}

type sendMessageOutput struct {
	MessageId                    string //nolint:revive // the wire name
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty"`
}

type sendBatchEntry struct {
	Id                      string //nolint:revive // the wire name
	MessageBody             *string
	DelaySeconds            *int64
	MessageAttributes       map[string]attrValue
	MessageSystemAttributes map[string]attrValue
	MessageDeduplicationId  string //nolint:revive // the wire name
	MessageGroupId          string //nolint:revive // the wire name
}

type sendMessageBatchInput struct {
	QueueUrl string //nolint:revive // the wire name
	Entries  []sendBatchEntry
}

type sendBatchResult struct {
	Id                           string //nolint:revive // the wire name
	MessageId                    string //nolint:revive // the wire name
	MD5OfMessageBody             string
	MD5OfMessageAttributes       string `json:",omitempty"`
	MD5OfMessageSystemAttributes string `json:",omitempty"`
}

// batchError is a BatchResultErrorEntry.
type batchError struct {
	Id          string //nolint:revive // the wire name
	SenderFault bool
	Code        string
	Message     string `json:",omitempty"`
}

type sendMessageBatchOutput struct {
	Successful []sendBatchResult
	Failed     []batchError
}

type receiveMessageInput struct {
	QueueUrl                    string //nolint:revive // the wire name
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	MaxNumberOfMessages         *int64
	VisibilityTimeout           *int64
	WaitTimeSeconds             *int64
	ReceiveRequestAttemptId     string //nolint:revive // the wire name
}

type messageOutput struct {
	MessageId              string               //nolint:revive // the wire name
	ReceiptHandle          string               //nolint:revive // the wire name
	MD5OfBody              string               //nolint:revive // the wire name
	Body                   string               //nolint:revive // the wire name
	Attributes             map[string]string    `json:",omitempty"`
	MD5OfMessageAttributes string               `json:",omitempty"`
	MessageAttributes      map[string]attrValue `json:",omitempty"`
}

type receiveMessageOutput struct {
	Messages []messageOutput `json:",omitempty"`
}

type deleteMessageInput struct {
	QueueUrl      string //nolint:revive // the wire name
	ReceiptHandle *string
}

type deleteBatchEntry struct {
	Id            string //nolint:revive // the wire name
	ReceiptHandle *string
}

type deleteMessageBatchInput struct {
	QueueUrl string //nolint:revive // the wire name
	Entries  []deleteBatchEntry
}

// batchResult is a DeleteMessageBatchResultEntry and a
// ChangeMessageVisibilityBatchResultEntry.
type batchResult struct {
	Id string //nolint:revive // the wire name
}

type batchOutput struct {
	Successful []batchResult
	Failed     []batchError
}

type changeVisibilityInput struct {
	QueueUrl          string //nolint:revive // the wire name
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityEntry struct {
	Id                string //nolint:revive // the wire name
	ReceiptHandle     *string
	VisibilityTimeout *int64
}

type changeVisibilityBatchInput struct {
	QueueUrl string //nolint:revive // the wire name
	Entries  []changeVisibilityEntry
}

type listDeadLetterSourceQueuesInput struct {
	QueueUrl   string //nolint:revive // the wire name
	MaxResults *int64
	NextToken  string
}

// dlSourcesOutput is ListDeadLetterSourceQueuesResult, whose list member
// the model spells queueUrls.
type dlSourcesOutput struct {
	QueueUrls []string `json:"queueUrls"` //nolint:revive // the wire name
	NextToken string   `json:",omitempty"`
}

type emptyOutput struct{}
