package firehose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

// journaledService returns a Service whose changes are journaled, its
// checkpoint at path.
func journaledService(t *testing.T, path string) *Service {
	t.Helper()
	e, err := New(Config{Path: path, JournalChanges: true, CreateDelay: -1,
		Record: func(*schemas.Record, string, *Change) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func restoreCreate(t *testing.T, s *state, name string) {
	t.Helper()
	k := streamKey{account: "111122223333", region: "eu-west-1", name: name}
	in := &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")},
	}
	if _, err := s.create(k, in, DefaultStartTime); err != nil {
		t.Fatal(err)
	}
}

func restoreTag(t *testing.T, s *state, name, v string) {
	t.Helper()
	k := streamKey{account: "111122223333", region: "eu-west-1", name: name}
	if err := s.tag(k, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String(name),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String(v)}}}, DefaultStartTime); err != nil {
		t.Fatal(err)
	}
}

func snapshotOf(s *state, name string) Change {
	return *s.snapshot(streamKey{account: "111122223333", region: "eu-west-1", name: name})
}

func encoded(t *testing.T, s *state) string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.encode()
	if err != nil {
		t.Fatal(err)
	}
	// The generation is the restored state's own.
	return string(b[strings.Index(string(b), `"streams"`):])
}

// The changes of calls, restored over the last checkpoint in any order
// they were journaled, give the state the calls left; nothing is written
// but checkpoints.
func TestRestoreChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, StateFile)
	e := journaledService(t, path)
	s := e.fh
	var changes []Change
	restoreCreate(t, s, "a")
	changes = append(changes, snapshotOf(s, "a"))
	restoreCreate(t, s, "b")
	changes = append(changes, snapshotOf(s, "b"))
	if gen, err := e.Checkpoint(); err != nil || gen != 2 {
		t.Fatalf("Checkpoint: generation %d, %v; want 2", gen, err)
	}
	changes = changes[:0] // the checkpoint holds them
	restoreTag(t, s, "a", "1")
	changes = append(changes, snapshotOf(s, "a"))
	restoreTag(t, s, "a", "2")
	changes = append(changes, snapshotOf(s, "a"))
	if err := s.delete(streamKey{account: "111122223333", region: "eu-west-1", name: "b"}, DefaultStartTime); err != nil {
		t.Fatal(err)
	}
	changes = append(changes, snapshotOf(s, "b"))
	restoreCreate(t, s, "c")
	changes = append(changes, snapshotOf(s, "c"))
	want := encoded(t, s)
	if strings.Contains(want, `"name":"b"`) || !strings.Contains(want, `"Value":"2"`) {
		t.Fatalf("state lacks the deletion or the last tag: %s", want)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"name":"c"`) || !strings.Contains(string(b), `"gen":2`) {
		t.Fatalf("the file changed after the checkpoint (changes are journaled): %s", b)
	}

	// Journal order is not generation order: two calls' changes of one
	// stream can be committed the other way round.
	changes[0], changes[1] = changes[1], changes[0]
	r := journaledService(t, path)
	if err := r.Restore(changes); err != nil {
		t.Fatal(err)
	}
	if got := encoded(t, r.fh); got != want {
		t.Fatalf("restored:\n%s\nwant:\n%s", got, want)
	}
	// New changes are of later generations than every restored one.
	if r.fh.gen < changes[len(changes)-1].Gen {
		t.Errorf("generation %d after restore, below the changes' %d", r.fh.gen, changes[len(changes)-1].Gen)
	}
	if gen, err := r.Checkpoint(); err != nil || gen != r.fh.gen {
		t.Fatalf("Checkpoint after restore: generation %d, %v", gen, err)
	}

	// Changes the loaded checkpoint holds already are skipped, even
	// when a later one of their stream is lost (it would undo it).
	r2 := journaledService(t, path)
	if err := r2.Restore([]Change{changes[0]}); err != nil { // a's first tag
		t.Fatal(err)
	}
	if got := encoded(t, r2.fh); got != want {
		t.Fatalf("an old change applied over a newer checkpoint:\n%s\nwant:\n%s", got, want)
	}
}

// A change that could not have been journaled is refused with an error,
// and the state is left as loaded.
func TestRestoreBadChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	e := journaledService(t, path)
	restoreCreate(t, e.fh, "a")
	good := snapshotOf(e.fh, "a")
	stream := string(good.Body)
	for _, tc := range []struct{ name, body, err string }{
		{"not JSON", `{"stream":`, "unexpected end"},
		{"empty", `{}`, "want a stream or a deletion"},
		{"both", stream[:len(stream)-1] + `,"deleted":{"account":"111122223333","region":"eu-west-1","name":"a"}}`, "want a stream or a deletion"},
		{"bad account", `{"deleted":{"account":"1","region":"eu-west-1","name":"a"}}`, "invalid account"},
		{"bad region", `{"deleted":{"account":"111122223333","region":"mars-1","name":"a"}}`, "invalid region"},
		{"bad name", `{"deleted":{"account":"111122223333","region":"eu-west-1","name":"a b"}}`, "invalid name"},
		{"bad version", strings.Replace(stream, `"version":1`, `"version":0`, 1), "invalid version"},
		{"bad type", strings.Replace(stream, `"type":"DirectPut"`, `"type":"Carrier"`, 1), "invalid type"},
		{"bad status", strings.Replace(stream, `"arn"`, `"status":"DELETING","arn"`, 1), "invalid status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := journaledService(t, filepath.Join(t.TempDir(), StateFile))
			err := r.Restore([]Change{{Gen: 1, Body: []byte(tc.body)}})
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Restore(%s): %v, want an error with %q", tc.body, err, tc.err)
			}
			if len(r.fh.streams) != 0 {
				t.Errorf("a refused change left %d streams", len(r.fh.streams))
			}
		})
	}
	r := journaledService(t, filepath.Join(t.TempDir(), StateFile))
	if err := r.Restore([]Change{good}); err != nil || len(r.fh.streams) != 1 {
		t.Fatalf("Restore(good): %v, %d streams", err, len(r.fh.streams))
	}
}
