package schemas

import (
	"errors"
	"fmt"
	"strings"
)

// ValidRegion reports whether s is an AWS region name: a two-letter area,
// one or more lower-case words and a number, joined by dashes (us-east-1,
// us-gov-west-1, eu-central-2, ap-southeast-5, cn-north-1, il-central-1,
// us-isob-east-1). It does not check that the region exists.
func ValidRegion(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) < 3 || len(parts[0]) != 2 || !isLower(parts[0]) {
		return false
	}
	for _, p := range parts[1 : len(parts)-1] {
		if !isLower(p) {
			return false
		}
	}
	return isDigits(parts[len(parts)-1])
}

// ValidAccountID reports whether s is an AWS account ID: 12 decimal digits.
func ValidAccountID(s string) bool { return isAccountID([]byte(s)) }

// ValidOrgID reports whether s is an AWS Organizations ID: "o-" and 10 to
// 32 lower-case letters or digits.
func ValidOrgID(s string) bool {
	id, ok := strings.CutPrefix(s, "o-")
	if !ok || len(id) < 10 || len(id) > 32 {
		return false
	}
	for _, c := range []byte(id) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ARN is a parsed Amazon Resource Name,
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
type ARN struct {
	// Partition is aws, aws-cn, aws-us-gov, aws-iso, ...
	Partition string
	// Service is the service namespace (iam, s3, firehose).
	Service string
	// Region and AccountID are empty for global resources (S3 buckets have
	// neither, IAM roles no region).
	Region    string
	AccountID string
	// Resource is everything after the fifth colon; it may hold colons and
	// slashes (role/name, deliverystream/name, table/t:col).
	Resource string
}

// ErrBadARN is wrapped by every error of ParseARN.
var ErrBadARN = errors.New("not an ARN")

// ParseARN parses and checks an ARN. It accepts the form of AWS's pattern
// "arn:.*" with at least six colon-separated parts, and further requires a
// partition "aws" or "aws-" and lower-case words, a non-empty service and a
// region of lower-case letters, digits and dashes, an account that is
// empty, 12 digits or "aws" (AWS managed resources), and a non-empty
// resource. These are the rules the record validator applies to ARNs.
func ParseARN(s string) (ARN, error) {
	p, reason := parseARN([]byte(s))
	if reason != "" {
		return ARN{}, fmt.Errorf("%q: %w: %s", s, ErrBadARN, reason)
	}
	return ARN{
		Partition: string(p.partition),
		Service:   string(p.service),
		Region:    string(p.region),
		AccountID: string(p.account),
		Resource:  string(p.resource),
	}, nil
}

// String returns the ARN in its colon-separated form.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// isLower reports whether s is one or more of a-z.
func isLower(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// isDigits reports whether s is one or more of 0-9.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
