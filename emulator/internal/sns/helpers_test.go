package sns_test

import (
	"crypto/rsa"
	_ "embed"
	"testing"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
)

var t0 = time.Date(2025, 3, 4, 9, 2, 31, 0, time.UTC)

//go:embed testdata/sns-key.pem
var keyPEM []byte

// testKey returns the signing key of the tests, testdata/sns-key.pem.
func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	key, err := trail.LoadSigningKey(keyPEM)
	must(t, err)
	return key
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
