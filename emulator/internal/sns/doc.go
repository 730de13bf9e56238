// Package sns is the emulator's Amazon SNS: a Service holds the topics of
// one region and the key that signs their envelopes; a Topic holds its
// HTTP/HTTPS subscriptions. Today its only topic is the trail's: the
// emulator creates it and passes Topic.Notify as trail.Config.Notify, so
// every delivered log file reaches the topic's endpoints.
//
// # Delivery
//
// SNS subscribers (Topic.Subscribe) get a signed SubscriptionConfirmation
// first and notices only once they have visited its SubscribeURL; each
// notice is a signed Notification envelope (Envelope, REFERENCE.md §6.2)
// whose Message is CloudTrail's (CloudTrailMessage, §6.1). S3-event
// endpoints (Topic.SubscribeS3Events) stand in for the bucket's event
// notifications: they get S3 event JSON (S3Event, §6.3) for every notice,
// without a handshake. Each endpoint has its own queue and goroutine, so
// Notify never blocks and a slow endpoint holds up no other; failed POSTs
// are retried with backoff, and notices that find an endpoint unconfirmed
// or its queue full are dropped and counted (Subscription).
//
// With Config.Seed, message IDs, tokens, subscription ARNs and request IDs
// are the same on every run; envelopes are stamped by Config.Clock.
//
// # HTTP
//
// Handler answers the SNS query-protocol requests that SubscribeURL and
// UnsubscribeURL make (ConfirmSubscription, Unsubscribe) with SNS's XML,
// and CertHandler serves the certificate of the signing key at
// SigningCertURL so that subscribers can check signatures. A server that
// learns its address late points both URLs at itself with SetURLs.
package sns
