package generator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/firetrail/firetrail/schemas"
)

// realismEvents is the run length of the realism checks: the acceptance
// figures are stated for 100,000 events.
func realismEvents() int {
	if testing.Short() {
		return 30_000
	}
	return 100_000
}

// inPrefixes reports whether ip is in one of the EC2 prefixes of region.
func inPrefixes(ip, region string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, s := range awsEC2Prefixes[region] {
		if netip.MustParsePrefix(s).Contains(a) {
			return true
		}
	}
	return false
}

// awsHosted reports whether rec's caller runs on AWS compute (EC2
// instance role, Lambda, ECS task, CodeBuild build).
func awsHosted(rec *schemas.Record) bool {
	id := &rec.UserIdentity
	if id.SessionContext != nil && id.SessionContext.EC2RoleDelivery != "" {
		return true
	}
	for _, env := range []string{"exec-env/AWS_Lambda", "exec-env/AWS_ECS_FARGATE", "exec-env/AWS_ECS_EC2"} {
		if strings.Contains(rec.UserAgent, env) {
			return true
		}
	}
	return false
}

// TestSources: no source address dominates, there are many, AWS-hosted
// callers call from AWS's prefixes of their region or through a VPC
// endpoint from a private address, and services keep their names.
func TestSources(t *testing.T) {
	events := realismEvents()
	for _, cfg := range []Config{
		{Seed: 1, Events: events},
		{Seed: 5, Events: events},
		{Seed: 7, Events: events, Accounts: 3, Regions: []string{"eu-central-1", "ap-southeast-2"}},
	} {
		t.Run(fmt.Sprint("seed ", cfg.Seed), func(t *testing.T) {
			g := mustNew(t, cfg)
			ips := map[string]int{}
			var hosted, viaVPCE, services, internal int
			for rec := range g.Records() {
				ip := rec.SourceIPAddress
				ips[ip]++
				id := &rec.UserIdentity
				private := false
				if a, err := netip.ParseAddr(ip); err == nil {
					private = a.IsPrivate()
				}
				if private != (rec.VPCEndpointID != "") {
					t.Fatalf("%s from %s with vpcEndpointId %q", rec.EventName, ip, rec.VPCEndpointID)
				}
				switch {
				case id.InvokedBy != "":
					if ip != id.InvokedBy {
						t.Fatalf("invokedBy %s from %s", id.InvokedBy, ip)
					}
					if id.Type == schemas.IdentityAWSService {
						services++
					}
					if id.InvokedBy == "AWS Internal" {
						internal++
					}
				case awsHosted(&rec):
					hosted++
					if private {
						viaVPCE++
						if !strings.HasPrefix(rec.VPCEndpointID, "vpce-0") || len(rec.VPCEndpointID) != len("vpce-0")+16 {
							t.Fatalf("vpcEndpointId %q", rec.VPCEndpointID)
						}
					} else if !inPrefixes(ip, rec.AWSRegion) {
						t.Fatalf("%s (%s) in %s from %s, outside AWS's EC2 prefixes of the region", rec.EventName, id.ARN, rec.AWSRegion, ip)
					}
				case private:
					t.Fatalf("%s (%s) from private %s", rec.EventName, id.ARN, ip)
				}
			}
			top, topIP := 0, ""
			for ip, n := range ips {
				if n > top || n == top && ip < topIP {
					top, topIP = n, ip
				}
			}
			if share := float64(top) / float64(events); share > 0.10 {
				t.Errorf("top source %s has %.1f%% of events, want at most 10%%", topIP, 100*share)
			}
			if min := 200 * events / 100_000 * 5; len(ips) < min {
				t.Errorf("%d distinct source addresses in %d events, want at least %d", len(ips), events, min)
			}
			if hosted < events/50 || viaVPCE == 0 || viaVPCE > hosted*2/3 || services == 0 || internal == 0 {
				t.Errorf("AWS-hosted %d (through a VPC endpoint %d), services %d, AWS Internal %d in %d events", hosted, viaVPCE, services, internal, events)
			}
		})
	}
}

