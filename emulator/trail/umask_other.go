//go:build unix && !linux

package trail

// processUmask reports the umask of the process as unknown: a DirSink
// writing in place sets the mode of every file it writes.
func processUmask() (uint32, bool) { return 0, false }
