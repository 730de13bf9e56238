package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/firetrail/firetrail/emulator/trail"
)

// childEnv, set in its environment, makes the test binary firetrail
// itself (main, with its signal handling): serveChild runs it.
const childEnv = "FIRETRAIL_TEST_CHILD"

func init() {
	if os.Getenv(childEnv) == "1" {
		main()
	}
}

// serveChild is firetrail serve running as a child process (the test
// binary, re-executed with childEnv), so that it can be killed.
type serveChild struct {
	serveInfo
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan error
}

func startChild(t *testing.T, args ...string) *serveChild {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	argv := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), "AWS_CA_BUNDLE=", childEnv+"=1")
	c := &serveChild{cmd: cmd, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		info, err := readServeBanner(out)
		if err == nil {
			c.serveInfo = *info
		}
		c.exited <- err
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case err := <-c.exited:
		if err != nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("firetrail %s: %v\nstderr:\n%s", strings.Join(argv, " "), err, c.stderr)
		}
	case <-time.After(e2eTimeout):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("firetrail %s: no banner\nstderr:\n%s", strings.Join(argv, " "), c.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return c
}

// stop ends the child with SIGINT, which delivers what is pending.
func (c *serveChild) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("serve stopped with %v\nstderr:\n%s", err, c.stderr)
	}
}

// firehoseLoad runs 8 clients making Firehose calls until stop is closed
// or the server goes away, and returns the request IDs of the answered
// calls, and the value of the tag "i" each client's stream was last
// answered to have (set by TagDeliveryStream every fifth call, i going up
// by 5). once is called after n calls are answered.
func firehoseLoad(t *testing.T, srv *serveInfo, run string, n int64, reached func()) ([]string, map[string]int) {
	t.Helper()
	fh := firehose.NewFromConfig(goConfig(t, srv), func(o *firehose.Options) {
		o.RetryMaxAttempts = 1 // a retried call is two calls
	})
	var (
		mu    sync.Mutex
		ids   []string
		tags  = map[string]int{}
		count atomic.Int64
		once  sync.Once
		wg    sync.WaitGroup
	)
	ctx := context.Background()
	for w := range 8 {
		wg.Go(func() {
			name := fmt.Sprintf("%s-w%d", run, w)
			answered := func(md middleware.Metadata, err error) bool {
				if err != nil {
					return false
				}
				id, ok := awsmw.GetRequestIDMetadata(md)
				if !ok || id == "" {
					t.Errorf("answer without a request ID")
					return false
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				if count.Add(1) == n {
					once.Do(reached)
				}
				return true
			}
			out, err := fh.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
				DeliveryStreamName: aws.String(name),
				ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
					BucketARN: aws.String("arn:aws:s3:::crash-dest"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r"),
				},
			})
			if out == nil || !answered(out.ResultMetadata, err) {
				return
			}
			for i := 0; ; i++ {
				var md middleware.Metadata
				var err error
				switch i % 5 {
				case 0:
					var o *firehose.DescribeDeliveryStreamOutput
					if o, err = fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(name)}); o != nil {
						md = o.ResultMetadata
					}
				case 1:
					var o *firehose.ListDeliveryStreamsOutput
					if o, err = fh.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{}); o != nil {
						md = o.ResultMetadata
					}
				case 2:
					var o *firehose.TagDeliveryStreamOutput
					if o, err = fh.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{
						DeliveryStreamName: aws.String(name),
						Tags:               []fhtypes.Tag{{Key: aws.String("i"), Value: aws.String(fmt.Sprint(i))}},
					}); o != nil {
						md = o.ResultMetadata
					}
				case 3:
					var o *firehose.ListTagsForDeliveryStreamOutput
					if o, err = fh.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String(name)}); o != nil {
						md = o.ResultMetadata
					}
				case 4:
					var o *firehose.PutRecordOutput
					if o, err = fh.PutRecord(ctx, &firehose.PutRecordInput{
						DeliveryStreamName: aws.String(name),
						Record:             &fhtypes.Record{Data: []byte(fmt.Sprintf("record %d of %s\n", i, name))},
					}); o != nil {
						md = o.ResultMetadata
					}
				}
				if err != nil {
					var re interface{ HTTPStatusCode() int }
					if errors.As(err, &re) && re.HTTPStatusCode() == 400 {
						continue // answered with an error (e.g. a stream still being created)
					}
					return // the server is gone
				}
				if answered(md, nil) && i%5 == 2 {
					mu.Lock()
					tags[name] = i
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return ids, tags
}

