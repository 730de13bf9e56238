package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// State changes journaled with records: found again at open, in the
// order written, until dropStates deletes those of a generation and
// before; a file whose records and changes are all deleted is removed.
func TestJournalStates(t *testing.T) { eachJournalMode(t, testJournalStates) }

func testJournalStates(t *testing.T) {
	dir := t.TempDir()
	j, _, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		var st *journalState
		if i%2 == 0 { // records 0, 2, 4 come with the changes of generations 1, 3, 5
			st = &journalState{gen: uint64(i + 1), body: fmt.Appendf(nil, `{"change":%d}`, i)}
		}
		if _, err := j.add(fmt.Appendf(nil, `{"n":%d}`, i), st); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}

	j, entries, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Fatalf("reopened: %d records, want 6", len(entries))
	}
	found := j.foundStates()
	if got := statesString(found); got != `1:{"change":0} 3:{"change":2} 5:{"change":4}` {
		t.Fatalf("found states %s", got)
	}
	if again := j.foundStates(); len(again) != 0 {
		t.Errorf("foundStates again: %d, want none", len(again))
	}
	// Each change precedes its call's record in the file.
	for _, st := range found {
		if i := slices.IndexFunc(entries, func(e journalEntry) bool { return e.key > st.key }); i < 0 || entries[i].key != st.key+1 {
			t.Errorf("change of generation %d (key %x) is not just before a record", st.gen, st.key)
		}
	}
	if err := j.dropStates(3); err != nil {
		t.Fatal(err)
	}
	var ks []uint64
	for _, e := range entries {
		ks = append(ks, e.key)
	}
	if err := j.remove(ks); err != nil {
		t.Fatal(err)
	}
	// The change of generation 5 keeps file 0.
	if _, err := os.Stat(filepath.Join(dir, journalName(0))); err != nil {
		t.Errorf("journal file 0 with a change left: %v", err)
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}

	j, entries, _, err = openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := statesString(j.foundStates()); len(entries) != 0 || got != `5:{"change":4}` {
		t.Fatalf("third open: %d records, states %s; want none and generation 5", len(entries), got)
	}
	if err := j.dropStates(5); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, journalName(0))); !os.IsNotExist(err) {
		t.Errorf("journal file 0 with nothing left: stat err %v, want removed", err)
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	j, _, _, err = openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close()
	if found := j.foundStates(); len(found) != 0 {
		t.Errorf("fourth open: states %s, want none", statesString(found))
	}
}

func statesString(sts []journalState) string {
	var s string
	for i, st := range sts {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%d:%s", st.gen, st.body)
	}
	return s
}
