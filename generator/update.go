package generator

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// UpdateDestination looks like its caller. A stream keeps its current
// destination configuration (stream.conf, the create's with every
// successful update applied). An update changes a copy of it; the console
// and infrastructure-as-code tools (Terraform, CloudFormation) send the
// whole resulting destination, as AWS's own example does, while the CLI
// and SDK programs send only the members that change. The copy becomes
// the stream's configuration when the call succeeds.

// destinationConf returns the destination configuration member of in
// (a *types.…DestinationConfiguration).
func destinationConf(in *firehose.CreateDeliveryStreamInput) any {
	v := reflect.ValueOf(in).Elem()
	for i := range v.NumField() {
		if strings.HasSuffix(v.Type().Field(i).Name, "DestinationConfiguration") && !v.Field(i).IsNil() {
			return v.Field(i).Interface()
		}
	}
	return nil
}

// update returns pe's UpdateDestination request and the destination
// configuration of the stream once it succeeds.
func (w *sim) update(pe *pending) ([]byte, any) {
	s := pe.st
	in := &firehose.UpdateDestinationInput{
		DeliveryStreamName:             aws.String(s.name),
		CurrentDeliveryStreamVersionId: aws.String(strconv.Itoa(pe.version)),
		DestinationId:                  aws.String("destinationId-000000000001"),
	}
	whole := kinds[pe.p.kind].wholeUpdate
	var next any
	var u reflect.Value
	for range 10 { // a change may draw the values it replaces: draw again
		next = shallowCopy(s.conf)
		if pe.foreign != "" {
			w.redirect(next, pe.foreign)
		} else {
			w.change(next, s)
		}
		if whole {
			u = toUpdate(next)
		} else {
			u = toUpdate(diffMembers(reflect.ValueOf(s.conf), reflect.ValueOf(next)).Interface())
		}
		if !u.Elem().IsZero() {
			break
		}
	}
	field := strings.TrimSuffix(reflect.TypeOf(next).Elem().Name(), "Configuration") + "Update"
	reflect.ValueOf(in).Elem().FieldByName(field).Set(u)
	w.secrets(s)
	return w.render(in, s), next
}

// redirect points an S3-like destination at a bucket of account foreign.
func (w *sim) redirect(conf any, foreign string) {
	bucket := aws.String("arn:aws:s3:::" + slug(w.fake.Word()) + "-" + foreign + "-sink")
	switch c := conf.(type) {
	case *types.S3DestinationConfiguration:
		c.BucketARN = bucket
	case *types.ExtendedS3DestinationConfiguration:
		c.BucketARN, c.Prefix = bucket, aws.String("")
	}
}

