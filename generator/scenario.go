package generator

import (
	"math"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// Scenario names accepted by Config.Scenario.
const (
	ScenarioUnfamiliarDelete  = "unfamiliar-delete"
	ScenarioEncryptionStopped = "encryption-stopped"
	ScenarioExfilDestination  = "exfil-destination"
	ScenarioAccessDeniedBurst = "access-denied-burst"
	ScenarioAll               = "all"
)

// Scenarios lists the scenario names, sorted.
func Scenarios() []string {
	return []string{ScenarioAccessDeniedBurst, ScenarioAll, ScenarioEncryptionStopped, ScenarioExfilDestination, ScenarioUnfamiliarDelete}
}

// scenarioDescriptions say what each planted incident is.
var scenarioDescriptions = map[string]string{
	ScenarioUnfamiliarDelete:  "a delivery stream is listed, described and deleted by an IAM user never seen before, from a new IP address",
	ScenarioEncryptionStopped: "server-side encryption of a delivery stream is stopped",
	ScenarioExfilDestination:  "a delivery stream's destination is switched to an S3 bucket of another account",
	ScenarioAccessDeniedBurst: "a burst of AccessDenied errors: one new access key probing many Firehose actions within two minutes",
}

// Incident is one planted incident of a scenario and the eventIDs of its
// records (those of this shard only).
type Incident struct {
	Label       string   `json:"label"`
	Description string   `json:"description"`
	EventIDs    []string `json:"eventIDs"`
}

// Manifest is the ground truth of a run with a scenario.
type Manifest struct {
	Scenario  string     `json:"scenario"`
	Config    Config     `json:"config"`
	Incidents []Incident `json:"incidents"`
}

// incidentPlan is an incident waiting for its place in the run.
type incidentPlan struct {
	label    string
	atEvent  int // plant when this many records have been emitted
	done     bool
	forceErr string // the error code every call of the incident fails with
	foreign  string // the account whose bucket its UpdateDestination sets
}

// incident returns the plan of pe's incident, nil for a background call.
func (w *sim) incident(pe *pending) *incidentPlan {
	if pe.label == 0 {
		return nil
	}
	return &w.scenario[pe.label-1]
}

func (w *sim) planScenario() {
	var labels []string
	switch w.cfg.Scenario {
	case "":
		return
	case ScenarioAll:
		labels = []string{ScenarioUnfamiliarDelete, ScenarioEncryptionStopped, ScenarioExfilDestination, ScenarioAccessDeniedBurst}
	default:
		labels = []string{w.cfg.Scenario}
	}
	for i, l := range labels {
		at := w.cfg.Events * (i + 1) / (len(labels) + 1)
		w.scenario = append(w.scenario, incidentPlan{label: l, atEvent: at})
		w.incidents = append(w.incidents, Incident{Label: l, Description: scenarioDescriptions[l], EventIDs: []string{}})
	}
}

// plant plants the next incident due at t; it reports whether it did.
func (w *sim) plant(t int64) bool {
	for i := range w.scenario {
		pl := &w.scenario[i]
		if pl.done || w.emitted < pl.atEvent {
			continue
		}
		pl.done = true
		w.plantIncident(t, pl.label, int16(i+1))
		return true
	}
	return false
}

// intruder makes a principal that the background never uses: a new IAM
// user with a long-term key, calling from a new address.
func (w *sim) intruder(a *account, name string) *principal {
	p := w.newPrincipal(a, pUserCLI, nil)
	a.principals = a.principals[:len(a.principals)-1]
	a.byKind[pUserCLI] = a.byKind[pUserCLI][:len(a.byKind[pUserCLI])-1]
	p.ident.UserName = name
	p.ident.ARN = "arn:aws:iam::" + a.id + ":user/" + name
	p.ip = publicIP(w.r)
	p.ipUntil = math.MaxInt64 // it stays at its new address
	p.uaBase = "Boto3/1.26.0 Python/3.8.10 Linux/5.4.0-150-generic Botocore/1.29.0"
	return p
}

// target finds or creates (at t, unlabelled, never failing) a stream of rs
// that ok accepts.
func (w *sim) target(t int64, rs *regionState, ok func(*stream) bool, d Destination) (*stream, int64) {
	for _, s := range rs.live {
		if ok(s) && t >= s.active {
			return s, t
		}
	}
	p := rs.acct.byKind[pTerraformOIDC][0]
	s, err := w.newStream(rs, d, w.newStreamName(rs, d))
	if err != nil {
		w.err = err
		return nil, t
	}
	s.typ = types.DeliveryStreamTypeDirectPut
	s.createReq = w.render(w.createInput(s), s)
	w.secrets(s)
	w.push(pending{at: t, act: actCreate, p: p, rs: rs, st: s, noErr: true})
	return s, t + 300
}

func (w *sim) plantIncident(t int64, label string, n int16) {
	rs := w.regions[w.r.Intn(len(w.regions))]
	a := rs.acct
	switch label {
	case ScenarioUnfamiliarDelete:
		s, at := w.target(t, rs, func(*stream) bool { return true }, DestExtendedS3)
		if s == nil {
			return
		}
		p := w.intruder(a, "svc-"+slug(w.fake.Word())+"-maint")
		w.push(pending{at: at, act: actList, p: p, rs: rs, noErr: true, label: n})
		w.push(pending{at: at + 20, act: actDescribe, p: p, rs: rs, st: s, noErr: true, label: n})
		w.push(pending{at: at + 47, act: actDelete, p: p, rs: rs, st: s, noErr: true, label: n})
	case ScenarioEncryptionStopped:
		s, at := w.target(t, rs, func(s *stream) bool { return s.typ == types.DeliveryStreamTypeDirectPut }, DestExtendedS3)
		if s == nil {
			return
		}
		p := a.byKind[pSSOConsole][0]
		if !s.enc {
			w.push(pending{at: at, act: actStartEnc, p: a.byKind[pTerraformOIDC][0], rs: rs, st: s, noErr: true})
			at += 600
		}
		w.push(pending{at: at, act: actDescribe, p: p, rs: rs, st: s, noErr: true})
		w.push(pending{at: at + 30, act: actStopEnc, p: p, rs: rs, st: s, noErr: true, label: n})
	case ScenarioExfilDestination:
		s, at := w.target(t, rs, func(s *stream) bool { return s.dest == DestS3 || s.dest == DestExtendedS3 }, DestExtendedS3)
		if s == nil {
			return
		}
		p := a.byKind[pUserCLI][0]
		w.scenario[n-1].foreign = accountID(w.r)
		w.push(pending{at: at, act: actDescribe, p: p, rs: rs, st: s, noErr: true, label: n})
		w.push(pending{at: at + 8, act: actUpdate, p: p, rs: rs, st: s, noErr: true, label: n, version: -1})
	case ScenarioAccessDeniedBurst:
		p := w.intruder(a, slug(w.fake.FirstName())+"-old-key")
		s := w.pickLive(rs, false)
		acts := [...]action{actList, actDescribe, actListTags, actUpdate, actDelete, actTag, actStopEnc, actPutRecord}
		at := t
		w.scenario[n-1].forceErr = ErrAccessDenied
		for i := range 20 + w.r.Intn(15) {
			act := acts[i%len(acts)]
			if s == nil {
				act = actList
			}
			w.push(pending{at: at, act: act, p: p, rs: rs, st: s, label: n})
			at += w.r.Int63n(5)
		}
	}
}
