// Package awsapi holds what the emulator's JSON services share at the HTTP
// edge: the AWS error type and its wire shape, the request checks of the
// JSON protocols, and Call, what a handler knows of a request beyond its
// body (who, from where, in which region). Each service package (CloudTrail,
// Firehose, ...) builds its handlers on it and knows nothing of the others.
package awsapi
