package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// buildFiretrail builds the firetrail binary into a temporary directory,
// with -race when the test binary has it (so the build cache serves it).
func buildFiretrail(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build firetrail: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "firetrail")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, ".")
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), e2eTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return bin
}

// binServe is firetrail serve running as a process.
type binServe struct {
	serveInfo
	cmd    *exec.Cmd
	stderr *syncBuffer
	waited chan error
}

func startBinServe(t *testing.T, bin string, args ...string) *binServe {
	t.Helper()
	argv := append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), "AWS_CA_BUNDLE=")
	p := &binServe{cmd: cmd, stderr: &syncBuffer{}, waited: make(chan error, 1)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-p.waited
		}
	})
	got := make(chan error, 1)
	go func() {
		info, err := readServeBanner(stdout)
		if info != nil {
			p.serveInfo = *info
		}
		got <- err
		_, _ = io.Copy(io.Discard, stdout)
		p.waited <- cmd.Wait()
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("firetrail %s: %v\nstderr:\n%s", strings.Join(argv, " "), err, p.stderr)
		}
	case <-time.After(e2eTimeout):
		t.Fatalf("firetrail %s: no banner after %v\nstderr:\n%s", strings.Join(argv, " "), e2eTimeout, p.stderr)
	}
	t.Logf("pid %d: firetrail %s: serving at %s", cmd.Process.Pid, strings.Join(argv, " "), p.URL)
	return p
}

// terminate sends SIGTERM and checks for exit status 0 and the message
// that pending records were delivered.
func (p *binServe) terminate(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM pid %d: %v", p.cmd.Process.Pid, err)
	}
	select {
	case err := <-p.waited:
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			t.Errorf("serve after SIGTERM: %v, want exit status 0\nstderr:\n%s", err, p.stderr)
		case err != nil:
			t.Errorf("serve after SIGTERM: %v", err)
		}
	case <-time.After(e2eTimeout):
		t.Fatalf("serve did not exit within %v of SIGTERM\nstderr:\n%s", e2eTimeout, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped; pending records delivered") {
		t.Errorf("serve stderr after SIGTERM lacks the stop message:\n%s", p.stderr)
	}
}

// TestE2ESignal builds the real binary and checks that SIGTERM flushes:
// a Firehose call recorded under a one-hour delivery interval is in no log
// file while serving, and after SIGTERM (exit 0) and a restart on the same
// data directory it is in one, and LookupEvents still finds it.
func TestE2ESignal(t *testing.T) {
	t.Parallel()
	bin := buildFiretrail(t)
	dataDir := t.TempDir()
	const stream = "e2e-sigterm-stream"

	srv := startBinServe(t, bin, "--events", "20", "--delivery-interval", "1h", "--data-dir", dataDir)
	s3c := goS3(t, &srv.serveInfo)
	fh := firehose.NewFromConfig(goConfig(t, &srv.serveInfo))
	out, err := fh.CreateDeliveryStream(t.Context(), &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(stream),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			BucketARN: aws.String("arn:aws:s3:::" + srv.Bucket),
			RoleARN:   aws.String("arn:aws:iam::111122223333:role/firehose-delivery"),
		},
	})
	if err != nil {
		t.Fatalf("CreateDeliveryStream: %v", err)
	}
	t.Logf("CreateDeliveryStream: %s", aws.ToString(out.DeliveryStreamARN))

	// findCreate returns the eventID of the recorded call in the log files.
	findCreate := func(files map[string][]logRecord) (id string, total int) {
		for _, recs := range files {
			for _, r := range recs {
				total++
				if r.EventName == "CreateDeliveryStream" && r.RequestParameters.DeliveryStreamName == stream {
					id = r.EventID
				}
			}
		}
		return id, total
	}
	if id, total := findCreate(readLogFiles(t, s3c, srv.Bucket, "")); id != "" || total != 20 {
		t.Errorf("while serving: %d records delivered (want the 20 generated), CreateDeliveryStream delivered: %v (want pending)", total, id != "")
	}
	lookup := func(srv *serveInfo) []string {
		return lookupAll(t, goCloudTrail(t, srv), &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: aws.String(stream)}},
		})
	}
	before := lookup(&srv.serveInfo)
	if len(before) != 1 {
		t.Errorf("LookupEvents ResourceName=%s while serving: %v, want one event", stream, before)
	}

	srv.terminate(t)

	again := startBinServe(t, bin, "--data-dir", dataDir)
	id, total := findCreate(readLogFiles(t, goS3(t, &again.serveInfo), again.Bucket, ""))
	if id == "" || total != 21 {
		t.Errorf("after SIGTERM and restart: %d records delivered (want 21), CreateDeliveryStream delivered: %v (want true)", total, id != "")
	}
	if after := lookup(&again.serveInfo); len(before) != 1 || len(after) != 1 || after[0] != before[0] || after[0] != id {
		t.Errorf("LookupEvents ResourceName=%s: before SIGTERM %v, after restart %v, delivered eventID %q: want the same one event", stream, before, after, id)
	}
	again.terminate(t)
}

