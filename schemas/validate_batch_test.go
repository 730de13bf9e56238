package schemas

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseLogKey(t *testing.T) {
	day := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		key    string
		want   LogKey
		ok     bool
		errMsg string
	}{
		{key: "logs/2025/x.json.gz"},
		{key: "AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/03/04/x.log.gz"},
		{
			key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905Z_q8ZrT2mWcLxN4vBa.json.gz",
			ok:  true,
			want: LogKey{AccountID: "111122223333", Kind: KindLog, Region: "eu-west-1", Date: day,
				Stamp: time.Date(2025, 3, 4, 9, 5, 0, 0, time.UTC), Unique: "q8ZrT2mWcLxN4vBa"},
		},
		{
			key: "bucket/pre/fix/AWSLogs/o-abcdefghij/111122223333/CloudTrail-Insight/us-east-1/2025/03/04/111122223333_CloudTrail-Insight_us-east-1_20250304T2355Z_abc.json",
			ok:  true,
			want: LogKey{Prefix: "bucket/pre/fix", OrgID: "o-abcdefghij", AccountID: "111122223333", Kind: KindInsight, Region: "us-east-1", Date: day,
				Stamp: time.Date(2025, 3, 4, 23, 55, 0, 0, time.UTC), Unique: "abc"},
		},
		{
			key: "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/04/111122223333_CloudTrail-Digest_eu-west-1_my_trail_us-east-1_20250304T150131Z_backfill.json.gz",
			ok:  true,
			want: LogKey{AccountID: "111122223333", Kind: KindDigest, Region: "eu-west-1", Date: day,
				Stamp: time.Date(2025, 3, 4, 15, 1, 31, 0, time.UTC), Trail: "my_trail", HomeRegion: "us-east-1"},
		},
		{key: "AWSLogs/11112222333/CloudTrail/eu-west-1/2025/03/04/f.json.gz", ok: true, errMsg: `account "11112222333" is not 12 digits`},
		{key: "AWSLogs/o-x/111122223333/CloudTrail/eu-west-1/2025/03/04/f.json.gz", ok: true, errMsg: `organization ID "o-x" is not o- and 10 to 32 of a-z, 0-9`},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/f.json.gz", ok: true, errMsg: "want REGION/YYYY/MM/DD/FILE after CloudTrail/, got 4 parts"},
		{key: "AWSLogs/111122223333/CloudTrail/EU/2025/03/04/f.json.gz", ok: true, errMsg: `region "EU" is not a region name`},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/02/30/f.json.gz", ok: true, errMsg: "date 2025/02/30 is not YYYY/MM/DD"},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905Z_x.txt", ok: true, errMsg: `file name "111122223333_CloudTrail_eu-west-1_20250304T0905Z_x.txt" does not end in .json.gz`},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/444455556666_CloudTrail_eu-west-1_20250304T0905Z_x.json.gz", ok: true, errMsg: "file name account 444455556666 does not match path account 111122223333"},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_us-east-1_20250304T0905Z_x.json.gz", ok: true, errMsg: "file name region us-east-1 does not match path region eu-west-1"},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250305T0005Z_x.json.gz", ok: true, errMsg: "file name date 2025-03-05 does not match path date 2025-03-04"},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905_x.json.gz", ok: true, errMsg: `file name "111122223333_CloudTrail_eu-west-1_20250304T0905_x.json.gz": stamp "20250304T0905" is not YYYYMMDDTHHmmZ`},
		{key: "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905Z.json.gz", ok: true, errMsg: `file name "111122223333_CloudTrail_eu-west-1_20250304T0905Z.json.gz" is not ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz`},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, ok, err := ParseLogKey(tc.key)
			if ok != tc.ok {
				t.Fatalf("ParseLogKey(%q) ok = %v, want %v", tc.key, ok, tc.ok)
			}
			if tc.errMsg != "" {
				if err == nil || !strings.HasSuffix(err.Error(), ": "+tc.errMsg) {
					t.Fatalf("ParseLogKey(%q) error = %v, want …: %s", tc.key, err, tc.errMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseLogKey(%q): %v", tc.key, err)
			}
			if ok {
				tc.want.File = path.Base(tc.key)
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("ParseLogKey(%q) (-want +got):\n%s", tc.key, diff)
				}
			}
		})
	}
}

