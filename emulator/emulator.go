package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	bolt "go.etcd.io/bbolt"

	"github.com/firetrail/firetrail/emulator/internal/cloudtrail"
	"github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/emulator/internal/s3front"
	"github.com/firetrail/firetrail/emulator/internal/sqs"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// Emulator serves an embedded S3, the CloudTrail API and a recording
// Firehose API on one handler, and delivers CloudTrail log and digest files
// of the records it gets into its bucket.
//
// Requests are routed by the routing table (routes.go): X-Amz-Target
// CloudTrail_20131101.* (long or short form) to the CloudTrail API,
// Firehose_20150804.* to the Firehose API, an unknown target to an
// UnknownOperationException; /_firetrail/ to the control endpoint; SNS's
// confirmation and certificate URLs to the notifier; everything else to S3
// (path-style).
//
// An Emulator is safe for concurrent use.
type Emulator struct {
	opts   settings
	log    *slog.Logger
	clock  trail.Clock
	fake   *trail.FakeClock // nil with a real clock
	ticker bool             // delivery runs on its own

	region, homeRegion, accountID, bucket, trailName string
	notifyURLs                                       []string
	started                                          time.Time

	backend gofakes3.Backend
	db      *bolt.DB
	journal *journal       // with a data dir: records before they are kept
	replay  []journalEntry // journaled records to add again at open
	s3      *s3front.Front
	trail   *trail.Trail
	store   *cloudtrail.Store
	ct      *cloudtrail.Service
	fh      *firehose.Service
	sqs     *sqs.Service
	ids     *idSource
	notify  *notifier
	routes  []route
	queries []queryRoute

	key            *rsa.PrivateKey
	keyDER         []byte
	keyFingerprint string
	keyValidFrom   time.Time

	notices  chan trail.Notice
	flushed  *keyLog      // keys written by a control-endpoint flush
	recorded atomic.Int64 // records kept (Health)

	deliverMu sync.Mutex // serializes Tick/Flush/Advance and state saves
	lastState []byte     // the trail state last saved

	mu      sync.Mutex
	closed  bool
	servers map[*http.Server]struct{}
	done    chan struct{}
	wg      sync.WaitGroup
}

var _ http.Handler = (*Emulator)(nil)

