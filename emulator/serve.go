package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Serve accepts connections on ln (over TLS with WithTLS) until ctx is
// done or the Emulator is closed; then it returns nil. It may be called
// for several listeners.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelDebug),
	}
	scheme := "http"
	if e.opts.tls != nil {
		ln = tls.NewListener(ln, e.opts.tls)
		scheme = "https"
	}
	e.notify.setBaseURL(scheme + "://" + ln.Addr().String())
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		ln.Close()
		return ErrClosed
	}
	e.servers[srv] = struct{}{}
	e.mu.Unlock()
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	defer stop()
	err := srv.Serve(ln)
	e.mu.Lock()
	delete(e.servers, srv)
	e.mu.Unlock()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
