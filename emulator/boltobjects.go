package emulator

import (
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/johannesboyne/gofakes3"
	bolt "go.etcd.io/bbolt"
	"gopkg.in/mgo.v2/bson"
)

// boltObjects is gofakes3's s3bolt backend with its object reads made
// safe. s3bolt decodes a stored object with mgo's bson, whose byte slices
// point into the bytes decoded: bbolt's memory-mapped page, valid only
// during the read transaction. The body and hash it returns were read
// after it, when a write may have reused or remapped the page: with 64
// concurrent clients, GetObject returned zeros or another object's bytes.
// boltObjects reads the same stored value (bucket and key as s3bolt keeps
// them) and copies what it returns out inside the transaction; writes,
// listings and everything else are s3bolt's.
type boltObjects struct {
	gofakes3.Backend
	db *bolt.DB
}

// boltObject is s3bolt's stored form of an object (its field names are
// the bson keys).
type boltObject struct {
	Name         string
	Metadata     map[string]string
	LastModified time.Time
	Size         int64
	Contents     []byte
	Hash         []byte
}

// read decodes the stored object inside the read transaction and copies
// out of bbolt's memory what is returned: the hash, and the body if body
// (bson copies strings and maps itself).
func (b boltObjects) read(bucket, key string, body bool) (boltObject, error) {
	var o boltObject
	err := b.db.View(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte(bucket))
		if bk == nil {
			return gofakes3.BucketNotFound(bucket)
		}
		v := bk.Get([]byte(key))
		if v == nil {
			return gofakes3.KeyNotFound(key)
		}
		if err := bson.Unmarshal(v, &o); err != nil {
			return fmt.Errorf("gofakes3: could not unmarshal object at %q/%q: %v", bucket, key, err)
		}
		if o.Size != int64(len(o.Contents)) {
			// A damaged file: answering its size with other bytes
			// (or slicing a range past them) would be worse.
			return fmt.Errorf("object at %q/%q is damaged: size %d, %d bytes stored", bucket, key, o.Size, len(o.Contents))
		}
		o.Hash = bytes.Clone(o.Hash)
		if body {
			o.Contents = bytes.Clone(o.Contents)
		} else {
			o.Contents = nil
		}
		return nil
	})
	return o, err
}

// GetObject is s3bolt's, from a copy made inside the transaction.
func (b boltObjects) GetObject(bucket, key string, rr *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	o, err := b.read(bucket, key, true)
	if err != nil {
		return nil, err
	}
	rnge, err := rr.Range(o.Size)
	if err != nil {
		return nil, err
	}
	data := o.Contents
	if rnge != nil {
		data = data[rnge.Start : rnge.Start+rnge.Length]
	}
	return &gofakes3.Object{
		Name:     key,
		Metadata: o.Metadata,
		Size:     o.Size,
		Contents: io.NopCloser(bytes.NewReader(data)),
		Range:    rnge,
		Hash:     o.Hash,
	}, nil
}

// HeadObject is GetObject without the body, which it does not copy.
func (b boltObjects) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	o, err := b.read(bucket, key, false)
	if err != nil {
		return nil, err
	}
	return &gofakes3.Object{
		Name:     key,
		Metadata: o.Metadata,
		Size:     o.Size,
		Contents: io.NopCloser(bytes.NewReader(nil)),
		Hash:     o.Hash,
	}, nil
}

// CopyObject is s3bolt's (gofakes3.CopyObject), reading the source through
// GetObject above.
func (b boltObjects) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(b, srcBucket, srcKey, dstBucket, dstKey, meta)
}
