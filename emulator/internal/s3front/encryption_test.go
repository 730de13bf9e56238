package s3front

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSDKBucketEncryption checks SetBucketEncryption (a CloudTrail bucket
// with SSE-S3 default encryption): objects put by Front.PutObject, by
// PutObject and by a multipart upload report AES256 on PUT, GET and HEAD,
// and GetBucketEncryption describes the rule. A bucket without it reports
// AES256 default encryption too, as S3 does since 2023, but its objects
// report encryption only when the PUT asked for it.
func TestSDKBucketEncryption(t *testing.T) {
	f := newTestFront(t)
	srv := newServer(t, f, false)
	c := newClient(t, srv)
	ctx := t.Context()
	const enc = "encrypted-bucket"
	if err := f.CreateBucket(enc); err != nil {
		t.Fatal(err)
	}
	if err := f.SetBucketEncryption("no-such-bucket"); err == nil {
		t.Error("SetBucketEncryption of a missing bucket: no error")
	}
	if err := f.SetBucketEncryption(enc); err != nil {
		t.Fatal(err)
	}

	for _, bucket := range []string{enc, testBucket} {
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
		if err != nil {
			t.Fatalf("GetBucketEncryption %s: %v", bucket, err)
		}
		rules := out.ServerSideEncryptionConfiguration.Rules
		if len(rules) != 1 || rules[0].ApplyServerSideEncryptionByDefault == nil ||
			rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 ||
			rules[0].BucketKeyEnabled == nil || *rules[0].BucketKeyEnabled {
			t.Errorf("GetBucketEncryption %s: %+v", bucket, rules)
		}
	}
	raw := rawExchange(t, srv, request(http.MethodGet, "/"+enc+"?encryption", nil, nil), false)
	for _, el := range []string{"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>", `xmlns="http://s3.amazonaws.com/doc/2006-03-01/"`} {
		if !bytes.Contains(raw.body, []byte(el)) {
			t.Errorf("GetBucketEncryption body lacks %s: %s", el, raw.body)
		}
	}
	if _, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("no-such-bucket")}); !isCode(err, "NoSuchBucket") {
		t.Errorf("GetBucketEncryption of a missing bucket: %v", err)
	}

	sse := func(t *testing.T, bucket, key string) types.ServerSideEncryption {
		t.Helper()
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		readBody(t, get.Body)
		if head.ServerSideEncryption != get.ServerSideEncryption {
			t.Errorf("%s/%s: HEAD reports %q, GET %q", bucket, key, head.ServerSideEncryption, get.ServerSideEncryption)
		}
		return head.ServerSideEncryption
	}

	t.Run("Front.PutObject", func(t *testing.T) {
		if err := f.PutObject(ctx, enc, "trail/log.json.gz", map[string]string{"k": "v"}, []byte("log")); err != nil {
			t.Fatal(err)
		}
		if got := sse(t, enc, "trail/log.json.gz"); got != types.ServerSideEncryptionAes256 {
			t.Errorf("encrypted bucket: object reports %q, want AES256", got)
		}
		if err := f.PutObject(ctx, testBucket, "plain", nil, []byte("log")); err != nil {
			t.Fatal(err)
		}
		if got := sse(t, testBucket, "plain"); got != "" {
			t.Errorf("bucket without default encryption: object reports %q, want none", got)
		}
	})
	t.Run("PutObject", func(t *testing.T) {
		put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(enc), Key: aws.String("client"), Body: strings.NewReader("data")})
		if err != nil {
			t.Fatal(err)
		}
		if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || sse(t, enc, "client") != types.ServerSideEncryptionAes256 {
			t.Errorf("PutObject into the encrypted bucket: PUT reports %q, GET/HEAD %q", put.ServerSideEncryption, sse(t, enc, "client"))
		}
		put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("asked"), Body: strings.NewReader("data"), ServerSideEncryption: types.ServerSideEncryptionAes256})
		if err != nil {
			t.Fatal(err)
		}
		if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || sse(t, testBucket, "asked") != types.ServerSideEncryptionAes256 {
			t.Errorf("PutObject with x-amz-server-side-encryption: PUT reports %q, GET/HEAD %q", put.ServerSideEncryption, sse(t, testBucket, "asked"))
		}
		resp := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"/bad-sse", [][2]string{{"X-Amz-Server-Side-Encryption", "ROT13"}}, []byte("x")), false)
		if e := checkErrorDocument(t, resp); resp.StatusCode != 400 || e.Code != "InvalidArgument" {
			t.Errorf("PUT with an unknown encryption: %d %s", resp.StatusCode, resp.body)
		}
	})
	t.Run("multipart", func(t *testing.T) {
		cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(enc), Key: aws.String("mp")})
		if err != nil {
			t.Fatal(err)
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(enc), Key: aws.String("mp"), UploadId: cr.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
		if err != nil {
			t.Fatal(err)
		}
		done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(enc), Key: aws.String("mp"), UploadId: cr.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
		if err != nil {
			t.Fatal(err)
		}
		if cr.ServerSideEncryption != types.ServerSideEncryptionAes256 || part.ServerSideEncryption != types.ServerSideEncryptionAes256 ||
			done.ServerSideEncryption != types.ServerSideEncryptionAes256 || sse(t, enc, "mp") != types.ServerSideEncryptionAes256 {
			t.Errorf("multipart upload into the encrypted bucket: create %q, part %q, complete %q, object %q", cr.ServerSideEncryption, part.ServerSideEncryption, done.ServerSideEncryption, sse(t, enc, "mp"))
		}
	})
	t.Run("Put/DeleteBucketEncryption", func(t *testing.T) {
		_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(testBucket), ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
			Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/trail")}, BucketKeyEnabled: aws.Bool(true)}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(testBucket)})
		if err != nil {
			t.Fatal(err)
		}
		r := out.ServerSideEncryptionConfiguration.Rules[0]
		if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms || aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/trail" || !aws.ToBool(r.BucketKeyEnabled) {
			t.Errorf("GetBucketEncryption after PutBucketEncryption: %+v", r)
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String("kms"), Body: strings.NewReader("data")}); err != nil {
			t.Fatal(err)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String("kms")})
		if err != nil {
			t.Fatal(err)
		}
		if head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != "alias/trail" || !aws.ToBool(head.BucketKeyEnabled) {
			t.Errorf("object of a KMS bucket: %q %q %v", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId), aws.ToBool(head.BucketKeyEnabled))
		}
		if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String(testBucket)}); err != nil {
			t.Fatal(err)
		}
		out, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(testBucket)})
		if err != nil || out.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
			t.Errorf("GetBucketEncryption after DeleteBucketEncryption: %v %+v", err, out)
		}
		resp := rawExchange(t, srv, request(http.MethodPut, "/"+testBucket+"?encryption", nil, []byte("<ServerSideEncryptionConfiguration/>")), false)
		if e := checkErrorDocument(t, resp); e.Code != "MalformedXML" {
			t.Errorf("PutBucketEncryption without a rule: %d %s", resp.StatusCode, resp.body)
		}
	})
}
