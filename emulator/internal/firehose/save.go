package firehose

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/internal/atomicfile"
	"github.com/firetrail/firetrail/schemas"
)

// StateFile is the name of the saved Firehose control plane in the
// data directory.
const StateFile = "firehose-state.json"

// stateVersion is the format version of the saved state.
const stateVersion = 1

// savedState is the saved form of a state: every delivery
// stream with what Describe and ListTags show of it.
type savedState struct {
	Version int `json:"version"`
	// Gen is the generation of the state saved: the changes it holds
	// (Restore skips the journaled changes of this generation and before).
	Gen     uint64        `json:"gen,omitempty"`
	Streams []savedStream `json:"streams"`
}

// Change is the saved form of one delivery stream after a call changed
// it, for Config.JournalChanges: Gen is the generation of the state it
// was taken from (the later of two changes of a stream has the higher),
// Body the stream as the state file saves it, or only its key when the
// call deleted it.
type Change struct {
	Gen  uint64
	Body []byte
}

// savedChange is the form of a Change's body: the stream, or the key of
// a deleted one.
type savedChange struct {
	Stream  *savedStream `json:"stream,omitempty"`
	Deleted *savedKey    `json:"deleted,omitempty"`
}

type savedKey struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Name    string `json:"name"`
}

type savedStream struct {
	Account     string                                      `json:"account"`
	Region      string                                      `json:"region"`
	Name        string                                      `json:"name"`
	ARN         string                                      `json:"arn"`
	Type        types.DeliveryStreamType                    `json:"type"`
	Version     int64                                       `json:"version"`
	Created     time.Time                                   `json:"created"`
	Updated     time.Time                                   `json:"updated"`
	Destination types.DestinationDescription                `json:"destination"`
	Source      *types.SourceDescription                    `json:"source,omitempty"`
	Tags        []types.Tag                                 `json:"tags,omitempty"`
	Encryption  types.DeliveryStreamEncryptionConfiguration `json:"encryption"`
	// Status is CREATING for a stream not yet ACTIVE, which it is at
	// ActiveAt; "" is ACTIVE (files of earlier versions have neither).
	// DELETING streams are not saved: their deletion stands.
	Status   types.DeliveryStreamStatus `json:"status,omitempty"`
	ActiveAt *time.Time                 `json:"activeAt,omitempty"`
	// EncryptionCalls are the times of the encryption calls of the last
	// 24 hours (their limit outlives a restart); files of earlier
	// versions have none.
	EncryptionCalls schemas.EncryptionCallLog `json:"encryptionCalls,omitempty"`
}

// loadFirehoseState returns the control plane saved at path (an empty one
// if there is no file yet) that saves itself there on every change.
func loadState(path string, log *slog.Logger) (*state, error) {
	s := newState()
	s.path = path
	if log != nil {
		s.log = log
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read firehose state: %w", err)
	}
	if err := s.decode(b); err != nil {
		return nil, fmt.Errorf("load firehose state %s: %w", path, err)
	}
	// A file of an earlier firetrail may hold secrets in clear: decode
	// redacted them and counted that as a change; they leave the disk now.
	if _, err := s.saveLatest(); err != nil {
		return nil, err
	}
	return s, nil
}

// decode fills s from saved bytes, rejecting anything the API could not
// have made.
func (s *state) decode(b []byte) error {
	var sf savedState
	if err := json.Unmarshal(b, &sf); err != nil {
		return err
	}
	if sf.Version != stateVersion {
		return fmt.Errorf("format version %d, want %d", sf.Version, stateVersion)
	}
	s.gen, s.savedGen, s.loadedGen = sf.Gen, sf.Gen, sf.Gen
	for i, st := range sf.Streams {
		k := streamKey{account: st.Account, region: st.Region, name: st.Name}
		if err := checkSavedKey(k); err != nil {
			return fmt.Errorf("stream %d: %w", i, err)
		}
		if _, dup := s.streams[k]; dup {
			return fmt.Errorf("stream %s: saved twice for account %s in %s", k.name, k.account, k.region)
		}
		ds, err := s.loadStream(k, st)
		if err != nil {
			return err
		}
		s.streams[k] = ds
	}
	return nil
}

// checkSavedKey rejects a saved stream key the API could not have made.
func checkSavedKey(k streamKey) error {
	switch {
	case !schemas.ValidAccountID(k.account):
		return fmt.Errorf("invalid account %q", k.account)
	case !schemas.ValidRegion(k.region):
		return fmt.Errorf("invalid region %q", k.region)
	case !validName(k.name):
		return fmt.Errorf("invalid name %q", k.name)
	}
	return nil
}

