package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/firetrail/firetrail/schemas"
)

// recordingTransport keeps every request's Authorization header and every
// response body.
type recordingTransport struct {
	mu        sync.Mutex
	auth      []string
	responses [][]byte
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.auth = append(rt.auth, r.Header.Get("Authorization"))
	rt.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	rt.mu.Lock()
	rt.responses = append(rt.responses, b)
	rt.mu.Unlock()
	return resp, nil
}

// secretPlanter makes a fresh random secret for each sensitive member and
// remembers them.
type secretPlanter struct {
	rng     *rand.Rand
	secrets map[string]string // secret → Shape.Member
	planted map[string]bool   // Shape.Member planted at least once
	table   map[string]map[string]bool
}

func newSecretPlanter(seed uint64) *secretPlanter {
	p := &secretPlanter{
		rng:     rand.New(rand.NewPCG(seed, 0x5ec7e75)),
		secrets: map[string]string{},
		planted: map[string]bool{},
		table:   map[string]map[string]bool{},
	}
	for _, sm := range schemas.FirehoseSensitiveMembers() {
		if p.table[sm.Shape] == nil {
			p.table[sm.Shape] = map[string]bool{}
		}
		p.table[sm.Shape][sm.Member] = true
	}
	return p
}

// secret returns a new random secret (lower-case letters and digits, so
// that every member's pattern can hold it) for shape.member.
func (p *secretPlanter) secret(where string) string {
	b := make([]byte, 12)
	for i := range b {
		b[i] = byte(p.rng.Uint32())
	}
	s := "ftsec" + hex.EncodeToString(b)
	p.secrets[s] = where
	return s
}

// value returns a valid value of member holding a new secret.
func (p *secretPlanter) value(shape, member string) string {
	s := p.secret(shape + "." + member)
	switch member {
	case "Url":
		return "https://" + s + ".example.com/ingest"
	case "AccountUrl":
		return "https://" + s + ".snowflakecomputing.com"
	case "PrivateLinkVpceId":
		return s + ".amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0"
	case "PrivateKey":
		// Base64 of at least 256 characters.
		return s + strings.Repeat("A", 256-len(s))
	}
	return s
}

// plant sets every sensitive member (by the redaction table) of every
// structure under v, a pointer, to a new secret.
func (p *secretPlanter) plant(v any) {
	p.walk(reflect.ValueOf(v))
}

func (p *secretPlanter) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p.walk(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			p.walk(v.Index(i))
		}
	case reflect.Struct:
		shape := v.Type().Name()
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if !sf.IsExported() {
				continue
			}
			if p.table[shape][sf.Name] && f.Type() == reflect.TypeFor[*string]() {
				f.Set(reflect.ValueOf(aws.String(p.value(shape, sf.Name))))
				p.planted[shape+"."+sf.Name] = true
				continue
			}
			p.walk(f)
		}
	}
}

