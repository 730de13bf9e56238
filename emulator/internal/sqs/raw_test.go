package sqs

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestRawJSON(t *testing.T) {
	h := newHarness(t, "")
	if r := h.json("CreateQueue", `{"QueueName":"raw"}`); r.status != 200 {
		t.Fatalf("CreateQueue %d %s", r.status, r.body)
	}
	q := h.queueURL("raw")
	for _, tc := range []struct {
		name, op, body string
		status         int
		typ, query     string // __type and x-amzn-query-error
		contains       string
	}{
		{"unknown op", "Frobnicate", `{}`, 400, "UnknownOperationException", "", ""},
		{"malformed", "SendMessage", `{"QueueUrl":`, 400, "SerializationException", "", ""},
		{"wrong type", "ReceiveMessage", `{"QueueUrl":"` + q + `","MaxNumberOfMessages":"ten"}`, 400, "SerializationException", "", ""},
		{"no queue", "GetQueueUrl", `{"QueueName":"none"}`, 400, "com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue;Sender", ""},
		{"no QueueUrl", "SendMessage", `{"MessageBody":"x"}`, 400, "com.amazonaws.sqs#MissingParameter", "MissingParameter;Sender", ""},
		{"bad address", "SendMessage", `{"QueueUrl":"http://h/raw","MessageBody":"x"}`, 400, "com.amazonaws.sqs#InvalidAddress", "InvalidAddress;Sender", ""},
		{"no body", "SendMessage", `{"QueueUrl":"` + q + `"}`, 400, "com.amazonaws.sqs#MissingParameter", "MissingParameter;Sender", ""},
		{"empty batch", "SendMessageBatch", `{"QueueUrl":"` + q + `","Entries":[]}`, 400, "com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest;Sender", ""},
		{"bad entry id", "DeleteMessageBatch", `{"QueueUrl":"` + q + `","Entries":[{"Id":"a b","ReceiptHandle":"x"}]}`, 400, "com.amazonaws.sqs#InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId;Sender", ""},
		{"unknown attribute", "GetQueueAttributes", `{"QueueUrl":"` + q + `","AttributeNames":["Bogus"]}`, 400, "com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName;Sender", ""},
		{"read-only attribute", "SetQueueAttributes", `{"QueueUrl":"` + q + `","Attributes":{"QueueArn":"x"}}`, 400, "com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName;Sender", ""},
		{"retention 59", "SetQueueAttributes", `{"QueueUrl":"` + q + `","Attributes":{"MessageRetentionPeriod":"59"}}`, 400, "com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue;Sender", ""},
		{"size 1023", "SetQueueAttributes", `{"QueueUrl":"` + q + `","Attributes":{"MaximumMessageSize":"1023"}}`, 400, "com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue;Sender", ""},
		{"wait 21", "ReceiveMessage", `{"QueueUrl":"` + q + `","WaitTimeSeconds":21}`, 400, "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue;Sender", ""},
		{"delay 901", "SendMessage", `{"QueueUrl":"` + q + `","MessageBody":"x","DelaySeconds":901}`, 400, "com.amazonaws.sqs#InvalidParameterValue", "InvalidParameterValue;Sender", ""},
		{"bad attribute", "SendMessage", `{"QueueUrl":"` + q + `","MessageBody":"x","MessageAttributes":{"n":{"DataType":"Number","StringValue":"abc"}}}`, 400, "com.amazonaws.sqs#InvalidParameterValue", "", ""},
		{"bad handle", "ChangeMessageVisibility", `{"QueueUrl":"` + q + `","ReceiptHandle":"AAAA","VisibilityTimeout":1}`, 400, "com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid;Sender", ""},
		{"empty receive", "ReceiveMessage", `{"QueueUrl":"` + q + `"}`, 200, "", "", "{}"},
		{"send", "SendMessage", `{"QueueUrl":"` + q + `","MessageBody":"derp","MessageAttributes":{"timestamp":{"DataType":"Number","StringValue":"1493147359900"}}}`, 200, "", "",
			`"MD5OfMessageBody":"58fd9edd83341c29f1aebba81c31e257","MD5OfMessageAttributes":"235c5c510d26fb653d073faed50ae77c"`},
		{"empty body", "ListQueues", ``, 200, "", "", `"QueueUrls":["` + q + `"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.json(tc.op, tc.body)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.typ != "" {
				if got := r.decode(t)["__type"]; got != tc.typ {
					t.Errorf("__type %v, want %s (%s)", got, tc.typ, r.body)
				}
				if got := r.header.Get("x-amzn-query-error"); tc.query != "" && got != tc.query {
					t.Errorf("x-amzn-query-error %q, want %q", got, tc.query)
				}
			}
			if !strings.Contains(r.body, tc.contains) {
				t.Errorf("answer %s lacks %s", r.body, tc.contains)
			}
		})
	}
}

var receiptRE = regexp.MustCompile(`<ReceiptHandle>([^<]+)</ReceiptHandle>`)

func TestRawQuery(t *testing.T) {
	h := newHarness(t, "")
	v := func(kv ...string) url.Values {
		f := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	path := "/" + testAccount + "/qq"
	r := h.query("/", v("Action", "CreateQueue", "QueueName", "qq", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "45",
		"Tag.1.Key", "k", "Tag.1.Value", "val"))
	if r.status != 200 || !strings.Contains(r.body, `<CreateQueueResponse xmlns="`+XMLNS+`"><CreateQueueResult><QueueUrl>`+h.queueURL("qq")+`</QueueUrl></CreateQueueResult>`) {
		t.Fatalf("CreateQueue %d %s", r.status, r.body)
	}
	// Posted to the queue URL, without QueueUrl.
	r = h.query(path, v("Action", "SendMessage", "MessageBody", "derp & <co>",
		"MessageAttribute.1.Name", "timestamp", "MessageAttribute.1.Value.DataType", "Number", "MessageAttribute.1.Value.StringValue", "1493147359900",
		"MessageAttribute.2.Name", "bin", "MessageAttribute.2.Value.DataType", "Binary", "MessageAttribute.2.Value.BinaryValue", "AQID"))
	if r.status != 200 || !strings.Contains(r.body, "<MD5OfMessageAttributes>") || !strings.Contains(r.body, "<MessageId>") {
		t.Fatalf("SendMessage %d %s", r.status, r.body)
	}
	r = h.query("/", v("Action", "ReceiveMessage", "QueueUrl", "https://sqs.us-east-1.amazonaws.com"+path,
		"AttributeName.1", "All", "MessageAttributeName.1", "timestamp", "MessageAttributeName.2", "bi.*"))
	for _, want := range []string{"<Body>derp &amp; &lt;co&gt;</Body>", "<MD5OfBody>",
		"<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>",
		"<MessageAttribute><Name>timestamp</Name><Value><StringValue>1493147359900</StringValue><DataType>Number</DataType></Value></MessageAttribute>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("ReceiveMessage lacks %s: %s", want, r.body)
		}
	}
	if strings.Contains(r.body, "<Name>bin</Name>") {
		t.Errorf("ReceiveMessage returned an attribute not asked for: %s", r.body)
	}
	handle := receiptRE.FindStringSubmatch(r.body)
	if handle == nil {
		t.Fatalf("no receipt handle: %s", r.body)
	}
	for _, tc := range []struct {
		name string
		path string
		form url.Values
		code string // "" for success
		want string
	}{
		{"attributes", path, v("Action", "GetQueueAttributes", "AttributeName.1", "VisibilityTimeout", "AttributeName.2", "ApproximateNumberOfMessagesNotVisible"), "",
			"<GetQueueAttributesResult><Attribute><Name>ApproximateNumberOfMessagesNotVisible</Name><Value>1</Value></Attribute><Attribute><Name>VisibilityTimeout</Name><Value>45</Value></Attribute></GetQueueAttributesResult>"},
		{"tags", path, v("Action", "ListQueueTags"), "", "<Tag><Key>k</Key><Value>val</Value></Tag>"},
		{"url", "/", v("Action", "GetQueueUrl", "QueueName", "qq"), "", "<GetQueueUrlResult><QueueUrl>" + h.queueURL("qq") + "</QueueUrl></GetQueueUrlResult>"},
		{"list", "/", v("Action", "ListQueues", "QueueNamePrefix", "q"), "", "<ListQueuesResult><QueueUrl>" + h.queueURL("qq") + "</QueueUrl></ListQueuesResult>"},
		{"change visibility", path, v("Action", "ChangeMessageVisibilityBatch",
			"ChangeMessageVisibilityBatchRequestEntry.1.Id", "a", "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle", handle[1], "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout", "100",
			"ChangeMessageVisibilityBatchRequestEntry.2.Id", "b", "ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle", "zzz", "ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout", "100"), "",
			"<ChangeMessageVisibilityBatchResultEntry><Id>a</Id></ChangeMessageVisibilityBatchResultEntry><BatchResultErrorEntry><Id>b</Id><Code>ReceiptHandleIsInvalid</Code>"},
		{"delete", path, v("Action", "DeleteMessageBatch", "DeleteMessageBatchRequestEntry.1.Id", "d", "DeleteMessageBatchRequestEntry.1.ReceiptHandle", handle[1]), "",
			"<DeleteMessageBatchResult><DeleteMessageBatchResultEntry><Id>d</Id></DeleteMessageBatchResultEntry></DeleteMessageBatchResult>"},
		{"batch send", path, v("Action", "SendMessageBatch", "SendMessageBatchRequestEntry.1.Id", "s1", "SendMessageBatchRequestEntry.1.MessageBody", "one",
			"SendMessageBatchRequestEntry.2.Id", "s2", "SendMessageBatchRequestEntry.2.MessageBody", "two", "SendMessageBatchRequestEntry.2.DelaySeconds", "5"), "",
			"<SendMessageBatchResultEntry><Id>s1</Id>"},
		{"purge", path, v("Action", "PurgeQueue"), "", `<PurgeQueueResponse xmlns="` + XMLNS + `"><ResponseMetadata>`},
		{"set", path, v("Action", "SetQueueAttributes", "Attribute.1.Name", "DelaySeconds", "Attribute.1.Value", "3"), "", `<SetQueueAttributesResponse xmlns="` + XMLNS + `"><ResponseMetadata>`},
		{"no action", "/", v(), "MissingParameter", ""},
		{"unknown action", "/", v("Action", "Frobnicate"), "InvalidAction", ""},
		{"no queue", "/", v("Action", "GetQueueUrl", "QueueName", "none"), "AWS.SimpleQueueService.NonExistentQueue", "<Type>Sender</Type>"},
		{"exists", "/", v("Action", "CreateQueue", "QueueName", "qq", "Attribute.1.Name", "VisibilityTimeout", "Attribute.1.Value", "46"), "QueueAlreadyExists", ""},
		{"purge again", path, v("Action", "PurgeQueue"), "AWS.SimpleQueueService.PurgeQueueInProgress", ""},
		{"bad int", path, v("Action", "ReceiveMessage", "MaxNumberOfMessages", "x"), "InvalidParameterValue", ""},
		{"bad base64", path, v("Action", "SendMessage", "MessageBody", "b", "MessageAttribute.1.Name", "b", "MessageAttribute.1.Value.DataType", "Binary", "MessageAttribute.1.Value.BinaryValue", "!!"), "InvalidParameterValue", ""},
		{"too many", path, func() url.Values {
			f := v("Action", "SendMessageBatch")
			for i := 1; i <= 11; i++ {
				n := "SendMessageBatchRequestEntry." + string(rune('0'+i/10)) + string(rune('0'+i%10))
				f.Set(n+".Id", "e"+n[len(n)-2:])
				f.Set(n+".MessageBody", "b")
			}
			return f
		}(), "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", ""},
		{"fifo", "/", v("Action", "CreateQueue", "QueueName", "f.fifo", "Attribute.1.Name", "FifoQueue", "Attribute.1.Value", "true"), "InvalidAttributeName", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.query(tc.path, tc.form)
			if tc.code == "" {
				if r.status != 200 || !strings.Contains(r.body, tc.want) {
					t.Fatalf("%d %s\nwant %s", r.status, r.body, tc.want)
				}
				return
			}
			if r.status != 400 || !strings.Contains(r.body, "<Code>"+tc.code+"</Code>") || !strings.Contains(r.body, tc.want) ||
				!strings.Contains(r.body, `<ErrorResponse xmlns="`+XMLNS+`">`) {
				t.Fatalf("%d %s\nwant code %s", r.status, r.body, tc.code)
			}
		})
	}
}
