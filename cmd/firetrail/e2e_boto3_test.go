package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// boto3Result is what testdata/e2e/boto3_check.py prints.
type boto3Result struct {
	Boto3         string         `json:"boto3"`
	Botocore      string         `json:"botocore"`
	Pages         int            `json:"pages"`
	Keys          []string       `json:"keys"`
	LogFiles      map[string]int `json:"log_files"`
	Records       int            `json:"records"`
	DuplicateIDs  []string       `json:"duplicate_ids"`
	Range         struct{ Start, End string }
	LogIDsInRange []string                     `json:"log_ids_in_range"`
	LookupIDs     []string                     `json:"lookup_ids"`
	LookupPages   int                          `json:"lookup_pages"`
	NewestFirst   bool                         `json:"lookup_newest_first"`
	BadCTEvent    []string                     `json:"bad_cloudtrail_event"`
	RangedGets    boto3RangedGets              `json:"ranged_gets"`
	DigestHeads   map[string]map[string]string `json:"digest_heads"`
	Uploads       []struct {
		Size       int    `json:"size"`
		Want       string `json:"want"`
		PutObject  string `json:"put_object"`
		UploadFile string `json:"upload_file"`
	} `json:"uploads"`
}

type boto3RangedGets struct {
	Key     string `json:"key"`
	Size    int    `json:"size"`
	Results []struct {
		Range        *string `json:"range"`
		ChecksumMode *string `json:"checksum_mode"`
		OK           bool    `json:"ok"`
		Len          int     `json:"len"`
		WantLen      int     `json:"want_len"`
		ContentRange *string `json:"content_range"`
	} `json:"results"`
}

