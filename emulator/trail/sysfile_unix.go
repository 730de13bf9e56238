//go:build unix && !linux

package trail

import "syscall"

// sysOpenat opens name in the directory dir ("": the working directory).
// It opens by path: the directory descriptor dirfd is not used where the
// syscall package has no openat.
func sysOpenat(dirfd int, dir, name string, flags int, perm uint32) (int, error) {
	if dir != "" {
		name = dir + "/" + name
	}
	return syscall.Open(name, flags, perm)
}

func sysWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }

func sysClose(fd int) error { return syscall.Close(fd) }

// atFDCWD stands for the working directory; sysOpenat does not use it.
const atFDCWD = -100
