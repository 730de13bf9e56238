// Package fuzzhist keeps the last requests a fuzz target's server
// accepted, for targets that keep one server for all the inputs a fuzz
// worker runs: a failure may then come from the state earlier inputs
// left, and the failing input, saved on its own, pass when run again.
// The target adds each request that may have changed that state, and
// defers Report in its fuzz function.
package fuzzhist

import (
	"fmt"
	"strings"
	"testing"
)

// Size is how many requests a History keeps.
const Size = 100

// A History is the last Size requests added, oldest first. The zero
// History is ready to use; it is not safe for concurrent use (a fuzz
// worker runs its inputs one at a time).
type History struct {
	lines []string
}

// Add notes a request, described as fmt.Sprintf(format, args...) (long
// descriptions are cut to 300 bytes).
func (h *History) Add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	if len(h.lines) == Size {
		copy(h.lines, h.lines[1:])
		h.lines = h.lines[:Size-1]
	}
	h.lines = append(h.lines, s)
}

// String returns the requests, the last first, one a line, under a
// heading; "" when there are none.
func (h *History) String() string {
	if len(h.lines) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nafter these requests the server accepted, the last first:")
	for i := len(h.lines) - 1; i >= 0; i-- {
		b.WriteString("\n  ")
		b.WriteString(h.lines[i])
	}
	return b.String()
}

// Report logs the history if t failed: defer it at the start of a fuzz
// function, before the input's own request is added.
func (h *History) Report(t testing.TB) {
	if t.Failed() {
		t.Log(h.String())
	}
}
