package emulator

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// headerLog is an aws.HTTPClient that remembers the headers of the
// requests it sends.
type headerLog struct {
	next aws.HTTPClient
	mu   sync.Mutex
	reqs []http.Header
}

func (l *headerLog) Do(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r.Header.Clone())
	l.mu.Unlock()
	return l.next.Do(r)
}

func (l *headerLog) last() http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reqs[len(l.reqs)-1]
}

// TestTLSWithDefaultSDK talks HTTPS to the emulator the way a user of
// `serve --tls` does: config.LoadDefaultConfig with the printed CA file in
// AWS_CA_BUNDLE and nothing else changed. Over HTTPS the SDK sends
// PutObject bodies aws-chunked with a CRC32 trailer (its default
// RequestChecksumCalculation).
func TestTLSWithDefaultSDK(t *testing.T) {
	tlsCfg, caPEM, err := SelfSignedTLS(time.Now()) // the SDK checks validity against the wall clock
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CA_BUNDLE":                    caFile,
		"AWS_CONFIG_FILE":                  filepath.Join(dir, "no-config"),
		"AWS_SHARED_CREDENTIALS_FILE":      filepath.Join(dir, "no-credentials"),
		"AWS_PROFILE":                      "",
		"AWS_ENDPOINT_URL":                 "",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "",
		"AWS_RESPONSE_CHECKSUM_VALIDATION": "",
	} {
		t.Setenv(k, v)
	}
	sub := newHook(t, nil)
	emu := Start(t, WithTLS(tlsCfg), WithNotify(sub.URL), testLogger(t))
	if !strings.HasPrefix(emu.URL, "https://") {
		t.Fatalf("URL = %s, want https", emu.URL)
	}
	// The SNS handshake goes over HTTPS too.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: tlsCfg.RootCAs}}}
	conf := envelope(t, sub.next(t))
	verifyEnvelope(t, hc, emu.URL, conf)
	confirm(t, hc, emu.URL, conf)
	cfg, err := config.LoadDefaultConfig(t.Context(),
		config.WithRegion(emu.Region()),
		config.WithBaseEndpoint(emu.URL),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(DefaultAccessKeyID, DefaultSecretAccessKey, "")),
	)
	if err != nil {
		t.Fatalf("LoadDefaultConfig: %v", err)
	}
	hl := &headerLog{next: cfg.HTTPClient}
	cfg.HTTPClient = hl
	ctx := t.Context()

	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	want := make([]byte, 300<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = byte(rng.Uint32())
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String("tls/object.bin"), Body: bytes.NewReader(want)}); err != nil {
		t.Fatalf("PutObject over TLS: %v", err)
	}
	h := hl.last()
	if !strings.Contains(h.Get("Content-Encoding"), "aws-chunked") || !strings.EqualFold(h.Get("X-Amz-Trailer"), "x-amz-checksum-crc32") {
		t.Errorf("PutObject sent Content-Encoding %q, X-Amz-Trailer %q: want aws-chunked with a CRC32 trailer", h.Get("Content-Encoding"), h.Get("X-Amz-Trailer"))
	}
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(emu.Bucket), Key: aws.String("tls/object.bin")})
	if err != nil {
		t.Fatalf("GetObject over TLS: %v", err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		t.Fatalf("read object: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("GetObject returned %d bytes, not the %d put (aws-chunked framing stored?)", len(got), len(want))
	}

	// A Firehose call over TLS is recorded with tlsDetails, and
	// LookupEvents finds it, over TLS too.
	if _, err := firehose.NewFromConfig(cfg).ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{}); err != nil {
		t.Fatalf("ListDeliveryStreams over TLS: %v", err)
	}
	ev, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListDeliveryStreams")}},
	})
	if err != nil {
		t.Fatalf("LookupEvents over TLS: %v", err)
	}
	if len(ev.Events) != 1 {
		t.Fatalf("LookupEvents found %d ListDeliveryStreams events, want 1", len(ev.Events))
	}
	var rec struct {
		TLSDetails struct {
			TLSVersion  string `json:"tlsVersion"`
			CipherSuite string `json:"cipherSuite"`
		} `json:"tlsDetails"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(ev.Events[0].CloudTrailEvent)), &rec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.TLSDetails.TLSVersion, "TLSv1.") || rec.TLSDetails.CipherSuite == "" {
		t.Errorf("recorded tlsDetails = %+v, want a TLS version and cipher", rec.TLSDetails)
	}
}
