package golden

import (
	"bytes"
	"context"
	"fmt"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
	"github.com/firetrail/firetrail/schemas"
)

// Set is a fixture set: how to build it and where its golden files live.
type Set struct {
	// Name is the set's directory under testdata.
	Name string
	// Description says what the set holds.
	Description string
	// Config is the generator configuration of generated sets; nil for
	// sets built from fixed inputs.
	Config *generator.Config
	// Format is "logfile" (one {"Records":[…]} file), "ndjson" or
	// "cloudtrail" (a tree of .json.gz log files).
	Format string
}

// Bucket is the bucket named inside the cloudtrail sets.
const Bucket = "firetrail-golden"

// Sets returns the fixture sets.
func Sets() []Set {
	return []Set{
		{
			Name:        "seed-example",
			Description: "AWS's five-record Firehose example, built from fixed inputs",
			Format:      "logfile",
		},
		{
			Name:        "mixed-identities",
			Description: "one account, every kind of caller (the exotic identity types too), a 15% error share",
			Config: &generator.Config{Seed: 7, Events: 240, ErrorShare: 0.15, Regions: []string{"us-east-1", "eu-west-1"},
				Identities: generator.IdentitiesAll},
			Format: "ndjson",
		},
		{
			Name:        "organization",
			Description: "a three-account organization creating streams of every destination type, delivered as CloudTrail log files as untidy as generate writes them",
			Config: &generator.Config{Seed: 2025, Events: 300, Accounts: 3, Org: true, EmptyWorld: true,
				Regions: []string{"us-east-1", "eu-west-1"}, Scenario: generator.ScenarioExfilDestination},
			Format: "cloudtrail",
		},
	}
}

// Build returns the files of the set, keyed by slash-separated path,
// before golden form (cloudtrail .json.gz files compressed).
func (s Set) Build(ctx context.Context) (map[string][]byte, error) {
	if s.Config == nil {
		var buf bytes.Buffer
		lw := schemas.NewLogFileWriter(&buf)
		for _, rec := range SeedExample() {
			if err := lw.Write(rec); err != nil {
				return nil, err
			}
		}
		if err := lw.Close(); err != nil {
			return nil, err
		}
		return map[string][]byte{"seed_example.json": buf.Bytes()}, nil
	}
	g, err := generator.New(*s.Config)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", s.Name, err)
	}
	files := map[string][]byte{}
	switch s.Format {
	case "ndjson":
		var buf []byte
		for rec := range g.Records() {
			buf = rec.AppendJSON(buf)
			buf = append(buf, '\n')
		}
		files["records.ndjson"] = buf
	case "cloudtrail":
		var sink trail.MemSink
		tr, err := trail.New(trail.Config{Sink: &sink, Bucket: Bucket, OrgID: g.OrgID(), Seed: s.Config.Seed, ByEventTime: true,
			Untidy: trail.SeededUntidy(s.Config.Seed, trail.DefaultLateShare)})
		if err != nil {
			return nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		if err := tr.AddAll(ctx, g.Records()); err != nil {
			return nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		if err := tr.Close(ctx); err != nil {
			return nil, fmt.Errorf("set %s: %w", s.Name, err)
		}
		for _, o := range sink.Objects() {
			files[o.Key] = o.Body
		}
	default:
		return nil, fmt.Errorf("set %s: unknown format %q", s.Name, s.Format)
	}
	if err := g.Err(); err != nil {
		return nil, fmt.Errorf("set %s: %w", s.Name, err)
	}
	if s.Config.Scenario != "" {
		m, err := manifestJSON(g.Manifest())
		if err != nil {
			return nil, err
		}
		files["ground-truth.json"] = m
	}
	return files, nil
}
