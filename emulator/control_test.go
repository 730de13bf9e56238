package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func control(e http.Handler, method, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

func TestControlFlush(t *testing.T) {
	e := newTestEmulator(t, WithDeliveryInterval(5*time.Minute))
	// Nothing pending: an empty list, not null.
	w := control(e, http.MethodPost, FlushPath)
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"keys":[],"firehoseObjects":[]}` {
		t.Fatalf("flush of nothing = %d %s, want 200 and empty lists", w.Code, w.Body)
	}
	// Events at 09:02:30 and 09:04:59, flushed at 09:04:59: the file is
	// stamped like the closed window (T0905Z), never before its events.
	e.fake.Advance(150 * time.Second)
	if err := e.Record(testRecord(1, e.Now())); err != nil {
		t.Fatal(err)
	}
	e.fake.Advance(149 * time.Second)
	if err := e.Record(testRecord(2, e.Now())); err != nil {
		t.Fatal(err)
	}
	w = control(e, http.MethodPost, FlushPath)
	if w.Code != http.StatusOK {
		t.Fatalf("flush = %d %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var fr FlushResult
	if err := json.Unmarshal(w.Body.Bytes(), &fr); err != nil {
		t.Fatal(err)
	}
	var logs []string
	for _, k := range fr.Keys {
		if isLogFileKey(k) {
			logs = append(logs, k)
		}
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "_20250304T0905Z_") {
		t.Fatalf("flushed keys = %q, want one log file stamped 20250304T0905Z", fr.Keys)
	}
	if got := e.store.Len(); got != 2 {
		t.Errorf("%d events in LookupEvents after flush, want 2", got)
	}
	// The file is there, under the key the flush answered.
	obj := control(e, http.MethodHead, "/"+e.Bucket()+"/"+logs[0])
	if obj.Code != http.StatusOK {
		t.Errorf("HEAD flushed key = %d, want 200", obj.Code)
	}
	// The trail's bucket has default encryption, as a CloudTrail bucket.
	if sse := obj.Header().Get("x-amz-server-side-encryption"); sse != "AES256" {
		t.Errorf("log file x-amz-server-side-encryption = %q, want AES256", sse)
	}
}

func TestControlHealth(t *testing.T) {
	e := newTestEmulator(t, WithVersion("1.2.3"))
	if err := e.Record(testRecord(1, e.Now())); err != nil {
		t.Fatal(err)
	}
	w := control(e, http.MethodGet, HealthPath)
	if w.Code != http.StatusOK {
		t.Fatalf("health = %d %s", w.Code, w.Body)
	}
	var h Health
	if err := json.Unmarshal(w.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	want := Health{Status: "running", Version: "1.2.3", AccountID: DefaultAccountID, Region: DefaultRegion, Bucket: DefaultBucket, Trail: e.trailName, EventsRecorded: 1, LookupEvents: 1}
	if h != want {
		t.Errorf("health = %+v, want %+v", h, want)
	}
}

func TestControlBadRequests(t *testing.T) {
	e := newTestEmulator(t)
	for _, tc := range []struct {
		method, path string
		status       int
		code         string
	}{
		{http.MethodGet, FlushPath, http.StatusMethodNotAllowed, "MethodNotAllowed"},
		{http.MethodPost, HealthPath, http.StatusMethodNotAllowed, "MethodNotAllowed"},
		{http.MethodPost, "/_firetrail/nope", http.StatusNotFound, "NotFound"},
		{http.MethodGet, "/_firetrail/", http.StatusNotFound, "NotFound"},
	} {
		w := control(e, tc.method, tc.path)
		var body struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != tc.status || body.Type != tc.code || body.Message == "" {
			t.Errorf("%s %s = %d %s, want %d with __type %s and a message", tc.method, tc.path, w.Code, w.Body, tc.status, tc.code)
		}
	}
}
