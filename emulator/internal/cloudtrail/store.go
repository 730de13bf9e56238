package cloudtrail

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/firetrail/firetrail/schemas"
)

// Lookup attribute kinds, in the order the CloudTrail API Reference lists
// them for LookupEvents.
const (
	attrNone = iota
	attrEventID
	attrEventName
	attrReadOnly
	attrUsername
	attrResourceType
	attrResourceName
	attrEventSource
	attrAccessKeyID
)

// lookupAttributeKeys maps the case-sensitive AttributeKey values of
// LookupEvents to their kinds.
func lookupAttributeKind(key string) (int, bool) {
	switch key {
	case "EventId":
		return attrEventID, true
	case "EventName":
		return attrEventName, true
	case "ReadOnly":
		return attrReadOnly, true
	case "Username":
		return attrUsername, true
	case "ResourceType":
		return attrResourceType, true
	case "ResourceName":
		return attrResourceName, true
	case "EventSource":
		return attrEventSource, true
	case "AccessKeyId":
		return attrAccessKeyID, true
	}
	return attrNone, false
}

// Sizes of the fragment store.
const (
	// storeBlockSize is the raw size at which the open block is compressed:
	// a few events, so that a page of 50 scattered events decodes at most
	// 50 small blocks (a few microseconds each).
	storeBlockSize = 4 << 10
	// storeDictSize is the raw size of the first block. It is kept as is and
	// its last 64 KiB (s2.MaxDictSize) serve as the S2 dictionary of every
	// later block: alone, a 4 KiB block of records compresses poorly
	// (matches need earlier records); against a dictionary of similar
	// records it compresses to within a third of a 32 KiB zstd block (on
	// generated Firehose logs about 250 rather than 190 bytes per event).
	storeDictSize = s2.MaxDictSize
	// storeChunkSize caps the chunks compressed blocks are packed into.
	storeChunkSize = 1 << 20
)

// Store holds the management events LookupEvents serves.
//
// Each event is kept as its ready-made LookupEvents Event object (the
// record as CloudTrailEvent), appended to a small block that is
// S2-compressed, against a dictionary made of the first 64 KiB of events,
// when it reaches storeBlockSize; compressed blocks are packed into large
// chunks. S2 rather than zstd: decoding a 4 KiB block takes a few
// microseconds instead of tens, for about a third more compressed bytes.
//
// The index maps each (region, attribute kind, value) to a posting list:
// the sequence numbers (insertion order) of the matching events, sorted by
// (eventTime, sequence). Unfiltered queries use the (region, attrNone) list;
// EventId queries use a hash map from the eventID's hash to its sequence.
// A query binary-searches one posting list for its time range and cursor,
// so its cost is independent of the store size and of the rarity of the
// value. Events added out of time order leave a list's unsorted tail, which
// the next query of that list sorts and merges in.
//
// An Store is safe for concurrent use.
type Store struct {
	mu sync.RWMutex

	// Per event, indexed by sequence.
	times   []int64 // eventTime, Unix seconds
	regions []uint32
	locs    []fragLoc

	postings map[postKey]*postingList
	ids      map[uint64]uint32   // hashEventID → first sequence
	dupIDs   map[uint64][]uint32 // hashEventID → further sequences

	// strIDs interns the strings of regions and attribute values; "" is
	// id 0.
	strIDs map[string]uint32

	// Block 0 is dict, raw; blocks[i] (i ≥ 1) is compressed in chunks; the
	// open block (index len(blocks)) is raw in open.
	dict    []byte
	s2dict  *s2.Dict // nil until the dictionary exists
	blocks  []blockLoc
	chunks  [][]byte
	open    []byte
	scratch []byte
}

// fragLoc locates an event's fragment: block index, offset and length in
// the raw block.
type fragLoc struct {
	block, off, n uint32
}

// blockLoc locates a compressed block in the chunks; raw is its decoded
// size.
type blockLoc struct {
	chunk, off, n, raw uint32
}

// postKey names a posting list. value is an interned string id, a
// schemas.OptBool for attrReadOnly and 0 for attrNone.
type postKey struct {
	region, kind, value uint32
}

// postingList holds event sequences; seqs[:sorted] is in (time, seq) order.
type postingList struct {
	seqs   []uint32
	sorted int
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		postings: map[postKey]*postingList{},
		ids:      map[uint64]uint32{},
		dupIDs:   map[uint64][]uint32{},
		strIDs:   map[string]uint32{"": 0},
		open:     make([]byte, 0, storeBlockSize+4096),
	}
}

