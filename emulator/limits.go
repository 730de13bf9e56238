package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// Limits of Serve (README "Limits").
const (
	// DefaultMaxConnections is how many connections Serve holds open at
	// once, per listener, by default (WithMaxConnections).
	DefaultMaxConnections = 1024
	// DefaultBodyIdleTimeout is how long a request body of the JSON and
	// query APIs and of the control endpoint may stall between two bytes
	// (WithBodyTimeouts). S3 bodies have their own, of 20 seconds.
	DefaultBodyIdleTimeout = 20 * time.Second
	// DefaultBodyTimeout is how long reading such a body may take in all
	// (WithBodyTimeouts): they are at most 8 MiB. S3 bodies (objects of
	// up to 5 GiB) have none, only the idle timeout.
	DefaultBodyTimeout = time.Minute
)

// limitSettings are the options of this file, kept in settings.limits.
// Zero values are the defaults.
type limitSettings struct {
	maxConns          int
	bodyIdle, bodyAll time.Duration
}

// WithMaxConnections bounds the connections Serve holds open at once on
// one listener (default DefaultMaxConnections): when n are open, the next
// is accepted only when one of them closes (it waits in the listen
// backlog). n < 0 removes the bound.
func WithMaxConnections(n int) Option {
	return func(s *settings) { s.limits.maxConns = n }
}

// WithBodyTimeouts sets how long the body of a request to the JSON and
// query APIs (Firehose, CloudTrail, SQS, SNS) and to the control endpoint
// may stall between two bytes (idle, default DefaultBodyIdleTimeout) and
// take in all (total, default DefaultBodyTimeout); 0 keeps a default. A
// body that takes longer is answered a RequestTimeout error (400) and its
// connection closed. The time is the wall clock's, not the emulator's. A
// long poll is a slow answer, not a slow body: it is not bounded.
func WithBodyTimeouts(idle, total time.Duration) Option {
	return func(s *settings) { s.limits.bodyIdle, s.limits.bodyAll = idle, total }
}

// maxConnections returns the connection bound of s; 0 is none.
func (s *settings) maxConnections() int {
	switch n := s.limits.maxConns; {
	case n == 0:
		return DefaultMaxConnections
	case n < 0:
		return 0
	default:
		return n
	}
}

// bodyTimeouts returns the body timeouts of s, defaults filled.
func (s *settings) bodyTimeouts() (idle, total time.Duration) {
	idle, total = s.limits.bodyIdle, s.limits.bodyAll
	if idle <= 0 {
		idle = DefaultBodyIdleTimeout
	}
	if total <= 0 {
		total = DefaultBodyTimeout
	}
	return idle, total
}

// limitListener accepts at most a number of connections at once: Accept
// waits for one of them to close first.
type limitListener struct {
	net.Listener
	slots     chan struct{} // one token per open connection
	done      chan struct{} // closed by Close
	closeOnce sync.Once
}

// limitConnections returns ln bounded to n open connections (n ≤ 0: ln).
func limitConnections(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back when closed (once).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// errBodyTimeout is the error of a body read that passed a deadline of
// WithBodyTimeouts.
var errBodyTimeout = errors.New("request body read timeout")

// apiBody reports whether r is a call of the JSON or query APIs or of the
// control endpoint (by the tests of ServeHTTP), whose body is small and
// read whole; S3 requests bound their bodies themselves (s3front).
func apiBody(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.URL.Path, controlPrefix) {
		return true
	}
	if r.Method == http.MethodPost && strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		return true
	}
	return r.URL.Query().Get("Action") != ""
}

