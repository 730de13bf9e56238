package firehose

import (
	"log/slog"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

// Secrets at rest: a stream keeps its destination with every sensitive
// member (schemas.FirehoseSensitiveMembers, the one table of them)
// redacted, as CloudTrail shows it: Redshift's Username as "", the others
// as schemas.DefaultRedactionPlaceholder (Splunk's HECToken too, whatever
// the renderer shows). So neither the state file nor DescribeDeliveryStream
// nor a log line holds a secret. AWS's Describe does return some of them
// (Redshift's Username, Snowflake's AccountUrl and User…); firetrail
// delivers only to S3 and never needs them.
//
// Secrets the descriptions have no member for (Redshift's Password, the
// HTTP endpoint's AccessKey, Snowflake's PrivateKey and KeyPassphrase) are
// dropped when a configuration becomes a description.

// descriptionSecrets maps a Go type of the SDK's types package to its
// sensitive fields and their redaction. A description type T shares the
// sensitive members of the configuration type named as T with
// "Description" replaced by "Configuration" (RedshiftDestinationDescription
// ↔ RedshiftDestinationConfiguration, HttpEndpointDescription ↔
// HttpEndpointConfiguration); a type used in both (HttpEndpointCommonAttribute,
// SnowflakeRoleConfiguration) has its own.
var descriptionSecrets = func() map[string]map[string]schemas.Redaction {
	m := map[string]map[string]schemas.Redaction{}
	for _, sm := range schemas.FirehoseSensitiveMembers() {
		names := []string{sm.Shape}
		if base, ok := strings.CutSuffix(sm.Shape, "Configuration"); ok {
			names = append(names, base+"Description")
		}
		for _, n := range names {
			if m[n] == nil {
				m[n] = map[string]schemas.Redaction{}
			}
			m[n][sm.Member] = sm.Redaction
		}
	}
	return m
}()

// redactedValue is what a sensitive member of a stored destination holds.
func redactedValue(r schemas.Redaction) string {
	if r == schemas.RedactEmpty {
		return ""
	}
	return schemas.DefaultRedactionPlaceholder
}

// redactDestination returns d with every sensitive member redacted and
// the number of members it changed. d is not modified.
func redactDestination(d types.DestinationDescription) (types.DestinationDescription, int) {
	v := reflect.ValueOf(&d).Elem()
	n := redactValue(v)
	return d, n
}

// redactValue redacts the sensitive members under v, which is settable;
// shared pointers and slices are copied before they are changed.
func redactValue(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return 0
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		n := redactValue(c.Elem())
		if n > 0 {
			v.Set(c)
		}
		return n
	case reflect.Slice:
		if v.Len() == 0 || v.Type().Elem().Kind() == reflect.String {
			return 0
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		n := 0
		for i := range c.Len() {
			n += redactValue(c.Index(i))
		}
		if n > 0 {
			v.Set(c)
		}
		return n
	case reflect.Struct:
		n := 0
		secrets := descriptionSecrets[v.Type().Name()]
		for i := range v.NumField() {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() {
				continue
			}
			r, ok := secrets[v.Type().Field(i).Name]
			if !ok {
				n += redactValue(f)
				continue
			}
			if f.Type() != reflect.TypeFor[*string]() || f.IsNil() {
				continue
			}
			want := redactedValue(r)
			if *f.Interface().(*string) != want {
				f.Set(reflect.ValueOf(&want))
				n++
			}
		}
		return n
	}
	return 0
}

// LogValue shows a stream by its identity and status: never its
// destination, whatever it holds.
func (ds *deliveryStream) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", ds.key.name),
		slog.String("account", ds.key.account),
		slog.String("region", ds.key.region),
		slog.String("arn", ds.arn),
		slog.String("status", string(ds.status)),
		slog.Int64("version", ds.version),
	)
}

// LogValue shows a saved stream by its identity: never its destination.
func (st savedStream) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", st.Name),
		slog.String("account", st.Account),
		slog.String("region", st.Region),
		slog.String("arn", st.ARN),
	)
}

var (
	_ slog.LogValuer = (*deliveryStream)(nil)
	_ slog.LogValuer = savedStream{}
)
