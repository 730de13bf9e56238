package emulator

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/firetrail/firetrail/internal/atomicfile"
)

// The journal makes the record of a call durable before the call is
// answered (a data directory only). Each record is appended, as the JSON
// its log file will hold, to a journal file in the data directory, and
// synced, before it is added to the trail; concurrent calls share one
// write and sync (group commit): while one sync runs, the records arriving
// queue for the next (a write made after a sync began is not known to be
// covered by it), and are committed together once it ends. A call that
// finds no commit running commits its batch itself (a lone client never
// waits for another goroutine to be scheduled); one that finds a commit
// running leaves its batch to the commit loop, which starts it when the
// running one ends, once the batch stops growing (PostgreSQL's
// commit_delay, here only when calls contend): the loop yields its core
// (runtime.Gosched) as long as each yield let another call join the batch,
// for at most half again the last sync's duration (journalMaxDelay at
// most). When no other goroutine is runnable, a yield returns at once and
// the batch is committed without delay; when calls are busy on every core,
// the ones about to finish join it first. Each sync costs CPU (on the VM it
// was measured on, 40 µs of a 95 µs fdatasync), so the fewer the better.
// The delay is not a timer: time.Sleep of a few hundred microseconds
// sleeps at least a millisecond once the process is idle (the runtime
// waits in epoll with millisecond timeouts), which held 8 clients' calls
// for a millisecond a commit.
//
// No lock that a call takes is held during a sync: calls queue their
// records meanwhile.
//
// Records overwrite a tail of zeros written ahead of them
// (journalZeroAhead bytes, renewed as they are used up), so a commit does
// not change the file's size and needs no file-system metadata commit: on
// ext4 that halves the sync's latency and CPU time (PostgreSQL zero-fills
// new WAL files for the same reason, wal_init_zero; RocksDB recycles WAL
// files). Reading stops at the zeros, as at any bad frame. On Linux the
// file is written with O_DIRECT|O_DSYNC (writeDirect): a commit is one
// write of the last partial block and the new frames, padded to a block,
// durable when it returns, and deletions are written the same way. On the
// VM it was measured on (BenchmarkJournalSync), one record's commit took
// 94 µs and 39 µs of CPU instead of 97 µs and 49 µs with a buffered write
// and fdatasync(2), which remains where the file system refuses direct I/O
// (tmpfs) and on other systems (there the sync runs outside the file lock,
// so deletions are written meanwhile). The direct write is submitted with
// Linux native AIO and waited for in the runtime's network poller
// (aioWriter), where the kernel has it: a pwrite(2) held its thread and,
// until sysmon took it back, its P through the write, and at 64 clients
// the commits then held 4.6 records each; with AIO the other calls run
// meanwhile and a commit holds 25, its CPU a call the same as without a
// data directory.
//
// An entry is deleted once its record is in a stored log file that the
// saved trail state knows (so a restart neither loses nor repeats it):
// s3Sink.Put notes the records of each stored log file (by content), and
// saveState deletes their entries after it has saved the state. At a
// restart (rebuildHistory), entries whose records are in a delivered log
// file are deleted, and the others are added to the trail and LookupEvents
// again (replayJournal).
//
// Records are matched by content (a hash of their JSON): a record added
// twice with identical bytes (Record of the same record) has two entries
// and is matched twice.
//
// The journal is a series of append-only files, journal-NNNNNNNNNNNNNNNN.log
// (hex): each open starts a new one, which is also the number of the run
// (newIDSource), and a file over journalRotate bytes is followed by a new
// one. A file is removed once every entry in it and in the files before it
// is deleted (the current file stays). A file is a sequence of frames:
// length (4 bytes, big-endian) and CRC-32C (4 bytes) of the body, then the
// body: 'P', the entry's key (8 bytes) and the record; 'S', the entry's
// key, a generation (8 bytes each) and a state change; or 'D' and the keys
// (8 bytes each) of deleted entries. Reading a file stops at its first bad
// frame: the one a crash cut short (no call waited for it).
//
// A call that changes a Firehose delivery stream journals the stream's new
// saved form (a state change, firehose.Change) in the same commit as its
// record, just before it: one durable write makes both the change and the
// record of the call that made it durable, where saving the whole
// Firehose state file a call (or a group of calls) took more time and CPU
// than the journal's own commit. The state file is a checkpoint: written
// (durably) by saveState, after which the state changes of the
// generations it holds are deleted; at a restart the changes left are
// applied over it (firehose.Service.Restore), the latest generation of
// each stream winning.

// journalRotate is the size after which the journal goes on in a new file.
const journalRotate = 16 << 20