// loadStream returns the stream saved as st under key k (checked),
// rejecting anything the API could not have made; s.mu is held (or s is
// not shared yet).
func (s *state) loadStream(k streamKey, st savedStream) (*deliveryStream, error) {
	switch {
	case !slices.Contains(st.Type.Values(), st.Type):
		return nil, fmt.Errorf("stream %s: invalid type %q", k.name, st.Type)
	case st.Version < 1:
		return nil, fmt.Errorf("stream %s: invalid version %d", k.name, st.Version)
	case !strings.HasPrefix(st.ARN, "arn:"):
		return nil, fmt.Errorf("stream %s: invalid ARN %q", k.name, st.ARN)
	case len(st.Tags) > maxTags:
		return nil, fmt.Errorf("stream %s: %d tags, at most %d", k.name, len(st.Tags), maxTags)
	case len(st.EncryptionCalls) > schemas.FirehoseEncryptionCalls:
		return nil, fmt.Errorf("stream %s: %d encryption calls, at most %d", k.name, len(st.EncryptionCalls), schemas.FirehoseEncryptionCalls)
	case !slices.IsSortedFunc(st.EncryptionCalls, time.Time.Compare):
		return nil, fmt.Errorf("stream %s: encryption calls not in time order", k.name)
	}
	ds := &deliveryStream{
		key: k, arn: st.ARN, typ: st.Type, version: st.Version,
		created: st.Created, updated: st.Updated, status: types.DeliveryStreamStatusActive,
		source: st.Source, tags: st.Tags, encryption: st.Encryption, encCalls: st.EncryptionCalls,
	}
	switch st.Status {
	case "", types.DeliveryStreamStatusActive:
	case types.DeliveryStreamStatusCreating:
		if st.ActiveAt == nil {
			return nil, fmt.Errorf("stream %s: CREATING without activeAt", k.name)
		}
		ds.status, ds.until = st.Status, *st.ActiveAt
		s.pending(ds.until)
	default:
		return nil, fmt.Errorf("stream %s: invalid status %q", k.name, st.Status)
	}
	if _, n := redactDestination(st.Destination); n > 0 {
		s.gen++ // the saved form changes: the file is written again
	}
	if err := ds.setDest(st.Destination); err != nil {
		return nil, fmt.Errorf("stream %s: %w", k.name, err)
	}
	return ds, nil
}

// savedForm returns what the state file saves of ds: false for a stream
// that is not saved (DELETING: its deletion stands).
func (ds *deliveryStream) savedForm() (savedStream, bool) {
	st := savedStream{
		Account: ds.key.account, Region: ds.key.region, Name: ds.key.name,
		ARN: ds.arn, Type: ds.typ, Version: ds.version, Created: ds.created, Updated: ds.updated,
		Destination: ds.dest, Source: ds.source, Tags: ds.tags, Encryption: ds.encryption,
		EncryptionCalls: ds.encCalls,
	}
	switch ds.status {
	case types.DeliveryStreamStatusDeleting:
		return st, false
	case types.DeliveryStreamStatusCreating:
		st.Status, st.ActiveAt = ds.status, &ds.until
	}
	return st, true
}

// snapshot returns the Change of stream k as it is now: its saved form,
// or its deletion.
func (s *state) snapshot(k streamKey) *Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sc savedChange
	if ds := s.streams[k]; ds != nil {
		if st, ok := ds.savedForm(); ok {
			sc.Stream = &st
		}
	}
	if sc.Stream == nil {
		sc.Deleted = &savedKey{Account: k.account, Region: k.region, Name: k.name}
	}
	b, err := json.Marshal(sc)
	if err != nil {
		// The saved form of a stream always encodes (the state file
		// is the same form); a failure is a bug, and the change is
		// still saved by the next Checkpoint.
		s.log.Error("encode firehose change", "stream", k.name, "err", err)
		return nil
	}
	return &Change{Gen: s.gen, Body: b}
}

// Restore applies changes journaled after the last checkpoint (Path),
// the latest generation of a stream winning; those of the checkpoint's
// generation and before are in it already. Call it before the first call.
func (e *Service) Restore(changes []Change) error {
	s := e.fh
	s.mu.Lock()
	defer s.mu.Unlock()
	changes = slices.Clone(changes)
	slices.SortStableFunc(changes, func(a, b Change) int { return cmp.Compare(a.Gen, b.Gen) })
	for _, c := range changes {
		if c.Gen <= s.loadedGen {
			continue
		}
		var sc savedChange
		if err := json.Unmarshal(c.Body, &sc); err != nil {
			return fmt.Errorf("restore firehose change %d: %w", c.Gen, err)
		}
		switch {
		case sc.Stream != nil && sc.Deleted == nil:
			st := *sc.Stream
			k := streamKey{account: st.Account, region: st.Region, name: st.Name}
			if err := checkSavedKey(k); err != nil {
				return fmt.Errorf("restore firehose change %d: %w", c.Gen, err)
			}
			ds, err := s.loadStream(k, st)
			if err != nil {
				return fmt.Errorf("restore firehose change %d: %w", c.Gen, err)
			}
			s.streams[k] = ds
		case sc.Deleted != nil && sc.Stream == nil:
			k := streamKey{account: sc.Deleted.Account, region: sc.Deleted.Region, name: sc.Deleted.Name}
			if err := checkSavedKey(k); err != nil {
				return fmt.Errorf("restore firehose change %d: %w", c.Gen, err)
			}
			delete(s.streams, k)
		default:
			return fmt.Errorf("restore firehose change %d: want a stream or a deletion", c.Gen)
		}
		s.gen = max(s.gen, c.Gen)
	}
	return nil
}

