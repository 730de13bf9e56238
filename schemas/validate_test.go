package schemas

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

func newValidator(t testing.TB, opts ...Option) *Validator {
	t.Helper()
	v, err := NewValidator(opts...)
	if err != nil {
		t.Fatalf("NewValidator: %v", err)
	}
	return v
}

// logRecords returns the Records of a log file.
func logRecords(t testing.TB, b []byte) []json.RawMessage {
	t.Helper()
	var lf struct{ Records []json.RawMessage }
	if err := json.Unmarshal(b, &lf); err != nil {
		t.Fatalf("decode log file: %v", err)
	}
	return lf.Records
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pageExample extracts the log file example from the AWS page text.
func pageExample(t testing.TB) []byte {
	t.Helper()
	page := readFile(t, "testdata/seed_page.txt")
	i := bytes.Index(page, []byte(`{ "Records":[`))
	if i < 0 {
		t.Fatal("no Records example in seed_page.txt")
	}
	var raw json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(page[i:])).Decode(&raw); err != nil {
		t.Fatalf("decode page example: %v", err)
	}
	return raw
}

func TestValidateSeed(t *testing.T) {
	v := newValidator(t)
	for i, rec := range logRecords(t, readFile(t, "testdata/seed_example.json")) {
		if got := v.Validate(rec); len(got) != 0 {
			t.Errorf("record %d: Validate = %v, want no problems", i, got)
		}
	}
}

func TestValidatePageExample(t *testing.T) {
	v := newValidator(t)
	recs := logRecords(t, pageExample(t))
	if len(recs) != 5 {
		t.Fatalf("page example has %d records, want 5", len(recs))
	}
	want := []string{"/eventSource: must not be empty", "/sourceIPAddress: must not be empty"}
	for i, rec := range recs {
		var got []string
		for _, p := range v.Validate(rec) {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("record %d: problems (-want +got):\n%s", i, diff)
		}
	}
}

// TestValidateCorpus checks real record shapes of many services and every
// eventVersion: testdata/records/*.json hold one record each and must pass.
func TestValidateCorpus(t *testing.T) {
	// Envelope checks only: the Firehose data-event shapes in the corpus
	// are inferred (unverified), the generated request schemas too.
	v := newValidator(t, WithFirehoseSchemas(fstest.MapFS{}))
	files, _ := filepath.Glob("testdata/records/*.json")
	if len(files) < 10 {
		t.Fatalf("corpus has %d records, want at least 10", len(files))
	}
	versions := map[string]bool{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b := readFile(t, f)
			var probe struct{ EventVersion string }
			if err := json.Unmarshal(b, &probe); err != nil {
				t.Fatal(err)
			}
			versions[probe.EventVersion] = true
			if got := v.Validate(b); len(got) != 0 {
				t.Errorf("Validate = %v, want no problems", got)
			}
		})
	}
	for _, ver := range []string{"1.0", "1.01", "1.02", "1.03", "1.04", "1.05", "1.06", "1.07", "1.08", "1.09", "1.10", "1.11"} {
		if !versions[ver] {
			t.Errorf("corpus has no record of eventVersion %s", ver)
		}
	}
}

// modernRecord is a constructed present-day Firehose record: eventVersion
// 1.08, an assumed-role caller on the AWS CLI v2, tlsDetails.
const modernRecord = `{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROARKQZ7EXAMPLE5XJ3G:ci-deploy-4821","arn":"arn:aws:sts::111122223333:assumed-role/pipeline-deployer/ci-deploy-4821","accountId":"111122223333","accessKeyId":"ASIARKQZ7EXAMPLEH2C6","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROARKQZ7EXAMPLE5XJ3G","arn":"arn:aws:iam::111122223333:role/pipeline-deployer","accountId":"111122223333","userName":"pipeline-deployer"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-04T09:00:12Z","mfaAuthenticated":"false"}}},"eventTime":"2025-03-04T09:03:41Z","eventSource":"firehose.amazonaws.com","eventName":"CreateDeliveryStream","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.23","userAgent":"aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#firehose.create-delivery-stream","requestParameters":{"deliveryStreamName":"clickstream-to-s3","deliveryStreamType":"DirectPut","extendedS3DestinationConfiguration":{"roleARN":"arn:aws:iam::111122223333:role/firehose-delivery","bucketARN":"arn:aws:s3:::example-clickstream-raw","prefix":"raw/","bufferingHints":{"sizeInMBs":64,"intervalInSeconds":60},"compressionFormat":"GZIP"}},"responseElements":{"deliveryStreamARN":"arn:aws:firehose:eu-west-1:111122223333:deliverystream/clickstream-to-s3"},"requestID":"c2f4a9d0-5b7e-4e61-9a3f-0d8e6b1f27c4","eventID":"7d3b0e52-91a4-4c2f-8f57-3e9a0b6c1d28","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"firehose.eu-west-1.amazonaws.com"}}`