// journalZeroAhead is how many bytes of zeros are written ahead of the
// records at a time; a new run is written when less than a quarter of it
// is left.
const journalZeroAhead = 1 << 20

// journalZeros is journalZeroAhead zero bytes, in a buffer aligned for
// direct writes; made when a journal first writes zeros.
var journalZeros = sync.OnceValue(func() []byte { return alignedBuffer(journalZeroAhead) })

// journalBuffered makes new journal files use buffered writes and
// datasync even where direct I/O works: the path taken on file systems
// without it, for its tests and as a benchmark baseline.
var journalBuffered = false

// journalNoAIO makes a journal write its direct files with pwrite(2) even
// where native AIO works: the path taken where the kernel offers none,
// for its tests and as a benchmark baseline.
var journalNoAIO = false

// errAIOSubmit marks a write the kernel refused to submit (nothing was
// written): the file or file system takes no AIO, or the kernel has no
// room for the write (EAGAIN), and a pwrite of the same bytes may still
// work. Only Linux's aioWriter returns it.
var errAIOSubmit = errors.New("native AIO refused the write")

// journalMaxDelay bounds the commit delay of contending calls.
const journalMaxDelay = 150 * time.Microsecond

var crcTable = crc32.MakeTable(crc32.Castagnoli)

type journal struct {
	dir  string
	seed maphash.Seed
	kick chan struct{} // a batch is left to the loop
	stop chan struct{} // closed by close: the loop ends
	done chan struct{} // closed when the commit loop ends

	cmu      sync.Mutex    // held by the one committing (and so syncing, rotating)
	buf      []byte        // frames of a commit; with cmu held
	lastSync time.Duration // how long the last sync took; with cmu held

	fmu    sync.Mutex // the current file and its writes
	f      *os.File
	direct bool       // f is written with O_DIRECT|O_DSYNC: a write is durable when it returns
	fd     int        // f's descriptor
	aio    *aioWriter // direct: writes f through native AIO; nil where there is none
	noAIO  bool       // the kernel refused an AIO write: new files are written with pwrite too
	blk    []byte     // direct: block-aligned buffer whose start holds the current file's last partial block
	seg    uint64     // the current file's number
	size   int64      // bytes of frames in the current file
	alloc  int64      // the current file's size: frames, then zeros

	commits, committed atomic.Int64 // syncs of batches, and their records
	queued             atomic.Int64 // records added to batches, ever

	mu     sync.Mutex
	cur    *journalBatch // the batch filling up; nil when none
	next   uint64        // the next entry's index in the current file
	closed bool
	live   map[uint64][]uint64 // record hash → keys of entries not known delivered
	nlive  int
	segs   map[uint64]int    // file number → entries not deleted
	states map[uint64]uint64 // key → generation of the state-change entries not deleted
	found  []journalState    // the state changes found at open (foundStates)
	stored []uint64          // hashes of journaled records in files stored since the last prune
}

// journalBatch is the records of one commit.
type journalBatch struct {
	keys   []uint64
	raws   [][]byte
	hash   []uint64
	states []*journalState // the state change journaled before each record, if any
	done   chan struct{}
	err    error
}

// journalState is a state change: an opaque body and its generation
// (dropStates deletes the changes up to a generation).
type journalState struct {
	key  uint64
	gen  uint64
	body []byte
}

// journalEntry is a journaled record found at open.
type journalEntry struct {
	key  uint64
	raw  []byte
	hash uint64
}

// An entry's key is its file's number and its index in the file.
func journalKeyOf(seg, i uint64) uint64 { return seg<<32 | i }
func journalSeg(k uint64) uint64        { return k >> 32 }

func journalName(seg uint64) string { return fmt.Sprintf("journal-%016x.log", seg) }

