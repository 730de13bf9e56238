package s3front

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// maxPendingPerBucket bounds the deliveries queued for one bucket; past it
// new ones are dropped (and logged) rather than growing without limit
// behind a stuck Publish.
const maxPendingPerBucket = 100_000

// publishTimeout bounds one call of Options.Publish.
const publishTimeout = 30 * time.Second

// delivery is one message for one destination.
type delivery struct {
	arn  string
	body []byte
}

// bucketQueue holds a bucket's deliveries not yet handed to Publish; one
// goroutine per non-empty queue sends them in order.
type bucketQueue struct {
	items   []delivery
	running bool
}

// internalKey marks the context of Front.PutObject's requests: the trail's
// own writes, whose events name CloudTrail as the writer.
type internalKey struct{}

// requestInfo is what an event tells of the request that caused it.
type requestInfo struct {
	requestID, principal, sourceIP string
}

func (f *Front) requestInfo(rw *responseWriter, r *http.Request) requestInfo {
	ri := requestInfo{requestID: rw.requestID, principal: DefaultEventPrincipalID, sourceIP: DefaultEventSourceIP}
	if r.Context().Value(internalKey{}) != nil {
		return ri
	}
	ri.principal = "Anonymous"
	cred := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, c, ok := strings.Cut(auth, "Credential="); ok {
			cred = c
		} else if c, ok := strings.CutPrefix(auth, "AWS "); ok {
			cred = c // SigV2: AWS AKID:signature
			cred, _, _ = strings.Cut(cred, ":")
		}
	}
	if akid, _, _ := strings.Cut(cred, "/"); akid != "" {
		ri.principal = "AWS:" + strings.TrimSpace(akid)
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ri.sourceIP = host
	} else if r.RemoteAddr != "" {
		ri.sourceIP = r.RemoteAddr
	}
	return ri
}

// objectEvent is one object created or removed.
type objectEvent struct {
	name      string // "ObjectCreated:Put"
	key       string
	size      int64
	etag      string // without quotes
	versionID string
}

// notifying reports whether events of bucket go anywhere.
func (f *Front) notifying(bucket string) bool {
	if f.publish == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.notifications[bucket] != nil
}

// notify queues the messages of events (in order) for every configuration
// of bucket that asks for them. It never blocks on delivery.
func (f *Front) notify(bucket string, ri requestInfo, events ...objectEvent) {
	if f.publish == nil || len(events) == 0 {
		return
	}
	f.mu.Lock()
	c := f.notifications[bucket]
	f.mu.Unlock()
	if c == nil {
		return
	}
	versioned := f.versioningOn(bucket)
	now := f.clock.Now()
	f.qmu.Lock()
	defer f.qmu.Unlock()
	var out []delivery
	for _, ev := range events {
		f.lastSequencer = max(f.lastSequencer+1, uint64(now.UnixNano()))
		seq := sequencer(f.lastSequencer)
		for _, list := range [][]notificationTarget{c.Topics, c.Queues} {
			for i := range list {
				t := &list[i]
				if !t.matches(ev.name, ev.key) {
					continue
				}
				e := Event{
					Region: f.eventRegion, Name: ev.name, EventTime: now,
					Bucket: bucket, Key: ev.key, Size: ev.size, ETag: ev.etag,
					Sequencer:   seq,
					PrincipalID: ri.principal, SourceIP: ri.sourceIP,
					RequestID: ri.requestID, HostID: hostID(ri.requestID),
					ConfigurationID: t.ID,
				}
				if versioned {
					e.VersionID = ev.versionID
				}
				out = append(out, delivery{arn: t.arn(), body: e.JSON()})
			}
		}
	}
	f.enqueueLocked(bucket, out)
}

// sendTestEvents queues S3's s3:TestEvent for each destination of c.
func (f *Front) sendTestEvents(bucket string, c *notificationConfiguration, requestID string) {
	if f.publish == nil {
		return
	}
	body := TestEvent{Time: f.clock.Now(), Bucket: bucket, RequestID: requestID, HostID: hostID(requestID)}.JSON()
	var out []delivery
	seen := make(map[string]bool)
	for _, list := range [][]notificationTarget{c.Topics, c.Queues} {
		for i := range list {
			if arn := list[i].arn(); !seen[arn] {
				seen[arn] = true
				out = append(out, delivery{arn: arn, body: body})
			}
		}
	}
	f.qmu.Lock()
	defer f.qmu.Unlock()
	f.enqueueLocked(bucket, out)
}

// enqueueLocked adds ds to bucket's queue and starts its sender. Called
// with f.qmu held.
func (f *Front) enqueueLocked(bucket string, ds []delivery) {
	if len(ds) == 0 {
		return
	}
	q := f.queues[bucket]
	if q == nil {
		q = &bucketQueue{}
		f.queues[bucket] = q
	}
	if len(q.items)+len(ds) > maxPendingPerBucket {
		f.log.Warn("s3front: event notifications dropped: too many pending", "bucket", bucket, "dropped", len(ds))
		return
	}
	q.items = append(q.items, ds...)
	if f.pending == 0 {
		f.idle = make(chan struct{})
	}
	f.pending += len(ds)
	if !q.running {
		q.running = true
		go f.deliver(bucket, q)
	}
}

