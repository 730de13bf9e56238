package firehose

import (
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/firetrail/firetrail/schemas"
)

// state is the Firehose control plane: delivery streams per
// account and region. It knows nothing of HTTP. With a path (WithDataDir)
// the streams are saved there (save.go): after every change, or, with
// journaled changes, as a checkpoint of the changes journaled with the
// calls that made them. Every method takes the time of
// the call: streams change status (CREATING to ACTIVE, DELETING to gone)
// when it passes their deadline.
type state struct {
	mu      sync.Mutex
	streams map[streamKey]*deliveryStream
	delay   time.Duration // CREATING and DELETING last this long
	next    time.Time     // the earliest deadline of a stream; zero if none
	path    string        // where the state is saved; "" in memory only
	log     *slog.Logger  // save failures
	gen     uint64        // changes made (changed); unsaved while above savedGen
	// savedGen is the changes the saved file holds; saveMu is held by the
	// one saving (before mu).
	savedGen uint64
	saveMu   sync.Mutex
	// loadedGen is the generation of the file loaded: Restore skips the
	// journaled changes it holds.
	loadedGen uint64
	// journaled: changes are journaled with their calls' records
	// (Config.JournalChanges), and the file is a durable checkpoint.
	journaled bool
}

type streamKey struct{ account, region, name string }

// deliveryStream is one delivery stream.
type deliveryStream struct {
	key     streamKey
	arn     string
	typ     types.DeliveryStreamType
	version int64
	created time.Time
	updated time.Time
	// status is CREATING, ACTIVE or DELETING; until is when CREATING
	// turns ACTIVE and a DELETING stream is gone.
	status types.DeliveryStreamStatus
	until  time.Time
	// dest is the destination as configured and updated; shown is dest
	// with AWS's defaults filled (describe.go), what Describe shows and
	// what delivery reads.
	dest       types.DestinationDescription
	shown      types.DestinationDescription
	source     *types.SourceDescription
	tags       []types.Tag
	encryption types.DeliveryStreamEncryptionConfiguration
	// encCalls are the encryption calls the stream took in the last 24
	// hours: at most schemas.FirehoseEncryptionCalls.
	encCalls schemas.EncryptionCallLog
}

func newState() *state {
	return &state{streams: map[streamKey]*deliveryStream{}, log: slog.New(slog.DiscardHandler)}
}

// maxTags is the most tags a stream can have (a service limit: the model
// bounds the tags of one call, not of a stream).
const maxTags = 50

// setDest sets the stream's destination and what Describe shows of it,
// both with their secrets redacted (redact.go).
func (ds *deliveryStream) setDest(d types.DestinationDescription) error {
	d, _ = redactDestination(d)
	shown, err := withDefaults(d)
	if err != nil {
		return err
	}
	ds.dest, ds.shown = d, shown
	return nil
}

// settle moves every stream whose deadline now has passed on: CREATING
// to ACTIVE, DELETING out of the state; s.mu is held. Neither is a saved
// change: the saved state already has a CREATING stream's deadline and
// never a DELETING stream.
func (s *state) settle(now time.Time) {
	if s.next.IsZero() || now.Before(s.next) {
		return
	}
	s.next = time.Time{}
	for k, ds := range s.streams {
		if ds.status == types.DeliveryStreamStatusActive {
			continue
		}
		if now.Before(ds.until) {
			s.pending(ds.until)
			continue
		}
		if ds.status == types.DeliveryStreamStatusDeleting {
			delete(s.streams, k)
			continue
		}
		ds.status, ds.until = types.DeliveryStreamStatusActive, time.Time{}
	}
}

// pending notes a stream deadline for settle; s.mu is held.
func (s *state) pending(until time.Time) {
	if s.next.IsZero() || until.Before(s.next) {
		s.next = until
	}
}

// transition puts ds in status until now plus the delay, or skips it
// with no delay: it returns false then; s.mu is held.
func (s *state) transition(ds *deliveryStream, status types.DeliveryStreamStatus, now time.Time) bool {
	if s.delay <= 0 {
		return false
	}
	ds.status, ds.until = status, now.Add(s.delay)
	s.pending(ds.until)
	return true
}