// openJournal opens the journal of dir, starting a new file, and returns
// it with the entries it holds, in the order they were written, and the
// number of its new file (the run).
func openJournal(dir string) (*journal, []journalEntry, uint64, error) {
	j := &journal{
		dir:    dir,
		seed:   maphash.MakeSeed(),
		kick:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		live:   map[uint64][]uint64{},
		segs:   map[uint64]int{},
		states: map[uint64]uint64{},
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("journal: %w", err)
	}
	var nums []uint64
	for _, de := range des {
		hex, ok := strings.CutPrefix(de.Name(), "journal-")
		if hex, ok2 := strings.CutSuffix(hex, ".log"); ok && ok2 {
			if n, err := strconv.ParseUint(hex, 16, 64); err == nil {
				nums = append(nums, n)
			}
		}
	}
	slices.Sort(nums)
	byKey := map[uint64][]byte{}
	states := map[uint64]journalState{}
	var order []uint64
	for _, n := range nums {
		if err := j.read(n, byKey, states, &order); err != nil {
			return nil, nil, 0, err
		}
		j.segs[n] = 0
	}
	var entries []journalEntry
	for _, k := range order {
		if raw, ok := byKey[k]; ok {
			entries = append(entries, journalEntry{key: k, raw: raw, hash: j.hash(raw)})
			j.segs[journalSeg(k)]++
		} else if st, ok := states[k]; ok {
			j.found = append(j.found, st)
			j.states[k] = st.gen
			j.segs[journalSeg(k)]++
		}
	}
	run := uint64(0)
	if len(nums) > 0 {
		run = nums[len(nums)-1] + 1
	}
	if err := j.startFile(run); err != nil {
		return nil, nil, 0, err
	}
	if err := j.sweep(); err != nil {
		j.f.Close()
		return nil, nil, 0, err
	}
	go j.loop()
	return j, entries, run, nil
}

// read adds the record entries of file n to byKey and its state changes
// to states (and the keys of both to order), and removes those its
// deletions name.
func (j *journal) read(n uint64, byKey map[uint64][]byte, states map[uint64]journalState, order *[]uint64) error {
	path := filepath.Join(j.dir, journalName(n))
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var head [8]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return nil // the end, or a frame cut short
		}
		n := binary.BigEndian.Uint32(head[:4])
		if n < 9 || n > maxJSONBody+64 {
			return nil
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil || crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(head[4:]) {
			return nil
		}
		switch body[0] {
		case 'P':
			k := binary.BigEndian.Uint64(body[1:9])
			byKey[k] = body[9:]
			*order = append(*order, k)
		case 'S':
			if len(body) < 17 {
				return nil
			}
			k := binary.BigEndian.Uint64(body[1:9])
			states[k] = journalState{key: k, gen: binary.BigEndian.Uint64(body[9:17]), body: body[17:]}
			*order = append(*order, k)
		case 'D':
			for p := body[1:]; len(p) >= 8; p = p[8:] {
				k := binary.BigEndian.Uint64(p)
				delete(byKey, k)
				delete(states, k)
			}
		}
	}
}

// startFile makes file n the current one. Called with j.fmu held, or
// before the journal is shared.
func (j *journal) startFile(n uint64) error {
	path := filepath.Join(j.dir, journalName(n))
	f, direct, err := createJournalFile(path, journalBuffered)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := atomicfile.SyncDir(j.dir); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if j.f != nil {
		j.f.Close()
	}
	j.f, j.fd, j.direct, j.seg, j.size, j.alloc = f, int(f.Fd()), direct, n, 0, 0
	if direct && j.aio == nil && !journalNoAIO && !j.noAIO {
		j.aio = newAIOWriter()
	}
	j.mu.Lock()
	j.segs[n] += 0
	j.next = 0
	j.mu.Unlock()
	return nil
}

// appendFrame appends a frame of body to b.
func appendFrame(b []byte, body ...[]byte) []byte {
	n := 0
	for _, p := range body {
		n += len(p)
	}
	at := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = append(b, 0, 0, 0, 0)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint32(b[at+4:], crc32.Checksum(b[at+8:], crcTable))
	return b
}

func (j *journal) hash(raw []byte) uint64 { return maphash.Bytes(j.seed, raw) }

// add writes raw durably, after the state change st if not nil, and
// returns raw's entry key. raw and st must not change until it returns.
func (j *journal) add(raw []byte, st *journalState) (uint64, error) {
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
	}
	i := len(b.raws)
	b.raws = append(b.raws, raw)
	b.hash = append(b.hash, h)
	b.states = append(b.states, st)
	j.mu.Unlock()
	j.queued.Add(1)
	if j.cmu.TryLock() {
		j.commitNext() // b, or a later batch if another took b
		j.cmu.Unlock()
	} else {
		// The loop commits b once the running commit ends.
		select {
		case j.kick <- struct{}{}:
		default:
		}
	}
	<-b.done
	if b.err != nil {
		return 0, b.err
	}
	return b.keys[i], nil
}

// loop commits the batches left to it, one write and sync each.
func (j *journal) loop() {
	defer close(j.done)
	for {
		select {
		case <-j.stop:
			return
		case <-j.kick:
			j.cmu.Lock()
			j.gather()
			j.commitNext()
			j.cmu.Unlock()
		}
	}
}

