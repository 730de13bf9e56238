package main

import (
	"bytes"
	"context"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/google/go-cmp/cmp"
)

// runLoadCmd runs "firetrail load args..." in-process and returns stdout.
func runLoadCmd(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	argv := append([]string{"load", "--progress", "0"}, args...)
	if code := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("firetrail %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), code, &stdout, &stderr)
	}
	t.Logf("firetrail %s: %s", strings.Join(argv, " "), strings.TrimSpace(stdout.String()))
	return stdout.String()
}

// eventIDSet returns the eventIDs of files, failing on a repeated one.
func eventIDSet(t *testing.T, what string, files map[string][]logRecord) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for _, key := range slices.Sorted(maps.Keys(files)) {
		for _, r := range files[key] {
			if ids[r.EventID] {
				t.Errorf("%s: eventID %s delivered twice (again in %s)", what, r.EventID, key)
			}
			ids[r.EventID] = true
		}
	}
	return ids
}

// TestE2ELoad points firetrail load at firetrail serve: the log files it
// writes hold exactly the events asked for, and they are just S3 objects
// (LookupEvents does not see them). Two shards together deliver the events
// of the unsharded run.
//
// Not parallel: load takes its credentials from the environment.
func TestE2ELoad(t *testing.T) {
	srv := startServe(t)
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           srv.Env["AWS_ACCESS_KEY_ID"],
		"AWS_SECRET_ACCESS_KEY":       srv.Env["AWS_SECRET_ACCESS_KEY"],
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CA_BUNDLE":               "",
		"AWS_CONFIG_FILE":             filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	common := []string{"--endpoint", srv.URL, "--bucket", srv.Bucket, "--rate", "20000", "--events", "3000", "--seed", "3"}
	out := runLoadCmd(t, append(slices.Clip(common), "--prefix", "full")...)
	if !regexp.MustCompile(`^delivered 3000 events in \d+ log files`).MatchString(out) {
		t.Errorf("load output %q, want it to report 3000 events delivered", out)
	}
	for _, shard := range []string{"0/2", "1/2"} {
		// Each shard into its own prefix, and both into one.
		runLoadCmd(t, append(slices.Clip(common), "--prefix", "shard"+shard[:1], "--shard", shard)...)
		runLoadCmd(t, append(slices.Clip(common), "--prefix", "shared", "--shard", shard)...)
	}

	s3c := goS3(t, &srv.serveInfo)
	full := readLogFiles(t, s3c, srv.Bucket, "full/")
	n := 0
	for key, recs := range full {
		if !strings.HasPrefix(key, "full/AWSLogs/") {
			t.Errorf("log file %s is not under the trail prefix full/", key)
		}
		n += len(recs)
	}
	fullIDs := eventIDSet(t, "unsharded load", full)
	if n != 3000 || len(fullIDs) != 3000 {
		t.Errorf("unsharded load: %d records with %d distinct eventIDs in %d log files, want 3000", n, len(fullIDs), len(full))
	}

	t.Run("shards in own prefixes", func(t *testing.T) {
		ids0 := eventIDSet(t, "shard 0/2", readLogFiles(t, s3c, srv.Bucket, "shard0/"))
		ids1 := eventIDSet(t, "shard 1/2", readLogFiles(t, s3c, srv.Bucket, "shard1/"))
		if len(ids0) == 0 || len(ids1) == 0 {
			t.Errorf("shards delivered %d and %d events, want both > 0", len(ids0), len(ids1))
		}
		union := maps.Clone(ids0)
		for id := range ids1 {
			if union[id] {
				t.Errorf("event %s delivered by both shards", id)
			}
			union[id] = true
		}
		if diff := cmp.Diff(fullIDs, union); diff != "" {
			t.Errorf("eventIDs of shards 0/2 + 1/2 differ from the unsharded run (-unsharded +shards):\n%.3000s", diff)
		}
	})

	// Shards of one seed delivering into one prefix at the same time must
	// not overwrite each other's log files (each shard has its own trail
	// seed and trail name; see trailSeed).
	t.Run("shards in one prefix", func(t *testing.T) {
		shared := eventIDSet(t, "shards 0/2 and 1/2 in one prefix", readLogFiles(t, s3c, srv.Bucket, "shared/"))
		if diff := cmp.Diff(fullIDs, shared); diff != "" {
			t.Errorf("eventIDs of shards 0/2 + 1/2 in one prefix differ from the unsharded run (-unsharded +shards):\n%.3000s", diff)
		}
	})

	// The files are objects in a bucket, not events of the emulator's trail.
	ct := goCloudTrail(t, &srv.serveInfo)
	seen := lookupAll(t, ct, &cloudtrail.LookupEventsInput{})
	for _, id := range seen {
		if fullIDs[id] {
			t.Errorf("LookupEvents shows event %s that only firetrail load delivered", id)
		}
	}
	if len(seen) != 0 {
		t.Errorf("LookupEvents of a serve without --events shows %d events, want none", len(seen))
	}
}
