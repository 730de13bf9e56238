package schemas

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kinds of CloudTrail S3 object (the folder after the account ID).
const (
	KindLog     = "CloudTrail"
	KindDigest  = "CloudTrail-Digest"
	KindInsight = "CloudTrail-Insight"
)

// Delivery tolerances of the file-key checks. The file stamp has minute
// precision and whether it is rounded down to 5 minutes is unverified, so
// records may be up to StampTolerance after it; CloudTrail delivers within
// minutes, so a record more than MaxDeliveryLag before the path date is
// misfiled.
const (
	StampTolerance = 5 * time.Minute
	MaxDeliveryLag = 24 * time.Hour
)

// LogKey is a parsed CloudTrail S3 object key (CloudTrail User Guide, finding
// your log files and digest files):
// [prefix/]AWSLogs/[o-orgid/]ACCOUNT/KIND/REGION/YYYY/MM/DD/FILE.
type LogKey struct {
	// Prefix is everything before AWSLogs/ without the final slash.
	Prefix string
	// OrgID is the organization ID of an organization trail, or "".
	OrgID     string
	AccountID string
	// Kind is KindLog, KindDigest or KindInsight.
	Kind   string
	Region string
	// Date is the path's YYYY/MM/DD at midnight UTC.
	Date time.Time
	// Stamp is the file name's time: YYYYMMDDTHHmmZ for logs and Insight
	// files, YYYYMMDDTHHMMSSZ for digests.
	Stamp time.Time
	// Unique is the random part of a log file name; Trail and HomeRegion
	// are named by digest files.
	Unique, Trail, HomeRegion string
	// File is the file name, the last part of the key.
	File string
}

var uniquePattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// ParseLogKey parses the CloudTrail layout out of key, an S3 key or a slash
// path that contains one (the last AWSLogs/ segment counts). ok is false
// when key is not in the layout at all; err is set when it is, but the parts
// are malformed or the file name disagrees with the path.
func ParseLogKey(key string) (k LogKey, ok bool, err error) {
	segs := strings.Split(key, "/")
	at := -1
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i] == "AWSLogs" {
			at = i
			break
		}
	}
	if at < 0 {
		return k, false, nil
	}
	rest := segs[at+1:]
	if len(rest) > 0 && strings.HasPrefix(rest[0], "o-") {
		k.OrgID, rest = rest[0], rest[1:]
	}
	if len(rest) < 2 || (rest[1] != KindLog && rest[1] != KindDigest && rest[1] != KindInsight) {
		return k, false, nil
	}
	k.Prefix = strings.Join(segs[:at], "/")
	k.AccountID, k.Kind = rest[0], rest[1]
	rest = rest[2:]
	if err := k.parse(rest); err != nil {
		return k, true, fmt.Errorf("key %s: %w", key, err)
	}
	return k, true, nil
}

func (k *LogKey) parse(rest []string) error {
	if k.OrgID != "" && !ValidOrgID(k.OrgID) {
		return fmt.Errorf("organization ID %q is not o- and 10 to 32 of a-z, 0-9", k.OrgID)
	}
	if !ValidAccountID(k.AccountID) {
		return fmt.Errorf("account %q is not 12 digits", k.AccountID)
	}
	if len(rest) != 5 {
		return fmt.Errorf("want REGION/YYYY/MM/DD/FILE after %s/, got %d parts", k.Kind, len(rest))
	}
	k.Region = rest[0]
	if !ValidRegion(k.Region) {
		return fmt.Errorf("region %q is not a region name", k.Region)
	}
	date, err := time.Parse("2006/01/02", rest[1]+"/"+rest[2]+"/"+rest[3])
	if err != nil {
		return fmt.Errorf("date %s/%s/%s is not YYYY/MM/DD", rest[1], rest[2], rest[3])
	}
	k.Date = date
	name := rest[4]
	k.File = name
	base, found := strings.CutSuffix(name, ".json.gz")
	if !found {
		if base, found = strings.CutSuffix(name, ".json"); !found {
			return fmt.Errorf("file name %q does not end in .json.gz", name)
		}
	}
	want := k.AccountID + "_" + k.Kind + "_" + k.Region + "_"
	if !strings.HasPrefix(base, want) {
		return k.nameMismatch(name, base)
	}
	base = base[len(want):]
	var stamp string
	if k.Kind == KindDigest {
		base = strings.TrimSuffix(base, "_backfill")
		// TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ; trail names may hold '_'.
		i := strings.LastIndexByte(base, '_')
		j := strings.LastIndexByte(base[:max(i, 0)], '_')
		if i < 0 || j <= 0 {
			return fmt.Errorf("digest file name %q is not ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz", name)
		}
		k.Trail, k.HomeRegion, stamp = base[:j], base[j+1:i], base[i+1:]
		t, err := time.Parse("20060102T150405Z", stamp)
		if err != nil {
			return fmt.Errorf("digest file name %q: stamp %q is not YYYYMMDDTHHMMSSZ", name, stamp)
		}
		k.Stamp = t
	} else {
		var ok bool
		stamp, k.Unique, ok = strings.Cut(base, "_")
		if !ok || !uniquePattern.MatchString(k.Unique) {
			return fmt.Errorf("file name %q is not ACCOUNT_%s_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz", name, k.Kind)
		}
		t, err := time.Parse("20060102T1504Z", stamp)
		if err != nil {
			return fmt.Errorf("file name %q: stamp %q is not YYYYMMDDTHHmmZ", name, stamp)
		}
		k.Stamp = t
	}
	if y, m, d := k.Stamp.Date(); y != k.Date.Year() || m != k.Date.Month() || d != k.Date.Day() {
		return fmt.Errorf("file name date %s does not match path date %s", k.Stamp.Format("2006-01-02"), k.Date.Format("2006-01-02"))
	}
	return nil
}

