//go:build unix

package firehose

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// Saves replace the state file without making or freeing a file: after
// the first two, the state file and its spare keep their two inodes,
// swapping them, and each save's content is whole.
func TestFirehoseStateSaveReusesFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, StateFile)
	s, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	inode := func(p string) uint64 {
		t.Helper()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			t.Skip("no inode numbers here")
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, fi.Mode().Perm())
		}
		return st.Ino
	}
	spare := filepath.Join(dir, "."+StateFile+".spare")
	seen := map[uint64]bool{}
	for i := range 6 {
		name := fmt.Sprintf("s%d", i)
		k := streamKey{account: "111122223333", region: "eu-west-1", name: name}
		if _, err := s.create(k, &firehose.CreateDeliveryStreamInput{
			DeliveryStreamName:                 aws.String(name),
			ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")},
		}, DefaultStartTime); err != nil {
			t.Fatal(err)
		}
		s.persist()
		loaded, err := loadState(path, nil)
		if err != nil || len(loaded.streams) != i+1 {
			t.Fatalf("save %d: %v, %d streams, want %d", i, err, len(loaded.streams), i+1)
		}
		if i >= 1 {
			seen[inode(path)], seen[inode(spare)] = true, true
		}
	}
	if len(seen) != 2 {
		t.Errorf("the state file and its spare used %d files over five saves, want 2", len(seen))
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("data directory holds %d files, want the state and its spare", len(entries))
	}
}
