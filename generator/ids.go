package generator

import (
	"encoding/binary"
	"math/rand"
	"unsafe"
)

// idChunk is how many UUIDs idSource formats per allocation.
const idChunk = 128

// idSource hands out v4-shaped UUID strings drawn from its own seeded
// source. It formats idChunk UUIDs into one string at a time and returns
// substrings of it, so a record costs no allocation of its own; the strings
// are ordinary immutable Go strings that callers may keep.
type idSource struct {
	src  rand.Source64
	buf  string
	next int
}

func newIDSource(seed int64) *idSource {
	return &idSource{src: rand.NewSource(seed).(rand.Source64)}
}

// uuid returns the next UUID.
func (s *idSource) uuid() string {
	if s.next == len(s.buf) {
		// Formatted in place and never written again: the string is the
		// allocation itself, not a copy of a buffer.
		b := make([]byte, 36*idChunk)
		for i := 0; i < len(b); i += 36 {
			putUUID(b[i:i+36], s.src.Uint64(), s.src.Uint64())
		}
		s.buf = unsafe.String(&b[0], len(b))
		s.next = 0
	}
	u := s.buf[s.next : s.next+36]
	s.next += 36
	return u
}

const hexDigits = "0123456789abcdef"

// putUUID writes the lowercase 8-4-4-4-12 form of the 128 bits hi:lo
// with the version (4) and variant (10xx) bits set to u[:36].
func putUUID(u []byte, hi, lo uint64) {
	_ = u[35]
	hi = hi&^(0xf<<12) | 0x4<<12 // version nibble: bits 12..15 of hi
	lo = lo&^(0x3<<62) | 0x2<<62 // variant: top two bits of lo
	h := hex8(uint32(hi))
	l := hex8(uint32(lo >> 32))
	binary.BigEndian.PutUint64(u[0:], hex8(uint32(hi>>32)))
	u[8] = '-'
	binary.BigEndian.PutUint32(u[9:], uint32(h>>32))
	u[13] = '-'
	binary.BigEndian.PutUint32(u[14:], uint32(h))
	u[18] = '-'
	binary.BigEndian.PutUint32(u[19:], uint32(l>>32))
	u[23] = '-'
	binary.BigEndian.PutUint32(u[24:], uint32(l))
	binary.BigEndian.PutUint64(u[28:], hex8(uint32(lo)))
}

// hex8 returns the 8 lowercase hex digits of v, most significant first,
// as the bytes of a big-endian uint64: each nibble is spread to a byte of
// its own, then turned into '0'…'9' or 'a'…'f' in all bytes at once.
func hex8(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	x = (x | x<<4) & 0x0f0f0f0f0f0f0f0f
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101 // 1 where the nibble is 10 or more
	return x + 0x3030303030303030 + letters*('a'-'0'-10)
}

// base32Upper is the alphabet of the characters after an IAM id prefix
// (upper-case letters and the digits 2–7, as in real IAM IDs).
const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// iamID returns prefix followed by n characters of base32Upper drawn from r.
func iamID(r *rand.Rand, prefix string, n int) string {
	b := make([]byte, 0, len(prefix)+n)
	b = append(b, prefix...)
	for range n {
		b = append(b, base32Upper[r.Intn(len(base32Upper))])
	}
	return string(b)
}

// accessKeyID returns a 20-character access key id: AKIA for long-term
// keys, ASIA for temporary ones.
func accessKeyID(r *rand.Rand, temporary bool) string {
	if temporary {
		return iamID(r, "ASIA", 16)
	}
	return iamID(r, "AKIA", 16)
}

// uniqueID returns a 21-character IAM unique id (AIDA user, AROA role).
func uniqueID(r *rand.Rand, prefix string) string { return iamID(r, prefix, 17) }

// hexString returns n lowercase hex digits drawn from r.
func hexString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.Intn(16)]
	}
	return string(b)
}

// alnumLower returns n characters of [a-z0-9] drawn from r.
func alnumLower(r *rand.Rand, n int) string {
	const set = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.Intn(len(set))]
	}
	return string(b)
}
