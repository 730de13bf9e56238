package trail

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/firetrail/firetrail/schemas"
	"github.com/klauspost/compress/gzip"
)

// Defaults and fixed values of delivery (CloudTrail User Guide).
const (
	// DefaultInterval is how often CloudTrail delivers log files.
	DefaultInterval = 5 * time.Minute
	// DefaultMaxFileSize is the largest compressed log file, CloudTrail's
	// 50 MB quota (CloudTrail User Guide, quotas), counted in bytes of 10^6.
	DefaultMaxFileSize = 50_000_000
	// DefaultTrailName names the trail in digest keys when Config.TrailName
	// is empty.
	DefaultTrailName = "firetrail"
	// DefaultHomeRegion is the trail's home region when Config.HomeRegion is
	// empty.
	DefaultHomeRegion = "us-east-1"
	// DigestPeriod is the length of a digest window (CloudTrail User Guide,
	// digest files).
	DigestPeriod = time.Hour
	// CompressionLevel is the gzip level of every file written. It is part
	// of the byte identity of the output, pinned with the klauspost/compress
	// version: changing either changes every file's bytes.
	CompressionLevel = gzip.BestSpeed
	// SignatureAlgorithm is the digest signature algorithm.
	SignatureAlgorithm = "SHA256withRSA"
	// HashAlgorithm is the digest hash algorithm.
	HashAlgorithm = "SHA-256"
	// minMaxFileSize is the smallest MaxFileSize accepted.
	minMaxFileSize = 2048
	// stampUnit is the rounding of the time stamp in log file names.
	stampUnit = 5 * time.Minute
)

// Config configures a Trail. The zero value of every field but Bucket has a
// working default. Together with the records added and the clock, a Config
// fixes every byte a Trail writes.
type Config struct {
	// Sink stores log and digest files. Required.
	Sink Sink
	// Bucket names the S3 bucket inside digests and notices. Required.
	Bucket string
	// Prefix is the trail's S3 key prefix (at most 200 characters), or "".
	Prefix string
	// OrgID is the organization ID ("o-" + 10–32 lowercase alphanumerics)
	// of an organization trail, or "".
	OrgID string
	// TrailName and HomeRegion appear in digest keys; defaults
	// DefaultTrailName and DefaultHomeRegion.
	TrailName  string
	HomeRegion string
	// Seed feeds the 16-character unique part of log file names.
	Seed int64

	// Clock tells the time; nil means RealClock. With ByEventTime it is not
	// consulted.
	Clock Clock
	// ByEventTime selects offline delivery: time is the largest eventTime
	// added so far, so a record belongs to the delivery window of its
	// eventTime and the window [T, T+Interval) is delivered, stamped
	// T+Interval+DeliveryDelay, once a record at or after T+Interval has been
	// added. Records must come in (roughly) eventTime order; a record older
	// than the open window joins the open window, as CloudTrail puts late
	// events in a later file.
	ByEventTime bool
	// Untidy, with ByEventTime, delivers as untidily as CloudTrail does:
	// records in arrival order, some late, some windows in two files (see
	// Untidy). Nil delivers tidily: each file holds its window's records
	// in the order added. Ignored without ByEventTime, where the clock
	// gives the real arrival order.
	Untidy *Untidy
	// Interval is the delivery interval; default DefaultInterval.
	Interval time.Duration
	// StampAfterEvents stamps the key of a file delivered before the
	// stamp unit (5 minutes) of its newest event ended (by Flush, or split
	// for size) with the end of that unit, as if its window had closed: a
	// file stamped T1505Z then holds events up to 15:04:59, never later.
	// Off, such a key is stamped with the delivery time (the behaviour
	// the pinned outputs of earlier versions have).
	StampAfterEvents bool
	// DeliveryDelay is how long after its window closes a file is delivered
	// (real CloudTrail: about a minute). Default 0.
	DeliveryDelay time.Duration
	// MaxFileSize is the largest compressed log file; a window holding more
	// is split into several files. Default DefaultMaxFileSize; at least 2048.
	MaxFileSize int64
	// RecordDigest, if set, is applied to the JSON of each record as it is
	// written into a log file, and a Sink that is a LogSink is handed the
	// digests of each log file's records with it (PutLog): a sink that
	// matches stored records to others (the emulator's journal) need not
	// decompress the file. Called with the trail's lock held: it must be
	// quick and must not keep its argument.
	RecordDigest func(record []byte) uint64

	// SigningKey signs digest files. Nil disables digests: a Trail never
	// makes up a key, since a generated key could not be reproduced. Use
	// GenerateSigningKey or LoadSigningKey to get one.
	SigningKey *rsa.PrivateKey
	// DigestStart is the start of the first digest window; digest windows
	// are DigestPeriod long from there on (the trail's own offset,
	// as in CloudTrail, e.g. 22:04:04 to 23:04:04). Zero means the
	// window of the trail's own offset (DigestOffset) that holds the
	// clock's time at New or, with ByEventTime, the eventTime of the first
	// record. A State restores the DigestStart it was saved with, so the
	// offset survives restarts even if the Config changes.
	DigestStart time.Time

	// Notify, if not nil, is called after each log file is stored (not after
	// digests), in delivery order, from the goroutine that delivers. It must
	// not block; the Notify of an SNS topic (emulator/internal/sns) qualifies.
	Notify func(Notice)
	// State restores digest chains saved with Trail.State.
	State []byte
	// Logger receives delivery diagnostics; nil discards them.
	Logger *slog.Logger

	// RunID, if not empty, is mixed into the unique part of log file names
	// (with Seed), so that two runs of one seed delivering into one bucket
	// never name a file alike, even in the same 5-minute stamp: give each
	// run (each process, and each restart from a State) its own, e.g.
	// NewRunID(). Empty keeps the names a function of Seed and the records
	// alone, as reproducible output (firetrail generate, the golden files)
	// needs. At most 128 bytes; it is hashed, never written out.
	RunID string
}

