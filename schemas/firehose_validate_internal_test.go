package schemas

import (
	"testing"

	"github.com/firetrail/firetrail/internal/awsmodel"
)

// TestFirehoseConstraintsCoverModel checks that every operation of the
// Firehose model and every shape its input reaches has an entry in the
// generated table, so a model that gains one fails until regenerated.
func TestFirehoseConstraintsCoverModel(t *testing.T) {
	m, err := awsmodel.LoadService("firehose")
	if err != nil {
		t.Fatal(err)
	}
	have := make(map[string]bool)
	for _, s := range firehoseInputShapes {
		have[s.name] = true
	}
	seen := make(map[string]bool)
	var walk func(name string)
	walk = func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if !have[name] {
			t.Errorf("shape %s of the model has no entry: run go generate ./schemas", name)
		}
		s := m.Shapes[name]
		for _, mb := range s.Members {
			walk(mb.Shape)
		}
		for _, r := range []*awsmodel.ShapeRef{s.Member, s.Key, s.Value} {
			if r != nil {
				walk(r.Shape)
			}
		}
	}
	for name, op := range m.Operations {
		i := firehoseInputShape(name)
		if i < 0 {
			t.Errorf("operation %s has no entry: run go generate ./schemas", name)
			continue
		}
		if got := firehoseInputShapes[i].name; got != op.Input.Shape {
			t.Errorf("operation %s: table input %s, model %s", name, got, op.Input.Shape)
		}
		walk(op.Input.Shape)
	}
	if len(seen) != len(firehoseInputShapes) {
		t.Errorf("table has %d shapes, the model's inputs reach %d", len(firehoseInputShapes), len(seen))
	}
}