// loadProc is firetrail load running as a process.
type loadProc struct {
	cmd     *exec.Cmd
	stdout  *syncBuffer
	stderr  *syncBuffer
	summary string // its --summary-json
	waited  chan error
}

// startLoadProc starts bin load against srv with args, its summary in a
// file of its own.
func startLoadProc(t *testing.T, bin string, srv *serveInfo, args ...string) *loadProc {
	t.Helper()
	p := &loadProc{stdout: &syncBuffer{}, stderr: &syncBuffer{}, summary: filepath.Join(t.TempDir(), "summary.json"), waited: make(chan error, 1)}
	argv := append([]string{"load", "--endpoint", srv.URL, "--bucket", srv.Bucket, "--summary-json", p.summary}, args...)
	p.cmd = exec.Command(bin, argv...)
	p.cmd.Env = clientEnv(t, srv, pathStyleConfig)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.waited
		}
	})
	go func() { p.waited <- p.cmd.Wait() }()
	return p
}

// wait waits for the process and checks exit status 0.
func (p *loadProc) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.waited:
		if err != nil {
			t.Errorf("%s: %v\nstdout: %s\nstderr: %s", strings.Join(p.cmd.Args, " "), err, p.stdout, p.stderr)
		}
	case <-time.After(e2eTimeout):
		t.Fatalf("%s: still running after %v\nstderr: %s", strings.Join(p.cmd.Args, " "), e2eTimeout, p.stderr)
	}
}

