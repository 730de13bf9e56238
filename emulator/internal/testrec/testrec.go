// Package testrec makes the CloudTrail records the emulator's tests
// store and deliver: management events of Firehose calls, numbered, with
// few distinct users, streams and event names so that lookups match many.
package testrec

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/firetrail/firetrail/schemas"
)

// Record returns a management record at t, numbered i: four users,
// five stream names, three event names.
func Record(i int, t time.Time) schemas.Record {
	names := []string{"DescribeDeliveryStream", "CreateDeliveryStream", "ListDeliveryStreams"}
	name := names[i%len(names)]
	user := fmt.Sprintf("user%d", i%4)
	return schemas.Record{
		EventVersion: "1.08",
		UserIdentity: schemas.UserIdentity{
			Type:        schemas.IdentityIAMUser,
			PrincipalID: "AIDAEXAMPLE" + user,
			ARN:         "arn:aws:iam::111122223333:user/" + user,
			AccountID:   "111122223333",
			AccessKeyID: fmt.Sprintf("AKIAEXAMPLE%09d", i%4),
			UserName:    user,
		},
		EventTime:          t.UTC().Truncate(time.Second),
		EventSource:        schemas.FirehoseEventSource,
		EventName:          name,
		AWSRegion:          "us-east-1",
		SourceIPAddress:    "198.51.100.7",
		UserAgent:          "test <&> agent",
		RequestParameters:  json.RawMessage(fmt.Sprintf(`{"deliveryStreamName":"stream-%d"}`, i%5)),
		RequestID:          fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
		EventID:            fmt.Sprintf("11111111-0000-4000-8000-%012d", i),
		ReadOnly:           schemas.Bool(name != "CreateDeliveryStream"),
		EventType:          "AwsApiCall",
		ManagementEvent:    schemas.BoolTrue,
		RecipientAccountID: "111122223333",
		EventCategory:      "Management",
	}
}