// gather lets the batch filling up grow while calls keep joining it: it
// yields the core until a yield adds no record, or for at most half again
// the last sync's duration (journalMaxDelay at most). Called with j.cmu
// held.
func (j *journal) gather() {
	limit := min(j.lastSync*3/2, journalMaxDelay)
	start := time.Now()
	n := j.queued.Load()
	for time.Since(start) < limit {
		runtime.Gosched()
		m := j.queued.Load()
		if m == n {
			return
		}
		n = m
	}
}

// commitNext commits the batch filling up, if any, with one write and
// sync. Its entries are live from then on. Called with j.cmu held: only a
// committer syncs and rotates, and close waits for it, so the file stays
// open without j.fmu.
func (j *journal) commitNext() {
	j.mu.Lock()
	b := j.cur
	j.cur = nil
	j.mu.Unlock()
	if b == nil {
		return
	}
	j.fmu.Lock()
	var err error
	if j.size > journalRotate {
		err = j.startFile(j.seg + 1)
	}
	// Keys in the current file, in the order of the batch.
	j.mu.Lock()
	b.keys = make([]uint64, len(b.raws))
	for i := range b.raws {
		if st := b.states[i]; st != nil {
			st.key = journalKeyOf(j.seg, j.next)
			j.next++
			j.states[st.key] = st.gen
			j.segs[j.seg]++
		}
		b.keys[i] = journalKeyOf(j.seg, j.next)
		j.next++
		j.live[b.hash[i]] = append(j.live[b.hash[i]], b.keys[i])
		j.nlive++
	}
	j.segs[j.seg] += len(b.raws)
	j.mu.Unlock()
	buf := j.buf[:0]
	var kb [17]byte
	for i, raw := range b.raws {
		if st := b.states[i]; st != nil {
			kb[0] = 'S'
			binary.BigEndian.PutUint64(kb[1:], st.key)
			binary.BigEndian.PutUint64(kb[9:], st.gen)
			buf = appendFrame(buf, kb[:], st.body)
		}
		kb[0] = 'P'
		binary.BigEndian.PutUint64(kb[1:], b.keys[i])
		buf = appendFrame(buf, kb[:9], raw)
	}
	f, direct := j.f, j.direct
	t := time.Now()
	if err == nil {
		err = j.write(buf) // durable when it returns if direct
	}
	j.fmu.Unlock()
	if err == nil && !direct {
		err = datasync(f)
	}
	j.lastSync = time.Since(t)
	j.commits.Add(1)
	j.committed.Add(int64(len(b.raws)))
	if err != nil {
		b.err = fmt.Errorf("journal: %w", err)
		j.mu.Lock()
		for i, k := range b.keys {
			j.unlive(b.hash[i], k)
			if st := b.states[i]; st != nil {
				delete(j.states, st.key)
			}
		}
		j.mu.Unlock()
	}
	if cap(buf) > 4<<20 {
		buf = nil
	}
	j.buf = buf
	close(b.done)
}

// write writes frames after the current file's frames, over its zeros,
// writing more zeros first when few would be left. Called with j.fmu held.
func (j *journal) write(frames []byte) error {
	end := j.size + int64(len(frames))
	for j.alloc-alignBlock(end) < journalZeroAhead/4 {
		if _, err := j.f.WriteAt(journalZeros(), j.alloc); err != nil {
			return err
		}
		j.alloc += journalZeroAhead
	}
	if j.direct {
		return j.writeDirect(frames)
	}
	if _, err := j.f.WriteAt(frames, j.size); err != nil {
		return err
	}
	j.size = end
	return nil
}

// journalBlock is the unit of direct writes: offsets, lengths and buffer
// addresses are multiples of it (the logical block size of any disk).
const journalBlock = 4096

// writeDirect writes frames after the current file's frames with one
// direct, synchronous write: the file's last partial block again with the
// frames appended, padded with zeros to a block, over the zeros written
// ahead (so the write changes no metadata). Called with j.fmu held.
func (j *journal) writeDirect(frames []byte) error {
	end := j.size + int64(len(frames))
	start := j.size &^ (journalBlock - 1)
	keep := int(j.size - start) // the partial block's bytes, at the start of j.blk
	n := int(alignBlock(int64(keep + len(frames))))
	if len(j.blk) < n {
		blk := alignedBuffer(max(n, 2*len(j.blk), 64<<10))
		copy(blk, j.blk[:keep])
		j.blk = blk
	}
	buf := j.blk[:n]
	copy(buf[keep:], frames)
	clear(buf[keep+len(frames):])
	if err := j.writeBlocks(buf, start); err != nil {
		return err
	}
	j.size = end
	next := end &^ (journalBlock - 1)
	copy(j.blk, buf[next-start:end-start])
	return nil
}

