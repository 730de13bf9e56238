package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/firetrail/firetrail/schemas"
)

// Lookup attribute kinds, in the order REFERENCE.md §7.2 lists them.
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

// storeBlockSize is the raw size at which the open block of event
// fragments is compressed. Small blocks keep a scattered 50-event page
// cheap (at most 50 block decodes); large ones compress better.
const storeBlockSize = 32 << 10

// eventStore holds the management events LookupEvents serves.
//
// Each event is kept as its LookupEvents response fragment (the Event
// object, with the record as CloudTrailEvent), appended to a block that is
// zstd-compressed when it reaches storeBlockSize; the index is a set of
// columns of small fixed-size values (time, sequence, interned attribute
// ids, a hash of the eventID, the fragment's location), sorted by (time,
// sequence). A query binary-searches the time range and scans one or two
// columns from the newest end: no per-event pointers, maps or strings.
//
// An eventStore is safe for concurrent use.
type eventStore struct {
	mu sync.RWMutex

	// Columns, one element per event. Sorted by (time, seq) unless dirty.
	times   []int64 // eventTime, Unix seconds
	seqs    []uint32
	regions []uint32 // interned ids
	names   []uint32
	users   []uint32
	sources []uint32
	akids   []uint32
	rtypes  []uint32 // first resource's type; more in extraRes
	rnames  []uint32
	ro      []uint8 // schemas.OptBool
	idHash  []uint64
	locs    []fragLoc
	dirty   bool

	extraRes map[uint32][][2]uint32 // seq → further (type, name) ids

	strs   []string // id → string; id 0 is ""
	strIDs map[string]uint32

	blocks [][]byte // sealed, compressed
	open   []byte   // the open block, raw
	enc    *zstd.Encoder
	dec    *zstd.Decoder

	cacheMu sync.Mutex
	cache   map[uint32][]byte // a few decoded blocks
}

// fragLoc locates an event's fragment: block index (len(blocks) = the open
// block), offset and length in the raw block.
type fragLoc struct {
	block, off, n uint32
}

func newEventStore() (*eventStore, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("new zstd encoder: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(2), zstd.WithDecoderLowmem(true))
	if err != nil {
		return nil, fmt.Errorf("new zstd decoder: %w", err)
	}
	return &eventStore{
		extraRes: map[uint32][][2]uint32{},
		strs:     []string{""},
		strIDs:   map[string]uint32{"": 0},
		enc:      enc,
		dec:      dec,
		cache:    map[uint32][]byte{},
		open:     make([]byte, 0, storeBlockSize+4096),
	}, nil
}

func (s *eventStore) close() {
	s.enc.Close()
	s.dec.Close()
}

// intern returns the id of str, adding it; s.mu must be held for writing.
func (s *eventStore) intern(str string) uint32 {
	if id, ok := s.strIDs[str]; ok {
		return id
	}
	id := uint32(len(s.strs))
	s.strs = append(s.strs, str)
	s.strIDs[str] = id
	return id
}

// lookupID returns the id of str without adding it.
func (s *eventStore) lookupID(str string) (uint32, bool) {
	id, ok := s.strIDs[str]
	return id, ok
}

func hashEventID(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// isManagement reports whether LookupEvents shows rec: management events
// only, never data events (REFERENCE.md §3.3, §7.2).
func isManagement(rec *schemas.Record) bool {
	if rec.EventCategory != "" && rec.EventCategory != "Management" {
		return false
	}
	return rec.ManagementEvent != schemas.BoolFalse
}

// lookupUsername is LookupEvents' Username of a record: the IAM user name,
// the role session name, "root" for the root user (REFERENCE.md §7.2).
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

// firehoseResourceType is the LookupEvents ResourceType of a delivery
// stream (REFERENCE.md §7.2: unverified for Firehose; we name the stream).
const firehoseResourceType = "AWS::KinesisFirehose::DeliveryStream"

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
	return [][2]string{{firehoseResourceType, p.DeliveryStreamName}}
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

// add stores rec, whose log-file JSON is raw (nil: encode it here). It
// ignores events LookupEvents never shows (data events).
func (s *eventStore) add(rec *schemas.Record, raw []byte) error {
	if !isManagement(rec) {
		return nil
	}
	if raw == nil {
		raw = rec.AppendJSON(nil)
	}
	user := lookupUsername(&rec.UserIdentity)
	res := lookupResources(rec)

	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.times) >= math.MaxUint32-1 {
		return fmt.Errorf("event store full")
	}
	seq := uint32(len(s.times))
	t := rec.EventTime.Unix()
	if n := len(s.times); n > 0 && t < s.times[n-1] {
		s.dirty = true
	}
	off := len(s.open)
	s.open = appendEventFragment(s.open, rec, raw, user, res)
	loc := fragLoc{block: uint32(len(s.blocks)), off: uint32(off), n: uint32(len(s.open) - off)}

	s.times = append(s.times, t)
	s.seqs = append(s.seqs, seq)
	s.regions = append(s.regions, s.intern(rec.AWSRegion))
	s.names = append(s.names, s.intern(rec.EventName))
	s.users = append(s.users, s.intern(user))
	s.sources = append(s.sources, s.intern(rec.EventSource))
	s.akids = append(s.akids, s.intern(rec.UserIdentity.AccessKeyID))
	var rt, rn uint32
	for i, r := range res {
		ti, ni := s.intern(r[0]), s.intern(r[1])
		if i == 0 {
			rt, rn = ti, ni
			continue
		}
		s.extraRes[seq] = append(s.extraRes[seq], [2]uint32{ti, ni})
	}
	s.rtypes = append(s.rtypes, rt)
	s.rnames = append(s.rnames, rn)
	s.ro = append(s.ro, uint8(rec.ReadOnly))
	s.idHash = append(s.idHash, hashEventID(rec.EventID))
	s.locs = append(s.locs, loc)
	if len(s.open) >= storeBlockSize {
		s.seal()
	}
	return nil
}

// seal compresses the open block; s.mu must be held for writing.
func (s *eventStore) seal() {
	if len(s.open) == 0 {
		return
	}
	s.blocks = append(s.blocks, s.enc.EncodeAll(s.open, make([]byte, 0, len(s.open)/4)))
	s.open = s.open[:0]
}

// len returns the number of stored events.
func (s *eventStore) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.times)
}

