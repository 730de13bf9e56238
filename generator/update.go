package generator

import (
	"reflect"
	"strconv"
	"strings"

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
		next = deepCopy(reflect.ValueOf(s.conf)).Interface()
		if pe.foreign != "" {
			w.redirect(next, pe.foreign)
		} else {
			w.change(next, s)
		}
		u = toUpdate(next)
		if !whole {
			u = diffUpdate(toUpdate(s.conf), u)
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
// stream change different things.
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
			c.S3Configuration.BufferingHints = w.bufferingHints()
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
	t, ok := reflect.TypeFor[firehose.UpdateDestinationInput]().FieldByName(strings.TrimSuffix(src.Type().Name(), "Configuration") + "Update")
	if !ok {
		panic("generator: no update member for " + src.Type().Name())
	}
	dst := reflect.New(t.Type.Elem())
	convert(dst.Elem(), src)
	return dst
}

// convert sets the members of the struct dst from the members of src of
// the same name (or alias), converting nested structs of other types.
func convert(dst, src reflect.Value) {
	for i := range dst.NumField() {
		f := dst.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		sf := src.FieldByName(f.Name)
		if alias, ok := updateAliases[f.Name]; ok && !sf.IsValid() {
			sf = src.FieldByName(alias)
		}
		switch {
		case !sf.IsValid() || sf.IsZero():
		case sf.Type() == f.Type:
			dst.Field(i).Set(sf)
		case sf.Kind() == reflect.Pointer && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			n := reflect.New(f.Type.Elem())
			convert(n.Elem(), sf.Elem())
			dst.Field(i).Set(n)
		}
	}
}

// diffUpdate returns an update (of next's type) holding the members of
// next that differ from old; a nested struct of plain values (buffering
// hints, a copy command) is sent whole when any of it changes, as the CLI
// takes it.
func diffUpdate(old, next reflect.Value) reflect.Value {
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
			out.Elem().Field(i).Set(diffUpdate(of, nf))
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

// deepCopy copies v and everything it points to.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type().Elem())
		n.Elem().Set(deepCopy(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			n.Index(i).Set(deepCopy(v.Index(i)))
		}
		return n
	}
	return v
}
