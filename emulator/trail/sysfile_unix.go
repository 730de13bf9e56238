//go:build unix && !linux

package trail

import "syscall"

// sysOpen, sysWrite and sysClose are open(2), write(2) and close(2) of the
// files DirSink.Direct writes.
func sysOpen(path string, flags int, perm uint32) (int, error) {
	return syscall.Open(path, flags, perm)
}

func sysWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }

func sysClose(fd int) error { return syscall.Close(fd) }
