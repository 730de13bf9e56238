package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeStore is a one-bucket S3 stand-in that honours If-None-Match: * and
// answers PUTs with canned statuses first.
type fakeStore struct {
	mu      sync.Mutex
	objects map[string][]byte
	answers []int // statuses answered to the next PUTs, before storing
	puts    int
	noCond  int // PUTs without If-None-Match: *
}

var errorCodes = map[int]string{
	http.StatusConflict:       "ConditionalRequestConflict",
	http.StatusNotImplemented: "NotImplemented",
	http.StatusForbidden:      "AccessDenied",
}

func (s *fakeStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.URL.Path
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, "<Error><Code>"+code+"</Code><Message>m</Message></Error>")
	}
	switch r.Method {
	case http.MethodPut:
		s.puts++
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("If-None-Match") != "*" {
			s.noCond++
		}
		if len(s.answers) > 0 {
			status := s.answers[0]
			s.answers = s.answers[1:]
			fail(status, errorCodes[status])
			return
		}
		if _, ok := s.objects[key]; ok && r.Header.Get("If-None-Match") == "*" {
			fail(http.StatusPreconditionFailed, "PreconditionFailed")
			return
		}
		s.objects[key] = body
	case http.MethodGet:
		b, ok := s.objects[key]
		if !ok {
			fail(http.StatusNotFound, "NoSuchKey")
			return
		}
		w.Write(b)
	default:
		fail(http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

func newFakeSink(t *testing.T, store *fakeStore) *s3Sink {
	t.Helper()
	srv := httptest.NewServer(store)
	t.Cleanup(srv.Close)
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CA_BUNDLE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE":             filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_RETRY_MODE":              "standard", "AWS_MAX_ATTEMPTS": "1",
	} {
		t.Setenv(k, v)
	}
	s := newS3Sink(context.Background(), srv.URL, "us-east-1", "b")
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s
}

// TestS3SinkNeverReplaces: Put is a conditional write; a key holding other
// bytes is a keyExistsError and stays as it was; a key holding our bytes (our
// own attempt, retried) is success; 409 is retried; a store without
// conditional writes is named as such.
func TestS3SinkNeverReplaces(t *testing.T) {
	store := &fakeStore{objects: map[string][]byte{}}
	sink := newFakeSink(t, store)
	ctx := t.Context()
	if err := sink.Put(ctx, "k", []byte("mine"), nil); err != nil {
		t.Fatalf("Put to a new key: %v", err)
	}
	if err := sink.Put(ctx, "k", []byte("mine"), nil); err != nil {
		t.Errorf("Put of the same bytes again (a retried request that had landed): %v", err)
	}
	err := sink.Put(ctx, "k", []byte("theirs"), nil)
	if _, ok := errors.AsType[*keyExistsError](err); !ok || !strings.Contains(err.Error(), "s3://b/k exists already") || !strings.Contains(err.Error(), "not overwritten") {
		t.Errorf("Put of other bytes to an existing key: %v, want a keyExistsError naming s3://b/k", err)
	}
	if got := string(store.objects["/b/k"]); got != "mine" {
		t.Errorf("object after the refused Put: %q, want %q", got, "mine")
	}
	if store.noCond != 0 {
		t.Errorf("%d PUTs without If-None-Match: *", store.noCond)
	}

	store.answers = []int{http.StatusConflict, http.StatusConflict}
	store.puts = 0
	if err := sink.Put(ctx, "k2", []byte("x"), nil); err != nil || store.puts != 3 {
		t.Errorf("Put after two 409s: %v after %d PUTs, want success on the third", err, store.puts)
	}
	store.answers = []int{http.StatusNotImplemented}
	if err := sink.Put(ctx, "k3", []byte("x"), nil); err == nil || !strings.Contains(err.Error(), "does not support conditional writes") {
		t.Errorf("Put to a store without conditional writes: %v, want an error saying so", err)
	}
	store.answers = []int{http.StatusForbidden}
	if err := sink.Put(ctx, "k4", []byte("x"), nil); err == nil || errors.As(err, new(*keyExistsError)) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("Put answered 403: %v, want the AccessDenied error", err)
	}
}