// get returns the stream or ResourceNotFoundException; s.mu is held.
func (s *state) get(k streamKey, now time.Time) (*deliveryStream, error) {
	s.settle(now)
	ds, ok := s.streams[k]
	if !ok {
		return nil, apiError(schemas.FirehoseNotFound(k.name, k.account))
	}
	return ds, nil
}

// getActive returns the stream if it is ACTIVE, ResourceInUseException if
// it is CREATING or DELETING; s.mu is held.
func (s *state) getActive(k streamKey, now time.Time) (*deliveryStream, error) {
	ds, err := s.get(k, now)
	if err != nil {
		return nil, err
	}
	if ds.status != types.DeliveryStreamStatusActive {
		return nil, errNotActive(k, string(ds.status))
	}
	return ds, nil
}

// descriptionKeys maps wire member names of configurations and updates to the
// members of descriptions, which differ for nested parts.
var descriptionKeys = map[string]string{
	"S3Configuration":       "S3DestinationDescription",
	"S3Update":              "S3DestinationDescription",
	"S3BackupConfiguration": "S3BackupDescription",
	"S3BackupUpdate":        "S3BackupDescription",
	"VpcConfiguration":      "VpcConfigurationDescription",
}

// renameKeys renames members by descriptionKeys and drops unset ones.
func renameKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if val == nil || val == "" {
				continue // unset members: nil pointers, empty enums
			}
			if nk, ok := descriptionKeys[k]; ok {
				k = nk
			}
			out[k] = renameKeys(val)
		}
		return out
	case []any:
		for i := range x {
			x[i] = renameKeys(x[i])
		}
		return x
	}
	return v
}