// secretInputs returns, for each destination with sensitive members, a
// create input and an update input with every such member planted.
func secretInputs(p *secretPlanter, bucketARN string, role *string) (creates []*firehose.CreateDeliveryStreamInput, updIn []func(name, version, dest string) *firehose.UpdateDestinationInput) {
	s3c := func() *fhtypes.S3DestinationConfiguration {
		return &fhtypes.S3DestinationConfiguration{BucketARN: aws.String(bucketARN), RoleARN: role}
	}
	s3u := func() *fhtypes.S3DestinationUpdate {
		return &fhtypes.S3DestinationUpdate{BucketARN: aws.String(bucketARN), RoleARN: role}
	}
	x := func() *string { return aws.String("x") }
	creates = []*firehose.CreateDeliveryStreamInput{
		{DeliveryStreamName: aws.String("sec-redshift"), RedshiftDestinationConfiguration: &fhtypes.RedshiftDestinationConfiguration{
			ClusterJDBCURL: aws.String("jdbc:redshift://c.abc.us-east-1.redshift.amazonaws.com:5439/db"), CopyCommand: &fhtypes.CopyCommand{DataTableName: aws.String("t")},
			RoleARN: role, S3Configuration: s3c(), Username: x(), Password: x(),
		}},
		{DeliveryStreamName: aws.String("sec-splunk"), SplunkDestinationConfiguration: &fhtypes.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("https://splunk.example.com:8088"), HECEndpointType: fhtypes.HECEndpointTypeRaw, HECToken: x(), S3Configuration: s3c(),
		}},
		{DeliveryStreamName: aws.String("sec-http"), HttpEndpointDestinationConfiguration: &fhtypes.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &fhtypes.HttpEndpointConfiguration{Url: x(), AccessKey: x(), Name: aws.String("endpoint")},
			RequestConfiguration: &fhtypes.HttpEndpointRequestConfiguration{CommonAttributes: []fhtypes.HttpEndpointCommonAttribute{
				{AttributeName: x(), AttributeValue: x()}, {AttributeName: x(), AttributeValue: x()},
			}},
			S3Configuration: s3c(), RoleARN: role,
		}},
		{DeliveryStreamName: aws.String("sec-snowflake"), SnowflakeDestinationConfiguration: &fhtypes.SnowflakeDestinationConfiguration{
			AccountUrl: x(), PrivateKey: x(), KeyPassphrase: x(), User: x(), Database: x(), Schema: x(), Table: x(),
			MetaDataColumnName: x(), ContentColumnName: x(), DataLoadingOption: fhtypes.SnowflakeDataLoadingOptionVariantContentAndMetadataMapping,
			SnowflakeRoleConfiguration: &fhtypes.SnowflakeRoleConfiguration{Enabled: aws.Bool(true), SnowflakeRole: x()},
			SnowflakeVpcConfiguration:  &fhtypes.SnowflakeVpcConfiguration{PrivateLinkVpceId: x()},
			RoleARN:                    role, S3Configuration: s3c(),
		}},
	}
	for _, in := range creates {
		p.plant(in)
	}
	updIn = []func(name, version, dest string) *firehose.UpdateDestinationInput{
		func(n, v, d string) *firehose.UpdateDestinationInput {
			return &firehose.UpdateDestinationInput{DeliveryStreamName: &n, CurrentDeliveryStreamVersionId: &v, DestinationId: &d,
				RedshiftDestinationUpdate: &fhtypes.RedshiftDestinationUpdate{Username: x(), Password: x(), S3Update: s3u()}}
		},
		func(n, v, d string) *firehose.UpdateDestinationInput {
			return &firehose.UpdateDestinationInput{DeliveryStreamName: &n, CurrentDeliveryStreamVersionId: &v, DestinationId: &d,
				SplunkDestinationUpdate: &fhtypes.SplunkDestinationUpdate{HECToken: x()}}
		},
		func(n, v, d string) *firehose.UpdateDestinationInput {
			return &firehose.UpdateDestinationInput{DeliveryStreamName: &n, CurrentDeliveryStreamVersionId: &v, DestinationId: &d,
				HttpEndpointDestinationUpdate: &fhtypes.HttpEndpointDestinationUpdate{
					EndpointConfiguration: &fhtypes.HttpEndpointConfiguration{Url: x(), AccessKey: x()},
					RequestConfiguration: &fhtypes.HttpEndpointRequestConfiguration{CommonAttributes: []fhtypes.HttpEndpointCommonAttribute{
						{AttributeName: x(), AttributeValue: x()},
					}},
				}}
		},
		func(n, v, d string) *firehose.UpdateDestinationInput {
			return &firehose.UpdateDestinationInput{DeliveryStreamName: &n, CurrentDeliveryStreamVersionId: &v, DestinationId: &d,
				SnowflakeDestinationUpdate: &fhtypes.SnowflakeDestinationUpdate{
					AccountUrl: x(), PrivateKey: x(), KeyPassphrase: x(), User: x(), Database: x(), Schema: x(), Table: x(),
					MetaDataColumnName: x(), ContentColumnName: x(),
					SnowflakeRoleConfiguration: &fhtypes.SnowflakeRoleConfiguration{Enabled: aws.Bool(true), SnowflakeRole: x()},
				}}
		},
	}
	return creates, updIn
}