// sortLocked restores (time, seq) order; s.mu must be held for writing.
func (s *eventStore) sortLocked() {
	if !s.dirty {
		return
	}
	perm := make([]int32, len(s.times))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		if c := cmpInt64(s.times[a], s.times[b]); c != 0 {
			return c
		}
		return cmpInt64(int64(s.seqs[a]), int64(s.seqs[b]))
	})
	s.times = permute(s.times, perm)
	s.seqs = permute(s.seqs, perm)
	s.regions = permute(s.regions, perm)
	s.names = permute(s.names, perm)
	s.users = permute(s.users, perm)
	s.sources = permute(s.sources, perm)
	s.akids = permute(s.akids, perm)
	s.rtypes = permute(s.rtypes, perm)
	s.rnames = permute(s.rnames, perm)
	s.ro = permute(s.ro, perm)
	s.idHash = permute(s.idHash, perm)
	s.locs = permute(s.locs, perm)
	s.dirty = false
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func permute[T any](col []T, perm []int32) []T {
	out := make([]T, len(col), cap(col))
	for i, p := range perm {
		out[i] = col[p]
	}
	return out
}

// lookupQuery is a validated LookupEvents request.
type lookupQuery struct {
	region   string
	kind     int
	value    string
	lo, hi   int64 // inclusive eventTime bounds, Unix seconds
	limit    int
	cursor   bool // continue strictly below (curTime, curSeq)
	curTime  int64
	curSeq   uint32
	maxMatch int // stop after this many matches (limit+1 to see if there is more)
}

// lookupPage is one page of results.
type lookupPage struct {
	frags [][]byte
	more  bool
	// lastTime, lastSeq identify the last returned event (the cursor).
	lastTime int64
	lastSeq  uint32
}