// TestHumanAddresses: a person calls from a few addresses of their own and
// of their company (office, VPN), and sometimes from somewhere else.
func TestHumanAddresses(t *testing.T) {
	g := mustNew(t, Config{Seed: 3, Events: realismEvents()})
	byUser := map[string]map[string]int{}
	for rec := range g.Records() {
		if rec.UserIdentity.Type != schemas.IdentityIAMUser || rec.UserIdentity.AccessKeyID == "" {
			continue
		}
		m := byUser[rec.UserIdentity.ARN]
		if m == nil {
			m = map[string]int{}
			byUser[rec.UserIdentity.ARN] = m
		}
		m[rec.SourceIPAddress]++
	}
	if len(byUser) < 2 {
		t.Fatalf("%d CLI users", len(byUser))
	}
	for arn, ips := range byUser {
		counts := make([]int, 0, len(ips))
		total := 0
		for _, n := range ips {
			counts = append(counts, n)
			total += n
		}
		sort.Sort(sort.Reverse(sort.IntSlice(counts)))
		top5 := 0
		for _, n := range counts[:min(5, len(counts))] {
			top5 += n
		}
		// A few addresses carry most calls; there is more than one.
		if total > 200 && (len(ips) < 3 || float64(top5)/float64(total) < 0.4) {
			t.Errorf("%s: %d calls from %d addresses, the top 5 carry %d", arn, total, len(ips), top5)
		}
	}
}

// TestIdentitySets: by default only identities that can call Firehose; the
// exotic ones only with IdentitiesAll.
func TestIdentitySets(t *testing.T) {
	for _, set := range []string{"", IdentitiesDefault, IdentitiesAll} {
		t.Run("identities "+set, func(t *testing.T) {
			g := mustNew(t, Config{Seed: 12, Events: 30_000, Accounts: 2, Identities: set})
			types := map[string]int{}
			for rec := range g.Records() {
				id := &rec.UserIdentity
				types[id.Type]++
				if id.Type == "" && (id.InvokedBy != "AWS Internal" || id.AccountID != rec.RecipientAccountID || rec.UserAgent != "AWS Internal" || rec.TLSDetails != nil) {
					t.Fatalf("typeless identity %+v, userAgent %q", id, rec.UserAgent)
				}
			}
			want := IdentityTypes(g.Config().Identities)
			for _, ty := range want {
				if types[ty] == 0 {
					t.Errorf("no identity of type %q (got %v)", ty, types)
				}
			}
			for ty := range types {
				if !slices.Contains(want, ty) {
					t.Errorf("identity type %q with identities %q", ty, set)
				}
			}
			if set != IdentitiesAll && (types["IdentityCenterUser"] > 0 || types["AWSAccount"] > 0 || types["Role"] > 0) {
				t.Errorf("exotic identities by default: %v", types)
			}
		})
	}
	if _, err := New(Config{Identities: "some"}); err == nil || err.Error() != `generator: identities "some": want default or all` {
		t.Errorf("New(Identities: some) = %v", err)
	}
}

// TestBatchSizes: PutRecordBatch carries 1 to 500 records, mostly few, with
// a tail of full batches; the requests are what the renderer writes.
func TestBatchSizes(t *testing.T) {
	g := mustNew(t, Config{Seed: 4, Events: realismEvents()})
	sizes := map[int]int{}
	var all []int
	for rec := range g.Records() {
		if rec.EventName != "PutRecordBatch" {
			continue
		}
		var req struct {
			Records []json.RawMessage `json:"records"`
		}
		if err := json.Unmarshal(rec.RequestParameters, &req); err != nil {
			t.Fatal(err)
		}
		n := len(req.Records)
		if n < 1 || n > 500 {
			t.Fatalf("PutRecordBatch of %d records", n)
		}
		sizes[n]++
		all = append(all, n)
	}
	slices.Sort(all)
	full := float64(sizes[500]) / float64(len(all))
	if len(sizes) < 20 || all[len(all)/2] > 20 || full < 0.03 || full > 0.2 || sizes[1] == 0 {
		t.Errorf("%d batches: %d distinct sizes, median %d, %.1f%% full, %d of one record", len(all), len(sizes), all[len(all)/2], 100*full, sizes[1])
	}

	w := seed1Sim(t)
	for _, name := range []string{"a", "orders-prod-to-s3", `q"uote\<&>é`} {
		s, err := w.newStream(w.regions[0], DestS3, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 16, 17, 499, 500, 3, 500, 16} {
			want, err := schemas.RenderFirehoseRequest(putRecordBatchInput(name, n))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.batchRequest(&w.bytes, n); !bytes.Equal(got, want) {
				t.Errorf("batchRequest(%d) of %q = %s, want %s", n, name, got, want)
			}
		}
	}
}

