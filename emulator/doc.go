// Package emulator serves, on one port, what programs that consume
// CloudTrail talk to: an embedded S3 holding the trail's log and digest
// files, the CloudTrail API (LookupEvents, ListPublicKeys, DescribeTrails,
// GetTrailStatus) and a Firehose API whose every call is recorded as a
// CloudTrail event, plus a control endpoint of its own (/_firetrail/flush,
// /_firetrail/health).
//
// It is split the moto way: each AWS service is a package of its own under
// emulator/internal (s3front, cloudtrail, firehose, sns), with its own
// state, handlers and error table, built from small seams (record a
// CloudTrail event, put an object, a clock, an ID source) and knowing
// nothing of the others. This package holds the routing table (routes.go),
// the lifecycle (New, Serve, Close), the delivery of records through
// emulator/trail, and Start, the test helper in the style of
// net/http/httptest. Adding a service is one package and one line in the
// routing table.
//
// A recorded call is encoded once: the same bytes go to the log file and
// to LookupEvents.
package emulator