// lookup runs q and returns up to q.limit events, newest first.
func (s *eventStore) lookup(q lookupQuery) (lookupPage, error) {
	s.mu.RLock()
	if s.dirty {
		s.mu.RUnlock()
		s.mu.Lock()
		s.sortLocked()
		s.mu.Unlock()
		s.mu.RLock()
	}
	defer s.mu.RUnlock()

	var page lookupPage
	region, ok := s.lookupID(q.region)
	if !ok {
		return page, nil
	}
	var want uint32
	var wantHash uint64
	var wantRO uint8
	switch q.kind {
	case attrNone:
	case attrEventID:
		wantHash = hashEventID(q.value)
	case attrReadOnly:
		switch q.value {
		case "true":
			wantRO = uint8(schemas.BoolTrue)
		case "false":
			wantRO = uint8(schemas.BoolFalse)
		default:
			return page, nil
		}
	default:
		id, ok := s.lookupID(q.value)
		if !ok || id == 0 {
			return page, nil
		}
		want = id
	}
	// hi: index one past the newest candidate.
	end := sortSearch(len(s.times), func(i int) bool { return s.times[i] > q.hi })
	if q.cursor {
		c := sortSearch(len(s.times), func(i int) bool {
			return s.times[i] > q.curTime || (s.times[i] == q.curTime && s.seqs[i] >= q.curSeq)
		})
		end = min(end, c)
	}
	var col []uint32
	switch q.kind {
	case attrEventName:
		col = s.names
	case attrUsername:
		col = s.users
	case attrEventSource:
		col = s.sources
	case attrAccessKeyID:
		col = s.akids
	case attrResourceType:
		col = s.rtypes
	case attrResourceName:
		col = s.rnames
	}
	loIdx := sortSearch(end, func(i int) bool { return s.times[i] >= q.lo })
	// Tight loops per kind: the attribute column first, the region only on
	// a match.
	hits := make([]int, 0, q.limit)
	accept := func(i int) bool {
		if s.regions[i] != region {
			return true
		}
		if len(hits) == q.limit {
			page.more = true
			return false
		}
		hits = append(hits, i)
		return true
	}
	switch q.kind {
	case attrNone:
		for i := end - 1; i >= loIdx && accept(i); i-- {
		}
	case attrEventID:
		ids := s.idHash[:end]
		for i := end - 1; i >= loIdx; i-- {
			if ids[i] == wantHash && !accept(i) {
				break
			}
		}
	case attrReadOnly:
		ro := s.ro[:end]
		for i := end - 1; i >= loIdx; i-- {
			if ro[i] == wantRO && !accept(i) {
				break
			}
		}
	default:
		c := col[:end]
		extra := (q.kind == attrResourceType || q.kind == attrResourceName) && len(s.extraRes) > 0
		for i := end - 1; i >= loIdx; i-- {
			if (c[i] == want || extra && s.extraMatch(s.seqs[i], q.kind, want)) && !accept(i) {
				break
			}
		}
	}
	page.frags = make([][]byte, 0, len(hits))
	for _, i := range hits {
		f, err := s.fragment(s.locs[i])
		if err != nil {
			return lookupPage{}, err
		}
		page.frags = append(page.frags, f)
	}
	if n := len(hits); n > 0 {
		page.lastTime, page.lastSeq = s.times[hits[n-1]], s.seqs[hits[n-1]]
	}
	return page, nil
}

func (s *eventStore) extraMatch(seq uint32, kind int, want uint32) bool {
	if len(s.extraRes) == 0 {
		return false
	}
	for _, r := range s.extraRes[seq] {
		if (kind == attrResourceType && r[0] == want) || (kind == attrResourceName && r[1] == want) {
			return true
		}
	}
	return false
}

// sortSearch is sort.Search without the import cycle of closures over int.
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

// fragment returns a copy of the fragment at loc; s.mu is held for reading.
func (s *eventStore) fragment(loc fragLoc) ([]byte, error) {
	var raw []byte
	if int(loc.block) == len(s.blocks) {
		raw = s.open
	} else {
		var err error
		raw, err = s.block(loc.block)
		if err != nil {
			return nil, err
		}
	}
	if int(loc.off)+int(loc.n) > len(raw) {
		return nil, fmt.Errorf("event store: fragment %d+%d outside block %d", loc.off, loc.n, loc.block)
	}
	return slices.Clone(raw[loc.off : loc.off+loc.n]), nil
}

// block returns sealed block i decompressed, from a small cache.
func (s *eventStore) block(i uint32) ([]byte, error) {
	s.cacheMu.Lock()
	b, ok := s.cache[i]
	s.cacheMu.Unlock()
	if ok {
		return b, nil
	}
	b, err := s.dec.DecodeAll(s.blocks[i], nil)
	if err != nil {
		return nil, fmt.Errorf("event store: decode block %d: %w", i, err)
	}
	s.cacheMu.Lock()
	if len(s.cache) >= 64 {
		for k := range s.cache {
			delete(s.cache, k)
			break
		}
	}
	s.cache[i] = b
	s.cacheMu.Unlock()
	return b, nil
}

// compressedBytes returns the size of the sealed blocks plus the open one.
func (s *eventStore) compressedBytes() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := len(s.open)
	for _, b := range s.blocks {
		n += len(b)
	}
	return n
}

// retentionWindow is how far back LookupEvents looks (REFERENCE.md §7.2).
const retentionWindow = 90 * 24 * time.Hour
