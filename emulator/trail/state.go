package trail

import (
	"encoding/json"
	"fmt"
	"time"
)

// stateVersion is the version of the State encoding.
const stateVersion = 1

// ChainState is the saved state of one account+region: its digest chain
// (the last digest and the log files delivered since) and the naming
// sequence of its log files.
type ChainState struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	// Start is the start of the next digest window; zero when digests are
	// off.
	Start             time.Time      `json:"start,omitzero"`
	PreviousBucket    string         `json:"previousBucket,omitempty"`
	PreviousKey       string         `json:"previousKey,omitempty"`
	PreviousSignature string         `json:"previousSignature,omitempty"`
	PreviousHash      string         `json:"previousHash,omitempty"`
	Pending           []LogFileEntry `json:"pending,omitempty"`
	Stamp             time.Time      `json:"stamp,omitzero"`
	Seq               int            `json:"seq,omitempty"`
}

// savedState is the JSON form of State.
type savedState struct {
	Version     int          `json:"version"`
	DigestStart time.Time    `json:"digestStart,omitzero"`
	Watermark   time.Time    `json:"watermark,omitzero"`
	Chains      []ChainState `json:"chains"`
}

// Chains returns the state of every account+region seen, sorted by account
// and region.
func (t *Trail) Chains() []ChainState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.chainsLocked()
}

func (t *Trail) chainsLocked() []ChainState {
	out := make([]ChainState, 0, len(t.order))
	for _, s := range t.order {
		t.settle(&s.chain)
		c := s.chain
		out = append(out, ChainState{
			Account: s.id.account, Region: s.id.region, Start: c.start,
			PreviousBucket: c.prevBucket, PreviousKey: c.prevKey,
			PreviousSignature: c.prevSig, PreviousHash: c.prevHash,
			Pending: append([]LogFileEntry(nil), c.pending...),
			Stamp:   c.stamp, Seq: c.seq,
		})
	}
	return out
}

// State returns what a Trail needs to continue its digest chains after a
// restart (Config.State). It does not include records in open windows or
// files not yet delivered: Flush (or Close) first, and save the state after
// the Sink has the files.
func (t *Trail) State() ([]byte, error) {
	t.mu.Lock()
	st := savedState{
		Version:     stateVersion,
		DigestStart: t.origin,
		Watermark:   t.watermark,
		Chains:      t.chainsLocked(),
	}
	t.mu.Unlock()
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("trail: encode state: %w", err)
	}
	return b, nil
}

// maxCatchUp is how many empty digest windows a chain fills after a
// silence (a restart, a clock jump, a gap in eventTimes) before it skips to
// the current window instead, leaving a gap in the chain.
const maxCatchUp = 31 * 24

// restore loads a saved State. Called from New.
func (t *Trail) restore(data []byte) error {
	var st savedState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("trail: restore state: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("trail: restore state: version %d, want %d", st.Version, stateVersion)
	}
	if err := checkTime(st.DigestStart); err != nil {
		return fmt.Errorf("trail: restore state: digestStart: %w", err)
	}
	if err := checkTime(st.Watermark); err != nil {
		return fmt.Errorf("trail: restore state: watermark: %w", err)
	}
	if t.cfg.DigestStart.IsZero() && !st.DigestStart.IsZero() {
		t.origin = st.DigestStart.UTC()
	}
	if st.Watermark.After(t.watermark) {
		t.watermark = st.Watermark.UTC()
	}
	now := t.now()
	for i, c := range st.Chains {
		id := streamID{c.Account, c.Region}
		if err := checkStream(id); err != nil {
			return fmt.Errorf("trail: restore state: chain %d: %w", i, err)
		}
		if err := checkTime(c.Start); err != nil {
			return fmt.Errorf("trail: restore state: chain %d: start: %w", i, err)
		}
		if t.streams[id] != nil {
			return fmt.Errorf("trail: restore state: chain %d: duplicate %s/%s", i, c.Account, c.Region)
		}
		s := t.newStream(id, time.Time{})
		s.chain = chain{
			start: c.Start.UTC(), prevBucket: c.PreviousBucket, prevKey: c.PreviousKey,
			prevSig: c.PreviousSignature, prevHash: c.PreviousHash,
			pending: c.Pending, stamp: c.Stamp.UTC(), seq: c.Seq,
		}
		if !t.digests() {
			s.chain.start = time.Time{}
		}
		t.startChain(s, now)
		if !s.chain.start.IsZero() {
			t.noteEvent(s.chain.start.Add(DigestPeriod))
		}
	}
	return nil
}

// checkTime accepts the zero time and times in the years minYear to
// maxYear.
func checkTime(t time.Time) error {
	if y := t.UTC().Year(); !t.IsZero() && (y < minYear || y > maxYear) {
		return fmt.Errorf("time %s outside the years %d to %d", t.UTC().Format(time.RFC3339), minYear, maxYear)
	}
	return nil
}