// New returns an Emulator configured by opts, with its bucket created, its
// history restored from the data directory (WithDataDir) and the records
// of WithEvents delivered. Call Serve to accept connections, or use it as
// an http.Handler; Close it when done.
func New(opts ...Option) (*Emulator, error) {
	s := settings{
		bucket:       DefaultBucket,
		region:       DefaultRegion,
		accountID:    DefaultAccountID,
		interval:     trail.DefaultInterval,
		noticeBuffer: DefaultNoticeBuffer,
		version:      "devel",
	}
	for _, o := range opts {
		o(&s)
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = trail.RealClock{}
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if err := gofakes3.ValidateBucketName(s.bucket); err != nil {
		return nil, fmt.Errorf("emulator: invalid bucket %q: %w", s.bucket, err)
	}
	e := &Emulator{
		opts:       s,
		log:        s.logger,
		clock:      s.clock,
		region:     s.region,
		homeRegion: s.region,
		accountID:  s.accountID,
		bucket:     s.bucket,
		trailName:  trail.DefaultTrailName,
		notifyURLs: s.notifyURLs,
		notices:    make(chan trail.Notice, s.noticeBuffer),
		flushed:    &keyLog{},
		servers:    map[*http.Server]struct{}{},
		done:       make(chan struct{}),
	}
	e.fake, _ = s.clock.(*trail.FakeClock)
	e.ticker = e.fake == nil
	e.started = e.clock.Now().UTC().Truncate(time.Second)
	e.ids = newIDSource(s.seed, s.seedSet, 0)
	if err := e.open(); err != nil {
		e.closeResources()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	if e.ticker {
		e.wg.Add(1)
		go e.tickLoop()
	}
	return e, nil
}

// open builds storage, S3, the signing key, the trail and the store.
func (e *Emulator) open() error {
	var err error
	e.store = cloudtrail.NewStore()
	ts := timeSource{e.clock}
	fhPath := ""
	if dir := e.opts.dataDir; dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("data dir: %w", err)
		}
		e.db, err = bolt.Open(filepath.Join(dir, "s3.bolt"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
		if err != nil {
			return fmt.Errorf("open %s: %w", filepath.Join(dir, "s3.bolt"), err)
		}
		// Loaded under the data directory's lock (s3.bolt's).
		fhPath = filepath.Join(dir, firehose.StateFile)
		e.backend = boltObjects{Backend: s3bolt.New(e.db, s3bolt.WithTimeSource(ts)), db: e.db}
		var runs uint64
		if e.journal, e.replay, runs, err = openJournal(dir); err != nil {
			return err
		}
		// Seeded IDs differ from those of the runs before on this data
		// dir (the first run's are those of a memory-only emulator).
		e.ids = newIDSource(e.opts.seed, e.opts.seedSet, runs)
	} else {
		e.backend = s3mem.New(s3mem.WithTimeSource(ts), s3mem.WithVersionSeed(e.opts.seed))
	}
	sqsPath, notifPath := "", ""
	if dir := e.opts.dataDir; dir != "" {
		sqsPath, notifPath = filepath.Join(dir, sqs.StateFile), filepath.Join(dir, "s3-notifications.json")
	}
	if e.sqs, err = sqs.New(sqs.Config{Clock: e.clock, IDs: e.ids, Path: sqsPath, Logger: e.log.With("api", "sqs")}); err != nil {
		return err
	}
	fo := s3front.Options{
		Backend:          e.backend,
		Logger:           e.log.With("api", "s3"),
		Region:           e.region,
		Publish:          e.publishEvent,
		CheckDestination: e.checkDestination,
		NotificationPath: notifPath,
		Auth:             e.verifier(),
	}
	if e.fake != nil {
		fo.TimeSource = ts
	}
	if e.s3, err = s3front.New(fo); err != nil {
		return err
	}
	if err := e.s3.CreateBucket(e.bucket); err != nil {
		return err
	}
	// A CloudTrail bucket with default encryption (SSE-S3), as every new
	// bucket has had since 2023: its log and digest objects report AES256.
	if err := e.s3.SetBucketEncryption(e.bucket); err != nil {
		return err
	}
	if e.fh, err = firehose.New(firehose.Config{
		Clock:          e.clock,
		IDs:            e.ids,
		Objects:        destObjects{e},
		Record:         e.recordCall,
		CreateDelay:    e.opts.firehoseDelay,
		Path:           fhPath,
		JournalChanges: e.journal != nil,
		Logger:         e.log.With("api", "firehose"),
	}); err != nil {
		return err
	}
	if err := e.restoreFirehose(); err != nil {
		return err
	}
	if err := e.loadKey(); err != nil {
		return err
	}
	state, err := e.loadState()
	if err != nil {
		return err
	}
	if err := e.rebuildHistory(state); err != nil {
		return err
	}
	if e.notify, err = newNotifier(e); err != nil {
		return err
	}
	e.notify.setQueues(queues{e.sqs})
	if err := e.setUpQueues(); err != nil {
		return err
	}
	if e.ct, err = cloudtrail.New(e.cloudTrailConfig()); err != nil {
		return err
	}
	e.routes = e.routeTable()
	e.queries = e.queryTable()
	var hist *history
	if e.opts.events > 0 {
		if hist, err = e.planHistory(); err != nil {
			return err
		}
		if hist, err = e.checkPreload(hist); err != nil {
			return err
		}
	}
	clock := &replayClock{base: e.clock}
	if hist != nil && state == nil {
		// A new trail: the history replays from its first record.
		clock.at = hist.first
	}
	e.trail, err = trail.New(trail.Config{
		Sink:       s3Sink{e},
		Bucket:     e.bucket,
		TrailName:  e.trailName,
		HomeRegion: e.homeRegion,
		Seed:       e.opts.seed,
		Clock:      clock,
		Interval:   e.opts.interval,
		SigningKey: e.key,
		Notify:     e.onNotice,
		// Files delivered early (flush) are stamped like closed windows.
		StampAfterEvents: true,
		State:            state,
		Logger:           e.log.With("component", "trail"),
		RunID:            e.runID(),
		RecordDigest:     e.recordDigest(),
	})
	if err != nil {
		return err
	}
	if hist != nil {
		if err := e.preload(hist, clock); err != nil {
			return err
		}
		if err := e.preloaded(hist); err != nil {
			return err
		}
	}
	return e.replayJournal()
}

// loadKey sets the signing key: the option's, the data directory's, or a
// new one (saved in the data directory).
func (e *Emulator) loadKey() error {
	e.key = e.opts.signingKey
	e.keyValidFrom = e.started.Add(-cloudtrail.RetentionWindow)
	if e.key == nil {
		path := ""
		if e.opts.dataDir != "" {
			path = filepath.Join(e.opts.dataDir, "signing-key.pem")
			if b, err := os.ReadFile(path); err == nil {
				if e.key, err = trail.LoadSigningKey(b); err != nil {
					return fmt.Errorf("load %s: %w", path, err)
				}
			} else if !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("read signing key: %w", err)
			}
		}
		if e.key == nil {
			var err error
			if e.key, err = trail.GenerateSigningKey(); err != nil {
				return fmt.Errorf("generate signing key: %w", err)
			}
			if path != "" {
				b, err := trail.MarshalSigningKey(e.key)
				if err != nil {
					return fmt.Errorf("save signing key: %w", err)
				}
				if err := os.WriteFile(path, b, 0o600); err != nil {
					return fmt.Errorf("save signing key: %w", err)
				}
			}
		}
	}
	e.keyDER = trail.PublicKeyDER(&e.key.PublicKey)
	e.keyFingerprint = trail.Fingerprint(e.keyDER)
	return nil
}

// runID is the trail's run identity, mixed into log file names so that
// no two runs write the same key: a new one for every process, and so for
// every restart on a data directory. Only a seeded emulator in memory
// keeps the names its seed gives (it cannot share a bucket with another
// run), so that seeded tests replay exactly.
func (e *Emulator) runID() string {
	if e.opts.seedSet && e.opts.dataDir == "" {
		return ""
	}
	return trail.NewRunID()
}

// recordDigest is the trail's Config.RecordDigest: the journal's hash of a
// record, so that s3Sink.PutLog learns which journaled records a stored
// log file holds; nil without a journal.
func (e *Emulator) recordDigest() func([]byte) uint64 {
	if e.journal == nil {
		return nil
	}
	return e.journal.hash
}

// timeSource adapts a trail.Clock to gofakes3.TimeSource.
type timeSource struct{ c trail.Clock }

func (t timeSource) Now() time.Time                   { return t.c.Now() }
func (t timeSource) Since(at time.Time) time.Duration { return t.c.Now().Sub(at) }

// idSource makes request IDs and event IDs: seeded with WithSeed, random
// otherwise.
type idSource struct {
	mu  sync.Mutex
	rng *mrand.ChaCha8
}

// newIDSource returns the ID source of a seed (seeded) or a random one.
// run numbers the runs of one data directory: run 0's IDs are those of the
// seed alone, a later run's are another sequence, so that a restart does
// not hand out the IDs of the run before.
func newIDSource(seed int64, seeded bool, run uint64) *idSource {
	var key [32]byte
	if seeded {
		for i := range 8 {
			key[i] = byte(uint64(seed) >> (8 * i))
		}
		copy(key[8:], "firetrail emulator ids")
		if run > 0 {
			key = sha256.Sum256(binary.BigEndian.AppendUint64(key[:], run))
		}
	} else {
		_, _ = rand.Read(key[:])
	}
	return &idSource{rng: mrand.NewChaCha8(key)}
}

// UUID returns a random (version 4) UUID in lower case.
func (s *idSource) UUID() string {
	var b [16]byte
	s.mu.Lock()
	_, _ = s.rng.Read(b[:])
	s.mu.Unlock()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexd[c>>4], hexd[c&15])
	}
	return string(out)
}

