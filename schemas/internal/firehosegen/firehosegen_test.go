package firehosegen

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

func TestParseOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schemas.go")
	src := `package schemas
func init() {
	S3DestinationConfiguration_RoleARN = S3DestinationConfiguration.AddMember("RoleARN", _RoleARN)

	S3DestinationConfiguration_BucketARN = S3DestinationConfiguration.AddMember("BucketARN", _BucketARN)
	CompressionFormat_GZIP = CompressionFormat.AddMember("GZIP", smithyprelude.Unit)
	Tag_Key = Tag.AddMember("Key", _TagKey)
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := parseOrder(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"S3DestinationConfiguration": {"RoleARN", "BucketARN"},
		"CompressionFormat":          {"GZIP"},
		"Tag":                        {"Key"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseOrder = %q, want %q", got, want)
	}
	if err := os.WriteFile(path, []byte("package schemas\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseOrder(path); err == nil {
		t.Error("parseOrder of a file without AddMember calls gave no error")
	}
	if _, err := parseOrder(filepath.Join(t.TempDir(), "missing.go")); err == nil {
		t.Error("parseOrder of a missing file gave no error")
	}
}

func TestParseRequired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "types.go")
	src := `package types
type Tag struct {
	// The key.
	//
	// This member is required.
	Key *string

	// The value.
	Value *string
}
type Enum string
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := parseRequired([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if !got["Tag"]["Key"] || got["Tag"]["Value"] || len(got) != 1 {
		t.Errorf("parseRequired = %v", got)
	}
	if err := os.WriteFile(path, []byte("package"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseRequired([]string{path}); err == nil {
		t.Error("parseRequired of bad Go gave no error")
	}
}

func TestObjKeepsOrder(t *testing.T) {
	o := (&obj{}).set("z", 1).set("a", []string{"<&>"}).set("z", 2)
	b, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z":2,"a":["<&>"]}`; string(b) != want {
		t.Errorf("MarshalJSON = %s, want %s", b, want)
	}
	if !slices.Equal(o.keys, []string{"z", "a"}) {
		t.Errorf("keys = %q", o.keys)
	}
}
