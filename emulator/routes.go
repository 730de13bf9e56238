package emulator

import (
	"context"
	"strings"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
	"github.com/firetrail/firetrail/emulator/internal/cloudtrail"
	"github.com/firetrail/firetrail/emulator/internal/firehose"
)

// route is one service of the JSON protocols in the routing table.
type route struct {
	name string
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
		{"cloudtrail", cloudtrail.Op, func(_ context.Context, cc *awsapi.Call, op string, body []byte) ([]byte, error) {
			return e.ct.Handle(cc, op, body)
		}},
		{"firehose", prefixOp(firehose.TargetPrefix), e.fh.Handle},
	}
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
	if len(e.notifyURLs) > 0 {
		cfg.Trail.TopicName, cfg.Trail.TopicARN = e.topicName(), e.topicARN()
	}
	if e.key != nil {
		cfg.PublicKeyDER, cfg.Fingerprint, cfg.KeyValidFrom = e.keyDER, e.keyFingerprint, e.keyValidFrom
	}
	return cfg
}
