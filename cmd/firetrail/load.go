package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/firetrail/firetrail/emulator/trail"
	"github.com/firetrail/firetrail/generator"
)

// loadFlags are the flags of firetrail load.
type loadFlags struct {
	endpoint    string
	bucket      string
	prefix      string
	region      string
	rateText    string
	duration    time.Duration
	events      int
	shard       string
	startText   string
	seed        int64
	seedSet     bool // --seed given; otherwise a random seed
	runID       string
	accounts    int
	regions     []string
	interval    time.Duration
	signingKey  string
	progress    string
	speedup     float64
	summaryJSON string
}

// unboundedEvents is the run's event count for --rate max --duration: more
// than any run sends, small enough for the generator's arithmetic.
const unboundedEvents = 1 << 53

// How far from now --start may be.
const (
	maxStartAhead  = 24 * time.Hour
	maxStartBehind = time.Hour
)

// loadPlan is a checked load command line.
type loadPlan struct {
	rate          float64 // events per second of the whole run; 0: as fast as possible
	events        int     // of the whole (unsharded) run; unboundedEvents with --rate max --duration
	shard, shards int
	start         time.Time     // --start; zero: when the process starts
	progressEvery time.Duration // 0: no progress
	live          bool          // a live display rather than lines
}

func loadCommand() command {
	return command{
		name:  "load",
		usage: "load --bucket NAME --rate R|max (--duration D|--events N) [--endpoint URL] [--shard k/N] [--start TIME] [flags]",
		short: "Deliver generated CloudTrail log files into S3 or any S3-compatible store at a steady rate.",
		setup: func(fs *pflag.FlagSet) func(context.Context, *env, []string) error {
			var f loadFlags
			fs.StringVar(&f.endpoint, "endpoint", "", "S3-compatible endpoint URL (path-style), e.g. http://127.0.0.1:4599; default: Amazon S3, with the AWS environment's credentials and region")
			fs.StringVar(&f.bucket, "bucket", "", "bucket to deliver into (must exist)")
			fs.StringVar(&f.prefix, "prefix", "", "trail S3 key prefix")
			fs.StringVar(&f.region, "region", "", "region of the bucket, for SigV4 (default: the AWS environment's; us-east-1 with --endpoint)")
			fs.StringVar(&f.rateText, "rate", "", "events per second of the whole run (all shards together), steady; or max: as fast as the store takes them (required)")
			fs.DurationVar(&f.duration, "duration", 0, "how long to run (wall clock; or give --events)")
			fs.IntVar(&f.events, "events", 0, "how many events the whole run delivers (or give --duration)")
			fs.StringVar(&f.shard, "shard", "", "deliver part k of N (k/N), for N machines in parallel")
			fs.StringVar(&f.startText, "start", "", "when the run begins, RFC 3339 (e.g. 2026-12-05T16:00:00Z): its first event is due and its simulated time starts then; give every shard of a run the same one so that their times agree (default: now; at most a day ahead, an hour ago)")
			fs.Int64Var(&f.seed, "seed", 0, "seed of the generated world: the same seed gives the same events (default: random, printed on stderr)")
			fs.StringVar(&f.runID, "run-id", "", "name log files as the run of this ID does (default: random, so that no two runs share a key)")
			fs.IntVar(&f.accounts, "accounts", 0, "number of AWS accounts (default: the generator's)")
			fs.StringSliceVar(&f.regions, "regions", nil, "regions of the streams (default: the generator's)")
			fs.DurationVar(&f.interval, "delivery-interval", trail.DefaultInterval, "how often log files are delivered (simulated time)")
			fs.StringVar(&f.signingKey, "signing-key", "", "PEM RSA key: also write signed hourly digest files")
			fs.StringVar(&f.progress, "progress", "", "how often to report progress on stderr, e.g. 5s; 0: never (default: a live display on a terminal, else a line every 10s)")
			fs.Float64Var(&f.speedup, "speedup", 1, "run simulated time (event times, delivery windows, keys) this many times as fast as the wall clock")
			fs.StringVar(&f.summaryJSON, "summary-json", "", "also write the summary as JSON to `FILE`")
			return func(ctx context.Context, e *env, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected argument %q", args[0])
				}
				f.seedSet = fs.Changed("seed")
				return runLoad(ctx, e, &f)
			}
		},
	}
}

