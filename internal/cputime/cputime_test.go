//go:build unix

package cputime

import "testing"

func TestSelfGrowsWithWork(t *testing.T) {
	before := Self()
	if before <= 0 {
		t.Fatalf("Self() = %v before any work, want > 0 (a test binary has used CPU to start)", before)
	}
	x := 0
	for Self()-before < 5e6 { // spin until 5 ms of CPU are counted
		x++
	}
	if after := Self(); after < before {
		t.Fatalf("Self() went back: %v then %v", before, after)
	}
	_ = x
}
