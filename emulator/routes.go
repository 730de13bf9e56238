package emulator

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/cloudtrail"
	"github.com/firetrail/firetrail/emulator/internal/firehose"
	"github.com/firetrail/firetrail/emulator/internal/sns"
	"github.com/firetrail/firetrail/emulator/internal/sqs"
)

// route is one service of the JSON protocols in the routing table.
type route struct {
	name string
	// contentType is the protocol's: awsapi.JSON11 or awsapi.JSON10.
	contentType string
	// op returns the operation an X-Amz-Target names, if it is this
	// service's.
	op func(target string) (string, bool)
	// handle runs op with the request body and returns the answer body.
	handle func(ctx context.Context, cc *awsapi.Call, op string, body []byte) ([]byte, error)
}

// routeTable is the emulator's routing table of the JSON protocols, by
// X-Amz-Target. Requests without one go to the control endpoint
// (/_firetrail/...), to SNS's confirmation and certificate URLs, and
// everything else to S3 (ServeHTTP). Adding a service is one package and
// one line here.
func (e *Emulator) routeTable() []route {
	return []route{
		{"cloudtrail", awsapi.JSON11, cloudtrail.Op, func(_ context.Context, cc *awsapi.Call, op string, body []byte) ([]byte, error) {
			return e.ct.Handle(cc, op, body)
		}},
		{"firehose", awsapi.JSON11, prefixOp(firehose.TargetPrefix), e.fh.Handle},
		{"sqs", awsapi.JSON10, prefixOp(sqs.TargetPrefix), e.sqs.HandleJSON},
	}
}

// queryRoute is one service of the query protocol (form-encoded
// Action=<Op>&Version=<date>, XML answers) in the routing table.
type queryRoute struct {
	name    string // also the SigV4 service name of its requests
	version string // the Version its requests carry
	xmlns   string // the namespace of its answers
	// actions are the service's actions: a request with neither Version
	// nor SigV4 scope (SNS's SubscribeURL and UnsubscribeURL links are
	// plain GETs) goes to the service that has its action.
	actions []string
	// handle runs action with every form and URL parameter; path is the
	// request's URL path (SQS clients may post to the queue URL). It
	// returns the inner XML of <ActionResult>, nil for none.
	handle func(ctx context.Context, cc *awsapi.Call, action, path string, form url.Values) ([]byte, error)
}

// queryTable is the routing table of the query protocol.
func (e *Emulator) queryTable() []queryRoute {
	return []queryRoute{
		{"sqs", sqs.Version, sqs.XMLNS, sqs.Operations(), e.sqs.HandleQuery},
		{"sns", sns.Version, sns.XMLNS, sns.Actions(), e.snsQuery},
	}
}

// snsQuery runs an SNS action. The SubscribeURL and UnsubscribeURL links
// are plain, unsigned GETs: they act with no caller (as SNS's links do),
// so that AuthenticateOnUnsubscribe keeps protecting a subscription.
func (e *Emulator) snsQuery(ctx context.Context, cc *awsapi.Call, action, _ string, form url.Values) ([]byte, error) {
	if cc.Anonymous {
		cc = nil
	}
	return e.notify.svc().HandleQuery(ctx, cc, action, form)
}

// queryRoute picks the query-protocol service of a request: by its
// Version, else by the service of its SigV4 scope, else by its action.
func (e *Emulator) queryRoute(r *http.Request, form url.Values) (queryRoute, bool) {
	version := form.Get("Version")
	_, _, service := sigV4ScopeService(r)
	for _, qr := range e.queries {
		if version == qr.version || (version == "" && service == qr.name) {
			return qr, true
		}
	}
	if version == "" {
		action := form.Get("Action")
		for _, qr := range e.queries {
			if slices.Contains(qr.actions, action) {
				return qr, true
			}
		}
	}
	return queryRoute{}, false
}

// prefixOp returns an op function for targets "<prefix><Op>".
func prefixOp(prefix string) func(string) (string, bool) {
	return func(target string) (string, bool) { return strings.CutPrefix(target, prefix) }
}

// route finds the service of an X-Amz-Target.
func (e *Emulator) route(target string) (route, string, bool) {
	for _, rt := range e.routes {
		if op, ok := rt.op(target); ok {
			return rt, op, true
		}
	}
	return route{}, "", false
}

// cloudTrailConfig describes the emulator's trail to the CloudTrail API.
func (e *Emulator) cloudTrailConfig() cloudtrail.Config {
	cfg := cloudtrail.Config{
		Store: e.store,
		Clock: e.clock,
		Trail: cloudtrail.Trail{
			Name: e.trailName, Bucket: e.bucket, HomeRegion: e.homeRegion, AccountID: e.accountID,
		},
		Status:   e.status,
		Throttle: e.opts.throttle,
	}
	cfg.Trail.TopicName, cfg.Trail.TopicARN = e.topicName(), e.topicARN()
	if e.key != nil {
		cfg.PublicKeyDER, cfg.Fingerprint, cfg.KeyValidFrom = e.keyDER, e.keyFingerprint, e.keyValidFrom
	}
	return cfg
}
