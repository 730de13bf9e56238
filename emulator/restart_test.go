package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestRestartWithDataDir(t *testing.T) {
	open, _, clock := dataDirOpener(t)
	e := open()
	for i := range 10 {
		if err := e.Record(testRecord(i, clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Advance(90 * time.Minute); err != nil {
		t.Fatal(err)
	}
	fp := e.keyFingerprint
	chains := e.trail.Chains()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(chains) != 1 || chains[0].PreviousKey == "" {
		t.Fatalf("chains before restart = %+v, want one with a digest", chains)
	}

	e = open()
	defer e.Close()
	if e.keyFingerprint != fp {
		t.Errorf("signing key changed across restart: %s, was %s", e.keyFingerprint, fp)
	}
	if n := e.store.Len(); n != 10 {
		t.Errorf("LookupEvents history after restart: %d events, want 10", n)
	}
	w := call(e, ctShort+"LookupEvents", ctJSON, `{}`)
	var page struct{ Events []json.RawMessage }
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || len(page.Events) != 10 {
		t.Errorf("LookupEvents after restart = %s", w.Body.String())
	}
	after := e.trail.Chains()
	if len(after) != 1 || after[0].PreviousKey == "" {
		t.Fatalf("chain after restart = %+v, want it to continue", after)
	}
	prev := after[0].PreviousKey
	if err := e.Record(testRecord(11, clock.Now())); err != nil {
		t.Fatal(err)
	}
	if err := e.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	// A digest written after the restart links to the last one before it.
	list, err := e.backend.ListBucket(e.bucket, nil, gofakes3Page())
	if err != nil {
		t.Fatal(err)
	}
	linked := false
	for _, c := range list.Contents {
		if !strings.Contains(c.Key, "/CloudTrail-Digest/") {
			continue
		}
		obj, err := e.backend.GetObject(e.bucket, c.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzipNewReader(obj.Contents)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Prev *string `json:"previousDigestS3Object"`
		}
		if err := json.NewDecoder(zr).Decode(&d); err != nil {
			t.Fatal(err)
		}
		obj.Contents.Close()
		if d.Prev != nil && *d.Prev == prev {
			linked = true
		}
	}
	if !linked {
		t.Errorf("no digest after the restart links to %s", prev)
	}
}
