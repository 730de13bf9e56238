package emulator

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
)

// No log line shows a private key: every type that holds one is a
// slog.LogValuer. Logged in both of slog's formats, at every depth.
func TestLogValuersHideKeys(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	key, err := trail.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := SelfSignedTLS(DefaultStartTime)
	if err != nil {
		t.Fatal(err)
	}
	emu := Start(t, WithSigningKey(key))
	var s settings
	for _, o := range []Option{WithSigningKey(key), WithTLS(cfg), WithDataDir(t.TempDir())} {
		o(&s)
	}
	secrets := []string{key.D.String(), key.Primes[0].String(), key.D.Text(16)}
	values := map[string]any{
		"settings":     s,
		"emulator":     emu.Emulator,
		"trail config": trail.Config{Bucket: "b", SigningKey: key},
		"sns config":   sns.Config{Region: "us-east-1", SigningKey: key},
	}
	for name, v := range values {
		var out bytes.Buffer
		for _, h := range []slog.Handler{slog.NewJSONHandler(&out, nil), slog.NewTextHandler(&out, nil)} {
			slog.New(h).Info("value", "v", v, slog.Group("nested", "v", v))
		}
		for _, sec := range secrets {
			if strings.Contains(out.String(), sec) {
				t.Errorf("logging the %s shows the private key: %s", name, out.String())
				break
			}
		}
		if !strings.Contains(out.String(), "signingKey") && name != "emulator" {
			t.Errorf("logging the %s: %s", name, out.String())
		}
	}
	// Without LogValue, the key would show: the test can fail.
	var out bytes.Buffer
	slog.New(slog.NewTextHandler(&out, nil)).Info("raw", "key", *key)
	if !strings.Contains(out.String(), secrets[0]) {
		t.Skip("slog does not print a raw key either: the test proves nothing")
	}
}