// TestSecretsNeverWritten is the acceptance test of "a secret given to
// firetrail never appears in any byte it writes": random secrets planted
// in every sensitive member of the Firehose inputs (by the redaction
// table) and in the request headers (the session token, the signature)
// appear in no log or digest file, no S3 event or SNS notification, no
// answer (LookupEvents, Describe…), no line of the server log and no file
// of the data directory.
func TestSecretsNeverWritten(t *testing.T) {
	t.Setenv("AWS_CA_BUNDLE", "")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	p := newSecretPlanter(seed)

	// Made by the emulator (0700), as `serve --data-dir` makes it.
	dir := filepath.Join(t.TempDir(), "data")
	var logMu sync.Mutex
	var logBuf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&logMu, &logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	emu := Start(t, WithDataDir(dir), WithLogger(logger), WithFirehoseCreateDelay(-1),
		WithS3EventQueue("sec-events"), WithTopicQueue("sec-notices"))

	rt := &recordingTransport{}
	cfg := emu.AWSConfig()
	sessionToken := p.secret("X-Amz-Security-Token")
	secretKey := p.secret("secret access key")
	cfg.Credentials = credentials.NewStaticCredentialsProvider("ASIAFTSECRETTEST0001", secretKey, sessionToken)
	cfg.HTTPClient = &http.Client{Transport: rt}
	ctx := context.Background()

	fh := firehose.NewFromConfig(cfg)
	creates, updates := secretInputs(p, "arn:aws:s3:::"+emu.Bucket, fhRole)
	for i, in := range creates {
		if _, err := fh.CreateDeliveryStream(ctx, in); err != nil {
			t.Fatalf("create %s: %v", aws.ToString(in.DeliveryStreamName), err)
		}
		out, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: in.DeliveryStreamName})
		if err != nil {
			t.Fatal(err)
		}
		d := out.DeliveryStreamDescription
		up := updates[i](aws.ToString(in.DeliveryStreamName), aws.ToString(d.VersionId), aws.ToString(d.Destinations[0].DestinationId))
		p.plant(up)
		if _, err := fh.UpdateDestination(ctx, up); err != nil {
			t.Fatalf("update %s: %v", aws.ToString(in.DeliveryStreamName), err)
		}
		if _, err := fh.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: in.DeliveryStreamName}); err != nil {
			t.Fatal(err)
		}
	}
	// Every sensitive member of the table was planted: a member the
	// inputs above miss fails here.
	for _, sm := range schemas.FirehoseSensitiveMembers() {
		if !p.planted[sm.Shape+"."+sm.Member] {
			t.Errorf("no secret planted in %s.%s", sm.Shape, sm.Member)
		}
	}
	if _, err := fh.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: creates[0].DeliveryStreamName}); err != nil {
		t.Fatal(err)
	}

	// Deliver: log files, digests, their S3 events and SNS notices.
	emu.Flush()
	emu.Advance(2 * time.Hour)
	emu.Flush()

	ct := cloudtrail.NewFromConfig(cfg)
	lookup, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lookup.Events) == 0 {
		t.Error("LookupEvents found nothing: the test scans nothing")
	}
	sq := sqs.NewFromConfig(cfg)
	notices := 0
	for _, q := range []string{"sec-events", "sec-notices"} {
		u := emu.URL + "/" + DefaultAccountID + "/" + q
		for {
			out, err := sq.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &u, MaxNumberOfMessages: 10, VisibilityTimeout: 600})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) == 0 {
				break
			}
			notices += len(out.Messages)
		}
	}
	if notices == 0 {
		t.Error("no notifications: the test scans none")
	}

	// Everything written, by where it was found.
	corpus := map[string][]byte{}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	objects, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(emu.Bucket)})
	if err != nil {
		t.Fatal(err)
	}
	logFiles := 0
	for _, o := range objects.Contents {
		got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
			if u, err := io.ReadAll(zr); err == nil {
				b = u
			}
		}
		if strings.Contains(aws.ToString(o.Key), "/CloudTrail/") {
			logFiles++
		}
		corpus["s3://"+emu.Bucket+"/"+aws.ToString(o.Key)] = b
	}
	if logFiles == 0 {
		t.Fatal("no log files delivered")
	}
	all := bytes.Join(valuesOf(corpus), nil)
	if !bytes.Contains(all, []byte("sec-snowflake")) || !bytes.Contains(all, []byte("UpdateDestination")) || !bytes.Contains(all, []byte(schemas.DefaultRedactionPlaceholder)) {
		t.Fatal("the log files hold no redacted Firehose call: the test scans nothing")
	}

	if err := emu.Emulator.Close(); err != nil {
		t.Fatal(err)
	}
	rt.mu.Lock()
	for i, b := range rt.responses {
		corpus[fmt.Sprintf("answer %d", i)] = b
	}
	sigs := regexp.MustCompile(`Signature=([0-9a-f]{64})`)
	for _, a := range rt.auth {
		if m := sigs.FindStringSubmatch(a); m != nil {
			p.secrets[m[1]] = "Authorization signature"
		}
	}
	rt.mu.Unlock()
	logMu.Lock()
	corpus["server log"] = bytes.Clone(logBuf.Bytes())
	logMu.Unlock()
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		perm := info.Mode().Perm()
		if runtime.GOOS != "windows" {
			if d.IsDir() && perm&0o077 != 0 {
				t.Errorf("data dir directory %s has mode %v, want 0700", path, perm)
			}
			if !d.IsDir() && perm&0o077 != 0 {
				t.Errorf("data dir file %s has mode %v, want 0600", path, perm)
			}
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		corpus["data dir "+path] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.secrets) < 30 {
		t.Fatalf("only %d secrets planted", len(p.secrets))
	}
	for where, b := range corpus {
		for s, what := range p.secrets {
			if bytes.Contains(b, []byte(s)) {
				i := bytes.Index(b, []byte(s))
				t.Errorf("%s holds the secret of %s: …%s…", where, what, b[max(0, i-80):min(len(b), i+len(s)+20)])
			}
		}
	}
}

func valuesOf(m map[string][]byte) [][]byte {
	out := make([][]byte, 0, len(m))
	for _, b := range m {
		out = append(out, b)
	}
	return out
}

// lockedWriter serializes writes to w.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
