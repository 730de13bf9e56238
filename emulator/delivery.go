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
	"github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/atomicfile"
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

// PutLog is Put for a log file, given the journal's hash of each of its
// records (trail.LogSink, with Config.RecordDigest the journal's hash):
// they are noted, and their entries go once the trail state listing the
// file is saved. The trail hashes each record as it writes it; finding
// them in the stored file meant decompressing it again (a 50 MB file
// whole, into memory) and took 1.6% of the CPU time of 64 clients'
// recorded calls with a data directory.
func (s s3Sink) PutLog(ctx context.Context, key string, body []byte, hashes []uint64, meta map[string]string) error {
	if err := s.Put(ctx, key, body, meta); err != nil {
		return err
	}
	if j := s.e.journal; j != nil && j.watching() {
		j.noteStored(hashes)
	}
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
// changed, then deletes the journal entries of the records in the log
// files it lists; e.deliverMu is held. Every log file stored so far is in
// the state (files are stored only with e.deliverMu held).
func (e *Emulator) saveState() error {
	p := e.statePath()
	if p == "" {
		return nil
	}
	b, err := e.trail.State()
	if err != nil {
		return err
	}
	if !bytes.Equal(b, e.lastState) {
		// In place into a spare file renamed over the state: a save
		// neither makes nor frees a file (atomicfile.Rewrite).
		if err := atomicfile.RewriteDurable(p, b, 0o600); err != nil {
			return fmt.Errorf("save trail state: %w", err)
		}
		e.lastState = b
	}
	if e.journal == nil {
		return nil
	}
	if err := e.journal.prune(); err != nil {
		return err
	}
	return e.checkpointFirehose()
}

// checkpointFirehose saves the Firehose state and deletes the changes it
// holds from the journal.
func (e *Emulator) checkpointFirehose() error {
	gen, err := e.fh.Checkpoint()
	if err != nil {
		return err
	}
	return e.journal.dropStates(gen)
}

// restoreFirehose applies the Firehose changes the journal holds (a
// restart after a crash: the calls that made them were answered, the
// state file is the last checkpoint), saves a checkpoint and deletes
// them from the journal.
func (e *Emulator) restoreFirehose() error {
	if e.journal == nil {
		return nil
	}
	found := e.journal.foundStates()
	if len(found) == 0 {
		return nil
	}
	changes := make([]firehose.Change, len(found))
	for i, st := range found {
		changes[i] = firehose.Change{Gen: st.gen, Body: st.body}
	}
	if err := e.fh.Restore(changes); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	e.log.Info("journaled Firehose changes restored", "changes", len(found))
	return e.checkpointFirehose()
}

// rebuildHistory fills the LookupEvents store from the log files already
// in the bucket (a restart with a data directory): the delivered files are
// the history. With a journal, it first removes what a crash left behind
// (dropOrphans), and matches the journaled records against the delivered
// ones: the entries of delivered records are deleted, the others stay in
// e.replay, to be added again (replayJournal).
func (e *Emulator) rebuildHistory(state []byte) error {
	keys, err := e.listKeys("AWSLogs/")
	if err != nil {
		return fmt.Errorf("rebuild history: %w", err)
	}
	// Journaled records not yet found in a delivered file, by hash.
	pending := map[uint64][]int{}
	for i, je := range e.replay {
		pending[je.hash] = append(pending[je.hash], i)
	}
	var logs []string
	if e.journal != nil {
		if logs, err = e.dropOrphans(state, keys, pending); err != nil {
			return fmt.Errorf("rebuild history: %w", err)
		}
	} else {
		for _, k := range keys {
			if isLogFileKey(k) {
				logs = append(logs, k)
			}
		}
	}
	delivered := make([]bool, len(e.replay))
	var done []uint64
	n := 0
	for _, key := range logs {
		recs, err := e.readLogFile(key)
		if err == nil && e.journal != nil {
			for _, r := range recs {
				if ix := pending[e.journalHash(r)]; len(ix) > 0 {
					delivered[ix[0]] = true
					done = append(done, e.replay[ix[0]].key)
					pending[e.journalHash(r)] = ix[1:]
				}
			}
		}
		if err == nil {
			var k int
			k, err = e.loadRecords(recs)
			n += k
		}
		if err != nil {
			e.log.Warn("rebuild history: skip log file", "key", key, "err", err)
		}
	}
	if n > 0 {
		e.log.Info("rebuilt LookupEvents history from log files", "events", n)
	}
	if e.journal == nil {
		return nil
	}
	if err := e.journal.remove(done); err != nil {
		return fmt.Errorf("rebuild history: %w", err)
	}
	kept := e.replay[:0]
	for i, je := range e.replay {
		if !delivered[i] {
			kept = append(kept, je)
		}
	}
	e.replay = kept
	return nil
}

// journalHash hashes a record as the journal does.
func (e *Emulator) journalHash(raw []byte) uint64 { return e.journal.hash(raw) }

// listKeys lists the bucket's keys under prefix.
func (e *Emulator) listKeys(prefix string) ([]string, error) {
	var keys []string
	page := gofakes3.ListBucketPage{MaxKeys: 1000}
	for {
		list, err := e.backend.ListBucket(e.bucket, &gofakes3.Prefix{Prefix: prefix, HasPrefix: true}, page)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", e.bucket, err)
		}
		for _, c := range list.Contents {
			keys = append(keys, c.Key)
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
	return keys, nil
}

// dropOrphans deletes the files a crash left behind: stored after the
// trail state was last saved, so unknown to the restarted trail, which
// would leave them out of its digests and could reuse their names. Such a
// log file (in no digest up to the state's last one, and not pending in
// the state) is deleted when the journal holds every record of it (they
// are delivered again); a digest after the state's last one of its chain
// is deleted (the trail makes it again). It returns the log files kept.
func (e *Emulator) dropOrphans(state []byte, keys []string, pending map[uint64][]int) ([]string, error) {
	type chainKnown struct {
		last  string          // the last digest the state knows
		known map[string]bool // log files pending in the state or in its digests
	}
	chains := map[string]*chainKnown{}
	if state != nil {
		var st struct {
			Chains []trail.ChainState `json:"chains"`
		}
		if err := json.Unmarshal(state, &st); err != nil {
			return nil, fmt.Errorf("read trail state: %w", err)
		}
		for _, c := range st.Chains {
			ck := &chainKnown{last: c.PreviousKey, known: map[string]bool{}}
			for _, p := range c.Pending {
				ck.known[p.Key] = true
			}
			chains[c.Account+"/"+c.Region] = ck
		}
	}
	var logs []string
	for _, k := range keys {
		stream, kind, ok := streamOfKey(k)
		if !ok || kind != "CloudTrail-Digest" || !strings.HasSuffix(k, ".json.gz") || state == nil {
			continue
		}
		ck := chains[stream]
		if ck == nil || ck.last == "" || k > ck.last {
			e.log.Warn("removing a digest file the saved trail state does not know (interrupted run)", "key", k)
			if _, err := e.backend.DeleteObject(e.bucket, k); err != nil {
				return nil, fmt.Errorf("delete %s: %w", k, err)
			}
			continue
		}
		listed, err := e.digestLogKeys(k)
		if err != nil {
			e.log.Warn("rebuild history: read digest", "key", k, "err", err)
			continue
		}
		for _, l := range listed {
			ck.known[l] = true
		}
	}
	for _, k := range keys {
		if !isLogFileKey(k) {
			continue
		}
		stream, _, _ := streamOfKey(k)
		if ck := chains[stream]; ck != nil && ck.known[k] {
			logs = append(logs, k)
			continue
		}
		recs, err := e.readLogFile(k)
		if err != nil {
			logs = append(logs, k) // reported by the caller
			continue
		}
		need := map[uint64]int{}
		all := true
		for _, r := range recs {
			h := e.journalHash(r)
			need[h]++
			if need[h] > len(pending[h]) {
				all = false
				break
			}
		}
		if !all || len(recs) == 0 {
			e.log.Warn("log file in no digest kept: its records are not all journaled", "key", k)
			logs = append(logs, k)
			continue
		}
		e.log.Warn("removing a log file the saved trail state does not know (interrupted run); its records are delivered again", "key", k, "records", len(recs))
		if _, err := e.backend.DeleteObject(e.bucket, k); err != nil {
			return nil, fmt.Errorf("delete %s: %w", k, err)
		}
	}
	return logs, nil
}

// streamOfKey returns "account/region" and the kind (CloudTrail or
// CloudTrail-Digest) of a key AWSLogs/ACCOUNT/KIND/REGION/....
func streamOfKey(key string) (stream, kind string, ok bool) {
	parts := strings.SplitN(key, "/", 5)
	if len(parts) < 5 || parts[0] != "AWSLogs" {
		return "", "", false
	}
	return parts[1] + "/" + parts[3], parts[2], true
}

// digestLogKeys returns the log files a digest lists.
func (e *Emulator) digestLogKeys(key string) ([]string, error) {
	raw, err := e.readGzipObject(key)
	if err != nil {
		return nil, err
	}
	var d struct {
		LogFiles []struct {
			S3Object string `json:"s3Object"`
		} `json:"logFiles"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	out := make([]string, len(d.LogFiles))
	for i, f := range d.LogFiles {
		out[i] = f.S3Object
	}
	return out, nil
}

// replayJournal adds the journaled records no delivered file holds to the
// trail and LookupEvents, once.
func (e *Emulator) replayJournal() error {
	if len(e.replay) == 0 {
		return nil
	}
	e.journal.revive(e.replay)
	for _, je := range e.replay {
		var rec schemas.Record
		if err := json.Unmarshal(je.raw, &rec); err != nil {
			return fmt.Errorf("journal: entry %d: %w", je.key, err)
		}
		if err := e.trail.AddJSON(&rec, je.raw); err != nil {
			return fmt.Errorf("journal: entry %d: %w", je.key, err)
		}
		if err := e.store.Add(&rec, je.raw); err != nil {
			return fmt.Errorf("journal: entry %d: %w", je.key, err)
		}
		e.recorded.Add(1)
	}
	e.log.Info("journaled records not yet delivered added again", "records", len(e.replay))
	e.replay = nil
	return nil
}

// isLogFileKey reports whether key names a CloudTrail log file (not a
// digest, not an Insights file).
func isLogFileKey(key string) bool {
	return strings.Contains(key, "/CloudTrail/") && strings.HasSuffix(key, ".json.gz")
}

// readGzipObject returns the decompressed bytes of an object.
func (e *Emulator) readGzipObject(key string) ([]byte, error) {
	obj, err := e.backend.GetObject(e.bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Contents.Close()
	zr, err := gzip.NewReader(obj.Contents)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// readLogFile returns the records of a log file, as their JSON.
func (e *Emulator) readLogFile(key string) ([][]byte, error) {
	obj, err := e.backend.GetObject(e.bucket, key, nil)
	if err != nil {
		return nil, err
	}
	defer obj.Contents.Close()
	return logRecords(obj.Contents)
}

// logRecords returns the records of a compressed log file, each as the
// exact bytes of its JSON.
func logRecords(r io.Reader) ([][]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if recs, ok := splitLogFile(raw); ok {
		return recs, nil
	}
	var lf struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(raw, &lf); err != nil {
		return nil, err
	}
	out := make([][]byte, len(lf.Records))
	for i, r := range lf.Records {
		out[i] = r
	}
	return out, nil
}

// splitLogFile splits a log file as the trail writes it,
// {"Records":[R,R,...]} without white space, into its records (objects),
// several times faster than encoding/json, which validates every byte:
// only strings (for their escapes) and nesting are followed. Any other
// shape is not ok (encoding/json then reads it); the records' own JSON is
// not checked here.
func splitLogFile(raw []byte) ([][]byte, bool) {
	const head, tail = `{"Records":[`, `]}`
	rest, ok := bytes.CutPrefix(raw, []byte(head))
	if !ok || !bytes.HasSuffix(rest, []byte(tail)) {
		return nil, false
	}
	rest = rest[:len(rest)-len(tail)]
	var recs [][]byte
	for len(rest) > 0 {
		if rest[0] != '{' {
			return nil, false
		}
		n := objectEnd(rest)
		if n < 0 {
			return nil, false
		}
		recs = append(recs, rest[:n:n])
		rest = rest[n:]
		if len(rest) > 0 {
			if rest[0] != ',' || len(rest) == 1 {
				return nil, false
			}
			rest = rest[1:]
		}
	}
	return recs, true
}

// objectEnd returns the length of the JSON object or array b starts with,
// or -1 if b ends first.
func objectEnd(b []byte) int {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			// Skip the string: to its closing quote, past escapes.
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}

// loadRecords adds the records of one log file to the store.
func (e *Emulator) loadRecords(recs [][]byte) (int, error) {
	for i, r := range recs {
		var rec schemas.Record
		if err := json.Unmarshal(r, &rec); err != nil {
			return i, fmt.Errorf("record %d: %w", i, err)
		}
		if err := e.store.Add(&rec, r); err != nil {
			return i, err
		}
	}
	return len(recs), nil
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
