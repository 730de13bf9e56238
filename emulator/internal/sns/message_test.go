package sns_test

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/trail"
)

// sampleKey is a log file's key.
const sampleKey = "AWSLogs/111122223333/CloudTrail/eu-west-1/2025/03/04/111122223333_CloudTrail_eu-west-1_20250304T0905Z_q8ZrT2mWcLxN4vBa.json.gz"

// snsSignatureError checks an envelope's SignatureVersion 1 signature from
// its decoded fields, building the string to sign by hand (Amazon SNS
// Developer Guide, verifying message signatures).
func snsSignatureError(pub *rsa.PublicKey, env map[string]string) error {
	var names []string
	if env["Type"] == "Notification" {
		names = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		names = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var s strings.Builder
	for _, n := range names {
		if v, ok := env[n]; ok {
			s.WriteString(n + "\n" + v + "\n")
		}
	}
	if env["SignatureVersion"] != "1" {
		return fmt.Errorf("SignatureVersion = %q, want 1", env["SignatureVersion"])
	}
	sig, err := base64.StdEncoding.DecodeString(env["Signature"])
	if err != nil {
		return err
	}
	sum := sha1.Sum([]byte(s.String()))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig)
}

// verifySNS fails the test unless the envelope's signature verifies.
func verifySNS(t *testing.T, pub *rsa.PublicKey, env map[string]string) {
	t.Helper()
	if err := snsSignatureError(pub, env); err != nil {
		t.Errorf("SNS signature does not verify: %v", err)
	}
}

func TestTypeNotificationLayout(t *testing.T) {
	key := testKey(t)
	m := sns.Envelope{
		Type:           sns.TypeNotification,
		MessageID:      "0f6c2b1e-7a54-5d3e-9b2a-4c8e1d7f6a90",
		TopicARN:       "arn:aws:sns:eu-west-1:111122223333:trail-notices",
		Message:        sns.CloudTrailMessage("example-trail-bucket", sampleKey),
		Timestamp:      time.Date(2025, 3, 4, 9, 6, 11, 482_000_000, time.UTC),
		SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem",
		UnsubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:111122223333:trail-notices:1b2c",
	}
	must(t, m.Sign(key))
	want := `{
  "Type" : "Notification",
  "MessageId" : "0f6c2b1e-7a54-5d3e-9b2a-4c8e1d7f6a90",
  "TopicArn" : "arn:aws:sns:eu-west-1:111122223333:trail-notices",
  "Message" : "{\"s3Bucket\":\"example-trail-bucket\",\"s3ObjectKey\":[\"` + sampleKey + `\"]}",
  "Timestamp" : "2025-03-04T09:06:11.482Z",
  "SignatureVersion" : "1",
  "Signature" : "` + m.Signature + `",
  "SigningCertURL" : "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem",
  "UnsubscribeURL" : "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:eu-west-1:111122223333:trail-notices:1b2c"
}`
	if diff := cmp.Diff(want, string(m.JSON())); diff != "" {
		t.Errorf("envelope (-want +got):\n%s", diff)
	}
	var env map[string]string
	must(t, json.Unmarshal(m.JSON(), &env))
	verifySNS(t, &key.PublicKey, env)
	var msg struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	must(t, json.Unmarshal([]byte(env["Message"]), &msg))
	if msg.S3Bucket != "example-trail-bucket" || len(msg.S3ObjectKey) != 1 || msg.S3ObjectKey[0] != sampleKey {
		t.Errorf("Message = %+v", msg)
	}
	// Tampering breaks the signature.
	env["Message"] = strings.Replace(env["Message"], "example", "other", 1)
	if snsSignatureError(&key.PublicKey, env) == nil {
		t.Error("a tampered envelope verified")
	}
}

// envelopeKey matches the names of an envelope's fields, one a line.
var envelopeKey = regexp.MustCompile(`(?m)^  "(\w+)" : `)

func TestSubscriptionConfirmationLayout(t *testing.T) {
	key := testKey(t)
	m := sns.Envelope{
		Type: sns.TypeSubscriptionConfirmation, MessageID: "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
		Token: "2336412f37fb687f5d51e6e2425", TopicARN: "arn:aws:sns:us-west-2:123456789012:MyTopic",
		Message:      "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: "https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-west-2:123456789012:MyTopic&Token=2336412f37fb687f5d51e6e2425",
		Timestamp:    time.Date(2012, 4, 26, 20, 45, 4, 751_000_000, time.UTC), SigningCertURL: "https://sns.us-west-2.amazonaws.com/x.pem",
	}
	must(t, m.Sign(key))
	var got []string
	for _, sub := range envelopeKey.FindAllStringSubmatch(string(m.JSON()), -1) {
		got = append(got, sub[1])
	}
	want := []string{"Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(m.JSON()), `"Message" : "You have chosen to subscribe to the topic arn:aws:sns:us-west-2:123456789012:MyTopic.\nTo confirm`) {
		t.Errorf("Message not escaped as SNS does:\n%s", m.JSON())
	}
	var env map[string]string
	must(t, json.Unmarshal(m.JSON(), &env))
	verifySNS(t, &key.PublicKey, env)
	bad := m
	bad.SignatureVersion = "3"
	if err := bad.Sign(key); err == nil {
		t.Error("Sign with SignatureVersion 3 succeeded")
	}
}

func TestSigningCertificate(t *testing.T) {
	key := testKey(t)
	svc, err := sns.New(sns.Config{Region: "eu-west-1", SigningKey: key, Clock: trail.NewFakeClock(t0)})
	must(t, err)
	defer svc.Close()
	rec := httptest.NewRecorder()
	svc.CertHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/SimpleNotificationService-x.pem", nil))
	block, _ := pem.Decode(rec.Body.Bytes())
	if block == nil {
		t.Fatalf("no PEM in %q", rec.Body)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	must(t, err)
	// An envelope verifies with the certificate's key, as subscribers check.
	m := sns.Envelope{Type: sns.TypeNotification, MessageID: "m", TopicARN: "arn:aws:sns:eu-west-1:111122223333:t", Message: "x", Timestamp: t0}
	must(t, m.Sign(key))
	sig, _ := base64.StdEncoding.DecodeString(m.Signature)
	if err := cert.CheckSignature(x509.SHA1WithRSA, []byte(m.StringToSign()), sig); err != nil {
		t.Errorf("signature does not verify with the served certificate: %v", err)
	}
	again, err := sns.SigningCertificatePEM(key, t0)
	must(t, err)
	if !bytes.Equal(again, rec.Body.Bytes()) {
		t.Error("SigningCertificatePEM is not deterministic")
	}
}