// Region returns the emulator's region.
func (e *Emulator) Region() string { return e.region }

// Bucket returns the name of the bucket log files go to.
func (e *Emulator) Bucket() string { return e.bucket }

// AccountID returns the emulator's account.
func (e *Emulator) AccountID() string { return e.accountID }

// Now returns the emulator clock's time.
func (e *Emulator) Now() time.Time { return e.clock.Now() }

// maxJSONBody bounds JSON 1.1 request bodies (PutRecordBatch: 4 MiB of
// records, base64-encoded).
const maxJSONBody = 8 << 20

// ErrClosed is returned by Serve when the Emulator is already closed, as
// http.Server.Serve returns http.ErrServerClosed.
var ErrClosed = errors.New("emulator: closed")

// Close stops the servers, delivers everything pending, writes the final
// digests, saves the trail state (with a data directory) and releases
// storage. It is safe to call more than once.
func (e *Emulator) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	close(e.done)
	servers := make([]*http.Server, 0, len(e.servers))
	for s := range e.servers {
		servers = append(servers, s)
	}
	e.mu.Unlock()
	// Closing the connections ends the requests' contexts: long polls
	// answer at once.
	for _, s := range servers {
		_ = s.Close()
	}
	e.wg.Wait()
	var errs []error
	if e.trail != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		e.deliverMu.Lock()
		if err := e.trail.Close(ctx); err != nil {
			// Not saved: see tick.
			errs = append(errs, fmt.Errorf("emulator: close trail: %w", err))
		} else if err := e.saveState(); err != nil {
			errs = append(errs, err)
		}
		e.deliverMu.Unlock()
		e.waitNotifications() // of the files the trail delivered at close
		if err := e.fh.Close(); err != nil {
			errs = append(errs, fmt.Errorf("emulator: %w", err))
		}
		cancel()
	}
	if e.sqs != nil {
		if err := e.sqs.Close(); err != nil {
			errs = append(errs, fmt.Errorf("emulator: close sqs: %w", err))
		}
	}
	errs = append(errs, e.closeResources())
	return errors.Join(errs...)
}