// intern returns the id of str, adding it; s.mu must be held for writing.
func (s *Store) intern(str string) uint32 {
	if id, ok := s.strIDs[str]; ok {
		return id
	}
	id := uint32(len(s.strIDs))
	s.strIDs[str] = id
	return id
}

// hashEventID is the 64-bit FNV-1a hash of id.
func hashEventID(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// isManagement reports whether LookupEvents shows rec: management events
// only, never data events (CloudTrail User Guide, Event history).
func isManagement(rec *schemas.Record) bool {
	return !rec.DataEvent() && (rec.EventCategory == "" || rec.EventCategory == "Management")
}

// lookupUsername is LookupEvents' Username of a record: the IAM user name,
// the role session name, "root" for the root user (CloudTrail API model,
// LookupEvents, and the AWS CLI's lookup-events examples).
func lookupUsername(id *schemas.UserIdentity) string {
	lastSeg := func(arn string) string {
		if i := strings.LastIndexByte(arn, '/'); i >= 0 {
			return arn[i+1:]
		}
		return ""
	}
	switch id.Type {
	case schemas.IdentityRoot:
		return "root"
	case schemas.IdentityAssumedRole, schemas.IdentityFederatedUser:
		if s := lastSeg(id.ARN); s != "" {
			return s
		}
		if i := strings.LastIndexByte(id.PrincipalID, ':'); i >= 0 {
			return id.PrincipalID[i+1:]
		}
	case schemas.IdentityAWSService:
		return id.InvokedBy
	case schemas.IdentityIdentityCenterUser:
		if id.OnBehalfOf != nil {
			return id.OnBehalfOf.UserID
		}
	}
	return id.UserName
}

// lookupResources returns the LookupEvents Resources of rec: the record's
// resources, or else the delivery stream named in requestParameters.
func lookupResources(rec *schemas.Record) [][2]string {
	if len(rec.Resources) > 0 {
		out := make([][2]string, 0, len(rec.Resources))
		for _, r := range rec.Resources {
			out = append(out, [2]string{r.Type, r.ARN})
		}
		return out
	}
	if len(rec.RequestParameters) == 0 || !bytes.Contains(rec.RequestParameters, []byte(`"deliveryStreamName"`)) {
		return nil
	}
	var p struct {
		DeliveryStreamName string `json:"deliveryStreamName"`
	}
	if json.Unmarshal(rec.RequestParameters, &p) != nil || p.DeliveryStreamName == "" {
		return nil
	}
	return [][2]string{{schemas.FirehoseResourceType, p.DeliveryStreamName}}
}

// appendEventFragment appends the LookupEvents Event object of rec, whose
// JSON encoding is raw, to dst.
func appendEventFragment(dst []byte, rec *schemas.Record, raw []byte, user string, res [][2]string) []byte {
	dst = append(dst, `{"EventId":`...)
	dst = schemas.AppendString(dst, rec.EventID)
	dst = append(dst, `,"EventName":`...)
	dst = schemas.AppendString(dst, rec.EventName)
	if rec.ReadOnly.Set() {
		dst = append(dst, `,"ReadOnly":"`...)
		dst = strconv.AppendBool(dst, rec.ReadOnly.Value())
		dst = append(dst, '"')
	}
	if k := rec.UserIdentity.AccessKeyID; k != "" {
		dst = append(dst, `,"AccessKeyId":`...)
		dst = schemas.AppendString(dst, k)
	}
	dst = append(dst, `,"EventTime":`...)
	dst = strconv.AppendInt(dst, rec.EventTime.Unix(), 10)
	dst = append(dst, `,"EventSource":`...)
	dst = schemas.AppendString(dst, rec.EventSource)
	if user != "" {
		dst = append(dst, `,"Username":`...)
		dst = schemas.AppendString(dst, user)
	}
	dst = append(dst, `,"Resources":[`...)
	for i, r := range res {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"ResourceType":`...)
		dst = schemas.AppendString(dst, r[0])
		dst = append(dst, `,"ResourceName":`...)
		dst = schemas.AppendString(dst, r[1])
		dst = append(dst, '}')
	}
	dst = append(dst, `],"CloudTrailEvent":`...)
	dst = schemas.AppendString(dst, string(raw))
	return append(dst, '}')
}

// Add stores rec, whose log-file JSON is raw (nil: encode it here). It
// ignores events LookupEvents never shows (data events). Its Resources
// are the record's resources, or the delivery stream its
// requestParameters name.
func (s *Store) Add(rec *schemas.Record, raw []byte) error {
	if !isManagement(rec) {
		return nil
	}
	return s.add(rec, raw, lookupResources(rec))
}

// AddStream is Add for a record of a call on the delivery stream named
// stream ("" for none), known to the caller: requestParameters are not
// read.
func (s *Store) AddStream(rec *schemas.Record, raw []byte, stream string) error {
	if !isManagement(rec) {
		return nil
	}
	var res [][2]string
	if len(rec.Resources) > 0 {
		res = lookupResources(rec)
	} else if stream != "" {
		res = [][2]string{{schemas.FirehoseResourceType, stream}}
	}
	return s.add(rec, raw, res)
}

func (s *Store) add(rec *schemas.Record, raw []byte, res [][2]string) error {
	if raw == nil {
		raw = rec.AppendJSON(nil)
	}
	user := lookupUsername(&rec.UserIdentity)

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.times) >= math.MaxUint32-1 {
		return fmt.Errorf("event store full")
	}
	if len(raw) > math.MaxUint32/8 {
		return fmt.Errorf("event store: record of %d bytes too large", len(raw))
	}
	off := len(s.open)
	s.open = appendEventFragment(s.open, rec, raw, user, res)

	seq := uint32(len(s.times))
	t := rec.EventTime.Unix()
	region := s.intern(rec.AWSRegion)
	s.times = append(s.times, t)
	s.regions = append(s.regions, region)
	s.locs = append(s.locs, fragLoc{block: uint32(len(s.blocks)), off: uint32(off), n: uint32(len(s.open) - off)})

	s.post(postKey{region, attrNone, 0}, seq, t)
	s.postString(region, attrEventName, rec.EventName, seq, t)
	if rec.ReadOnly.Set() {
		s.post(postKey{region, attrReadOnly, uint32(rec.ReadOnly)}, seq, t)
	}
	s.postString(region, attrUsername, user, seq, t)
	s.postString(region, attrEventSource, rec.EventSource, seq, t)
	s.postString(region, attrAccessKeyID, rec.UserIdentity.AccessKeyID, seq, t)
	for _, r := range res {
		s.postString(region, attrResourceType, r[0], seq, t)
		s.postString(region, attrResourceName, r[1], seq, t)
	}
	h := hashEventID(rec.EventID)
	if _, ok := s.ids[h]; ok {
		s.dupIDs[h] = append(s.dupIDs[h], seq)
	} else {
		s.ids[h] = seq
	}

	if len(s.open) >= storeBlockSize && (s.dict != nil || len(s.open) >= storeDictSize) {
		s.seal()
	}
	return nil
}

// postString adds seq to the posting list of a non-empty string value.
func (s *Store) postString(region, kind uint32, value string, seq uint32, t int64) {
	if value != "" {
		s.post(postKey{region, kind, s.intern(value)}, seq, t)
	}
}

// post appends seq, whose time is t, to the list of k; s.mu must be held
// for writing and seq be the newest event.
func (s *Store) post(k postKey, seq uint32, t int64) {
	pl := s.postings[k]
	if pl == nil {
		pl = &postingList{}
		s.postings[k] = pl
	}
	n := len(pl.seqs)
	if n > 0 && pl.seqs[n-1] == seq {
		return // an event with two resources of one type
	}
	if pl.sorted == n && (n == 0 || s.times[pl.seqs[n-1]] <= t) {
		pl.sorted++
	}
	pl.seqs = append(pl.seqs, seq)
}

// seal closes the open block; s.mu must be held for writing. The first
// block becomes the dictionary; later ones are compressed against it.
func (s *Store) seal() {
	if len(s.open) == 0 {
		return
	}
	if s.dict == nil {
		s.dict = slices.Clip(s.open)
		s.s2dict = s2.MakeDict(s.dict, []byte(`{"EventId":"`))
		s.blocks = append(s.blocks, blockLoc{})
		s.open = make([]byte, 0, storeBlockSize+4096)
		return
	}
	c := s.s2dict.Encode(s.scratch[:cap(s.scratch)], s.open)
	s.scratch = c[:0]
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1])+len(c) > cap(s.chunks[n-1]) {
		size := 64 << 10
		if n > 0 {
			size = min(2*cap(s.chunks[n-1]), storeChunkSize)
		}
		s.chunks = append(s.chunks, make([]byte, 0, max(size, len(c))))
		n++
	}
	last := &s.chunks[n-1]
	s.blocks = append(s.blocks, blockLoc{chunk: uint32(n - 1), off: uint32(len(*last)), n: uint32(len(c)), raw: uint32(len(s.open))})
	*last = append(*last, c...)
	s.open = s.open[:0]
}

