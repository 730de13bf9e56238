package generator

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// DefaultStart is the first instant of a generated world when Config.Start
// is zero: Monday 2025-03-03T00:00:00Z. The wall clock is never used.
var DefaultStart = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

// Defaults of Config fields left at their zero value.
const (
	DefaultEvents         = 1000
	DefaultAccounts       = 1
	DefaultEventVersion   = "1.08"
	DefaultReadOnlyShare  = 0.70
	DefaultErrorShare     = 0.04
	DefaultDataEventShare = 0.15
)

// RateMax is the Rate of a run whose records are all due at once (a load
// run as fast as its store takes them): every record at Start, the world
// at its own pace.
const RateMax = math.MaxFloat64

// Identity sets of Config.Identities.
const (
	// IdentitiesDefault is the callers that can call Firehose: the root
	// user, IAM users, assumed roles (Identity Center sessions as
	// AWSReservedSSO_* roles), federated users, AWS services and AWS's
	// internal callers.
	IdentitiesDefault = "default"
	// IdentitiesAll adds identity types Firehose records do not have
	// (AWSAccount of another account, IdentityCenterUser, Role): only for
	// testing parsers on them.
	IdentitiesAll = "all"
)

// IdentitySets lists the values of Config.Identities.
func IdentitySets() []string { return []string{IdentitiesDefault, IdentitiesAll} }

// DefaultRegions are the regions of a world when Config.Regions is empty.
var DefaultRegions = []string{"us-east-1", "us-west-2", "eu-west-1"}

// Config is the identity of a generated world: the same Config and the same
// firetrail version give the same records, byte for byte. Zero fields take
// the defaults above. Config marshals to JSON for ground-truth manifests.
type Config struct {
	// Seed selects the world. Every seed, 0 included, replays.
	Seed int64 `json:"seed"`
	// Start is the instant the simulation begins (UTC, whole seconds).
	Start time.Time `json:"start"`
	// Rate, when positive, paces the records steadily, as a load run sends
	// them: record i of the whole run happens at Start + ⌊i/Rate⌋ seconds.
	// The world's activity (which calls, by whom, in what order) then no
	// longer depends on Start, which only places the records in time, so
	// shards started at different instants still split one run; sessions
	// last hours of the records' time, however many records that is.
	//
	// The world then runs at the pace of the records' time, its accounts
	// as busy as on a working day around the clock: a stream is ACTIVE
	// 20 to 60 seconds after its CreateDeliveryStream, and the management
	// calls of an account keep to a person's and a pipeline's pace. Where
	// Rate asks for more records than that, data events of the accounts'
	// producers (PutRecord, PutRecordBatch on ACTIVE DirectPut streams,
	// among them production streams the world starts with for this,
	// unless EmptyWorld) make up the rest, as they do in a real account
	// with that much traffic; with DataEventShare negative (no data
	// events) the world is hurried instead, its activity compressed into
	// the records' time. RateMax puts every record at Start with the world
	// at its own pace.
	//
	// 0, the default, is the working-week model described in the package
	// documentation.
	Rate float64 `json:"rate,omitempty"`
	// Events is the number of records of the whole (unsharded) run.
	Events int `json:"events"`
	// Accounts is the number of AWS accounts that own delivery streams.
	Accounts int `json:"accounts"`
	// AccountIDs, if set, are the IDs of the first accounts (12 digits,
	// distinct) in place of generated ones; Accounts grows to hold them.
	// Nothing else of the world changes, so an emulator can put generated
	// activity in its own trail's account.
	AccountIDs []string `json:"accountIds,omitempty"`
	// Regions are the regions streams live in; the first is the busiest.
	Regions []string `json:"regions"`
	// Org makes the accounts members of an AWS Organization; OrgID names
	// it (generated from the seed when empty and Org is set).
	Org   bool   `json:"org,omitempty"`
	OrgID string `json:"orgId,omitempty"`
	// Scenario plants labelled incidents (see Scenarios); "" plants none.
	Scenario string `json:"scenario,omitempty"`
	// Shard and Shards select the part Shard of Shards (0 ≤ Shard < Shards)
	// of the run; Shards 0 or 1 is the whole run.
	Shard  int `json:"shard,omitempty"`
	Shards int `json:"shards,omitempty"`
	// EventVersion is written in every record ("1.02" … "1.11"). Fields that
	// a version predates are left out (AWS CloudTrail User Guide, CloudTrail
	// record contents).
	EventVersion string `json:"eventVersion"`
	// ReadOnlyShare is the target share of records with readOnly true.
	ReadOnlyShare float64 `json:"readOnlyShare"`
	// ErrorShare is the target share of failed calls; negative means none
	// beyond those the world's own state causes.
	ErrorShare float64 `json:"errorShare"`
	// DataEventShare is the target share of PutRecord/PutRecordBatch data
	// events (a shape inferred from other services, unverified for Firehose);
	// negative means no data events, as for a
	// trail without a data-event selector.
	DataEventShare float64 `json:"dataEventShare"`
	// Identities is the set of caller identities: IdentitiesDefault (when
	// empty) or IdentitiesAll, which adds identity types that cannot call
	// Firehose.
	Identities string `json:"identities,omitempty"`
	// EmptyWorld starts with no delivery streams: every stream the records
	// mention is created in them. By default each account and region
	// starts with streams created before Start.
	EmptyWorld bool `json:"emptyWorld,omitempty"`
}

