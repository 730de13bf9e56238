package emulator

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fhapi "github.com/firetrail/firetrail/emulator/internal/firehose"
)

// Changes of delivery streams are journaled with the records of the calls
// that made them: after a crash at any point between checkpoints of the
// state file, every answered change is there, once, and the journal holds
// no change a checkpoint holds.
func TestFirehoseChangesSurviveCrash(t *testing.T) {
	open, dir, clock := dataDirOpener(t)
	do := func(e *Emulator, op, body string) string {
		t.Helper()
		w := call(e, fhapi.TargetPrefix+op, "application/x-amz-json-1.1", body)
		if w.Code != 200 {
			t.Fatalf("%s %s: %d %s", op, body, w.Code, w.Body)
		}
		return w.Body.String()
	}
	create := func(e *Emulator, name string) {
		do(e, "CreateDeliveryStream", fmt.Sprintf(`{"DeliveryStreamName":%q,"ExtendedS3DestinationConfiguration":{"BucketARN":"arn:aws:s3:::%s","RoleARN":"arn:aws:iam::123456789012:role/fh","Prefix":"raw/"}}`, name, name))
	}
	tag := func(e *Emulator, name, k, v string) {
		do(e, "TagDeliveryStream", fmt.Sprintf(`{"DeliveryStreamName":%q,"Tags":[{"Key":%q,"Value":%q}]}`, name, k, v))
	}
	// state returns what Describe and ListTags show of every stream.
	state := func(e *Emulator) string {
		t.Helper()
		var b strings.Builder
		for _, name := range []string{"a", "b", "c", "d"} {
			w := call(e, fhapi.TargetPrefix+"DescribeDeliveryStream", "application/x-amz-json-1.1", fmt.Sprintf(`{"DeliveryStreamName":%q}`, name))
			fmt.Fprintf(&b, "%s: %d %s\n", name, w.Code, w.Body)
			if w.Code == 200 {
				fmt.Fprintf(&b, "%s tags: %s\n", name, do(e, "ListTagsForDeliveryStream", fmt.Sprintf(`{"DeliveryStreamName":%q}`, name)))
			}
		}
		return b.String()
	}
	journaledChanges := func(e *Emulator) int {
		e.journal.mu.Lock()
		defer e.journal.mu.Unlock()
		return len(e.journal.states)
	}
	reopen := func(e *Emulator, want string) *Emulator {
		t.Helper()
		crash(t, e)
		e = open()
		if got := state(e); got != want {
			t.Fatalf("after the crash:\n%s\nwant:\n%s", got, want)
		}
		if n := journaledChanges(e); n != 0 {
			t.Errorf("journal holds %d changes after the restart's checkpoint, want 0", n)
		}
		return e
	}

	// No checkpoint yet: the changes are only in the journal.
	e := open()
	create(e, "a")
	create(e, "b")
	create(e, "c")
	clock.Advance(time.Second) // ACTIVE
	tag(e, "a", "team", "data")
	do(e, "UpdateDestination", `{"DeliveryStreamName":"a","CurrentDeliveryStreamVersionId":"1","DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"v2/"}}`)
	do(e, "DeleteDeliveryStream", `{"DeliveryStreamName":"b"}`)
	clock.Advance(time.Second) // gone
	if n := journaledChanges(e); n != 6 {
		t.Errorf("journal holds %d changes after 6 changing calls, want 6", n)
	}
	if _, err := os.Stat(filepath.Join(dir, fhapi.StateFile)); !os.IsNotExist(err) {
		t.Errorf("state file written before a checkpoint: stat err %v", err)
	}
	want := state(e)
	if !strings.Contains(want, `"Prefix":"v2/"`) || !strings.Contains(want, "b: 400") {
		t.Fatalf("state before the crash lacks the update or the deletion:\n%s", want)
	}
	e = reopen(e, want)

	// Changes on both sides of a checkpoint (Flush saves one).
	tag(e, "c", "env", "prod")
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := journaledChanges(e); n != 0 {
		t.Errorf("journal holds %d changes after a checkpoint, want 0", n)
	}
	create(e, "d")
	clock.Advance(time.Second)
	tag(e, "a", "team", "platform")
	e = reopen(e, state(e))

	// A checkpoint saved, the crash before its changes left the journal:
	// they are older than the file and not applied again over newer
	// ones.
	do(e, "UntagDeliveryStream", `{"DeliveryStreamName":"a","TagKeys":["team"]}`)
	if _, err := e.fh.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if n := journaledChanges(e); n != 1 {
		t.Fatalf("journal holds %d changes, want the untag's", n)
	}
	want = state(e)
	if strings.Contains(want, `"team"`) {
		t.Fatalf("tag team still on a after untag:\n%s", want)
	}
	e = reopen(e, want)
	do(e, "TagDeliveryStream", `{"DeliveryStreamName":"c","Tags":[{"Key":"last","Value":"1"}]}`)
	want = state(e)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	// Close saved a checkpoint: no change is left in the journal.
	j, _, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if found := j.foundStates(); len(found) != 0 {
		t.Errorf("%d changes in the journal after Close, want 0", len(found))
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	e = open()
	defer e.Close()
	if got := state(e); got != want {
		t.Fatalf("after Close and a restart:\n%s\nwant:\n%s", got, want)
	}
}

// A journaled change that cannot be restored (not a stream the API could
// have made) stops start-up with an error naming it, and stays in the
// journal: the next start-up says the same.
func TestFirehoseBadJournaledChange(t *testing.T) {
	open, dir, _ := dataDirOpener(t)
	crash(t, open())
	j, _, _, err := openJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	var kb [17]byte
	kb[0] = 'S'
	binary.BigEndian.PutUint64(kb[1:], journalKeyOf(j.seg, 0))
	binary.BigEndian.PutUint64(kb[9:], 5)
	j.fmu.Lock()
	err = j.write(appendFrame(nil, kb[:], []byte(`{"stream":{"account":"1"}}`)))
	j.fmu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := j.close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e, err := New(WithDataDir(dir), testLogger(t))
		if err == nil {
			e.Close()
			t.Fatal("start-up with a bad journaled change succeeded")
		}
		if want := `journal: restore firehose change 5: invalid account "1"`; !strings.Contains(err.Error(), want) {
			t.Errorf("start-up error %q, want it to hold %q", err, want)
		}
	}
}
