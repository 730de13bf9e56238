package generator

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/brianvoe/gofakeit/v6"
	"github.com/firetrail/firetrail/schemas"
)

// Tuning of the world.
const (
	maxLive       = 10 // live streams per account and region before creates stop
	deletedMemory = 4  // deleted streams remembered per account and region
	// maxPinned bounds the production streams provision gives a region:
	// at half their quota 100 take 100,000 requests a second in the
	// busiest regions (50,000 elsewhere); more needs more accounts.
	maxPinned = 100
	// feedbackGain steers the shares of reads, data events and errors to
	// their targets: the probability of a kind is its target plus
	// feedbackGain times how far the share so far falls short of it.
	feedbackGain  = 10
	feedbackPrior = 100
	// encryptionHeadroom is how far below AWS's limit of encryption calls
	// a day (schemas.FirehoseEncryptionCalls) background activity stops
	// making them on a stream: room for a planted incident's calls.
	encryptionHeadroom = 5
)

// pending is one scheduled call; every pending call becomes one record.
// It holds few pointers: push copies it into the slots, and while the
// garbage collector marks, every pointer copied costs a write barrier.
type pending struct {
	at      int64 // unix seconds
	seq     uint64
	p       *principal
	rs      *regionState
	st      *stream
	version int // version id the caller read (UpdateDestination)
	act     action
	noErr   bool  // never inject an error
	label   int16 // incident number + 1 (its forced error and foreign account), 0 for background
}

// sim is one run of the world. It is single-goroutine and deterministic:
// its randomness comes from sources seeded by the Config.
type sim struct {
	cfg   Config
	minor int
	r     *rand.Rand
	fake  *gofakeit.Faker
	ids   *idSource

	accounts    []*account
	regions     []*regionState // every account × region
	weights     []float64      // regions[i].weight, scanned without loading each region
	totalWeight float64
	orgID       string
	scpARN      string

	nextBG int64
	// filling: paced (Config.Rate) with data events, the world's time runs
	// as the records' and producers' data calls fill the rate (next).
	filling bool
	lastAt  int64 // world time of the last call emitted
	heap    []heapKey
	slots   []pending
	free    []int32
	seq     uint64
	deck    []Destination

	emitted, reads, datas, errs int

	label int16 // label of the record just emitted
	err   error

	tpl   templates
	bytes slab // the bytes of requests and responses

	scenario  []incidentPlan
	incidents []Incident

	onSecret func(string) // tests: every secret the world holds
}

