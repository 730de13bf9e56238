package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// StateFile is a suggested name of the saved SQS state in the data
// directory.
const StateFile = "sqs-state.json"

// SaveDelay is how long after a change the state is saved: changes within
// it are saved together, so a busy queue costs at most one save per
// SaveDelay. A crash loses at most the changes of the last SaveDelay;
// Close saves at once.
const SaveDelay = 100 * time.Millisecond

// stateVersion is the format version of the saved state.
const stateVersion = 1

// saver debounces saving the state to path.
type saver struct {
	path  string
	mu    sync.Mutex  // serializes writes, so that files land in the order they were encoded
	dirty bool        // guarded by Service.mu
	timer *time.Timer // guarded by Service.mu; a save is due
}

type savedState struct {
	Version int          `json:"version"`
	Queues  []savedQueue `json:"queues"`
}

type savedQueue struct {
	Account  string            `json:"account"`
	Region   string            `json:"region"`
	Name     string            `json:"name"`
	Created  time.Time         `json:"created"`
	Modified time.Time         `json:"modified"`
	Purged   *time.Time        `json:"purged,omitempty"`
	Attrs    map[string]string `json:"attributes"`
	Tags     map[string]string `json:"tags,omitempty"`
	Messages []savedMessage    `json:"messages,omitempty"`
}

type savedAttr struct {
	DataType    string `json:"dataType"`
	StringValue string `json:"stringValue,omitempty"`
	BinaryValue []byte `json:"binaryValue,omitempty"`
}

type savedMessage struct {
	ID           string               `json:"id"`
	Body         string               `json:"body"`
	Attrs        map[string]savedAttr `json:"attributes,omitempty"`
	System       map[string]savedAttr `json:"systemAttributes,omitempty"`
	SenderID     string               `json:"senderId,omitempty"`
	DLQSource    string               `json:"deadLetterQueueSourceArn,omitempty"`
	Sent         time.Time            `json:"sent"`
	VisibleAt    time.Time            `json:"visibleAt"`
	Receives     int                  `json:"receives,omitempty"`
	FirstReceive *time.Time           `json:"firstReceive,omitempty"`
	Receipt      string               `json:"receipt,omitempty"`
}

func saveAttrs(m map[string]awsapi.MessageAttribute) map[string]savedAttr {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]savedAttr, len(m))
	for n, a := range m {
		out[n] = savedAttr(a)
	}
	return out
}

func loadAttrs(m map[string]savedAttr) map[string]awsapi.MessageAttribute {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]awsapi.MessageAttribute, len(m))
	for n, a := range m {
		out[n] = awsapi.MessageAttribute(a)
	}
	return out
}

// changed notes a change to save; s.mu is held.
func (s *Service) changed() {
	if s.saver.path == "" {
		return
	}
	s.saver.dirty = true
	if s.saver.timer == nil && !s.closed {
		s.saver.timer = time.AfterFunc(SaveDelay, func() {
			if err := s.save(); err != nil {
				s.log.Warn("save sqs state", "err", err)
			}
		})
	}
}

// flush saves what is unsaved now (Close).
func (s *Service) flush() error {
	if s.saver.path == "" {
		return nil
	}
	s.mu.Lock()
	if s.saver.timer != nil {
		s.saver.timer.Stop()
	}
	s.mu.Unlock()
	return s.save()
}

// save writes the state atomically if it has unsaved changes. A failed
// write leaves it unsaved: the next change or Close tries again.
func (s *Service) save() error {
	s.saver.mu.Lock()
	defer s.saver.mu.Unlock()
	s.mu.Lock()
	s.saver.timer = nil
	if !s.saver.dirty {
		s.mu.Unlock()
		return nil
	}
	b, err := s.encode()
	s.saver.dirty = false
	s.mu.Unlock()
	if err == nil {
		sink := trail.DirSink{Root: filepath.Dir(s.saver.path), Mode: trail.PrivateFileMode}
		err = sink.Put(context.Background(), filepath.Base(s.saver.path), b, nil)
	}
	if err != nil {
		s.mu.Lock()
		s.saver.dirty = true
		s.mu.Unlock()
		return fmt.Errorf("save sqs state: %w", err)
	}
	return nil
}

