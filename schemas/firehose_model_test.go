package schemas

import (
	"reflect"
	"slices"
	"testing"

	fhschemas "github.com/aws/aws-sdk-go-v2/service/firehose/schemas"
	smithy "github.com/aws/smithy-go"
	smithytraits "github.com/aws/smithy-go/traits"
)

// inputSchemas maps each action to the SDK's smithy schema of its input.
func inputSchemas() map[string]*smithy.Schema {
	return map[string]*smithy.Schema{
		"CreateDeliveryStream":          fhschemas.CreateDeliveryStreamInput,
		"DeleteDeliveryStream":          fhschemas.DeleteDeliveryStreamInput,
		"DescribeDeliveryStream":        fhschemas.DescribeDeliveryStreamInput,
		"ListDeliveryStreams":           fhschemas.ListDeliveryStreamsInput,
		"ListTagsForDeliveryStream":     fhschemas.ListTagsForDeliveryStreamInput,
		"PutRecord":                     fhschemas.PutRecordInput,
		"PutRecordBatch":                fhschemas.PutRecordBatchInput,
		"StartDeliveryStreamEncryption": fhschemas.StartDeliveryStreamEncryptionInput,
		"StopDeliveryStreamEncryption":  fhschemas.StopDeliveryStreamEncryptionInput,
		"TagDeliveryStream":             fhschemas.TagDeliveryStreamInput,
		"UntagDeliveryStream":           fhschemas.UntagDeliveryStreamInput,
		"UpdateDestination":             fhschemas.UpdateDestinationInput,
	}
}

// walkModel walks a plan and the SDK's smithy schema of the same shape side
// by side, calling visit for every member.
func walkModel(t *testing.T, p *fhStruct, s *smithy.Schema, shape string, seen map[string]bool, visit func(shape string, f *fhField, m *smithy.Schema)) {
	t.Helper()
	if seen[shape] {
		return
	}
	seen[shape] = true
	if got := p.typ.Name(); got != shape {
		t.Errorf("Go type %s renders model shape %s: names differ", got, shape)
	}
	for i := range p.fields {
		f := &p.fields[i]
		m := s.Member(f.name)
		if m == nil {
			t.Errorf("%s.%s: Go field is not a member of the model shape", shape, f.name)
			continue
		}
		visit(shape, f, m)
		if f.elem == nil {
			continue
		}
		target := m
		if m.Type() == smithy.ShapeTypeList {
			target = m.ListMember()
		}
		walkModel(t, f.elem, target, target.TargetID().Name, seen, visit)
	}
	// Every model member must be a Go field (or the record data blob).
	for name := range s.Members() {
		if !slices.ContainsFunc(p.fields, func(f fhField) bool { return f.name == name }) {
			t.Errorf("%s.%s: model member has no rendered Go field", shape, name)
		}
	}
}

