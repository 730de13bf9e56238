//go:build !linux

package emulator

import "os"

// datasync makes f's data durable (fsync: the platform offers nothing
// narrower through the standard library).
func datasync(f *os.File) error { return f.Sync() }
