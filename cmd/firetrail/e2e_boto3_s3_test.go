package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// boto3EmptyPutScript puts an empty object and then non-empty ones with one
// boto3 client (so on one kept-alive connection), every put_object with
// botocore's "Expect: 100-continue", and then reads each back. It prints a JSON
// list of {key, sent, got, seconds}.
const boto3EmptyPutScript = `
import json, os, sys, time
import boto3

bucket = sys.argv[1]
s3 = boto3.client('s3', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
out = []
# The puts follow each other: a request without Expect (a GET) in between
# resets what botocore kept of the previous response.
for i, body in enumerate([b'', b'x', b'', b'yy']):
    key = 'e2e-boto3-s3/empty-put-%d' % i
    start = time.monotonic()
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    out.append({'key': key, 'sent': body.decode(), 'seconds': time.monotonic() - start})
for o in out:
    o['got'] = s3.get_object(Bucket=bucket, Key=o['key'])['Body'].read().decode()
print(json.dumps(out))
`

// TestE2EBoto3EmptyPut runs Debian's boto3 against firetrail serve: a
// put_object with an empty body followed by put_object calls with bodies on
// the same client must not stall. botocore waited for its 60 s read timeout
// on the PUT after an empty one when the server answered the empty PUT's
// "Expect: 100-continue" without 100 Continue. The deadline is generous: a
// healthy run takes well under a second, a stalled one at least a minute.
func TestE2EBoto3EmptyPut(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "") // not parallel: Setenv; the client's environment is clientEnv's anyway
	python, version := findPython(t)
	t.Logf("python: %s: boto3/botocore %s", python, version)
	dir := t.TempDir()
	script := filepath.Join(dir, "empty_put.py")
	if err := os.WriteFile(script, []byte(boto3EmptyPutScript), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t)
	env := clientEnv(t, &srv.serveInfo, pathStyleConfig)

	const deadline = 10 * time.Second
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	stdout, stderr, err := execClient(ctx, env, dir, python, script, srv.Bucket)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("boto3 put_object of an empty body, then of bodies, did not finish within %v (stalled connection)\nstderr:\n%s", deadline, stderr)
	}
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", python, script, err, stderr)
	}
	var puts []struct {
		Key     string  `json:"key"`
		Sent    string  `json:"sent"`
		Got     string  `json:"got"`
		Seconds float64 `json:"seconds"`
	}
	if err := json.Unmarshal(stdout, &puts); err != nil {
		t.Fatalf("decode output of %s: %v\n%s", script, err, stdout)
	}
	if len(puts) != 4 {
		t.Fatalf("%d puts reported, want 4: %s", len(puts), stdout)
	}
	for _, p := range puts {
		t.Logf("put_object %s (%d bytes): %.3fs", p.Key, len(p.Sent), p.Seconds)
		if p.Got != p.Sent {
			t.Errorf("%s: read back %q, want %q", p.Key, p.Got, p.Sent)
		}
	}
}
