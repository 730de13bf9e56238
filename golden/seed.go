package golden

import (
	"encoding/json"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// SeedExample returns the five records of AWS's Firehose CloudTrail example
// (the Amazon Data Firehose Developer Guide's example log file) from fixed
// inputs. requestParameters are written as
// AWS's sample writes them: its member order follows no rule a renderer
// could reproduce (see schemas.RenderFirehoseRequest), so they are fixed
// JSON here; TestSeedRequestsRender checks that the renderer gives the same
// values for the same SDK inputs.
func SeedExample() []schemas.Record {
	id := schemas.UserIdentity{
		Type:        schemas.IdentityIAMUser,
		PrincipalID: "AKIAIOSFODNN7EXAMPLE",
		ARN:         "arn:aws:iam::111122223333:user/CloudTrail_Test_User",
		AccountID:   "111122223333",
		AccessKeyID: "AKIAI44QH8DHBEXAMPLE",
		UserName:    "CloudTrail_Test_User",
	}
	call := func(at, name, req, resp, requestID, eventID string) schemas.Record {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			panic(err) // fixed input
		}
		r := schemas.Record{
			EventVersion:       "1.02",
			UserIdentity:       id,
			EventTime:          t,
			EventSource:        schemas.FirehoseEventSource,
			EventName:          name,
			AWSRegion:          "us-east-1",
			SourceIPAddress:    "127.0.0.1",
			UserAgent:          "aws-internal/3",
			RequestParameters:  json.RawMessage(req),
			RequestID:          requestID,
			EventID:            eventID,
			EventType:          "AwsApiCall",
			RecipientAccountID: "111122223333",
		}
		if resp != "" {
			r.ResponseElements = json.RawMessage(resp)
		}
		return r
	}
	return []schemas.Record{
		call("2016-02-24T18:08:22Z", "CreateDeliveryStream", seedCreateRequest,
			`{"deliveryStreamARN":"arn:aws:firehose:us-east-1:111122223333:deliverystream/TestRedshiftStream"}`,
			"958abf6a-db21-11e5-bb88-91ae9617edf5", "875d2d68-476c-4ad5-bbc6-d02872cfc884"),
		call("2016-02-24T18:08:54Z", "DescribeDeliveryStream", `{"deliveryStreamName":"TestRedshiftStream"}`, "",
			"aa6ea5ed-db21-11e5-bb88-91ae9617edf5", "d9b285d8-d690-4d5c-b9fe-d1ad5ab03f14"),
		call("2016-02-24T18:10:00Z", "ListDeliveryStreams", `{"limit":10}`, "",
			"d1bf7f86-db21-11e5-bb88-91ae9617edf5", "67f63c74-4335-48c0-9004-4ba35ce00128"),
		call("2016-02-24T18:10:09Z", "UpdateDestination", seedUpdateRequest, "",
			"d549428d-db21-11e5-bb88-91ae9617edf5", "1cb21e0b-416a-415d-bbf9-769b152a6585"),
		call("2016-02-24T18:10:12Z", "DeleteDeliveryStream", `{"deliveryStreamName":"TestRedshiftStream"}`, "",
			"d85968c1-db21-11e5-bb88-91ae9617edf5", "dd46bb98-b4e9-42ff-a6af-32d57e636ad1"),
	}
}

const seedCreateRequest = `{"deliveryStreamName":"TestRedshiftStream","redshiftDestinationConfiguration":{"s3Configuration":{"compressionFormat":"GZIP","prefix":"prefix","bucketARN":"arn:aws:s3:::firehose-cloudtrail-test-bucket","roleARN":"arn:aws:iam::111122223333:role/Firehose","bufferingHints":{"sizeInMBs":3,"intervalInSeconds":900},"encryptionConfiguration":{"kMSEncryptionConfig":{"aWSKMSKeyARN":"arn:aws:kms:us-east-1:key"}}},"clusterJDBCURL":"jdbc:redshift://","copyCommand":{"copyOptions":"copyOptions","dataTableName":"dataTable"},"password":"","username":"","roleARN":"arn:aws:iam::111122223333:role/Firehose"}}`

const seedUpdateRequest = `{"destinationId":"destinationId-000000000001","deliveryStreamName":"TestRedshiftStream","currentDeliveryStreamVersionId":"1","redshiftDestinationUpdate":{"roleARN":"arn:aws:iam::111122223333:role/Firehose","clusterJDBCURL":"jdbc:redshift://","password":"","username":"","copyCommand":{"copyOptions":"copyOptions","dataTableName":"dataTable"},"s3Update":{"bucketARN":"arn:aws:s3:::firehose-cloudtrail-test-bucket-update","roleARN":"arn:aws:iam::111122223333:role/Firehose","compressionFormat":"GZIP","bufferingHints":{"sizeInMBs":3,"intervalInSeconds":900},"encryptionConfiguration":{"kMSEncryptionConfig":{"aWSKMSKeyARN":"arn:aws:kms:us-east-1:key"}},"prefix":"arn:aws:s3:::firehose-cloudtrail-test-bucket"}}}`
