package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// TestE2EGoSDK drives firetrail serve with aws-sdk-go-v2 at its default
// settings over plain HTTP (memory storage; the SDK sends checksums as
// headers) and over TLS (--tls with --data-dir, bbolt storage; the SDK
// sends every upload aws-chunked with a CRC32 trailer): whatever the call,
// the bytes read back are the bytes written.
func TestE2EGoSDK(t *testing.T) {
	t.Parallel()
	modes := []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"http", func(*testing.T) []string { return nil }},
		{"tls", func(t *testing.T) []string { return []string{"--tls", "--data-dir", t.TempDir()} }},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, m.args(t)...)
			if m.name == "tls" && (!strings.HasPrefix(srv.URL, "https://") || srv.CAFile() == "") {
				t.Fatalf("serve --tls: endpoint %s, CA file %q", srv.URL, srv.CAFile())
			}
			testGoSDK(t, goS3(t, &srv.serveInfo), srv.Bucket)
		})
	}
}

func testGoSDK(t *testing.T, c *s3.Client, bucket string) {
	ctx := t.Context()
	put := func(t *testing.T, key string, body []byte) {
		t.Helper()
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatalf("PutObject %s (%d bytes): %v", key, len(body), err)
		}
	}
	same := func(t *testing.T, what string, got, want []byte) {
		t.Helper()
		if sha256Hex(got) != sha256Hex(want) {
			t.Errorf("%s: %d bytes with sha256 %s, want %d bytes with sha256 %s", what, len(got), sha256Hex(got), len(want), sha256Hex(want))
		}
	}

	t.Run("PutObject", func(t *testing.T) {
		for i, n := range []int{0, 1, 1234, 5<<20 + 7} {
			key := fmt.Sprintf("e2e/go/put-%d.bin", n)
			want := randomData(n, uint64(100+i))
			put(t, key, want)
			same(t, "GetObject "+key, getObject(t, c, bucket, key), want)
		}
	})

	// One object above the 20 MiB of the acceptance, in 5 parts.
	big := randomData(21<<20+3, 7)
	const bigKey = "e2e/go/multipart.bin"
	t.Run("upload manager", func(t *testing.T) {
		up := manager.NewUploader(c)
		out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(bigKey), Body: bytes.NewReader(big)})
		if err != nil {
			t.Fatalf("upload manager: %v", err)
		}
		if out.UploadID == "" {
			t.Errorf("upload of %d bytes was not a multipart upload", len(big))
		}
		same(t, "GetObject "+bigKey, getObject(t, c, bucket, bigKey), big)
		// The download manager fetches it in concurrent ranged GETs.
		buf := manager.NewWriteAtBuffer(nil)
		if _, err := manager.NewDownloader(c).Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(bigKey)}); err != nil {
			t.Fatalf("download manager: %v", err)
		}
		same(t, "download manager "+bigKey, buf.Bytes(), big)
	})

	t.Run("GetObject ranges", func(t *testing.T) {
		n := len(big)
		tests := []struct {
			rng        string
			start, end int // of big, end exclusive
		}{
			{"bytes=0-0", 0, 1},
			{"bytes=10-1033", 10, 1034},
			{"bytes=-100", n - 100, n},
			{fmt.Sprintf("bytes=%d-", n-(1<<20)), n - (1 << 20), n},
			{fmt.Sprintf("bytes=%d-%d", 5<<20-10, 5<<20+10), 5<<20 - 10, 5<<20 + 11},
			{fmt.Sprintf("bytes=%d-%d", n-5, n+100), n - 5, n},
		}
		for _, tc := range tests {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(bigKey), Range: aws.String(tc.rng)})
			if err != nil {
				t.Errorf("GetObject Range %s: %v", tc.rng, err)
				continue
			}
			got, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Errorf("GetObject Range %s: read: %v", tc.rng, err)
				continue
			}
			same(t, "GetObject Range "+tc.rng, got, big[tc.start:tc.end])
			if want := fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end-1, n); aws.ToString(out.ContentRange) != want {
				t.Errorf("GetObject Range %s: ContentRange %q, want %q", tc.rng, aws.ToString(out.ContentRange), want)
			}
		}
	})

	t.Run("ListObjectsV2", func(t *testing.T) {
		keys := []string{"e2e/list/a/1", "e2e/list/a/2", "e2e/list/b/1", "e2e/list/c", "e2e/list/d", "e2e/list/e"}
		for _, k := range keys {
			put(t, k, []byte(k))
		}
		// Delimiter, one entry to a page.
		var files, dirs []string
		pages := 0
		p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("e2e/list/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListObjectsV2 delimiter page %d: %v", pages+1, err)
			}
			pages++
			if n := len(page.Contents) + len(page.CommonPrefixes); n > 1 {
				t.Errorf("page %d: %d entries with MaxKeys 1", pages, n)
			}
			for _, o := range page.Contents {
				files = append(files, aws.ToString(o.Key))
			}
			for _, cp := range page.CommonPrefixes {
				dirs = append(dirs, aws.ToString(cp.Prefix))
			}
			if pages > 20 {
				t.Fatal("ListObjectsV2 pagination does not end")
			}
		}
		if diff := cmp.Diff([]string{"e2e/list/c", "e2e/list/d", "e2e/list/e"}, files); diff != "" {
			t.Errorf("ListObjectsV2 delimiter /: Contents (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"e2e/list/a/", "e2e/list/b/"}, dirs); diff != "" {
			t.Errorf("ListObjectsV2 delimiter /: CommonPrefixes (-want +got):\n%s", diff)
		}
		if pages != 5 {
			t.Errorf("ListObjectsV2 delimiter /, MaxKeys 1: %d pages, want 5", pages)
		}
		// No delimiter, two to a page.
		var all []string
		pages = 0
		p = s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("e2e/list/"), MaxKeys: aws.Int32(2)})
		for p.HasMorePages() && pages < 20 {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListObjectsV2 page %d: %v", pages+1, err)
			}
			pages++
			for _, o := range page.Contents {
				all = append(all, aws.ToString(o.Key))
				if got := aws.ToInt64(o.Size); got != int64(len(aws.ToString(o.Key))) {
					t.Errorf("%s: Size %d, want %d", aws.ToString(o.Key), got, len(aws.ToString(o.Key)))
				}
			}
		}
		if diff := cmp.Diff(keys, all); diff != "" || pages != 3 {
			t.Errorf("ListObjectsV2 MaxKeys 2: %d pages (want 3), keys (-want +got):\n%s", pages, diff)
		}
	})

	t.Run("tagging and ACL keep bytes", func(t *testing.T) {
		tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("e2e")}, {Key: aws.String("k 2"), Value: aws.String("v/é")}}
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(bigKey), Tagging: &types.Tagging{TagSet: tags}})
		if err != nil {
			t.Fatalf("PutObjectTagging: %v", err)
		}
		got, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(bigKey)})
		if err != nil {
			t.Fatalf("GetObjectTagging: %v", err)
		}
		tagMap := func(ts []types.Tag) map[string]string {
			m := map[string]string{}
			for _, tg := range ts {
				m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			return m
		}
		if diff := cmp.Diff(tagMap(tags), tagMap(got.TagSet)); diff != "" {
			t.Errorf("GetObjectTagging (-want +got):\n%s", diff)
		}
		same(t, "GetObject after PutObjectTagging", getObject(t, c, bucket, bigKey), big)

		// An ACL call either works or is refused in S3's error form; the
		// object never changes.
		_, err = c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(bigKey), ACL: types.ObjectCannedACLBucketOwnerFullControl})
		var apiErr smithy.APIError
		if err != nil && !(errors.As(err, &apiErr) && slices.Contains([]string{"NotImplemented", "MethodNotAllowed"}, apiErr.ErrorCode())) {
			t.Errorf("PutObjectAcl: %v; want success or NotImplemented", err)
		}
		same(t, "GetObject after PutObjectAcl", getObject(t, c, bucket, bigKey), big)
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(bigKey)})
		if err != nil {
			t.Fatalf("HeadObject: %v", err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(big)) {
			t.Errorf("HeadObject ContentLength %d, want %d", aws.ToInt64(head.ContentLength), len(big))
		}
	})
}
