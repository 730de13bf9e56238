package emulator

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3bolt"
	bolt "go.etcd.io/bbolt"
	"gopkg.in/mgo.v2/bson"
)

// newBoltObjects returns boltObjects over a new bolt file with the bucket
// "bkt", and the file's database.
func newBoltObjects(t *testing.T) (boltObjects, *bolt.DB) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "s3.bolt"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	b := boltObjects{Backend: s3bolt.New(db), db: db}
	if err := b.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	return b, db
}

// Objects read while others are written and deleted (pages reused, the
// file grown and remapped) come back whole: body, size, hash, metadata,
// ranges and copies.
func TestBoltObjectsReadWhileWriting(t *testing.T) {
	b, _ := newBoltObjects(t)
	body := func(g, i int) []byte {
		return bytes.Repeat([]byte(fmt.Sprintf("<%d.%d>", g, i)), 1+(g*37+i*101)%3000)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 60 {
				key := fmt.Sprintf("g%d/k%d", g, i)
				want := body(g, i)
				if _, err := b.PutObject("bkt", key, map[string]string{"X-Amz-Meta-N": key}, bytes.NewReader(want), int64(len(want)), nil); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 { // churn: free pages for the others' writes
					if _, err := b.DeleteObject("bkt", fmt.Sprintf("g%d/k%d", g, i-3)); err != nil {
						t.Error(err)
						return
					}
				}
				obj, err := b.GetObject("bkt", key, nil)
				if err != nil {
					t.Error(err)
					return
				}
				got, _ := io.ReadAll(obj.Contents)
				if !bytes.Equal(got, want) || obj.Size != int64(len(want)) || obj.Metadata["X-Amz-Meta-N"] != key || len(obj.Hash) != 16 {
					t.Errorf("%s: %d bytes (size %d, meta %q, hash %x), want %d", key, len(got), obj.Size, obj.Metadata["X-Amz-Meta-N"], obj.Hash, len(want))
					return
				}
				part, err := b.GetObject("bkt", key, &gofakes3.ObjectRangeRequest{Start: 1, End: 3})
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := io.ReadAll(part.Contents); !bytes.Equal(got, want[1:4]) {
					t.Errorf("%s bytes 1-3: %q, want %q", key, got, want[1:4])
					return
				}
				if _, err := b.CopyObject("bkt", key, "bkt", key+".copy", nil); err != nil {
					t.Error(err)
					return
				}
				c, err := b.GetObject("bkt", key+".copy", nil)
				if err != nil {
					t.Error(err)
					return
				}
				if got, _ := io.ReadAll(c.Contents); !bytes.Equal(got, want) {
					t.Errorf("%s.copy: %d bytes differ from the source's %d", key, len(got), len(want))
					return
				}
			}
		})
	}
	wg.Wait()
	head, err := b.HeadObject("bkt", "g0/k59")
	if err != nil {
		t.Fatal(err)
	}
	if want := body(0, 59); head.Size != int64(len(want)) || len(head.Hash) != 16 || head.Metadata["X-Amz-Meta-N"] != "g0/k59" {
		t.Errorf("HeadObject: size %d, hash %x, meta %v; want size %d", head.Size, head.Hash, head.Metadata, len(want))
	}
	if rest, _ := io.ReadAll(head.Contents); len(rest) != 0 {
		t.Errorf("HeadObject has a body of %d bytes", len(rest))
	}
	if _, err := b.GetObject("bkt", "missing", nil); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchKey) {
		t.Errorf("GetObject of a missing key: %v, want NoSuchKey", err)
	}
	if _, err := b.GetObject("nobucket", "k", nil); !gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		t.Errorf("GetObject in a missing bucket: %v, want NoSuchBucket", err)
	}
}

// An object whose stored size disagrees with its stored bytes (a damaged
// data directory) is refused with an error naming it, by GET, ranged GET,
// HEAD and copy, instead of a panic or a short body; other objects are
// served as before.
func TestBoltObjectsDamagedSize(t *testing.T) {
	b, db := newBoltObjects(t)
	for _, key := range []string{"good", "bad"} {
		if _, err := b.PutObject("bkt", key, nil, bytes.NewReader([]byte("0123456789")), 10, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Damage "bad": its size says 100 while 10 bytes are stored.
	err := db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("bkt"))
		var o boltObject
		if err := bson.Unmarshal(bk.Get([]byte("bad")), &o); err != nil {
			return err
		}
		o.Size = 100
		v, err := bson.Marshal(&o)
		if err != nil {
			return err
		}
		return bk.Put([]byte("bad"), v)
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]func() error{
		"get": func() error { _, err := b.GetObject("bkt", "bad", nil); return err },
		"get range": func() error {
			_, err := b.GetObject("bkt", "bad", &gofakes3.ObjectRangeRequest{Start: 50, End: 60})
			return err
		},
		"head": func() error { _, err := b.HeadObject("bkt", "bad"); return err },
		"copy": func() error { _, err := b.CopyObject("bkt", "bad", "bkt", "bad.copy", nil); return err },
	}
	for name, check := range checks {
		if err := check(); err == nil || !strings.Contains(err.Error(), `"bkt"/"bad" is damaged`) {
			t.Errorf("%s of the damaged object = %v, want an error naming it", name, err)
		}
	}
	obj, err := b.GetObject("bkt", "good", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(obj.Contents); string(got) != "0123456789" {
		t.Errorf("good = %q", got)
	}
}
