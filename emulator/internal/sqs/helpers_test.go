package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

const (
	testAccount = "123456789012"
	testRegion  = "us-east-1"
)

// fakeClock is a virtual clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// seqIDs makes distinct UUID-shaped IDs.
type seqIDs struct{ n atomic.Uint64 }

func (s *seqIDs) UUID() string {
	n := s.n.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
}

// harness is a Service behind an HTTP handler that routes as the
// emulator does: X-Amz-Target to HandleJSON, else the query protocol.
type harness struct {
	t     testing.TB
	svc   *Service
	clock *fakeClock
	srv   *httptest.Server
}

func newHarness(t testing.TB, path string) *harness {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Setenv("AWS_CA_BUNDLE", "")
	}
	h := &harness{t: t, clock: newFakeClock()}
	svc, err := New(Config{Clock: h.clock, IDs: &seqIDs{}, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	h.svc = svc
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(func() {
		_ = svc.Close()
		h.srv.Close()
	})
	return h
}

func (h *harness) serve(w http.ResponseWriter, r *http.Request) {
	cc := &awsapi.Call{RequestID: "req-1", Region: testRegion, Account: testAccount, Host: r.Host}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		body, _ := io.ReadAll(r.Body)
		op, ok := strings.CutPrefix(target, TargetPrefix)
		if !ok {
			awsapi.WriteErrorAs(w, cc.RequestID, awsapi.JSON10, awsapi.UnknownOperation(target))
			return
		}
		out, err := h.svc.HandleJSON(r.Context(), cc, op, body)
		if err != nil {
			awsapi.WriteErrorAs(w, cc.RequestID, awsapi.JSON10, awsapi.AsError(err))
			return
		}
		awsapi.WriteJSONAs(w, cc.RequestID, awsapi.JSON10, out)
		return
	}
	if err := r.ParseForm(); err != nil {
		awsapi.WriteQueryError(w, cc.RequestID, XMLNS, awsapi.Serialization("%v", err))
		return
	}
	action := r.Form.Get("Action")
	out, err := h.svc.HandleQuery(r.Context(), cc, action, r.URL.Path, r.Form)
	if err != nil {
		awsapi.WriteQueryError(w, cc.RequestID, XMLNS, awsapi.AsError(err))
		return
	}
	awsapi.WriteQuery(w, cc.RequestID, XMLNS, action, out)
}

// client returns an SDK client of the harness.
func (h *harness) client() *sqs.Client {
	return sqs.New(sqs.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(h.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// response is a raw answer.
type response struct {
	status int
	header http.Header
	body   string
}

// json posts a JSON 1.0 call.
func (h *harness) json(op string, body any) response {
	h.t.Helper()
	var b []byte
	switch v := body.(type) {
	case string:
		b = []byte(v)
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			h.t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/", bytes.NewReader(b))
	req.Header.Set("Content-Type", awsapi.JSON10)
	req.Header.Set("X-Amz-Target", TargetPrefix+op)
	return h.do(req)
}

// query posts a query-protocol call to path.
func (h *harness) query(path string, form url.Values) response {
	h.t.Helper()
	form.Set("Version", Version)
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.do(req)
}

func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// decode decodes a JSON answer.
func (r response) decode(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("answer %d %q: %v", r.status, r.body, err)
	}
	return m
}

// queueURL is the URL of a queue of the harness.
func (h *harness) queueURL(name string) string {
	return h.srv.URL + "/" + testAccount + "/" + name
}

// waitFor waits until cond holds (no deadline of its own: the test's
// timeout bounds it).
func waitFor(cond func() bool) {
	for !cond() {
		time.Sleep(time.Millisecond)
	}
}

// waiters returns the long polls waiting on queue name.
func (h *harness) waiters(name string) int {
	h.svc.mu.Lock()
	defer h.svc.mu.Unlock()
	if q := h.svc.queues[queueKey{testAccount, testRegion, name}]; q != nil {
		return q.waiters
	}
	return 0
}

var bg = context.Background()

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// testCall is the Call of direct HandleJSON/HandleQuery calls.
func testCall() *awsapi.Call {
	return &awsapi.Call{RequestID: "req-1", Region: testRegion, Account: testAccount, Host: "localhost:4599"}
}