// TestFirehoseModelMembers checks that the Go field names the renderer
// uses are the model's member names, and that every member the SDK's model
// marks @sensitive is in the redaction table.
func TestFirehoseModelMembers(t *testing.T) {
	m := firehoseModel()
	table := make(map[[2]string]Redaction)
	for _, s := range FirehoseSensitiveMembers() {
		table[[2]string{s.Shape, s.Member}] = s.Redaction
	}
	used := make(map[[2]string]bool)
	seen := make(map[string]bool)
	modelSensitive := 0
	for action, s := range inputSchemas() {
		op := m.byName[action]
		if op == nil {
			t.Fatalf("no plan for %s", action)
		}
		walkModel(t, op.in, s, s.ID().Name, seen, func(shape string, f *fhField, ms *smithy.Schema) {
			key := [2]string{shape, f.name}
			_, sensitive := smithy.SchemaTrait[*smithytraits.Sensitive](ms)
			if sensitive {
				modelSensitive++
			}
			if sensitive && table[key] == RedactNone {
				t.Errorf("%s.%s is @sensitive in the model but not in FirehoseSensitiveMembers", shape, f.name)
			}
			if table[key] != RedactNone {
				used[key] = true
				if f.redact != table[key] {
					t.Errorf("%s.%s: plan redaction %v, table %v", shape, f.name, f.redact, table[key])
				}
			}
			for _, s := range FirehoseSensitiveMembers() {
				if s.Shape == shape && s.Member == f.name && s.ModelSensitive != sensitive {
					t.Errorf("%s.%s: ModelSensitive = %v, model says %v", shape, f.name, s.ModelSensitive, sensitive)
				}
			}
		})
	}
	for key := range table {
		if !used[key] {
			t.Errorf("FirehoseSensitiveMembers has %s.%s, which no request contains", key[0], key[1])
		}
	}
	want := 0
	for _, s := range FirehoseSensitiveMembers() {
		if s.ModelSensitive {
			want++
		}
	}
	if modelSensitive != want {
		t.Errorf("the model marks %d request members sensitive, the table %d", modelSensitive, want)
	}
	if len(seen) < 80 {
		t.Errorf("walked %d shapes, want the whole request model (≥ 80)", len(seen))
	}
}

func TestFirehoseMemberOrder(t *testing.T) {
	for _, p := range firehoseModel().plans {
		order := firehoseMemberOrder(p.typ.Name())
		if order == nil {
			continue // output shapes that are never rendered
		}
		var got []string
		for _, f := range p.fields {
			got = append(got, f.name)
		}
		want := slices.DeleteFunc(slices.Clone(order), func(n string) bool { return !slices.Contains(got, n) })
		if !slices.Equal(got, want) {
			t.Errorf("%s members %q, want model order %q", p.typ.Name(), got, want)
		}
	}
	// The Go structs put required members first; the model does not.
	got := firehoseMemberOrder("S3DestinationConfiguration")
	want := []string{"RoleARN", "BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints", "CompressionFormat", "EncryptionConfiguration", "CloudWatchLoggingOptions"}
	if !slices.Equal(got, want) {
		t.Errorf("firehoseMemberOrder(S3DestinationConfiguration) = %q, want %q", got, want)
	}
}

func TestFirehoseActionLists(t *testing.T) {
	m := firehoseModel()
	var names []string
	for _, op := range m.ops {
		names = append(names, op.name)
	}
	if !slices.Equal(names, FirehoseActions) {
		t.Errorf("operations %q, FirehoseActions %q", names, FirehoseActions)
	}
	if len(FirehoseActions) != 12 || len(FirehoseManagementActions) != 10 {
		t.Errorf("%d actions, %d management actions; want 12 and 10", len(FirehoseActions), len(FirehoseManagementActions))
	}
	for _, a := range FirehoseManagementActions {
		if !slices.Contains(FirehoseActions, a) || a == "PutRecord" || a == "PutRecordBatch" {
			t.Errorf("management action %q", a)
		}
	}
	for _, a := range FirehoseActions {
		in := reflect.New(m.byName[a].input).Interface()
		if got, err := FirehoseEventName(in); got != a || err != nil {
			t.Errorf("FirehoseEventName(%T) = %q, %v; want %q", in, got, err, a)
		}
	}
}

func TestLowerFirst(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"KMSEncryptionConfig", "kMSEncryptionConfig"},
		{"AWSKMSKeyARN", "aWSKMSKeyARN"},
		{"ClusterJDBCURL", "clusterJDBCURL"},
		{"RoleARN", "roleARN"},
		{"SizeInMBs", "sizeInMBs"},
		{"HECEndpoint", "hECEndpoint"},
		{"AmazonopensearchserviceDestinationConfiguration", "amazonopensearchserviceDestinationConfiguration"},
		{"MSKClusterARN", "mSKClusterARN"},
		{"already", "already"},
		{"", ""},
	} {
		if got := lowerFirst(tc.in); got != tc.want {
			t.Errorf("lowerFirst(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
