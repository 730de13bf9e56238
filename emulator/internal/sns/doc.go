// Package sns is the emulator's Amazon SNS: Notifier sends the notices of
// delivered log files to HTTP endpoints, as signed SNS envelopes
// (SNSMessage) to subscribers and as S3 event notifications (S3Event) to
// S3-event endpoints.
package sns
