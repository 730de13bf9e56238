package trail

import (
	"syscall"
	"unsafe"
)

// sysOpenat, sysWrite and sysClose are openat(2), write(2) and close(2) of
// the files TreeSink writes, made with syscall.RawSyscall: without
// entering the Go scheduler's system-call state. Creating a file takes
// about 20 µs of kernel time on ext4, long enough for the scheduler's
// monitor to hand the goroutine's processor to another thread during most
// of them and for the call to wait for one back afterwards: generating
// 200,000 events (8,800 files) made 1,500 voluntary context switches
// instead of 180 and spent 0.06 s (6%) more CPU time, on one core. The
// cost: a call that blocks long (a stalled disk or network file system)
// holds its processor, and a garbage collection waits for it to return,
// rather than other goroutines running meanwhile. TreeSink writes
// `firetrail generate`'s new tree, on a local file system in practice.
//
// sysOpenat opens name relative to the open directory dirfd, whose path
// is dir (unused here; "" with atFDCWD, the working directory).
func sysOpenat(dirfd int, dir, name string, flags int, perm uint32) (int, error) {
	p, err := syscall.BytePtrFromString(name)
	if err != nil {
		return -1, err
	}
	fd, _, errno := syscall.RawSyscall6(syscall.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), uintptr(perm), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

func sysWrite(fd int, b []byte) (int, error) {
	n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

func sysClose(fd int) error {
	if _, _, errno := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0); errno != 0 {
		return errno
	}
	return nil
}

// atFDCWD is AT_FDCWD: a path relative to the working directory.
const atFDCWD = -100
