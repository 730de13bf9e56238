package trail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"iter"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/schemas"
)

// The eventTimes ByEventTime accepts: the trail's time must stay within
// the range of time.Duration of its digest origin.
const (
	minYear = 1970
	maxYear = 2200
)

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("trail: closed")

// Trail delivers CloudTrail log files and digest files into a Sink. Records
// are batched per account (recipientAccountId) and region (awsRegion) into
// delivery windows of Config.Interval; each window's records are compressed
// 8 blocks (512 KiB of JSON) at a time as they arrive, so a Trail holds the
// compressed bytes of open windows (about a tenth of the JSON) and at most 8
// blocks of JSON per open file, and a window is released as soon as it is
// delivered. With GOMAXPROCS above 1, up to GOMAXPROCS-1 goroutines (at most
// 8) compress closed files while records are added; they exit when idle.
//
// Add buffers; Tick and Flush deliver. All methods are safe for concurrent
// use. Sink.Put is called from one goroutine at a time, in delivery order,
// without blocking Add.
type Trail struct {
	cfg         Config
	log         *slog.Logger
	fingerprint string
	logSink     LogSink // cfg.Sink if it is a LogSink and cfg.RecordDigest is set, else nil

	gzPool   sync.Pool
	bufPool  sync.Pool
	pendPool sync.Pool // *[]byte: pending buffers of delivered files

	// Closed log files are compressed on up to par worker goroutines (none
	// with GOMAXPROCS 1), taking jobs from a queue bounded in files and in
	// pending bytes; when it is full, the closing goroutine compresses.
	par        int
	jobs       chan *logFile
	queueBytes atomic.Int64
	workMu     sync.Mutex
	working    int

	// With Config.Untidy, records wait in arrivals for their arrival time.
	untidy   *Untidy
	arrivals arrivals

	mu        sync.Mutex
	enc       schemas.Encoder // records without raw JSON; with mu held
	streams   map[streamID]*stream
	order     []*stream
	recent    recentStreams // the streams of records added lately
	watermark time.Time
	origin    time.Time
	ready     []*logFile
	nextEvent time.Time
	closed    bool
	retry     atomic.Bool
	queued    atomic.Bool // the outbox waits for a compression

	putMu  sync.Mutex
	outbox []*object

	statsMu sync.Mutex
	stats   Stats
}

// Stats counts what a Trail has delivered.
type Stats struct {
	LogFiles          int       // log files stored
	Records           int       // records in stored log files
	Digests           int       // digest files stored
	LastDelivery      time.Time // delivery time of the last stored log file
	LastDigest        time.Time // end time of the last stored digest
	LastError         string    // last Sink error, "" after a success
	LastErrorTime     time.Time // when LastError happened (clock time)
	PendingDeliveries int       // objects waiting for a retry
}

type streamID struct{ account, region string }

// stream is one account+region: its open log file and its digest chain.
type stream struct {
	id    streamID
	open  *logFile
	chain chain
}

// chain is the digest chain of a stream.
type chain struct {
	start      time.Time // start of the next digest window; zero: no digests
	prevBucket string
	prevKey    string
	prevSig    string
	prevHash   string
	pending    []LogFileEntry // delivered, not yet in a digest
	unhashed   []unhashed     // pending entries whose file a worker compresses
	stamp      time.Time      // stamp of the last log file name
	seq        int            // files named with stamp so far
}

// cut is a record, in a file's pending bytes, during whose write a
// compressor fed record by record would encode a block.
type cut struct {
	end   int   // offset in pend just after the record
	start int64 // the record's offset in the uncompressed file
}

// unhashed is a pending entry, at index i, waiting for the hash of f.
type unhashed struct {
	i int
	f *logFile
}