// check checks the flags; stderrTTY tells whether stderr is a terminal.
func (f *loadFlags) check(stderrTTY bool) (loadPlan, error) {
	var p loadPlan
	if f.endpoint != "" {
		if u, err := url.Parse(f.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return p, usagef("--endpoint %q: want an http:// or https:// URL", f.endpoint)
		}
	}
	if f.bucket == "" {
		return p, usagef("--bucket is required")
	}
	switch r := strings.TrimSpace(f.rateText); r {
	case "":
		return p, usagef("--rate is required: events per second, or max")
	case "max":
	default:
		v, err := strconv.ParseFloat(r, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return p, usagef("--rate %q: want a positive number of events per second, or max", f.rateText)
		}
		p.rate = v
	}
	if !(f.speedup > 0) || math.IsInf(f.speedup, 0) {
		return p, usagef("--speedup %v: want a positive factor (1: real time)", f.speedup)
	}
	// The run's wall time when it is known: simulated, it must fit.
	wallSpan := f.duration.Seconds()
	if p.rate > 0 && f.events > 0 {
		wallSpan = float64(f.events) / p.rate
	}
	if years := wallSpan * f.speedup / year.Seconds(); years > maxSimYears {
		return p, usagef("--speedup %v: the run would simulate %.3g years; at most %d", f.speedup, years, maxSimYears)
	}
	switch {
	case f.events < 0:
		return p, usagef("--events must not be negative")
	case f.duration < 0:
		return p, usagef("--duration must not be negative")
	case f.events > 0 && f.duration > 0:
		return p, usagef("give --events or --duration, not both")
	case f.events == 0 && f.duration == 0:
		return p, usagef("give --events N or --duration D")
	}
	if f.interval < time.Second {
		return p, usagef("--delivery-interval must be at least 1s")
	}
	if len(f.runID) > 128 {
		return p, usagef("--run-id longer than 128 bytes")
	}
	if f.summaryJSON != "" {
		// Known now, not after the run: the summary goes beside FILE.
		if fi, err := os.Stat(filepath.Dir(f.summaryJSON)); err != nil || !fi.IsDir() {
			return p, usagef("--summary-json %s: no directory %s to write it in", f.summaryJSON, filepath.Dir(f.summaryJSON))
		}
	}
	p.shards = 1
	if f.shard != "" {
		k, n, err := generator.ParseShard(f.shard)
		if err != nil {
			return p, usagef("--shard: %v", err)
		}
		p.shard, p.shards = k, n
		if n > 1 && !f.seedSet {
			// A random seed each would make every shard part of another run.
			return p, usagef("--shard %s needs --seed: the shards of one run must share a seed", f.shard)
		}
	}
	if t := strings.TrimSpace(f.startText); t != "" {
		start, err := time.Parse(time.RFC3339, t)
		if err != nil {
			return p, usagef("--start %q: want an RFC 3339 time, e.g. 2026-12-05T16:00:00Z", f.startText)
		}
		p.start = start
	}
	p.events = f.events
	if f.duration > 0 {
		if p.rate == 0 {
			p.events = unboundedEvents // until the time is up
		} else {
			p.events = max(int(p.rate*f.duration.Seconds()), 1)
		}
	}
	switch f.progress {
	case "":
		p.live = stderrTTY
		p.progressEvery = defaultPlainEvery
		if p.live {
			p.progressEvery = defaultLiveEvery
		}
	default:
		d, err := time.ParseDuration(f.progress)
		if f.progress == "0" {
			d, err = 0, nil
		}
		if err != nil || d < 0 {
			return p, usagef("--progress %q: want an interval such as 5s, or 0 for none", f.progress)
		}
		p.live, p.progressEvery = stderrTTY, d
	}
	return p, nil
}