// TestCrashDurability kills firetrail serve (SIGKILL) twice during
// Firehose traffic and restarts it on the same data directory: every
// answered call is in exactly one log file, no eventID is delivered twice,
// and the digest chain verifies.
func TestCrashDurability(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--data-dir", dir, "--seed", "77", "--delivery-interval", "1s"}
	var acked []string
	ackedTags := map[string]int{}

	// A run that stops (digests), then two killed during traffic: log
	// files are delivered every second, so the kills fall anywhere.
	for i, kill := range []bool{false, true, true} {
		c := startChild(t, args...)
		run := fmt.Sprintf("run%d", i)
		ids, tags := firehoseLoad(t, &c.serveInfo, run, 2500, func() {
			if kill {
				_ = c.cmd.Process.Kill()
			} else {
				_ = c.cmd.Process.Signal(os.Interrupt)
			}
		})
		_ = c.cmd.Wait()
		t.Logf("%s: %d calls answered, then %s", run, len(ids), map[bool]string{true: "SIGKILL", false: "SIGINT"}[kill])
		acked = append(acked, ids...)
		maps.Copy(ackedTags, tags)
	}

	// Restarted: flush, then stop (final digests), and read it all back.
	c := startChild(t, args...)
	resp, err := http.Post(c.URL+"/_firetrail/flush", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("flush: %s", resp.Status)
	}
	c.stop(t)
	c = startChild(t, args...)
	defer c.stop(t)

	// Every answered change of a stream survived: its last answered tag,
	// or the next one (a call made durable, the kill before its answer).
	fh := firehose.NewFromConfig(goConfig(t, &c.serveInfo))
	for name, i := range ackedTags {
		out, err := fh.ListTagsForDeliveryStream(t.Context(), &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String(name)})
		if err != nil {
			t.Errorf("stream %s, answered tag i=%d: %v", name, i, err)
			continue
		}
		got := ""
		for _, tg := range out.Tags {
			if aws.ToString(tg.Key) == "i" {
				got = aws.ToString(tg.Value)
			}
		}
		if got != fmt.Sprint(i) && got != fmt.Sprint(i+5) {
			t.Errorf("stream %s: tag i=%q after the restarts, last answered i=%d", name, got, i)
		}
	}
	if len(ackedTags) == 0 {
		t.Error("no TagDeliveryStream answered")
	}

	s3c := goS3(t, &c.serveInfo)
	objects := listObjects(t, s3c, c.Bucket, "AWSLogs/")
	byRequest := map[string]int{}
	byEvent := map[string]int{}
	var logKeys, digestKeys []string
	for key := range objects {
		if strings.Contains(key, "/CloudTrail-Digest/") {
			digestKeys = append(digestKeys, key)
			continue
		}
		logKeys = append(logKeys, key)
		raw := gunzipBytes(t, getObject(t, s3c, c.Bucket, key))
		var f struct {
			Records []struct {
				EventID   string `json:"eventID"`
				RequestID string `json:"requestID"`
			} `json:"Records"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, r := range f.Records {
			byEvent[r.EventID]++
			byRequest[r.RequestID]++
		}
	}
	missing, twice := 0, 0
	for _, id := range acked {
		switch n := byRequest[id]; {
		case n == 0:
			missing++
			if missing <= 5 {
				t.Errorf("answered request %s is in no log file", id)
			}
		case n > 1:
			twice++
			if twice <= 5 {
				t.Errorf("answered request %s is in %d records", id, n)
			}
		}
	}
	dups := 0
	for id, n := range byEvent {
		if n > 1 {
			dups++
			if dups <= 5 {
				t.Errorf("eventID %s delivered %d times", id, n)
			}
		}
	}
	t.Logf("%d answered calls, %d records in %d log files, %d digests; %d missing, %d in several records, %d duplicate eventIDs",
		len(acked), len(byEvent), len(logKeys), len(digestKeys), missing, twice, dups)

	// The digest chain: signed with the data directory's key, each digest
	// linked to the one before, every log file in exactly one digest.
	pem, err := os.ReadFile(filepath.Join(dir, "signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := trail.LoadSigningKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	verifyDigestChains(t, s3c, c.Bucket, &key.PublicKey, digestKeys, logKeys)
}

func gunzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// verifyDigestChains walks each chain (account and region) from its newest
// digest back to its start as `aws cloudtrail validate-logs` does (aws-cli's
// CloudTrail validation code): signature, link to the previous digest's hash
// and signature, hashes of the log files listed. Every digest must be on a
// chain and every log file listed once.
func verifyDigestChains(t *testing.T, c *s3.Client, bucket string, pub *rsa.PublicKey, digestKeys, logKeys []string) {
	t.Helper()
	newest := map[string]string{}
	for _, k := range digestKeys {
		i := strings.Index(k, "/CloudTrail-Digest/")
		region, _, _ := strings.Cut(k[i+len("/CloudTrail-Digest/"):], "/")
		if chain := k[:i] + "/" + region; k > newest[chain] {
			newest[chain] = k
		}
	}
	onChain := map[string]bool{}
	listed := map[string]int{}
	for _, head := range newest {
		key := head
		var next map[string]any
		for key != "" {
			out, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("digest %s: %v", key, err)
			}
			body, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			raw := gunzipBytes(t, body)
			var d map[string]any
			if err := json.Unmarshal(raw, &d); err != nil {
				t.Fatalf("digest %s: %v", key, err)
			}
			sum := sha256.Sum256(raw)
			hashHex := hex.EncodeToString(sum[:])
			prevSig := "null"
			if s, ok := d["previousDigestSignature"].(string); ok {
				prevSig = s
			}
			end, _ := d["digestEndTime"].(string)
			signed := sha256.Sum256([]byte(end + "\n" + bucket + "/" + key + "\n" + hashHex + "\n" + prevSig))
			sig, err := hex.DecodeString(out.Metadata["signature"])
			if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, signed[:], sig) != nil {
				t.Errorf("digest %s: signature does not verify", key)
			}
			if next != nil && (next["previousDigestHashValue"] != hashHex || next["previousDigestSignature"] != out.Metadata["signature"]) {
				t.Errorf("digest %s: the next digest does not link to it", key)
			}
			onChain[key] = true
			files, _ := d["logFiles"].([]any)
			for _, f := range files {
				lf, _ := f.(map[string]any)
				lk, _ := lf["s3Object"].(string)
				listed[lk]++
				body := gunzipBytes(t, getObject(t, c, bucket, lk))
				if s := sha256.Sum256(body); lf["hashValue"] != hex.EncodeToString(s[:]) {
					t.Errorf("log file %s: hash does not match its digest %s", lk, key)
				}
			}
			next = d
			key, _ = d["previousDigestS3Object"].(string)
		}
	}
	for _, k := range digestKeys {
		if !onChain[k] {
			t.Errorf("digest %s is on no chain", k)
		}
	}
	slices.Sort(logKeys)
	for _, k := range logKeys {
		if listed[k] != 1 {
			t.Errorf("log file %s is in %d digests, want 1", k, listed[k])
		}
	}
}
