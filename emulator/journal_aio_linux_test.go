package emulator

import (
	"bytes"
	"errors"
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
			useJournalMode(t, m)
			j, _, _, err := openJournal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer j.close()
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