// shardEvents is how many of the run's events fall in shard k of n (event
// i belongs to shard i mod n).
func shardEvents(events, k, n int) int64 {
	if events == unboundedEvents {
		return 0
	}
	return int64((events - k + n - 1) / n)
}

func runLoad(ctx context.Context, e *env, f *loadFlags) error {
	stderrFile, _ := e.stderr.(*os.File)
	plan, err := f.check(stderrFile != nil && isTerminal(stderrFile))
	if err != nil {
		return err
	}
	if !plan.start.IsZero() {
		now := time.Now()
		switch {
		case plan.start.After(now.Add(maxStartAhead)):
			return usagef("--start %s: more than a day ahead", f.startText)
		case plan.start.Before(now.Add(-maxStartBehind)):
			return usagef("--start %s: more than an hour ago (the run would send that hour's events at once)", f.startText)
		}
	}
	runID := f.runID
	if runID == "" {
		// A run of its own: log file names differ from every other run's,
		// even of the same seed in the same 5-minute stamp.
		runID = trail.NewRunID()
	}
	tg := s3Target{endpoint: f.endpoint, region: f.region, bucket: f.bucket}
	where := f.endpoint
	var signingKey []byte
	if f.signingKey != "" {
		if signingKey, err = os.ReadFile(f.signingKey); err != nil {
			return usagef("--signing-key: %v", err)
		}
	}
	awsCfg, err := loadAWSConfig(ctx, tg, e.stderr)
	var sink *s3Sink
	if err == nil {
		if where == "" {
			where = "Amazon S3 (" + awsCfg.Region + ")"
		}
		sink = newS3Sink(awsCfg, tg)
		err = sink.preflight(ctx, where)
	}
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted before anything was sent: a clean stop.
		fmt.Fprintln(e.stderr, "load: interrupted before sending anything")
		return nil
	case err != nil:
		return err
	}

	if !f.seedSet {
		// Two runs must not deliver the same events (eventIDs) unless
		// asked to: a random seed, told so that the run can be repeated.
		f.seed = rand.Int64()
		fmt.Fprintf(e.stderr, "seed %d: rerun with --seed %d to repeat\n", f.seed, f.seed)
	}

	wall := realWall{}
	start := wall.Now()
	if !plan.start.IsZero() {
		// Every shard of a run begins at the same instant, whenever its
		// process started: one late is behind its schedule and catches up.
		if wait := plan.start.Sub(start); wait > 0 {
			fmt.Fprintf(e.stderr, "load: waiting until %s (--start)\n", plan.start.UTC().Format(time.RFC3339Nano))
			if wall.Sleep(ctx, wait) != nil {
				fmt.Fprintln(e.stderr, "load: interrupted before sending anything")
				return nil
			}
		}
		start = plan.start
	}
	sim := &simClock{wall: wall, wallStart: start, simStart: start.UTC(), speedup: f.speedup}
	// The generator paces its records as the pacer sends them, so that the
	// world does not depend on when this process started (shards started
	// apart split one run) and a session's creation date precedes the
	// calls it signs; the world's own calls keep the pace of the records'
	// time, data events filling the rate. Its rate is a millionth faster
	// than the pacer's, so that no rounding puts a record's generated time
	// after its due time; with --rate max every event is due at the start.
	genRate := generator.RateMax
	if plan.rate > 0 {
		genRate = plan.rate / f.speedup * (1 + 1e-6)
	}
	cfg := generator.Config{Seed: f.seed, Events: plan.events, Accounts: f.accounts, Regions: f.regions,
		Start: sim.simStart.Truncate(time.Second), Rate: genRate, Shard: plan.shard, Shards: plan.shards}
	gen, err := generator.New(cfg)
	if err != nil {
		return usagef("%v", err)
	}
	tcfg := trail.Config{
		Sink:     sink,
		Bucket:   f.bucket,
		Prefix:   f.prefix,
		OrgID:    gen.OrgID(),
		Seed:     trailSeed(cfg),
		Interval: f.interval,
		RunID:    runID,
		Clock:    sim,
		// A file delivered early (the last ones, at the end of the run)
		// is stamped as if its window had closed: no key is stamped
		// before an event it holds.
		StampAfterEvents: true,
	}
	if cfg.Shards > 1 {
		// Each shard is its own trail: its digest chain must not collide
		// with another shard's in the same prefix.
		tcfg.TrailName = fmt.Sprintf("%s-%d-of-%d", trail.DefaultTrailName, cfg.Shard, cfg.Shards)
	}
	if signingKey != nil {
		if tcfg.SigningKey, err = trail.LoadSigningKey(signingKey); err != nil {
			return usagef("--signing-key %s: %v", f.signingKey, err)
		}
	}
	tr, err := trail.New(tcfg)
	if err != nil {
		return fmt.Errorf("start delivery: %w", err)
	}

	sum := &loadSummary{Rate: f.rateText, Speedup: f.speedup, SimulatedStart: sim.simStart, Seed: f.seed, Shard: f.shard,
		RunID: runID, Endpoint: f.endpoint, Bucket: f.bucket, Prefix: f.prefix}
	var sent atomic.Int64
	snap := func() progressSnap {
		st := tr.Stats()
		return progressSnap{Elapsed: wall.Now().Sub(start), Generated: sent.Load(), Uploaded: st.Records, Files: st.LogFiles, Bytes: sink.bytes.Load()}
	}
	prog := startProgress(e.stderr, plan.live, plan.progressEvery,
		progressPlan{Events: shardEvents(plan.events, plan.shard, plan.shards), Duration: f.duration, Rate: plan.rate / float64(plan.shards)}, snap)

	// Deliveries run beside generation, so that an upload never holds up
	// the pace; they are not cut short by a signal (the final delivery
	// follows), only by a failure.
	genCtx, stopGen := context.WithCancelCause(ctx)
	defer stopGen(nil)
	d := startDeliverer(context.WithoutCancel(ctx), tr, wall, f.interval, f.speedup, stopGen)

	p := newPacer(wall, start, plan.rate, plan.shard, plan.shards)
	var deadline time.Time
	if plan.rate == 0 && f.duration > 0 {
		deadline = start.Add(f.duration)
	}
	records := gen.Records()
	if runtime.GOMAXPROCS(0) > 1 {
		records = generator.Prefetch(records, 4)
	}
	var addErr, spanErr error
	var firstSent, lastSent time.Time
	n, data := 0, 0
	for rec := range records {
		if p.wait(genCtx, n) != nil {
			break
		}
		if n&1023 == 0 && n > 0 {
			if !deadline.IsZero() && !wall.Now().Before(deadline) {
				break
			}
			if d.wait(genCtx) != nil {
				break
			}
		}
		// Each event happens when it is sent, in simulated time.
		now := wall.Now()
		if sim.pastSpan(now) {
			// --rate max at a --speedup that outruns the calendar: what
			// was generated is delivered, then the run fails.
			spanErr = fmt.Errorf("stopped: simulated time reached %d years after the start; give a smaller --speedup", maxSimYears)
			break
		}
		rec.EventTime = sim.at(now).Truncate(time.Second)
		if addErr = tr.Add(rec); addErr != nil {
			addErr = fmt.Errorf("add record %d: %w", n, addErr)
			break
		}
		if n == 0 {
			firstSent = now
		}
		if rec.DataEvent() {
			data++
		}
		lastSent = now
		n++
		sent.Store(int64(n))
	}
	if n == 0 {
		firstSent, lastSent = start, start
	}
	sum.SimulatedEnd = sim.at(lastSent)
	derr := d.stop()
	interrupted := ctx.Err() != nil

	finish := func(err error) error {
		prog.stop()
		st := tr.Stats()
		end := wall.Now()
		sum.Events, sum.EventsDelivered, sum.Files, sum.Digests = int64(n), st.Records, st.LogFiles, st.Digests
		sum.DataEvents = int64(data)
		sum.Bytes, sum.Puts, sum.Retries, sum.Errors = sink.bytes.Load(), sink.puts.Load(), sink.retries.Load(), sink.errors.Load()
		sum.DurationSeconds = end.Sub(start).Seconds()
		sum.SendSeconds = lastSent.Sub(start).Seconds()
		sum.EventsPerSecond = sendRate(n, firstSent, lastSent)
		q := sink.latencyQuantiles(0.5, 0.99)
		sum.PutLatencyMs = latencyMs{P50: ms(q[0]), P99: ms(q[1])}
		sum.Interrupted = interrupted
		if err != nil {
			sum.Error = err.Error()
		}
		sum.writeText(e.stderr)
		if f.summaryJSON != "" {
			if jerr := sum.writeJSON(f.summaryJSON); jerr != nil && err == nil {
				err = jerr
			}
		}
		return err
	}

	switch {
	case addErr != nil:
		return finish(addErr)
	case derr != nil:
		return finish(deliveryError(derr))
	}
	if err := gen.Err(); err != nil {
		return finish(fmt.Errorf("generate: %w", err))
	}
	// Deliver the rest even when interrupted; a fresh context so that a
	// signal does not cut the final upload short.
	flushCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := tr.Close(flushCtx); err != nil {
		return finish(deliveryError(err))
	}
	if st := tr.Stats(); st.LastError != "" {
		return finish(fmt.Errorf("delivery to %s failed: %s", where, st.LastError))
	}
	if err := finish(spanErr); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "delivered %d events in %d log files (%d digests) to s3://%s in %s (%.0f events/s)\n",
		sum.EventsDelivered, sum.Files, sum.Digests, f.bucket, time.Duration(sum.DurationSeconds*float64(time.Second)).Round(time.Millisecond), sum.EventsPerSecond)
	// Interrupted, the run stopped cleanly with what it generated
	// delivered: success.
	return nil
}

