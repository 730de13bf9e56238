package firehose

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/schemas"
)

// memObjects is an S3 that can be made to fail.
type memObjects struct {
	mu      sync.Mutex
	fail    error
	objects map[string]string // bucket/key → body
}

func (m *memObjects) CreateBucket(string) error { return nil }

func (m *memObjects) PutObject(_ context.Context, bucket, key string, _ map[string]string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.objects[bucket+"/"+key] = string(body)
	return nil
}

func (m *memObjects) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.objects))
}

type seqIDs struct{ n int }

func (s *seqIDs) UUID() string { s.n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", s.n) }

// testService is a Service on a virtual clock writing to memory.
func testService(t *testing.T, cfg Config) (*Service, *trail.FakeClock, *memObjects) {
	t.Helper()
	clock := trail.NewFakeClock(DefaultStartTime)
	objs := &memObjects{objects: map[string]string{}}
	cfg.Clock, cfg.IDs, cfg.Objects = clock, &seqIDs{}, objs
	cfg.Record = func(*schemas.Record, string, *Change) error { return nil }
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, clock, objs
}

func do(t *testing.T, s *Service, op, body string) error {
	t.Helper()
	cc := &awsapi.Call{Account: "111122223333", Region: "us-east-1", RequestID: "r"}
	_, err := s.Handle(t.Context(), cc, op, []byte(body))
	return err
}

const createExt = `{"DeliveryStreamName":"s","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::111122223333:role/r","BucketARN":"arn:aws:s3:::b","Prefix":"v1/"}}`

func TestFailedWritesAreRetried(t *testing.T) {
	s, clock, objs := testService(t, Config{})
	if err := do(t, s, "CreateDeliveryStream", createExt); err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultCreateDelay)
	objs.fail = errors.New("disk full")
	if err := do(t, s, "PutRecord", `{"DeliveryStreamName":"s","Record":{"Data":"YQo="}}`); err != nil {
		t.Fatalf("PutRecord with a failing destination: %v (delivery is asynchronous)", err)
	}
	clock.Advance(5 * time.Minute)
	if err := s.Tick(t.Context()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Tick = %v, want the write error", err)
	}
	if err := s.Flush(t.Context()); err == nil {
		t.Errorf("Flush with a failing destination succeeded")
	}
	objs.fail = nil
	if err := s.Tick(t.Context()); err != nil {
		t.Fatalf("Tick once the destination is back: %v", err)
	}
	if got := objs.keys(); len(got) != 1 || objs.objects[got[0]] != "a\n" {
		t.Errorf("objects after the retry = %v", objs.objects)
	}
}

func TestUpdateWritesUnderTheVersionPut(t *testing.T) {
	s, clock, objs := testService(t, Config{CreateDelay: -1})
	if err := do(t, s, "CreateDeliveryStream", createExt); err != nil {
		t.Fatal(err)
	}
	if err := do(t, s, "PutRecord", `{"DeliveryStreamName":"s","Record":{"Data":"YQo="}}`); err != nil {
		t.Fatalf("PutRecord with no create delay: %v", err)
	}
	if err := do(t, s, "UpdateDestination", `{"DeliveryStreamName":"s","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"v2/"}}`); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if err := do(t, s, "PutRecord", `{"DeliveryStreamName":"s","Record":{"Data":"Ygo="}}`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // Close flushes
		t.Fatal(err)
	}
	got := objs.keys()
	want := []string{"b/v1/2025/03/04/09/s-1-2025-03-04-09-00-00-", "b/v2/2025/03/04/09/s-2-2025-03-04-09-00-01-"}
	if len(got) != 2 || !strings.HasPrefix(got[0], want[0]) || !strings.HasPrefix(got[1], want[1]) {
		t.Errorf("objects = %v, want keys starting %v", got, want)
	}
}

func TestCreatingStreamSaved(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	s, clock, _ := testService(t, Config{Path: path})
	if err := do(t, s, "CreateDeliveryStream", createExt); err != nil {
		t.Fatal(err)
	}
	loaded, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := streamKey{"111122223333", "us-east-1", "s"}
	status := func(at time.Time) types.DeliveryStreamStatus {
		out, err := loaded.describe(k, at)
		if err != nil {
			t.Fatal(err)
		}
		return out.DeliveryStreamDescription.DeliveryStreamStatus
	}
	if got := status(clock.Now()); got != types.DeliveryStreamStatusCreating {
		t.Errorf("loaded status = %s, want CREATING", got)
	}
	if got := status(clock.Now().Add(DefaultCreateDelay)); got != types.DeliveryStreamStatusActive {
		t.Errorf("loaded status after the delay = %s, want ACTIVE", got)
	}
}

func TestStateOfEarlierVersionLoadsActive(t *testing.T) {
	// As written before streams had a status.
	old := `{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":2,` +
		`"destination":{"DestinationId":"destinationId-000000000001","ExtendedS3DestinationDescription":{"BucketARN":"arn:aws:s3:::b","RoleARN":"arn:aws:iam::111122223333:role/r"}}}]}`
	s := newState()
	if err := s.decode([]byte(old)); err != nil {
		t.Fatal(err)
	}
	out, err := s.describe(streamKey{"111122223333", "us-east-1", "s"}, DefaultStartTime)
	if err != nil {
		t.Fatal(err)
	}
	d := out.DeliveryStreamDescription
	if d.DeliveryStreamStatus != types.DeliveryStreamStatusActive || *d.Destinations[0].ExtendedS3DestinationDescription.BufferingHints.SizeInMBs != 5 {
		t.Errorf("loaded: status %s, destination %+v", d.DeliveryStreamStatus, d.Destinations[0].ExtendedS3DestinationDescription)
	}
}
