package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"slices"
	"strings"
)

// Chain verifies the chunk signatures of an aws-chunked body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
// each chunk's signature signs its data and the previous signature,
// starting from the request's (seed) signature; the final, empty chunk is
// signed too, and with a …-PAYLOAD-TRAILER payload hash the trailer is
// signed by x-amz-trailer-signature, chained from the final chunk's.
type Chain struct {
	key            []byte
	amzDate, scope string
	prev           string
	trailer        bool
}

// SignsTrailer reports whether the trailer must carry
// x-amz-trailer-signature.
func (c *Chain) SignsTrailer() bool { return c.trailer }

// Next verifies the signature of the next chunk, whose data is data
// (empty for the final chunk).
func (c *Chain) Next(signature string, data []byte) error {
	return c.NextSum(signature, sha256.Sum256(data))
}

// NextSum is Next for a chunk whose data was hashed as it streamed by:
// sum is its SHA-256.
func (c *Chain) NextSum(signature string, sum [sha256.Size]byte) error {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev + "\n" + EmptySHA256 + "\n" + hex.EncodeToString(sum[:])
	return c.check(sts, signature)
}

// Trailer verifies the trailer signature over the trailing headers
// (lower-case names, x-amz-trailer-signature excluded).
func (c *Chain) Trailer(signature string, trailers map[string]string) error {
	names := make([]string, 0, len(trailers))
	for k := range trailers {
		if k != "x-amz-trailer-signature" {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k + ":" + trailers[k] + "\n")
	}
	sum := sha256.Sum256([]byte(b.String()))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev + "\n" + hex.EncodeToString(sum[:])
	return c.check(sts, signature)
}

func (c *Chain) check(sts, signature string) error {
	want := hex.EncodeToString(hmacSHA256(c.key, sts))
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(signature))) != 1 {
		return &Error{Kind: Mismatch, StringToSign: sts, SignatureProvided: signature}
	}
	c.prev = want
	return nil
}