// Checkpoint saves the state durably (Path) if it changed since the last
// save, and returns the generation the saved state holds: the changes of
// it and before need no journal any more.
func (e *Service) Checkpoint() (uint64, error) { return e.fh.checkpoint() }

// checkpoint is Checkpoint; Close calls it too, saving what a failed save
// left unsaved.
func (s *state) checkpoint() (uint64, error) {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	return s.saveLatest()
}

// validName reports whether name is a DeliveryStreamName the API model
// allows, by the one check of its constraints.
func validName(name string) bool {
	b, err := json.Marshal(map[string]string{"DeliveryStreamName": name})
	return err == nil && schemas.ValidateFirehoseRequest("DescribeDeliveryStream", b) == nil
}

// encode returns the saved form of s, streams in key order; s.mu is held.
func (s *state) encode() ([]byte, error) {
	sf := savedState{Version: stateVersion, Gen: s.gen, Streams: make([]savedStream, 0, len(s.streams))}
	for _, ds := range s.streams {
		if st, ok := ds.savedForm(); ok {
			sf.Streams = append(sf.Streams, st)
		}
	}
	slices.SortFunc(sf.Streams, func(a, b savedStream) int {
		return cmp.Or(strings.Compare(a.Account, b.Account), strings.Compare(a.Region, b.Region), strings.Compare(a.Name, b.Name))
	})
	// Compact: the state is written again after changes, whole, and
	// indenting it took twice as long as encoding it.
	b, err := json.Marshal(sf)
	if err != nil {
		return nil, fmt.Errorf("encode firehose state: %w", err)
	}
	return append(b, '\n'), nil
}

// changed notes a change of s, to be saved by persist before the call
// that made it is answered; s.mu is held.
func (s *state) changed() { s.gen++ }

// persist returns once every change made before it was called is saved.
// Concurrent calls share saves (group commit): one call encodes the state
// and writes it while the others wait, and a call whose changes a save
// took in returns without its own. A save used to be made by each change,
// with s.mu held, and its cost grows with the streams: 64 clients making
// mixed calls with a data directory spent a third of their CPU time
// encoding the state, every Firehose call waiting for it. A failure is
// logged and the changes stay in memory, saved by the next persist or by
// checkpoint (Close). Called without s.mu.
func (s *state) persist() {
	if s.path == "" {
		return
	}
	s.mu.Lock()
	want := s.gen
	s.mu.Unlock()
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	s.mu.Lock()
	saved := s.savedGen >= want
	s.mu.Unlock()
	if saved {
		return
	}
	if _, err := s.saveLatest(); err != nil {
		s.log.Warn("save firehose state", "err", err)
	}
}

// saveLatest saves s if it has changes its file does not hold, encoding it
// with s.mu held and writing it without, and returns the generation the
// file holds; s.saveMu is held, so saves land in order (or s is not
// shared yet).
func (s *state) saveLatest() (uint64, error) {
	s.mu.Lock()
	gen := s.gen
	if s.path == "" || gen == s.savedGen {
		s.mu.Unlock()
		return gen, nil
	}
	b, err := s.encode()
	s.mu.Unlock()
	if err == nil {
		err = s.write(b)
	}
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.savedGen = gen
	s.mu.Unlock()
	return gen, nil
}

// write replaces the saved state with b (atomicfile.Rewrite: no file made
// or freed a save; a temporary file a save made a call changing a stream
// take 640 µs with a data directory on this ext4 instead of 270 µs on
// tmpfs), durably when it is a checkpoint of journaled changes; s.saveMu
// is held, so saves land in order.
func (s *state) write(b []byte) error {
	rewrite := atomicfile.Rewrite
	if s.journaled {
		rewrite = atomicfile.RewriteDurable
	}
	if err := rewrite(s.path, b, trail.PrivateFileMode); err != nil {
		return fmt.Errorf("save firehose state: %w", err)
	}
	return nil
}