// writeBlocks writes buf at off in the current file, through AIO where
// the journal has it. When the kernel refuses to submit the write (a file
// system that opens files for direct I/O but takes no AIO for them), the
// journal writes with pwrite(2) from then on. Called with j.fmu held.
func (j *journal) writeBlocks(buf []byte, off int64) error {
	if j.aio != nil {
		err := j.aio.writeAt(j.fd, buf, off)
		if !errors.Is(err, errAIOSubmit) {
			return err
		}
		j.aio.close()
		j.aio, j.noAIO = nil, true
	}
	_, err := j.f.WriteAt(buf, off)
	return err
}

// alignBlock rounds n up to a multiple of journalBlock.
func alignBlock(n int64) int64 { return (n + journalBlock - 1) &^ (journalBlock - 1) }

// alignedBuffer returns n bytes (a multiple of journalBlock) starting at
// an address that is a multiple of journalBlock, as direct I/O needs.
func alignedBuffer(n int) []byte {
	b := make([]byte, n+journalBlock)
	off := (journalBlock - int(uintptr(unsafe.Pointer(unsafe.SliceData(b)))&(journalBlock-1))) & (journalBlock - 1)
	return b[off : off+n : off+n]
}

// unlive removes key k from the live entries of hash h. Called with j.mu
// held.
func (j *journal) unlive(h, k uint64) {
	ks := j.live[h]
	if i := slices.Index(ks, k); i >= 0 {
		ks = slices.Delete(ks, i, i+1)
		j.nlive--
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

// remove deletes entries: a deletion frame (not fsynced: if a crash loses
// it, the restart finds the records delivered), then the files whose
// entries are all deleted.
func (j *journal) remove(keys []uint64) error {
	if len(keys) == 0 {
		return nil
	}
	body := make([]byte, 1, 1+8*len(keys))
	body[0] = 'D'
	for _, k := range keys {
		body = binary.BigEndian.AppendUint64(body, k)
	}
	j.fmu.Lock()
	defer j.fmu.Unlock()
	if j.f == nil {
		return errors.New("journal: closed")
	}
	if err := j.write(appendFrame(nil, body)); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.mu.Lock()
	for _, k := range keys {
		j.segs[journalSeg(k)]--
	}
	j.mu.Unlock()
	return j.sweep()
}

// sweep removes the files before the current one whose entries, and those
// of every file before them, are all deleted. Called with j.fmu held.
func (j *journal) sweep() error {
	var gone []uint64
	j.mu.Lock()
	for _, n := range slices.Sorted(mapKeys(j.segs)) {
		if j.segs[n] > 0 || n == j.seg {
			break
		}
		gone = append(gone, n)
		delete(j.segs, n)
	}
	j.mu.Unlock()
	for _, n := range gone {
		if err := os.Remove(filepath.Join(j.dir, journalName(n))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("journal: %w", err)
		}
	}
	return nil
}

func mapKeys(m map[uint64]int) func(func(uint64) bool) {
	return func(yield func(uint64) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// foundStates returns the state changes the journal held when it was
// opened, in the order they were written, once (later calls return none).
func (j *journal) foundStates() []journalState {
	j.mu.Lock()
	defer j.mu.Unlock()
	f := j.found
	j.found = nil
	return f
}

// dropStates deletes the state changes of generation gen and before: a
// saved checkpoint holds them.
func (j *journal) dropStates(gen uint64) error {
	j.mu.Lock()
	var keys []uint64
	for k, g := range j.states {
		if g <= gen {
			keys = append(keys, k)
			delete(j.states, k)
		}
	}
	j.mu.Unlock()
	slices.Sort(keys)
	return j.remove(keys)
}

// watching reports whether journaled records wait for delivery: only then
// do stored log files need reading.
func (j *journal) watching() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.nlive > 0
}

// noteStored notes the records of a stored log file, by their hashes
// (journal.hash).
func (j *journal) noteStored(hashes []uint64) {
	j.mu.Lock()
	j.stored = append(j.stored, hashes...)
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

// close waits for the commit in progress, commits what is left, and
// closes the current file.
func (j *journal) close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.stop)
	j.mu.Unlock()
	<-j.done
	j.cmu.Lock() // after a call committing its batch itself
	defer j.cmu.Unlock()
	j.commitNext() // the last batch, if the loop stopped before it
	j.fmu.Lock()
	defer j.fmu.Unlock()
	err := j.f.Close()
	j.f = nil
	if j.aio != nil {
		err = errors.Join(err, j.aio.close())
		j.aio = nil
	}
	return err
}