func TestValidateModern(t *testing.T) {
	v := newValidator(t)
	if got := v.Validate([]byte(modernRecord)); len(got) != 0 {
		t.Errorf("Validate = %v, want none", got)
	}
}

// edit returns modernRecord with old replaced by new (exactly once).
func edit(t testing.TB, old, new string) []byte {
	t.Helper()
	if strings.Count(modernRecord, old) != 1 {
		t.Fatalf("edit: %q occurs %d times", old, strings.Count(modernRecord, old))
	}
	return []byte(strings.Replace(modernRecord, old, new, 1))
}

func TestValidateProblems(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"empty eventSource", `"eventSource":"firehose.amazonaws.com"`, `"eventSource":""`, []string{"/eventSource: must not be empty"}},
		{"missing eventName", `"eventName":"CreateDeliveryStream",`, ``, []string{"/eventName: missing required member"}},
		{"missing sourceIPAddress firehose", `"sourceIPAddress":"198.51.100.23",`, ``, []string{"/sourceIPAddress: missing required member (every Firehose API call has a caller)"}},
		{"wrong type readOnly", `"readOnly":false`, `"readOnly":"false"`, []string{"/readOnly: wrong type: got string, want boolean"}},
		{"unknown member", `"readOnly":false`, `"readOnly":false,"readonly":false`, []string{"/readonly: unknown member (did you mean readOnly?)"}},
		// AWS adds members without notice: a new one passes.
		{"new member", `"readOnly":false`, `"readOnly":false,"futureField":{"a":1}`, nil},
		{"new identity member", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6",`, `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6","futureIdentityField":"x",`, nil},
		{"misspelt identity member", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6",`, `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6","accessKeyID":"x",`, []string{"/userIdentity/accessKeyID: unknown member (did you mean accessKeyId?)"}},
		{"bad eventType", `"eventType":"AwsApiCall"`, `"eventType":"ApiCall"`, []string{`/eventType: got "ApiCall", want one of "AwsApiCall", "AwsServiceEvent", "AwsConsoleAction", "AwsConsoleSignIn", "AwsVpceEvent", "AwsCloudTrailInsight"`}},
		{"eventTime millis", `"eventTime":"2025-03-04T09:03:41Z"`, `"eventTime":"2025-03-04T09:03:41.123Z"`, []string{`/eventTime: "2025-03-04T09:03:41.123Z" is not a UTC time in whole seconds (want 2006-01-02T15:04:05Z)`}},
		{"eventTime offset", `"eventTime":"2025-03-04T09:03:41Z"`, `"eventTime":"2025-03-04T09:03:41+00:00"`, []string{`/eventTime: "2025-03-04T09:03:41+00:00" is not a UTC time in whole seconds (want 2006-01-02T15:04:05Z)`}},
		{"eventTime bad date", `"eventTime":"2025-03-04T09:03:41Z"`, `"eventTime":"2025-02-30T09:03:41Z"`, []string{`/eventTime: "2025-02-30T09:03:41Z" is not a UTC time in whole seconds (want 2006-01-02T15:04:05Z)`}},
		{"eventID upper", `"eventID":"7d3b0e52-91a4-4c2f-8f57-3e9a0b6c1d28"`, `"eventID":"7D3B0E52-91A4-4C2F-8F57-3E9A0B6C1D28"`, []string{`/eventID: "7D3B0E52-91A4-4C2F-8F57-3E9A0B6C1D28" is not a lowercase UUID (8-4-4-4-12 hex digits)`}},
		{"eventVersion", `"eventVersion":"1.08"`, `"eventVersion":"1.8"`, []string{`/eventVersion: unknown eventVersion "1.8" (want 1.0, 1.01 … 1.09, 1.10 or 1.11)`}},
		{"recipient account", `"recipientAccountId":"111122223333"`, `"recipientAccountId":"11112222333"`, []string{`/recipientAccountId: "11112222333" is not a 12-digit account ID`}},
		{"arn account mismatch", `"arn":"arn:aws:sts::111122223333:assumed-role`, `"arn":"arn:aws:sts::999922223333:assumed-role`, []string{`/userIdentity/arn: account 999922223333 in ARN does not match userIdentity.accountId 111122223333`}},
		{"malformed arn", `"arn":"arn:aws:sts::111122223333:assumed-role`, `"arn":"arn:aws:sts:111122223333:assumed-role`, []string{`/userIdentity/arn: "arn:aws:sts:111122223333:assumed-role/pipeline-deployer/ci-deploy-4821" is not a well-formed ARN: want 6 colon-separated fields`}},
		{"ASIA without session", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6",`, `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6","userName":"x"},"x":{`, []string{"/userIdentity/accessKeyId: temporary access key (ASIA) without sessionContext"}},
		{"AKIA with session", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6"`, `"accessKeyId":"AKIARKQZ7EXAMPLEH2C6"`, []string{`/userIdentity/accessKeyId: long-term access key (AKIA) with sessionContext`}},
		{"short key", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6"`, `"accessKeyId":"ASIARKQZ7"`, []string{`/userIdentity/accessKeyId: "ASIARKQZ7" is not a well-formed access key ID (AKIA or ASIA and 16 of A-Z, 0-9)`}},
		{"empty key", `"accessKeyId":"ASIARKQZ7EXAMPLEH2C6"`, `"accessKeyId":""`, []string{}},
		{"extra responseElements member", `deliverystream/clickstream-to-s3"`, `deliverystream/clickstream-to-s3","x":1`, []string{}},
		{"stream ARN wrong region", `"arn:aws:firehose:eu-west-1:`, `"arn:aws:firehose:us-east-1:`, []string{`/responseElements/deliveryStreamARN: region us-east-1 in ARN does not match awsRegion eu-west-1`}},
		{"stream ARN wrong account", `"arn:aws:firehose:eu-west-1:111122223333:`, `"arn:aws:firehose:eu-west-1:444455556666:`, []string{`/responseElements/deliveryStreamARN: account 444455556666 in ARN does not match recipientAccountId 111122223333`}},
		{"firehose resource", `"readOnly":false,`, `"readOnly":false,"resources":[{"accountId":"111122223333","type":"AWS::KinesisFirehose::DeliveryStream","ARN":"arn:aws:firehose:us-east-1:111122223333:deliverystream/x"}],`, []string{`/resources/0/ARN: region us-east-1 in ARN does not match awsRegion eu-west-1`}},
		{"missing type", `"type":"AssumedRole",`, ``, []string{`/userIdentity/type: missing required member`}},
		{"unknown identity type", `"type":"AssumedRole",`, `"type":"Assumed",`, []string{`/userIdentity/type: got "Assumed", want one of "Root", "IAMUser", "AssumedRole", "Role", "FederatedUser", "Directory", "AWSAccount", "AWSService", "IdentityCenterUser", "Unknown", "SAMLUser", "WebIdentityUser"`}},
		{"requestParameters array", `"requestParameters":{"deliveryStreamName":"clickstream-to-s3",`, `"requestParameters":[],"x":{"deliveryStreamName":"clickstream-to-s3",`, []string{"/requestParameters: wrong type: got array, want null or object"}},
		{"readOnly of a write", `"readOnly":false`, `"readOnly":true`, []string{"/readOnly: true for CreateDeliveryStream, want false"}},
		{"missing responseElements", `"responseElements":{"deliveryStreamARN":"arn:aws:firehose:eu-west-1:111122223333:deliverystream/clickstream-to-s3"},`, ``, []string{"/responseElements: missing required member (always written, null when empty)"}},
		{"duplicate member", `"readOnly":false`, `"readOnly":false,"readOnly":false`, []string{"/readOnly: duplicate member (parsers disagree on which value counts)"}},
		{"duplicate identity member", `"accountId":"111122223333","accessKeyId"`, `"accountId":"111122223333","accountId":"111122223333","accessKeyId"`, []string{"/userIdentity/accountId: duplicate member (parsers disagree on which value counts)"}},
		{"mfa bool", `"mfaAuthenticated":"false"`, `"mfaAuthenticated":false`, []string{`/userIdentity/sessionContext/attributes/mfaAuthenticated: got false, want one of "true", "false"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := edit(t, tc.old, tc.new)
			var got []string
			for _, p := range v.Validate(rec) {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestValidateIdentityExamples puts a made-up example of each userIdentity
// type into a record: every type's definition accepts it.
func TestValidateIdentityExamples(t *testing.T) {
	v := newValidator(t)
	examples := []string{
		`{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333","accessKeyId":"ASIARKQZ7EXAMPLE2K4M","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-04T08:11:02Z","mfaAuthenticated":"true"}}}`,
		`{"type":"IAMUser","principalId":"AIDARKQZ7EXAMPLEQ4TN2","arn":"arn:aws:iam::111122223333:user/ops/dana","accountId":"111122223333","accessKeyId":"AKIARKQZ7EXAMPLEW3PL","userName":"dana"}`,
		`{"type":"AssumedRole","principalId":"AROARKQZ7EXAMPLE5XJ3G:ci-deploy-4821","arn":"arn:aws:sts::111122223333:assumed-role/pipeline-deployer/ci-deploy-4821","accountId":"111122223333","accessKeyId":"ASIARKQZ7EXAMPLEH2C6","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROARKQZ7EXAMPLE5XJ3G","arn":"arn:aws:iam::111122223333:role/pipeline-deployer","accountId":"111122223333","userName":"pipeline-deployer"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-04T09:00:12Z","mfaAuthenticated":"false"}}}`,
		`{"type":"Role","principalId":"AROARKQZ7EXAMPLE5XJ3G","arn":"arn:aws:iam::111122223333:role/pipeline-deployer","accountId":"111122223333","userName":"pipeline-deployer"}`,
		`{"type":"FederatedUser","principalId":"111122223333:partner-feed","arn":"arn:aws:sts::111122223333:federated-user/partner-feed","accountId":"111122223333","accessKeyId":"ASIARKQZ7EXAMPLEZ7QB","sessionContext":{"sessionIssuer":{"type":"IAMUser","principalId":"AIDARKQZ7EXAMPLEQ4TN2","arn":"arn:aws:iam::111122223333:user/ops/dana","accountId":"111122223333","userName":"dana"},"webIdFederationData":{},"attributes":{"creationDate":"2025-03-04T10:20:00Z","mfaAuthenticated":"false"}}}`,
		`{"type":"AWSAccount","principalId":"AIDARKQZ7EXAMPLE3MWQ2","accountId":"444455556666"}`,
		`{"type":"AWSService","invokedBy":"firehose.amazonaws.com"}`,
		`{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"94a8d4e8-20c1-70d5-4c1e-6fb0a1c2d3e4","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067a1b2c3"},"credentialId":"EXAMPLEq7TnWkq0Rz2Hc9yVfQ3lLx8UaE_e1bTsNpGmD"}`,
		`{"type":"SAMLUser","principalId":"Q2xvdWRJZFBFeGFtcGxl=:dana@example.com","userName":"dana@example.com","identityProvider":"Q2xvdWRJZFBFeGFtcGxl="}`,
		`{"type":"WebIdentityUser","principalId":"accounts.google.com:app-1234.apps.googleusercontent.com:10987654321","userName":"10987654321","identityProvider":"accounts.google.com"}`,
		`{"type":"Unknown","principalId":"Anonymous"}`,
		`{"type":"Directory","principalId":"S-1-5-21-EXAMPLE","accountId":"111122223333","userName":"dana"}`,
		`{"type":"AssumedRole","principalId":"AROARKQZ7EXAMPLE5XJ3G:AWSCloudFormation","arn":"arn:aws:sts::111122223333:assumed-role/cfn/AWSCloudFormation","accountId":"111122223333","accessKeyId":"ASIARKQZ7EXAMPLE3CFN","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2025-03-04T09:00:12Z"},"sessionIssuer":{"type":"Role","principalId":"AROARKQZ7EXAMPLE5XJ3G","arn":"arn:aws:iam::111122223333:role/cfn","accountId":"111122223333","userName":"cfn"},"sourceIdentity":"dana","ec2RoleDelivery":"2.0","assumedRoot":"false","signInSessionArn":"arn:aws:signin:us-east-1:111122223333:session/94a8d4e8-20c1-70d5-4c1e-6fb0a1c2d3e4"},"invokedBy":"cloudformation.amazonaws.com","invokedByDelegate":{"accountId":"444455556666"},"inScopeOf":{"sourceArn":"arn:aws:lambda:us-east-1:111122223333:function:f","sourceAccount":"111122223333","issuerType":"AWS::Lambda::Function","credentialsIssuedTo":"arn:aws:sts::111122223333:assumed-role/cfn/AWSCloudFormation"}}`,
	}
	i := strings.Index(modernRecord, `"userIdentity":`) + len(`"userIdentity":`)
	j := strings.Index(modernRecord, `,"eventTime"`)
	for _, id := range examples {
		rec := modernRecord[:i] + id + modernRecord[j:]
		var got []string
		for _, p := range v.Validate([]byte(rec)) {
			got = append(got, p.String())
		}
		if len(got) != 0 {
			t.Errorf("userIdentity %s: problems %q", id[:40], got)
		}
	}
}

// TestValidateAWSInternal: AWS writes calls it makes internally with a
// userIdentity of only accountId and invokedBy "AWS Internal", no type, in
// an AwsApiCall. That is accepted; any other typeless identity outside a
// service event is still missing its type.
func TestValidateAWSInternal(t *testing.T) {
	v := newValidator(t)
	i := strings.Index(modernRecord, `"userIdentity":`) + len(`"userIdentity":`)
	j := strings.Index(modernRecord, `,"eventTime"`)
	missing := []string{`/userIdentity/type: missing required member`}
	tests := []struct {
		id   string
		want []string
	}{
		{`{"accountId":"111122223333","invokedBy":"AWS Internal"}`, nil},
		{`{"invokedBy":"AWS Internal","accountId":"111122223333"}`, nil},
		{`{"accountId":"111122223333","invokedBy":"AWS Internal","principalId":"x"}`, nil},
		{`{"invokedBy":"AWS Internal"}`, missing},
		{`{"accountId":"111122223333"}`, missing},
		{`{"accountId":"111122223333","invokedBy":"firehose.amazonaws.com"}`, missing},
		{`{"accountId":"111122223333","invokedBy":"aws internal"}`, missing},
		{`{"accountId":"111122223333","invokedBy":"AWS Internal "}`, missing},
		{`{"accountId":"12345","invokedBy":"AWS Internal"}`, []string{`/userIdentity/accountId: "12345" is not a 12-digit account ID`}},
		{`{"accountId":"111122223333","invokedBy":"AWS Internal","type":"Assumed"}`, []string{`/userIdentity/type: got "Assumed", want one of "Root", "IAMUser", "AssumedRole", "Role", "FederatedUser", "Directory", "AWSAccount", "AWSService", "IdentityCenterUser", "Unknown", "SAMLUser", "WebIdentityUser"`}},
	}
	for _, tc := range tests {
		for _, src := range []string{`"sourceIPAddress":"198.51.100.23"`, `"sourceIPAddress":"AWS Internal"`} {
			rec := strings.Replace(modernRecord[:i]+tc.id+modernRecord[j:], `"sourceIPAddress":"198.51.100.23"`, src, 1)
			var got []string
			for _, p := range v.Validate([]byte(rec)) {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("userIdentity %s, %s: problems (-want +got):\n%s", tc.id, src, diff)
			}
			// Both paths agree: the fast walker and record.json itself.
			checkInvariants(t, v, []byte(rec))
			doc, err := unmarshalAny([]byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			serr := v.record.Validate(doc)
			if wantOK := tc.want == nil || tc.want[0] != missing[0] && !strings.Contains(tc.want[0], "/type"); wantOK != (serr == nil) {
				t.Errorf("userIdentity %s: record.json says %v", tc.id, serr)
			}
		}
	}
}

// TestValidateConcurrent shares one Validator between goroutines (run with
// -race).
func TestValidateConcurrent(t *testing.T) {
	v := newValidator(t)
	recs := fuzzSeeds(t)
	want := make([]int, len(recs))
	for i, r := range recs {
		want[i] = len(v.Validate(r))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, r := range recs {
				if got := len(v.Validate(r)); got != want[i] {
					t.Errorf("record %d: %d problems concurrently, %d alone", i, got, want[i])
				}
			}
		})
	}
	wg.Wait()
}

// TestLogFileSchema compiles jsonschema/logfile.json and checks the seed
// log file against it.
func TestLogFileSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	if err := addSchemas(c, schemaFS, "jsonschema", schemaBaseURL); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaBaseURL + "logfile.json")
	if err != nil {
		t.Fatalf("compile logfile.json: %v", err)
	}
	doc, err := unmarshalAny(readFile(t, "testdata/seed_example.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("seed log file: %v", err)
	}
	bad, _ := unmarshalAny([]byte(`{"Records":[{"eventVersion":"1.08"}]}`))
	if sch.Validate(bad) == nil {
		t.Error("a record without required members passes logfile.json")
	}
}
