package main

import (
	"bytes"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFlushCommand: a harness in any language makes serve deliver now
// with "firetrail flush" (POST /_firetrail/flush) instead of waiting for
// the delivery interval; the keys printed are the files written.
func TestFlushCommand(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	srv := startServe(t, "--delivery-interval", "1h", "--seed", "5")
	cfg := goConfig(t, &srv.serveInfo)
	fh := firehose.NewFromConfig(cfg)
	if _, err := fh.CreateDeliveryStream(t.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String("flush-me"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"),
		},
	}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"flush", "--endpoint", srv.URL}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("firetrail flush = %d\nstderr: %s", code, &stderr)
	}
	keys := strings.Fields(stdout.String())
	var logs []string
	for _, k := range keys {
		if strings.Contains(k, "/CloudTrail/") {
			if err := checkLogKey(k); err != nil {
				t.Errorf("flushed key %s: %v", k, err)
			}
			logs = append(logs, k)
		}
	}
	if len(logs) != 1 {
		t.Fatalf("flush printed %q, want one log file", keys)
	}
	recs, err := parseLogFile(getObject(t, goS3(t, &srv.serveInfo), srv.Bucket, logs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Errorf("flushed log file holds %d records, want the 1 call", len(recs))
	}
	// A second flush has nothing to write.
	stdout.Reset()
	if code := run(t.Context(), []string{"flush", "--endpoint", srv.URL}, strings.NewReader(""), &stdout, &stderr); code != 0 || stdout.Len() != 0 {
		t.Errorf("second flush = %d, %q; want 0 and no keys", code, stdout.String())
	}
}

func TestFlushCommandErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"flush", "--endpoint", "ftp://x"}, 2, "--endpoint"},
		{[]string{"flush", "extra"}, 2, "unexpected arguments"},
		{[]string{"flush", "--endpoint", "http://" + addr}, 1, "flush:"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tc.args, strings.NewReader(""), &stdout, &stderr)
		if code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("firetrail %q = %d, stderr %q; want %d and %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	for _, tc := range []struct{ requested, bound, want string }{
		{"127.0.0.1:4599", "127.0.0.1:4599", "127.0.0.1:4599"},
		{"0.0.0.0:4599", "[::]:4599", "127.0.0.1:4599"}, // Go binds 0.0.0.0 dual-stack
		{"0.0.0.0:0", "0.0.0.0:4600", "127.0.0.1:4600"},
		{":4599", "[::]:4599", "127.0.0.1:4599"},
		{"[::]:4599", "[::]:4599", "[::1]:4599"},
		{"[::1]:4599", "[::1]:4599", "[::1]:4599"},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.bound)
		if err != nil {
			t.Fatal(err)
		}
		if got := clientAddr(tc.requested, a); got != tc.want {
			t.Errorf("clientAddr(%s, %s) = %s, want %s", tc.requested, tc.bound, got, tc.want)
		}
	}
}

// TestFlushCommandSigned: against serve --auth sigv4, firetrail flush signs
// with the credentials of the environment (those serve prints); without
// them the flush is refused in the JSON error shape.
func TestFlushCommandSigned(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	srv := startServe(t, "--auth", "sigv4")
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"flush", "--endpoint", srv.URL}, strings.NewReader(""), &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "MissingAuthenticationToken") {
		t.Errorf("unsigned flush = %d, stderr %q; want 1 and MissingAuthenticationToken", code, stderr.String())
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.Env["AWS_ACCESS_KEY_ID"])
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.Env["AWS_SECRET_ACCESS_KEY"])
	stderr.Reset()
	if code := run(t.Context(), []string{"flush", "--endpoint", srv.URL}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Errorf("signed flush = %d, stderr %q; want 0", code, stderr.String())
	}
}
