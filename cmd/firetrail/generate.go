package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
	"github.com/firetrail/firetrail/internal/atomicfile"
	"github.com/firetrail/firetrail/schemas"
	"github.com/spf13/pflag"
)

// groundTruthName is the file name of a scenario's ground-truth manifest
// inside a --format cloudtrail output directory; beside an ndjson file it
// is the file's name plus "." + groundTruthName.
const groundTruthName = "ground-truth.json"

// outputFormat is the value of --format.
type outputFormat string

func (f *outputFormat) String() string { return string(*f) }
func (f *outputFormat) Type() string   { return "ndjson|cloudtrail" }
func (f *outputFormat) Set(s string) error {
	switch s {
	case "ndjson", "cloudtrail":
		*f = outputFormat(s)
		return nil
	}
	return errors.New("want ndjson or cloudtrail")
}

// timeFlag is an RFC 3339 instant flag.
type timeFlag struct{ t *time.Time }

func (f timeFlag) String() string { return f.t.Format(time.RFC3339) }
func (f timeFlag) Type() string   { return "RFC3339" }
func (f timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time like 2025-03-03T09:00:00Z")
	}
	*f.t = t
	return nil
}

func generateCommand() command {
	return command{
		name:  "generate",
		usage: "generate --seed N --events N [--start RFC3339] [--accounts N] [--regions r1,r2] [--identities default|all] [--format ndjson|cloudtrail] [--late-share F] [--out DIR|FILE|-] [--shard k/N] [--scenario NAME] [-q]",
		short: "generate deterministic CloudTrail records of Firehose activity",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			var (
				cfg      generator.Config
				format   = outputFormat("ndjson")
				out      string
				shard    string
				bucket   string
				manifest string
				late     = trail.DefaultLateShare
				quiet    bool
			)
			fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the world; the same seed, flags and version give the same bytes")
			fs.IntVar(&cfg.Events, "events", generator.DefaultEvents, "number of records of the whole (unsharded) run")
			cfg.Start = generator.DefaultStart
			fs.Var(timeFlag{&cfg.Start}, "start", "first instant of the simulation")
			fs.IntVar(&cfg.Accounts, "accounts", generator.DefaultAccounts, "number of AWS accounts")
			fs.StringSliceVar(&cfg.Regions, "regions", generator.DefaultRegions, "regions, busiest first")
			fs.BoolVar(&cfg.Org, "org", false, "make the accounts an AWS Organization (organization trail key layout)")
			fs.StringVar(&cfg.OrgID, "org-id", "", "organization id o-…; implies --org")
			fs.Var(&format, "format", "output format: ndjson (one record a line) or cloudtrail (tree of .json.gz log files)")
			fs.StringVar(&out, "out", "-", "output: - for stdout (ndjson), a file (ndjson) or a directory (cloudtrail)")
			fs.StringVar(&shard, "shard", "", "write only part k of N (k/N, 0 <= k < N); the N parts together are the whole run")
			fs.StringVar(&cfg.Scenario, "scenario", "", "plant labelled incidents and write a ground-truth manifest: "+fmt.Sprint(generator.Scenarios()))
			fs.StringVar(&manifest, "manifest", "", "where to write the ground-truth manifest when --out is -")
			fs.StringVar(&cfg.EventVersion, "event-version", generator.DefaultEventVersion, "eventVersion of the records, 1.02 to 1.11")
			fs.Float64Var(&cfg.ReadOnlyShare, "read-only-share", generator.DefaultReadOnlyShare, "target share of read-only calls")
			fs.Float64Var(&cfg.ErrorShare, "error-share", generator.DefaultErrorShare, "target share of failed calls; negative: only failures the world's state causes")
			fs.Float64Var(&cfg.DataEventShare, "data-event-share", generator.DefaultDataEventShare, "target share of PutRecord/PutRecordBatch data events; negative: none")
			fs.BoolVar(&cfg.EmptyWorld, "empty-world", false, "start with no delivery streams")
			fs.StringVar(&cfg.Identities, "identities", generator.IdentitiesDefault, "caller identities: default (those that can call Firehose) or all (adds AWSAccount, IdentityCenterUser and Role identities, which Firehose records never have)")
			fs.StringVar(&bucket, "bucket", "firetrail-logs", "bucket named inside cloudtrail output (digests, notices)")
			fs.Float64Var(&late, "late-share", trail.DefaultLateShare, "cloudtrail: share of records delivered late, in a later window's file (0 to 1; 0: none)")
			fs.BoolVarP(&quiet, "quiet", "q", false, "no summary line on stderr")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				if fs.Changed("events") && cfg.Events == 0 {
					return usagef("--events 0: want at least 1")
				}
				if math.IsNaN(late) || late < 0 || late > 1 {
					return usagef("--late-share %v: want a share from 0 to 1", late)
				}
				if fs.Changed("late-share") && format != "cloudtrail" {
					return usagef("--late-share: only with --format cloudtrail")
				}
				if shard != "" {
					k, n, err := generator.ParseShard(shard)
					if err != nil {
						return usagef("--%v", err)
					}
					cfg.Shard, cfg.Shards = k, n
				}
				g, err := generator.New(cfg)
				if err != nil {
					return usagef("%v", err)
				}
				gen := &generation{g: g, format: format, out: out, bucket: bucket, manifest: manifest, lateShare: late}
				if err := gen.prepare(); err != nil {
					return err
				}
				began := time.Now()
				defer generationGC()()
				if err := gen.run(ctx, e.stdout); err != nil {
					return err
				}
				if !quiet {
					fmt.Fprintf(e.stderr, "%s, %s, %s, %.2f s\n", plural(gen.written, "record"), plural(gen.files, "file"),
						plural(int(gen.bytes), "byte"), time.Since(began).Seconds())
				}
				return nil
			}
		},
	}
}

