// Package bench holds the baselines of bench/run that belong to no package
// of firetrail: here, the flog-style generator that `firetrail generate`
// is compared with.
package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/firetrail/firetrail/internal/cputime"
)

// flogRecords is the number of records per op, as generator's benchmarks
// (benchEvents there).
const flogRecords = 200_000

// flogTemplate is a CloudTrail record of a Firehose call (the shape and
// about the size of what `firetrail generate` writes) as a format string:
// the way flog (github.com/mingrammer/flog) makes its log lines, with every
// value drawn from gofakeit and put in by fmt.Sprintf. No world, no state,
// no JSON escaping: the cheapest way to get lines that look like
// CloudTrail, and the baseline of BenchmarkNDJSON in generator.
const flogTemplate = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROA%s:%s","arn":"arn:aws:sts::%s:assumed-role/%s/%s","accountId":"%s","accessKeyId":"ASIA%s","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROA%s","arn":"arn:aws:iam::%s:role/%s","accountId":"%s","userName":"%s"},"webIdFederationData":{},"attributes":{"creationDate":"%s","mfaAuthenticated":"%t"}}},"eventTime":"%s","eventSource":"firehose.amazonaws.com","eventName":"%s","awsRegion":"%s","sourceIPAddress":"%s","userAgent":"%s","requestParameters":{"deliveryStreamName":"%s"},"responseElements":null,"requestID":"%s","eventID":"%s","readOnly":%t,"resources":[{"accountId":"%s","type":"AWS::KinesisFirehose::DeliveryStream","ARN":"arn:aws:firehose:%s:%s:deliverystream/%s"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"%s","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"firehose.%s.amazonaws.com"}}` + "\n"

var (
	flogEventNames = []string{"DescribeDeliveryStream", "ListDeliveryStreams", "UpdateDestination", "CreateDeliveryStream",
		"ListTagsForDeliveryStream", "TagDeliveryStream", "DeleteDeliveryStream", "StartDeliveryStreamEncryption"}
	flogRegions = []string{"us-east-1", "us-west-2", "eu-west-1"}
	flogRoles   = []string{"AWSReservedSSO_AdministratorAccess_1a2b3c4d5e6f7a8b", "firehose-admin", "ci-deployer", "data-platform"}
)

// flogLine appends one flog-style record drawn from f to buf.
func flogLine(buf []byte, f *gofakeit.Faker, t time.Time) []byte {
	account := f.DigitN(12)
	role := f.RandomString(flogRoles)
	user := f.Username()
	roleID := strings.ToUpper(f.LetterN(17))
	region := f.RandomString(flogRegions)
	stream := f.Word() + "-" + f.Word()
	return fmt.Appendf(buf, flogTemplate,
		roleID, user, account, role, user, account, strings.ToUpper(f.LetterN(16)),
		roleID, account, role, account, role,
		t.Add(-time.Duration(f.Number(60, 7200))*time.Second).Format(time.RFC3339), f.Bool(),
		t.Format(time.RFC3339), f.RandomString(flogEventNames), region, f.IPv4Address(), f.UserAgent(),
		stream, f.UUID(), f.UUID(), f.Bool(),
		account, region, account, stream, account, region)
}

// BenchmarkFlogStyle makes flogRecords records per op the flog way and
// writes them as NDJSON to io.Discard through a 64 KiB buffer, as
// generator's BenchmarkNDJSON does. Besides ns/op it reports records and
// MB per second of process CPU time (run it with -cpu 1).
func BenchmarkFlogStyle(b *testing.B) {
	f := gofakeit.New(42)
	t0 := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	var size int64
	var one []byte
	for i := range 1000 {
		one = flogLine(one[:0], f, t0.Add(time.Duration(i)*time.Second))
		size += int64(len(one))
	}
	size = size * flogRecords / 1000
	b.SetBytes(size)
	b.ReportAllocs()
	buf := make([]byte, 0, 128<<10)
	cpu0 := cputime.Self()
	for b.Loop() {
		for i := range flogRecords {
			buf = flogLine(buf, f, t0.Add(time.Duration(i)*10*time.Millisecond))
			if len(buf) >= 64<<10 {
				io.Discard.Write(buf)
				buf = buf[:0]
			}
		}
	}
	cpu := (cputime.Self() - cpu0).Seconds()
	n := float64(b.N)
	b.ReportMetric(flogRecords*n/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(flogRecords*n/cpu, "records/cpu-s")
	b.ReportMetric(float64(size)*n/1e6/cpu, "MB/cpu-s")
}

// TestFlogLineIsJSON: the baseline makes what it claims, one JSON object a
// line, of about the size of a generated record (1 to 2 KB).
func TestFlogLineIsJSON(t *testing.T) {
	f := gofakeit.New(1)
	for i := range 200 {
		line := flogLine(nil, f, time.Date(2025, 3, 3, 0, 0, i, 0, time.UTC))
		if !json.Valid(line) || bytes.IndexByte(line, '\n') != len(line)-1 {
			t.Fatalf("line %d is not one JSON object and a newline:\n%s", i, line)
		}
		if len(line) < 1000 || len(line) > 2000 {
			t.Fatalf("line %d: %d bytes, want 1000 to 2000", i, len(line))
		}
	}
}
