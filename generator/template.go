package generator

import (
	"bytes"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/schemas"
)

// nameSentinel stands for the stream name while a template is rendered.
const nameSentinel = "FIRETRAIL-NAME-SENTINEL"

// nameTemplate is a request rendered once by schemas.RenderFirehoseRequest
// with a sentinel stream name, cut around it: fill splices in a real name,
// escaped by schemas.AppendString, the renderer's own escaper. Tests check
// fill against rendering the input with the name.
type nameTemplate struct {
	head, tail []byte
	build      func(name string) any // the input, for tests
}

func newNameTemplate(build func(name string) any) (*nameTemplate, error) {
	in := build(nameSentinel)
	b, err := schemas.RenderFirehoseRequest(in)
	if err != nil {
		return nil, fmt.Errorf("render %T: %w", in, err)
	}
	q := []byte(`"` + nameSentinel + `"`)
	i := bytes.Index(b, q)
	if i < 0 || bytes.Count(b, q) != 1 {
		return nil, fmt.Errorf("render %T: stream name not found once in %s", in, b)
	}
	return &nameTemplate{head: b[:i], tail: b[i+len(q):], build: build}, nil
}

// size is the length of the request for a name that needs no escaping.
func (t *nameTemplate) size(name string) int { return len(t.head) + len(name) + 2 + len(t.tail) }

// fill appends the request for name to b.
func (t *nameTemplate) fill(b []byte, name string) []byte {
	b = append(b, t.head...)
	b = schemas.AppendString(b, name)
	return append(b, t.tail...)
}

// templates are the world's request templates.
type templates struct {
	put, batch, startAWS *nameTemplate
	tag                  []*nameTemplate
	untag                []*nameTemplate
}

func (w *sim) buildTemplates() error {
	f := w.fake
	var err error
	must := func(build func(string) any) *nameTemplate {
		t, e := newNameTemplate(build)
		if err == nil {
			err = e
		}
		return t
	}
	t := &w.tpl
	t.put = must(func(n string) any { return putRecordInput(n) })
	t.batch = must(func(n string) any { return putRecordBatchInput(n, 1) })
	t.startAWS = must(func(n string) any {
		return &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String(n),
			DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk}}
	})
	tagSets := [][][2]string{
		{{"owner", f.LastName()}},
		{{"cost-center", fmt.Sprint(1000 + w.r.Intn(9000))}},
		{{"data-classification", "internal"}, {"team", "platform"}},
		{{"managed-by", "terraform"}, {"env", "prod"}},
		{{"owner", f.LastName()}, {"team", "analytics"}, {"cost-center", fmt.Sprint(1000 + w.r.Intn(9000))}},
		{{"compliance", "pci"}},
	}
	for _, set := range tagSets {
		t.tag = append(t.tag, must(func(n string) any {
			tags := make([]types.Tag, len(set))
			for i, kv := range set {
				tags[i] = types.Tag{Key: aws.String(kv[0]), Value: aws.String(kv[1])}
			}
			return &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String(n), Tags: tags}
		}))
	}
	for _, keys := range [][]string{{"owner"}, {"cost-center"}, {"temp"}, {"team", "env"}} {
		t.untag = append(t.untag, must(func(n string) any {
			return &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String(n), TagKeys: keys}
		}))
	}
	return err
}
