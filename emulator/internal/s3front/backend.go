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

// Deletions in a versioned bucket. gofakes3's in-memory backend (s3mem)
// can leave a key with older versions and no current one: when a version
// delete removes the current version, or a plain delete removes it while
// versioning is suspended. It then reads the missing current version on
// HEAD, GET, PUT and listings of the bucket, and panics (InternalError for
// every listing of the bucket from then on). S3 makes the newest remaining
// version current; keepCurrent does that after each deletion. The
// backend has no way to make an old version current again, so the newest
// one is stored again as a new version (same bytes and metadata, a new
// version ID) and its old version deleted; with versioning suspended, the
// backend keeps no history, so the older versions go. A plain delete with
// versioning suspended (S3: a "null" delete marker becomes current, the
// key reads as deleted) removes the older versions: the key is gone.

// DeleteObject is the backend's, then keepCurrent.
func (b *versionedBackend) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	res, err := b.backend.DeleteObject(bucket, key)
	b.keepCurrent(bucket, key, true)
	return res, err
}

// DeleteObjectVersion is the backend's, then keepCurrent.
func (b *versionedBackend) DeleteObjectVersion(bucket, key string, v gofakes3.VersionID) (gofakes3.ObjectDeleteResult, error) {
	res, err := b.VersionedBackend.DeleteObjectVersion(bucket, key, v)
	b.keepCurrent(bucket, key, false)
	return res, err
}

// DeleteMulti is the backend's, then keepCurrent for each key.
func (b *versionedBackend) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	res, err := b.backend.DeleteMulti(bucket, keys...)
	for _, k := range keys {
		b.keepCurrent(bucket, k, true)
	}
	return res, err
}

// DeleteMultiVersions is the backend's, then keepCurrent for each key.
func (b *versionedBackend) DeleteMultiVersions(bucket string, objects ...gofakes3.ObjectID) (gofakes3.MultiDeleteResult, error) {
	res, err := b.VersionedBackend.DeleteMultiVersions(bucket, objects...)
	for _, o := range objects {
		b.keepCurrent(bucket, o.Key, o.VersionID == "")
	}
	return res, err
}

// keepCurrent makes the newest remaining version of key current if a
// deletion (plain, or of a version) left it none (see DeleteObject). An
// error leaves the key as it is.
func (b *versionedBackend) keepCurrent(bucket, key string, plain bool) {
	for {
		cfg, err := b.VersionedBackend.VersioningConfiguration(bucket)
		if err != nil || cfg.Status == "" {
			return // never versioned: the backend keeps no older versions
		}
		versions, current := b.versionsOf(bucket, key)
		if current || len(versions) == 0 {
			return
		}
		if plain && !cfg.Enabled() {
			b.dropVersions(bucket, key, versions)
			return
		}
		newest := versions[len(versions)-1]
		id := newest.GetVersionID()
		if _, ok := newest.(*gofakes3.DeleteMarker); ok {
			if _, err := b.VersionedBackend.DeleteObjectVersion(bucket, key, id); err != nil {
				return
			}
			if cfg.Enabled() {
				// A new marker over the older versions.
				_, _ = b.backend.Backend.DeleteObject(bucket, key)
				return
			}
			continue
		}
		obj, err := b.VersionedBackend.GetObjectVersion(bucket, key, id, nil)
		if err != nil {
			return
		}
		body, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			return
		}
		if cfg.Enabled() {
			// A delete marker first makes the key readable (PutObject
			// reads the current version); it goes into the history
			// under the new version, and is deleted from there.
			marker, err := b.backend.Backend.DeleteObject(bucket, key)
			if err != nil {
				return
			}
			if _, err := b.VersionedBackend.DeleteObjectVersion(bucket, key, id); err != nil {
				return
			}
			if _, err := b.backend.Backend.PutObject(bucket, key, obj.Metadata, bytes.NewReader(body), int64(len(body)), nil); err != nil {
				return
			}
			_, _ = b.VersionedBackend.DeleteObjectVersion(bucket, key, marker.VersionID)
			return
		}
		if b.dropVersions(bucket, key, versions) {
			_, _ = b.backend.Backend.PutObject(bucket, key, obj.Metadata, bytes.NewReader(body), int64(len(body)), nil)
		}
		return
	}
}

// dropVersions deletes versions of key, reporting whether all went.
func (b *versionedBackend) dropVersions(bucket, key string, versions []gofakes3.VersionItem) bool {
	for _, v := range versions {
		if _, err := b.VersionedBackend.DeleteObjectVersion(bucket, key, v.GetVersionID()); err != nil {
			return false
		}
	}
	return true
}

// versionsOf returns the versions and delete markers of key, oldest first
// (the backend lists them in the order of their version IDs, which it
// makes in increasing order), and whether one of them is current.
func (b *versionedBackend) versionsOf(bucket, key string) (versions []gofakes3.VersionItem, current bool) {
	vs, err := b.VersionedBackend.ListBucketVersions(bucket, &gofakes3.Prefix{HasPrefix: true, Prefix: key}, nil)
	if err != nil {
		return nil, false
	}
	for _, v := range vs.Versions {
		var k string
		var latest bool
		switch v := v.(type) {
		case *gofakes3.Version:
			k, latest = v.Key, v.IsLatest
		case *gofakes3.DeleteMarker:
			k, latest = v.Key, v.IsLatest
		default:
			continue
		}
		if k == key {
			versions = append(versions, v)
			current = current || latest
		}
	}
	return versions, current
}
