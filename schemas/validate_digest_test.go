package schemas

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestValidateDigest(t *testing.T) {
	v := newValidator(t)
	digest := string(readFile(t, "testdata/digest_example.json"))
	key, _, err := ParseLogKey("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2025/03/04/111122223333_CloudTrail-Digest_eu-west-1_my-trail_us-east-1_20250304T150131Z.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"ok", "", "", nil},
		{"starting digest", `"previousDigestS3Bucket":"example-trail-bucket"`, `"previousDigestS3Bucket":null`, nil},
		{"wrong account", `"awsAccountId":"111122223333"`, `"awsAccountId":"444455556666"`, []string{"/awsAccountId: 444455556666 does not match account 111122223333 of the file key"}},
		{"end not stamp", `"digestEndTime":"2025-03-04T15:01:31Z"`, `"digestEndTime":"2025-03-04T15:01:32Z"`, []string{"/digestEndTime: 2025-03-04T15:01:32Z does not match the file stamp 20250304T150131Z"}},
		{"bad fingerprint", `"digestPublicKeyFingerprint":"0ab1`, `"digestPublicKeyFingerprint":"0AB1`, []string{`/digestPublicKeyFingerprint: "0AB1c2d3e4f5061728394a5b6c7d8e9f" is not 32 lowercase hex digits (MD5 of the public key)`}},
		{"algorithm", `"SHA256withRSA"`, `"SHA1withRSA"`, []string{`/digestSignatureAlgorithm: got "SHA1withRSA", want "SHA256withRSA"`}},
		{"missing logFiles", `,"logFiles":[`, `,"x":[`, []string{"/logFiles: missing required member"}},
		{"syntax", `"awsAccountId":`, `"awsAccountId"`, []string{`offset 15: invalid character '"' after object key`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := digest
			if tc.old != "" {
				if !strings.Contains(d, tc.old) {
					t.Fatalf("%q not in digest", tc.old)
				}
				d = strings.Replace(d, tc.old, tc.new, 1)
			}
			var got []string
			for _, p := range v.ValidateDigest(&key, []byte(d)) {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ValidateDigest (-want +got):\n%s", diff)
			}
		})
	}
}