// change makes the change an update of conf (s's destination) brings:
// one aspect of the destination (its buffering, compression, logging,
// retries, credentials, endpoint …), so that successive updates of a
// stream change different things. conf is a shallow copy of the stream's
// configuration: a change replaces members and never writes through a
// pointer it did not make.
func (w *sim) change(conf any, s *stream) {
	r, f := w.r, w.fake
	retry := func() *int32 { return aws.Int32(int32(60 * (1 + r.Intn(10)))) }
	logs := func(c *types.CloudWatchLoggingOptions) *types.CloudWatchLoggingOptions {
		if c != nil && aws.ToBool(c.Enabled) {
			return &types.CloudWatchLoggingOptions{Enabled: aws.Bool(false)}
		}
		return &types.CloudWatchLoggingOptions{Enabled: aws.Bool(true),
			LogGroupName: aws.String("/aws/kinesisfirehose/" + s.name), LogStreamName: aws.String("DestinationDelivery")}
	}
	compression := func() types.CompressionFormat {
		return [...]types.CompressionFormat{types.CompressionFormatGzip, types.CompressionFormatSnappy, types.CompressionFormatUncompressed}[r.Intn(3)]
	}
	interval := func() *int32 { return aws.Int32(int32(60 * (1 + r.Intn(5)))) }
	aspect := r.Intn(3)
	switch c := conf.(type) {
	case *types.S3DestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints()
		case 1:
			c.CompressionFormat = compression()
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.ExtendedS3DestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints()
			if c.DynamicPartitioningConfiguration != nil {
				c.BufferingHints.SizeInMBs = aws.Int32(64 << r.Intn(2)) // at least 64 with dynamic partitioning
			}
		case 1:
			c.CompressionFormat = compression()
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.RedshiftDestinationConfiguration:
		switch aspect + r.Intn(2) {
		case 0:
			pw := f.Password(true, true, true, true, false, 20)
			s.secrets = append(s.secrets, pw)
			c.Username, c.Password = aws.String("firehose_"+slug(f.FirstName())), aws.String(pw)
		case 1:
			c.CopyCommand = &types.CopyCommand{DataTableName: c.CopyCommand.DataTableName,
				CopyOptions: aws.String([...]string{"json 'auto' gzip timeformat 'auto'", "json 'auto' gzip", "json 'auto' gzip truncatecolumns"}[r.Intn(3)])}
		case 2:
			s3 := *c.S3Configuration
			s3.BufferingHints = w.bufferingHints()
			c.S3Configuration = &s3
		default:
			c.RetryOptions = &types.RedshiftRetryOptions{DurationInSeconds: retry()}
		}
	case *types.ElasticsearchDestinationConfiguration:
		switch aspect {
		case 0:
			c.IndexRotationPeriod = [...]types.ElasticsearchIndexRotationPeriod{types.ElasticsearchIndexRotationPeriodOneDay, types.ElasticsearchIndexRotationPeriodOneWeek, types.ElasticsearchIndexRotationPeriodOneMonth}[r.Intn(3)]
		case 1:
			c.RetryOptions = &types.ElasticsearchRetryOptions{DurationInSeconds: retry()}
		default:
			c.BufferingHints = &types.ElasticsearchBufferingHints{SizeInMBs: aws.Int32(5), IntervalInSeconds: interval()}
		}
	case *types.AmazonopensearchserviceDestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = &types.AmazonopensearchserviceBufferingHints{SizeInMBs: aws.Int32(5), IntervalInSeconds: interval()}
		case 1:
			c.RetryOptions = &types.AmazonopensearchserviceRetryOptions{DurationInSeconds: retry()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.AmazonOpenSearchServerlessDestinationConfiguration:
		switch aspect {
		case 0:
			c.RetryOptions = &types.AmazonOpenSearchServerlessRetryOptions{DurationInSeconds: retry()}
		case 1:
			c.BufferingHints = &types.AmazonOpenSearchServerlessBufferingHints{SizeInMBs: aws.Int32(5), IntervalInSeconds: interval()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.SplunkDestinationConfiguration:
		switch aspect {
		case 0:
			token := strings.ToUpper(w.ids.uuid())
			s.secrets = append(s.secrets, token)
			c.HECToken = aws.String(token)
		case 1:
			c.RetryOptions = &types.SplunkRetryOptions{DurationInSeconds: retry()}
		default:
			c.HECAcknowledgmentTimeoutInSeconds = aws.Int32(int32(180 + 60*r.Intn(10)))
		}
	case *types.HttpEndpointDestinationConfiguration:
		switch aspect {
		case 0:
			key := hexString(r, 40)
			s.secrets = append(s.secrets, key)
			c.EndpointConfiguration = &types.HttpEndpointConfiguration{Name: c.EndpointConfiguration.Name,
				Url: aws.String("https://ingest." + strings.ToLower(f.DomainName()) + "/v2/firehose"), AccessKey: aws.String(key)}
		case 1:
			c.RetryOptions = &types.HttpEndpointRetryOptions{DurationInSeconds: retry()}
		default:
			c.BufferingHints = &types.HttpEndpointBufferingHints{SizeInMBs: aws.Int32(int32(1 + r.Intn(4))), IntervalInSeconds: interval()}
		}
	case *types.SnowflakeDestinationConfiguration:
		switch aspect {
		case 0:
			c.RetryOptions = &types.SnowflakeRetryOptions{DurationInSeconds: retry()}
		case 1:
			c.BufferingHints = &types.SnowflakeBufferingHints{SizeInMBs: aws.Int32(int32(1 + r.Intn(64))), IntervalInSeconds: interval()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.IcebergDestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints()
		case 1:
			c.RetryOptions = &types.RetryOptions{DurationInSeconds: retry()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	}
}

// updateAliases names the configuration member an update member is made
// from where the names differ.
var updateAliases = map[string]string{"S3Update": "S3Configuration", "S3BackupUpdate": "S3BackupConfiguration"}

// toUpdate returns the …DestinationUpdate that sets every member of conf
// (a *types.…DestinationConfiguration) that the update type has.
func toUpdate(conf any) reflect.Value {
	src := reflect.ValueOf(conf).Elem()
	dst := reflect.New(updateType(src.Type()))
	convert(dst.Elem(), src)
	return dst
}

// updateType returns the update type of the configuration type conf.
func updateType(conf reflect.Type) reflect.Type {
	if t, ok := updateTypes.Load(conf); ok {
		return t.(reflect.Type)
	}
	f, ok := reflect.TypeFor[firehose.UpdateDestinationInput]().FieldByName(strings.TrimSuffix(conf.Name(), "Configuration") + "Update")
	if !ok {
		panic("generator: no update member for " + conf.Name())
	}
	updateTypes.Store(conf, f.Type.Elem())
	return f.Type.Elem()
}

var updateTypes sync.Map // configuration type → update type

// convertStep sets member dst of an update from member src of a
// configuration; nested is set when the types differ (structs converted
// member by member).
type convertStep struct {
	dst, src int
	nested   bool
}

var convertPlans sync.Map // [2]reflect.Type{dst, src} → []convertStep

// plan returns how convert fills a dst struct from a src struct: the
// members of the same name (or alias) and a type it can convert.
func plan(dst, src reflect.Type) []convertStep {
	key := [2]reflect.Type{dst, src}
	if p, ok := convertPlans.Load(key); ok {
		return p.([]convertStep)
	}
	var steps []convertStep
	for i := range dst.NumField() {
		f := dst.Field(i)
		if !f.IsExported() {
			continue
		}
		sf, ok := src.FieldByName(f.Name)
		if alias, has := updateAliases[f.Name]; has && !ok {
			sf, ok = src.FieldByName(alias)
		}
		switch {
		case !ok || len(sf.Index) != 1:
		case sf.Type == f.Type:
			steps = append(steps, convertStep{dst: i, src: sf.Index[0]})
		case sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct &&
			f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			steps = append(steps, convertStep{dst: i, src: sf.Index[0], nested: true})
		}
	}
	convertPlans.Store(key, steps)
	return steps
}

// convert sets the members of the struct dst from the members of src of
// the same name (or alias), converting nested structs of other types.
func convert(dst, src reflect.Value) {
	for _, st := range plan(dst.Type(), src.Type()) {
		sf := src.Field(st.src)
		if sf.IsZero() {
			continue
		}
		if !st.nested {
			dst.Field(st.dst).Set(sf)
			continue
		}
		n := reflect.New(dst.Field(st.dst).Type().Elem())
		convert(n.Elem(), sf.Elem())
		dst.Field(st.dst).Set(n)
	}
}

// diffMembers returns a struct (of next's type) holding the members of
// next that differ from old: what a partial update sends. A nested struct
// of plain values (buffering hints, a copy command) is kept whole when any
// of it changes, as the CLI takes it.
func diffMembers(old, next reflect.Value) reflect.Value {
	out := reflect.New(next.Type().Elem())
	o, n := old.Elem(), next.Elem()
	for i := range n.NumField() {
		if !n.Type().Field(i).IsExported() {
			continue
		}
		nf, of := n.Field(i), o.Field(i)
		if nf.IsZero() || reflect.DeepEqual(nf.Interface(), of.Interface()) {
			continue
		}
		if nf.Kind() == reflect.Pointer && nf.Elem().Kind() == reflect.Struct && !of.IsNil() && !plain(nf.Elem().Type()) {
			out.Elem().Field(i).Set(diffMembers(of, nf))
		} else {
			out.Elem().Field(i).Set(nf)
		}
	}
	return out
}

// plain reports whether the struct type t holds no structs or lists.
func plain(t reflect.Type) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		k := f.Type.Kind()
		if k == reflect.Pointer {
			k = f.Type.Elem().Kind()
		}
		if k == reflect.Struct || k == reflect.Slice {
			return false
		}
	}
	return true
}

// shallowCopy returns a copy of the struct *v (pointers shared).
func shallowCopy(v any) any {
	p := reflect.ValueOf(v)
	n := reflect.New(p.Type().Elem())
	n.Elem().Set(p.Elem())
	return n.Interface()
}