// DigestOffset is the trail's own offset of its digest windows from the
// hour, in whole seconds below an hour, used when DigestStart is zero. It is
// derived from Seed, TrailName and HomeRegion (as configured; empty names
// count as their defaults), so one trail keeps it and two trails almost
// never share it, as on AWS, where each trail's digest hour starts when
// its logging did.
func (c Config) DigestOffset() time.Duration {
	name, home := c.TrailName, c.HomeRegion
	if name == "" {
		name = DefaultTrailName
	}
	if home == "" {
		home = DefaultHomeRegion
	}
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(c.Seed))
	h.Write([]byte("firetrail/digest-offset\x00"))
	h.Write(n[:])
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(home))
	sum := h.Sum(nil)
	return time.Duration(binary.BigEndian.Uint64(sum[:8])%uint64(DigestPeriod/time.Second)) * time.Second
}

// The trail names and bucket names Config accepts; their lengths are
// checked apart (nameOK, bucketOK): a counted repetition such as {0,127}
// compiles to a program with a state for each count (these two took 1.2M
// instructions to compile at every start of firetrail).
var (
	namePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)
)

// nameOK reports whether name is a trail name: up to 128 characters.
func nameOK(name string) bool { return len(name) <= 128 && namePattern.MatchString(name) }

// bucketOK reports whether bucket is an S3 bucket name: 3 to 63
// characters.
func bucketOK(bucket string) bool {
	return len(bucket) >= 3 && len(bucket) <= 63 && bucketPattern.MatchString(bucket)
}

// withDefaults returns c with defaults filled in, or an error naming the
// first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.TrailName == "" {
		c.TrailName = DefaultTrailName
	}
	if c.HomeRegion == "" {
		c.HomeRegion = DefaultHomeRegion
	}
	if c.Clock == nil {
		c.Clock = RealClock{}
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.MaxFileSize == 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case c.Sink == nil:
		return c, errors.New("trail: config: sink is required")
	case c.Bucket == "":
		return c, errors.New("trail: config: bucket is required")
	case !bucketOK(c.Bucket):
		return c, fmt.Errorf("trail: config: invalid bucket name %q", c.Bucket)
	case len(c.Prefix) > 200:
		return c, fmt.Errorf("trail: config: prefix longer than 200 characters")
	case c.Prefix != "" && checkKey(c.Prefix) != nil:
		return c, fmt.Errorf("trail: config: invalid prefix %q", c.Prefix)
	case c.OrgID != "" && !schemas.ValidOrgID(c.OrgID):
		return c, fmt.Errorf("trail: config: invalid organization ID %q (want o- and 10 to 32 lowercase letters or digits)", c.OrgID)
	case !nameOK(c.TrailName):
		return c, fmt.Errorf("trail: config: invalid trail name %q", c.TrailName)
	case !schemas.ValidRegion(c.HomeRegion):
		return c, fmt.Errorf("trail: config: invalid home region %q", c.HomeRegion)
	case c.Interval < time.Second:
		return c, fmt.Errorf("trail: config: delivery interval %v shorter than 1s", c.Interval)
	case c.DeliveryDelay < 0:
		return c, fmt.Errorf("trail: config: negative delivery delay %v", c.DeliveryDelay)
	case c.MaxFileSize < minMaxFileSize:
		return c, fmt.Errorf("trail: config: max file size %d smaller than %d", c.MaxFileSize, minMaxFileSize)
	case len(c.RunID) > maxRunIDLen:
		return c, fmt.Errorf("trail: config: run ID longer than %d bytes", maxRunIDLen)
	case c.SigningKey != nil && c.SigningKey.N.BitLen() < 2048:
		return c, fmt.Errorf("trail: config: signing key has %d bits, want at least 2048", c.SigningKey.N.BitLen())
	}
	if c.Untidy != nil && !c.ByEventTime {
		c.Untidy = nil
	} else if c.Untidy != nil {
		u, err := c.Untidy.check()
		if err != nil {
			return c, fmt.Errorf("trail: config: %w", err)
		}
		c.Untidy = &u
	}
	return c, nil
}