// TestE2EBoto3 runs testdata/e2e/boto3_check.py with Debian's boto3 against
// firetrail serve restarted once on a data directory: it pages through the
// bucket, parses the log files, and pages LookupEvents over a time range,
// whose event IDs must be exactly the management events of the log files in
// that range; ranged GETs pass boto3's checksum handling; digests carry
// their signature as boto3 Metadata with lower-case keys.
func TestE2EBoto3(t *testing.T) {
	t.Parallel()
	python, version := findPython(t)
	t.Logf("python: %s: boto3/botocore %s", python, version)
	script, err := filepath.Abs("testdata/e2e/boto3_check.py")
	if err != nil {
		t.Fatal(err)
	}

	dataDir := t.TempDir()
	// The restart with the same flags delivers the preload only once.
	startServe(t, "--data-dir", dataDir, "--events", "300", "--seed", "31").stop(t)
	srv := startServe(t, "--data-dir", dataDir, "--events", "300", "--seed", "31")
	s3c := goS3(t, &srv.serveInfo)
	objects := listObjects(t, s3c, srv.Bucket, "")
	logs := readLogFiles(t, s3c, srv.Bucket, "")

	env := clientEnv(t, &srv.serveInfo, pathStyleConfig)
	stdout, stderr, err := execClient(t.Context(), env, t.TempDir(), python, script, srv.Bucket)
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", python, script, err, stderr)
	}
	var res boto3Result
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("decode output of %s: %v\n%.3000s", script, err, stdout)
	}
	t.Logf("boto3 %s, botocore %s: %d objects in %d pages, %d records, %d events in LookupEvents %s..%s (%d pages)",
		res.Boto3, res.Botocore, len(res.Keys), res.Pages, res.Records, len(res.LookupIDs), res.Range.Start, res.Range.End, res.LookupPages)

	t.Run("list_objects_v2 paginator", func(t *testing.T) {
		if diff := cmp.Diff(slices.Sorted(maps.Keys(objects)), res.Keys); diff != "" {
			t.Errorf("keys (-ListObjectsV2 of aws-sdk-go-v2 +boto3 paginator):\n%s", diff)
		}
		if want := (len(objects) + 1) / 2; res.Pages != want {
			t.Errorf("%d objects two to a page: %d pages, want %d", len(objects), res.Pages, want)
		}
		want := map[string]int{}
		total := 0
		for k, recs := range logs {
			want[k] = len(recs)
			total += len(recs)
		}
		if len(want) < 2 {
			t.Errorf("%d log files, want at least 2", len(want))
		}
		if diff := cmp.Diff(want, res.LogFiles); diff != "" {
			t.Errorf("records per log file (-aws-sdk-go-v2 +boto3):\n%s", diff)
		}
		if total != 300 || res.Records != total {
			t.Errorf("boto3 parsed %d records, aws-sdk-go-v2 %d; want 300 (--events 300, preloaded once over two runs)", res.Records, total)
		}
		if len(res.DuplicateIDs) > 0 {
			t.Errorf("eventIDs repeated in the log files: %v", res.DuplicateIDs)
		}
	})

	t.Run("LookupEvents equals log files", func(t *testing.T) {
		if len(res.LogIDsInRange) < 20 {
			t.Fatalf("only %d management events in %s..%s: too few to compare", len(res.LogIDsInRange), res.Range.Start, res.Range.End)
		}
		got := slices.Clone(res.LookupIDs)
		sort.Strings(got)
		if diff := cmp.Diff(res.LogIDsInRange, got); diff != "" {
			t.Errorf("LookupEvents %s..%s event IDs (-management events in the log files +LookupEvents):\n%s", res.Range.Start, res.Range.End, diff)
		}
		if want := (len(res.LogIDsInRange) + 19) / 20; res.LookupPages != want {
			t.Errorf("%d events in pages of 20: %d pages, want %d", len(res.LogIDsInRange), res.LookupPages, want)
		}
		if !res.NewestFirst {
			t.Error("LookupEvents pages are not newest first")
		}
		if len(res.BadCTEvent) > 0 {
			t.Errorf("events whose CloudTrailEvent has another eventID: %v", res.BadCTEvent)
		}
	})

	t.Run("ranged get_object", func(t *testing.T) {
		rg := res.RangedGets
		if len(rg.Results) != 9 {
			t.Fatalf("%d ranged GETs, want 9", len(rg.Results))
		}
		contentRange := regexp.MustCompile(fmt.Sprintf(`^bytes \d+-\d+/%d$`, rg.Size))
		for _, r := range rg.Results {
			name := fmt.Sprintf("GetObject %s Range=%s ChecksumMode=%s", rg.Key, deref(r.Range), deref(r.ChecksumMode))
			if !r.OK {
				t.Errorf("%s: %d bytes, want %d, or other bytes", name, r.Len, r.WantLen)
			}
			if r.Range != nil && !contentRange.MatchString(deref(r.ContentRange)) {
				t.Errorf("%s: ContentRange %q", name, deref(r.ContentRange))
			}
		}
	})

	t.Run("uploads", func(t *testing.T) {
		if len(res.Uploads) != 2 {
			t.Fatalf("%d uploads, want 2", len(res.Uploads))
		}
		for _, u := range res.Uploads {
			if u.PutObject != u.Want || u.UploadFile != u.Want {
				t.Errorf("%d bytes: sha256 after put_object %s, after upload_file/download_file %s; want %s", u.Size, u.PutObject, u.UploadFile, u.Want)
			}
		}
	})

	t.Run("head_object digest metadata", func(t *testing.T) {
		if len(res.DigestHeads) == 0 {
			t.Fatal("no digest files (the first run's stop should have written one)")
		}
		sig := regexp.MustCompile(`^[0-9a-f]{512}$`)
		for key, meta := range res.DigestHeads {
			if !sig.MatchString(meta["signature"]) || meta["signature-algorithm"] != "SHA256withRSA" || len(meta) != 2 {
				t.Errorf("head_object %s: Metadata %v, want exactly 'signature' (512 hex digits) and 'signature-algorithm': 'SHA256withRSA'", key, meta)
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