func (e *Emulator) closeResources() error {
	if e.notify != nil {
		e.notify.close()
	}
	var errs []error
	if e.journal != nil {
		if err := e.journal.close(); err != nil {
			errs = append(errs, fmt.Errorf("emulator: close journal: %w", err))
		}
		e.journal = nil
	}
	if e.db != nil {
		if err := e.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("emulator: close data: %w", err))
		}
		e.db = nil
	}
	return errors.Join(errs...)
}

// Record adds rec to the trail: it is delivered in the next log file of
// its account (recipientAccountId) and region (awsRegion), and, if it is
// a management event, LookupEvents shows it at once.
//
// With a data directory (WithDataDir), the record is durable when Record
// returns: it is journaled, and a restart after a crash delivers it.
func (e *Emulator) Record(rec schemas.Record) error { return e.addRecord(&rec, true) }

// addRecord is Record; durable journals the record.
func (e *Emulator) addRecord(rec *schemas.Record, durable bool) error {
	if rec.RecipientAccountID == "" {
		rec.RecipientAccountID = rec.UserIdentity.AccountID
	}
	if rec.RecipientAccountID == "" || rec.AWSRegion == "" {
		return errors.New("emulator: record without recipientAccountId or awsRegion")
	}
	if !schemas.ValidAccountID(rec.RecipientAccountID) {
		return fmt.Errorf("emulator: record: recipientAccountId %q is not a 12-digit account ID", rec.RecipientAccountID)
	}
	if !schemas.ValidRegion(rec.AWSRegion) {
		return fmt.Errorf("emulator: record: awsRegion %q is not a region name", rec.AWSRegion)
	}
	return e.keep(rec, "", false, durable, nil)
}

// recordCall keeps the record of a call a service answered: it is
// encoded once, and the same bytes go to the log file and to LookupEvents
// (which is told the stream rather than reading requestParameters back).
func (e *Emulator) recordCall(rec *schemas.Record, stream string, change *firehose.Change) error {
	var st *journalState
	if change != nil {
		st = &journalState{gen: change.Gen, body: change.Body}
	}
	return e.keep(rec, stream, true, true, st)
}

