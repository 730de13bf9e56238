package schemas

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestFirehoseErrorTable: every entry's code is an error of the Firehose
// API model (or one CloudTrail writes for IAM and throttling), only
// ServiceUnavailable is a fault, and the observed wordings are AWS's.
func TestFirehoseErrorTable(t *testing.T) {
	model := map[string]bool{}
	for _, e := range []interface{ ErrorCode() string }{
		&types.ResourceNotFoundException{}, &types.ResourceInUseException{}, &types.InvalidArgumentException{},
		&types.LimitExceededException{}, &types.ConcurrentModificationException{}, &types.InvalidKMSResourceException{},
		&types.ServiceUnavailableException{}, &types.InvalidSourceException{},
	} {
		model[e.ErrorCode()] = true
	}
	other := map[string]bool{FirehoseValidation: true, FirehoseAccessDenied: true, FirehoseThrottling: true}
	entries := []FirehoseError{
		FirehoseNotFound("clicks", "111122223333"),
		FirehoseAlreadyExists("clicks", "111122223333"),
		FirehoseNotActive("clicks", "111122223333", "CREATING"),
		FirehoseVersionMismatch("clicks", "3", "2"),
		FirehoseWrongSourceType("KinesisStreamAsSource"),
		FirehoseStreamQuota(5000), FirehoseTooManyTags(50, 51), FirehoseTagRate(), FirehoseStreamLimit("clicks", "111122223333"),
		FirehoseThrottled(), FirehoseSlowDown(), FirehoseNotRecorded(errors.New("disk full")),
		FirehoseKeyDisabled("arn:aws:kms:us-east-1:111122223333:key/k"), FirehoseKeyNotKMS(), FirehoseKeyWithAWSOwned(),
		FirehoseEncryptionNotDirectPut("MSKAsSource"), FirehoseSourceRequired("MSKSourceConfiguration", "MSKAsSource"),
		FirehoseDestinationCount("update", 2), FirehoseInvalidDestination("update", errors.New("bad")),
		FirehoseDestinationNotFound("destinationId-000000000002", "clicks"), FirehoseDestinationTypeChange(),
		FirehoseRequestTooLarge(5 << 20), FirehoseRecordTooLarge(), FirehoseDynamicPartitioningBuffer(),
		FirehoseReservedTagKey(), FirehoseTagKeyCount(), FirehoseInvalidArgumentOther(),
		FirehoseValidationError("1 validation error detected"),
		FirehoseDenied("arn:aws:iam::111122223333:user/u", "DeleteDeliveryStream", "arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks", DenyNoAllow, ""),
	}
	for _, e := range entries {
		if !model[e.Code] && !other[e.Code] {
			t.Errorf("%v: code not in the Firehose model", e)
		}
		if e.Message == "" || strings.Contains(e.Message, "%!") {
			t.Errorf("%v: message", e)
		}
		if e.Fault() != (e.Code == FirehoseServiceUnavailable) {
			t.Errorf("%v: Fault %v", e, e.Fault())
		}
	}
	for _, tc := range []struct {
		got  FirehoseError
		want string
	}{
		{FirehoseNotFound("clicks", "111122223333"), "ResourceNotFoundException: Firehose clicks under account 111122223333 not found."},
		{FirehoseAlreadyExists("clicks", "111122223333"), "ResourceInUseException: Firehose clicks under accountId 111122223333 already exists"},
		{FirehoseVersionMismatch("clicks", "3", "2"), "ConcurrentModificationException: Cannot update firehose: clicks since the current version id: 3 and specified version id: 2 do not match"},
		{FirehoseThrottled(), "ThrottlingException: Rate exceeded"},
		{FirehoseDenied("arn:aws:iam::111122223333:user/u", "DeleteDeliveryStream", "arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks", DenySCP, "arn:aws:organizations::111122223333:policy/o-x/service_control_policy/p-y"),
			"AccessDenied: User: arn:aws:iam::111122223333:user/u is not authorized to perform: firehose:DeleteDeliveryStream on resource: arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks with an explicit deny in a service control policy: arn:aws:organizations::111122223333:policy/o-x/service_control_policy/p-y"},
		{FirehoseDenied("arn:aws:iam::111122223333:user/u", "PutRecord", "arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks", DenyNoAllow, ""),
			"AccessDenied: User: arn:aws:iam::111122223333:user/u is not authorized to perform: firehose:PutRecord on resource: arn:aws:firehose:us-east-1:111122223333:deliverystream/clicks because no identity-based policy allows the firehose:PutRecord action"},
	} {
		if tc.got.Error() != tc.want {
			t.Errorf("got  %s\nwant %s", tc.got.Error(), tc.want)
		}
	}
}
