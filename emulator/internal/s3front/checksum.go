package s3front

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"strings"
)

// crc64NVME is the bit-reversed CRC-64/NVME polynomial (0xad93d23594c93659),
// the form hash/crc64.MakeTable expects. hash/crc64 pre- and post-inverts the
// register, which matches CRC-64/NVME's init and xorout of all ones.
const crc64NVME = 0x9a6c9329ac4bc9b5

// checksumAlgorithm is an S3 flexible checksum algorithm name in upper case,
// as used in x-amz-checksum-algorithm and x-amz-sdk-checksum-algorithm.
type checksumAlgorithm string

const (
	algCRC32     checksumAlgorithm = "CRC32"
	algCRC32C    checksumAlgorithm = "CRC32C"
	algCRC64NVME checksumAlgorithm = "CRC64NVME"
	algSHA1      checksumAlgorithm = "SHA1"
	algSHA256    checksumAlgorithm = "SHA256"
	algSHA512    checksumAlgorithm = "SHA512"
)

// checksumAlgorithms lists the supported algorithms in the order used when a
// request carries several checksum headers.
var checksumAlgorithms = [...]checksumAlgorithm{algCRC32, algCRC32C, algCRC64NVME, algSHA1, algSHA256, algSHA512}

// Checksum types reported in x-amz-checksum-type.
const (
	checksumFullObject = "FULL_OBJECT"
	checksumComposite  = "COMPOSITE"
)

// checksumHeaderPrefix starts every flexible checksum header name.
const checksumHeaderPrefix = "x-amz-checksum-"

// parseAlgorithm returns the algorithm named s (any case) and whether it is
// supported.
func parseAlgorithm(s string) (checksumAlgorithm, bool) {
	a := checksumAlgorithm(strings.ToUpper(strings.TrimSpace(s)))
	for _, known := range checksumAlgorithms {
		if a == known {
			return a, true
		}
	}
	return a, false
}

// headerName is the lower-case x-amz-checksum-<alg> header for a.
func (a checksumAlgorithm) headerName() string {
	return checksumHeaderPrefix + strings.ToLower(string(a))
}

// newHash returns a fresh hash for a; a must be supported.
func (a checksumAlgorithm) newHash() hash.Hash {
	switch a {
	case algCRC32:
		return crc32.NewIEEE()
	case algCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case algCRC64NVME:
		return crc64.New(crc64.MakeTable(crc64NVME))
	case algSHA1:
		return sha1.New()
	case algSHA256:
		return sha256.New()
	case algSHA512:
		return sha512.New()
	}
	panic("s3front: unsupported checksum algorithm " + string(a))
}

// size is the length in bytes of a's raw digest.
func (a checksumAlgorithm) size() int {
	return a.newHash().Size()
}

// sum returns a's raw digest of data.
func (a checksumAlgorithm) sum(data []byte) []byte {
	switch a {
	case algCRC32:
		return be32(crc32.ChecksumIEEE(data))
	case algCRC32C:
		return be32(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	case algCRC64NVME:
		v := crc64.Checksum(data, crc64.MakeTable(crc64NVME))
		return []byte{byte(v >> 56), byte(v >> 48), byte(v >> 40), byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	}
	h := a.newHash()
	h.Write(data)
	return h.Sum(nil)
}

func be32(v uint32) []byte {
	return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}

// decodeChecksum decodes a base64 checksum value for a and reports whether it
// has the right length.
func decodeChecksum(a checksumAlgorithm, v string) ([]byte, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
	if err != nil || len(raw) != a.size() {
		return nil, false
	}
	return raw, true
}

// compositeChecksum is S3's checksum of a multipart object: the checksum of
// the concatenated raw part checksums, base64, then "-" and the part count.
func compositeChecksum(a checksumAlgorithm, parts [][]byte) string {
	h := a.newHash()
	for _, p := range parts {
		h.Write(p)
	}
	return base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts))
}

// md5Sum returns the raw MD5 of data.
func md5Sum(data []byte) []byte {
	s := md5.Sum(data)
	return s[:]
}
