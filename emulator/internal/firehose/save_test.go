package firehose

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// DefaultStartTime is the clock time of the tests.
var DefaultStartTime = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

func TestFirehoseStateSavedOnEveryChange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, StateFile)
	s, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	k := streamKey{account: "111122223333", region: "eu-west-1", name: "s"}
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("s"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")},
	}
	if _, err := s.create(k, in, DefaultStartTime); err != nil {
		t.Fatal(err)
	}
	s.persist() // as Handle does before it records and answers the call
	// No Close: the file is already there.
	loaded, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loaded.describe(k, DefaultStartTime); err != nil {
		t.Errorf("stream not saved on create: %v", err)
	}
	if err := s.delete(k, DefaultStartTime); err != nil {
		t.Fatal(err)
	}
	s.persist()
	if loaded, err = loadState(path, nil); err != nil {
		t.Fatal(err)
	}
	if len(loaded.streams) != 0 {
		t.Errorf("stream not removed from the saved state on delete")
	}
}

func FuzzFirehoseStateDecode(f *testing.F) {
	f.Add([]byte(`{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":3,"tags":[{"Key":"a","Value":"b"}],"destination":{"DestinationId":"d"}}]}`))
	f.Add([]byte(`{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":1,"status":"CREATING","activeAt":"2025-03-04T09:00:00.5Z"}]}`))
	f.Add([]byte(`{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":1,"encryptionCalls":["2025-03-04T07:00:00Z","2025-03-04T09:00:00.5+01:00"]}]}`))
	f.Add([]byte(`{"version":1,"streams":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s := newState()
		if err := s.decode(b); err != nil {
			return
		}
		// Whatever loads saves and loads again unchanged.
		enc, err := s.encode()
		if err != nil {
			t.Fatalf("encode after decode: %v", err)
		}
		s2 := newState()
		if err := s2.decode(enc); err != nil {
			t.Fatalf("decode(encode(decode(%q))): %v", b, err)
		}
		enc2, err := s2.encode()
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the state:\n%s\n%s", enc, enc2)
		}
	})
}

func TestFirehoseStateSaveFailure(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A path under a regular file cannot be written.
	s := newState()
	s.path = filepath.Join(blocker, StateFile)
	k := streamKey{account: "111122223333", region: "eu-west-1", name: "s"}
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("s"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")},
	}
	if _, err := s.create(k, in, DefaultStartTime); err != nil {
		t.Fatalf("create with an unwritable state file: %v (the change stands, the save is retried)", err)
	}
	s.persist() // fails, logged
	if _, err := s.checkpoint(); err == nil || !strings.Contains(err.Error(), "save firehose state") {
		t.Errorf("checkpoint = %v, want a save error", err)
	}
	s.path = filepath.Join(dir, StateFile) // the disk is back
	if _, err := s.checkpoint(); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	loaded, err := loadState(s.path, nil)
	if err != nil || len(loaded.streams) != 1 {
		t.Errorf("after a late flush: %v, %d streams, want 1", err, len(loaded.streams))
	}
}

func TestStateDecodeValid(t *testing.T) {
	valid := `{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":1}]}`
	s := newState()
	if err := s.decode([]byte(valid)); err != nil || len(s.streams) != 1 {
		t.Errorf("decode(valid) = %v, %d streams", err, len(s.streams))
	}
}

// Concurrent changes share saves, and each caller's persist returns only
// once the saved file holds its change.
func TestFirehoseStatePersistConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	s, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				name := fmt.Sprintf("s-%d-%d", g, i)
				k := streamKey{account: "111122223333", region: "eu-west-1", name: name}
				in := &firehose.CreateDeliveryStreamInput{
					DeliveryStreamName:                 aws.String(name),
					ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")},
				}
				if _, err := s.create(k, in, DefaultStartTime); err != nil {
					t.Error(err)
					return
				}
				s.persist()
				b, err := os.ReadFile(path)
				if err != nil || !strings.Contains(string(b), `"name":"`+name+`"`) {
					t.Errorf("after persist, the saved state has no %s (err %v)", name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	loaded, err := loadState(path, nil)
	if err != nil || len(loaded.streams) != 80 {
		t.Fatalf("saved state: %v, %d streams, want 80", err, len(loaded.streams))
	}
}
