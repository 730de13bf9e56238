package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/internal/cloudtrail"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// s3Sink is the trail's Sink: objects go into the embedded S3 through the
// same front door clients use (checksums, lower-case metadata).
type s3Sink struct{ e *Emulator }

// Put stores body as key in the emulator's bucket.
func (s s3Sink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if err := s.e.s3.PutObject(ctx, s.e.bucket, key, meta, body); err != nil {
		return err
	}
	s.e.flushed.add(&s.e.flushed.keys, key)
	return nil
}

// onNotice is the trail's Notify hook, called after each stored log file.
// It must not block: the channel drops its oldest notice when full, and
// HTTP notifications are queued.
func (e *Emulator) onNotice(n trail.Notice) {
	for {
		select {
		case e.notices <- n:
			e.notify.enqueue(n)
			return
		default:
		}
		select {
		case <-e.notices: // drop the oldest
		default:
		}
	}
}

// statePath is where the trail state is saved ("" without a data dir).
func (e *Emulator) statePath() string {
	if e.opts.dataDir == "" {
		return ""
	}
	return filepath.Join(e.opts.dataDir, "trail-state.json")
}

// loadState reads the saved trail state, if any.
func (e *Emulator) loadState() ([]byte, error) {
	p := e.statePath()
	if p == "" {
		return nil, nil
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read trail state: %w", err)
	}
	e.lastState = b
	return b, nil
}

// saveState writes the trail state into the data directory when it
// changed; e.deliverMu is held.
func (e *Emulator) saveState() error {
	p := e.statePath()
	if p == "" {
		return nil
	}
	b, err := e.trail.State()
	if err != nil {
		return err
	}
	if bytes.Equal(b, e.lastState) {
		return nil
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save trail state: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("save trail state: %w", err)
	}
	e.lastState = b
	return nil
}

// rebuildHistory fills the LookupEvents store from the log files already
// in the bucket (a restart with a data directory): the delivered files are
// the history, so nothing else needs saving. Records still pending at a
// crash are lost, as they never reached a file.
func (e *Emulator) rebuildHistory() error {
	prefix := "AWSLogs/"
	page := gofakes3.ListBucketPage{MaxKeys: 1000}
	n := 0
	for {
		list, err := e.backend.ListBucket(e.bucket, &gofakes3.Prefix{Prefix: prefix, HasPrefix: true}, page)
		if err != nil {
			return fmt.Errorf("rebuild history: list %s: %w", e.bucket, err)
		}
		for _, c := range list.Contents {
			if !isLogFileKey(c.Key) {
				continue
			}
			k, err := e.loadLogFile(c.Key)
			if err != nil {
				e.log.Warn("rebuild history: skip log file", "key", c.Key, "err", err)
				continue
			}
			n += k
		}
		if !list.IsTruncated || len(list.Contents) == 0 {
			break
		}
		page.Marker = list.Contents[len(list.Contents)-1].Key
		if list.NextMarker != "" {
			page.Marker = list.NextMarker
		}
		page.HasMarker = true
	}
	if n > 0 {
		e.log.Info("rebuilt LookupEvents history from log files", "events", n)
	}
	return nil
}

// isLogFileKey reports whether key names a CloudTrail log file (not a
// digest, not an Insights file).
func isLogFileKey(key string) bool {
	return strings.Contains(key, "/CloudTrail/") && strings.HasSuffix(key, ".json.gz")
}

// loadLogFile adds the records of one log file to the store.
func (e *Emulator) loadLogFile(key string) (int, error) {
	obj, err := e.backend.GetObject(e.bucket, key, nil)
	if err != nil {
		return 0, err
	}
	defer obj.Contents.Close()
	zr, err := gzip.NewReader(obj.Contents)
	if err != nil {
		return 0, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return 0, err
	}
	var lf struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(raw, &lf); err != nil {
		return 0, err
	}
	for i, r := range lf.Records {
		var rec schemas.Record
		if err := json.Unmarshal(r, &rec); err != nil {
			return i, fmt.Errorf("record %d: %w", i, err)
		}
		if err := e.store.Add(&rec, r); err != nil {
			return i, err
		}
	}
	return len(lf.Records), nil
}

// status is what GetTrailStatus reports. Delivery and notification
// attempts succeed or fail as the trail's stats say.
func (e *Emulator) status() cloudtrail.Status {
	st := e.trail.Stats()
	ts := cloudtrail.Status{
		StartLogging:          e.started,
		LatestDelivery:        st.LastDelivery,
		LatestDeliveryAttempt: st.LastDelivery,
		LatestDigest:          st.LastDigest,
		LatestDeliveryError:   st.LastError,
	}
	if st.LastErrorTime.After(ts.LatestDeliveryAttempt) {
		ts.LatestDeliveryAttempt = st.LastErrorTime
	}
	// Every delivered log file is published to the trail's topic.
	ts.LatestNotification = st.LastDelivery
	ts.LatestNotificationAttempt = st.LastDelivery
	return ts
}
