package emulator

import "log/slog"

// Secrets stay out of logs: the types that hold a key or credentials show
// themselves to slog without them (README: a secret given to firetrail
// never appears in any byte it writes).

// LogValue shows the settings without the signing key, the TLS
// configuration (its certificates' private keys), the credentials of
// WithAuth or the identities' details.
func (s settings) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("bucket", s.bucket),
		slog.String("region", s.region),
		slog.String("accountID", s.accountID),
		slog.Duration("interval", s.interval),
		slog.String("dataDir", s.dataDir),
		slog.Bool("signingKey", s.signingKey != nil),
		slog.Bool("tls", s.tls != nil),
		slog.Int("identities", len(s.identities)),
		slog.Int("credentials", len(s.auth)),
		slog.Int("maxConnections", s.maxConnections()),
	)
}

// LogValue shows an Emulator by what it serves, never its signing key.
func (e *Emulator) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("region", e.region),
		slog.String("accountID", e.accountID),
		slog.String("bucket", e.bucket),
		slog.String("keyFingerprint", e.keyFingerprint),
	)
}

var (
	_ slog.LogValuer = settings{}
	_ slog.LogValuer = (*Emulator)(nil)
)
