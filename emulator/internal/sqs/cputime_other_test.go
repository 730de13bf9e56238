//go:build !linux

package sqs

import "time"

// processCPU is unavailable off Linux.
func processCPU() (time.Duration, bool) { return 0, false }
