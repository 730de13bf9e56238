package s3front

import (
	"encoding/xml"
	"fmt"
	"net/http"

	"github.com/johannesboyne/gofakes3"
)

// SSE request and response headers (canonical keys).
const (
	hdrSSE          = "X-Amz-Server-Side-Encryption"
	hdrSSEKMSKeyID  = "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"
	hdrSSEBucketKey = "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"
)

// sseAES256 is SSE-S3, server-side encryption with S3 managed keys.
const sseAES256 = "AES256"

// validSSE lists the values of x-amz-server-side-encryption S3 accepts.
var validSSE = map[string]bool{sseAES256: true, "aws:kms": true, "aws:kms:dsse": true}

// sseConfiguration is the body of Get/PutBucketEncryption.
type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []sseRule `xml:"Rule"`
}

type sseRule struct {
	Default struct {
		SSEAlgorithm   string
		KMSMasterKeyID string `xml:",omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool
}

// defaultSSE is the default encryption of a bucket that was never given one:
// since January 2023 S3 applies SSE-S3 to every bucket, and
// GetBucketEncryption answers AES256 for all of them. Only objects of
// buckets given default encryption explicitly (SetBucketEncryption,
// PutBucketEncryption) or PUT with x-amz-server-side-encryption report it,
// though.
func defaultSSE() sseRule {
	var r sseRule
	r.Default.SSEAlgorithm = sseAES256
	return r
}

// SetBucketEncryption gives bucket SSE-S3 (AES256) default encryption, as
// PutBucketEncryption does: objects stored in it from then on, by
// Front.PutObject or by clients, report x-amz-server-side-encryption:
// AES256 on PUT, GET and HEAD, and GetBucketEncryption describes the rule.
func (f *Front) SetBucketEncryption(bucket string) error {
	if err := f.checkBucket(bucket); err != nil {
		return fmt.Errorf("set encryption of bucket %q: %w", bucket, err)
	}
	f.mu.Lock()
	f.encryption[bucket] = defaultSSE()
	f.mu.Unlock()
	return nil
}

// checkBucket answers NoSuchBucket for a bucket that does not exist.
func (f *Front) checkBucket(bucket string) error {
	ok, err := f.backend.BucketExists(bucket)
	if err != nil {
		return err
	}
	if !ok {
		return gofakes3.BucketNotFound(bucket)
	}
	return nil
}

// applySSE sets on h, the header of a request creating an object in bucket,
// the encryption the object gets: the client's x-amz-server-side-encryption
// (which must be valid), else the bucket's default encryption if it was
// given one. It returns the response headers that report it.
func (f *Front) applySSE(bucket string, h http.Header) (http.Header, error) {
	if v := h.Get(hdrSSE); v != "" {
		if !validSSE[v] {
			e := newError(http.StatusBadRequest, "InvalidArgument", "The encryption method specified is not supported")
			e.extra = []xmlElement{{XMLName: xml.Name{Local: "ArgumentName"}, Value: "x-amz-server-side-encryption"}, {XMLName: xml.Name{Local: "ArgumentValue"}, Value: v}}
			return nil, e
		}
	} else {
		f.mu.Lock()
		rule, ok := f.encryption[bucket]
		f.mu.Unlock()
		if !ok {
			return nil, nil
		}
		h.Set(hdrSSE, rule.Default.SSEAlgorithm)
		if rule.Default.KMSMasterKeyID != "" {
			h.Set(hdrSSEKMSKeyID, rule.Default.KMSMasterKeyID)
		}
		if rule.BucketKeyEnabled {
			h.Set(hdrSSEBucketKey, "true")
		}
	}
	out := make(http.Header, 3)
	for _, k := range []string{hdrSSE, hdrSSEKMSKeyID, hdrSSEBucketKey} {
		if v := h.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out, nil
}

// serveEncryption implements Get/Put/DeleteBucketEncryption.
func (f *Front) serveEncryption(rw *responseWriter, r *http.Request, bucket, key string, body *requestBody) error {
	if key != "" {
		return errNotImplemented("?encryption on an object")
	}
	if err := f.checkBucket(bucket); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet:
		f.mu.Lock()
		rule, ok := f.encryption[bucket]
		f.mu.Unlock()
		if !ok {
			rule = defaultSSE()
		}
		return writeXML(rw, sseConfiguration{Xmlns: s3Xmlns, Rules: []sseRule{rule}})
	case http.MethodPut:
		var in sseConfiguration
		if body == nil || xml.Unmarshal(body.data, &in) != nil || len(in.Rules) != 1 {
			return knownError(0, "MalformedXML", "")
		}
		rule := in.Rules[0]
		if !validSSE[rule.Default.SSEAlgorithm] || rule.Default.SSEAlgorithm == sseAES256 && rule.Default.KMSMasterKeyID != "" {
			return knownError(0, "MalformedXML", "")
		}
		f.mu.Lock()
		f.encryption[bucket] = rule
		f.mu.Unlock()
		rw.WriteHeader(http.StatusOK)
		return nil
	case http.MethodDelete:
		f.mu.Lock()
		delete(f.encryption, bucket)
		f.mu.Unlock()
		rw.WriteHeader(http.StatusNoContent)
		return nil
	}
	return knownError(0, "MethodNotAllowed", "")
}