// logFile is a log file being written or waiting for delivery.
//
// Encoded records wait in pend and reach the compressor in chunks of up to
// deferBlocks compressor blocks (blockSize), so that the compressor runs on
// whole blocks, back to back, with its tables warm in the cache, and for a
// file shorter than that only once, at close. The split decision (bound)
// must still see the compressed size that a compressor fed record by record
// would have had: such a compressor encodes a block while it is given the
// record that ends past the block's end (a cut). While a cheap upper bound
// (upper) shows the file far from MaxFileSize, the cuts are only noted; else
// replay writes the pending bytes in the record-by-record chunks, cut by
// cut, noting the compressed size after each, and bound is exact again. A
// file has no gzip writer until its first replay or its close.
type logFile struct {
	t           *Trail // for its pools
	s           *stream
	window      time.Time
	end         time.Time     // window + Interval
	buf         *bytes.Buffer // compressed bytes; nil before the compressor starts
	gz          *gzip.Writer  // nil before the first replay or close, and after close
	pend        []byte        // encoded bytes not yet compressed
	cuts        []cut         // records in pend that end past a block end
	box         *[]byte       // pend's box in pendPool
	sum         hash.Hash     // with digests: SHA-256 of the bytes fed to gz
	done        chan struct{} // closed when a worker has finished buf and hash; nil: finished by closeFile
	queued      int64         // pending bytes counted in Trail.queueBytes
	n           int
	raw         int64    // uncompressed bytes, pend included
	next        int64    // the next block end: a record ending past it makes the compressor encode
	rawAtGrowth int64    // raw before the record whose write last grew the compressed bytes, as of the last replay
	digests     []uint64 // with Config.RecordDigest: the digest of each record, in order
	oldest      time.Time
	newest      time.Time
	cut         time.Time // with Config.Untidy: the instant the window's second file starts, or zero
	delivered   time.Time
	hash        string
}

// Compressor facts that logFile relies on to compress in chunks and still
// see the sizes of record-by-record compression. Both hold for klauspost
// gzip at levels 1 to 6 (flate.maxStoreBlockSize and the gzip header without
// name, comment or extra), pinned with CompressionLevel and the module
// version; TestOutputBytesPinned fails if they change.
const (
	// blockSize is the input a klauspost flate writer collects before it
	// encodes a block, which it does when the next byte arrives.
	blockSize = 65535
	// gzipHeaderSize is what a gzip writer writes on its first Write.
	gzipHeaderSize = 10
	// deferBlocks is how many blocks of records a file holds before it
	// compresses them.
	deferBlocks = 8
	// pendCap is the capacity of pooled pending buffers: a block and the
	// record that ends past it. A file that reaches a block end grows its
	// buffer to bigPendCap at once.
	pendCap    = blockSize + 16<<10
	bigPendCap = deferBlocks*blockSize + 16<<10
	// maxSpare is the largest pending buffer kept for reuse.
	maxSpare = 1 << 20
	// maxWorkers bounds the compression workers; queueLen and
	// maxQueueBytes bound the closed files waiting for one, and the
	// capacity of their pending buffers.
	maxWorkers    = 8
	queueLen      = 256
	maxQueueBytes = 8 << 20
)

// object is one Put waiting in the outbox.
type object struct {
	key       string
	buf       *bytes.Buffer
	digests   []uint64 // a log file's Config.RecordDigest of each record, for a LogSink
	file      *logFile // a log file until takeBytes takes its compressed bytes
	meta      map[string]string
	notice    *Notice   // nil without Config.Notify
	records   int       // log files: number of records
	delivered time.Time // log files: delivery time
	digest    time.Time // digests: end time
}

// LogFileEntry is a delivered log file as listed in a digest.
type LogFileEntry struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Hash      string    `json:"hash"` // hex SHA-256 of the uncompressed file
	Oldest    time.Time `json:"oldest"`
	Newest    time.Time `json:"newest"`
	Delivered time.Time `json:"delivered"`
	Records   int       `json:"records"`
}

