package trail_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

var t0 = time.Date(2025, 3, 4, 9, 2, 31, 0, time.UTC)

// loadKey reads a test key from testdata.
func loadKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := trail.LoadSigningKey(b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// hexID returns a deterministic random-looking 8-4-4-4-12 id from salt and
// n (splitmix64).
func hexID(salt, n uint64) string {
	mix := func(z uint64) uint64 {
		z += 0x9E3779B97F4A7C15
		z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
		z = (z ^ z>>27) * 0x94D049BB133111EB
		return z ^ z>>31
	}
	x := mix(salt<<40 ^ n)
	y := mix(x)
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(x), uint16(x>>32), uint16(x>>48)&0xfff, uint16(y)&0xfff, y>>16)
}

// firehoseRecord builds a realistic (about 1.5 KB) CreateDeliveryStream
// record by hand.
func firehoseRecord(i int, account, region string, at time.Time) schemas.Record {
	stream := fmt.Sprintf("clicks-%04d", i%977)
	params := fmt.Sprintf(`{"deliveryStreamName":%q,"deliveryStreamType":"DirectPut","extendedS3DestinationConfiguration":{"roleARN":"arn:aws:iam::%s:role/firehose-delivery-role","bucketARN":"arn:aws:s3:::analytics-landing-%s","prefix":"events/","compressionFormat":"GZIP"}}`,
		stream, account, account)
	resp := fmt.Sprintf(`{"deliveryStreamARN":"arn:aws:firehose:%s:%s:deliverystream/%s"}`, region, account, stream)
	return schemas.Record{
		EventVersion: "1.08",
		UserIdentity: schemas.UserIdentity{
			Type:        schemas.IdentityAssumedRole,
			PrincipalID: "AROAEXAMPLEROLEID1234:deploy-session-" + fmt.Sprint(i%13),
			ARN:         fmt.Sprintf("arn:aws:sts::%s:assumed-role/DataPlatformDeploy/deploy-session-%d", account, i%13),
			AccountID:   account,
			AccessKeyID: "ASIAEXAMPLEKEY" + fmt.Sprintf("%06d", i%100000),
			SessionContext: &schemas.SessionContext{
				SessionIssuer: &schemas.SessionIssuer{
					Type: "Role", PrincipalID: "AROAEXAMPLEROLEID1234",
					ARN:       fmt.Sprintf("arn:aws:iam::%s:role/DataPlatformDeploy", account),
					AccountID: account, UserName: "DataPlatformDeploy",
				},
				Attributes: &schemas.SessionAttributes{CreationDate: at.Add(-time.Hour).Format(time.RFC3339), MFAAuthenticated: "false"},
			},
		},
		EventTime:          at,
		EventSource:        "firehose.amazonaws.com",
		EventName:          "CreateDeliveryStream",
		AWSRegion:          region,
		SourceIPAddress:    fmt.Sprintf("198.51.100.%d", i%250),
		UserAgent:          "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 command/firehose.create-delivery-stream",
		RequestParameters:  json.RawMessage(params),
		ResponseElements:   json.RawMessage(resp),
		RequestID:          hexID(1, uint64(i)),
		EventID:            hexID(2, uint64(i)),
		ReadOnly:           schemas.BoolFalse,
		EventType:          "AwsApiCall",
		ManagementEvent:    schemas.BoolTrue,
		RecipientAccountID: account,
		EventCategory:      "Management",
		TLSDetails: &schemas.TLSDetails{
			TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256",
			ClientProvidedHostHeader: "firehose." + region + ".amazonaws.com",
		},
	}
}

// gunzip decompresses b.
func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// newTrail returns a trail into a fresh MemSink.
func newTrail(t testing.TB, cfg trail.Config) (*trail.Trail, *trail.MemSink) {
	t.Helper()
	sink := new(trail.MemSink)
	cfg.Sink = sink
	if cfg.Bucket == "" {
		cfg.Bucket = "example-trail-bucket"
	}
	tr, err := trail.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return tr, sink
}

// logKeys returns the log-file keys of sink, in order.
func logKeys(sink *trail.MemSink) []string {
	var out []string
	for _, k := range sink.Keys() {
		if strings.Contains(k, "/CloudTrail/") {
			out = append(out, k)
		}
	}
	return out
}

// digestKeys returns the digest keys of sink, in order.
func digestKeys(sink *trail.MemSink) []string {
	var out []string
	for _, k := range sink.Keys() {
		if strings.Contains(k, "/CloudTrail-Digest/") {
			out = append(out, k)
		}
	}
	return out
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = context.Background
