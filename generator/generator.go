package generator

import (
	"fmt"
	"iter"
	"slices"

	"github.com/firetrail/firetrail/schemas"
)

// Generator produces the records of one Config. It is not safe for
// concurrent use; Records may be ranged over more than once and replays the
// same records each time.
type Generator struct {
	cfg      Config
	orgID    string
	accounts []string
	err      error
	manifest Manifest
	onSecret func(string) // tests: every secret the world holds
}

// New validates cfg, fills its defaults and returns its Generator. It builds
// the world once to report problems (such as a Firehose input that cannot
// be rendered) before any record is produced.
func New(cfg Config) (*Generator, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	w, err := newSim(c)
	if err != nil {
		return nil, fmt.Errorf("generator: build world: %w", err)
	}
	g := &Generator{cfg: c, orgID: w.orgID}
	for _, a := range w.accounts {
		g.accounts = append(g.accounts, a.id)
	}
	return g, nil
}

// Config returns the configuration with its defaults filled in.
func (g *Generator) Config() Config {
	c := g.cfg
	c.Regions = slices.Clone(c.Regions)
	return c
}

// OrgID returns the AWS Organization id of the world, or "" without one.
func (g *Generator) OrgID() string { return g.orgID }

// AccountIDs returns the ids of the accounts that own delivery streams.
func (g *Generator) AccountIDs() []string { return slices.Clone(g.accounts) }

// Records returns the records of the run (of its shard when Config.Shards
// > 1) in time order: eventTime never decreases.
//
// Ownership: the yielded Record and everything it points to are shared
// with the generator and must be treated as read-only. Strings may be kept
// indefinitely. The RequestParameters and ResponseElements bytes and the
// pointed-to identity, TLS details and resources are never modified once
// yielded, so keeping them is also safe; copying is needed only to modify
// them.
//
// When the world fails (a Firehose input that cannot be rendered), the
// sequence ends early and Err reports why.
func (g *Generator) Records() iter.Seq[schemas.Record] {
	return func(yield func(schemas.Record) bool) {
		g.err = nil
		w, err := newSim(g.cfg)
		if err != nil {
			g.err = err
			return
		}
		w.onSecret = g.onSecret
		k, n := g.cfg.Shard, g.cfg.Shards
		var rec schemas.Record
		for i := range g.cfg.Events {
			w.next(&rec)
			if w.err != nil {
				g.err = w.err
				return
			}
			if n > 1 && i%n != k {
				continue
			}
			if w.label != 0 {
				inc := &w.incidents[w.label-1]
				inc.EventIDs = append(inc.EventIDs, rec.EventID)
			}
			if !yield(rec) {
				break
			}
		}
		g.manifest = Manifest{Scenario: g.cfg.Scenario, Config: g.Config(), Incidents: w.incidents}
		if g.manifest.Incidents == nil {
			g.manifest.Incidents = []Incident{}
		}
	}
}

// Err returns the error that ended the last range over Records early, or
// nil.
func (g *Generator) Err() error { return g.err }

// Manifest returns the ground truth of the last complete range over
// Records: the scenario, the configuration and the eventIDs of each planted
// incident that fell in this shard.
func (g *Generator) Manifest() Manifest { return g.manifest }