// keep adds rec to the trail and to LookupEvents. With durable and a data
// directory, it is journaled first, after the state change st of the
// call, if any: when keep returns, a crash no longer loses either.
func (e *Emulator) keep(rec *schemas.Record, stream string, named, durable bool, st *journalState) error {
	raw := rec.AppendJSON(nil)
	if durable && e.journal != nil {
		k, err := e.journal.add(raw, st)
		if err != nil {
			return fmt.Errorf("emulator: record: %w", err)
		}
		if err := e.trail.AddJSON(rec, raw); err != nil {
			if derr := e.journal.drop(raw, k); derr != nil {
				e.log.Warn("journal: drop refused record", "err", derr)
			}
			return fmt.Errorf("emulator: record: %w", err)
		}
	} else if err := e.trail.AddJSON(rec, raw); err != nil {
		return fmt.Errorf("emulator: record: %w", err)
	}
	var err error
	if named {
		err = e.store.AddStream(rec, raw, stream)
	} else {
		err = e.store.Add(rec, raw)
	}
	if err != nil {
		return fmt.Errorf("emulator: record: %w", err)
	}
	e.recorded.Add(1)
	return nil
}

// Flush delivers everything pending now: buffered Firehose destination
// data, open log files, and digests that are due.
func (e *Emulator) Flush() error {
	e.deliverMu.Lock()
	defer e.deliverMu.Unlock()
	return e.flushLocked()
}

// flushLocked is Flush with e.deliverMu held: Firehose destination data
// first, then the trail's files, then the S3 event notifications of both
// (queued in SQS or published to SNS before it returns).
func (e *Emulator) flushLocked() error {
	if err := e.fh.Flush(context.Background()); err != nil {
		return fmt.Errorf("emulator: flush firehose: %w", err)
	}
	defer e.waitNotifications()
	if err := e.trail.Flush(context.Background()); err != nil {
		return fmt.Errorf("emulator: flush: %w", err)
	}
	return e.saveState()
}

// Advance moves a virtual clock (WithClock with a *trail.FakeClock) forward
// by d, one delivery interval at a time, delivering log files and digests
// as they fall due. With a real clock it returns an error.
func (e *Emulator) Advance(d time.Duration) error {
	if e.fake == nil {
		return errors.New("emulator: advance: the clock is not virtual")
	}
	e.deliverMu.Lock()
	defer e.deliverMu.Unlock()
	for d > 0 {
		step := min(d, e.opts.interval)
		e.fake.Advance(step)
		d -= step
		e.sqs.Tick()
		if err := e.fh.Tick(context.Background()); err != nil {
			return fmt.Errorf("emulator: advance: %w", err)
		}
		if err := e.trail.Tick(context.Background()); err != nil {
			return fmt.Errorf("emulator: advance: %w", err)
		}
	}
	return e.saveState()
}

// Notifications returns the channel of delivered log files. It never
// blocks delivery: when the buffer (WithNoticeBuffer) is full, the oldest
// notice is dropped to make room.
func (e *Emulator) Notifications() <-chan trail.Notice { return e.notices }

// tickLoop delivers on a real clock: it looks every second whether a
// window has closed (Tick is cheap when nothing is due).
func (e *Emulator) tickLoop() {
	defer e.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-e.done:
			return
		case <-t.C:
			e.tick()
		}
	}
}

// tick delivers what is due and saves the trail state. When a log file
// or digest could not be stored, the state is not saved: the trail lists
// a log file in its digest chain when it names it, before storing it, so
// a state saved then and a crash would have the next digest name a file
// that never was stored (its records are journaled: the restart delivers
// them in new files). The state is saved once the retry stored it.
func (e *Emulator) tick() {
	e.sqs.Tick()
	e.deliverMu.Lock()
	defer e.deliverMu.Unlock()
	if err := e.fh.Tick(context.Background()); err != nil {
		e.log.Warn("firehose delivery failed", "err", err)
	}
	if err := e.trail.Tick(context.Background()); err != nil {
		e.log.Warn("delivery failed", "err", err)
		return
	}
	if err := e.saveState(); err != nil {
		e.log.Warn("save trail state", "err", err)
	}
}
