package emulator

import (
	"crypto/rsa"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/sigv4"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// Defaults of New.
const (
	DefaultBucket    = "firetrail-logs"
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "111122223333"
	// DefaultNoticeBuffer is the capacity of the Notifications channel.
	DefaultNoticeBuffer = 1024
)

// Option configures an Emulator (New, Start).
type Option func(*settings)

// settings is what the options set; New validates it.
type settings struct {
	bucket        string
	region        string
	accountID     string
	clock         trail.Clock
	interval      time.Duration
	dataDir       string
	signingKey    *rsa.PrivateKey
	seed          int64
	seedSet       bool
	events        int
	notifyURLs    []string
	s3EventURLs   []string
	throttle      bool
	logger        *slog.Logger
	tls           *tls.Config
	identities    map[string]schemas.UserIdentity
	noticeBuffer  int
	version       string
	firehoseDelay time.Duration
	eventQueues   []string
	topicQueues   []string
	limits        limitSettings                // limits.go
	auth          map[string]sigv4.Credentials // WithAuth (auth.go); nil: no signature checks
}

// WithBucket names the bucket log files are delivered to (default
// DefaultBucket). It is created at start.
func WithBucket(name string) Option { return func(s *settings) { s.bucket = name } }

// WithRegion sets the emulator's region (default DefaultRegion): the home
// region of its trail, the region of calls that carry no SigV4 scope.
func WithRegion(region string) Option { return func(s *settings) { s.region = region } }

// WithAccountID sets the emulator's account (default DefaultAccountID): the
// owner of the trail and of callers' default identities.
func WithAccountID(id string) Option { return func(s *settings) { s.accountID = id } }

// WithClock sets the time source. A *trail.FakeClock makes the emulator
// virtual: nothing is delivered until Advance or Flush. Any other clock
// (default trail.RealClock) delivers every delivery interval by itself.
func WithClock(c trail.Clock) Option { return func(s *settings) { s.clock = c } }

// WithDeliveryInterval sets how often log files are delivered (default
// trail.DefaultInterval, 5 minutes, as CloudTrail).
func WithDeliveryInterval(d time.Duration) Option { return func(s *settings) { s.interval = d } }

// WithDataDir keeps objects, the digest chain state, the generated signing
// key and therefore LookupEvents history in dir, so that they survive a
// restart. Without it everything lives in memory.
func WithDataDir(dir string) Option { return func(s *settings) { s.dataDir = dir } }

// WithSigningKey sets the RSA key (2048 bits or more) digests are signed
// with; by default one is generated at start (and kept in the data
// directory, if any).
func WithSigningKey(key *rsa.PrivateKey) Option { return func(s *settings) { s.signingKey = key } }

// WithSeed seeds everything the emulator makes up: generated activity
// (WithEvents), request and event IDs, log file names. With a data
// directory every run (restart) also gets IDs and log file names of its
// own, so that runs never collide.
func WithSeed(seed int64) Option {
	return func(s *settings) { s.seed, s.seedSet = seed, true }
}

// WithEvents preloads n generated records (from the generator, seeded by
// WithSeed), ending at the clock's time, and delivers them at start.
func WithEvents(n int) Option { return func(s *settings) { s.events = n } }

// WithNotify subscribes an HTTP(S) endpoint to the trail's SNS topic, as
// SNS does: when the emulator starts serving, the
// endpoint gets a SubscriptionConfirmation whose SubscribeURL points at the
// emulator; once it has visited it, a signed SNS envelope per delivered
// log file (not digests), whose SigningCertURL the emulator also serves.
// Notices before the confirmation are dropped; failed POSTs are retried.
// Repeatable.
func WithNotify(rawURL string) Option {
	return func(s *settings) { s.notifyURLs = append(s.notifyURLs, rawURL) }
}

// WithS3Events posts an S3 event notification (ObjectCreated:Put, in S3's
// event message format) for each delivered log file to rawURL. Repeatable.
func WithS3Events(rawURL string) Option {
	return func(s *settings) { s.s3EventURLs = append(s.s3EventURLs, rawURL) }
}

// WithThrottle reproduces CloudTrail's rate limits: LookupEvents 2
// requests per second per account and region, the other CloudTrail calls
// 10; over them calls fail with ThrottlingException "Rate exceeded".
func WithThrottle(on bool) Option { return func(s *settings) { s.throttle = on } }

// WithLogger sets the logger of diagnostics (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *settings) { s.logger = l } }

// WithTLS makes Serve speak HTTPS with cfg (see SelfSignedTLS). Recorded
// Firehose calls then carry tlsDetails.
func WithTLS(cfg *tls.Config) Option { return func(s *settings) { s.tls = cfg } }

// WithIdentity makes calls signed with accessKeyID come from id: its
// account (id.AccountID, default the emulator's) owns the delivery streams
// they touch, and their records carry id as userIdentity.
func WithIdentity(accessKeyID string, id schemas.UserIdentity) Option {
	return func(s *settings) {
		if s.identities == nil {
			s.identities = map[string]schemas.UserIdentity{}
		}
		id.AccessKeyID = accessKeyID
		s.identities[accessKeyID] = id
	}
}

// WithNoticeBuffer sets the capacity of the Notifications channel (default
// DefaultNoticeBuffer).
func WithNoticeBuffer(n int) Option { return func(s *settings) { s.noticeBuffer = n } }

// WithFirehoseCreateDelay sets how long (by the emulator's clock) a new
// delivery stream stays CREATING, and a deleted one DELETING, before it is
// ACTIVE or gone (default 500ms: long enough that code which uses a stream
// before it is ACTIVE fails, as on AWS, short enough for tests; a negative
// d makes streams ACTIVE at once).
func WithFirehoseCreateDelay(d time.Duration) Option {
	return func(s *settings) { s.firehoseDelay = d }
}

// WithS3EventQueue creates an SQS queue called name, in the emulator's
// account and region, that receives the S3 event notifications of the
// trail's bucket for every object created under AWSLogs/ (log and digest
// files): a bucket notification configuration, as Filebeat's aws-s3
// input, Vector's aws_s3 source and Splunk's SQS-based S3 input expect.
// The queue gets S3's s3:TestEvent first. Repeatable.
func WithS3EventQueue(name string) Option {
	return func(s *settings) { s.eventQueues = append(s.eventQueues, name) }
}

// WithTopicQueue creates an SQS queue called name, in the emulator's
// account and region, subscribed to the trail's SNS topic: it receives
// CloudTrail's notification of every delivered log file in an SNS
// envelope. Repeatable.
func WithTopicQueue(name string) Option {
	return func(s *settings) { s.topicQueues = append(s.topicQueues, name) }
}

// WithVersion sets the version the health endpoint reports (default
// "devel"); cmd/firetrail passes its build's.
func WithVersion(v string) Option { return func(s *settings) { s.version = v } }

func (s *settings) validate() error {
	if !schemas.ValidRegion(s.region) {
		return fmt.Errorf("invalid region %q", s.region)
	}
	if !schemas.ValidAccountID(s.accountID) {
		return fmt.Errorf("invalid account ID %q (want 12 digits)", s.accountID)
	}
	if s.interval < time.Second {
		return fmt.Errorf("delivery interval %v shorter than 1s", s.interval)
	}
	if s.events < 0 {
		return fmt.Errorf("negative event count %d", s.events)
	}
	if s.noticeBuffer < 1 {
		return fmt.Errorf("notice buffer %d smaller than 1", s.noticeBuffer)
	}
	for _, u := range append(append([]string(nil), s.notifyURLs...), s.s3EventURLs...) {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("invalid notification URL %q (want http:// or https://)", u)
		}
	}
	return nil
}