func newSim(cfg Config) (*sim, error) {
	w := &sim{
		cfg:   cfg,
		minor: cfg.minor(),
		r:     rand.New(rand.NewSource(cfg.Seed)),
		fake:  gofakeit.NewCustom(rand.NewSource(cfg.Seed ^ 0x2545f4914f6cdd1d).(rand.Source64)),
		ids:   newIDSource(cfg.Seed ^ 0x6a09e667f3bcc908),
	}
	w.nextBG = cfg.Start.Unix()
	if cfg.Rate > 0 {
		// Paced: the world runs from a fixed instant, whatever Start is,
		// and outUnix places its records from Start.
		w.nextBG = DefaultStart.Unix()
		w.filling = cfg.Rate < RateMax && cfg.DataEventShare >= 0
	}
	if err := w.buildTemplates(); err != nil {
		return nil, err
	}
	if cfg.Org {
		w.orgID = cfg.OrgID
		if w.orgID == "" {
			w.orgID = "o-" + alnumLower(w.r, 10)
		}
	}
	seen := map[string]bool{}
	for len(w.accounts) < cfg.Accounts {
		id := accountID(w.r) // drawn even when replaced: the rest of the world stays the same
		if n := len(w.accounts); n < len(cfg.AccountIDs) {
			id = cfg.AccountIDs[n]
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		a := w.newAccount(id)
		w.accounts = append(w.accounts, a)
		for i, name := range cfg.Regions {
			rs := &regionState{name: name, acct: a, weight: a.weight * regionWeight(name, i)}
			host := "firehose." + name + ".amazonaws.com"
			rs.tls12 = &schemas.TLSDetails{TLSVersion: "TLSv1.2", CipherSuite: "ECDHE-RSA-AES128-GCM-SHA256", ClientProvidedHostHeader: host}
			rs.tls13 = &schemas.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: host}
			lists := [...]*firehose.ListDeliveryStreamsInput{
				{Limit: aws.Int32(10)},
				{},
				{Limit: aws.Int32(100), DeliveryStreamType: types.DeliveryStreamTypeDirectPut},
			}
			for j, in := range lists {
				b, err := schemas.RenderFirehoseRequest(in)
				if err != nil {
					return nil, fmt.Errorf("render ListDeliveryStreams: %w", err)
				}
				rs.list[j] = b
			}
			a.regions = append(a.regions, rs)
			w.regions = append(w.regions, rs)
			w.weights = append(w.weights, rs.weight)
			w.totalWeight += rs.weight
		}
		for _, rs := range a.regions {
			w.addRegional(rs)
		}
	}
	if w.orgID != "" {
		w.scpARN = "arn:aws:organizations::" + w.accounts[0].id + ":policy/" + w.orgID + "/service_control_policy/p-" + alnumLower(w.r, 8)
	}
	if !cfg.EmptyWorld {
		for _, rs := range w.regions {
			for range 1 + w.r.Intn(4) {
				if _, err := w.oldStream(rs); err != nil {
					return nil, err
				}
			}
		}
		if w.filling {
			for _, rs := range w.regions {
				if err := w.provision(rs); err != nil {
					return nil, err
				}
			}
		}
	}
	w.planScenario()
	return w, nil
}

// oldStream adds a live stream to rs, created before the run.
func (w *sim) oldStream(rs *regionState) (*stream, error) {
	d := w.nextDest()
	s, err := w.newStream(rs, d, w.newStreamName(rs, d))
	if err != nil {
		return nil, err
	}
	w.secrets(s)
	s.created = w.nextBG - 86400*int64(1+w.r.Intn(300))
	s.active = s.created + 60
	s.version = 1 + w.r.Intn(5)
	s.live = true
	rs.live = append(rs.live, s)
	return s, nil
}

// provision gives rs, for a paced run whose data events fill the rate,
// its production streams (stream.pinned): DirectPut streams created before
// the run for the filling data events, enough for rs's share of
// Config.Rate at half a stream's request quota (putQuota), at most
// maxPinned. The world never deletes them by itself.
func (w *sim) provision(rs *regionState) error {
	perStream := float64(putQuota(rs.name)) / 2
	need := int(min(math.Ceil(w.cfg.Rate*rs.weight/w.totalWeight/perStream), maxPinned))
	for range max(need, 1) {
		s, err := w.oldStream(rs)
		if err != nil {
			return err
		}
		s.typ = types.DeliveryStreamTypeDirectPut
		s.pinned = true
	}
	return nil
}

// putQuota is the PutRecord and PutRecordBatch requests a second that a
// DirectPut stream of region takes (Firehose quotas: 2,000 in us-east-1,
// us-west-2 and eu-west-1, 1,000 elsewhere); past it AWS answers
// ServiceUnavailableException.
func putQuota(region string) int {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return 2000
	}
	return 1000
}

func (w *sim) secrets(s *stream) {
	if w.onSecret != nil {
		for _, x := range s.secrets {
			w.onSecret(x)
		}
	}
}

// nextDest deals destination types from a shuffled deck so that every type
// comes up within every numDestinations creations.
func (w *sim) nextDest() Destination {
	if len(w.deck) == 0 {
		w.deck = Destinations()
		w.r.Shuffle(len(w.deck), func(i, j int) { w.deck[i], w.deck[j] = w.deck[j], w.deck[i] })
	}
	d := w.deck[0]
	w.deck = w.deck[1:]
	return d
}