// Len returns the number of stored events.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.times)
}

// cmpEvent orders event sequences a and b by (time, seq).
func cmpEvent(times []int64, a, b uint32) int {
	if c := cmp.Compare(times[a], times[b]); c != 0 {
		return c
	}
	return cmp.Compare(a, b)
}

// sortTail sorts the unsorted tail of pl and merges it into the sorted
// prefix; s.mu must be held for writing. The merge starts where the
// oldest late event belongs, so slightly late events cost little.
func (pl *postingList) sortTail(times []int64) {
	n := len(pl.seqs)
	if pl.sorted == n {
		return
	}
	byEvent := func(a, b uint32) int { return cmpEvent(times, a, b) }
	head, tail := pl.seqs[:pl.sorted], pl.seqs[pl.sorted:]
	slices.SortFunc(tail, byEvent)
	p := sortSearch(len(head), func(i int) bool { return byEvent(head[i], tail[0]) > 0 })
	if p < len(head) {
		left := slices.Clone(head[p:])
		i, j, k := 0, 0, p
		for i < len(left) && j < len(tail) {
			if byEvent(tail[j], left[i]) < 0 {
				pl.seqs[k] = tail[j]
				j++
			} else {
				pl.seqs[k] = left[i]
				i++
			}
			k++
		}
		copy(pl.seqs[k:], left[i:]) // else the rest of tail is in place
	}
	pl.sorted = n
}