// memberPaths adds to paths the path of every member in the JSON value v
// under prefix, array indexes written as [].
func memberPaths(paths map[string]bool, prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			p := prefix + "." + k
			paths[p] = true
			memberPaths(paths, p, val)
		}
	case []any:
		for _, val := range x {
			memberPaths(paths, prefix+"[]", val)
		}
	}
}

func requestPaths(t *testing.T, req []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(req, &v); err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	memberPaths(paths, "", v)
	return paths
}

// TestSeedUpdatePaths: every member path of the UpdateDestination in AWS's
// example on the seed page occurs in generated UpdateDestination calls.
func TestSeedUpdatePaths(t *testing.T) {
	page, err := os.ReadFile("../golden/testdata/seed-example/seed_example.json")
	if err != nil {
		t.Fatal(err)
	}
	var log struct{ Records []schemas.Record }
	if err := json.Unmarshal(page, &log); err != nil {
		t.Fatal(err)
	}
	var seed map[string]bool
	for _, r := range log.Records {
		if r.EventName == "UpdateDestination" {
			seed = requestPaths(t, r.RequestParameters)
		}
	}
	if len(seed) < 15 {
		t.Fatalf("seed UpdateDestination has %d member paths: %v", len(seed), seed)
	}
	for _, s := range []int64{2, 5, 11} {
		got := map[string]bool{}
		for rec := range mustNew(t, Config{Seed: s, Events: 100_000}).Records() {
			if rec.EventName == "UpdateDestination" {
				for p := range requestPaths(t, rec.RequestParameters) {
					got[p] = true
				}
			}
		}
		for p := range seed {
			if !got[p] {
				t.Errorf("seed %d: member %s of the seed page's UpdateDestination never occurs", s, p)
			}
		}
	}
}

// destinationKey maps the members of a configuration to the members of an
// update that sets them.
var destinationKey = strings.NewReplacer("DestinationConfiguration", "DestinationUpdate", "s3Configuration", "s3Update", "s3BackupConfiguration", "s3BackupUpdate")

// leaves returns the leaf values of v by path.
func leaves(out map[string]string, prefix string, v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			leaves(out, prefix+"."+destinationKey.Replace(k), val)
		}
	default:
		b, _ := json.Marshal(x)
		out[prefix] = string(b)
	}
}

