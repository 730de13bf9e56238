package sqs

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// FuzzReceiptHandle checks parseReceipt: a handle made for a queue parses
// back to its message and nonce, nothing parses for another queue, and
// any handle that parses re-encodes to one that parses the same. Each
// input is also sent to DeleteMessage and ChangeMessageVisibility, which
// answer a 4xx or succeed.
func FuzzReceiptHandle(f *testing.F) {
	k := queueKey{testAccount, testRegion, "f"}
	f.Add(receiptHandle(k, "0000-1", "n1"), "0000-1", "n1")
	f.Add(receiptHandle(queueKey{testAccount, testRegion, "g"}, "m", "n"), "m", "n")
	f.Add("!!", "", "")
	f.Add("ZnJzcXMxAA==", "a\x00b", "c")
	svc := fuzzServiceTB(f)
	defer svc.Close()
	f.Fuzz(func(t *testing.T, handle, msgID, nonce string) {
		if id, n, err := parseReceipt(k, handle); err == nil {
			if id2, n2, err := parseReceipt(k, receiptHandle(k, id, n)); err != nil || id2 != id || n2 != n {
				t.Fatalf("%q parses to %q/%q, its re-encoding does not (%v)", handle, id, n, err)
			}
		} else {
			checkFuzzError(t, err)
		}
		if msgID != "" && nonce != "" && !strings.Contains(msgID+nonce, "\x00") {
			h := receiptHandle(k, msgID, nonce)
			if id, n, err := parseReceipt(k, h); err != nil || id != msgID || n != nonce {
				t.Fatalf("parseReceipt(receiptHandle(%q, %q)) = %q, %q, %v", msgID, nonce, id, n, err)
			}
			if _, _, err := parseReceipt(queueKey{testAccount, testRegion, "f2"}, h); err == nil {
				t.Fatalf("handle of queue f accepted for queue f2")
			}
		}
		body, _ := json.Marshal(map[string]any{"QueueUrl": "/123456789012/f", "ReceiptHandle": handle, "VisibilityTimeout": 0})
		for _, op := range []string{"ChangeMessageVisibility", "DeleteMessage"} {
			_, err := svc.HandleJSON(bg, testCall(), op, body)
			checkFuzzError(t, err)
		}
	})
}

// FuzzListQueuesToken checks ListQueues' NextToken: a token decodes to the
// name it was made from, and any token gives a 4xx or a page of names
// after the token's, in order.
func FuzzListQueuesToken(f *testing.F) {
	f.Add(pageToken("b"), int64(2))
	f.Add(pageToken(""), int64(1))
	f.Add("!!", int64(1000))
	f.Add("cTo", int64(0))
	names := []string{"a", "b", "c", "d", "e"}
	f.Fuzz(func(t *testing.T, tok string, max int64) {
		if last, ok := unpageToken(tok); ok {
			if again, ok := unpageToken(pageToken(last)); !ok || again != last {
				t.Fatalf("unpageToken(pageToken(%q)) = %q, %v", last, again, ok)
			}
		}
		got, next, err := page(slices.Clone(names), &max, tok)
		if err != nil {
			checkFuzzError(t, err)
			return
		}
		if !slices.IsSorted(got) || len(got) > len(names) {
			t.Fatalf("page %v", got)
		}
		if last, ok := unpageToken(tok); ok && tok != "" {
			for _, n := range got {
				if n <= last {
					t.Fatalf("token after %q: page %v", last, got)
				}
			}
		}
		if next != "" {
			if last, ok := unpageToken(next); !ok || len(got) == 0 || last != got[len(got)-1] {
				t.Fatalf("next token %q for page %v", next, got)
			}
		}
	})
}

// fuzzStateSeed is the saved state of a service with queues, attributes,
// tags and messages in every state.
func fuzzStateSeed(tb testing.TB) []byte {
	svc := fuzzServiceTB(tb)
	defer svc.Close()
	cc := testCall()
	for _, c := range []struct{ op, body string }{
		{"CreateQueue", `{"QueueName":"dlq","tags":{"a":"b"}}`},
		{"CreateQueue", `{"QueueName":"g","Attributes":{"DelaySeconds":"5","RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":2}"}}`},
		{"SendMessage", `{"QueueUrl":"/123456789012/g","MessageBody":"x","MessageAttributes":{"a":{"DataType":"Binary.x","BinaryValue":"AQI="},"s":{"DataType":"String","StringValue":"v"}}}`},
		{"ReceiveMessage", `{"QueueUrl":"/123456789012/f","MaxNumberOfMessages":10}`},
	} {
		if _, err := svc.HandleJSON(bg, cc, c.op, []byte(c.body)); err != nil {
			tb.Fatalf("%s: %v", c.op, err)
		}
	}
	svc.mu.Lock()
	defer svc.mu.Unlock()
	b, err := svc.encode()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzSQSStateDecode loads any saved state: an error, or a state that
// saves, loads again and saves the same.
func FuzzSQSStateDecode(f *testing.F) {
	f.Add(fuzzStateSeed(f))
	f.Add([]byte(`{"version":1,"queues":null}`))
	f.Add([]byte(`{"version":1,"queues":[{"account":"123456789012","region":"us-east-1","name":"q","attrs":{"VisibilityTimeout":"x"}}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := &Service{queues: map[queueKey]*queue{}}
		if err := s.decode(b); err != nil {
			return
		}
		enc, err := s.encode()
		if err != nil {
			t.Fatalf("encode after decode: %v", err)
		}
		s2 := &Service{queues: map[queueKey]*queue{}}
		if err := s2.decode(enc); err != nil {
			t.Fatalf("decode(encode(decode(%q))) = %v\n%s", b, err, enc)
		}
		enc2, err := s2.encode()
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the state:\n%s\n%s", enc, enc2)
		}
	})
}

// fuzzServiceTB is fuzzService for any testing.TB.
func fuzzServiceTB(tb testing.TB) *Service {
	svc, err := New(Config{Clock: newFakeClock(), IDs: &seqIDs{}})
	if err != nil {
		tb.Fatal(err)
	}
	cc := testCall()
	for _, c := range []struct{ op, body string }{
		{"CreateQueue", `{"QueueName":"f"}`},
		{"SendMessage", `{"QueueUrl":"/123456789012/f","MessageBody":"m"}`},
	} {
		if _, err := svc.HandleJSON(bg, cc, c.op, []byte(c.body)); err != nil {
			tb.Fatal(err)
		}
	}
	return svc
}