// New returns a Trail delivering into cfg.Sink as cfg says.
func New(cfg Config) (*Trail, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Trail{
		cfg:     cfg,
		log:     cfg.Logger,
		streams: make(map[streamID]*stream),
	}
	if cfg.RecordDigest != nil {
		t.logSink, _ = cfg.Sink.(LogSink)
	}
	t.gzPool.New = func() any {
		gz, err := gzip.NewWriterLevel(nil, CompressionLevel)
		if err != nil {
			panic(err) // CompressionLevel is a valid constant
		}
		return gz
	}
	t.bufPool.New = func() any { return new(bytes.Buffer) }
	t.pendPool.New = func() any {
		b := make([]byte, 0, pendCap)
		return &b
	}
	if p := min(runtime.GOMAXPROCS(0)-1, maxWorkers); p > 0 {
		t.par = p
		t.jobs = make(chan *logFile, queueLen)
	}
	if cfg.Untidy != nil {
		u := *cfg.Untidy // checked by withDefaults
		t.untidy = &u
	}
	if cfg.SigningKey != nil {
		t.fingerprint = Fingerprint(PublicKeyDER(&cfg.SigningKey.PublicKey))
	}
	if !cfg.DigestStart.IsZero() {
		t.origin = cfg.DigestStart.UTC().Truncate(time.Second)
	} else if !cfg.ByEventTime {
		t.origin = t.digestOrigin(cfg.Clock.Now().UTC())
	}
	if cfg.State != nil {
		if err := t.restore(cfg.State); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// digests reports whether digest files are written.
func (t *Trail) digests() bool { return t.cfg.SigningKey != nil }

// now returns the trail's time: the clock's, or with ByEventTime the
// largest eventTime added. Called with t.mu held.
func (t *Trail) now() time.Time {
	if t.cfg.ByEventTime {
		return t.watermark
	}
	return t.cfg.Clock.Now().UTC()
}

// The eventTimes ByEventTime accepts, in Unix seconds: from minYear to
// maxYear. Both bounds are whole seconds, so a time's second alone says
// whether it is within them.
var (
	minEventSec = time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	endEventSec = time.Date(maxYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// Add buffers rec for delivery in the current window of its account
// (recipientAccountId) and region (awsRegion). It writes nothing to the
// sink: call Tick (or use AddAll) to deliver closed windows.
func (t *Trail) Add(rec schemas.Record) error { return t.add(&rec, nil) }

// AddJSON is Add for a record already encoded: raw must be
// rec.AppendJSON(nil), and goes into the log file as it is (the
// emulator encodes a recorded call once, for its files and LookupEvents).
func (t *Trail) AddJSON(rec *schemas.Record, raw []byte) error { return t.add(rec, raw) }

func (t *Trail) add(rec *schemas.Record, raw []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	s := t.stream(rec)
	if s == nil {
		if err := checkStream(streamID{rec.RecipientAccountID, rec.AWSRegion}); err != nil {
			return fmt.Errorf("trail: add record %s: %w", rec.EventID, err)
		}
	}
	if t.cfg.ByEventTime {
		if rec.EventTime.IsZero() {
			return fmt.Errorf("trail: add record %s: no eventTime", rec.EventID)
		}
		if sec := rec.EventTime.Unix(); sec < minEventSec || sec >= endEventSec {
			return fmt.Errorf("trail: add record %s: eventTime %s outside the years %d to %d", rec.EventID, rec.EventTime.UTC().Format(time.RFC3339), minYear, maxYear)
		}
		if rec.EventTime.After(t.watermark) {
			t.watermark = rec.EventTime.UTC()
		}
		if t.untidy != nil {
			t.arrivals.push(&t.enc, s, rec, raw, rec.EventTime.UTC().Add(t.untidy.delay()))
			return t.arrive(t.watermark)
		}
	}
	return t.place(s, streamID{rec.RecipientAccountID, rec.AWSRegion}, rec.EventTime, rec, raw, t.now())
}

// stream returns the stream of rec, or nil if it has none yet. Called
// with t.mu held.
func (t *Trail) stream(rec *schemas.Record) *stream {
	e := t.recent.entry(rec.RecipientAccountID, rec.AWSRegion)
	if e.s != nil && sameString(e.account, rec.RecipientAccountID) && sameString(e.region, rec.AWSRegion) {
		return e.s
	}
	s := t.streams[streamID{rec.RecipientAccountID, rec.AWSRegion}]
	if s != nil {
		e.account, e.region, e.s = rec.RecipientAccountID, rec.AWSRegion, s
	}
	return s
}

// recentStreams finds the stream of a record by the addresses of its
// account and region strings, before hashing them for Trail.streams: a
// generator hands the same few strings again and again, and one stream
// rarely follows itself. A direct-mapped table; an entry holds its
// strings, so their memory is not reused while it is there.
type recentStreams [16]recentStream

// recentStream is an entry of recentStreams; s is nil while it is empty.
type recentStream struct {
	account, region string
	s               *stream
}

// entry returns the entry of recentStreams for these strings.
func (r *recentStreams) entry(account, region string) *recentStream {
	h := uint64(uintptr(unsafe.Pointer(unsafe.StringData(account)))) ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(region))))*31
	return &r[(h*0x9e3779b97f4a7c15)>>60]
}

// sameString reports whether a and b are the same string in memory (so
// the same bytes): a false answer says nothing.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// recordsHead starts a log file's JSON; a record follows it or a comma.
const recordsHead = `{"Records":[`

// place writes a record of stream s (nil: look up or start stream id),
// of eventTime et, into the open file of its stream for the window
// holding now, the trail's time (with Config.Untidy, the record's arrival
// time). The record is raw, or rec.AppendJSON if raw is nil. Called with
// t.mu held.
func (t *Trail) place(s *stream, id streamID, et time.Time, rec *schemas.Record, raw []byte, now time.Time) error {
	if s == nil {
		s = t.streams[id]
	}
	if s == nil {
		s = t.newStream(id, now)
	} else if s.chain.start.IsZero() {
		t.startChain(s, now) // restored before the trail had a time
	}
	f := s.open
	var window time.Time
	if f != nil && !now.Before(f.window) && now.Before(f.end) {
		window = f.window // now.Truncate(Interval), without the division
	} else {
		window = now.Truncate(t.cfg.Interval)
		if f != nil && window.After(f.window) {
			t.closeFile(f, f.end.Add(t.cfg.DeliveryDelay))
			f = nil
		}
	}
	if f != nil && !f.cut.IsZero() && !now.Before(f.cut) && f.n > 0 {
		// Untidy: the window's second file starts here.
		t.closeFile(f, t.splitTime(f, now))
		f = t.openFile(s, window)
		f.cut = time.Time{}
	} else if f == nil {
		f = t.openFile(s, window)
		if !f.cut.After(now) {
			f.cut = time.Time{}
		}
	}
	// Encode in place at the end of the file's pending bytes, after the
	// container start or a comma.
	mark := len(f.pend)
	if f.n == 0 {
		f.pend = append(f.pend, recordsHead...)
	} else {
		f.pend = append(f.pend, ',')
	}
	if raw != nil {
		f.pend = append(f.pend, raw...)
	} else {
		f.pend = t.enc.AppendRecord(f.pend, rec)
	}
	size := int64(len(f.pend)-mark-1) + 3 // with "]}" after it
	if f.n > 0 && len(f.cuts) > 0 && f.upper()+size > t.cfg.MaxFileSize {
		// Maybe full: compress as record-by-record compression would have.
		shift, err := f.replay()
		if err != nil {
			return err
		}
		mark -= shift
	}
	if f.n > 0 && len(f.cuts) == 0 && f.bound()+size > t.cfg.MaxFileSize {
		// Full: the record starts the next file.
		g := t.openFile(s, window)
		g.pend = append(append(g.pend, recordsHead...), f.pend[mark+1:]...)
		f.pend = f.pend[:mark]
		t.closeFile(f, t.splitTime(f, now))
		s.open = g
		f, mark = g, 0
	}
	return t.wrote(f, mark, et)
}

// AddAll adds every record of seq, delivering windows as they close. With
// ByEventTime and records in eventTime order it runs in constant memory:
// the records of one window per account+region. Unlike Add and Tick, it
// does not wait for closed files to be compressed before it adds the next
// record (with GOMAXPROCS above 1, workers compress them meanwhile); when
// it returns, everything due is delivered, as after Tick.
func (t *Trail) AddAll(ctx context.Context, seq iter.Seq[schemas.Record]) error {
	for rec := range seq {
		if err := t.add(&rec, nil); err != nil { // rec is this loop's: Add would copy it again
			return err
		}
		if err := t.run(ctx, false, false); err != nil {
			return err
		}
	}
	return t.run(ctx, false, true)
}

// checkStream validates an account ID and region before they become part
// of object keys.
func checkStream(id streamID) error {
	if !schemas.ValidAccountID(id.account) {
		return fmt.Errorf("recipientAccountId %q is not a 12-digit account ID", id.account)
	}
	if !schemas.ValidRegion(id.region) {
		return fmt.Errorf("awsRegion %q is not a region name", id.region)
	}
	return nil
}

// newStream registers a new account+region at time now. Its digest chain
// starts with the digest window that contains now.
func (t *Trail) newStream(id streamID, now time.Time) *stream {
	s := &stream{id: id}
	t.startChain(s, now)
	t.streams[id] = s
	i, _ := slices.BinarySearchFunc(t.order, id, func(a *stream, id streamID) int {
		return cmp2(a.id.account, a.id.region, id.account, id.region)
	})
	t.order = slices.Insert(t.order, i, s)
	return s
}

// startChain starts the digest chain of s, if digests are on and it has
// none, with the digest window holding now.
func (t *Trail) startChain(s *stream, now time.Time) {
	if !t.digests() || !s.chain.start.IsZero() || now.IsZero() {
		return
	}
	if t.origin.IsZero() {
		t.origin = t.digestOrigin(now)
	}
	s.chain.start = t.windowStart(now)
	t.noteEvent(s.chain.start.Add(DigestPeriod))
}

// digestOrigin is the start of the digest window holding now that the
// trail's own offset gives: the hour of now plus DigestOffset, an hour
// earlier if that is after now.
func (t *Trail) digestOrigin(now time.Time) time.Time {
	o := now.Truncate(DigestPeriod).Add(t.cfg.DigestOffset())
	if o.After(now) {
		o = o.Add(-DigestPeriod)
	}
	return o
}

// windowStart returns the start of the digest window holding now.
func (t *Trail) windowStart(now time.Time) time.Time {
	d := now.Sub(t.origin)
	k := d / DigestPeriod
	if d < 0 && d%DigestPeriod != 0 {
		k--
	}
	return t.origin.Add(k * DigestPeriod)
}

func cmp2(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// noteEvent records that something falls due at at.
func (t *Trail) noteEvent(at time.Time) {
	if t.nextEvent.IsZero() || at.Before(t.nextEvent) {
		t.nextEvent = at
	}
}

// openFile starts a log file for s in window.
func (t *Trail) openFile(s *stream, window time.Time) *logFile {
	f := &logFile{t: t, s: s, window: window, end: window.Add(t.cfg.Interval), next: blockSize}
	if t.untidy != nil {
		f.cut = t.untidy.cut(window, t.cfg.Interval)
	}
	f.box = t.pendPool.Get().(*[]byte)
	f.pend = (*f.box)[:0]
	if t.digests() {
		f.sum = sha256.New()
	}
	s.open = f
	t.noteEvent(f.end)
	return f
}

// compressed is the size of the compressed bytes a gzip writer fed record
// by record would have written: with no block full yet, the gzip header
// once there is a record.
func (f *logFile) compressed() int64 {
	switch {
	case f.buf != nil:
		return int64(f.buf.Len())
	case f.n > 0:
		return gzipHeaderSize
	}
	return 0
}

// bound is an upper bound of the file's compressed size if it ended now:
// the bytes written, plus the input the compressor still holds (at most one
// 64 KiB block at CompressionLevel, stored at worst), plus the end. It is
// the figure of record-by-record compression, exact with no cuts pending.
func (f *logFile) bound() int64 {
	pending := f.raw - f.rawAtGrowth
	return f.compressed() + pending + pending>>10 + 1024
}

// upper is at least bound would be after a replay. Since the last replay,
// a compressor fed record by record would have encoded at most the pending
// bytes and the block it held, deflate (whatever the block type) spends at
// most 2 bytes a byte plus 1 KiB a block on them, and rawAtGrowth only
// grows.
func (f *logFile) upper() int64 {
	in := int64(len(f.pend)) + blockSize
	pending := f.raw - f.rawAtGrowth
	return max(f.compressed(), gzipHeaderSize) + 2*in + 1024*(in/blockSize+3) + pending + pending>>10 + 1024
}

// wrote accounts for the record encoded at f.pend[mark:] (with its
// separator), noting it as a cut if it ends past a block end, and
// compressing once deferBlocks blocks are pending.
func (t *Trail) wrote(f *logFile, mark int, et time.Time) error {
	f.noteTimes(et)
	if t.cfg.RecordDigest != nil {
		start := mark + 1 // after the comma
		if f.n == 0 {
			start = mark + len(recordsHead)
		}
		f.digests = append(f.digests, t.cfg.RecordDigest(f.pend[start:]))
	}
	start := f.raw
	f.raw += int64(len(f.pend) - mark)
	f.n++
	if f.raw <= f.next {
		return nil
	}
	if len(f.cuts) == 0 && cap(f.pend) < bigPendCap {
		// A new buffer, not slices.Grow: that always clears the room it
		// adds (half a megabyte, every page touched at once), where a new
		// large buffer taken from memory the runtime has not used yet is
		// not cleared again: its pages come zeroed from the system as
		// records fill them.
		p := make([]byte, len(f.pend), bigPendCap)
		copy(p, f.pend)
		f.pend = p
	}
	f.cuts = append(f.cuts, cut{end: len(f.pend), start: start})
	f.next = (f.raw + blockSize - 1) / blockSize * blockSize
	if len(f.pend) >= deferBlocks*blockSize {
		_, err := f.replay()
		return err
	}
	return nil
}

// replay compresses the pending bytes up to the last cut, cut by cut,
// updating rawAtGrowth as record-by-record compression would, and returns
// how many bytes it took from the front of pend.
func (f *logFile) replay() (int, error) {
	prev := 0
	for _, c := range f.cuts {
		var before int64
		switch {
		case f.buf != nil:
			before = int64(f.buf.Len())
		case c.start > 0:
			before = gzipHeaderSize // written with the first record
		}
		if err := f.feed(f.pend[prev:c.end]); err != nil {
			return 0, err
		}
		if int64(f.buf.Len()) != before {
			f.rawAtGrowth = c.start
		}
		prev = c.end
	}
	f.cuts = f.cuts[:0]
	f.pend = f.pend[:copy(f.pend, f.pend[prev:])]
	return prev, nil
}

// feed writes p to the file's compressor, starting it if needed.
func (f *logFile) feed(p []byte) error {
	if f.gz == nil {
		f.buf = f.t.bufPool.Get().(*bytes.Buffer)
		f.buf.Reset()
		f.gz = f.t.gzPool.Get().(*gzip.Writer)
		f.gz.Reset(f.buf)
	}
	if _, err := f.gz.Write(p); err != nil {
		return fmt.Errorf("trail: compress: %w", err)
	}
	if f.sum != nil {
		f.sum.Write(p)
	}
	return nil
}

// noteTimes widens the file's event-time range.
func (f *logFile) noteTimes(et time.Time) {
	if f.oldest.IsZero() || et.Before(f.oldest) {
		f.oldest = et
	}
	if et.After(f.newest) {
		f.newest = et
	}
}

// finish compresses the rest of f and ends its gzip stream and hash. The
// cuts no longer matter: the bytes do not depend on how they are written.
func (t *Trail) finish(f *logFile) {
	f.feed(f.pend) // writes into a bytes.Buffer cannot fail
	f.cuts = nil
	f.gz.Close()
	t.gzPool.Put(f.gz)
	f.gz = nil
	t.releasePend(f.box, f.pend)
	f.pend, f.box = nil, nil
	if f.sum != nil {
		f.hash = hex.EncodeToString(f.sum.Sum(nil))
		f.sum = nil
	}
}

// submit queues f for a worker, starting one if fewer than par run. It
// reports false when there are no workers or the queue is full.
func (t *Trail) submit(f *logFile) bool {
	if t.par == 0 {
		return false
	}
	f.queued = int64(cap(f.pend))
	if t.queueBytes.Add(f.queued) > maxQueueBytes {
		t.queueBytes.Add(-f.queued)
		return false
	}
	f.done = make(chan struct{})
	select {
	case t.jobs <- f:
	default:
		t.queueBytes.Add(-f.queued)
		f.done = nil
		return false
	}
	t.workMu.Lock()
	if t.working < t.par {
		t.working++
		go t.work()
	}
	t.workMu.Unlock()
	return true
}

// work finishes queued files until the queue is empty.
func (t *Trail) work() {
	for {
		select {
		case f := <-t.jobs:
			t.job(f)
			continue
		default:
		}
		t.workMu.Lock()
		if len(t.jobs) > 0 {
			// Queued after the receive above, before this lock: submit
			// saw this worker running.
			t.workMu.Unlock()
			continue
		}
		t.working--
		t.workMu.Unlock()
		return
	}
}

// finished reports whether f's compression is over. With wait it waits
// for it, meanwhile finishing queued files itself, so that a goroutine
// waiting for a batch of closed windows compresses alongside the workers.
func (t *Trail) finished(f *logFile, wait bool) bool {
	if f.done == nil {
		return true
	}
	if !wait {
		select {
		case <-f.done:
			return true
		default:
			return false
		}
	}
	for {
		select {
		case <-f.done:
			return true
		case g := <-t.jobs:
			t.job(g)
		}
	}
}

// job finishes a file taken from the queue.
func (t *Trail) job(f *logFile) {
	t.finish(f)
	t.queueBytes.Add(-f.queued)
	close(f.done)
}

// splitTime is the delivery time of a file cut because it is full.
func (t *Trail) splitTime(f *logFile, now time.Time) time.Time {
	if t.cfg.ByEventTime {
		return f.window.Add(t.cfg.Interval + t.cfg.DeliveryDelay)
	}
	return now
}

// closeFile ends f and queues it for delivery at delivered. A worker
// finishes its compression if one can take it.
func (t *Trail) closeFile(f *logFile, delivered time.Time) {
	const end = "]}"
	f.pend = append(f.pend, end...)
	if !t.submit(f) {
		t.finish(f)
	}
	f.delivered = delivered
	f.s.open = nil
	t.ready = append(t.ready, f)
	t.noteEvent(delivered)
}