// lookupQuery is a validated LookupEvents request.
type lookupQuery struct {
	region  string
	kind    int
	value   string
	lo, hi  int64 // inclusive eventTime bounds, Unix seconds
	limit   int
	cursor  bool // continue strictly below (curTime, curSeq)
	curTime int64
	curSeq  uint32
}

// lookupPage is one page of results.
type lookupPage struct {
	frags [][]byte
	more  bool
	// lastTime, lastSeq identify the last returned event (the cursor).
	lastTime int64
	lastSeq  uint32
}

// postingKey returns the posting list key of q; ok is false when nothing
// can match. s.mu must be held.
func (s *Store) postingKey(q lookupQuery) (postKey, bool) {
	region, ok := s.strIDs[q.region]
	if !ok {
		return postKey{}, false
	}
	k := postKey{region: region, kind: uint32(q.kind)}
	switch q.kind {
	case attrNone:
	case attrReadOnly:
		switch q.value {
		case "true":
			k.value = uint32(schemas.BoolTrue)
		case "false":
			k.value = uint32(schemas.BoolFalse)
		default:
			return postKey{}, false
		}
	default:
		id, ok := s.strIDs[q.value]
		if !ok || id == 0 {
			return postKey{}, false
		}
		k.value = id
	}
	return k, true
}

// lookup runs q and returns up to q.limit events, newest first.
func (s *Store) lookup(q lookupQuery) (lookupPage, error) {
	if q.kind == attrEventID {
		return s.lookupEventID(q)
	}
	var pl *postingList
	for {
		s.mu.RLock()
		if k, ok := s.postingKey(q); ok {
			pl = s.postings[k]
		}
		if pl == nil || pl.sorted == len(pl.seqs) {
			break
		}
		s.mu.RUnlock()
		s.mu.Lock()
		pl.sortTail(s.times)
		s.mu.Unlock()
	}
	defer s.mu.RUnlock()
	if pl == nil {
		return lookupPage{}, nil
	}
	seqs, times := pl.seqs, s.times
	// end: one past the newest candidate; lo: the oldest.
	end := sortSearch(len(seqs), func(i int) bool { return times[seqs[i]] > q.hi })
	if q.cursor {
		c := sortSearch(end, func(i int) bool {
			t := times[seqs[i]]
			return t > q.curTime || (t == q.curTime && seqs[i] >= q.curSeq)
		})
		end = min(end, c)
	}
	lo := sortSearch(end, func(i int) bool { return times[seqs[i]] >= q.lo })
	start := max(lo, end-q.limit)
	page := lookupPage{more: start > lo, frags: make([][]byte, 0, end-start)}
	var f fetcher
	for i := end - 1; i >= start; i-- {
		frag, err := f.fragment(s, seqs[i])
		if err != nil {
			return lookupPage{}, err
		}
		page.frags = append(page.frags, frag)
	}
	if start < end {
		page.lastTime, page.lastSeq = times[seqs[start]], seqs[start]
	}
	return page, nil
}

