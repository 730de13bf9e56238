package emulator

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// aioWriter writes to journal files opened with O_DIRECT|O_DSYNC through
// Linux native AIO (io_submit(2)), and waits for each write's completion
// in the runtime's network poller, on an eventfd the kernel signals
// (IOCB_FLAG_RESFD). A pwrite(2) of the same bytes blocks its thread for
// the whole write and cache flush (80-120 µs on the VM it was measured on),
// and the runtime lets the blocked thread keep its P (one of GOMAXPROCS
// cores) until sysmon notices, 20 µs or more later, then hands the P to
// another thread and makes the returning one find a P again: a core idle
// each commit, and thread wake-ups. Here the committing goroutine parks
// like one waiting for a socket, its P runs the other calls meanwhile,
// and the poller makes it runnable when the write is durable (the
// file's O_DSYNC applies to AIO writes as to pwrite). A busy runtime
// looks at the poller only when a P runs out of work, so the wait often
// outlasts the write (1.8 ms for a 0.1 ms write at 64 clients) and more
// calls join the next commit; also looking on a 20 µs timer made
// commits smaller and calls slower at 8 and 32 clients.
//
// One write is in flight at a time (the journal commits one batch at a
// time, under its file lock), so the context has one slot and the iocb
// and event are fields.
type aioWriter struct {
	ctx   uintptr  // aio_context_t
	ev    *os.File // the eventfd, non-blocking: its reads park in the poller
	evfd  int      // ev's descriptor, kept: ev.Fd() would make ev blocking
	cb    aioIOCB
	cbp   *aioIOCB
	event aioEvent
	count [8]byte
}

// aioIOCB is struct iocb of linux/aio_abi.h (little-endian layout).
type aioIOCB struct {
	_      uint64 // aio_data
	_      uint32 // aio_key
	_      uint32 // aio_rw_flags
	opcode uint16
	_      int16 // aio_reqprio
	fildes uint32
	buf    uint64
	nbytes uint64
	offset int64
	_      uint64 // aio_reserved2
	flags  uint32
	resfd  uint32
}

// aioEvent is struct io_event of linux/aio_abi.h.
type aioEvent struct {
	_   uint64 // data
	_   uint64 // obj
	res int64  // bytes written, or -errno
	_   int64  // res2
}

const (
	aioCmdPwrite = 1 // IOCB_CMD_PWRITE
	aioFlagResfd = 1 // IOCB_FLAG_RESFD: signal the completion on resfd
	efdNonblock  = syscall.O_NONBLOCK
	efdCloexec   = syscall.O_CLOEXEC
)

// newAIOWriter returns an aioWriter, or nil where the kernel offers no
// native AIO (or its system-wide limit of contexts is reached): the
// journal then writes with pwrite(2).
func newAIOWriter() *aioWriter {
	var ctx uintptr
	if _, _, e := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); e != 0 {
		return nil
	}
	fd, _, e := syscall.Syscall(syscall.SYS_EVENTFD2, 0, efdNonblock|efdCloexec, 0)
	if e != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0)
		return nil
	}
	a := &aioWriter{ctx: ctx, evfd: int(fd), ev: os.NewFile(fd, "journal-aio-eventfd")}
	a.cbp = &a.cb
	return a
}

// writeAt writes b (block-aligned, as direct I/O needs) to fd at off and
// returns once the write is durable. b must stay unchanged meanwhile.
func (a *aioWriter) writeAt(fd int, b []byte, off int64) error {
	a.cb = aioIOCB{
		opcode: aioCmdPwrite,
		fildes: uint32(fd),
		buf:    uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))),
		nbytes: uint64(len(b)),
		offset: off,
		flags:  aioFlagResfd,
		resfd:  uint32(a.evfd),
	}
	for {
		n, _, e := syscall.Syscall(syscall.SYS_IO_SUBMIT, a.ctx, 1, uintptr(unsafe.Pointer(&a.cbp)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return fmt.Errorf("%w: io_submit: %w", errAIOSubmit, e)
		}
		if n != 1 {
			return fmt.Errorf("%w: io_submit: write not submitted", errAIOSubmit)
		}
		break
	}
	for {
		// The eventfd counts completions; reading it resets the count.
		if _, err := a.ev.Read(a.count[:]); err != nil {
			return fmt.Errorf("waiting for a write: %w", err)
		}
		done, err := a.reap()
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	runtime.KeepAlive(b)
	switch res := a.event.res; {
	case res < 0:
		return &os.PathError{Op: "write", Path: "journal", Err: syscall.Errno(-res)}
	case res != int64(len(b)):
		return io.ErrShortWrite
	}
	return nil
}

// reap takes the write's completion into a.event if the kernel has it,
// without waiting (io_getevents with a zero timeout), and reports whether
// it did.
func (a *aioWriter) reap() (bool, error) {
	var zero syscall.Timespec
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_IO_GETEVENTS, a.ctx, 1, 1, uintptr(unsafe.Pointer(&a.event)), uintptr(unsafe.Pointer(&zero)), 0)
		switch e {
		case 0:
			return n == 1, nil
		case syscall.EINTR:
		default:
			return false, fmt.Errorf("io_getevents: %w", e)
		}
	}
}

// close releases the context and the eventfd. No write may be in flight.
func (a *aioWriter) close() error {
	syscall.Syscall(syscall.SYS_IO_DESTROY, a.ctx, 0, 0)
	return a.ev.Close()
}