func TestBatch(t *testing.T) {
	v := newValidator(t)
	b := NewBatch(v)
	key, _, err := ParseLogKey("AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905Z_q8ZrT2mWcLxN4vBa.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	b.StartFile("a.json.gz", &key)
	rec := func(old, new string) []byte { return edit(t, old, new) }
	tests := []struct {
		name string
		rec  []byte
		want []string
	}{
		{"ok", []byte(modernRecord), nil},
		{"duplicate", []byte(modernRecord), []string{"/eventID: duplicate eventID 7d3b0e52-91a4-4c2f-8f57-3e9a0b6c1d28, first seen in a.json.gz record 0"}},
		{"after stamp", rec(`"eventTime":"2025-03-04T09:03:41Z","eventSource"`, `"eventTime":"2025-03-04T09:10:00Z","eventSource"`), []string{
			"/eventID: duplicate eventID 7d3b0e52-91a4-4c2f-8f57-3e9a0b6c1d28, first seen in a.json.gz record 0",
			"/eventTime: 2025-03-04T09:10:00Z is after the file stamp 20250304T0905Z"}},
		{"new eventID", rec(`"eventID":"7d3b0e52`, `"eventID":"00000001`), nil},
		{"within stamp tolerance", []byte(strings.NewReplacer(`"eventTime":"2025-03-04T09:03:41Z"`, `"eventTime":"2025-03-04T09:09:59Z"`, "7d3b0e52-", "00000005-").Replace(modernRecord)), nil},
	}
	for i, tc := range tests {
		var got []string
		for _, p := range b.Validate(i, tc.rec) {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	early := strings.NewReplacer(`"eventTime":"2025-03-04T09:03:41Z"`, `"eventTime":"2025-03-02T23:59:59Z"`, "7d3b0e52-", "00000003-").Replace(modernRecord)
	var got []string
	for _, p := range b.Validate(4, []byte(early)) {
		got = append(got, p.String())
	}
	want := []string{"/eventTime: 2025-03-02T23:59:59Z is more than 24h before the path date 2025/03/04"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("too early (-want +got):\n%s", diff)
	}
	other, _, _ := ParseLogKey("AWSLogs/444455556666/CloudTrail/us-east-1/2025/03/04/444455556666_CloudTrail_us-east-1_20250304T0905Z_q8ZrT2mWcLxN4vBa.json.gz")
	b.StartFile("b.json.gz", &other)
	got = nil
	for _, p := range b.Validate(0, []byte(strings.Replace(modernRecord, "7d3b0e52-", "00000004-", 1))) {
		got = append(got, p.String())
	}
	want = []string{
		"/recipientAccountId: 111122223333 does not match account 444455556666 of the file key",
		"/awsRegion: eu-west-1 does not match region us-east-1 of the file key",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("wrong folder (-want +got):\n%s", diff)
	}
}

func TestParseARN(t *testing.T) {
	tests := []struct{ arn, reason string }{
		{"arn:aws:iam::111122223333:user/ops/dana", ""},
		{"arn:aws:s3:::bucket/key:with:colons", ""},
		{"arn:aws-us-gov:firehose:us-gov-west-1:111122223333:deliverystream/x", ""},
		{"arn:aws:iam::aws:policy/AdministratorAccess", ""},
		{"arn:aws:kms:us-east-1:key", "want 6 colon-separated fields"},
		{"aws:iam::111122223333:root", `does not start with "arn:"`},
		{"arn:amazon:iam::111122223333:root", `unknown partition "amazon"`},
		{"arn:aws:IAM::111122223333:root", `bad service "IAM"`},
		{"arn:aws:iam:EU::root", `bad region "EU"`},
		{"arn:aws:iam::1111:root", `bad account "1111"`},
		{"arn:aws:iam::111122223333:", "empty resource"},
	}
	for _, tc := range tests {
		if _, reason := parseARN([]byte(tc.arn)); reason != tc.reason {
			t.Errorf("parseARN(%q) = %q, want %q", tc.arn, reason, tc.reason)
		}
	}
}

// TestFastPathTaken checks that ordinary records take the fast path: the
// walker must find them clean, or the JSON Schema runs on every record.
func TestFastPathTaken(t *testing.T) {
	recs := append(logRecords(t, readFile(t, "testdata/seed_example.json")), []byte(modernRecord))
	for i, r := range recs {
		var info recordInfo
		if serr := walkRecord(r, &info); serr != nil || !info.clean {
			t.Errorf("record %d: walker clean = %v (%v), want true", i, info.clean, serr)
		}
	}
	v := newValidator(t)
	for _, name := range []string{"CreateDeliveryStream", "DescribeDeliveryStream", "UpdateDestination", "ListDeliveryStreams"} {
		if s := v.request[name]; s == nil || s.fast == nil {
			t.Errorf("request schema of %s has no fast path", name)
		}
	}
	for i, r := range recs {
		var info recordInfo
		walkRecord(r, &info)
		if s := v.request[string(info.eventName)]; s != nil && !s.fast.valid(info.requestParameters) {
			t.Errorf("record %d: fast request schema rejects %s", i, info.requestParameters)
		}
	}
}