// mergeJSON merges src into dst: objects member by member, anything else
// replaced.
func mergeJSON(dst, src map[string]any) {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeJSON(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

func fromMap(m map[string]any, v any) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// destinationMember returns the one destination member set in a create
// input or an update input (nil pointers are unset), as a wire name →
// value map with Configuration/Update replaced by Description.
func destinationMember(in any, suffix string) (string, map[string]any, int, error) {
	m, err := toMap(in)
	if err != nil {
		return "", nil, 0, err
	}
	var name string
	var val map[string]any
	n := 0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !strings.HasSuffix(k, "Destination"+suffix) || m[k] == nil {
			continue
		}
		vm, ok := m[k].(map[string]any)
		if !ok {
			continue
		}
		n++
		name = strings.TrimSuffix(k, suffix) + "Description"
		val = renameKeys(vm).(map[string]any)
	}
	return name, val, n, nil
}

func (s *state) create(k streamKey, in *firehose.CreateDeliveryStreamInput, now time.Time) (*firehose.CreateDeliveryStreamOutput, error) {
	shown := now.Truncate(time.Second)
	typ := in.DeliveryStreamType
	if typ == "" {
		typ = types.DeliveryStreamTypeDirectPut
	}
	var source *types.SourceDescription
	switch typ {
	case types.DeliveryStreamTypeKinesisStreamAsSource:
		c := in.KinesisStreamSourceConfiguration
		if c == nil {
			return nil, apiError(schemas.FirehoseSourceRequired("KinesisStreamSourceConfiguration", string(typ)))
		}
		source = &types.SourceDescription{KinesisStreamSourceDescription: &types.KinesisStreamSourceDescription{
			KinesisStreamARN: c.KinesisStreamARN, RoleARN: c.RoleARN, DeliveryStartTimestamp: aws.Time(shown),
		}}
	case types.DeliveryStreamTypeMSKAsSource:
		c := in.MSKSourceConfiguration
		if c == nil {
			return nil, apiError(schemas.FirehoseSourceRequired("MSKSourceConfiguration", string(typ)))
		}
		source = &types.SourceDescription{MSKSourceDescription: &types.MSKSourceDescription{
			MSKClusterARN: c.MSKClusterARN, TopicName: c.TopicName, AuthenticationConfiguration: c.AuthenticationConfiguration,
			DeliveryStartTimestamp: aws.Time(shown), ReadFromTimestamp: c.ReadFromTimestamp,
		}}
	}
	name, dm, n, err := destinationMember(in, "Configuration")
	if err != nil {
		return nil, err
	}
	if n != 1 {
		return nil, apiError(schemas.FirehoseDestinationCount("configuration", n))
	}
	enc := types.DeliveryStreamEncryptionConfiguration{Status: types.DeliveryStreamEncryptionStatusDisabled}
	if c := in.DeliveryStreamEncryptionConfigurationInput; c != nil {
		if typ != types.DeliveryStreamTypeDirectPut {
			return nil, apiError(schemas.FirehoseEncryptionNotDirectPut(string(typ)))
		}
		if err := checkKey(c); err != nil {
			return nil, err
		}
		enc = types.DeliveryStreamEncryptionConfiguration{KeyType: c.KeyType, KeyARN: c.KeyARN, Status: types.DeliveryStreamEncryptionStatusEnabled}
	}
	dm["DestinationId"] = "destinationId-000000000001"
	if name == "S3DestinationDescription" {
		// A legacy S3 destination is described both ways, as AWS does.
		ext := maps.Clone(dm)
		delete(ext, "DestinationId")
		dm = map[string]any{"DestinationId": "destinationId-000000000001", name: dm, "ExtendedS3DestinationDescription": ext}
	} else {
		id := dm["DestinationId"]
		delete(dm, "DestinationId")
		dm = map[string]any{"DestinationId": id, name: dm}
	}
	ds := &deliveryStream{
		key:        k,
		arn:        "arn:aws:firehose:" + k.region + ":" + k.account + ":deliverystream/" + k.name,
		typ:        typ,
		version:    1,
		created:    shown,
		updated:    shown,
		status:     types.DeliveryStreamStatusActive,
		source:     source,
		encryption: enc,
	}
	var dest types.DestinationDescription
	if err := fromMap(dm, &dest); err != nil {
		return nil, apiError(schemas.FirehoseInvalidDestination("configuration", err))
	}
	if err := ds.setDest(dest); err != nil {
		return nil, apiError(schemas.FirehoseInvalidDestination("configuration", err))
	}
	for _, t := range in.Tags {
		ds.setTag(t)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(now)
	if _, ok := s.streams[k]; ok {
		return nil, apiError(schemas.FirehoseAlreadyExists(k.name, k.account))
	}
	s.transition(ds, types.DeliveryStreamStatusCreating, now)
	s.streams[k] = ds
	s.changed()
	return &firehose.CreateDeliveryStreamOutput{DeliveryStreamARN: aws.String(ds.arn)}, nil
}

// checkKey applies the service's rules for a KMS key (the model checks
// KeyType and the form of KeyARN).
func checkKey(c *types.DeliveryStreamEncryptionConfigurationInput) error {
	switch c.KeyType {
	case types.KeyTypeAwsOwnedCmk:
		if c.KeyARN != nil {
			return apiError(schemas.FirehoseKeyWithAWSOwned())
		}
	case types.KeyTypeCustomerManagedCmk:
		if c.KeyARN == nil || !strings.HasPrefix(*c.KeyARN, "arn:aws:kms:") {
			return apiError(schemas.FirehoseKeyNotKMS())
		}
	}
	return nil
}

func (ds *deliveryStream) setTag(t types.Tag) {
	for i := range ds.tags {
		if aws.ToString(ds.tags[i].Key) == aws.ToString(t.Key) {
			ds.tags[i].Value = t.Value
			return
		}
	}
	ds.tags = append(ds.tags, types.Tag{Key: t.Key, Value: t.Value})
}

// delete marks the stream DELETING; it is gone when the delay has passed.
// A CREATING stream cannot be deleted; deleting a DELETING one again is
// no error.
func (s *state) delete(k streamKey, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.get(k, now)
	if err != nil {
		return err
	}
	switch ds.status {
	case types.DeliveryStreamStatusCreating:
		return errNotActive(k, string(ds.status))
	case types.DeliveryStreamStatusDeleting:
		return nil
	}
	if !s.transition(ds, types.DeliveryStreamStatusDeleting, now) {
		delete(s.streams, k)
	}
	s.changed()
	return nil
}

func (s *state) describe(k streamKey, now time.Time) (*firehose.DescribeDeliveryStreamOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.get(k, now)
	if err != nil {
		return nil, err
	}
	enc := ds.encryption
	return &firehose.DescribeDeliveryStreamOutput{DeliveryStreamDescription: &types.DeliveryStreamDescription{
		DeliveryStreamARN:                     aws.String(ds.arn),
		DeliveryStreamName:                    aws.String(k.name),
		DeliveryStreamStatus:                  ds.status,
		DeliveryStreamType:                    ds.typ,
		Destinations:                          []types.DestinationDescription{ds.shown},
		HasMoreDestinations:                   aws.Bool(false),
		VersionId:                             aws.String(strconv.FormatInt(ds.version, 10)),
		CreateTimestamp:                       aws.Time(ds.created),
		LastUpdateTimestamp:                   aws.Time(ds.updated),
		DeliveryStreamEncryptionConfiguration: &enc,
		Source:                                ds.source,
	}}, nil
}

// list lists the streams of every status, as AWS does.
func (s *state) list(account, region string, in *firehose.ListDeliveryStreamsInput, now time.Time) (*firehose.ListDeliveryStreamsOutput, error) {
	limit := 10
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	s.mu.Lock()
	s.settle(now)
	var names []string
	for k, ds := range s.streams {
		if k.account != account || k.region != region {
			continue
		}
		if in.DeliveryStreamType != "" && ds.typ != in.DeliveryStreamType {
			continue
		}
		if in.ExclusiveStartDeliveryStreamName != nil && k.name <= *in.ExclusiveStartDeliveryStreamName {
			continue
		}
		names = append(names, k.name)
	}
	s.mu.Unlock()
	slices.Sort(names)
	more := len(names) > limit
	if more {
		names = names[:limit]
	}
	if names == nil {
		names = []string{}
	}
	return &firehose.ListDeliveryStreamsOutput{DeliveryStreamNames: names, HasMoreDeliveryStreams: aws.Bool(more)}, nil
}

func (s *state) listTags(k streamKey, in *firehose.ListTagsForDeliveryStreamInput, now time.Time) (*firehose.ListTagsForDeliveryStreamOutput, error) {
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.get(k, now)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(ds.tags)
	slices.SortFunc(tags, func(a, b types.Tag) int { return strings.Compare(aws.ToString(a.Key), aws.ToString(b.Key)) })
	if in.ExclusiveStartTagKey != nil {
		i := 0
		for i < len(tags) && aws.ToString(tags[i].Key) <= *in.ExclusiveStartTagKey {
			i++
		}
		tags = tags[i:]
	}
	more := len(tags) > limit
	if more {
		tags = tags[:limit]
	}
	if tags == nil {
		tags = []types.Tag{}
	}
	return &firehose.ListTagsForDeliveryStreamOutput{Tags: tags, HasMoreTags: aws.Bool(more)}, nil
}

// taggable returns the stream if its tags can change: CREATING or ACTIVE,
// not DELETING; s.mu is held.
func (s *state) taggable(k streamKey, now time.Time) (*deliveryStream, error) {
	ds, err := s.get(k, now)
	if err != nil {
		return nil, err
	}
	if ds.status == types.DeliveryStreamStatusDeleting {
		return nil, errNotActive(k, string(ds.status))
	}
	return ds, nil
}

func (s *state) tag(k streamKey, in *firehose.TagDeliveryStreamInput, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.taggable(k, now)
	if err != nil {
		return err
	}
	next := &deliveryStream{tags: slices.Clone(ds.tags)}
	for _, t := range in.Tags {
		next.setTag(t)
	}
	if len(next.tags) > maxTags {
		return apiError(schemas.FirehoseTooManyTags(maxTags, len(next.tags)))
	}
	ds.tags = next.tags
	s.changed()
	return nil
}

func (s *state) untag(k streamKey, in *firehose.UntagDeliveryStreamInput, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.taggable(k, now)
	if err != nil {
		return err
	}
	ds.tags = slices.DeleteFunc(ds.tags, func(t types.Tag) bool { return slices.Contains(in.TagKeys, aws.ToString(t.Key)) })
	s.changed()
	return nil
}

func (s *state) startEncryption(k streamKey, in *firehose.StartDeliveryStreamEncryptionInput, now time.Time) error {
	c := in.DeliveryStreamEncryptionConfigurationInput
	if c == nil {
		c = &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk}
	}
	if err := checkKey(c); err != nil {
		return err
	}
	return s.setEncryption(k, now, types.DeliveryStreamEncryptionConfiguration{KeyType: c.KeyType, KeyARN: c.KeyARN, Status: types.DeliveryStreamEncryptionStatusEnabled})
}

func (s *state) stopEncryption(k streamKey, now time.Time) error {
	return s.setEncryption(k, now, types.DeliveryStreamEncryptionConfiguration{Status: types.DeliveryStreamEncryptionStatusDisabled})
}

// setEncryption sets the server-side encryption of an ACTIVE DirectPut
// stream.
func (s *state) setEncryption(k streamKey, now time.Time, enc types.DeliveryStreamEncryptionConfiguration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.getActive(k, now)
	if err != nil {
		return err
	}
	if ds.typ != types.DeliveryStreamTypeDirectPut {
		return apiError(schemas.FirehoseEncryptionNotDirectPut(string(ds.typ)))
	}
	if ds.encCalls.Recent(now) >= schemas.FirehoseEncryptionCalls {
		// Refused, and not counted.
		return apiError(schemas.FirehoseStreamLimit(k.name, k.account))
	}
	ds.encCalls.Add(now)
	ds.encryption = enc
	ds.updated = now.Truncate(time.Second)
	s.changed()
	return nil
}

func (s *state) updateDestination(k streamKey, in *firehose.UpdateDestinationInput, now time.Time) error {
	name, um, n, err := destinationMember(in, "Update")
	if err != nil {
		return err
	}
	if n != 1 {
		return apiError(schemas.FirehoseDestinationCount("update", n))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.getActive(k, now)
	if err != nil {
		return err
	}
	cur := strconv.FormatInt(ds.version, 10)
	if aws.ToString(in.CurrentDeliveryStreamVersionId) != cur {
		return apiError(schemas.FirehoseVersionMismatch(k.name, cur, aws.ToString(in.CurrentDeliveryStreamVersionId)))
	}
	if aws.ToString(in.DestinationId) != aws.ToString(ds.dest.DestinationId) {
		return apiError(schemas.FirehoseDestinationNotFound(aws.ToString(in.DestinationId), k.name))
	}
	dm, err := toMap(ds.dest)
	if err != nil {
		return err
	}
	existing, _ := dm[name].(map[string]any)
	if existing == nil {
		// Switching destination type replaces the destination.
		dm = map[string]any{"DestinationId": dm["DestinationId"], name: um}
	} else {
		mergeJSON(existing, um)
		if name == "ExtendedS3DestinationDescription" {
			delete(dm, "S3DestinationDescription")
		}
	}
	var dest types.DestinationDescription
	if err := fromMap(dm, &dest); err != nil {
		return apiError(schemas.FirehoseInvalidDestination("update", err))
	}
	if err := ds.setDest(dest); err != nil {
		return apiError(schemas.FirehoseInvalidDestination("update", err))
	}
	ds.version++
	ds.updated = now.Truncate(time.Second)
	s.changed()
	return nil
}

// putTarget returns where data put to the stream lands (target.bucket ""
// for nowhere). A CREATING stream is not found, as on AWS a stream takes
// data only once ACTIVE; a DELETING one still takes data. Streams with a
// Kinesis or MSK source take no puts.
func (s *state) putTarget(k streamKey, now time.Time) (s3Target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds, err := s.get(k, now)
	if err != nil {
		return s3Target{}, err
	}
	if ds.status == types.DeliveryStreamStatusCreating {
		return s3Target{}, apiError(schemas.FirehoseNotFound(k.name, k.account))
	}
	if ds.typ != types.DeliveryStreamTypeDirectPut {
		return s3Target{}, apiError(schemas.FirehoseWrongSourceType(string(ds.typ)))
	}
	t := landing(ds.shown)
	t.version = ds.version
	t.encrypted = ds.encryption.Status == types.DeliveryStreamEncryptionStatusEnabled
	return t, nil
}
