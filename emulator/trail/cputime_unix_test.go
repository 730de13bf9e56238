//go:build unix

package trail_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user + system) the process has used, or 0
// when unknown. Benchmarks report events per CPU second with it, a figure
// that holds on a machine shared with other work.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