// limitBodies returns next with the bodies of API calls read first, under
// the timeouts of WithBodyTimeouts and up to maxJSONBody bytes: a body
// that stalls or drags is answered RequestTimeout here; one that is too
// large reaches next as it is, which answers its API's error.
func (e *Emulator) limitBodies(next http.Handler) http.Handler {
	idle, total := e.opts.bodyTimeouts()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || !apiBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		d := &deadlineReader{r: r.Body, rc: http.NewResponseController(w), idle: idle, end: time.Now().Add(total)}
		jsonCall := r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.URL.Path, controlPrefix)
		if r.ContentLength > maxJSONBody {
			// Declared too large: refused unread.
			if !jsonCall {
				e.writeTooLarge(w)
				return
			}
			// The JSON handler answers its API's error without reading
			// it; r.Body stays the server's, which then closes the
			// connection rather than wait for the body.
			next.ServeHTTP(w, r)
			return
		}
		b, err := io.ReadAll(io.LimitReader(d, maxJSONBody+1))
		if err != nil {
			d.clear()
			if errors.Is(err, errBodyTimeout) {
				e.writeBodyTimeout(w, r)
				return
			}
			// A broken connection: nobody reads the answer.
			http.Error(w, "Could not read the request body", http.StatusBadRequest)
			return
		}
		if len(b) <= maxJSONBody {
			// The whole body: the server's background read (which
			// cancels the request's context when the client goes) must
			// not meet a deadline during a long poll.
			d.clear()
			r.Body = io.NopCloser(bytes.NewReader(b))
		} else if !jsonCall {
			// A query call too large to read: its error here, as the
			// form is needed to know the service.
			d.clear()
			e.writeTooLarge(w)
			return
		} else {
			// Too large: the handler's MaxBytesReader answers its API's
			// error; the rest of the body stays under the deadlines.
			r.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(b), d), r.Body}
		}
		next.ServeHTTP(w, r)
	})
}

// writeTooLarge answers a query call whose body is larger than
// maxJSONBody (the JSON APIs answer theirs).
func (e *Emulator) writeTooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	awsapi.WriteQueryError(w, e.ids.UUID(), "", awsapi.NewError(http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "Request body is larger than %d bytes", maxJSONBody))
}

// writeBodyTimeout answers a body read that timed out, in the protocol of
// r: the JSON error shape for a JSON call, the query protocol's otherwise,
// as S3 answers a stalled upload (RequestTimeout, 400).
func (e *Emulator) writeBodyTimeout(w http.ResponseWriter, r *http.Request) {
	reqID := e.ids.UUID()
	ae := awsapi.NewError(http.StatusBadRequest, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
	e.log.Debug("request body timed out", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
	w.Header().Set("Connection", "close")
	if r.Header.Get("X-Amz-Target") != "" || strings.HasPrefix(r.URL.Path, controlPrefix) {
		ct := r.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, "application/x-amz-json-") {
			ct = awsapi.JSON11
		}
		awsapi.WriteErrorAs(w, reqID, ct, ae)
		return
	}
	awsapi.WriteQueryError(w, reqID, "", ae)
}

// deadlineReader reads a request body under a connection read deadline
// that each read moves to idle from now, but never past end.
type deadlineReader struct {
	r          io.Reader
	rc         *http.ResponseController
	idle       time.Duration
	end        time.Time
	set        bool      // a deadline is set
	last       time.Time // when it was
	unsettable bool      // the connection takes no deadline (httptest)
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	now := time.Now()
	if !now.Before(d.end) {
		return 0, errBodyTimeout
	}
	// Re-armed at most a few times per idle timeout: SetReadDeadline is
	// not free, and an 8 MiB body takes many reads.
	if !d.unsettable && (!d.set || now.Sub(d.last) > d.idle/8) {
		deadline := now.Add(d.idle)
		if deadline.After(d.end) {
			deadline = d.end
		}
		if err := d.rc.SetReadDeadline(deadline); err == nil {
			d.set, d.last = true, now
		} else {
			d.unsettable = true
		}
	}
	n, err := d.r.Read(p)
	if err != nil && isTimeout(err) {
		return n, fmt.Errorf("%w: %w", errBodyTimeout, err)
	}
	return n, err
}

// clear removes the deadline.
func (d *deadlineReader) clear() {
	if d.set {
		_ = d.rc.SetReadDeadline(time.Time{})
		d.set = false
	}
}

// isTimeout reports whether err is a read timeout.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout()
}

// maxHeaderBytes bounds a request's header block (and URL): 64 KiB, more
// than any AWS call needs (S3 allows 8 KiB of headers, 2 KiB of user
// metadata).
const maxHeaderBytes = 64 << 10