// TestUpdatesFollowState: every UpdateDestination agrees with the stream's
// configuration (the create's with the earlier successful updates
// applied). An update changes one aspect of the destination, so a whole
// update (console, Terraform, CloudFormation) differs from the stream's
// configuration in at most one top-level member, and a partial one (CLI,
// SDK programs) carries only one or two members.
func TestUpdatesFollowState(t *testing.T) {
	g := mustNew(t, Config{Seed: 8, Events: realismEvents(), Accounts: 2, EmptyWorld: true})
	state := map[string]map[string]string{} // stream ARN → leaf path → value
	var whole, partial, revisited int
	for rec := range g.Records() {
		var req map[string]any
		json.Unmarshal(rec.RequestParameters, &req)
		name, _ := req["deliveryStreamName"].(string)
		arn := "arn:aws:firehose:" + rec.AWSRegion + ":" + rec.RecipientAccountID + ":deliverystream/" + name
		if rec.ErrorCode != "" {
			continue
		}
		switch rec.EventName {
		case "CreateDeliveryStream":
			st := map[string]string{}
			for k, v := range req {
				if strings.HasSuffix(k, "DestinationConfiguration") {
					leaves(st, destinationKey.Replace(k), v)
				}
			}
			state[arn] = st
		case "UpdateDestination":
			st, ok := state[arn]
			if !ok {
				t.Fatalf("update of %s before its create", arn)
			}
			upd := map[string]string{}
			for k, v := range req {
				if strings.HasSuffix(k, "DestinationUpdate") {
					leaves(upd, k, v)
				}
			}
			if len(upd) == 0 {
				t.Fatalf("%s: update changes nothing: %s", arn, rec.RequestParameters)
			}
			// Top-level members of the destination that differ.
			differ, members := map[string]bool{}, map[string]bool{}
			hidden := false // a member sent is redacted: its change cannot show
			for k, v := range upd {
				top := strings.Split(k, ".")[1]
				members[top] = true
				if st[k] != v {
					differ[top] = true
				}
				hidden = hidden || v == `""` || v == `"HIDDEN_DUE_TO_SECURITY_REASONS"`
			}
			if st["updated"] == "yes" {
				revisited++
			}
			for k, v := range upd {
				st[k] = v
			}
			st["updated"] = "yes"
			switch {
			case strings.HasPrefix(rec.UserAgent, "aws-cli/"):
				partial++
				if len(members) > 2 || len(differ) == 0 && !hidden {
					t.Errorf("CLI update with %d members (%d differ): %s", len(members), len(differ), rec.RequestParameters)
				}
			case rec.UserAgent == "AWS Internal", strings.HasPrefix(rec.UserAgent, "Mozilla/"), strings.Contains(rec.UserAgent, "Terraform"), strings.HasPrefix(rec.UserAgent, "cloudformation"):
				whole++
				if len(differ) > 1 || len(members) < 3 {
					t.Errorf("whole update from %q: %d members, %v differ from the stream's configuration: %s", rec.UserAgent, len(members), differ, rec.RequestParameters)
				}
			}
		}
	}
	if whole < 10 || partial < 10 || revisited < 10 {
		t.Errorf("%d whole and %d partial updates checked, %d of streams updated before", whole, partial, revisited)
	}
}

// TestDiffUpdate: a partial update holds the changed members, plain nested
// structs whole; a whole update every member of the destination.
func TestDiffUpdate(t *testing.T) {
	w := seed1Sim(t)
	s, err := w.newStream(w.regions[0], DestRedshift, "dw-prod-to-redshift")
	if err != nil {
		t.Fatal(err)
	}
	render := func(u reflect.Value) string {
		t.Helper()
		in := &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String(s.name), CurrentDeliveryStreamVersionId: aws.String("1"),
			DestinationId: aws.String("destinationId-000000000001"), RedshiftDestinationUpdate: u.Interface().(*types.RedshiftDestinationUpdate)}
		b, err := schemas.RenderFirehoseRequest(in)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	seen := map[string]bool{}
	whole := func(conf any) reflect.Value {
		u, _ := toUpdate(conf, nil)
		return u
	}
	before := render(whole(s.conf))
	for range 40 {
		next := shallowCopy(s.conf)
		w.change(next, s)
		all := render(whole(next))
		for _, m := range []string{`"clusterJDBCURL"`, `"roleARN"`, `"bucketARN"`, `"s3Update"`, `"copyCommand"`, `"username"`, `"password"`, `"retryOptions"`} {
			if !strings.Contains(all, m) {
				t.Errorf("whole update without %s: %s", m, all)
			}
		}
		u, ok := toUpdate(next, s.conf)
		part := render(u)
		if ok == (part == render(reflect.New(u.Type().Elem()))) {
			t.Errorf("toUpdate reports %v for %s", ok, part)
		}
		var req struct {
			U map[string]json.RawMessage `json:"redshiftDestinationUpdate"`
		}
		json.Unmarshal([]byte(part), &req)
		if len(req.U) > 2 || part == all {
			t.Errorf("partial update: %s", part)
		}
		for k := range req.U {
			seen[k] = true
		}
		if req.U["copyCommand"] != nil && !strings.Contains(string(req.U["copyCommand"]), `"dataTableName"`) {
			t.Errorf("copyCommand not whole: %s", part)
		}
		if req.U["s3Update"] != nil && !strings.HasPrefix(string(req.U["s3Update"]), `{"bufferingHints":{"sizeInMBs"`) {
			t.Errorf("s3Update with more than its buffering hints: %s", part)
		}
	}
	if after := render(whole(s.conf)); after != before {
		t.Errorf("changes wrote through to the stream's configuration:\n%s\n%s", before, after)
	}
	for _, m := range []string{"username", "password", "copyCommand", "s3Update", "retryOptions"} {
		if !seen[m] {
			t.Errorf("no partial update changes %s (%v)", m, seen)
		}
	}
}

