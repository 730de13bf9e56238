package trail

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// base prefix of every key of account: [prefix/]AWSLogs/[o-org/]account/
func (t *Trail) accountPrefix(dst []byte, account string) []byte {
	if t.cfg.Prefix != "" {
		dst = append(dst, t.cfg.Prefix...)
		dst = append(dst, '/')
	}
	dst = append(dst, "AWSLogs/"...)
	if t.cfg.OrgID != "" {
		dst = append(dst, t.cfg.OrgID...)
		dst = append(dst, '/')
	}
	dst = append(dst, account...)
	return append(dst, '/')
}

// logKey names a log file (CloudTrail User Guide, finding your log files):
// [prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz
// The path date and the stamp are the delivery time, the stamp rounded down
// to 5 minutes.
func (t *Trail) logKey(account, region string, delivered time.Time, seq int) string {
	stamp := delivered.UTC().Truncate(stampUnit)
	b := make([]byte, 0, 160)
	b = t.accountPrefix(b, account)
	b = append(b, "CloudTrail/"...)
	b = append(b, region...)
	b = append(b, '/')
	b = stamp.AppendFormat(b, "2006/01/02/")
	b = append(b, account...)
	b = append(b, "_CloudTrail_"...)
	b = append(b, region...)
	b = append(b, '_')
	b = stamp.AppendFormat(b, "20060102T1504Z_")
	b = appendUnique(b, t.cfg.Seed, t.cfg.RunID, account, region, stamp, seq)
	b = append(b, ".json.gz"...)
	return string(b)
}

// digestKey names a digest file (CloudTrail User Guide, digest files); path
// date and stamp
// are the digest's end time.
func (t *Trail) digestKey(account, region string, end time.Time) string {
	end = end.UTC()
	b := make([]byte, 0, 200)
	b = t.accountPrefix(b, account)
	b = append(b, "CloudTrail-Digest/"...)
	b = append(b, region...)
	b = append(b, '/')
	b = end.AppendFormat(b, "2006/01/02/")
	b = append(b, account...)
	b = append(b, "_CloudTrail-Digest_"...)
	b = append(b, region...)
	b = append(b, '_')
	b = append(b, t.cfg.TrailName...)
	b = append(b, '_')
	b = append(b, t.cfg.HomeRegion...)
	b = append(b, '_')
	b = end.AppendFormat(b, "20060102T150405Z.json.gz")
	return string(b)
}

const uniqueAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// appendUnique appends the 16-character [A-Za-z0-9] unique part of a log
// file name, derived from the seed, the run ID and the file's identity:
// account, region, stamp and the file's sequence number among files of that
// stamp. An empty run ID adds nothing to the hash: the names are those of
// the seed alone (generate's pinned output).
func appendUnique(dst []byte, seed int64, runID, account, region string, stamp time.Time, seq int) []byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seed))
	h.Write([]byte("firetrail/logfile\x00"))
	h.Write(n[:])
	h.Write([]byte(account))
	h.Write([]byte{0})
	h.Write([]byte(region))
	h.Write([]byte{0})
	binary.BigEndian.PutUint64(n[:], uint64(stamp.Unix()))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	if runID != "" {
		// Length-prefixed after everything else: the hash of an empty run
		// ID is unchanged, and no two run IDs hash alike.
		h.Write([]byte("run\x00"))
		binary.BigEndian.PutUint64(n[:], uint64(len(runID)))
		h.Write(n[:])
		h.Write([]byte(runID))
	}
	var sum [sha256.Size]byte
	for _, c := range h.Sum(sum[:0])[:16] {
		dst = append(dst, uniqueAlphabet[int(c)%len(uniqueAlphabet)])
	}
	return dst
}

// runIDLen is the length of a NewRunID.
const runIDLen = 22

// maxRunIDLen is the longest Config.RunID accepted.
const maxRunIDLen = 128

// NewRunID returns a random run ID for Config.RunID: 22 characters of
// [A-Za-z0-9] (about 131 bits), from crypto/rand.
func NewRunID() string {
	b := make([]byte, runIDLen)
	for i := 0; i < len(b); {
		var r [32]byte
		_, _ = rand.Read(r[:]) // never fails (crypto/rand panics instead)
		for _, c := range r {
			// 248 = 4*62: rejecting larger bytes keeps every character
			// equally likely.
			if c < 248 && i < len(b) {
				b[i] = uniqueAlphabet[int(c)%len(uniqueAlphabet)]
				i++
			}
		}
	}
	return string(b)
}
