package generator

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unsafe"

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
	for _, i := range destinationMembers() {
		if f := v.Field(i); !f.IsNil() {
			return f.Interface()
		}
	}
	return nil
}

// destinationMembers is the indexes of the …DestinationConfiguration
// members of CreateDeliveryStreamInput.
var destinationMembers = sync.OnceValue(func() []int {
	t := reflect.TypeFor[firehose.CreateDeliveryStreamInput]()
	var ms []int
	for i := range t.NumField() {
		if strings.HasSuffix(t.Field(i).Name, "DestinationConfiguration") {
			ms = append(ms, i)
		}
	}
	return ms
})

// destinationID is the destinationId of every update: a stream has one
// destination.
var destinationID = "destinationId-000000000001"

// update returns pe's UpdateDestination request and the destination
// configuration of the stream once it succeeds.
func (w *sim) update(pe *pending) ([]byte, any) {
	s := pe.st
	in := &firehose.UpdateDestinationInput{
		DeliveryStreamName:             &s.name,
		CurrentDeliveryStreamVersionId: aws.String(strconv.Itoa(pe.version)),
		DestinationId:                  &destinationID,
	}
	var since any // the members an update sends: all, or those that differ from since
	if !kinds[pe.p.kind].wholeUpdate {
		since = s.conf
	}
	var next any
	var u reflect.Value
	plan := updatePlanOf(reflect.TypeOf(s.conf).Elem()) // next is of s.conf's type
	// A change may draw the values it replaces: draw again.
	for range 10 {
		next = shallowCopy(s.conf)
		if inc := w.incident(pe); inc != nil && inc.foreign != "" {
			w.redirect(next, inc.foreign)
		} else {
			w.change(next, s)
		}
		var ok bool
		if u, ok = plan.toUpdate(next, since); ok {
			break
		}
	}
	reflect.ValueOf(in).Elem().Field(plan.member).Set(u)
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
	retry := func() *int32 { return s.i32(int32(60 * (1 + r.Intn(10)))) }
	logs := func(c *types.CloudWatchLoggingOptions) *types.CloudWatchLoggingOptions {
		if c != nil && aws.ToBool(c.Enabled) {
			return &types.CloudWatchLoggingOptions{Enabled: aws.Bool(false)}
		}
		return &types.CloudWatchLoggingOptions{Enabled: aws.Bool(true),
			LogGroupName: s.str("/aws/kinesisfirehose/" + s.name), LogStreamName: s.str("DestinationDelivery")}
	}
	compression := func() types.CompressionFormat {
		return [...]types.CompressionFormat{types.CompressionFormatGzip, types.CompressionFormatSnappy, types.CompressionFormatUncompressed}[r.Intn(3)]
	}
	interval := func() *int32 { return s.i32(int32(60 * (1 + r.Intn(5)))) }
	aspect := r.Intn(3)
	switch c := conf.(type) {
	case *types.S3DestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints(s)
		case 1:
			c.CompressionFormat = compression()
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.ExtendedS3DestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints(s)
			if c.DynamicPartitioningConfiguration != nil {
				c.BufferingHints.SizeInMBs = s.i32(64 << r.Intn(2)) // at least 64 with dynamic partitioning
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
			c.Username, c.Password = s.str("firehose_"+slug(f.FirstName())), s.str(pw)
		case 1:
			c.CopyCommand = &types.CopyCommand{DataTableName: c.CopyCommand.DataTableName,
				CopyOptions: s.str([...]string{"json 'auto' gzip timeformat 'auto'", "json 'auto' gzip", "json 'auto' gzip truncatecolumns"}[r.Intn(3)])}
		case 2:
			s3 := *c.S3Configuration
			s3.BufferingHints = w.bufferingHints(s)
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
			c.BufferingHints = &types.ElasticsearchBufferingHints{SizeInMBs: s.i32(5), IntervalInSeconds: interval()}
		}
	case *types.AmazonopensearchserviceDestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = &types.AmazonopensearchserviceBufferingHints{SizeInMBs: s.i32(5), IntervalInSeconds: interval()}
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
			c.BufferingHints = &types.AmazonOpenSearchServerlessBufferingHints{SizeInMBs: s.i32(5), IntervalInSeconds: interval()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.SplunkDestinationConfiguration:
		switch aspect {
		case 0:
			token := strings.ToUpper(w.ids.uuid())
			s.secrets = append(s.secrets, token)
			c.HECToken = s.str(token)
		case 1:
			c.RetryOptions = &types.SplunkRetryOptions{DurationInSeconds: retry()}
		default:
			c.HECAcknowledgmentTimeoutInSeconds = s.i32(int32(180 + 60*r.Intn(10)))
		}
	case *types.HttpEndpointDestinationConfiguration:
		switch aspect {
		case 0:
			key := hexString(r, 40)
			s.secrets = append(s.secrets, key)
			c.EndpointConfiguration = &types.HttpEndpointConfiguration{Name: c.EndpointConfiguration.Name,
				Url: s.str("https://ingest." + strings.ToLower(f.DomainName()) + "/v2/firehose"), AccessKey: s.str(key)}
		case 1:
			c.RetryOptions = &types.HttpEndpointRetryOptions{DurationInSeconds: retry()}
		default:
			c.BufferingHints = &types.HttpEndpointBufferingHints{SizeInMBs: s.i32(int32(1 + r.Intn(4))), IntervalInSeconds: interval()}
		}
	case *types.SnowflakeDestinationConfiguration:
		switch aspect {
		case 0:
			c.RetryOptions = &types.SnowflakeRetryOptions{DurationInSeconds: retry()}
		case 1:
			c.BufferingHints = &types.SnowflakeBufferingHints{SizeInMBs: s.i32(int32(1 + r.Intn(64))), IntervalInSeconds: interval()}
		default:
			c.CloudWatchLoggingOptions = logs(c.CloudWatchLoggingOptions)
		}
	case *types.IcebergDestinationConfiguration:
		switch aspect {
		case 0:
			c.BufferingHints = w.bufferingHints(s)
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

// toUpdate returns the …DestinationUpdate made from conf (a
// *types.…DestinationConfiguration): every member of conf that the update
// type has or, when since is not nil, only those that differ from since
// (the configuration conf was made from), which is what a partial update
// sends. A nested struct of plain values (buffering hints, a copy command)
// is kept whole when any of it changes, as the CLI takes it; other nested
// structs hold their changed members only. It reports whether the update
// sets any member.
func toUpdate(conf, since any) (reflect.Value, bool) {
	return updatePlanOf(reflect.TypeOf(conf).Elem()).toUpdate(conf, since)
}

// toUpdate is the package's toUpdate with conf's plan p.
func (p *updatePlan) toUpdate(conf, since any) (reflect.Value, bool) {
	src := reflect.ValueOf(conf)
	u := reflect.New(p.update)
	var old unsafe.Pointer
	if since != nil {
		old = reflect.ValueOf(since).UnsafePointer()
	}
	return u, p.fill.fill(u.UnsafePointer(), src.UnsafePointer(), old)
}

// updatePlan is how a configuration type becomes its update.
type updatePlan struct {
	member int          // the update's index in UpdateDestinationInput
	update reflect.Type // types.…DestinationUpdate
	fill   *fillPlan
}

var updatePlans sync.Map // configuration type → *updatePlan

// updatePlanOf returns the update plan of the configuration type conf.
func updatePlanOf(conf reflect.Type) *updatePlan {
	if p, ok := updatePlans.Load(conf); ok {
		return p.(*updatePlan)
	}
	f, ok := reflect.TypeFor[firehose.UpdateDestinationInput]().FieldByName(strings.TrimSuffix(conf.Name(), "Configuration") + "Update")
	if !ok || len(f.Index) != 1 {
		panic("generator: no update member for " + conf.Name())
	}
	p := &updatePlan{member: f.Index[0], update: f.Type.Elem(), fill: planFill(f.Type.Elem(), conf)}
	updatePlans.Store(conf, p)
	return p
}

// fillStep sets member dst of a struct from member src of another. Members
// are reached at their offsets: reflect.Value.Field, IsZero and Set on every
// member of every update cost more than the rest of the update.
type fillStep struct {
	dst, src uintptr // offsets of the members in their structs
	how      fillKind
	typ      reflect.Type // the source member's type
	// conv: the member types differ (pointers to structs), and the
	// member is converted member by member (sub).
	conv bool
	// deep: the source member points to a struct holding structs or
	// lists; a partial update holds its changed members only (sub).
	deep bool
	elem reflect.Type // the destination member's struct type (conv or deep)
	sub  *fillPlan    // elem from the source member's struct (conv or deep)
}

// fillKind is how a member is tested, compared and copied: the kinds the
// SDK's members have in place, anything else through reflect.
type fillKind uint8

const (
	fillOther fillKind = iota
	fillPointer
	fillString // strings and the SDK's string enums
	fillSlice
)

func kindOfFill(t reflect.Type) fillKind {
	switch t.Kind() {
	case reflect.Pointer:
		return fillPointer
	case reflect.String:
		return fillString
	case reflect.Slice:
		return fillSlice
	}
	return fillOther
}

// fillPlan is how fill sets the members of one struct type from another.
type fillPlan struct{ steps []fillStep }

var fillPlans sync.Map // [2]reflect.Type{dst, src} → *fillPlan

// planFill returns how fill sets a dst struct from a src struct: the
// members of the same name (or alias) and a type it can convert.
func planFill(dst, src reflect.Type) *fillPlan {
	key := [2]reflect.Type{dst, src}
	if p, ok := fillPlans.Load(key); ok {
		return p.(*fillPlan)
	}
	p := &fillPlan{}
	for i := range dst.NumField() {
		f := dst.Field(i)
		if !f.IsExported() {
			continue
		}
		sf, ok := src.FieldByName(f.Name)
		if alias, has := updateAliases[f.Name]; has && !ok {
			sf, ok = src.FieldByName(alias)
		}
		if !ok || len(sf.Index) != 1 {
			continue
		}
		st := fillStep{dst: f.Offset, src: sf.Offset, how: kindOfFill(sf.Type), typ: sf.Type}
		structPtr := func(t reflect.Type) bool { return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct }
		switch {
		case sf.Type == f.Type:
		case structPtr(sf.Type) && structPtr(f.Type):
			st.conv = true
		default:
			continue
		}
		st.deep = structPtr(sf.Type) && !plain(sf.Type.Elem())
		if st.conv || st.deep {
			st.elem = f.Type.Elem()
			st.sub = planFill(st.elem, sf.Type.Elem())
		}
		p.steps = append(p.steps, st)
	}
	fillPlans.Store(key, p)
	return p
}

// fill sets the members of the struct at dst from the non-zero members of
// the struct at src; when since is not nil (a struct of src's type), only
// from those that differ from since's, recursing into deep members. It
// reports whether it set any member.
func (p *fillPlan) fill(dst, src, since unsafe.Pointer) bool {
	set := false
	for i := range p.steps {
		st := &p.steps[i]
		sf := unsafe.Add(src, st.src)
		if st.zero(sf) {
			continue
		}
		var of unsafe.Pointer
		if since != nil {
			if of = unsafe.Add(since, st.src); st.equal(sf, of) {
				continue
			}
		}
		df := unsafe.Add(dst, st.dst)
		switch {
		case st.deep && of != nil && *(*unsafe.Pointer)(of) != nil:
			n := reflect.New(st.elem).UnsafePointer()
			st.sub.fill(n, *(*unsafe.Pointer)(sf), *(*unsafe.Pointer)(of))
			*(*unsafe.Pointer)(df) = n
		case st.conv:
			n := reflect.New(st.elem).UnsafePointer()
			st.sub.fill(n, *(*unsafe.Pointer)(sf), nil)
			*(*unsafe.Pointer)(df) = n
		default:
			st.copy(df, sf)
		}
		set = true
	}
	return set
}

// value is the member of st's type at m.
func (st *fillStep) value(m unsafe.Pointer) reflect.Value { return reflect.NewAt(st.typ, m).Elem() }

// zero reports whether the member at m is its type's zero value (a slice:
// nil).
func (st *fillStep) zero(m unsafe.Pointer) bool {
	switch st.how {
	case fillPointer:
		return *(*unsafe.Pointer)(m) == nil
	case fillString:
		return len(*(*string)(m)) == 0
	case fillSlice:
		return *(*[]byte)(m) == nil
	}
	return st.value(m).IsZero()
}

// equal reports whether the members at a and b are deeply equal, without
// reflect.DeepEqual when the answer is plain: a change replaces members,
// so most members it leaves are the same pointer or string.
func (st *fillStep) equal(a, b unsafe.Pointer) bool {
	switch st.how {
	case fillString:
		return *(*string)(a) == *(*string)(b)
	case fillPointer:
		if *(*unsafe.Pointer)(a) == *(*unsafe.Pointer)(b) {
			return true
		}
	case fillSlice:
		if x, y := *(*[]byte)(a), *(*[]byte)(b); unsafe.SliceData(x) == unsafe.SliceData(y) && len(x) == len(y) {
			return true
		}
	}
	return reflect.DeepEqual(st.value(a).Interface(), st.value(b).Interface())
}

// copy sets the member at dst to the member at src. A slice's header is
// copied as a []byte's: only its data pointer is a pointer.
func (st *fillStep) copy(dst, src unsafe.Pointer) {
	switch st.how {
	case fillPointer:
		*(*unsafe.Pointer)(dst) = *(*unsafe.Pointer)(src)
	case fillString:
		*(*string)(dst) = *(*string)(src)
	case fillSlice:
		*(*[]byte)(dst) = *(*[]byte)(src)
	default:
		st.value(dst).Set(st.value(src))
	}
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
