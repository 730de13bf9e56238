package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Progress of a load run: a live display (two bars, generated and
// uploaded) when stderr is a terminal, else a plain line every interval.
// Both show the counts that move from the first second on — events
// generated, pending (generated but in no stored log file yet), uploaded,
// files, bytes — because log files are stored only when their delivery
// window (5 minutes by default) closes.

// Default progress intervals: how often the live display is redrawn, and
// how often a plain line is printed.
const (
	defaultLiveEvery  = 250 * time.Millisecond
	defaultPlainEvery = 10 * time.Second
)

// progressSnap is the state of a run at one moment.
type progressSnap struct {
	Elapsed   time.Duration
	Generated int64 // events sent to the trail
	Uploaded  int   // events in stored log files
	Files     int   // log files stored
	Bytes     int64 // bytes stored
}

// progressPlan is what a run is to do, for percentages and ETAs: Events
// (0 when not known in advance) or Duration, at Rate (0: as fast as
// possible).
type progressPlan struct {
	Events   int64
	Duration time.Duration
	Rate     float64
}

// rate is the rate of events generated between prev and cur, or the
// average since the start when no time passed between them.
func (cur progressSnap) rate(prev progressSnap) float64 {
	if dt := (cur.Elapsed - prev.Elapsed).Seconds(); dt > 0 {
		return float64(cur.Generated-prev.Generated) / dt
	}
	if s := cur.Elapsed.Seconds(); s > 0 {
		return float64(cur.Generated) / s
	}
	return 0
}

// eta is the time left to generate the run at recent rate r, or false
// when it cannot be told.
func (p progressPlan) eta(cur progressSnap, r float64) (time.Duration, bool) {
	switch {
	case p.Events > 0:
		left := p.Events - cur.Generated
		if left <= 0 {
			return 0, true
		}
		if p.Rate > 0 {
			r = p.Rate
		}
		if r <= 0 {
			return 0, false
		}
		return time.Duration(float64(left) / r * float64(time.Second)), true
	case p.Duration > 0:
		return max(p.Duration-cur.Elapsed, 0), true
	}
	return 0, false
}

// fraction is how much of the run n events (or the elapsed time) are, in
// [0, 1].
func (p progressPlan) fraction(n int64, elapsed time.Duration) float64 {
	f := 0.0
	switch {
	case p.Events > 0:
		f = float64(n) / float64(p.Events)
	case p.Duration > 0:
		f = elapsed.Seconds() / p.Duration.Seconds()
	}
	return min(max(f, 0), 1)
}

// generatedText is the generated part of a progress report.
func (p progressPlan) generatedText(cur, prev progressSnap) string {
	r := cur.rate(prev)
	s := fmt.Sprintf("%d events (%.0f/s), pending %d", cur.Generated, r, cur.Generated-int64(cur.Uploaded))
	if eta, ok := p.eta(cur, r); ok {
		s += fmt.Sprintf(", ETA %s", eta.Round(time.Second))
	}
	return s
}

// uploadedText is the uploaded part of a progress report.
func uploadedText(cur progressSnap) string {
	return fmt.Sprintf("%d events in %d files (%s)", cur.Uploaded, cur.Files, humanBytes(cur.Bytes))
}

// line is a plain progress line.
func (p progressPlan) line(cur, prev progressSnap) string {
	return fmt.Sprintf("load: %s: generated %s; uploaded %s\n", cur.Elapsed.Round(time.Second), p.generatedText(cur, prev), uploadedText(cur))
}

// progress reports the state of a run until stopped.
type progress struct {
	stopOnce sync.Once
	stopc    chan struct{}
	done     chan struct{}
}

// startProgress reports on w every interval from snap: live bars when
// live, else plain lines. interval 0 reports nothing.
func startProgress(w io.Writer, live bool, every time.Duration, plan progressPlan, snap func() progressSnap) *progress {
	pr := &progress{stopc: make(chan struct{}), done: make(chan struct{})}
	switch {
	case every <= 0:
		close(pr.done)
	case live:
		go pr.live(w, every, plan, snap)
	default:
		go pr.plain(w, every, plan, snap)
	}
	return pr
}

// stop ends the reports and waits for the last one.
func (pr *progress) stop() {
	pr.stopOnce.Do(func() { close(pr.stopc) })
	<-pr.done
}

func (pr *progress) plain(w io.Writer, every time.Duration, plan progressPlan, snap func() progressSnap) {
	defer close(pr.done)
	t := time.NewTicker(every)
	defer t.Stop()
	var prev progressSnap
	for {
		select {
		case <-pr.stopc:
			return
		case <-t.C:
			cur := snap()
			io.WriteString(w, plan.line(cur, prev))
			prev = cur
		}
	}
}

// barScale is the total of a bar: the run's fraction in parts per 10,000.
const barScale = 10_000

func (pr *progress) live(w io.Writer, every time.Duration, plan progressPlan, snap func() progressSnap) {
	defer close(pr.done)
	opts := []mpb.ContainerOption{mpb.WithOutput(w), mpb.WithRefreshRate(every)}
	if f, ok := w.(*os.File); !ok || !isTerminal(f) {
		// Asked for live bars elsewhere than on a terminal: draw them,
		// in lines of a fixed width.
		opts = append(opts, mpb.ForceTTY(), mpb.WithAutoRefresh(), mpb.WithWidth(160))
	}
	p := mpb.New(opts...)
	var genText, upText atomic.Value
	genText.Store("")
	upText.Store("")
	text := func(v *atomic.Value) decor.Decorator {
		return decor.Any(func(decor.Statistics) string { return v.Load().(string) })
	}
	bar := func(name string, v *atomic.Value) *mpb.Bar {
		return p.AddBar(barScale, mpb.BarWidth(24),
			mpb.PrependDecorators(decor.Name(name, decor.WC{W: len("generated") + 1, C: decor.DindentRight})),
			mpb.AppendDecorators(text(v)))
	}
	gen, up := bar("generated", &genText), bar("uploaded", &upText)
	var prev progressSnap
	update := func() {
		cur := snap()
		genText.Store(plan.generatedText(cur, prev))
		upText.Store(uploadedText(cur))
		gen.SetCurrent(int64(plan.fraction(cur.Generated, cur.Elapsed) * barScale))
		up.SetCurrent(int64(plan.fraction(int64(cur.Uploaded), cur.Elapsed) * barScale))
		prev = cur
	}
	update()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-pr.stopc:
			update()
			gen.SetTotal(-1, true)
			up.SetTotal(-1, true)
			p.Wait()
			return
		case <-t.C:
			update()
		}
	}
}

// isTerminal reports whether f is a terminal a live display can be drawn
// on: one that tells its width (a pseudo-terminal of size 0 does not).
func isTerminal(f *os.File) bool {
	cw := cupwriter.New(f, false)
	if !cw.IsTerminal() {
		return false
	}
	w, _, err := cw.GetTermSize()
	return err == nil && w > 0
}
