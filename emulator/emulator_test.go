package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/firetrail/firetrail/emulator/internal/testrec"
	"github.com/firetrail/firetrail/schemas"
)

// testRecord returns a management record at t, numbered i.
var testRecord = testrec.Record

func testLogger(t testing.TB) Option {
	return WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})))
}

// logFileRecords lists the delivered log files under prefix and returns
// their records, raw.
func logFileRecords(t *testing.T, c *s3.Client, bucket string) (keys []string, recs []json.RawMessage) {
	t.Helper()
	ctx := t.Context()
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("AWSLogs/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListObjectsV2: %v", err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if !isLogFileKey(k) {
				continue
			}
			keys = append(keys, k)
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				t.Fatalf("GetObject %s: %v", k, err)
			}
			zr, err := gzip.NewReader(out.Body)
			if err != nil {
				t.Fatalf("gunzip %s: %v", k, err)
			}
			raw, err := io.ReadAll(zr)
			out.Body.Close()
			if err != nil {
				t.Fatalf("gunzip %s: %v", k, err)
			}
			var lf struct{ Records []json.RawMessage }
			if err := json.Unmarshal(raw, &lf); err != nil {
				t.Fatalf("parse %s: %v", k, err)
			}
			recs = append(recs, lf.Records...)
		}
	}
	return keys, recs
}

// lookupAll collects every page of a LookupEvents query.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []cttypes.Event {
	t.Helper()
	var all []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		all = append(all, page.Events...)
	}
	return all
}

func TestDeliveryAndLookupEvents(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, testLogger(t), WithSeed(1))
	base := emu.Now().Add(-2 * time.Hour)
	const n = 137
	for i := range n {
		emu.Record(testRecord(i, base.Add(time.Duration(i)*time.Minute/2)))
	}
	// A data event: in the files, never in LookupEvents.
	data := testRecord(n, base)
	data.EventName, data.ManagementEvent, data.EventCategory = "PutRecord", schemas.BoolFalse, "Data"
	emu.Record(data)
	emu.Flush()

	keys, recs := logFileRecords(t, emu.S3Client(), emu.Bucket)
	if len(keys) == 0 || len(recs) != n+1 {
		t.Fatalf("delivered %d files with %d records, want %d records", len(keys), len(recs), n+1)
	}
	byID := map[string]string{}
	type idTime struct {
		id string
		t  time.Time
	}
	var mgmt []idTime
	for _, r := range recs {
		var rec schemas.Record
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		byID[rec.EventID] = string(r)
		if rec.ManagementEvent != schemas.BoolFalse && rec.EventCategory != "Data" {
			mgmt = append(mgmt, idTime{rec.EventID, rec.EventTime})
		}
	}

	ct := cloudtrail.NewFromConfig(emu.AWSConfig())
	all := lookupAll(t, ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(7)})
	if len(all) != n {
		t.Fatalf("LookupEvents returned %d events, want %d", len(all), n)
	}
	for i, ev := range all {
		if i > 0 && ev.EventTime.After(*all[i-1].EventTime) {
			t.Fatalf("event %d newer than event %d: not newest first", i, i-1)
		}
		raw, ok := byID[aws.ToString(ev.EventId)]
		if !ok {
			t.Fatalf("event %s not in the log files", aws.ToString(ev.EventId))
		}
		if got := aws.ToString(ev.CloudTrailEvent); got != raw {
			t.Fatalf("CloudTrailEvent = %s, want the log file's %s", got, raw)
		}
	}
	if len(mgmt) != n {
		t.Fatalf("%d management events in files, want %d", len(mgmt), n)
	}

	// Each attribute key.
	tests := []struct {
		key, value string
		want       func(r schemas.Record) bool
	}{
		{"EventName", "CreateDeliveryStream", func(r schemas.Record) bool { return r.EventName == "CreateDeliveryStream" }},
		{"EventId", "11111111-0000-4000-8000-000000000042", func(r schemas.Record) bool { return r.EventID == "11111111-0000-4000-8000-000000000042" }},
		{"ReadOnly", "false", func(r schemas.Record) bool { return !r.ReadOnly.Value() }},
		{"Username", "user2", func(r schemas.Record) bool { return r.UserIdentity.UserName == "user2" }},
		{"ResourceType", schemas.FirehoseResourceType, func(r schemas.Record) bool { return true }},
		{"ResourceName", "stream-3", func(r schemas.Record) bool { return strings.Contains(string(r.RequestParameters), `"stream-3"`) }},
		{"EventSource", "firehose.amazonaws.com", func(r schemas.Record) bool { return true }},
		{"AccessKeyId", "AKIAEXAMPLE000000001", func(r schemas.Record) bool { return r.UserIdentity.AccessKeyID == "AKIAEXAMPLE000000001" }},
		{"Username", "nobody", func(r schemas.Record) bool { return false }},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			got := lookupAll(t, ct, &cloudtrail.LookupEventsInput{
				LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKey(tc.key), AttributeValue: aws.String(tc.value)}},
				MaxResults:       aws.Int32(10),
			})
			var want []string
			for _, ev := range all {
				var rec schemas.Record
				_ = json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec)
				if tc.want(rec) {
					want = append(want, rec.EventID)
				}
			}
			var gotIDs []string
			for _, ev := range got {
				gotIDs = append(gotIDs, aws.ToString(ev.EventId))
			}
			if !slices.Equal(gotIDs, want) {
				t.Errorf("LookupEvents(%s=%s) = %d events %v, want %d %v", tc.key, tc.value, len(gotIDs), gotIDs, len(want), want)
			}
		})
	}

	// A time range: the management events of the files inside it, newest first.
	from, to := base.Add(10*time.Minute), base.Add(40*time.Minute)
	got := lookupAll(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(from), EndTime: aws.Time(to), MaxResults: aws.Int32(50)})
	var want []idTime
	for _, m := range mgmt {
		if !m.t.Before(from) && !m.t.After(to) {
			want = append(want, m)
		}
	}
	slices.SortStableFunc(want, func(a, b idTime) int { return b.t.Compare(a.t) })
	if len(got) != len(want) {
		t.Fatalf("time range: %d events, want %d", len(got), len(want))
	}
	for i := range got {
		if aws.ToString(got[i].EventId) != want[i].id {
			t.Errorf("time range event %d = %s, want %s", i, aws.ToString(got[i].EventId), want[i].id)
		}
	}
}

func TestAdvanceDeliversAndNotifies(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	emu := Start(t, testLogger(t), WithDeliveryInterval(5*time.Minute))
	emu.Record(testRecord(1, emu.Now()))
	emu.Advance(10 * time.Minute)
	select {
	case n := <-emu.Notifications():
		if !isLogFileKey(n.Key) || n.Bucket != emu.Bucket || n.Records != 1 {
			t.Errorf("notice = %+v, want one log file of 1 record in %s", n, emu.Bucket)
		}
	default:
		t.Fatal("no notice after Advance")
	}
	emu.Advance(2 * time.Hour)
	out, err := emu.S3Client().ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: aws.String(emu.Bucket), Prefix: aws.String("AWSLogs/111122223333/CloudTrail-Digest/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Contents) < 2 {
		t.Fatalf("%d digests after 2 hours, want at least 2", len(out.Contents))
	}
	obj, err := emu.S3Client().GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: out.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if obj.Metadata["signature"] == "" || obj.Metadata["signature-algorithm"] != "SHA256withRSA" {
		t.Errorf("digest metadata = %v, want signature and signature-algorithm", obj.Metadata)
	}
	_ = bytes.MinRead
	_ = context.Background
}
