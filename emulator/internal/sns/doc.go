// Package sns is the emulator's Amazon SNS on the query protocol: a
// Service holds the topics of every account and region (HandleQuery
// serves the SNS API: topics, subscriptions, Publish, PublishBatch, tags),
// the key that signs every envelope and, with Config.Path, a state file
// that keeps topics and subscriptions across restarts. The emulator's
// trail topic is one of them: the emulator passes Topic.Notify as
// trail.Config.Notify, which publishes CloudTrail's message for every
// delivered log file through the same path as Publish.
//
// # Delivery
//
// http/https subscribers get a signed SubscriptionConfirmation first and
// messages only once they have visited its SubscribeURL (or called
// ConfirmSubscription); each message is a signed Notification envelope
// (Envelope, as the Amazon SNS Developer Guide describes it), or with
// RawMessageDelivery the message alone. sqs subscriptions are confirmed at
// once and get the same envelope JSON (or the raw message with its
// attributes) through Config.DeliverToQueue before Publish returns. Filter
// policies (filter.go) select the messages of a subscription. S3-event
// endpoints (Topic.SubscribeS3Events) stand in for the bucket's event
// notifications: they get S3 event JSON (encoded by the caller) for every
// notice, without a handshake. Each HTTP endpoint has its own queue and
// goroutine, so publishing never blocks on one and a slow endpoint holds up
// no other; failed POSTs are retried with backoff, and messages that find an
// endpoint unconfirmed or its queue full are dropped and counted
// (Subscription). FIFO topics are not supported.
//
// With Config.Seed, message IDs, tokens, subscription ARNs and request IDs
// are the same on every run; envelopes are stamped by Config.Clock.
//
// # HTTP
//
// HandleQuery returns the inner XML of an action's result or an
// *awsapi.Error, for awsapi.WriteQuery and WriteQueryError in XMLNS.
// Handler answers the requests that SubscribeURL and UnsubscribeURL make
// (ConfirmSubscription, Unsubscribe) as an unauthenticated caller, and
// CertHandler serves the certificate of the signing key at SigningCertURL
// so that subscribers can check signatures. A server that learns its
// address late points both URLs at itself with SetURLs.
package sns
