package emulator

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/firetrail/firetrail/emulator/trail"
)

// chanListener is a listener fed by a channel of connections.
type chanListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}
func (l *chanListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{} }

// WithMaxConnections: the listener hands out no more connections than the
// bound until one closes; Close ends a waiting Accept.
func TestLimitListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &chanListener{conns: make(chan net.Conn, 3), closed: make(chan struct{})}
		for range 3 {
			a, b := net.Pipe()
			defer b.Close()
			inner.conns <- a
		}
		ln := limitConnections(inner, 2)
		accepted := make(chan net.Conn, 3)
		errc := make(chan error, 1)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					errc <- err
					return
				}
				accepted <- c
			}
		}()
		synctest.Wait()
		if len(accepted) != 2 {
			t.Fatalf("%d connections accepted with a bound of 2", len(accepted))
		}
		first := <-accepted
		first.Close()
		first.Close() // a second Close gives back no second slot
		synctest.Wait()
		if len(accepted) != 2 {
			t.Fatalf("%d connections open after one of 3 closed, want 2", len(accepted))
		}
		ln.Close()
		synctest.Wait()
		if err := <-errc; !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close = %v, want net.ErrClosed", err)
		}
	})
	if ln := limitConnections(&chanListener{}, 0); ln == nil {
		t.Error("no listener without a bound")
	}
}

// WithMaxConnections(1): requests still work, one connection at a time.
func TestServeMaxConnections(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, WithMaxConnections(1))
	for range 3 {
		tr := &http.Transport{DisableKeepAlives: true}
		resp, err := (&http.Client{Transport: tr}).Get(emu.URL + "/_firetrail/health")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("health: %s", resp.Status)
		}
	}
}

// rawRequest sends head (the request line and headers, without the blank
// line) and body on a new connection, then keeps sending drip, a byte at a
// time every tick, until the answer comes; it returns the answer.
func rawRequest(t *testing.T, url, head string, body []byte, tick time.Duration) (*http.Response, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, head+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(body); err != nil {
		// The server may answer (and close) before it has it all.
		t.Logf("write body: %v", err)
	}
	stop := make(chan struct{})
	defer close(stop)
	if tick > 0 {
		go func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(tick):
					if _, err := c.Write([]byte(" ")); err != nil {
						return
					}
				}
			}
		}()
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// A body that stalls, or drags on past the total, is answered
// RequestTimeout in its protocol's shape, and its connection closed.
func TestBodyTimeouts(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	stalled := Start(t, WithBodyTimeouts(50*time.Millisecond, time.Hour))
	dragging := Start(t, WithBodyTimeouts(time.Hour, 200*time.Millisecond))
	jsonHead := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.ListDeliveryStreams\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1000000"
	sqsJSON := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 1000000"
	form := "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000"
	for _, tc := range []struct {
		name, url, head, body string
		tick                  time.Duration
		xml                   bool
	}{
		{"json stalled", stalled.URL, jsonHead, "{", 0, false},
		{"json 1.0 stalled", stalled.URL, sqsJSON, "{", 0, false},
		{"form stalled", stalled.URL, form, "Action=ListQueues&", 0, true},
		{"json dragging", dragging.URL, jsonHead, "{", 5 * time.Millisecond, false},
		{"form dragging", dragging.URL, form, "Action=ListTopics&", 5 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := rawRequest(t, tc.url, tc.head, []byte(tc.body), tc.tick)
			if resp.StatusCode != 400 || !resp.Close {
				t.Errorf("status %d, close %v; want 400 and the connection closed", resp.StatusCode, resp.Close)
			}
			if tc.xml {
				if !bytes.Contains(b, []byte("<Code>RequestTimeout</Code>")) || !bytes.Contains(b, []byte("<Type>Sender</Type>")) {
					t.Errorf("answer %s, want a query RequestTimeout error", b)
				}
				return
			}
			if resp.Header.Get("X-Amzn-ErrorType") != "RequestTimeout" || !bytes.Contains(b, []byte(`"__type":"RequestTimeout"`)) {
				t.Errorf("answer %s %s, want a JSON RequestTimeout error", resp.Header, b)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

// The body timeouts bound bodies, not answers: a long poll outlives them,
// and its connection is kept.
func TestBodyTimeoutsSpareLongPolls(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, WithClock(trail.RealClock{}), WithBodyTimeouts(20*time.Millisecond, 40*time.Millisecond))
	sq := sqs.NewFromConfig(emu.AWSConfig())
	q, err := sq.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("poll")})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []sqstypes.Message, 1)
	errc := make(chan error, 1)
	go func() {
		out, err := sq.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 20})
		if err != nil {
			errc <- err
			return
		}
		got <- out.Messages
	}()
	// Well past both timeouts: a deadline left on the connection would
	// have cancelled the poll by now.
	time.Sleep(300 * time.Millisecond)
	if _, err := sq.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello")}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		t.Fatal(err)
	case ms := <-got:
		if len(ms) != 1 || aws.ToString(ms[0].Body) != "hello" {
			t.Errorf("long poll got %v, want the message sent during it", ms)
		}
	}
}

