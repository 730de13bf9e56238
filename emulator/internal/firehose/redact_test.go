package firehose

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

// secretInputs are create inputs with a secret in every sensitive member a
// description keeps, and in those it drops.
func secretInputs() []*firehose.CreateDeliveryStreamInput {
	s3 := &types.S3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::b"), RoleARN: aws.String("arn:aws:iam::111122223333:role/r")}
	return []*firehose.CreateDeliveryStreamInput{
		{DeliveryStreamName: aws.String("redshift"), RedshiftDestinationConfiguration: &types.RedshiftDestinationConfiguration{
			ClusterJDBCURL: aws.String("jdbc:redshift://c:5439/db"), CopyCommand: &types.CopyCommand{DataTableName: aws.String("t")},
			RoleARN: aws.String("arn:aws:iam::111122223333:role/r"), S3Configuration: s3,
			Username: aws.String("SECRET-user-1"), Password: aws.String("SECRET-password-2"),
		}},
		{DeliveryStreamName: aws.String("splunk"), SplunkDestinationConfiguration: &types.SplunkDestinationConfiguration{
			HECEndpoint: aws.String("https://splunk:8088"), HECEndpointType: types.HECEndpointTypeRaw,
			HECToken: aws.String("SECRET-hec-3"), S3Configuration: s3,
		}},
		{DeliveryStreamName: aws.String("http"), HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://SECRET-url-4"), AccessKey: aws.String("SECRET-key-5"), Name: aws.String("n")},
			RequestConfiguration: &types.HttpEndpointRequestConfiguration{CommonAttributes: []types.HttpEndpointCommonAttribute{
				{AttributeName: aws.String("SECRET-name-6"), AttributeValue: aws.String("SECRET-value-7")},
			}},
			S3Configuration: s3,
		}},
		{DeliveryStreamName: aws.String("snowflake"), SnowflakeDestinationConfiguration: &types.SnowflakeDestinationConfiguration{
			AccountUrl: aws.String("https://SECRET-account-8.snowflakecomputing.com"), PrivateKey: aws.String("SECRET-pk-9"),
			KeyPassphrase: aws.String("SECRET-pass-10"), User: aws.String("SECRET-user-11"), Database: aws.String("SECRET-db-12"),
			Schema: aws.String("SECRET-schema-13"), Table: aws.String("SECRET-table-14"),
			MetaDataColumnName: aws.String("SECRET-meta-15"), ContentColumnName: aws.String("SECRET-content-16"),
			SnowflakeRoleConfiguration: &types.SnowflakeRoleConfiguration{Enabled: aws.Bool(true), SnowflakeRole: aws.String("SECRET-role-17")},
			SnowflakeVpcConfiguration:  &types.SnowflakeVpcConfiguration{PrivateLinkVpceId: aws.String("SECRET-vpce-18")},
			RoleARN:                    aws.String("arn:aws:iam::111122223333:role/r"), S3Configuration: s3,
		}},
	}
}

// No secret of a configuration reaches the state file, Describe or a log
// line; the file is private.
func TestFirehoseSecretsRedactedAtRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, StateFile)
	s, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	for _, in := range secretInputs() {
		k := streamKey{account: "111122223333", region: "eu-west-1", name: *in.DeliveryStreamName}
		if _, err := s.create(k, in, DefaultStartTime); err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		s.persist()
		out, err := s.describe(k, DefaultStartTime.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(out)
		if strings.Contains(string(b), "SECRET") {
			t.Errorf("Describe of %s shows a secret: %s", k.name, b)
		}
		s.mu.Lock()
		ds := s.streams[k]
		s.mu.Unlock()
		log.Info("stream", "stream", ds, "saved", savedStream{Name: k.name, Destination: ds.dest})
	}
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "redshift") {
		t.Errorf("log shows a secret (or no stream): %s", logs.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "SECRET") {
		t.Errorf("state file holds a secret:\n%s", b)
	}
	if !strings.Contains(string(b), schemas.DefaultRedactionPlaceholder) {
		t.Errorf("state file has no redacted member:\n%s", b)
	}
	if info, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", info.Mode().Perm())
	}
	// An update keeps the redaction and redacts what it brings.
	k := streamKey{account: "111122223333", region: "eu-west-1", name: "redshift"}
	if err := s.updateDestination(k, &firehose.UpdateDestinationInput{
		DeliveryStreamName: aws.String("redshift"), CurrentDeliveryStreamVersionId: aws.String("1"),
		DestinationId:             aws.String("destinationId-000000000001"),
		RedshiftDestinationUpdate: &types.RedshiftDestinationUpdate{Username: aws.String("SECRET-user-19"), Password: aws.String("SECRET-password-20")},
	}, DefaultStartTime.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); strings.Contains(string(b), "SECRET") {
		t.Errorf("state file holds a secret after an update:\n%s", b)
	}
}

// A state file of an earlier firetrail, with a Username in clear, is
// rewritten redacted when loaded.
func TestFirehoseOldStateFileRedactedOnLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), StateFile)
	old := `{"version":1,"streams":[{"account":"111122223333","region":"us-east-1","name":"s","arn":"arn:aws:firehose:us-east-1:111122223333:deliverystream/s","type":"DirectPut","version":1,"destination":{"DestinationId":"destinationId-000000000001","RedshiftDestinationDescription":{"Username":"SECRET-old","ClusterJDBCURL":"jdbc:redshift://c:5439/db","RoleARN":"arn:aws:iam::111122223333:role/r","CopyCommand":{"DataTableName":"t"}}}}]}`
	if err := os.WriteFile(path, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := loadState(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "SECRET") {
		t.Errorf("old state file not rewritten redacted:\n%s", b)
	}
	out, err := s.describe(streamKey{account: "111122223333", region: "us-east-1", name: "s"}, DefaultStartTime)
	if err != nil {
		t.Fatal(err)
	}
	if u := out.DeliveryStreamDescription.Destinations[0].RedshiftDestinationDescription.Username; u == nil || *u != "" {
		t.Errorf("Username = %v, want the redacted \"\"", u)
	}
}

// Every sensitive member of the table names a field of its shape: a
// renamed SDK field would silently escape redaction.
func TestDescriptionSecretsNameFields(t *testing.T) {
	shapes := map[string]any{
		"RedshiftDestinationDescription":  types.RedshiftDestinationDescription{},
		"SplunkDestinationDescription":    types.SplunkDestinationDescription{},
		"HttpEndpointDescription":         types.HttpEndpointDescription{},
		"HttpEndpointCommonAttribute":     types.HttpEndpointCommonAttribute{},
		"SnowflakeDestinationDescription": types.SnowflakeDestinationDescription{},
		"SnowflakeRoleConfiguration":      types.SnowflakeRoleConfiguration{},
		"SnowflakeVpcConfiguration":       types.SnowflakeVpcConfiguration{},
	}
	kept := 0
	for name, v := range shapes {
		rt := reflect.TypeOf(v)
		for member := range descriptionSecrets[name] {
			if _, ok := rt.FieldByName(member); ok {
				kept++
			}
		}
	}
	// Redshift Username; Splunk HECToken; HTTP Url, AttributeName,
	// AttributeValue; Snowflake AccountUrl, User, Database, Schema, Table,
	// MetaDataColumnName, ContentColumnName, SnowflakeRole,
	// PrivateLinkVpceId.
	if kept != 14 {
		t.Errorf("%d sensitive members found in the description types, want 14", kept)
	}
}
