//go:build !unix

package emulator

import (
	"testing"
	"time"
)

// cpuTime is 0: the process's CPU time is not read on this platform.
func cpuTime(*testing.B) time.Duration { return 0 }