// lookupEventID runs q, an EventId query: the hash map gives the
// candidates (usually one), each checked against the fragment's EventId.
func (s *Store) lookupEventID(q lookupQuery) (lookupPage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var page lookupPage
	region, ok := s.strIDs[q.region]
	if !ok {
		return page, nil
	}
	h := hashEventID(q.value)
	first, ok := s.ids[h]
	if !ok {
		return page, nil
	}
	cands := append([]uint32{first}, s.dupIDs[h]...)
	cands = slices.DeleteFunc(cands, func(seq uint32) bool {
		t := s.times[seq]
		return s.regions[seq] != region || t < q.lo || t > q.hi ||
			q.cursor && (t > q.curTime || t == q.curTime && seq >= q.curSeq)
	})
	slices.SortFunc(cands, func(a, b uint32) int { return cmpEvent(s.times, b, a) })
	want := append(schemas.AppendString([]byte(`{"EventId":`), q.value), ',')
	var f fetcher
	for _, seq := range cands {
		frag, err := f.fragment(s, seq)
		if err != nil {
			return lookupPage{}, err
		}
		if !bytes.HasPrefix(frag, want) {
			continue // a hash collision
		}
		if len(page.frags) == q.limit {
			page.more = true
			break
		}
		page.frags = append(page.frags, frag)
		page.lastTime, page.lastSeq = s.times[seq], seq
	}
	return page, nil
}

// sortSearch is sort.Search.
func sortSearch(n int, f func(int) bool) int {
	i, j := 0, n
	for i < j {
		h := int(uint(i+j) >> 1)
		if !f(h) {
			i = h + 1
		} else {
			j = h
		}
	}
	return i
}

// fetcher reads fragments for one query, keeping the last block: the
// events of a page are mostly adjacent.
type fetcher struct {
	block uint32
	raw   []byte
	buf   []byte // decoded blocks
	ok    bool
}

// fragment returns a new copy of the fragment of event seq; s.mu is held
// for reading.
func (f *fetcher) fragment(s *Store, seq uint32) ([]byte, error) {
	loc := s.locs[seq]
	if !f.ok || f.block != loc.block {
		f.ok = false
		switch i := loc.block; {
		case int(i) == len(s.blocks):
			f.raw = s.open
		case i == 0:
			f.raw = s.dict
		case int(i) > len(s.blocks):
			return nil, fmt.Errorf("event store: no block %d", i)
		default:
			b := s.blocks[i]
			if int(b.chunk) >= len(s.chunks) || uint64(b.off)+uint64(b.n) > uint64(len(s.chunks[b.chunk])) {
				return nil, fmt.Errorf("event store: block %d outside its chunk", i)
			}
			src := s.chunks[b.chunk][b.off : b.off+b.n]
			if n, err := s2.DecodedLen(src); err != nil || n != int(b.raw) {
				return nil, fmt.Errorf("event store: block %d: bad length %d (want %d): %v", i, n, b.raw, err)
			}
			raw, err := s.s2dict.Decode(f.buf[:cap(f.buf)], src)
			if err != nil {
				return nil, fmt.Errorf("event store: decode block %d: %w", i, err)
			}
			f.raw, f.buf = raw, raw
		}
		f.block, f.ok = loc.block, true
	}
	if uint64(loc.off)+uint64(loc.n) > uint64(len(f.raw)) {
		return nil, fmt.Errorf("event store: fragment %d+%d outside block %d", loc.off, loc.n, loc.block)
	}
	return slices.Clone(f.raw[loc.off : loc.off+loc.n]), nil
}

// compressedBytes returns the size of the stored fragments: the
// dictionary, the compressed blocks and the open block.
func (s *Store) compressedBytes() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := len(s.dict) + len(s.open)
	for _, c := range s.chunks {
		n += len(c)
	}
	return n
}

// RetentionWindow is how far back LookupEvents looks (CloudTrail API model,
// LookupEvents).
const RetentionWindow = 90 * 24 * time.Hour
