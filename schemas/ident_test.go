package schemas_test

import (
	"errors"
	"testing"

	"github.com/firetrail/firetrail/schemas"
)

func TestValidRegion(t *testing.T) {
	for _, r := range []string{"us-east-1", "us-gov-west-1", "eu-central-2", "ap-southeast-5", "cn-north-1", "il-central-1", "us-isob-east-1", "ca-west-10"} {
		if !schemas.ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = false", r)
		}
	}
	for _, r := range []string{"", "local-1", "us-east", "US-EAST-1", "us-east-1a", "u-east-1", "use-east-1", "us--1", "us-east-", "-us-east-1", "us-e4st-1", "us east 1"} {
		if schemas.ValidRegion(r) {
			t.Errorf("ValidRegion(%q) = true", r)
		}
	}
}

func TestValidAccountAndOrg(t *testing.T) {
	for s, want := range map[string]bool{"123456789012": true, "12345678901": false, "1234567890123": false, "12345678901a": false, "": false} {
		if got := schemas.ValidAccountID(s); got != want {
			t.Errorf("ValidAccountID(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{"o-abcdef1234": true, "o-" + "a234567890b234567890c234567890d2": true, "o-abc": false, "o-ABCDEF1234": false, "x-abcdef1234": false, "o-" + "a234567890b234567890c234567890d23": false} {
		if got := schemas.ValidOrgID(s); got != want {
			t.Errorf("ValidOrgID(%q) = %v", s, got)
		}
	}
}

func TestParseARN(t *testing.T) {
	a, err := schemas.ParseARN("arn:aws-us-gov:firehose:us-gov-west-1:123456789012:deliverystream/a:b")
	if err != nil {
		t.Fatal(err)
	}
	if want := (schemas.ARN{Partition: "aws-us-gov", Service: "firehose", Region: "us-gov-west-1", AccountID: "123456789012", Resource: "deliverystream/a:b"}); a != want {
		t.Errorf("ParseARN = %+v, want %+v", a, want)
	}
	if a.String() != "arn:aws-us-gov:firehose:us-gov-west-1:123456789012:deliverystream/a:b" {
		t.Errorf("String() = %s", a)
	}
	for _, ok := range []string{"arn:aws:s3:::bucket", "arn:aws:iam::123456789012:role/r", "arn:aws:iam::aws:policy/P", "arn:aws-cn:sns:cn-north-1:123456789012:t"} {
		if _, err := schemas.ParseARN(ok); err != nil {
			t.Errorf("ParseARN(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"notanarn", "arn:aws:s3::bucket", "arn:aws:s3:::", "arn:gcp:s3:::b", "arn:aws::::r", "arn:aws:S3:::b", "arn:aws:iam::12345:role/r", "ARN:aws:s3:::b"} {
		if _, err := schemas.ParseARN(bad); !errors.Is(err, schemas.ErrBadARN) {
			t.Errorf("ParseARN(%q) error = %v, want ErrBadARN", bad, err)
		}
	}
}
