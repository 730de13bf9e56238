package emulator

import (
	"context"
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
	Status    string `json:"status"`
	Version   string `json:"version"`
	AccountID string `json:"account"`
	Region    string `json:"region"`
	Bucket    string `json:"bucket"`
	Trail     string `json:"trail"`
	// EventsRecorded counts the records kept since start: recorded calls,
	// Record calls and preloaded history, data events included.
	EventsRecorded int64 `json:"eventsRecorded"`
	// LookupEvents counts the management events LookupEvents can show
	// (with a data directory, history from earlier runs included).
	LookupEvents int `json:"lookupEvents"`
	LogFiles     int `json:"logFiles"`
	DigestFiles  int `json:"digestFiles"`
	Pending      int `json:"pendingDeliveries"`
}

// FlushResult is the answer of FlushPath.
type FlushResult struct {
	// Keys are the keys of the log and digest files the flush wrote into
	// the trail's bucket, in the order written.
	Keys []string `json:"keys"`
	// FirehoseObjects are the "bucket/key" of the objects Firehose
	// destinations were written by the flush (buffered put data).
	FirehoseObjects []string `json:"firehoseObjects"`
}

// keyLog collects the keys written while a flush runs: the trail's (keys)
// and Firehose destinations' (objects, "bucket/key").
type keyLog struct {
	mu            sync.Mutex
	on            bool
	keys, objects []string
}

func (l *keyLog) add(dst *[]string, key string) {
	l.mu.Lock()
	if l.on {
		*dst = append(*dst, key)
	}
	l.mu.Unlock()
}

func (l *keyLog) start() {
	l.mu.Lock()
	l.on, l.keys, l.objects = true, []string{}, []string{}
	l.mu.Unlock()
}

func (l *keyLog) stop() FlushResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.on = false
	r := FlushResult{Keys: l.keys, FirehoseObjects: l.objects}
	l.keys, l.objects = nil, nil
	return r
}

// FlushKeys is Flush that says what it wrote.
func (e *Emulator) FlushKeys() (FlushResult, error) {
	e.deliverMu.Lock()
	defer e.deliverMu.Unlock()
	e.flushed.start()
	err := e.flushLocked()
	return e.flushed.stop(), err
}

// destObjects is where Firehose destinations write: the embedded S3,
// noting what a flush writes.
type destObjects struct{ e *Emulator }

// CreateBucket creates bucket if it does not exist.
func (d destObjects) CreateBucket(bucket string) error { return d.e.s3.CreateBucket(bucket) }

// PutObject stores body as bucket/key.
func (d destObjects) PutObject(ctx context.Context, bucket, key string, meta map[string]string, body []byte) error {
	if err := d.e.s3.PutObject(ctx, bucket, key, meta, body); err != nil {
		return err
	}
	d.e.flushed.add(&d.e.flushed.objects, bucket+"/"+key)
	return nil
}

// Health returns what HealthPath answers.
func (e *Emulator) Health() Health {
	st := e.trail.Stats()
	return Health{
		Status: "running", Version: e.opts.version,
		AccountID: e.accountID, Region: e.region, Bucket: e.bucket, Trail: e.trailName,
		EventsRecorded: e.recorded.Load(),
		LookupEvents:   e.store.Len(),
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
		fr, err := e.FlushKeys()
		if err != nil {
			e.log.Error("control: flush", "err", err)
			awsapi.WriteError(w, reqID, awsapi.NewError(http.StatusInternalServerError, "InternalFailure", "flush: %v", err))
			return
		}
		v = fr
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
