package s3front

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestSDKListMultipartUploads lists uploads of a bucket that never had one
// (S3 answers an empty listing, gofakes3 NoSuchUpload), with some, and
// after they are gone.
func TestSDKListMultipartUploads(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	c := newClient(t, srv)
	ctx := t.Context()

	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket)})
	if err != nil {
		t.Fatalf("ListMultipartUploads of a bucket without uploads: %v", err)
	}
	if aws.ToString(out.Bucket) != testBucket || aws.ToInt32(out.MaxUploads) != 1000 || aws.ToBool(out.IsTruncated) || len(out.Uploads) != 0 || len(out.CommonPrefixes) != 0 {
		t.Errorf("empty listing: bucket %q, max uploads %d, truncated %v, %d uploads, %d prefixes", aws.ToString(out.Bucket), aws.ToInt32(out.MaxUploads), aws.ToBool(out.IsTruncated), len(out.Uploads), len(out.CommonPrefixes))
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket), Prefix: aws.String("logs/"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Prefix) != "logs/" || aws.ToString(out.Delimiter) != "/" || aws.ToInt32(out.MaxUploads) != 5 {
		t.Errorf("empty listing with prefix, delimiter, max-uploads: %q %q %d", aws.ToString(out.Prefix), aws.ToString(out.Delimiter), aws.ToInt32(out.MaxUploads))
	}
	raw := rawExchange(t, srv, request(http.MethodGet, "/"+testBucket+"?uploads", nil, nil), false)
	for _, elem := range []string{"<Bucket>" + testBucket + "</Bucket>", "<KeyMarker></KeyMarker>", "<UploadIdMarker></UploadIdMarker>", "<MaxUploads>1000</MaxUploads>", "<IsTruncated>false</IsTruncated>"} {
		if !bytes.Contains(raw.body, []byte(elem)) {
			t.Errorf("empty listing lacks %s: %s", elem, raw.body)
		}
	}
	if _, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("no-such-bucket")}); !isCode(err, "NoSuchBucket") {
		t.Errorf("ListMultipartUploads of a missing bucket: %v, want NoSuchBucket", err)
	}

	// Uploads: two for "a", one each for "b/1" and "b/2".
	type up struct{ key, id string }
	var ups []up
	for _, key := range []string{"b/2", "a", "b/1", "a"} {
		o, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		ups = append(ups, up{key, aws.ToString(o.UploadId)})
	}
	want := []up{ups[1], ups[3], ups[2], ups[0]} // by key, then by initiation
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket)})
	if err != nil {
		t.Fatal(err)
	}
	var got []up
	for _, u := range out.Uploads {
		got = append(got, up{aws.ToString(u.Key), aws.ToString(u.UploadId)})
		if u.Initiated == nil || u.Initiated.IsZero() {
			t.Errorf("upload %s: no Initiated", aws.ToString(u.Key))
		}
	}
	if !slices.Equal(got, want) || aws.ToBool(out.IsTruncated) {
		t.Errorf("listing: %v (truncated %v), want %v", got, aws.ToBool(out.IsTruncated), want)
	}

	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Uploads) != 2 || len(out.CommonPrefixes) != 1 || aws.ToString(out.CommonPrefixes[0].Prefix) != "b/" {
		t.Errorf("delimited listing: %d uploads, prefixes %v; want 2 uploads and b/", len(out.Uploads), out.CommonPrefixes)
	}

	// One upload a page, following the markers the server returns.
	got = nil
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket), MaxUploads: aws.Int32(1)}
	for page := 0; ; page++ {
		if page > len(want) {
			t.Fatalf("more than %d pages: %v", len(want), got)
		}
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Uploads {
			got = append(got, up{aws.ToString(u.Key), aws.ToString(u.UploadId)})
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged listing: %v, want %v", got, want)
	}

	for _, u := range ups {
		if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(testBucket), Key: aws.String(u.key), UploadId: aws.String(u.id)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(testBucket)})
	if err != nil || len(out.Uploads) != 0 || aws.ToBool(out.IsTruncated) {
		t.Errorf("listing after aborting every upload: %v, %+v", err, out)
	}
}

// isCode reports whether err is an S3 API error with code.
func isCode(err error, code string) bool {
	ae, ok := errors.AsType[smithy.APIError](err)
	return ok && ae.ErrorCode() == code
}