// generation is one run of the generate command. Output goes to temporary
// names that are renamed into place only when everything is written, so an
// interrupted run never leaves output that looks complete.
type generation struct {
	g        *generator.Generator
	format   outputFormat
	out      string
	bucket   string
	manifest string // ground-truth path, "" for none
	// lateShare is the share of records delivered late (cloudtrail).
	lateShare float64

	tmp string // temporary file or directory

	// What was written, for the summary line: records, files (log, digest
	// and manifest files, or the ndjson output) and their bytes.
	written, files int
	bytes          int64
}

// prepare checks the output flags and creates the temporary output; its
// errors are usage errors.
func (gen *generation) prepare() error {
	scenario := gen.g.Config().Scenario != ""
	switch {
	case gen.format == "cloudtrail" && gen.out == "-":
		return usagef("--format cloudtrail writes a directory: give --out DIR")
	case gen.out == "":
		return usagef("--out: empty")
	case gen.manifest != "" && !scenario:
		return usagef("--manifest without --scenario")
	case gen.out == "-" && scenario && gen.manifest == "":
		return usagef("--scenario with --out -: give --manifest FILE for the ground truth")
	case gen.out != "-" && gen.manifest == "" && scenario:
		if gen.format == "cloudtrail" {
			gen.manifest = filepath.Join(gen.out, groundTruthName)
		} else {
			gen.manifest = gen.out + "." + groundTruthName
		}
	}
	if gen.out == "-" {
		return nil
	}
	dir, base := filepath.Split(filepath.Clean(gen.out))
	if dir == "" {
		dir = "."
	}
	if gen.format == "cloudtrail" {
		if entries, err := os.ReadDir(gen.out); err == nil && len(entries) > 0 {
			return usagef("--out %s: directory exists and is not empty", gen.out)
		} else if err == nil {
			// An empty directory is replaced at the end.
		} else if !errors.Is(err, os.ErrNotExist) {
			return usagef("--out %s: %v", gen.out, err)
		}
		tmp, err := os.MkdirTemp(dir, "."+base+".tmp-")
		if err != nil {
			return usagef("--out %s: cannot write: %v", gen.out, unwrapPath(err))
		}
		gen.tmp = tmp
		return nil
	}
	if fi, err := os.Stat(gen.out); err == nil && fi.IsDir() {
		return usagef("--out %s: is a directory (ndjson writes a file)", gen.out)
	} else if err == nil && !fi.Mode().IsRegular() {
		// A device or pipe (/dev/null, a FIFO): write to it directly;
		// renaming over it would replace it.
		if scenario && gen.manifest == gen.out+"."+groundTruthName {
			return usagef("--scenario with --out %s: give --manifest FILE for the ground truth", gen.out)
		}
		return nil
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-")
	if err != nil {
		return usagef("--out %s: cannot write: %v", gen.out, unwrapPath(err))
	}
	f.Close()
	gen.tmp = f.Name()
	return nil
}

// unwrapPath drops the temporary name from a *PathError.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (gen *generation) run(ctx context.Context, stdout io.Writer) (err error) {
	defer func() {
		if err != nil && gen.tmp != "" {
			os.RemoveAll(gen.tmp)
		}
	}()
	switch {
	case gen.format == "cloudtrail":
		err = gen.writeTrail(ctx)
	case gen.out == "-":
		err = gen.writeNDJSON(ctx, stdout)
	case gen.tmp == "":
		var f *os.File
		if f, err = os.OpenFile(gen.out, os.O_WRONLY, 0); err != nil {
			return fmt.Errorf("open %s: %w", gen.out, err)
		}
		err = gen.writeNDJSON(ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	default:
		var f *os.File
		if f, err = os.OpenFile(gen.tmp, os.O_WRONLY|os.O_TRUNC, 0o644); err != nil {
			return err
		}
		err = gen.writeNDJSON(ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	if gen.manifest != "" {
		n, err := writeManifest(gen.manifest, gen.tmp, gen.out, gen.g.Manifest())
		if err != nil {
			return err
		}
		gen.files++
		gen.bytes += int64(n)
	}
	if gen.tmp == "" {
		return nil
	}
	if gen.format == "cloudtrail" {
		os.Remove(gen.out) // an empty directory, or nothing
		if err := os.Chmod(gen.tmp, 0o755); err != nil {
			return fmt.Errorf("finish %s: %w", gen.out, err)
		}
	} else if err := os.Chmod(gen.tmp, 0o644); err != nil {
		return fmt.Errorf("finish %s: %w", gen.out, err)
	}
	if err := os.Rename(gen.tmp, gen.out); err != nil {
		return fmt.Errorf("finish %s: %w", gen.out, err)
	}
	return nil
}

// generationGC lets the heap grow to three times the live data before a
// collection instead of twice (GOGC=200; unless GOGC is set), and returns
// the function that restores the setting. generate's live heap is small
// (a window of records a stream) and what it allocates dies young, so
// collections were mostly overhead: 200,000 events to a tree took about 3%
// less CPU time for 10 MB more peak memory.
func generationGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(200)
	return func() { debug.SetGCPercent(old) }
}

// records returns the generator's records, simulated on a goroutine of
// their own when there is more than one core to run on: the bytes are the
// same either way.
func (gen *generation) records() iter.Seq[schemas.Record] {
	if runtime.GOMAXPROCS(0) > 1 {
		return generator.Prefetch(gen.g.Records(), 8)
	}
	return gen.g.Records()
}

// writeNDJSON writes one record a line.
func (gen *generation) writeNDJSON(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	buf := make([]byte, 0, 128<<10)
	var enc schemas.Encoder
	n := 0
	for rec := range gen.records() {
		buf = enc.AppendRecord(buf, &rec)
		buf = append(buf, '\n')
		if len(buf) >= 64<<10 {
			if _, err := bw.Write(buf); err != nil {
				return fmt.Errorf("write %s: %w", gen.out, err)
			}
			gen.bytes += int64(len(buf))
			buf = buf[:0]
		}
		if n++; n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if err := gen.g.Err(); err != nil {
		return err
	}
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("write %s: %w", gen.out, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", gen.out, err)
	}
	gen.written, gen.files, gen.bytes = n, 1, gen.bytes+int64(len(buf))
	return nil
}

// writeTrail delivers the records through emulator/trail into the
// temporary directory, by event time (a virtual clock), as untidily as
// CloudTrail (trail.Untidy, seeded). The directory is renamed into place
// at the end, so its files are written in place (trail.TreeSink).
func (gen *generation) writeTrail(ctx context.Context) (err error) {
	cfg := gen.g.Config()
	seed := trailSeed(cfg)
	tree := trail.NewTreeSink(gen.tmp, 0)
	defer func() {
		if cerr := tree.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("deliver: %w", cerr)
		}
	}()
	sink := &countingSink{Sink: tree}
	tr, err := trail.New(trail.Config{
		Sink:        sink,
		Bucket:      gen.bucket,
		OrgID:       gen.g.OrgID(),
		Seed:        seed,
		ByEventTime: true,
		Untidy:      trail.SeededUntidy(seed, gen.lateShare),
	})
	if err != nil {
		return fmt.Errorf("trail: %w", err)
	}
	defer func() {
		st := tr.Stats()
		gen.written, gen.files, gen.bytes = st.Records, sink.files, sink.bytes
	}()
	if err := tr.AddAll(ctx, gen.records()); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	if err := gen.g.Err(); err != nil {
		return err
	}
	if err := tr.Close(ctx); err != nil {
		return fmt.Errorf("deliver: %w", err)
	}
	return nil
}

// countingSink counts the objects stored and their bytes.
type countingSink struct {
	trail.Sink
	files int
	bytes int64
}

// Put stores the object and counts it.
func (s *countingSink) Put(ctx context.Context, key string, body []byte, meta map[string]string) error {
	if err := s.Sink.Put(ctx, key, body, meta); err != nil {
		return err
	}
	s.files++
	s.bytes += int64(len(body))
	return nil
}

// writeManifest writes the ground truth to path (via a temporary name).
// Inside a cloudtrail directory it goes into the temporary directory.
// It returns the number of bytes written.
func writeManifest(path, tmpOut, out string, m generator.Manifest) (int, error) {
	if tmpOut != "" && filepath.Dir(path) == filepath.Clean(out) {
		path = filepath.Join(tmpOut, filepath.Base(path))
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("manifest: %w", err)
	}
	b = append(b, '\n')
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return 0, fmt.Errorf("manifest %s: %w", path, err)
	}
	return len(b), nil
}