// sendRate is the rate of n events sent from first to last: n-1
// intervals over their span (n/span would count one event too many), 0
// when it cannot be told.
func sendRate(n int, first, last time.Time) float64 {
	span := last.Sub(first).Seconds()
	if n < 2 || span <= 0 {
		return 0
	}
	return float64(n-1) / span
}

// deliverer ticks a trail on its own goroutine, so that uploads never hold
// up the pace of generation.
type deliverer struct {
	tr        *trail.Trail
	wall      wallClock
	busySince atomic.Int64 // wall clock (UnixNano) when the running Tick began, 0 when idle
	lagLimit  time.Duration
	stopc     chan struct{}
	done      chan struct{}
	once      sync.Once
	err       error // the first delivery failure, read after done
}

// startDeliverer ticks tr often enough for windows of interval in
// simulated time at speedup, until stopped or a delivery fails (then
// fail is called with the error).
func startDeliverer(ctx context.Context, tr *trail.Trail, wall wallClock, interval time.Duration, speedup float64,
	fail func(error)) *deliverer {
	wallInterval := time.Duration(float64(interval) / speedup)
	d := &deliverer{tr: tr, wall: wall, stopc: make(chan struct{}), done: make(chan struct{}),
		// Generation waits for a delivery that has taken longer than a
		// window: the store is not keeping up, and memory would grow.
		lagLimit: max(wallInterval, 2*time.Second)}
	every := min(max(wallInterval/10, 10*time.Millisecond), 200*time.Millisecond)
	go func() {
		defer close(d.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-d.stopc:
				return
			case <-t.C:
			}
			d.busySince.Store(wall.Now().UnixNano())
			err := tr.Tick(ctx)
			d.busySince.Store(0)
			if err != nil {
				d.err = err
				fail(err)
				return
			}
		}
	}()
	return d
}

// wait returns at once unless the running delivery has taken longer than
// the lag limit; then it waits for it to end (or ctx).
func (d *deliverer) wait(ctx context.Context) error {
	for {
		b := d.busySince.Load()
		if b == 0 || d.wall.Now().Sub(time.Unix(0, b)) < d.lagLimit {
			return ctx.Err()
		}
		if err := d.wall.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
}

// stop ends the ticks and returns the delivery failure, if any.
func (d *deliverer) stop() error {
	d.once.Do(func() { close(d.stopc) })
	<-d.done
	return d.err
}
