package cloudtrail

import (
	"time"

	"github.com/firetrail/firetrail/emulator/internal/awsapi"
)

// tokenBucket is a rate limiter: rate tokens per second, as many in burst.
type tokenBucket struct {
	tokens float64
	last   time.Time
}

// throttled reports whether a call of class by cc's account and region is
// over rate requests per second (WithThrottle; CloudTrail User Guide,
// quotas). Rates are wall-clock rates even under a virtual clock.

func (e *Service) throttled(cc *awsapi.Call, class string, rate float64) bool {
	if !e.cfg.Throttle {
		return false
	}
	now := time.Now() // wall-clock rates, even under a virtual clock
	key := cc.Account + "/" + cc.Region + "/" + class
	e.thMu.Lock()
	defer e.thMu.Unlock()
	b, ok := e.throttle[key]
	if !ok {
		b = &tokenBucket{tokens: rate, last: now}
		e.throttle[key] = b
	}
	b.tokens = min(rate, b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		return true
	}
	b.tokens--
	return false
}
