package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// openDirect opens a new file of dir for direct, synchronous writes and
// an aioWriter, skipping where the file system or kernel has neither.
func openDirect(t *testing.T) (*os.File, *aioWriter) {
	t.Helper()
	f, direct, err := createJournalFile(filepath.Join(t.TempDir(), "f"), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if !direct {
		t.Skip("the file system refuses direct I/O")
	}
	a := newAIOWriter()
	if a == nil {
		t.Skip("no native AIO (io_setup failed)")
	}
	t.Cleanup(func() { a.close() })
	return f, a
}

// Writes land where they are asked to, over and after earlier ones, and
// the file reads back as written.
func TestAIOWriter(t *testing.T) {
	f, a := openDirect(t)
	want := make([]byte, 5*journalBlock)
	buf := alignedBuffer(2 * journalBlock)
	for i, off := range []int64{0, 3 * journalBlock, journalBlock, 2 * journalBlock} {
		for k := range buf {
			buf[k] = byte('a' + i + k%7)
		}
		if err := a.writeAt(int(f.Fd()), buf, off); err != nil {
			t.Fatalf("write %d at %d: %v", i, off, err)
		}
		copy(want[off:], buf)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("the file holds %d bytes that differ from what was written (%d bytes)", len(got), len(want))
	}
}

// A write the kernel refuses is an error, not a hang, and the writer
// goes on working: a bad descriptor (refused at submission) and a
// misaligned offset (refused by direct I/O).
func TestAIOWriterErrors(t *testing.T) {
	f, a := openDirect(t)
	buf := alignedBuffer(journalBlock)
	if err := a.writeAt(-1, buf, 0); !errors.Is(err, syscall.EBADF) {
		t.Errorf("bad descriptor: %v, want EBADF", err)
	}
	if err := a.writeAt(int(f.Fd()), buf, 1); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("misaligned offset: %v, want EINVAL", err)
	}
	copy(buf, "after the errors")
	if err := a.writeAt(int(f.Fd()), buf, 0); err != nil {
		t.Fatalf("write after the errors: %v", err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf) {
		t.Fatalf("the file holds %.20q, want %.20q", got, buf)
	}
}

// A journal on a file system with direct I/O writes through AIO unless
// told not to.
func TestJournalUsesAIO(t *testing.T) {
	for _, m := range journalModes {
		t.Run(m.name, func(t *testing.T) {
			j := openModeJournal(t, m)
			if !j.direct {
				if !m.buffered {
					t.Skip("the file system refuses direct I/O")
				}
				return
			}
			if want := !m.noAIO && newAIOWriterWorks(); (j.aio != nil) != want {
				t.Errorf("AIO writer: %v, want %v", j.aio != nil, want)
			}
		})
	}
}

// newAIOWriterWorks reports whether this kernel gives an aioWriter.
func newAIOWriterWorks() bool {
	a := newAIOWriter()
	if a == nil {
		return false
	}
	a.close()
	return true
}

// When the kernel refuses to submit an AIO write (a file system that
// takes direct I/O but no AIO), the journal writes the same bytes with
// pwrite from then on, and no record is lost.
func TestJournalAIORefused(t *testing.T) {
	dir := t.TempDir()
	j, _, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if j.aio == nil {
		t.Skip("the journal writes without AIO here (no direct I/O or no native AIO)")
	}
	ctx := j.aio.ctx
	t.Cleanup(func() { syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0) })
	j.aio.ctx = ^uintptr(0) // no such context: io_submit fails with EINVAL
	want := map[uint64]string{}
	for i := range 3 {
		raw := fmt.Sprintf(`{"i":%d}`, i)
		k, err := j.add([]byte(raw), nil)
		if err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
		want[k] = raw
		if j.aio != nil || !j.noAIO {
			t.Fatalf("after add %d: AIO writer %v, noAIO %v; want none, true", i, j.aio != nil, j.noAIO)
		}
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	j, entries, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	got := map[uint64]string{}
	for _, e := range entries {
		got[e.key] = string(e.raw)
	}
	if !maps.Equal(got, want) {
		t.Fatalf("reopened journal holds %v, want %v", got, want)
	}
}
