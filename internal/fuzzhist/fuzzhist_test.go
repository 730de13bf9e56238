package fuzzhist

import (
	"strconv"
	"strings"
	"testing"
)

func TestHistory(t *testing.T) {
	var h History
	if h.String() != "" {
		t.Fatalf("empty history: %q", h.String())
	}
	for i := range Size + 5 {
		h.Add("req %d", i)
	}
	h.Add("%s", strings.Repeat("x", 400))
	lines := strings.Split(h.String(), "\n  ")
	if len(lines) != Size+1 { // the heading, then Size requests
		t.Fatalf("%d lines, want the heading and %d requests", len(lines), Size)
	}
	if lines[1] != strings.Repeat("x", 300)+"…" {
		t.Errorf("the last request first, cut to 300 bytes: got %q", lines[1])
	}
	if lines[2] != "req "+strconv.Itoa(Size+4) || lines[Size] != "req 6" {
		t.Errorf("order: second %q, last %q; want req %d and req 6", lines[2], lines[Size], Size+4)
	}
}
