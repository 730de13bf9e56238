package emulator

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The journal makes the record of a call durable before the call is
// answered (a data directory only). Each record is written, as the JSON
// its log file will hold, to journal.bolt in the data directory, and
// fsynced, before it is added to the trail; concurrent calls share one
// commit (group commit): while a commit runs, the records arriving queue
// for the next one.
//
// An entry is deleted once its record is in a stored log file that the
// saved trail state knows (so a restart neither loses nor repeats it):
// s3Sink.Put notes the records of each stored log file (by content), and
// saveState deletes their entries after it has saved the state. At a
// restart (restoreDelivered), entries whose records are in a delivered log
// file are deleted, and the others are added to the trail and LookupEvents
// again.
//
// Records are matched by content (a hash of their JSON): a record added
// twice with identical bytes (Record of the same record) has two entries
// and is matched twice.

const journalFile = "journal.bolt"

var (
	journalBucket = []byte("records")
	// metaBucket holds "runs": how many times the data directory was
	// opened before, which the ID source mixes into its seed.
	metaBucket = []byte("meta")
	runsKey    = []byte("runs")
)

type journal struct {
	db   *bolt.DB
	seed maphash.Seed
	kick chan struct{} // a batch is waiting
	done chan struct{} // closed when the commit loop ends

	mu     sync.Mutex
	cur    *journalBatch // the batch filling up; nil when none
	next   uint64        // the next entry's key
	closed bool
	live   map[uint64][]uint64 // record hash → keys of entries not known delivered
	nlive  int
	stored []uint64 // hashes of journaled records in files stored since the last prune
}

// journalBatch is the records of one commit.
type journalBatch struct {
	keys []uint64
	raws [][]byte
	hash []uint64
	done chan struct{}
	err  error
}

// journalEntry is a journaled record found at open.
type journalEntry struct {
	key  uint64
	raw  []byte
	hash uint64
}

// openJournal opens (or creates) the journal of dir and returns it with
// the entries it holds, in the order they were written, and the number of
// times it was opened before.
func openJournal(dir string) (*journal, []journalEntry, uint64, error) {
	path := filepath.Join(dir, journalFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("open %s: %w", path, err)
	}
	j := &journal{
		db:   db,
		seed: maphash.MakeSeed(),
		kick: make(chan struct{}, 1),
		done: make(chan struct{}),
		live: map[uint64][]uint64{},
	}
	var entries []journalEntry
	var runs uint64
	err = db.Update(func(tx *bolt.Tx) error {
		m, err := tx.CreateBucketIfNotExists(metaBucket)
		if err != nil {
			return err
		}
		if v := m.Get(runsKey); len(v) == 8 {
			runs = binary.BigEndian.Uint64(v)
		}
		if err := m.Put(runsKey, binary.BigEndian.AppendUint64(nil, runs+1)); err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(journalBucket)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 8 {
				return fmt.Errorf("bad journal key %x", k)
			}
			raw := append([]byte(nil), v...)
			entries = append(entries, journalEntry{key: binary.BigEndian.Uint64(k), raw: raw, hash: j.hash(raw)})
			return nil
		})
	})
	if err != nil {
		db.Close()
		return nil, nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	if n := len(entries); n > 0 {
		j.next = entries[n-1].key + 1
	}
	go j.loop()
	return j, entries, runs, nil
}

func (j *journal) hash(raw []byte) uint64 { return maphash.Bytes(j.seed, raw) }

func journalKey(k uint64) []byte { return binary.BigEndian.AppendUint64(nil, k) }

// add writes raw durably and returns its entry's key. raw must not change
// until it returns.
func (j *journal) add(raw []byte) (uint64, error) {
	h := j.hash(raw)
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return 0, errors.New("journal closed")
	}
	b := j.cur
	if b == nil {
		b = &journalBatch{done: make(chan struct{})}
		j.cur = b
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
	k := j.next
	j.next++
	b.keys = append(b.keys, k)
	b.raws = append(b.raws, raw)
	b.hash = append(b.hash, h)
	j.live[h] = append(j.live[h], k)
	j.nlive++
	j.mu.Unlock()
	<-b.done
	return k, b.err
}

// loop commits batches, one transaction (and fsync) each.
func (j *journal) loop() {
	defer close(j.done)
	for range j.kick {
		j.mu.Lock()
		b := j.cur
		j.cur = nil
		j.mu.Unlock()
		if b == nil {
			continue
		}
		b.err = j.db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(journalBucket)
			bk.FillPercent = 1 // keys only grow
			for i, k := range b.keys {
				if err := bk.Put(journalKey(k), b.raws[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if b.err != nil {
			b.err = fmt.Errorf("journal: %w", b.err)
			j.mu.Lock()
			for i, k := range b.keys {
				j.unlive(b.hash[i], k)
			}
			j.mu.Unlock()
		}
		close(b.done)
	}
}

// unlive removes key k from the live entries of hash h. Called with j.mu
// held.
func (j *journal) unlive(h, k uint64) {
	ks := j.live[h]
	for i, x := range ks {
		if x == k {
			ks = append(ks[:i], ks[i+1:]...)
			j.nlive--
			break
		}
	}
	if len(ks) == 0 {
		delete(j.live, h)
	} else {
		j.live[h] = ks
	}
}

// revive makes entries found at open live again: their records are added
// to the trail anew.
func (j *journal) revive(entries []journalEntry) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range entries {
		j.live[e.hash] = append(j.live[e.hash], e.key)
		j.nlive++
	}
}

// drop deletes the entry of a record that was not kept after all (the
// trail refused it).
func (j *journal) drop(raw []byte, k uint64) error {
	j.mu.Lock()
	j.unlive(j.hash(raw), k)
	j.mu.Unlock()
	return j.remove([]uint64{k})
}

// remove deletes entries.
func (j *journal) remove(keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	err := j.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(journalBucket)
		for _, k := range keys {
			if err := bk.Delete(journalKey(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// watching reports whether journaled records wait for delivery: only then
// do stored log files need reading.
func (j *journal) watching() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.nlive > 0
}

// noteStored notes the records of a stored log file.
func (j *journal) noteStored(records [][]byte) {
	hs := make([]uint64, len(records))
	for i, r := range records {
		hs[i] = j.hash(r)
	}
	j.mu.Lock()
	j.stored = append(j.stored, hs...)
	j.mu.Unlock()
}

// prune deletes the entries of the records noted stored. Call it once the
// trail state that lists their files is saved.
func (j *journal) prune() error {
	j.mu.Lock()
	var keys []uint64
	for _, h := range j.stored {
		ks := j.live[h]
		if len(ks) == 0 {
			continue // not journaled (preloaded history)
		}
		keys = append(keys, ks[0])
		if len(ks) == 1 {
			delete(j.live, h)
		} else {
			j.live[h] = ks[1:]
		}
		j.nlive--
	}
	j.stored = j.stored[:0]
	j.mu.Unlock()
	return j.remove(keys)
}

// close waits for the commit in progress and closes the database.
func (j *journal) close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.kick)
	j.mu.Unlock()
	<-j.done
	// A batch queued after the last kick was taken: fail it.
	j.mu.Lock()
	if b := j.cur; b != nil {
		j.cur = nil
		b.err = errors.New("journal closed")
		close(b.done)
	}
	j.mu.Unlock()
	return j.db.Close()
}