// TestEncryptionCallLimit: AWS takes 25 encryption calls
// (StartDeliveryStreamEncryption and StopDeliveryStreamEncryption together)
// a stream in 24 hours. No stream of a generated world, on the working-week
// timeline or paced with its activity hurried into the records' time (no
// data events to fill the rate), succeeds in more by its records'
// eventTimes (the generator used to reach 40 and 39 in 1.2 million events).
func TestEncryptionCallLimit(t *testing.T) {
	events := 1_200_000
	if testing.Short() {
		events = 300_000
	}
	start := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, rate := range []float64{0, 20000} {
		cfg := Config{Seed: 1, Events: events, Rate: rate, Start: start}
		if rate > 0 {
			cfg.DataEventShare = -1
		}
		g, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		// The successful calls of the last 24 hours of each stream by
		// name; a deletion starts the next stream of the name afresh.
		calls := map[string][]int64{}
		worst, n := 0, 0
		for rec := range g.Records() {
			enc := rec.EventName == "StartDeliveryStreamEncryption" || rec.EventName == "StopDeliveryStreamEncryption"
			if rec.ErrorCode != "" || !enc && rec.EventName != "DeleteDeliveryStream" {
				continue
			}
			k := streamOf(t, &rec)
			if !enc {
				delete(calls, k)
				continue
			}
			n++
			now := rec.EventTime.Unix()
			ts := append(calls[k], now)
			for len(ts) > 0 && ts[0] <= now-86400 {
				ts = ts[1:]
			}
			calls[k] = ts
			if len(ts) > worst {
				worst = len(ts)
			}
		}
		if err := g.Err(); err != nil {
			t.Fatal(err)
		}
		if n < 1000 || worst > schemas.FirehoseEncryptionCalls {
			t.Errorf("rate %v: %d successful encryption calls, up to %d on one stream in 24 hours, want at most %d", rate, n, worst, schemas.FirehoseEncryptionCalls)
		}
	}
}

// TestEncryptionCallRefused: an encryption call on a stream that has had
// 25 in the last 24 hours fails as AWS refuses it, in the error table's
// words, and changes nothing; once the oldest is 24 hours old, the next
// call succeeds.
func TestEncryptionCallRefused(t *testing.T) {
	w := seed1Sim(t)
	rs := w.regions[0]
	var s *stream
	var err error
	for i := 0; s == nil || s.typ != types.DeliveryStreamTypeDirectPut; i++ {
		if s, err = w.newStream(rs, DestExtendedS3, fmt.Sprintf("clicks-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	const t0 = 1_800_000_000
	s.live, s.created, s.active = true, t0-86400, t0-86400+60
	rs.live = append(rs.live, s)
	for i := range schemas.FirehoseEncryptionCalls {
		s.encCalls.Add(time.Unix(t0-86400+100+int64(i), 0))
	}
	p := rs.acct.principals[0]
	var rec schemas.Record
	w.emit(&pending{at: t0, act: actStartEnc, p: p, rs: rs, st: s, noErr: true}, &rec)
	want := schemas.FirehoseStreamLimit(s.name, rs.acct.id)
	if rec.ErrorCode != want.Code || rec.ErrorMessage != want.Message || s.enc || len(s.encCalls) != schemas.FirehoseEncryptionCalls {
		t.Errorf("26th call: %s %q, encryption %v, %d calls counted; want %s %q, no change", rec.ErrorCode, rec.ErrorMessage, s.enc, len(s.encCalls), want.Code, want.Message)
	}
	w.emit(&pending{at: t0 + 100, act: actStartEnc, p: p, rs: rs, st: s, noErr: true}, &rec)
	if rec.ErrorCode != "" || !s.enc || len(s.encCalls) != schemas.FirehoseEncryptionCalls || s.encCalls[len(s.encCalls)-1].Unix() != t0+100 {
		t.Errorf("a call once the oldest is 24 hours old: %s %q, encryption %v, calls %v", rec.ErrorCode, rec.ErrorMessage, s.enc, s.encCalls)
	}
}
