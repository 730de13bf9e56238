package emulator

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJournalRead reads any bytes as a journal file left by a crash:
// reading never panics and stops at the first bad frame; every entry it
// returns is the body of a frame whose CRC verified ('P', key, record;
// 'S', key, generation, state change), and a file made of the frames the
// journal writes reads back exactly.
func FuzzJournalRead(f *testing.F) {
	var good []byte
	for i, rec := range []string{`{"eventID":"a"}`, `{"eventID":"b"}`} {
		var kb [9]byte
		kb[0] = 'P'
		binary.BigEndian.PutUint64(kb[1:], journalKeyOf(0, uint64(i)))
		good = appendFrame(good, kb[:], []byte(rec))
	}
	var sb [17]byte
	sb[0] = 'S'
	binary.BigEndian.PutUint64(sb[1:], journalKeyOf(0, 2))
	binary.BigEndian.PutUint64(sb[9:], 7)
	good = appendFrame(good, sb[:], []byte(`{"stream":{}}`))
	f.Add(good)
	f.Add(good[:len(good)-3])                                           // cut short by a crash
	f.Add(append(append([]byte(nil), good...), 0, 0, 0, 0, 0, 0, 0, 0)) // zeros after
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, journalName(0)), data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, entries, run, err := openJournal(dir)
		if err != nil {
			return // an unreadable directory, not a damaged file
		}
		defer j.close()
		if run != 1 {
			t.Errorf("run %d after file 0, want 1", run)
		}
		for _, e := range entries {
			if !bytes.Contains(data, e.raw) {
				t.Fatalf("entry %x is not in the file's bytes", e.raw)
			}
		}
		states := j.foundStates()
		for _, st := range states {
			if !bytes.Contains(data, st.body) {
				t.Fatalf("state change %x is not in the file's bytes", st.body)
			}
		}
		if bytes.Equal(data, good) && (len(entries) != 2 || len(states) != 1 || states[0].gen != 7) {
			t.Fatalf("the journal's own frames read back as %d entries and %d state changes, want 2 and 1 of generation 7", len(entries), len(states))
		}
	})
}
