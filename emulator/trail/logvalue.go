package trail

import "log/slog"

// LogValue shows a Config without its SigningKey (only whether there is
// one), so that logging it never prints the private key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("bucket", c.Bucket),
		slog.String("trailName", c.TrailName),
		slog.String("homeRegion", c.HomeRegion),
		slog.Duration("interval", c.Interval),
		slog.Bool("signingKey", c.SigningKey != nil),
	)
}

var _ slog.LogValuer = Config{}