// nameMismatch explains why a file name does not start with
// ACCOUNT_KIND_REGION_.
func (k *LogKey) nameMismatch(name, base string) error {
	parts := strings.SplitN(base, "_", 4)
	switch {
	case len(parts) < 4 || parts[1] != k.Kind:
		return fmt.Errorf("file name %q is not ACCOUNT_%s_REGION_…", name, k.Kind)
	case parts[0] != k.AccountID:
		return fmt.Errorf("file name account %s does not match path account %s", parts[0], k.AccountID)
	default:
		return fmt.Errorf("file name region %s does not match path region %s", parts[2], k.Region)
	}
}

// Batch validates the records of several files together, adding the checks
// that span records: an eventID seen twice anywhere in the batch, and
// records that disagree with the CloudTrail key of their file. Memory grows
// with the number of distinct eventIDs (about 50 bytes each).
//
// A Batch is not safe for concurrent use; its Validator is.
type Batch struct {
	v         *Validator
	files     []string
	uuids     map[[16]byte]recordRef
	others    map[string]recordRef
	key       *LogKey
	notAfter  time.Time // latest eventTime allowed by the current key
	notBefore time.Time // earliest eventTime allowed by the current key
}

type recordRef struct {
	file  int32
	index int32
}

// NewBatch returns an empty Batch that validates records with v.
func NewBatch(v *Validator) *Batch {
	return &Batch{v: v, uuids: map[[16]byte]recordRef{}, others: map[string]recordRef{}}
}

// Validator returns the Validator b validates records with.
func (b *Batch) Validator() *Validator { return b.v }

// StartFile begins the records of the file called name (used in
// duplicate-eventID messages). key is the file's parsed CloudTrail key, or
// nil when it has none.
func (b *Batch) StartFile(name string, key *LogKey) {
	b.files = append(b.files, name)
	b.key = key
	if key != nil {
		b.notAfter = key.Stamp.Add(StampTolerance)
		b.notBefore = key.Date.Add(-MaxDeliveryLag)
	}
}

// Validate validates the record at index in the current file: the checks of
// Validator.Validate, then the cross-record checks. It is Add(index,
// b.Validator().Check(record)).
func (b *Batch) Validate(index int, record []byte) []Problem {
	return b.Add(index, b.v.Check(record))
}

// Result is the outcome of Validator.Check on one record: its problems and
// what the cross-record checks of a Batch need. It refers to the record's
// bytes, which must not change until the Result is added to a Batch.
type Result struct {
	// Problems are the record's own problems, as Validate returns them.
	Problems                                          []Problem
	parsed                                            bool
	eventID, eventTime, awsRegion, recipientAccountID []byte
}

// Check validates one record like Validate and also returns what a Batch
// needs to check it against other records. Validators can Check records
// concurrently and add the Results to a Batch in order.
func (v *Validator) Check(record []byte) Result {
	var info recordInfo
	probs := v.validate(record, &info, nil)
	return Result{Problems: probs, parsed: info.parsed, eventID: info.eventID, eventTime: info.eventTime,
		awsRegion: info.awsRegion, recipientAccountID: info.recipientAccountID}
}

// Add runs the cross-record checks on the Result of the record at index in
// the current file and returns all its problems.
func (b *Batch) Add(index int, r Result) []Problem {
	probs := r.Problems
	if !r.parsed {
		return probs
	}
	info := &r
	if len(b.files) == 0 {
		b.StartFile("", nil)
	}
	ref := recordRef{file: int32(len(b.files) - 1), index: int32(index)}
	if id := info.eventID; len(id) > 0 {
		var first recordRef
		var dup bool
		if u, ok := parseUUID(id); ok {
			if first, dup = b.uuids[u]; !dup {
				b.uuids[u] = ref
			}
		} else if first, dup = b.others[string(id)]; !dup {
			b.others[string(id)] = ref
		}
		if dup {
			probs = append(probs, problem("/eventID", "duplicate eventID %s, first seen in %s record %d", id, b.files[first.file], first.index))
		}
	}
	if k := b.key; k != nil && k.Kind != KindDigest {
		if r := info.recipientAccountID; len(r) > 0 && string(r) != k.AccountID {
			probs = append(probs, problem("/recipientAccountId", "%s does not match account %s of the file key", r, k.AccountID))
		}
		if r := info.awsRegion; len(r) > 0 && string(r) != k.Region {
			probs = append(probs, problem("/awsRegion", "%s does not match region %s of the file key", r, k.Region))
		}
		if t, ok := parseEventTime(info.eventTime); ok {
			switch {
			case !t.Before(b.notAfter):
				probs = append(probs, problem("/eventTime", "%s is after the file stamp %s", info.eventTime, k.Stamp.Format("20060102T1504Z")))
			case t.Before(b.notBefore):
				probs = append(probs, problem("/eventTime", "%s is more than %s before the path date %s", info.eventTime, strconv.Itoa(int(MaxDeliveryLag.Hours()))+"h", k.Date.Format("2006/01/02")))
			}
		}
	}
	return probs
}

// parseUUID decodes an 8-4-4-4-12 hex UUID (either case).
func parseUUID(s []byte) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	// Groups of the text and where their bytes go in u.
	for _, g := range [...]struct{ from, to, at int }{{0, 8, 0}, {9, 13, 4}, {14, 18, 6}, {19, 23, 8}, {24, 36, 10}} {
		if _, err := hex.Decode(u[g.at:], s[g.from:g.to]); err != nil {
			return u, false
		}
	}
	return u, true
}