// apiCode returns the error code and HTTP status of an SDK error.
func apiCode(t *testing.T, err error) (string, int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is no API error", err)
	}
	status := 0
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return ae.ErrorCode(), status
}

// AWS's size limits of each API are answered its error, never a 500.
func TestSizeLimits(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, WithClock(trail.RealClock{}), WithFirehoseCreateDelay(-1))
	ctx := t.Context()
	fh := firehose.NewFromConfig(emu.AWSConfig())
	if _, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("s"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::" + emu.Bucket), RoleARN: fhRole,
		},
	}); err != nil {
		t.Fatal(err)
	}
	sq := sqs.NewFromConfig(emu.AWSConfig())
	q, err := sq.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	sn := sns.NewFromConfig(emu.AWSConfig())
	kib := func(n int) []byte { return bytes.Repeat([]byte("x"), n<<10) }
	for _, tc := range []struct {
		name, code string
		call       func() error
	}{
		{"firehose record over 1000 KiB", "", func() error {
			_, err := fh.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("s"), Record: &fhtypes.Record{Data: kib(1001)}})
			return err
		}},
		{"firehose batch over 4 MiB", "InvalidArgumentException", func() error {
			recs := make([]fhtypes.Record, 5)
			for i := range recs {
				recs[i].Data = kib(900)
			}
			_, err := fh.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("s"), Records: recs})
			return err
		}},
		{"sqs message over 1 MiB", "", func() error {
			_, err := sq.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(string(kib(1025)))})
			return err
		}},
		{"sqs batch over 1 MiB", "", func() error {
			_, err := sq.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: []sqstypes.SendMessageBatchRequestEntry{
				{Id: aws.String("a"), MessageBody: aws.String(string(kib(600)))},
				{Id: aws.String("b"), MessageBody: aws.String(string(kib(600)))},
			}})
			return err
		}},
		{"sns message over 256 KiB", "", func() error {
			_, err := sn.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(emu.TopicARN()), Message: aws.String(string(kib(257)))})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("accepted")
			}
			code, status := apiCode(t, err)
			if status < 400 || status >= 500 || code == "" || (tc.code != "" && code != tc.code) {
				t.Errorf("answer %d %s (%v), want a 4xx API error %s", status, code, err, tc.code)
			}
		})
	}
	// Bodies declared too large are refused before they are read.
	for _, tc := range []struct{ name, head, want string }{
		{"json body over 8 MiB", "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Firehose_20150804.PutRecord\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 8388609", "SerializationException"},
		{"form over 8 MiB", "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8388609", "RequestEntityTooLarge"},
		{"s3 object over 5 GiB", "PUT /" + emu.Bucket + "/big HTTP/1.1\r\nHost: x\r\nContent-Length: 5368709121", "EntityTooLarge"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, b := rawRequest(t, emu.URL, tc.head, nil, 0)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || !bytes.Contains(b, []byte(tc.want)) {
				t.Errorf("answer %d %s, want 4xx %s", resp.StatusCode, b, tc.want)
			}
		})
	}
	// A query form larger than a JSON body is sent, whole.
	t.Run("form sent over 8 MiB", func(t *testing.T) {
		body := "Action=SendMessage&MessageBody=" + strings.Repeat("x", maxJSONBody)
		head := fmt.Sprintf("POST /%s/q HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d", DefaultAccountID, len(body))
		resp, b := rawRequest(t, emu.URL, head, []byte(body), 0)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte("<Code>RequestEntityTooLarge</Code>")) {
			t.Errorf("answer %d %s, want 413 RequestEntityTooLarge", resp.StatusCode, b)
		}
	})
}
