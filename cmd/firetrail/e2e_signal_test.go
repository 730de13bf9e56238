package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
