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
//
// Serve applies the limits of limits.go (README "Limits"): at most
// WithMaxConnections connections at once, request headers read within 30
// seconds, API bodies within WithBodyTimeouts, idle connections closed
// after 2 minutes.
func (e *Emulator) Serve(ctx context.Context, ln net.Listener) error {
	ln = limitConnections(ln, e.opts.maxConnections())
	srv := &http.Server{
		Handler:           e.limitBodies(e),
		ReadHeaderTimeout: 30 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
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
