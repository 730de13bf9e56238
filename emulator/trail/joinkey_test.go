package trail

import (
	"path/filepath"
	"testing"
)

// joinKey is filepath.Join for every key checkKey accepts.
func TestJoinKey(t *testing.T) {
	for _, root := range []string{".", "/", "out", "out/", "./out", "/tmp/x/../y", "a//b/", ""} {
		for _, key := range []string{"a", "AWSLogs/123/CloudTrail/us-east-1/2025/03/04/f.json.gz", "a.b/c..d/.e"} {
			if err := checkKey(key); err != nil {
				t.Fatalf("checkKey(%q): %v", key, err)
			}
			if got, want := joinKey(root, key), filepath.Join(root, filepath.FromSlash(key)); got != want {
				t.Errorf("joinKey(%q, %q) = %q, want %q", root, key, got, want)
			}
		}
	}
}
