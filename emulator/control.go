package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// controlPrefix starts the paths of the control endpoint, the emulator's
// own API (as LocalStack's /_localstack and moto's /moto-api): no AWS
// bucket name can start with "_", so it never shadows S3.
const controlPrefix = "/_firetrail/"

// Paths of the control endpoint.
const (
	// FlushPath (POST) delivers everything pending now and answers
	// {"keys":[...]}, the keys of the objects written.
	FlushPath = controlPrefix + "flush"
	// HealthPath (GET) answers the emulator's identity and counters.
	HealthPath = controlPrefix + "health"
)

// Health is the answer of HealthPath.
type Health struct {
	Status         string `json:"status"`
	Version        string `json:"version"`
	AccountID      string `json:"account"`
	Region         string `json:"region"`
	Bucket         string `json:"bucket"`
	Trail          string `json:"trail"`
	EventsRecorded int    `json:"eventsRecorded"`
	LogFiles       int    `json:"logFiles"`
	DigestFiles    int    `json:"digestFiles"`
	Pending        int    `json:"pendingDeliveries"`
}

// FlushResult is the answer of FlushPath.
type FlushResult struct {
	// Keys are the keys of the log and digest files the flush wrote, in
	// the order written.
	Keys []string `json:"keys"`
}

// keyLog collects the keys the trail writes while a flush runs.
type keyLog struct {
	mu   sync.Mutex
	on   bool
	keys []string
}

func (l *keyLog) add(key string) {
	l.mu.Lock()
	if l.on {
		l.keys = append(l.keys, key)
	}
	l.mu.Unlock()
}

func (l *keyLog) start() {
	l.mu.Lock()
	l.on, l.keys = true, nil
	l.mu.Unlock()
}

func (l *keyLog) stop() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	keys := l.keys
	l.keys = nil
	return keys
}

// FlushKeys is Flush that returns the keys of the objects it wrote.
func (e *Emulator) FlushKeys() ([]string, error) {
	e.deliverMu.Lock()
	defer e.deliverMu.Unlock()
	e.flushed.start()
	err := e.flushLocked()
	keys := e.flushed.stop()
	if keys == nil {
		keys = []string{}
	}
	return keys, err
}

// Health returns what HealthPath answers.
func (e *Emulator) Health() Health {
	st := e.trail.Stats()
	return Health{
		Status: "running", Version: e.opts.version,
		AccountID: e.accountID, Region: e.region, Bucket: e.bucket, Trail: e.trailName,
		EventsRecorded: e.store.Len(),
		LogFiles:       st.LogFiles, DigestFiles: st.Digests, Pending: st.PendingDeliveries,
	}
}

// serveControl serves the control endpoint. Its errors are JSON
// {"__type","message"} with a 4xx, like the JSON APIs'.
func (e *Emulator) serveControl(w http.ResponseWriter, r *http.Request) {
	reqID := e.ids.UUID()
	var v any
	switch r.URL.Path {
	case FlushPath:
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s %s: use POST", r.Method, r.URL.Path))
			return
		}
		keys, err := e.FlushKeys()
		if err != nil {
			e.log.Error("control: flush", "err", err)
			awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusInternalServerError, "InternalFailure", "flush: %v", err))
			return
		}
		v = FlushResult{Keys: keys}
	case HealthPath:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusMethodNotAllowed, "MethodNotAllowed", "%s %s: use GET", r.Method, r.URL.Path))
			return
		}
		v = e.Health()
	default:
		paths := []string{FlushPath, HealthPath}
		slices.Sort(paths)
		awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusNotFound, "NotFound", "unknown control path %s (known: %v)", r.URL.Path, paths))
		return
	}
	body, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", reqID)
	_, _ = w.Write(append(body, '\n'))
}
