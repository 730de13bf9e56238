package sns

import "log/slog"

// LogValue shows a Config without its SigningKey, so that logging it never
// prints the private key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("region", c.Region),
		slog.String("path", c.Path),
		slog.Bool("signingKey", c.SigningKey != nil),
	)
}

var _ slog.LogValuer = Config{}