// TestE2ELoadProcesses runs the real binary: three processes with
// --shard k/3 and one --start against one serve, the last started after
// that time, deliver exactly the records of one unsharded run, each once,
// no key twice, and one creation date for each session; a run
// stopped by SIGINT mid-way prints its summary, exits 0, and the bucket
// holds what it generated, in whole log files and nothing else.
func TestE2ELoadProcesses(t *testing.T) {
	t.Parallel()
	bin := buildFiretrail(t)
	srv := startBinServe(t, bin)
	s3c := goS3(t, &srv.serveInfo)

	t.Run("three shards", func(t *testing.T) {
		common := []string{"--rate", "20000", "--events", "6000", "--seed", "12", "--progress", "0"}
		whole := startLoadProc(t, bin, &srv.serveInfo, append(slices.Clip(common), "--prefix", "whole")...)
		whole.wait(t)
		// The shards share a --start a second or two ahead; the last is
		// started after it, as a pod scheduled late would be, and catches
		// up. They begin at another time than the whole run.
		begin := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second)
		var shards []*loadProc
		for k := range 3 {
			if k == 2 {
				time.Sleep(time.Until(begin.Add(300 * time.Millisecond)))
			}
			shards = append(shards, startLoadProc(t, bin, &srv.serveInfo, append(slices.Clip(common), "--prefix", "three",
				"--shard", fmt.Sprintf("%d/3", k), "--start", begin.UTC().Format(time.RFC3339))...))
		}
		files, events := 0, 0
		for _, p := range shards {
			p.wait(t)
			s := readSummary(t, p.summary)
			files += s.Files
			events += s.EventsDelivered
			if s.Errors != 0 || s.Events != 2000 || !s.SimulatedStart.Equal(begin) {
				t.Errorf("shard %s: %d events, %d errors, simulated from %v: want 2000, none, from --start %v", s.Shard, s.Events, s.Errors, s.SimulatedStart, begin)
			}
		}
		wholeIDs := eventIDSet(t, "unsharded", readLogFiles(t, s3c, srv.Bucket, "whole/"))
		shardFiles := readLogFiles(t, s3c, srv.Bucket, "three/")
		n, first := 0, ""
		for _, recs := range shardFiles {
			n += len(recs)
			for _, r := range recs {
				if first == "" || r.EventTime < first {
					first = r.EventTime
				}
			}
		}
		if want := begin.UTC().Format(time.RFC3339); first < want {
			t.Errorf("three shards: an event at %s, before --start %s", first, want)
		}
		shardIDs := eventIDSet(t, "three shards", shardFiles)
		checkSessions(t, "three shards", shardFiles)
		if len(wholeIDs) != 6000 || n != 6000 || !maps.Equal(wholeIDs, shardIDs) {
			t.Errorf("unsharded run: %d events; three shards: %d records, %d distinct; want the same 6000", len(wholeIDs), n, len(shardIDs))
		}
		// Every PUT was conditional and none failed: a key written twice
		// would have been refused and counted. The bucket holds as many
		// log files as the shards stored.
		if len(shardFiles) != files || events != 6000 {
			t.Errorf("the shards stored %d log files with %d events; the prefix holds %d", files, events, len(shardFiles))
		}
	})

	t.Run("SIGINT", func(t *testing.T) {
		p := startLoadProc(t, bin, &srv.serveInfo, "--rate", "2000", "--duration", "1m", "--seed", "13", "--prefix", "sigint", "--progress", "100ms")
		progressRE := regexp.MustCompile(`load: \d+s: generated ([1-9]\d*) events`)
		deadline := time.Now().Add(e2eTimeout)
		for !progressRE.MatchString(p.stderr.String()) {
			if time.Now().After(deadline) {
				t.Fatalf("no progress line with events generated after %v:\n%s", e2eTimeout, p.stderr)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // mid-run, events pending in open windows
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		p.wait(t)
		t.Logf("exit %v after SIGINT", time.Since(start).Round(time.Millisecond))
		s := readSummary(t, p.summary)
		if !s.Interrupted || s.Events == 0 || s.Events >= 120_000 || s.EventsDelivered != int(s.Events) {
			t.Errorf("summary after SIGINT: %+v, want interrupted with every generated event delivered", s)
		}
		if !strings.Contains(p.stderr.String(), "load summary (interrupted: what was generated has been delivered):") {
			t.Errorf("stderr lacks the summary:\n%s", p.stderr)
		}
		objs := listObjects(t, s3c, srv.Bucket, "sigint/")
		for key := range objs {
			if checkLogKey(key) != nil {
				t.Errorf("s3://%s/%s: not a log file", srv.Bucket, key)
			}
		}
		files := readLogFiles(t, s3c, srv.Bucket, "sigint/")
		n := 0
		for _, recs := range files {
			n += len(recs)
		}
		if ids := eventIDSet(t, "SIGINT", files); n != int(s.Events) || len(ids) != n || len(objs) != s.Files {
			t.Errorf("bucket: %d objects, %d records (%d distinct); summary: %d files, %d events", len(objs), n, len(ids), s.Files, s.Events)
		}
	})
}
