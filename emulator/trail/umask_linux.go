package trail

import (
	"bytes"
	"os"
	"strconv"
	"sync"
)

// processUmask returns the umask of the process, as its status file in
// /proc showed it the first time (Linux 4.7 and later), and whether it is
// known. A process that changes its umask while a DirSink writes in
// place may get files whose mode is not DirSink.Mode; nothing in this
// module changes it.
var processUmask = sync.OnceValues(func() (uint32, bool) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range bytes.Lines(status) {
		if v, ok := bytes.CutPrefix(line, []byte("Umask:")); ok {
			m, err := strconv.ParseUint(string(bytes.TrimSpace(v)), 8, 32)
			return uint32(m), err == nil
		}
	}
	return 0, false
})
