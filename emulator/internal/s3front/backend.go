package s3front

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"slices"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// Internal metadata keys, stored with each object through gofakes3's
// metadata (which keeps request headers named X-Amz-*) and never shown to
// clients. Names are canonical header keys, as gofakes3 stores them.
const (
	internalPrefix = "X-Amz-Firetrail-"
	// hdrChecksum holds "ALG TYPE BASE64VALUE", or "" for none.
	hdrChecksum = internalPrefix + "Checksum"
	// hdrID identifies one stored object version (tags refer to it).
	hdrID = internalPrefix + "Id"
	// hdrETag holds the multipart "MD5-N" ETag, or "".
	hdrETag = internalPrefix + "Etag"
	// hdrKeys lists the metadata keys written by the latest PUT: gofakes3's
	// backends merge the previous object's metadata into a new one.
	hdrKeys = internalPrefix + "Keys"
)

// storedChecksum is an object's S3 checksum.
type storedChecksum struct {
	alg   checksumAlgorithm
	ctype string // FULL_OBJECT or COMPOSITE
	value string // base64, "-N" suffix for composite
}

func (c storedChecksum) encode() string {
	if c.alg == "" {
		return ""
	}
	return string(c.alg) + " " + c.ctype + " " + c.value
}

func parseStoredChecksum(s string) (storedChecksum, bool) {
	f := strings.Fields(s)
	if len(f) != 3 {
		return storedChecksum{}, false
	}
	a, ok := parseAlgorithm(f[0])
	if !ok {
		return storedChecksum{}, false
	}
	return storedChecksum{alg: a, ctype: f[1], value: f[2]}, true
}

// backend wraps the user's Backend for gofakes3: it records which metadata
// keys a PUT wrote (and hides the ones merged in from an older object), and
// it finishes multipart completions with their checksum and ETag. It never
// exposes a MultipartBackend, so gofakes3 uses its own uploader on top of it.
type backend struct {
	gofakes3.Backend
	f *Front
}

// versionedBackend is backend for a Backend that supports versioning.
type versionedBackend struct {
	*backend
	gofakes3.VersionedBackend
}

func wrapBackend(b gofakes3.Backend, f *Front) gofakes3.Backend {
	w := &backend{Backend: b, f: f}
	if vb, ok := b.(gofakes3.VersionedBackend); ok {
		return &versionedBackend{backend: w, VersionedBackend: vb}
	}
	return w
}

func (b *backend) GetObject(bucket, key string, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := b.Backend.GetObject(bucket, key, rr)
	return visible(obj), err
}

func (b *backend) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	obj, err := b.Backend.HeadObject(bucket, key)
	return visible(obj), err
}

func (b *versionedBackend) GetObjectVersion(bucket, key string, v gofakes3.VersionID, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := b.VersionedBackend.GetObjectVersion(bucket, key, v, rr)
	return visible(obj), err
}

func (b *versionedBackend) HeadObjectVersion(bucket, key string, v gofakes3.VersionID) (*gofakes3.Object, error) {
	obj, err := b.VersionedBackend.HeadObjectVersion(bucket, key, v)
	return visible(obj), err
}

func (b *backend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if meta == nil {
		meta = make(map[string]string)
	}
	if s := b.f.takeStream(meta[hdrID]); s != nil {
		// A streamed PutObject body: its checksum is known at its end,
		// which the backend reads before it stores meta.
		s.onEnd = func() { meta[hdrChecksum] = s.body.objectChecksum().encode() }
	}
	if c := b.f.takeCompletion(meta[hdrID]); c != nil {
		var err error
		if input, err = c.apply(meta, input, size); err != nil {
			return gofakes3.PutObjectResult{}, err
		}
	}
	b.recordKeys(meta)
	return b.Backend.PutObject(bucket, key, meta, input, size, cond)
}

func (b *backend) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	if meta == nil {
		meta = make(map[string]string)
	}
	b.recordKeys(meta)
	return b.Backend.CopyObject(srcBucket, srcKey, dstBucket, dstKey, meta)
}

// recordKeys makes every internal key explicit (so no stale value can be
// merged in) and lists the keys of meta under hdrKeys.
func (b *backend) recordKeys(meta map[string]string) {
	for _, k := range []string{hdrChecksum, hdrETag} {
		if _, ok := meta[k]; !ok {
			meta[k] = ""
		}
	}
	if meta[hdrID] == "" {
		meta[hdrID] = b.f.newObjectID()
	}
	delete(meta, hdrKeys)
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	meta[hdrKeys] = strings.Join(keys, ",")
}

// visible drops metadata that a later PUT did not write (see hdrKeys).
func visible(obj *gofakes3.Object) *gofakes3.Object {
	if obj == nil {
		return nil
	}
	list, ok := obj.Metadata[hdrKeys]
	if !ok {
		return obj
	}
	meta := make(map[string]string, len(obj.Metadata))
	for k := range strings.SplitSeq(list, ",") {
		if v, ok := obj.Metadata[k]; ok {
			meta[k] = v
		}
	}
	obj.Metadata = meta
	return obj
}

// objectIdentity names one stored object version: our id, or for objects
// stored without one, its MD5 and modification time.
func objectIdentity(meta map[string]string, hash []byte) string {
	if id := meta[hdrID]; id != "" {
		return id
	}
	return "e" + hex.EncodeToString(hash) + "@" + meta["Last-Modified"]
}

// completion carries what CompleteMultipartUpload learned from the parts to
// the backend PutObject that gofakes3's uploader makes.
type completion struct {
	alg   checksumAlgorithm
	ctype string
	value string // composite value; computed by apply for FULL_OBJECT
	want  []byte // client's full-object checksum to verify, if any
	etag  string
	done  bool
}

func (c *completion) apply(meta map[string]string, input io.Reader, size int64) (io.Reader, error) {
	if c.alg != "" && c.ctype == checksumFullObject {
		data, err := gofakes3.ReadAll(input, size)
		if err != nil {
			return nil, err
		}
		sum := c.alg.sum(data)
		if c.want != nil && !bytes.Equal(sum, c.want) {
			return nil, gofakes3.ErrorMessage(gofakes3.ErrBadDigest, "The "+string(c.alg)+" you specified did not match the calculated checksum.")
		}
		c.value = base64.StdEncoding.EncodeToString(sum)
		input = bytes.NewReader(data)
	}
	if c.alg != "" && c.value != "" {
		meta[hdrChecksum] = storedChecksum{alg: c.alg, ctype: c.ctype, value: c.value}.encode()
	}
	meta[hdrETag] = c.etag
	c.done = true
	return input, nil
}

// takeStream returns and forgets the streamed PutObject body of object id.
func (f *Front) takeStream(id string) *bodyStream { return take(f, f.streams, id) }

// takeCompletion returns and forgets the pending completion of object id.
func (f *Front) takeCompletion(id string) *completion { return take(f, f.completions, id) }

// take returns and deletes m[id] (nil for id ""), with f.mu held.
func take[V any](f *Front, m map[string]*V, id string) *V {
	if id == "" {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v := m[id]
	delete(m, id)
	return v
}