// deliver sends bucket's queued messages, one at a time and in order, and
// ends when the queue is empty.
func (f *Front) deliver(bucket string, q *bucketQueue) {
	for {
		f.qmu.Lock()
		if len(q.items) == 0 {
			q.running = false
			delete(f.queues, bucket)
			f.qmu.Unlock()
			return
		}
		d := q.items[0]
		q.items[0] = delivery{}
		q.items = q.items[1:]
		f.qmu.Unlock()

		ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
		err := f.publishSafe(ctx, d)
		cancel()
		if err != nil {
			f.log.Warn("s3front: event notification not delivered", "bucket", bucket, "destination", d.arn, "err", err)
		}

		f.qmu.Lock()
		f.pending--
		if f.pending == 0 {
			close(f.idle)
			f.idle = nil
		}
		f.qmu.Unlock()
	}
}

// publishSafe calls Options.Publish, turning a panic into an error.
func (f *Front) publishSafe(ctx context.Context, d delivery) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in Publish: %v", v)
		}
	}()
	return f.publish(ctx, d.arn, d.body)
}

// WaitNotifications waits until every event notification queued so far was
// handed to Options.Publish (or ctx ends).
func (f *Front) WaitNotifications(ctx context.Context) error {
	for {
		f.qmu.Lock()
		ch := f.idle
		f.qmu.Unlock()
		if ch == nil {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// createdObject describes the current object bucket/key for an
// ObjectCreated event; ok is false if it cannot be read.
func (f *Front) createdObject(name, bucket, key string) (objectEvent, bool) {
	obj, err := f.backend.HeadObject(bucket, key)
	if err != nil || obj == nil {
		return objectEvent{}, false
	}
	if obj.Contents != nil {
		_ = obj.Contents.Close()
	}
	etag := strings.Trim(obj.Metadata[hdrETag], `"`)
	if etag == "" {
		etag = hex.EncodeToString(obj.Hash)
	}
	return objectEvent{name: name, key: key, size: obj.Size, etag: etag, versionID: string(obj.VersionID)}, true
}

// objectExists reports whether bucket/key has a current object.
func (f *Front) objectExists(bucket, key string) bool {
	obj, err := f.backend.HeadObject(bucket, key)
	if err != nil || obj == nil {
		return false
	}
	if obj.Contents != nil {
		_ = obj.Contents.Close()
	}
	return !obj.IsDeleteMarker
}

// browserUploadKey returns the key field of a POST object (browser form
// upload) body.
func browserUploadKey(r *http.Request, body *requestBody) (string, bool) {
	if body == nil {
		return "", false
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", false
	}
	mr := multipart.NewReader(bytes.NewReader(body.data), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", false
		}
		if p.FormName() == "key" {
			b, err := io.ReadAll(io.LimitReader(p, 2048))
			return string(b), err == nil
		}
	}
}

// deleteObjectsEvents serves DeleteObjects for a bucket with a notification
// configuration: the request is answered as gofakes3 answers it, and an
// event is sent for each object removed.
func (f *Front) deleteObjectsEvents(rw *responseWriter, r *http.Request, bucket string, body *requestBody) error {
	var in gofakes3.DeleteRequest
	if body == nil || xml.Unmarshal(body.data, &in) != nil {
		return f.forward(rw, r, body, false)
	}
	versioned := f.versioningOn(bucket)
	existed := make(map[string]bool)
	if !versioned {
		for _, o := range in.Objects {
			existed[o.Key] = f.objectExists(bucket, o.Key)
		}
	}
	capture := newCaptureWriter()
	f.s3.ServeHTTP(capture, forwardRequest(r, body, false))
	if capture.status == http.StatusOK {
		var out gofakes3.MultiDeleteResult
		_ = xml.Unmarshal(capture.body.Bytes(), &out)
		failed := make(map[string]bool)
		for _, e := range out.Error {
			failed[e.Key] = true
		}
		var events []objectEvent
		for _, o := range in.Objects {
			switch {
			case failed[o.Key]:
			case versioned && o.VersionID == "":
				events = append(events, objectEvent{name: "ObjectRemoved:DeleteMarkerCreated", key: o.Key})
			case versioned:
				events = append(events, objectEvent{name: "ObjectRemoved:Delete", key: o.Key, versionID: o.VersionID})
			case existed[o.Key]:
				events = append(events, objectEvent{name: "ObjectRemoved:Delete", key: o.Key})
			}
		}
		f.notify(bucket, f.requestInfo(rw, r), events...)
	}
	capture.copyTo(rw)
	return nil
}

// deleteEvent sends the event of a DeleteObject without a version: a
// delete marker created (versioned bucket), or the object removed if there
// was one.
func (f *Front) deleteEvent(rw *responseWriter, r *http.Request, bucket, key string, existed bool) {
	h := rw.Header()
	ev := objectEvent{name: "ObjectRemoved:Delete", key: key}
	switch {
	case h.Get("X-Amz-Delete-Marker") == "true" && f.versioningOn(bucket):
		ev.name, ev.versionID = "ObjectRemoved:DeleteMarkerCreated", h.Get("X-Amz-Version-Id")
	case !existed:
		return
	}
	f.notify(bucket, f.requestInfo(rw, r), ev)
}