var eventVersionRE = regexp.MustCompile(`^1\.(0[2-9]|1[01])$`)

// withDefaults returns c with zero fields set to their defaults, and
// reports the first invalid field.
func (c Config) withDefaults() (Config, error) {
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC().Truncate(time.Second)
	if y := c.Start.Year(); y < 1970 || y > 9000 {
		return c, fmt.Errorf("start %s: want a time between 1970 and 9000", c.Start.Format(time.RFC3339))
	}
	if c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0) {
		return c, fmt.Errorf("rate %v: want a positive number of records a second, or 0", c.Rate)
	}
	if c.Events == 0 {
		c.Events = DefaultEvents
	}
	if c.Events < 0 {
		return c, fmt.Errorf("events %d: must not be negative", c.Events)
	}
	if c.Accounts == 0 {
		c.Accounts = DefaultAccounts
	}
	if c.Accounts < 0 {
		// Checked before AccountIDs grows it: -11 would become 0 accounts.
		return c, fmt.Errorf("accounts %d: must be 1 to 1000", c.Accounts)
	}
	if len(c.AccountIDs) > c.Accounts {
		c.Accounts = len(c.AccountIDs)
	}
	seenIDs := make(map[string]bool, len(c.AccountIDs))
	for _, id := range c.AccountIDs {
		if !schemas.ValidAccountID(id) {
			return c, fmt.Errorf("account id %q: want 12 digits", id)
		}
		if seenIDs[id] {
			return c, fmt.Errorf("account id %s: given twice", id)
		}
		seenIDs[id] = true
	}
	if c.Accounts < 0 || c.Accounts > 1000 {
		return c, fmt.Errorf("accounts %d: must be 1 to 1000", c.Accounts)
	}
	if len(c.Regions) == 0 {
		c.Regions = slices.Clone(DefaultRegions)
	}
	for i, r := range c.Regions {
		if !schemas.ValidRegion(r) {
			return c, fmt.Errorf("region %q: not a region name like us-east-1", r)
		}
		if slices.Contains(c.Regions[:i], r) {
			return c, fmt.Errorf("region %q: listed twice", r)
		}
	}
	if c.OrgID != "" {
		if !schemas.ValidOrgID(c.OrgID) {
			return c, fmt.Errorf("org id %q: want o- and 10 to 32 lower-case letters or digits", c.OrgID)
		}
		c.Org = true
	}
	if c.Scenario != "" && !slices.Contains(Scenarios(), c.Scenario) {
		return c, fmt.Errorf("scenario %q: unknown (known: %s)", c.Scenario, strings.Join(Scenarios(), ", "))
	}
	if c.Identities == "" {
		c.Identities = IdentitiesDefault
	}
	if !slices.Contains(IdentitySets(), c.Identities) {
		return c, fmt.Errorf("identities %q: want %s", c.Identities, strings.Join(IdentitySets(), " or "))
	}
	if c.Shards == 0 {
		c.Shards = 1
	}
	if c.Shards < 0 || c.Shard < 0 || c.Shard >= c.Shards {
		return c, fmt.Errorf("shard %d/%d: want 0 <= k < N", c.Shard, c.Shards)
	}
	if c.EventVersion == "" {
		c.EventVersion = DefaultEventVersion
	}
	if !eventVersionRE.MatchString(c.EventVersion) {
		return c, fmt.Errorf("event version %q: want 1.02 to 1.11", c.EventVersion)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"read-only share", c.ReadOnlyShare}, {"error share", c.ErrorShare}, {"data event share", c.DataEventShare}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return c, fmt.Errorf("%s %g: not a number", f.name, f.v)
		}
	}
	if c.ReadOnlyShare == 0 {
		c.ReadOnlyShare = DefaultReadOnlyShare
	}
	if c.ErrorShare == 0 {
		c.ErrorShare = DefaultErrorShare
	}
	if c.DataEventShare == 0 {
		c.DataEventShare = DefaultDataEventShare
	}
	if c.ErrorShare > 0.5 {
		return c, fmt.Errorf("error share %g: must be at most 0.5", c.ErrorShare)
	}
	if c.DataEventShare > 0.8 {
		return c, fmt.Errorf("data event share %g: must be at most 0.8", c.DataEventShare)
	}
	if c.ReadOnlyShare < 0.05 || c.ReadOnlyShare+max(c.DataEventShare, 0) > 0.97 {
		return c, fmt.Errorf("read-only share %g: must be at least 0.05 and leave room for writes beside data events (%g)", c.ReadOnlyShare, max(c.DataEventShare, 0))
	}
	return c, nil
}

// minor returns the minor number of the event version ("1.08" → 8).
func (c *Config) minor() int {
	n, _ := strconv.Atoi(c.EventVersion[2:])
	return n
}

// ParseShard parses "k/N" (0 ≤ k < N) as given to --shard.
func ParseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		k, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || k < 0 || k >= n {
		return 0, 0, fmt.Errorf("shard %q: want k/N with 0 <= k < N", s)
	}
	return k, n, nil
}