// encode returns the saved form of the state, queues in key order; s.mu
// is held.
func (s *Service) encode() ([]byte, error) {
	sf := savedState{Version: stateVersion, Queues: make([]savedQueue, 0, len(s.queues))}
	for _, q := range s.queues {
		sq := savedQueue{Account: q.key.account, Region: q.key.region, Name: q.key.name,
			Created: q.created, Modified: q.modified, Attrs: q.attrs, Tags: q.tags}
		if !q.purged.IsZero() {
			sq.Purged = &q.purged
		}
		for _, m := range q.msgs {
			if m.deleted {
				continue
			}
			sm := savedMessage{ID: m.id, Body: m.body, Attrs: saveAttrs(m.attrs), System: saveAttrs(m.system),
				SenderID: m.senderID, DLQSource: m.dlqSource, Sent: m.sent, VisibleAt: m.visibleAt,
				Receives: m.receives, Receipt: m.receipt}
			if !m.firstReceive.IsZero() {
				t := m.firstReceive
				sm.FirstReceive = &t
			}
			sq.Messages = append(sq.Messages, sm)
		}
		sf.Queues = append(sf.Queues, sq)
	}
	slices.SortFunc(sf.Queues, func(a, b savedQueue) int {
		return strings.Compare(a.Account+"\x00"+a.Region+"\x00"+a.Name, b.Account+"\x00"+b.Region+"\x00"+b.Name)
	})
	b, err := json.Marshal(sf)
	if err != nil {
		return nil, fmt.Errorf("encode sqs state: %w", err)
	}
	return append(b, '\n'), nil
}

// load fills the state from the file at the saver's path, if there is
// one, rejecting anything the API could not have made.
func (s *Service) load() error {
	b, err := os.ReadFile(s.saver.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read sqs state: %w", err)
	}
	if err := s.decode(b); err != nil {
		return fmt.Errorf("load sqs state %s: %w", s.saver.path, err)
	}
	return nil
}

func (s *Service) decode(b []byte) error {
	var sf savedState
	if err := json.Unmarshal(b, &sf); err != nil {
		return err
	}
	if sf.Version != stateVersion {
		return fmt.Errorf("format version %d, want %d", sf.Version, stateVersion)
	}
	for i, sq := range sf.Queues {
		k := queueKey{account: sq.Account, region: sq.Region, name: sq.Name}
		switch {
		case !schemas.ValidAccountID(k.account):
			return fmt.Errorf("queue %d: invalid account %q", i, k.account)
		case !schemas.ValidRegion(k.region):
			return fmt.Errorf("queue %d: invalid region %q", i, k.region)
		case !validQueueName(k.name):
			return fmt.Errorf("queue %d: invalid name %q", i, k.name)
		case s.queues[k] != nil:
			return fmt.Errorf("queue %s: saved twice for account %s in %s", k.name, k.account, k.region)
		}
		// Attributes pass the API's checks, but for the existence of
		// dead-letter targets, which may come later in the file.
		attrs, err := checkAttrs(sq.Attrs, func(queueKey) bool { return true })
		if err != nil {
			return fmt.Errorf("queue %s: %w", k.name, err)
		}
		q := newQueue(k, attrs, sq.Tags, sq.Created)
		q.modified = sq.Modified
		if sq.Purged != nil {
			q.purged = *sq.Purged
		}
		for _, sm := range sq.Messages {
			if sm.ID == "" || q.byID[sm.ID] != nil {
				return fmt.Errorf("queue %s: message ID %q missing or repeated", k.name, sm.ID)
			}
			m := &message{id: sm.ID, body: sm.Body, md5Body: md5Hex(sm.Body), attrs: loadAttrs(sm.Attrs), system: loadAttrs(sm.System),
				senderID: sm.SenderID, dlqSource: sm.DLQSource, sent: sm.Sent, visibleAt: sm.VisibleAt,
				receives: sm.Receives, receipt: sm.Receipt}
			if sm.FirstReceive != nil {
				m.firstReceive = *sm.FirstReceive
			}
			m.md5Attrs, m.md5System = md5OfAttributes(m.attrs), md5OfAttributes(m.system)
			q.add(m)
		}
		s.queues[k] = q
	}
	return nil
}