// The pending calls form a binary heap ordered by (at, seq). The heap holds
// only keys and slot numbers, so sifting moves no pointers (no GC write
// barriers); the calls themselves stay put in slots, recycled through free.

type heapKey struct {
	at   int64
	seq  uint64
	slot int32
}

func (k heapKey) less(o heapKey) bool { return k.at < o.at || k.at == o.at && k.seq < o.seq }

func (w *sim) push(pe pending) {
	w.seq++
	pe.seq = w.seq
	var slot int32
	if n := len(w.free); n > 0 {
		slot = w.free[n-1]
		w.free = w.free[:n-1]
		w.slots[slot] = pe
	} else {
		slot = int32(len(w.slots))
		w.slots = append(w.slots, pe)
	}
	// The heap's slice is stored back only in the forms the compiler
	// writes without a pointer (append to itself, reslice of itself): a
	// store of its pointer costs a write barrier while the collector marks.
	w.heap = append(w.heap, heapKey{at: pe.at, seq: pe.seq, slot: slot})
	h := w.heap
	i := len(h) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !h[i].less(h[parent]) {
			break
		}
		h[i], h[parent] = h[parent], h[i]
		i = parent
	}
}

// pop removes the earliest call; it stays valid until the next push.
func (w *sim) pop() *pending {
	h := w.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	w.heap = w.heap[:n]
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h[r].less(h[l]) {
			m = r
		}
		if !h[m].less(h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	w.free = append(w.free, top.slot)
	return &w.slots[top.slot]
}

// next writes the next record in time order to rec.
//
// With filling set, the world's time may not pass paceNow, the time at which
// the record's index falls at Config.Rate: what is due by then comes first,
// and when nothing is, a producer's data call at that time fills the
// record (unless no region has a live DirectPut stream: then the world
// runs ahead until one has, and fills from where it got to).
func (w *sim) next(rec *schemas.Record) {
	for {
		due := w.nextBG
		if w.filling {
			if now := max(w.paceNow(), w.lastAt); now < due {
				due = now
				if (len(w.heap) == 0 || w.heap[0].at > now) && !w.fillData(now) {
					due = w.nextBG
				}
			}
		}
		if len(w.heap) > 0 && w.heap[0].at <= due {
			w.emit(w.pop(), rec)
			return
		}
		t := w.nextBG
		w.spawn(t)
		w.nextBG = t + w.gap(t)
	}
}

// fillData makes a producer's data call at t on an ACTIVE DirectPut
// stream of a region picked by weight (or of any region), for next; it
// reports false when no region has one. The region's production streams
// (provision) are among them.
func (w *sim) fillData(t int64) bool {
	rs := w.pickRegion()
	s := w.pickPut(rs, t)
	for i := 0; s == nil && i < len(w.regions); i++ {
		rs = w.regions[i]
		s = w.pickPut(rs, t)
	}
	if s == nil {
		return false
	}
	p := w.pickPrincipal(rs, classData)
	w.push(pending{at: t, act: w.dataAction(p), p: p, rs: rs, st: s})
	return true
}

// gap returns the seconds until the next background activity after t: a
// working day (busy 08–18 UTC on weekdays, quieter evenings, quiet nights
// and weekends), faster with more accounts.
func (w *sim) gap(t int64) int64 {
	day := t / 86400
	hour := (t % 86400) / 3600
	weekday := (day + 4) % 7 // 1970-01-01 was a Thursday
	mean := 45.0
	switch {
	case w.filling:
		// Paced by the records' time: a working day around the clock
		// (the world must not depend on when a run starts).
		mean = 5
	case weekday == 0 || weekday == 6:
		mean = 120
	case hour >= 8 && hour < 18:
		mean = 5
	case hour >= 6 && hour < 22:
		mean = 20
	}
	mean /= float64(len(w.accounts))
	return int64(w.r.ExpFloat64() * mean)
}

// chance reports true with a probability that steers count/emitted toward
// target.
func (w *sim) chance(target float64, count int) bool {
	if target <= 0 {
		return false
	}
	return w.r.Float64() < target+feedbackGain*(target-w.share(target, count))
}

// share is the share count/emitted so far, started as if feedbackPrior
// records had met the target: the first records are not steered hard.
func (w *sim) share(target float64, count int) float64 {
	return (float64(count) + target*feedbackPrior) / (float64(w.emitted) + feedbackPrior)
}

// pickRegion picks an account-region by weight.
func (w *sim) pickRegion() *regionState {
	x := w.r.Float64() * w.totalWeight
	for i, wt := range w.weights {
		x -= wt
		if x < 0 {
			return w.regions[i]
		}
	}
	return w.regions[len(w.regions)-1]
}

// Activity classes, indexes of regionState.cum.
const (
	classRead = iota
	classWrite
	classData
)

// pickPrincipal picks a caller in rs (the account's principals and those
// running in rs), weighted by its kind's weight for the activity class.
func (w *sim) pickPrincipal(rs *regionState, class int) *principal {
	global := rs.acct.principals
	cum := rs.cum[class]
	if len(cum) != len(global)+len(rs.own) {
		cum = cum[:0]
		total := 0.0
		for _, ps := range [...][]*principal{global, rs.own} {
			for _, p := range ps {
				k := &kinds[p.kind]
				total += [...]float64{k.read, k.write, k.data}[class]
				cum = append(cum, total)
			}
		}
		rs.cum[class] = cum
	}
	// The first principal whose cumulative weight exceeds x; principals of
	// weight zero are never chosen.
	x := w.r.Float64() * cum[len(cum)-1]
	i := min(sort.Search(len(cum), func(i int) bool { return cum[i] > x }), len(cum)-1)
	if i < len(global) {
		return global[i]
	}
	return rs.own[i-len(global)]
}

// pickLive picks a live stream of rs, or nil; with directPut only
// DirectPut streams.
func (w *sim) pickLive(rs *regionState, directPut bool) *stream {
	if len(rs.live) == 0 {
		return nil
	}
	i := w.r.Intn(len(rs.live))
	if !directPut {
		return rs.live[i]
	}
	for j := range rs.live {
		s := rs.live[(i+j)%len(rs.live)]
		if s.typ == types.DeliveryStreamTypeDirectPut {
			return s
		}
	}
	return nil
}

// spawn starts one background activity at t: it pushes at least one call
// at t and possibly follow-ups.
func (w *sim) spawn(t int64) {
	if w.plant(t) {
		return
	}
	rs := w.pickRegion()
	readT := w.cfg.ReadOnlyShare
	dataT := max(w.cfg.DataEventShare, 0)
	writeT := 1 - readT - dataT
	writes := w.emitted - w.reads - w.datas
	wr := max(0, readT+feedbackGain*(readT-w.share(readT, w.reads)))
	wd := max(0, dataT+feedbackGain*(dataT-w.share(dataT, w.datas)))
	ww := max(0, writeT+feedbackGain*(writeT-w.share(writeT, writes)))
	x := w.r.Float64() * (wr + wd + ww)
	switch {
	case x < wd:
		if s := w.pickLive(rs, true); s != nil {
			w.spawnData(t, rs, s)
			return
		}
		w.spawnRead(t, rs)
	case x < wd+wr:
		w.spawnRead(t, rs)
	default:
		w.spawnWrite(t, rs)
	}
}

func (w *sim) spawnData(t int64, rs *regionState, s *stream) {
	p := w.pickPrincipal(rs, classData)
	act := w.dataAction(p)
	for i := range 1 + w.r.Intn(3) {
		w.push(pending{at: t + int64(i*(1+w.r.Intn(5))), act: act, p: p, rs: rs, st: s})
	}
}

// dataAction is the data call producer p makes: PutRecordBatch, or
// PutRecord for the producers that put records one by one.
func (w *sim) dataAction(p *principal) action {
	switch p.kind {
	case pJavaProducer:
		return actPutRecord
	case pFederatedPartner, pCrossAccount:
		if w.r.Intn(2) == 0 {
			return actPutRecord
		}
	}
	return actPutRecordBatch
}

func (w *sim) spawnRead(t int64, rs *regionState) {
	p := w.pickPrincipal(rs, classRead)
	s := w.pickLive(rs, false)
	if s == nil {
		w.push(pending{at: t, act: actList, p: p, rs: rs})
		return
	}
	switch p.kind {
	case pRootConsole, pUserConsole, pSSOConsole, pIdentityCenter:
		// A console list page: the list, then a describe per visible stream.
		w.push(pending{at: t, act: actList, p: p, rs: rs})
		for i := range min(len(rs.live), 1+w.r.Intn(3)) {
			w.push(pending{at: t + 1 + int64(i), act: actDescribe, p: p, rs: rs, st: rs.live[i]})
		}
	case pTerraformOIDC, pCloudFormation, pCodeBuild:
		w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
		w.push(pending{at: t + 1, act: actListTags, p: p, rs: rs, st: s})
	case pEC2Monitor, pRole:
		if len(rs.deleted) > 0 && w.r.Intn(20) == 0 {
			// A monitor still polling a stream someone deleted.
			s = rs.deleted[w.r.Intn(len(rs.deleted))]
		}
		w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
	default:
		switch w.r.Intn(4) {
		case 0:
			w.push(pending{at: t, act: actList, p: p, rs: rs})
		case 1:
			w.push(pending{at: t, act: actListTags, p: p, rs: rs, st: s})
		default:
			w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
		}
	}
}

func (w *sim) spawnWrite(t int64, rs *regionState) {
	p := w.pickPrincipal(rs, classWrite)
	s := w.pickActive(rs, t, false)
	live := len(rs.live)
	x := w.r.Intn(100)
	switch {
	case s == nil || live < 2 && x < 60 || live < maxLive && x < 10:
		w.spawnCreate(t, rs, p, w.r.Intn(40) == 0)
	case x < 17 && live > 1 && s.pinned:
		// A production stream is not deleted: a look at it.
		w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
	case x < 17 && live > 1:
		// Delete, often after a look.
		at := t
		if w.r.Intn(2) == 0 && w.readsShort() {
			w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
			at += 2 + w.r.Int63n(20)
		}
		w.push(pending{at: at, act: actDelete, p: p, rs: rs, st: s})
	case x < 45:
		// Update is usually preceded by the describe that yields the
		// version id (unless reads are over their share).
		at := t
		if w.readsShort() || w.r.Intn(4) == 0 {
			w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
			at += 3 + w.r.Int63n(30)
		}
		w.push(pending{at: at, act: actUpdate, p: p, rs: rs, st: s, version: -1})
	case x < 66:
		w.push(pending{at: t, act: actTag, p: p, rs: rs, st: s})
		if p.kind == pTerraformOIDC {
			w.push(pending{at: t + 1, act: actListTags, p: p, rs: rs, st: s})
		}
	case x < 80:
		w.push(pending{at: t, act: actUntag, p: p, rs: rs, st: s})
	default:
		// Server-side encryption is for DirectPut streams only.
		if d := w.pickActive(rs, t, true); d != nil {
			s = d
		}
		if s.encCalls.Recent(time.Unix(w.outUnix(t), 0)) >= schemas.FirehoseEncryptionCalls-encryptionHeadroom {
			// Nobody toggles encryption that often: a look at it
			// instead of a call AWS's limit would soon refuse.
			w.push(pending{at: t, act: actDescribe, p: p, rs: rs, st: s})
			return
		}
		act := actStartEnc
		if s.enc {
			act = actStopEnc
		}
		w.push(pending{at: t, act: act, p: p, rs: rs, st: s})
		if w.readsShort() {
			w.push(pending{at: t + 5 + w.r.Int63n(10), act: actDescribe, p: p, rs: rs, st: s})
		}
	}
}

// readsShort reports whether read-only calls are below their target share,
// so that activities may add their optional reads.
func (w *sim) readsShort() bool {
	return w.share(w.cfg.ReadOnlyShare, w.reads) < w.cfg.ReadOnlyShare
}

// pickPut picks one of the DirectPut streams of rs that are ACTIVE at t,
// each as likely as the others, or returns nil if there is none.
func (w *sim) pickPut(rs *regionState, t int64) *stream {
	takes := func(s *stream) bool { return s.typ == types.DeliveryStreamTypeDirectPut && t >= s.active }
	n := 0
	for _, s := range rs.live {
		if takes(s) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	k := w.r.Intn(n)
	for _, s := range rs.live {
		if takes(s) {
			if k == 0 {
				return s
			}
			k--
		}
	}
	return nil
}

// pickActive picks a live stream of rs that is no longer CREATING at t,
// trying a few times; it may return a CREATING one (whose writes fail with
// ResourceInUseException, as in AWS) or nil.
func (w *sim) pickActive(rs *regionState, t int64, directPut bool) *stream {
	var s *stream
	for range 3 {
		if s = w.pickLive(rs, directPut); s == nil || t >= s.active {
			return s
		}
	}
	return s
}

// spawnCreate creates a stream (or, with dup, tries to create one whose
// name is taken) and polls it until it is active.
func (w *sim) spawnCreate(t int64, rs *regionState, p *principal, dup bool) {
	var s *stream
	var err error
	if existing := w.pickLive(rs, false); dup && existing != nil {
		s, err = w.newStream(rs, existing.dest, existing.name)
	} else {
		d := w.nextDest()
		s, err = w.newStream(rs, d, w.newStreamName(rs, d))
	}
	if err != nil {
		w.err = err
		return
	}
	w.secrets(s)
	w.push(pending{at: t, act: actCreate, p: p, rs: rs, st: s})
	at := t
	polls := 1
	if w.readsShort() {
		polls += 1 + w.r.Intn(4)
	}
	for range polls {
		at += 3 + w.r.Int63n(8)
		w.push(pending{at: at, act: actDescribe, p: p, rs: rs, st: s})
	}
}

// emit turns a pending call into rec, applying it to the world. pe may be
// reused by the next push: emit copies what it needs first.
func (w *sim) emit(pe0 *pending, rec *schemas.Record) {
	pe := &pending{}
	*pe = *pe0
	t := pe.at
	// The record's written time, which the service's limits count by.
	written := time.Unix(w.outUnix(t), 0).UTC()
	rs, s, a := pe.rs, pe.st, pe.act
	acct := rs.acct.id
	var fail schemas.FirehoseError
	var req, resp []byte
	var next any // the destination an UpdateDestination sets

	// The request, and the failures the world's state causes (the error
	// table of schemas, which the emulator answers from too).
	switch a {
	case actList:
		req = rs.list[int(pe.seq%3)]
	case actCreate:
		req = s.createReq
		if other := rs.find(s.name); other != nil {
			fail = schemas.FirehoseAlreadyExists(s.name, acct)
		}
	default:
		if a == actUpdate && pe.version < 0 {
			pe.version = s.version // the caller read the version just before
		}
		switch a {
		case actDescribe, actListTags, actDelete, actStopEnc:
			req = s.nameReq
		case actPutRecord:
			req = s.putReq
		case actPutRecordBatch:
			req = s.batchRequest(&w.bytes, batchSize(w.r))
		case actUpdate:
			req, next = w.update(pe)
		default:
			req = w.render(w.input(pe), s)
		}
		switch {
		case !s.live:
			fail = schemas.FirehoseNotFound(s.name, acct)
		case t < s.active && a.data():
			// A CREATING stream takes no data yet: AWS answers not found.
			fail = schemas.FirehoseNotFound(s.name, acct)
		case t < s.active && (a == actUpdate || a == actDelete || a == actStartEnc || a == actStopEnc):
			// Tags may change while CREATING (docs/firehose.md).
			fail = schemas.FirehoseNotActive(s.name, acct, string(types.DeliveryStreamStatusCreating))
		case a == actUpdate && pe.version != s.version:
			fail = schemas.FirehoseVersionMismatch(s.name, strconv.Itoa(s.version), strconv.Itoa(pe.version))
		case a.data() && s.typ != types.DeliveryStreamTypeDirectPut:
			fail = schemas.FirehoseWrongSourceType(string(s.typ))
		case a == actStartEnc && s.typ != types.DeliveryStreamTypeDirectPut:
			fail = schemas.FirehoseEncryptionNotDirectPut(string(s.typ))
		case (a == actStartEnc || a == actStopEnc) && s.encCalls.Recent(written) >= schemas.FirehoseEncryptionCalls:
			fail = schemas.FirehoseStreamLimit(s.name, acct)
		case a.data() && !s.takePut(written.Unix(), putQuota(rs.name)):
			fail = schemas.FirehoseSlowDown()
		}
	}
	if inc := w.incident(pe); inc != nil && inc.forceErr != "" {
		fail = w.injected(pe, inc.forceErr)
	} else if fail.Code == "" && !pe.noErr && w.chance(w.cfg.ErrorShare, w.errs) {
		fail = w.injected(pe, w.pickError(pe))
	}
	code := fail.Code
	p := pe.p // pickError may hand the call to a denied principal
	p.refresh(w, t)
	p.place(w, t)

	// Success changes the world.
	if code == "" {
		switch a {
		case actCreate:
			s.live, s.created, s.active = true, t, t+20+w.r.Int63n(40)
			rs.live = append(rs.live, s)
			resp = s.createResp
		case actDelete:
			w.remove(rs, s)
		case actUpdate:
			s.version++
			s.conf = next
		case actStartEnc:
			s.enc = true
			s.encCalls.Add(written)
		case actStopEnc:
			s.enc = false
			s.encCalls.Add(written)
		}
	}
	if a == actCreate {
		// A stream's create is emitted once: s keeps no slice of a shared
		// chunk alive.
		s.createReq, s.createResp = nil, nil
	}

	// Field by field into *rec, not a composite literal: that is built
	// in a temporary and copied (640 bytes): a quarter of emit's work.
	*rec = schemas.Record{}
	rec.EventVersion = w.cfg.EventVersion
	rec.UserIdentity = p.ident
	rec.EventTime = written
	rec.EventSource = schemas.FirehoseEventSource
	rec.EventName = actionNames[a]
	rec.AWSRegion = rs.name
	rec.SourceIPAddress = p.ip
	rec.UserAgent = p.userAgent(a)
	rec.ErrorCode = code
	rec.ErrorMessage = fail.Message
	rec.RequestParameters = req
	rec.ResponseElements = resp
	rec.RequestID = w.ids.uuid()
	rec.EventID = w.ids.uuid()
	rec.EventType = "AwsApiCall"
	rec.RecipientAccountID = acct
	ro := a.readOnly()
	m := w.minor
	if m >= 1 {
		rec.ReadOnly = schemas.Bool(ro)
	}
	if m >= 6 {
		rec.ManagementEvent = schemas.Bool(!a.data())
	}
	if m >= 7 {
		rec.EventCategory = "Management"
		if a.data() {
			rec.EventCategory = "Data"
		}
	}
	if a.data() {
		rec.Resources = s.resources
	}
	if m >= 8 {
		if p.direct() {
			rec.TLSDetails = rs.tls12
			if p.tls13 {
				rec.TLSDetails = rs.tls13
			}
		}
		if p.console() {
			rec.SessionCredentialFromConsole = "true"
		}
	}
	if p.vpce != "" && m >= 4 {
		rec.VPCEndpointID = p.vpce
		if m >= 9 {
			rec.VPCEndpointAccountID = acct
		}
	}
	w.lastAt = t
	w.emitted++
	if ro {
		w.reads++
	}
	if a.data() {
		w.datas++
	}
	if code != "" {
		w.errs++
	}
	w.label = pe.label
}

// maxOutUnix is the last second outUnix gives: 9999-12-31T23:59:59Z, where
// a paced run of more records than any run sends stops moving.
const maxOutUnix = 253402300799

// outUnix is the time (unix seconds) written for the record emitted now at
// the world's time t: t itself, or, with Config.Rate, Start + ⌊i/Rate⌋ for
// the record's index i in the whole run. Principals' sessions and
// addresses expire by it (see refresh).
func (w *sim) outUnix(t int64) int64 {
	if w.cfg.Rate <= 0 {
		return t
	}
	return w.paced(w.cfg.Start.Unix())
}

// paceNow is, with filling, the world's time at which the next record falls:
// DefaultStart + ⌊i/Rate⌋, as outUnix from Start.
func (w *sim) paceNow() int64 { return w.paced(DefaultStart.Unix()) }

// paced is from + ⌊i/Rate⌋ for the index i of the next record, at most
// maxOutUnix.
func (w *sim) paced(from int64) int64 {
	return from + int64(min(float64(w.emitted)/w.cfg.Rate, float64(maxOutUnix-from)))
}

// remove deletes s from rs.
func (w *sim) remove(rs *regionState, s *stream) {
	for i, x := range rs.live {
		if x == s {
			rs.live = append(rs.live[:i], rs.live[i+1:]...)
			break
		}
	}
	s.live, s.gone = false, true
	if len(rs.deleted) == deletedMemory {
		rs.deleted = append(rs.deleted[:0], rs.deleted[1:]...)
	}
	rs.deleted = append(rs.deleted, s)
}

// render renders a Firehose input for stream s, keeping the first error.
// A template is filled with s's name.
func (w *sim) render(in any, s *stream) []byte {
	if t, ok := in.(*nameTemplate); ok {
		return w.fill(t, s.name)
	}
	b, err := w.renderRequest(in)
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("render %T: %w", in, err)
	}
	return b
}

// renderRequest is schemas.RenderFirehoseRequest into w's slab.
func (w *sim) renderRequest(in any) ([]byte, error) {
	b, err := schemas.AppendFirehoseRequest(w.bytes.room(renderRoom), in)
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return w.bytes.keep(b), nil
}

// fill fills t with name into w's slab.
func (w *sim) fill(t *nameTemplate, name string) []byte {
	return w.bytes.keep(t.fill(w.bytes.room(t.size(name)), name))
}

// input builds the input of a call whose request is not cached.
func (w *sim) input(pe *pending) any {
	s := pe.st
	name := aws.String(s.name)
	switch pe.act {
	case actTag:
		return w.tpl.tag[w.r.Intn(len(w.tpl.tag))]
	case actUntag:
		return w.tpl.untag[w.r.Intn(len(w.tpl.untag))]
	case actStartEnc:
		if w.r.Intn(2) == 0 {
			return w.tpl.startAWS
		}
		c := &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeCustomerManagedCmk, KeyARN: aws.String(w.kmsKeyARN(s))}
		return &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: name, DeliveryStreamEncryptionConfigurationInput: c}
	}
	panic("generator: no input builder for " + actionNames[pe.act])
}
